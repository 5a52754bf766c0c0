// paint.js: colours and pixels for the explaining views (the
// convolution step-through, pooling, the transposed convolution), DOM-free
// so node --test checks it. The values come from the engine; this module
// only maps them to colours: grey (black low, white high) for inputs and
// feature maps, blue-white-red for weights and signed numbers.

/** grey maps v in [lo, hi] to a grey level 0..255 (clamped; a flat range is mid-grey). */
export function grey(v, lo, hi) {
  if (!(hi > lo)) return 128;
  const t = (v - lo) / (hi - lo);
  if (!(t > 0)) return 0;
  if (t >= 1) return 255;
  return Math.round(255 * t);
}

/** signed maps v in [-m, m] to [r, g, b]: the network view's blue-white-red scale for weights. */
export { diverging as signed } from '../network/scale.js';

/** extent is {lo, hi} of values[start], values[start+step], ... (every value: step 1); maxAbs the largest |v|. */
export { range as extent, maxAbs } from '../network/scale.js';

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
