// Package kernel holds the compute kernels under convplay's engine (package
// nn): the matrix product (gemm) with its micro-kernels, ReLU, the Winograd
// transforms on channel rows, and the helper goroutines that spread a
// kernel's chunks over the CPUs (ParallelFor).
//
// Each kernel has a pure-Go loop, which is its definition and, in the
// tests, its oracle, and SIMD versions that compute the same bits: AVX2
// assembly on amd64 (unless built with -tags noasm) and, in the browser,
// the WebAssembly SIMD module that package wasmsimd writes. Everything
// platform-specific (assembly, unsafe, golang.org/x/sys/cpu, syscall/js)
// lives here, so that package nn is plain Go over the standard library.
//
// Kernels trust their callers: nn checks every shape once, when a model is
// built, and a kernel reslices its arguments to the lengths it was given
// (x = x[:n]) so that the contract is visible and bounds checks drop out.
// Kernels take the destination first, as copy does.
package kernel

// grow returns buf resliced to n elements, reallocating only when its
// capacity is too small, so that a steady shape allocates nothing.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}
