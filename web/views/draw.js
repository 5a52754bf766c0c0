// views/draw.js: the drawing pad (its canvas: draw-pad.js) and the gallery
// of real test images (in #gallery-panel), the two ways to give the network
// an input.
//
// The pad is white ink on black, the data sets' own look: bright is ink,
// and what the student sees on the pad is what "What the network sees"
// shows at each step, with no hidden inversion to explain. Strokes come
// from pointer events (mouse, pen, touch) and are kept for undo. While the
// student draws, the pad's pixels go to the engine's preprocess op (at
// most every 100 ms, the newest drawing only: draw-live.js) and its model
// input to ctx.setInput; the pad itself never waits for the engine.

import { createPad } from './draw-pad.js';
import { createLatest, createPacer } from './draw-live.js';
import { createRng, findOfClass, parseIndex } from './draw-gallery.js';
import { grayRGBA } from './sees-pixels.js';
import { TEXTS } from './draw-strings.js';
import { topClass } from './prediction-bars.js';

/** The pad's size in canvas pixels (ten data set pixels per 28x28 pixel). */
const SIZE = 280;
/** Thumbnails shown in the gallery. */
const THUMBS = 8;
/** The pacing of live prediction while drawing. */
const LIVE_MS = 100;
/** The gallery's random source: seeded, so a lesson starts on the same images. */
const SEED = 1;

/** editable reports whether a key press belongs to a text field, not the page. */
function editable(el) {
  return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  section.innerHTML = `
    <h2 data-i18n="draw.title"></h2>
    <p class="note draw-hint" data-i18n="draw.hint.fashion"></p>
    <div class="draw-pad">
      <canvas id="draw" width="${SIZE}" height="${SIZE}" role="img" data-i18n-attr="aria-label:draw.padLabel"></canvas>
      <p class="draw-overlay" aria-hidden="true"></p>
      <span class="draw-cursor" aria-hidden="true" hidden></span>
    </div>
    <div class="controls draw-tools">
      <label class="draw-size"><span data-i18n="draw.brush"></span>
        <input id="draw-size" type="range" min="4" max="40" step="2" value="20">
        <output for="draw-size" class="draw-size-value"></output></label>
      <span class="draw-toolgroup" role="group" data-i18n-attr="aria-label:draw.tool">
        <button type="button" id="draw-pen" aria-pressed="true" data-i18n="draw.pen"></button>
        <button type="button" id="draw-eraser" aria-pressed="false" data-i18n="draw.eraser"></button>
      </span>
      <button type="button" id="undo" data-i18n="draw.undo" data-i18n-attr="title:draw.undoTitle" disabled></button>
      <button type="button" id="clear" data-i18n="draw.clear"></button>
    </div>
    <p class="draw-guess" aria-hidden="true"></p>
    <p class="draw-status-line"><span class="draw-status" role="status" aria-live="polite"></span>
      <a class="draw-seewhy" href="#sees-panel" data-i18n="draw.seeWhy" hidden></a></p>
`;
  // The gallery has a section of its own (#gallery-panel, below the
  // prediction, so the pad and its probabilities stay side by side in view);
  // this view owns both.
  const gallery = document.getElementById('gallery-panel') || section;
  gallery.insertAdjacentHTML('beforeend', `
    <h2 id="gallery-title" data-i18n="draw.gallery"></h2>
    <p class="note" data-i18n="draw.galleryNote"></p>
    <div class="draw-classes" role="group" data-i18n-attr="aria-label:draw.byClass"></div>
    <div class="draw-thumbs"></div>
    <p class="draw-picked note"></p>`);
  ctx.translate(gallery);

  const $ = (sel) => section.querySelector(sel);
  const overlay = $('.draw-overlay');
  const sizeInput = $('#draw-size');
  const status = $('.draw-status');
  const classes = gallery.querySelector('.draw-classes');
  const thumbs = gallery.querySelector('.draw-thumbs');
  const picked = gallery.querySelector('.draw-picked');

  const rng = createRng(SEED);
  let erasing = false;
  let shown = null; // {index, label}: the gallery image on the pad, or null
  let generation = 0; // bumps when the input stops being the pad's drawing
  let datasetName = null;
  let autoPicked = false;
  let thumbList = []; // [{index, sample}]
  let lastDrawing = null; // the last preprocess result for the pad

  const pad = createPad($('#draw'), $('.draw-cursor'), {
    brush: () => ({ size: Number(sizeInput.value), erase: erasing }),
    onBegin: leaveGallery,
    onMove: () => pacer.poke(),
    onEnd: () => pacer.flush(),
    onChange: showPad,
  });

  function showPad() {
    overlay.hidden = pad.strokes > 0 && !shown;
    overlay.classList.toggle('on-image', Boolean(shown));
    if (shown) {
      overlay.dataset.i18n = 'draw.padGallery';
      overlay.dataset.i18nVars = JSON.stringify({ index: shown.index });
    } else {
      overlay.dataset.i18n = 'draw.padEmpty';
      delete overlay.dataset.i18nVars;
    }
    ctx.translate(overlay);
    $('#undo').disabled = pad.strokes === 0;
  }

  // Live prediction of the pad's drawing.

  function fit() {
    return ctx.state.dataset.name === 'digits' ? 'mnist' : 'fashion';
  }

  function say(key, vars = {}, bad = false) {
    $('.draw-seewhy').hidden = key !== 'draw.warnings';
    status.dataset.i18n = key;
    status.dataset.i18nVars = JSON.stringify(vars);
    status.classList.toggle('bad', bad);
    ctx.translate(status);
  }

  function quiet() {
    $('.draw-seewhy').hidden = true;
    status.textContent = '';
    delete status.dataset.i18n;
    status.classList.remove('bad');
  }

  async function predictDrawing() {
    const gen = generation;
    const img = pad.pixels();
    const r = await ctx.request('preprocess', { rgba: img.data, width: img.width, height: img.height, fit: fit() }, { transfer: [img.data.buffer] });
    if (gen !== generation) return; // a gallery image or another data set came meanwhile
    const empty = r.warnings.some((w) => w.code === 'empty');
    lastDrawing = { ...r, source: 'draw', empty };
    ctx.emit('drawing', lastDrawing);
    if (empty) {
      say('draw.empty');
      ctx.setInput(null);
      return;
    }
    if (r.warnings.length) say('draw.warnings', { count: r.warnings.length });
    else say('draw.fine');
    ctx.setInput({
      pixels: r.pixels, image: r.image, source: 'draw', steps: r.steps, warnings: r.warnings,
      mean: r.mean, std: r.std, fit: r.fit,
    });
  }

  const live = createLatest(predictDrawing, (err) => say('draw.failed', { error: err.message }, true));
  const pacer = createPacer(() => live.run(), LIVE_MS);

  function forgetPicked() {
    shown = null;
    ctx.url.set('img', null);
    pressClass(null);
    markThumb(null);
    picked.textContent = '';
    delete picked.dataset.i18n;
  }

  /** leaveGallery turns the pad back into a drawing when the student starts drawing on a test image. */
  function leaveGallery() {
    if (!shown) return;
    forgetPicked();
    pad.reset();
  }

  // Tools.

  function showSize() {
    const out = $('.draw-size-value');
    out.dataset.i18n = 'draw.brushValue';
    out.dataset.i18nVars = JSON.stringify({ size: sizeInput.value });
    ctx.translate(out);
  }
  sizeInput.addEventListener('input', showSize);

  function setTool(erase) {
    erasing = erase;
    $('#draw-pen').setAttribute('aria-pressed', String(!erase));
    $('#draw-eraser').setAttribute('aria-pressed', String(erase));
    $('#draw').classList.toggle('erasing', erase);
  }
  $('#draw-pen').addEventListener('click', () => setTool(false));
  $('#draw-eraser').addEventListener('click', () => setTool(true));

  function undo() {
    if (pad.undo()) pacer.flush();
  }
  $('#undo').addEventListener('click', undo);
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'z' && !editable(e.target)) {
      e.preventDefault();
      undo();
    }
  });

  function clear() {
    pacer.cancel();
    generation++;
    forgetPicked();
    pad.reset();
    live.run(); // the engine says the pad is empty: the warning, not an error
  }
  $('#clear').addEventListener('click', clear);

  // The gallery.

  const testCount = () => (ctx.state.dataset.available && ctx.state.dataset.available.test) || 0;
  const getSample = (index) => ctx.request('getSample', { split: 'test', index });

  function showClasses() {
    const n = (ctx.state.dataset.info && ctx.state.dataset.info.classes.length) || 10;
    const ready = testCount() > 0;
    let html = `<button type="button" id="gallery-random" data-i18n="draw.random"></button>`;
    for (let k = 0; k < n; k++) html += `<button type="button" class="draw-class" data-class="${k}"></button>`;
    const pressed = classes.querySelector('[aria-pressed="true"]');
    const was = pressed ? pressed.dataset.class || 'random' : null;
    classes.innerHTML = html;
    for (const b of classes.querySelectorAll('.draw-class')) b.textContent = ctx.className(Number(b.dataset.class));
    for (const b of classes.querySelectorAll('button')) {
      b.disabled = !ready;
      b.setAttribute('aria-pressed', String((b.dataset.class || 'random') === was));
    }
    ctx.translate(classes);
    if (!ready && !thumbs.children.length) {
      thumbs.innerHTML = '<p class="note" data-i18n="draw.waiting"></p>';
      ctx.translate(thumbs);
    }
  }

  function pressClass(which) {
    for (const b of classes.querySelectorAll('button')) b.setAttribute('aria-pressed', String((b.dataset.class || 'random') === which));
  }

  function showThumbs(list) {
    thumbList = list;
    thumbs.innerHTML = '';
    if (!list.length) {
      thumbs.innerHTML = '<p class="note" data-i18n="draw.none"></p>';
      ctx.translate(thumbs);
      return;
    }
    for (const { index, sample } of list) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'draw-thumb';
      b.dataset.index = index;
      b.dataset.i18nAttr = 'aria-label:draw.thumb;title:draw.thumb';
      b.dataset.i18nVars = JSON.stringify({ index, name: ctx.className(sample.label) });
      b.setAttribute('aria-pressed', 'false');
      const c = document.createElement('canvas');
      c.width = 28;
      c.height = 28;
      c.className = 'pixels';
      c.getContext('2d').putImageData(new ImageData(grayRGBA(sample.image), 28, 28), 0, 0);
      b.append(c);
      b.addEventListener('click', () => pick(index, sample));
      thumbs.append(b);
    }
    ctx.translate(thumbs);
  }

  /** markThumb marks the thumbnail of test image index (null: none) as the one shown. */
  function markThumb(index) {
    for (const b of thumbs.querySelectorAll('.draw-thumb')) b.setAttribute('aria-pressed', String(Number(b.dataset.index) === index));
  }

  function showPicked() {
    if (!shown) return;
    picked.dataset.i18n = 'draw.picked';
    picked.dataset.i18nVars = JSON.stringify({ index: shown.index, name: ctx.className(shown.label) });
    ctx.translate(picked);
  }

  /**
   * pick makes test image index the input and shows it on the pad; record:
   * the URL keeps it (img=), for a link to reproduce (the page's own first
   * image needs no record: every visit starts on it).
   */
  function pick(index, sample, record = true) {
    pacer.cancel();
    generation++;
    shown = { index, label: sample.label };
    pad.reset(sample.image);
    ctx.url.set('img', record ? index : null);
    markThumb(index);
    showPicked();
    quiet();
    ctx.setInput({ pixels: sample.pixels, image: sample.image, source: 'gallery', label: sample.label, index });
  }

  /**
   * randomSet shows THUMBS random test images and picks the first. auto: the
   * page's first image, taken from a fresh source of the same seed (so every
   * visit starts on the same image) and only if nothing else became the
   * input meanwhile.
   */
  async function randomSet(auto = false) {
    const n = testCount();
    if (!n) return;
    const source = auto ? createRng(SEED) : rng;
    const first = source.int(n);
    const sample = await getSample(first);
    if (auto && (ctx.state.input || pad.strokes)) return;
    pressClass('random');
    const list = [{ index: first, sample }];
    showThumbs(list);
    pick(first, sample, !auto);
    for (let i = 1; i < THUMBS; i++) {
      const index = source.int(n);
      list.push({ index, sample: await getSample(index) });
    }
    if (thumbList === list) showThumbs(list);
    markThumb(first);
  }

  async function classSet(k) {
    const n = testCount();
    if (!n) return;
    pressClass(String(k));
    const list = await findOfClass(getSample, k, rng.int(n), n, THUMBS);
    showThumbs(list);
    if (list.length) pick(list[0].index, list[0].sample);
  }

  /** showIndex picks test image index (a shared link's img=), with others of its class beside it. */
  async function showIndex(index) {
    const sample = await getSample(index);
    if (ctx.state.input || pad.strokes) return;
    const n = testCount();
    pressClass(String(sample.label));
    showThumbs([{ index, sample }]);
    pick(index, sample);
    const others = await findOfClass(getSample, sample.label, (index + 1) % n, n, THUMBS - 1);
    if (thumbList.length === 1 && thumbList[0].index === index) showThumbs([{ index, sample }, ...others.filter((o) => o.index !== index)]);
    markThumb(index);
  }

  const report = (err) => say('draw.failed', { error: err.message }, true);
  classes.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (!b || b.disabled) return;
    if (b.id === 'gallery-random') randomSet().catch(report);
    else classSet(Number(b.dataset.class)).catch(report);
  });

  // The page's events.

  ctx.on('dataset', (d) => {
    if (d.name !== datasetName) {
      if (datasetName !== null) {
        // Another data set: its own pad, gallery and first image.
        generation++;
        pacer.cancel();
        forgetPicked();
        thumbList = [];
        thumbs.innerHTML = '';
        pad.reset();
        lastDrawing = null;
        quiet();
      }
      datasetName = d.name;
      autoPicked = false;
      const hint = $('.draw-hint');
      hint.dataset.i18n = d.name === 'digits' ? 'draw.hint.digits' : 'draw.hint.fashion';
      ctx.translate(hint);
    }
    showClasses();
    showPicked();
    renameThumbs();
    showGuess(ctx.state.prediction);
    const n = testCount();
    if (!autoPicked && n > 0 && !ctx.state.input && !pad.strokes) {
      const asked = ctx.url.get('img');
      const want = parseIndex(asked, n);
      if (asked !== null && want === null && !d.complete) return; // the link's image may be in a test chunk still coming
      autoPicked = true;
      (want === null ? randomSet(true) : showIndex(want)).catch(report);
    }
  });

  /** renameThumbs redoes the thumbnails' names (the class names arrive with the data set's info, and change with the language). */
  function renameThumbs() {
    if (!thumbList.length) return;
    showThumbs(thumbList);
    markThumb(shown ? shown.index : null);
  }

  /**
   * showGuess repeats the network's top class under the pad (the bars are in
   * the prediction panel, which may be out of sight while drawing).
   */
  function showGuess(p) {
    const el = $('.draw-guess');
    if (!p) {
      el.textContent = '';
      return;
    }
    const k = topClass(p.probs);
    el.textContent = ctx.t('draw.guess', { name: ctx.className(k), pct: ctx.fmt.pct(p.probs[k]) });
  }
  ctx.on('prediction', showGuess);

  ctx.on('lang', () => {
    showGuess(ctx.state.prediction);
    showClasses();
    showPicked();
    renameThumbs();
  });

  setTool(false);
  showSize();
  pad.repaint();
  showClasses();

  window.convplay.views.draw = {
    get strokes() {
      return pad.strokes;
    },
    get thumbs() {
      return thumbList.map((t) => ({ index: t.index, label: t.sample.label }));
    },
    get lastDrawing() {
      return lastDrawing;
    },
    get busy() {
      return live.busy || pacer.armed;
    },
  };
}
