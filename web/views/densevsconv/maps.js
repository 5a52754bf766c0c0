// maps.js: the lesson's canvases (densevsconv.js): a grey input, one
// channel of a feature map, a unit's weights on a diverging scale, and which
// channel of a map is the most active. Colours from views/shared/paint.js.

import { diverging, maxAbs, sequential, normalize } from '../shared/paint.js';

/** mostActive is the channel of an (H, W, C) map with the largest sum. */
export function mostActive(values, [h, w, c]) {
  let best = 0;
  let bestSum = -Infinity;
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let p = 0; p < h * w; p++) s += values[p * c + ch];
    if (s > bestSum) [best, bestSum] = [ch, s];
  }
  return best;
}

export function paintGrey(canvas, values, h, w) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  paintChannel(canvas, values, [h, w, 1], 0, lo, hi);
}

export function paintChannel(canvas, values, [h, w, c], ch, lo, hi) {
  canvas.width = w;
  canvas.height = h;
  const g = canvas.getContext('2d');
  const img = g.createImageData(w, h);
  for (let p = 0; p < h * w; p++) img.data.set([...sequential(normalize(values[p * c + ch], lo, hi)), 255], 4 * p);
  g.putImageData(img, 0, 0);
}

export function paintDiverging(canvas, values, h, w) {
  canvas.width = w;
  canvas.height = h;
  const g = canvas.getContext('2d');
  const img = g.createImageData(w, h);
  const m = maxAbs(values.filter((v) => v === v));
  for (let p = 0; p < h * w; p++) {
    const v = values[p];
    img.data.set(v === v ? [...diverging(v, m), 255] : [225, 225, 225, 255], 4 * p);
  }
  g.putImageData(img, 0, 0);
}
