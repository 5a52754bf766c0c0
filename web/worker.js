// worker.js: the Web Worker that runs convplay's Go engine (convplay.wasm).
//
// A module worker (protocol.js's startWorker: new Worker('worker.js',
// {type: 'module'})). It imports Go's wasm_exec.js, a classic script that
// sets globalThis.Go, for its side effect; boots the Go program; and
// relays messages: the Go program installs its one message handler through
// convplayAttach and posts through convplayPost. Requests that arrive
// before Go has started wait here. While its event loop runs it posts an
// alive event every HEARTBEAT_MS, so the page notices a worker closed or
// killed without an error; it holds a Web Lock while it lives, so the page
// can tell a worker busy with a long task from a dead one. The protocol itself, with this file's helper
// channel, globals and shared-buffer layout, is documented in protocol.js
// and wasm/protocol.go; the constants below come from protocol.js.
//
// The same script also runs as a helper of data-parallel training (its
// name starts with HELPER_PREFIX): the page's worker (the leader) starts
// helpers when the Go program asks (convplayHelpers), hands them its
// compiled engine and the team's SharedArrayBuffer, and each helper's Go
// program computes the gradients of its shard of every batch (see
// wasm/parallel.go for the handshake).
//
// Named FORMATS_WORKER, it runs the formats module instead
// (convplay-formats.wasm: Keras and .npz conversions, started by the leader
// only when a student needs one; formats.js relays the page's requests
// through it).
//
// startWorker takes the worker's global scope, so the tests run it with
// fakes (web/worker.test.js); in a worker it runs on self by itself.

import { HELPER_MESSAGES, HELPER_PREFIX, SLOT, SLOT_INTS, HELPER_STATE, HEARTBEAT_MS, LOCK_PREFIX, WORKER_OPTIONS, ENGINE_BOOT, LEADER_GIVEN_ENGINE, ENGINE_URL, FORMATS_WORKER, FORMATS_URL } from './protocol.js';
import { createFormatsRelay, spawnFormats } from './formats.js';
// Go's loader, for its side effect (globalThis.Go). A static import, so it
// downloads alongside the two above, not after them: the worker's imports
// are a chain of round trips before the engine can start (BENCHMARKS.md).
import './wasm_exec.js';

const [BOOT, INIT, PARK] = HELPER_MESSAGES;

/**
 * startWorker runs the worker on scope (self): its onmessage, its globals
 * for the Go program, and, in the leader, the engine's boot (scope.Go is
 * wasm_exec.js's, imported above).
 */
export function startWorker(scope) {
  const isHelper = typeof scope.name === 'string' && scope.name.startsWith(HELPER_PREFIX);
  const isFormats = scope.name === FORMATS_WORKER; // runs the formats module, not the engine
  const programURL = isFormats ? FORMATS_URL : ENGINE_URL;
  // A leader the page gives its compiled engine (protocol.js's startWorker with an engine) waits for it.
  const givenEngine = !isHelper && scope.name === LEADER_GIVEN_ENGINE;

  let handler = null; // the Go program's handler, once attached
  const early = []; // requests received before it was
  let wasmModule = null; // the compiled engine, handed to helpers
  let engineBytes = null; // the engine the page downloaded (engineBoot), until compiled
  let helperJob = null; // in a helper: {init, slot}, the team it serves, or null when parked
  let heartbeat = null; // the leader's alive timer
  const lock = isHelper || isFormats ? null : holdLock(scope); // the leader's Web Lock, held while this worker lives
  // The leader's relay for Keras and .npz files (formats.js), between the page and the engine.
  const relay = isHelper || isFormats ? null : createFormatsRelay({
    toEngine: (msg) => (handler ? handler(msg) : early.push(msg)),
    toPage: (msg) => scope.postMessage(msg, transferables(msg)),
    spawn: () => spawnFormats(scope),
  });

  scope.onmessage = (e) => {
    const msg = e.data;
    if (msg && msg.type === 'debugExit' && msg.silent && !msg.helper) {
      // A test closes this worker without a word, as an out-of-memory kill would.
      scope.close();
      return;
    }
    if (isHelper && msg && msg[BOOT]) {
      wasmModule = msg[BOOT].module;
      boot().catch((err) => fatal(`the engine failed to start: ${err && err.message ? err.message : err}`));
      return;
    }
    if (givenEngine && msg && msg[ENGINE_BOOT]) {
      const { bytes, error } = msg[ENGINE_BOOT];
      if (error || !bytes) {
        fatal(`the engine failed to start: ${error || 'no engine'}`);
        return;
      }
      engineBytes = bytes;
      boot().catch((err) => fatal(`the engine failed to start: ${err && err.message ? err.message : err}`));
      return;
    }
    if (isHelper && msg && msg[INIT]) {
      helperJob = msg[INIT];
      if (handler) serveTeam(); // else convplayAttach starts it
      return;
    }
    if (isHelper && msg && msg[PARK]) {
      helperJob = null;
      serving++;
      return;
    }
    if (!isHelper && msg && msg.type === 'debugExit' && msg.helper) {
      // A test crashes helper number msg.helper instead of this worker.
      const h = helpers[msg.helper - 1];
      if (h) h.worker.postMessage({ id: msg.id, type: 'debugExit', code: msg.code, silent: msg.silent });
      return;
    }
    if (relay) relay.deliver(msg);
    else if (handler) handler(msg);
    else early.push(msg);
  };

  // Called once by the Go program with its message handler.
  scope.convplayAttach = (fn) => {
    handler = fn;
    if (isHelper && helperJob) serveTeam();
    if (!isHelper && !isFormats && heartbeat === null) heartbeat = scope.setInterval(() => scope.postMessage({ event: 'alive', lock }), HEARTBEAT_MS);
    for (const msg of early.splice(0)) fn(msg);
  };

  // The leader's helpers, [{worker, slot, ctrl, alive}]. They outlive a
  // training (parked between two), so the next one starts at full speed
  // instead of waiting for them to boot; a helper that died is replaced.
  let helpers = [];

  const at = (slot, field) => slot * SLOT_INTS + field;

  // markDead records in the team's shared buffer that helper slot stopped,
  // so the leader's Go program, waiting on it, ends the training with an error.
  function markDead(ctrl, slot) {
    Atomics.store(ctrl, at(slot, SLOT.state), HELPER_STATE.dead);
    Atomics.notify(ctrl, at(slot, SLOT.done));
  }

  function ctrlOf(init) {
    const layout = JSON.parse(init.layout);
    return new Int32Array(init.sab, layout.ctrl, SLOT_INTS * layout.workers);
  }

  function spawnHelper(slot) {
    const url = scope.location ? String(scope.location.href).split('?')[0] : 'worker.js';
    const h = { worker: new scope.Worker(url, { ...WORKER_OPTIONS, name: HELPER_PREFIX + slot }), slot, ctrl: null, alive: true };
    const died = (why) => {
      console.error(`convplay helper ${h.slot}: ${why}`);
      h.alive = false;
      if (h.ctrl) markDead(h.ctrl, h.slot);
    };
    h.worker.onmessage = (e) => {
      if (e.data && e.data.event === 'fatal') died(e.data.error);
    };
    h.worker.onerror = (e) => died(e.message || String(e));
    return h;
  }

  // Called by the leader's Go program: give n helpers the team init ({sab,
  // layout, spec}), starting those missing, or with n = 0 park them all. A
  // helper the Go program marked dead (it went silent) is replaced too.
  scope.convplayHelpers = (n, init) => {
    helpers = helpers.filter((h) => {
      if (h.alive && h.ctrl && Atomics.load(h.ctrl, at(h.slot, SLOT.state)) === HELPER_STATE.dead) h.alive = false;
      if (!h.alive) h.worker.terminate();
      return h.alive;
    });
    for (let i = 0; i < helpers.length; i++) {
      const h = helpers[i];
      if (i < n) continue;
      h.ctrl = null;
      h.worker.postMessage({ [PARK]: true });
    }
    for (let slot = 1; slot <= n; slot++) {
      let h = helpers[slot - 1];
      if (!h) {
        h = spawnHelper(slot);
        helpers.push(h);
        h.worker.postMessage({ [BOOT]: { module: wasmModule } });
      }
      h.slot = slot;
      h.ctrl = ctrlOf(init);
      h.worker.postMessage({ [INIT]: { init, slot } });
    }
  };

  // serveTeam, in a helper, sets up the Go side for the team it was given,
  // then computes a shard each time the leader bumps the slot's command. It
  // blocks in Atomics.wait (a worker may): a futex wakes it at once, where
  // Atomics.waitAsync would queue a task behind whatever else runs. It
  // bumps its beat before every wait, so the leader knows it is alive.
  // Every 50 ms it lets its event loop run once (through a MessageChannel,
  // which is not clamped as nested timers are), for debugExit and the next
  // team.
  let serving = 0; // the team being served; a new one or helperPark ends the loop

  function serveTeam() {
    const { init, slot } = helperJob;
    const gen = ++serving;
    const ctrl = ctrlOf(init);
    const err = scope.convplayShardInit(init, slot);
    if (err) {
      console.error(`convplay helper ${slot}: ${err}`);
      markDead(ctrl, slot);
      return;
    }
    const cmdAt = at(slot, SLOT.cmd);
    const beatAt = at(slot, SLOT.beat);
    let seen = 0;
    const yieldPort = new MessageChannel();
    const serve = () => {
      const until = performance.now() + 50;
      while (handler && gen === serving && performance.now() < until) {
        Atomics.add(ctrl, beatAt, 1);
        if (Atomics.wait(ctrl, cmdAt, seen, Math.max(1, until - performance.now())) === 'timed-out') break;
        seen = Atomics.load(ctrl, cmdAt);
        scope.convplayShard();
      }
      if (handler && gen === serving) yieldPort.port2.postMessage(null);
      else yieldPort.port1.close();
    };
    yieldPort.port1.onmessage = serve;
    serve();
  }

  // Called by the Go program for every reply and event. The buffers of typed
  // arrays in the message are transferred to the page, not copied: Go made
  // them for this message and keeps no reference.
  scope.convplayPost = (msg) => {
    if (relay && relay.intercept(msg)) return; // a reply to the relay's own request
    scope.postMessage(msg, transferables(msg));
  };

  function fatal(error) {
    handler = null;
    if (heartbeat !== null) scope.clearInterval(heartbeat);
    if (isHelper && helperJob) markDead(ctrlOf(helperJob.init), helperJob.slot);
    scope.postMessage({ event: 'fatal', error: String(error) });
  }

  async function instantiate(go) {
    const { WebAssembly } = scope;
    if (wasmModule) return { instance: await WebAssembly.instantiate(wasmModule, go.importObject) };
    if (engineBytes) {
      const r = await WebAssembly.instantiate(engineBytes, go.importObject);
      wasmModule = r.module;
      engineBytes = null;
      return r;
    }
    try {
      const r = await WebAssembly.instantiateStreaming(scope.fetch(programURL), go.importObject);
      wasmModule = r.module;
      return r;
    } catch (err) {
      // A static host that does not send application/wasm makes streaming fail
      // with a TypeError; compile from the bytes instead.
      if (!(err instanceof TypeError)) throw err;
      const resp = await scope.fetch(programURL);
      if (!resp.ok) throw new Error(`${programURL}: HTTP ${resp.status} (run make wasm)`);
      const r = await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject);
      wasmModule = r.module;
      return r;
    }
  }

  async function boot() {
    const go = new scope.Go();
    let code = '?';
    const exit = go.exit;
    go.exit = (c) => {
      code = c;
      exit.call(go, c);
    };
    const { instance } = await instantiate(go);
    // The engine's own WebAssembly memory: it links its SIMD kernels to it
    // (nn/gemm_wasm.go) and reports its size (the progress event's memoryMB).
    scope.convplayMemory = instance.exports.mem;
    await go.run(instance); // resolves only if the Go program exits
    fatal(`the engine exited (code ${code})`);
  }

  // A helper boots when the leader hands it the engine (helperBoot), a
  // leader given its engine when the page does (engineBoot).
  if (!isHelper && !givenEngine) boot().catch((err) => fatal(`the engine failed to start: ${err && err.message ? err.message : err}`));
}

// holdLock takes a Web Lock of a name of its own and holds it while the
// worker lives: the browser releases it when the worker is closed or
// killed, whatever its event loop was doing, so the page can tell a worker
// busy with a long task (its alive events late) from a dead one
// (client.js's createClient asks the lock manager). It returns the name,
// or null where there is no lock manager (an insecure context).
export function holdLock(scope) {
  const locks = scope.navigator && scope.navigator.locks;
  if (!locks || typeof locks.request !== 'function') return null;
  const name = `${LOCK_PREFIX}${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  locks.request(name, () => new Promise(() => {})).catch(() => {});
  return name;
}

// transferables lists the ArrayBuffers of every typed array in a message,
// however deep (a trace holds one per layer), each buffer once.
export function transferables(msg) {
  const buffers = new Set();
  const seen = new Set();
  const visit = (v) => {
    if (ArrayBuffer.isView(v)) buffers.add(v.buffer);
    else if (v && typeof v === 'object' && !seen.has(v)) {
      seen.add(v);
      for (const x of Array.isArray(v) ? v : Object.values(v)) visit(x);
    }
  };
  visit(msg);
  return [...buffers];
}

// In a worker, run; a test imports startWorker and runs it on fakes.
if (typeof WorkerGlobalScope === 'function' && globalThis instanceof WorkerGlobalScope) startWorker(globalThis);
