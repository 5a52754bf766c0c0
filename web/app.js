// app.js: the page's composition root. It alone owns the DOM, the worker and
// the page state; the views it grows into will live in their own modules.
// Every number shown comes from the engine in the worker (see protocol.js);
// the page only formats it.

import { createClient, CRASH } from './protocol.js';
import { streamDataset } from './dataload.js';
import { archText, argmax, count, dataText, dateText, doneText, epochText, evaluationText, pct, progressText } from './format.js';
import { openStore } from './store.js';
import { renderSaved } from './saved.js';

/** Automatic restarts after a crash, before the page asks the user instead. */
const MAX_RESTARTS = 3;

/** The page state: one object, changed only here. */
const state = {
  engine: 'booting', // 'booting' | 'ready' | 'crashed'
  version: null, // the engine's version result
  model: null, // the model result (buildModel, loadWeights) shown in the model panel
  preset: 'small', // the preset the model was built from, or null for loaded weights
  error: null, // the last engine error, as text
  restarts: 0, // automatic restarts after crashes
  restored: null, // where the model after the last restart came from
  restoring: false, // a restarted engine is getting the saved model and the data back
  data: { name: null, info: null, loaded: 0, total: 0, available: null, complete: false, error: null },
  training: { status: 'idle', plan: null, progress: null, progressEvents: 0, epochs: [], done: null, pauseMs: null },
  saved: null, // {bytes: Uint8Array (.cpw), from}: the last saved model, restored after a crash
  metrics: {}, // the current model's last epoch logs and test figures, kept with it when saved
  loadedFrom: null, // the store record the current model was loaded from
  store: null, // the store of saved models (store.js), once open
  storeError: null, // why there is none
  savedList: [], // its records, newest first
  prediction: null, // {index, label, probs, trace}
  evaluation: null,
};

let client = null;

const $ = (id) => document.getElementById(id);

/** setText sets an element's text and its translation key. */
function setText(el, key, text, bad = false) {
  el.dataset.i18n = key;
  el.textContent = text;
  el.classList.toggle('bad', bad);
}

function showStatus() {
  const status = $('status');
  status.dataset.state = state.engine;
  document.body.dataset.engine = state.engine;
  $('restart').hidden = state.engine !== 'crashed';
  const text = $('status-text');
  if (state.engine === 'booting') setText(text, 'status.booting', state.restarts ? `Restarting the engine (${state.error})…` : 'Starting the engine…');
  if (state.engine === 'ready') setText(text, 'status.ready', `Engine ready · ${state.version.go}`);
  if (state.engine === 'crashed') setText(text, 'status.crashed', `The engine stopped: ${state.error}`);
  const v = state.version;
  $('engine-version').textContent = v ? `convplay ${v.version} · ${v.go} · ${v.platform}` : '…';
}

function showModel() {
  const m = state.model;
  const note = $('model-note');
  const table = $('layers');
  table.hidden = !m;
  $('summary-box').hidden = !m || !m.summary;
  if (!m) {
    if (state.error && state.engine === 'ready') setText(note, 'model.unavailable', `The model is not available yet: ${state.error}`, true);
    return;
  }
  if (state.restored) setText(note, 'model.restored', `The engine restarted; the model is restored from ${state.restored}:`);
  else if (state.loadedFrom) setText(note, 'model.stored', `The saved model “${state.loadedFrom.name}” (${dateText(state.loadedFrom.date)}), loaded from this browser:`);
  else if (state.preset === 'small') setText(note, 'model.small', 'The small model, built by the engine:');
  else if (state.preset) setText(note, 'model.preset', `The ${state.preset} model, built by the engine:`);
  else setText(note, 'model.loaded', 'The model of the loaded weights:');
  const rows = m.layers.map((l) => {
    const tr = document.createElement('tr');
    for (const [text, cls] of [
      [l.name, ''],
      [l.type, 'type'],
      [`(${l.outShape.join(', ')})`, 'shape'],
      [count(l.params), 'num'],
    ]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
  $('total-params').textContent = count(m.totalParams);
  $('summary').textContent = m.summary;
}

function showData() {
  const d = state.data;
  const bar = $('data-progress');
  bar.max = d.total || 1;
  bar.value = d.loaded;
  const key = d.error ? 'data.error' : d.info ? 'data.progress' : 'data.none';
  setText($('data-note'), key, dataText(d), Boolean(d.error));
}

function showTraining() {
  const t = state.training;
  const running = t.status === 'running';
  const active = running || t.status === 'paused';
  $('train').disabled = active;
  $('pause').disabled = !running;
  $('resume').disabled = t.status !== 'paused';
  $('step').disabled = t.status !== 'paused';
  $('stop').disabled = !active;
  const bar = $('train-progress');
  const note = $('train-note');
  const p = t.progress;
  if (p) {
    bar.max = p.epochs * p.batches;
    bar.value = p.epoch * p.batches + p.batch + 1;
  }
  if (t.done && !active) setText(note, `train.${t.done.reason}`, doneText(t.done), Boolean(t.done.error));
  else if (p) setText(note, 'train.progress', progressText(p, t.status === 'paused' ? t.pauseMs : undefined, t.plan));
  else if (active) setText(note, 'train.starting', 'Training…');
  const rows = t.epochs.map((e) => {
    const li = document.createElement('li');
    li.textContent = epochText(e);
    return li;
  });
  $('epoch-log').replaceChildren(...rows);
}

function className(label) {
  const c = state.data.info && state.data.info.classes[label];
  return c ? c.en : `class ${label}`;
}

function showPrediction(image) {
  const p = state.prediction;
  if (!p) return;
  if (image) {
    const [h, w] = state.data.info.shape; // one channel: grey
    const canvas = $('sample');
    Object.assign(canvas, { width: w, height: h });
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(w, h);
    for (let i = 0; i < w * h; i++) img.data.set([image[i], image[i], image[i], 255], 4 * i);
    ctx.putImageData(img, 0, 0);
  }
  const best = argmax(p.probs);
  setText($('predict-note'), 'test.prediction',
    `Test image #${p.index}: the model says ${className(best)} (${pct(p.probs[best])}); it is ${className(p.label)}.`);
}

function showEvaluation() {
  const e = state.evaluation;
  if (!e) return;
  setText($('eval-note'), 'test.evaluation', evaluationText(state.data.info.title, e));
}

/** engineCall runs a request and shows its error, if any, as the engine error. */
async function engineCall(note, work) {
  try {
    await work();
  } catch (err) {
    setText(note, 'error', err.message, true);
    state.error = err.message;
  }
}

async function buildModel() {
  const preset = $('preset').value;
  await engineCall($('model-note'), async () => {
    state.model = await client.request('buildModel', { preset });
    state.preset = preset;
    state.restored = null;
    state.loadedFrom = null;
    state.metrics = {};
    state.error = null;
    showModel();
  });
}

async function loadData(name = $('data-set').value) {
  state.data = { name, info: null, loaded: 0, total: 0, available: null, complete: false, error: null };
  showData();
  try {
    const info = await streamDataset(client, name, {
      onProgress: (p) => {
        Object.assign(state.data, { loaded: p.loaded, total: p.total, available: p.available, complete: p.complete });
        showData();
      },
    });
    Object.assign(state.data, { info, total: info.files.length, loaded: info.files.length });
  } catch (err) {
    state.data.error = err.message;
  }
  showData();
}

async function train() {
  const t = state.training;
  Object.assign(t, { status: 'running', plan: null, progress: null, epochs: [], done: null, pauseMs: null });
  showTraining();
  const args = {
    optimizer: { name: $('optimizer').value, learning_rate: Number($('lr').value) },
    epochs: Number($('epochs').value),
    batchSize: Number($('batch').value),
    subset: Number($('subset').value),
    seed: 1,
    validation: Boolean(state.data.available && state.data.available.validation > 0),
    checkpoint: true,
  };
  try {
    const plan = await client.request('train', args);
    t.plan = { ...plan, batchSize: args.batchSize };
  } catch (err) {
    Object.assign(t, { status: 'idle', done: { reason: 'error', error: err.message } });
  }
  showTraining();
}

/** control sends pause, resume, step or stop, timing pause's round trip. */
async function control(type) {
  const t = state.training;
  const t0 = performance.now();
  try {
    const pos = await client.request(type);
    if (type === 'pause') t.pauseMs = performance.now() - t0;
    if (!pos.done) t.status = pos.paused ? 'paused' : 'running';
  } catch (err) {
    t.done = { reason: 'error', error: err.message };
  }
  showTraining();
}

function onEngineEvent(ev) {
  const t = state.training;
  if (ev.event === 'progress') {
    t.progress = ev;
    t.progressEvents++;
  } else if (ev.event === 'epoch') {
    t.epochs.push(ev);
    state.metrics = { loss: ev.loss, accuracy: ev.accuracy };
    if (ev.val_loss !== undefined) Object.assign(state.metrics, { val_loss: ev.val_loss, val_accuracy: ev.val_accuracy });
    if (ev.checkpoint) keepSaved(ev.checkpoint, `the checkpoint of epoch ${ev.epoch + 1}`);
  } else if (ev.event === 'done') {
    t.done = ev;
    t.status = 'idle';
  }
  showTraining();
}

/** keepSaved keeps a saved model (.cpw bytes) to restore after a crash, and offers it as a download. */
function keepSaved(bytes, from) {
  state.saved = { bytes, from };
  const a = $('download');
  if (a.href) URL.revokeObjectURL(a.href);
  a.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  a.download = 'convplay-model.cpw';
  a.hidden = false;
  setText(a, 'test.download', `Download the saved model (${count(bytes.length)} bytes)`);
  setText($('save-note'), 'test.saved', `Kept ${from}: the page restores it if the engine stops.`);
}

/** save exports the model, offers it as a download and keeps it in the browser's store. */
async function save() {
  await engineCall($('save-note'), async () => {
    const name = $('save-name').value.trim() || `${state.preset || 'model'} ${dateText(Date.now())}`;
    const r = await client.request('exportWeights', { format: 'cpw' });
    keepSaved(r.bytes, `the model you saved, “${name}”`);
    if (!state.store) {
      setText($('save-note'), 'saved.pageOnly', `Kept “${name}” in this page and as a download only: ${state.storeError}`, true);
      return;
    }
    await state.store.save({
      name,
      bytes: r.bytes,
      arch: archText(state.model),
      dataset: (state.data.info && state.data.info.title) || '',
      metrics: state.metrics,
    });
    setText($('save-note'), 'saved.stored', `Saved “${name}” in this browser (it stays when the page closes) and as a download.`);
    await showSaved();
  });
}

/** showSaved lists the saved models from the store. */
async function showSaved() {
  if (!state.store) {
    setText($('store-note'), 'saved.unavailable', `Saving in this browser is not available (${state.storeError}); saved models are offered as downloads.`, true);
    return;
  }
  state.savedList = await state.store.list();
  const n = state.savedList.length;
  setText($('store-note'), 'saved.count', n ? `${n} saved in this browser, newest first:` : 'No model saved in this browser yet.');
  renderSaved($('saved-list'), state.savedList, { load: loadSaved, download: downloadSaved, remove: removeSaved });
}

/** loadSaved makes a saved model the engine's model. */
async function loadSaved(record) {
  await engineCall($('save-note'), async () => {
    const bytes = await state.store.bytes(record.id);
    const from = `the saved model “${record.name}” (${dateText(record.date)})`;
    const kept = bytes.slice(); // the engine gets the bytes; the page keeps a copy to restore after a crash
    state.model = await client.request('loadWeights', { bytes, build: true }, { transfer: [bytes.buffer] });
    Object.assign(state, { preset: null, restored: null, loadedFrom: record, metrics: record.metrics || {}, saved: { bytes: kept, from } });
    showModel();
    setText($('save-note'), 'saved.loaded', `Loaded ${from}.`);
  });
}

async function downloadSaved(record) {
  await engineCall($('save-note'), async () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([await state.store.bytes(record.id)], { type: 'application/octet-stream' }));
    a.download = `${record.name.replace(/[^\w.-]+/g, '-')}.cpw`;
    a.click();
    URL.revokeObjectURL(a.href);
  });
}

async function removeSaved(record) {
  await engineCall($('save-note'), async () => {
    await state.store.remove(record.id);
    setText($('save-note'), 'saved.deleted', `Deleted “${record.name}” from this browser.`);
    await showSaved();
  });
}

async function exportNPZ() {
  await engineCall($('save-note'), async () => {
    const r = await client.request('exportWeights', { format: 'npz' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([r.bytes], { type: 'application/octet-stream' }));
    a.download = r.filename;
    a.click();
    URL.revokeObjectURL(a.href);
  });
}

async function loadWeightsFile(file) {
  await engineCall($('save-note'), async () => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const build = file.name.endsWith('.cpw');
    state.model = await client.request('loadWeights', { bytes, build }, { transfer: [bytes.buffer] });
    if (build) state.preset = null;
    Object.assign(state, { restored: null, loadedFrom: null, metrics: {} });
    showModel();
    setText($('save-note'), 'test.loaded', `Loaded ${file.name}.`);
  });
}

async function predict() {
  await engineCall($('predict-note'), async () => {
    const index = Number($('sample-index').value);
    const s = await client.request('getSample', { split: 'test', index });
    const r = await client.request('predict', { pixels: s.pixels }, { transfer: [s.pixels.buffer] });
    state.prediction = { index, label: s.label, probs: r.probs, trace: r.trace };
    showPrediction(s.image);
  });
}

async function evaluate() {
  await engineCall($('eval-note'), async () => {
    setText($('eval-note'), 'test.evaluating', 'Evaluating…');
    state.evaluation = await client.request('evaluate', { split: 'test' }, { timeoutMs: 600000 });
    Object.assign(state.metrics, { test_loss: state.evaluation.loss, test_accuracy: state.evaluation.accuracy });
    showEvaluation();
  });
}

/** restore gives a restarted engine the last saved model and the data set it had. */
async function restore() {
  state.restoring = true;
  try {
    await restoreModelAndData();
  } finally {
    state.restoring = false;
  }
}

async function restoreModelAndData() {
  const latest = !state.saved && state.store ? await state.store.latest() : null;
  if (latest) { // nothing saved since the page opened: the newest in the store
    state.saved = { bytes: await state.store.bytes(latest.id), from: `the saved model “${latest.name}” (${dateText(latest.date)}) in this browser` };
    state.metrics = latest.metrics || {};
  }
  if (state.saved) {
    const bytes = state.saved.bytes.slice(); // the page keeps its copy
    state.model = await client.request('loadWeights', { bytes, build: true }, { transfer: [bytes.buffer] });
    Object.assign(state, { restored: state.saved.from, loadedFrom: null, preset: null });
    showModel();
  } else {
    await buildModel();
  }
  if (state.data.name) await loadData(state.data.name);
}

/** boot starts a worker and its client; a crash restarts it, a few times. */
function boot() {
  const worker = new Worker('worker.js');
  client = createClient(worker);
  const restarting = state.engine === 'crashed';
  state.engine = 'booting';
  showStatus();
  for (const name of ['progress', 'epoch', 'done']) client.on(name, onEngineEvent);
  client.on('data', () => {}); // addChunk's reply carries the same numbers
  client.on(CRASH, ({ reason }) => {
    worker.terminate();
    state.engine = 'crashed';
    state.error = reason;
    if (state.training.status !== 'idle') Object.assign(state.training, { status: 'idle', done: { reason: 'error', error: `the engine stopped: ${reason}` } });
    showStatus();
    showTraining();
    if (state.restarts < MAX_RESTARTS) {
      state.restarts++;
      boot();
    }
  });
  client.ready.then(
    async (version) => {
      state.engine = 'ready';
      state.version = version;
      showStatus();
      if (restarting) await restore().catch((err) => setText($('model-note'), 'model.unavailable', err.message, true));
      else buildModel();
    },
    () => {}, // reported by the crash handler
  );
}

$('restart').addEventListener('click', () => {
  state.engine = 'crashed';
  boot();
});
$('build').addEventListener('click', buildModel);
$('data-load').addEventListener('click', () => loadData());
$('train').addEventListener('click', train);
for (const type of ['pause', 'resume', 'step', 'stop']) $(type).addEventListener('click', () => control(type));
$('predict').addEventListener('click', predict);
$('evaluate').addEventListener('click', evaluate);
$('save').addEventListener('click', save);
$('export-npz').addEventListener('click', exportNPZ);
$('weights-file').addEventListener('change', (e) => e.target.files[0] && loadWeightsFile(e.target.files[0]));
boot();
openStore().then(
  (store) => {
    state.store = store;
  },
  (err) => {
    state.storeError = err.message || String(err);
  },
).then(showSaved).catch((err) => setText($('store-note'), 'saved.unavailable', err.message, true));

// For the browser tests and the console: the live client, the state and the actions.
window.convplay = {
  get client() {
    return client;
  },
  state,
  loadData,
  buildModel,
  train,
  control,
  predict,
  evaluate,
  save,
  showSaved,
};
