// views/convstep/convstep.js: the convolution step-through. The kernel window slides
// over a conv layer's input (the current input's own maps, from the trace);
// at each position the engine's convWindow gives the values under the
// kernel, the kernel, their products, the per-channel sums, the bias, the
// activation and the output, which this view lays out. The position lives
// in the URL (conv=layer,y,x,filter). The texts are in strings.js;
// the maps, grids, sums and the equation are drawn by grids.js.

import { convLayers, fitPos, step, move, cellAt } from './state.js';
import { diverging, maxAbs } from '../shared/paint.js';
import { paintMap, place, fillGrid, fillSums, sumLine, fillEquation } from './grids.js';
import { describe } from '../shared/model.js';
import { TEXTS } from './strings.js';
import { nth } from '../shared/count.js';

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  section.classList.add('convstep');
  section.innerHTML = `
    <h2 data-i18n="convstep.title"></h2>
    <p data-i18n="convstep.intro"></p>
    <p class="note cs-empty" data-i18n="convstep.waiting"></p>
    <div class="cs-body" hidden>
      <div class="controls">
        <label><span data-i18n="convstep.layer"></span> <select class="cs-layer"></select></label>
        <label><span data-i18n="convstep.filter"></span> <select class="cs-filter"></select></label>
        <label class="cs-channel-label"><span data-i18n="convstep.channel"></span> <select class="cs-channel"></select></label>
      </div>
      <div class="controls">
        <button type="button" class="cs-prev" data-i18n="convstep.prev"></button>
        <button type="button" class="cs-play" data-i18n="convstep.play" aria-pressed="false"></button>
        <button type="button" class="cs-next" data-i18n="convstep.next"></button>
        <label><span data-i18n="convstep.speed"></span> <input type="range" class="cs-speed" min="1" max="30" value="4"> <output class="cs-speed-out"></output></label>
        <span class="cs-pos" aria-live="polite"></span>
      </div>
      <div class="cs-stage">
        <figure>
          <div class="cs-wrap" tabindex="0" role="img" data-i18n-attr="aria-label:convstep.canvasLabel">
            <canvas class="pixels cs-in"></canvas><div class="cs-window"></div>
          </div>
          <figcaption class="cs-in-cap note"></figcaption>
        </figure>
        <figure>
          <div class="cs-wrap cs-out-wrap" role="img" data-i18n-attr="aria-label:convstep.outputLabel">
            <canvas class="pixels cs-out"></canvas><div class="cs-mark"></div>
          </div>
          <figcaption class="cs-out-cap note"></figcaption>
        </figure>
      </div>
      <div class="cs-grids">
        <div><h3><span data-i18n="convstep.window"></span> <span class="cs-ch-of"></span></h3><div class="cs-grid cs-g-window"></div></div>
        <div class="cs-op">×</div>
        <div><h3 data-i18n="convstep.kernel"></h3><div class="cs-grid cs-g-kernel"></div></div>
        <div class="cs-op">=</div>
        <div><h3 data-i18n="convstep.products"></h3><div class="cs-grid cs-g-products"></div></div>
      </div>
      <div class="cs-sums-box">
        <p class="note cs-sums-note"></p>
        <div class="cs-sums" role="group"></div>
        <p class="cs-sumline"></p>
      </div>
      <table class="cs-eq"><tbody></tbody></table>
      <p class="note cs-geometry" aria-live="polite"></p>
      <p class="note" data-i18n="convstep.legend"></p>
      <p class="note" data-i18n="convstep.padNote"></p>
      <p class="note bad cs-error" hidden></p>
    </div>
    <p class="note cs-noconv" data-i18n="convstep.noConv" hidden></p>`;
  const $ = (sel) => section.querySelector(sel);
  const ui = {
    body: $('.cs-body'), empty: $('.cs-empty'), noconv: $('.cs-noconv'),
    layer: $('.cs-layer'), filter: $('.cs-filter'), channel: $('.cs-channel'), channelLabel: $('.cs-channel-label'),
    prev: $('.cs-prev'), play: $('.cs-play'), next: $('.cs-next'), speed: $('.cs-speed'), speedOut: $('.cs-speed-out'), pos: $('.cs-pos'),
    wrap: $('.cs-wrap'), inCanvas: $('.cs-in'), win: $('.cs-window'), inCap: $('.cs-in-cap'),
    outCanvas: $('.cs-out'), mark: $('.cs-mark'), outCap: $('.cs-out-cap'),
    gWindow: $('.cs-g-window'), gKernel: $('.cs-g-kernel'), gProducts: $('.cs-g-products'), chOf: $('.cs-ch-of'),
    sumsBox: $('.cs-sums-box'), sumline: $('.cs-sumline'), sumsNote: $('.cs-sums-note'), geometry: $('.cs-geometry'), sums: $('.cs-sums'), eq: $('.cs-eq tbody'), error: $('.cs-error'),
  };

  let pos = ctx.url.read('conv');
  let shownChannel = 0; // the input channel whose slice and map are drawn
  let last = null; // the last convWindow result shown
  let busy = false; // a convWindow request is in flight
  let dirty = false; // the position or the input changed meanwhile
  let playing = false;
  let timer = 0;
  const hook = { get pos() { return pos; }, get last() { return last; }, setPos, shown: 0 };
  if (globalThis.convplay) globalThis.convplay.views.convstep = hook;

  function model() {
    return ctx.state.model;
  }

  function layerInfo(index) {
    return convLayers(model()).find((c) => c.index === index);
  }

  function fillSelect(sel, n, label) {
    const prev = sel.value;
    sel.replaceChildren(...Array.from({ length: n }, (_, i) => new Option(label(i), String(i))));
    if (prev !== '' && Number(prev) < n) sel.value = prev;
  }

  function buildControls() {
    const convs = convLayers(model());
    ui.noconv.hidden = convs.length > 0 || !model();
    if (!convs.length) {
      ui.body.hidden = true;
      return false;
    }
    const layerChoices = convs.map((c) => new Option(`${c.name} (${c.outShape.join('×')})`, String(c.index)));
    ui.layer.replaceChildren(...layerChoices);
    pos = fitPos(pos, model());
    ui.layer.value = String(pos.layer);
    fillSelect(ui.filter, layerInfo(pos.layer).outShape[2], (i) => String(nth(i)));
    ui.filter.value = String(pos.filter);
    return true;
  }

  function setPos(next, { keepPlaying = false } = {}) {
    if (!keepPlaying) stop();
    const fitted = fitPos(next, model());
    if (!fitted) return;
    if (fitted.layer !== pos.layer) {
      shownChannel = 0;
      fillSelect(ui.filter, layerInfo(fitted.layer).outShape[2], (i) => String(nth(i)));
    }
    pos = fitted;
    ui.layer.value = String(pos.layer);
    ui.filter.value = String(pos.filter);
    ctx.url.write('conv', pos);
    fetchWindow();
  }

  async function fetchWindow() {
    const pred = ctx.state.prediction;
    if (!pred || !pos || ctx.state.engine !== 'ready') return;
    if (busy) {
      dirty = true;
      return;
    }
    busy = true;
    dirty = false;
    const want = pos;
    try {
      const pixels = pred.input.pixels.slice();
      const r = await ctx.request('convWindow', { pixels, layer: want.layer, y: want.y, x: want.x, filter: want.filter }, { transfer: [pixels.buffer] });
      ui.error.hidden = true;
      if (!dirty && ctx.state.prediction === pred) render(r, pred);
    } catch (err) {
      ui.error.hidden = false;
      ui.error.textContent = ctx.t('convstep.error', { error: err.message });
    } finally {
      busy = false;
    }
    if (dirty) fetchWindow();
    else if (playing) schedule();
  }

  /** inputMap is the layer's input, (H, W, C), from the trace (or the model input itself). */
  function inputMap(pred, layer) {
    return layer === 0 ? pred.input.pixels : pred.trace[layer - 1].output;
  }

  function render(r, pred) {
    last = r;
    hook.shown++;
    const [h, w, c] = r.inShape;
    const [oh, ow, f] = r.outShape;
    const k = r.k;
    shownChannel = Math.min(shownChannel, c - 1);
    const pad = [r.padTop, r.padLeft, r.padBottom, r.padRight]; // the engine's: the zero cells windows reach
    const name = r.name;
    // The input map, drawn with its padding, and the window on it.
    paintMap(ui.inCanvas, inputMap(pred, r.layer), h, w, c, shownChannel, pad);
    place(ui.win, r.top + r.padTop, r.left + r.padLeft, k, h + r.padTop + r.padBottom, w + r.padLeft + r.padRight);
    // The output map with the current pixel ringed.
    paintMap(ui.outCanvas, pred.trace[r.layer].output, oh, ow, f, r.filter, [0, 0, 0, 0]);
    place(ui.mark, r.y, r.x, 1, oh, ow);
    setText(ui.inCap, c > 1 ? 'convstep.inputCaption' : 'convstep.inputCaption1', { layer: name, c: nth(shownChannel), channels: c, h, w });
    setText(ui.outCap, 'convstep.outputCaption', { layer: name, f: nth(r.filter), h: oh, w: ow });
    setText(ui.pos, 'convstep.position', { y: nth(r.y), x: nth(r.x) });
    // The grids of one channel's slice.
    const wm = Math.max(maxAbs(r.window), 1e-6);
    const km = Math.max(maxAbs(r.kernel), 1e-6);
    const pm = Math.max(maxAbs(r.products), 1e-6);
    fillGrid(ui.gWindow, r.window, k, c, shownChannel, (v) => diverging(v, wm), r.inside);
    fillGrid(ui.gKernel, r.kernel, k, c, shownChannel, (v) => diverging(v, km));
    fillGrid(ui.gProducts, r.products, k, c, shownChannel, (v) => diverging(v, pm), r.inside);
    ui.chOf.hidden = c === 1;
    setText(ui.chOf, 'convstep.channelOf', { c: nth(shownChannel) });
    // Channel sums, one chip per input channel.
    ui.sumsBox.hidden = c === 1;
    ui.channelLabel.hidden = c === 1;
    if (c > 1) {
      fillSelect(ui.channel, c, (i) => String(nth(i)));
      ui.channel.value = String(shownChannel);
      setText(ui.sumsNote, 'convstep.sums', { k, channels: c });
      const sm = Math.max(maxAbs(r.channelSums), 1e-6);
      fillSums(ui.sums, r.channelSums, shownChannel, (v) => diverging(v, sm), (i) => {
        shownChannel = i;
        render(last, ctx.state.prediction || pred);
      });
      ui.sumline.textContent = sumLine(ctx.t, r.channelSums, r.sum);
    }
    // The sum, the bias, the activation, the output.
    fillEquation(ui.eq, ctx.t, r, c, k);
    showGeometry(r.layer);
  }

  /** showGeometry says how stride and padding give this layer's output size, with the engine's size terms (describeLayers). */
  async function showGeometry(layer) {
    const m = model();
    let info = null;
    try {
      info = await describe(ctx);
    } catch {
      info = null;
    }
    if (m !== model() || !last || last.layer !== layer) return;
    const l = info && info.layers[layer];
    if (!l || !l.size) {
      ui.geometry.textContent = '';
      return;
    }
    const z = l.size;
    const parts = [ctx.t('convstep.geometry', { layer: l.name, k: z.k, s: z.s, padding: l.padding, pad: z.padTotal, n: z.n, out: z.out })];
    if (l.padding === 'valid') parts.push(ctx.t('convstep.geometryValid', { n: z.n, out: z.out }));
    if (z.s > 1) parts.push(ctx.t('convstep.geometryStride', { s: z.s }));
    ui.geometry.textContent = parts.join(ctx.state.lang === 'zh' ? '' : ' '); // Chinese sentences need no space
    ui.geometry.dataset.stride = String(z.s);
    ui.geometry.dataset.padding = l.padding;
  }

  const setText = ctx.setText;

  function showSpeed() {
    setText(ui.speedOut, 'convstep.perSec', { n: ui.speed.value });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!playing || !last) return;
      const [oh, ow] = last.outShape;
      pos = step(pos, 1, oh, ow);
      ctx.url.write('conv', pos);
      fetchWindow();
    }, 1000 / Number(ui.speed.value));
  }

  function stop() {
    playing = false;
    clearTimeout(timer);
    ui.play.dataset.i18n = 'convstep.play';
    ui.play.textContent = ctx.t('convstep.play');
    ui.play.setAttribute('aria-pressed', 'false');
  }

  function togglePlay() {
    if (playing) return stop();
    playing = true;
    ui.play.dataset.i18n = 'convstep.pause';
    ui.play.textContent = ctx.t('convstep.pause');
    ui.play.setAttribute('aria-pressed', 'true');
    schedule();
  }

  function stepBy(delta) {
    if (!last) return;
    const [oh, ow] = last.outShape;
    setPos(step(pos, delta, oh, ow));
  }

  function pointerPos(e) {
    if (!last) return null;
    const rect = ui.inCanvas.getBoundingClientRect();
    const row = Math.floor(((e.clientY - rect.top) / rect.height) * ui.inCanvas.height) - last.padTop;
    const col = Math.floor(((e.clientX - rect.left) / rect.width) * ui.inCanvas.width) - last.padLeft;
    const [oh, ow] = last.outShape;
    return { ...pos, ...cellAt(row, col, { k: last.k, stride: last.stride, padTop: last.padTop, padLeft: last.padLeft, oh, ow }) };
  }

  ui.layer.addEventListener('change', () => setPos({ ...pos, layer: Number(ui.layer.value) }));
  ui.filter.addEventListener('change', () => setPos({ ...pos, filter: Number(ui.filter.value) }));
  ui.channel.addEventListener('change', () => {
    shownChannel = Number(ui.channel.value);
    if (last && ctx.state.prediction) render(last, ctx.state.prediction);
  });
  ui.prev.addEventListener('click', () => stepBy(-1));
  ui.next.addEventListener('click', () => stepBy(1));
  ui.play.addEventListener('click', togglePlay);
  ui.speed.addEventListener('input', showSpeed);
  ui.wrap.addEventListener('pointermove', (e) => {
    if (e.pointerType === 'mouse' && !playing) {
      const p = pointerPos(e);
      if (p && (p.y !== pos.y || p.x !== pos.x)) setPos(p);
    }
  });
  ui.wrap.addEventListener('pointerdown', (e) => {
    const p = pointerPos(e);
    if (p) setPos(p);
  });
  ui.wrap.addEventListener('keydown', (e) => {
    if (!last) return;
    const [oh, ow] = last.outShape;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[e.key]) setPos(move(pos, ...moves[e.key], oh, ow));
    else if (e.key === ' ') togglePlay();
    else if (e.key === 'Home') setPos({ ...pos, y: 0, x: 0 });
    else return;
    e.preventDefault();
  });

  function refresh() {
    const pred = ctx.state.prediction;
    const ok = buildControls();
    ui.empty.hidden = Boolean(pred) || !ok;
    ui.body.hidden = !ok || !pred;
    if (ok && pred) fetchWindow();
  }

  ctx.on('model', () => {
    last = null;
    refresh();
  });
  ctx.on('prediction', refresh);
  ctx.on('lang', () => {
    showSpeed();
    if (last && ctx.state.prediction) render(last, ctx.state.prediction);
  });
  showSpeed();
  refresh();
}
