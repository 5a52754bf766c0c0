import test from 'node:test';
import assert from 'node:assert/strict';
import { CLASS_COLOURS, classColour, fit, nearest } from './scatter.js';

test('ten distinct class colours, wrapping', () => {
  assert.equal(new Set(CLASS_COLOURS).size, 10);
  assert.equal(classColour(12), classColour(2));
});

test('fit keeps one scale on both axes, y up, the extremes on the margin', () => {
  const { toPx, fromPx } = fit([0, 0, 10, 5], 120, 10);
  assert.deepEqual(toPx(0, 0), [10, 60 + 25]);
  assert.deepEqual(toPx(10, 5), [110, 60 - 25]);
  assert.deepEqual(fromPx(110, 35), [10, 5]);
  const wide = fit([0, 0], 100, 0, [[2, 2]]);
  assert.deepEqual(wide.toPx(2, 2), [100, 0], 'extra points count too');
  const one = fit([3, 3], 100);
  assert.deepEqual(one.toPx(3, 3), [50, 50], 'one point sits in the middle');
  assert.deepEqual(fit([], 100).toPx(0, 0), [50, 50]);
});

test('nearest finds the closest point within the radius', () => {
  const pts = [0, 0, 1, 1, 5, 5];
  assert.equal(nearest(pts, 0.9, 0.8), 1);
  assert.equal(nearest(pts, 4, 4), 2);
  assert.equal(nearest(pts, 3, 3, 0.5), -1);
  assert.equal(nearest([], 0, 0), -1);
});
