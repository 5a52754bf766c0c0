// Unit tests of offline.js's DOM-free part, the offline note's lines, run
// by `make test-js`.
import test from 'node:test';
import assert from 'node:assert/strict';
import { offlineLines, keptLine, handOver } from './offline.js';
import { setLang, t } from './i18n.js';

const name = (dir) => ({ 'data/fashion/': 'Fashion-MNIST', 'data/digits/': 'MNIST' })[dir];
const text = (lines) => lines.map(([key, vars]) => t(key, vars)).join(' ');
const status = (datasets) => ({ build: 'b1', online: false, datasets });

test('online: no note, unless a new version waits', () => {
  setLang('en');
  assert.deepEqual(offlineLines({ online: true, controlled: true, status: status([{ dir: 'data/digits/', files: 24, cached: 0 }]) }, name), []);
  assert.equal(text(offlineLines({ online: true, controlled: true, update: true }, name)), 'A new version of the page is ready: it opens at your next visit.');
});

test('offline: runs from this device, and names the data sets not saved here', () => {
  setLang('en');
  const lines = offlineLines({ online: false, controlled: true, status: status([
    { dir: 'data/fashion/', files: 28, cached: 28 },
    { dir: 'data/digits/', files: 24, cached: 0 },
  ]) }, name);
  assert.equal(text(lines), 'Offline: the page runs from the copy saved on this device. Not saved here, so unavailable until the network is back: MNIST.');
  const partial = offlineLines({ online: false, controlled: true, status: status([
    { dir: 'data/fashion/', files: 28, cached: 1 },
    { dir: 'data/digits/', files: 24, cached: 0 },
  ]) }, name);
  assert.equal(text(partial), 'Offline: the page runs from the copy saved on this device. Not saved here, so unavailable until the network is back: Fashion-MNIST (1 of 28 files), MNIST.');
  assert.match(text(offlineLines({ online: false, controlled: true, status: status([{ dir: 'data/digits/', files: 1, cached: 0 }]) }, name)), /MNIST\.$/);
});

test('offline without a saved copy says so', () => {
  setLang('en');
  assert.equal(text(offlineLines({ online: false, controlled: false, status: null }, name)),
    'Offline: this page was not saved on this device, so what it has not loaded yet is unavailable.');
});

test('in Chinese', () => {
  setLang('zh');
  const lines = offlineLines({ online: false, controlled: true, status: status([
    { dir: 'data/fashion/', files: 28, cached: 3 },
    { dir: 'data/digits/', files: 24, cached: 0 },
  ]) }, name);
  assert.equal(text(lines), '离线：本页正在使用保存在这台设备上的副本。 以下内容没有保存在这里，联网后才能使用：Fashion-MNIST（28 个文件中的 3 个）、MNIST。');
  setLang('en');
});

test('the footer names the data sets kept whole, or nothing', () => {
  setLang('en');
  assert.equal(keptLine(null, name), null);
  assert.equal(keptLine(status([{ dir: 'data/fashion/', files: 28, cached: 27 }]), name), null);
  const both = keptLine(status([{ dir: 'data/fashion/', files: 28, cached: 28 }, { dir: 'data/digits/', files: 24, cached: 24 }]), name);
  assert.equal(t(...both), 'Saved on this device for offline use: Fashion-MNIST, MNIST.');
  setLang('zh');
  assert.equal(t(...keptLine(status([{ dir: 'data/fashion/', files: 28, cached: 28 }, { dir: 'data/digits/', files: 0, cached: 0 }]), name)), '已保存在这台设备上，可离线使用：Fashion-MNIST。');
  setLang('en');
});

/**
 * fakeWorkers is navigator.serviceWorker with a waiting build whose worker
 * answers {taking} and, when it takes over, fires controllerchange after
 * `after` asks (never, when null); and a window whose reload is recorded.
 */
function fakeWorkers({ controlled = true, waiting = true, taking = true, after = 1, reloaded = false } = {}) {
  const listeners = [];
  const store = new Map(reloaded ? [['convplay-sw-reloaded', '1']] : []);
  const rec = { asks: 0, reloads: 0, store };
  const worker = {
    state: 'installed',
    postMessage(msg, [port]) {
      assert.equal(msg.op, 'activate');
      rec.asks++;
      port.postMessage({ taking });
      if (taking && after !== null && rec.asks === after) setTimeout(() => listeners.forEach((f) => f()), 5);
    },
  };
  const sw = {
    controller: controlled ? {} : null,
    getRegistration: async () => ({ active: {}, waiting: waiting ? worker : null }),
    addEventListener: (name, f) => name === 'controllerchange' && listeners.push(f),
  };
  const win = {
    sessionStorage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v), removeItem: (k) => store.delete(k) },
    location: { reload: () => rec.reloads++ },
    setTimeout,
  };
  return { sw, win, rec };
}

/** settles says whether p settles within ms. */
const settles = (p, ms) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);

test('hand-over: a waiting build takes over and the page reloads through it, starting nothing', async () => {
  const { sw, win, rec } = fakeWorkers();
  assert.equal(await settles(handOver({ sw, win }), 200), false, 'the page starts nothing');
  assert.equal(rec.reloads, 1);
  assert.equal(rec.store.get('convplay-sw-reloaded'), '1', 'so the reloaded page does not hand over again');
});

test('hand-over: asks again while the running worker stays busy', async () => {
  const { sw, win, rec } = fakeWorkers({ after: 3 });
  assert.equal(await settles(handOver({ sw, win, retry: 20 }), 300), false);
  assert.equal(rec.asks, 3);
  assert.equal(rec.reloads, 1);
});

test('hand-over: nothing to do starts the page at once', async () => {
  for (const [why, opts] of [
    ['no worker controls the page', { controlled: false }],
    ['no build waits', { waiting: false }],
    ['just reloaded for it', { reloaded: true }],
    ['other pages of the site are open', { taking: false }],
  ]) {
    const { sw, win, rec } = fakeWorkers(opts);
    assert.equal(await settles(handOver({ sw, win }), 100), true, why);
    assert.equal(rec.reloads, 0, why);
    assert.equal(rec.store.has('convplay-sw-reloaded'), false, why);
  }
});

test('hand-over: a build that does not take over in time leaves the page to run the one it has', async () => {
  const { sw, win, rec } = fakeWorkers({ after: null });
  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.equal(await settles(handOver({ sw, win, limit: 60, retry: 20 }), 300), true);
  } finally {
    console.warn = warn;
  }
  assert.equal(rec.reloads, 0);
  assert.ok(rec.asks >= 2, `asked ${rec.asks} times`);
});

test('hand-over: storage the browser refuses starts the page anyway', async () => {
  const { sw, win, rec } = fakeWorkers();
  win.sessionStorage.getItem = () => {
    throw new Error('The operation is insecure.');
  };
  const warn = console.warn;
  const warned = [];
  console.warn = (...a) => warned.push(a.join(' '));
  try {
    assert.equal(await settles(handOver({ sw, win }), 100), true);
  } finally {
    console.warn = warn;
  }
  assert.equal(rec.reloads, 0);
  assert.match(warned.join(), /insecure/);
});

test('hand-over: a build already activating is waited for, not given up on', async () => {
  const { sw, win, rec } = fakeWorkers({ after: null });
  const fire = [];
  const add = sw.addEventListener;
  sw.addEventListener = (name, f, o) => (name === 'controllerchange' ? fire.push(f) : add(name, f, o));
  const reg = await sw.getRegistration();
  sw.getRegistration = async () => reg;
  reg.waiting.state = 'activating';
  setTimeout(() => fire.forEach((f) => f()), 80); // after a few retry periods
  assert.equal(await settles(handOver({ sw, win, retry: 20 }), 300), false);
  assert.equal(rec.reloads, 1);
  assert.equal(rec.asks, 1, 'an activating worker is not asked again');
});
