// Unit tests of the service worker sw.js, run by `make test-js`: the
// script runs in a Node vm context with a fake Cache Storage, a fake
// network and a fake swbuild.js, and is driven through its events.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const SCOPE = 'https://school.example/convplay/';
const code = readFileSync(new URL('./sw.js', import.meta.url), 'utf8');

async function sha256(text) {
  const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(sum, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** fakeCaches is an in-memory Cache Storage: name -> (URL -> Response). */
function fakeCaches() {
  const stores = new Map();
  const cache = (m) => ({
    match: async (req) => {
      const r = m.get(typeof req === 'string' ? req : req.url);
      return r ? r.clone() : undefined;
    },
    put: async (url, res) => {
      m.set(typeof url === 'string' ? url : url.url, res);
    },
    keys: async () => [...m.keys()].map((url) => ({ url })),
    delete: async (req) => m.delete(typeof req === 'string' ? req : req.url),
  });
  return {
    stores,
    open: async (name) => {
      if (!stores.has(name)) stores.set(name, new Map());
      return cache(stores.get(name));
    },
    keys: async () => [...stores.keys()],
    delete: async (name) => stores.delete(name),
    match: async (url) => {
      for (const m of stores.values()) if (m.has(url)) return m.get(url).clone();
      return undefined;
    },
  };
}

/**
 * network is a server's files (path under SCOPE -> text) and the network
 * to them: fetched lists what reached it; offline makes it throw;
 * httpCache (path -> text) answers force-cache requests before it.
 */
function network(files) {
  const net = { files, fetched: [], offline: false, httpCache: {} };
  net.fetch = async (req, init = {}) => {
    const url = typeof req === 'string' ? req : req.url;
    const cached = net.httpCache[url.slice(SCOPE.length)];
    if (init.cache === 'force-cache' && cached !== undefined) return new Response(cached); // the browser's HTTP cache: no network
    net.fetched.push(url.slice(SCOPE.length));
    if (net.offline) throw new TypeError('Failed to fetch');
    const path = url.slice(SCOPE.length).split('?')[0] || 'index.html';
    if (!(path in net.files)) return new Response('not found', { status: 404 });
    return new Response(net.files[path], { headers: { 'Content-Type': 'application/octet-stream', 'Content-Encoding': 'br' } });
  };
  return net;
}

/** build is swbuild.js's object for the shell files among files. */
async function build(files, shell) {
  const out = { id: 'b' + (await sha256(shell.map((f) => f + files[f]).join())).slice(0, 8), files: {}, bytes: 0 };
  for (const f of shell) out.files[f] = (await sha256(files[f])).slice(0, 16);
  return out;
}

/** plain copies a message out of the vm's realm, as postMessage would. */
const plain = (m) => JSON.parse(JSON.stringify(m));

/** start runs sw.js with build b over net and caches, and returns its event handlers and the pages' messages. */
function start(b, net, caches, { active = null, windows = 1 } = {}) {
  const handlers = {};
  const posted = [];
  const state = { skipped: false, claimed: false };
  const self = {
    registration: { scope: SCOPE, active },
    addEventListener: (name, fn) => {
      handlers[name] = fn;
    },
    skipWaiting: async () => {
      state.skipped = true;
    },
    clients: {
      claim: async () => {
        state.claimed = true;
      },
      matchAll: async () => Array.from({ length: windows }, () => ({ postMessage: (m) => posted.push(plain(m)) })),
    },
  };
  const context = { self, caches, fetch: net.fetch, Response, Headers, URL, crypto, console, importScripts: () => (self.CONVPLAY_BUILD = b) };
  vm.runInNewContext(code, context);
  const wait = async (name, event) => {
    let p = null;
    handlers[name]({ ...event, waitUntil: (x) => (p = x) });
    await p;
  };
  return {
    state,
    posted,
    install: () => wait('install', {}),
    activate: () => wait('activate', {}),
    /** get fetches path through the worker; null when it lets the request go by. */
    async get(path, { mode = 'cors', absolute = false } = {}) {
      let answer = null;
      handlers.fetch({ request: { url: absolute ? path : SCOPE + path, method: 'GET', mode, cache: 'default', headers: new Headers() }, respondWith: (p) => (answer = p) });
      return answer && (await answer);
    },
    async message(msg) {
      return new Promise((resolve) => {
        handlers.message({ data: msg, ports: [{ postMessage: (m) => resolve(plain(m)) }], waitUntil: () => {} });
      });
    },
  };
}

const manifest = (files) => JSON.stringify({ name: 'tiny', files, preview: { name: 'preview.png', sha256: 'ff' } });

async function site() {
  const files = { 'index.html': '<!doctype html>', 'app.js': 'export {};', 'convplay.wasm': '\0asm', 'data/tiny/a.gz': 'AAAA', 'data/tiny/b.gz': 'BB', 'bench.html': 'bench' };
  files['data/tiny/manifest.json'] = manifest([{ name: 'a.gz', sha256: await sha256('AAAA') }, { name: 'b.gz', sha256: await sha256('BB') }]);
  const shell = ['index.html', 'app.js', 'convplay.wasm', 'data/tiny/manifest.json'];
  return { files, shell, b: await build(files, shell) };
}

test('installs the whole shell, each file checked, then takes the page and serves it without the network', async () => {
  const { files, shell, b } = await site();
  const net = network(files);
  const caches = fakeCaches();
  const sw = start(b, net, caches);
  await sw.install();
  assert.deepEqual(net.fetched.sort(), [...shell].sort());
  assert.ok(sw.state.skipped, 'the first worker takes over at once');
  await sw.activate();
  assert.ok(sw.state.claimed);

  net.fetched.length = 0;
  for (const path of shell) {
    const res = await sw.get(path);
    assert.equal(await res.text(), files[path], path);
    assert.equal(res.headers.get('Cross-Origin-Embedder-Policy'), 'require-corp');
    assert.equal(res.headers.get('Cross-Origin-Opener-Policy'), 'same-origin');
    assert.equal(res.headers.get('Content-Encoding'), null, 'the cached body is decoded');
  }
  const page = await sw.get('?data=digits&lang=zh', { mode: 'navigate' });
  assert.equal(await page.text(), '<!doctype html>', 'a link with settings opens the saved page');
  assert.deepEqual(net.fetched, [], 'nothing from the network');
});

test('the install takes the HTTP cache\'s copies that are the build\'s, and the server\'s for the others', async () => {
  const { files, shell, b } = await site();
  const net = network(files);
  net.httpCache = { 'app.js': files['app.js'], 'index.html': '<!doctype html><p>an older page', 'convplay.wasm': files['convplay.wasm'] };
  const caches = fakeCaches();
  const sw = start(b, net, caches);
  await sw.install();
  assert.deepEqual(net.fetched.sort(), ['data/tiny/manifest.json', 'index.html'], 'the stale page and the file the HTTP cache lacks');
  await sw.activate();
  assert.equal(await (await sw.get('', { mode: 'navigate' })).text(), '<!doctype html>');
  assert.equal(shell.length, 4);
});

test('a file that is not the build\'s (a deploy half-way) fails the install; a later build reuses unchanged files', async () => {
  const { files, b } = await site();
  const net = network({ ...files, 'app.js': 'export const changed = 1;' });
  await assert.rejects(start(b, net, fakeCaches()).install(), /app\.js is not the file of build/);

  const caches = fakeCaches();
  const old = start(b, network(files), caches);
  await old.install();
  await old.activate();
  const next = { ...files, 'app.js': 'export const changed = 1;' };
  const b2 = await build(next, ['index.html', 'app.js', 'convplay.wasm', 'data/tiny/manifest.json']);
  const net2 = network(next);
  const sw2 = start(b2, net2, caches, { active: {} });
  await sw2.install();
  assert.deepEqual(net2.fetched, ['app.js'], 'only the changed file is downloaded');
  assert.ok(!sw2.state.skipped, 'a later build waits for the page to hand over');
  await sw2.activate();
  assert.deepEqual([...caches.stores.keys()].filter((k) => k.startsWith('convplay-shell-')), [`convplay-shell-${b2.id}`]);
  assert.equal(await (await sw2.get('app.js')).text(), 'export const changed = 1;');
});

test('data files are kept by their manifest\'s SHA-256: served from the cache while it lists them, fetched again when it changes', async () => {
  const { files, b } = await site();
  const net = network(files);
  const caches = fakeCaches();
  const sw = start(b, net, caches);
  await sw.install();
  await sw.activate();
  net.fetched.length = 0;
  assert.equal(await (await sw.get('data/tiny/a.gz')).text(), 'AAAA');
  assert.equal(await (await sw.get('data/tiny/a.gz')).text(), 'AAAA');
  assert.deepEqual(net.fetched, ['data/tiny/a.gz'], 'once from the network, then from the cache');
  let st = await sw.message({ op: 'status' });
  assert.deepEqual(st.datasets, [{ dir: 'data/tiny/', files: 2, cached: 1, bytes: 4 }], 'the preview is not a file the page needs');

  // The page fetched b.gz before the worker controlled it: keep takes it.
  net.fetched.length = 0;
  st = await sw.message({ op: 'keep', urls: [SCOPE + 'data/tiny/b.gz', SCOPE + 'app.js', 'https://elsewhere.example/x'] });
  assert.deepEqual(net.fetched, ['data/tiny/b.gz']);
  assert.deepEqual(st.datasets, [{ dir: 'data/tiny/', files: 2, cached: 2, bytes: 6 }]);

  // A server file that is not the manifest's reaches the page (the engine refuses it) but not the cache.
  net.files['data/tiny/c.gz'] = 'CC';
  net.files['data/tiny/manifest.json'] = manifest([{ name: 'a.gz', sha256: await sha256('AAAA') }, { name: 'c.gz', sha256: await sha256('other') }]);
  const b2 = await build(net.files, ['index.html', 'app.js', 'convplay.wasm', 'data/tiny/manifest.json']);
  const sw2 = start(b2, net, caches, { active: {} });
  await sw2.install();
  await sw2.activate();
  st = await sw2.message({ op: 'status' });
  assert.deepEqual(st.datasets, [{ dir: 'data/tiny/', files: 2, cached: 1, bytes: 4 }], 'b.gz, which no manifest lists now, is gone');
  net.fetched.length = 0;
  assert.equal(await (await sw2.get('data/tiny/c.gz')).text(), 'CC');
  await sw2.get('data/tiny/c.gz');
  assert.deepEqual(net.fetched, ['data/tiny/c.gz', 'data/tiny/c.gz'], 'never cached');
});

test('offline: saved files as before, others a 504 "Offline", and the pages hear the network is gone', async () => {
  const { files, b } = await site();
  const net = network(files);
  const sw = start(b, net, fakeCaches());
  await sw.install();
  await sw.activate();
  assert.equal(await (await sw.get('bench.html')).text(), 'bench', 'other files: network first');
  net.offline = true;
  assert.equal(await (await sw.get('app.js')).text(), 'export {};');
  assert.equal(await (await sw.get('bench.html')).text(), 'bench', 'then the copy fetched before');
  const res = await sw.get('data/tiny/a.gz');
  assert.equal(res.status, 504);
  assert.equal(res.statusText, 'Offline');
  assert.match(await res.text(), /data\/tiny\/a\.gz is not saved on this device/);
  assert.deepEqual(sw.posted, [{ event: 'network', online: false }]);
  assert.equal((await sw.message({ op: 'status' })).online, false);
  net.offline = false;
  await sw.get('bench.html');
  assert.deepEqual(sw.posted.at(-1), { event: 'network', online: true });
  assert.equal(await sw.get('https://elsewhere.example/font.woff2', { absolute: true }), null, 'other origins are left to the browser');
});

test('a waiting build takes over when the asking page is the only one open', async () => {
  const { files, b } = await site();
  for (const [windows, takes] of [[1, true], [2, false]]) {
    const sw = start(b, network(files), fakeCaches(), { active: {}, windows });
    await sw.install();
    assert.ok(!sw.state.skipped);
    assert.deepEqual(await sw.message({ op: 'activate' }), { taking: takes }, 'it says whether it takes over');
    assert.equal(Boolean(sw.state.skipped), takes, `${windows} pages open`);
  }
});
