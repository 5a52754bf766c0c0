package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
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

func TestConv2DBackwardTwicePanics(t *testing.T) {
	l := buildRandom(t, LayerSpec{Type: "Conv2D", Filters: 2, KernelSize: 2}, Shape{3, 3, 1}, rand.New(rand.NewPCG(1, 1)))
	l.Forward(make([]float32, 9), 1, true)
	l.Backward(make([]float32, 8))
	assert.Panics(t, func() { l.Backward(make([]float32, 8)) })
}
