// maps.js: the why lesson's painting, DOM-free (tested in maps.test.js).
// Every value comes from the engine's explaining ops (saliency, gradCam,
// occlusion, fgsm); these functions only turn them into RGBA pixels and
// hover texts. Images are row-major (H, W, C); the first channel is drawn.

import { sequential, diverging, range, normalize } from '../shared/paint.js';

/** channel0 takes channel 0 of an (H, W, C) image: H*W values. */
export function channel0(values, shape) {
  const [H, W, C = 1] = shape;
  if (C === 1) return values;
  const out = new Float32Array(H * W);
  for (let p = 0; p < H * W; p++) out[p] = values[p * C];
  return out;
}

/** absValues is |v| of each value (the saliency map's magnitude). */
export function absValues(values) {
  return Float32Array.from(values, Math.abs);
}

/** heatRGBA paints values on the sequential scale from 0 to their largest (0 everywhere: all dark). */
export function heatRGBA(values) {
  const { hi } = range(values);
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) out.set([...sequential(hi > 0 ? values[i] / hi : 0), 255], 4 * i);
  return out;
}

/** signedRGBA paints values on the diverging scale, symmetric around 0, full colour at limit (default the largest |v|). */
export function signedRGBA(values, limit) {
  if (!(limit > 0)) {
    const { lo, hi } = range(values);
    limit = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  }
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) out.set([...diverging(values[i], limit), 255], 4 * i);
  return out;
}

/**
 * overlayRGBA blends a heat map (values >= 0, full colour at their largest)
 * over the grey input (ink dark as drawn: lo white, hi black unless
 * inkDark is false), heat weighted by alpha times its strength, so cold
 * places show the input.
 */
export function overlayRGBA(input, heat, alpha = 0.75, inkDark = false) {
  const { lo, hi } = range(input);
  const top = range(heat).hi;
  const out = new Uint8ClampedArray(input.length * 4);
  for (let i = 0; i < input.length; i++) {
    let g = 255 * normalize(input[i], lo, hi);
    if (inkDark) g = 255 - g;
    const s = top > 0 ? Math.max(0, heat[i]) / top : 0;
    const c = sequential(s);
    const a = alpha * Math.sqrt(s);
    out.set([g + (c[0] - g) * a, g + (c[1] - g) * a, g + (c[2] - g) * a, 255], 4 * i);
  }
  return out;
}

/** greyRGBA paints an image grey over its own range (lo black, hi white). */
export function greyRGBA(values) {
  const { lo, hi } = range(values);
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const g = 255 * normalize(values[i], lo, hi);
    out.set([g, g, g, 255], 4 * i);
  }
  return out;
}

/** cellAt is the (row, col) of an h x w map under (x, y) on an element of size width x height, or null outside. */
export function cellAt(x, y, width, height, h, w) {
  if (!(x >= 0 && y >= 0 && x < width && y < height)) return null;
  return { row: Math.floor((y / height) * h), col: Math.floor((x / width) * w) };
}

/** isConstant says whether every value equals the first (an empty or flat map). */
export function isConstant(values) {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}

/** topK is the k largest probabilities as [{k, p}], largest first. */
export function topK(probs, k = 3) {
  return [...probs].map((p, i) => ({ k: i, p })).sort((a, b) => b.p - a.p || a.k - b.k).slice(0, k);
}

/** brush covers the cells within radius (a square) of (row, col) in an h x w mask: 1 covered. */
export function brush(mask, h, w, row, col, radius) {
  for (let y = Math.max(0, row - radius); y <= Math.min(h - 1, row + radius); y++) {
    for (let x = Math.max(0, col - radius); x <= Math.min(w - 1, col + radius); x++) mask[y * w + x] = 1;
  }
  return mask;
}

/** coverRGBA paints the covered cells of a mask (value > 0) over rgba in a flat orange, in place. */
export function coverRGBA(rgba, mask) {
  for (let i = 0; i < mask.length; i++) if (mask[i] > 0) rgba.set([230, 120, 30, 255], 4 * i);
  return rgba;
}

/**
 * cropField cuts the box field = [top, left, bottom, right) of an H x W map,
 * widened by pad pixels on each side within the map, and returns {values,
 * h, w}: what a maximized unit has seen, to draw enlarged. An empty field
 * (no gradient reached the input) gives the whole map.
 */
export function cropField(values, H, W, field, pad = 1) {
  let [top, left, bottom, right] = field || [0, 0, 0, 0];
  if (!(bottom > top && right > left)) [top, left, bottom, right] = [0, 0, H, W];
  top = Math.max(0, top - pad);
  left = Math.max(0, left - pad);
  bottom = Math.min(H, bottom + pad);
  right = Math.min(W, right + pad);
  const h = bottom - top;
  const w = right - left;
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = values[(top + y) * W + left + x];
  return { values: out, h, w };
}
