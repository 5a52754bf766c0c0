// views/fcn/fcn.js: the fully convolutional network note. One feature map of
// the current input (after pooling, say 7x7) is grown back by the engine's
// own Conv2DTranspose layer (transposeDemo), with two fixed kernels: "copy"
// (2x2 ones, stride 2) and "blend" (a 3x3 tent, stride 2, same), one to
// three times; the view shows the map, the kernels and every stage.

import { range, num, diverging, textColour } from '../shared/paint.js';
import { paintCells, scaleFor } from '../shared/cells.js';
import { mostActive } from '../shared/argmax.js';

const TEXTS = {
  en: {
    'fcn.title': 'Growing maps back: transposed convolution',
    'fcn.intro': 'A classifier like this one shrinks its maps (28 → 14 → 7 → 3) and ends in dense layers that give one answer for the whole image. A fully convolutional network (FCN) has no dense layers: after shrinking, it grows the maps back to the input\'s size with transposed convolutions (sometimes called "deconvolutions"), so it can give an answer for every pixel. That is how segmentation works: the output says, pixel by pixel, which class each pixel belongs to (shirt, background, …).',
    'fcn.how': 'A transposed convolution runs a convolution backwards: every input cell stamps the kernel onto the output, scaled by the cell\'s value. With stride 2 the stamps land two cells apart, so each side doubles; where stamps overlap, they add up. Here the engine\'s Conv2DTranspose layer runs with two kernels fixed by hand, to show the mechanics; in an FCN these kernels are learned like any other weights.',
    'fcn.layer': 'Map from layer',
    'fcn.channel': 'Channel',
    'fcn.steps': 'Times',
    'fcn.start': 'The map: {layer}, channel {c}, {h}×{w}',
    'fcn.copy': 'Kernel "copy": {k}×{k}, stride {s}, {padding}. Each cell becomes a {k}×{k} block: the map grows but stays blocky.',
    'fcn.blend': 'Kernel "blend": {k}×{k} tent, stride {s}, {padding}. Neighbouring stamps overlap and add up, so the grown map is smooth between the original cells.',
    'fcn.stage': '{h}×{w}',
    'fcn.kernel': 'Kernel',
    'fcn.overlay': 'The blended map laid over the input ({h}×{w}): a rough picture of where this channel responded, at the input\'s own resolution. A trained segmentation network produces such a map for each class.',
    'fcn.mapLabel': 'Feature map before growing',
    'fcn.stageLabel': 'Map grown to {h}×{w}',
    'fcn.overlayLabel': 'Grown map over the input image',
    'fcn.waiting': 'Draw something or pick a test image to see a map grow back.',
    'fcn.none': 'This model has no feature maps to grow.',
    'fcn.error': 'The engine could not grow this map: {error}',
  },
  zh: {
    'fcn.title': '把特征图放大回去：转置卷积',
    'fcn.intro': '像这样的分类网络会不断缩小特征图（28 → 14 → 7 → 3），最后用全连接层对整张图给出一个答案。全卷积网络（FCN）没有全连接层：缩小之后，它用转置卷积（有时叫"反卷积"）把特征图放大回输入的尺寸，于是能对每一个像素给出答案。语义分割就是这样做的：输出逐个像素地告诉你，每个像素属于哪一类（衣服、背景……）。',
    'fcn.how': '转置卷积就像把卷积倒过来做：每个输入格子按自己的值缩放卷积核，再把它"盖章"到输出上。步幅为 2 时，相邻的章相隔两格，所以每条边长加倍；章与章重叠的地方相加。这里引擎的 Conv2DTranspose 层用两个手工固定的卷积核来演示原理；在真正的 FCN 里，这些卷积核和其他权重一样是学出来的。',
    'fcn.layer': '特征图来自',
    'fcn.channel': '通道',
    'fcn.steps': '放大次数',
    'fcn.start': '原特征图：{layer}，第 {c} 个通道，{h}×{w}',
    'fcn.copy': '卷积核"复制"：{k}×{k}，步幅 {s}，{padding}。每个格子变成一个 {k}×{k} 的方块：图变大了，但还是一块一块的。',
    'fcn.blend': '卷积核"混合"：{k}×{k} 的帐篷形，步幅 {s}，{padding}。相邻的章互相重叠并相加，所以放大后的图在原来的格子之间是平滑过渡的。',
    'fcn.stage': '{h}×{w}',
    'fcn.kernel': '卷积核',
    'fcn.overlay': '把"混合"放大后的图叠在输入上（{h}×{w}）：大致显示这个通道在输入的哪些位置有响应，分辨率和输入一样。训练好的分割网络会为每一类输出这样一张图。',
    'fcn.mapLabel': '放大前的特征图',
    'fcn.stageLabel': '放大到 {h}×{w} 的特征图',
    'fcn.overlayLabel': '叠在输入图像上的放大特征图',
    'fcn.waiting': '画点什么，或者选一张测试图片，就能看到特征图被放大回去。',
    'fcn.none': '这个模型没有可以放大的特征图。',
    'fcn.error': '引擎无法放大这张特征图：{error}',
  },
};

/** mapLayers lists the layers whose output is a stack of maps (H, W, C), from the model. */
function mapLayers(model) {
  if (!model || !model.layers) return [];
  return model.layers.flatMap((l, index) => (l.outShape.length === 3 ? [{ index, name: l.name, outShape: l.outShape }] : []));
}

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  section.classList.add('fcn');
  section.innerHTML = `
    <h2 data-i18n="fcn.title"></h2>
    <p data-i18n="fcn.intro"></p>
    <p data-i18n="fcn.how"></p>
    <p class="note fc-empty" data-i18n="fcn.waiting"></p>
    <p class="note fc-none" data-i18n="fcn.none" hidden></p>
    <div class="fc-body" hidden>
      <div class="controls">
        <label><span data-i18n="fcn.layer"></span> <select class="fc-layer"></select></label>
        <label><span data-i18n="fcn.channel"></span> <select class="fc-channel"></select></label>
        <label><span data-i18n="fcn.steps"></span> <select class="fc-steps"><option>1</option><option>2</option><option>3</option></select></label>
      </div>
      <figure class="fc-start"><canvas class="fc-map" role="img" data-i18n-attr="aria-label:fcn.mapLabel"></canvas><figcaption class="note fc-map-cap"></figcaption></figure>
      <div class="fc-kinds"></div>
      <figure class="fc-overlay-fig" hidden><canvas class="fc-overlay" role="img" data-i18n-attr="aria-label:fcn.overlayLabel"></canvas><figcaption class="note fc-overlay-cap"></figcaption></figure>
      <p class="note bad fc-error" hidden></p>
    </div>`;
  const $ = (sel) => section.querySelector(sel);
  const ui = {
    empty: $('.fc-empty'), none: $('.fc-none'), body: $('.fc-body'), layer: $('.fc-layer'), channel: $('.fc-channel'), steps: $('.fc-steps'),
    map: $('.fc-map'), mapCap: $('.fc-map-cap'), kinds: $('.fc-kinds'), overlayFig: $('.fc-overlay-fig'), overlay: $('.fc-overlay'),
    overlayCap: $('.fc-overlay-cap'), error: $('.fc-error'),
  };
  let layer = null;
  let channel = null; // null: the most active channel of the layer
  let data = null;
  let dataFor = null; // the prediction data was made for
  let asked = 0;
  // The test hook shows the demo of the current prediction only (a newer
  // prediction's request may still be on its way).
  const hook = { get data() { return dataFor === ctx.state.prediction ? data : null; } };
  if (globalThis.convplay) globalThis.convplay.views.fcn = hook;

  const setText = ctx.setText;

  /** defaultLayer: the first map of at most 7 cells a side (after two poolings here), else the smallest. */
  function defaultLayer(layers) {
    const small = layers.find((l) => l.outShape[0] <= 7 && l.outShape[0] >= 3);
    return (small || layers[layers.length - 1]).index;
  }

  function refresh() {
    const layers = mapLayers(ctx.state.model);
    const pred = ctx.state.prediction;
    ui.none.hidden = layers.length > 0 || !ctx.state.model;
    ui.empty.hidden = Boolean(pred) || !layers.length;
    ui.body.hidden = !pred || !layers.length;
    if (!pred || !layers.length) return;
    if (!layers.some((l) => l.index === layer)) {
      layer = defaultLayer(layers);
      channel = null;
      const h = layers.find((l) => l.index === layer).outShape[0];
      ui.steps.value = String(Math.max(1, Math.min(3, Math.round(Math.log2(pred.input.pixels.length ** 0.5 / h)))));
    }
    ui.layer.replaceChildren(...layers.map((l) => new Option(`${l.name} (${l.outShape.join('×')})`, String(l.index))));
    ui.layer.value = String(layer);
    const c = layers.find((l) => l.index === layer).outShape[2];
    if (channel === null || channel >= c) channel = mostActive(pred.trace[layer].output, c);
    ui.channel.replaceChildren(...Array.from({ length: c }, (_, i) => new Option(String(i), String(i))));
    ui.channel.value = String(channel);
    fetchDemo();
  }

  async function fetchDemo() {
    const pred = ctx.state.prediction;
    if (!pred || ctx.state.engine !== 'ready') return;
    const id = ++asked;
    try {
      const pixels = pred.input.pixels.slice();
      const r = await ctx.request('transposeDemo', { pixels, layer, channel, steps: Number(ui.steps.value) }, { transfer: [pixels.buffer] });
      if (id !== asked) return;
      ui.error.hidden = true;
      data = r;
      dataFor = pred;
      render(pred);
    } catch (err) {
      if (id !== asked) return;
      ui.error.hidden = false;
      setText(ui.error, 'fcn.error', { error: err.message });
    }
  }

  function kernelGrid(kernel, k) {
    const grid = document.createElement('div');
    grid.className = 'fc-kernel';
    grid.style.gridTemplateColumns = `repeat(${k}, 2.8rem)`;
    for (const v of kernel) {
      const cell = document.createElement('span');
      const rgb = diverging(v, 1);
      cell.style.background = `rgb(${rgb.join(',')})`;
      cell.style.color = textColour(rgb);
      cell.textContent = num(v, 2);
      grid.append(cell);
    }
    return grid;
  }

  function figure(canvas, key, vars) {
    const fig = document.createElement('figure');
    const cap = document.createElement('figcaption');
    cap.className = 'note';
    setText(cap, key, vars);
    fig.append(canvas, cap);
    return fig;
  }

  function render(pred) {
    const r = data;
    const [h, w] = r.shape;
    const { lo, hi } = range(r.map);
    paintCells(ui.map, r.map, h, w, lo, hi, scaleFor(w, 140));
    setText(ui.mapCap, 'fcn.start', { layer: r.name, c: r.channel, h, w });
    ui.kinds.replaceChildren(...r.kinds.map((kind) => {
      const box = document.createElement('div');
      box.className = 'fc-kind';
      box.dataset.kind = kind.kind;
      const text = document.createElement('p');
      setText(text, `fcn.${kind.kind}`, { k: kind.k, s: kind.stride, padding: kind.padding });
      const row = document.createElement('div');
      row.className = 'fc-row';
      const kfig = document.createElement('figure');
      const kcap = document.createElement('figcaption');
      kcap.className = 'note';
      setText(kcap, 'fcn.kernel');
      kfig.append(kernelGrid(kind.kernel, kind.k), kcap);
      row.append(kfig);
      for (const st of kind.stages) {
        const [sh, sw] = st.shape;
        const canvas = document.createElement('canvas');
        canvas.setAttribute('role', 'img');
        canvas.dataset.i18nAttr = 'aria-label:fcn.stageLabel';
        canvas.dataset.i18nVars = JSON.stringify({ h: sh, w: sw });
        canvas.setAttribute('aria-label', ctx.t('fcn.stageLabel', { h: sh, w: sw }));
        canvas.dataset.shape = `${sh}x${sw}`;
        const e = range(st.map);
        paintCells(canvas, st.map, sh, sw, e.lo, e.hi, scaleFor(sw, 140));
        row.append(figure(canvas, 'fcn.stage', { h: sh, w: sw }));
      }
      box.append(text, row);
      return box;
    }));
    // The blended map over the input, when it has grown to the input's size.
    const blend = r.kinds.find((k) => k.kind === 'blend');
    const final = blend && blend.stages[blend.stages.length - 1];
    const image = pred.input.image;
    const side = Math.round(Math.sqrt(pred.input.pixels.length));
    const fits = final && image && final.shape[0] === side && final.shape[1] === side && image.length === side * side;
    ui.overlayFig.hidden = !fits;
    if (fits) overlay(final, image, side);
  }

  function overlay(stage, image, side) {
    const scale = scaleFor(side, 168);
    const canvas = ui.overlay;
    canvas.width = side * scale;
    canvas.height = side * scale;
    const g = canvas.getContext('2d');
    const { lo, hi } = range(stage.map);
    const img = g.createImageData(side * scale, side * scale);
    for (let y = 0; y < side * scale; y++) {
      for (let x = 0; x < side * scale; x++) {
        const i = Math.floor(y / scale) * side + Math.floor(x / scale);
        const base = 255 - image[i] * 0.55; // the drawing, light: ink grey on white
        const t = hi > lo ? Math.max(0, (stage.map[i] - lo) / (hi - lo)) : 0;
        const o = 4 * (y * side * scale + x);
        img.data[o] = base * (1 - t) + 230 * t;
        img.data[o + 1] = base * (1 - t) + 90 * t;
        img.data[o + 2] = base * (1 - t) + 20 * t;
        img.data[o + 3] = 255;
      }
    }
    g.putImageData(img, 0, 0);
    setText(ui.overlayCap, 'fcn.overlay', { h: side, w: side });
  }

  ui.layer.addEventListener('change', () => {
    layer = Number(ui.layer.value);
    channel = null;
    refresh();
  });
  ui.channel.addEventListener('change', () => {
    channel = Number(ui.channel.value);
    fetchDemo();
  });
  ui.steps.addEventListener('change', fetchDemo);
  ctx.on('model', () => {
    layer = null;
    data = null;
    refresh();
  });
  ctx.on('prediction', refresh);
  ctx.on('lang', () => {
    if (data && ctx.state.prediction) render(ctx.state.prediction);
  });
  refresh();
}
