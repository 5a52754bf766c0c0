import test from 'node:test';
import assert from 'node:assert/strict';
import { SIDE, COLOURS, stamp, strokeTo, maskRGBA, pixelProbs, pixelAt, polyline } from './pad.js';

test('a stamp inks a soft disc, and erasing takes it away', () => {
  const pad = new Uint8Array(SIDE * SIDE);
  stamp(pad, 10.5, 20.5);
  assert.equal(pad[20 * SIDE + 10], 255, 'the centre is full ink');
  assert.equal(pad[20 * SIDE + 14], 0, 'four pixels away nothing');
  const edge = pad[20 * SIDE + 12];
  assert.ok(edge > 0 && edge < 255, `the edge fades (${edge})`);
  stamp(pad, 10.5, 20.5, true);
  assert.equal(pad.reduce((a, b) => a + b, 0), 0);
});

test('a stamp at the border stays on the pad', () => {
  const pad = new Uint8Array(SIDE * SIDE);
  stamp(pad, 0, 0);
  stamp(pad, SIDE, SIDE);
  assert.equal(pad[0], 255);
  assert.equal(pad.length, SIDE * SIDE);
});

test('a stroke is continuous', () => {
  const pad = new Uint8Array(SIDE * SIDE);
  strokeTo(pad, { x: 5.5, y: 30.5 }, { x: 40.5, y: 30.5 });
  for (let c = 5; c <= 40; c++) assert.equal(pad[30 * SIDE + c], 255, `column ${c}`);
});

test('the mask paints each pixel in its class colour, the background grey', () => {
  const classes = new Int32Array(SIDE * SIDE);
  const image = new Uint8Array(SIDE * SIDE);
  classes[1] = 3;
  image[1] = 255;
  image[2] = 100;
  const m = maskRGBA(classes, image);
  assert.deepEqual([...m.slice(4, 8)], [...COLOURS[3], 255], 'full ink: the class colour');
  assert.deepEqual([...m.slice(8, 12)], [35, 35, 35, 255], 'background: the scene dimmed');
});

test('a pixel\'s probabilities, most probable first', () => {
  const probs = new Float32Array([0.1, 0.7, 0.2, 0.5, 0.25, 0.25]);
  assert.deepEqual(pixelProbs(probs, 0, 3).map((e) => e.k), [1, 2, 0]);
  assert.deepEqual(pixelProbs(probs, 1, 3).map((e) => e.k), [0, 1, 2], 'ties keep the lower class first');
});

test('the pixel under the pointer', () => {
  assert.deepEqual(pixelAt(0, 0, 256, 256), { row: 0, col: 0 });
  assert.deepEqual(pixelAt(255.9, 4, 256, 256), { row: 1, col: 63 });
  assert.equal(pixelAt(256, 0, 256, 256), null);
  assert.equal(pixelAt(-1, 0, 256, 256), null);
});

test('curve points skip missing values', () => {
  assert.equal(polyline([0, null, 1], 3, 100, 50), '0.0,50.0 100.0,0.0');
  assert.equal(polyline([0.5], 1, 100, 50), '0.0,25.0');
  assert.equal(polyline([], 0, 100, 50), '');
});
