// sw.js: the page's one service worker. Two roles:
//
//   - Offline and instant second visits. It keeps the app shell of the
//     build it came with (swbuild.js: every file's SHA-256 prefix and the
//     build id; convplay serve makes it, make dist writes it) in the cache
//     convplay-shell-<id>, filled completely and checked file by file before
//     it serves anything from it, so a page never runs a mix of two builds.
//     A new deploy changes swbuild.js, so the browser installs a new worker
//     beside the running one; the page hands over to it at its next start
//     (offline.js). Data files are cached as the page fetches them (in
//     convplay-data), each with its SHA-256, and served from the cache only
//     while the build's manifest of their folder lists that SHA-256: the
//     manifests tell versions, whatever the data files are called. Anything
//     else the page fetches goes to the network first, the cache second.
//   - Cross-origin isolation on hosts that cannot send headers (GitHub
//     Pages, python3 -m http.server): every same-origin response it gives
//     carries COOP, COEP and CORP, so SharedArrayBuffer (several training
//     workers) works once the page comes through it (offline.js reloads
//     once for that, as coi-serviceworker did).
//
// Messages from the page (offline.js), each {op, ...} with a MessagePort
// for the reply:
//   status            -> {build, online, datasets: [{dir, files, cached, bytes}]}
//   keep {urls}       -> the same status, after caching those URLs the
//                        page fetched before this worker controlled it (from
//                        the HTTP cache when it still has them)
//   activate          -> {taking}: a waiting worker takes over now, when
//                        the asking page is the site's only one open
// and to every page it controls: {event: 'network', online} when the
// network stops or starts answering.

/* global self, caches, importScripts, fetch, Response, Headers, URL, crypto */

importScripts('swbuild.js'); // self.CONVPLAY_BUILD: {id, files: {path: sha256 prefix}, bytes}

const BUILD = self.CONVPLAY_BUILD;
const SHELL = `convplay-shell-${BUILD.id}`;
const DATA = 'convplay-data';
const OTHER = 'convplay-other';
const SHA = 'X-Convplay-Sha256'; // on each cached response: its body's SHA-256 (hex)
const scope = new URL(self.registration.scope);
const shellHash = new Map(Object.entries(BUILD.files).map(([f, h]) => [new URL(f, scope).href, h]));
const indexURL = new URL('index.html', scope).href;

self.addEventListener('install', (event) => event.waitUntil(install()));
self.addEventListener('activate', (event) => event.waitUntil(activate()));
self.addEventListener('message', (event) => event.waitUntil(onMessage(event)));
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || request.headers.has('range')) return;
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin) return; // other origins: the browser's own way
  event.respondWith(answer(request, url));
});

/** install fills this build's shell cache, every file checked against its hash. */
async function install() {
  const cache = await caches.open(SHELL);
  const old = (await caches.keys()).filter((k) => k.startsWith('convplay-shell-') && k !== SHELL);
  await Promise.all([...shellHash].map(async ([url, want]) => {
    if (await cache.match(url)) return;
    for (const name of old) {
      const hit = await (await caches.open(name)).match(url);
      if (hit && hit.headers.get(SHA) && hit.headers.get(SHA).startsWith(want)) {
        await cache.put(url, hit);
        return;
      }
    }
    // The HTTP cache's copy (the page has just fetched most files) when it
    // is this build's; else the server's, revalidated.
    for (const mode of ['force-cache', 'no-cache']) {
      const res = await fetch(url, { cache: mode });
      if (!res.ok || res.redirected) {
        if (mode === 'force-cache') continue;
        throw new Error(`sw: ${url}: HTTP ${res.status}`);
      }
      const bytes = await res.arrayBuffer();
      const got = await sha256(bytes);
      if (got.startsWith(want)) {
        await cache.put(url, isolated(res, bytes, got));
        return;
      }
    }
    throw new Error(`sw: ${url} is not the file of build ${BUILD.id} (a deploy under way?)`);
  }));
  // The first worker takes the page at once; a later one waits until the
  // page hands over at its next start, so no page mixes two builds.
  if (!self.registration.active) await self.skipWaiting();
}

/** activate drops the other builds' shells and the data no manifest lists any more. */
async function activate() {
  for (const k of await caches.keys()) {
    if (k.startsWith('convplay-shell-') && k !== SHELL) await caches.delete(k);
  }
  const data = await caches.open(DATA);
  for (const req of await data.keys()) {
    const [res, want] = await Promise.all([data.match(req), listedHash(new URL(req.url))]);
    if (!want || res.headers.get(SHA) !== want) await data.delete(req);
  }
  await self.clients.claim();
}

/** answer serves one same-origin GET: see the top of the file. */
async function answer(request, url) {
  const shellURL = request.mode === 'navigate' && (url.pathname === scope.pathname || url.href.split(/[?#]/)[0] === indexURL) ? indexURL : url.href.split('#')[0];
  if (shellHash.has(shellURL)) {
    const hit = await (await caches.open(SHELL)).match(shellURL);
    if (hit) return hit;
    return network(request, OTHER); // not installed yet
  }
  const want = await listedHash(url);
  if (want) {
    const data = await caches.open(DATA);
    const hit = await data.match(url.href);
    if (hit && hit.headers.get(SHA) === want) return hit;
    const res = await network(request, null);
    if (!res.ok) return res;
    const bytes = await res.arrayBuffer();
    const got = await sha256(bytes);
    const out = isolated(res, bytes, got);
    // Another version than the manifest's goes to the page uncached (the engine refuses it).
    if (got === want) await data.put(url.href, out.clone());
    return out;
  }
  return network(request, OTHER);
}

let online = true;

/**
 * network fetches request; a response goes into cacheName (when given and
 * ok). Without a network it answers from any cache, or 504 "Offline".
 */
async function network(request, cacheName) {
  let res;
  try {
    res = await fetch(request);
  } catch (err) {
    setOnline(false);
    const hit = await caches.match(request.url, { ignoreSearch: request.mode === 'navigate' });
    if (hit) return hit;
    return new Response(`offline: ${new URL(request.url).pathname} is not saved on this device`, {
      status: 504,
      statusText: 'Offline',
      headers: isolationHeaders(new Headers({ 'Content-Type': 'text/plain; charset=utf-8' })),
    });
  }
  setOnline(true);
  if (res.type === 'opaque' || res.type === 'opaqueredirect' || res.redirected) return res;
  const bytes = await res.arrayBuffer();
  const out = isolated(res, bytes, null);
  if (cacheName && res.ok) await (await caches.open(cacheName)).put(request.url, out.clone());
  return out;
}

/** setOnline tells the pages when the network stops or starts answering. */
async function setOnline(now) {
  if (now === online) return;
  online = now;
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ event: 'network', online });
}

const manifests = new Map(); // manifest URL -> Promise<Map(file URL -> sha256)>, with .needed


/**
 * listedHash is the SHA-256 this build's manifest of url's folder lists
 * for url (any object in the manifest with a name and a sha256), or null
 * when that folder has no manifest in the shell.
 */
async function listedHash(url) {
  const manifestURL = new URL('manifest.json', url).href;
  if (!shellHash.has(manifestURL) || manifestURL === url.href.split(/[?#]/)[0]) return null;
  if (!manifests.has(manifestURL)) {
    manifests.set(manifestURL, (async () => {
      const hashes = new Map();
      const res = await (await caches.open(SHELL)).match(manifestURL);
      if (!res) {
        manifests.delete(manifestURL); // not installed yet: ask again later
        return hashes;
      }
      const walk = (v) => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          if (typeof v.name === 'string' && typeof v.sha256 === 'string') hashes.set(new URL(v.name, manifestURL).href, v.sha256.toLowerCase());
          Object.values(v).forEach(walk);
        }
      };
      const manifest = await res.json();
      walk(manifest);
      // The files the page streams into the engine: the manifest's list
      // (the preview picture and the like are cached if fetched, not needed).
      const list = Array.isArray(manifest.files) ? manifest.files.filter((f) => f && typeof f.name === 'string') : [];
      hashes.needed = list.length ? list.map((f) => new URL(f.name, manifestURL).href) : [...hashes.keys()];
      return hashes;
    })());
  }
  return (await manifests.get(manifestURL)).get(url.href.split(/[?#]/)[0]) || null;
}

/** status says what this worker keeps: per data folder, its files and how many are cached. */
async function status() {
  const data = await caches.open(DATA);
  const datasets = [];
  for (const url of shellHash.keys()) {
    if (!url.endsWith('/manifest.json') || !url.startsWith(new URL('data/', scope).href)) continue;
    await listedHash(new URL('x', url)); // loads the manifest
    const hashes = manifests.has(url) ? await manifests.get(url) : new Map();
    let cached = 0;
    let bytes = 0;
    const needed = hashes.needed || [];
    for (const file of needed) {
      const want = hashes.get(file);
      const hit = await data.match(file);
      if (hit && hit.headers.get(SHA) === want) {
        cached++;
        bytes += Number(hit.headers.get('Content-Length')) || 0;
      }
    }
    datasets.push({ dir: url.slice(scope.href.length, -'manifest.json'.length), files: needed.length, cached, bytes });
  }
  return { build: BUILD.id, shellBytes: BUILD.bytes, online, datasets };
}

async function onMessage(event) {
  const msg = event.data || {};
  const port = event.ports[0];
  if (msg.op === 'activate') {
    // Taking over moves every open page of the site to this build: only
    // when the asking page is the one open, else after the others close.
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const taking = windows.length <= 1;
    if (port) port.postMessage({ taking });
    if (taking) await self.skipWaiting();
    return;
  }
  if (msg.op === 'keep' && Array.isArray(msg.urls)) {
    await Promise.all(msg.urls.map((u) => keep(String(u)).catch(() => {})));
  }
  if (port && (msg.op === 'status' || msg.op === 'keep')) port.postMessage(await status());
}

/** keep caches a data file the page fetched before this worker controlled it. */
async function keep(href) {
  const url = new URL(href, scope);
  if (url.origin !== scope.origin) return;
  const want = await listedHash(url);
  if (!want) return;
  const data = await caches.open(DATA);
  const hit = await data.match(url.href);
  if (hit && hit.headers.get(SHA) === want) return;
  // force-cache: the copy the HTTP cache has from the page's own fetch, if any.
  const res = await fetch(url.href, { cache: 'force-cache' });
  if (!res.ok) return;
  const bytes = await res.arrayBuffer();
  const got = await sha256(bytes);
  if (got === want) await data.put(url.href, isolated(res, bytes, got));
}

/** isolated is res's body (bytes, decoded) with the isolation headers and, when known, its SHA-256. */
function isolated(res, bytes, sum) {
  const headers = isolationHeaders(new Headers(res.headers));
  // The body is decoded: the wire's encoding and length no longer describe it.
  headers.delete('Content-Encoding');
  headers.set('Content-Length', String(bytes.byteLength));
  if (sum) headers.set(SHA, sum);
  return new Response(bytes, { status: res.status, statusText: res.statusText, headers });
}

function isolationHeaders(headers) {
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  return headers;
}

async function sha256(bytes) {
  const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(sum, (b) => b.toString(16).padStart(2, '0')).join('');
}
