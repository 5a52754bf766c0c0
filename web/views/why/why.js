// views/why/why.js: "Why did it say that?" on the current input and model.
// Where it looked (saliency, Gradient x Input, Grad-CAM), cover it up
// (occlusion) and fooling the network (FGSM and its iterative form). The
// engine computes every map (the worker's saliency, gradCam, occlusion and
// fgsm ops); this view asks for them when the prediction changes and paints
// them with maps.js. Each part keeps only its newest request's answer.
// (About 450 lines: three parts that share the input's lifecycle, the one-
// request-in-flight rule and the lesson's link settings; what a filter
// wants to see lives in max.js and the 2-D map in place.js, and the cover
// (occlusion and the painted mask) is the next to move out if it grows.)

import { esc } from '../../format.js';
import { nth } from '../shared/count.js';
import { num } from '../shared/paint.js';
import { channel0, absValues, heatRGBA, signedRGBA, overlayRGBA, greyRGBA, cellAt, brush, coverRGBA } from './maps.js';
import { MAP, mountPlace } from './place.js';
import { MAX_HTML, mountMax } from './max.js';
import { PATCHES, STRIDES, DEFAULT_PATCH } from './state.js';
import { TEXTS } from './strings.js';

const SCALE = 6; // canvas pixels per input pixel

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  const t = ctx.t;
  section.classList.add('why');
  section.innerHTML = `
    <h2 data-i18n="why.title"></h2>
    <p data-i18n="why.intro"></p>
    <p class="note why-none" data-i18n="why.noInput"></p>
    <h3 data-i18n="why.look.title" data-part="look"></h3>
    <p data-i18n="why.look.intro"></p>
    <div class="controls">
      <label><span data-i18n="why.class"></span> <select class="why-class"></select></label>
      <label><span data-i18n="why.layer"></span> <select class="why-layer"></select></label>
    </div>
    <div class="why-maps">
      <figure><canvas class="why-sal" role="img" data-i18n-attr="aria-label:why.label.sal"></canvas><figcaption data-i18n="why.sal.cap"></figcaption></figure>
      <figure><canvas class="why-gxi" role="img" data-i18n-attr="aria-label:why.label.gxi"></canvas><figcaption data-i18n="why.gxi.cap"></figcaption></figure>
      <figure><canvas class="why-cam" role="img" data-i18n-attr="aria-label:why.label.cam"></canvas><figcaption class="why-cam-cap"></figcaption></figure>
    </div>
    <p class="note why-look-info" aria-live="polite"></p>
    <p class="note" data-i18n="why.look.formula"></p>
    <h3 data-i18n="why.occ.title" data-part="cover"></h3>
    <p data-i18n="why.occ.intro"></p>
    <div class="controls">
      <label><span data-i18n="why.occ.patch"></span> <select class="why-patch">${PATCHES.map((v) => `<option value="${v}"${v === DEFAULT_PATCH.patch ? ' selected' : ''}>${v}×${v}</option>`).join('')}</select></label>
      <label><span data-i18n="why.occ.stride"></span> <select class="why-stride">${STRIDES.map((v) => `<option value="${v}"${v === DEFAULT_PATCH.stride ? ' selected' : ''}>${v}</option>`).join('')}</select></label>
    </div>
    <div class="why-maps">
      <figure><canvas class="why-occ" role="img" data-i18n-attr="aria-label:why.label.occ"></canvas><figcaption data-i18n="why.occ.cap"></figcaption></figure>
      <figure><canvas class="why-paint" role="img" data-i18n-attr="aria-label:why.label.paint"></canvas><figcaption data-i18n="why.occ.paintCap"></figcaption></figure>
    </div>
    <p class="note why-occ-info" aria-live="polite"></p>
    <div class="controls"><button type="button" class="why-paint-clear" data-i18n="why.occ.clear"></button></div>
    <p class="note why-mask-info" aria-live="polite"></p>
${MAX_HTML}
    <h3 data-i18n="why.fool.title" data-part="fool"></h3>
    <p data-i18n="why.fool.intro"></p>
    <div class="controls">
      <label><span data-i18n="why.fool.eps"></span> <input type="range" class="why-eps" min="0" max="0.5" step="0.01" value="0.1"> <output class="why-eps-out mono"></output></label>
      <label><span data-i18n="why.fool.target"></span> <select class="why-target"></select></label>
      <label><span data-i18n="why.fool.steps"></span> <select class="why-steps">${[1, 5, 10, 20].map((v) => `<option value="${v}">${v}</option>`).join('')}</select></label>
    </div>
    <div class="why-maps">
      <figure><canvas class="why-orig" role="img" data-i18n-attr="aria-label:why.label.orig"></canvas><figcaption class="why-before"></figcaption></figure>
      <figure><canvas class="why-pert" role="img" data-i18n-attr="aria-label:why.label.pert"></canvas><figcaption data-i18n="why.fool.pertCap"></figcaption></figure>
      <figure><canvas class="why-adv" role="img" data-i18n-attr="aria-label:why.label.adv"></canvas><figcaption class="why-after"></figcaption></figure>
    </div>
    <p class="note why-fool-info" aria-live="polite"></p>
    <p class="note" data-i18n="why.fool.matters"></p>
    <h3 data-i18n="why.map.title" data-part="place"></h3>
    <p data-i18n="why.map.intro"></p>
    <p class="note why-map-wait" aria-live="polite" hidden></p>
    <div class="why-map-wrap" hidden>
      <canvas class="why-map" role="img" data-i18n-attr="aria-label:why.label.map" width="${MAP}" height="${MAP}"></canvas>
      <ul class="why-legend"></ul>
    </div>
    <p class="note why-map-info" aria-live="polite"></p>
    <p class="note bad why-error" hidden></p>`;
  ctx.translate(section);
  const $ = (sel) => section.querySelector(sel);
  const last = { saliency: null, cam: null, occlusion: null, fgsm: null, maximize: null, maxStep: null, maxRunning: false, embedding: null };
  if (globalThis.convplay) globalThis.convplay.views.why = last;
  // What a shared link chose, kept until the student changes it (a model
  // without that class or layer ignores it).
  const link = { part: ctx.url.read('why'), cls: ctx.url.read('whycls'), cam: ctx.url.read('whycam') };
  const occ = ctx.url.read('whyocc');
  if (occ) {
    $('.why-patch').value = String(occ.patch);
    $('.why-stride').value = String(occ.stride);
  }

  function fail(err) {
    $('.why-error').hidden = false;
    $('.why-error').textContent = t('why.error', { error: err.message });
  }

  /**
   * latest runs ask() for one part, at most one request in flight: a call
   * meanwhile (the drawing moved on) runs it once more when it returns, so
   * the worker's queue never grows while the student draws.
   */
  function latest(ask, show) {
    let busy = false;
    let again = false;
    return async function run() {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      again = false;
      try {
        const r = await ask();
        if (r && !again) {
          $('.why-error').hidden = true;
          show(r);
        }
      } catch (err) {
        if (!again) fail(err);
      } finally {
        busy = false;
      }
      if (again) run();
    };
  }

  const pixels = () => ctx.state.prediction && ctx.state.prediction.input.pixels.slice();
  /** inShape is the model's input shape (H, W, C): the first layer's, or the saliency answer's, or a square of one channel. */
  function inShape() {
    const l = ctx.state.model && ctx.state.model.layers && ctx.state.model.layers[0];
    if (l && l.inShape && l.inShape.length === 3) return l.inShape;
    if (last.saliency) return last.saliency.shape;
    const side = Math.round(Math.sqrt(ctx.state.prediction ? ctx.state.prediction.input.pixels.length : 784));
    return [side, side, 1];
  }
  const name = (k) => ctx.className(k);
  const chosen = (sel) => (sel.value === '' ? undefined : Number(sel.value));

  function paint(canvas, rgba, h, w) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${w * SCALE}px`;
    canvas.getContext('2d').putImageData(new ImageData(rgba, w, h), 0, 0);
  }

  /** hover writes the value under the pointer into the canvas's title (touchtip.js shows it on touch). */
  function hover(canvas, text) {
    canvas.addEventListener('pointermove', (e) => {
      const r = canvas.getBoundingClientRect();
      const c = cellAt(e.clientX - r.left, e.clientY - r.top, r.width, r.height, canvas.height, canvas.width);
      canvas.title = c ? text(c.row, c.col) || '' : '';
    });
  }

  function options(sel, items, keep) {
    const was = sel.value;
    sel.innerHTML = items.map(([v, label]) => `<option value="${v}">${esc(label)}</option>`).join('');
    if (keep && [...sel.options].some((o) => o.value === was)) sel.value = was;
  }

  /** applyLink selects a link's class and Grad-CAM layer where the pickers have them. */
  function applyLink() {
    for (const [sel, v] of [[$('.why-class'), link.cls], [$('.why-layer'), link.cam]]) {
      if (v !== null && [...sel.options].some((o) => o.value === String(v))) sel.value = String(v);
    }
  }

  function fillPickers() {
    const n = ctx.state.dataset.info ? ctx.state.dataset.info.classes.length : 10;
    const classes = Array.from({ length: n }, (_, k) => [k, name(k)]);
    options($('.why-class'), [['', t('why.predicted')], ...classes], true);
    options($('.why-target'), [['', t('why.fool.away')], ...classes], true);
    const layers = ctx.state.model ? ctx.state.model.layers : [];
    const convs = layers.map((l, i) => [i, l]).filter(([, l]) => l.type === 'Conv2D');
    options($('.why-layer'), convs.map(([i, l]) => [i, l.name]).reverse(), true);
    if (ctx.state.model) applyLink();
    want.fill(classes);
    return classes;
  }

  // The student's own cover: painted on the input, the engine answers the
  // class's probability with and without it.
  let mask = null; // Float32Array (H*W), 1 covered
  const masked = latest(async () => {
    const px = pixels();
    if (!px || !mask || !mask.some((v) => v > 0)) return null;
    return ctx.request('occlusion', { pixels: px, class: chosen($('.why-class')), mask: mask.slice(), fill: 'mean' });
  }, (r) => {
    last.masked = r;
    showMask();
  });

  function showPaint() {
    const p = ctx.state.prediction;
    if (!p) return;
    const s = inShape();
    if (!mask || mask.length !== s[0] * s[1]) mask = new Float32Array(s[0] * s[1]);
    paint($('.why-paint'), coverRGBA(greyRGBA(channel0(p.input.pixels, s)), mask), s[0], s[1]);
  }

  function showMask() {
    const r = last.masked;
    if (!r || !mask || !mask.some((v) => v > 0)) {
      ctx.setText($('.why-mask-info'), 'why.occ.paintHint');
      return;
    }
    ctx.setText($('.why-mask-info'), 'why.occ.maskInfo', { name: name(r.class), before: ctx.fmt.pct(r.prob), after: ctx.fmt.pct(r.maskedProb), top: name(topOf(r.probs)) });
  }

  const topOf = (probs) => {
    let k = 0;
    for (let i = 1; i < probs.length; i++) if (probs[i] > probs[k]) k = i;
    return k;
  };

  let painting = false;
  const paintCanvas = $('.why-paint');
  function dab(e) {
    const b = paintCanvas.getBoundingClientRect();
    const c = cellAt(e.clientX - b.left, e.clientY - b.top, b.width, b.height, paintCanvas.height, paintCanvas.width);
    if (!c || !mask) return;
    brush(mask, paintCanvas.height, paintCanvas.width, c.row, c.col, 1);
    showPaint();
  }
  paintCanvas.addEventListener('pointerdown', (e) => {
    painting = true;
    try {
      paintCanvas.setPointerCapture(e.pointerId);
    } catch {
      // a pointer the browser does not know (nothing to capture)
    }
    dab(e);
  });
  paintCanvas.addEventListener('pointermove', (e) => { if (painting) dab(e); });
  for (const ev of ['pointerup', 'pointercancel']) {
    paintCanvas.addEventListener(ev, () => {
      if (!painting) return;
      painting = false;
      masked();
    });
  }
  $('.why-paint-clear').addEventListener('click', () => {
    if (mask) mask.fill(0);
    last.masked = null;
    showPaint();
    showMask();
  });

  // 1. Where it looked.
  const look = latest(async () => {
    const px = pixels();
    if (!px) return null;
    const cls = chosen($('.why-class'));
    const layer = chosen($('.why-layer'));
    const sal = await ctx.request('saliency', { pixels: px.slice(), class: cls });
    const cam = await ctx.request('gradCam', { pixels: px.slice(), class: cls, layer });
    return { sal: { ...sal, pixels: px }, cam };
  }, ({ sal, cam }) => {
    last.saliency = sal;
    last.cam = cam;
    showLook();
  });

  function showLook() {
    const { saliency: sal, cam } = last;
    if (!sal) return;
    const [H, W] = sal.shape;
    const x = channel0(sal.pixels, sal.shape);
    const g = channel0(sal.grad, sal.shape);
    const gx = channel0(sal.gradTimesInput, sal.shape);
    paint($('.why-sal'), heatRGBA(absValues(g)), H, W);
    paint($('.why-gxi'), signedRGBA(gx), H, W);
    paint($('.why-cam'), overlayRGBA(x, cam.upsampled), cam.height, cam.width);
    ctx.setText($('.why-cam-cap'), 'why.cam.cap', { layer: cam.name, h: cam.shape[0], w: cam.shape[1] });
    ctx.setText($('.why-look-info'), sal.scoresAreLogits ? 'why.look.infoLogit' : 'why.look.infoOut', { name: name(sal.class), score: num(sal.score, 3), pct: ctx.fmt.pct(sal.probs[sal.class]) });
  }

  // 2. Cover it up.
  const occlude = latest(async () => {
    const px = pixels();
    if (!px) return null;
    const r = await ctx.request('occlusion', { pixels: px.slice(), class: chosen($('.why-class')), patch: Number($('.why-patch').value), stride: Number($('.why-stride').value) });
    return { ...r, pixels: px };
  }, (r) => {
    last.occlusion = r;
    showOcclusion();
  });

  function showOcclusion() {
    const r = last.occlusion;
    if (!r) return;
    const s = inShape();
    paint($('.why-occ'), overlayRGBA(channel0(r.pixels, s), r.map), s[0], s[1]);
    let worst = 0;
    for (let i = 1; i < r.drop.length; i++) if (r.drop[i] > r.drop[worst]) worst = i;
    ctx.setText($('.why-occ-info'), 'why.occ.info', {
      name: name(r.class), prob: ctx.fmt.pct(r.prob), n: r.rows * r.cols, forwards: r.forwards,
      drop: ctx.fmt.pct(Math.max(0, r.drop[worst])), row: nth(Math.floor(worst / r.cols) * r.stride), col: nth((worst % r.cols) * r.stride),
    });
  }

  // 4. Fooling the network.
  const fool = latest(async () => {
    const px = pixels();
    if (!px) return null;
    const target = chosen($('.why-target'));
    const steps = Number($('.why-steps').value);
    const args = { pixels: px.slice(), epsilon: Number($('.why-eps').value), steps };
    if (target !== undefined) args.target = target;
    return { ...(await ctx.request('fgsm', args)), pixels: px };
  }, (r) => {
    last.fgsm = r;
    showFool();
  });

  function showFool() {
    const r = last.fgsm;
    if (!r) return;
    const s = inShape();
    const [H, W] = s;
    const x = channel0(r.pixels, s);
    paint($('.why-orig'), greyRGBA(x), H, W);
    paint($('.why-pert'), signedRGBA(channel0(r.perturbation, s), r.epsilon), H, W);
    paint($('.why-adv'), greyRGBA(channel0(r.adversarial, s)), H, W);
    const pred = (probs, k) => t('why.fool.pred', { name: name(k), pct: ctx.fmt.pct(probs[k]) });
    $('.why-before').textContent = t('why.fool.before') + ' ' + pred(r.probsBefore, r.classBefore);
    $('.why-after').textContent = t('why.fool.after') + ' ' + pred(r.probsAfter, r.classAfter);
    const key = r.classAfter === r.classBefore ? 'why.fool.held' : 'why.fool.fooled';
    ctx.setText($('.why-fool-info'), key, { eps: num(r.epsilon, 2), lo: num(r.lo, 2), hi: num(r.hi, 2), before: name(r.classBefore), after: name(r.classAfter), steps: r.steps });
  }

  // 5. Where it places your drawing (place.js).
  const { place, showMap } = mountPlace({ ctx, $, last, latest, pixels, name });

  hover($('.why-sal'), (y, x) => last.saliency && t('why.hover.grad', { y: nth(y), x: nth(x), v: num(channel0(last.saliency.grad, last.saliency.shape)[y * last.saliency.shape[1] + x], 4) }));
  hover($('.why-gxi'), (y, x) => last.saliency && t('why.hover.gxi', { y: nth(y), x: nth(x), v: num(channel0(last.saliency.gradTimesInput, last.saliency.shape)[y * last.saliency.shape[1] + x], 4) }));
  hover($('.why-cam'), (y, x) => last.cam && t('why.hover.cam', { y: nth(y), x: nth(x), v: num(last.cam.upsampled[y * last.cam.width + x], 3) }));
  hover($('.why-occ'), (y, x) => last.occlusion && t('why.hover.occ', { y: nth(y), x: nth(x), v: ctx.fmt.pct(last.occlusion.map[y * $('.why-occ').width + x]) }));
  hover($('.why-pert'), (y, x) => last.fgsm && t('why.hover.pert', { y: nth(y), x: nth(x), v: num(channel0(last.fgsm.perturbation, inShape())[y * $('.why-pert').width + x], 3) }));

  // 3. What a filter wants to see (max.js).
  const want = mountMax({ ctx, $, last, fail, inShape, paint, name });

  // The maps cost the worker real time (occlusion is a forward pass per
  // position), so they are asked for only while the lesson is on screen or
  // close to it. The 2-D map is the exception: its first answer (a pass over
  // the test images, in slices) is asked for once per model as soon as the
  // data set is in, so it is ready when the student scrolls down; later
  // answers only place the drawing.
  let near = typeof IntersectionObserver === 'undefined';
  let stale = true; // the input or model changed while the lesson was off screen
  const mapped = new WeakSet(); // the models whose map was asked for while off screen
  if (!near) {
    new IntersectionObserver((entries) => {
      near = entries.some((e) => e.isIntersecting);
      if (near && stale) all();
    }, { rootMargin: '600px 0px' }).observe(section);
  }

  /** earlyMap asks for the 2-D map while the lesson is off screen: once per model, with the data set in and no training running. */
  function earlyMap() {
    const m = ctx.state.model;
    if (near || !m || !ctx.state.prediction || !ctx.state.dataset.complete || ctx.state.training || mapped.has(m)) return;
    mapped.add(m);
    place();
  }

  function all() {
    const have = Boolean(ctx.state.prediction && ctx.state.model);
    $('.why-none').hidden = have;
    if (!have) return;
    if (link.part) {
      const h = section.querySelector(`[data-part="${link.part}"]`);
      link.part = null;
      if (h) h.scrollIntoView();
    }
    stale = !near;
    if (stale) {
      earlyMap();
      return;
    }
    look();
    occlude();
    fool();
    place();
    showPaint();
    masked();
    showMask();
  }

  function epsText() {
    $('.why-eps-out').textContent = num(Number($('.why-eps').value), 2);
  }
  epsText();
  const part = (name) => ctx.url.write('why', name);
  $('.why-class').addEventListener('change', () => {
    link.cls = null;
    ctx.url.write('whycls', chosen($('.why-class')));
    part('look');
    look();
    occlude();
    masked();
  });
  $('.why-layer').addEventListener('change', () => {
    link.cam = null;
    const sel = $('.why-layer');
    ctx.url.write('whycam', sel.selectedIndex === 0 ? null : Number(sel.value)); // the last convolution layer is the default
    part('look');
    look();
  });
  const patchChanged = () => {
    ctx.url.write('whyocc', { patch: Number($('.why-patch').value), stride: Number($('.why-stride').value) });
    part('cover');
    occlude();
  };
  $('.why-patch').addEventListener('change', patchChanged);
  $('.why-stride').addEventListener('change', patchChanged);
  paintCanvas.addEventListener('pointerup', () => part('cover'));
  $('.why-eps').addEventListener('input', () => { epsText(); part('fool'); fool(); });
  $('.why-target').addEventListener('change', () => { part('fool'); fool(); });
  $('.why-steps').addEventListener('change', () => { part('fool'); fool(); });

  ctx.on('model', () => {
    // A new model starts at its last convolution layer for Grad-CAM and its first one's first filter to maximize (unless a link chose).
    const sel = $('.why-layer');
    fillPickers();
    sel.value = sel.options.length ? sel.options[0].value : '';
    want.reset(fillPickers());
  });
  ctx.on('dataset', () => {
    fillPickers();
    earlyMap();
  });
  ctx.on('prediction', all);
  ctx.on('lang', () => {
    fillPickers();
    showLook();
    showOcclusion();
    showFool();
    want.show();
    showMap();
    showMask();
  });
  fillPickers();
  all();
}
