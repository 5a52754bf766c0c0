// Unit tests of the step-through's DOM-free modules: state.js (the
// position, its URL form, stepping, the pointer)
// and the one DOM-free part of grids.js (sumLine).
import test from 'node:test';
import assert from 'node:assert/strict';
import { convLayers, parsePos, formatPos, fitPos, step, move, cellAt } from './state.js';
import { sumLine } from './grids.js';

const model = {
  layers: [
    { name: 'conv2d', type: 'Conv2D', outShape: [28, 28, 32] },
    { name: 'conv2d_1', type: 'Conv2D', outShape: [28, 28, 32] },
    { name: 'max_pooling2d', type: 'MaxPooling2D', outShape: [14, 14, 32] },
    { name: 'conv2d_2', type: 'Conv2D', outShape: [14, 14, 64] },
    { name: 'flatten', type: 'Flatten', outShape: [12544] },
  ],
};

test('convLayers lists the Conv2D layers with their indices', () => {
  assert.deepEqual(convLayers(model).map((c) => c.index), [0, 1, 3]);
  assert.deepEqual(convLayers(null), []);
  assert.deepEqual(convLayers({ layers: [{ type: 'Dense', outShape: [10] }] }), []);
});

test('parsePos and formatPos round-trip; malformed text is null', () => {
  assert.deepEqual(parsePos('3,0,13,63'), { layer: 3, y: 0, x: 13, filter: 63 });
  assert.equal(formatPos({ layer: 3, y: 0, x: 13, filter: 63 }), '3,0,13,63');
  for (const bad of [null, '', '1,2,3', '1,2,3,4,5', '1,-2,3,4', 'a,b,c,d', '1.5,2,3,4']) assert.equal(parsePos(bad), null, bad);
});

test('fitPos clamps into the layer and falls back to the first conv layer', () => {
  assert.deepEqual(fitPos({ layer: 3, y: 20, x: -1, filter: 70 }, model), { layer: 3, y: 13, x: 0, filter: 63 });
  assert.deepEqual(fitPos({ layer: 2, y: 5, x: 5, filter: 1 }, model), { layer: 0, y: 5, x: 5, filter: 1 }, 'a pooling layer is not a conv layer');
  assert.deepEqual(fitPos(null, model), { layer: 0, y: 0, x: 0, filter: 0 });
  assert.equal(fitPos(null, { layers: [] }), null);
});

test('step walks in reading order and wraps both ways', () => {
  const p = { layer: 0, y: 0, x: 2, filter: 0 };
  assert.deepEqual(step(p, 1, 3, 3), { layer: 0, y: 1, x: 0, filter: 0 });
  assert.deepEqual(step({ ...p, y: 2, x: 2 }, 1, 3, 3), { ...p, y: 0, x: 0 });
  assert.deepEqual(step({ ...p, y: 0, x: 0 }, -1, 3, 3), { ...p, y: 2, x: 2 });
  assert.deepEqual(move(p, 1, 5, 3, 3), { ...p, y: 1, x: 2 });
  assert.deepEqual(move(p, -1, -5, 3, 3), { ...p, y: 0, x: 0 });
});

test('cellAt centres the window on the pointer', () => {
  const same = { k: 3, stride: 1, padTop: 1, padLeft: 1, oh: 28, ow: 28 };
  assert.deepEqual(cellAt(0, 0, same), { y: 0, x: 0 });
  assert.deepEqual(cellAt(10, 4, same), { y: 10, x: 4 });
  assert.deepEqual(cellAt(27, 27, same), { y: 27, x: 27 });
  const valid = { k: 3, stride: 1, padTop: 0, padLeft: 0, oh: 26, ow: 26 };
  assert.deepEqual(cellAt(1, 1, valid), { y: 0, x: 0 }, 'the first window is centred on cell 1');
  assert.deepEqual(cellAt(27, 0, valid), { y: 25, x: 0 });
  const strided = { k: 3, stride: 2, padTop: 0, padLeft: 0, oh: 3, ow: 3 };
  assert.deepEqual(cellAt(3, 5, strided), { y: 1, x: 2 });
});

test('sumLine: every channel sum up to five, else the first three, an ellipsis and the last; then the total', () => {
  const t = (key, vars) => `${key}:${vars.c}`;
  assert.equal(sumLine(t, Float32Array.from([1, -2]), -1), 'convstep.ch:0 (1.000) + convstep.ch:1 (−2.000) = −1.0000');
  assert.equal(
    sumLine(t, Float32Array.from([1, 2, 3, 4, 5, 6]), 21),
    'convstep.ch:0 (1.000) + convstep.ch:1 (2.000) + convstep.ch:2 (3.000) + … + convstep.ch:5 (6.000) = 21.0000',
  );
});
