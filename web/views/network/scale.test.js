// Unit tests of scale.js: the scale choice and the painting of filters
// (the colour scales' own tests are in ../shared/paint.test.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import { scaleRange, sliceGrid, kernelAt, paintFilter, filterCellAt, shown } from './scale.js';
import { diverging } from '../shared/paint.js';

test('scaleRange: per map, per layer, global over the map-shaped layers', () => {
  const a = { shape: [1, 2, 2], output: [1, -2, 5, 0] };
  const b = { shape: [1, 1, 1], output: [9] };
  const flat = { shape: [4], output: [100, -100, 0, 0] };
  const trace = [a, b, flat];
  assert.deepEqual(scaleRange('map', a, 1, trace), { lo: -2, hi: 0 });
  assert.deepEqual(scaleRange('layer', a, 1, trace), { lo: -2, hi: 5 });
  assert.deepEqual(scaleRange('global', a, 1, trace), { lo: -2, hi: 9 }, 'vectors are left out');
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
