package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// naiveConv2DTranspose is the oracle for conv2DTranspose, written plainly
// from its definition in float64: every input cell stamps its kernel onto the
// output, at stride s, shifted up-left by the padding,
//
//	z[i, ih*s-padT+kh, iw*s-padL+kw, f] += x[i, ih, iw, c] * kernel[kh, kw, f, c]
//
// and with an upstream gradient dz it returns dx and the kernel and bias
// gradients (not accumulated).
func naiveConv2DTranspose(x []float32, n, h, w, c int, kernel, bias []float32, f, k, s, padT, padL, oh, ow int,
	dz []float32) (z, dx, gk, gb []float64) {
	z = make([]float64, n*oh*ow*f)
	dx = make([]float64, len(x))
	gk = make([]float64, len(kernel))
	gb = make([]float64, f)
	for i := 0; i < n; i++ {
		for ih := 0; ih < h; ih++ {
			for iw := 0; iw < w; iw++ {
				for ci := 0; ci < c; ci++ {
					xi := ((i*h+ih)*w+iw)*c + ci
					for kh := 0; kh < k; kh++ {
						for kw := 0; kw < k; kw++ {
							y, xo := ih*s-padT+kh, iw*s-padL+kw
							if y < 0 || y >= oh || xo < 0 || xo >= ow {
								continue // cropped by the padding
							}
							for fo := 0; fo < f; fo++ {
								zi := ((i*oh+y)*ow+xo)*f + fo
								wi := ((kh*k+kw)*f+fo)*c + ci
								z[zi] += float64(x[xi]) * float64(kernel[wi])
								dx[xi] += float64(dz[zi]) * float64(kernel[wi])
								gk[wi] += float64(x[xi]) * float64(dz[zi])
							}
						}
					}
				}
			}
		}
	}
	for zi := range z {
		if bias != nil {
			z[zi] += float64(bias[zi%f])
		}
		gb[zi%f] += float64(dz[zi])
	}
	return z, dx, gk, gb
}

// assertNear checks got against the float64 oracle want within 1e-5 of
// scale, the same sum taken over absolute values (the size of the terms).
func assertNear(t *testing.T, want, scale []float64, got []float32, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for i := range want {
		require.InDelta(t, want[i], got[i], 1e-5*(scale[i]+1e-30), "%s[%d]", what, i)
	}
}

func TestConv2DTransposeMatchesNaive(t *testing.T) {
	for i, tc := range []struct {
		h, w, c, f, k, s int
		padding          string
		n                int
	}{
		{1, 1, 1, 1, 1, 1, "valid", 1},
		{3, 4, 2, 2, 3, 1, "valid", 2},
		{3, 4, 2, 2, 3, 1, "same", 2},
		{3, 3, 2, 3, 3, 2, "same", 2}, // pad total 1: 0 before, 1 after
		{2, 3, 1, 3, 3, 2, "valid", 2},
		{2, 2, 2, 2, 4, 2, "same", 1},  // pad total 2: 1 each side
		{2, 3, 2, 2, 2, 3, "valid", 2}, // K < S: Keras's n*S, cells no kernel reaches
		{2, 3, 2, 2, 2, 3, "same", 2},
		{3, 2, 3, 2, 5, 2, "same", 2}, // pad total 3: 1 before, 2 after
		{5, 4, 3, 4, 3, 2, "same", 3},
		{7, 7, 8, 4, 2, 2, "valid", 2}, // the usual 2x upsampling
	} {
		name := fmt.Sprintf("%dx%dx%d_f%d_k%d_s%d_%s_n%d", tc.h, tc.w, tc.c, tc.f, tc.k, tc.s, tc.padding, tc.n)
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(20, uint64(i)))
			spec := LayerSpec{Type: "Conv2DTranspose", Filters: tc.f, KernelSize: tc.k, Strides: tc.s, Padding: tc.padding}
			l := buildRandom(t, spec, Shape{tc.h, tc.w, tc.c}, rng)
			oh, ow := tc.h*tc.s+max(tc.k-tc.s, 0), tc.w*tc.s+max(tc.k-tc.s, 0)
			padT, padL := 0, 0
			if tc.padding == "same" {
				oh, ow = tc.h*tc.s, tc.w*tc.s
				_, padT = tfSamePad(oh, tc.k, tc.s)
				_, padL = tfSamePad(ow, tc.k, tc.s)
			}
			require.Equal(t, Shape{oh, ow, tc.f}, l.OutShape())

			x := randSlice(rng, tc.n*tc.h*tc.w*tc.c)
			dz := randSlice(rng, tc.n*oh*ow*tc.f)
			kernel, bias := l.Params()[0], l.Params()[1]
			g0k, g0b := append([]float32(nil), kernel.G...), append([]float32(nil), bias.G...)
			z, dx, gk, gb := naiveConv2DTranspose(x, tc.n, tc.h, tc.w, tc.c, kernel.W, bias.W, tc.f, tc.k, tc.s, padT, padL, oh, ow, dz)
			sz, sdx, sgk, sgb := naiveConv2DTranspose(absSlice(x), tc.n, tc.h, tc.w, tc.c, absSlice(kernel.W), absSlice(bias.W), tc.f, tc.k, tc.s, padT, padL, oh, ow, absSlice(dz))
			for j := range gk {
				gk[j] += float64(g0k[j]) // Backward accumulates
				sgk[j] += math.Abs(float64(g0k[j]))
			}
			for j := range gb {
				gb[j] += float64(g0b[j])
				sgb[j] += math.Abs(float64(g0b[j]))
			}
			assertNear(t, z, sz, l.Forward(x, tc.n, true), "z")
			assertNear(t, dx, sdx, l.Backward(dz), "dx")
			assertNear(t, gk, sgk, kernel.G, "kernel.G")
			assertNear(t, gb, sgb, bias.G, "bias.G")
		})
	}
}

func TestConv2DTransposeHandComputed(t *testing.T) {
	seq := func(n int) []float32 { // 1, 2, ..., n
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(i + 1)
		}
		return s
	}
	for _, tc := range []struct {
		name    string
		in      Shape
		k, s    int
		padding string
		x, w    []float32 // one image; kernel (K, K, 1, 1)
		out     Shape
		want    []float32
	}{
		{
			name: "one_cell_stamps_the_kernel", in: Shape{1, 1, 1}, k: 2, s: 1, padding: "valid",
			x: []float32{2}, w: []float32{1, 2, 3, 4},
			out: Shape{2, 2, 1}, want: []float32{2, 4, 6, 8},
		},
		{
			// Overlapping stamps add up where they meet (column 2).
			name: "valid_overlap", in: Shape{1, 2, 1}, k: 3, s: 2, padding: "valid",
			x: []float32{1, 10}, w: []float32{1, 1, 1, 1, 1, 1, 1, 1, 1},
			out:  Shape{3, 5, 1},
			want: []float32{1, 1, 11, 10, 10, 1, 1, 11, 10, 10, 1, 1, 11, 10, 10},
		},
		{
			// K < S: Keras's valid output is n*S, so the cells no kernel
			// reaches stay 0.
			name: "valid_kernel_smaller_than_stride", in: Shape{1, 2, 1}, k: 1, s: 2, padding: "valid",
			x: []float32{1, 2}, w: []float32{3},
			out: Shape{2, 4, 1}, want: []float32{3, 0, 6, 0, 0, 0, 0, 0},
		},
		{
			// Same, K=3, S=2: output 2, the forward conv's padding on 2 cells
			// is max(K-S, 0) = 1, all of it after: keep the top-left 2x2.
			name: "same_k3_s2_crops_bottom_right", in: Shape{1, 1, 1}, k: 3, s: 2, padding: "same",
			x: []float32{1}, w: seq(9),
			out: Shape{2, 2, 1}, want: []float32{1, 2, 4, 5},
		},
		{
			// Same, K=4, S=2: padding 2, one before: keep the middle 2x2.
			name: "same_k4_s2_crops_both_sides", in: Shape{1, 1, 1}, k: 4, s: 2, padding: "same",
			x: []float32{1}, w: seq(16),
			out: Shape{2, 2, 1}, want: []float32{6, 7, 10, 11},
		},
		{
			// Same, K=3, S=1 on 1x2: padding 2, one before.
			name: "same_k3_s1", in: Shape{1, 2, 1}, k: 3, s: 1, padding: "same",
			x: []float32{1, 10}, w: seq(9),
			out: Shape{1, 2, 1}, want: []float32{5 + 40, 6 + 50},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := buildLayer(LayerSpec{Type: "Conv2DTranspose", Filters: 1, KernelSize: tc.k, Strides: tc.s, Padding: tc.padding},
				tc.in, rand.New(rand.NewPCG(1, 1)))
			require.NoError(t, err)
			require.Equal(t, tc.out, l.OutShape())
			copy(l.Params()[0].W, tc.w)
			assert.Equal(t, tc.want, l.Forward(tc.x, 1, false))
		})
	}
}

// Conv2DTranspose is, as TensorFlow defines it, the gradient of a Conv2D
// with the same kernel array read as (K, K, in=F, out=C): its forward pass is
// that convolution's input gradient and its input gradient is that
// convolution's forward pass. Both use the same gemm and col2im, so they
// agree bit for bit.
func TestConv2DTransposeIsConvGradient(t *testing.T) {
	for i, tc := range []struct {
		h, w, c, f, k, s int
		padding          string
	}{
		{3, 4, 2, 3, 3, 1, "valid"},
		{3, 4, 2, 3, 3, 2, "same"},
		{4, 3, 3, 2, 4, 2, "same"},
		{2, 3, 2, 2, 2, 3, "valid"},
		{3, 3, 1, 2, 5, 3, "same"},
	} {
		t.Run(fmt.Sprintf("%dx%dx%d_f%d_k%d_s%d_%s", tc.h, tc.w, tc.c, tc.f, tc.k, tc.s, tc.padding), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(30, uint64(i)))
			tr := buildRandom(t, LayerSpec{Type: "Conv2DTranspose", Filters: tc.f, KernelSize: tc.k, Strides: tc.s, Padding: tc.padding, NoBias: true},
				Shape{tc.h, tc.w, tc.c}, rng)
			conv := buildRandom(t, LayerSpec{Type: "Conv2D", Filters: tc.c, KernelSize: tc.k, Strides: tc.s, Padding: tc.padding, NoBias: true},
				tr.OutShape(), rng)
			require.Equal(t, tr.InShape(), conv.OutShape(), "the conv maps the output size back to the input size")
			copy(conv.Params()[0].W, tr.Params()[0].W)
			const n = 2
			v := randSlice(rng, n*tr.InShape().Size())
			u := randSlice(rng, n*tr.OutShape().Size())
			conv.Forward(u, n, true)
			assert.Equal(t, conv.Backward(v), tr.Forward(v, n, true), "transpose forward = conv input gradient")
			assert.Equal(t, conv.Forward(u, n, true), tr.Backward(u), "transpose input gradient = conv forward")
		})
	}
}

func TestConv2DTransposeSpec(t *testing.T) {
	l, err := buildLayer(LayerSpec{Type: "Conv2DTranspose", Filters: 16, KernelSize: 3, Strides: 2, Padding: "same", Activation: "relu"},
		Shape{7, 5, 32}, rand.New(rand.NewPCG(3, 3)))
	require.NoError(t, err)
	assert.Equal(t, Shape{14, 10, 16}, l.OutShape())
	ps := l.Params()
	require.Len(t, ps, 2)
	assert.Equal(t, []int{3, 3, 16, 32}, ps[0].Shape, "Keras (K, K, filters, in_channels)")
	assert.Equal(t, []int{16}, ps[1].Shape)
	assert.Equal(t, make([]float32, 16), ps[1].W)
	// Keras's fans from the (K, K, F, C) kernel: fan_in = F*K*K, fan_out = C*K*K.
	checkGlorot(t, ps[0].W, 16*9, 32*9)
	spec := l.Spec()
	assert.Equal(t, 2, spec.Strides)
	assert.Equal(t, "relu", spec.Activation)

	def, err := buildLayer(LayerSpec{Type: "Conv2DTranspose", Filters: 1, KernelSize: 5}, Shape{2, 3, 1}, rand.New(rand.NewPCG(3, 3)))
	require.NoError(t, err)
	assert.Equal(t, Shape{6, 7, 1}, def.OutShape(), "valid, stride 1: n + K - 1")
	assert.Equal(t, "valid", def.Spec().Padding)
	assert.Equal(t, 1, def.Spec().Strides)
}
