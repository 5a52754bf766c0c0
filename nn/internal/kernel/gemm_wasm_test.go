//go:build js && wasm

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The tests run under tools/wasmexec (make test-wasm), which hands the
// program its memory as the page's worker does: the SIMD kernel must link,
// or every comparison below would compare the pure-Go kernel with itself.
func TestWasmSIMDLinked(t *testing.T) {
	require.True(t, simdReady, "the WebAssembly SIMD kernel did not link: run the tests with tools/wasmexec on PATH (make test-wasm)")
	checkGemmSIMDPath(t, "wasm-simd")
}

// TestWasmSIMDMatchesPureGo: the SIMD path gives the pure-Go kernel's bits,
// for every transpose, with and without accumulating, on shapes with and
// without edge tiles, k over several blocks, and batches of products.
func TestWasmSIMDMatchesPureGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	shapes := [][3]int{{1, 1, 1}, {4, 8, 1}, {3, 5, 7}, {4, 8, 300}, {9, 17, 33}, {16, 32, 9}, {64, 128, 128}, {6, 10, 513}, {33, 70, 64}, {2, 1152, 128}}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, acc := range []bool{false, true} {
				for _, batch := range []int{1, 3} {
					name := fmt.Sprintf("m=%d,n=%d,k=%d,tA=%v,tB=%v,acc=%v,batch=%d", m, n, k, tr[0], tr[1], acc, batch)
					sa, sb, sc := m*k+3, k*n+1, m*n+5
					a, b := randSlice(rng, batch*sa), randSlice(rng, batch*sb)
					c0 := randSlice(rng, batch*sc)
					var simd, pure []float32
					withSIMD(true, func() {
						simd = append([]float32(nil), c0...)
						gemmBatchWorkers(1, batch, sa, sb, sc, tr[0], tr[1], m, n, k, a, b, simd, acc)
					})
					withSIMD(false, func() {
						pure = append([]float32(nil), c0...)
						gemmBatchWorkers(1, batch, sa, sb, sc, tr[0], tr[1], m, n, k, a, b, pure, acc)
					})
					require.Equal(t, pure, simd, name)
				}
			}
		}
	}
}

// TestWasmSIMDReLUMatchesGo: ReLU on the SIMD module gives its Go loops'
// bits (any NaN for a NaN) on rows of every length up to 40, with awkward
// values (±0, NaNs, infinities, subnormals) among ordinary ones, in place
// and not.
func TestWasmSIMDReLUMatchesGo(t *testing.T) {
	require.True(t, simdOn)
	rng := rand.New(rand.NewPCG(13, 14))
	awkward := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1e-45, -1e-45, 1, -1}
	row := func(n int) []float32 {
		r := make([]float32, n)
		for i := range r {
			if rng.IntN(3) == 0 {
				r[i] = awkward[rng.IntN(len(awkward))]
			} else {
				r[i] = float32(rng.NormFloat64())
			}
		}
		return r
	}
	same := func(want, got []float32, what string) {
		for i := range want {
			w, g := want[i], got[i]
			require.True(t, math.Float32bits(w) == math.Float32bits(g) || (w != w && g != g), "%s [%d]: SIMD %v, Go %v", what, i, g, w)
		}
	}
	for n := 0; n <= 40; n++ {
		z, dy, y := row(n), row(n), row(n)
		want, got := make([]float32, n), make([]float32, n)
		reluForwardGo(want, z)
		ReLUForward(got, z)
		same(want, got, fmt.Sprintf("forward, n=%d", n))
		inPlace := append([]float32(nil), z...)
		ReLUForward(inPlace, inPlace)
		same(want, inPlace, fmt.Sprintf("forward in place, n=%d", n))
		reluBackwardGo(want, dy, y)
		ReLUBackward(got, dy, y)
		same(want, got, fmt.Sprintf("backward, n=%d", n))
	}
}
