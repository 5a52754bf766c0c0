//go:build amd64 && !noasm

package nn

import (
	"sync"

	"golang.org/x/sys/cpu"
)

// gemm's AVX2 path on amd64. It computes what the pure-Go gemm computes, bit
// for bit: every element of C starts from 0 (or C) and adds
// float32(A[i][p]*B[p][j]) for p = 0, 1, ..., k-1, one VMULPS and one VADDPS
// per product (two roundings, as the scalar code; an FMA's one rounding
// would change the bits). Only the tile differs: 6 rows by 16 columns, one
// C element per ymm lane. The kernel reads op(A) and op(B) where they lie
// when it can (A in either layout, B untransposed) and packs only what it
// cannot: B transposed (into 16-column panels), and the edges, zero-padded
// to a whole tile. Builds for other platforms, WebAssembly included, and
// `-tags noasm` take the pure-Go kernel (gemm_noasm.go).

// gemmAsmEnabled says whether gemm takes the AVX2 path: the CPU (and the
// OS, which must save the ymm registers) supports AVX2. The tests turn it
// off to compare the two paths.
var gemmAsmEnabled = cpu.X86.HasAVX2

// The AVX2 tile and blocking: a kc x 16 panel of op(B) (16 KB at kc = 256)
// stays in L1 while 6-row panels of op(A) stream through it from L2. 6x16
// takes 12 of the 16 ymm registers for C. kc = 128 or 512 measured the same
// within 2% at the reference model's Winograd shapes and its training step
// (BenchmarkGemmAsm, BenchmarkModelTrainStep32Asm, one core).
const (
	gemmAsmMR    = 6
	gemmAsmNR    = 16
	gemmAsmKC    = 256
	gemmAsmMCMax = 144
)

// gemmKernelAVX2 computes a 6x16 tile of C, in assembly (gemm_amd64.s):
//
//	for i < 6, j < 16: c[i*ldc+j] = (load ? c[i*ldc+j] : 0) + sum over p < kc of float32(a[i*ars+p*acs] * b[p*ldb+j])
//
// adding the products in order of p. kc >= 1, and the caller has checked
// that every element it reads or writes lies in its slice.
//
//go:noescape
func gemmKernelAVX2(kc int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, load bool)

// gemmAsmWork is the AVX2 path's workspace, like gemmWork.
var gemmAsmWork struct {
	mu   sync.Mutex
	task gemmAsmTask
}

// gemmAsmTask is one gemmBatchWorkers call on the AVX2 path, split into
// chunks of rowsPer x colsPer outputs of one product.
type gemmAsmTask struct {
	transA, transB, accumulate bool
	batch, sa, sb, sc          int // products, and the distance between their a, b and c
	m, n, k                    int
	a, b, c                    []float32
	rowsPer, colsPer           int         // chunk size, multiples of 6 and 16
	rowChunks, colChunks       int         // per product
	bpack                      []float32   // per product: op(B) as ceil(n/16) panels of k x 16, zero-padded (only the last, narrow one unless transB)
	apack                      [][]float32 // per worker: op(A)'s last, short panel, kc x 6, zero-padded
	tile                       [][]float32 // per worker: a 6 x 16 tile for C's edges
}

func init() {
	gemmAsmBatch = gemmAsmBatchWorkers
	gemmSIMDName = func() string {
		if gemmAsmEnabled {
			return "avx2"
		}
		return ""
	}
}

// gemmAsmBatchWorkers runs gemmBatchWorkers' call on the AVX2 path and
// reports true, or reports false when the CPU lacks AVX2. m, n, k, batch >= 1.
func gemmAsmBatchWorkers(workers, batch, sa, sb, sc int, transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) bool {
	if !gemmAsmEnabled {
		return false
	}
	gemmAsmWork.mu.Lock()
	defer gemmAsmWork.mu.Unlock()
	t := &gemmAsmWork.task
	t.transA, t.transB, t.accumulate = transA, transB, accumulate
	t.batch, t.sa, t.sb, t.sc = batch, sa, sb, sc
	t.m, t.n, t.k = m, n, k
	t.a, t.b, t.c = a[:(batch-1)*sa+m*k], b[:(batch-1)*sb+k*n], c[:(batch-1)*sc+m*n]

	mPanels, nPanels := (m+gemmAsmMR-1)/gemmAsmMR, (n+gemmAsmNR-1)/gemmAsmNR
	rowPanels, colPanels, rowChunks, colChunks := gemmChunks(workers, batch, mPanels, nPanels, gemmAsmMCMax/gemmAsmMR)
	t.rowsPer, t.colsPer = rowPanels*gemmAsmMR, colPanels*gemmAsmNR
	t.rowChunks, t.colChunks = rowChunks, colChunks

	t.bpack = grow(t.bpack, batch*nPanels*k*gemmAsmNR)
	for len(t.apack) < workers {
		t.apack = append(t.apack, make([]float32, gemmAsmKC*gemmAsmMR))
		t.tile = append(t.tile, make([]float32, gemmAsmMR*gemmAsmNR))
	}
	for i := range batch {
		packBAsm(t.bpack[i*nPanels*k*gemmAsmNR:], transB, n, k, t.b[i*sb:])
	}
	parallelFor(workers, batch*rowChunks*colChunks, t)
	t.a, t.b, t.c = nil, nil, nil
	return true
}

// runChunk computes one block of one product's C: rows [i0, i1) and columns
// [j0, j1).
func (t *gemmAsmTask) runChunk(worker, chunk int) {
	const mr, nr = gemmAsmMR, gemmAsmNR
	per := t.rowChunks * t.colChunks
	item := chunk / per
	chunk %= per
	i0 := chunk / t.colChunks * t.rowsPer
	j0 := chunk % t.colChunks * t.colsPer
	i1, j1 := min(i0+t.rowsPer, t.m), min(j0+t.colsPer, t.n)
	ap, tile := t.apack[worker], t.tile[worker]
	m, n, k := t.m, t.n, t.k
	A, B, C := t.a[item*t.sa:][:m*k], t.b[item*t.sb:][:k*n], t.c[item*t.sc:][:m*n]
	bpack := t.bpack[item*((n+nr-1)/nr)*k*nr:]
	blocks := (k + gemmAsmKC - 1) / gemmAsmKC
	step := (k + blocks - 1) / blocks
	for p0 := 0; p0 < k; p0 += step {
		kc := min(step, k-p0)
		load := t.accumulate || p0 > 0
		if i1-i0 < (i1-i0+mr-1)/mr*mr { // the last panel is short: pack it
			last := i0 + (i1-i0)/mr*mr
			packShortA(ap[:kc*mr], mr, t.transA, m, k, last, i1-last, p0, kc, A)
		}
		for j := j0; j < j1; j += nr {
			nj := min(nr, n-j)
			// B's rows p0..p0+kc-1, columns j..j+15: where they lie, or packed.
			b, ldb := bpack[(j/nr*k+p0)*nr:][:kc*nr], nr
			if !t.transB && nj == nr {
				b, ldb = B[p0*n+j:][:(kc-1)*n+nr], n
			}
			for i := i0; i < i1; i += mr {
				mi := min(mr, i1-i)
				// A's rows i..i+5, steps p0..p0+kc-1: where they lie, or packed.
				var a []float32
				var ars, acs int
				switch {
				case mi < mr:
					a, ars, acs = ap[:kc*mr], 1, mr
				case t.transA:
					a, ars, acs = A[p0*m+i:][:(kc-1)*m+mr], 1, m
				default:
					a, ars, acs = A[i*k+p0:][:(mr-1)*k+kc], k, 1
				}
				if mi == mr && nj == nr {
					c := C[i*n+j:][:(mr-1)*n+nr] // the tile's bounds, checked once
					gemmKernelAVX2(kc, &a[0], ars, acs, &b[0], ldb, &c[0], n, load)
					continue
				}
				// An edge tile: work on a full tile, copy back what is in C.
				for ii := 0; ii < mi; ii++ {
					copy(tile[ii*nr:ii*nr+nj], C[(i+ii)*n+j:])
				}
				gemmKernelAVX2(kc, &a[0], ars, acs, &b[0], ldb, &tile[0], nr, load)
				for ii := 0; ii < mi; ii++ {
					copy(C[(i+ii)*n+j:(i+ii)*n+j+nj], tile[ii*nr:])
				}
			}
		}
	}
}

// packBAsm copies op(B) (k x n) into dst as panels of 16 columns: element
// (p, j*16+jj) goes to dst[(j*k+p)*16+jj]. Columns past n are 0. With
// trans, b is stored n x k; without, only the last, narrow panel is packed
// (the kernel reads whole panels from b).
func packBAsm(dst []float32, trans bool, n, k int, b []float32) {
	const nr = gemmAsmNR
	for j := 0; j*nr < n; j++ {
		panel := dst[j*k*nr:][:k*nr]
		nj := min(nr, n-j*nr)
		switch {
		case !trans && nj == nr: // read in place
		case nj < nr: // the last, narrow panel: columns past n are 0
			packBPanel(panel, nr, trans, n, k, j*nr, nj, 0, k, b)
		default: // transposed: column jj of the panel is row j*16+jj of b
			r := b[j*nr*k:][:nr*k]
			r0, r1, r2, r3 := r[:k], r[k:2*k], r[2*k:3*k], r[3*k:4*k]
			r4, r5, r6, r7 := r[4*k:5*k], r[5*k:6*k], r[6*k:7*k], r[7*k:8*k]
			r8, r9, r10, r11 := r[8*k:9*k], r[9*k:10*k], r[10*k:11*k], r[11*k:12*k]
			r12, r13, r14, r15 := r[12*k:13*k], r[13*k:14*k], r[14*k:15*k], r[15*k:16*k]
			for p := range r0 {
				d := (*[nr]float32)(panel[p*nr:])
				d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
				d[4], d[5], d[6], d[7] = r4[p], r5[p], r6[p], r7[p]
				d[8], d[9], d[10], d[11] = r8[p], r9[p], r10[p], r11[p]
				d[12], d[13], d[14], d[15] = r12[p], r13[p], r14[p], r15[p]
			}
		}
	}
}
