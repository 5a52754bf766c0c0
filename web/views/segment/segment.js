// views/segment/segment.js: every pixel a class. A fully convolutional
// network, a side model in the engine (the page's classifier stays), colours
// each pixel of a 64x64 scene by its class. The student draws several items
// on the wide pad (pen, eraser, undo, clear; mouse, pen or touch) or picks a
// fixed test scene, points at a pixel to read its 11 probabilities, and
// trains the network in the page (from scratch or on from the shipped one)
// while pixel accuracy and mean IoU curves rise. The scenes are composed in
// the worker from the images already loaded (no download); pad.js holds the
// DOM-free parts, inside.js the drawings of the network's maps, kernels and curves.
// About 440 lines: what is left here (the panel's HTML, the pad's and the
// mask's events, the training loop) all reads and writes one state, the
// scene, the model and the run, and reads best in one place.

import { esc } from '../../format.js';
import { nth } from '../shared/count.js';
import { SIDE, COLOURS, cssColour, strokeTo, maskRGBA, pixelProbs, pixelAt } from './pad.js';
import { CHART, drawMaps, kernelPainter, drawCurves } from './inside.js';
import { TEXTS } from './strings.js';

/** NAME is the side model's name in the engine. */
const NAME = 'segment';
/** SHIPPED is the FCN trained with the command line for each data set that has one (pretrained/). */
const SHIPPED = { digits: 'pretrained/fcn-digits.cpw', fashion: 'pretrained/fcn-fashion.cpw' };
/** RUN is a training run in the page: small epochs, so the curves move every few seconds. */
const RUN = { epochs: 30, batchSize: 16, subset: 256, validationSubset: 64, seed: 1 };
const OPTIMIZER = { name: 'adam', learning_rate: 0.003 };
/**
 * FRESH is "Train from scratch": the fastest recipe measured (BENCHMARKS.md, "Segmentation that
 * learns within a minute", and "… on windows"): the smaller fcn-small (a quarter of fcn's parameters, batch
 * normalization), Adam 0.01, and background pixels weighted 0.5 in the loss (on windows; 0.1 was best on whole scenes), so that a fresh
 * network does not settle on "background everywhere" (94% of a digit scene's pixels, 83% of a clothing scene's: the 1,000 fixed test scenes).
 */
const FRESH = { preset: 'fcn-small', optimizer: { name: 'adam', learning_rate: 0.01 }, backgroundWeight: 0.5 };
/**
 * WINDOWS is how a fresh run trains: on 24x24 windows cut around one item of each new scene (the
 * engine's crop; the same weights then segment whole scenes), four windows an epoch for each scene a
 * run on whole scenes would take: a window costs a seventh of a scene, so an epoch still takes seconds.
 */
const WINDOWS = { crop: 24, perScene: 4 };
const CLASSES = 11;

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  const t = ctx.t;
  section.classList.add('seg');
  section.innerHTML = `
    <h2 data-i18n="seg.title"></h2>
    <p data-i18n="seg.intro"></p>
    <div class="seg-work">
      <figure class="seg-padbox">
        <figcaption data-i18n="seg.pad"></figcaption>
        <canvas class="seg-pad" width="${SIDE}" height="${SIDE}" role="img" data-i18n-attr="aria-label:seg.padAria"></canvas>
        <div class="controls seg-tools">
          <button type="button" class="seg-pen" aria-pressed="true" data-i18n="seg.pen"></button>
          <button type="button" class="seg-eraser" aria-pressed="false" data-i18n="seg.eraser"></button>
          <button type="button" class="seg-undo" data-i18n="seg.undo"></button>
          <button type="button" class="seg-clear" data-i18n="seg.clear"></button>
        </div>
        <div class="controls seg-scenes">
          <label><span data-i18n="seg.scene"></span> # <input type="number" class="seg-index" min="0" max="999" value="0"></label>
          <button type="button" class="seg-pick" data-i18n="seg.pick"></button>
        </div>
        <p class="note seg-source" aria-live="polite"></p>
      </figure>
      <figure class="seg-maskbox">
        <figcaption data-i18n="seg.mask"></figcaption>
        <canvas class="seg-mask" width="${SIDE}" height="${SIDE}" tabindex="0" role="img" data-i18n-attr="aria-label:seg.maskAria"></canvas>
        <p class="seg-probe" aria-live="polite"></p>
        <ol class="seg-probs"></ol>
      </figure>
      <figure class="seg-truthbox" hidden>
        <figcaption data-i18n="seg.truth"></figcaption>
        <canvas class="seg-truth" width="${SIDE}" height="${SIDE}" role="img" data-i18n-attr="aria-label:seg.truthAria"></canvas>
      </figure>
    </div>
    <h3 data-i18n="seg.legend"></h3>
    <ul class="seg-legend"></ul>
    <p class="note seg-model"></p>
    <div class="controls">
      <button type="button" class="seg-train" data-i18n="seg.train"></button>
      <button type="button" class="seg-trainon" data-i18n="seg.trainOn"></button>
      <button type="button" class="seg-stop" data-i18n="seg.stop" disabled></button>
      <button type="button" class="seg-shipped" data-i18n="seg.shipped"></button>
    </div>
    <p class="note seg-recipe"></p>
    <p class="note seg-fresh"></p>
    <p class="seg-progress" aria-live="polite"></p>
    <div class="seg-curves" data-epochs="0">
      ${['acc', 'iou'].map((c) => `<figure class="seg-chart" data-chart="${c}">
        <figcaption data-i18n="seg.${c}Chart"></figcaption>
        <svg viewBox="-4 -4 ${CHART.w + 8} ${CHART.h + 8}" role="img" data-i18n-attr="aria-label:seg.${c}Aria">
          <rect x="0" y="0" width="${CHART.w}" height="${CHART.h}" class="seg-frame"></rect>
          <polyline class="seg-line-train" points=""></polyline>
          <polyline class="seg-line-val" points=""></polyline>
        </svg>
        <p class="note seg-curve-text"></p>
      </figure>`).join('')}
    </div>
    <p class="note"><span class="seg-key seg-key-train"></span> <span data-i18n="seg.trainLine"></span>
      <span class="seg-key seg-key-val"></span> <span data-i18n="seg.valLine"></span></p>
    <p class="note" data-i18n="seg.why"></p>
    <h3 data-i18n="seg.layers"></h3>
    <p class="note" data-i18n="seg.mapsNote"></p>
    <label class="seg-channelbox"><span data-i18n="seg.channel"></span> <input type="number" class="seg-channel" min="1" max="64" value="1"></label>
    <ol class="seg-layers"></ol>
    <h3 data-i18n="seg.kernels"></h3>
    <p class="note" data-i18n="seg.kernelsNote"></p>
    <div class="seg-kernels"></div>
    <p class="note bad seg-error" hidden></p>`;
  ctx.translate(section);
  const $ = (sel) => section.querySelector(sel);
  const pad = new Uint8Array(SIDE * SIDE);
  const undo = [];
  let erase = false;
  let scene = null; // the test scene shown: {index, labels, items}, or null for a drawing
  let info = null; // the side model's description
  let kind = null; // 'shipped', 'fresh' or 'trained'
  let result = null; // the last segment reply
  let probe = null; // {row, col}
  let run = null; // the last sideStep reply
  let training = false;
  let stopAsked = false;
  let ready = null; // a promise of the side model
  let started = 0;
  const hook = {
    get info() { return info; }, get kind() { return kind; }, get result() { return result; }, get run() { return run; },
    get training() { return training; }, get probe() { return probe; }, get scene() { return scene; }, pad,
    /** set changes the run's settings (epochs, batchSize, subset, validationSubset), as the train panel's set does. */
    set(settings) {
      Object.assign(RUN, settings);
      renderModel();
    },
  };
  if (globalThis.convplay) globalThis.convplay.views.segment = hook;

  function fail(err) {
    $('.seg-error').hidden = false;
    ctx.setText($('.seg-error'), 'seg.error', { error: err.message });
  }

  const className = (k) => (k === 0 ? t('seg.background') : ctx.className(k - 1));

  // ---- the model ----
  function dataReady() {
    const d = ctx.state.dataset;
    return ctx.state.engine === 'ready' && d && d.complete;
  }

  async function useShipped() {
    const path = SHIPPED[ctx.state.dataset.name];
    if (!path) {
      info = await ctx.request('sideBuild', { name: NAME, target: 'scenes', ...FRESH, seed: 1 });
      kind = 'fresh';
      return;
    }
    const res = await fetch(path);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${res.statusText}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    info = await ctx.request('sideLoad', { name: NAME, target: 'scenes', bytes, optimizer: OPTIMIZER }, { transfer: [bytes.buffer] });
    kind = 'shipped';
  }

  // The lesson's model (a 0.2 MB download for a shipped FCN) and its first
  // segmentation wait until the lesson is on screen or close to it: a visit
  // that never scrolls here spends neither bytes nor worker time on it.
  let near = typeof IntersectionObserver === 'undefined';
  if (!near) {
    const seen = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      near = true;
      seen.disconnect();
      if (!info) start();
    }, { rootMargin: '600px 0px' });
    seen.observe(section);
  }

  function start() {
    if (!dataReady()) {
      ctx.setText($('.seg-model'), 'seg.waiting');
      return;
    }
    if (!near) return;
    ready = useShipped().then(() => {
      renderModel();
      const index = ctx.url.read('scene');
      if (index !== null) return pickScene(index);
      if (!scene && pad.every((v) => v === 0)) return pickScene(0);
      return segment();
    });
    ready.catch(fail);
  }

  function renderModel() {
    if (!info) return;
    ctx.setText($('.seg-model'), kind === 'shipped' ? `seg.model.shipped.${ctx.state.dataset.name}` : `seg.model.${kind}`, { params: ctx.fmt.count(info.totalParams) });
    $('.seg-trainon').disabled = training;
    $('.seg-layers').innerHTML = info.layers.map((l) => `<li data-type="${esc(l.type)}"><span>${esc(t('seg.layer', { name: l.name, type: l.type, shape: l.outShape.join('×') }))}</span><canvas role="img" aria-label="${esc(t('seg.mapAria', { name: l.name }))}"></canvas></li>`).join('');
    paintMaps();
    paintKernels().catch(fail);
    if (!SHIPPED[ctx.state.dataset.name]) ctx.setText($('.seg-recipe'), 'seg.noShipped');
    else ctx.setText($('.seg-recipe'), 'seg.recipe', { train: RUN.subset, batch: RUN.batchSize, lr: OPTIMIZER.learning_rate, val: RUN.validationSubset });
    ctx.setText($('.seg-fresh'), 'seg.fresh', { lr: FRESH.optimizer.learning_rate, w: FRESH.backgroundWeight, crop: WINDOWS.crop, windows: RUN.subset * WINDOWS.perScene });
  }

  // ---- the scene: drawn or picked ----
  async function pickScene(index) {
    const r = await ctx.request('scene', { split: 'test', index });
    pad.set(r.image);
    undo.length = 0;
    scene = { index, labels: r.labels, items: r.items };
    $('.seg-index').value = String(index);
    ctx.url.write('scene', index);
    paintPad();
    await segment();
  }

  function paintGrey(canvas, values) {
    const g = canvas.getContext('2d');
    const img = g.createImageData(SIDE, SIDE);
    for (let p = 0; p < SIDE * SIDE; p++) img.data.set([values[p], values[p], values[p], 255], 4 * p);
    g.putImageData(img, 0, 0);
  }

  function paintPad() {
    paintGrey($('.seg-pad'), pad);
    const src = $('.seg-source');
    if (scene) {
      const items = scene.items.map((it) => className(it.class + 1)).join(', ');
      ctx.setText(src, 'seg.sceneOf', { index: scene.index, items });
      const g = $('.seg-truth').getContext('2d');
      const img = g.createImageData(SIDE, SIDE);
      img.data.set(maskRGBA(scene.labels, pad));
      g.putImageData(img, 0, 0);
    } else {
      ctx.setText(src, 'seg.drawn');
    }
    $('.seg-truthbox').hidden = !scene;
  }

  let busy = false;
  let again = false;
  async function segment() {
    if (!info) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        result = await ctx.request('segment', { name: NAME, image: pad.slice() });
        paintMask();
      } while (again);
    } catch (err) {
      fail(err);
    } finally {
      busy = false;
    }
  }

  function paintMask() {
    if (!result) return;
    const g = $('.seg-mask').getContext('2d');
    const img = g.createImageData(SIDE, SIDE);
    img.data.set(maskRGBA(result.classes, pad));
    g.putImageData(img, 0, 0);
    $('.seg-mask').dataset.classes = [...new Set(result.classes)].sort((a, b) => a - b).join(',');
    $('.seg-legend').innerHTML = COLOURS.map((_, k) => `<li data-class="${k}" data-pixels="${result.counts[k]}"><span class="seg-swatch"></span>${esc(className(k))}: ${esc(t('seg.pixels', { n: result.counts[k] }))}</li>`).join('');
    colourSwatches($('.seg-legend'));
    renderProbe();
    paintMaps();
  }

  // ---- inside the network (inside.js) ----
  const channel = () => Math.max(1, Math.floor(Number($('.seg-channel').value) || 1)) - 1;
  const paintMaps = () => result && info && drawMaps($('.seg-layers'), result.trace, channel());
  const kernels = kernelPainter(ctx, $('.seg-kernels'), NAME);
  const paintKernels = () => (info ? kernels(info, channel()) : Promise.resolve());

  function renderProbe() {
    const out = $('.seg-probe');
    const list = $('.seg-probs');
    if (!result || !probe) {
      ctx.setText(out, 'seg.probeHint');
      list.innerHTML = '';
      return;
    }
    const p = probe.row * SIDE + probe.col;
    const probs = pixelProbs(result.probs, p, CLASSES);
    ctx.setText(out, 'seg.probe', { row: nth(probe.row), col: nth(probe.col), name: className(probs[0].k), pct: ctx.fmt.pct(probs[0].p) });
    out.dataset.row = probe.row;
    out.dataset.col = probe.col;
    out.dataset.class = probs[0].k;
    list.innerHTML = probs.map((e) => `<li data-class="${e.k}" data-p="${e.p}"><span class="seg-swatch"></span><span class="seg-bar"></span>${esc(className(e.k))} <span class="mono">${esc(ctx.fmt.pct(e.p))}</span></li>`).join('');
    colourSwatches(list);
    for (const li of list.children) li.querySelector('.seg-bar').style.width = `${(100 * Number(li.dataset.p)).toFixed(1)}%`;
  }

  // Colours are set through the CSSOM: the page's policy allows no inline style attributes.
  function colourSwatches(list) {
    for (const li of list.children) li.querySelector('.seg-swatch').style.background = cssColour(Number(li.dataset.class));
  }

  // ---- drawing: pointer events (mouse, pen, touch) ----
  const padCanvas = $('.seg-pad');
  let last = null;
  const at = (ev) => {
    const r = padCanvas.getBoundingClientRect();
    return { x: ((ev.clientX - r.left) / r.width) * SIDE, y: ((ev.clientY - r.top) / r.height) * SIDE };
  };
  padCanvas.addEventListener('pointerdown', (ev) => {
    ev.preventDefault();
    padCanvas.setPointerCapture?.(ev.pointerId);
    undo.push(pad.slice());
    if (undo.length > 50) undo.shift();
    if (scene) {
      scene = null;
      ctx.url.write('scene', null);
    }
    last = at(ev);
    strokeTo(pad, last, last, erase);
    paintPad();
  });
  padCanvas.addEventListener('pointermove', (ev) => {
    if (!last) return;
    const p = at(ev);
    strokeTo(pad, last, p, erase);
    last = p;
    paintPad();
    segment();
  });
  const end = () => {
    if (!last) return;
    last = null;
    segment();
  };
  padCanvas.addEventListener('pointerup', end);
  padCanvas.addEventListener('pointercancel', end);

  const setTool = (eraser) => {
    erase = eraser;
    $('.seg-pen').setAttribute('aria-pressed', String(!eraser));
    $('.seg-eraser').setAttribute('aria-pressed', String(eraser));
  };
  $('.seg-pen').addEventListener('click', () => setTool(false));
  $('.seg-eraser').addEventListener('click', () => setTool(true));
  $('.seg-undo').addEventListener('click', () => {
    if (!undo.length) return;
    pad.set(undo.pop());
    paintPad();
    segment();
  });
  $('.seg-clear').addEventListener('click', () => {
    undo.push(pad.slice());
    pad.fill(0);
    scene = null;
    ctx.url.write('scene', null);
    paintPad();
    segment();
  });
  $('.seg-channel').addEventListener('change', () => {
    paintMaps();
    paintKernels().catch(fail);
  });
  $('.seg-pick').addEventListener('click', () => {
    const i = Math.max(0, Math.min(999, Math.floor(Number($('.seg-index').value) || 0)));
    pickScene(i).catch(fail);
  });

  // ---- pointing at a pixel: pointer, tap, or the arrow keys ----
  const maskCanvas = $('.seg-mask');
  const pointAt = (ev) => {
    const r = maskCanvas.getBoundingClientRect();
    const p = pixelAt(ev.clientX - r.left, ev.clientY - r.top, r.width, r.height);
    if (p) {
      probe = p;
      renderProbe();
    }
  };
  maskCanvas.addEventListener('pointermove', pointAt);
  maskCanvas.addEventListener('pointerdown', pointAt);
  maskCanvas.addEventListener('keydown', (ev) => {
    const d = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[ev.key];
    if (!d) return;
    ev.preventDefault();
    const p = probe || { row: SIDE / 2, col: SIDE / 2 };
    probe = { row: Math.max(0, Math.min(SIDE - 1, p.row + d[0])), col: Math.max(0, Math.min(SIDE - 1, p.col + d[1])) };
    renderProbe();
  });
  maskCanvas.addEventListener('focus', () => {
    if (!probe) {
      probe = { row: SIDE / 2, col: SIDE / 2 };
      renderProbe();
    }
  });

  // ---- training in the page ----
  const renderCurves = () => drawCurves(ctx, section, run ? run.history : []);

  const secs = () => ((performance.now() - started) / 1000).toFixed(1);

  async function train(fresh) {
    if (training || !dataReady()) return;
    training = true;
    stopAsked = false;
    $('.seg-error').hidden = true;
    for (const b of ['.seg-train', '.seg-trainon', '.seg-shipped']) $(b).disabled = true;
    $('.seg-stop').disabled = false;
    try {
      await ready;
      if (fresh) {
        info = await ctx.request('sideBuild', { name: NAME, target: 'scenes', ...FRESH, seed: 1 });
        kind = 'fresh';
        renderModel();
        await segment();
      }
      const windows = fresh ? { crop: WINDOWS.crop, subset: RUN.subset * WINDOWS.perScene } : {};
      await ctx.request('sideTrain', { name: NAME, ...RUN, ...windows });
      started = performance.now();
      run = null;
      renderCurves();
      let epochs = 0;
      for (;;) {
        run = await ctx.request('sideStep', { name: NAME, ms: 100 });
        ctx.setText($('.seg-progress'), 'seg.progress', { epoch: Math.min(run.epoch + 1, run.epochs), epochs: run.epochs, batch: nth(Math.min(run.batch, run.batches - 1)), batches: run.batches, secs: secs() });
        if (run.history.length !== epochs) {
          epochs = run.history.length;
          kind = 'trained';
          renderModel();
          renderCurves();
          await segment(); // the mask sharpens as the network learns
        }
        if (run.done || stopAsked) break;
      }
      const e = run.history.at(-1);
      if (run.done && e) ctx.setText($('.seg-progress'), 'seg.done', { epochs: run.history.length, secs: secs(), iou: ctx.fmt.num(e.val_mean_iou ?? NaN), acc: ctx.fmt.num(e.val_accuracy) });
      else ctx.setText($('.seg-progress'), 'seg.stopped', { epochs: run.history.length, secs: secs() });
    } catch (err) {
      fail(err);
    } finally {
      training = false;
      for (const b of ['.seg-train', '.seg-trainon', '.seg-shipped']) $(b).disabled = false;
      $('.seg-stop').disabled = true;
    }
  }

  $('.seg-train').addEventListener('click', () => train(true));
  $('.seg-trainon').addEventListener('click', () => train(false));
  $('.seg-stop').addEventListener('click', () => { stopAsked = true; });
  $('.seg-shipped').addEventListener('click', () => {
    if (training) return;
    ready = useShipped().then(() => { renderModel(); return segment(); });
    ready.catch(fail);
  });

  ctx.on('engine', () => {
    if (ctx.state.engine === 'ready') start(); // a restarted engine has lost its side models
  });
  ctx.on('dataset', (d) => {
    if (d && d.complete && !info) start();
    if (d && !d.complete) {
      info = null;
      result = null;
    }
  });
  ctx.on('lang', () => {
    renderModel();
    paintPad();
    paintMask();
    renderCurves();
  });
  paintPad();
  renderCurves();
  renderProbe();
  start();
}
