// bench.js: the benchmark page (bench.html). It trains the playground's
// reference and small models for a fixed number of batches in convplay's
// engine (web/worker.js: one worker, then N sharing each batch), then with
// TensorFlow.js 4.22's WebAssembly backend in this same page, and shows the
// images per second side by side with their ratio, and one drawing's
// prediction latency with the full trace. `make bench-browser` drives it
// in headless Chromium (internal/browsertest/bench_test.go) through
// window.convplayBench. TensorFlow.js is loaded by this page alone.
import { createClient } from './client.js';
import { startWorker } from './protocol.js';
import { streamDataset } from './dataload.js';
import { strings, t, setLang, pickLang, translate } from './i18n.js';
import { TEXTS } from './bench-strings.js';
import { BATCH, median, tfInit, tfTrain, tfSetup } from './bench-tfjs.js';

strings(TEXTS);

const $ = (sel) => document.querySelector(sel);

// The engine: one worker (the leader) and its protocol client.
const worker = startWorker();
const client = createClient(worker, { timeoutMs: 600000 });

let results = [];
let facts = {};

function setStatus(key, vars = {}) {
  const el = $('#bench-status');
  el.dataset.i18n = key;
  el.dataset.i18nVars = JSON.stringify(vars);
  el.classList.toggle('bad', key === 'bench.failed');
  translate(el);
}

/**
 * engineTrain trains a fresh preset model (seed 1) for `batches` batches
 * of 32 on the first training samples, with `workers` workers, and returns
 * the engine's figures: images per second over its training time, the
 * workers it used and the last progress event.
 */
async function engineTrain({ preset, batches, workers, stepSamples, batchSize }) {
  await client.request('buildModel', { preset, seed: 1 });
  let last = null;
  const peakMB = [];
  const offProgress = client.on('progress', (ev) => {
    last = ev;
    (ev.memoryMB || []).forEach((mb, i) => {
      peakMB[i] = Math.max(peakMB[i] || 0, mb);
    });
  });
  const done = new Promise((resolve) => {
    const off = client.on('done', (ev) => {
      off();
      resolve(ev);
    });
  });
  const args = { epochs: 1, batchSize: batchSize || BATCH, subset: batches * (batchSize || BATCH), validation: false, checkpoint: false, seed: 1, workers, optimizer: { name: 'sgd', learning_rate: 0.01 } };
  if (stepSamples !== undefined) args.stepSamples = stepSamples;
  const plan = await client.request('train', args);
  const ev = await done;
  offProgress();
  if (ev.reason !== 'finished') throw new Error(ev.error || ev.reason);
  return { imagesPerSec: last.samplesPerSec, workers: plan.workers, plan, last, peakMB };
}

/**
 * engineTimeToAccuracy presses Train as the page would, on the small model
 * (seed 1) with the whole training split and validation each epoch, and
 * times from the train request to the first epoch event whose validation
 * accuracy reaches `target`; then it stops the training.
 */
async function engineTimeToAccuracy({ workers, target = 0.85, batchSize = 64, learningRate = 0.003, maxEpochs = 5 }) {
  await client.request('buildModel', { preset: 'small', seed: 1 });
  const t0 = performance.now();
  let hit = null;
  let lastEpoch = null;
  const reached = new Promise((resolve) => {
    const offEpoch = client.on('epoch', (ev) => {
      lastEpoch = ev;
      if (!hit && ev.val_accuracy >= target) {
        hit = { seconds: (performance.now() - t0) / 1000, epoch: ev.epoch + 1, valAccuracy: ev.val_accuracy };
        offEpoch();
        resolve();
      }
    });
    const offDone = client.on('done', () => {
      offDone();
      resolve();
    });
  });
  const plan = await client.request('train', {
    epochs: maxEpochs, batchSize, validation: true, checkpoint: false, seed: 1, workers, optimizer: { name: 'adam', learning_rate: learningRate },
  });
  await reached;
  if (hit) await client.request('stop').catch(() => {}); // it may have finished already
  if (!hit) throw new Error(`the small model stayed below ${target} (last epoch: ${JSON.stringify(lastEpoch)})`);
  return { ...hit, workers: plan.workers, samples: plan.samples, validationSamples: plan.validationSamples, batchSize, learningRate };
}

// testPixels returns n standardized samples of a split, with their labels.
async function samples(split, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await client.request('getSample', { split, index: i }));
  return out;
}

/** enginePredictMs: the median time of 30 predictions with the trace, from the page. */
async function enginePredictMs(pixels) {
  const times = [];
  for (let i = 0; i < 31; i++) {
    const t0 = performance.now();
    await client.request('predict', { pixels });
    if (i > 0) times.push(performance.now() - t0); // the first one warms up
  }
  return median(times);
}

// ---- the run and the table ----

/**
 * runAll runs the whole benchmark: for each model, convplay with 1 and N
 * workers, then TensorFlow.js; then the latencies. It returns the rows
 * of the table.
 */
async function runAll({ refBatches = 20, smallBatches = 100, workers = 2, accuracy = true, repeat = 3 } = {}) {
  const t0 = performance.now();
  results = [];
  render();
  const data = await samples('train', 8 * BATCH);
  const test = await client.request('getSample', { split: 'test', index: 0 });
  const counts = workers > 1 ? [1, workers] : [1];
  const plan = [['reference', refBatches], ['small', smallBatches]];
  // convplay first, then TensorFlow.js: once started, TensorFlow.js's
  // backend keeps its thread pool in this page, and with it running convplay
  // measured half its speed. A warm-up, as TensorFlow.js gets one batch:
  // the helper workers boot once per page (they stay for later trainings).
  setStatus('bench.running', { what: 'warm-up' });
  for (const [preset] of plan) await engineTrain({ preset, batches: 2, workers });
  for (const [model, batches] of plan) {
    // Each setup `repeat` times, interleaved, the best kept: the machine's
    // other work only ever slows a run down.
    const rows = counts.map((n) => ({ kind: 'train', model, system: 'convplay', workers: n, imagesPerSec: 0, runs: [], batches, peakMB: [] }));
    results.push(...rows);
    for (let i = 0; i < repeat; i++) {
      for (const row of rows) {
        setStatus('bench.running', { what: `convplay ${model}, ${row.workers} (${i + 1}/${repeat})` });
        const r = await engineTrain({ preset: model, batches, workers: row.workers });
        row.runs.push(r.imagesPerSec);
        row.workers = r.workers;
        if (r.imagesPerSec > row.imagesPerSec) row.imagesPerSec = r.imagesPerSec;
        r.peakMB.forEach((mb, k) => {
          row.peakMB[k] = Math.max(row.peakMB[k] || 0, mb);
        });
        render();
      }
    }
    if (model === 'reference') {
      setStatus('bench.running', { what: 'convplay predict' });
      results.push({ kind: 'latency', model, system: 'convplay', ms: await enginePredictMs(test.pixels) });
    }
  }
  if (accuracy) {
    setStatus('bench.running', { what: 'convplay small → 85%' });
    results.push({ kind: 'accuracy', model: 'small', system: 'convplay', ...(await engineTimeToAccuracy({ workers })) });
    render();
  }
  await tfInit(workers); // the threads are set once, before the backend starts
  for (const [model, batches] of plan) {
    setStatus('bench.running', { what: `TensorFlow.js ${model}` });
    const runs = [];
    let predictMs = null;
    for (let i = 0; i < repeat; i++) {
      const tr = await tfTrain(model, batches, data);
      runs.push(tr.imagesPerSec);
      if (tr.predictMs !== null) predictMs = predictMs === null ? tr.predictMs : Math.min(predictMs, tr.predictMs);
    }
    const { simd, threads } = tfSetup();
    results.push({ kind: 'train', model, system: 'tfjs', simd, threads, imagesPerSec: Math.max(...runs), runs, batches });
    if (predictMs !== null) results.push({ kind: 'latency', model, system: 'tfjs', simd, threads, ms: predictMs });
    render();
  }
  for (const r of results) {
    if (r.kind !== 'train' || r.system !== 'convplay') continue;
    const tf = results.find((x) => x.kind === 'train' && x.system === 'tfjs' && x.model === r.model);
    r.ratio = r.imagesPerSec / tf.imagesPerSec;
  }
  render();
  setStatus('bench.done', { s: ((performance.now() - t0) / 1000).toFixed(1) });
  return results;
}

function setupText(r) {
  if (r.system === 'tfjs') return t('bench.tfSetup', { simd: t(r.simd ? 'bench.yes' : 'bench.no'), threads: r.threads });
  if (r.kind === 'latency') return t('bench.latencyConvplay');
  return r.workers === 1 ? t('bench.oneWorker') : t('bench.nWorkers', { n: r.workers });
}

function render() {
  const body = $('#results tbody');
  body.textContent = '';
  // row appends a row of cells, each [text, class].
  const row = (cells) => {
    const tr = document.createElement('tr');
    for (const [text, c] of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      if (c) td.className = c;
      tr.append(td);
    }
    body.append(tr);
  };
  // group starts a part of the table under a heading across its 4 columns.
  const group = (text) => {
    const head = document.createElement('th');
    head.colSpan = 4;
    head.textContent = text;
    const tr = document.createElement('tr');
    tr.className = 'group';
    tr.append(head);
    body.append(tr);
  };
  for (const model of ['reference', 'small']) {
    const rows = results.filter((r) => r.kind === 'train' && r.model === model);
    if (!rows.length) continue;
    group(t('bench.groupTrain', { model: t(`bench.model.${model}`) }));
    for (const r of rows) {
      const ratio = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`;
      row([
        [t(r.system === 'tfjs' ? 'bench.tfjs' : 'bench.convplay')],
        [setupText(r)],
        [r.imagesPerSec.toFixed(1), 'num'],
        [ratio, r.ratio === undefined ? 'num' : `num ${r.ratio >= 1 ? 'ratio-good' : 'ratio-bad'}`],
      ]);
    }
  }
  const mem = results.filter((r) => r.kind === 'train' && r.system === 'convplay' && r.model === 'reference' && r.peakMB && r.peakMB.length);
  if (mem.length) {
    group(t('bench.groupMemory'));
    for (const r of mem) {
      row([[t('bench.convplay')], [setupText(r)], [t('bench.mib', { mb: r.peakMB.join(' + ') }), 'num'], ['', 'num']]);
    }
  }
  const acc = results.filter((r) => r.kind === 'accuracy');
  if (acc.length) {
    group(t('bench.groupAccuracy'));
    for (const r of acc) {
      const setup = t('bench.accuracySetup', {
        workers: r.workers, batch: r.batchSize, lr: r.learningRate, samples: r.samples, val: r.validationSamples, epoch: r.epoch, acc: (100 * r.valAccuracy).toFixed(1),
      });
      row([[t('bench.convplay')], [setup], [t('bench.seconds', { s: r.seconds.toFixed(1) }), 'num'], ['', 'num']]);
    }
  }
  const lat = results.filter((r) => r.kind === 'latency');
  if (lat.length) {
    group(t('bench.groupLatency'));
    for (const r of lat) {
      row([
        [t(r.system === 'tfjs' ? 'bench.tfjs' : 'bench.convplay')],
        [r.system === 'tfjs' ? `${t('bench.latencyTF')}; ${setupText(r)}` : setupText(r)],
        [t('bench.ms', { ms: r.ms.toFixed(2) }), 'num'],
        ['', 'num'],
      ]);
    }
  }
}

function renderFacts() {
  if (!facts.engine) return;
  const el = $('#bench-facts');
  el.dataset.i18n = 'bench.facts';
  el.dataset.i18nVars = JSON.stringify({ ...facts, isolated: t(facts.isolated ? 'bench.yes' : 'bench.no'), kernel: t(`bench.kernel.${facts.kernel}`) });
  translate(el);
}

function applyLang(l) {
  setLang(l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  $('#lang').value = l;
  translate(document.body);
  renderFacts();
  render();
}

async function start() {
  const params = new URLSearchParams(location.search);
  applyLang(params.get('lang') === 'zh' || params.get('lang') === 'en' ? params.get('lang') : pickLang(navigator.languages));
  $('#lang').addEventListener('change', (e) => {
    applyLang(e.target.value);
    const p = new URLSearchParams(location.search);
    p.set('lang', e.target.value);
    history.replaceState(null, '', `?${p}`);
  });
  $('#workers').value = String(Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4)));
  setStatus('bench.loading');
  const version = await client.ready;
  facts = { isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency || '?', engine: `${version.go}, ${version.platform}`, kernel: version.kernel };
  renderFacts();
  await streamDataset(client, 'fashion');
  setStatus('bench.ready');
  const run = $('#run');
  run.disabled = false;
  run.addEventListener('click', async () => {
    run.disabled = true;
    try {
      await runAll({ refBatches: Number($('#ref-batches').value), smallBatches: Number($('#small-batches').value), workers: Number($('#workers').value) });
    } catch (err) {
      setStatus('bench.failed', { error: err.message || String(err) });
    } finally {
      run.disabled = false;
    }
  });
}

const ready = start();
ready.catch((err) => setStatus('bench.failed', { error: err.message || String(err) }));

// For the browser tests and make bench-browser.
window.convplayBench = { ready, client, worker, engineTrain, engineTimeToAccuracy, enginePredictMs, tfTrain, tfInit, runAll, samples, get results() { return results; } };
