// convplay worker protocol: the messages between the page (web/protocol.js)
// and the Go engine in the Web Worker (wasm/). Both files open with this
// same table; TestProtocolTablesMatch (wasm/protocol_test.go) fails when
// they differ.
//
// A request is {id, type, ...arguments}. The worker answers every request
// (but debugExit) exactly once, in order of arrival: {id, ok: true, result} or
// {id, ok: false, error: "message"}. Events are {event, ...fields}, sent
// unasked. Float32Arrays cross as typed arrays; results are transferred, not
// copied. Requests sent before `ready` wait in worker.js until Go starts.
//
//	request     arguments                     result
//	ping        -                             "pong"
//	version     -                             {go, module, version, revision, platform}
//	buildModel  {spec} or {preset}, [seed]    {summary, layers: [{name, type, outShape, params}], totalParams}
//	predict     {pixels: Float32Array}        {probs: Float32Array}
//	debugPanic  [message]                     never ok: panics, to test the recovery
//	debugExit   [code]                        never answered: the Go program exits, to test crash handling
//
//	event       fields
//	ready       {version}: the engine is running, as the version result
//	fatal       {error}: sent by worker.js when the Go program fails to load or exits
//
// spec is an nn.ModelSpec ({input, layers}, Keras argument names); preset
// names a built-in spec; seed (default 1) seeds the weights. pixels holds one
// standardized input of the model's input shape (28*28 values, row-major);
// probs holds the model's outputs, one per class.
//
// This module is DOM-free: createClient takes anything with postMessage and
// addEventListener (a Worker, or a fake in tests).

/** Request types, as in the table above. */
export const REQUESTS = ['ping', 'version', 'buildModel', 'predict', 'debugPanic', 'debugExit'];

/** Events the worker sends, as in the table above. */
export const EVENTS = ['ready', 'fatal'];

/** The client's own event: the worker died or stopped answering. */
export const CRASH = 'crash';

/** An error reply from the worker. */
export class WorkerError extends Error {
  constructor(type, message) {
    super(message);
    this.name = 'WorkerError';
    this.type = type; // the request type that failed
  }
}

/**
 * createClient wraps a worker. request(type, args, {transfer, timeoutMs})
 * sends a request, transferring the listed buffers, and returns a promise of
 * its result, rejected with a WorkerError on an error reply. on(event, fn) subscribes to an event and returns the unsubscribe
 * function. ready is a promise of the ready event's version.
 *
 * The client notices a crash: the worker's error event, a fatal event, no
 * ready event within bootTimeoutMs, or a request left without a reply for
 * timeoutMs (the engine hung; a request may allow itself longer). It then
 * rejects every pending request and every later one, and emits 'crash'
 * with {error, reason} (error is "the engine stopped: " + reason); the page
 * may start a new worker and a new client.
 *
 * @param {{postMessage: Function, addEventListener: Function}} port
 * @param {{timeoutMs?: number, bootTimeoutMs?: number, timers?: {setTimeout: Function, clearTimeout: Function}}} [options]
 */
export function createClient(port, { timeoutMs = 60000, bootTimeoutMs = 120000, timers = globalThis } = {}) {
  let nextId = 1; // ids are never reused, so a late reply cannot match a new request
  const pending = new Map(); // id -> {type, resolve, reject, timer}
  const listeners = new Map(); // event name -> Set of functions
  let dead = null; // the crash Error, once crashed

  let readyResolve;
  let readyReject;
  const ready = new Promise((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  ready.catch(() => {}); // a crash before ready is reported through 'crash' too
  const bootTimer = timers.setTimeout(() => crash(`the engine did not start within ${bootTimeoutMs} ms`), bootTimeoutMs);

  function emit(name, data) {
    for (const fn of [...(listeners.get(name) || [])]) fn(data);
  }

  function crash(reason) {
    if (dead) return;
    dead = new Error(`the engine stopped: ${reason}`);
    for (const p of pending.values()) {
      timers.clearTimeout(p.timer);
      p.reject(dead);
    }
    pending.clear();
    timers.clearTimeout(bootTimer);
    readyReject(dead);
    emit(CRASH, { error: dead.message, reason });
  }

  function onMessage(msg) {
    if (dead || !msg || typeof msg !== 'object') return;
    if (typeof msg.event === 'string') {
      if (msg.event === 'ready') {
        timers.clearTimeout(bootTimer);
        readyResolve(msg.version);
      }
      if (msg.event === 'fatal') {
        crash(msg.error);
        return;
      }
      emit(msg.event, msg);
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return; // not ours, or already answered: exactly one reply counts
    pending.delete(msg.id);
    timers.clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new WorkerError(p.type, String(msg.error)));
  }

  port.addEventListener('message', (e) => onMessage(e.data));
  port.addEventListener('error', (e) => {
    if (e && typeof e.preventDefault === 'function') e.preventDefault();
    crash(`worker error: ${(e && e.message) || 'the worker script failed'}`);
  });
  port.addEventListener('messageerror', () => crash('a message could not be decoded'));

  function request(type, args = {}, { transfer = [], timeoutMs: wait = timeoutMs } = {}) {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = timers.setTimeout(() => crash(`no reply to ${type} (request ${id}) within ${wait} ms`), wait);
      pending.set(id, { type, resolve, reject, timer });
      port.postMessage({ ...args, id, type }, transfer);
    });
  }

  function on(name, fn) {
    if (!listeners.has(name)) listeners.set(name, new Set());
    listeners.get(name).add(fn);
    return () => listeners.get(name).delete(fn);
  }

  return {
    request,
    on,
    ready,
    /** The number of requests waiting for a reply. */
    get pending() {
      return pending.size;
    },
    /** The crash Error, or null while the worker is alive. */
    get crashed() {
      return dead;
    },
  };
}
