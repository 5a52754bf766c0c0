// Unit tests of worker.js, run by `make test-js`: startWorker runs on a
// fake global scope whose fetch, WebAssembly, Go, Worker and timers are
// fakes, so its boot, relay, heartbeat, helper channel and transfer logic
// is tested without a browser.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startWorker } from './worker.js';
import { GLOBALS, HELPER_MESSAGES, HELPER_STATE, HEARTBEAT_MS, LOCK_PREFIX, SLOT, SLOT_INTS, WORKER_OPTIONS, FORMATS_URL, FORMATS_WORKER } from './protocol.js';

/**
 * load runs worker.js on a fake scope. streaming is what
 * instantiateStreaming does: 'ok', or 'TypeError' or 'Error' to throw one;
 * responses are the fetch results in order; exitCode, when set, makes the
 * Go program exit with it; extra adds globals. Messages are posted as plain
 * JSON copies, transfer lists as they are; intervals are recorded, not run.
 */
function load({ streaming = 'ok', responses = [{ ok: true }], exitCode, extra = {}, url = 'convplay.wasm' } = {}) {
  const posted = []; // [msg, transfer]
  const calls = { fetch: 0, instantiate: 0, intervals: [], closed: 0 };
  const g = {
    postMessage: (msg, transfer) => posted.push([JSON.parse(JSON.stringify(msg)), transfer && [...transfer]]),
    setInterval: (fn, ms) => calls.intervals.push({ fn, ms }) && calls.intervals.length,
    clearInterval: (id) => (calls.intervals[id - 1].cleared = true),
    close: () => calls.closed++,
    fetch: async (got) => {
      assert.equal(got, url);
      const r = responses[Math.min(calls.fetch++, responses.length - 1)];
      return { ok: r.ok, status: r.status ?? 200, arrayBuffer: async () => new ArrayBuffer(8) };
    },
    WebAssembly: {
      instantiateStreaming: async (resp) => {
        await resp;
        if (streaming !== 'ok') throw new globalThis[streaming]('streaming failed: Incorrect response MIME type');
        return { instance: { streamed: true, exports: { mem: { name: 'the engine memory' } } } };
      },
      instantiate: async (bytes) => {
        calls.instantiate++;
        assert.ok(bytes instanceof ArrayBuffer);
        return { instance: { streamed: false, exports: { mem: { name: 'the engine memory' } } } };
      },
    },
    Go: class {
      constructor() {
        this.importObject = {};
        this.exit = () => {};
      }
      run(instance) {
        calls.instance = instance;
        calls.memoryAtRun = g.convplayMemory;
        if (exitCode === undefined) return new Promise(() => {}); // runs forever
        this.exit(exitCode);
        return Promise.resolve();
      }
    },
  };
  Object.assign(g, extra);
  startWorker(g);
  return { g, posted, calls };
}

/** settle lets the worker's promise chains run to their end. */
async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

test('boots with streaming instantiation', async () => {
  const { posted, calls } = load();
  await settle();
  assert.equal(typeof globalThis.Go, 'function', 'worker.js imports Go\'s loader statically');
  assert.equal(calls.fetch, 1);
  assert.equal(calls.instance.streamed, true);
  // The engine finds its own memory before it starts, to link its SIMD kernels.
  assert.equal(calls.memoryAtRun, calls.instance.exports.mem);
  assert.deepEqual(posted, []);
});

test('a leader given its engine waits for the page\'s bytes, fetches nothing, and compiles them', async () => {
  const instantiated = [];
  const wasm = {
    instantiateStreaming: async () => assert.fail('no fetch: the page downloaded the engine'),
    instantiate: async (bytes, imports) => {
      instantiated.push(bytes.byteLength);
      assert.ok(imports);
      return { module: 'the module', instance: { exports: { mem: { name: 'the engine memory' } } } };
    },
  };
  const { g, posted, calls } = load({ extra: { name: 'convplay-leader', WebAssembly: wasm } });
  await settle();
  assert.equal(calls.instance, undefined, 'nothing runs before the bytes come');
  g.onmessage({ data: { engineBoot: { bytes: new ArrayBuffer(16) } } });
  await settle();
  assert.deepEqual(instantiated, [16]);
  assert.equal(calls.fetch, 0);
  assert.equal(calls.memoryAtRun.name, 'the engine memory');
  assert.deepEqual(posted, []);

  const failed = load({ extra: { name: 'convplay-leader' } });
  failed.g.onmessage({ data: { engineBoot: { error: 'convplay.wasm: HTTP 404 (run make wasm)' } } });
  await settle();
  assert.deepEqual(failed.posted.map(([m]) => m), [{ event: 'fatal', error: 'the engine failed to start: convplay.wasm: HTTP 404 (run make wasm)' }]);
  assert.equal(failed.calls.fetch, 0);
});

test('falls back to bytes when the host sends the wrong MIME type', async () => {
  const { posted, calls } = load({ streaming: 'TypeError' });
  await settle();
  assert.equal(calls.fetch, 2);
  assert.equal(calls.instantiate, 1);
  assert.equal(calls.instance.streamed, false);
  assert.deepEqual(posted, []);
});

test('a missing convplay.wasm is a fatal event', async () => {
  const { posted } = load({
    streaming: 'TypeError',
    responses: [{ ok: false, status: 404 }],
  });
  await settle();
  assert.deepEqual(posted, [
    [{ event: 'fatal', error: 'the engine failed to start: convplay.wasm: HTTP 404 (run make wasm)' }, undefined],
  ]);
});

test('another instantiation error is fatal without a second fetch', async () => {
  const { posted, calls } = load({ streaming: 'Error' });
  await settle();
  assert.equal(calls.fetch, 1);
  assert.equal(posted[0][0].event, 'fatal');
  assert.equal(posted[0][0].error, 'the engine failed to start: streaming failed: Incorrect response MIME type');
});

test('the Go program exiting is a fatal event with its code', async () => {
  const { posted } = load({ exitCode: 2 });
  await settle();
  assert.deepEqual(posted, [[{ event: 'fatal', error: 'the engine exited (code 2)' }, undefined]]);
});

test('requests before Go attaches wait, in order; later ones go straight through', () => {
  const { g } = load();
  g.onmessage({ data: { id: 1, type: 'ping' } });
  g.onmessage({ data: { id: 2, type: 'version' } });
  const seen = [];
  g.convplayAttach((msg) => seen.push(msg.id));
  assert.deepEqual(seen, [1, 2]);
  g.onmessage({ data: { id: 3, type: 'ping' } });
  assert.deepEqual(seen, [1, 2, 3]);
});

test('typed arrays in a reply are transferred, each buffer once', () => {
  const { g, posted } = load();
  const probs = new Float32Array(10);
  const trace = [new Float32Array(4), new Uint8Array(probs.buffer, 0, 4)]; // shares probs' buffer
  const deep = { layers: [{ name: 'conv2d', output: new Float32Array(1) }] };
  g.convplayPost({ id: 1, ok: true, result: { probs, trace, deep } });
  assert.deepEqual(posted[0][1], [probs.buffer, trace[0].buffer, deep.layers[0].output.buffer]);
  g.convplayPost({ id: 2, ok: true, result: 'pong' });
  assert.deepEqual(posted[1][1], []);
  g.convplayPost({ event: 'ready', version: { go: 'go1.26.8' } });
  assert.deepEqual(posted[2][1], []);
});

test('the leader starts helpers, parks them after a training, reuses them, and replaces one that died', (t) => {
  const workers = [];
  class FakeWorker {
    constructor(url, opts) {
      assert.equal(opts.type, WORKER_OPTIONS.type, 'helpers are module workers too');
      Object.assign(this, { url, name: opts.name, sent: [], terminated: false });
      workers.push(this);
    }
    postMessage(m) {
      const [kind] = Object.keys(m);
      this.sent.push(kind === 'helperInit' ? `helperInit:${m.helperInit.slot}` : kind);
    }
    terminate() {
      this.terminated = true;
    }
  }
  const errors = [];
  const { g } = load({ extra: { Worker: FakeWorker, location: { href: 'http://x/worker.js?v=1' } } });
  t.mock.method(console, 'error', (m) => errors.push(m));
  // The team's shared buffer: 3 workers' ctrl slots.
  const team = () => {
    const sab = new SharedArrayBuffer(3 * SLOT_INTS * 4);
    return { init: { sab, layout: JSON.stringify({ workers: 3, ctrl: 0 }), spec: '{}' }, ctrl: new Int32Array(sab) };
  };
  const state = (tm, slot) => tm.ctrl[slot * SLOT_INTS + SLOT.state];

  const t1 = team();
  g.convplayHelpers(2, t1.init);
  assert.deepEqual(workers.map((w) => [w.url, w.name, w.sent]), [
    ['http://x/worker.js', 'convplay-helper-1', ['helperBoot', 'helperInit:1']],
    ['http://x/worker.js', 'convplay-helper-2', ['helperBoot', 'helperInit:2']],
  ]);

  g.convplayHelpers(0, null); // the training ended: parked, not stopped
  assert.deepEqual(workers.map((w) => [w.sent.at(-1), w.terminated]), [['helperPark', false], ['helperPark', false]]);

  const t2 = team();
  g.convplayHelpers(2, t2.init); // the next training reuses them
  assert.equal(workers.length, 2);
  assert.deepEqual(workers.map((w) => w.sent.at(-1)), ['helperInit:1', 'helperInit:2']);

  // Helper 1's engine exits: its slot says so, for the leader's Go program.
  workers[0].onmessage({ data: { event: 'fatal', error: 'the engine exited (code 7)' } });
  assert.equal(state(t2, 1), HELPER_STATE.dead, 'helper 1 marked dead');
  assert.equal(state(t2, 2), HELPER_STATE.booting, 'helper 2 untouched');
  assert.deepEqual(errors, ['convplay helper 1: the engine exited (code 7)']);

  const t3 = team();
  g.convplayHelpers(1, t3.init); // the dead one goes; the live one serves slot 1
  assert.equal(workers[0].terminated, true);
  assert.equal(workers.length, 2);
  assert.equal(workers[1].sent.at(-1), 'helperInit:1');

  const t4 = team();
  g.convplayHelpers(2, t4.init); // one more is started for slot 2
  assert.equal(workers.length, 3);
  assert.deepEqual([workers[2].name, workers[2].sent], ['convplay-helper-2', ['helperBoot', 'helperInit:2']]);
  workers[1].onerror({ message: 'out of memory' });
  assert.equal(state(t4, 1), HELPER_STATE.dead, 'the helper serving slot 1 marked dead in the current team');

  // The Go program marks helper 2 dead (it went silent, without an error):
  // the next training replaces it as well.
  t4.ctrl[2 * SLOT_INTS + SLOT.state] = HELPER_STATE.dead;
  const t5 = team();
  g.convplayHelpers(2, t5.init);
  assert.equal(workers[2].terminated, true, 'the silent helper is let go');
  assert.equal(workers.length, 5);
  assert.deepEqual(workers.slice(3).map((w) => [w.name, w.sent]), [
    ['convplay-helper-1', ['helperBoot', 'helperInit:1']],
    ['convplay-helper-2', ['helperBoot', 'helperInit:2']],
  ]);
});

test('debugExit with a helper goes to that helper, not to this engine', () => {
  const workers = [];
  class FakeWorker {
    constructor() {
      this.sent = [];
      workers.push(this);
    }
    postMessage(m) {
      this.sent.push(m);
    }
    terminate() {}
  }
  const { g } = load({ extra: { Worker: FakeWorker } });
  const seen = [];
  g.convplayAttach((msg) => seen.push(msg.type));
  const sab = new SharedArrayBuffer(2 * SLOT_INTS * 4);
  g.convplayHelpers(1, { sab, layout: JSON.stringify({ workers: 2, ctrl: 0 }), spec: '{}' });
  g.onmessage({ data: { id: 5, type: 'debugExit', helper: 1, code: 7 } });
  assert.deepEqual(JSON.parse(JSON.stringify(workers[0].sent.at(-1))), { id: 5, type: 'debugExit', code: 7 });
  assert.deepEqual(seen, []);
});

test('the worker sets the globals the table says it sets', async () => {
  const { g } = load();
  await settle(); // convplayMemory is set at boot
  const set = Object.keys(g).filter((k) => k.startsWith('convplay'));
  assert.deepEqual(set.sort(), [...GLOBALS['worker.js']].sort());
});

test('the leader posts alive every HEARTBEAT_MS once Go runs, and stops when it exits', async () => {
  const { g, posted, calls } = load({ exitCode: 3 });
  assert.deepEqual(calls.intervals, [], 'no heartbeat before the Go program attaches');
  g.convplayAttach(() => {});
  assert.deepEqual(calls.intervals.map((i) => i.ms), [HEARTBEAT_MS]);
  calls.intervals[0].fn();
  assert.deepEqual(posted.at(-1), [{ event: 'alive', lock: null }, undefined], 'no lock manager here: no lock');
  await settle(); // the Go program exits
  assert.equal(posted.at(-1)[0].event, 'fatal');
  assert.equal(calls.intervals[0].cleared, true);

  const helper = load({ extra: { name: 'convplay-helper-1' } });
  helper.g.convplayAttach(() => {});
  assert.deepEqual(helper.calls.intervals, [], 'helpers talk through the shared buffer instead');
});

test('the leader holds a Web Lock of its own while it lives, and names it in its alive events', async () => {
  const requested = [];
  const navigator = {
    locks: {
      request(name, fn) {
        requested.push(name);
        const held = fn({ name, mode: 'exclusive' });
        assert.ok(held instanceof Promise, 'held while the promise is pending');
        return held;
      },
    },
  };
  const { g, posted, calls } = load({ extra: { navigator } });
  const other = load({ extra: { navigator } });
  assert.equal(requested.length, 2, 'at start, before the engine boots');
  assert.match(requested[0], new RegExp(`^${LOCK_PREFIX}`));
  assert.notEqual(requested[0], requested[1], 'each worker its own, so a dead one frees its own');
  g.convplayAttach(() => {});
  calls.intervals[0].fn();
  assert.deepEqual(posted.at(-1), [{ event: 'alive', lock: requested[0] }, undefined]);
  other.g.convplayAttach(() => {});
  other.calls.intervals[0].fn();
  assert.equal(other.posted.at(-1)[0].lock, requested[1]);

  load({ extra: { navigator, name: 'convplay-helper-1' } });
  assert.equal(requested.length, 2, 'helpers take none: their beat is in the shared buffer');
});

test('debugExit with silent closes the worker without a word; with a helper, that helper', () => {
  const workers = [];
  class FakeWorker {
    constructor() {
      this.sent = [];
      workers.push(this);
    }
    postMessage(m) {
      this.sent.push(m);
    }
    terminate() {}
  }
  const { g, posted, calls } = load({ extra: { Worker: FakeWorker } });
  const seen = [];
  g.convplayAttach((msg) => seen.push(msg.type));
  g.convplayHelpers(1, { sab: new SharedArrayBuffer(2 * SLOT_INTS * 4), layout: JSON.stringify({ workers: 2, ctrl: 0 }), spec: '{}' });
  g.onmessage({ data: { id: 6, type: 'debugExit', helper: 1, silent: true } });
  assert.deepEqual(workers[0].sent.at(-1), { id: 6, type: 'debugExit', code: undefined, silent: true });
  assert.equal(calls.closed, 0);
  g.onmessage({ data: { id: 7, type: 'debugExit', silent: true } });
  assert.equal(calls.closed, 1);
  assert.deepEqual(seen, [], 'the Go program never saw either');
  assert.deepEqual(posted, []);

  const helper = load({ extra: { name: 'convplay-helper-1' } });
  helper.g.onmessage({ data: { id: 6, type: 'debugExit', code: undefined, silent: true } });
  assert.equal(helper.calls.closed, 1);
});

test('a helper serves its slot: it bumps its beat while it waits and computes a shard per new command', async () => {
  const { g } = load({ extra: { name: 'convplay-helper-1' } });
  const [BOOT, INIT, PARK] = HELPER_MESSAGES;
  g.onmessage({ data: { [BOOT]: { module: new ArrayBuffer(8) } } });
  await settle();
  let shards = 0;
  const inits = [];
  g.convplayShardInit = (init, slot) => (inits.push(slot), null);
  g.convplayShard = () => shards++;
  g.convplayAttach(() => {});
  const sab = new SharedArrayBuffer(2 * SLOT_INTS * 4);
  const ctrl = new Int32Array(sab);
  ctrl[SLOT_INTS + SLOT.cmd] = 1; // the leader's first command, already sent
  g.onmessage({ data: { [INIT]: { init: { sab, layout: JSON.stringify({ workers: 2, ctrl: 0 }), spec: '{}' }, slot: 1 } } });
  // serveTeam ran one turn (about 50 ms, blocking): the command and a wait that timed out.
  assert.deepEqual(inits, [1]);
  assert.equal(shards, 1);
  assert.ok(ctrl[SLOT_INTS + SLOT.beat] >= 2, `beat ${ctrl[SLOT_INTS + SLOT.beat]}`);
  assert.equal(ctrl[SLOT.beat], 0, 'slot 0 untouched');
  g.onmessage({ data: { [PARK]: true } }); // ends the loop at its next turn
  await settle();
});

test('a worker named convplay-formats runs the formats module, with no lock and no heartbeat', async () => {
  const navigator = { locks: { request: () => assert.fail('no lock: the page never watches this worker') } };
  const { g, calls } = load({ url: FORMATS_URL, extra: { name: FORMATS_WORKER, navigator } });
  await settle();
  assert.equal(calls.fetch, 1);
  const seen = [];
  g.convplayAttach((msg) => seen.push(msg));
  assert.deepEqual(calls.intervals, []);
  g.onmessage({ data: { id: 1, type: 'readKeras', bytes: new Uint8Array(1) } });
  assert.equal(seen[0].type, 'readKeras', 'straight to its Go program, no relay');
});

test('the leader starts the formats worker only for a file that needs it, and hands the engine the converted model', async () => {
  const started = [];
  class FakeWorker {
    constructor(url, opts) {
      started.push({ url, opts });
      this.posted = [];
      setImmediate(() => this.onmessage({ data: { event: 'ready' } }));
    }
    postMessage(m) {
      this.posted.push(m);
      setImmediate(() => this.onmessage({ data: { id: m.id, ok: true, result: { model: new Uint8Array([7]), keras: { format: 'Keras 2 .h5' } } } }));
    }
  }
  const { g } = load({ extra: { Worker: FakeWorker, location: { href: 'https://example.org/convplay/worker.js?v=1' } } });
  const seen = [];
  g.convplayAttach((msg) => seen.push(msg));
  g.onmessage({ data: { id: 1, type: 'ping' } });
  g.onmessage({ data: { id: 2, type: 'exportWeights', format: 'cpw' } });
  assert.deepEqual(started, [], 'no formats worker for these');
  g.onmessage({ data: { id: 3, type: 'loadKeras', bytes: new Uint8Array([1, 2]) } });
  g.onmessage({ data: { id: 4, type: 'ping' } });
  await settle();
  assert.deepEqual(started, [{ url: 'https://example.org/convplay/worker.js', opts: { ...WORKER_OPTIONS, name: FORMATS_WORKER } }]);
  assert.deepEqual(seen.map((m) => m.id), [1, 2, 3, 4], 'in order');
  assert.deepEqual(seen[2], { id: 3, type: 'loadKeras', model: new Uint8Array([7]), keras: { format: 'Keras 2 .h5' } });
});
