//go:build amd64 && !noasm

package kernel

import "golang.org/x/sys/cpu"

// The Winograd input and output transforms on channel rows (Bt4Vec, B4Vec,
// B4AddVec, At4Vec, A2Vec) and ReLU (relu_amd64.go) in AVX2 assembly
// (winovec_amd64.s, relu_amd64.s), 8 channels to a ymm register. Each lane
// computes what the Go loop computes for its element, bit for bit: the same
// additions and subtractions in the same order ((a+b)+c as Go evaluates
// a+b+c), negation as a flip of the sign bit (as Go's -v), no FMA. Per group
// of 8 elements every input is loaded before any output is stored, so an
// output may be an input, as the Go loops allow (whole rows: the callers
// never pass rows that overlap in part). The assembly takes whole groups of
// 8; the Go loop finishes the rest of a row.

// vecAsmEnabled says whether the transforms and ReLU take the AVX2 path: the
// CPU (and the OS) supports AVX2. The tests turn it off to compare the paths.
var vecAsmEnabled = cpu.X86.HasAVX2

// FlushVecOps has nothing to do: the transforms ran when called (only
// WebAssembly queues them, winovec_wasm.go).
func FlushVecOps() {}

// vecAsmLen is how many leading elements of a row of n the assembly takes.
func vecAsmLen(n int) int {
	if !vecAsmEnabled {
		return 0
	}
	return n &^ 7
}

// The kernels below compute, for k < n (a positive multiple of 8), what
// their Go loops do (bt4VecGo etc.); the callers have checked every row
// holds n elements.

//go:noescape
func bt4VecAVX2(v0, v1, v2, v3, d0, d1, d2, d3 *float32, n int)

//go:noescape
func b4VecAVX2(d0, d1, d2, d3, v0, v1, v2, v3 *float32, n int)

//go:noescape
func b4AddVecAVX2(d0, d1, d2, d3, v0, v1, v2, v3 *float32, n int)

//go:noescape
func at4VecAVX2(y0, y1, m0, m1, m2, m3 *float32, n int)

//go:noescape
func a2VecAVX2(m0, m1, m2, m3, y0, y1 *float32, n int)

// Bt4Vec is bt4VecGo.
func Bt4Vec(v0, v1, v2, v3, d0, d1, d2, d3 []float32) {
	if n := vecAsmLen(len(d0)); n > 0 {
		_, _, _, _, _, _, _ = v0[n-1], v1[n-1], v2[n-1], v3[n-1], d1[n-1], d2[n-1], d3[n-1]
		bt4VecAVX2(&v0[0], &v1[0], &v2[0], &v3[0], &d0[0], &d1[0], &d2[0], &d3[0], n)
		if n == len(d0) {
			return
		}
		v0, v1, v2, v3, d0, d1, d2, d3 = v0[n:], v1[n:], v2[n:], v3[n:], d0[n:], d1[n:], d2[n:], d3[n:]
	}
	bt4VecGo(v0, v1, v2, v3, d0, d1, d2, d3)
}

// B4Vec is b4VecGo.
func B4Vec(d0, d1, d2, d3, v0, v1, v2, v3 []float32) {
	if n := vecAsmLen(len(v0)); n > 0 {
		_, _, _, _, _, _, _ = d0[n-1], d1[n-1], d2[n-1], d3[n-1], v1[n-1], v2[n-1], v3[n-1]
		b4VecAVX2(&d0[0], &d1[0], &d2[0], &d3[0], &v0[0], &v1[0], &v2[0], &v3[0], n)
		if n == len(v0) {
			return
		}
		d0, d1, d2, d3, v0, v1, v2, v3 = d0[n:], d1[n:], d2[n:], d3[n:], v0[n:], v1[n:], v2[n:], v3[n:]
	}
	b4VecGo(d0, d1, d2, d3, v0, v1, v2, v3)
}

// B4AddVec is b4AddVecGo.
func B4AddVec(d0, d1, d2, d3, v0, v1, v2, v3 []float32) {
	if n := vecAsmLen(len(v0)); n > 0 {
		_, _, _, _, _, _, _ = d0[n-1], d1[n-1], d2[n-1], d3[n-1], v1[n-1], v2[n-1], v3[n-1]
		b4AddVecAVX2(&d0[0], &d1[0], &d2[0], &d3[0], &v0[0], &v1[0], &v2[0], &v3[0], n)
		if n == len(v0) {
			return
		}
		d0, d1, d2, d3, v0, v1, v2, v3 = d0[n:], d1[n:], d2[n:], d3[n:], v0[n:], v1[n:], v2[n:], v3[n:]
	}
	b4AddVecGo(d0, d1, d2, d3, v0, v1, v2, v3)
}

// At4Vec is at4VecGo.
func At4Vec(y0, y1, m0, m1, m2, m3 []float32) {
	if n := vecAsmLen(len(m0)); n > 0 {
		_, _, _, _, _ = y0[n-1], y1[n-1], m1[n-1], m2[n-1], m3[n-1]
		at4VecAVX2(&y0[0], &y1[0], &m0[0], &m1[0], &m2[0], &m3[0], n)
		if n == len(m0) {
			return
		}
		y0, y1, m0, m1, m2, m3 = y0[n:], y1[n:], m0[n:], m1[n:], m2[n:], m3[n:]
	}
	at4VecGo(y0, y1, m0, m1, m2, m3)
}

// A2Vec is a2VecGo.
func A2Vec(m0, m1, m2, m3, y0, y1 []float32) {
	if n := vecAsmLen(len(y0)); n > 0 {
		_, _, _, _, _ = m0[n-1], m1[n-1], m2[n-1], m3[n-1], y1[n-1]
		a2VecAVX2(&m0[0], &m1[0], &m2[0], &m3[0], &y0[0], &y1[0], n)
		if n == len(y0) {
			return
		}
		m0, m1, m2, m3, y0, y1 = m0[n:], m1[n:], m2[n:], m3[n:], y0[n:], y1[n:]
	}
	a2VecGo(m0, m1, m2, m3, y0, y1)
}
