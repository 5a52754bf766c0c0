// views/evaluate.js: the test evaluation (#eval-panel). #evaluate asks the
// engine to evaluate the model on the test split (it runs in slices, so
// the page stays live); #test-result prints [loss, accuracy] as Keras's
// model.evaluate does, and the figure without the test images that also
// occur in the training data; per-class accuracy bars; a confusion matrix
// whose cells open their misclassified test images, and a click on one of
// those makes it the page's input, so the network shows why it failed.
// Every number is the engine's (wasm/evaluate.go); evaluate-matrix.js only
// picks and colours them.

import { cell, cellColour, cellSamples, kerasList, matrixTotal, worstClass, TOPS } from './evaluate-matrix.js';

const TEXTS = {
  en: {
    'eval.title': 'Test evaluation',
    'eval.intro': 'Training never sees the test images. Running the model over all of them once, at the end, tells how well it does on images it has never seen: the test loss and the test accuracy, the two numbers Keras’s model.evaluate returns.',
    'eval.run': 'Evaluate on the test set',
    'eval.running': 'Evaluating {n} test images… {s} s',
    'eval.runningDone': 'Evaluating {n} test images… {done} done · {s} s',
    'eval.waitData': 'Waiting for the test images to load…',
    'eval.waitEngine': 'Waiting for the engine…',
    'eval.busyTraining': 'Training is running: evaluate when it stops.',
    'eval.failed': 'The evaluation failed: {error}',
    'eval.stale': 'The model has changed since this evaluation: evaluate again.',
    'eval.call': 'model.evaluate(x_test, y_test)',
    'eval.words': 'test loss {loss} · test accuracy {acc} · {n} images of {data}, {wrong} misclassified',
    'eval.dedup': 'Without the {removed} test images that also occur in the training data (the deduplicated figure for {data}): {list} on {n} images.',
    'eval.perClass': 'Accuracy per class',
    'eval.perClassNote': 'The share of each class’s test images the model gets right.',
    'eval.matrix': 'Confusion matrix',
    'eval.matrixNote': 'Each row is the true class, each column the class the model chose. The diagonal (green) counts the right answers; the other cells (red) the mistakes, darker for more. Click a mistake to see its images.',
    'eval.truePred': 'true ↓ · predicted →',
    'eval.cellTitle': '{n} test images of {truth} taken for {pred}',
    'eval.cellRight': '{n} test images of {truth} classified right',
    'eval.cellHead': 'True class {truth}, predicted {pred}: {n} images',
    'eval.cellNone': 'No test image of {truth} was taken for {pred}.',
    'eval.cellPick': 'Click an image to make it the input and watch the network on it.',
    'eval.more': 'Show {n} more',
    'eval.thumb': 'test image {index}',
    'eval.lessonTitle': 'The lesson in the mistakes',
    'eval.lessonFashion': 'Shirt, T-shirt/top, pullover and coat are all tops, and at 28×28 pixels in grey they share an outline: sleeves, a collar, a body. This model gets {shirtAcc} of the test shirts right; it takes {toTshirt} of them for a T-shirt/top, {toPullover} for a pullover and {toCoat} for a coat. Coats go to pullover {coatToPullover} times and pullovers to coat {pulloverToCoat} times. Trousers, bags and shoes, with shapes of their own, are almost never confused. Open these cells and look: many of the mistakes are hard for people too.',
    'eval.lessonWorst': 'The weakest class is {truth}: {acc} of its test images are right. It is most often taken for {pred} ({n} images). Open that cell to see which ones.',
  },
  zh: {
    'eval.title': '测试集评估',
    'eval.intro': '训练从来看不到测试图像。在最后把模型在全部测试图像上跑一遍，就知道它对从未见过的图像表现如何：测试损失和测试准确率，也就是 Keras 的 model.evaluate 返回的两个数。',
    'eval.run': '在测试集上评估',
    'eval.running': '正在评估 {n} 张测试图像…… {s} 秒',
    'eval.runningDone': '正在评估 {n} 张测试图像…… 已完成 {done} 张 · {s} 秒',
    'eval.waitData': '正在等待测试图像载入……',
    'eval.waitEngine': '正在等待引擎……',
    'eval.busyTraining': '正在训练：停止后再评估。',
    'eval.failed': '评估失败：{error}',
    'eval.stale': '评估之后模型已经改变：请重新评估。',
    'eval.call': 'model.evaluate(x_test, y_test)',
    'eval.words': '测试损失 {loss} · 测试准确率 {acc} · {data} 的 {n} 张图像，其中 {wrong} 张分错',
    'eval.dedup': '去掉同时出现在训练数据中的 {removed} 张测试图像后（{data} 的去重结果）：{n} 张图像上为 {list}。',
    'eval.perClass': '各类别的准确率',
    'eval.perClassNote': '每个类别的测试图像中被模型分对的比例。',
    'eval.matrix': '混淆矩阵',
    'eval.matrixNote': '每一行是真实类别，每一列是模型选择的类别。对角线（绿色）是分对的数目；其他格子（红色）是分错的数目，越多颜色越深。点击一个错误格子可以看到对应的图像。',
    'eval.truePred': '真实 ↓ · 预测 →',
    'eval.cellTitle': '{truth} 被当成 {pred} 的测试图像 {n} 张',
    'eval.cellRight': '{truth} 分对的测试图像 {n} 张',
    'eval.cellHead': '真实类别 {truth}，预测为 {pred}：{n} 张图像',
    'eval.cellNone': '没有 {truth} 的测试图像被当成 {pred}。',
    'eval.cellPick': '点击一张图像，把它设为输入，看看网络在它上面的表现。',
    'eval.more': '再显示 {n} 张',
    'eval.thumb': '测试图像 {index}',
    'eval.lessonTitle': '从错误中学到的',
    'eval.lessonFashion': '衬衫、T恤/上衣、套头衫和外套都是上衣，在 28×28 的灰度图里轮廓相近：袖子、领口、衣身。这个模型分对了 {shirtAcc} 的测试衬衫；其中 {toTshirt} 张被当成 T恤/上衣，{toPullover} 张被当成套头衫，{toCoat} 张被当成外套。外套被当成套头衫 {coatToPullover} 次，套头衫被当成外套 {pulloverToCoat} 次。而裤子、包和鞋的形状各不相同，几乎不会混淆。打开这些格子看一看：很多错误连人也容易犯。',
    'eval.lessonWorst': '最弱的类别是 {truth}：它的测试图像分对了 {acc}。它最常被当成 {pred}（{n} 张）。打开那个格子看看是哪些。',
  },
};

/** How many images of a cell to show at first, and per "show more". */
const PAGE = 40;

/** paint draws a 28x28 grey image (0..255) on a canvas. */
function paint(canvas, image, side) {
  const g = canvas.getContext('2d');
  const data = g.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const v = image[i];
    data.data[4 * i] = v;
    data.data[4 * i + 1] = v;
    data.data[4 * i + 2] = v;
    data.data[4 * i + 3] = 255;
  }
  g.putImageData(data, 0, 0);
}

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  const { t, fmt } = ctx;
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
  let open = null; // {truth, pred, samples, shown}: the confusion cell whose images show
  let cellRun = 0; // increases with each opened cell, so late thumbnails of an old one are dropped

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
    const title = (ctx.state.dataset.info && ctx.state.dataset.info.title) || '';
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

  function renderBars() {
    const r = last;
    $('#class-accuracy').replaceChildren(...r.classAccuracy.map((a, k) => {
      const li = document.createElement('li');
      li.dataset.class = String(k);
      const name = document.createElement('span');
      name.className = 'eval-bar-name';
      name.textContent = ctx.className(k);
      const bar = document.createElement('span');
      bar.className = 'eval-bar';
      const fill = document.createElement('span');
      fill.className = 'eval-bar-fill';
      fill.style.width = `${a === null ? 0 : 100 * a}%`;
      bar.append(fill);
      const v = document.createElement('span');
      v.className = 'eval-bar-value num';
      v.textContent = a === null ? '–' : fmt.pct(a);
      li.dataset.accuracy = a === null ? '' : String(a);
      li.append(name, bar, v);
      return li;
    }));
  }

  function renderMatrix() {
    const r = last;
    const table = $('#confusion');
    table.dataset.total = String(matrixTotal(r));
    const head = document.createElement('tr');
    const corner = document.createElement('th');
    corner.className = 'eval-corner';
    corner.textContent = t('eval.truePred');
    head.append(corner);
    for (let p = 0; p < r.classes; p++) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.className = 'eval-col';
      th.innerHTML = '<span></span>';
      th.firstChild.textContent = ctx.className(p);
      head.append(th);
    }
    const thead = document.createElement('thead');
    thead.append(head);
    const tbody = document.createElement('tbody');
    for (let tr = 0; tr < r.classes; tr++) {
      const row = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = ctx.className(tr);
      row.append(th);
      for (let p = 0; p < r.classes; p++) {
        const n = cell(r, tr, p);
        const c = cellColour(r, tr, p);
        const td = document.createElement('td');
        td.className = `eval-cell-${c.kind} eval-text-${c.text}`;
        td.style.setProperty('--a', c.alpha.toFixed(3));
        td.dataset.truth = String(tr);
        td.dataset.pred = String(p);
        td.dataset.count = String(n);
        const vars = { n: fmt.count(n), truth: ctx.className(tr), pred: ctx.className(p) };
        if (tr !== p && n > 0) {
          const b = document.createElement('button');
          b.type = 'button';
          b.textContent = fmt.count(n);
          b.title = t('eval.cellTitle', vars);
          b.addEventListener('click', () => openCell(tr, p));
          td.append(b);
        } else {
          td.textContent = n === 0 ? '·' : fmt.count(n);
          td.title = tr === p ? t('eval.cellRight', vars) : t('eval.cellNone', vars);
        }
        if (open && open.truth === tr && open.pred === p) td.classList.add('eval-open');
        row.append(td);
      }
      tbody.append(row);
    }
    table.replaceChildren(thead, tbody);
  }

  function renderLesson() {
    const r = last;
    const box = $('#eval-lesson');
    const text = $('.eval-lesson-text');
    const fashion = ctx.state.dataset.name === 'fashion' && r.classes === 10;
    if (fashion) {
      const { tshirt, pullover, coat, shirt } = TOPS;
      text.dataset.i18n = 'eval.lessonFashion';
      text.dataset.i18nVars = JSON.stringify({
        shirtAcc: fmt.pct(r.classAccuracy[shirt]),
        toTshirt: fmt.count(cell(r, shirt, tshirt)),
        toPullover: fmt.count(cell(r, shirt, pullover)),
        toCoat: fmt.count(cell(r, shirt, coat)),
        coatToPullover: fmt.count(cell(r, coat, pullover)),
        pulloverToCoat: fmt.count(cell(r, pullover, coat)),
      });
    } else {
      const w = worstClass(r);
      if (!w || !w.mistakes.length) {
        box.hidden = true;
        return;
      }
      text.dataset.i18n = 'eval.lessonWorst';
      text.dataset.i18nVars = JSON.stringify({ truth: ctx.className(w.truth), acc: fmt.pct(w.accuracy), pred: ctx.className(w.mistakes[0].pred), n: fmt.count(w.mistakes[0].count) });
    }
    box.hidden = false;
    ctx.translate(box);
  }

  function render() {
    if (!last) return;
    renderResult();
    $('#eval-details').hidden = false;
    renderBars();
    renderMatrix();
    renderLesson();
    if (open) renderCellHead();
  }

  function renderCellHead() {
    const head = $('.eval-cell-head');
    head.textContent = t('eval.cellHead', { truth: ctx.className(open.truth), pred: ctx.className(open.pred), n: fmt.count(open.samples.length) });
    const more = $('.eval-more');
    const left = open.samples.length - open.shown;
    more.hidden = left <= 0;
    more.textContent = t('eval.more', { n: fmt.count(Math.min(PAGE, left)) });
  }

  function openCell(truth, pred) {
    open = { truth, pred, samples: cellSamples(last, truth, pred), shown: 0 };
    cellRun++;
    const box = $('#cell-images');
    box.hidden = false;
    box.dataset.truth = String(truth);
    box.dataset.pred = String(pred);
    box.dataset.count = String(open.samples.length);
    $('.eval-thumbs').replaceChildren();
    for (const td of section.querySelectorAll('#confusion td.eval-open')) td.classList.remove('eval-open');
    const td = section.querySelector(`#confusion td[data-truth="${truth}"][data-pred="${pred}"]`);
    if (td) td.classList.add('eval-open');
    showMore();
    box.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  /** showMore adds the next page of the open cell's images, fetched from the engine. */
  async function showMore() {
    const run = cellRun;
    const ids = open.samples.slice(open.shown, open.shown + PAGE);
    open.shown += ids.length;
    renderCellHead();
    const thumbs = $('.eval-thumbs');
    for (const index of ids) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'eval-thumb';
      b.dataset.index = String(index);
      b.dataset.i18nAttr = 'title:eval.thumb;aria-label:eval.thumb';
      b.dataset.i18nVars = JSON.stringify({ index });
      const canvas = document.createElement('canvas');
      canvas.width = 28;
      canvas.height = 28;
      canvas.className = 'pixels';
      b.append(canvas);
      thumbs.append(b);
      ctx.translate(b);
    }
    for (const index of ids) {
      let s;
      try {
        s = await ctx.request('getSample', { split: 'test', index });
      } catch {
        return; // the engine restarted or the data switched; the cell closes with the next result
      }
      if (run !== cellRun) return;
      const b = thumbs.querySelector(`button[data-index="${index}"]`);
      if (!b) continue;
      const side = Math.round(Math.sqrt(s.image.length));
      const canvas = b.firstChild;
      canvas.width = side;
      canvas.height = side;
      paint(canvas, s.image, side);
      b.dataset.loaded = '1';
      b.onclick = () => {
        for (const o of thumbs.querySelectorAll('.eval-picked')) o.classList.remove('eval-picked');
        b.classList.add('eval-picked');
        ctx.setInput({ pixels: s.pixels.slice(), image: new Uint8ClampedArray(s.image), source: 'gallery', label: s.label, index }); // a test image, as the gallery's
      };
    }
  }

  function closeCell() {
    open = null;
    cellRun++;
    $('#cell-images').hidden = true;
  }

  /** stale marks the shown evaluation as one of an earlier model. */
  function stale() {
    if (!last) return;
    $('.eval-stale').hidden = false;
    result.dataset.stale = '1';
  }

  button.addEventListener('click', evaluate);
  $('.eval-more').addEventListener('click', showMore);
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
      closeCell();
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

  window.convplay.views.evaluate = { result: () => last, open: () => open && { ...open } };
}
