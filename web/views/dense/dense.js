// views/dense/dense.js: the end of the network on the current input. Flatten
// lays the last maps out in a line, the dense layers weigh all of it, and
// softmax turns the output layer's scores into probabilities. The values
// are predict's trace and the engine's scores (the output layer's values
// before softmax, from the scores request); nothing is computed here.

import { followModel, modelLayers, currentTrace } from '../shared/model.js';
import { range, paintVector } from '../shared/paint.js';
import { argmax } from '../shared/argmax.js';
import { esc, shapeText } from '../../format.js';
import { TEXTS } from './strings.js';
import { nth } from '../shared/count.js';

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  const t = ctx.t;
  const n = (x) => ctx.fmt.count(x);
  section.innerHTML = `
    <h2 data-i18n="dense.title"></h2>
    <p class="note" data-i18n="dense.intro"></p>
    <div class="dense-body"></div>`;
  ctx.translate(section);
  const body = section.querySelector('.dense-body');
  let info = null;
  let scores = null; // {pred, result}: the scores request for prediction pred
  let asked = 0;

  const layers = () => modelLayers(ctx);
  const traceOf = () => currentTrace(ctx);

  function render() {
    const trace = traceOf();
    if (!ctx.state.model || !info) {
      body.innerHTML = `<p class="note" data-i18n="dense.waiting"></p>`;
      ctx.translate(body);
      return;
    }
    if (!trace) {
      body.innerHTML = `<p class="note" data-i18n="dense.noInput"></p>`;
      ctx.translate(body);
      return;
    }
    body.replaceChildren();
    const fi = info.layers.findIndex((l) => l.type === 'Flatten');
    if (fi >= 0) body.append(flattenPart(info.layers[fi], trace[fi]));
    const denses = info.layers.filter((l) => l.type === 'Dense');
    denses.slice(0, -1).forEach((l, k) => body.append(densePart(l, trace[l.index], k + 2)));
    const last = info.layers[info.layers.length - 1];
    if (last.type === 'Dense') body.append(outputPart(last, trace[last.index], denses.length + 1));
  }

  function part(step, titleKey, vars) {
    const div = document.createElement('div');
    div.className = 'dense-part';
    const h = document.createElement('h3');
    h.textContent = `${step}. ${t(titleKey, vars)}`;
    div.append(h);
    return div;
  }

  function para(text, cls = '') {
    const p = document.createElement('p');
    if (cls) p.className = cls;
    p.textContent = text;
    return p;
  }

  /** flattenPart: the flattened values, one row per map position (h, w) holding its C channels, in index order. */
  function flattenPart(l, e) {
    const div = part(1, 'dense.flatten.title');
    div.dataset.layer = l.name;
    const [H, W, C] = l.inShape;
    div.append(para(t('dense.flatten.text', { name: l.name, shape: shapeText(l.inShape), n: n(l.values) })));
    const { lo, hi } = range(e.output);
    const cv = document.createElement('canvas');
    cv.width = C;
    cv.height = H * W;
    cv.className = 'px dense-flat';
    cv.dataset.values = String(e.output.length);
    // The flat vector's rows of C values are the positions (h, w) in order: the canvas is the vector, wrapped every C values.
    cv.getContext('2d').putImageData(new ImageData(paintVector(new Uint8ClampedArray(e.output.length * 4), e.output, lo, hi), C, H * W), 0, 0);
    cv.setAttribute('role', 'img');
    cv.setAttribute('aria-label', t('dense.flatten.alt', { n: n(e.output.length), rows: H * W, c: C }));
    cv.title = cv.getAttribute('aria-label');
    cv.addEventListener('pointermove', (ev) => {
      const r = cv.getBoundingClientRect();
      const c = Math.floor(((ev.clientX - r.left) / r.width) * C);
      const pos = Math.floor(((ev.clientY - r.top) / r.height) * H * W);
      if (c < 0 || c >= C || pos < 0 || pos >= H * W) return;
      const i = pos * C + c;
      cv.title = t('dense.flatten.cell', { i: n(nth(i)), h: nth(Math.floor(pos / W)), w: nth(pos % W), c: nth(c), v: ctx.fmt.num(e.output[i], 3) });
    });
    const fig = document.createElement('figure');
    fig.className = 'dense-flat-fig';
    const rows = document.createElement('div');
    rows.className = 'dense-rowlabels';
    for (let p = 0; p < H * W; p++) {
      const s = document.createElement('span');
      s.textContent = `(${Math.floor(p / W)}, ${p % W})`;
      rows.append(s);
    }
    const rowPx = H * W > 16 ? 9 : 14;
    cv.style.height = `${H * W * rowPx}px`;
    rows.style.height = `${H * W * rowPx}px`;
    rows.style.gridTemplateRows = `repeat(${H * W}, 1fr)`;
    fig.append(rows, cv);
    const cap = document.createElement('figcaption');
    cap.textContent = t('dense.flatten.caption', { c: C, lo: ctx.fmt.num(lo, 2), hi: ctx.fmt.num(hi, 2) });
    fig.append(cap);
    div.append(fig);
    div.append(para(t('dense.flatten.index', { W, C }), 'note'));
    return div;
  }

  /** densePart: a hidden dense layer's outputs as bars. */
  function densePart(l, e, step) {
    const div = part(step, 'dense.hidden.title', { name: l.name });
    div.dataset.layer = l.name;
    div.append(para(t('dense.hidden.text', { units: n(l.units), cin: n(l.inShape[0]), act: l.activation, weights: n(l.count.weights), params: n(l.params) })));
    let zeros = 0;
    for (const v of e.output) if (v === 0) zeros++;
    const { lo, hi } = range(e.output);
    const bars = document.createElement('div');
    bars.className = 'dense-units';
    const top = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    e.output.forEach((v, i) => {
      const b = document.createElement('span');
      b.className = v < 0 ? 'neg' : v === 0 ? 'zero' : '';
      b.style.height = `${(Math.abs(v) / top) * 100}%`;
      b.title = `#${i + 1}: ${ctx.fmt.num(v, 4)}`;
      bars.append(b);
    });
    bars.setAttribute('role', 'img');
    bars.setAttribute('aria-label', t('dense.hidden.alt', { n: n(e.output.length), lo: ctx.fmt.num(lo, 2), hi: ctx.fmt.num(hi, 2) }));
    div.append(bars);
    if (l.activation === 'relu') div.append(para(t('dense.hidden.zeros', { zeros: n(zeros), units: n(e.output.length) }), 'note'));
    return div;
  }

  /** outputPart: the output layer's scores and, through softmax, probabilities, both from the engine. */
  function outputPart(l, e, step) {
    const softmax = l.activation === 'softmax';
    const div = part(step, softmax ? 'dense.out.title' : 'dense.out.titlePlain', { name: l.name });
    div.dataset.layer = l.name;
    div.append(para(t(softmax ? 'dense.out.text' : 'dense.out.textPlain', { name: l.name, units: n(l.units), cin: n(l.inShape[0]), act: l.activation })));
    const res = scores && scores.pred === ctx.state.prediction ? scores.result : null;
    if (!res) {
      div.append(para(t('dense.out.asking'), 'note'));
      return div;
    }
    if (softmax) {
      const f = document.createElement('p');
      f.className = 'dense-formula';
      f.textContent = 'p_k = e^(z_k) / (e^(z_1) + e^(z_2) + … + e^(z_K))';
      div.append(f);
    }
    const z = res.logits;
    const p = res.probs;
    const top = argmax(p);
    const zr = range(z);
    const zmax = Math.max(Math.abs(zr.lo), Math.abs(zr.hi)) || 1;
    const table = document.createElement('table');
    table.className = 'dense-scores';
    table.innerHTML = `<thead><tr><th scope="col">${esc(t('dense.col.class'))}</th><th scope="col" colspan="2">${esc(t('dense.col.score'))}</th><th scope="col" colspan="2">${esc(t(softmax ? 'dense.col.prob' : 'dense.col.out'))}</th></tr></thead>`;
    const tbody = document.createElement('tbody');
    tbody.id = 'dense-probs';
    const classes = ctx.state.dataset.info && ctx.state.dataset.info.classes.length === p.length;
    for (let k = 0; k < p.length; k++) {
      const tr = document.createElement('tr');
      tr.dataset.class = String(k);
      tr.dataset.prob = String(p[k]);
      tr.dataset.score = String(z[k]);
      if (k === top) tr.className = 'top';
      const zb = Math.abs(z[k]) / zmax;
      tr.innerHTML = `<th scope="row">${esc(classes ? ctx.className(k) : `#${k}`)}</th>
        <td class="zbar"><span class="axis"><span class="bar ${z[k] < 0 ? 'neg' : 'pos'}"></span></span></td>
        <td class="num">${ctx.fmt.num(z[k], 2)}</td>
        <td class="pbar"><span class="bar"></span></td>
        <td class="num">${softmax ? ctx.fmt.pct(p[k]) : ctx.fmt.num(p[k], 3)}</td>`;
      const bar = tr.querySelector('.zbar .bar');
      bar.style.width = `${zb * 50}%`;
      tr.querySelector('.pbar .bar').style.width = `${Math.max(0, Math.min(1, p[k])) * 100}%`;
      tbody.append(tr);
    }
    table.append(tbody);
    const wrap = document.createElement('div');
    wrap.className = 'table-wrap';
    wrap.append(table);
    div.append(wrap);
    if (softmax) {
      div.append(para(t('dense.out.explain', {
        top: classes ? ctx.className(top) : `#${top}`, z: ctx.fmt.num(z[top], 2), p: ctx.fmt.pct(p[top]),
      })));
    }
    return div;
  }

  async function askScores() {
    const pred = ctx.state.prediction;
    if (!pred || !pred.input || !traceOf()) return;
    const mine = ++asked;
    try {
      const result = await ctx.request('scores', { pixels: pred.input.pixels.slice() });
      if (mine !== asked || pred !== ctx.state.prediction) return;
      scores = { pred, result };
      render();
    } catch (err) {
      if (mine === asked) body.append(para(err.message, 'note bad'));
    }
  }

  followModel(ctx, (m) => {
    info = m.info;
    render();
  });
  ctx.on('prediction', () => {
    render();
    askScores();
  });
  ctx.on('lang', render);
  if (ctx.state.prediction) askScores();
  const hook = { scores: () => scores && scores.result };
  if (window.convplay && window.convplay.views) window.convplay.views.dense = hook;
}
