// views/pooling.js: the pooling lesson on the current input. The engine's
// poolCompare gives a max-pooling layer's input map, its max-pooled output,
// the average-pooled output of the same map and the positions max pooling
// kept; the view steps a window over the map and shows both side by side.
// The shift experiment asks the engine (shiftCompare) how much every
// layer's output changes when the drawing moves by 1 or 2 pixels. The
// layer and channel shown live in the URL (pool=layer,channel).

import { poolLayers, poolPairs, windowCells, argmax, parsePool } from './pooling-shift.js';
import { extent, num } from './convstep-paint.js';
import { paintCells, frame, gridLines, scaleFor } from './pooling-canvas.js';

const TEXTS = {
  en: {
    'pooling.title': 'Pooling: keep the strongest, drop the rest',
    'pooling.intro': 'A pooling layer shrinks every feature map. Max pooling cuts the map into small windows (here 2×2, side by side, not overlapping) and keeps only the largest value of each; average pooling keeps their mean instead. Pooling has no weights to learn: only its window size and stride. Below, both kinds run on the same map of your drawing.',
    'pooling.layer': 'Pooling layer',
    'pooling.channel': 'Channel',
    'pooling.prev': '◀ Previous window',
    'pooling.play': '▶ Play',
    'pooling.pause': '❚❚ Pause',
    'pooling.next': 'Next window ▶',
    'pooling.inCaption': 'Input of {layer}, channel {c}: {h}×{w}. Thin lines: the {k}×{k} windows; orange: the value each window keeps; thick frame: the current window.',
    'pooling.maxCaption': 'Max pooling: {h}×{w}',
    'pooling.avgCaption': 'Average pooling: {h}×{w}',
    'pooling.window': 'Window ({i}, {j})',
    'pooling.max': 'max',
    'pooling.avg': 'average',
    'pooling.sizes': '{h}×{w} → {ho}×{wo} per channel: {in} values become {out}.',
    'pooling.dropped': '{pct} of the values are dropped.',
    'pooling.uncovered': 'The map has an odd size, so {n} cells (the last row and column) are in no window at all: pooling floors {h} / {k} to {ho}.',
    'pooling.noParams': 'No parameters: the layer has only a size ({k}) and a stride ({s}).',
    'pooling.mapLabel': 'Feature map before pooling, with the pooling windows',
    'pooling.maxLabel': 'Max-pooled map',
    'pooling.avgLabel': 'Average-pooled map',
    'pooling.legend': 'All three maps share one grey scale (black: lowest value of the input map, white: highest), so max and average can be compared: max is never darker than average.',
    'pooling.none': 'This model has no max-pooling layer.',
    'pooling.waiting': 'Draw something or pick a test image to see pooling on it.',
    'pooling.error': 'The engine could not pool this map: {error}',
    'pooling.shiftTitle': 'Experiment: move the drawing a little',
    'pooling.shiftIntro': 'Pooling is said to make a network less sensitive to small shifts. Test it: move the current input by 1 or 2 pixels and see how much every layer\'s output changes. The change is the average size of the difference between the two outputs, as a share of the original output\'s average size (0% = identical).',
    'pooling.amount': 'Shift by',
    'pooling.px': '{n} px',
    'pooling.left': '← Left',
    'pooling.right': 'Right →',
    'pooling.up': '↑ Up',
    'pooling.down': '↓ Down',
    'pooling.shifted': 'Shifted {dx} px right and {dy} px down (negative: left, up). The cells that come in are blank.',
    'pooling.orig': 'Input',
    'pooling.moved': 'Shifted',
    'pooling.origLabel': 'The input as the model sees it',
    'pooling.movedLabel': 'The input shifted by the engine',
    'pooling.layerCol': 'Layer',
    'pooling.shapeCol': 'Output',
    'pooling.changeCol': 'Change',
    'pooling.pair': '{pool}: {before} before pooling → {after} after it.',
    'pooling.pairLess': 'Here pooling made the change smaller.',
    'pooling.pairMore': 'Here pooling did not make the change smaller.',
    'pooling.prediction': 'Prediction: {a} ({pa}) before, {b} ({pb}) after the shift.',
    'pooling.honest': 'What this shows: a 1-pixel shift moves every edge the first convolution finds, so its maps change a lot. Max pooling keeps the largest value of each window; when the strong responses only move inside their windows, the pooled values stay the same, so the change after pooling tends to be smaller. A 2-pixel shift moves everything by exactly one pooled cell, which pooling cannot hide. So pooling gives some robustness to small shifts, not full invariance, and the price is that the exact position inside each window is lost.',
  },
  zh: {
    'pooling.title': '池化：留下最强的，丢掉其余的',
    'pooling.intro': '池化层把每张特征图缩小。最大池化把特征图切成小窗口（这里是 2×2，一个挨一个，不重叠），每个窗口只留下最大的那个值；平均池化则留下窗口的平均值。池化没有需要学习的权重，只有窗口大小和步幅。下面两种池化作用在你的画的同一张特征图上。',
    'pooling.layer': '池化层',
    'pooling.channel': '通道',
    'pooling.prev': '◀ 上一个窗口',
    'pooling.play': '▶ 播放',
    'pooling.pause': '❚❚ 暂停',
    'pooling.next': '下一个窗口 ▶',
    'pooling.inCaption': '{layer} 的输入，第 {c} 个通道：{h}×{w}。细线：{k}×{k} 的窗口；橙色：每个窗口留下的值；粗框：当前窗口。',
    'pooling.maxCaption': '最大池化：{h}×{w}',
    'pooling.avgCaption': '平均池化：{h}×{w}',
    'pooling.window': '窗口 ({i}, {j})',
    'pooling.max': '最大值',
    'pooling.avg': '平均值',
    'pooling.sizes': '每个通道 {h}×{w} → {ho}×{wo}：{in} 个值变成 {out} 个。',
    'pooling.dropped': '{pct} 的值被丢掉了。',
    'pooling.uncovered': '特征图的边长是奇数，所以有 {n} 个格子（最后一行和最后一列）不在任何窗口里：池化把 {h} / {k} 向下取整为 {ho}。',
    'pooling.noParams': '没有参数：这一层只有窗口大小（{k}）和步幅（{s}）。',
    'pooling.mapLabel': '池化前的特征图，画出了池化窗口',
    'pooling.maxLabel': '最大池化后的特征图',
    'pooling.avgLabel': '平均池化后的特征图',
    'pooling.legend': '三张图用同一个灰度（黑：输入特征图的最小值，白：最大值），所以可以直接比较最大池化和平均池化：最大值永远不会比平均值暗。',
    'pooling.none': '这个模型没有最大池化层。',
    'pooling.waiting': '画点什么，或者选一张测试图片，就能看到池化的效果。',
    'pooling.error': '引擎无法对这张特征图做池化：{error}',
    'pooling.shiftTitle': '实验：把图稍微挪一下',
    'pooling.shiftIntro': '人们常说池化让网络对小的平移不那么敏感。来检验一下：把当前输入移动 1 或 2 个像素，看看每一层的输出变化有多大。变化量 = 两次输出之差的平均大小，占原输出平均大小的比例（0% 表示完全相同）。',
    'pooling.amount': '移动',
    'pooling.px': '{n} 像素',
    'pooling.left': '← 向左',
    'pooling.right': '向右 →',
    'pooling.up': '↑ 向上',
    'pooling.down': '↓ 向下',
    'pooling.shifted': '向右移动 {dx} 像素，向下移动 {dy} 像素（负数表示向左、向上）。移进来的格子是空白。',
    'pooling.orig': '输入',
    'pooling.moved': '平移后',
    'pooling.origLabel': '模型看到的输入',
    'pooling.movedLabel': '引擎平移后的输入',
    'pooling.layerCol': '层',
    'pooling.shapeCol': '输出',
    'pooling.changeCol': '变化',
    'pooling.pair': '{pool}：池化前 {before} → 池化后 {after}。',
    'pooling.pairLess': '在这里，池化让变化变小了。',
    'pooling.pairMore': '在这里，池化没有让变化变小。',
    'pooling.prediction': '预测：平移前是 {a}（{pa}），平移后是 {b}（{pb}）。',
    'pooling.honest': '这说明了什么：移动 1 个像素，第一层卷积找到的所有边缘都跟着移动，所以它的特征图变化很大。最大池化只保留每个窗口里的最大值；如果强响应只是在各自的窗口内部移动，池化后的值就不变，所以池化之后的变化往往更小。移动 2 个像素则会让所有东西恰好移动一个池化格子，池化就掩盖不了了。所以池化只带来一定程度的平移鲁棒性，而不是完全不变；代价是丢掉了窗口内的精确位置。',
  },
};

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
    amount: $('.pl-amount'), shiftOut: $('.pl-shift-out'), orig: $('.pl-orig'), moved: $('.pl-moved'), shifted: $('.pl-shifted'), changes: $('.pl-changes tbody'), pairs: $('.pl-pairs'), pred: $('.pl-pred'),
  };

  const saved = parsePool(ctx.url.get('pool'));
  let layer = saved ? saved.layer : null;
  let channel = saved ? saved.channel : null; // null: pick the most active channel
  let win = 0; // the current window, row-major over the output
  let data = null; // the last poolCompare result
  let shift = null; // the last shiftCompare result
  let asked = 0;
  let playing = false;
  let timer = 0;
  const hook = { get data() { return data; }, get shift() { return shift; }, get win() { return win; }, get channel() { return channel; }, setWindow: (i) => showWindow(i), shiftBy };
  if (globalThis.convplay) globalThis.convplay.views.pooling = hook;

  function setText(el, key, vars = {}) {
    el.dataset.i18n = key;
    el.dataset.i18nVars = JSON.stringify(vars);
    el.textContent = ctx.t(key, vars);
  }

  function pct(x) {
    return ctx.fmt.pct(x);
  }

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
    if (shift) shiftBy(shift.dx, shift.dy);
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
      if (channel === null || channel >= c) channel = mostActive(r);
      ui.channel.replaceChildren(...Array.from({ length: c }, (_, i) => new Option(String(i), String(i))));
      ui.channel.value = String(channel);
      ctx.url.set('pool', `${layer},${channel}`);
      const [ho, wo] = r.outShape;
      win = Math.min(win, ho * wo - 1);
      render();
    } catch (err) {
      if (id !== asked) return;
      ui.error.hidden = false;
      setText(ui.error, 'pooling.error', { error: err.message });
    }
  }

  /** mostActive is the channel whose input map has the largest total (a lively map to start on). */
  function mostActive(r) {
    const c = r.inShape[2];
    const totals = new Float64Array(c);
    for (let i = 0; i < r.input.length; i++) totals[i % c] += r.input[i];
    return argmax(totals);
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
    const { lo, hi } = extent(map);
    const sIn = scaleFor(w, 336);
    const g = paintCells(ui.inCanvas, map, h, w, lo, hi, sIn);
    gridLines(g, ho * r.stride, wo * r.stride, k, sIn, 'rgba(90, 140, 220, 0.55)');
    for (let i = 0; i < ho * wo; i++) {
      const cell = (r.choices[i * c + channel] - channel) / c;
      frame(g, Math.floor(cell / w), cell % w, 1, 1, sIn, KEEP, Math.max(1.5, sIn / 8));
    }
    const wi = Math.floor(win / wo);
    const wj = win % wo;
    frame(g, wi * r.stride, wj * r.stride, k, k, sIn, '#e8590c', Math.max(3, sIn / 3));
    const sOut = scaleFor(wo, 160);
    for (const [canvas, vals] of [[ui.maxCanvas, mx], [ui.avgCanvas, av]]) {
      const go = paintCells(canvas, vals, ho, wo, lo, hi, sOut);
      frame(go, wi, wj, 1, 1, sOut, '#e8590c', Math.max(2, sOut / 4));
    }
    setText(ui.inCap, 'pooling.inCaption', { layer: r.name, c: channel, h, w, k });
    setText(ui.maxCap, 'pooling.maxCaption', { h: ho, w: wo });
    setText(ui.avgCap, 'pooling.avgCaption', { h: ho, w: wo });
    // The current window's values, the kept one marked.
    const cells = windowCells(wi, wj, k, r.stride, w);
    const kept = (r.choices[win * c + channel] - channel) / c;
    ui.cells.style.gridTemplateColumns = `repeat(${k}, 3.6rem)`;
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
    setText(ui.dropped, 'pooling.dropped', { pct: pct(r.dropped) });
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

  async function shiftBy(dx, dy) {
    const pred = ctx.state.prediction;
    if (!pred || ctx.state.engine !== 'ready') return;
    try {
      const pixels = pred.input.pixels.slice();
      const r = await ctx.request('shiftCompare', { pixels, dx, dy }, { transfer: [pixels.buffer] });
      if (ctx.state.prediction !== pred) return;
      shift = r;
      renderShift();
    } catch (err) {
      ui.error.hidden = false;
      setText(ui.error, 'pooling.error', { error: err.message });
    }
  }

  function renderShift() {
    const r = shift;
    ui.shiftOut.hidden = false;
    setText(ui.shifted, 'pooling.shifted', { dx: r.dx, dy: r.dy });
    const input = ctx.state.prediction && ctx.state.prediction.input.pixels;
    if (input && input.length === r.shifted.length) {
      const side = Math.round(Math.sqrt(input.length));
      const { lo, hi } = extent(input);
      paintCells(ui.orig, input, side, side, lo, hi, 4);
      paintCells(ui.moved, r.shifted, side, side, lo, hi, 4);
    }
    const top = Math.max(...r.layers.map((l) => (Number.isFinite(l.change) ? l.change : 0)), 1e-9);
    ui.changes.replaceChildren(...r.layers.map((l, i) => {
      const tr = document.createElement('tr');
      if (l.type === 'MaxPooling2D') tr.className = 'pool';
      else if (r.layers[i + 1] && r.layers[i + 1].type === 'MaxPooling2D') tr.className = 'before-pool';
      const name = document.createElement('td');
      name.textContent = l.name;
      name.title = l.type;
      const shape = document.createElement('td');
      shape.textContent = l.shape.join('×');
      const change = document.createElement('td');
      change.className = 'pl-change';
      change.dataset.value = String(l.change);
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${(4 * Math.min(1, (Number.isFinite(l.change) ? l.change : top) / top)).toFixed(2)}rem`;
      const label = document.createElement('span');
      label.textContent = pct(l.change);
      change.append(bar, label);
      tr.append(name, shape, change);
      return tr;
    }));
    ui.pairs.replaceChildren(...poolPairs(r.layers).map(({ before, after }) => {
      const li = document.createElement('li');
      li.textContent = `${ctx.t('pooling.pair', { pool: after.name, before: pct(before.change), after: pct(after.change) })} ${ctx.t(after.change < before.change ? 'pooling.pairLess' : 'pooling.pairMore')}`;
      return li;
    }));
    const a = argmax(r.probsBefore);
    const b = argmax(r.probsAfter);
    ui.pred.textContent = ctx.t('pooling.prediction', { a: ctx.className(a), pa: pct(r.probsBefore[a]), b: ctx.className(b), pb: pct(r.probsAfter[b]) });
  }

  function showAmounts() {
    for (const o of ui.amount.options) o.textContent = ctx.t('pooling.px', { n: o.value });
  }

  ui.layer.addEventListener('change', () => {
    layer = Number(ui.layer.value);
    channel = null;
    win = 0;
    fetchPool();
  });
  ui.channel.addEventListener('change', () => {
    channel = Number(ui.channel.value);
    ctx.url.set('pool', `${layer},${channel}`);
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
  section.querySelector('.pl-shift').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-dir]');
    if (!b) return;
    const [dx, dy] = b.dataset.dir.split(',').map(Number);
    const n = Number(ui.amount.value);
    shiftBy(dx * n, dy * n);
  });

  function pick(e) {
    if (!data) return;
    const [h, w] = data.inShape;
    const [ho, wo] = data.outShape;
    const rect = ui.inCanvas.getBoundingClientRect();
    const row = Math.floor(((e.clientY - rect.top) / rect.height) * h);
    const col = Math.floor(((e.clientX - rect.left) / rect.width) * w);
    const i = Math.min(ho - 1, Math.floor(row / data.stride));
    const j = Math.min(wo - 1, Math.floor(col / data.stride));
    if (i >= 0 && j >= 0 && i * wo + j !== win) {
      stop();
      showWindow(i * wo + j);
    }
  }

  ctx.on('model', () => {
    data = null;
    shift = null;
    ui.shiftOut.hidden = true;
    refresh();
  });
  ctx.on('prediction', refresh);
  ctx.on('lang', () => {
    showAmounts();
    if (data) render();
    if (shift) renderShift();
  });
  showAmounts();
  refresh();
}
