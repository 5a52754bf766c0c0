//go:build !wasm

package nn

// The micro-kernel's tile: mr rows of A by nr columns of B, held in 16
// float32 accumulators. 4x4 measured fastest natively (amd64 has 16 SSE
// registers; Go keeps most accumulators in them).
const (
	gemmMR = 4
	gemmNR = 4
)

// gemmKernel computes an mr x nr tile of C: c[i*ldc+j] = (load ? c[i*ldc+j]
// : 0) + sum over p < kc of float32(a[p*mr+i] * b[p*nr+j]), adding the
// products in order of p. a and b are packed panels (packA, packB).
func gemmKernel(kc int, a, b, c []float32, ldc int, load bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	c = c[:3*ldc+4]
	if load {
		c00, c01, c02, c03 = c[0], c[1], c[2], c[3]
		r := c[ldc : ldc+4]
		c10, c11, c12, c13 = r[0], r[1], r[2], r[3]
		r = c[2*ldc : 2*ldc+4]
		c20, c21, c22, c23 = r[0], r[1], r[2], r[3]
		r = c[3*ldc : 3*ldc+4]
		c30, c31, c32, c33 = r[0], r[1], r[2], r[3]
	}
	a, b = a[:kc*4], b[:kc*4]
	for len(a) >= 4 && len(b) >= 4 {
		a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		c00 += float32(a0 * b0)
		c01 += float32(a0 * b1)
		c02 += float32(a0 * b2)
		c03 += float32(a0 * b3)
		c10 += float32(a1 * b0)
		c11 += float32(a1 * b1)
		c12 += float32(a1 * b2)
		c13 += float32(a1 * b3)
		c20 += float32(a2 * b0)
		c21 += float32(a2 * b1)
		c22 += float32(a2 * b2)
		c23 += float32(a2 * b3)
		c30 += float32(a3 * b0)
		c31 += float32(a3 * b1)
		c32 += float32(a3 * b2)
		c33 += float32(a3 * b3)
		a, b = a[4:], b[4:]
	}
	c[0], c[1], c[2], c[3] = c00, c01, c02, c03
	r := c[ldc : ldc+4]
	r[0], r[1], r[2], r[3] = c10, c11, c12, c13
	r = c[2*ldc : 2*ldc+4]
	r[0], r[1], r[2], r[3] = c20, c21, c22, c23
	r = c[3*ldc : 3*ldc+4]
	r[0], r[1], r[2], r[3] = c30, c31, c32, c33
}
