// paint.js: the colours and pixels every panel paints with, DOM-free
// (tested with node --test in paint.test.js). The values come from the
// engine (predict's trace, getFilters, the explaining ops); this module only
// maps them to colours:
//   - sequential (viridis-like, dark low, yellow high) for feature maps and vectors;
//   - diverging (blue negative, white 0, red positive) for weights and signed values;
//   - grey (black low, white high) for inputs and maps drawn cell by cell.
// range and maxAbs give the extent a scale spans. Maps are row-major
// (H, W, C), as the trace gives them.

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

/** grey maps v in [lo, hi] to a grey level 0..255 (clamped; a flat range is mid-grey). */
export function grey(v, lo, hi) {
  if (!(hi > lo)) return 128;
  const t = (v - lo) / (hi - lo);
  if (!(t > 0)) return 0;
  if (t >= 1) return 255;
  return Math.round(255 * t);
}

/** range is {lo, hi} over values[i] for i = start, start+step, ... (count of them); {0, 0} for none. */
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

/** grayRGBA paints gray values (0..255) as opaque RGBA pixels. */
export function grayRGBA(gray) {
  const out = new Uint8ClampedArray(gray.length * 4);
  for (let i = 0; i < gray.length; i++) {
    const v = gray[i];
    out[4 * i] = v;
    out[4 * i + 1] = v;
    out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** divergingRGBA paints values on the diverging scale, symmetric around 0 (full colour at the largest |v|). */
export function divergingRGBA(values) {
  const { lo, hi } = range(values);
  const limit = Math.max(Math.abs(lo), Math.abs(hi));
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = diverging(values[i], limit);
    out[4 * i] = r;
    out[4 * i + 1] = g;
    out[4 * i + 2] = b;
    out[4 * i + 3] = 255;
  }
  return out;
}

/**
 * num formats a number for a cell: fixed digits, a true minus sign, and
 * "0" rather than "-0.00". Non-finite values are spelt out.
 */
export function num(v, digits = 2) {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '∞' : '−∞';
  let s = v.toFixed(digits);
  if (/^-0\.?0*$/.test(s)) s = s.slice(1);
  return s.replace('-', '−');
}

/** textColour is the readable text colour ('#000' or '#fff') on an [r, g, b] background. */
export function textColour([r, g, b]) {
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#000' : '#fff';
}
