// Unit tests of state.js: the why lesson's link settings parse, format
// back, and refuse what the controls cannot show.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parsePart, parseIndex, parsePatch, formatPatch, parseWant, formatWant, PARTS } from './state.js';

test('parts', () => {
  for (const p of PARTS) assert.equal(parsePart(p), p);
  assert.equal(parsePart('LOOK'), null);
  assert.equal(parsePart(''), null);
});

test('indices', () => {
  assert.equal(parseIndex('0'), 0);
  assert.equal(parseIndex('12'), 12);
  for (const t of ['-1', '1.5', 'x', '', '12345']) assert.equal(parseIndex(t), null, t);
});

test('occlusion patch and stride', () => {
  assert.deepEqual(parsePatch('6,1'), { patch: 6, stride: 1 });
  assert.equal(formatPatch({ patch: 6, stride: 1 }), '6,1');
  assert.equal(formatPatch({ patch: 4, stride: 2 }), null, 'the default is left out');
  for (const t of ['5,1', '4,3', '4', '4,2,1', 'a,b']) assert.equal(parsePatch(t), null, t);
});

test('what to maximize: a filter or a class', () => {
  assert.deepEqual(parseWant('3,12'), { layer: 3, filter: 12 });
  assert.deepEqual(parseWant('c,7'), { cls: 7 });
  assert.equal(formatWant({ layer: 3, filter: 12 }), '3,12');
  assert.equal(formatWant({ cls: 7 }), 'c,7');
  for (const t of ['3', 'c', 'c,', '3,-1', 'x,1']) assert.equal(parseWant(t), null, t);
});
