// views/fcn/fcn.js: the fully convolutional network note. One feature map of
// the current input (after pooling, say 7x7) is grown back by the engine's
// own Conv2DTranspose layer (transposeDemo), with two fixed kernels: "copy"
// (2x2 ones, stride 2) and "blend" (a 3x3 tent, stride 2, same), one to
// three times; the view shows the map, the kernels and every stage.

import { range, num, diverging, textColour } from '../shared/paint.js';
import { paintCells, scaleFor } from '../shared/cells.js';
import { mostActive } from '../shared/argmax.js';
import { currentTrace } from '../shared/model.js';
import { TEXTS } from './strings.js';
import { nth } from '../shared/count.js';

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
    // Right after a model change the prediction is still the last model's.
    const pred = currentTrace(ctx) ? ctx.state.prediction : null;
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
    ui.channel.replaceChildren(...Array.from({ length: c }, (_, i) => new Option(String(nth(i)), String(i))));
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
    setText(ui.mapCap, 'fcn.start', { layer: r.name, c: nth(r.channel), h, w });
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
