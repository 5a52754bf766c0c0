package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// A smaller batch after a larger one reuses the buffers; so do repeated
// steps, which must give the same result (the transforms overwrite their
// buffers rather than add to stale values).
func TestWinogradSmallerBatchAndRepeat(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 2))
	g := winoGeom(5, 6, 3, "same")
	const f = 4
	x := randSlice(rng, 3*5*6*3)
	kernel := randSlice(rng, 9*3*f)
	dz := randSlice(rng, 3*5*6*f)
	w := newWinograd(g, f)
	step := func(n int) (z, dk, dx []float32) {
		z = make([]float32, n*5*6*f)
		dk = make([]float32, len(kernel))
		dx = make([]float32, n*5*6*3)
		w.forward(z, x[:len(dx)], kernel, n)
		w.backward(dx, dk, dz[:len(z)])
		return z, dk, dx
	}
	z3, dk3, dx3 := step(3)
	z1, _, dx1 := step(1)
	fresh := newWinograd(g, f)
	zf := make([]float32, 5*6*f)
	fresh.forward(zf, x, kernel, 1)
	assert.Equal(t, zf, z1)
	assert.Equal(t, dx3[:len(dx1)], dx1, "an image's dx does not depend on the rest of the batch")
	z3b, dk3b, dx3b := step(3)
	assert.Equal(t, z3, z3b)
	assert.Equal(t, dk3, dk3b)
	assert.Equal(t, dx3, dx3b)
}

func TestWinogradAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 3))
	g := winoGeom(9, 7, 8, "same")
	const n, f = 3, 16
	x, kernel := randSlice(rng, n*9*7*8), randSlice(rng, 9*8*f)
	z, dz, dx, dk := make([]float32, n*9*7*f), randSlice(rng, n*9*7*f), make([]float32, len(x)), make([]float32, len(kernel))
	w := newWinograd(g, f)
	step := func() {
		w.forward(z, x, kernel, n)
		w.backward(dx, dk, dz)
	}
	step() // grows the buffers
	assert.Zero(t, testing.AllocsPerRun(5, step))
	assert.Zero(t, testing.AllocsPerRun(5, func() {
		w.forward(z, x, kernel, 1)
		w.backward(dx, dk, dz)
	}))
}

func TestNewWinogradRejectsOtherConvolutions(t *testing.T) {
	g := winoGeom(5, 5, 1, "same")
	g.s = 2
	require.Panics(t, func() { newWinograd(g, 1) })
	g = convGeom{h: 5, w: 5, c: 1, oh: 5, ow: 5, k: 5, s: 1, padT: 2, padL: 2}
	require.Panics(t, func() { newWinograd(g, 1) })
}

// Conv2D layers that qualify for the Winograd path (3x3, stride 1, at least
// winoMinChannels inputs) agree with the direct convolution, bias,
// activation and accumulated gradients included, and allocate nothing in
// the steady state.
func TestConv2DWinogradLayers(t *testing.T) {
	for i, tc := range []struct {
		h, w, c, f int
		padding    string
		act        string
		noBias     bool
		n          int
	}{
		{5, 5, 8, 3, "same", "relu", false, 2},
		{7, 4, 9, 5, "valid", "linear", true, 3},
		{3, 3, 16, 4, "valid", "tanh", false, 1},
		{1, 2, 8, 2, "same", "sigmoid", false, 2},
		{6, 9, 12, 7, "same", "linear", false, 2},
	} {
		name := fmt.Sprintf("%dx%dx%d-%d_%s_%s", tc.h, tc.w, tc.c, tc.f, tc.padding, tc.act)
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(8, uint64(i)))
			spec := LayerSpec{Type: "Conv2D", Filters: tc.f, KernelSize: 3, Padding: tc.padding, Activation: tc.act, NoBias: tc.noBias}
			l := buildRandom(t, spec, Shape{tc.h, tc.w, tc.c}, rng)
			g := winoGeom(tc.h, tc.w, tc.c, tc.padding)
			require.True(t, useWinograd(g))
			require.Equal(t, Shape{g.oh, g.ow, tc.f}, l.OutShape())
			ps := l.Params()
			x := randSlice(rng, tc.n*tc.h*tc.w*tc.c)
			dy := randSlice(rng, tc.n*g.oh*g.ow*tc.f)
			gk0 := append([]float32(nil), ps[0].G...)
			z, _, _ := conv3x3Oracle(g, tc.f, tc.n, x, ps[0].W, make([]float32, len(dy)))
			if !tc.noBias {
				for j := range z {
					z[j] += float64(ps[1].W[j%tc.f])
				}
			}
			act, err := ParseActivation(tc.act)
			require.NoError(t, err)
			z32 := make([]float32, len(z))
			for j, v := range z {
				z32[j] = float32(v)
			}
			wantY := make([]float32, len(z))
			act.forward(wantY, z32, tc.f)
			dz := make([]float32, len(dy))
			act.backward(dz, dy, wantY, tc.f)
			_, dk, dx := conv3x3Oracle(g, tc.f, tc.n, x, ps[0].W, dz)
			for j := range dk {
				dk[j] += float64(gk0[j]) // backward accumulates
			}
			y := l.Forward(x, tc.n, true)
			assert.InDeltaSlice(t, wantY, y, 1e-5)
			gotDX := l.Backward(dy)
			assert.Less(t, relErr(gotDX, dx), 2e-6, "dx")
			assert.Less(t, relErr(ps[0].G, dk), 2e-6, "kernel gradient")
			step := func() {
				l.Forward(x, tc.n, true)
				l.Backward(dy)
			}
			assert.Zero(t, testing.AllocsPerRun(3, step))
		})
	}
}

// A Winograd Conv2D, ReLU and max pooling large enough that every stage
// goes to the worker pool allocate nothing in the steady state, on 2 and 3
// cores.
func TestWinogradConvPoolOnPoolAllocateNothing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(14, 14))
	conv := buildRandom(t, LayerSpec{Type: "Conv2D", Filters: 32, KernelSize: 3, Padding: "same", Activation: "relu"}, Shape{14, 14, 16}, rng)
	pool := buildRandom(t, LayerSpec{Type: "MaxPooling2D", PoolSize: 2}, conv.OutShape(), rng)
	const n = 8
	x := randSlice(rng, n*conv.InShape().Size())
	dy := randSlice(rng, n*pool.OutShape().Size())
	step := func() {
		pool.Forward(conv.Forward(x, n, true), n, true)
		conv.Backward(pool.Backward(dy))
	}
	for _, procs := range []int{2, 3} {
		runtime.GOMAXPROCS(procs)
		step() // grows the buffers and starts the helpers
		assert.Zero(t, testing.AllocsPerRun(10, step), "%d cores", procs)
	}
}

func TestTranspose(t *testing.T) {
	for _, tc := range []struct {
		rows, cols int
		src, want  []float32
	}{
		{1, 1, []float32{7}, []float32{7}},
		{1, 3, []float32{1, 2, 3}, []float32{1, 2, 3}},
		{3, 1, []float32{1, 2, 3}, []float32{1, 2, 3}},
		// [1 2 3; 4 5 6] -> [1 4; 2 5; 3 6]
		{2, 3, []float32{1, 2, 3, 4, 5, 6}, []float32{1, 4, 2, 5, 3, 6}},
	} {
		t.Run(fmt.Sprintf("%dx%d", tc.rows, tc.cols), func(t *testing.T) {
			dst := make([]float32, len(tc.src))
			transpose(dst, tc.src, tc.rows, tc.cols)
			assert.Equal(t, tc.want, dst)
		})
	}
}
