package nn

// The arithmetic of Winograd F(2x2, 3x3) (winograd.go has the layer that
// uses it): the 1-D transforms and their adjoints, the kernel transform and
// its gradient, and the transforms on whole rows of channels that the tile
// loops call (in AVX2 assembly on amd64: winovec_amd64.go).

// The 1-D transforms; each 2-D one applies its 1-D transform to the columns
// of a tile, then to the rows.

// bt4 is Bᵀ·d for a column d of 4.
func bt4(d0, d1, d2, d3 float32) (v0, v1, v2, v3 float32) {
	return d0 - d2, d1 + d2, d2 - d1, d1 - d3
}

// b4 is B·v, bt4's adjoint.
func b4(v0, v1, v2, v3 float32) (d0, d1, d2, d3 float32) {
	return v0, v1 - v2 + v3, v1 + v2 - v0, -v3
}

// at4 is Aᵀ·m for a column m of 4.
func at4(m0, m1, m2, m3 float32) (y0, y1 float32) {
	return m0 + m1 + m2, m1 - m2 - m3
}

// a2 is A·y, at4's adjoint.
func a2(y0, y1 float32) (m0, m1, m2, m3 float32) {
	return y0, y0 + y1, y0 - y1, -y1
}

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

// The transforms on whole rows of channels: element k of each output comes
// from element k of the inputs. Every input element is read before the
// outputs are written, so an output may be an input (in place). bt4Vec,
// b4Vec, b4AddVec, at4Vec and a2Vec run these loops, or on amd64 AVX2
// assembly with the same bits (winovec_amd64.go); the g3/gt4 ones transform
// the kernel, once a step, and stay in Go.

// bt4VecGo is bt4 on each channel.
func bt4VecGo(v0, v1, v2, v3, d0, d1, d2, d3 []float32) {
	d1, d2, d3 = d1[:len(d0)], d2[:len(d0)], d3[:len(d0)]
	v0, v1, v2, v3 = v0[:len(d0)], v1[:len(d0)], v2[:len(d0)], v3[:len(d0)]
	for k := range d0 {
		v0[k], v1[k], v2[k], v3[k] = bt4(d0[k], d1[k], d2[k], d3[k])
	}
}

// b4VecGo is b4 on each channel.
func b4VecGo(d0, d1, d2, d3, v0, v1, v2, v3 []float32) {
	v1, v2, v3 = v1[:len(v0)], v2[:len(v0)], v3[:len(v0)]
	d0, d1, d2, d3 = d0[:len(v0)], d1[:len(v0)], d2[:len(v0)], d3[:len(v0)]
	for k := range v0 {
		d0[k], d1[k], d2[k], d3[k] = b4(v0[k], v1[k], v2[k], v3[k])
	}
}

// b4AddVecGo adds b4 of each channel to d0..d3.
func b4AddVecGo(d0, d1, d2, d3, v0, v1, v2, v3 []float32) {
	v1, v2, v3 = v1[:len(v0)], v2[:len(v0)], v3[:len(v0)]
	d0, d1, d2, d3 = d0[:len(v0)], d1[:len(v0)], d2[:len(v0)], d3[:len(v0)]
	for k := range v0 {
		a, b, c, d := b4(v0[k], v1[k], v2[k], v3[k])
		d0[k] += a
		d1[k] += b
		d2[k] += c
		d3[k] += d
	}
}

// at4VecGo is at4 on each channel.
func at4VecGo(y0, y1, m0, m1, m2, m3 []float32) {
	m1, m2, m3 = m1[:len(m0)], m2[:len(m0)], m3[:len(m0)]
	y0, y1 = y0[:len(m0)], y1[:len(m0)]
	for k := range m0 {
		y0[k], y1[k] = at4(m0[k], m1[k], m2[k], m3[k])
	}
}

// a2VecGo is a2 on each channel.
func a2VecGo(m0, m1, m2, m3, y0, y1 []float32) {
	y1 = y1[:len(y0)]
	m0, m1, m2, m3 = m0[:len(y0)], m1[:len(y0)], m2[:len(y0)], m3[:len(y0)]
	for k := range y0 {
		m0[k], m1[k], m2[k], m3[k] = a2(y0[k], y1[k])
	}
}

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
