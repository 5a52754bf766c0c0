// views/convstep.js: the convolution step-through. The kernel window slides
// over a conv layer's input (the current input's own maps, from the trace);
// at each position the engine's convWindow gives the values under the
// kernel, the kernel, their products, the per-channel sums, the bias, the
// activation and the output, which this view lays out. The position lives
// in the URL (conv=layer,y,x,filter).

import { convLayers, parsePos, formatPos, fitPos, step, move, cellAt } from './convstep-state.js';
import { grey, signed, extent, maxAbs, num, textColour } from './convstep-paint.js';

const TEXTS = {
  en: {
    'convstep.title': 'Convolution, one step at a time',
    'convstep.intro': 'A convolution layer slides a small grid of weights, the kernel, over its input. At every position it multiplies each input value under the kernel by the weight on top of it, adds all these products up, adds a bias, and passes the result through an activation (ReLU here: negative becomes 0). That one number is one pixel of the output map. Watch it happen on your own drawing.',
    'convstep.layer': 'Layer',
    'convstep.filter': 'Filter (output channel)',
    'convstep.channel': 'Input channel shown',
    'convstep.prev': '◀ Step back',
    'convstep.play': '▶ Play',
    'convstep.pause': '❚❚ Pause',
    'convstep.next': 'Step ▶',
    'convstep.speed': 'Speed',
    'convstep.perSec': '{n} steps/s',
    'convstep.position': 'Position: row {y}, column {x}',
    'convstep.inputCaption': 'Input to {layer}: channel {c} of {channels}, {h}×{w}. The frame is the kernel window; the hatched border is zero padding.',
    'convstep.inputCaption1': 'Input to {layer}: the standardized image, {h}×{w}. The frame is the kernel window; the hatched border is zero padding.',
    'convstep.outputCaption': 'Output of {layer}, filter {f}: {h}×{w}. The ringed pixel is the one being computed.',
    'convstep.canvasLabel': 'Input map with the kernel window. Move the pointer or use the arrow keys to move the window; space plays or pauses.',
    'convstep.outputLabel': 'Output feature map with the current pixel marked.',
    'convstep.window': 'Input under the kernel',
    'convstep.kernel': 'Kernel weights',
    'convstep.products': 'Products',
    'convstep.channelOf': '(channel {c})',
    'convstep.sums': 'One partial sum per input channel: the kernel has a {k}×{k} slice for each of the {channels} channels, and their products are added up channel by channel. Pick a channel to see its slice.',
    'convstep.sumOne': 'Sum of the {n} products',
    'convstep.ch': 'ch {c}',
    'convstep.sumMany': 'Sum of the {channels} channel sums',
    'convstep.bias': '+ bias',
    'convstep.pre': '= pre-activation z',
    'convstep.relu': 'ReLU: max(0, z)',
    'convstep.linear': 'linear: z unchanged',
    'convstep.act': '{name}(z)',
    'convstep.output': 'Output map at (row {y}, column {x})',
    'convstep.legend': 'Grey: low to high values of this map. Weights and products: blue negative, white zero, red positive.',
    'convstep.padNote': 'With "same" padding the layer adds a border of zeros, so the window can centre on edge pixels and the output keeps the input size. Padding cells add nothing: their products are 0.',
    'convstep.noConv': 'This model has no convolution layer.',
    'convstep.waiting': 'Draw something or pick a test image to see the convolution on it.',
    'convstep.error': 'The engine could not explain this position: {error}',
  },
  zh: {
    'convstep.title': '卷积，一步一步看',
    'convstep.intro': '卷积层让一个小小的权重网格（卷积核）在输入上滑动。在每个位置，它把核下面的每个输入值和覆盖在上面的权重相乘，把这些乘积全部加起来，再加上偏置，最后经过激活函数（这里是 ReLU：负数变成 0）。得到的这一个数，就是输出特征图上的一个像素。用你自己画的图来观察这个过程。',
    'convstep.layer': '层',
    'convstep.filter': '卷积核（输出通道）',
    'convstep.channel': '显示的输入通道',
    'convstep.prev': '◀ 后退一步',
    'convstep.play': '▶ 播放',
    'convstep.pause': '❚❚ 暂停',
    'convstep.next': '前进一步 ▶',
    'convstep.speed': '速度',
    'convstep.perSec': '每秒 {n} 步',
    'convstep.position': '位置：第 {y} 行，第 {x} 列',
    'convstep.inputCaption': '{layer} 的输入：第 {c} 个通道（共 {channels} 个），{h}×{w}。方框是卷积核窗口，斜线边框是补零（padding）。',
    'convstep.inputCaption1': '{layer} 的输入：标准化后的图像，{h}×{w}。方框是卷积核窗口，斜线边框是补零（padding）。',
    'convstep.outputCaption': '{layer} 的输出，第 {f} 个卷积核：{h}×{w}。圈出的像素就是正在计算的那一个。',
    'convstep.canvasLabel': '带卷积核窗口的输入特征图。移动指针或用方向键移动窗口；空格键播放或暂停。',
    'convstep.outputLabel': '输出特征图，标出了当前像素。',
    'convstep.window': '核下面的输入',
    'convstep.kernel': '卷积核权重',
    'convstep.products': '逐项乘积',
    'convstep.channelOf': '（第 {c} 个通道）',
    'convstep.sums': '每个输入通道一个部分和：卷积核对 {channels} 个通道各有一片 {k}×{k} 的权重，乘积按通道分别相加。选一个通道，看它的那一片。',
    'convstep.sumOne': '{n} 个乘积之和',
    'convstep.ch': '通道 {c}',
    'convstep.sumMany': '{channels} 个通道部分和之和',
    'convstep.bias': '+ 偏置',
    'convstep.pre': '= 激活前的值 z',
    'convstep.relu': 'ReLU：max(0, z)',
    'convstep.linear': '线性：z 保持不变',
    'convstep.act': '{name}(z)',
    'convstep.output': '输出特征图在（第 {y} 行，第 {x} 列）的值',
    'convstep.legend': '灰度：这张特征图从低到高的值。权重和乘积：蓝色为负，白色为零，红色为正。',
    'convstep.padNote': '用 "same" 补零时，这一层会在四周加一圈 0，这样窗口也能以边缘像素为中心，输出的尺寸和输入一样。补零的格子不起作用：它们的乘积都是 0。',
    'convstep.noConv': '这个模型没有卷积层。',
    'convstep.waiting': '画点什么，或者选一张测试图片，就能看到卷积在上面的计算过程。',
    'convstep.error': '引擎无法解释这个位置：{error}',
  },
};

const PAD_RGB = [214, 220, 232];

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
    sumsBox: $('.cs-sums-box'), sumline: $('.cs-sumline'), sumsNote: $('.cs-sums-note'), sums: $('.cs-sums'), eq: $('.cs-eq tbody'), error: $('.cs-error'),
  };

  let pos = parsePos(ctx.url.get('conv'));
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
    fillSelect(ui.filter, layerInfo(pos.layer).outShape[2], (i) => String(i));
    ui.filter.value = String(pos.filter);
    return true;
  }

  function setPos(next, { keepPlaying = false } = {}) {
    if (!keepPlaying) stop();
    const fitted = fitPos(next, model());
    if (!fitted) return;
    if (fitted.layer !== pos.layer) {
      shownChannel = 0;
      fillSelect(ui.filter, layerInfo(fitted.layer).outShape[2], (i) => String(i));
    }
    pos = fitted;
    ui.layer.value = String(pos.layer);
    ui.filter.value = String(pos.filter);
    ctx.url.set('conv', formatPos(pos));
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

  function paint(canvas, map, h, w, c, channel, pad) {
    const [pt, pl, pb, pr] = pad;
    const W = w + pl + pr;
    const H = h + pt + pb;
    canvas.width = W;
    canvas.height = H;
    const g = canvas.getContext('2d');
    const img = g.createImageData(W, H);
    const { lo, hi } = extent(map, channel, c);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = 4 * (y * W + x);
        const iy = y - pt;
        const ix = x - pl;
        let rgb;
        if (iy < 0 || iy >= h || ix < 0 || ix >= w) rgb = (x + y) % 2 ? PAD_RGB : [236, 239, 245];
        else {
          const v = grey(map[(iy * w + ix) * c + channel], lo, hi);
          rgb = [v, v, v];
        }
        img.data.set([...rgb, 255], i);
      }
    }
    g.putImageData(img, 0, 0);
  }

  function place(box, canvas, top, left, size, cellsH, cellsW) {
    Object.assign(box.style, {
      top: `${(100 * top) / cellsH}%`, left: `${(100 * left) / cellsW}%`,
      width: `${(100 * size) / cellsW}%`, height: `${(100 * size) / cellsH}%`,
    });
  }

  function grid(el, values, k, c, channel, colour, inside) {
    el.style.gridTemplateColumns = `repeat(${k}, 3.4rem)`;
    const cells = [];
    for (let i = 0; i < k * k; i++) {
      const v = values[i * c + channel];
      const cell = document.createElement('span');
      const rgb = colour(v);
      cell.textContent = num(v, 3);
      cell.title = String(v);
      cell.style.background = `rgb(${rgb.join(',')})`;
      cell.style.color = textColour(rgb);
      if (inside && !inside[i]) cell.classList.add('pad');
      cells.push(cell);
    }
    el.replaceChildren(...cells);
  }

  function render(r, pred) {
    last = r;
    hook.shown++;
    const [h, w, c] = r.inShape;
    const [oh, ow, f] = r.outShape;
    const k = r.k;
    shownChannel = Math.min(shownChannel, c - 1);
    const padBottom = Math.max(0, (oh - 1) * r.stride - r.padTop + k - h);
    const padRight = Math.max(0, (ow - 1) * r.stride - r.padLeft + k - w);
    const pad = [r.padTop, r.padLeft, padBottom, padRight];
    const name = r.name;
    // The input map, drawn with its padding, and the window on it.
    paint(ui.inCanvas, inputMap(pred, r.layer), h, w, c, shownChannel, pad);
    place(ui.win, ui.inCanvas, r.top + r.padTop, r.left + r.padLeft, k, h + r.padTop + padBottom, w + r.padLeft + padRight);
    // The output map with the current pixel ringed.
    paint(ui.outCanvas, pred.trace[r.layer].output, oh, ow, f, r.filter, [0, 0, 0, 0]);
    place(ui.mark, ui.outCanvas, r.y, r.x, 1, oh, ow);
    setText(ui.inCap, c > 1 ? 'convstep.inputCaption' : 'convstep.inputCaption1', { layer: name, c: shownChannel, channels: c, h, w });
    setText(ui.outCap, 'convstep.outputCaption', { layer: name, f: r.filter, h: oh, w: ow });
    setText(ui.pos, 'convstep.position', { y: r.y, x: r.x });
    // The grids of one channel's slice.
    const wm = Math.max(maxAbs(r.window), 1e-6);
    const km = Math.max(maxAbs(r.kernel), 1e-6);
    const pm = Math.max(maxAbs(r.products), 1e-6);
    grid(ui.gWindow, r.window, k, c, shownChannel, (v) => signed(v, wm), r.inside);
    grid(ui.gKernel, r.kernel, k, c, shownChannel, (v) => signed(v, km));
    grid(ui.gProducts, r.products, k, c, shownChannel, (v) => signed(v, pm), r.inside);
    ui.chOf.hidden = c === 1;
    setText(ui.chOf, 'convstep.channelOf', { c: shownChannel });
    // Channel sums, one chip per input channel.
    ui.sumsBox.hidden = c === 1;
    ui.channelLabel.hidden = c === 1;
    if (c > 1) {
      fillSelect(ui.channel, c, (i) => String(i));
      ui.channel.value = String(shownChannel);
      setText(ui.sumsNote, 'convstep.sums', { k, channels: c });
      const sm = Math.max(maxAbs(r.channelSums), 1e-6);
      ui.sums.replaceChildren(...Array.from(r.channelSums, (v, i) => {
        const b = document.createElement('button');
        b.type = 'button';
        const rgb = signed(v, sm);
        b.style.background = `rgb(${rgb.join(',')})`;
        b.style.color = textColour(rgb);
        b.textContent = `${i}: ${num(v, 2)}`;
        b.title = String(v);
        b.setAttribute('aria-pressed', String(i === shownChannel));
        b.addEventListener('click', () => {
          shownChannel = i;
          render(last, ctx.state.prediction || pred);
        });
        return b;
      }));
      ui.sumline.textContent = sumLine(r.channelSums, r.sum);
    }
    // The sum, the bias, the activation, the output.
    const rows = [
      [c > 1 ? ctx.t('convstep.sumMany', { channels: c }) : ctx.t('convstep.sumOne', { n: k * k }), r.sum, 'cs-sum'],
      [ctx.t('convstep.bias'), r.bias, 'cs-bias'],
      [ctx.t('convstep.pre'), r.preActivation, 'cs-pre'],
      [r.activation === 'relu' ? ctx.t('convstep.relu') : r.activation === 'linear' ? ctx.t('convstep.linear') : ctx.t('convstep.act', { name: r.activation }), r.activated, 'cs-act'],
      [ctx.t('convstep.output', { y: r.y, x: r.x }), r.output, 'cs-output'],
    ];
    ui.eq.replaceChildren(...rows.map(([label, v, cls]) => {
      const tr = document.createElement('tr');
      tr.className = cls;
      const th = document.createElement('th');
      th.textContent = label;
      const td = document.createElement('td');
      td.className = 'num';
      td.textContent = num(v, 4);
      td.dataset.value = String(v);
      tr.append(th, td);
      return tr;
    }));
  }

  /** sumLine writes the channel sums as one addition: the first three, the last, and the engine's total. */
  function sumLine(sums, total) {
    const term = (i) => `${ctx.t('convstep.ch', { c: i })} (${num(sums[i], 3)})`;
    const n = sums.length;
    const terms = n <= 5 ? Array.from(sums, (_, i) => term(i)) : [term(0), term(1), term(2), '…', term(n - 1)];
    return `${terms.join(' + ')} = ${num(total, 4)}`;
  }

  function setText(el, key, vars) {
    el.dataset.i18n = key;
    el.dataset.i18nVars = JSON.stringify(vars);
    el.textContent = ctx.t(key, vars);
  }

  function showSpeed() {
    setText(ui.speedOut, 'convstep.perSec', { n: ui.speed.value });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!playing || !last) return;
      const [oh, ow] = last.outShape;
      pos = step(pos, 1, oh, ow);
      ctx.url.set('conv', formatPos(pos));
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
