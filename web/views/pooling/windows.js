// windows.js: the pooling layer's windows as the engine gives them
// (poolCompare's windows: per output cell, the input rows [top, bottom) and
// columns [left, right) it pools, padding cut off), DOM-free. The page draws
// and lists these; it never rebuilds them from the size and stride, so a
// 'same' pool's clipped edge windows come out right.

/** windowAt is window i (row-major over the output) of windows: {top, bottom, left, right}. */
export function windowAt(windows, i) {
  const [top, bottom, left, right] = windows.subarray ? windows.subarray(4 * i, 4 * i + 4) : windows.slice(4 * i, 4 * i + 4);
  return { top, bottom, left, right };
}

/** windowCells lists a window's input cells as flat indices (row*w + column), row by row, for a map w cells wide. */
export function windowCells({ top, bottom, left, right }, w) {
  const cells = [];
  for (let r = top; r < bottom; r++) for (let c = left; c < right; c++) cells.push(r * w + c);
  return cells;
}

/**
 * windowUnder is the window for the input cell (row, col) under a pointer,
 * over an ho x wo output: along each axis the last window that starts at or
 * before the cell (the one holding it when windows do not overlap; the last
 * one for a cell no window reaches), the first when none does.
 */
export function windowUnder(windows, ho, wo, row, col) {
  let i = 0;
  while (i + 1 < ho && windowAt(windows, (i + 1) * wo).top <= row) i++;
  let j = 0;
  while (j + 1 < wo && windowAt(windows, j + 1).left <= col) j++;
  return i * wo + j;
}

/**
 * windowEdges lists where window rows and columns start inside the map
 * (0 left out, each once): {rows, cols} in cells, for drawing the grid of
 * windows.
 */
export function windowEdges(windows, ho, wo) {
  const rows = new Set();
  const cols = new Set();
  for (let i = 0; i < ho; i++) rows.add(windowAt(windows, i * wo).top);
  for (let j = 0; j < wo; j++) cols.add(windowAt(windows, j).left);
  rows.delete(0);
  cols.delete(0);
  return { rows: [...rows], cols: [...cols] };
}
