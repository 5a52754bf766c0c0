//go:build (!amd64 || noasm) && !(js && wasm)

package kernel

// ReLU is its Go loops here; amd64 runs them in AVX2 assembly (relu_amd64.go),
// WebAssembly on its SIMD module (relu_wasm.go).

func ReLUForward(y, z []float32)       { reluForwardGo(y, z) }
func ReLUBackward(dz, dy, y []float32) { reluBackwardGo(dz, dy, y) }
