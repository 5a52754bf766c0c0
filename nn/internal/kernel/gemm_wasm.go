//go:build js && wasm

package kernel

import (
	"syscall/js"
	"unsafe"

	"convplay/nn/internal/kernel/wasmsimd"
)

// gemm's SIMD path in WebAssembly: the module that package wasmsimd writes,
// linked to this program's memory, which the host hands over as globalThis.convplayMemory
// before the program starts (web/worker.js for the page, tools/wasmexec for
// the tests in Node). Without it, or without WebAssembly SIMD, gemm stays on
// the pure-Go kernel. Like the AVX2 path, the kernel reads op(A) and op(B)
// where they lie when it can, and packs only op(B) transposed, a short last
// row panel of op(A) and a narrow last column panel of op(B); C's edge tiles
// go through a scratch block.

// wasmKernel is gemm's WebAssembly SIMD micro-kernel, gemmTiles. A call
// crosses into JavaScript (about a microsecond), so one call computes every
// whole tile of a chunk, and a chunk is every row of a product (mcMax
// unbounded: WebAssembly runs one thread, so there is nothing to share the
// rows with). kc = 256: a tile column of op(B), 256 x 8 floats (8 KB),
// stays in the L1 cache.
var wasmKernel = microKernel{
	name: "wasm-simd", mr: wasmsimd.MR, nr: wasmsimd.NR, kc: 256, mcMax: 1 << 30,
	tiles: wasmTiles, packB: packBWasm, inPlaceB: true,
}

// wasmSIMD is the linked module's functions.
var wasmSIMD struct {
	tiles                     js.Value // gemmTiles
	reluForward, reluBackward js.Value // ReLU (relu_wasm.go)
	vecOps                    js.Value // the Winograd transforms (winovec_wasm.go)
}

func init() {
	exports, ok := linkWasmSIMD()
	if !ok {
		return
	}
	wasmSIMD.tiles = exports.Get("gemmTiles")
	wasmSIMD.reluForward = exports.Get("reluForward")
	wasmSIMD.reluBackward = exports.Get("reluBackward")
	wasmSIMD.vecOps = exports.Get("vecOps")
	simd, simdReady, simdOn = &wasmKernel, true, true
}

// linkWasmSIMD instantiates the kernel module on this program's memory and
// returns its exports, after checking gemmTiles on one tile, so that a host
// that passed another memory, or an engine without SIMD, leaves gemm and
// ReLU on their Go loops.
func linkWasmSIMD() (exports js.Value, ok bool) {
	defer func() {
		if recover() != nil { // a JavaScript exception: no SIMD, or no such memory
			ok = false
		}
	}()
	mem := js.Global().Get("convplayMemory")
	if mem.Type() != js.TypeObject {
		return js.Undefined(), false
	}
	code := []byte(wasmsimd.ModuleBytes) // generated from Module(), whose encoder the engine need not carry
	bytes := js.Global().Get("Uint8Array").New(len(code))
	js.CopyBytesToJS(bytes, code)
	wa := js.Global().Get("WebAssembly")
	module := wa.Get("Module").New(bytes)
	instance := wa.Get("Instance").New(module, map[string]any{"env": map[string]any{"mem": mem}})
	exports = instance.Get("exports")
	tiles := exports.Get("gemmTiles")

	// One 4x8 tile of a 4x2 times 2x8 product: C[i][j] = i+1 + 10*(j+1).
	a := []float32{1, 1, 2, 1, 3, 1, 4, 1}
	b := make([]float32, 16)
	for j := range 8 {
		b[j], b[8+j] = 1, float32(10*(j+1))
	}
	c := make([]float32, 32)
	wasmGemmTiles(tiles, 2, a, 2, 1, b, 8, 0, c, 8, false, 1, 1)
	for i := range 4 {
		for j := range 8 {
			if c[i*8+j] != float32(i+1+10*(j+1)) {
				return js.Undefined(), false
			}
		}
	}
	return exports, true
}

// addr is the address of s's first element in the WebAssembly memory.
func addr[T float32 | int32](s []T) int { return int(uintptr(unsafe.Pointer(unsafe.SliceData(s)))) }

// wasmGemmTiles calls gemmTiles (see package wasmsimd) with a, b and c's first
// elements as the addresses and the strides in elements.
func wasmGemmTiles(tiles js.Value, kc int, a []float32, ars, acs int, b []float32, ldb, bts int, c []float32, ldc int, load bool, mt, nt int) {
	l := 0
	if load {
		l = 1
	}
	tiles.Invoke(kc, addr(a), 4*ars, 4*acs, addr(b), 4*ldb, 4*bts, addr(c), 4*ldc, l, mt, nt)
}

// wasmTiles is microKernel.tiles on gemmTiles, all the tiles in one call.
// gemmTiles steps from one tile row of op(A) to the next by mr*ars: the
// driver, reading op(A) where it lies, passes that as ats (mt > 1 only then).
func wasmTiles(kc int, a []float32, ars, acs, ats int, b []float32, ldb, bts int, c []float32, ldc int, load bool, mt, nt int) {
	if mt > 1 && ats != wasmsimd.MR*ars {
		panic("kernel: gemmTiles needs op(A)'s row tiles mr*ars apart")
	}
	wasmGemmTiles(wasmSIMD.tiles, kc, a, ars, acs, b, ldb, bts, c, ldc, load, mt, nt)
}

// packBWasm is microKernel.packB for gemmTiles: panels of 8 columns, only
// those it cannot read where they lie (all when trans, else the last,
// narrow one).
func packBWasm(dst []float32, trans bool, n, k int, b []float32) {
	const nr = wasmsimd.NR
	for j := 0; j*nr < n; j++ {
		if nj := min(nr, n-j*nr); trans || nj < nr {
			packBPanel(dst[j*k*nr:], nr, trans, n, k, j*nr, nj, 0, k, b)
		}
	}
}
