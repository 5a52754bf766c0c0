import test from 'node:test';
import assert from 'node:assert/strict';
import { channel0, absValues, heatRGBA, signedRGBA, overlayRGBA, greyRGBA, cellAt, isConstant, topK, brush, coverRGBA, cropField } from './maps.js';

test('channel0 takes the first channel of an (H, W, C) image', () => {
  assert.deepEqual([...channel0([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2])], [1, 3, 5, 7]);
  const one = [1, 2, 3, 4];
  assert.equal(channel0(one, [2, 2, 1]), one);
});

test('absValues and heatRGBA: the largest magnitude is the brightest, zero everywhere is dark', () => {
  assert.deepEqual([...absValues([-2, 1, 0])], [2, 1, 0]);
  const rgba = heatRGBA([0, 2]);
  assert.deepEqual([...rgba.slice(0, 4)], [68, 1, 84, 255]);
  assert.deepEqual([...rgba.slice(4, 8)], [253, 231, 37, 255]);
  assert.deepEqual([...heatRGBA([0, 0]).slice(4, 8)], [68, 1, 84, 255]);
});

test('signedRGBA: white at zero, blue below, red above, symmetric', () => {
  const rgba = signedRGBA([-1, 0, 0.5]);
  assert.deepEqual([...rgba.slice(4, 8)], [247, 247, 247, 255]);
  assert.ok(rgba[2] > rgba[0], 'negative is blue');
  assert.ok(rgba[8] > rgba[10], 'positive is red');
  assert.deepEqual([...signedRGBA([0, 0]).slice(0, 4)], [247, 247, 247, 255], 'a flat map does not divide by zero');
});

test('overlayRGBA keeps the grey input where the heat is zero and colours it where the heat is largest', () => {
  const rgba = overlayRGBA([0, 1, 1], [0, 0, 3], 1);
  assert.deepEqual([...rgba.slice(0, 4)], [0, 0, 0, 255]);
  assert.deepEqual([...rgba.slice(4, 8)], [255, 255, 255, 255]);
  assert.deepEqual([...rgba.slice(8, 12)], [253, 231, 37, 255]);
  assert.deepEqual([...overlayRGBA([0, 1], [0, 0], 1, true).slice(0, 4)], [255, 255, 255, 255], 'ink dark: low is white');
  assert.deepEqual([...greyRGBA([2, 4]).slice(4, 8)], [255, 255, 255, 255]);
});

test('cellAt maps a point on the element to the map cell under it', () => {
  assert.deepEqual(cellAt(0, 0, 280, 280, 28, 28), { row: 0, col: 0 });
  assert.deepEqual(cellAt(279, 15, 280, 280, 28, 28), { row: 1, col: 27 });
  assert.equal(cellAt(280, 0, 280, 280, 28, 28), null);
  assert.equal(cellAt(-1, 0, 280, 280, 28, 28), null);
});

test('isConstant and topK', () => {
  assert.ok(isConstant([]));
  assert.ok(isConstant([3, 3]));
  assert.ok(!isConstant([3, 3.5]));
  assert.deepEqual(topK([0.1, 0.6, 0.3], 2), [{ k: 1, p: 0.6 }, { k: 2, p: 0.3 }]);
});

test('brush covers a square around the cell, clipped at the edges; coverRGBA paints it', () => {
  const m = brush(new Float32Array(9), 3, 3, 0, 0, 1);
  assert.deepEqual([...m], [1, 1, 0, 1, 1, 0, 0, 0, 0]);
  const rgba = coverRGBA(new Uint8ClampedArray(8), [0, 1]);
  assert.deepEqual([...rgba], [0, 0, 0, 0, 230, 120, 30, 255]);
});

test('cropField: the field widened by pad within the map; an empty field is the whole map', () => {
  const map = Float32Array.from({ length: 16 }, (_, i) => i); // 4 x 4
  assert.deepEqual(cropField(map, 4, 4, [1, 1, 2, 3], 0), { values: Float32Array.from([5, 6]), h: 1, w: 2 });
  const c = cropField(map, 4, 4, [0, 0, 1, 1], 1);
  assert.deepEqual([c.h, c.w, [...c.values]], [2, 2, [0, 1, 4, 5]], 'clipped at the edges');
  const all = cropField(map, 4, 4, [0, 0, 0, 0]);
  assert.deepEqual([all.h, all.w, all.values.length], [4, 4, 16]);
});
