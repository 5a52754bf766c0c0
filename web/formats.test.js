import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFormatsRelay, needsFormats } from './formats.js';

const npz = () => Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 9]);
const cpw = (n) => Uint8Array.from([0x89, 0x43, 0x50, 0x57, n]);

// fakeWorker is a formats worker: ready after start, answering each op
// with answer(req) (a result, or an Error for an error reply).
function fakeWorker(answer, { fail } = {}) {
  const w = { posted: [], terminated: false, onmessage: null, onerror: null };
  w.postMessage = (m) => {
    w.posted.push(m);
    const r = answer(m);
    queueMicrotask(() => w.onmessage({ data: r instanceof Error ? { id: m.id, ok: false, error: r.message } : { id: m.id, ok: true, result: r } }));
  };
  w.terminate = () => { w.terminated = true; };
  queueMicrotask(() => (fail ? w.onmessage({ data: { event: 'fatal', error: fail } }) : w.onmessage({ data: { event: 'ready' } })));
  return w;
}

// setup is a relay whose engine answers exportWeights cpw with cpw(1) at once.
function setup(answer, opts) {
  const toEngine = [];
  const toPage = [];
  const spawned = [];
  let relay;
  relay = createFormatsRelay({
    toEngine: (m) => {
      toEngine.push(m);
      if (String(m.id).startsWith('formats-')) relay.intercept({ id: m.id, ok: true, result: { bytes: cpw(1), format: 'cpw' } });
    },
    toPage: (m) => toPage.push(m),
    spawn: () => {
      const w = fakeWorker(answer, typeof opts === 'function' ? opts(spawned.length) : opts);
      spawned.push(w);
      return w;
    },
  });
  return { relay, toEngine, toPage, spawned };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

test('needsFormats picks Keras files, .npz loads and npz/keras exports only', () => {
  assert.equal(needsFormats({ type: 'loadKeras', bytes: new Uint8Array(3) }), true);
  assert.equal(needsFormats({ type: 'kerasAccuracy', bytes: new Uint8Array(3), input: 'unit' }), true);
  assert.equal(needsFormats({ type: 'loadWeights', bytes: npz() }), true);
  assert.equal(needsFormats({ type: 'loadWeights', bytes: npz(), build: true }), false, 'the engine refuses it itself');
  assert.equal(needsFormats({ type: 'loadWeights', bytes: cpw(0) }), false);
  assert.equal(needsFormats({ type: 'exportWeights', format: 'keras' }), true);
  assert.equal(needsFormats({ type: 'exportWeights', format: 'npz' }), true);
  assert.equal(needsFormats({ type: 'exportWeights' }), false);
  assert.equal(needsFormats({ type: 'predict' }), false);
  assert.equal(needsFormats(null), false);
});

test('no formats worker starts until a request needs it', () => {
  const { relay, toEngine, spawned } = setup(() => ({}));
  relay.deliver({ id: 1, type: 'predict' });
  relay.deliver({ id: 2, type: 'exportWeights', format: 'cpw' });
  assert.equal(spawned.length, 0);
  assert.deepEqual(toEngine.map((m) => m.id), [1, 2]);
});

test('a Keras file reaches the engine converted, and later requests wait their turn', async () => {
  const model = cpw(7);
  const keras = { format: 'Keras 2 .h5', kerasVersion: '2.13.1', logits: false, scalingKnown: false, skipped: [] };
  const { relay, toEngine, spawned } = setup((m) => (m.type === 'readKeras' ? { model, keras } : new Error('?')));
  relay.deliver({ id: 1, type: 'loadKeras', bytes: new Uint8Array([1, 2]), input: 'unit' });
  relay.deliver({ id: 2, type: 'predict' });
  assert.deepEqual(toEngine, [], 'held while converting');
  await settle();
  assert.equal(spawned.length, 1);
  assert.equal(spawned[0].posted[0].type, 'readKeras');
  assert.deepEqual(toEngine, [{ id: 1, type: 'loadKeras', input: 'unit', model, keras }, { id: 2, type: 'predict' }]);
  relay.deliver({ id: 3, type: 'kerasAccuracy', bytes: new Uint8Array([1]), input: 'raw' });
  await settle();
  assert.equal(spawned.length, 1, 'the worker stays for the next file');
  assert.equal(toEngine[2].model, model);
});

test('an .npz loads as the engine model\'s .cpw with its weights; downloads convert the .cpw', async () => {
  const { relay, toEngine, toPage, spawned } = setup((m) => {
    if (m.type === 'readNPZ') return { model: cpw(9) };
    if (m.type === 'writeNPZ') return { bytes: npz() };
    return { bytes: Uint8Array.from([0x50, 0x4b, 1]) };
  });
  relay.deliver({ id: 1, type: 'loadWeights', bytes: npz() });
  await settle();
  assert.equal(toEngine[0].type, 'exportWeights');
  assert.deepEqual(spawned[0].posted[0].model, cpw(1), 'the engine\'s model');
  assert.deepEqual(toEngine[1], { id: 1, type: 'loadWeights', bytes: cpw(9) });
  relay.deliver({ id: 2, type: 'exportWeights', format: 'keras' });
  await settle();
  assert.deepEqual(toPage, [{ id: 2, ok: true, result: { bytes: Uint8Array.from([0x50, 0x4b, 1]), format: 'keras', filename: 'convplay-model.keras' } }]);
  assert.equal(spawned[0].posted[1].type, 'writeKeras');
});

test('a conversion error is that request\'s reply; nothing reaches the engine', async () => {
  const { relay, toEngine, toPage } = setup(() => new Error('keras: layer "lambda" (Lambda) is not supported'));
  relay.deliver({ id: 5, type: 'loadKeras', bytes: new Uint8Array(1) });
  relay.deliver({ id: 6, type: 'ping' });
  await settle();
  assert.deepEqual(toPage, [{ id: 5, ok: false, error: 'keras: layer "lambda" (Lambda) is not supported' }]);
  assert.deepEqual(toEngine, [{ id: 6, type: 'ping' }]);
});

test('a formats module that cannot start is a one-line error, and the next request tries again', async () => {
  const { relay, toEngine, toPage, spawned } = setup(() => ({ model: cpw(2), keras: {} }), (n) => (n === 0 ? { fail: 'convplay-formats.wasm: HTTP 404' } : {}));
  relay.deliver({ id: 1, type: 'loadKeras', bytes: new Uint8Array(1) });
  relay.deliver({ id: 2, type: 'predict' });
  await settle();
  assert.equal(toPage.length, 1);
  assert.equal(toPage[0].ok, false);
  assert.match(toPage[0].error, /^the converter for Keras and \.npz files \(convplay-formats\.wasm\) did not start: convplay-formats\.wasm: HTTP 404$/);
  assert.equal(spawned[0].terminated, true);
  assert.deepEqual(toEngine, [{ id: 2, type: 'predict' }], 'the requests behind it go on');
  relay.deliver({ id: 3, type: 'loadKeras', bytes: new Uint8Array(1) });
  await settle();
  assert.equal(spawned.length, 2);
  assert.equal(toEngine[1].id, 3);
});

test('a worker that cannot even be created is an error, and the next request tries again', async () => {
  let tries = 0;
  const toPage = [];
  const relay = createFormatsRelay({
    toEngine: () => {},
    toPage: (m) => toPage.push(m),
    spawn: () => {
      tries++;
      throw new Error('workers are not allowed here');
    },
  });
  relay.deliver({ id: 1, type: 'loadKeras', bytes: new Uint8Array(1) });
  await settle();
  relay.deliver({ id: 2, type: 'kerasAccuracy', bytes: new Uint8Array(1), input: 'unit' });
  await settle();
  assert.equal(tries, 2);
  assert.deepEqual(toPage.map((m) => [m.id, m.ok]), [[1, false], [2, false]]);
  assert.match(toPage[0].error, /did not start: workers are not allowed here$/);
});
