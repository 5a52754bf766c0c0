// worker.js: the Web Worker that runs convplay's Go engine (convplay.wasm).
//
// A classic worker (it loads Go's wasm_exec.js with importScripts). It boots
// the Go program and relays messages: the Go program installs its one
// message handler through convplayAttach and posts through convplayPost.
// Requests that arrive before Go has started wait here. The protocol itself
// is documented in protocol.js and wasm/protocol.go.
'use strict';

importScripts('wasm_exec.js');

let handler = null; // the Go program's handler, once attached
const early = []; // requests received before it was

self.onmessage = (e) => {
  if (handler) handler(e.data);
  else early.push(e.data);
};

// Called once by the Go program with its message handler.
self.convplayAttach = (fn) => {
  handler = fn;
  for (const msg of early.splice(0)) fn(msg);
};

// Called by the Go program for every reply and event. The buffers of typed
// arrays in the message are transferred to the page, not copied: Go made
// them for this message and keeps no reference.
self.convplayPost = (msg) => {
  self.postMessage(msg, transferables(msg));
};

// transferables lists the ArrayBuffers of every typed array in a message,
// however deep (a trace holds one per layer), each buffer once.
function transferables(msg) {
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

function fatal(error) {
  handler = null;
  self.postMessage({ event: 'fatal', error: String(error) });
}

async function instantiate(go) {
  try {
    return await WebAssembly.instantiateStreaming(fetch('convplay.wasm'), go.importObject);
  } catch (err) {
    // A static host that does not send application/wasm makes streaming fail
    // with a TypeError; compile from the bytes instead.
    if (!(err instanceof TypeError)) throw err;
    const resp = await fetch('convplay.wasm');
    if (!resp.ok) throw new Error(`convplay.wasm: HTTP ${resp.status} (run make wasm)`);
    return WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject);
  }
}

async function boot() {
  const go = new Go();
  let code = '?';
  const exit = go.exit;
  go.exit = (c) => {
    code = c;
    exit.call(go, c);
  };
  const { instance } = await instantiate(go);
  await go.run(instance); // resolves only if the Go program exits
  fatal(`the engine exited (code ${code})`);
}

boot().catch((err) => fatal(`the engine failed to start: ${err && err.message ? err.message : err}`));
