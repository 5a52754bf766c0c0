// formats.js: the leader worker's relay to the formats module, the second,
// smaller WebAssembly program (convplay-formats.wasm, wasm/formats) that
// converts Keras model files and .npz weights to and from the engine's own
// .cpw bytes. The engine the page loads first carries no Keras, HDF5 or
// zip code (issue 19: the bytes before the first prediction); this module
// is fetched only when a student drops such a file or asks for such a
// download, and runs in a worker of its own (worker.js named
// FORMATS_WORKER: its Go runtime must not touch the engine's memory).
//
// The page's requests stay as the protocol table has them. The relay turns
//   loadKeras, kerasAccuracy {bytes}   into the same request with {model, keras} (readKeras)
//   loadWeights {bytes: .npz}          into loadWeights with the model's .cpw holding them (readNPZ)
//   exportWeights {format: npz|keras}  into exportWeights cpw, converted (writeNPZ, writeKeras)
// and holds the requests that arrive meanwhile, so the engine still sees
// (and answers) them in order. A converter that cannot start (offline
// before it was ever fetched, a failed download) is a one-line error reply
// to that request; the engine and its model are untouched, and the next
// such request tries again.

import { FORMATS_WORKER, WORKER_OPTIONS } from './protocol.js';

const NPZ_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // "PK\x03\x04": every zip, so every .npz

/** needsFormats tells the page's requests the relay converts. */
export function needsFormats(msg) {
  if (!msg || typeof msg !== 'object') return false;
  switch (msg.type) {
    case 'loadKeras':
    case 'kerasAccuracy':
      return msg.bytes !== undefined;
    case 'exportWeights':
      return msg.format === 'npz' || msg.format === 'keras';
    case 'loadWeights':
      return msg.build !== true && isNPZ(msg.bytes);
    default:
      return false;
  }
}

function isNPZ(bytes) {
  const b = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  return b instanceof Uint8Array && NPZ_MAGIC.every((v, i) => b[i] === v);
}

/**
 * createFormatsRelay returns {deliver, intercept}: deliver(msg) takes every
 * request of the page in place of the engine; intercept(reply) is offered
 * each message the engine posts and returns true for the replies to the
 * relay's own requests. toEngine hands a request to the engine, toPage
 * posts a reply to the page (typed arrays transferred), spawn starts the
 * formats worker (new Worker('worker.js', {type: 'module', name: FORMATS_WORKER})).
 */
export function createFormatsRelay({ toEngine, toPage, spawn }) {
  let busy = false;
  const held = [];
  const engineWaits = new Map(); // the relay's own engine requests by id
  let nextOwn = 1;
  let converter = null; // {worker, ready, waits}, once started

  function deliver(msg) {
    if (busy) {
      held.push(msg);
      return;
    }
    if (!needsFormats(msg)) {
      toEngine(msg);
      return;
    }
    busy = true;
    relay(msg)
      .catch((err) => toPage({ id: msg.id, ok: false, error: String(err && err.message ? err.message : err) }))
      .finally(() => {
        busy = false;
        while (!busy && held.length) deliver(held.shift());
      });
  }

  function intercept(reply) {
    if (!reply || !engineWaits.has(reply.id)) return false;
    const resolve = engineWaits.get(reply.id);
    engineWaits.delete(reply.id);
    resolve(reply);
    return true;
  }

  // askEngine sends the engine a request of the relay's own and resolves to its reply.
  function askEngine(req) {
    const id = `formats-${nextOwn++}`;
    return new Promise((resolve) => {
      engineWaits.set(id, resolve);
      toEngine({ ...req, id });
    });
  }

  async function modelCPW() {
    const r = await askEngine({ type: 'exportWeights', format: 'cpw' });
    if (!r.ok) throw new Error(r.error);
    return r.result.bytes;
  }

  async function relay(msg) {
    if (msg.type === 'loadKeras' || msg.type === 'kerasAccuracy') {
      const { model, keras } = await convert({ type: 'readKeras', bytes: msg.bytes });
      const { bytes, ...rest } = msg;
      toEngine({ ...rest, model, keras });
    } else if (msg.type === 'loadWeights') {
      const r = await convert({ type: 'readNPZ', model: await modelCPW(), bytes: msg.bytes });
      toEngine({ ...msg, bytes: r.model });
    } else {
      const format = msg.format;
      const r = await convert({ type: format === 'npz' ? 'writeNPZ' : 'writeKeras', model: await modelCPW() });
      toPage({ id: msg.id, ok: true, result: { bytes: r.bytes, format, filename: `convplay-model.${format}` } });
    }
  }

  // convert sends the formats worker one request, starting it first if
  // needed, and resolves to its result or rejects with its error.
  function convert(req) {
    const c = converter || start();
    return c.ready.then(() => new Promise((resolve, reject) => {
      const id = c.nextId++;
      c.waits.set(id, { resolve, reject });
      c.worker.postMessage({ ...req, id });
    }));
  }

  function start() {
    const c = { worker: null, waits: new Map(), nextId: 1, ready: null };
    converter = c; // before spawn, so a spawn that throws leaves none behind
    c.ready = new Promise((resolve, reject) => {
      const fail = (why) => {
        const err = new Error(`the converter for Keras and .npz files (convplay-formats.wasm) did not start: ${why}`);
        if (converter === c) converter = null; // the next file tries again
        try { if (c.worker) c.worker.terminate(); } catch { /* already gone */ }
        reject(err);
        for (const w of c.waits.values()) w.reject(err);
        c.waits.clear();
      };
      try {
        c.worker = spawn();
      } catch (err) {
        fail(err && err.message ? err.message : String(err));
        return;
      }
      c.worker.onmessage = (e) => {
        const m = e.data || {};
        if (m.event === 'ready') resolve();
        else if (m.event === 'fatal') fail(m.error);
        else if (c.waits.has(m.id)) {
          const w = c.waits.get(m.id);
          c.waits.delete(m.id);
          if (m.ok) w.resolve(m.result);
          else w.reject(new Error(m.error));
        }
      };
      c.worker.onerror = (e) => fail((e && e.message) || 'the worker failed');
    });
    return c;
  }

  return { deliver, intercept };
}

/** spawnFormats starts the formats worker from scope (a worker's global scope). */
export function spawnFormats(scope) {
  const url = scope.location ? String(scope.location.href).split('?')[0] : 'worker.js';
  return new scope.Worker(url, { ...WORKER_OPTIONS, name: FORMATS_WORKER });
}
