// app.js: the page's composition root. It alone owns the DOM, the worker and
// the page state; the views it grows into will live in their own modules.
// Every number shown comes from the engine in the worker (see protocol.js).

import { createClient, CRASH } from './protocol.js';

/** The page state: one object, changed only here. */
const state = {
  engine: 'booting', // 'booting' | 'ready' | 'crashed'
  version: null, // the engine's version result
  model: null, // the buildModel result shown in the model panel
  error: null, // the last engine error, as text
};

let client = null;

const $ = (id) => document.getElementById(id);

/** setText sets an element's text and its translation key. */
function setText(el, key, text) {
  el.dataset.i18n = key;
  el.textContent = text;
}

function showStatus() {
  const status = $('status');
  status.dataset.state = state.engine;
  document.body.dataset.engine = state.engine;
  $('restart').hidden = state.engine !== 'crashed';
  const text = $('status-text');
  if (state.engine === 'booting') setText(text, 'status.booting', 'Starting the engine…');
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
    if (state.error && state.engine === 'ready') setText(note, 'model.unavailable', `The small model is not available yet: ${state.error}`);
    return;
  }
  setText(note, 'model.small', 'The small model, built by the engine:');
  const rows = m.layers.map((l) => {
    const tr = document.createElement('tr');
    for (const [text, cls] of [
      [l.name, ''],
      [l.type, 'type'],
      [`(${l.outShape.join(', ')})`, 'shape'],
      [l.params.toLocaleString('en-US'), 'num'],
    ]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
  $('total-params').textContent = m.totalParams.toLocaleString('en-US');
  $('summary').textContent = m.summary;
}

async function buildSmallModel() {
  try {
    state.model = await client.request('buildModel', { preset: 'small' });
    state.error = null;
  } catch (err) {
    state.model = null;
    state.error = err.message;
  }
  showModel();
}

/** boot starts a worker and its client; a crash offers a restart. */
function boot() {
  const worker = new Worker('worker.js');
  client = createClient(worker);
  state.engine = 'booting';
  state.error = null;
  showStatus();
  client.on(CRASH, ({ reason }) => {
    worker.terminate();
    state.engine = 'crashed';
    state.error = reason;
    showStatus();
  });
  client.ready.then(
    (version) => {
      state.engine = 'ready';
      state.version = version;
      showStatus();
      buildSmallModel();
    },
    () => {}, // reported by the crash handler
  );
}

$('restart').addEventListener('click', boot);
boot();

// For the browser tests and the console: the live client and the state.
window.convplay = {
  get client() {
    return client;
  },
  state,
};
