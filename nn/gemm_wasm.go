//go:build js && wasm

package nn

import (
	"sync"
	"syscall/js"
	"unsafe"
)

// gemm's SIMD path in WebAssembly: the module of wasmsimd.go, linked to this
// program's memory, which the host hands over as globalThis.convplayMemory
// before the program starts (web/worker.js for the page, tools/wasmexec for
// the tests in Node). Without it, or without WebAssembly SIMD, gemm stays on
// the pure-Go kernel. Like the AVX2 path, the kernel reads op(A) and op(B)
// where they lie when it can, and packs only op(B) transposed, a short last
// row panel of op(A) and a narrow last column panel of op(B); C's edge tiles
// go through a scratch block.

// wasmSIMDKC is the longest run of k in one call: a tile column of op(B),
// 256 x 8 floats (8 KB), stays in the L1 cache.
const wasmSIMDKC = 256

// wasmSIMDWork is the linked kernel and its workspace.
type wasmSIMDWork struct {
	mu      sync.Mutex // WebAssembly runs one goroutine at a time, but gemm may be called from several: calls take turns
	enabled bool       // gemm and ReLU take this path (the tests turn it off to compare)
	tiles   js.Value   // the module's gemmTiles

	reluForward, reluBackward js.Value // the module's ReLU (relu_wasm.go)
	vecOps                    js.Value // the module's Winograd transforms (winovec_wasm.go)

	bpack   []float32 // op(B)'s packed column tiles of one k block
	apack   []float32 // op(A)'s short last row tile of one k block
	scratch []float32 // C's edge tiles
}

var wasmSIMD wasmSIMDWork

func init() {
	exports, ok := linkWasmSIMD()
	if !ok {
		return
	}
	wasmSIMD.tiles = exports.Get("gemmTiles")
	wasmSIMD.reluForward = exports.Get("reluForward")
	wasmSIMD.reluBackward = exports.Get("reluBackward")
	wasmSIMD.vecOps = exports.Get("vecOps")
	wasmSIMD.enabled = true
	gemmAsmBatch = gemmWasmSIMDBatch
	gemmSIMDName = func() string {
		if wasmSIMD.enabled {
			return "wasm-simd"
		}
		return ""
	}
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
	code := wasmSIMDModule()
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

// wasmGemmTiles calls gemmTiles (see wasmsimd.go) with a, b and c's first
// elements as the addresses and the strides in elements.
func wasmGemmTiles(tiles js.Value, kc int, a []float32, ars, acs int, b []float32, ldb, bts int, c []float32, ldc int, load bool, mt, nt int) {
	l := 0
	if load {
		l = 1
	}
	tiles.Invoke(kc, addr(a), 4*ars, 4*acs, addr(b), 4*ldb, 4*bts, addr(c), 4*ldc, l, mt, nt)
}

// gemmWasmSIMDBatch runs a gemmBatchWorkers call on the SIMD kernel and
// reports true, or reports false when the kernel is not linked. m, n, k,
// batch >= 1. WebAssembly has one thread: workers is ignored.
func gemmWasmSIMDBatch(workers, batch, sa, sb, sc int, transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) bool {
	if !wasmSIMD.enabled {
		return false
	}
	const mr, nr = wasmSIMDMR, wasmSIMDNR
	w := &wasmSIMD
	w.mu.Lock()
	defer w.mu.Unlock()
	mt, nt := m/mr, n/nr // whole tiles
	mEdge, nEdge := m-mt*mr, n-nt*nr
	blocks := (k + wasmSIMDKC - 1) / wasmSIMDKC
	step := (k + blocks - 1) / blocks
	w.apack = grow(w.apack, step*mr)
	w.scratch = grow(w.scratch, max(mt*mr*nr, mr*max(nt, 1)*nr))
	for item := range batch {
		A, B, C := a[item*sa:][:m*k], b[item*sb:][:k*n], c[item*sc:][:m*n]
		for p0 := 0; p0 < k; p0 += step {
			kc := min(step, k-p0)
			load := accumulate || p0 > 0

			// op(A)'s whole row tiles where they lie; the short last one packed.
			var aw []float32
			var ars, acs int
			if transA {
				aw, ars, acs = A[p0*m:], 1, m
			} else {
				aw, ars, acs = A[p0:], k, 1
			}
			var ae []float32
			if mEdge > 0 {
				ae = w.apack[:kc*mr]
				packShortA(ae, mr, transA, m, k, mt*mr, mEdge, p0, kc, A)
			}
			// op(B)'s whole column tiles where they lie, or packed when
			// transposed; the narrow last one packed.
			bw, ldb, bts := B[p0*n:], n, nr
			if transB || nEdge > 0 {
				w.bpack = grow(w.bpack, (nt+1)*kc*nr)
				packWasmB(w.bpack, transB, n, k, p0, kc, B)
				if transB {
					bw, ldb, bts = w.bpack, nr, kc*nr
				}
			}
			be := w.bpack[min(nt*kc*nr, len(w.bpack)):] // the narrow panel, when there is one

			if mt > 0 && nt > 0 {
				wasmGemmTiles(w.tiles, kc, aw, ars, acs, bw, ldb, bts, C, n, load, mt, nt)
			}
			if nEdge > 0 && mt > 0 { // the right edge
				w.throughScratch(kc, aw, ars, acs, be, nr, 0, C, n, 0, mt*mr, nt*nr, nEdge, mt, 1, load)
			}
			if mEdge > 0 && nt > 0 { // the bottom edge
				w.throughScratch(kc, ae, 1, mr, bw, ldb, bts, C, n, mt*mr, mEdge, 0, nt*nr, 1, nt, load)
			}
			if mEdge > 0 && nEdge > 0 { // the corner
				w.throughScratch(kc, ae, 1, mr, be, nr, 0, C, n, mt*mr, mEdge, nt*nr, nEdge, 1, 1, load)
			}
		}
	}
	return true
}

// throughScratch runs gemmTiles on mt x nt tiles whose C is the block of
// rows [i0, i0+rows) and columns [j0, j0+cols) of C (rows of n), smaller
// than the tiles: in the scratch block, C's values copied in first when
// load is set, and the block copied back.
func (w *wasmSIMDWork) throughScratch(kc int, a []float32, ars, acs int, b []float32, ldb, bts int, C []float32, n, i0, rows, j0, cols, mt, nt int, load bool) {
	ld := nt * wasmSIMDNR
	s := w.scratch[:mt*wasmSIMDMR*ld]
	if load {
		for r := range rows {
			copy(s[r*ld:r*ld+cols], C[(i0+r)*n+j0:])
		}
	}
	wasmGemmTiles(w.tiles, kc, a, ars, acs, b, ldb, bts, s, ld, load, mt, nt)
	for r := range rows {
		copy(C[(i0+r)*n+j0:][:cols], s[r*ld:])
	}
}

// packWasmB copies rows p0..p0+kc-1 of op(B) (k x n) into dst as column
// tiles of 8: element (p0+p, j*8+jj) goes to dst[(j*kc+p)*8+jj], columns
// past n 0. With trans, b is stored n x k and every tile is packed; without,
// only the last, narrow one (the kernel reads the others where they lie).
func packWasmB(dst []float32, trans bool, n, k, p0, kc int, b []float32) {
	const nr = wasmSIMDNR
	for j := 0; j*nr < n; j++ {
		if nj := min(nr, n-j*nr); trans || nj < nr {
			packBPanel(dst[j*kc*nr:], nr, trans, n, k, j*nr, nj, p0, kc, b)
		}
	}
}
