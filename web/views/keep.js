// views/keep.js: keep the model (#keep-panel). Save it in this browser
// (IndexedDB through store.js: named, listed by name and date, loaded,
// downloaded, deleted), download it as a file (convplay's .cpw, or .npz in
// Keras's get_weights() order), load a file (#load: a .cpw builds its own
// architecture, an .npz fills the current one), go back to the pretrained
// model, and a Keras snippet to carry the weights to and from a notebook.
//
// The engine checks every file before it changes a weight, so a refused
// file leaves the model as it was; the panel explains the engine's reason
// (keep-errors.js). Loads are refused while training runs.

import { openStore } from '../store.js';
import { archText, dateText } from '../format.js';
import { explainLoadError } from './keep-errors.js';
import { kerasSnippet, specOfCPW } from './keep-snippet.js';

const TEXTS = {
  en: {
    'keep.title': 'Keep the model',
    'keep.intro': 'A trained model is just its architecture and its weights. Keep them in this browser, take them away as a file, or bring in weights trained elsewhere, for example in Keras, and look inside them here.',
    'keep.browser': 'In this browser',
    'keep.name': 'Name',
    'keep.namePlaceholder': 'e.g. my first CNN',
    'keep.save': 'Save in this browser',
    'keep.saved': 'Saved “{name}” in this browser. It stays when you close the page.',
    'keep.defaultName': 'model of {date}',
    'keep.none': 'No model saved in this browser yet.',
    'keep.count': '{n} saved in this browser, newest first:',
    'keep.noStore': 'This browser keeps no saved models here ({error}); download the model as a file instead.',
    'keep.load': 'Load',
    'keep.download': 'Download',
    'keep.delete': 'Delete',
    'keep.deleted': 'Deleted “{name}” from this browser.',
    'keep.loadedStored': 'Loaded “{name}” from this browser.',
    'keep.source.stored': 'saved in this browser: “{name}” ({date})',
    'keep.facts': '{date} · {dataset} · {metrics} · {size} bytes',
    'keep.noData': 'no data set',
    'keep.m.accuracy': 'training accuracy {v}',
    'keep.m.val': 'validation {v}',
    'keep.m.test': 'test {v}',
    'keep.m.none': 'not trained or evaluated here',
    'keep.files': 'Files',
    'keep.filesNote': 'A .cpw file holds the architecture and the weights: loading it rebuilds that model. An .npz file holds the weights alone, in Keras’s order: it loads into the model the page has now, which must have the same architecture.',
    'keep.downloadCPW': 'Download .cpw',
    'keep.downloadNPZ': 'Download .npz (Keras)',
    'keep.loadFile': 'Load a file…',
    'keep.reset': 'Back to the pretrained model',
    'keep.downloaded': 'Downloaded {file} ({size} bytes).',
    'keep.loadedFile': 'Loaded {file}.',
    'keep.resetDone': 'The pretrained model is back.',
    'keep.busy': 'Training is running: stop it before loading another model.',
    'keep.working': 'Working…',
    'keep.refused': 'The model was not changed.',
    'keep.err.shape': 'This file’s weights belong to a different architecture. Layer {layer} ({name}): its {param} has the shape {file} in the file but {here} in the current model.',
    'keep.err.count': 'This file’s weights belong to a different architecture: the file has {file} weight arrays, the current model {here}.',
    'keep.err.npzBuild': 'An .npz file holds weights only, no architecture.',
    'keep.err.corrupt': 'This is not a model file the engine can read, or it is damaged or cut short.',
    'keep.err.other': 'The engine could not load this file.',
    'keep.err.engine': 'The engine says: {detail}',
    'keep.failed': 'That did not work: {detail}',
    'keep.err.file': 'Could not read the file: {detail}',
    'keep.keras': 'In Keras',
    'keep.kerasNote': 'Build the same model in Keras and give it the weights downloaded as .npz: set_weights takes the arrays in the order get_weights gives them, arr_0, arr_1, … Or the other way: save a Keras model’s weights with np.savez and load the file here.',
    'keep.copy': 'Copy',
    'keep.copied': 'Copied.',
  },
  zh: {
    'keep.title': '保存模型',
    'keep.intro': '训练好的模型就是它的结构加上权重。可以把它们保存在这个浏览器里、下载成文件带走，也可以载入在别处（比如 Keras）训练的权重，在这里看看它内部的样子。',
    'keep.browser': '在本浏览器中',
    'keep.name': '名称',
    'keep.namePlaceholder': '例如：我的第一个 CNN',
    'keep.save': '保存到本浏览器',
    'keep.saved': '已把“{name}”保存到本浏览器，关闭页面后仍会保留。',
    'keep.defaultName': '{date} 的模型',
    'keep.none': '本浏览器里还没有保存的模型。',
    'keep.count': '本浏览器里保存了 {n} 个，最新的在前：',
    'keep.noStore': '这个浏览器无法在此保存模型（{error}）；请改为下载文件。',
    'keep.load': '载入',
    'keep.download': '下载',
    'keep.delete': '删除',
    'keep.deleted': '已从本浏览器删除“{name}”。',
    'keep.loadedStored': '已从本浏览器载入“{name}”。',
    'keep.source.stored': '本浏览器中保存的“{name}”（{date}）',
    'keep.facts': '{date} · {dataset} · {metrics} · {size} 字节',
    'keep.noData': '无数据集',
    'keep.m.accuracy': '训练准确率 {v}',
    'keep.m.val': '验证 {v}',
    'keep.m.test': '测试 {v}',
    'keep.m.none': '未在此训练或评估',
    'keep.files': '文件',
    'keep.filesNote': '.cpw 文件包含结构和权重：载入它会重建那个模型。.npz 文件只有权重，按 Keras 的顺序排列：它会载入页面当前的模型，所以结构必须相同。',
    'keep.downloadCPW': '下载 .cpw',
    'keep.downloadNPZ': '下载 .npz（Keras）',
    'keep.loadFile': '从文件载入…',
    'keep.reset': '回到预训练模型',
    'keep.downloaded': '已下载 {file}（{size} 字节）。',
    'keep.loadedFile': '已载入 {file}。',
    'keep.resetDone': '已恢复预训练模型。',
    'keep.busy': '正在训练：请先停止，再载入别的模型。',
    'keep.working': '处理中…',
    'keep.refused': '模型没有改变。',
    'keep.err.shape': '这个文件的权重属于另一种结构。第 {layer} 层（{name}）：文件中的 {param} 形状是 {file}，而当前模型是 {here}。',
    'keep.err.count': '这个文件的权重属于另一种结构：文件有 {file} 个权重数组，当前模型有 {here} 个。',
    'keep.err.npzBuild': '.npz 文件只有权重，没有结构。',
    'keep.err.corrupt': '这不是引擎能读取的模型文件，或者文件已损坏、不完整。',
    'keep.err.other': '引擎无法载入这个文件。',
    'keep.err.engine': '引擎的原话：{detail}',
    'keep.failed': '没有成功：{detail}',
    'keep.err.file': '无法读取文件：{detail}',
    'keep.keras': '在 Keras 中',
    'keep.kerasNote': '在 Keras 里搭建同样的模型，再把下载的 .npz 权重交给它：set_weights 按 get_weights 给出的顺序接收数组，即 arr_0、arr_1……反过来也可以：用 np.savez 保存 Keras 模型的权重，再在这里载入文件。',
    'keep.copy': '复制',
    'keep.copied': '已复制。',
  },
};

let storePromise = null;

/** theStore opens the browser's store of saved models once. */
function theStore() {
  if (!storePromise) storePromise = openStore();
  return storePromise;
}

/**
 * lastSaved is the newest model saved in this browser, {bytes (.cpw),
 * label, record}, or null when none is (or the browser keeps none): what the
 * core may restore after the engine crashed.
 */
export async function lastSaved() {
  let store;
  try {
    store = await theStore();
  } catch {
    return null;
  }
  const r = await store.latest();
  if (!r) return null;
  return { bytes: await store.bytes(r.id), label: r.name, record: r };
}

/** slug turns a name into a file name's stem: "my small model" -> "my-small-model". */
export function slug(name) {
  const s = String(name).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
  return s || 'model';
}

/** offerDownload hands bytes to the browser as a file download. */
function offerDownload(bytes, filename) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

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
          <button id="load" type="button" data-i18n="keep.loadFile"></button>
          <input id="load-file" type="file" accept=".cpw,.npz,application/octet-stream" hidden>
          <button id="reset-model" type="button" data-i18n="keep.reset"></button>
        </div>
      </div>
    </div>
    <p id="keep-status" class="keep-status" role="status" aria-live="polite"></p>
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

  let store = null;
  let storeError = null;
  let records = [];
  let metrics = {}; // the current model's last epoch logs and test figures, kept with it when saved
  let spec = null; // the current model's spec, from its .cpw
  let busy = false;

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
    if (key !== 'keep.err.other' || vars.detail) extra.push(['keep.err.engine', { detail: vars.detail }]);
    say(key, vars, true, extra);
  }

  function metricsText(m = {}) {
    const parts = [];
    if (m.accuracy !== undefined) parts.push(t('keep.m.accuracy', { v: fmt.pct(m.accuracy) }));
    if (m.val_accuracy !== undefined) parts.push(t('keep.m.val', { v: fmt.pct(m.val_accuracy) }));
    if (m.test_accuracy !== undefined) parts.push(t('keep.m.test', { v: fmt.pct(m.test_accuracy) }));
    return parts.length ? parts.join(' · ') : t('keep.m.none');
  }

  function renderList() {
    if (!store) {
      storeNote.textContent = storeError ? t('keep.noStore', { error: storeError }) : '';
      list.replaceChildren();
      return;
    }
    storeNote.textContent = records.length ? t('keep.count', { n: records.length }) : t('keep.none');
    list.replaceChildren(...records.map((r) => {
      const li = document.createElement('li');
      li.dataset.id = String(r.id);
      const name = document.createElement('strong');
      name.className = 'saved-name';
      name.textContent = r.name;
      const facts = document.createElement('span');
      facts.className = 'saved-facts';
      facts.textContent = t('keep.facts', { date: dateText(r.date), dataset: r.dataset || t('keep.noData'), metrics: metricsText(r.metrics), size: fmt.count(r.size) });
      const arch = document.createElement('span');
      arch.className = 'saved-arch';
      arch.textContent = r.arch;
      const actions = document.createElement('span');
      actions.className = 'saved-actions';
      for (const [action, key, fn] of [['load', 'keep.load', loadStored], ['download', 'keep.download', downloadStored], ['remove', 'keep.delete', removeStored]]) {
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.action = action;
        b.textContent = t(key);
        b.addEventListener('click', () => act(() => fn(r)));
        if (action === 'load') b.disabled = !canLoad();
        actions.append(b);
      }
      li.append(name, facts, arch, actions);
      return li;
    }));
  }

  async function refreshList() {
    if (store) records = await store.list();
    renderList();
  }

  const ready = () => ctx.state.engine === 'ready' && ctx.state.model;
  const canLoad = () => ready() && !ctx.state.training && !busy;

  function showButtons() {
    const r = Boolean(ready()) && !busy;
    for (const id of ['save', 'download-cpw', 'download-npz']) $(id).disabled = !r;
    $('load').disabled = !canLoad();
    $('reset-model').disabled = !canLoad() || !ctx.state.dataset.name;
    for (const b of list.querySelectorAll('button[data-action=load]')) b.disabled = !canLoad();
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

  async function save() {
    const name = $('save-name').value.trim() || t('keep.defaultName', { date: dateText(Date.now()) });
    const r = await ctx.request('exportWeights', { format: 'cpw' });
    if (!store) throw new Error(t('keep.noStore', { error: storeError }));
    await store.save({
      name,
      bytes: r.bytes,
      arch: archText(ctx.state.model),
      dataset: (ctx.state.dataset.info && ctx.state.dataset.info.title) || '',
      metrics,
    });
    await refreshList();
    say('keep.saved', { name });
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

  async function loadStored(r) {
    if (!mustBeIdle()) return;
    const bytes = await store.bytes(r.id);
    const label = t('keep.source.stored', { name: r.name, date: dateText(r.date) });
    await install(bytes, { kind: 'stored', label }, () => {
      metrics = { ...(r.metrics || {}) };
      say('keep.loadedStored', { name: r.name });
    });
  }

  async function downloadStored(r) {
    offerDownload(await store.bytes(r.id), `${slug(r.name)}.cpw`);
    say('keep.downloaded', { file: `${slug(r.name)}.cpw`, size: fmt.count(r.size) });
  }

  async function removeStored(r) {
    await store.remove(r.id);
    await refreshList();
    say('keep.deleted', { name: r.name });
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
    code.textContent = kerasSnippet({ spec, npzName: 'convplay-model.npz', mean: info && info.mean, std: info && info.std, lang: ctx.state.lang });
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

  $('save').addEventListener('click', () => act(save));
  $('download-cpw').addEventListener('click', () => act(() => download('cpw')));
  $('download-npz').addEventListener('click', () => act(() => download('npz')));
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
    renderList();
    showSnippet();
  });

  theStore().then(
    (s) => {
      store = s;
      return refreshList();
    },
    (err) => {
      storeError = err.message;
      renderList();
    },
  ).finally(showButtons);
  ctx.translate(section);
  showButtons();
  if (ctx.state.model) readSpec();

  window.convplay.views.keep = {
    records: () => records,
    store: () => store,
    spec: () => spec,
    metrics: () => ({ ...metrics }),
  };
}
