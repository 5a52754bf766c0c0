//go:build js && wasm

package kernel

// ReLU on the WebAssembly SIMD module (package wasmsimd) when gemm's SIMD path is
// on: one call per chunk of activations, whole groups of 4 values, the Go
// loop the rest.

// ReLUForward is reluForwardGo.
func ReLUForward(y, z []float32) {
	if n := len(z) &^ 3; simdOn && n > 0 {
		_ = y[n-1]
		wasmSIMD.reluForward.Invoke(addr(y), addr(z), n)
		if n == len(z) {
			return
		}
		y, z = y[n:], z[n:]
	}
	reluForwardGo(y, z)
}

// ReLUBackward is reluBackwardGo.
func ReLUBackward(dz, dy, y []float32) {
	if n := len(dy) &^ 3; simdOn && n > 0 {
		_, _ = dz[n-1], y[n-1]
		wasmSIMD.reluBackward.Invoke(addr(dz), addr(dy), addr(y), n)
		if n == len(dy) {
			return
		}
		dz, dy, y = dz[n:], dy[n:], y[n:]
	}
	reluBackwardGo(dz, dy, y)
}
