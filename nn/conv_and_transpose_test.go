package nn

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConvSpecErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		spec     LayerSpec
		in       Shape
		want     string
		convOnly bool // a transposed convolution grows its input: any kernel fits
	}{
		{"kernel_too_big", LayerSpec{Filters: 2, KernelSize: 5}, Shape{3, 3, 1}, "kernel 5 larger than input 3x3 with valid padding", true},
		{"kernel_too_big_non_square", LayerSpec{Filters: 2, KernelSize: 4}, Shape{5, 3, 1}, "kernel 4 larger than input 5x3 with valid padding", true},
		{"no_filters", LayerSpec{KernelSize: 3}, Shape{5, 5, 1}, "filters must be positive, got 0", false},
		{"negative_filters", LayerSpec{Filters: -1, KernelSize: 3}, Shape{5, 5, 1}, "filters must be positive, got -1", false},
		{"no_kernel", LayerSpec{Filters: 2}, Shape{5, 5, 1}, "kernel_size must be positive, got 0", false},
		{"negative_strides", LayerSpec{Filters: 2, KernelSize: 3, Strides: -2}, Shape{5, 5, 1}, "strides must be positive, got -2", false},
		{"bad_padding", LayerSpec{Filters: 2, KernelSize: 3, Padding: "full"}, Shape{5, 5, 1}, `unknown padding "full" (want valid or same)`, false},
		{"vector_input", LayerSpec{Filters: 2, KernelSize: 3}, Shape{784}, "needs an input of shape (H, W, C), got (784)", false},
		{"bad_activation", LayerSpec{Filters: 2, KernelSize: 3, Activation: "gelu"}, Shape{5, 5, 1}, `unknown activation "gelu"`, false},
	} {
		for _, typ := range []string{"Conv2D", "Conv2DTranspose"} {
			if typ == "Conv2DTranspose" && tc.convOnly {
				continue
			}
			t.Run(typ+"/"+tc.name, func(t *testing.T) {
				spec := tc.spec
				spec.Type = typ
				_, err := buildLayer(spec, tc.in, rand.New(rand.NewPCG(1, 1)))
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.want)
			})
		}
	}
	// Same padding lets a kernel be larger than its input.
	l, err := buildLayer(LayerSpec{Type: "Conv2D", Filters: 1, KernelSize: 5, Padding: "same"}, Shape{3, 2, 1}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	assert.Equal(t, Shape{3, 2, 1}, l.OutShape())
}

func TestConvForwardBackwardAllocateNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, spec := range []LayerSpec{
		{Type: "Conv2D", Filters: 8, KernelSize: 3, Padding: "same", Activation: "relu"},
		{Type: "Conv2D", Filters: 3, KernelSize: 3, Strides: 2, Activation: "softmax"},
		{Type: "Conv2DTranspose", Filters: 4, KernelSize: 3, Strides: 2, Padding: "same", Activation: "tanh"},
		{Type: "Conv2DTranspose", Filters: 2, KernelSize: 2, Strides: 3},
	} {
		t.Run(spec.Type+"_"+spec.Activation, func(t *testing.T) {
			l := buildRandom(t, spec, Shape{9, 8, 4}, rng)
			const n = 3
			x := randSlice(rng, n*l.InShape().Size())
			dy := randSlice(rng, n*l.OutShape().Size())
			step := func() {
				l.Forward(x, n, true)
				l.Backward(dy)
			}
			step() // grows the buffers
			assert.Zero(t, testing.AllocsPerRun(5, step))
			// A smaller batch reuses the same buffers.
			l.Forward(x[:len(x)/n], 1, true)
			assert.Zero(t, testing.AllocsPerRun(5, step))
		})
	}
}

// The fused softmax path: backwardLogits takes dL/dz directly and must agree
// with Backward through a linear activation.
func TestConvBackwardLogits(t *testing.T) {
	for _, typ := range []string{"Conv2D", "Conv2DTranspose"} {
		t.Run(typ, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(6, 6))
			soft := buildRandom(t, LayerSpec{Type: typ, Filters: 3, KernelSize: 3, Padding: "same", Activation: "softmax"}, Shape{4, 5, 2}, rng)
			lin, err := buildLayer(LayerSpec{Type: typ, Filters: 3, KernelSize: 3, Padding: "same"}, Shape{4, 5, 2}, rng)
			require.NoError(t, err)
			for i, p := range lin.Params() {
				copy(p.W, soft.Params()[i].W)
				copy(p.G, soft.Params()[i].G)
			}
			x := randSlice(rng, 2*40)
			y := soft.Forward(x, 2, true)
			z := lin.Forward(x, 2, true)
			al := soft.(activatedLayer)
			assert.Equal(t, z, al.logits())
			for r := 0; r < len(y); r += 3 { // softmax over the channels
				assert.InDelta(t, 1, float64(y[r]+y[r+1]+y[r+2]), 1e-6)
			}
			dz := randSlice(rng, len(z))
			assert.Equal(t, lin.Backward(dz), al.backwardLogits(dz))
			for i, p := range lin.Params() {
				assert.Equal(t, p.G, soft.Params()[i].G)
			}
		})
	}
}

// The k sums never depend on how work is split, so a layer gives the same
// bits on 1, 2 or 3 cores, as the page (one core) and the CLI (all) must.
func TestConvSameBitsOnAnyNumberOfCores(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range []struct {
		name string
		spec LayerSpec
		in   Shape
	}{
		{"conv2d", LayerSpec{Type: "Conv2D", Filters: 16, KernelSize: 3, Strides: 2, Padding: "same", Activation: "relu"}, Shape{11, 10, 5}},
		{"conv2d_winograd", LayerSpec{Type: "Conv2D", Filters: 6, KernelSize: 3, Padding: "same", Activation: "relu"}, Shape{11, 10, 8}},
		// Large enough that the bias and ReLU pass is split over the pool too.
		{"conv2d_winograd_wide", LayerSpec{Type: "Conv2D", Filters: 32, KernelSize: 3, Padding: "same", Activation: "relu"}, Shape{14, 13, 16}},
		{"conv2d_transpose", LayerSpec{Type: "Conv2DTranspose", Filters: 6, KernelSize: 3, Strides: 2, Padding: "same"}, Shape{11, 10, 5}},
	} {
		spec := tc.spec
		t.Run(tc.name, func(t *testing.T) {
			var outs, dxs, grads [][]float32
			for procs := 1; procs <= 3; procs++ {
				runtime.GOMAXPROCS(procs)
				rng := rand.New(rand.NewPCG(8, 8))
				l := buildRandom(t, spec, tc.in, rng)
				const n = 5
				x := randSlice(rng, n*l.InShape().Size())
				dy := randSlice(rng, n*l.OutShape().Size())
				outs = append(outs, append([]float32(nil), l.Forward(x, n, true)...))
				dxs = append(dxs, append([]float32(nil), l.Backward(dy)...))
				grads = append(grads, append(append([]float32(nil), l.Params()[0].G...), l.Params()[1].G...))
			}
			for i := 1; i < 3; i++ {
				require.Equal(t, outs[0], outs[i], "forward, %d cores", i+1)
				require.Equal(t, dxs[0], dxs[i], "dx, %d cores", i+1)
				require.Equal(t, grads[0], grads[i], "gradients, %d cores", i+1)
			}
		})
	}
}
