package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnitWeights(t *testing.T) {
	spec := ModelSpec{Input: []int{4, 4, 2}, Layers: []LayerSpec{
		{Type: "Conv2D", Filters: 3, KernelSize: 3, Padding: "same", Activation: "relu"},
		{Type: "Flatten"},
		{Type: "Dense", Units: 5, Activation: "softmax"},
	}}
	m, err := Build(spec, 1)
	require.NoError(t, err)

	conv := m.Layers[0]
	k := conv.Params()[0] // (3, 3, 2, 3)
	w, shape, bias, err := UnitWeights(conv, 2)
	require.NoError(t, err)
	assert.Equal(t, Shape{3, 3, 2}, shape)
	require.Len(t, w, 18)
	// Kernel (y, x, c, f) is at ((y*3 + x)*2 + c)*3 + f.
	assert.Equal(t, k.W[((1*3+2)*2+1)*3+2], w[(1*3+2)*2+1])
	assert.Equal(t, conv.Params()[1].W[2], bias)

	dense := m.Layers[2]
	w, shape, _, err = UnitWeights(dense, 4)
	require.NoError(t, err)
	assert.Equal(t, Shape{48}, shape, "one weight per input value: 4·4·3")
	assert.Equal(t, dense.Params()[0].W[7*5+4], w[7])

	_, _, _, err = UnitWeights(dense, 5)
	assert.ErrorContains(t, err, "unit 5 does not exist")
	_, _, _, err = UnitWeights(m.Layers[1], 0)
	assert.ErrorContains(t, err, "no weights")
}

func TestInkArea(t *testing.T) {
	assert.Equal(t, float32(50), InkArea([]float32{-1, 0.5, 0.56, 2}, 0.56))
	assert.Equal(t, float32(0), InkArea(nil, 0))
	assert.Equal(t, float32(100), InkArea([]float32{1, 1}, 1), "at the threshold counts")
}
