package nn

import "sync"

// gemm computes C = op(A)·op(B), or C += op(A)·op(B) when accumulate is set.
// op(A) is m x k and op(B) is k x n; C is m x n. All three are row-major and
// contiguous. With transA, a holds A's transpose (k x m); with transB, b holds
// B's transpose (n x k).
//
// Reference loop (gemmNaive, kept as the oracle in the tests):
//
//	for i < m, j < n: c[i*n+j] (+)= sum over p < k of A[i][p] * B[p][j]
//
// The fast version packs op(B) into panels of nr columns, and blocks of
// op(A) into panels of mr rows, kc steps of k at a time, so that a
// register-blocked micro-kernel (gemmKernel) streams through contiguous
// memory. Every element of C is summed in one fixed order, whatever the
// blocking, the tile size or the number of workers: starting from 0 (or from
// C's value when accumulating) it adds float32(A[i][p]*B[p][j]) for p = 0,
// 1, ..., k-1, each product rounded to float32 (never fused). Without
// accumulate this is exactly gemmNaive's order, so the two agree bit for bit,
// and the engine trains identically natively and in WebAssembly for one seed.
//
// The work is split by output rows (and, for short C, by columns) over
// maxWorkers() goroutines. Calls are serialized: gemm owns one workspace,
// grown to the largest call and then reused, so it allocates nothing.
func gemm(transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) {
	gemmWorkers(maxWorkers(), transA, transB, m, n, k, a, b, c, accumulate)
}

// Blocking. k is cut into equal blocks of at most gemmKC steps (288 is one
// block, 576 two of 288, 1152 three of 384: no short last block). A packed
// block of op(A) (gemmMCMax x kc, 256 KB) stays in the L2 cache and a packed
// micro-panel of op(B) (kc x nr, 8 KB) in L1.
const (
	gemmKC    = 512
	gemmMCMax = 128
)

// gemmWork is gemm's workspace and the task it hands to the worker pool.
var gemmWork struct {
	mu   sync.Mutex
	task gemmTask
}

// gemmTask is one gemmBatchWorkers call (batch products of one shape),
// split into chunks of rowsPer x colsPer outputs of one product.
type gemmTask struct {
	transA, transB, accumulate bool
	batch, sa, sb, sc          int // products, and the distance between their a, b and c
	m, n, k                    int
	a, b, c                    []float32
	rowsPer, colsPer           int         // chunk size, multiples of mr and nr
	rowChunks, colChunks       int         // per product
	bpack                      []float32   // per product: op(B) as ceil(n/nr) panels of k x nr, zero-padded
	bp                         []float32   // the packed op(B) the call reads: bpack, or its caller's
	apack                      [][]float32 // per worker: a block of op(A) as panels of kc x mr
	tile                       [][]float32 // per worker: an mr x nr tile for C's edges
}

// gemmWorkers is gemm on a given number of workers; the result does not
// depend on it.
func gemmWorkers(workers int, transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) {
	gemmBatchWorkers(workers, 1, 0, 0, 0, transA, transB, m, n, k, a, b, c, accumulate)
}

// gemmBatch computes batch products of one shape at once,
//
//	for i < batch: gemm(transA, transB, m, n, k, a[i*sa:], b[i*sb:], c[i*sc:], accumulate)
//
// with all their chunks on the worker pool together, so that products too
// small to be worth splitting one by one (Winograd's 16 per block) still
// keep every worker busy. Each product's C is computed as gemm computes it,
// bit for bit; the Cs must not overlap.
func gemmBatch(batch, sa, sb, sc int, transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) {
	gemmBatchWorkers(maxWorkers(), batch, sa, sb, sc, transA, transB, m, n, k, a, b, c, accumulate)
}

// gemmAsmBatch runs a gemmBatchWorkers call on a SIMD kernel and reports
// true, or reports false when that kernel is off: AVX2 natively
// (gemm_amd64.go: off on a CPU without it), WebAssembly SIMD in a browser
// (gemm_wasm.go: off when the host did not hand over the memory). Other
// builds (`-tags noasm`, other CPUs) leave it nil. gemmSIMDName names the
// kernel while it is on ("" when off).
var (
	gemmAsmBatch func(workers, batch, sa, sb, sc int, transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) bool
	gemmSIMDName func() string
)

// GemmKernel names the matrix-product kernel every layer's products run
// on: "avx2", "wasm-simd" or "go" (the portable pure-Go kernel).
func GemmKernel() string {
	if gemmSIMDName != nil {
		if name := gemmSIMDName(); name != "" {
			return name
		}
	}
	return "go"
}

// gemmChunks splits each of batch products with mPanels x nPanels tiles
// into chunks: row blocks of at most mcMax/mr panels, small enough to give
// each of the workers a few chunks over the batch; columns split too when
// there are few rows. It returns the chunk size in panels and the chunks per
// product.
func gemmChunks(workers, batch, mPanels, nPanels, mcPanels int) (rowPanels, colPanels, rowChunks, colChunks int) {
	want := 1
	if workers > 1 {
		want = (4*workers + batch - 1) / batch // chunks per product
	}
	rowPanels = max(1, min(mcPanels, (mPanels+want-1)/want))
	rowChunks = (mPanels + rowPanels - 1) / rowPanels
	colPanels = nPanels
	if rowChunks < want {
		colPanels = max(1, (nPanels*rowChunks+want-1)/want)
	}
	colChunks = (nPanels + colPanels - 1) / colPanels
	return rowPanels, colPanels, rowChunks, colChunks
}

// gemmBatchWorkers is gemmBatch on a given number of workers; the result
// does not depend on it.
func gemmBatchWorkers(workers, batch, sa, sb, sc int, transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) {
	gemmBatchPackedWorkers(workers, batch, sa, sb, sc, transA, transB, m, n, k, a, b, nil, c, accumulate)
}

// gemmBatchPacked is gemmBatch with op(B) of every product already packed
// for the pure-Go kernel: bpack is what packBatchB made of the same b (the
// SIMD paths, which pack differently, read b; an empty bpack, as
// packForGoKernel leaves it for them, has this call pack). An operand that
// many calls share, a layer's weights between two optimizer steps, is then
// packed once instead of once per call. The result is gemmBatch's, bit for bit: the
// kernel reads the same values from the same layout.
func gemmBatchPacked(batch, sa, sb, sc int, transA, transB bool, m, n, k int, a, b, bpack, c []float32, accumulate bool) {
	gemmBatchPackedWorkers(maxWorkers(), batch, sa, sb, sc, transA, transB, m, n, k, a, b, bpack, c, accumulate)
}

// packBatchB sets dst (grown and returned) to op(B) of batch products of
// k x n, b[i*sb:] each, packed as gemm's pure-Go kernel reads them: for
// gemmBatchPacked.
func packBatchB(dst []float32, batch, sb int, transB bool, n, k int, b []float32) []float32 {
	per := (n + gemmNR - 1) / gemmNR * k * gemmNR
	dst = grow(dst, batch*per)
	for i := range batch {
		packB(dst[i*per:], transB, n, k, b[i*sb:])
	}
	return dst
}

// packForGoKernel is packBatchB when gemm runs its pure-Go kernel, the only
// one that reads a packed op(B); on a SIMD kernel, which reads b, it packs
// nothing and returns dst emptied, and gemmBatchPacked then packs for itself
// should the pure-Go kernel run after all (a test switching the SIMD path
// off), so an empty pack is never stale.
func packForGoKernel(dst []float32, batch, sb int, transB bool, n, k int, b []float32) []float32 {
	if GemmKernel() != "go" {
		return dst[:0]
	}
	return packBatchB(dst, batch, sb, transB, n, k, b)
}

// gemmBatchPackedWorkers is gemmBatchWorkers, with op(B) already packed
// into bpack unless it is empty.
func gemmBatchPackedWorkers(workers, batch, sa, sb, sc int, transA, transB bool, m, n, k int, a, b, bpack, c []float32, accumulate bool) {
	if m == 0 || n == 0 || batch == 0 {
		return
	}
	if k == 0 {
		if !accumulate {
			for i := range batch {
				clear(c[i*sc : i*sc+m*n])
			}
		}
		return
	}
	if gemmAsmBatch != nil && gemmAsmBatch(workers, batch, sa, sb, sc, transA, transB, m, n, k, a, b, c, accumulate) {
		return // the AVX2 kernel, bit-identical (gemm_amd64.go)
	}
	gemmWork.mu.Lock()
	defer gemmWork.mu.Unlock()
	t := &gemmWork.task
	t.transA, t.transB, t.accumulate = transA, transB, accumulate
	t.batch, t.sa, t.sb, t.sc = batch, sa, sb, sc
	t.m, t.n, t.k = m, n, k
	t.a, t.b, t.c = a, b, c

	mPanels, nPanels := (m+gemmMR-1)/gemmMR, (n+gemmNR-1)/gemmNR
	rowPanels, colPanels, rowChunks, colChunks := gemmChunks(workers, batch, mPanels, nPanels, gemmMCMax/gemmMR)
	t.rowsPer, t.colsPer = rowPanels*gemmMR, colPanels*gemmNR
	t.rowChunks, t.colChunks = rowChunks, colChunks

	for len(t.apack) < workers {
		t.apack = append(t.apack, nil)
		t.tile = append(t.tile, make([]float32, gemmMR*gemmNR))
	}
	if len(bpack) > 0 {
		t.bp = bpack[:batch*nPanels*k*gemmNR]
	} else {
		t.bpack = packBatchB(t.bpack, batch, sb, transB, n, k, b)
		t.bp = t.bpack
	}
	parallelFor(workers, batch*rowChunks*colChunks, t)
	t.a, t.b, t.c, t.bp = nil, nil, nil, nil
}

// runChunk computes one block of one product's C: rows [i0, i1) and columns
// [j0, j1).
func (t *gemmTask) runChunk(worker, chunk int) {
	per := t.rowChunks * t.colChunks
	item := chunk / per
	chunk %= per
	i0 := chunk / t.colChunks * t.rowsPer
	j0 := chunk % t.colChunks * t.colsPer
	i1, j1 := min(i0+t.rowsPer, t.m), min(j0+t.colsPer, t.n)
	rows := i1 - i0
	rowPanels := (rows + gemmMR - 1) / gemmMR
	ap := grow(t.apack[worker], rowPanels*gemmKC*gemmMR)
	t.apack[worker] = ap
	tile := t.tile[worker]
	n, k := t.n, t.k
	a, c := t.a[item*t.sa:][:t.m*k], t.c[item*t.sc:][:t.m*n]
	bpack := t.bp[item*((n+gemmNR-1)/gemmNR)*k*gemmNR:]
	blocks := (k + gemmKC - 1) / gemmKC
	step := (k + blocks - 1) / blocks
	for p0 := 0; p0 < k; p0 += step {
		kc := min(step, k-p0)
		load := t.accumulate || p0 > 0
		packA(ap, t.transA, t.m, k, i0, rows, p0, kc, a)
		for j := j0; j < j1; j += gemmNR {
			bp := bpack[(j/gemmNR*k+p0)*gemmNR:][:kc*gemmNR]
			nj := min(gemmNR, n-j)
			for r := 0; r < rowPanels; r++ {
				i := i0 + r*gemmMR
				mi := min(gemmMR, i1-i)
				a := ap[r*kc*gemmMR:][:kc*gemmMR]
				if mi == gemmMR && nj == gemmNR {
					gemmKernel(kc, a, bp, c[i*n+j:], n, load)
					continue
				}
				// An edge tile: work on a full tile, copy back what is in C.
				for ii := 0; ii < mi; ii++ {
					copy(tile[ii*gemmNR:ii*gemmNR+nj], c[(i+ii)*n+j:])
				}
				gemmKernel(kc, a, bp, tile, gemmNR, load)
				for ii := 0; ii < mi; ii++ {
					copy(c[(i+ii)*n+j:(i+ii)*n+j+nj], tile[ii*gemmNR:])
				}
			}
		}
	}
}

// The micro-kernel's tile: mr rows of op(A) by nr columns of op(B). 2x4 with
// the k loop unrolled 4 times measured fastest both natively (amd64: 10
// GFLOP/s per core against 7 for 4x4 or 3x4, whose accumulators and products
// spill out of the 16 SSE registers) and under WebAssembly in V8.
const (
	gemmMR = 2
	gemmNR = 4
)

// gemmKernel computes an mr x nr tile of C from packed panels (packA,
// packB):
//
//	for i < mr, j < nr: c[i*ldc+j] = (load ? c[i*ldc+j] : 0) + sum over p < kc of float32(a[p*mr+i] * b[p*nr+j])
//
// adding the products in order of p.
func gemmKernel(kc int, a, b, c []float32, ldc int, load bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	c = c[:ldc+4]
	if load {
		c00, c01, c02, c03 = c[0], c[1], c[2], c[3]
		r := c[ldc : ldc+4]
		c10, c11, c12, c13 = r[0], r[1], r[2], r[3]
	}
	a, b = a[:kc*2], b[:kc*4]
	for len(a) >= 8 && len(b) >= 16 {
		a0, a1 := a[0], a[1]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		c00 += float32(a0 * b0)
		c01 += float32(a0 * b1)
		c02 += float32(a0 * b2)
		c03 += float32(a0 * b3)
		c10 += float32(a1 * b0)
		c11 += float32(a1 * b1)
		c12 += float32(a1 * b2)
		c13 += float32(a1 * b3)
		a0, a1 = a[2], a[3]
		b0, b1, b2, b3 = b[4], b[5], b[6], b[7]
		c00 += float32(a0 * b0)
		c01 += float32(a0 * b1)
		c02 += float32(a0 * b2)
		c03 += float32(a0 * b3)
		c10 += float32(a1 * b0)
		c11 += float32(a1 * b1)
		c12 += float32(a1 * b2)
		c13 += float32(a1 * b3)
		a0, a1 = a[4], a[5]
		b0, b1, b2, b3 = b[8], b[9], b[10], b[11]
		c00 += float32(a0 * b0)
		c01 += float32(a0 * b1)
		c02 += float32(a0 * b2)
		c03 += float32(a0 * b3)
		c10 += float32(a1 * b0)
		c11 += float32(a1 * b1)
		c12 += float32(a1 * b2)
		c13 += float32(a1 * b3)
		a0, a1 = a[6], a[7]
		b0, b1, b2, b3 = b[12], b[13], b[14], b[15]
		c00 += float32(a0 * b0)
		c01 += float32(a0 * b1)
		c02 += float32(a0 * b2)
		c03 += float32(a0 * b3)
		c10 += float32(a1 * b0)
		c11 += float32(a1 * b1)
		c12 += float32(a1 * b2)
		c13 += float32(a1 * b3)
		a, b = a[8:], b[16:]
	}
	for len(a) >= 2 && len(b) >= 4 {
		a0, a1 := a[0], a[1]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		c00 += float32(a0 * b0)
		c01 += float32(a0 * b1)
		c02 += float32(a0 * b2)
		c03 += float32(a0 * b3)
		c10 += float32(a1 * b0)
		c11 += float32(a1 * b1)
		c12 += float32(a1 * b2)
		c13 += float32(a1 * b3)
		a, b = a[2:], b[4:]
	}
	c[0], c[1], c[2], c[3] = c00, c01, c02, c03
	r := c[ldc : ldc+4]
	r[0], r[1], r[2], r[3] = c10, c11, c12, c13
}

// packA copies op(A)[i0:i0+rows, p0:p0+kc] into dst as panels of mr rows:
// element (i0+r*mr+ii, p0+p) goes to dst[(r*kc+p)*mr+ii]. Rows past m are 0.
// op(A) is m x k; with trans, a is stored k x m.
func packA(dst []float32, trans bool, m, k, i0, rows, p0, kc int, a []float32) {
	for r := 0; r*gemmMR < rows; r++ {
		panel := dst[r*kc*gemmMR:][:kc*gemmMR]
		mi := min(gemmMR, rows-r*gemmMR)
		i := i0 + r*gemmMR
		switch {
		case mi == 2 && trans: // the common cases written out for mr = 2
			o := p0*m + i
			for p := 0; p+1 < len(panel); p += 2 {
				panel[p], panel[p+1] = a[o], a[o+1]
				o += m
			}
		case mi == 2:
			r0 := a[i*k+p0:][:kc]
			r1 := a[(i+1)*k+p0:][:len(r0)]
			panel = panel[:2*len(r0)]
			for p, v := range r0 {
				panel[2*p], panel[2*p+1] = v, r1[p]
			}
		default: // the last, short panel: rows past m are 0
			packShortA(panel, gemmMR, trans, m, k, i, mi, p0, kc, a)
		}
	}
}

// packShortA copies op(A)[i:i+mi, p0:p0+kc], fewer than mr rows, into dst as
// one zero-padded panel of mr rows: element (i+ii, p0+p) goes to
// dst[p*mr+ii]. op(A) is m x k; with trans, a is stored k x m. Both the
// pure-Go and the AVX2 kernel pack their last panel with it.
func packShortA(dst []float32, mr int, trans bool, m, k, i, mi, p0, kc int, a []float32) {
	clear(dst)
	for ii := 0; ii < mi; ii++ {
		for p := 0; p < kc; p++ {
			if trans {
				dst[p*mr+ii] = a[(p0+p)*m+i+ii]
			} else {
				dst[p*mr+ii] = a[(i+ii)*k+p0+p]
			}
		}
	}
}

// packBPanel copies rows p0..p0+kc-1 of columns j0..j0+nj-1 of op(B)
// (k x n; with trans, b is stored n x k) into panel as kc rows of nr, the
// columns past nj 0: element (p0+p, j0+jj) goes to panel[p*nr+jj]. Every
// kernel packs its narrow last panel with it, and the WebAssembly path its
// transposed ones.
func packBPanel(panel []float32, nr int, trans bool, n, k, j0, nj, p0, kc int, b []float32) {
	panel = panel[:kc*nr]
	if nj < nr {
		clear(panel)
	}
	if !trans { // step by step: a step's nj columns lie together
		for p := range kc {
			copy(panel[p*nr:p*nr+nj], b[(p0+p)*n+j0:])
		}
		return
	}
	for jj := range nj { // column jj of the panel is row j0+jj of b
		row := b[(j0+jj)*k+p0:][:kc]
		for p, v := range row {
			panel[p*nr+jj] = v
		}
	}
}

// packB copies op(B) (k x n) into dst as panels of nr columns: element
// (p, j*nr+jj) goes to dst[(j*k+p)*nr+jj]. Columns past n are 0. With trans,
// b is stored n x k.
func packB(dst []float32, trans bool, n, k int, b []float32) {
	for j := 0; j*gemmNR < n; j++ {
		panel := dst[j*k*gemmNR:][:k*gemmNR]
		nj := min(gemmNR, n-j*gemmNR)
		switch {
		case nj == 4 && !trans: // the common cases written out for nr = 4
			o := j * 4
			for p := 0; p+3 < len(panel); p += 4 {
				src := b[o : o+4 : o+4]
				panel[p], panel[p+1], panel[p+2], panel[p+3] = src[0], src[1], src[2], src[3]
				o += n
			}
		case nj == 4:
			c0 := b[j*4*k:][:k]
			c1, c2, c3 := b[(j*4+1)*k:][:len(c0)], b[(j*4+2)*k:][:len(c0)], b[(j*4+3)*k:][:len(c0)]
			panel = panel[:4*len(c0)]
			for p, v := range c0 {
				d := panel[4*p : 4*p+4 : 4*p+4]
				d[0], d[1], d[2], d[3] = v, c1[p], c2[p], c3[p]
			}
		default: // the last, narrow panel: columns past n are 0
			packBPanel(panel, gemmNR, trans, n, k, j*gemmNR, nj, 0, k, b)
		}
	}
}

// gemmNaive is the reference for gemm: the plain triple loop, summing in
// float32 in order of p.
func gemmNaive(transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var sum float32
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*m+i]
				} else {
					av = a[i*k+p]
				}
				if transB {
					bv = b[j*k+p]
				} else {
					bv = b[p*n+j]
				}
				sum += float32(av * bv) // rounded: never fused into an FMA
			}
			if accumulate {
				c[i*n+j] += sum
			} else {
				c[i*n+j] = sum
			}
		}
	}
}
