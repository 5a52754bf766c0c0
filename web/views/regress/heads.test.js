// Unit tests of heads.js: the two heads share their features and differ in their output.
import test from 'node:test';
import assert from 'node:assert/strict';
import { HEADS, percentText, lossText, topClasses } from './heads.js';

test('two heads on the same features: 10 softmax outputs against 1 linear output', () => {
  const [c, r] = HEADS;
  assert.deepEqual(c.spec.layers.slice(0, -1), r.spec.layers.slice(0, -1));
  assert.deepEqual([c.spec.layers.at(-1).units, c.spec.layers.at(-1).activation, c.target], [10, 'softmax', 'class']);
  assert.deepEqual([r.spec.layers.at(-1).units, r.spec.layers.at(-1).activation, r.target], [1, 'linear', 'ink']);
});

test('formats', () => {
  assert.equal(percentText(23.44), '23.4%');
  assert.equal(lossText(0.123456), '0.1235');
  assert.deepEqual(topClasses([0.1, 0.6, 0.3], 2), [{ k: 1, p: 0.6 }, { k: 2, p: 0.3 }]);
});
