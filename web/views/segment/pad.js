// pad.js: the segmentation lesson's DOM-free parts (tested in pad.test.js):
// the 64x64 scene pad's brush, the class colours of the mask, a pixel's
// probabilities sorted, and the curves' points. The pad holds 0..255 ink
// (white on black, as the data sets' images); the engine standardizes it.

/** SIDE is the scenes' side in pixels (scenes.Side). */
export const SIDE = 64;

/**
 * BRUSH is the pen's radius in scene pixels: a stroke about 3 pixels wide,
 * as an MNIST digit's strokes are in its 28x28 box, so a digit drawn about
 * 20 pixels tall looks like the items the network was trained on.
 */
export const BRUSH = 1.6;

/** ERASER is the eraser's radius: wider than the pen, so one pass over a stroke clears it. */
export const ERASER = 3;

/**
 * COLOURS are the classes' mask colours, [r, g, b]: background (0) black,
 * then the ten classes in matplotlib's tab10, as `convplay predict` writes
 * its class-map PNGs.
 */
export const COLOURS = [
  [0, 0, 0],
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];

/** cssColour is class k's colour as CSS text. */
export const cssColour = (k) => `rgb(${COLOURS[k].join(' ')})`;

/**
 * stamp inks (or with erase, clears) a soft disc of radius r (BRUSH, or ERASER) centred at
 * (x, y), in scene pixels, into pad (SIDE*SIDE values): full ink within r -
 * 0.5 of the centre, fading to none at r + 0.5; ink only ever increases
 * (the brighter value stays) and erasing only decreases.
 */
export function stamp(pad, x, y, erase = false, r = erase ? ERASER : BRUSH) {
  const lo = (v) => Math.max(0, Math.floor(v - r - 1));
  const hi = (v) => Math.min(SIDE - 1, Math.ceil(v + r + 1));
  for (let row = lo(y); row <= hi(y); row++) {
    for (let col = lo(x); col <= hi(x); col++) {
      const d = Math.hypot(col + 0.5 - x, row + 0.5 - y);
      const a = Math.max(0, Math.min(1, r + 0.5 - d));
      if (a === 0) continue;
      const i = row * SIDE + col;
      const v = Math.round(255 * a);
      pad[i] = erase ? Math.min(pad[i], 255 - v) : Math.max(pad[i], v);
    }
  }
}

/** strokeTo stamps along the segment from a to b ({x, y}) every quarter pixel. */
export function strokeTo(pad, a, b, erase = false) {
  const n = Math.max(1, Math.ceil(4 * Math.hypot(b.x - a.x, b.y - a.y)));
  for (let i = 0; i <= n; i++) stamp(pad, a.x + ((b.x - a.x) * i) / n, a.y + ((b.y - a.y) * i) / n, erase);
}

/**
 * maskRGBA paints the mask: each pixel in its class's colour, brightened by
 * the scene's ink so strokes stay visible, background pixels the scene's
 * grey dimmed; an RGBA array for ImageData.
 */
export function maskRGBA(classes, image) {
  const out = new Uint8ClampedArray(SIDE * SIDE * 4);
  for (let p = 0; p < SIDE * SIDE; p++) {
    const k = classes[p];
    const ink = image[p] / 255;
    const c = COLOURS[k] || COLOURS[0];
    const rgb = k === 0 ? [0, 1, 2].map(() => 0.35 * image[p]) : c.map((v) => v * (0.55 + 0.45 * ink));
    out.set([rgb[0], rgb[1], rgb[2], 255], 4 * p);
  }
  return out;
}

/** pixelProbs is pixel p's probabilities (probs: (H, W, C) row-major) as [{k, p}], most probable first. */
export function pixelProbs(probs, p, classes) {
  const out = [];
  for (let k = 0; k < classes; k++) out.push({ k, p: probs[p * classes + k] });
  return out.sort((a, b) => b.p - a.p || a.k - b.k);
}

/** pixelAt is the scene pixel {row, col} under (x, y) in a box of width w and height h, or null outside it. */
export function pixelAt(x, y, w, h) {
  const col = Math.floor((x / w) * SIDE);
  const row = Math.floor((y / h) * SIDE);
  if (!(row >= 0 && row < SIDE && col >= 0 && col < SIDE)) return null;
  return { row, col };
}

/**
 * polyline is an SVG polyline's points for values (null skipped) over
 * n slots, in a w x h box whose y axis runs from 0 (bottom) to 1 (top).
 */
export function polyline(values, n, w, h) {
  const step = n > 1 ? w / (n - 1) : 0;
  return values
    .map((v, i) => (v === null || v === undefined || !Number.isFinite(v) ? null : `${(i * step).toFixed(1)},${(h - Math.max(0, Math.min(1, v)) * h).toFixed(1)}`))
    .filter(Boolean)
    .join(' ');
}
