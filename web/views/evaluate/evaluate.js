// views/evaluate/evaluate.js: the test evaluation (#eval-panel). #evaluate asks the
// engine to evaluate the model on the test split (it runs in slices, so
// the page stays live); #test-result prints [loss, accuracy] as Keras's
// model.evaluate does, and the figure without the test images that also
// occur in the training data; per-class accuracy bars; a confusion matrix
// whose cells open their misclassified test images, and a click on one of
// those makes it the page's input, so the network shows why it failed.
// Every number is the engine's (wasm/evaluate.go); matrix.js only
// picks and colours them. The texts are in strings.js, the bars
// and the matrix as DOM in tables.js, the opened cell's test
// images in cell.js.

import { kerasList, lesson } from './matrix.js';
import { term } from '../../glossary.js';
import { createCellImages } from './cell.js';
import { fillBars, fillMatrix } from './tables.js';
import { TEXTS } from './strings.js';

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  const { fmt } = ctx;
  section.classList.add('panel', 'evaluate');
  section.innerHTML = `
    <h2 data-i18n="eval.title"></h2>
    <p class="note" data-i18n="eval.intro"></p>
    <div class="controls">
      <button id="evaluate" type="button" data-i18n="eval.run"></button>
      <progress id="eval-progress" class="eval-progress" max="1" value="0" hidden></progress>
      <span id="eval-status" class="eval-status" role="status" aria-live="polite"></span>
    </div>
    <div id="test-result" class="eval-result" hidden>
      <p class="eval-keras"><code class="eval-call" data-i18n="eval.call"></code> <span aria-hidden="true">→</span> <code class="eval-list"></code></p>
      <p class="eval-words"></p>
      <p class="eval-dedup note"></p>
      <p class="eval-stale note bad" data-i18n="eval.stale" hidden></p>
    </div>
    <div id="eval-details" class="eval-details" hidden>
      <div class="eval-block">
        <h3 data-i18n="eval.matrix"></h3>
        <p class="note" data-i18n="eval.matrixNote"></p>
        <div class="eval-matrix-wrap"><table id="confusion" class="eval-matrix"></table></div>
      </div>
      <div class="eval-block">
        <h3 data-i18n="eval.perClass"></h3>
        <p class="note" data-i18n="eval.perClassNote"></p>
        <ol id="class-accuracy" class="eval-bars"></ol>
      </div>
    </div>
    <div id="cell-images" class="eval-cell" hidden>
      <h3 class="eval-cell-head"></h3>
      <p class="note eval-cell-pick" data-i18n="eval.cellPick"></p>
      <div class="eval-thumbs"></div>
      <button type="button" class="eval-more" hidden></button>
    </div>
    <div id="eval-lesson" class="eval-lesson" hidden>
      <h3 data-i18n="eval.lessonTitle"></h3>
      <p class="eval-lesson-text"></p>
    </div>`;
  const $ = (sel) => section.querySelector(sel);
  const button = $('#evaluate');
  const status = $('#eval-status');
  const result = $('#test-result');

  let last = null; // the last evaluate result
  let running = false;
  const cells = createCellImages(ctx, section, () => last);

  const testReady = () => {
    const d = ctx.state.dataset;
    return Boolean(d.info && d.complete && d.available && d.available.test === d.info.counts.test);
  };

  function setStatus(key, vars = {}, bad = false) {
    status.dataset.i18n = key;
    status.dataset.i18nVars = JSON.stringify(vars);
    status.classList.toggle('bad', bad);
    status.classList.toggle('eval-spin', key.startsWith('eval.running'));
    ctx.translate(status);
  }

  function clearStatus() {
    delete status.dataset.i18n;
    status.textContent = '';
    status.classList.remove('bad', 'eval-spin');
  }

  function showButton() {
    const s = ctx.state;
    button.disabled = running || s.engine !== 'ready' || !s.model || s.training || !testReady();
    if (running || status.classList.contains('bad')) return;
    if (s.engine !== 'ready') setStatus('eval.waitEngine');
    else if (s.training) setStatus('eval.busyTraining');
    else if (!testReady()) setStatus('eval.waitData');
    else clearStatus();
  }

  async function evaluate() {
    if (button.disabled) return;
    running = true;
    const n = ctx.state.dataset.info.counts.test;
    const started = Date.now();
    const bar = $('#eval-progress');
    let done = null; // samples evaluated, from the engine's evaluating events
    const show = () => {
      const s = Math.floor((Date.now() - started) / 1000);
      if (done === null) setStatus('eval.running', { n: fmt.count(n), s });
      else setStatus('eval.runningDone', { n: fmt.count(n), done: fmt.count(done), s });
    };
    show();
    const tick = setInterval(show, 1000);
    // The engine tells how far it is; the client that runs this evaluation
    // carries its events (a restart ends the evaluation with an error).
    const client = ctx.client;
    const off = client ? client.on('evaluating', (ev) => {
      if (ev.split !== 'test') return;
      done = ev.done;
      bar.max = ev.total;
      bar.value = ev.done;
      bar.hidden = false;
      show();
    }) : () => {};
    showButton();
    try {
      const r = await ctx.request('evaluate', { split: 'test' }, { timeoutMs: 600000 });
      last = { ...r, dataset: ctx.state.dataset.name };
      clearStatus();
      render();
      ctx.emit('evaluation', r);
    } catch (err) {
      setStatus('eval.failed', { error: err.message }, true);
    } finally {
      off();
      clearInterval(tick);
      bar.hidden = true;
      running = false;
      showButton();
    }
  }

  function renderResult() {
    const r = last;
    result.hidden = false;
    result.dataset.loss = String(r.loss);
    result.dataset.accuracy = String(r.accuracy);
    result.dataset.samples = String(r.samples);
    $('.eval-list').textContent = kerasList(r.loss, r.accuracy);
    const title = term((ctx.state.dataset.info && ctx.state.dataset.info.title) || '', ctx.state.lang);
    const words = $('.eval-words');
    words.dataset.i18n = 'eval.words';
    words.dataset.i18nVars = JSON.stringify({ loss: fmt.num(r.loss, 4), acc: `${fmt.num(100 * r.accuracy, 2)}%`, n: fmt.count(r.samples), data: title, wrong: fmt.count(r.misclassified.length) });
    const dedup = $('.eval-dedup');
    dedup.hidden = !r.dedup;
    if (r.dedup) {
      result.dataset.dedupLoss = String(r.dedup.loss);
      result.dataset.dedupAccuracy = String(r.dedup.accuracy);
      dedup.dataset.i18n = 'eval.dedup';
      dedup.dataset.i18nVars = JSON.stringify({ removed: r.dedup.removed, data: title, list: kerasList(r.dedup.loss, r.dedup.accuracy), n: fmt.count(r.dedup.samples) });
    } else {
      delete result.dataset.dedupLoss;
      delete result.dataset.dedupAccuracy;
      delete dedup.dataset.i18n;
      dedup.textContent = '';
    }
    $('.eval-stale').hidden = true;
    delete result.dataset.stale;
    ctx.translate(result);
  }

  /** renderLesson writes the lesson in the mistakes, read off this matrix (matrix.js's lesson). */
  function renderLesson() {
    const r = last;
    const box = $('#eval-lesson');
    const text = $('.eval-lesson-text');
    const fashion = ctx.state.dataset.name === 'fashion' && r.classes === 10;
    const listFmt = new Intl.ListFormat(ctx.state.lang === 'zh' ? 'zh' : 'en', { type: 'conjunction' });
    text.textContent = '';
    for (const [key, v] of lesson(r, fashion)) {
      const vars = { ...v };
      for (const k of ['a', 'b', 'truth', 'pred']) if (k in v) vars[k] = ctx.className(v[k]);
      for (const k of ['ab', 'ba', 'n']) if (k in v) vars[k] = fmt.count(v[k]);
      if ('acc' in v) vars.acc = fmt.pct(v.acc);
      if ('pct' in v) vars.pct = `${Math.round(100 * v.pct)}%`;
      if ('classes' in v) vars.classes = listFmt.format(v.classes.map((k) => ctx.className(k)));
      const span = document.createElement('span');
      span.dataset.sentence = key;
      ctx.setText(span, key, vars);
      text.append(span, ' ');
    }
    box.hidden = false;
  }

  function render() {
    if (!last) return;
    renderResult();
    $('#eval-details').hidden = false;
    fillBars(ctx, $('#class-accuracy'), last);
    fillMatrix(ctx, $('#confusion'), last, cells.current(), cells.open);
    renderLesson();
    cells.renderHead();
  }

  /** stale marks the shown evaluation as one of an earlier model. */
  function stale() {
    if (!last) return;
    $('.eval-stale').hidden = false;
    result.dataset.stale = '1';
  }

  button.addEventListener('click', evaluate);
  ctx.on('engine', showButton);
  ctx.on('training', showButton);
  ctx.on('model', () => {
    stale();
    showButton();
  });
  ctx.on('weights', stale);
  ctx.on('dataset', () => {
    if (last && ctx.state.dataset.name !== last.dataset) {
      last = null;
      cells.close();
      result.hidden = true;
      $('#eval-details').hidden = true;
      $('#eval-lesson').hidden = true;
    }
    showButton();
  });
  ctx.on('lang', () => {
    if (last) render();
  });
  ctx.translate(section);
  showButton();

  window.convplay.views.evaluate = { result: () => last, open: () => cells.current() && { ...cells.current() } };
}
