package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randSlice returns n values uniform in [-1, 1) from rng.
func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}

func TestGemmHandComputed(t *testing.T) {
	// A = [1 2 3; 4 5 6] (2x3), B = [1 -1; 0 2; -2 0.5] (3x2).
	// A·B = [1+0-6, -1+4+1.5; 4+0-12, -4+10+3] = [-5 4.5; -8 9].
	a := []float32{1, 2, 3, 4, 5, 6}
	aT := []float32{1, 4, 2, 5, 3, 6}
	b := []float32{1, -1, 0, 2, -2, 0.5}
	bT := []float32{1, 0, -2, -1, 2, 0.5}
	want := []float32{-5, 4.5, -8, 9}
	for _, tc := range []struct {
		name           string
		transA, transB bool
		a, b           []float32
	}{
		{"NN", false, false, a, b},
		{"TN", true, false, aT, b},
		{"NT", false, true, a, bT},
		{"TT", true, true, aT, bT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := []float32{7, 7, 7, 7, 99} // the last value lies outside C
			Gemm(tc.transA, tc.transB, 2, 2, 3, tc.a, tc.b, c, false)
			assert.Equal(t, append(want, 99), c)
			Gemm(tc.transA, tc.transB, 2, 2, 3, tc.a, tc.b, c, true)
			assert.Equal(t, []float32{-10, 9, -16, 18, 99}, c)
		})
	}
}

func TestGemmMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := [][3]int{ // m, n, k
		{1, 1, 1}, {1, 7, 3}, {5, 1, 2}, {4, 4, 4}, {2, 4, 8}, {3, 5, 7},
		{13, 17, 19}, {8, 8, 300}, {130, 9, 257}, {3, 31, 600}, {129, 33, 513},
		{37, 131, 11}, {2, 3, 0},
	}
	for _, sz := range sizes {
		m, n, k := sz[0], sz[1], sz[2]
		for _, trans := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			name := fmt.Sprintf("%dx%dx%d/transA=%v,transB=%v", m, n, k, trans[0], trans[1])
			t.Run(name, func(t *testing.T) {
				a, b := randSlice(rng, m*k), randSlice(rng, k*n)
				c0 := randSlice(rng, m*n+3) // 3 sentinels past C
				want := append([]float32(nil), c0...)
				got := append([]float32(nil), c0...)
				gemmNaive(trans[0], trans[1], m, n, k, a, b, want, false)
				Gemm(trans[0], trans[1], m, n, k, a, b, got, false)
				require.Equal(t, want, got, "same summation order: bit-identical")

				// Accumulating adds the products to C one by one, where the
				// oracle adds their sum: equal within rounding, relative to
				// the size of the terms.
				copy(want, c0)
				copy(got, c0)
				gemmNaive(trans[0], trans[1], m, n, k, a, b, want, true)
				Gemm(trans[0], trans[1], m, n, k, a, b, got, true)
				abs := make([]float32, m*n)
				absA, absB := absSlice(a), absSlice(b)
				gemmNaive(trans[0], trans[1], m, n, k, absA, absB, abs, false)
				for i := range m * n {
					scale := float64(abs[i]) + math.Abs(float64(c0[i]))
					require.InDelta(t, want[i], got[i], 1e-5*scale, "c[%d]", i)
				}
				require.Equal(t, c0[m*n:], got[m*n:], "wrote past C")
			})
		}
	}
}

func absSlice(s []float32) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(math.Abs(float64(v)))
	}
	return out
}

// The k sum never depends on the number of workers: outputs are split, not k.
func TestGemmWorkersBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][3]int{{301, 70, 290}, {9, 200, 40}, {288, 32, 1000}} {
		m, n, k := sz[0], sz[1], sz[2]
		a, b := randSlice(rng, m*k), randSlice(rng, k*n)
		for _, trans := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, acc := range []bool{false, true} {
				t.Run(fmt.Sprintf("%dx%dx%d/%v/acc=%v", m, n, k, trans, acc), func(t *testing.T) {
					c0 := randSlice(rng, m*n)
					var results [][]float32
					for workers := 1; workers <= 3; workers++ {
						c := append([]float32(nil), c0...)
						gemmWorkers(workers, trans[0], trans[1], m, n, k, a, b, c, acc)
						results = append(results, c)
					}
					require.Equal(t, results[0], results[1], "1 vs 2 workers")
					require.Equal(t, results[0], results[2], "1 vs 3 workers")
				})
			}
		}
	}
}

// TestGemmAllocatesNothing runs on whichever kernel the build uses (AVX2 on
// amd64, pure Go with -tags noasm and in WebAssembly); n = 70 leaves edge
// tiles for both kernels.
func TestGemmAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	m, k := 100, 300
	for _, n := range []int{64, 70} {
		a, b, c := randSlice(rng, m*k), randSlice(rng, k*n), make([]float32, m*n)
		for _, workers := range []int{1, 2, 3} {
			gemmWorkers(workers, false, true, m, n, k, a, b, c, false) // grow the workspace
			allocs := testing.AllocsPerRun(5, func() {
				gemmWorkers(workers, false, true, m, n, k, a, b, c, false)
				gemmWorkers(workers, true, false, m, n, k, a, b, c, true)
			})
			assert.Zero(t, allocs, "n=%d workers=%d", n, workers)
		}
	}
}

// gemmBatchCase runs batch products of one shape through gemmBatchWorkers
// on 1, 2 and 3 workers, their a, b and c spaced with gaps, and requires
// each C to be the bits of that product alone (gemmWorkers, one worker) and
// the gaps between the Cs untouched.
func gemmBatchCase(t *testing.T, rng *rand.Rand, batch, m, n, k int, transA, transB, acc bool) {
	sa, sb, sc := m*k+5, k*n+2, m*n+3
	a, b := randSlice(rng, batch*sa), randSlice(rng, batch*sb)
	c0 := randSlice(rng, batch*sc)
	want := append([]float32(nil), c0...)
	for i := range batch {
		gemmWorkers(1, transA, transB, m, n, k, a[i*sa:], b[i*sb:], want[i*sc:i*sc+m*n], acc)
	}
	for workers := 1; workers <= 3; workers++ {
		got := append([]float32(nil), c0...)
		gemmBatchWorkers(workers, batch, sa, sb, sc, transA, transB, m, n, k, a, b, got, acc)
		require.Equal(t, want, got, "workers=%d", workers)
	}
}

// A batch of products is each product computed alone, bit for bit, on any
// number of workers: one product, tiny ones with edges on every side, a k
// over several blocks, and Winograd's 16 of the reference model's shape.
func TestGemmBatchSameBitsAsOneByOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, tc := range []struct{ batch, m, n, k int }{
		{1, 9, 200, 40}, {3, 1, 1, 1}, {3, 7, 17, 3}, {5, 13, 5, 600}, {16, 42, 32, 32}, {2, 0, 3, 4}, {2, 3, 4, 0},
	} {
		for _, trans := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, acc := range []bool{false, true} {
				t.Run(fmt.Sprintf("%dx(%dx%dx%d)/%v/acc=%v", tc.batch, tc.m, tc.n, tc.k, trans, acc), func(t *testing.T) {
					gemmBatchCase(t, rng, tc.batch, tc.m, tc.n, tc.k, trans[0], trans[1], acc)
				})
			}
		}
	}
}

func TestGemmBatchAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	const batch, m, n, k = 16, 50, 32, 64
	a, b, c := randSlice(rng, batch*m*k), randSlice(rng, batch*k*n), make([]float32, batch*m*n)
	for _, workers := range []int{1, 2, 3} {
		gemmBatchWorkers(workers, batch, m*k, k*n, m*n, false, true, m, n, k, a, b, c, false) // grow the workspace
		allocs := testing.AllocsPerRun(5, func() {
			gemmBatchWorkers(workers, batch, m*k, k*n, m*n, false, true, m, n, k, a, b, c, false)
			gemmBatchWorkers(workers, batch, m*k, k*n, m*n, true, false, m, n, k, a, b, c, true)
		})
		assert.Zero(t, allocs, "workers=%d", workers)
	}
}

// checkGemmSIMDPath: the build's SIMD micro-kernel is on, computes a
// product and Name names it; switched off (SetSIMD(false)), gemm runs the
// pure-Go kernel and Name says "go".
func checkGemmSIMDPath(t *testing.T, name string) {
	c := []float32{0}
	require.NotNil(t, simd, "the build has a SIMD micro-kernel")
	require.True(t, simdOn, "and gemm runs on it")
	assert.Equal(t, name, Name())
	assert.Same(t, simd, active())
	Gemm(false, false, 1, 1, 1, []float32{2}, []float32{3}, c, false)
	assert.Equal(t, []float32{6}, c)
	withSIMD(false, func() {
		assert.Same(t, &goKernel, active())
		assert.Equal(t, "go", Name())
	})
	assert.Equal(t, name, Name())
}

// withSIMD runs f with gemm's SIMD micro-kernel on or off (and, in
// WebAssembly, ReLU's and the Winograd transforms' SIMD with it), then
// restores the setting.
func withSIMD(on bool, f func()) {
	defer SetSIMD(SetSIMD(on))
	f()
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
				sum += float32(av * bv) // rounded: never fused into an FMA
			}
			if accumulate {
				c[i*n+j] += sum
			} else {
				c[i*n+j] = sum
			}
		}
	}
}

// BenchmarkGoMicroKernel times the pure-Go 2x4 tile over a full k block
// (512 steps, packed panels in L1): 2*2*4*512 flops per call.
func BenchmarkGoMicroKernel(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	const kc = 512
	a, bp := randSlice(rng, kc*gemmMR), randSlice(rng, kc*gemmNR)
	c := make([]float32, gemmMR*gemmNR)
	b.SetBytes(0)
	for b.Loop() {
		gemmKernel(kc, a, bp, c, gemmNR, true)
	}
	b.ReportMetric(float64(2*gemmMR*gemmNR*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
