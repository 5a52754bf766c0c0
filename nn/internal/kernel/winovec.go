package kernel

// The input and output transforms of Winograd F(2x2, 3x3) (nn's
// winograd.go has the layer that uses them, winograd_math.go the kernel
// transforms), as 1-D transforms on columns of 4 and as their Go loops on
// whole rows of channels. Bt4Vec, B4Vec, B4AddVec, At4Vec and A2Vec run
// these loops, or SIMD with the same bits: AVX2 assembly on amd64
// (winovec_amd64.go), the WebAssembly SIMD module in the browser
// (winovec_wasm.go). Each 2-D transform applies its 1-D transform to the
// columns of a tile, then to the rows.
//
// A caller must call FlushVecOps after a run of transforms and before it
// reads their outputs other than through later transforms: in WebAssembly
// they are queued and run in one call into the module; elsewhere they ran
// when called and FlushVecOps does nothing.

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

// The transforms on whole rows of channels: element k of each output comes
// from element k of the inputs. Every input element is read before the
// outputs are written, so an output may be an input (in place).

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
