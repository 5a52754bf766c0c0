// scale.js: the network view's colour-scale choice and filter painting,
// DOM-free (tested with node --test). The colour scales themselves are the
// shared ones (../shared/paint.js); this module chooses the range a map is
// coloured with and lays a filter's kernel slices out in a grid.
//
// Tensors are row-major (H, W, C) for maps, as the trace gives them, and
// Keras's (K, K, C, F) for kernels.

import { range, mapRange, diverging } from '../shared/paint.js';

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
