// views/keep/keep.js: keep the model (#keep-panel). Save it in this browser
// (IndexedDB through store.js: named, listed by name and date, loaded,
// downloaded, deleted), download it as a file (convplay's .cpw, or .npz in
// Keras's get_weights() order), load a file (#load, or dropped anywhere on
// the page: drop.js; a .cpw builds its own architecture, an .npz fills the
// current one, a Keras .h5 or .keras brings its own model: kerasfile.js),
// go back to the pretrained model, and a Keras snippet to carry the
// weights to and from a notebook.
//
// The engine checks every file before it changes a weight, so a refused
// file leaves the model as it was; the panel explains the engine's reason
// (errors.js). Loads are refused while training runs. The texts are in
// strings.js, the list of models saved in this browser in saved.js.

import { dateText } from '../../format.js';
import { explainLoadError } from './errors.js';
import { kerasSnippet, specOfCPW } from './snippet.js';
import { createSaved, offerDownload } from './saved.js';
import { createKerasFile } from './kerasfile.js';
import { mountDrop } from './drop.js';
import { isKerasFile, isModelFileName } from './modelfile.js';
import { TEXTS } from './strings.js';


export function mount(ctx, section) {
  ctx.strings(TEXTS);
  const { t, fmt } = ctx;
  section.classList.add('panel', 'keep');
  section.innerHTML = `
    <h2 data-i18n="keep.title"></h2>
    <p class="note" data-i18n="keep.intro"></p>
    <div class="keep-grid">
      <div class="keep-col">
        <h3 data-i18n="keep.browser"></h3>
        <div class="controls">
          <label><span data-i18n="keep.name"></span> <input id="save-name" type="text" maxlength="80" data-i18n-attr="placeholder:keep.namePlaceholder"></label>
          <button id="save" type="button" data-i18n="keep.save"></button>
        </div>
        <p id="store-note" class="note"></p>
        <ol id="saved-list" class="keep-saved"></ol>
      </div>
      <div class="keep-col">
        <h3 data-i18n="keep.files"></h3>
        <p class="note" data-i18n="keep.filesNote"></p>
        <div class="controls">
          <button id="download-cpw" type="button" data-i18n="keep.downloadCPW"></button>
          <button id="download-npz" type="button" data-i18n="keep.downloadNPZ"></button>
          <button id="download-keras" type="button" data-i18n="keep.downloadKeras"></button>
          <button id="load" type="button" data-i18n="keep.loadFile"></button>
          <input id="load-file" type="file" accept=".cpw,.npz,.h5,.hdf5,.keras,application/octet-stream" hidden>
          <button id="reset-model" type="button" data-i18n="keep.reset"></button>
        </div>
      </div>
    </div>
    <p id="keep-status" class="keep-status" role="status" aria-live="polite"></p>
    <div id="keras-host"></div>
    <h3 data-i18n="keep.keras"></h3>
    <p class="note" data-i18n="keep.kerasNote"></p>
    <div class="keep-snippet">
      <button id="copy-snippet" type="button" data-i18n="keep.copy"></button>
      <pre id="keras-snippet"><code></code></pre>
    </div>`;
  const $ = (id) => section.querySelector(`#${id}`);
  const status = $('keep-status');
  const list = $('saved-list');
  const storeNote = $('store-note');

  let metrics = {}; // the current model's last epoch logs and test figures, kept with it when saved
  let spec = null; // the current model's spec, from its .cpw
  let busy = false;
  let kerasFile = null; // the Keras file question (kerasfile.js), made below

  /** say shows a message (a key and its vars, so a language switch redraws it). */
  function say(key, vars = {}, bad = false, extra = null) {
    status.replaceChildren();
    const main = document.createElement('span');
    main.dataset.i18n = key;
    main.dataset.i18nVars = JSON.stringify(vars);
    status.append(main);
    for (const [k, v] of extra || []) {
      const s = document.createElement('span');
      s.dataset.i18n = k;
      s.dataset.i18nVars = JSON.stringify(v);
      status.append(' ', s);
    }
    status.classList.toggle('bad', bad);
    status.dataset.kind = bad ? 'error' : 'ok';
    status.dataset.key = key;
    ctx.translate(status);
  }

  /** refuse explains an engine error about a file and says the model stayed. */
  function refuse(err) {
    const { key, vars } = explainLoadError(err.message);
    const extra = [['keep.refused', {}]];
    // A refused Keras layer's text already names the layer and what is read.
    if (key !== 'keep.err.kerasLayer') extra.push(['keep.err.engine', { detail: vars.detail }]);
    say(key, vars, true, extra);
  }

  const ready = () => ctx.state.engine === 'ready' && ctx.state.model;
  const canLoad = () => ready() && !ctx.state.training && !busy;

  function showButtons() {
    const r = Boolean(ready()) && !busy;
    for (const id of ['save', 'download-cpw', 'download-npz', 'download-keras']) $(id).disabled = !r;
    $('load').disabled = !canLoad();
    $('reset-model').disabled = !canLoad() || !ctx.state.dataset.name;
    for (const b of list.querySelectorAll('button[data-action=load]')) b.disabled = !canLoad();
    if (kerasFile) kerasFile.setDisabled(!canLoad());
  }

  /** act runs one action at a time, with the buttons off meanwhile. */
  async function act(fn) {
    if (busy) return;
    busy = true;
    showButtons();
    try {
      await fn();
    } catch (err) {
      say('keep.failed', { detail: err.message }, true);
    } finally {
      busy = false;
      showButtons();
    }
  }

  function mustBeIdle() {
    if (!ctx.state.training) return true;
    say('keep.busy', {}, true);
    return false;
  }

  const saved = createSaved(ctx, {
    list,
    storeNote,
    say,
    act,
    canLoad,
    mustBeIdle,
    install,
    metrics: (m) => {
      if (m === undefined) return metrics;
      metrics = m;
      return m;
    },
  });

  function save() {
    return saved.save($('save-name').value.trim() || t('keep.defaultName', { date: dateText(Date.now()) }));
  }

  /** install makes loaded bytes the engine's model; on a refusal the model stays. */
  async function install(bytes, source, done) {
    const isNPZ = bytes[0] === 0x50 && bytes[1] === 0x4b; // "PK": a zip, an .npz
    let model;
    try {
      model = await ctx.request('loadWeights', isNPZ ? { bytes } : { bytes, build: true });
    } catch (err) {
      refuse(err);
      return false;
    }
    ctx.setModel(model, source);
    done();
    return true;
  }

  async function download(format) {
    const r = await ctx.request('exportWeights', { format });
    offerDownload(r.bytes, r.filename);
    say('keep.downloaded', { file: r.filename, size: fmt.count(r.bytes.length) });
  }

  async function loadFile(file) {
    if (!mustBeIdle()) return;
    let bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (err) {
      say('keep.err.file', { detail: err.message }, true);
      return;
    }
    if (isKerasFile(file.name, bytes)) {
      await kerasFile.open(bytes, file.name);
      return;
    }
    await install(bytes, { kind: 'file', label: file.name }, () => {
      metrics = {};
      say('keep.loadedFile', { file: file.name });
    });
  }

  async function reset() {
    if (!mustBeIdle()) return;
    await ctx.resetModel();
    say('keep.resetDone');
  }

  /** showSnippet writes the Keras snippet for the current model. */
  function showSnippet() {
    const code = $('keras-snippet').firstElementChild;
    if (!spec) {
      code.textContent = '';
      return;
    }
    const info = ctx.state.dataset.info;
    try {
      code.textContent = kerasSnippet({ spec, npzName: 'convplay-model.npz', mean: info && info.mean, std: info && info.std, lang: ctx.state.lang });
    } catch (err) {
      code.textContent = `# ${err.message}`; // a layer the snippet cannot write yet: say so, the rest of the panel works
    }
  }

  async function readSpec() {
    if (!ready()) return;
    try {
      const r = await ctx.request('exportWeights', { format: 'cpw' });
      spec = specOfCPW(r.bytes);
    } catch {
      return; // the engine restarted meanwhile; the next model event tries again
    }
    showSnippet();
  }

  kerasFile = createKerasFile(ctx, $('keras-host'), { say, refuse, act });
  mountDrop(ctx, (file) => {
    status.scrollIntoView({ block: 'nearest' });
    if (!isModelFileName(file.name)) {
      say('keep.err.notModel', { file: file.name }, true);
      return;
    }
    if (mustBeIdle()) act(() => loadFile(file));
  });

  $('save').addEventListener('click', () => act(save));
  $('download-cpw').addEventListener('click', () => act(() => download('cpw')));
  $('download-npz').addEventListener('click', () => act(() => download('npz')));
  $('download-keras').addEventListener('click', () => act(() => download('keras')));
  $('load').addEventListener('click', () => {
    if (mustBeIdle()) $('load-file').click();
  });
  $('load-file').addEventListener('change', (e) => {
    const file = e.target.files && e.target.files[0];
    e.target.value = ''; // the same file may be chosen again
    if (file) act(() => loadFile(file));
  });
  $('reset-model').addEventListener('click', () => act(reset));
  $('copy-snippet').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('keras-snippet').textContent);
      say('keep.copied');
    } catch {
      const range = document.createRange(); // no clipboard permission: select it for Ctrl+C
      range.selectNodeContents($('keras-snippet'));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }
  });

  ctx.on('model', () => {
    if (!ctx.state.modelSource || ctx.state.modelSource.kind !== 'trained') metrics = {};
    showButtons();
    readSpec();
  });
  ctx.on('training', (on) => {
    if (on) metrics = {};
    showButtons();
  });
  ctx.on('epoch', (e) => {
    for (const k of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) if (e[k] !== undefined && e[k] !== null) metrics[k] = e[k];
    delete metrics.test_loss;
    delete metrics.test_accuracy;
  });
  ctx.on('evaluation', (r) => {
    if (r.split !== 'test') return;
    metrics.test_loss = r.loss;
    metrics.test_accuracy = r.accuracy;
  });
  ctx.on('engine', showButtons);
  ctx.on('dataset', showSnippet);
  ctx.on('lang', () => {
    saved.render();
    showSnippet();
  });

  saved.whenOpen.finally(showButtons);
  ctx.translate(section);
  showButtons();
  if (ctx.state.model) readSpec();

  window.convplay.views.keep = {
    records: saved.records,
    store: saved.store,
    spec: () => spec,
    metrics: () => ({ ...metrics }),
    kerasQuestion: () => kerasFile.pending(),
  };
}
