// Unit tests of scale.js: colour scales and the painting of maps
// and filters.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  sequential, diverging, range, mapRange, maxAbs, scaleRange, normalize,
  paintMap, paintVector, sliceGrid, kernelAt, paintFilter, filterCellAt, shown,
} from './scale.js';

test('sequential: dark purple at 0, yellow at 1, clamped, monotone in brightness', () => {
  assert.deepEqual(sequential(0), [68, 1, 84]);
  assert.deepEqual(sequential(1), [253, 231, 37]);
  assert.deepEqual(sequential(-3), sequential(0));
  assert.deepEqual(sequential(7), sequential(1));
  assert.deepEqual(sequential(NaN), sequential(0));
  // halfway between control points 4 and 5 (t = 4.5/9)
  assert.deepEqual(sequential(0.5), [35, 144, 140]);
  const lum = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
  for (let i = 1; i <= 20; i++) assert.ok(lum(sequential(i / 20)) > lum(sequential((i - 1) / 20)), `t=${i / 20}`);
});

test('diverging: blue below zero, white at zero, red above, clamped at ±m', () => {
  assert.deepEqual(diverging(0, 1), [247, 247, 247]);
  assert.deepEqual(diverging(-1, 1), [33, 102, 172]);
  assert.deepEqual(diverging(2, 2), [178, 24, 43]);
  assert.deepEqual(diverging(5, 2), [178, 24, 43]);
  assert.deepEqual(diverging(0.5, 1), [213, 136, 145]);
  assert.deepEqual(diverging(3, 0), [247, 247, 247], 'an all-zero kernel is white');
});

test('range, mapRange, maxAbs', () => {
  assert.deepEqual(range([3, -1, 2]), { lo: -1, hi: 3 });
  assert.deepEqual(range([]), { lo: 0, hi: 0 });
  // (1, 2, 2) map: channel 0 = [1, 5], channel 1 = [-2, 0]
  const m = [1, -2, 5, 0];
  assert.deepEqual(mapRange(m, [1, 2, 2], 0), { lo: 1, hi: 5 });
  assert.deepEqual(mapRange(m, [1, 2, 2], 1), { lo: -2, hi: 0 });
  assert.equal(maxAbs([0.5, -0.75, 0.25]), 0.75);
  assert.equal(maxAbs([]), 0);
});

test('scaleRange: per map, per layer, global over the map-shaped layers', () => {
  const a = { shape: [1, 2, 2], output: [1, -2, 5, 0] };
  const b = { shape: [1, 1, 1], output: [9] };
  const flat = { shape: [4], output: [100, -100, 0, 0] };
  const trace = [a, b, flat];
  assert.deepEqual(scaleRange('map', a, 1, trace), { lo: -2, hi: 0 });
  assert.deepEqual(scaleRange('layer', a, 1, trace), { lo: -2, hi: 5 });
  assert.deepEqual(scaleRange('global', a, 1, trace), { lo: -2, hi: 9 }, 'vectors are left out');
});

test('normalize: a flat range', () => {
  assert.equal(normalize(2, 0, 4), 0.5);
  assert.equal(normalize(0, 0, 0), 0);
  assert.equal(normalize(3, 3, 3), 1);
});

test('paintMap paints one channel, row-major, opaque', () => {
  const values = [0, 10, 1, 20, 2, 30, 3, 40]; // (2, 2, 2)
  const rgba = paintMap(new Uint8ClampedArray(16), values, [2, 2, 2], 1, 10, 40);
  assert.deepEqual([...rgba.slice(0, 4)], [...sequential(0), 255]);
  assert.deepEqual([...rgba.slice(12, 16)], [...sequential(1), 255]);
  const v = paintVector(new Uint8ClampedArray(8), [0, 1], 0, 1);
  assert.deepEqual([...v], [...sequential(0), 255, ...sequential(1), 255]);
});

test('sliceGrid and filterCellAt: slices with one-pixel gaps', () => {
  assert.deepEqual(sliceGrid(3, 1), { cols: 1, rows: 1, width: 3, height: 3 });
  assert.deepEqual(sliceGrid(3, 32), { cols: 6, rows: 6, width: 23, height: 23 });
  assert.deepEqual(sliceGrid(3, 3), { cols: 2, rows: 2, width: 7, height: 7 });
  assert.deepEqual(filterCellAt(0, 0, 3, 3), { c: 0, kh: 0, kw: 0 });
  assert.equal(filterCellAt(3, 0, 3, 3), null, 'the gap');
  assert.deepEqual(filterCellAt(6, 1, 3, 3), { c: 1, kh: 1, kw: 2 });
  assert.deepEqual(filterCellAt(0, 5, 3, 3), { c: 2, kh: 1, kw: 0 });
  assert.equal(filterCellAt(4, 5, 3, 3), null, 'slice 3 does not exist with 3 channels');
  assert.equal(filterCellAt(-1, 0, 3, 3), null);
});

test('kernelAt and paintFilter: Keras (K, K, C, F) order', () => {
  // K=1, C=2, F=2: kernel[0,0,c,f] = [c0f0, c0f1, c1f0, c1f1]
  const kernel = [0.5, -1, 1, 0];
  const shape = [1, 1, 2, 2];
  assert.equal(kernelAt(kernel, shape, 0, 0, 1, 0), 1);
  assert.equal(kernelAt(kernel, shape, 0, 0, 0, 1), -1);
  const g = sliceGrid(1, 2); // 2 columns, 1 row: width 3 (slice, gap, slice)
  assert.deepEqual(g, { cols: 2, rows: 1, width: 3, height: 1 });
  const rgba = paintFilter(new Uint8ClampedArray(12), kernel, shape, 0, 1);
  assert.deepEqual([...rgba.slice(0, 4)], [...diverging(0.5, 1), 255]);
  assert.deepEqual([...rgba.slice(4, 8)], [0, 0, 0, 0], 'the gap is transparent');
  assert.deepEqual([...rgba.slice(8, 12)], [...diverging(1, 1), 255]);
});

test('shown', () => {
  assert.deepEqual(shown(32, 8), { shown: 8, more: 24 });
  assert.deepEqual(shown(3, 8), { shown: 3, more: 0 });
});
