// views/densevsconv/densevsconv.js: why convolution. A dense network and a
// small CNN, side models in the engine (sideBuild, never the page's model),
// compared on (a) parameters and multiply-adds, (b) training on 500, 5,000
// or 55,000 images with training and validation accuracy per epoch, (c) the
// current drawing shifted by a few pixels (the CNN's maps move with it; the
// dense units change arbitrarily) and (d) what one unit of each looks at.
// The big sizes show runs trained ahead with the command line at once (their
// records, pretrained/densevsconv-*.json, and, in (c) and (d), their
// networks, the .cpw beside each, weights.js); the student may run them live.
// Every number comes from the engine or those records; plan.js holds the
// presets, the records' reading, the URL key and the curves.

import { esc } from '../../format.js';
import { probes } from './probes.js';
import { MODELS, SIZES, VALIDATION, DEFAULT_VIEW, SHIPPED_DATA, planFor, parseView, formatView, curvePath, curvePoints, shapeWord } from './plan.js';
import { TEXTS } from './strings.js';
import { LIVE_NAMES, SHIPPED_NAMES, shippedLoader, loadShippedRun } from './weights.js';

const W = 240; // a chart's width and height in SVG units
const H = 120;

export function mount(ctx, section) {
  ctx.strings(TEXTS);
  const t = ctx.t;
  const n = (x) => ctx.fmt.count(x);
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  section.classList.add('dvc');
  const view = { ...DEFAULT_VIEW, ...(ctx.url.read('dvc') || {}) }; // a shared link's settings
  section.innerHTML = `
    <h2 data-i18n="dvc.title"></h2>
    <p data-i18n="dvc.intro"></p>
    <p class="note dvc-status" aria-live="polite"></p>
    <h3 data-i18n="dvc.sizeTitle"></h3>
    <div class="table-wrap"><table class="dvc-size">
      <thead><tr><th scope="col"></th><th scope="col" data-i18n="dvc.dense"></th><th scope="col" data-i18n="dvc.cnn"></th></tr></thead>
      <tbody>
        <tr data-row="layers"><th scope="row" data-i18n="dvc.row.layers"></th><td class="mono" data-kind="dense"></td><td class="mono" data-kind="cnn"></td></tr>
        <tr data-row="params"><th scope="row" data-i18n="dvc.row.params"></th><td class="num" data-kind="dense"></td><td class="num" data-kind="cnn"></td></tr>
        <tr data-row="macs"><th scope="row" data-i18n="dvc.row.macs"></th><td class="num" data-kind="dense"></td><td class="num" data-kind="cnn"></td></tr>
      </tbody>
    </table></div>
    <p class="note dvc-size-text"></p>

    <h3 data-i18n="dvc.trainTitle"></h3>
    <p class="note" data-i18n="dvc.trainHelp"></p>
    <div class="controls">
      <fieldset class="dvc-sizes"><legend data-i18n="dvc.images"></legend>
        ${SIZES.map((s) => `<label><input type="radio" name="dvc-n" value="${s.n}"${s.n === view.n ? ' checked' : ''}> <span class="dvc-n" data-n="${s.n}"></span></label>`).join('')}
      </fieldset>
      <button type="button" class="dvc-train"></button>
    </div>
    <p class="dvc-progress" aria-live="polite"></p>
    <div class="dvc-charts">
      ${MODELS.map((m) => `<figure data-kind="${m.kind}"><figcaption data-i18n="dvc.${m.kind}"></figcaption>
        <svg class="dvc-chart" viewBox="-40 -8 ${W + 50} ${H + 26}" role="img"></svg>
        <p class="note dvc-final"></p></figure>`).join('')}
    </div>
    <p class="note dvc-source"></p>
    <p class="dvc-legend note"><span class="sw train"></span><span data-i18n="dvc.legendTrain"></span> <span class="sw val"></span><span data-i18n="dvc.legendVal"></span></p>
    <p class="dvc-lesson"></p>

    <p class="note dvc-weights" aria-live="polite"></p>
    <h3 data-i18n="dvc.shiftTitle"></h3>
    <p class="note" data-i18n="dvc.shiftHelp"></p>
    <div class="controls">
      <label><span data-i18n="dvc.dx"></span> <input type="range" class="dvc-dx" min="-4" max="4" value="${view.dx}"> <output class="dvc-dx-out"></output></label>
      <label><span data-i18n="dvc.dy"></span> <input type="range" class="dvc-dy" min="-4" max="4" value="${view.dy}"> <output class="dvc-dy-out"></output></label>
    </div>
    <p class="note dvc-shift-empty" data-i18n="dvc.noInput"></p>
    <div class="dvc-shift">
      <figure><canvas class="pixels dvc-in" aria-labelledby="dvc-cap-in"></canvas><canvas class="pixels dvc-in2" aria-labelledby="dvc-cap-in"></canvas><figcaption id="dvc-cap-in" data-i18n="dvc.shiftInput"></figcaption></figure>
      <figure><canvas class="pixels dvc-cmap" aria-labelledby="dvc-cap-cmap"></canvas><canvas class="pixels dvc-cmap2" aria-labelledby="dvc-cap-cmap"></canvas><figcaption id="dvc-cap-cmap" class="dvc-cmap-cap"></figcaption></figure>
      <figure><canvas class="pixels dvc-dvec" aria-labelledby="dvc-cap-dvec"></canvas><canvas class="pixels dvc-dvec2" aria-labelledby="dvc-cap-dvec"></canvas><figcaption id="dvc-cap-dvec" class="dvc-dvec-cap"></figcaption></figure>
    </div>
    <p class="dvc-guess"></p>

    <h3 data-i18n="dvc.unitTitle"></h3>
    <p class="note" data-i18n="dvc.unitHelp"></p>
    <div class="controls"><label><span data-i18n="dvc.unit"></span> <input type="number" class="dvc-unit" min="1" max="8" value="${view.unit}"></label></div>
    <div class="dvc-units">
      <figure><canvas class="pixels dvc-uw" aria-labelledby="dvc-cap-uw"></canvas><figcaption id="dvc-cap-uw" class="dvc-uw-cap"></figcaption></figure>
      <figure><canvas class="pixels dvc-ck" aria-labelledby="dvc-cap-ck"></canvas><figcaption id="dvc-cap-ck" class="dvc-ck-cap"></figcaption></figure>
    </div>
    <p class="note bad dvc-error" hidden></p>`;
  ctx.translate(section);
  const $ = (sel) => section.querySelector(sel);
  const info = {}; // kind -> sideBuild's description
  let runs = {}; // kind -> the run shown: the last sideStep result, or a shipped record's (shippedRun)
  const results = {}; // data set:training size -> {runs, source: 'shipped' or 'live'}: what each showed last
  const key = (count) => `${ctx.state.dataset.name}:${count}`;
  /** shippedHere says whether size count has runs trained ahead for the data set the page is on. */
  const shippedHere = (count) => Boolean(planFor(count).shipped) && ctx.state.dataset.name === SHIPPED_DATA;
  let training = false;
  let built = null; // a promise: both side models built
  let size = view.n;
  let asked = 0; // the latest showSize, so a slow record never covers a later choice
  // The networks (c) and (d) look into: the pair built here ('fresh', or 'live' once trained
  // on live.n images) or a big size's pair trained ahead ('shipped', or 'loading' it).
  const live = { source: 'fresh', n: 0 };
  let pair = { names: LIVE_NAMES, source: 'fresh', n: 0 };
  let loadShippedPair = shippedLoader(ctx); // a new one for a new engine, which holds no pair yet
  const hook = {
    get info() { return info; }, get runs() { return runs; }, get training() { return training; },
    get source() { return results[key(size)] ? results[key(size)].source : null; }, get size() { return size; },
    get weights() { return { source: pair.source, n: pair.n, names: pair.names }; },
    shown: 0, shifts: 0, epochs: 0, shipped: 0, loaded: 0,
  };
  if (globalThis.convplay) globalThis.convplay.views.densevsconv = hook;

  function fail(err, key = 'dvc.error', vars = {}) {
    $('.dvc-error').hidden = false;
    $('.dvc-error').textContent = t(key, { ...vars, error: err.message });
  }

  function writeView() {
    ctx.url.write('dvc', { n: size, dx: Number($('.dvc-dx').value), dy: Number($('.dvc-dy').value), unit: unitShown() });
  }

  /** unitShown is the unit the student asked for, counted from 1 and kept within 1 to 8. */
  function unitShown() {
    return Math.max(1, Math.min(8, Math.floor(Number($('.dvc-unit').value) || 1)));
  }

  /** showSize shows the curves of training size want: its last live run, else its shipped runs, else none yet. */
  async function showSize(want) {
    size = want;
    const ask = ++asked;
    $('.dvc-error').hidden = true;
    renderButton();
    const k = key(want);
    runs = results[k] ? results[k].runs : {};
    $('.dvc-progress').textContent = '';
    renderCurves();
    choosePair();
    if (results[k] || !shippedHere(want)) return;
    try {
      const got = {};
      for (const m of MODELS) got[m.kind] = await loadShippedRun(m.preset, want);
      if (!results[k]) results[k] = { runs: got, source: 'shipped' };
      if (ask !== asked || training) return; // the student chose again meanwhile
      runs = results[k].runs;
      hook.shipped++;
      renderCurves();
    } catch (err) {
      if (ask === asked) fail(err, 'dvc.shippedError', { n: n(want) });
    }
  }

  /**
   * choosePair points (c) and (d) at the networks behind the curves shown: a
   * size's shipped pair unless it was trained here, else the pair built here.
   */
  function choosePair() {
    const liveHere = results[key(size)] && results[key(size)].source === 'live';
    if (training || liveHere || !shippedHere(size) || !built) { // !built: no engine yet, build() chooses again
      pair = { names: LIVE_NAMES, source: live.source, n: live.n };
    } else {
      const p = { names: SHIPPED_NAMES, source: 'loading', n: size, info: null, ready: null };
      // Never rejects: a file the engine cannot read falls back to the pair built here, and the
      // views waiting on it then read that pair.
      p.ready = loadShippedPair(size).then((got) => {
        p.info = got;
        p.source = 'shipped';
        if (pair !== p) return;
        hook.loaded++;
        renderWeights();
      }, (err) => {
        if (pair !== p) return;
        pair = { names: LIVE_NAMES, source: live.source, n: live.n };
        renderWeights();
        fail(err, 'dvc.weightsError', { n: n(p.n) });
      });
      pair = p;
    }
    renderWeights();
    refreshShift();
    refreshUnits();
  }

  /** renderWeights says which networks (c) and (d) show. */
  function renderWeights() {
    const el = $('.dvc-weights');
    el.dataset.source = pair.source;
    const which = { fresh: 'dvc.weightsFresh', live: 'dvc.weightsLive', loading: 'dvc.weightsLoading', shipped: 'dvc.weightsShipped' }[pair.source];
    ctx.setText(el, which, { n: n(pair.n) });
  }

  function renderButton() {
    $('.dvc-train').textContent = t(shippedHere(size) ? 'dvc.trainLive' : 'dvc.train', { epochs: planFor(size).epochs });
  }

  function build() {
    live.source = 'fresh';
    live.n = 0;
    built = (async () => {
      for (const m of MODELS) {
        info[m.kind] = await ctx.request('sideBuild', { name: m.name, preset: m.preset, seed: 1 });
      }
    })();
    built.then(() => {
      renderSize();
      renderCurves();
      choosePair();
    }, fail);
    return built;
  }

  function renderSize() {
    if (!info.dense || !info.cnn) return;
    for (const kind of ['dense', 'cnn']) {
      const d = info[kind];
      section.querySelector(`tr[data-row="layers"] td[data-kind="${kind}"]`).textContent = d.layers.map((l) => `${l.type} ${shapeWord(l.outShape)}`).join('\n');
      const p = section.querySelector(`tr[data-row="params"] td[data-kind="${kind}"]`);
      p.textContent = n(d.totalParams);
      p.dataset.value = d.totalParams;
      const m = section.querySelector(`tr[data-row="macs"] td[data-kind="${kind}"]`);
      m.textContent = n(d.totalMacs);
      m.dataset.value = d.totalMacs;
    }
    const first = info.dense.layers[1];
    const conv = info.cnn.layers[0];
    ctx.setText($('.dvc-size-text'), 'dvc.sizeText', {
      dp: n(info.dense.totalParams), cp: n(info.cnn.totalParams), dm: n(info.dense.totalMacs), cm: n(info.cnn.totalMacs),
      first: n(first.params), in: n(first.inShape[0]), units: n(first.units), conv: n(conv.params), area: n(conv.area),
    });
  }

  function renderSizesLabels() {
    for (const s of section.querySelectorAll('.dvc-n')) {
      const count = Number(s.dataset.n);
      const { epochs } = planFor(count);
      const which = !shippedHere(count) ? 'dvc.nImages' : count >= 55000 ? 'dvc.nShippedSlow' : 'dvc.nShipped';
      s.textContent = t(which, { n: n(count), epochs });
    }
  }

  function renderCurves() {
    for (const m of MODELS) {
      const fig = section.querySelector(`.dvc-charts figure[data-kind="${m.kind}"]`);
      const svg = fig.querySelector('svg');
      const r = runs[m.kind];
      const h = r ? r.history : [];
      const epochs = r ? r.epochs : planFor(size).epochs;
      const acc = h.map((e) => e.accuracy);
      const val = h.map((e) => e.val_accuracy);
      const dots = (vals, cls) => curvePoints(vals, epochs, W, H).map(([x, y]) => `<circle class="${cls}" cx="${x}" cy="${y}" r="3"></circle>`).join('');
      svg.innerHTML = `
        <rect x="0" y="0" width="${W}" height="${H}" class="frame"></rect>
        ${[0, 0.5, 1].map((v) => `<text x="-4" y="${H - v * H + 4}" text-anchor="end">${v * 100}%</text>`).join('')}
        <text x="${W / 2}" y="${H + 16}" text-anchor="middle">${esc(t('dvc.epochs', { n: epochs }))}</text>
        <path class="train" d="${curvePath(acc, epochs, W, H)}"></path>${dots(acc, 'train')}
        <path class="val" d="${curvePath(val, epochs, W, H)}"></path>${dots(val, 'val')}`;
      svg.setAttribute('aria-label', t('dvc.chartLabel', { model: t(`dvc.${m.kind}`) }));
      const final = fig.querySelector('.dvc-final');
      if (h.length) {
        const last = h[h.length - 1];
        if (r.shipped) {
          ctx.setText(final, 'dvc.finalShipped', { epoch: h.length, acc: pct(last.accuracy), val: pct(last.val_accuracy), n: n(r.samples),
            best: r.shipped.bestEpoch, test: r.shipped.test === null ? '–' : pct(r.shipped.test) });
        } else {
          ctx.setText(final, 'dvc.final', { epoch: h.length, acc: pct(last.accuracy), val: pct(last.val_accuracy), n: n(r.samples) });
        }
        final.dataset.acc = last.accuracy;
        final.dataset.val = last.val_accuracy;
      } else {
        final.textContent = '';
      }
    }
    const done = runs.dense && runs.cnn && runs.dense.done && runs.cnn.done;
    $('.dvc-lesson').textContent = done ? lesson() : '';
    renderSource();
  }

  /** renderSource says where the curves shown come from: trained ahead (with the commands) or here. */
  function renderSource() {
    const el = $('.dvc-source');
    const shipped = runs.dense && runs.dense.shipped && runs.cnn && runs.cnn.shipped;
    el.dataset.source = shipped ? 'shipped' : runs.dense ? 'live' : '';
    if (!shipped) {
      const elsewhere = !runs.dense && planFor(size).shipped && !shippedHere(size); // another data set
      el.textContent = runs.dense ? t('dvc.sourceLive') : elsewhere ? t('dvc.shippedFashionOnly') : '';
      return;
    }
    const secs = MODELS.map((m) => runs[m.kind].shipped.seconds || 0).reduce((a, b) => a + b, 0);
    el.innerHTML = `${esc(t('dvc.sourceShipped', { n: n(size), epochs: planFor(size).epochs, seconds: Math.max(1, Math.round(secs)) }))}
      ${MODELS.map((m) => `<code class="dvc-command" data-kind="${m.kind}">${esc(runs[m.kind].shipped.command)}</code>`).join(' ')}`;
  }

  /** lesson reads the finished run: which model generalizes better (from the engine's accuracies). */
  function lesson() {
    const d = runs.dense.history.at(-1);
    const c = runs.cnn.history.at(-1);
    const vars = { n: n(runs.dense.samples), dacc: pct(d.accuracy), dval: pct(d.val_accuracy), cacc: pct(c.accuracy), cval: pct(c.val_accuracy) };
    const key = c.val_accuracy >= d.val_accuracy ? 'dvc.lessonCnn' : 'dvc.lessonDense';
    const sep = ctx.state.lang === 'zh' ? '' : ' '; // Chinese sentences follow each other without a space
    return `${t(key, vars)}${sep}${t(size < 55000 ? 'dvc.lessonMore' : 'dvc.lessonAll')}`;
  }

  async function train() {
    if (training) return;
    training = true;
    $('.dvc-train').disabled = true;
    $('.dvc-sizes').disabled = true;
    $('.dvc-error').hidden = true;
    size = Number(section.querySelector('input[name="dvc-n"]:checked').value);
    const plan = { ...planFor(size), ...(hook.epochs ? { epochs: hook.epochs } : {}) }; // tests may shorten the run
    try {
      await build(); // fresh weights for a fair start (choosePair: (c) and (d) follow the live pair)
      runs = {};
      delete results[key(size)];
      renderCurves();
      const started = {};
      for (const m of MODELS) {
        started[m.kind] = await ctx.request('sideTrain', { name: m.name, subset: size, epochs: plan.epochs, batchSize: 32, validationSubset: VALIDATION, seed: 1 });
      }
      ctx.setText($('.dvc-progress'), 'dvc.started', { n: n(started.dense.samples), v: n(started.dense.validationSamples), epochs: plan.epochs });
      const left = new Set(MODELS);
      while (left.size) {
        for (const m of [...left]) {
          const r = await ctx.request('sideStep', { name: m.name, ms: 60 });
          runs[m.kind] = r;
          if (r.done) left.delete(m);
        }
        progress();
        renderCurves();
      }
      ctx.setText($('.dvc-progress'), 'dvc.finished', { n: n(runs.dense.samples) });
      results[key(size)] = { runs, source: 'live' };
      [live.source, live.n] = ['live', size];
      renderCurves();
    } catch (err) {
      fail(err);
    } finally {
      training = false;
      $('.dvc-train').disabled = false;
      $('.dvc-sizes').disabled = false;
      choosePair();
    }
  }

  function progress() {
    const parts = MODELS.map((m) => {
      const r = runs[m.kind];
      return r ? t('dvc.progressOf', { model: t(`dvc.${m.kind}`), epoch: Math.min(r.epoch + 1, r.epochs), epochs: r.epochs, batch: r.batch + 1, batches: r.batches }) : '';
    });
    $('.dvc-progress').textContent = parts.join(' · ');
    delete $('.dvc-progress').dataset.i18n;
  }

  const showsLive = () => pair.names === LIVE_NAMES;
  const { refreshShift, refreshUnits, renderGuess } = probes(ctx, $, {
    get names() { return pair.names; },
    get shows() { return { source: pair.source, n: pair.n }; },
    get info() { return showsLive() ? info : pair.info; },
    get built() { return showsLive() ? built : pair.ready; },
    hook, fail, unitShown,
  });

  $('.dvc-train').addEventListener('click', train);
  for (const el of [$('.dvc-dx'), $('.dvc-dy')]) el.addEventListener('input', () => {
    writeView();
    refreshShift();
  });
  for (const type of ['change', 'input']) $('.dvc-unit').addEventListener(type, () => {
    writeView();
    refreshUnits();
  });
  for (const r of section.querySelectorAll('input[name="dvc-n"]')) r.addEventListener('change', () => {
    if (training) return;
    showSize(Number(r.value));
    writeView();
  });
  ctx.on('engine', () => {
    if (ctx.state.engine !== 'ready') return;
    loadShippedPair = shippedLoader(ctx);
    build();
  });
  ctx.on('prediction', refreshShift);
  let shownData = ctx.state.dataset.name;
  ctx.on('dataset', (d) => {
    if (d.name === shownData || training) return;
    shownData = d.name; // another data set: its own runs, and runs trained ahead only for Fashion-MNIST
    renderSizesLabels();
    showSize(size);
  });
  ctx.on('lang', () => {
    renderSizesLabels();
    renderButton();
    renderCurves();
    renderGuess();
    if (!training && runs.dense && runs.dense.done) ctx.setText($('.dvc-progress'), 'dvc.finished', { n: n(runs.dense.samples) });
  });
  renderSizesLabels();
  showSize(size);
  refreshShift();
  if (ctx.state.engine === 'ready') build();
}
