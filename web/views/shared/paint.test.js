// Unit tests of paint.js: the colour scales, extents and pixels the panels
// share (gathered from the network, step-through and preprocessing tests).
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  sequential, diverging, grey, range, mapRange, maxAbs, normalize,
  paintMap, paintVector, grayRGBA, divergingRGBA, num, textColour,
} from './paint.js';

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
  assert.deepEqual(diverging(-5, 2), [33, 102, 172]);
  assert.deepEqual(diverging(0.5, 1), [213, 136, 145]);
  assert.deepEqual(diverging(1, 2), [213, 136, 145]);
  assert.deepEqual(diverging(3, 0), [247, 247, 247], 'an all-zero kernel is white');
});

test('grey: black low, white high, clamped; a flat map is mid-grey', () => {
  assert.equal(grey(0, 0, 1), 0);
  assert.equal(grey(1, 0, 1), 255);
  assert.equal(grey(0.5, 0, 1), 128);
  assert.equal(grey(9, 0, 1), 255);
  assert.equal(grey(NaN, 0, 1), 0);
  assert.equal(grey(3, 3, 3), 128, 'a flat map is mid-grey');
});

test('range, mapRange, maxAbs', () => {
  assert.deepEqual(range([3, -1, 2]), { lo: -1, hi: 3 });
  assert.deepEqual(range([]), { lo: 0, hi: 0 });
  assert.deepEqual(range(new Float32Array([0.5, -0.75, 2])), { lo: -0.75, hi: 2 });
  const map = Float32Array.from([1, -2, 3, 4, -5, 6]); // (1, 3, 2)
  assert.deepEqual(range(map), { lo: -5, hi: 6 });
  assert.deepEqual(range(map, 1, 2), { lo: -2, hi: 6 }, 'every second value from 1: one channel');
  assert.equal(maxAbs(map), 6);
  // (1, 2, 2) map: channel 0 = [1, 5], channel 1 = [-2, 0]
  const m = [1, -2, 5, 0];
  assert.deepEqual(mapRange(m, [1, 2, 2], 0), { lo: 1, hi: 5 });
  assert.deepEqual(mapRange(m, [1, 2, 2], 1), { lo: -2, hi: 0 });
  assert.equal(maxAbs([0.5, -0.75, 0.25]), 0.75);
  assert.equal(maxAbs([]), 0);
});

test('normalize: a flat range', () => {
  assert.equal(normalize(2, 0, 4), 0.5);
  assert.equal(normalize(0, 0, 0), 0);
  assert.equal(normalize(3, 3, 3), 1);
});

test('paintMap paints one channel, row-major, opaque; paintVector one pixel per value', () => {
  const values = [0, 10, 1, 20, 2, 30, 3, 40]; // (2, 2, 2)
  const rgba = paintMap(new Uint8ClampedArray(16), values, [2, 2, 2], 1, 10, 40);
  assert.deepEqual([...rgba.slice(0, 4)], [...sequential(0), 255]);
  assert.deepEqual([...rgba.slice(12, 16)], [...sequential(1), 255]);
  const v = paintVector(new Uint8ClampedArray(8), [0, 1], 0, 1);
  assert.deepEqual([...v], [...sequential(0), 255, ...sequential(1), 255]);
});

test('grayRGBA: opaque gray pixels', () => {
  assert.deepEqual([...grayRGBA(new Uint8Array([0, 128, 255]))], [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
});

test('divergingRGBA: symmetric around 0, full colour at the largest |v|', () => {
  // The background of a standardized image (-0.81) is a light blue when the ink reaches 2.02.
  const px = divergingRGBA(new Float32Array([-0.81, 2.02]));
  assert.deepEqual([...px.slice(4, 8)], [178, 24, 43, 255]);
  assert.deepEqual([...px.slice(0, 4)], [...diverging(-0.81, 2.02), 255]);
});

test('num writes a true minus and no negative zero; textColour reads on its background', () => {
  assert.equal(num(-1.234), '−1.23');
  assert.equal(num(-0.001), '0.00');
  assert.equal(num(0.5, 3), '0.500');
  assert.equal(num(Infinity), '∞');
  assert.equal(num(NaN), 'NaN');
  assert.equal(textColour([255, 255, 255]), '#000');
  assert.equal(textColour([33, 102, 172]), '#fff');
});
