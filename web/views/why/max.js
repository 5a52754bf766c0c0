// views/why/max.js: part 3 of the why lesson, what a filter wants to see.
// One filter's (or class score's) climb streams its steps as maximizeStep
// events; the gallery climbs every filter of a layer one after another
// (maximize with stream: false, at most one request in flight, so the page
// and the other parts keep answering) and draws each cell as it finishes,
// cut to the part of the input the filter's unit sees. A click on a cell
// shows that filter in the detail above. The engine computes every picture
// and field; this module only asks and paints.

import { esc } from '../../format.js';
import { nth } from '../shared/count.js';
import { num } from '../shared/paint.js';
import { channel0, greyRGBA, cropField } from './maps.js';

/** GALLERY_STEPS is each gallery cell's climb: enough for a clear picture, short enough for a layer of 128 filters in about half a minute. */
export const GALLERY_STEPS = 32;

export const MAX_HTML = `
    <h3 data-i18n="why.max.title" data-part="want"></h3>
    <p data-i18n="why.max.intro"></p>
    <div class="controls">
      <label><span data-i18n="why.max.what"></span> <select class="why-what"></select></label>
      <label><span class="why-which-label"></span> <select class="why-which"></select></label>
      <label><span data-i18n="why.fool.steps"></span> <select class="why-max-steps">${[32, 64, 128].map((v) => `<option value="${v}"${v === 64 ? ' selected' : ''}>${v}</option>`).join('')}</select></label>
      <button type="button" class="why-max-go" data-i18n="why.max.go"></button>
      <button type="button" class="why-max-stop" data-i18n="why.max.stop" disabled></button>
    </div>
    <p class="note why-max-hint" data-i18n="why.max.hint"></p>
    <div class="why-maps why-max-figs" hidden>
      <figure><canvas class="why-max" role="img" data-i18n-attr="aria-label:why.label.max"></canvas><figcaption data-i18n="why.max.wholeCap"></figcaption></figure>
      <figure><canvas class="why-max-zoom" role="img" data-i18n-attr="aria-label:why.label.zoom"></canvas><figcaption data-i18n="why.max.zoomCap"></figcaption></figure>
    </div>
    <p class="note why-max-info" aria-live="polite"></p>
    <p class="note why-max-field"></p>
    <p class="note" data-i18n="why.max.note"></p>
    <h4 data-i18n="why.gal.title"></h4>
    <p data-i18n="why.gal.intro"></p>
    <div class="controls">
      <label><span data-i18n="why.gal.layer"></span> <select class="why-gal-layer"></select></label>
      <button type="button" class="why-gal-go" data-i18n="why.gal.go"></button>
      <button type="button" class="why-gal-stop" data-i18n="why.gal.stop" disabled></button>
    </div>
    <p class="note why-gal-info" aria-live="polite"></p>
    <ol class="why-gallery"></ol>`;

/**
 * mountMax wires part 3: env holds the lesson's ctx, $ (a query in the
 * section), last (the answers, shared with the test hook), fail (shows an
 * error), inShape, paint (a map onto a canvas) and name (a class's name).
 * It returns {fill, show, reset}: refill the pickers (classes as [value,
 * label] pairs), repaint in a new language, forget a gone model's pictures.
 */
export function mountMax({ ctx, $, last, fail, inShape, paint, name }) {
  const t = ctx.t;
  let classList = [];
  let asked = ctx.url.read('whymax'); // a link's choice, applied once the model has it
  let askedGallery = ctx.url.read('whygal');

  const options = (sel, items) => {
    const was = sel.value;
    sel.innerHTML = items.map(([v, label]) => `<option value="${v}">${esc(label)}</option>`).join('');
    if ([...sel.options].some((o) => o.value === was)) sel.value = was;
  };
  const convs = () => (ctx.state.model ? ctx.state.model.layers : []).map((l, i) => [i, l]).filter(([, l]) => l.type === 'Conv2D');
  const setIf = (sel, v) => {
    if ([...sel.options].some((o) => o.value === String(v))) sel.value = String(v);
  };

  /** fill lists the layers, then the chosen layer's filters or the classes. */
  function fill(classes) {
    classList = classes;
    const cs = convs();
    options($('.why-what'), [...cs.map(([i, l]) => [i, t('why.max.filterOf', { layer: l.name })]), ['class', t('why.max.aClass')]]);
    options($('.why-gal-layer'), cs.map(([i, l]) => [i, `${l.name} (${t('why.gal.filters', { n: l.outShape.at(-1) })})`]));
    if (asked && ctx.state.model) setIf($('.why-what'), 'cls' in asked ? 'class' : asked.layer);
    if (askedGallery !== null && ctx.state.model) setIf($('.why-gal-layer'), askedGallery);
    fillWhich(classes);
    if (asked && ctx.state.model) setIf($('.why-which'), 'cls' in asked ? asked.cls : asked.filter);
  }

  function fillWhich(classes = classList) {
    const what = $('.why-what').value;
    const l = what !== 'class' && what !== '' && ctx.state.model && ctx.state.model.layers[Number(what)];
    if (l) {
      options($('.why-which'), Array.from({ length: l.outShape.at(-1) }, (_, c) => [c, `#${nth(c)}`]));
      ctx.setText($('.why-which-label'), 'why.max.filter');
    } else {
      options($('.why-which'), classes || []);
      ctx.setText($('.why-which-label'), 'why.max.class');
    }
  }

  function remember() {
    const what = $('.why-what').value;
    if (what === '') return;
    const which = Number($('.why-which').value);
    asked = what === 'class' ? { cls: which } : { layer: Number(what), filter: which };
    ctx.url.write('whymax', asked);
    ctx.url.write('why', 'want');
  }

  // One climb, its steps streamed as the worker posts them.
  async function maximize() {
    const what = $('.why-what').value;
    const which = Number($('.why-which').value);
    const args = what === 'class' ? { class: which } : { layer: Number(what), channel: which };
    args.steps = Number($('.why-max-steps').value);
    remember();
    const client = ctx.client;
    const off = client ? client.on('maximizeStep', (ev) => {
      last.maxStep = ev;
      showMaxStep(ev);
    }) : () => {};
    last.maxRunning = true;
    $('.why-max-stop').disabled = false;
    try {
      const r = await ctx.request('maximize', args, { timeoutMs: 120000 });
      last.maximize = r;
      last.maxStep = { step: r.done, steps: r.steps, objective: r.objective, image: r.image, field: r.field, stopped: r.stopped, layer: r.layer };
      showMaxStep(last.maxStep);
    } catch (err) {
      fail(err);
    } finally {
      off();
      last.maxRunning = false;
      $('.why-max-stop').disabled = true;
    }
  }

  function showMaxStep(ev) {
    const s = inShape();
    const [H, W] = s;
    const img = channel0(ev.image, s);
    $('.why-max-figs').hidden = false;
    $('.why-max-hint').hidden = true;
    paint($('.why-max'), greyRGBA(img), H, W);
    const z = cropField(img, H, W, ev.field);
    paint($('.why-max-zoom'), greyRGBA(z.values), z.h, z.w);
    $('.why-max-zoom').style.width = ''; // as wide as the whole input's picture (why.css), however small the field
    let key = ev.stopped ? 'why.max.stopped' : 'why.max.step';
    if (ev.fromGallery) key = 'why.max.fromGallery';
    ctx.setText($('.why-max-info'), key, { step: ev.step, steps: ev.steps, objective: num(ev.objective, 3), filter: nth(ev.channel ?? 0), layer: ev.name || '' });
    const f = ev.field;
    if (f && f[2] > f[0]) ctx.setText($('.why-max-field'), 'why.max.field', { top: nth(f[0]), bottom: f[2], left: nth(f[1]), right: f[3], h: f[2] - f[0], w: f[3] - f[1] });
    else $('.why-max-field').textContent = '';
  }

  // The gallery: every filter of one layer, one climb at a time.
  let run = 0; // the gallery run in progress, 0 for none
  let runs = 0;
  function galleryButtons() {
    $('.why-gal-go').disabled = Boolean(run);
    $('.why-gal-stop').disabled = !run;
  }

  function cellLabel(c) {
    return t('why.gal.cell', { filter: nth(c) });
  }

  function buildGrid(g) {
    $('.why-gallery').innerHTML = Array.from({ length: g.filters }, (_, c) => `<li><button type="button" class="why-gal-cell" data-filter="${c}" disabled><canvas></canvas><span>#${nth(c)}</span></button></li>`).join('');
    for (const b of $('.why-gallery').querySelectorAll('.why-gal-cell')) b.setAttribute('aria-label', cellLabel(Number(b.dataset.filter)));
  }

  function paintCell(g, c) {
    const r = g.cells[c];
    const b = $('.why-gallery').querySelector(`.why-gal-cell[data-filter="${c}"]`);
    if (!r || !b) return;
    const s = inShape();
    const z = cropField(channel0(r.image, s), s[0], s[1], r.field);
    const canvas = b.querySelector('canvas');
    canvas.width = z.w;
    canvas.height = z.h;
    canvas.getContext('2d').putImageData(new ImageData(greyRGBA(z.values), z.w, z.h), 0, 0);
    b.disabled = false;
  }

  function galleryInfo() {
    const g = last.gallery;
    if (!g) {
      ctx.setText($('.why-gal-info'), 'why.gal.hint');
      return;
    }
    const key = g.running ? 'why.gal.running' : g.done === g.filters ? 'why.gal.done' : 'why.gal.stopped';
    ctx.setText($('.why-gal-info'), key, { done: g.done, n: g.filters, layer: g.name, steps: GALLERY_STEPS });
  }

  async function gallery() {
    const layer = Number($('.why-gal-layer').value);
    const l = ctx.state.model && ctx.state.model.layers[layer];
    if (!l || run) return;
    const mine = ++runs;
    run = mine;
    const g = { layer, name: l.name, filters: l.outShape.at(-1), cells: [], done: 0, running: true };
    last.gallery = g;
    askedGallery = layer;
    ctx.url.write('whygal', layer);
    ctx.url.write('why', 'want');
    buildGrid(g);
    galleryButtons();
    galleryInfo();
    for (let c = 0; c < g.filters && run === mine; c++) {
      let r;
      try {
        r = await ctx.request('maximize', { layer, channel: c, steps: GALLERY_STEPS, stream: false }, { timeoutMs: 120000 });
      } catch (err) {
        if (run === mine) fail(err);
        break;
      }
      if (run !== mine || r.stopped) break; // stopped, or a newer climb (the detail's Start) took the worker's turn
      g.cells[c] = r;
      g.done++;
      paintCell(g, c);
      galleryInfo();
    }
    if (run === mine) run = 0;
    g.running = false;
    // A stopped gallery keeps its finished cells, not a wall of empty ones.
    for (const b of $('.why-gallery').querySelectorAll('.why-gal-cell:disabled')) b.parentElement.remove();
    galleryButtons();
    galleryInfo();
  }

  function galleryStop() {
    if (!run) return;
    run = 0;
    ctx.request('maximizeStop', {}).catch(fail);
    galleryButtons();
  }

  /** pick shows filter c of the gallery in the detail above, ready for a longer climb. */
  function pick(c) {
    const g = last.gallery;
    const r = g && g.cells[c];
    if (!r) return;
    $('.why-what').value = String(g.layer);
    fillWhich();
    $('.why-which').value = String(c);
    remember();
    last.maxStep = { step: r.done, steps: r.steps, objective: r.objective, image: r.image, field: r.field, layer: g.layer, name: g.name, channel: c, fromGallery: true };
    last.picked = { layer: g.layer, filter: c };
    showMaxStep(last.maxStep);
    $('.why-max-figs').scrollIntoView({ block: 'nearest' });
  }

  $('.why-what').addEventListener('change', () => {
    fillWhich();
    remember();
  });
  $('.why-which').addEventListener('change', remember);
  $('.why-max-go').addEventListener('click', maximize);
  $('.why-max-stop').addEventListener('click', () => ctx.request('maximizeStop', {}).catch(fail));
  $('.why-gal-go').addEventListener('click', gallery);
  $('.why-gal-stop').addEventListener('click', galleryStop);
  $('.why-gallery').addEventListener('click', (e) => {
    const b = e.target.closest('.why-gal-cell');
    if (b && !b.disabled) pick(Number(b.dataset.filter));
  });
  galleryInfo();

  return {
    fill,
    /** show repaints the texts in the current language. */
    show() {
      if (last.maxStep) showMaxStep(last.maxStep);
      galleryInfo();
      for (const b of $('.why-gallery').querySelectorAll('.why-gal-cell')) b.setAttribute('aria-label', cellLabel(Number(b.dataset.filter)));
    },
    /** reset forgets the pictures of a model that is gone and starts at its first layer's first filter (unless a link chose). */
    reset(classes) {
      run = 0;
      last.gallery = null;
      last.maxStep = null;
      last.maximize = null;
      $('.why-gallery').innerHTML = '';
      $('.why-max-figs').hidden = true;
      $('.why-max-hint').hidden = false;
      $('.why-max-info').textContent = '';
      $('.why-max-field').textContent = '';
      for (const sel of [$('.why-what'), $('.why-gal-layer')]) sel.value = sel.options.length ? sel.options[0].value : '';
      fill(classes);
      if (!asked) $('.why-which').value = $('.why-which').options.length ? $('.why-which').options[0].value : '';
      galleryButtons();
      galleryInfo();
    },
  };
}
