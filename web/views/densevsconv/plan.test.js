// Unit tests of plan.js: the experiment's models and the curves' paths.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DENSE_SPEC, CNN_SPEC, SIZES, planFor, curvePath, curvePoints, shapeWord } from './plan.js';

test('the pair: a dense net from Flatten, a CNN ending in Dense(10, softmax)', () => {
  assert.equal(DENSE_SPEC.layers[0].type, 'Flatten');
  assert.ok(DENSE_SPEC.layers.slice(1).every((l) => l.type === 'Dense'));
  for (const s of [DENSE_SPEC, CNN_SPEC]) {
    const last = s.layers[s.layers.length - 1];
    assert.deepEqual([last.type, last.units, last.activation], ['Dense', 10, 'softmax']);
    assert.deepEqual(s.input, [28, 28, 1]);
  }
  assert.ok(CNN_SPEC.layers.some((l) => l.type === 'Conv2D' && l.kernel_size === 3));
});

test('sizes and their plans', () => {
  assert.deepEqual(SIZES.map((s) => s.n), [500, 5000, 55000]);
  assert.equal(planFor(5000).epochs, 3);
  assert.equal(planFor(55000).epochs, 1);
  assert.equal(planFor(7), SIZES[0]);
});

test('curvePath: one point per epoch, y up', () => {
  assert.deepEqual(curvePoints([0, 0.5, 1], 4, 100, 50), [[25, 50], [50, 25], [75, 0]]);
  assert.equal(curvePath([0, 1], 2, 10, 10), 'M5 10 L10 0');
  assert.equal(curvePath([], 2, 10, 10), '');
  assert.deepEqual(curvePoints([2], 1, 10, 10), [[10, 0]], 'clamped');
  assert.equal(shapeWord([28, 28, 1]), '28×28×1');
});
