// Unit tests of pixels.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import { warningText } from './pixels.js';

test('warningText: a key and its numbers for each code', () => {
  const num = (x, d) => Number(x).toFixed(d);
  assert.deepEqual(warningText({ code: 'empty' }, num), ['sees.warn.empty', {}]);
  assert.deepEqual(warningText({ code: 'tiny', value: 0.05, limit: 0.1 }, num), ['sees.warn.tiny', { size: '5%', limit: '10%' }]);
  assert.deepEqual(warningText({ code: 'edge', value: 2 }, num), ['sees.warn.edge', { sides: 2 }]);
  assert.deepEqual(warningText({ code: 'clipped', value: 0.125 }, num), ['sees.warn.clipped', { share: '13%' }]);
  assert.deepEqual(warningText({ code: 'thin', value: 0.5, limit: 0.855, typical: 3.593 }, num), ['sees.warn.thin', { value: '0.5', limit: '0.9', typical: '3.6' }]);
  assert.deepEqual(warningText({ code: 'sparse', value: 0.04, limit: 0.102, typical: 0.272 }, num), ['sees.warn.sparse', { value: '4%', limit: '10%', typical: '27%' }]);
  assert.deepEqual(warningText({ code: 'offcentre', value: 6.2, limit: 5.494, typical: 1.316 }, num), ['sees.warn.offcentre', { value: '6.2', limit: '5.5', typical: '1.3' }]);
  assert.deepEqual(warningText({ code: 'hollow', value: 0.62, limit: 0.271, typical: 0.006 }, num), ['sees.warn.hollow', { value: '62%', limit: '27%', typical: '1%' }]);
  assert.deepEqual(warningText({ code: 'new' }, num), ['sees.warn.other', { code: 'new' }]);
});

test('warningText: a small drawing and a shoe pointing right', () => {
  const num = (x, d) => Number(x).toFixed(d);
  assert.deepEqual(warningText({ code: 'small', value: 0.3, limit: 0.5, typical: 0.964 }, num), ['sees.warn.small', { value: '30%', limit: '50%', typical: '96%' }]);
  assert.deepEqual(warningText({ code: 'pointing', value: -1.63, limit: -0.476 }, num), ['sees.warn.pointing', { value: '1.6', limit: '0.5' }]);
});
