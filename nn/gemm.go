package nn

import "convplay/nn/internal/kernel"

// GemmKernel names the matrix-product kernel every layer's products run
// on: "avx2", "wasm-simd" or "go" (the portable pure-Go kernel). The
// kernels live in package nn/internal/kernel.
func GemmKernel() string { return kernel.Name() }
