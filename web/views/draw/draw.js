// views/draw/draw.js: the drawing pad (its canvas: pad.js) and the gallery
// of real test images (in #gallery-panel: gallery-view.js), the two
// ways to give the network an input; the texts are in strings.js.
//
// The pad is white ink on black, the data sets' own look: bright is ink,
// and what the student sees on the pad is what "What the network sees"
// shows at each step, with no hidden inversion to explain. Strokes come
// from pointer events (mouse, pen, touch) and are kept for undo. While the
// student draws, the pad's pixels go to the engine's preprocess op (at
// most every 100 ms, the newest drawing only: live.js) and its model
// input to ctx.setInput; the pad itself never waits for the engine.

import { createPad } from './pad.js';
import { createLatest, createPacer } from './live.js';
import { createGallery } from './gallery-view.js';
import { TEXTS } from './strings.js';
import { argmax } from '../shared/argmax.js';

/** The pad's size in canvas pixels (ten data set pixels per 28x28 pixel). */
const SIZE = 280;
/** The pacing of live prediction while drawing. */
const LIVE_MS = 100;

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
      <canvas id="draw" class="no-touch-tip" width="${SIZE}" height="${SIZE}" role="img" data-i18n-attr="aria-label:draw.padLabel"></canvas>
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
  const $ = (sel) => section.querySelector(sel);
  const overlay = $('.draw-overlay');
  const sizeInput = $('#draw-size');
  const status = $('.draw-status');

  let erasing = false;
  let generation = 0; // bumps when the input stops being the pad's drawing
  let datasetName = null;
  let lastDrawing = null; // the last preprocess result for the pad

  const pad = createPad($('#draw'), $('.draw-cursor'), {
    brush: () => ({ size: Number(sizeInput.value), erase: erasing }),
    onBegin: leaveGallery,
    onMove: () => pacer.poke(),
    onEnd: () => pacer.flush(),
    onChange: showPad,
  });

  // The gallery has a section of its own (#gallery-panel, below the
  // prediction, so the pad and its probabilities stay side by side in view);
  // this view owns both.
  const gallery = createGallery(ctx, document.getElementById('gallery-panel') || section, {
    pad,
    stopDrawing: () => {
      pacer.cancel();
      generation++;
    },
    quiet,
    report: (err) => say('draw.failed', { error: err.message }, true),
  });

  function showPad() {
    const shown = gallery.shown();
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

  /** leaveGallery turns the pad back into a drawing when the student starts drawing on a test image. */
  function leaveGallery() {
    if (!gallery.shown()) {
      gallery.drop(); // a set asked for before this stroke comes too late
      return;
    }
    gallery.forget();
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
    gallery.forget();
    pad.reset();
    live.run(); // the engine says the pad is empty: the warning, not an error
  }
  $('#clear').addEventListener('click', clear);

  // The page's events.

  ctx.on('dataset', (d) => {
    if (d.name !== datasetName) {
      if (datasetName !== null) {
        // Another data set: its own pad, gallery and first image.
        generation++;
        pacer.cancel();
        gallery.reset();
        pad.reset();
        lastDrawing = null;
        quiet();
      }
      datasetName = d.name;
      const hint = $('.draw-hint');
      hint.dataset.i18n = d.name === 'digits' ? 'draw.hint.digits' : 'draw.hint.fashion';
      ctx.translate(hint);
    }
    showGuess(ctx.state.prediction);
    gallery.update(d);
  });

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
    const k = argmax(p.probs);
    el.textContent = ctx.t('draw.guess', { name: ctx.className(k), pct: ctx.fmt.pct(p.probs[k]) });
  }
  ctx.on('prediction', showGuess);

  ctx.on('lang', () => {
    showGuess(ctx.state.prediction);
    gallery.relabel();
  });

  setTool(false);
  showSize();
  pad.repaint();

  window.convplay.views.draw = {
    get strokes() {
      return pad.strokes;
    },
    get thumbs() {
      return gallery.thumbs();
    },
    /** the test image on the pad, {index, label}, or null */
    get shown() {
      return gallery.shown();
    },
    get lastDrawing() {
      return lastDrawing;
    },
    get busy() {
      return live.busy || pacer.armed;
    },
  };
}
