package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTrace: a 4x4 map of 2 channels, channel 0 holding the pixel number
// p = 4h+w and channel 1 holding -p, max-pooled 2x2: channel 0's maximum
// is each window's bottom-right cell, channel 1's (all values <= 0) its
// top-left. A choice is the input index p*2+c.
func TestTrace(t *testing.T) {
	m, err := Build(ModelSpec{Input: []int{4, 4, 2}, Layers: []LayerSpec{
		{Type: "MaxPooling2D"},
		{Type: "Flatten"},
		{Type: "Dense", Units: 2},
	}}, 1)
	require.NoError(t, err)
	k, b := m.Params()[0].W, m.Params()[1].W
	for i := range 8 {
		k[2*i], k[2*i+1] = 1, 0 // unit 0 sums its inputs, unit 1 is its bias
	}
	b[1] = 0.5
	x := make([]float32, 32)
	for p := range 16 {
		x[2*p], x[2*p+1] = float32(p), -float32(p)
	}
	tr, err := m.Trace(x)
	require.NoError(t, err)
	require.Len(t, tr, 3)

	pooled := []float32{5, 0, 7, -2, 13, -8, 15, -10}
	assert.Equal(t, "max_pooling2d", tr[0].Name)
	assert.Equal(t, "MaxPooling2D", tr[0].Type)
	assert.Equal(t, []int{2, 2, 2}, tr[0].Output.Shape)
	assert.Equal(t, pooled, tr[0].Output.Data)
	assert.Equal(t, []int32{10, 1, 14, 5, 26, 17, 30, 21}, tr[0].Choices)

	assert.Equal(t, "flatten", tr[1].Name)
	assert.Equal(t, []int{8}, tr[1].Output.Shape)
	assert.Equal(t, pooled, tr[1].Output.Data)
	assert.Nil(t, tr[1].Choices)

	assert.Equal(t, "Dense", tr[2].Type)
	assert.Equal(t, []float32{20, 0.5}, tr[2].Output.Data) // 5+0+7-2+13-8+15-10 = 20

	// The trace is a copy: later passes do not change it.
	for i := range x {
		x[i] = 100
	}
	m.Forward(x, 1, false)
	assert.Equal(t, pooled, tr[0].Output.Data)
	assert.Equal(t, []int32{10, 1, 14, 5, 26, 17, 30, 21}, tr[0].Choices)

	_, err = m.Trace(x[:31])
	assert.ErrorContains(t, err, "trace got 31 values, want one input of shape (4, 4, 2) (32 values)")
}
