package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConvSize(t *testing.T) {
	tests := []struct {
		name               string
		n, k, s            int
		padding            string
		p                  int
		out, before, after int
		starts             []int
		unused, uncovered  int
		code               string // a ConvSizeError's code, or "" for none
	}{
		{name: "same keeps 28", n: 28, k: 3, s: 1, padding: "same", out: 28, before: 1, after: 1},
		{name: "valid 28 by 3", n: 28, k: 3, s: 1, padding: "valid", out: 26},
		{name: "pool 28 by 2", n: 28, k: 2, s: 2, padding: "valid", out: 14},
		{name: "pool 7 floors to 3", n: 7, k: 2, s: 2, padding: "valid", out: 3, starts: []int{0, 2, 4}, unused: 1, uncovered: 1},
		{name: "same stride 2 even pad", n: 5, k: 3, s: 2, padding: "same", out: 3, before: 1, after: 1, starts: []int{0, 2, 4}},
		{name: "same odd pad goes after", n: 6, k: 3, s: 2, padding: "same", out: 3, before: 0, after: 1, starts: []int{0, 2, 4}},
		{name: "same even kernel", n: 4, k: 2, s: 1, padding: "same", out: 4, before: 0, after: 1},
		{name: "stride skips cells", n: 5, k: 1, s: 2, padding: "valid", out: 3, starts: []int{0, 2, 4}, uncovered: 2},
		{name: "explicit 1", n: 5, k: 3, s: 1, padding: "explicit", p: 1, out: 5, before: 1, after: 1},
		{name: "explicit 2 stride 2", n: 5, k: 3, s: 2, padding: "explicit", p: 2, out: 4, before: 2, after: 2, starts: []int{0, 2, 4, 6}, unused: 0},
		{name: "explicit kernel fits only padded", n: 1, k: 3, s: 1, padding: "explicit", p: 1, out: 1, before: 1, after: 1},
		{name: "kernel equals input", n: 3, k: 3, s: 5, padding: "valid", out: 1},
		{name: "kernel larger valid", n: 2, k: 3, s: 1, padding: "valid", code: "kernelLarger"},
		{name: "kernel larger padded", n: 1, k: 4, s: 1, padding: "explicit", p: 1, code: "kernelLarger"},
		{name: "stride 0", n: 5, k: 3, s: 0, padding: "valid", code: "stride"},
		{name: "no input", n: 0, k: 3, s: 1, padding: "same", code: "input"},
		{name: "no kernel", n: 5, k: 0, s: 1, padding: "same", code: "kernel"},
		{name: "negative padding", n: 5, k: 3, s: 1, padding: "explicit", p: -1, code: "padding"},
		{name: "unknown padding", n: 5, k: 3, s: 1, padding: "full", code: "padding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ConvSize(tt.n, tt.k, tt.s, tt.padding, tt.p)
			if tt.code != "" {
				var ce *ConvSizeError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tt.code, ce.Code)
				assert.Contains(t, err.Error(), "nn: ")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.out, g.Out)
			assert.Equal(t, tt.before, g.PadBefore)
			assert.Equal(t, tt.after, g.PadAfter)
			assert.Equal(t, tt.n+tt.before+tt.after-tt.k, g.Numerator)
			assert.Equal(t, g.Numerator/tt.s+1, g.Out, "the formula floor((n + 2p - k)/s) + 1")
			if tt.starts != nil {
				assert.Equal(t, tt.starts, g.Starts)
			}
			assert.Equal(t, tt.unused, g.Unused)
			assert.Equal(t, tt.uncovered, g.Uncovered)
		})
	}
}

// ConvSize agrees with the layers the model is built from: Conv2D for
// valid and same, and MaxPooling2D, on every small geometry.
func TestConvSizeMatchesLayers(t *testing.T) {
	for n := 1; n <= 9; n++ {
		for k := 1; k <= 4; k++ {
			for s := 1; s <= 3; s++ {
				for _, pad := range []string{"valid", "same"} {
					g, gerr := ConvSize(n, k, s, pad, 0)
					for _, typ := range []string{"Conv2D", "MaxPooling2D"} {
						spec := LayerSpec{Type: typ, Filters: 1, KernelSize: k, PoolSize: k, Strides: s, Padding: pad}
						m, err := Build(ModelSpec{Input: []int{n, n, 1}, Layers: []LayerSpec{spec}}, 1)
						if gerr != nil {
							assert.Error(t, err, "%s n=%d k=%d s=%d %s", typ, n, k, s, pad)
							continue
						}
						require.NoError(t, err, "%s n=%d k=%d s=%d %s", typ, n, k, s, pad)
						assert.Equal(t, g.Out, m.OutShape()[0], "%s n=%d k=%d s=%d %s", typ, n, k, s, pad)
					}
				}
			}
		}
	}
}

// explainRandomWeights gives every parameter, biases too, seeded values in
// [-1, 1), so a bias of 0 cannot hide a mistake.
func explainRandomWeights(m *Model, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, p := range m.Params() {
		for i := range p.W {
			p.W[i] = float32(rng.Float64()*2 - 1)
		}
	}
}

func explainRandomInput(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 11))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

func TestExplainConvHandComputed(t *testing.T) {
	// A 3x3 input, one 2x2 kernel, valid: output (0, 1) covers rows 0-1,
	// columns 1-2: 2*1 + 3*0 + 5*(-1) + 6*2 = 9, + bias 0.5 = 9.5.
	m, err := Build(ModelSpec{Input: []int{3, 3, 1}, Layers: []LayerSpec{{Type: "Conv2D", Filters: 1, KernelSize: 2, Activation: "relu"}}}, 1)
	require.NoError(t, err)
	copy(m.Layers[0].Params()[0].W, []float32{1, 0, -1, 2})
	m.Layers[0].Params()[1].W[0] = 0.5
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	st, err := m.ExplainConv(x, 0, 0, 1, 0)
	require.NoError(t, err)
	assert.Equal(t, []float32{2, 3, 5, 6}, st.Window)
	assert.Equal(t, []float32{1, 0, -1, 2}, st.Kernel)
	assert.Equal(t, []float32{2, 0, -5, 12}, st.Products)
	assert.Equal(t, []float32{9}, st.ChannelSums)
	assert.Equal(t, float32(9), st.Sum)
	assert.Equal(t, float32(0.5), st.Bias)
	assert.Equal(t, float32(9.5), st.PreActivation)
	assert.Equal(t, float32(9.5), st.Activated)
	assert.Equal(t, float32(9.5), st.Output)
	assert.Equal(t, 0, st.Top)
	assert.Equal(t, 1, st.Left)

	// The kernel flipped negative: ReLU cuts -8.5 to 0.
	copy(m.Layers[0].Params()[0].W, []float32{-1, 0, 1, -2})
	m.Layers[0].Params()[1].W[0] = 0.5
	st, err = m.ExplainConv(x, 0, 0, 1, 0)
	require.NoError(t, err)
	assert.Equal(t, float32(-8.5), st.PreActivation)
	assert.Equal(t, float32(0), st.Activated)
	assert.Equal(t, float32(0), st.Output)
}

func TestExplainConvMatchesForward(t *testing.T) {
	tests := []struct {
		name   string
		input  []int
		layers []LayerSpec
		li     int
		pads   [4]int // top, left, bottom, right, by hand
	}{
		{"same 3x3, one channel", []int{7, 6, 1}, []LayerSpec{{Type: "Conv2D", Filters: 4, KernelSize: 3, Padding: "same", Activation: "relu"}}, 0, [4]int{1, 1, 1, 1}},
		{"valid 3x3, three channels", []int{6, 5, 3}, []LayerSpec{{Type: "Conv2D", Filters: 2, KernelSize: 3, Activation: "tanh"}}, 0, [4]int{}},
		// 6 cells, k 3, s 2, same: 3 outputs reach (3-1)*2+3 = 7 cells, one
		// padding cell, after the input (the odd cell goes bottom/right).
		{"strided same, odd padding", []int{6, 6, 2}, []LayerSpec{{Type: "Conv2D", Filters: 3, KernelSize: 3, Strides: 2, Padding: "same", Activation: "linear"}}, 0, [4]int{0, 0, 1, 1}},
		// 5 cells, k 4, same: 3 padding cells, 1 before and 2 after.
		{"even kernel same", []int{5, 5, 2}, []LayerSpec{{Type: "Conv2D", Filters: 2, KernelSize: 4, Padding: "same", Activation: "sigmoid"}}, 0, [4]int{1, 1, 2, 2}},
		{"winograd second layer after pooling", []int{10, 10, 1}, []LayerSpec{
			{Type: "Conv2D", Filters: 8, KernelSize: 3, Padding: "same", Activation: "relu"},
			{Type: "MaxPooling2D"},
			{Type: "Conv2D", Filters: 5, KernelSize: 3, Padding: "same", Activation: "relu"},
		}, 2, [4]int{1, 1, 1, 1}},
		// 7 cells, k 2, s 3, valid: windows at 0 and 3 stop at 5, no padding.
		{"no bias, strided valid", []int{7, 7, 2}, []LayerSpec{{Type: "Conv2D", Filters: 2, KernelSize: 2, Strides: 3, NoBias: true}}, 0, [4]int{}},
		{"softmax over filters", []int{4, 4, 1}, []LayerSpec{{Type: "Conv2D", Filters: 3, KernelSize: 3, Padding: "same", Activation: "softmax"}}, 0, [4]int{1, 1, 1, 1}},
		// Non-square, k 3, s 2, same: 6 rows give 3 outputs reaching 7 rows,
		// padded 0 + 1; 3 columns give 2 outputs reaching 5, padded 1 + 1.
		{"non-square strided same", []int{6, 3, 1}, []LayerSpec{{Type: "Conv2D", Filters: 2, KernelSize: 3, Strides: 2, Padding: "same"}}, 0, [4]int{0, 1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Build(ModelSpec{Input: tt.input, Layers: tt.layers}, 3)
			require.NoError(t, err)
			explainRandomWeights(m, 5)
			x := explainRandomInput(m.InShape().Size(), 9)
			tr, err := m.Trace(x)
			require.NoError(t, err)
			out := m.Layers[tt.li].OutShape()
			var in []float32
			if tt.li == 0 {
				in = x
			} else {
				in = tr[tt.li-1].Output.Data
			}
			inShape := m.Layers[tt.li].InShape()
			for y := range out[0] {
				for xo := range out[1] {
					for f := range out[2] {
						st, err := m.ExplainConv(x, tt.li, y, xo, f)
						require.NoError(t, err)
						assert.Equal(t, tt.pads, [4]int{st.PadTop, st.PadLeft, st.PadBottom, st.PadRight})
						// Every window lies in the padded input.
						assert.GreaterOrEqual(t, st.Top, -st.PadTop)
						assert.GreaterOrEqual(t, st.Left, -st.PadLeft)
						assert.LessOrEqual(t, st.Top+st.K, inShape[0]+st.PadBottom)
						assert.LessOrEqual(t, st.Left+st.K, inShape[1]+st.PadRight)
						want := tr[tt.li].Output.Data[(y*out[1]+xo)*out[2]+f]
						assert.Equal(t, want, st.Output, "Output is the layer's own value")
						assert.InDelta(t, want, st.Activated, 1e-5*max(1, math.Abs(float64(want))), "(%d, %d, %d)", y, xo, f)
						// The sums add up as the page shows them.
						var total float32
						for c, s := range st.ChannelSums {
							var cs float64
							for i := c; i < len(st.Products); i += inShape[2] {
								assert.Equal(t, st.Window[i]*st.Kernel[i], st.Products[i])
								cs += float64(st.Products[i])
							}
							assert.InDelta(t, cs, float64(s), 1e-5)
							total += s
						}
						assert.InDelta(t, total, st.Sum, 1e-5)
						assert.Equal(t, st.Sum+st.Bias, st.PreActivation)
						// The window holds the input, 0 in the padding.
						k, c := st.K, inShape[2]
						for kh := range k {
							for kw := range k {
								h, w := st.Top+kh, st.Left+kw
								inside := h >= 0 && h < inShape[0] && w >= 0 && w < inShape[1]
								assert.Equal(t, inside, st.Inside[kh*k+kw])
								for ci := range c {
									v := float32(0)
									if inside {
										v = in[(h*inShape[1]+w)*c+ci]
									}
									assert.Equal(t, v, st.Window[(kh*k+kw)*c+ci])
								}
							}
						}
					}
				}
			}
		})
	}
}

func TestExplainConvErrors(t *testing.T) {
	m, err := Build(SmallSpec(), 1)
	require.NoError(t, err)
	x := make([]float32, 784)
	for _, tt := range []struct {
		name         string
		x            []float32
		li, y, xo, f int
		want         string
	}{
		{"pooling layer", x, 1, 0, 0, 0, "not a Conv2D"},
		{"no such layer", x, 9, 0, 0, 0, "does not exist"},
		{"negative layer", x, -1, 0, 0, 0, "does not exist"},
		{"row outside", x, 0, 26, 0, 0, "outside"},
		{"filter outside", x, 0, 0, 0, 8, "outside"},
		{"wrong input size", x[:10], 0, 0, 0, 0, "want one input"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.ExplainConv(tt.x, tt.li, tt.y, tt.xo, tt.f)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestUpsample(t *testing.T) {
	// Kernel 2 of ones, stride 2: each cell becomes a 2x2 block.
	out, shape, err := Upsample([]float32{1, 2, 3, 4}, 2, 2, []float32{1, 1, 1, 1}, 2, 2, "valid")
	require.NoError(t, err)
	assert.Equal(t, Shape{4, 4, 1}, shape)
	assert.Equal(t, []float32{
		1, 1, 2, 2,
		1, 1, 2, 2,
		3, 3, 4, 4,
		3, 3, 4, 4,
	}, out)
	// A 3-tap tent, stride 2, same: a 1x3 map grows to 1x6 (a 3x3 kernel
	// whose middle row is the tent; rows above and below fall outside).
	out, shape, err = Upsample([]float32{2, 4, 6}, 1, 3, []float32{0, 0, 0, 0.5, 1, 0.5, 0, 0, 0}, 3, 2, "same")
	require.NoError(t, err)
	assert.Equal(t, Shape{2, 6, 1}, shape)
	// The padding (1 cell) all goes after, so input row 0 stamps kernel rows
	// 0, 1 (2 is cropped) on output rows 0, 1, and cell w stamps columns 2w,
	// 2w+1, 2w+2 (the last one cropped): row 1 is [1, 2, 1+2, 4, 2+3, 6].
	assert.Equal(t, []float32{0, 0, 0, 0, 0, 0}, out[:6])
	assert.Equal(t, []float32{1, 2, 3, 4, 5, 6}, out[6:])

	_, _, err = Upsample([]float32{1}, 2, 2, []float32{1}, 1, 1, "valid")
	assert.ErrorContains(t, err, "values for a 2x2 map")
	_, _, err = Upsample([]float32{1}, 1, 1, []float32{1}, 2, 2, "valid")
	assert.ErrorContains(t, err, "kernel of 1 values")
}
