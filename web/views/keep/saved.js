// saved.js: the keep panel's models saved in this browser (IndexedDB
// through store.js): the #saved-list of them by name and date with their
// facts, and its load, download and delete buttons; saving the current
// model into it. views/keep/keep.js owns the rest of the panel (its messages,
// its buttons, loading into the engine) and hands in what the list needs.

import { openStore } from '../../store.js';
import { archText, dateText } from '../../format.js';
import { term } from '../../glossary.js';

let storePromise = null;

/** theStore opens the browser's store of saved models once. */
function theStore() {
  if (!storePromise) storePromise = openStore();
  return storePromise;
}

/** slug turns a name into a file name's stem: "my small model" -> "my-small-model". */
export function slug(name) {
  const s = String(name).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
  return s || 'model';
}

/** offerDownload hands bytes to the browser as a file download. */
export function offerDownload(bytes, filename) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

/**
 * createSaved runs the list of saved models in the elements list (an <ol>)
 * and storeNote. From the panel it takes: say(key, vars, bad) for messages,
 * act(fn) to run one action at a time, canLoad() whether a load may start
 * now, mustBeIdle() which refuses while training, install(bytes, source,
 * done) which loads into the engine, and metrics(m) to read (no argument)
 * or replace the current model's metrics. It returns {save(name), render,
 * whenOpen (a promise, settled once the store opened or failed), records(),
 * store()}.
 */
export function createSaved(ctx, { list, storeNote, say, act, canLoad, mustBeIdle, install, metrics }) {
  const { t, fmt } = ctx;
  let store = null;
  let storeError = null;
  let records = [];

  function metricsText(m = {}) {
    const parts = [];
    if (m.accuracy !== undefined) parts.push(t('keep.m.accuracy', { v: fmt.pct(m.accuracy) }));
    if (m.val_accuracy !== undefined) parts.push(t('keep.m.val', { v: fmt.pct(m.val_accuracy) }));
    if (m.test_accuracy !== undefined) parts.push(t('keep.m.test', { v: fmt.pct(m.test_accuracy) }));
    return parts.length ? parts.join(' · ') : t('keep.m.none');
  }

  function render() {
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
      facts.textContent = t('keep.facts', { date: dateText(r.date), dataset: r.dataset ? term(r.dataset, ctx.state.lang) : t('keep.noData'), metrics: metricsText(r.metrics), size: fmt.count(r.size) });
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

  async function refresh() {
    if (store) records = await store.list();
    render();
  }

  async function save(name) {
    const r = await ctx.request('exportWeights', { format: 'cpw' });
    if (!store) throw new Error(t('keep.noStore', { error: storeError }));
    await store.save({
      name,
      bytes: r.bytes,
      arch: archText(ctx.state.model),
      dataset: (ctx.state.dataset.info && ctx.state.dataset.info.title) || '',
      metrics: metrics(),
    });
    await refresh();
    say('keep.saved', { name });
  }

  async function loadStored(r) {
    if (!mustBeIdle()) return;
    const bytes = await store.bytes(r.id);
    const label = t('keep.source.stored', { name: r.name, date: dateText(r.date) });
    await install(bytes, { kind: 'stored', label }, () => {
      metrics({ ...(r.metrics || {}) });
      say('keep.loadedStored', { name: r.name });
    });
  }

  async function downloadStored(r) {
    offerDownload(await store.bytes(r.id), `${slug(r.name)}.cpw`);
    say('keep.downloaded', { file: `${slug(r.name)}.cpw`, size: fmt.count(r.size) });
  }

  async function removeStored(r) {
    await store.remove(r.id);
    await refresh();
    say('keep.deleted', { name: r.name });
  }

  const whenOpen = theStore().then(
    (s) => {
      store = s;
      return refresh();
    },
    (err) => {
      storeError = err.message;
      render();
    },
  );

  return { save, render, whenOpen, records: () => records, store: () => store };
}
