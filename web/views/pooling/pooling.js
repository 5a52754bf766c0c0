// views/pooling/pooling.js: the pooling lesson on the current input. The engine's
// poolCompare gives a max-pooling layer's input map, its max-pooled output,
// the average-pooled output of the same map and the positions max pooling
// kept; the view steps a window over the map and shows both side by side.
// The shift experiment asks the engine (shiftCompare) how much every
// layer's output changes when the drawing moves by 1 or 2 pixels. The
// layer and channel shown live in the URL (pool=layer,channel). The texts
// are in strings.js, the shift experiment in experiment.js.

import { poolLayers } from './shift.js';
import { windowAt, windowCells, windowUnder, windowEdges } from './windows.js';
import { range, num } from '../shared/paint.js';
import { paintCells, frame, gridLines, scaleFor } from '../shared/cells.js';
import { mostActive } from '../shared/argmax.js';
import { createShiftExperiment } from './experiment.js';
import { TEXTS } from './strings.js';
import { nth } from '../shared/count.js';

const KEEP = '#f29d38';

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  section.classList.add('pooling');
  section.innerHTML = `
    <h2 data-i18n="pooling.title"></h2>
    <p data-i18n="pooling.intro"></p>
    <p class="note pl-empty" data-i18n="pooling.waiting"></p>
    <p class="note pl-none" data-i18n="pooling.none" hidden></p>
    <div class="pl-body" hidden>
      <div class="controls">
        <label><span data-i18n="pooling.layer"></span> <select class="pl-layer"></select></label>
        <label><span data-i18n="pooling.channel"></span> <select class="pl-channel"></select></label>
        <button type="button" class="pl-prev" data-i18n="pooling.prev"></button>
        <button type="button" class="pl-play" data-i18n="pooling.play" aria-pressed="false"></button>
        <button type="button" class="pl-next" data-i18n="pooling.next"></button>
      </div>
      <div class="pl-stage">
        <figure class="pl-big">
          <canvas class="pl-in" tabindex="0" role="img" data-i18n-attr="aria-label:pooling.mapLabel"></canvas>
          <figcaption class="note pl-in-cap"></figcaption>
        </figure>
        <div class="pl-side">
          <div class="pl-window">
            <h3 class="pl-win-title"></h3>
            <div class="pl-cells"></div>
            <p class="pl-vals"><span class="pl-maxv"></span><br><span class="pl-avgv"></span></p>
          </div>
          <div class="pl-outs">
            <figure><canvas class="pl-max" role="img" data-i18n-attr="aria-label:pooling.maxLabel"></canvas><figcaption class="note pl-max-cap"></figcaption></figure>
            <figure><canvas class="pl-avg" role="img" data-i18n-attr="aria-label:pooling.avgLabel"></canvas><figcaption class="note pl-avg-cap"></figcaption></figure>
          </div>
        </div>
      </div>
      <p class="note" data-i18n="pooling.legend"></p>
      <ul class="pl-facts">
        <li class="pl-sizes"></li>
        <li class="pl-dropped"></li>
        <li class="pl-uncovered"></li>
        <li class="pl-params"></li>
      </ul>
      <p class="note bad pl-error" hidden></p>
      <h3 data-i18n="pooling.shiftTitle"></h3>
      <p data-i18n="pooling.shiftIntro"></p>
      <div class="controls pl-shift">
        <label><span data-i18n="pooling.amount"></span>
          <select class="pl-amount"><option value="1"></option><option value="2"></option></select></label>
        <button type="button" data-dir="-1,0" data-i18n="pooling.left"></button>
        <button type="button" data-dir="1,0" data-i18n="pooling.right"></button>
        <button type="button" data-dir="0,-1" data-i18n="pooling.up"></button>
        <button type="button" data-dir="0,1" data-i18n="pooling.down"></button>
      </div>
      <div class="pl-shift-out" hidden>
        <div class="pl-thumbs">
          <figure><canvas class="pl-orig" role="img" data-i18n-attr="aria-label:pooling.origLabel"></canvas><figcaption class="note" data-i18n="pooling.orig"></figcaption></figure>
          <figure><canvas class="pl-moved" role="img" data-i18n-attr="aria-label:pooling.movedLabel"></canvas><figcaption class="note" data-i18n="pooling.moved"></figcaption></figure>
          <p class="note pl-shifted"></p>
        </div>
        <div class="table-wrap"><table class="pl-changes">
          <thead><tr><th data-i18n="pooling.layerCol"></th><th data-i18n="pooling.shapeCol"></th><th data-i18n="pooling.changeCol"></th></tr></thead>
          <tbody></tbody>
        </table></div>
        <ul class="pl-pairs"></ul>
        <p class="pl-pred"></p>
      </div>
      <p class="note" data-i18n="pooling.honest"></p>
    </div>`;
  const $ = (sel) => section.querySelector(sel);
  const ui = {
    empty: $('.pl-empty'), none: $('.pl-none'), body: $('.pl-body'), layer: $('.pl-layer'), channel: $('.pl-channel'),
    prev: $('.pl-prev'), play: $('.pl-play'), next: $('.pl-next'),
    inCanvas: $('.pl-in'), inCap: $('.pl-in-cap'), maxCanvas: $('.pl-max'), avgCanvas: $('.pl-avg'), maxCap: $('.pl-max-cap'), avgCap: $('.pl-avg-cap'),
    winTitle: $('.pl-win-title'), cells: $('.pl-cells'), maxv: $('.pl-maxv'), avgv: $('.pl-avgv'),
    sizes: $('.pl-sizes'), dropped: $('.pl-dropped'), uncovered: $('.pl-uncovered'), params: $('.pl-params'), error: $('.pl-error'),
  };

  const saved = ctx.url.read('pool');
  let layer = saved ? saved.layer : null;
  let channel = saved ? saved.channel : null; // null: pick the most active channel
  let win = 0; // the current window, row-major over the output
  let data = null; // the last poolCompare result
  let asked = 0;
  let playing = false;
  let timer = 0;
  const hook = { get data() { return data; }, get shift() { return experiment.current(); }, get win() { return win; }, get channel() { return channel; }, setWindow: (i) => showWindow(i), shiftBy: (dx, dy) => experiment.shiftBy(dx, dy) };
  if (globalThis.convplay) globalThis.convplay.views.pooling = hook;

  const setText = ctx.setText;

  const experiment = createShiftExperiment(ctx, section, setText);

  function refresh() {
    const pools = poolLayers(ctx.state.model);
    const pred = ctx.state.prediction;
    ui.none.hidden = pools.length > 0 || !ctx.state.model;
    ui.empty.hidden = Boolean(pred) || !pools.length;
    ui.body.hidden = !pred || !pools.length;
    if (!pools.length || !pred) return;
    if (!pools.some((p) => p.index === layer)) {
      layer = pools[0].index;
      channel = null;
    }
    ui.layer.replaceChildren(...pools.map((p) => new Option(`${p.name} (${p.outShape.join('×')})`, String(p.index))));
    ui.layer.value = String(layer);
    fetchPool();
    experiment.again();
  }

  async function fetchPool() {
    const pred = ctx.state.prediction;
    if (!pred || ctx.state.engine !== 'ready') return;
    const id = ++asked;
    try {
      const pixels = pred.input.pixels.slice();
      const r = await ctx.request('poolCompare', { pixels, layer }, { transfer: [pixels.buffer] });
      if (id !== asked) return;
      ui.error.hidden = true;
      data = r;
      const c = r.inShape[2];
      if (channel === null || channel >= c) channel = mostActive(r.input, r.inShape[2]);
      ui.channel.replaceChildren(...Array.from({ length: c }, (_, i) => new Option(String(nth(i)), String(i))));
      ui.channel.value = String(channel);
      ctx.url.write('pool', { layer, channel });
      const [ho, wo] = r.outShape;
      win = Math.min(win, ho * wo - 1);
      render();
    } catch (err) {
      if (id !== asked) return;
      ui.error.hidden = false;
      setText(ui.error, 'pooling.error', { error: err.message });
    }
  }

  function render() {
    const r = data;
    const [h, w, c] = r.inShape;
    const [ho, wo] = r.outShape;
    const k = r.poolSize;
    const map = new Float32Array(h * w);
    for (let i = 0; i < h * w; i++) map[i] = r.input[i * c + channel];
    const mx = new Float32Array(ho * wo);
    const av = new Float32Array(ho * wo);
    for (let i = 0; i < ho * wo; i++) {
      mx[i] = r.max[i * c + channel];
      av[i] = r.avg[i * c + channel];
    }
    const { lo, hi } = range(map);
    const sIn = scaleFor(w, 336);
    const g = paintCells(ui.inCanvas, map, h, w, lo, hi, sIn);
    const edges = windowEdges(r.windows, ho, wo); // the engine's windows, 'same' padding's clipped ones too
    gridLines(g, edges.rows, edges.cols, h, w, sIn, 'rgba(90, 140, 220, 0.55)');
    for (let i = 0; i < ho * wo; i++) {
      const cell = (r.choices[i * c + channel] - channel) / c;
      frame(g, Math.floor(cell / w), cell % w, 1, 1, sIn, KEEP, Math.max(1.5, sIn / 8));
    }
    const wi = Math.floor(win / wo);
    const wj = win % wo;
    const at = windowAt(r.windows, win);
    frame(g, at.top, at.left, at.bottom - at.top, at.right - at.left, sIn, '#e8590c', Math.max(3, sIn / 3));
    const sOut = scaleFor(wo, 160);
    for (const [canvas, vals] of [[ui.maxCanvas, mx], [ui.avgCanvas, av]]) {
      const go = paintCells(canvas, vals, ho, wo, lo, hi, sOut);
      frame(go, wi, wj, 1, 1, sOut, '#e8590c', Math.max(2, sOut / 4));
    }
    setText(ui.inCap, 'pooling.inCaption', { layer: r.name, c: nth(channel), h, w, k });
    setText(ui.maxCap, 'pooling.maxCaption', { h: ho, w: wo });
    setText(ui.avgCap, 'pooling.avgCaption', { h: ho, w: wo });
    // The current window's values, the kept one marked.
    const cells = windowCells(at, w);
    const kept = (r.choices[win * c + channel] - channel) / c;
    ui.cells.style.gridTemplateColumns = `repeat(${at.right - at.left}, 3.6rem)`;
    ui.cells.replaceChildren(...cells.map((cell) => {
      const span = document.createElement('span');
      span.textContent = num(map[cell], 3);
      span.title = String(map[cell]);
      if (cell === kept) span.classList.add('kept');
      return span;
    }));
    setText(ui.winTitle, 'pooling.window', { i: wi, j: wj });
    ui.maxv.textContent = `${ctx.t('pooling.max')} = ${num(mx[win], 4)}`;
    ui.maxv.dataset.value = String(mx[win]);
    ui.avgv.textContent = `${ctx.t('pooling.avg')} = ${num(av[win], 4)}`;
    ui.avgv.dataset.value = String(av[win]);
    setText(ui.sizes, 'pooling.sizes', { h, w, ho, wo, in: h * w, out: ho * wo });
    setText(ui.dropped, 'pooling.dropped', { pct: ctx.fmt.pct(r.dropped) });
    ui.uncovered.hidden = r.uncovered === 0;
    setText(ui.uncovered, 'pooling.uncovered', { n: r.uncovered, h, k, ho });
    setText(ui.params, 'pooling.noParams', { k, s: r.stride });
  }

  function showWindow(i) {
    if (!data) return;
    const [ho, wo] = data.outShape;
    const n = ho * wo;
    win = ((i % n) + n) % n;
    render();
  }

  function stop() {
    playing = false;
    clearTimeout(timer);
    setText(ui.play, 'pooling.play');
    ui.play.setAttribute('aria-pressed', 'false');
  }

  function tick() {
    if (!playing) return;
    showWindow(win + 1);
    timer = setTimeout(tick, 350);
  }

  ui.layer.addEventListener('change', () => {
    layer = Number(ui.layer.value);
    channel = null;
    win = 0;
    fetchPool();
  });
  ui.channel.addEventListener('change', () => {
    channel = Number(ui.channel.value);
    ctx.url.write('pool', { layer, channel });
    render();
  });
  ui.prev.addEventListener('click', () => {
    stop();
    showWindow(win - 1);
  });
  ui.next.addEventListener('click', () => {
    stop();
    showWindow(win + 1);
  });
  ui.play.addEventListener('click', () => {
    if (playing) return stop();
    playing = true;
    setText(ui.play, 'pooling.pause');
    ui.play.setAttribute('aria-pressed', 'true');
    tick();
  });
  ui.inCanvas.addEventListener('pointerdown', (e) => pick(e));
  ui.inCanvas.addEventListener('pointermove', (e) => {
    if (e.pointerType === 'mouse' && !playing) pick(e);
  });
  ui.inCanvas.addEventListener('keydown', (e) => {
    if (!data) return;
    const wo = data.outShape[1];
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -wo, ArrowDown: wo };
    if (!(e.key in moves)) return;
    e.preventDefault();
    stop();
    showWindow(win + moves[e.key]);
  });
  function pick(e) {
    if (!data) return;
    const [h, w] = data.inShape;
    const [ho, wo] = data.outShape;
    const rect = ui.inCanvas.getBoundingClientRect();
    const row = Math.floor(((e.clientY - rect.top) / rect.height) * h);
    const col = Math.floor(((e.clientX - rect.left) / rect.width) * w);
    if (row < 0 || col < 0) return;
    const i = windowUnder(data.windows, ho, wo, row, col);
    if (i !== win) {
      stop();
      showWindow(i);
    }
  }

  ctx.on('model', () => {
    data = null;
    experiment.clear();
    refresh();
  });
  ctx.on('prediction', refresh);
  ctx.on('lang', () => {
    if (data) render();
    experiment.render();
  });
  refresh();
}
