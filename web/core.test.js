// Unit tests of core.js's recovery, run by `make test-js`: a fake engine
// (a port that answers the requests the core sends) stands in for the
// worker, and a fake fetch for the pretrained model and the data, so no
// browser and no timer is involved.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createCore } from './core.js';
import { setLang } from './i18n.js';

/** FakeEngine answers requests as the Go engine would, enough for the core. */
class FakeEngine {
  constructor() {
    this.listeners = {};
    this.requests = []; // [type, args]
    this.terminated = false;
  }
  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }
  send(msg) {
    for (const fn of this.listeners.message || []) fn({ data: msg });
  }
  postMessage(msg) {
    this.requests.push([msg.type, msg]);
    const result = {
      loadWeights: { layers: [], totalParams: 1 },
      buildModel: { layers: [], totalParams: 2 },
      exportWeights: { bytes: new Uint8Array([7, 7]), format: 'cpw' },
    }[msg.type];
    if (result) queueMicrotask(() => this.send({ id: msg.id, ok: true, result }));
  }
  terminate() {
    this.terminated = true;
  }
}

/** settle lets the core's promise chains run to their end. */
async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

// setup starts a core on fake engines (a new one for each restart) whose
// data set is missing (its manifest answers 404: the data are not what
// these tests are about).
async function setup() {
  const engines = [];
  const params = new Map();
  const ctx = createCore({
    makeWorker: () => engines[engines.push(new FakeEngine()) - 1],
    fetch: async (path) => ({ ok: path.startsWith('pretrained/'), status: 404, arrayBuffer: async () => new ArrayBuffer(4) }),
    url: { get: (k) => params.get(k) ?? null, set: (k, v) => params.set(k, v) },
    clientOptions: { timers: { setTimeout: () => 0, clearTimeout: () => {} } }, // no deadline fires here
    timers: { setTimeout: () => 0 },
  });
  const seen = [];
  for (const name of ['done', 'training', 'error']) ctx.on(name, (ev) => seen.push([name, ev]));
  ctx.start('fashion');
  engines[0].send({ event: 'ready', version: {} });
  await settle();
  return { ctx, engines, seen };
}

test('a training that fails gives the engine the last good model back', async () => {
  setLang('en');
  const { ctx, engines, seen } = await setup();
  const engine = engines[0];
  assert.equal(ctx.state.modelSource.kind, 'pretrained');
  // A fresh model, kept as .cpw when it is set, then a training.
  const model = await ctx.request('buildModel', { preset: 'small' });
  ctx.setModel(model, { kind: 'preset', label: 'a fresh small model' });
  await settle();
  ctx.emit('training', true);
  engine.requests.length = 0;
  engine.send({ event: 'done', reason: 'error', error: 'worker: helper worker 2 of 3 stopped answering (silent for 2s: its worker was closed or killed)' });
  await settle();
  const done = seen.find(([name]) => name === 'done')[1];
  assert.equal(done.error, 'helper worker 2 of 3 stopped (closed, killed for want of memory, or its engine failed)', 'said in the page’s words');
  assert.equal(ctx.state.training, false);
  const [type, args] = engine.requests[0];
  assert.equal(type, 'loadWeights');
  assert.deepEqual([...args.bytes], [7, 7], 'the kept model');
  assert.equal(ctx.state.modelSource.kind, 'restored');
  assert.equal(ctx.sourceText(ctx.state.modelSource), 'restored after the training failed: a fresh small model');
  setLang('zh');
  assert.match(ctx.errorText('worker: helper worker 1 of 1 did not answer in 1m0s'), /辅助 worker（第 1 个，共 1 个）停止了/);
  setLang('en');
});

test('a crash mid-training ends the run, forgets the data, and a new engine gets the model back; a silent one is said in the page’s words', async () => {
  setLang('en');
  const { ctx, engines, seen } = await setup();
  ctx.setModel({ layers: [] }, { kind: 'trained', label: 'my model' });
  await settle();
  ctx.state.dataset.available = { train: 60000 };
  ctx.state.dataset.complete = true;
  ctx.emit('training', true);
  engines[0].send({ event: 'fatal', error: 'x' });
  await settle();
  assert.equal(engines.length, 2, 'a new engine');
  assert.equal(engines[0].terminated, true);
  const done = seen.filter(([name]) => name === 'done');
  assert.equal(done.length, 1);
  assert.equal(done[0][1].reason, 'error');
  assert.equal(ctx.state.dataset.complete, false, 'the data went with the worker');
  assert.equal(ctx.state.dataset.available, null);
  assert.deepEqual(ctx.state.crash, { reason: 'x', kind: 'fatal' });
  assert.equal(ctx.crashText(), 'x');
  ctx.state.crash = { reason: 'no sign of life for 4 s', kind: 'silent' }; // as client.js reports a silence
  assert.equal(ctx.crashText(), 'its worker stopped without a word (closed, or killed for want of memory)');
  setLang('zh');
  assert.match(ctx.crashText(), /一声不响/);
  setLang('en');

  engines[1].send({ event: 'ready', version: {} });
  await settle();
  assert.deepEqual(engines[1].requests[0][0], 'loadWeights', 'the kept model first');
  assert.equal(ctx.state.modelSource.kind, 'restored');
  assert.equal(ctx.sourceText(ctx.state.modelSource), 'restored after the engine restarted: my model');
  assert.deepEqual(seen.filter(([name]) => name === 'error'), [], 'no error of a ready engine: the crash spoke for itself');
  ctx.emit('training', true);
  assert.equal(ctx.state.crash, null, 'training again clears the crash');
});

test('a view mounted late catches up on the state events it listens to, in order, and on no moment', async () => {
  const { ctx } = await setup();
  ctx.emit('model', { layers: ['m2'] });
  ctx.emit('input', { source: 'example' });
  ctx.emit('prediction', { probs: [1] });
  ctx.emit('epoch', { epoch: 0 }); // a moment: not replayed
  const { ctx: view, catchUp } = ctx.viewContext();
  const seen = [];
  for (const name of ['prediction', 'epoch', 'model', 'lang', 'dataset']) view.on(name, (p) => seen.push([name, p]));
  const off = view.on('input', () => seen.push(['input (left)']));
  off();
  assert.equal(view.state, ctx.state, 'the same state');
  catchUp();
  assert.deepEqual(seen.map(([n]) => n), ['dataset', 'model', 'prediction']);
  assert.deepEqual(seen[1][1], { layers: ['m2'] });
  assert.equal(seen[0][1], ctx.state.dataset);
  ctx.emit('model', { layers: ['m3'] }); // and it listens on from there
  assert.deepEqual(seen.at(-1), ['model', { layers: ['m3'] }]);
});

test('firstShown resolves with the first prediction, or when its path stops', async () => {
  const shown = async (ctx) => Promise.race([ctx.firstShown.then(() => true), new Promise((r) => setImmediate(() => r(false)))]);
  const { ctx } = await setup(); // its data set's manifest is missing: that ends the path
  assert.equal(await shown(ctx), true);
  const fresh = createCore({ makeWorker: () => new FakeEngine(), fetch: async () => ({ ok: false }), url: { get: () => null, set: () => {} }, clientOptions: { timers: { setTimeout: () => 0, clearTimeout: () => {} } } });
  assert.equal(await shown(fresh), false, 'nothing happened yet');
  fresh.emit('prediction', null);
  assert.equal(await shown(fresh), false, 'no prediction is not the first one');
  fresh.emit('prediction', { probs: [1] });
  assert.equal(await shown(fresh), true);

  // A path that hangs without a word: the late views wait at most a while after the engine's ready.
  const timers = [];
  const engines = [];
  const hung = createCore({ makeWorker: () => engines[engines.push(new FakeEngine()) - 1], fetch: () => new Promise(() => {}), url: { get: () => null, set: () => {} }, clientOptions: { timers: { setTimeout: () => 0, clearTimeout: () => {} } }, timers: { setTimeout: (fn, ms) => timers.push([fn, ms]) } });
  hung.start('fashion');
  engines[0].send({ event: 'ready', version: {} });
  await settle();
  assert.equal(await shown(hung), false);
  assert.deepEqual(timers.map(([, ms]) => ms), [5000]);
  timers[0][0]();
  assert.equal(await shown(hung), true);
});

test('the reference model waits for the first prediction: its load would hold that up where it comes at once', async () => {
  const engines = [];
  const ctx = createCore({
    makeWorker: () => engines[engines.push(new FakeEngine()) - 1],
    // The models come at once (a second visit: the service worker has them); the data set's files never.
    fetch: async (path) => (path.startsWith('pretrained/') ? { ok: true, status: 200, arrayBuffer: async () => new ArrayBuffer(4) } : new Promise(() => {})),
    url: { get: () => null, set: () => {} },
    clientOptions: { timers: { setTimeout: () => 0, clearTimeout: () => {} } },
    timers: { setTimeout: () => 0 },
  });
  ctx.start('fashion');
  engines[0].send({ event: 'ready', version: {} });
  await settle();
  const loads = () => engines[0].requests.filter(([type]) => type === 'loadWeights').length;
  assert.equal(loads(), 1, 'the small model only');
  assert.equal(ctx.state.modelSource.preset, 'small');
  ctx.emit('prediction', { probs: [1] });
  await settle();
  assert.equal(loads(), 2);
  assert.equal(ctx.state.modelSource.preset, 'reference');
});

test('the example is standardized right behind the manifest: the engine answers it before any turn of the page', async () => {
  const engines = [];
  const manifest = JSON.stringify({ files: [] });
  const example = JSON.stringify({ split: 'test', index: 2, label: 9, image: btoa('\x00\x80\xff') });
  const files = { 'data/fashion/manifest.json': manifest, 'examples/fashion.json': example };
  const ctx = createCore({
    makeWorker: () => engines[engines.push(new FakeEngine()) - 1],
    fetch: async (path) => (path in files ? { ok: true, status: 200, text: async () => files[path] } : new Promise(() => {})),
    url: { get: () => null, set: () => {} },
    clientOptions: { timers: { setTimeout: () => 0, clearTimeout: () => {} } },
    timers: { setTimeout: () => 0 },
  });
  ctx.start('fashion');
  const engine = engines[0];
  // The engine holds its replies to the manifest and the example until the test lets them go.
  const held = [];
  const post = engine.postMessage.bind(engine);
  engine.postMessage = (msg) => {
    if (msg.type === 'loadDataset' || msg.type === 'standardize') {
      engine.requests.push([msg.type, msg]);
      held.push(msg);
    } else post(msg);
  };
  engine.send({ event: 'ready', version: {} });
  await settle();
  assert.deepEqual(held.map((m) => m.type), ['loadDataset', 'standardize'], 'the example follows the manifest before the manifest is answered');
  assert.deepEqual([...held[1].image], [0, 128, 255]);
  const got = ctx.example();
  for (const m of held) {
    const result = m.type === 'loadDataset' ? { name: 'fashion', files: [], classes: [], counts: {} } : { pixels: new Float32Array([-1, 0, 1]) };
    engine.send({ id: m.id, ok: true, result });
  }
  const e = await got;
  assert.deepEqual([e.index, e.label, [...e.image], [...e.pixels]], [2, 9, [0, 128, 255], [-1, 0, 1]]);
  const again = await ctx.example();
  assert.deepEqual([...again.pixels], [-1, 0, 1]);
  assert.equal(engine.requests.filter(([type]) => type === 'standardize').length, 1, 'asked once per data set and engine');
});
