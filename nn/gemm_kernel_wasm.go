//go:build wasm

package nn

// The micro-kernel's tile under WebAssembly: 2 rows by 4 columns, with the k
// loop unrolled 4 times, measured best under V8 (its register allocator
// spills larger tiles).
const (
	gemmMR = 2
	gemmNR = 4
)

// gemmKernel computes an mr x nr tile of C: c[i*ldc+j] = (load ? c[i*ldc+j]
// : 0) + sum over p < kc of float32(a[p*mr+i] * b[p*nr+j]), adding the
// products in order of p. a and b are packed panels (packA, packB).
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
