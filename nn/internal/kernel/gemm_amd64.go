//go:build amd64 && !noasm

package kernel

import "golang.org/x/sys/cpu"

// gemm's AVX2 path on amd64. It computes what the pure-Go gemm computes, bit
// for bit: every element of C starts from 0 (or C) and adds
// float32(A[i][p]*B[p][j]) for p = 0, 1, ..., k-1, one VMULPS and one VADDPS
// per product (two roundings, as the scalar code; an FMA's one rounding
// would change the bits). Only the tile differs: 6 rows by 16 columns, one
// C element per ymm lane. The kernel reads op(A) and op(B) where they lie
// when it can (A in either layout, B untransposed) and packs only what it
// cannot: B transposed (into 16-column panels), and the edges, zero-padded
// to a whole tile. Builds for other platforms, WebAssembly included, and
// `-tags noasm` take the pure-Go kernel (gemm_go.go).

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

// avx2Kernel is gemm's AVX2 micro-kernel. Like the WebAssembly one it reads
// op(A) where it lies and op(B) too unless transposed.
var avx2Kernel = microKernel{
	name: "avx2", mr: gemmAsmMR, nr: gemmAsmNR, kc: gemmAsmKC, mcMax: gemmAsmMCMax,
	tiles: avx2Tiles, packB: packBAsm, inPlaceB: true,
}

// On amd64 gemm runs on AVX2 when the CPU (and the OS, which must save the
// ymm registers) supports it.
func init() {
	simd, simdReady = &avx2Kernel, cpu.X86.HasAVX2
	simdOn = simdReady
}

// avx2Tiles is microKernel.tiles on gemmKernelAVX2, tile by tile; the
// driver has resliced a, b and c to what the tiles touch.
func avx2Tiles(kc int, a []float32, ars, acs, ats int, b []float32, ldb, bts int, c []float32, ldc int, load bool, mt, nt int) {
	for tj := range nt {
		for ti := range mt {
			gemmKernelAVX2(kc, &a[ti*ats], ars, acs, &b[tj*bts], ldb, &c[ti*gemmAsmMR*ldc+tj*gemmAsmNR], ldc, load)
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
