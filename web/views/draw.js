// views/draw.js: the drawing pad and the gallery of real test images, the
// two ways to give the network an input (see /tmp/s2/contract.txt's view
// contract and README's "The page").
//
// The pad is white ink on black, the data sets' own look: bright is ink,
// and what the student sees on the pad is what "What the network sees"
// shows at each step, with no hidden inversion to explain. Strokes come
// from pointer events (mouse, pen, touch) and are kept for undo. While the
// student draws, the pad's pixels go to the engine's preprocess op (at
// most every 100 ms, the newest drawing only: draw-live.js) and its model
// input to ctx.setInput; the pad itself never waits for the engine.

import { createHistory, smoothPath, padPoint } from './draw-strokes.js';
import { createLatest, createPacer } from './draw-live.js';
import { createRng, findOfClass, parseIndex } from './draw-gallery.js';
import { grayRGBA } from './sees-pixels.js';

/** The pad's size in canvas pixels (ten data set pixels per 28x28 pixel). */
const SIZE = 280;
/** Thumbnails shown in the gallery. */
const THUMBS = 8;
/** The pacing of live prediction while drawing. */
const LIVE_MS = 100;
/** The gallery's random source: seeded, so a lesson starts on the same images. */
const SEED = 1;

const TEXTS = {
  en: {
    'draw.title': 'Draw',
    'draw.hint.fashion': 'Draw one piece of clothing, a shoe or a bag, filling it in: the data set\'s items are solid shapes, white on black.',
    'draw.hint.digits': 'Draw one digit, 0 to 9, large and in one piece, as a pen would: white on black like the data set.',
    'draw.why': 'The pad is white ink on black because the data set\'s images are: bright pixels are ink and carry high values.',
    'draw.padLabel': 'Drawing pad: draw with a mouse, pen or finger; the network guesses as you draw',
    'draw.padEmpty': 'Draw here',
    'draw.padGallery': 'Test image #{index}: draw on the pad to replace it',
    'draw.brush': 'Brush',
    'draw.brushValue': '{size} px',
    'draw.pen': 'Pen',
    'draw.eraser': 'Eraser',
    'draw.tool': 'Tool',
    'draw.undo': 'Undo',
    'draw.undoTitle': 'Undo the last stroke (Ctrl+Z)',
    'draw.clear': 'Clear',
    'draw.empty': 'The pad is empty: the network has nothing to look at.',
    'draw.warnings': 'Your drawing differs from the data set\'s images in {count} way(s).',
    'draw.seeWhy': 'See why',
    'draw.fine': 'Your drawing looks like the data set\'s images.',
    'draw.failed': 'Could not prepare the drawing: {error}',
    'draw.gallery': 'Or pick a real test image',
    'draw.galleryNote': 'Images from the test split, which the network never trained on.',
    'draw.random': 'Random',
    'draw.byClass': 'By class',
    'draw.waiting': 'The test images appear once the data set has loaded.',
    'draw.thumb': 'Test image #{index}: {name}',
    'draw.picked': 'Test image #{index}; its true class: {name}.',
    'draw.none': 'No test image of this class is loaded.',
  },
  zh: {
    'draw.title': '画图',
    'draw.hint.fashion': '画一件衣物、一只鞋或一个包，并把它涂满：数据集里的物品都是实心的形状，黑底白色。',
    'draw.hint.digits': '画一个 0 到 9 的数字，写大一些、一笔连贯，就像用笔写字：和数据集一样是黑底白字。',
    'draw.why': '画板用黑底白墨，因为数据集的图像就是这样：亮的像素是墨迹，数值也高。',
    'draw.padLabel': '画板：用鼠标、触控笔或手指作画，网络会一边看一边猜',
    'draw.padEmpty': '在这里画',
    'draw.padGallery': '测试图像 #{index}：在画板上作画即可替换它',
    'draw.brush': '笔刷',
    'draw.brushValue': '{size} 像素',
    'draw.pen': '画笔',
    'draw.eraser': '橡皮',
    'draw.tool': '工具',
    'draw.undo': '撤销',
    'draw.undoTitle': '撤销上一笔（Ctrl+Z）',
    'draw.clear': '清空',
    'draw.empty': '画板是空的：网络没有东西可看。',
    'draw.warnings': '你的画和数据集的图像有 {count} 处不同。',
    'draw.seeWhy': '看看原因',
    'draw.fine': '你的画和数据集的图像很像。',
    'draw.failed': '无法处理这幅画：{error}',
    'draw.gallery': '或者选一张真实的测试图像',
    'draw.galleryNote': '这些图像来自测试集，网络训练时从未见过它们。',
    'draw.random': '随机',
    'draw.byClass': '按类别',
    'draw.waiting': '数据集加载完后，这里会出现测试图像。',
    'draw.thumb': '测试图像 #{index}：{name}',
    'draw.picked': '测试图像 #{index}；它的真实类别：{name}。',
    'draw.none': '这个类别还没有加载任何测试图像。',
  },
};

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
    <p class="draw-status-line"><span class="draw-status" role="status" aria-live="polite"></span>
      <a class="draw-seewhy" href="#sees-panel" data-i18n="draw.seeWhy" hidden></a></p>
    <p class="note draw-why" data-i18n="draw.why"></p>
    <h3 data-i18n="draw.gallery"></h3>
    <p class="note" data-i18n="draw.galleryNote"></p>
    <div class="draw-classes" role="group" data-i18n-attr="aria-label:draw.byClass"></div>
    <div class="draw-thumbs"></div>
    <p class="draw-picked note"></p>`;

  const $ = (sel) => section.querySelector(sel);
  const canvas = $('#draw');
  const g = canvas.getContext('2d', { willReadFrequently: true });
  const overlay = $('.draw-overlay');
  const sizeInput = $('#draw-size');
  const status = $('.draw-status');
  const classes = $('.draw-classes');
  const thumbs = $('.draw-thumbs');
  const picked = $('.draw-picked');

  const history = createHistory();
  const rng = createRng(SEED);
  let erasing = false;
  let backdrop = null; // {index, image}: the gallery image shown on the pad
  let base = null; // the pad's pixels before the open stroke
  let pointer = null; // the pointer drawing the open stroke
  let frameAsked = false;
  let generation = 0; // bumps when the input stops being the pad's drawing
  let datasetName = null;
  let autoPicked = false;
  let thumbList = []; // [{index, sample}]
  let lastDrawing = null; // the last preprocess result for the pad

  // Painting.

  function paintStroke(s) {
    g.save();
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.lineWidth = s.size;
    g.strokeStyle = g.fillStyle = s.erase ? '#000' : '#fff';
    g.beginPath();
    let open = false;
    for (const [op, ...a] of smoothPath(s.points)) {
      if (op === 'dot') {
        g.arc(a[0], a[1], s.size / 2, 0, 2 * Math.PI);
        g.fill();
      } else if (op === 'move') {
        g.moveTo(a[0], a[1]);
        open = true;
      } else if (op === 'quad') g.quadraticCurveTo(a[0], a[1], a[2], a[3]);
      else g.lineTo(a[0], a[1]);
    }
    if (open) g.stroke();
    g.restore();
  }

  function paintBackdrop() {
    const small = document.createElement('canvas');
    small.width = 28;
    small.height = 28;
    small.getContext('2d').putImageData(new ImageData(grayRGBA(backdrop.image), 28, 28), 0, 0);
    g.save();
    g.imageSmoothingEnabled = false;
    g.drawImage(small, 0, 0, SIZE, SIZE);
    g.restore();
  }

  /** repaint paints the pad from scratch: paper, the gallery image, every stroke. */
  function repaint() {
    g.fillStyle = '#000';
    g.fillRect(0, 0, SIZE, SIZE);
    if (backdrop) paintBackdrop();
    for (const s of history.strokes) paintStroke(s);
    showPad();
  }

  /** frame paints the open stroke over the pad as it was when the stroke began. */
  function frame() {
    frameAsked = false;
    const s = history.strokes[history.strokes.length - 1];
    if (!history.drawing || !base || !s) return;
    g.putImageData(base, 0, 0);
    paintStroke(s);
  }

  function askFrame() {
    if (frameAsked) return;
    frameAsked = true;
    requestAnimationFrame(frame);
  }

  function showPad() {
    const blank = !backdrop && history.strokes.length === 0;
    overlay.hidden = !blank && !backdrop;
    overlay.classList.toggle('on-image', Boolean(backdrop));
    if (backdrop) {
      overlay.dataset.i18n = 'draw.padGallery';
      overlay.dataset.i18nVars = JSON.stringify({ index: backdrop.index });
    } else {
      overlay.dataset.i18n = 'draw.padEmpty';
      delete overlay.dataset.i18nVars;
    }
    ctx.translate(overlay);
    $('#undo').disabled = history.strokes.length === 0;
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

  async function predictDrawing() {
    const gen = generation;
    const img = g.getImageData(0, 0, SIZE, SIZE);
    const r = await ctx.request('preprocess', { rgba: img.data, width: SIZE, height: SIZE, fit: fit() }, { transfer: [img.data.buffer] });
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
    if (!backdrop) return;
    backdrop = null;
    history.clear();
    ctx.url.set('img', null);
    pressClass(null);
    picked.textContent = '';
    delete picked.dataset.i18n;
    repaint();
  }

  // Pointer events: mouse, pen and touch alike.

  const point = (e) => padPoint(e.clientX, e.clientY, canvas.getBoundingClientRect(), SIZE, SIZE);

  canvas.addEventListener('pointerdown', (e) => {
    if (pointer !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    pointer = e.pointerId;
    try {
      canvas.setPointerCapture(e.pointerId);
    } catch {
      // A synthesized pointer has nothing to capture; its events come to the canvas anyway.
    }
    leaveGallery();
    base = g.getImageData(0, 0, SIZE, SIZE);
    history.begin(point(e), Number(sizeInput.value), erasing);
    frame();
    showPad();
    pacer.poke();
  });

  // The brush's outline follows a mouse or pen, so its size is seen before drawing.
  const cursor = $('.draw-cursor');
  function showCursor(e) {
    if (e.pointerType === 'touch') {
      cursor.hidden = true;
      return;
    }
    const r = canvas.getBoundingClientRect();
    const d = (Number(sizeInput.value) * r.width) / SIZE;
    cursor.hidden = false;
    cursor.style.width = cursor.style.height = `${d}px`;
    cursor.style.transform = `translate(${e.clientX - r.left - d / 2}px, ${e.clientY - r.top - d / 2}px)`;
  }
  canvas.addEventListener('pointerleave', () => {
    cursor.hidden = true;
  });

  canvas.addEventListener('pointermove', (e) => {
    showCursor(e);
    if (e.pointerId !== pointer) return;
    const events = (e.getCoalescedEvents && e.getCoalescedEvents()) || [];
    let moved = false;
    for (const ev of events.length ? events : [e]) moved = history.add(point(ev)) || moved;
    if (!moved) return;
    askFrame();
    pacer.poke();
  });

  function endStroke(e) {
    if (e.pointerId !== pointer) return;
    if (e.type === 'pointerup') history.add(point(e));
    history.end();
    frame();
    pointer = null;
    base = null;
    showPad();
    pacer.flush();
  }
  canvas.addEventListener('pointerup', endStroke);
  canvas.addEventListener('pointercancel', endStroke);
  canvas.addEventListener('lostpointercapture', endStroke);

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
    canvas.classList.toggle('erasing', erase);
  }
  $('#draw-pen').addEventListener('click', () => setTool(false));
  $('#draw-eraser').addEventListener('click', () => setTool(true));

  function undo() {
    if (pointer !== null || history.strokes.length === 0) return;
    history.undo();
    repaint();
    pacer.flush();
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
    history.clear();
    backdrop = null;
    pointer = null;
    base = null;
    ctx.url.set('img', null);
    pressClass(null);
    picked.textContent = '';
    delete picked.dataset.i18n;
    thumbs.querySelectorAll('[aria-pressed="true"]').forEach((b) => b.setAttribute('aria-pressed', 'false'));
    repaint();
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

  function markThumb(index) {
    for (const b of thumbs.querySelectorAll('.draw-thumb')) b.setAttribute('aria-pressed', String(backdrop !== null && Number(b.dataset.index) === index));
  }

  function showPicked() {
    if (!backdrop) return;
    picked.dataset.i18n = 'draw.picked';
    picked.dataset.i18nVars = JSON.stringify({ index: backdrop.index, name: ctx.className(backdrop.label) });
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
    history.clear();
    pointer = null;
    backdrop = { index, image: sample.image, label: sample.label };
    repaint();
    ctx.url.set('img', record ? index : null);
    markThumb(index);
    showPicked();
    $('.draw-seewhy').hidden = true;
    status.textContent = '';
    delete status.dataset.i18n;
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
    if (auto && (ctx.state.input || history.strokes.length)) return;
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
    if (ctx.state.input || history.strokes.length) return;
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
        ctx.url.set('img', null);
        generation++;
        pacer.cancel();
        history.clear();
        backdrop = null;
        thumbs.innerHTML = '';
        picked.textContent = '';
        delete picked.dataset.i18n;
        repaint();
        lastDrawing = null;
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
    const n = testCount();
    if (!autoPicked && n > 0 && !ctx.state.input && !history.strokes.length) {
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
    if (backdrop) markThumb(backdrop.index);
  }

  ctx.on('lang', () => {
    showClasses();
    showPicked();
    renameThumbs();
  });

  setTool(false);
  showSize();
  repaint();
  showClasses();

  window.convplay.views.draw = {
    get strokes() {
      return history.strokes.length;
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
