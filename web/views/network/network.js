// views/network/network.js: the network as a strip of layers (ol#layers), each with
// its output shape, parameter count and a few of its feature maps for the
// current input; a layer opens below with all its maps, a switchable colour
// scale with its legend and, for a convolution, its filters beside the maps
// they make. The maps are predict's trace, the filters getFilters', the
// layer figures describeLayers': nothing here computes network math. Beside
// the last layer stands the regression lesson's head (its regressHead
// event): one unit, one number, against this model's ten.

import { describe, modelLayers, currentTrace } from '../shared/model.js';
import { mapRange, range, maxAbs, sequential, diverging } from '../shared/paint.js';
import { SCALES, scaleRange, shown } from './scale.js';
import { drawMap, drawVector, drawFilter, drawBars, arrow } from './draw.js';
import { drawHead } from './head.js';
import { shapeText } from '../../format.js';
import { TEXTS } from './strings.js';

const THUMBS = 6; // feature maps shown per layer in the strip

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  const t = ctx.t;
  section.innerHTML = `
    <h2 data-i18n="network.title"></h2>
    <p class="note" data-i18n="network.intro"></p>
    <div class="net-strip-wrap">
      <figure class="net-input">
        <canvas width="28" height="28" class="px" data-i18n-attr="aria-label:network.inputAlt" role="img"></canvas>
        <figcaption><strong data-i18n="network.input"></strong><span class="net-input-shape"></span></figcaption>
      </figure>
      <ol id="layers" class="net-strip" data-i18n-attr="aria-label:network.stripLabel"></ol>
      <figure class="net-head" hidden>
        <figcaption data-i18n="network.head.or"></figcaption>
        <div class="net-card net-head-card">
          <span class="net-name"></span>
          <span class="net-type"></span>
          <span class="net-conf"></span>
          <span class="net-shape"></span>
          <span class="net-params"></span>
          <span class="net-thumbs"></span>
        </div>
      </figure>
    </div>
    <p class="note net-head-text" hidden></p>
    <p class="note net-empty" data-i18n="network.noInput"></p>
    <div id="layer-detail" class="net-detail" hidden tabindex="-1">
      <div class="net-detail-head">
        <h3></h3>
        <button type="button" class="net-close" data-i18n="network.close"></button>
      </div>
      <p class="net-what"></p>
      <fieldset class="net-scale">
        <legend data-i18n="network.scale"></legend>
        ${SCALES.map((s) => `<label><input type="radio" name="net-scale" value="${s}"> <span data-i18n="network.scale.${s}"></span></label>`).join('')}
      </fieldset>
      <div class="net-legend" data-scale="">
        <div class="net-legend-row"><span class="net-lo"></span><canvas class="net-bar" width="128" height="1" aria-hidden="true"></canvas><span class="net-hi"></span></div>
        <p class="net-legend-text"></p>
        <div class="net-legend-row net-wlegend" hidden><span class="net-wlo"></span><canvas class="net-wbar" width="128" height="1" aria-hidden="true"></canvas><span class="net-whi"></span></div>
        <p class="net-wlegend-text" hidden></p>
      </div>
      <p class="net-caption note"></p>
      <div class="net-maps"></div>
    </div>`;
  ctx.translate(section);

  const $ = (sel) => section.querySelector(sel);
  const strip = $('#layers');
  const detail = $('#layer-detail');
  const inputCanvas = $('.net-input canvas');
  const hook = (window.convplay && window.convplay.views) || {};
  let info = null; // describeLayers of the current model
  let selected = null; // index of the open layer, or null
  let wanted = ctx.url.read('layer'); // a layer name from the URL, to open once the model has it
  let scale = ctx.url.read('scale') || 'layer';
  let filters = null; // {model, index, result} of getFilters
  let filtersAsked = 0;
  let head = null; // the regression lesson's head: {layer (its description), value, ink} (regressHead)

  for (const r of section.querySelectorAll('input[name="net-scale"]')) {
    r.checked = r.value === scale;
    r.addEventListener('change', () => {
      if (!r.checked) return;
      scale = r.value;
      ctx.url.write('scale', scale);
      renderAll();
    });
  }
  $('.net-close').addEventListener('click', () => {
    const i = selected;
    select(null);
    const card = strip.querySelector(`li[data-layer="${i}"] .net-card`);
    if (card) card.focus();
  });
  // Left and right arrows (Home, End) move between the layers' cards.
  strip.addEventListener('keydown', (ev) => {
    const cards = [...strip.querySelectorAll('.net-card')];
    const at = cards.indexOf(document.activeElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: cards.length - 1 }[ev.key];
    if (to === undefined || to < 0 || to >= cards.length) return;
    ev.preventDefault();
    cards[to].focus();
  });

  const layers = () => modelLayers(ctx);
  const traceOf = () => currentTrace(ctx);

  function select(index) {
    selected = index;
    const ls = layers();
    ctx.url.write('layer', index === null ? null : ls[index].name);
    wanted = null;
    renderStrip();
    renderDetail();
    if (index !== null) fetchFilters();
  }

  function buildStrip() {
    strip.replaceChildren();
    layers().forEach((l, i) => {
      const li = document.createElement('li');
      li.dataset.layer = String(i);
      li.dataset.name = l.name;
      li.dataset.type = l.type;
      li.innerHTML = `
        <button type="button" class="net-card" aria-controls="layer-detail" aria-expanded="false">
          <span class="net-name"></span>
          <span class="net-type"></span>
          <span class="net-conf"></span>
          <span class="net-shape" data-role="shape"></span>
          <span class="net-params" data-role="params"></span>
          <span class="net-thumbs"></span>
        </button>`;
      li.querySelector('.net-card').addEventListener('click', () => select(selected === i ? null : i));
      strip.append(li);
    });
  }

  function renderHead() {
    drawHead(ctx, $('.net-head'), $('.net-head-text'), head, layers().at(-1));
  }

  function renderStrip() {
    renderHead();
    const ls = layers();
    if (strip.children.length !== ls.length || [...strip.children].some((li, i) => li.dataset.name !== ls[i].name)) buildStrip();
    const trace = traceOf();
    [...strip.children].forEach((li, i) => {
      const l = ls[i];
      const btn = li.querySelector('.net-card');
      btn.setAttribute('aria-expanded', String(selected === i));
      li.classList.toggle('selected', selected === i);
      li.querySelector('.net-name').textContent = l.name;
      li.querySelector('.net-type').textContent = l.type;
      li.querySelector('.net-conf').textContent = confText(i);
      li.querySelector('.net-shape').textContent = shapeText(l.outShape);
      li.querySelector('.net-params').textContent = t('network.params', { n: ctx.fmt.count(l.params) });
      const thumbs = li.querySelector('.net-thumbs');
      thumbs.replaceChildren();
      if (!trace) return;
      const e = trace[i];
      if (e.shape.length === 3) {
        const n = shown(e.shape[2], THUMBS);
        for (let c = 0; c < n.shown; c++) thumbs.append(mapOf(e, c, trace, 'thumb'));
        if (n.more) {
          const more = document.createElement('span');
          more.className = 'net-more';
          more.textContent = t('network.more', { n: n.more });
          thumbs.append(more);
        }
      } else {
        thumbs.append(drawVector(ctx, e, 'thumb'));
      }
    });
    $('.net-empty').hidden = Boolean(trace) || !ctx.state.model;
    const input = ctx.state.input;
    const shapeSpan = $('.net-input-shape');
    shapeSpan.textContent = info ? shapeText(info.input) : '';
    if (input && input.image) {
      const rgba = new Uint8ClampedArray(784 * 4);
      for (let p = 0; p < 784; p++) rgba.set([input.image[p], input.image[p], input.image[p], 255], 4 * p);
      inputCanvas.getContext('2d').putImageData(new ImageData(rgba, 28, 28), 0, 0);
    } else {
      inputCanvas.getContext('2d').clearRect(0, 0, 28, 28);
    }
  }

  // The ranges per layer and across the trace, worked out once per trace (a
  // render draws up to a few hundred maps with them).
  const ranges = new WeakMap(); // entry or trace -> {lo, hi}
  function rangeFor(e, c, trace) {
    if (scale === 'map') return mapRange(e.output, e.shape, c);
    const key = scale === 'layer' ? e : trace;
    if (!ranges.has(key)) ranges.set(key, scaleRange(scale, e, c, trace));
    return ranges.get(key);
  }

  function mapOf(e, c, trace, cls) {
    const { lo, hi } = rangeFor(e, c, trace);
    return drawMap(ctx, e, c, lo, hi, cls);
  }

  /** confText is a layer's configuration in brief, from describeLayers: "3×3 · same · relu", "2×2", "relu". */
  function confText(i) {
    const d = layerInfo(i);
    if (!d) return '';
    const parts = [];
    if (d.kernel) parts.push(`${d.kernel}×${d.kernel}${d.strides > 1 ? ` /${d.strides}` : ''}`, d.padding);
    if (d.poolSize) parts.push(`${d.poolSize}×${d.poolSize}${d.strides !== d.poolSize ? ` /${d.strides}` : ''}`);
    if (d.activation && d.activation !== 'linear') parts.push(d.activation);
    return parts.join(' · ');
  }

  function layerInfo(i) {
    return info && info.layers[i] && info.layers[i].name === layers()[i].name ? info.layers[i] : null;
  }

  function whatText(i) {
    const l = layers()[i];
    const d = layerInfo(i);
    if (!d) return '';
    const sq = (n) => `${n}×${n}`;
    switch (l.type) {
      case 'Conv2D':
        return t('network.what.conv', { f: d.filters, k: sq(d.kernel), kc: `${sq(d.kernel)}×${d.inShape[2]}`, cin: d.inShape[2], act: d.activation, s: d.strides, pad: d.padding });
      case 'Conv2DTranspose':
        return t('network.what.convT', { f: d.filters, k: sq(d.kernel), s: d.strides });
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        return t(l.type === 'MaxPooling2D' ? 'network.what.maxpool' : 'network.what.avgpool', { k: sq(d.poolSize), n: `${d.inShape[0]}×${d.inShape[1]}`, out: `${d.outShape[0]}×${d.outShape[1]}` });
      case 'Flatten':
        return t('network.what.flatten', { shape: shapeText(d.inShape), n: ctx.fmt.count(d.values) });
      case 'Dense':
        return t(d.activation === 'softmax' ? 'network.what.softmax' : 'network.what.dense', { units: ctx.fmt.count(d.units), cin: ctx.fmt.count(d.inShape[0]), act: d.activation });
      default:
        return t('network.what.other', { type: l.type });
    }
  }

  function renderLegend(e, trace) {
    const legend = $('.net-legend');
    legend.dataset.scale = scale;
    const bar = $('.net-bar');
    const rgba = new Uint8ClampedArray(128 * 4);
    for (let x = 0; x < 128; x++) rgba.set([...sequential(x / 127), 255], 4 * x);
    bar.getContext('2d').putImageData(new ImageData(rgba, 128, 1), 0, 0);
    let r = null;
    if (e && scale !== 'map') r = rangeFor(e, 0, trace);
    if (e && e.shape.length !== 3) r = range(e.output);
    $('.net-lo').textContent = r ? ctx.fmt.num(r.lo, 2) : t('network.legend.low');
    $('.net-hi').textContent = r ? ctx.fmt.num(r.hi, 2) : t('network.legend.high');
    const key = e && e.shape.length !== 3 ? 'network.legend.vector' : `network.legend.${scale}`;
    $('.net-legend-text').textContent = `${t('network.legend.colours')} ${t(key)}`;
    const f = filters && filters.index === selected && filters.model === ctx.state.model ? filters.result : null;
    const showW = Boolean(f && f.type === 'Conv2D');
    $('.net-wlegend').hidden = !showW;
    $('.net-wlegend-text').hidden = !showW;
    if (showW) {
      const m = maxAbs(f.kernel);
      const w = new Uint8ClampedArray(128 * 4);
      for (let x = 0; x < 128; x++) w.set([...diverging(((x / 127) * 2 - 1) * m, m), 255], 4 * x);
      $('.net-wbar').getContext('2d').putImageData(new ImageData(w, 128, 1), 0, 0);
      $('.net-wlo').textContent = ctx.fmt.num(-m, 3);
      $('.net-whi').textContent = `+${ctx.fmt.num(m, 3)}`;
      $('.net-wlegend-text').textContent = t('network.legend.weights', { m: ctx.fmt.num(m, 3) });
    }
  }

  function renderDetail() {
    const ls = layers();
    if (selected === null || selected >= ls.length) {
      detail.hidden = true;
      hook.selected = null;
      return;
    }
    detail.hidden = false;
    const l = ls[selected];
    detail.dataset.layer = String(selected);
    detail.dataset.name = l.name;
    detail.querySelector('h3').textContent = t('network.detailTitle', { name: l.name, type: l.type, shape: shapeText(l.outShape), params: ctx.fmt.count(l.params) });
    $('.net-what').textContent = whatText(selected);
    const trace = traceOf();
    const e = trace ? trace[selected] : null;
    renderLegend(e, trace);
    const maps = $('.net-maps');
    maps.replaceChildren();
    maps.className = 'net-maps';
    const f = filters && filters.index === selected && filters.model === ctx.state.model ? filters.result : null;
    const caption = $('.net-caption');
    caption.textContent = '';
    if (!e) {
      caption.textContent = t('network.noInput');
      return;
    }
    if (e.shape.length === 3) {
      const C = e.shape[2];
      if (l.type === 'Conv2D') {
        caption.textContent = f ? t(f.kernelShape[2] > 1 ? 'network.pairsMulti' : 'network.pairs', { c: f.kernelShape[2] }) : t('network.loadingFilters');
        maps.classList.add('pairs');
      }
      for (let c = 0; c < C; c++) {
        const fig = document.createElement('figure');
        fig.className = 'net-map';
        if (l.type === 'Conv2D' && f) fig.append(drawFilter(ctx, f, c), arrow());
        fig.append(mapOf(e, c, trace, 'big'));
        const cap = document.createElement('figcaption');
        cap.textContent = l.type === 'Conv2D' && f && f.bias ? t('network.filterCap', { c: c + 1, b: ctx.fmt.num(f.bias[c], 3) }) : `#${c + 1}`;
        fig.append(cap);
        maps.append(fig);
      }
    } else {
      maps.classList.add('vector');
      const last = selected === ls.length - 1;
      const classes = ctx.state.dataset.info && ctx.state.dataset.info.classes.length === e.output.length;
      maps.append(drawBars(ctx, e, last && classes ? (i) => ctx.className(i) : null));
    }
  }

  async function fetchFilters() {
    const i = selected;
    const ls = layers();
    if (i === null || !ls[i] || ls[i].type !== 'Conv2D') return;
    const model = ctx.state.model;
    const asked = ++filtersAsked;
    try {
      const result = await ctx.request('getFilters', { layer: i });
      if (asked !== filtersAsked || model !== ctx.state.model) return;
      filters = { model, index: i, result };
      renderDetail();
      hook.filters = result;
    } catch (err) {
      if (asked === filtersAsked) $('.net-caption').textContent = err.message;
    }
  }

  async function onModel() {
    filters = null;
    info = null;
    const model = ctx.state.model;
    const ls = layers();
    const name = wanted || (selected !== null && ctx.url.read('layer'));
    if (name) {
      const i = ls.findIndex((l) => l.name === name);
      selected = i >= 0 ? i : null;
      if (i >= 0) wanted = null;
    } else if (selected !== null && selected >= ls.length) {
      selected = null;
    }
    renderAll();
    if (selected !== null) fetchFilters();
    try {
      const d = await describe(ctx);
      if (model !== ctx.state.model) return;
      info = d;
      renderAll();
    } catch (err) {
      // describeLayers failed (the engine restarted): the next model asks again
    }
  }

  function renderAll() {
    renderStrip();
    renderDetail();
  }

  hook.select = (i) => select(i);
  if (window.convplay && window.convplay.views) window.convplay.views.network = hook;

  ctx.on('model', onModel);
  ctx.on('prediction', renderAll);
  ctx.on('input', renderStrip);
  ctx.on('dataset', () => {
    if (selected !== null && layers()[selected] && layers()[selected].type === 'Dense') renderDetail();
  });
  ctx.on('weights', () => {
    if (selected !== null) fetchFilters();
  });
  ctx.on('lang', renderAll);
  ctx.on('regressHead', (h) => {
    head = h;
    hook.head = h;
    renderHead();
  });
  if (ctx.state.model) onModel();
  else renderAll();
}
