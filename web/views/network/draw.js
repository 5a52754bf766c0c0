// draw.js: the network view's pictures: feature maps, vectors,
// filters and bars as DOM elements, painted by ../shared/paint.js and scale.js from the
// engine's values (predict's trace, getFilters).

import { mapRange, range, maxAbs, paintMap, paintVector } from '../shared/paint.js';
import { paintFilter, sliceGrid, filterCellAt, kernelAt } from './scale.js';
import { nth } from '../shared/count.js';

/** drawMap draws channel c of a trace entry's (H, W, C) output, coloured over [lo, hi]; big maps tell their values on hover. */
export function drawMap(ctx, e, c, lo, hi, cls) {
  const t = ctx.t;
  const [H, W] = e.shape;
  const cv = document.createElement('canvas');
  cv.width = W;
  cv.height = H;
  cv.className = `px ${cls}`;
  cv.dataset.channel = String(c);
  cv.getContext('2d').putImageData(new ImageData(paintMap(new Uint8ClampedArray(W * H * 4), e.output, e.shape, c, lo, hi), W, H), 0, 0);
  const own = mapRange(e.output, e.shape, c);
  cv.setAttribute('role', 'img');
  cv.setAttribute('aria-label', t('network.mapAlt', { c: c + 1, lo: ctx.fmt.num(own.lo, 2), hi: ctx.fmt.num(own.hi, 2) }));
  cv.title = cv.getAttribute('aria-label');
  if (cls !== 'thumb') {
    cv.addEventListener('pointermove', (ev) => {
      const r = cv.getBoundingClientRect();
      const x = Math.floor(((ev.clientX - r.left) / r.width) * W);
      const y = Math.floor(((ev.clientY - r.top) / r.height) * H);
      if (x < 0 || y < 0 || x >= W || y >= H) return;
      cv.title = t('network.mapValue', { c: c + 1, y: nth(y), x: nth(x), v: ctx.fmt.num(e.output[(y * W + x) * e.shape[2] + c], 3) });
    });
  }
  return cv;
}

/** drawVector draws a (D) output as a row of cells, over its own range. */
export function drawVector(ctx, e, cls) {
  const t = ctx.t;
  const { lo, hi } = range(e.output);
  const D = e.output.length;
  const cv = document.createElement('canvas');
  cv.width = D;
  cv.height = 1;
  cv.className = `px vec ${cls}`;
  cv.getContext('2d').putImageData(new ImageData(paintVector(new Uint8ClampedArray(D * 4), e.output, lo, hi), D, 1), 0, 0);
  cv.setAttribute('role', 'img');
  cv.setAttribute('aria-label', t('network.vecAlt', { n: ctx.fmt.count(D), lo: ctx.fmt.num(lo, 2), hi: ctx.fmt.num(hi, 2) }));
  return cv;
}

/**
 * drawFilter draws filter f of getFilters' result res: its kernel slices, one
 * per input channel, on the diverging scale over ± the layer's largest weight;
 * its weights on hover (all nine in the title for a one-channel 3x3).
 */
export function drawFilter(ctx, res, f) {
  const t = ctx.t;
  const shape = res.kernelShape;
  const [K, , C] = shape;
  const g = sliceGrid(K, C);
  const m = maxAbs(res.kernel);
  const cv = document.createElement('canvas');
  cv.width = g.width;
  cv.height = g.height;
  cv.className = 'px filter';
  cv.dataset.filter = String(f);
  cv.style.width = `${Math.max(2, Math.min(16, Math.floor(56 / g.width))) * g.width}px`;
  cv.getContext('2d').putImageData(new ImageData(paintFilter(new Uint8ClampedArray(g.width * g.height * 4), res.kernel, shape, f, m), g.width, g.height), 0, 0);
  cv.setAttribute('role', 'img');
  const label = t(C > 1 ? 'network.filterAltMulti' : 'network.filterAlt', { f: f + 1, k: `${K}×${K}`, c: C });
  cv.setAttribute('aria-label', label);
  if (C === 1) {
    const rows = [];
    for (let kh = 0; kh < K; kh++) {
      const row = [];
      for (let kw = 0; kw < K; kw++) row.push(ctx.fmt.num(kernelAt(res.kernel, shape, kh, kw, 0, f), 3));
      rows.push(row.join('  '));
    }
    cv.title = `${label}\n${rows.join('\n')}`;
  } else {
    cv.title = label;
  }
  cv.addEventListener('pointermove', (ev) => {
    const r = cv.getBoundingClientRect();
    const cell = filterCellAt(Math.floor(((ev.clientX - r.left) / r.width) * g.width), Math.floor(((ev.clientY - r.top) / r.height) * g.height), K, C);
    if (!cell) return;
    cv.title = t('network.weightValue', { f: f + 1, c: cell.c + 1, kh: nth(cell.kh), kw: nth(cell.kw), v: ctx.fmt.num(kernelAt(res.kernel, shape, cell.kh, cell.kw, cell.c, f), 4) });
  });
  return cv;
}

/** drawBars shows a vector output: one bar per value, named by name(i) when given (the classes of the output layer). */
export function drawBars(ctx, e, name) {
  const wrap = document.createElement('div');
  const D = e.output.length;
  const r = range(e.output);
  const top = Math.max(Math.abs(r.lo), Math.abs(r.hi)) || 1;
  if (D > 256) {
    wrap.className = 'net-vecbig';
    wrap.append(drawVector(ctx, e, 'big'));
    return wrap;
  }
  wrap.className = name ? 'net-bars labelled' : 'net-bars';
  for (let i = 0; i < D; i++) {
    const v = e.output[i];
    const bar = document.createElement('div');
    bar.className = 'net-bar-item';
    bar.title = `${name ? name(i) : `#${i + 1}`}: ${ctx.fmt.num(v, 4)}`;
    bar.style.setProperty('--h', `${(Math.abs(v) / top) * 100}%`);
    if (v < 0) bar.classList.add('neg');
    if (name) {
      const label = document.createElement('span');
      label.textContent = name(i);
      bar.append(label);
    }
    wrap.append(bar);
  }
  return wrap;
}

/** arrow is the → between a filter and its map. */
export function arrow() {
  const s = document.createElement('span');
  s.className = 'net-arrow';
  s.textContent = '→';
  s.setAttribute('aria-hidden', 'true');
  return s;
}
