// Unit tests of windows.js, on windows as poolCompare gives them.
import test from 'node:test';
import assert from 'node:assert/strict';
import { windowAt, windowCells, windowUnder, windowEdges } from './windows.js';

// valid 2x2 windows, stride 2, over a 7x7 map: 3x3 outputs, row and column 6 unused.
const valid7 = Int32Array.from([
  0, 2, 0, 2, 0, 2, 2, 4, 0, 2, 4, 6,
  2, 4, 0, 2, 2, 4, 2, 4, 2, 4, 4, 6,
  4, 6, 0, 2, 4, 6, 2, 4, 4, 6, 4, 6,
]);
// 'same' 2x2 windows, stride 2, over a 5x5 map: 3x3 outputs, the last row and column of windows one cell.
const same5 = Int32Array.from([
  0, 2, 0, 2, 0, 2, 2, 4, 0, 2, 4, 5,
  2, 4, 0, 2, 2, 4, 2, 4, 2, 4, 4, 5,
  4, 5, 0, 2, 4, 5, 2, 4, 4, 5, 4, 5,
]);

test('windowAt and windowCells list a window row by row', () => {
  assert.deepEqual(windowAt(valid7, 4), { top: 2, bottom: 4, left: 2, right: 4 });
  assert.deepEqual(windowCells(windowAt(valid7, 0), 4), [0, 1, 4, 5]);
  assert.deepEqual(windowCells({ top: 2, bottom: 4, left: 2, right: 4 }, 4), [10, 11, 14, 15]);
  assert.deepEqual(windowCells(windowAt(valid7, 5), 7), [18, 19, 25, 26]);
  assert.deepEqual(windowCells(windowAt(same5, 7), 5), [22, 23], 'a clipped edge window');
  assert.deepEqual(windowCells(windowAt(same5, 8), 5), [24]);
});

test('windowUnder: the window holding the cell; the last for cells no window reaches', () => {
  assert.equal(windowUnder(valid7, 3, 3, 0, 0), 0);
  assert.equal(windowUnder(valid7, 3, 3, 3, 5), 5);
  assert.equal(windowUnder(valid7, 3, 3, 6, 6), 8, 'the unused row and column');
  assert.equal(windowUnder(same5, 3, 3, 4, 1), 6);
  assert.equal(windowUnder([0, 1, 0, 1], 1, 1, 0, 0), 0);
});

test('windowEdges: where window rows and columns begin', () => {
  assert.deepEqual(windowEdges(valid7, 3, 3), { rows: [2, 4], cols: [2, 4] });
  assert.deepEqual(windowEdges(same5, 3, 3), { rows: [2, 4], cols: [2, 4] });
  // 3x3 windows, stride 1, 'same' over 4 rows and 3 columns (clipped).
  const overlap = [];
  for (const [t, b] of [[0, 2], [0, 3], [1, 4], [2, 4]]) for (const [l, r] of [[0, 2], [0, 3], [1, 3]]) overlap.push(t, b, l, r);
  assert.deepEqual(windowEdges(overlap, 4, 3), { rows: [1, 2], cols: [1] });
});
