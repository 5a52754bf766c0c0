// Unit tests of bars.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import { probText, bars, verdict } from './bars.js';

test('probText: four decimals', () => {
  assert.equal(probText(0.91344), '0.9134');
  assert.equal(probText(1), '1.0000');
  assert.equal(probText(0), '0.0000');
});

test('bars: class order, widths in percent with a hairline for tiny values, one top', () => {
  const b = bars([0.001, 0.9, 0, 0.099]);
  assert.deepEqual(b.map((x) => x.k), [0, 1, 2, 3]);
  assert.deepEqual(b.map((x) => x.width), [0.5, 90, 0, 9.9]);
  assert.deepEqual(b.map((x) => x.top), [false, true, false, false]);
  assert.deepEqual(b.map((x) => x.text), ['0.0010', '0.9000', '0.0000', '0.0990']);
});

test('verdict: right, wrong, or unknown without a label', () => {
  assert.equal(verdict(3, 3), 'right');
  assert.equal(verdict(3, 4), 'wrong');
  assert.equal(verdict(3, undefined), null);
  assert.equal(verdict(-1, 2), null);
});
