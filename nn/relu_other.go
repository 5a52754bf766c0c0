//go:build !amd64 || noasm

package nn

// ReLU is its Go loops here; amd64 runs them in AVX2 assembly (relu_amd64.go).

func reluForward(y, z []float32)       { reluForwardGo(y, z) }
func reluBackward(dz, dy, y []float32) { reluBackwardGo(dz, dy, y) }
