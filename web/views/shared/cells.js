// cells.js: drawing one map large on a canvas, cell by cell, for
// the pooling and transposed-convolution views (they mark cells and window
// edges, so each cell gets `scale` canvas pixels). Values come from the
// engine; the colours from paint.js.

import { grey } from './paint.js';

/**
 * paintCells draws an h x w map (values[y*w + x]) on canvas, grey on [lo,
 * hi], scale canvas pixels per cell, and returns the 2D context for marks.
 */
export function paintCells(canvas, values, h, w, lo, hi, scale) {
  canvas.width = w * scale;
  canvas.height = h * scale;
  const g = canvas.getContext('2d');
  const img = g.createImageData(w * scale, h * scale);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = grey(values[y * w + x], lo, hi);
      for (let dy = 0; dy < scale; dy++) {
        let i = 4 * ((y * scale + dy) * w * scale + x * scale);
        for (let dx = 0; dx < scale; dx++, i += 4) {
          img.data[i] = v;
          img.data[i + 1] = v;
          img.data[i + 2] = v;
          img.data[i + 3] = 255;
        }
      }
    }
  }
  g.putImageData(img, 0, 0);
  return g;
}

/** frame outlines cells [y, y+hh) x [x, x+ww) at scale, in colour, line width lw. */
export function frame(g, y, x, hh, ww, scale, colour, lw) {
  g.strokeStyle = colour;
  g.lineWidth = lw;
  g.strokeRect(x * scale + lw / 2, y * scale + lw / 2, ww * scale - lw, hh * scale - lw);
}

/** gridLines draws a horizontal line above each cell row in rows and a vertical one left of each column in cols, across an h x w map. */
export function gridLines(g, rows, cols, h, w, scale, colour) {
  g.strokeStyle = colour;
  g.lineWidth = 1;
  g.beginPath();
  for (const y of rows) {
    g.moveTo(0, y * scale + 0.5);
    g.lineTo(w * scale, y * scale + 0.5);
  }
  for (const x of cols) {
    g.moveTo(x * scale + 0.5, 0);
    g.lineTo(x * scale + 0.5, h * scale);
  }
  g.stroke();
}

/** scaleFor picks canvas pixels per cell so a map of n cells is about `target` pixels wide. */
export function scaleFor(n, target = 320) {
  return Math.max(2, Math.floor(target / n));
}
