// Unit tests of argmax.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import { argmax, mostActive } from './argmax.js';

test('argmax: the largest, the first of equal ones, -1 for none', () => {
  assert.equal(argmax([1, 3, 3, 2]), 1);
  assert.equal(argmax(new Float32Array([0.1, 0.7, 0.2])), 1);
  assert.equal(argmax([0.4, 0.4, 0.2]), 0);
  assert.equal(argmax([-3, -1, -2]), 1, 'all negative');
  assert.equal(argmax([]), -1);
});

test('mostActive is the channel with the largest total', () => {
  // A 2x1 map with 3 channels: totals 1+2, 5-1, 0+0.
  assert.equal(mostActive(Float32Array.from([1, 5, 0, 2, -1, 0]), 3), 1);
});
