package kernel

import "sync"

// Gemm computes C = op(A)·op(B), or C += op(A)·op(B) when accumulate is set.
// op(A) is m x k and op(B) is k x n; C is m x n. All three are row-major and
// contiguous. With transA, a holds A's transpose (k x m); with transB, b holds
// B's transpose (n x k).
//
// Reference loop (gemmNaive, kept as the oracle in the tests):
//
//	for i < m, j < n: c[i*n+j] (+)= sum over p < k of A[i][p] * B[p][j]
//
// The driver below cuts C into tiles of a micro-kernel (microKernel: the
// pure-Go one, AVX2 or WebAssembly SIMD, whichever the build and the CPU
// run) and k into blocks, packing what the micro-kernel cannot read where it
// lies. Every element of C is summed in one fixed order, whatever the
// micro-kernel, the blocking or the number of workers: starting from 0 (or
// from C's value when accumulating) it adds float32(A[i][p]*B[p][j]) for
// p = 0, 1, ..., k-1, each product rounded to float32 (never fused). Without
// accumulate this is exactly gemmNaive's order, so the two agree bit for bit,
// and the engine trains identically natively and in WebAssembly for one seed.
//
// The work is split by output rows (and, for short C, by columns) over
// MaxWorkers() goroutines. Calls are serialized: the driver owns one
// workspace, grown to the largest call and then reused, so it allocates
// nothing.
func Gemm(transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) {
	gemmBatchPackedWorkers(MaxWorkers(), 1, 0, 0, 0, transA, transB, m, n, k, a, b, nil, c, accumulate)
}

// GemmBatch computes batch products of one shape at once,
//
//	for i < batch: Gemm(transA, transB, m, n, k, a[i*sa:], b[i*sb:], c[i*sc:], accumulate)
//
// with all their chunks on the helper goroutines together, so that products
// too small to be worth splitting one by one (Winograd's 16 per block) still
// keep every worker busy. Each product's C is computed as Gemm computes it,
// bit for bit; the Cs must not overlap.
func GemmBatch(batch, sa, sb, sc int, transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) {
	gemmBatchPackedWorkers(MaxWorkers(), batch, sa, sb, sc, transA, transB, m, n, k, a, b, nil, c, accumulate)
}

// GemmBatchPacked is GemmBatch with op(B) of every product already packed
// for the pure-Go micro-kernel: bpack is what PackBatchB made of the same b
// (the SIMD micro-kernels, which pack differently, read b; an empty bpack,
// as PackForGoKernel leaves it for them, has this call pack). An operand
// that many calls share, a layer's weights between two optimizer steps, is
// then packed once instead of once per call. The result is GemmBatch's, bit
// for bit: the micro-kernel reads the same values from the same layout.
func GemmBatchPacked(batch, sa, sb, sc int, transA, transB bool, m, n, k int, a, b, bpack, c []float32, accumulate bool) {
	gemmBatchPackedWorkers(MaxWorkers(), batch, sa, sb, sc, transA, transB, m, n, k, a, b, bpack, c, accumulate)
}

// PackBatchB sets dst (grown and returned) to op(B) of batch products of
// k x n, b[i*sb:] each, packed as the pure-Go micro-kernel reads them: for
// GemmBatchPacked.
func PackBatchB(dst []float32, batch, sb int, transB bool, n, k int, b []float32) []float32 {
	per := (n + goKernel.nr - 1) / goKernel.nr * k * goKernel.nr
	dst = grow(dst, batch*per)
	for i := range batch {
		packB(dst[i*per:], transB, n, k, b[i*sb:])
	}
	return dst
}

// PackForGoKernel is PackBatchB when gemm runs its pure-Go micro-kernel,
// the only one that reads a packed op(B); on a SIMD one, which reads b, it
// packs nothing and returns dst emptied, and GemmBatchPacked then packs for
// itself should the pure-Go micro-kernel run after all (a test switching
// SIMD off), so an empty pack is never stale.
func PackForGoKernel(dst []float32, batch, sb int, transB bool, n, k int, b []float32) []float32 {
	if active() != &goKernel {
		return dst[:0]
	}
	return PackBatchB(dst, batch, sb, transB, n, k, b)
}

// Name names the micro-kernel gemm runs on: "avx2", "wasm-simd" or "go"
// (the portable pure-Go one).
func Name() string { return active().name }

// simd is the build's SIMD micro-kernel (gemm_amd64.go, gemm_wasm.go), nil
// where there is none; simdReady says it can run here (the CPU has AVX2;
// the WebAssembly module linked), simdOn that gemm takes it. In WebAssembly
// ReLU and the Winograd transforms follow simdOn too, as they run on the
// same module.
var (
	simd      *microKernel
	simdReady bool
	simdOn    bool
)

// SetSIMD turns the SIMD micro-kernel on or off (on only where it can run)
// and returns the previous setting: for tests and benchmarks that compare
// it with the pure-Go kernel. It must not be called while a kernel runs.
func SetSIMD(on bool) (was bool) {
	was, simdOn = simdOn, on && simdReady
	return was
}

// active is the micro-kernel gemm runs on.
func active() *microKernel {
	if simdOn {
		return simd
	}
	return &goKernel
}

// microKernel is what the gemm driver needs of a register-blocked
// micro-kernel: its tile, its blocking, its entry point and how it wants
// its operands.
type microKernel struct {
	name   string
	mr, nr int // the tile: mr rows of op(A) by nr columns of op(B)
	kc     int // the longest run of k in one call; k is cut into equal blocks of at most kc
	mcMax  int // the most rows of C in one chunk of work, a multiple of mr

	// tiles computes mt x nt whole tiles of C, column tiles outermost:
	//
	//	for tj < nt, ti < mt, r < mr, q < nr:
	//	  C(r, q) = c[(ti*mr+r)*ldc + tj*nr+q]
	//	  C(r, q) = (load ? C(r, q) : 0) + sum over p < kc of float32(a[ti*ats + r*ars + p*acs] * b[tj*bts + p*ldb + q])
	//
	// adding the products in order of p. kc >= 1, mt, nt >= 1, and every
	// element it reads or writes lies in its slices (the driver reslices
	// them to that extent).
	tiles func(kc int, a []float32, ars, acs, ats int, b []float32, ldb, bts int, c []float32, ldc int, load bool, mt, nt int)

	// packA, when set, copies op(A)[i0:i0+rows, p0:p0+kc] into dst as
	// panels of kc x mr, element (i0+r*mr+ii, p0+p) at dst[(r*kc+p)*mr+ii],
	// rows past m 0; tiles then reads A packed (ars 1, acs mr, ats kc*mr).
	// When nil, tiles reads op(A) where it lies, and only a short last
	// panel is packed (packShortA).
	packA func(dst []float32, trans bool, m, k, i0, rows, p0, kc int, a []float32)

	// packB copies op(B) (k x n; with trans, b is stored n x k) into dst as
	// ceil(n/nr) panels of k x nr: element (p, j*nr+jj) at
	// dst[(j*k+p)*nr+jj], columns past n 0. With inPlaceB it packs only the
	// panels tiles cannot read where they lie (all of them when trans, else
	// only the last, narrow one), and tiles reads the others from b.
	packB    func(dst []float32, trans bool, n, k int, b []float32)
	inPlaceB bool
}

// gemmWork is the driver's workspace and the task it hands to the helper
// goroutines.
var gemmWork struct {
	mu   sync.Mutex
	task gemmTask
}

// gemmTask is one gemmBatchPackedWorkers call (batch products of one
// shape), split into chunks of rowsPer x colsPer outputs of one product.
type gemmTask struct {
	mk                         *microKernel
	transA, transB, accumulate bool
	batch, sa, sb, sc          int // products, and the distance between their a, b and c
	m, n, k                    int
	a, b, c                    []float32
	step                       int         // k's block length
	rowsPer, colsPer           int         // chunk size, multiples of mr and nr
	rowChunks, colChunks       int         // per product
	bpack                      []float32   // per product: op(B) packed by mk.packB
	bp                         []float32   // the packed op(B) the call reads: bpack, or its caller's
	apack                      [][]float32 // per worker: packed op(A) of one chunk and k block
	scratch                    [][]float32 // per worker: C's edge tiles, whole
}

// gemmWorkers is Gemm on a given number of workers; the result does not
// depend on it.
func gemmWorkers(workers int, transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) {
	gemmBatchPackedWorkers(workers, 1, 0, 0, 0, transA, transB, m, n, k, a, b, nil, c, accumulate)
}

// gemmBatchWorkers is GemmBatch on a given number of workers; the result
// does not depend on it.
func gemmBatchWorkers(workers, batch, sa, sb, sc int, transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) {
	gemmBatchPackedWorkers(workers, batch, sa, sb, sc, transA, transB, m, n, k, a, b, nil, c, accumulate)
}

// gemmChunks splits each of batch products with mPanels x nPanels tiles
// into chunks: row blocks of at most mcPanels panels, small enough to give
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

// gemmBatchPackedWorkers is GemmBatchPacked on a given number of workers,
// with op(B) already packed into bpack unless it is empty: the one driver
// every micro-kernel runs under.
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
	gemmWork.mu.Lock()
	defer gemmWork.mu.Unlock()
	t := &gemmWork.task
	mk := active()
	mr, nr := mk.mr, mk.nr
	t.mk = mk
	t.transA, t.transB, t.accumulate = transA, transB, accumulate
	t.batch, t.sa, t.sb, t.sc = batch, sa, sb, sc
	t.m, t.n, t.k = m, n, k
	t.a, t.b, t.c = a[:(batch-1)*sa+m*k], b[:(batch-1)*sb+k*n], c[:(batch-1)*sc+m*n]

	// k in equal blocks of at most kc (288 is one block of kc = 512, 576
	// two of 288, 1152 three of 384: no short last block).
	blocks := (k + mk.kc - 1) / mk.kc
	t.step = (k + blocks - 1) / blocks

	mPanels, nPanels := (m+mr-1)/mr, (n+nr-1)/nr
	rowPanels, colPanels, rowChunks, colChunks := gemmChunks(workers, batch, mPanels, nPanels, mk.mcMax/mr)
	t.rowsPer, t.colsPer = rowPanels*mr, colPanels*nr
	t.rowChunks, t.colChunks = rowChunks, colChunks

	apack := t.step * mr // a short last panel
	if mk.packA != nil {
		apack *= rowPanels // every panel of a chunk
	}
	scratch := max(t.rowsPer*nr, mr*t.colsPer)
	for len(t.apack) < workers {
		t.apack = append(t.apack, nil)
		t.scratch = append(t.scratch, nil)
	}
	for w := range workers {
		t.apack[w] = grow(t.apack[w], apack)
		t.scratch[w] = grow(t.scratch[w], scratch)
	}

	per := nPanels * k * nr
	if len(bpack) > 0 && mk == &goKernel {
		t.bp = bpack[:batch*per]
	} else {
		t.bpack = grow(t.bpack, batch*per)
		for i := range batch {
			mk.packB(t.bpack[i*per:], transB, n, k, t.b[i*sb:])
		}
		t.bp = t.bpack
	}
	ParallelFor(workers, batch*rowChunks*colChunks, t)
	t.a, t.b, t.c, t.bp, t.mk = nil, nil, nil, nil, nil
}

// RunChunk computes one block of one product's C: rows [i0, i1) and
// columns [j0, j1), k block by k block: the whole tiles in one call of the
// micro-kernel, then the right and bottom edges and the corner, each
// through scratch.
func (t *gemmTask) RunChunk(worker, chunk int) {
	mk := t.mk
	mr, nr := mk.mr, mk.nr
	per := t.rowChunks * t.colChunks
	item := chunk / per
	chunk %= per
	i0 := chunk / t.colChunks * t.rowsPer
	j0 := chunk % t.colChunks * t.colsPer
	i1, j1 := min(i0+t.rowsPer, t.m), min(j0+t.colsPer, t.n)
	mt, nt := (i1-i0)/mr, (j1-j0)/nr // whole tiles
	mEdge, nEdge := i1-i0-mt*mr, j1-j0-nt*nr
	m, n, k := t.m, t.n, t.k
	A, B, C := t.a[item*t.sa:][:m*k], t.b[item*t.sb:][:k*n], t.c[item*t.sc:][:m*n]
	bpack := t.bp[item*((n+nr-1)/nr)*k*nr:]
	ap := t.apack[worker]
	for p0 := 0; p0 < k; p0 += t.step {
		kc := min(t.step, k-p0)
		load := t.accumulate || p0 > 0

		// op(A)'s whole row tiles (a, ars, acs, ats) and its short last
		// one (ae, 1, mr): packed, or where they lie.
		var a, ae []float32
		var ars, acs, ats int
		switch {
		case mk.packA != nil:
			mk.packA(ap, t.transA, m, k, i0, i1-i0, p0, kc, A)
			a, ars, acs, ats = ap, 1, mr, kc*mr
			ae = ap[mt*kc*mr:]
		case t.transA:
			a, ars, acs, ats = A[p0*m+i0:], 1, m, mr
		default:
			a, ars, acs, ats = A[i0*k+p0:], k, 1, mr*k
		}
		if mEdge > 0 && mk.packA == nil {
			ae = ap[:kc*mr]
			packShortA(ae, mr, t.transA, m, k, i0+mt*mr, mEdge, p0, kc, A)
		}
		// op(B)'s whole column tiles (b, ldb, bts) and its narrow last one
		// (be, nr): where they lie, or packed.
		b, ldb, bts := bpack[(j0/nr*k+p0)*nr:], nr, k*nr
		if mk.inPlaceB && !t.transB {
			b, ldb, bts = B[p0*n+j0:], n, nr
		}
		var be []float32
		if nEdge > 0 {
			be = bpack[((j0/nr+nt)*k+p0)*nr:]
		}

		c := C[i0*n+j0:]
		if mt > 0 && nt > 0 {
			mk.call(kc, a, ars, acs, ats, b, ldb, bts, c, n, load, mt, nt)
		}
		s := t.scratch[worker]
		if nEdge > 0 && mt > 0 { // the right edge
			mk.throughScratch(s, kc, a, ars, acs, ats, be, nr, 0, c[nt*nr:], n, mt*mr, nEdge, load, mt, 1)
		}
		if mEdge > 0 && nt > 0 { // the bottom edge
			mk.throughScratch(s, kc, ae, 1, mr, 0, b, ldb, bts, c[mt*mr*n:], n, mEdge, nt*nr, load, 1, nt)
		}
		if mEdge > 0 && nEdge > 0 { // the corner
			mk.throughScratch(s, kc, ae, 1, mr, 0, be, nr, 0, c[mt*mr*n+nt*nr:], n, mEdge, nEdge, load, 1, 1)
		}
	}
}

// call runs tiles on mt x nt tiles after reslicing a, b and c to exactly
// what the tiles read and write: one bounds check each, which the
// micro-kernels (assembly and the WebAssembly module among them) rely on.
func (mk *microKernel) call(kc int, a []float32, ars, acs, ats int, b []float32, ldb, bts int, c []float32, ldc int, load bool, mt, nt int) {
	a = a[:(mt-1)*ats+(mk.mr-1)*ars+(kc-1)*acs+1]
	b = b[:(nt-1)*bts+(kc-1)*ldb+mk.nr]
	c = c[:(mt*mk.mr-1)*ldc+nt*mk.nr]
	mk.tiles(kc, a, ars, acs, ats, b, ldb, bts, c, ldc, load, mt, nt)
}

// throughScratch runs mt x nt tiles whose C, the rows x cols block at c
// (rows of ldc), is smaller than the tiles: in scratch, C's values copied
// in first when load is set, and the block copied back.
func (mk *microKernel) throughScratch(scratch []float32, kc int, a []float32, ars, acs, ats int, b []float32, ldb, bts int, c []float32, ldc, rows, cols int, load bool, mt, nt int) {
	ld := nt * mk.nr
	s := scratch[:mt*mk.mr*ld]
	if load {
		for r := range rows {
			copy(s[r*ld:r*ld+cols], c[r*ldc:])
		}
	}
	mk.call(kc, a, ars, acs, ats, b, ldb, bts, s, ld, load, mt, nt)
	for r := range rows {
		copy(c[r*ldc:r*ldc+cols], s[r*ld:])
	}
}
