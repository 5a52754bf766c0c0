// scatter.js: the 2-D map of the test images (the engine's embedding op:
// PCA of the penultimate features), DOM-free (tested in scatter.test.js).
// The points come from the engine; this module only fits them to a canvas,
// colours them by class and finds the one under the pointer.

/** CLASS_COLOURS: ten categorical colours (Tableau 10), class k gets k mod 10. */
export const CLASS_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** classColour is class k's colour. */
export const classColour = (k) => CLASS_COLOURS[((k % 10) + 10) % 10];

/**
 * fit maps (x, y) points (a flat x0, y0, x1, y1, ... array) and extra
 * points into a size x size square with a margin: the same scale on both
 * axes (distances keep their meaning), y up. It returns {toPx, fromPx}.
 */
export function fit(points, size, margin = 8, extra = []) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  const take = (x, y) => {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x);
    y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  };
  for (let i = 0; i + 1 < points.length; i += 2) take(points[i], points[i + 1]);
  for (const [x, y] of extra) take(x, y);
  if (x0 > x1) x0 = x1 = y0 = y1 = 0;
  const span = Math.max(x1 - x0, y1 - y0) || 1;
  const k = (size - 2 * margin) / span;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  return {
    toPx: (x, y) => [size / 2 + (x - cx) * k, size / 2 - (y - cy) * k],
    fromPx: (px, py) => [cx + (px - size / 2) / k, cy - (py - size / 2) / k],
  };
}

/** nearest is the index of the point closest to (x, y) within radius (same units), or -1. */
export function nearest(points, x, y, radius = Infinity) {
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const d = (points[i] - x) ** 2 + (points[i + 1] - y) ** 2;
    if (d <= bestD) {
      bestD = d;
      best = i / 2;
    }
  }
  return best;
}
