package nn

// The arithmetic of Winograd F(2x2, 3x3) (winograd.go has the layer that
// uses it): the kernel transform and its gradient, on whole rows of
// channels. The input and output transforms (Bᵀ, B, Aᵀ, A), which the tile
// loops run on every tile, are kernels: kernel.Bt4Vec and the others, in
// package kernel's winovec.go, with SIMD versions beside them.

// The 1-D transforms; each 2-D one applies its 1-D transform to the columns
// of a tile, then to the rows.

// g3 is G·g for a column g of 3.
func g3(g0, g1, g2 float32) (u0, u1, u2, u3 float32) {
	return g0, (g0 + g1 + g2) * 0.5, (g0 - g1 + g2) * 0.5, g2
}

// gt4 is Gᵀ·u, g3's adjoint.
func gt4(u0, u1, u2, u3 float32) (g0, g1, g2 float32) {
	h := (u1 + u2) * 0.5
	return u0 + h, (u1 - u2) * 0.5, h + u3
}

// winoKernel sets u (16, C, F) to G g Gᵀ for every 3x3 slice g of kernel
// (3, 3, C, F); cf = C*F. G·g goes into columns 0-2 of u's tiles, then ·Gᵀ
// in place.
func winoKernel(u, kernel []float32, cf int) {
	var g [9][]float32
	var d [16][]float32
	for i := range g {
		g[i] = kernel[i*cf : (i+1)*cf]
	}
	for i := range d {
		d[i] = u[i*cf : (i+1)*cf]
	}
	for j := 0; j < 3; j++ {
		g3Vec(d[j], d[4+j], d[8+j], d[12+j], g[j], g[3+j], g[6+j])
	}
	for i := 0; i < 16; i += 4 {
		g3Vec(d[i], d[i+1], d[i+2], d[i+3], d[i], d[i+1], d[i+2])
	}
}

// winoKernelGrad adds Gᵀ du G, for every 4x4 slice of du (16, C, F), into
// kernelG (3, 3, C, F); cf = C*F. Gᵀ·du goes into rows 0-2 of du's tiles in
// place (du is scratch), then ·G is added to kernelG.
func winoKernelGrad(kernelG, du []float32, cf int) {
	var g [9][]float32
	var s [16][]float32
	for i := range g {
		g[i] = kernelG[i*cf : (i+1)*cf]
	}
	for i := range s {
		s[i] = du[i*cf : (i+1)*cf]
	}
	for j := 0; j < 4; j++ {
		gt4Vec(s[j], s[4+j], s[8+j], s[j], s[4+j], s[8+j], s[12+j])
	}
	for r := 0; r < 3; r++ {
		gt4AddVec(g[3*r], g[3*r+1], g[3*r+2], s[4*r], s[4*r+1], s[4*r+2], s[4*r+3])
	}
}

// The kernel transforms on whole rows of channels: element k of each output
// comes from element k of the inputs. They run once a step, so they stay in
// Go.

// g3Vec is g3 on each channel.
func g3Vec(u0, u1, u2, u3, g0, g1, g2 []float32) {
	g1, g2 = g1[:len(g0)], g2[:len(g0)]
	u0, u1, u2, u3 = u0[:len(g0)], u1[:len(g0)], u2[:len(g0)], u3[:len(g0)]
	for k := range g0 {
		u0[k], u1[k], u2[k], u3[k] = g3(g0[k], g1[k], g2[k])
	}
}

// gt4Vec is gt4 on each channel.
func gt4Vec(g0, g1, g2, u0, u1, u2, u3 []float32) {
	u1, u2, u3 = u1[:len(u0)], u2[:len(u0)], u3[:len(u0)]
	g0, g1, g2 = g0[:len(u0)], g1[:len(u0)], g2[:len(u0)]
	for k := range u0 {
		g0[k], g1[k], g2[k] = gt4(u0[k], u1[k], u2[k], u3[k])
	}
}

// gt4AddVec adds gt4 of each channel to g0..g2.
func gt4AddVec(g0, g1, g2, u0, u1, u2, u3 []float32) {
	u1, u2, u3 = u1[:len(u0)], u2[:len(u0)], u3[:len(u0)]
	g0, g1, g2 = g0[:len(u0)], g1[:len(u0)], g2[:len(u0)]
	for k := range u0 {
		a, b, c := gt4(u0[k], u1[k], u2[k], u3[k])
		g0[k] += a
		g1[k] += b
		g2[k] += c
	}
}
