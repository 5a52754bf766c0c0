package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// GemmBatchPacked with op(B) packed ahead (PackBatchB) computes what
// GemmBatch computes, bit for bit, on any number of workers: shapes with
// edges on every side, k over several blocks, every transposition.
func TestGemmBatchPackedSameBitsAsGemmBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, tc := range []struct{ batch, m, n, k int }{
		{1, 1, 1, 1}, {1, 2, 4, 3}, {3, 7, 17, 3}, {5, 13, 5, 600}, {16, 42, 32, 32}, {2, 0, 3, 4}, {2, 3, 4, 0},
	} {
		for _, trans := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, acc := range []bool{false, true} {
				t.Run(fmt.Sprintf("%dx(%dx%dx%d)/%v/acc=%v", tc.batch, tc.m, tc.n, tc.k, trans, acc), func(t *testing.T) {
					m, n, k := tc.m, tc.n, tc.k
					sa, sb, sc := m*k+5, k*n+2, m*n+3
					a, b := randSlice(rng, tc.batch*sa), randSlice(rng, tc.batch*sb)
					c0 := randSlice(rng, tc.batch*sc)
					want := append([]float32(nil), c0...)
					gemmBatchWorkers(1, tc.batch, sa, sb, sc, trans[0], trans[1], m, n, k, a, b, want, acc)
					bpack := PackBatchB(nil, tc.batch, sb, trans[1], n, k, b)
					for workers := 1; workers <= 3; workers++ {
						got := append([]float32(nil), c0...)
						gemmBatchPackedWorkers(workers, tc.batch, sa, sb, sc, trans[0], trans[1], m, n, k, a, b, bpack, got, acc)
						require.Equal(t, want, got, "workers=%d", workers)
					}
				})
			}
		}
	}
}

// PackBatchB lays a tiny op(B) out as the pure-Go kernel reads it: panels
// of nr = 4 columns, k rows each, the columns past n zero.
func TestPackBatchB(t *testing.T) {
	// Two products of B (2 x 5), 10 apart in b; B[p][j] = 10*i + 5*p + j.
	b := make([]float32, 20)
	for i := range b {
		b[i] = float32(i)
	}
	want := []float32{
		0, 1, 2, 3, 5, 6, 7, 8, 4, 0, 0, 0, 9, 0, 0, 0,
		10, 11, 12, 13, 15, 16, 17, 18, 14, 0, 0, 0, 19, 0, 0, 0,
	}
	require.Equal(t, want, PackBatchB(nil, 2, 10, false, 5, 2, b))
	// Transposed: b holds Bᵀ (5 x 2), B[p][j] = b[2*j+p].
	wantT := []float32{
		0, 2, 4, 6, 1, 3, 5, 7, 8, 0, 0, 0, 9, 0, 0, 0,
		10, 12, 14, 16, 11, 13, 15, 17, 18, 0, 0, 0, 19, 0, 0, 0,
	}
	require.Equal(t, wantT, PackBatchB(nil, 2, 10, true, 5, 2, b))
}
