package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDescribeReference checks Describe against the reference model's
// figures computed by hand: sizes 28 -> 28 (same), 28 -> 14, 14 -> 7,
// 7 -> 3 (pooling floors 2.5), 3*3*128 = 1152; parameters
// (3*3*C+1)*F and (1152+1)*128, 435,306 in all; multiply-adds OH*OW*F*K*K*C
// for a convolution and in*out for a dense layer.
func TestDescribeReference(t *testing.T) {
	m, err := Build(ReferenceSpec(), 1)
	require.NoError(t, err)
	info := Describe(m)
	assert.Equal(t, Shape{28, 28, 1}, info.Input)
	require.Len(t, info.Layers, 12)

	want := []struct {
		name   string
		out    Shape
		params int
		macs   int
	}{
		{"conv2d", Shape{28, 28, 32}, (3*3*1 + 1) * 32, 28 * 28 * 32 * 3 * 3 * 1},
		{"conv2d_1", Shape{28, 28, 32}, (3*3*32 + 1) * 32, 28 * 28 * 32 * 3 * 3 * 32},
		{"max_pooling2d", Shape{14, 14, 32}, 0, 0},
		{"conv2d_2", Shape{14, 14, 64}, (3*3*32 + 1) * 64, 14 * 14 * 64 * 3 * 3 * 32},
		{"conv2d_3", Shape{14, 14, 64}, (3*3*64 + 1) * 64, 14 * 14 * 64 * 3 * 3 * 64},
		{"max_pooling2d_1", Shape{7, 7, 64}, 0, 0},
		{"conv2d_4", Shape{7, 7, 128}, (3*3*64 + 1) * 128, 7 * 7 * 128 * 3 * 3 * 64},
		{"conv2d_5", Shape{7, 7, 128}, (3*3*128 + 1) * 128, 7 * 7 * 128 * 3 * 3 * 128},
		{"max_pooling2d_2", Shape{3, 3, 128}, 0, 0},
		{"flatten", Shape{1152}, 0, 0},
		{"dense", Shape{128}, (1152 + 1) * 128, 1152 * 128},
		{"dense_1", Shape{10}, (128 + 1) * 10, 128 * 10},
	}
	cum := 0
	for i, w := range want {
		l := info.Layers[i]
		cum += w.params
		assert.Equal(t, i, l.Index)
		assert.Equal(t, w.name, l.Name)
		assert.Equal(t, w.out, l.OutShape, w.name)
		assert.Equal(t, w.params, l.Params, w.name)
		assert.Equal(t, cum, l.ParamsCum, w.name)
		assert.Equal(t, w.macs, l.MACs, w.name)
		assert.Equal(t, w.out.Size(), l.Values, w.name)
		assert.Equal(t, w.out[len(w.out)-1], l.Channels, w.name)
	}
	assert.Equal(t, 435306, info.TotalParams)
	assert.Equal(t, 29275904, info.TotalMACs)
	assert.Equal(t, []GroupInfo{
		{Kind: "conv", Layers: 6, Params: 320 + 9248 + 18496 + 36928 + 73856 + 147584, MACs: 29275904 - 147456 - 1280,
			ParamShare: 286432.0 / 435306, MACShare: 29127168.0 / 29275904},
		{Kind: "pool", Layers: 3},
		{Kind: "other", Layers: 1},
		{Kind: "dense", Layers: 2, Params: 147584 + 1290, MACs: 147456 + 1280, ParamShare: 148874.0 / 435306, MACShare: 148736.0 / 29275904},
	}, info.Groups)
	assert.Equal(t, 28*28, info.Layers[0].Area)
	assert.Equal(t, 0, info.Layers[9].Area)
	assert.InDelta(t, 147584.0/435306, info.Layers[10].ParamShare, 1e-12)
	assert.InDelta(t, 7225344.0/29275904, info.Layers[1].MACShare, 1e-12)

	// The size formula's terms: floor((n + 2p - k)/s) + 1.
	sizes := []struct {
		layer               int
		n, k, s, padT, out  int
		padBefore, padAfter int
		quotient            float64
		kernel, strides, ps int
		padding, activation string
	}{
		{0, 28, 3, 1, 2, 28, 1, 1, 27, 3, 1, 0, "same", "relu"},
		{2, 28, 2, 2, 0, 14, 0, 0, 13, 0, 2, 2, "valid", ""},
		{5, 14, 2, 2, 0, 7, 0, 0, 6, 0, 2, 2, "valid", ""},
		{8, 7, 2, 2, 0, 3, 0, 0, 2.5, 0, 2, 2, "valid", ""},
	}
	for _, w := range sizes {
		l := info.Layers[w.layer]
		require.NotNil(t, l.Size, l.Name)
		assert.Equal(t, SizeTerms{N: w.n, K: w.k, S: w.s, PadTotal: w.padT, PadBefore: w.padBefore, PadAfter: w.padAfter, Quotient: w.quotient, Out: w.out}, *l.Size, l.Name)
		assert.Equal(t, w.kernel, l.Kernel, l.Name)
		assert.Equal(t, w.strides, l.Strides, l.Name)
		assert.Equal(t, w.ps, l.PoolSize, l.Name)
		assert.Equal(t, w.padding, l.Padding, l.Name)
		assert.Equal(t, w.activation, l.Activation, l.Name)
	}
	assert.Nil(t, info.Layers[9].Size)
	assert.Nil(t, info.Layers[9].Count)

	// The parameter counts' terms.
	assert.Equal(t, ParamTerms{KH: 3, KW: 3, CIn: 64, COut: 128, Bias: true, Weights: 73728, Biases: 128}, *info.Layers[6].Count)
	assert.Equal(t, ParamTerms{KH: 1, KW: 1, CIn: 1152, COut: 128, Bias: true, Weights: 147456, Biases: 128}, *info.Layers[10].Count)
	assert.Equal(t, "softmax", info.Layers[11].Activation)
	assert.Equal(t, 10, info.Layers[11].Units)
	assert.Nil(t, info.Layers[2].Count)
}

// TestDescribeOddCases: a non-square input, stride 2 with 'same' padding
// (an odd padding total, the extra cell at the bottom/right), no bias, and
// a transposed convolution growing a map back.
func TestDescribeOddCases(t *testing.T) {
	m, err := Build(ModelSpec{Input: []int{5, 8, 2}, Layers: []LayerSpec{
		{Type: "Conv2D", Filters: 3, KernelSize: 3, Strides: 2, Padding: "same", NoBias: true},
		{Type: "Conv2DTranspose", Filters: 1, KernelSize: 3, Strides: 2},
		{Type: "AveragePooling2D", PoolSize: 3, Strides: 1},
	}}, 1)
	require.NoError(t, err)
	info := Describe(m)
	c := info.Layers[0]
	assert.Equal(t, Shape{3, 4, 3}, c.OutShape)
	// height: ceil(5/2) = 3, padding (3-1)*2+3-5 = 2: floor((5+2-3)/2)+1 = 3
	// width:  ceil(8/2) = 4, padding (4-1)*2+3-8 = 1 (0 before, 1 after): floor((8+1-3)/2)+1 = 4
	assert.Equal(t, SizeTerms{N: 5, K: 3, S: 2, PadTotal: 2, PadBefore: 1, PadAfter: 1, Quotient: 2, Out: 3,
		SizeW: &SizeTerms{N: 8, K: 3, S: 2, PadTotal: 1, PadBefore: 0, PadAfter: 1, Quotient: 3, Out: 4}}, *c.Size)
	assert.Equal(t, ParamTerms{KH: 3, KW: 3, CIn: 2, COut: 3, Weights: 54}, *c.Count)
	assert.Equal(t, 54, c.Params)
	assert.Equal(t, 3*4*3*3*3*2, c.MACs)

	tr := info.Layers[1]
	// valid: (n-1)*2 + 3: 3 -> 7, 4 -> 9
	assert.Equal(t, Shape{7, 9, 1}, tr.OutShape)
	assert.Equal(t, SizeTerms{Transposed: true, N: 3, K: 3, S: 2, Out: 7,
		SizeW: &SizeTerms{Transposed: true, N: 4, K: 3, S: 2, Out: 9}}, *tr.Size)
	assert.Equal(t, 3*4*3*3*3*1, tr.MACs)
	assert.Equal(t, 3*3*3*1+1, tr.Params)

	p := info.Layers[2]
	assert.Equal(t, Shape{5, 7, 1}, p.OutShape)
	assert.Equal(t, 0, p.MACs)
	assert.Equal(t, 5, p.Size.Out)
	assert.Equal(t, 7, p.Size.SizeW.Out)
	assert.Equal(t, info.TotalMACs, c.MACs+tr.MACs)
}

// TestScores: a dense softmax layer's logits are its weighted sums; the
// output is their softmax.
func TestScores(t *testing.T) {
	m, err := Build(ModelSpec{Input: []int{1, 1, 2}, Layers: []LayerSpec{
		{Type: "Flatten"},
		{Type: "Dense", Units: 2, Activation: "softmax"},
	}}, 1)
	require.NoError(t, err)
	copy(m.Params()[0].W, []float32{1, 0, 0, 1}) // identity
	copy(m.Params()[1].W, []float32{0, 1})
	logits, out, act, err := m.Scores([]float32{2, 1})
	require.NoError(t, err)
	assert.Equal(t, "softmax", act)
	assert.Equal(t, []float32{2, 2}, logits)
	assert.InDeltaSlice(t, []float32{0.5, 0.5}, out, 1e-7)

	logits, out, _, err = m.Scores([]float32{3, 0}) // logits (3, 1): p0 = 1/(1+e^-2)
	require.NoError(t, err)
	assert.Equal(t, []float32{3, 1}, logits)
	assert.InDelta(t, 0.880797, out[0], 1e-6)

	_, _, _, err = m.Scores([]float32{1})
	assert.EqualError(t, err, "nn: scores got 1 values, want one input of shape (1, 1, 2) (2 values)")

	// A last layer without an activation: the logits are the output.
	m2, err := Build(ModelSpec{Input: []int{2, 2, 1}, Layers: []LayerSpec{{Type: "Flatten"}}}, 1)
	require.NoError(t, err)
	logits, out, act, err = m2.Scores([]float32{1, 2, 3, 4})
	require.NoError(t, err)
	assert.Equal(t, "", act)
	assert.Equal(t, out, logits)
}
