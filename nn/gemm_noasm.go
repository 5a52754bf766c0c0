//go:build !amd64 || noasm

package nn

// gemmAsm is gemm's assembly path, which this build (WebAssembly, or any
// platform but amd64, or `-tags noasm`) does not have: it reports false and
// gemmWorkers runs the pure-Go kernel.
func gemmAsm(workers int, transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) bool {
	return false
}
