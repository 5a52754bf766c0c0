// views/sees/sees.js: "What the network sees": the steps from the pad to the
// model's input, as the engine's preprocess op made them (ink, bounding
// box, scaled, placed in 28x28, standardized), the warnings it raised
// explained in words, and for a test image, why it needs none of this.
// Every image and number here came from the engine (preprocess,
// getSample); this view only paints them.

import { grayRGBA, divergingRGBA, range } from '../shared/paint.js';
import { warningText } from './pixels.js';
import { TEXTS } from './strings.js';

/** Display size of each step, canvas pixels: 6 per data set pixel. */
const VIEW = 168;
const CELL = VIEW / 28;

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  section.innerHTML = `
    <h2 data-i18n="sees.title"></h2>
    <p class="note sees-intro"></p>
    <ol class="sees-steps" data-i18n-attr="aria-label:sees.steps"></ol>
    <div class="sees-legend" hidden>
      <span class="sees-scale" aria-hidden="true"></span>
      <span class="sees-ticks" aria-hidden="true"><span></span><span>0</span><span></span></span>
      <p class="sees-range"></p>
      <p class="note sees-meanstd"></p>
    </div>
    <div class="sees-warn" hidden>
      <h3 data-i18n="sees.warnTitle"></h3>
      <ul class="sees-warnings"></ul>
      <p class="note sees-warn-note"></p>
    </div>`;
  const $ = (s) => section.querySelector(s);
  const steps = $('.sees-steps');
  const intro = $('.sees-intro');
  const legend = $('.sees-legend');
  const warn = $('.sees-warn');
  const warnList = $('.sees-warnings');
  let shown = null; // what is shown: a drawing (preprocess result), a gallery input, or null
  let known = null; // {mean, std}: the last the engine gave

  function text(el, key, vars = {}) {
    el.dataset.i18n = key;
    el.dataset.i18nVars = JSON.stringify(vars);
    ctx.translate(el);
  }

  /** canvas paints RGBA pixels (w x h) into a new canvas of VIEW x VIEW, at cell pixels per pixel or fitted. */
  function picture(rgba, w, h, cell, smooth) {
    const src = document.createElement('canvas');
    src.width = w;
    src.height = h;
    if (w && h) src.getContext('2d').putImageData(new ImageData(rgba, w, h), 0, 0);
    const c = document.createElement('canvas');
    c.width = VIEW;
    c.height = VIEW;
    c.className = 'pixels';
    const g = c.getContext('2d');
    g.fillStyle = '#000';
    g.fillRect(0, 0, VIEW, VIEW);
    const s = cell || Math.min(VIEW / w, VIEW / h);
    const dx = (VIEW - w * s) / 2;
    const dy = (VIEW - h * s) / 2;
    g.imageSmoothingEnabled = Boolean(smooth);
    if (w && h) g.drawImage(src, dx, dy, w * s, h * s);
    return { c, g, s, dx, dy };
  }

  function outline(p, box, dashed) {
    const g = p.g;
    g.save();
    g.strokeStyle = '#ffb000';
    g.lineWidth = 2;
    if (dashed) g.setLineDash([5, 4]);
    g.strokeRect(p.dx + box.x * p.s + 1, p.dy + box.y * p.s + 1, box.w * p.s - 2, box.h * p.s - 2);
    g.restore();
  }

  function step(p, key, vars, name) {
    const li = document.createElement('li');
    li.className = 'sees-step';
    li.dataset.step = name;
    const fig = document.createElement('figure');
    const cap = document.createElement('figcaption');
    text(cap, key, vars);
    p.c.setAttribute('role', 'img');
    p.c.dataset.i18nAttr = `aria-label:${key}`;
    p.c.dataset.i18nVars = JSON.stringify(vars);
    fig.append(p.c, cap);
    li.append(fig);
    steps.append(li);
    ctx.translate(p.c);
  }

  function standardized(pixels, index, gallery) {
    const p = picture(divergingRGBA(pixels), 28, 28, CELL, false);
    step(p, gallery ? 'sees.standardGallery' : 'sees.standard', { count: pixels.length }, 'standardized');
    const { lo, hi } = range(pixels);
    const num = (x) => ctx.fmt.num(x, 2);
    const limit = Math.max(Math.abs(lo), Math.abs(hi)); // the scale's ends, as divergingRGBA paints
    const ticks = $('.sees-ticks').children;
    ticks[0].textContent = num(-limit);
    ticks[2].textContent = num(limit);
    text($('.sees-range'), 'sees.legend', { lo: num(lo), hi: num(hi) });
    const ms = (shown && shown.mean !== undefined ? shown : null) || (ctx.state.dataset.info && ctx.state.dataset.info.mean !== undefined ? ctx.state.dataset.info : null) || known;
    if (ms) text($('.sees-meanstd'), 'sees.meanStd', { mean: num(ms.mean), std: num(ms.std), lo: num(lo) });
    else text($('.sees-meanstd'), 'sees.meanStdUnknown', { lo: num(lo) });
    legend.hidden = false;
  }

  function showWarnings(ws) {
    warnList.innerHTML = '';
    for (const w of ws) {
      const li = document.createElement('li');
      li.dataset.code = w.code;
      const [key, vars] = warningText(w, (x, d) => ctx.fmt.num(x, d));
      text(li, key, vars);
      warnList.append(li);
    }
    const note = $('.sees-warn-note');
    if (ws.length === 0) text(note, 'sees.noWarnings');
    else if (ws.some((w) => w.code === 'empty')) {
      note.textContent = '';
      delete note.dataset.i18n;
    } else text(note, 'sees.warnNote');
    warn.hidden = false;
  }

  function render() {
    steps.innerHTML = '';
    legend.hidden = true;
    warn.hidden = true;
    if (!shown) {
      text(intro, 'sees.nothing');
      section.dataset.source = 'none';
      return;
    }
    section.dataset.source = shown.source;
    if (!shown.steps) {
      // A data set image (the gallery's), or an input another lesson set.
      const gallery = shown.source === 'gallery';
      text(intro, gallery ? 'sees.galleryNote' : 'sees.otherNote');
      step(picture(grayRGBA(shown.image), 28, 28, CELL, false), gallery ? 'sees.gallery' : 'sees.other', { index: shown.index }, 'image');
      standardized(shown.pixels, shown.index, true);
      return;
    }
    text(intro, 'sees.intro');
    const by = Object.fromEntries(shown.steps.map((s) => [s.name, s]));
    const ink = by.ink;
    step(picture(grayRGBA(ink.image), ink.width, ink.height, 0, true), 'sees.ink', { w: ink.width, h: ink.height }, 'ink');
    if (by.box) {
      const p = picture(grayRGBA(ink.image), ink.width, ink.height, 0, true);
      outline(p, by.box.box, false);
      step(p, 'sees.box', { w: by.box.box.w, h: by.box.box.h }, 'box');
    }
    const fit = shown.fit === 'mnist' ? 'mnist' : 'fashion';
    if (by.scaled) {
      const s = by.scaled;
      step(picture(grayRGBA(s.image), s.width, s.height, CELL, false), `sees.scaled.${fit}`, { w: s.width, h: s.height }, 'scaled');
    }
    const placed = by.placed;
    const p = picture(grayRGBA(placed.image), placed.width, placed.height, CELL, false);
    if (placed.box) outline(p, placed.box, true);
    step(p, placed.box ? `sees.placed.${fit}` : 'sees.placed.empty', {}, 'placed');
    if (!shown.empty) standardized(shown.pixels, null, false);
    showWarnings(shown.warnings);
  }

  ctx.on('drawing', (d) => {
    if (d.mean !== undefined) known = { mean: d.mean, std: d.std };
    if (d.empty) {
      shown = d;
      render();
    }
  });
  ctx.on('input', (input) => {
    if (!input) {
      if (shown && !shown.empty) {
        shown = null;
        render();
      }
      return;
    }
    shown = input;
    render();
  });
  ctx.on('dataset', (d) => {
    if (!ctx.state.input && shown && !shown.empty) {
      shown = null;
      render();
    }
  });
  ctx.on('lang', render);
  render();
}
