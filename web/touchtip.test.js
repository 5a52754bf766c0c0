import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tipPosition } from './touchtip.js';

test('the tip goes above the finger, centred, when there is room', () => {
  assert.deepEqual(tipPosition(200, 300, 100, 40, 390, 844), { left: 150, top: 236 });
});

test('near the top it goes below the finger', () => {
  assert.deepEqual(tipPosition(200, 30, 100, 40, 390, 844), { left: 150, top: 54 });
});

test('it stays inside the viewport at the edges', () => {
  assert.deepEqual(tipPosition(5, 300, 100, 40, 390, 844), { left: 8, top: 236 });
  assert.deepEqual(tipPosition(385, 300, 100, 40, 390, 844), { left: 282, top: 236 });
  assert.deepEqual(tipPosition(200, 830, 100, 900, 390, 844), { left: 150, top: 8 });
});
