// Unit tests of mount.js (the views' order) and of index.html's
// modulepreload list, which must name exactly the modules on the first
// prediction's path: app.js's static import graph and the FIRST views'.
// The graph is read from the import statements here, so the list cannot
// rot when a module gains or loses an import.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VIEWS, FIRST, viewModule, mountViews } from './mount.js';

const web = path.dirname(fileURLToPath(import.meta.url));
const html = fs.readFileSync(path.join(web, 'index.html'), 'utf8');

// A static import or re-export (import x from, import {a, b as c} from,
// import * as m from, export {x} from, import 'side-effect'); import() is
// dynamic and stays out.
const STATIC_IMPORT = /^[ \t]*(?:import|export)\s+(?:[\w$*{},\s]+?\s+from\s*)?['"]([^'"]+)['"]/gm;

/** staticGraph is the set of modules (paths relative to web/) that entry imports statically, entry included. */
function staticGraph(entry, seen = new Set()) {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const src = fs.readFileSync(path.join(web, entry), 'utf8');
  for (const [, spec] of src.matchAll(STATIC_IMPORT)) {
    assert.ok(spec.startsWith('./') || spec.startsWith('../'), `${entry} imports ${spec}: the page has no bare imports`);
    staticGraph(path.posix.normalize(path.posix.join(path.posix.dirname(entry), spec)), seen);
  }
  return seen;
}

test('the import reader finds each form of static import, and no dynamic one', () => {
  const src = `import a from './a.js';\nimport {\n  b,\n  c as d,\n} from "./b.js";\nimport * as e from './e.js';\nimport './side.js';\nexport { f } from './f.js';\nconst g = await import('./g.js');\n  // import nothing from here\nexport function h() { return 'from ./h.js'; }`;
  assert.deepEqual([...src.matchAll(STATIC_IMPORT)].map((m) => m[1]), ['./a.js', './b.js', './e.js', './side.js', './f.js']);
});

test('index.html preloads exactly the modules of the first prediction', () => {
  const graph = staticGraph('app.js');
  for (const name of FIRST) staticGraph(path.posix.normalize(viewModule(name)), graph);
  const scripts = [...html.matchAll(/<script type="module" src="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(scripts.includes('app.js') && scripts.includes('boot.js'), scripts.join());
  for (const m of scripts) graph.delete(m); // their <script>s ask for them
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
  assert.equal(new Set(preloaded).size, preloaded.length, 'each module once');
  const missing = [...graph].filter((m) => !preloaded.includes(m));
  const extra = preloaded.filter((m) => !graph.has(m));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
  assert.ok(preloaded.length >= 20, `${preloaded.length} modules`);
  assert.ok(html.indexOf('rel="modulepreload"') > html.indexOf('convplay.wasm'), 'the engine is asked for first');
  // The engine's worker starts when boot.js has run: its imports lead the
  // list, so HTTP/1.1's six connections do not serve the lessons' first.
  const boot = staticGraph('boot.js');
  boot.delete('boot.js');
  assert.deepEqual(new Set(preloaded.slice(0, boot.size)), boot, 'boot.js\'s imports first');
});

test('VIEWS names every view section of index.html once, in the order of the page', () => {
  const sections = [...html.matchAll(/<section id="([\w-]+)"/g)].map((m) => m[1]).filter((id) => id !== 'gallery-panel'); // the draw view fills the gallery too
  assert.deepEqual(VIEWS.map(([id]) => id), sections);
  for (const [, name] of VIEWS) assert.ok(fs.existsSync(path.join(web, viewModule(name))), name);
  for (const name of FIRST) assert.ok(VIEWS.some(([, n]) => n === name), name);
});

test('the first views mount first, then, after lateAfter, the others load together and mount one by one in page order, a pause between two', async () => {
  const log = [];
  let release;
  const slowDraw = new Promise((resolve) => (release = resolve));
  let shown;
  const lateAfter = new Promise((resolve) => (shown = resolve));
  const { first, all } = mountViews({
    load: (name) => {
      log.push(`load ${name}`);
      if (name === 'draw') return slowDraw;
      if (name === 'sandbox') return Promise.reject(new Error('no such module'));
      return Promise.resolve({ name });
    },
    mountOne: (id, name, loaded) => log.push(loaded.error ? `failed ${name}: ${loaded.error.message}` : `mount ${loaded.module.name}`),
    pause: async () => log.push('pause'),
    lateAfter,
  });
  let firstDone = false;
  first.then(() => (firstDone = true));
  for (let i = 0; i < 10; i++) await null;
  assert.equal(firstDone, false, 'the first views wait for draw');
  assert.deepEqual(log, ['load draw', 'load prediction', 'mount prediction'], 'no late view is asked for yet');
  release({ name: 'draw' });
  await first;
  for (let i = 0; i < 10; i++) await null;
  assert.deepEqual(log, ['load draw', 'load prediction', 'mount prediction', 'mount draw'], 'the late views wait for lateAfter, their modules too');
  shown();
  await all;
  const late = VIEWS.map(([, n]) => n).filter((n) => !FIRST.includes(n));
  assert.deepEqual(log.slice(0, 4), ['load draw', 'load prediction', 'mount prediction', 'mount draw']);
  assert.deepEqual(log.slice(4, 4 + late.length), late.map((n) => `load ${n}`), 'the late modules are asked for together');
  const mounts = log.slice(4 + late.length);
  assert.deepEqual(mounts, late.flatMap((n) => ['pause', n === 'sandbox' ? 'failed sandbox: no such module' : `mount ${n}`]));
});
