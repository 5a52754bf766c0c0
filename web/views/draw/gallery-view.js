// gallery-view.js: the gallery of real test images (#gallery-panel,
// below the prediction), the other way besides the pad (views/draw/draw.js) to
// give the network an input: a random set or a set of one class, eight
// thumbnails, a pick puts its image on the pad and makes it the input. The
// page's first image comes from here (seeded, the same on every visit, or
// the one a shared link names with img=); before the test images arrive,
// the data set's example shipped with the page (one of them, core.js's
// ctx.example) is the input, adopted as the first pick when they come.
// gallery.js holds the
// DOM-free parts (the seeded random source, the search by class).

import { createRng, findOfClass } from './gallery.js';
import { grayRGBA } from '../shared/paint.js';

/** Thumbnails shown in the gallery. */
const THUMBS = 8;
/** The gallery's random source: seeded, so a lesson starts on the same images. */
const SEED = 1;

/**
 * createGallery builds the gallery in the element gallery. From the pad
 * side it takes: pad (pad.js's), stopDrawing() which drops the pad's
 * pending live prediction before a pick, quiet() which clears the pad's
 * status line, and report(err) for a failed request. It returns {shown()
 * the test image on the pad {index, label} or null, forget() (the pad is a
 * drawing again, and a set still on its way is not shown), drop() (only
 * the latter: the student draws on a drawing), reset() (another data set),
 * update(dataset) (after a 'dataset' event: refresh, and pick the page's
 * first image once), relabel() (after a language switch), thumbs() the
 * shown [{index, label}]}.
 */
export function createGallery(ctx, gallery, { pad, stopDrawing, quiet, report }) {
  gallery.insertAdjacentHTML('beforeend', `
    <h2 id="gallery-title" data-i18n="draw.gallery"></h2>
    <p class="note" data-i18n="draw.galleryNote"></p>
    <div class="draw-classes" role="group" data-i18n-attr="aria-label:draw.byClass"></div>
    <div class="draw-thumbs"></div>
    <p class="draw-picked note"></p>`);
  ctx.translate(gallery);
  const classes = gallery.querySelector('.draw-classes');
  const thumbs = gallery.querySelector('.draw-thumbs');
  const picked = gallery.querySelector('.draw-picked');

  const rng = createRng(SEED);
  let shown = null; // {index, label}: the gallery image on the pad, or null
  let autoPicked = false;
  let example = null; // {index, label}: the shipped example on the pad, until the gallery adopts it or the student moves on
  let exampleAsked = false;
  let thumbList = []; // [{index, sample}]
  // The student's latest choice of input: a set asked for here waits for the
  // engine (its test images may still be coming, or it trains), and a
  // drawing, a newer set or another view's image chosen meanwhile wins.
  let choice = 0;

  const testCount = () => (ctx.state.dataset.available && ctx.state.dataset.available.test) || 0;
  const getSample = (index) => ctx.request('getSample', { split: 'test', index });

  /**
   * showClasses shows the class buttons. It builds them once per class
   * count and afterwards only updates them in place, so the keyboard focus
   * stays on a button while the data set's progress redraws the gallery.
   */
  function showClasses() {
    const n = (ctx.state.dataset.info && ctx.state.dataset.info.classes.length) || 10;
    const ready = testCount() > 0;
    if (classes.querySelectorAll('.draw-class').length !== n) {
      const pressed = classes.querySelector('[aria-pressed="true"]');
      const was = pressed ? pressed.dataset.class || 'random' : null;
      let html = `<button type="button" id="gallery-random" data-i18n="draw.random"></button>`;
      for (let k = 0; k < n; k++) html += `<button type="button" class="draw-class" data-class="${k}"></button>`;
      classes.innerHTML = html;
      for (const b of classes.querySelectorAll('button')) b.setAttribute('aria-pressed', String((b.dataset.class || 'random') === was));
    }
    for (const b of classes.querySelectorAll('.draw-class')) {
      const name = ctx.className(Number(b.dataset.class));
      if (b.textContent !== name) b.textContent = name;
    }
    for (const b of classes.querySelectorAll('button')) b.disabled = !ready;
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
   * renameThumbs redoes the thumbnails' names (the class names arrive with
   * the data set's info, and change with the language) in place, so a
   * focused thumbnail keeps the focus.
   */
  function renameThumbs() {
    for (const b of thumbs.querySelectorAll('.draw-thumb')) {
      const item = thumbList.find((x) => x.index === Number(b.dataset.index));
      if (item) b.dataset.i18nVars = JSON.stringify({ index: item.index, name: ctx.className(item.sample.label) });
    }
    ctx.translate(thumbs);
    markThumb(shown ? shown.index : null);
  }

  /**
   * showInput puts a test image another view made the input (Evaluate's
   * misclassified images) on the pad, so the pad, the guess and what the
   * network sees belong to the same image.
   */
  function showInput(input) {
    if (!input || input.source !== 'gallery' || !input.image) return;
    if (shown && shown.index === input.index) return; // this gallery's own pick
    choice++;
    stopDrawing();
    shown = { index: input.index, label: input.label };
    pad.reset(input.image);
    ctx.url.write('img', input.index);
    markThumb(input.index);
    showPicked();
    quiet();
  }
  ctx.on('input', showInput);

  /** drop gives up a set still on its way (the student chose something else) and releases its button. */
  function drop() {
    choice++;
    pressClass(null);
  }

  function forgetPicked() {
    drop();
    example = null;
    shown = null;
    ctx.url.write('img', null);
    markThumb(null);
    picked.textContent = '';
    delete picked.dataset.i18n;
  }

  /**
   * pick makes test image index the input and shows it on the pad; record:
   * the URL keeps it (img=), for a link to reproduce (the page's own first
   * image needs no record: every visit starts on it).
   */
  function pick(index, sample, record = true, source = 'gallery') {
    choice++; // a thumbnail clicked while a set is on its way: the click wins
    stopDrawing();
    shown = { index, label: sample.label };
    example = source === 'example' ? shown : null;
    pad.reset(sample.image);
    ctx.url.write('img', record ? index : null);
    markThumb(index);
    showPicked();
    quiet();
    ctx.setInput({ pixels: sample.pixels, image: sample.image, source, label: sample.label, index });
  }

  /** untouched reports whether nothing but the shipped example became the input yet. */
  const untouched = () => (!ctx.state.input || ctx.state.input.source === 'example') && !pad.strokes;

  /**
   * showExample makes the data set's example the input as soon as the
   * engine has the manifest (to standardize it), so the first prediction
   * does not wait for the test images; it is a test image and shows as one.
   */
  async function showExample() {
    const name = ctx.state.dataset.name;
    const e = await ctx.example();
    if (!ctx.state.input && !pad.strokes && !autoPicked && ctx.state.dataset.name === name) pick(e.index, e, false, 'example');
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
    const mine = ++choice;
    const source = auto ? createRng(SEED) : rng;
    const drawn = source.int(n);
    // The example on the pad stays the first pick: the picture does not change under the student.
    const first = auto && example && example.index < n ? example.index : drawn;
    const sample = await getSample(first);
    if (mine !== choice || (auto && !untouched())) return;
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
    const mine = ++choice;
    pressClass(String(k));
    const list = await findOfClass(getSample, k, rng.int(n), n, THUMBS);
    if (mine !== choice) return;
    showThumbs(list);
    if (list.length) pick(list[0].index, list[0].sample);
  }

  /** showIndex picks test image index (a shared link's img=), with others of its class beside it. */
  async function showIndex(index) {
    const mine = ++choice;
    const sample = await getSample(index);
    if (mine !== choice || ctx.state.input || pad.strokes) return;
    const n = testCount();
    pressClass(String(sample.label));
    showThumbs([{ index, sample }]);
    pick(index, sample);
    const others = await findOfClass(getSample, sample.label, (index + 1) % n, n, THUMBS - 1);
    if (thumbList.length === 1 && thumbList[0].index === index) showThumbs([{ index, sample }, ...others.filter((o) => o.index !== index)]);
    markThumb(index);
  }

  classes.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (!b || b.disabled) return;
    if (b.id === 'gallery-random') randomSet().catch(report);
    else classSet(Number(b.dataset.class)).catch(report);
  });
  showClasses();

  return {
    shown: () => shown,
    forget: forgetPicked,
    drop,
    reset() {
      forgetPicked();
      thumbList = [];
      thumbs.innerHTML = '';
      autoPicked = false;
      exampleAsked = false;
    },
    update(d) {
      showClasses();
      showPicked();
      renameThumbs();
      const n = testCount();
      if (!exampleAsked && d.info && !autoPicked && n === 0 && ctx.url.read('img') === null && untouched()) {
        exampleAsked = true;
        showExample().catch(report);
      }
      if (!autoPicked && n > 0 && untouched()) {
        const asked = ctx.url.read('img');
        const want = asked !== null && asked < n ? asked : null;
        if (asked !== null && want === null && !d.complete) return; // the link's image may be in a test chunk still coming
        autoPicked = true;
        (want === null ? randomSet(true) : showIndex(want)).catch(report);
      }
    },
    relabel() {
      showClasses();
      showPicked();
      renameThumbs();
    },
    thumbs: () => thumbList.map((t) => ({ index: t.index, label: t.sample.label })),
  };
}
