// strokes.js: the drawing pad's strokes, DOM-free (tested with node
// --test). A stroke is {size, erase, points: [{x, y}]} in canvas pixels;
// the pad keeps them all so that undo can repaint the rest.

/** createHistory keeps the strokes of one drawing, the last one possibly in progress. */
export function createHistory() {
  const strokes = [];
  let open = null;
  return {
    /** begin starts a stroke at point p. */
    begin(p, size, erase = false) {
      open = { size, erase, points: [p] };
      strokes.push(open);
      return open;
    },
    /** add extends the open stroke; false when there is none (or p repeats the last point). */
    add(p) {
      if (!open) return false;
      const last = open.points[open.points.length - 1];
      if (last.x === p.x && last.y === p.y) return false;
      open.points.push(p);
      return true;
    },
    /** end closes the open stroke. */
    end() {
      const s = open;
      open = null;
      return s;
    },
    /** undo drops the last stroke (the open one too) and returns it, or null. */
    undo() {
      open = null;
      return strokes.pop() || null;
    },
    clear() {
      open = null;
      strokes.length = 0;
    },
    get strokes() {
      return strokes;
    },
    get drawing() {
      return open !== null;
    },
    /** inked reports whether any stroke puts ink down (erasing alone leaves the pad empty). */
    get inked() {
      return strokes.some((s) => !s.erase);
    },
  };
}

/**
 * smoothPath is how a stroke is painted: a dot for a single point, a
 * straight line for two, and otherwise quadratic curves through the
 * midpoints between the points, with each point as the control point,
 * which rounds off the corners of a fast, sparsely sampled stroke.
 * Commands: ['dot', x, y], ['move', x, y], ['line', x, y], ['quad', cx, cy, x, y].
 */
export function smoothPath(points) {
  if (points.length === 0) return [];
  const [p0] = points;
  if (points.length === 1) return [['dot', p0.x, p0.y]];
  const out = [['move', p0.x, p0.y]];
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const q = points[i + 1];
    out.push(['quad', p.x, p.y, (p.x + q.x) / 2, (p.y + q.y) / 2]);
  }
  const last = points[points.length - 1];
  out.push(['line', last.x, last.y]);
  return out;
}

/**
 * padPoint maps a pointer's client position to canvas pixels, given the
 * canvas's box on screen (getBoundingClientRect) and its pixel size; the
 * point is clamped to the canvas and rounded to a tenth of a pixel.
 */
export function padPoint(clientX, clientY, rect, width, height) {
  const clamp = (v, hi) => Math.min(Math.max(v, 0), hi);
  const round = (v) => Math.round(v * 10) / 10;
  return {
    x: round(clamp(((clientX - rect.left) / rect.width) * width, width)),
    y: round(clamp(((clientY - rect.top) / rect.height) * height, height)),
  };
}
