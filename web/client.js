// client.js: the page's side of the engine's worker: createClient sends
// requests and matches their replies, passes events on, and notices a
// worker that crashed, hung or died in silence (liveness.js). The messages
// themselves, with the constants page and worker share, are protocol.js's;
// the worker imports that module and not this one, so it fetches the
// client's code neither.

import { watchLiveness } from './liveness.js';
import { HEARTBEAT_MS, SILENCE_MS } from './protocol.js';

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
 * ready event within bootTimeoutMs, a request left without a reply for
 * timeoutMs (the engine hung; a request may allow itself longer), or, once
 * ready, no message at all (the worker posts alive every HEARTBEAT_MS) for
 * silenceMs: a worker closed or killed (out of memory) without an error
 * event; neither a slow page nor a slow worker is taken for a dead one: the
 * silence watch (liveness.js) asks a silent worker, by a ping and through
 * the lock manager (locks, navigator.locks by default), before it judges
 * (stalls: the silences a held lock explained). On a crash it
 * rejects every pending request and every later one, and emits 'crash'
 * with {error, reason, kind} (error is "the engine stopped: " + reason;
 * kind is error, fatal, boot, timeout, silent or messageerror); the page
 * may start a new worker and a new client.
 *
 * @param {{postMessage: Function, addEventListener: Function}} port
 * @param {{timeoutMs?: number, bootTimeoutMs?: number, silenceMs?: number, timers?: {setTimeout: Function, clearTimeout: Function}, now?: () => number, locks?: {query: Function}}} [options]
 */
export function createClient(port, { timeoutMs = 60000, bootTimeoutMs = 120000, silenceMs = SILENCE_MS, timers = globalThis, now = () => performance.now(), locks = globalThis.navigator && globalThis.navigator.locks } = {}) {
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
  const bootTimer = timers.setTimeout(() => crash(`the engine did not start within ${bootTimeoutMs} ms`, 'boot'), bootTimeoutMs);

  // The silence watch (liveness.js); its ping is not a pending request:
  // its reply only counts as a sign of life.
  const liveness = watchLiveness({
    silenceMs,
    timers,
    now,
    locks,
    ping: () => port.postMessage({ id: nextId++, type: 'ping' }),
    dead: (reason) => crash(reason, 'silent'),
  });

  function emit(name, data) {
    for (const fn of [...(listeners.get(name) || [])]) fn(data);
  }

  function crash(reason, kind) {
    if (dead) return;
    dead = new Error(`the engine stopped: ${reason}`);
    for (const p of pending.values()) {
      timers.clearTimeout(p.timer);
      p.reject(dead);
    }
    pending.clear();
    timers.clearTimeout(bootTimer);
    liveness.stop();
    readyReject(dead);
    emit(CRASH, { error: dead.message, reason, kind });
  }

  function onMessage(msg) {
    if (dead) return;
    liveness.heard(msg); // anything at all is a sign of life
    if (!msg || typeof msg !== 'object') return;
    if (typeof msg.event === 'string') {
      if (msg.event === 'ready' && !liveness.started) {
        timers.clearTimeout(bootTimer);
        readyResolve(msg.version);
        liveness.start();
      }
      if (msg.event === 'fatal') {
        crash(msg.error, 'fatal');
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
    crash(`worker error: ${(e && e.message) || 'the worker script failed'}`, 'error');
  });
  port.addEventListener('messageerror', () => crash('a message could not be decoded', 'messageerror'));

  function request(type, args = {}, { transfer = [], timeoutMs: wait = timeoutMs } = {}) {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = timers.setTimeout(() => crash(`no reply to ${type} (request ${id}) within ${wait} ms`, 'timeout'), wait);
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
    /** How many silences the worker's lock showed to be a busy worker, not a dead one. */
    get stalls() {
      return liveness.stalls;
    },
  };
}
