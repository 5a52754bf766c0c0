//go:build amd64 && !noasm

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The machines this runs on have AVX2; were one not to, every comparison
// below would compare the pure-Go kernel with itself.
func TestGemmAsmAvailable(t *testing.T) {
	require.True(t, simdReady, "this amd64 CPU reports no AVX2: the assembly path is untested")
	checkGemmSIMDPath(t, "avx2")
}

// TestGemmKernelAVX2HandComputed checks the kernel's rounding and order on
// one full tile, with every lane given the same awkward sum.
func TestGemmKernelAVX2HandComputed(t *testing.T) {
	const e = 1.0 / 4096 // 2^-12
	for _, tc := range []struct {
		name string
		a, b []float32 // per step p: A's element (the same for every row), B's (every column)
		c0   float32   // C before, when load is set
		load bool
		want float32
	}{
		// (1+2^-12)^2 = 1 + 2^-11 + 2^-24 rounds (a tie, to even) to
		// 1 + 2^-11 in float32; -1 leaves 2^-11. A fused multiply-add
		// would keep the 2^-24.
		{"product rounded before the add", []float32{1 + e}, []float32{1 + e}, -1, true, 2 * e},
		// In order of p: 1e8 + 1 rounds back to 1e8 (float32's spacing
		// there is 8), then -1e8 gives 0; any other order gives 1.
		{"in order of p", []float32{1e8, 1, -1e8}, []float32{1, 1, 1}, 0, false, 0},
		{"from C, in order of p", []float32{1, -1e8}, []float32{1, 1}, 1e8, true, 0},
		{"without load C is ignored", []float32{2, 3}, []float32{-1, 0.5}, 99, false, -0.5},
		// kc = 5: one group of 4 steps and one step after it; 1+2+3+4-10.
		{"4 steps unrolled and a tail", []float32{1, 2, 3, 4, 5}, []float32{1, 1, 1, 1, -2}, 0.25, true, 0.25},
		{"NaN propagates", []float32{float32(math.NaN()), 1}, []float32{1, 1}, 0, false, float32(math.NaN())},
		// The sum starts from +0, as in the scalar kernel: +0 + -0 = +0.
		{"a -0 product gives +0 without load", []float32{-1}, []float32{0}, 5, false, 0},
		{"-0 in C stays -0 plus a -0 product", []float32{-1}, []float32{0}, float32(math.Copysign(0, -1)), true, float32(math.Copysign(0, -1))},
	} {
		// A packed (element (i, p) at p*6+i) or in rows 2 apart (at
		// i*(kc+2)+p), B packed (row p at p*16) or 1 apart (at p*17).
		for _, packed := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/packed=%v", tc.name, packed), func(t *testing.T) {
				kc := len(tc.a)
				ars, acs, ldb := 1, gemmAsmMR, gemmAsmNR
				if !packed {
					ars, acs, ldb = kc+2, 1, gemmAsmNR+1
				}
				a := make([]float32, (gemmAsmMR-1)*ars+(kc-1)*acs+1)
				b := make([]float32, (kc-1)*ldb+gemmAsmNR)
				for p := range kc {
					for i := range gemmAsmMR {
						a[i*ars+p*acs] = tc.a[p]
					}
					for j := range gemmAsmNR {
						b[p*ldb+j] = tc.b[p]
					}
				}
				const ldc = gemmAsmNR + 3 // 3 columns between rows that the kernel must not touch
				c := make([]float32, gemmAsmMR*ldc)
				for i := range c {
					c[i] = 7
				}
				for i := range gemmAsmMR {
					for j := range gemmAsmNR {
						c[i*ldc+j] = tc.c0
					}
				}
				gemmKernelAVX2(kc, &a[0], ars, acs, &b[0], ldb, &c[0], ldc, tc.load)
				for i := range gemmAsmMR {
					for j := range ldc {
						got := c[i*ldc+j]
						if j >= gemmAsmNR {
							require.Equal(t, float32(7), got, "wrote outside the tile at row %d, column %d", i, j)
							continue
						}
						require.Equal(t, math.Float32bits(tc.want), math.Float32bits(got), "c[%d][%d] = %v, want %v", i, j, got, tc.want)
					}
				}
			})
		}
	}
}

// TestGemmAsmMatchesGo: the AVX2 path and the pure-Go kernel agree bit for
// bit, accumulating or not, on every transpose combination, on sizes that
// fill no tile, one tile, primes, tiles plus one, k over several blocks of
// either path, and several worker counts.
func TestGemmAsmMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 4))
	sizes := [][3]int{ // m, n, k
		{1, 1, 1}, {1, 16, 1}, {6, 16, 1}, {6, 16, 4}, {6, 16, 5}, {7, 17, 3},
		{5, 15, 2}, {1, 7, 3}, {5, 1, 2}, {13, 17, 19}, {12, 32, 256}, {12, 32, 257},
		{8, 8, 300}, {130, 9, 257}, {3, 31, 600}, {129, 33, 513}, {37, 131, 11},
		{145, 47, 1031}, {31, 10, 1152},
	}
	for _, sz := range sizes {
		m, n, k := sz[0], sz[1], sz[2]
		a, b := randSlice(rng, m*k), randSlice(rng, k*n)
		for _, trans := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, acc := range []bool{false, true} {
				name := fmt.Sprintf("%dx%dx%d/transA=%v,transB=%v/acc=%v", m, n, k, trans[0], trans[1], acc)
				t.Run(name, func(t *testing.T) {
					c0 := randSlice(rng, m*n+3) // 3 sentinels past C
					want := append([]float32(nil), c0...)
					withSIMD(false, func() {
						gemmWorkers(1, trans[0], trans[1], m, n, k, a, b, want, acc)
					})
					for workers := 1; workers <= 3; workers++ {
						got := append([]float32(nil), c0...)
						gemmWorkers(workers, trans[0], trans[1], m, n, k, a, b, got, acc)
						requireSameBits(t, want, got, fmt.Sprintf("workers=%d", workers))
					}
				})
			}
		}
	}
}

// requireSameBits compares two slices bit for bit (NaN and -0 included).
func requireSameBits(t *testing.T, want, got []float32, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for i := range want {
		if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
			require.Failf(t, "bits differ", "%s: element %d: %v (%#x), want %v (%#x)",
				what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// A batch on the AVX2 path gives the pure-Go path's bits, product by
// product, with edges on every side and a k over several blocks.
func TestGemmBatchAsmMatchesGo(t *testing.T) {
	for _, tc := range []struct{ batch, m, n, k int }{{3, 7, 17, 3}, {4, 13, 33, 300}, {16, 42, 32, 32}} {
		for _, trans := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			name := fmt.Sprintf("%dx(%dx%dx%d)/%v", tc.batch, tc.m, tc.n, tc.k, trans)
			t.Run(name, func(t *testing.T) {
				sa, sb, sc := tc.m*tc.k+1, tc.k*tc.n+2, tc.m*tc.n+3
				rng := rand.New(rand.NewPCG(25, uint64(tc.k)))
				a, b, c0 := randSlice(rng, tc.batch*sa), randSlice(rng, tc.batch*sb), randSlice(rng, tc.batch*sc)
				want := append([]float32(nil), c0...)
				withSIMD(false, func() {
					gemmBatchWorkers(2, tc.batch, sa, sb, sc, trans[0], trans[1], tc.m, tc.n, tc.k, a, b, want, true)
				})
				got := append([]float32(nil), c0...)
				gemmBatchWorkers(2, tc.batch, sa, sb, sc, trans[0], trans[1], tc.m, tc.n, tc.k, a, b, got, true)
				requireSameBits(t, want, got, name)
			})
		}
	}
}
