package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"convplay/nn/internal/kernel"
)

// conv3x3Oracle is the direct 3x3 stride-1 convolution of the n NHWC images
// x (H, W, C) with kernel (3, 3, C, F), from its definition with float64 sums:
// z (N, OH, OW, F), and for the gradient dz of z the kernel gradient dk
// (3, 3, C, F) and the input gradient dx (N, H, W, C).
func conv3x3Oracle(g convGeom, f, n int, x, kernel, dz []float32) (z, dk, dx []float64) {
	z = make([]float64, n*g.oh*g.ow*f)
	dk = make([]float64, 9*g.c*f)
	dx = make([]float64, n*g.h*g.w*g.c)
	for i := 0; i < n; i++ {
		for oh := 0; oh < g.oh; oh++ {
			for ow := 0; ow < g.ow; ow++ {
				for kh := 0; kh < 3; kh++ {
					for kw := 0; kw < 3; kw++ {
						ih, iw := oh-g.padT+kh, ow-g.padL+kw
						if ih < 0 || ih >= g.h || iw < 0 || iw >= g.w {
							continue
						}
						for c := 0; c < g.c; c++ {
							xi := ((i*g.h+ih)*g.w+iw)*g.c + c
							for fo := 0; fo < f; fo++ {
								zi := ((i*g.oh+oh)*g.ow+ow)*f + fo
								ki := ((kh*3+kw)*g.c+c)*f + fo
								z[zi] += float64(x[xi]) * float64(kernel[ki])
								dk[ki] += float64(x[xi]) * float64(dz[zi])
								dx[xi] += float64(dz[zi]) * float64(kernel[ki])
							}
						}
					}
				}
			}
		}
	}
	return z, dk, dx
}

// winoGeom is the geometry of a 3x3 stride-1 convolution of an H x W x C map.
func winoGeom(h, w, c int, padding string) convGeom {
	oh, padT := outSize(h, 3, 1, padding)
	ow, padL := outSize(w, 3, 1, padding)
	return convGeom{h: h, w: w, c: c, oh: oh, ow: ow, k: 3, s: 1, padT: padT, padL: padL}
}

// relErr is the largest difference between got and want relative to want's
// largest magnitude (elementwise relative errors blow up where a sum cancels
// to near zero).
func relErr(got []float32, want []float64) float64 {
	var diff, scale float64
	for i, v := range want {
		diff = max(diff, math.Abs(float64(got[i])-v))
		scale = max(scale, math.Abs(v))
	}
	if scale == 0 {
		return diff
	}
	return diff / scale
}

// Hand-computed cases: the kernel picks one tap, or sums the window, so each
// output is a known input cell or sum, including the padded edges and odd
// sizes.
func TestWinogradHandComputed(t *testing.T) {
	x := []float32{ // 3x4, one channel: x[r][c] = 4r + c + 1
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12,
	}
	tap := func(kh, kw int) []float32 {
		k := make([]float32, 9)
		k[kh*3+kw] = 1
		return k
	}
	ones := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1}
	for _, tc := range []struct {
		name    string
		padding string
		kernel  []float32
		want    []float32
	}{
		{"same/centre is identity", "same", tap(1, 1), x},
		{"same/top-left tap shifts down-right", "same", tap(0, 0), []float32{
			0, 0, 0, 0,
			0, 1, 2, 3,
			0, 5, 6, 7,
		}},
		{"same/bottom-right tap shifts up-left", "same", tap(2, 2), []float32{
			6, 7, 8, 0,
			10, 11, 12, 0,
			0, 0, 0, 0,
		}},
		{"same/box sum", "same", ones, []float32{
			1 + 2 + 5 + 6, 1 + 2 + 3 + 5 + 6 + 7, 2 + 3 + 4 + 6 + 7 + 8, 3 + 4 + 7 + 8,
			1 + 2 + 5 + 6 + 9 + 10, 54, 63, 3 + 4 + 7 + 8 + 11 + 12,
			5 + 6 + 9 + 10, 5 + 6 + 7 + 9 + 10 + 11, 6 + 7 + 8 + 10 + 11 + 12, 7 + 8 + 11 + 12,
		}},
		{"valid/box sum 1x2", "valid", ones, []float32{54, 63}},
		{"valid/right column tap", "valid", tap(1, 2), []float32{7, 8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := winoGeom(3, 4, 1, tc.padding)
			w := newWinograd(g, 1)
			z := make([]float32, g.oh*g.ow)
			w.forward(z, x, tc.kernel, 1)
			assert.Equal(t, tc.want, z)
		})
	}
}

// The backward pass by hand: one output of a 'same' 3x4 map with gradient 1
// sends each kernel tap to the input cell it read, and its kernel gradient is
// the 3x3 window around it (zeros in the padding).
func TestWinogradBackwardHandComputed(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12} // 3x4, one channel
	kernel := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	for _, tc := range []struct {
		name   string
		r, col int
		dk, dx []float32
	}{
		{"corner (0,0)", 0, 0,
			[]float32{0, 0, 0, 0, 1, 2, 0, 5, 6},
			[]float32{5, 6, 0, 0, 8, 9, 0, 0, 0, 0, 0, 0}},
		{"inside (1,2)", 1, 2,
			[]float32{2, 3, 4, 6, 7, 8, 10, 11, 12},
			[]float32{0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9}},
		{"odd edge (2,3)", 2, 3,
			[]float32{7, 8, 0, 11, 12, 0, 0, 0, 0},
			[]float32{0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 4, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := winoGeom(3, 4, 1, "same")
			w := newWinograd(g, 1)
			w.forward(make([]float32, 12), x, kernel, 1)
			dz := make([]float32, 12)
			dz[tc.r*4+tc.col] = 1
			dk := []float32{100, 0, 0, 0, 0, 0, 0, 0, 0} // backward adds to it
			dx := []float32{7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7}
			w.backward(dx, dk, dz)
			tc.dk[0] += 100
			assert.Equal(t, tc.dk, dk)
			assert.Equal(t, tc.dx, dx)
		})
	}
}

// winoShapes are the shapes the oracle tests run: odd and even, square and
// not, maps smaller than a tile, one channel or filter, and the reference
// model's smallest layer.
var winoShapes = []struct {
	n, h, w, c, f int
	padding       string
}{
	{1, 1, 1, 1, 1, "same"},
	{2, 1, 1, 3, 2, "same"},
	{1, 3, 3, 1, 1, "valid"}, // a 1x1 output
	{1, 1, 6, 2, 3, "same"},
	{1, 7, 1, 2, 2, "same"},
	{2, 2, 2, 4, 5, "same"},
	{1, 4, 4, 2, 3, "valid"},
	{3, 5, 7, 3, 4, "same"},
	{2, 6, 5, 5, 2, "valid"},
	{1, 3, 8, 1, 7, "valid"},
	{2, 9, 6, 8, 16, "same"},
	{1, 8, 9, 16, 8, "valid"},
	{2, 7, 7, 64, 32, "same"},
}

// TestWinogradMatchesDirect checks forward, kernel gradient and input
// gradient against the float64 oracle, on inputs in [-1, 1). The bound is
// from measurement: the largest errors over these shapes, relative to the
// largest value, are z 2.8e-7, dkernel 3.5e-7, dx 2.4e-7, a few float32
// roundings, where im2col + gemm gets 7.4e-7, 4.0e-7 and 1.6e-7 (both are
// logged).
func TestWinogradMatchesDirect(t *testing.T) {
	const bound = 2e-6
	rng := rand.New(rand.NewPCG(8, 1))
	for _, s := range winoShapes {
		t.Run(fmt.Sprintf("%dx%dx%dx%d-%d-%s", s.n, s.h, s.w, s.c, s.f, s.padding), func(t *testing.T) {
			g := winoGeom(s.h, s.w, s.c, s.padding)
			x := randSlice(rng, s.n*s.h*s.w*s.c)
			kernel := randSlice(rng, 9*s.c*s.f)
			dz := randSlice(rng, s.n*g.oh*g.ow*s.f)
			wantZ, wantDK, wantDX := conv3x3Oracle(g, s.f, s.n, x, kernel, dz)

			w := newWinograd(g, s.f)
			z := randSlice(rng, len(wantZ)) // forward overwrites
			w.forward(z, x, kernel, s.n)
			dk := make([]float32, len(kernel))
			dx := randSlice(rng, len(x)) // backward overwrites dx
			w.backward(dx, dk, dz)

			// One tile row per block gives the same bits: blocks change
			// no summation order.
			one := newWinograd(g, s.f)
			one.block = 1
			z1, dk1, dx1 := make([]float32, len(z)), make([]float32, len(dk)), make([]float32, len(dx))
			one.forward(z1, x, kernel, s.n)
			one.backward(dx1, dk1, dz)
			assert.Equal(t, z, z1, "z, one tile row per block")
			assert.Equal(t, dk, dk1, "dkernel, one tile row per block")
			assert.Equal(t, dx, dx1, "dx, one tile row per block")

			zi, dki, dxi := im2colConv(g, s.f, s.n, x, kernel, dz)
			t.Logf("relative error: z %.2g (im2col %.2g), dkernel %.2g (%.2g), dx %.2g (%.2g)",
				relErr(z, wantZ), relErr(zi, wantZ), relErr(dk, wantDK), relErr(dki, wantDK), relErr(dx, wantDX), relErr(dxi, wantDX))
			assert.Less(t, relErr(z, wantZ), bound, "z")
			assert.Less(t, relErr(dk, wantDK), bound, "dkernel")
			assert.Less(t, relErr(dx, wantDX), bound, "dx")
		})
	}
}

// im2colConv is the im2col + gemm path conv2D takes, without bias and
// activation: z, and for dz the kernel gradient and dx.
func im2colConv(g convGeom, f, n int, x, kern, dz []float32) (z, dk, dx []float32) {
	var task colTask
	rows := n * g.oh * g.ow
	cols := make([]float32, rows*g.patch())
	im2col(&task, cols, x, n, &g)
	z = make([]float32, rows*f)
	kernel.Gemm(false, false, rows, f, g.patch(), cols, kern, z, false)
	dk = make([]float32, len(kern))
	kernel.Gemm(true, false, g.patch(), f, rows, cols, dz, dk, true)
	kernel.Gemm(false, true, rows, g.patch(), f, dz, kern, cols, false)
	dx = make([]float32, n*g.h*g.w*g.c)
	col2im(&task, dx, cols, n, &g)
	return z, dk, dx
}
