// Runs a Go WebAssembly program in Node with Go's own wasm_exec_node.js,
// after making sure the program finds its memory as
// globalThis.convplayMemory, which web/worker.js sets in the page: the
// engine links its WebAssembly SIMD kernels to it (nn/gemm_wasm.go).
'use strict';

const path = require('path');

const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (...args) {
  const result = await instantiate.apply(this, args);
  const { mem } = (result.instance || result).exports;
  if (mem instanceof WebAssembly.Memory) globalThis.convplayMemory = mem;
  return result;
};

require(path.join(process.env.GOROOT, 'lib', 'wasm', 'wasm_exec_node.js'));
