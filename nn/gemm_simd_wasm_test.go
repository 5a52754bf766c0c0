//go:build js && wasm

package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The engine on the WebAssembly SIMD module and on the pure-Go kernels: the
// same bits. The kernels' own comparisons are in package kernel
// (gemm_wasm_test.go).

func TestWinogradPacksOnlyForGoKernelWasmSIMD(t *testing.T) {
	checkPacksOnlyForGoKernel(t, withSIMD)
}

// TestWasmSIMDWinogradMatchesGo: the Winograd layer with its transforms
// queued for the SIMD module gives the Go loops' bits, forward and
// backward, for channel counts that are and are not multiples of 4 (the
// module takes lanes in groups of 4, the Go loops the rest).
func TestWasmSIMDWinogradMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, s := range []struct{ n, h, w, c, f int }{{2, 7, 6, 8, 32}, {1, 5, 5, 10, 7}, {3, 6, 9, 13, 5}, {2, 8, 8, 9, 1}} {
		for _, padding := range []string{"same", "valid"} {
			g := winoGeom(s.h, s.w, s.c, padding)
			x := randSlice(rng, s.n*s.h*s.w*s.c)
			kernel := randSlice(rng, 9*s.c*s.f)
			dz := randSlice(rng, s.n*g.oh*g.ow*s.f)
			run := func() (z, dk, dx []float32) {
				w := newWinograd(g, s.f)
				z = make([]float32, s.n*g.oh*g.ow*s.f)
				w.forward(z, x, kernel, s.n)
				dk, dx = make([]float32, len(kernel)), make([]float32, len(x))
				w.backward(dx, dk, dz)
				return z, dk, dx
			}
			var z, dk, dx, zGo, dkGo, dxGo []float32
			withSIMD(true, func() { z, dk, dx = run() })
			withSIMD(false, func() { zGo, dkGo, dxGo = run() })
			name := fmt.Sprintf("%+v %s", s, padding)
			require.Equal(t, bits(zGo), bits(z), "z, %s", name)
			require.Equal(t, bits(dkGo), bits(dk), "dkernel, %s", name)
			require.Equal(t, bits(dxGo), bits(dx), "dx, %s", name)
		}
	}
}
