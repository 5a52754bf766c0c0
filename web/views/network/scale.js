// scale.js: colour scales and pixel painting for feature maps and
// filters, DOM-free (tested with node --test). The values come from the
// engine (predict's trace, getFilters); this module only maps them to
// colours.
//
// Tensors are row-major (H, W, C) for maps, as the trace gives them, and
// Keras's (K, K, C, F) for kernels.

/** Control points of the sequential scale (viridis, sampled): low -> high. */
const VIRIDIS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [110, 206, 88],
  [181, 222, 43],
  [253, 231, 37],
];

/** sequential maps t in [0, 1] (clamped) to [r, g, b] on the viridis-like scale. */
export function sequential(t) {
  if (!(t > 0)) t = 0; // NaN too
  if (t > 1) t = 1;
  const x = t * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(x), VIRIDIS.length - 2);
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [0, 1, 2].map((j) => Math.round(a[j] + (b[j] - a[j]) * f));
}

const BLUE = [33, 102, 172];
const WHITE = [247, 247, 247];
const RED = [178, 24, 43];

/**
 * diverging maps v in [-m, m] to [r, g, b]: negative blue, 0 white,
 * positive red (clamped; m <= 0 gives white).
 */
export function diverging(v, m) {
  let t = m > 0 ? v / m : 0;
  if (!(t === t)) t = 0;
  t = Math.max(-1, Math.min(1, t));
  const end = t < 0 ? BLUE : RED;
  const f = Math.abs(t);
  return [0, 1, 2].map((j) => Math.round(WHITE[j] + (end[j] - WHITE[j]) * f));
}

/** range is {lo, hi} over values[i] for i = start, start+step, ... (count of them). */
export function range(values, start = 0, step = 1, count = Math.ceil((values.length - start) / step)) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0, j = start; i < count; i++, j += step) {
    const v = values[j];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return { lo: 0, hi: 0 };
  return { lo, hi };
}

/** mapRange is the range of channel c of an (H, W, C) map. */
export function mapRange(values, shape, c) {
  const C = shape[shape.length - 1];
  return range(values, c, C, values.length / C);
}

/** maxAbs is the largest |v| in values (0 when empty). */
export function maxAbs(values) {
  let m = 0;
  for (const v of values) if (Math.abs(v) > m) m = Math.abs(v);
  return m;
}

export const SCALES = ['map', 'layer', 'global'];

/**
 * scaleRange chooses the range a map is coloured with: 'map' its own
 * channel's, 'layer' the whole layer's output, 'global' every map-shaped
 * layer's of the trace (entries with 3-axis shapes). entry is a trace
 * entry {shape, output}; trace the whole trace.
 */
export function scaleRange(mode, entry, c, trace) {
  if (mode === 'map') return mapRange(entry.output, entry.shape, c);
  if (mode === 'layer') return range(entry.output);
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of trace) {
    if (e.shape.length !== 3) continue;
    const r = range(e.output);
    lo = Math.min(lo, r.lo);
    hi = Math.max(hi, r.hi);
  }
  return lo > hi ? { lo: 0, hi: 0 } : { lo, hi };
}

/** normalize maps v in [lo, hi] to [0, 1]; a flat range gives 0 (or 1 for positive flat values). */
export function normalize(v, lo, hi) {
  if (hi > lo) return (v - lo) / (hi - lo);
  return v > 0 ? 1 : 0;
}

/**
 * paintMap fills rgba (Uint8ClampedArray of H*W*4) with channel c of an
 * (H, W, C) map coloured on the sequential scale over [lo, hi].
 */
export function paintMap(rgba, values, shape, c, lo, hi) {
  const [H, W, C] = shape;
  for (let p = 0; p < H * W; p++) {
    const [r, g, b] = sequential(normalize(values[p * C + c], lo, hi));
    rgba[4 * p] = r;
    rgba[4 * p + 1] = g;
    rgba[4 * p + 2] = b;
    rgba[4 * p + 3] = 255;
  }
  return rgba;
}

/**
 * paintVector fills rgba (n*4 values) with a vector's values on the
 * sequential scale over [lo, hi]: one pixel per value, in a row.
 */
export function paintVector(rgba, values, lo, hi) {
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = sequential(normalize(values[i], lo, hi));
    rgba.set([r, g, b, 255], 4 * i);
  }
  return rgba;
}

/**
 * sliceGrid lays out a filter's C kernel slices (each K x K) in a grid:
 * cols slices per row (about square), one pixel of gap. Returns {cols, rows,
 * width, height} in pixels.
 */
export function sliceGrid(K, C) {
  const cols = Math.ceil(Math.sqrt(C));
  const rows = Math.ceil(C / cols);
  return { cols, rows, width: cols * (K + 1) - 1, height: rows * (K + 1) - 1 };
}

/**
 * kernelAt is kernel[kh, kw, c, f] of a Keras (K, K, C, F) kernel.
 */
export function kernelAt(kernel, shape, kh, kw, c, f) {
  const [, Kw, C, F] = shape;
  return kernel[((kh * Kw + kw) * C + c) * F + f];
}

/**
 * paintFilter fills rgba (width*height*4 of sliceGrid(K, C)) with filter
 * f's slices, slice c at grid cell (c % cols, floor(c / cols)), on the
 * diverging scale over [-m, m]; gaps are transparent.
 */
export function paintFilter(rgba, kernel, shape, f, m) {
  const [K, , C] = shape;
  const g = sliceGrid(K, C);
  rgba.fill(0);
  for (let c = 0; c < C; c++) {
    const x0 = (c % g.cols) * (K + 1);
    const y0 = Math.floor(c / g.cols) * (K + 1);
    for (let kh = 0; kh < K; kh++) {
      for (let kw = 0; kw < K; kw++) {
        const [r, gg, b] = diverging(kernelAt(kernel, shape, kh, kw, c, f), m);
        rgba.set([r, gg, b, 255], 4 * ((y0 + kh) * g.width + x0 + kw));
      }
    }
  }
  return rgba;
}

/**
 * filterCellAt finds the kernel cell under pixel (x, y) of paintFilter's
 * image: {c, kh, kw}, or null in a gap or outside.
 */
export function filterCellAt(x, y, K, C) {
  const g = sliceGrid(K, C);
  if (x < 0 || y < 0 || x >= g.width || y >= g.height) return null;
  const col = Math.floor(x / (K + 1));
  const row = Math.floor(y / (K + 1));
  const kw = x % (K + 1);
  const kh = y % (K + 1);
  const c = row * g.cols + col;
  if (kw === K || kh === K || c >= C) return null;
  return { c, kh, kw };
}

/** shown splits n items into the first max shown and the rest: {shown, more}. */
export function shown(n, max) {
  return { shown: Math.min(n, max), more: Math.max(n - max, 0) };
}
