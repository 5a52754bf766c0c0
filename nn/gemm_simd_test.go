package nn

import (
	"math"
	"math/rand/v2"

	"convplay/nn/internal/kernel"
)

// withSIMD runs f with gemm's SIMD micro-kernel on or off (in WebAssembly
// ReLU's and the Winograd transforms' SIMD with it), then restores it.
func withSIMD(on bool, f func()) {
	defer kernel.SetSIMD(kernel.SetSIMD(on))
	f()
}

// randSlice returns n values uniform in [-1, 1) from rng.
func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}

// absSlice returns |v| for every v of s.
func absSlice(s []float32) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(math.Abs(float64(v)))
	}
	return out
}
