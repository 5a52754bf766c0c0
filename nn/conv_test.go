package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// naiveConv2D is the oracle for conv2D: the direct convolution, written
// plainly from its definition, for a batch of n NHWC images. It returns z
// (pre-activation), and for an upstream gradient dz it adds the kernel and
// bias gradients into gk, gb and returns dx.
//
// It visits windows in NHWC order and sums over (kh, kw, c) in that order, as
// im2col + gemm do, so results agree exactly.
func naiveConv2D(x []float32, n, h, w, c int, kernel, bias []float32, f, k, s, padT, padL, oh, ow int,
	dz, gk, gb []float32) (z, dx []float32) {
	z = make([]float32, n*oh*ow*f)
	dx = make([]float32, len(x))
	for i := 0; i < n; i++ {
		for y := 0; y < oh; y++ {
			for xo := 0; xo < ow; xo++ {
				out := ((i*oh+y)*ow + xo) * f
				for fo := 0; fo < f; fo++ {
					var sum float32
					for kh := 0; kh < k; kh++ {
						for kw := 0; kw < k; kw++ {
							ih, iw := y*s-padT+kh, xo*s-padL+kw
							if ih < 0 || ih >= h || iw < 0 || iw >= w {
								continue // padding: zeros
							}
							for ci := 0; ci < c; ci++ {
								sum += float32(x[((i*h+ih)*w+iw)*c+ci] * kernel[((kh*k+kw)*c+ci)*f+fo])
							}
						}
					}
					if bias != nil {
						sum += bias[fo]
					}
					z[out+fo] = sum
				}
				if dz == nil {
					continue
				}
				g := dz[out : out+f]
				for kh := 0; kh < k; kh++ {
					for kw := 0; kw < k; kw++ {
						ih, iw := y*s-padT+kh, xo*s-padL+kw
						if ih < 0 || ih >= h || iw < 0 || iw >= w {
							continue
						}
						for ci := 0; ci < c; ci++ {
							xi := ((i*h+ih)*w+iw)*c + ci
							var dsum float32
							for fo := 0; fo < f; fo++ {
								wi := ((kh*k+kw)*c+ci)*f + fo
								gk[wi] += float32(x[xi] * g[fo])
								dsum += float32(g[fo] * kernel[wi])
							}
							dx[xi] += dsum
						}
					}
				}
				if gb != nil {
					for fo := 0; fo < f; fo++ {
						gb[fo] += g[fo]
					}
				}
			}
		}
	}
	return z, dx
}

// tfSamePad is TensorFlow's 'same' rule, written out again for the tests:
// out = ceil(n/s), total = max((out-1)*s + k - n, 0), before = total/2.
func tfSamePad(n, k, s int) (out, before int) {
	out = int(math.Ceil(float64(n) / float64(s)))
	total := max((out-1)*s+k-n, 0)
	return out, total / 2
}

// buildRandom builds a layer and gives every parameter (biases too) values
// in [-1, 1), so that every term of the computation shows.
func buildRandom(t *testing.T, spec LayerSpec, in Shape, rng *rand.Rand) Layer {
	t.Helper()
	l, err := buildLayer(spec, in, rng)
	require.NoError(t, err)
	for _, p := range l.Params() {
		copy(p.W, randSlice(rng, len(p.W)))
		copy(p.G, randSlice(rng, len(p.G))) // Backward must add to what is there
	}
	return l
}

func TestConv2DMatchesDirectConvolution(t *testing.T) {
	for i, tc := range []struct {
		h, w, c, f, k, s int
		padding          string
		n                int
		noBias           bool
	}{
		{1, 1, 1, 1, 1, 1, "valid", 1, false},
		{5, 5, 1, 1, 3, 1, "valid", 1, false},
		{5, 5, 1, 1, 3, 1, "same", 2, false},
		{7, 6, 2, 3, 3, 2, "valid", 2, false},  // stride 2, non-square
		{7, 6, 2, 3, 3, 2, "same", 3, false},   // odd total padding along W
		{4, 9, 3, 5, 2, 1, "same", 2, false},   // even kernel: padding only bottom/right
		{6, 5, 2, 4, 4, 3, "same", 2, true},    // K > S, non-square, no bias
		{9, 9, 3, 2, 5, 3, "same", 1, false},   // K=5, S=3
		{3, 8, 4, 7, 3, 1, "valid", 4, false},  // H = K
		{12, 12, 5, 6, 3, 1, "same", 3, false}, // several gemm tiles
		{28, 28, 1, 8, 3, 1, "same", 2, false}, // the reference model's first layer, smaller
		{5, 7, 2, 2, 1, 2, "valid", 2, false},  // 1x1 kernel, stride 2
	} {
		name := fmt.Sprintf("%dx%dx%d_f%d_k%d_s%d_%s_n%d", tc.h, tc.w, tc.c, tc.f, tc.k, tc.s, tc.padding, tc.n)
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(10, uint64(i)))
			spec := LayerSpec{Type: "Conv2D", Filters: tc.f, KernelSize: tc.k, Strides: tc.s, Padding: tc.padding, NoBias: tc.noBias}
			l := buildRandom(t, spec, Shape{tc.h, tc.w, tc.c}, rng)
			oh, ow, padT, padL := (tc.h-tc.k)/tc.s+1, (tc.w-tc.k)/tc.s+1, 0, 0
			if tc.padding == "same" {
				oh, padT = tfSamePad(tc.h, tc.k, tc.s)
				ow, padL = tfSamePad(tc.w, tc.k, tc.s)
			}
			require.Equal(t, Shape{oh, ow, tc.f}, l.OutShape())

			x := randSlice(rng, tc.n*tc.h*tc.w*tc.c)
			dz := randSlice(rng, tc.n*oh*ow*tc.f)
			ps := l.Params()
			gk := append([]float32(nil), ps[0].G...)
			var bias, gb []float32
			if !tc.noBias {
				bias, gb = ps[1].W, append([]float32(nil), ps[1].G...)
			}
			wantZ, wantDx := naiveConv2D(x, tc.n, tc.h, tc.w, tc.c, ps[0].W, bias, tc.f, tc.k, tc.s, padT, padL, oh, ow, dz, gk, gb)

			// Same summation order as the oracle: equal bit for bit.
			require.Equal(t, wantZ, l.Forward(x, tc.n, true))
			require.Equal(t, wantDx, l.Backward(dz))
			require.Equal(t, gk, ps[0].G, "kernel gradient")
			if !tc.noBias {
				require.Equal(t, gb, ps[1].G, "bias gradient")
			}
		})
	}
}

func TestConv2DHandComputed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      Shape
		k, s    int
		padding string
		x, w    []float32 // one image; kernel (K, K, 1, 1)
		want    []float32
		out     Shape
	}{
		{
			name: "valid_2x2_sums", in: Shape{3, 3, 1}, k: 2, s: 1, padding: "valid",
			x: []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, w: []float32{1, 1, 1, 1},
			want: []float32{12, 16, 24, 28}, out: Shape{2, 2, 1},
		},
		{
			// Total padding 1 along each axis, all of it bottom/right: the
			// kernel's top-left tap sees the cell itself.
			name: "same_even_kernel_pads_bottom_right", in: Shape{1, 4, 1}, k: 2, s: 1, padding: "same",
			x: []float32{1, 2, 3, 4}, w: []float32{1, 10, 100, 1000},
			want: []float32{21, 32, 43, 4}, out: Shape{1, 4, 1},
		},
		{
			// n=5, S=2, K=3: out 3, total padding 2, one each side.
			name: "same_stride2", in: Shape{1, 5, 1}, k: 3, s: 2, padding: "same",
			x: []float32{1, 2, 3, 4, 5}, w: []float32{0, 0, 0, 1, 10, 100, 0, 0, 0},
			want: []float32{0 + 10 + 200, 2 + 30 + 400, 4 + 50 + 0}, out: Shape{1, 3, 1},
		},
		{
			// n=4, S=2, K=3: out 2, total padding 1, at the right.
			name: "same_stride2_odd_total", in: Shape{4, 1, 1}, k: 3, s: 2, padding: "same",
			x: []float32{1, 2, 3, 4}, w: []float32{0, 1, 0, 0, 10, 0, 0, 100, 0},
			want: []float32{1 + 20 + 300, 3 + 40 + 0}, out: Shape{2, 1, 1},
		},
		{
			name: "valid_all_negative", in: Shape{2, 3, 1}, k: 2, s: 1, padding: "valid",
			x: []float32{-1, -2, -3, -4, -5, -6}, w: []float32{1, -1, 2, 0.5},
			want: []float32{-1 + 2 - 8 - 2.5, -2 + 3 - 10 - 3}, out: Shape{1, 2, 1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := buildLayer(LayerSpec{Type: "Conv2D", Filters: 1, KernelSize: tc.k, Strides: tc.s, Padding: tc.padding},
				tc.in, rand.New(rand.NewPCG(1, 1)))
			require.NoError(t, err)
			require.Equal(t, tc.out, l.OutShape())
			copy(l.Params()[0].W, tc.w)
			assert.Equal(t, tc.want, l.Forward(tc.x, 1, false))
		})
	}
}

func TestConv2DChannelsAndFilters(t *testing.T) {
	// A 1x1 input with 2 channels, 1x1 kernel, 3 filters: a per-pixel
	// matrix product plus bias, the teaching case "a kernel has one slice
	// per input channel, summed".
	l, err := buildLayer(LayerSpec{Type: "Conv2D", Filters: 3, KernelSize: 1, Activation: "relu"}, Shape{1, 1, 2}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	copy(l.Params()[0].W, []float32{1, 2, -3, 10, 20, 30}) // (1, 1, 2, 3): [c][f]
	copy(l.Params()[1].W, []float32{0.5, 0, 0})
	y := l.Forward([]float32{1, 2, 3, -1}, 2, false)     // two images
	assert.Equal(t, []float32{21.5, 42, 57, 0, 0, 0}, y) // (-7+0.5, -14, -39) -> relu 0
}

func TestConv2DSpec(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	l, err := buildLayer(LayerSpec{Type: "Conv2D", Name: "conv2d", Filters: 192, KernelSize: 3}, Shape{32, 30, 3}, rng)
	require.NoError(t, err)
	spec := l.Spec()
	assert.Equal(t, 1, spec.Strides)
	assert.Equal(t, "valid", spec.Padding)
	assert.Equal(t, "linear", spec.Activation)
	assert.Equal(t, Shape{32, 30, 3}, l.InShape())
	assert.Equal(t, Shape{30, 28, 192}, l.OutShape())
	ps := l.Params()
	require.Len(t, ps, 2)
	assert.Equal(t, "kernel", ps[0].Name)
	assert.Equal(t, []int{3, 3, 3, 192}, ps[0].Shape)
	assert.Len(t, ps[0].W, 5184) // 3*3*3*192, the concept checklist's example
	assert.Equal(t, "bias", ps[1].Name)
	assert.Equal(t, []int{192}, ps[1].Shape)
	assert.Equal(t, make([]float32, 192), ps[1].W, "zero bias")
	// Glorot uniform with Keras's fans: fan_in = 3*3*3, fan_out = 3*3*192.
	checkGlorot(t, ps[0].W, 27, 1728)

	noBias, err := buildLayer(LayerSpec{Type: "Conv2D", Filters: 4, KernelSize: 2, NoBias: true}, Shape{3, 3, 1}, rng)
	require.NoError(t, err)
	assert.Len(t, noBias.Params(), 1)
}

// checkGlorot checks that w looks like U(-limit, limit), limit =
// sqrt(6/(fanIn+fanOut)): within the limit, reaching near it, mean near 0.
func checkGlorot(t *testing.T, w []float32, fanIn, fanOut int) {
	t.Helper()
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	var maxAbs, sum float64
	for _, v := range w {
		maxAbs = max(maxAbs, math.Abs(float64(v)))
		sum += float64(v)
	}
	assert.LessOrEqual(t, maxAbs, limit)
	assert.Greater(t, maxAbs, 0.95*limit)
	assert.InDelta(t, 0, sum/float64(len(w)), 0.1*limit)
}

func TestConv2DSameWeightsFromSeed(t *testing.T) {
	spec := LayerSpec{Type: "Conv2D", Filters: 4, KernelSize: 3}
	a, err := buildLayer(spec, Shape{5, 5, 2}, rand.New(rand.NewPCG(9, 9)))
	require.NoError(t, err)
	b, err := buildLayer(spec, Shape{5, 5, 2}, rand.New(rand.NewPCG(9, 9)))
	require.NoError(t, err)
	assert.Equal(t, a.Params()[0].W, b.Params()[0].W)
}

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

func TestConv2DBackwardTwicePanics(t *testing.T) {
	l := buildRandom(t, LayerSpec{Type: "Conv2D", Filters: 2, KernelSize: 2}, Shape{3, 3, 1}, rand.New(rand.NewPCG(1, 1)))
	l.Forward(make([]float32, 9), 1, true)
	l.Backward(make([]float32, 8))
	assert.Panics(t, func() { l.Backward(make([]float32, 8)) })
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

// im2col and col2im are adjoint: <im2col(x), c> = <x, col2im(c)> for any x
// and c, padding and stride included. im2col of a hand-made image also puts
// each window where the reference loop says.
func TestIm2colCol2imAdjoint(t *testing.T) {
	for i, g := range []convGeom{
		{h: 3, w: 3, c: 1, oh: 2, ow: 2, k: 2, s: 1},                   // valid
		{h: 4, w: 5, c: 2, oh: 4, ow: 5, k: 3, s: 1, padT: 1, padL: 1}, // same
		{h: 7, w: 6, c: 3, oh: 4, ow: 3, k: 3, s: 2, padT: 1, padL: 0}, // same, odd total along W
		{h: 2, w: 6, c: 1, oh: 1, ow: 2, k: 2, s: 3},                   // K < S: cells no window sees
		{h: 3, w: 2, c: 2, oh: 3, ow: 2, k: 5, s: 1, padT: 2, padL: 2}, // kernel larger than the image
	} {
		t.Run(fmt.Sprintf("%d", i), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(40, uint64(i)))
			const n = 2
			var task colTask
			x := randSlice(rng, n*g.h*g.w*g.c)
			c := randSlice(rng, n*g.oh*g.ow*g.patch())
			cols := make([]float32, len(c))
			im2col(&task, cols, x, n, &g)
			back := make([]float32, len(x))
			col2im(&task, back, c, n, &g)
			var lhs, rhs float64
			for j := range c {
				lhs += float64(cols[j]) * float64(c[j])
			}
			for j := range x {
				rhs += float64(x[j]) * float64(back[j])
			}
			assert.InDelta(t, lhs, rhs, 1e-9*float64(len(c)))
			// The reference loop, element by element.
			for b := 0; b < n; b++ {
				for oh := 0; oh < g.oh; oh++ {
					for ow := 0; ow < g.ow; ow++ {
						for kh := 0; kh < g.k; kh++ {
							for kw := 0; kw < g.k; kw++ {
								for ch := 0; ch < g.c; ch++ {
									ih, iw := oh*g.s-g.padT+kh, ow*g.s-g.padL+kw
									var want float32
									if ih >= 0 && ih < g.h && iw >= 0 && iw < g.w {
										want = x[((b*g.h+ih)*g.w+iw)*g.c+ch]
									}
									got := cols[((b*g.oh+oh)*g.ow+ow)*g.patch()+(kh*g.k+kw)*g.c+ch]
									require.Equal(t, want, got, "image %d window (%d,%d) tap (%d,%d,%d)", b, oh, ow, kh, kw, ch)
								}
							}
						}
					}
				}
			}
		})
	}
}
