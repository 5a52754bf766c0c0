package kernel

// The micro-kernel's tile: mr rows of op(A) by nr columns of op(B). 2x4 with
// the k loop unrolled 4 times measured fastest both natively (amd64: 10
// GFLOP/s per core against 7 for 4x4 or 3x4, whose accumulators and products
// spill out of the 16 SSE registers) and under WebAssembly in V8.
const (
	gemmMR = 2
	gemmNR = 4
)

// goKernel is the portable pure-Go micro-kernel, and the oracle the SIMD
// ones are tested against. Blocking: k is cut into blocks of at most 512
// steps; a packed block of op(A) (128 x kc, 256 KB) stays in the L2 cache
// and a packed micro-panel of op(B) (kc x nr, 8 KB) in L1.
var goKernel = microKernel{
	name: "go", mr: gemmMR, nr: gemmNR, kc: 512, mcMax: 128,
	tiles: goTiles, packA: packA, packB: packB,
}

// goTiles is microKernel.tiles on gemmKernel: op(A) and op(B) packed (ars
// 1, acs mr; ldb nr).
func goTiles(kc int, a []float32, _, _, ats int, b []float32, _, bts int, c []float32, ldc int, load bool, mt, nt int) {
	for tj := range nt {
		bp := b[tj*bts:][:kc*gemmNR]
		for ti := range mt {
			gemmKernel(kc, a[ti*ats:][:kc*gemmMR], bp, c[ti*gemmMR*ldc+tj*gemmNR:], ldc, load)
		}
	}
}

// gemmKernel computes an mr x nr tile of C from packed panels (packA,
// packB):
//
//	for i < mr, j < nr: c[i*ldc+j] = (load ? c[i*ldc+j] : 0) + sum over p < kc of float32(a[p*mr+i] * b[p*nr+j])
//
// adding the products in order of p. The k loop runs 4 steps at a time,
// then one at a time for the rest; each step is rank1 (inlined, so the
// eight sums stay in registers).
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
		c00, c01, c02, c03, c10, c11, c12, c13 = rank1(a[0], a[1], (*[4]float32)(b[0:4]), c00, c01, c02, c03, c10, c11, c12, c13)
		c00, c01, c02, c03, c10, c11, c12, c13 = rank1(a[2], a[3], (*[4]float32)(b[4:8]), c00, c01, c02, c03, c10, c11, c12, c13)
		c00, c01, c02, c03, c10, c11, c12, c13 = rank1(a[4], a[5], (*[4]float32)(b[8:12]), c00, c01, c02, c03, c10, c11, c12, c13)
		c00, c01, c02, c03, c10, c11, c12, c13 = rank1(a[6], a[7], (*[4]float32)(b[12:16]), c00, c01, c02, c03, c10, c11, c12, c13)
		a, b = a[8:], b[16:]
	}
	for len(a) >= 2 && len(b) >= 4 {
		c00, c01, c02, c03, c10, c11, c12, c13 = rank1(a[0], a[1], (*[4]float32)(b[0:4]), c00, c01, c02, c03, c10, c11, c12, c13)
		a, b = a[2:], b[4:]
	}
	c[0], c[1], c[2], c[3] = c00, c01, c02, c03
	r := c[ldc : ldc+4]
	r[0], r[1], r[2], r[3] = c10, c11, c12, c13
}

// rank1 is one step p of the 2x4 tile: the sums c plus the outer product
// of op(A)'s column (a0, a1) and op(B)'s row b, each product rounded to
// float32 before it is added.
func rank1(a0, a1 float32, b *[4]float32, c00, c01, c02, c03, c10, c11, c12, c13 float32) (float32, float32, float32, float32, float32, float32, float32, float32) {
	b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
	return c00 + float32(a0*b0), c01 + float32(a0*b1), c02 + float32(a0*b2), c03 + float32(a0*b3),
		c10 + float32(a1*b0), c11 + float32(a1*b1), c12 + float32(a1*b2), c13 + float32(a1*b3)
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
