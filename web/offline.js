// offline.js: the page's side of its service worker (sw.js), which keeps
// the page, the engine, the models and the data fetched, so a second visit
// starts from the device and a visit without a network works.
//
// startOffline registers the worker (where the host has swbuild.js, see
// below): at once when the page is not
// cross-origin isolated (then it reloads once through the worker, which
// adds the isolation headers, as coi-serviceworker did), else once the
// data set is in, so the worker's filling of its cache never delays the
// first prediction or the data.
// handOver, before the page fetches more than its modules, hands over to a
// worker of a newer build that waits (then reloads once), so a deploy
// reaches a student at the next visit and never as a mix of two builds.
// startOffline hands the worker the data files fetched before
// the worker controlled the page, and shows a small note while the network
// is away: that the page runs from this device, and which data sets are
// not saved here. offlineLines is the note's DOM-free part.

import { strings, t, has } from './i18n.js';

strings({
  en: {
    'offline.saved': 'Offline: the page runs from the copy saved on this device.',
    'offline.unsaved': 'Offline: this page was not saved on this device, so what it has not loaded yet is unavailable.',
    'offline.missing': 'Not saved here, so unavailable until the network is back: {list}.',
    'offline.partial': '{name} ({cached} of {files:one=# file|other=# files})',
    'offline.update': 'A new version of the page is ready: it opens at your next visit.',
    'offline.kept': 'Saved on this device for offline use: {list}.',
  },
  zh: {
    'offline.saved': '离线：本页正在使用保存在这台设备上的副本。',
    'offline.unsaved': '离线：本页没有保存在这台设备上，尚未加载的内容暂时无法使用。',
    'offline.missing': '以下内容没有保存在这里，联网后才能使用：{list}。',
    'offline.partial': '{name}（{files} 个文件中的 {cached} 个）',
    'offline.update': '本页有新版本：下次打开时生效。',
    'offline.kept': '已保存在这台设备上，可离线使用：{list}。',
  },
});

const RELOADED = 'convplay-sw-reloaded';

/**
 * offlineLines says what the note shows, as [key, vars] pairs: nothing
 * while online; offline, whether the page is saved here and which data
 * sets (status.datasets of sw.js: {dir, files, cached}) are not complete.
 * name(dir) is a data set's name as the page shows it.
 */
export function offlineLines({ online, controlled, status, update }, name) {
  const lines = [];
  if (!online) {
    lines.push([controlled ? 'offline.saved' : 'offline.unsaved', {}]);
    const missing = ((status && status.datasets) || []).filter((d) => d.cached < d.files)
      .map((d) => (d.cached === 0 ? name(d.dir) : t('offline.partial', { name: name(d.dir), cached: d.cached, files: d.files })));
    if (missing.length) lines.push(['offline.missing', { list: missing.join(t('offline.separator')) }]);
  }
  if (update) lines.push(['offline.update', {}]);
  return lines;
}
strings({ en: { 'offline.separator': ', ' }, zh: { 'offline.separator': '、' } });

/**
 * keptLine says which data sets the worker keeps whole (status of sw.js),
 * as [key, vars], or null when none: the footer's line, by which a teacher
 * warming the devices sees the page is ready to go offline.
 */
export function keptLine(status, name) {
  const kept = ((status && status.datasets) || []).filter((d) => d.files > 0 && d.cached === d.files).map((d) => name(d.dir));
  return kept.length ? ['offline.kept', { list: kept.join(t('offline.separator')) }] : null;
}

/** datasetName is a data folder's name as the header's switch says it (data/digits/ -> MNIST (digits)). */
function datasetName(dir) {
  const id = dir.replace(/^data\//, '').replace(/\/$/, '');
  return has(`app.${id}`) ? t(`app.${id}`) : id;
}

/**
 * handOver runs before the page fetches anything beyond its modules
 * (boot.js awaits it before it starts the engine's worker): when a newer build's worker waits, it asks that
 * worker to take over and reloads through it, so a deploy reaches a
 * student at the next visit and never as a mix of two builds. It resolves
 * at once on a page no worker controls, when no build waits, after such a
 * reload (once per tab: no loop), and when the worker declines because
 * other pages of the site are open; it never resolves when it reloads.
 *
 * Chromium activates a waiting worker only once the running one has no
 * event in flight, and every fetch of a starting page is one (and restarts
 * a stopped worker, which then lives on until it idles, 30 s or more):
 * so the page waits here, fetching nothing, and asks again every
 * `retry` ms. After `limit` ms it starts the build it has (the footer
 * note says a new one is ready) rather than keep a student waiting.
 */
export async function handOver(opts = {}) {
  try {
    return await handOverOrThrow(opts);
  } catch (err) {
    // Storage refused (a browser's privacy setting) and the like: the page
    // starts the build it has rather than not at all.
    console.warn('convplay: no hand-over to a new build:', err.message);
  }
}

async function handOverOrThrow({ sw = navigator.serviceWorker, win = window, limit = 10000, retry = 2000 }) {
  if (!sw || !sw.controller) {
    win.sessionStorage.removeItem(RELOADED);
    return;
  }
  const reg = await sw.getRegistration();
  if (!reg || !reg.waiting || !reg.active || win.sessionStorage.getItem(RELOADED)) {
    win.sessionStorage.removeItem(RELOADED);
    return;
  }
  const waiting = reg.waiting;
  /** ask tells the waiting worker to take over; it says whether it will (no other page open). */
  const ask = () =>
    new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (e) => {
        channel.port1.close();
        resolve(Boolean(e.data && e.data.taking));
      };
      waiting.postMessage({ op: 'activate' }, [channel.port2]);
    });
  let changed;
  const change = new Promise((resolve) => (changed = resolve));
  sw.addEventListener('controllerchange', () => changed(true), { once: true });
  if (!(await ask())) return;
  const started = Date.now();
  while (Date.now() - started < limit) {
    const left = limit - (Date.now() - started);
    const done = await Promise.race([change, new Promise((resolve) => win.setTimeout(() => resolve(false), Math.min(retry, left)))]);
    if (done) {
      win.sessionStorage.setItem(RELOADED, '1');
      win.location.reload();
      return new Promise(() => {}); // the page goes: start nothing
    }
    if (waiting.state === 'redundant') break; // a newer deploy replaced it
    if (waiting.state === 'installed') ask(); // activating: the controllerchange is on its way
  }
  console.warn('convplay: the new build did not take over in time; this visit runs the build it has');
}

/**
 * startOffline wires the service worker to the page: ctx is the core's
 * context (for its events and setText), note the element of the note,
 * kept the element of the footer's line of what is saved (keptLine).
 * It returns, for tests and tools, {status()}: the worker's status, or null
 * without a worker.
 */
export function startOffline(ctx, note, { kept = null, sw = navigator.serviceWorker, win = window } = {}) {
  const view = { online: win.navigator.onLine !== false, controlled: Boolean(sw && sw.controller), status: null, update: false };

  function show() {
    note.textContent = '';
    const lines = offlineLines(view, datasetName);
    note.hidden = lines.length === 0;
    note.dataset.online = String(view.online);
    for (const [key, vars] of lines) {
      const span = document.createElement('span');
      ctx.setText(span, key, vars);
      note.append(span, ctx.state.lang === 'zh' ? '' : ' '); // Chinese sentences run on without a space
    }
    if (!kept) return;
    const line = keptLine(view.status, datasetName);
    kept.hidden = !line;
    if (line) ctx.setText(kept, ...line);
    else kept.textContent = '';
  }
  win.addEventListener('online', () => {
    view.online = true;
    show();
  });
  win.addEventListener('offline', () => {
    view.online = false;
    refresh();
  });
  ctx.on('lang', () => show());
  show();
  // A host that sends the isolation headers is convplay serve (which makes
  // swbuild.js) or one that reads make dist's _headers; a plain host
  // serves make dist's folder, whose page says so. web/ as it is on a
  // plain host has no swbuild.js: no worker there, rather than a 404.
  const built = win.crossOriginIsolated || win.document.querySelector('meta[name="convplay-sw"]');
  if (!sw || !win.isSecureContext || !built) return { status: async () => null };

  /** ask sends a message to the controlling worker and resolves with its reply (null without one). */
  function ask(msg) {
    const worker = sw.controller;
    if (!worker) return Promise.resolve(null);
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (e) => resolve(e.data);
      worker.postMessage(msg, [channel.port2]);
    });
  }
  /** ordered lists the worker's data sets in the header switch's order (the worker's is by path). */
  function ordered(status) {
    const select = win.document.getElementById('dataset');
    const order = select ? [...select.options].map((o) => `data/${o.value}/`) : [];
    const rank = (d) => (order.includes(d.dir) ? order.indexOf(d.dir) : order.length);
    if (status && Array.isArray(status.datasets)) status.datasets.sort((a, b) => rank(a) - rank(b));
    return status;
  }
  async function refresh() {
    view.controlled = Boolean(sw.controller);
    view.status = ordered(await ask({ op: 'status' }));
    if (view.status && !view.status.online) view.online = false;
    show();
  }
  /**
   * keepFetched hands the worker the same-origin files this page fetched
   * (the data files among them it keeps): the timeline's, and the current
   * data set's files, which the timeline may have dropped (it is bounded).
   */
  async function keepFetched() {
    const urls = performance.getEntriesByType('resource').map((e) => e.name).filter((u) => u.startsWith(win.location.origin));
    const d = ctx.state.dataset;
    if (d.info && Array.isArray(d.info.files)) {
      for (const f of d.info.files) urls.push(new URL(`data/${d.name}/${f.name}`, win.location.href).href);
    }
    const status = ordered(await ask({ op: 'keep', urls }));
    if (status) view.status = status;
    show();
  }
  sw.addEventListener('message', (e) => {
    if (!e.data || e.data.event !== 'network') return;
    view.online = e.data.online && win.navigator.onLine !== false;
    refresh();
  });

  const isolatedAlready = Boolean(win.crossOriginIsolated);
  let reloading = false;
  sw.addEventListener('controllerchange', () => {
    view.controlled = true;
    // The first worker took a page that lacked isolation: reload once through it.
    if (!isolatedAlready) {
      if (reloading || win.sessionStorage.getItem(RELOADED)) return;
      reloading = true;
      win.sessionStorage.setItem(RELOADED, '1');
      win.location.reload();
      return;
    }
    keepFetched();
  });

  let registered = false;
  let stopWaiting = () => {}; // the listeners that wait to register
  function register() {
    if (registered) return;
    registered = true;
    stopWaiting();
    // A page the worker controls has it registered: the browser checks for
    // a new build at each visit by itself, and register() would check again.
    (sw.controller ? sw.getRegistration() : sw.register('sw.js')).then((reg) => {
      if (!reg) return;
      // A newer build installs beside this one (the browser found it at
      // this visit): say it is ready once it waits.
      const watch = (next) => {
        if (!next || !reg.active) return;
        const ready = () => {
          if (next.state !== 'installed' || view.update) return;
          view.update = true;
          show();
        };
        ready();
        next.addEventListener('statechange', ready);
      };
      watch(reg.waiting || reg.installing);
      reg.addEventListener('updatefound', () => watch(reg.installing));
    }, (err) => console.warn('convplay: no service worker, so no offline use:', err.message));
  }
  if (!isolatedAlready) register();
  else {
    // Once the data set is in, so that filling the cache (mostly from the
    // HTTP cache) takes nothing from the first prediction nor the data's
    // streaming; at the latest 20 s after the first prediction (a slow
    // link), and 30 s after start for a page that never predicts.
    const offData = ctx.on('dataset', (d) => {
      if (d.complete) register();
    });
    const offPrediction = ctx.on('prediction', (p) => {
      if (!p) return;
      offPrediction();
      win.setTimeout(register, 20000);
    });
    win.setTimeout(register, 30000);
    stopWaiting = () => {
      offData();
      offPrediction();
    };
  }
  // Data files arriving while the worker controls the page go through it;
  // those before, and the rest of a set, are handed over once it is complete.
  ctx.on('dataset', (d) => {
    if (d.complete && sw.controller) keepFetched();
  });
  if (sw.controller) refresh();
  return { status: () => ask({ op: 'status' }) };
}
