// inside.js: what the segmentation lesson draws of the network itself:
// every layer's map of one channel to scale, the decoder's learned
// transposed-convolution kernels (from the engine's sideUnit) and the
// training curves. The values all come from the engine; this only paints.

import { esc } from '../../format.js';
import { nth } from '../shared/count.js';
import { paintMap, mapRange, maxAbs, diverging } from '../shared/paint.js';
import { polyline } from './pad.js';

/** CHART is the curves' drawing box, in SVG units. */
export const CHART = { w: 240, h: 90 };

/**
 * drawMaps paints channel c (or a layer's last, when it has fewer) of each
 * traced layer's (H, W, C) output into the canvas of list's matching item,
 * at 1.5 CSS pixels a cell: the encoder's maps shrink, the decoder's grow.
 */
export function drawMaps(list, trace, c) {
  trace.forEach((l, i) => {
    const canvas = list.children[i] && list.children[i].querySelector('canvas');
    if (!canvas || l.shape.length !== 3) return;
    const [H, W, C] = l.shape;
    const k = Math.min(c, C - 1);
    canvas.width = W;
    canvas.height = H;
    canvas.style.width = `${W * 1.5}px`;
    canvas.dataset.size = `${H}x${W}`;
    canvas.dataset.channel = String(nth(k));
    const { lo, hi } = mapRange(l.output, l.shape, k);
    const g = canvas.getContext('2d');
    const img = g.createImageData(W, H);
    paintMap(img.data, l.output, l.shape, k, lo, hi);
    g.putImageData(img, 0, 0);
  });
}

/**
 * kernelPainter returns paint(info, c): for each Conv2DTranspose layer of
 * the side model name (info: its description), what one cell of input
 * channel c stamps onto each output channel, a (K, K) tile per output
 * channel in a row, red positive and blue negative, into box. A newer call
 * replaces one still waiting for the engine.
 */
export function kernelPainter(ctx, box, name) {
  let latest = 0;
  return async function paint(info, c) {
    const ticket = ++latest;
    const rows = [];
    for (const [i, l] of info.layers.entries()) {
      if (l.type !== 'Conv2DTranspose') continue;
      const inC = i > 0 ? info.layers[i - 1].outShape.at(-1) : 1;
      const unit = Math.min(c, inC - 1);
      rows.push({ layer: l, unit, r: await ctx.request('sideUnit', { name, layer: i, unit }) });
      if (ticket !== latest) return;
    }
    box.innerHTML = rows.map((e) => `<figure data-layer="${esc(e.layer.name)}"><figcaption></figcaption><canvas role="img" aria-label="${esc(ctx.t('seg.kernelAria', { name: e.layer.name }))}"></canvas></figure>`).join('');
    rows.forEach((e, j) => {
      const [K, , F] = e.r.shape; // Keras's (K, K, F) slice of the (K, K, F, C) kernel
      // setText: a language switch re-translates the caption at once, without asking the engine again.
      ctx.setText(box.children[j].querySelector('figcaption'), 'seg.kernelLayer', { name: e.layer.name, channel: nth(e.unit), k: K, n: F });
      const canvas = box.children[j].querySelector('canvas');
      canvas.width = F * (K + 1) - 1;
      canvas.height = K;
      canvas.style.width = `${canvas.width * 6}px`;
      const g = canvas.getContext('2d');
      const img = g.createImageData(canvas.width, K);
      const m = maxAbs(e.r.weights);
      for (let f = 0; f < F; f++) {
        for (let y = 0; y < K; y++) {
          for (let x = 0; x < K; x++) {
            img.data.set([...diverging(e.r.weights[(y * K + x) * F + f], m), 255], 4 * (y * canvas.width + f * (K + 1) + x));
          }
        }
      }
      g.putImageData(img, 0, 0);
    });
  };
}

/** drawCurves draws the epochs' pixel accuracy (training and validation) and validation mean IoU. */
export function drawCurves(ctx, section, history) {
  const n = Math.max(history.length, 2);
  section.querySelector('.seg-curves').dataset.epochs = String(history.length);
  const set = (chart, line, values) => {
    section.querySelector(`.seg-chart[data-chart="${chart}"] .seg-line-${line}`).setAttribute('points', polyline(values, n, CHART.w, CHART.h));
  };
  set('acc', 'train', history.map((e) => e.accuracy));
  set('acc', 'val', history.map((e) => e.val_accuracy));
  set('iou', 'train', []);
  set('iou', 'val', history.map((e) => e.val_mean_iou));
  const e = history.at(-1);
  for (const c of ['acc', 'iou']) {
    const p = section.querySelector(`.seg-chart[data-chart="${c}"] .seg-curve-text`);
    if (!e) ctx.setText(p, 'seg.curveEmpty');
    else p.textContent = c === 'acc' ? `${ctx.fmt.num(e.accuracy)} / ${ctx.fmt.num(e.val_accuracy)}` : ctx.fmt.num(e.val_mean_iou ?? NaN);
  }
}
