import test from 'node:test';
import assert from 'node:assert/strict';
import { currentIndex } from './nav.js';

test('currentIndex: the last lesson whose top has passed the line', () => {
  assert.equal(currentIndex([100, 900, 2000], 60), -1, 'above the first lesson');
  assert.equal(currentIndex([40, 900, 2000], 60), 0);
  assert.equal(currentIndex([-800, 50, 2000], 60), 1);
  assert.equal(currentIndex([-3000, -2000, -100], 60), 2);
  assert.equal(currentIndex([-3000, Infinity, 30], 60), 2, 'a missing section is skipped');
});
