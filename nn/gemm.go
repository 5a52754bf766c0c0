package nn

// gemm computes C = op(A)·op(B), or C += op(A)·op(B) when accumulate is set.
// op(A) is m x k and op(B) is k x n; C is m x n. All three are row-major and
// contiguous. With transA, a holds A's transpose (k x m); with transB, b holds
// B's transpose (n x k).
//
// Reference loop (gemmNaive, kept as the oracle in the tests):
//
//	for i < m, j < n: c[i*n+j] (+)= sum over p < k of A[i][p] * B[p][j]
func gemm(transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) {
	gemmNaive(transA, transB, m, n, k, a, b, c, accumulate)
}

// gemmNaive is the reference for gemm: the plain triple loop, summing in
// float32 in order of p.
func gemmNaive(transA, transB bool, m, n, k int, a, b, c []float32, accumulate bool) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var sum float32
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*m+i]
				} else {
					av = a[i*k+p]
				}
				if transB {
					bv = b[j*k+p]
				} else {
					bv = b[p*n+j]
				}
				sum += av * bv
			}
			if accumulate {
				c[i*n+j] += sum
			} else {
				c[i*n+j] = sum
			}
		}
	}
}
