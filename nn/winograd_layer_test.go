package nn

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
