//go:build (!amd64 || noasm) && !(js && wasm)

package kernel

// The Winograd input and output transforms on channel rows are their Go
// loops here; amd64 runs them in AVX2 assembly (winovec_amd64.go),
// WebAssembly on its SIMD module (winovec_wasm.go).

// FlushVecOps has nothing to do: the transforms ran when called.
func FlushVecOps() {}

// Bt4Vec is bt4VecGo.
func Bt4Vec(v0, v1, v2, v3, d0, d1, d2, d3 []float32) { bt4VecGo(v0, v1, v2, v3, d0, d1, d2, d3) }

// B4Vec is b4VecGo.
func B4Vec(d0, d1, d2, d3, v0, v1, v2, v3 []float32) { b4VecGo(d0, d1, d2, d3, v0, v1, v2, v3) }

// B4AddVec is b4AddVecGo.
func B4AddVec(d0, d1, d2, d3, v0, v1, v2, v3 []float32) {
	b4AddVecGo(d0, d1, d2, d3, v0, v1, v2, v3)
}

// At4Vec is at4VecGo.
func At4Vec(y0, y1, m0, m1, m2, m3 []float32) { at4VecGo(y0, y1, m0, m1, m2, m3) }

// A2Vec is a2VecGo.
func A2Vec(m0, m1, m2, m3, y0, y1 []float32) { a2VecGo(m0, m1, m2, m3, y0, y1) }
