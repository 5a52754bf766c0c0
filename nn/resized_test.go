package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func compileAdam(t *testing.T, m *Model) {
	t.Helper()
	opt, _ := NewOptimizer(OptimizerSpec{Name: "adam", LearningRate: 0.01})
	loss, _ := ParseLoss("sparse_categorical_crossentropy")
	require.NoError(t, m.Compile(opt, loss))
}

// TestResizedSharesWeights: the fcn-small network resized to 24 x 24 has
// the same parameters, a training step of either moves both, and on a
// 24 x 24 window of a 64 x 64 input the two agree away from the window's
// edges (a fully convolutional network computes the same thing anywhere).
func TestResizedSharesWeights(t *testing.T) {
	m, err := Build(FCNSmallSpec(), 5)
	require.NoError(t, err)
	r, err := m.Resized(Shape{24, 24, 1})
	require.NoError(t, err)
	assert.Equal(t, Shape{24, 24, 11}, r.OutShape())
	assert.True(t, r.sharesWeights(m) && m.sharesWeights(r))
	assert.Equal(t, m.Spec.Layers, r.Spec.Layers, "the same layers, names included")

	compileAdam(t, r)
	before := m.FlatWeights(nil)
	data := segMaps(4, 24, 24, 2)
	_, err = r.Fit(data, FitConfig{Epochs: 1, BatchSize: 4})
	require.NoError(t, err)
	after := m.FlatWeights(nil)
	assert.NotEqual(t, before, after, "the resized model's step moved the original's weights")
	assert.Equal(t, after, r.FlatWeights(nil))

	// Inference agrees inside a window (BN uses its moving statistics).
	const s, r0, c0 = 48, 8, 12 // multiples of 4: the pooling grid lines up
	w48, err := m.Resized(Shape{s, s, 1})
	require.NoError(t, err)
	big := segMaps(1, 64, 64, 3).X.Data
	win := make([]float32, s*s)
	for h := range s {
		copy(win[h*s:(h+1)*s], big[(r0+h)*64+c0:])
	}
	ob, err := m.Predict(big, 1)
	require.NoError(t, err)
	ow, err := w48.Predict(win, 1)
	require.NoError(t, err)
	for h := 20; h < 28; h++ { // the centre, beyond the reach of the window's zero padding
		for w := 20; w < 28; w++ {
			for c := range 11 {
				assert.InDelta(t, ob[((r0+h)*64+c0+w)*11+c], ow[(h*s+w)*11+c], 1e-5, "pixel (%d, %d) class %d", h, w, c)
			}
		}
	}
}

func TestResizedRefusesSizeBoundParameters(t *testing.T) {
	m, err := Build(DenseSpec(), 1)
	require.NoError(t, err)
	_, err = m.Resized(Shape{14, 14, 1})
	assert.ErrorContains(t, err, "layer dense's kernel is (784, 128) for inputs (28, 28, 1) and (196, 128) for (14, 14, 1)")
	_, err = m.Resized(Shape{0, 14, 1})
	assert.Error(t, err)
}

// TestValidationModel trains on 6 x 6 maps and validates on 10 x 8 ones with
// the resized model: the logged validation figures are that model's
// evaluation of the validation data after the epoch.
func TestValidationModel(t *testing.T) {
	spec := ModelSpec{Input: []int{6, 6, 1}, Layers: []LayerSpec{
		{Type: "Conv2D", Filters: 8, KernelSize: 3, Padding: "same", Activation: "tanh"},
		{Type: "Conv2D", Filters: 3, KernelSize: 1, Activation: "softmax"},
	}}
	m, err := Build(spec, 3)
	require.NoError(t, err)
	compileAdam(t, m)
	v, err := m.Resized(Shape{10, 8, 1})
	require.NoError(t, err)
	compileAdam(t, v)
	train, val := segMaps(32, 6, 6, 1), segMaps(5, 10, 8, 2)
	h, err := m.Fit(train, FitConfig{Epochs: 2, BatchSize: 8, Validation: val, ValidationModel: v})
	require.NoError(t, err)
	e, err := v.EvaluateDetailed(val, 5)
	require.NoError(t, err)
	assert.InDelta(t, e.Loss, h.ValLoss[1], 1e-6)
	assert.InDelta(t, e.MeanIoU(), h.ValMeanIoU[1], 1e-9)
	assert.Greater(t, h.ValAccuracy[1], h.ValAccuracy[0]-0.2)
	assert.LessOrEqual(t, h.ValAccuracy[1], 1.0, "a fraction of the validation model's pixels")

	other, err := Build(ModelSpec{Input: []int{10, 8, 1}, Layers: spec.Layers}, 9)
	require.NoError(t, err)
	compileAdam(t, other)
	_, err = NewTrainer(m, train, FitConfig{Validation: val, ValidationModel: other})
	assert.ErrorContains(t, err, "does not share the trained model's weights")
	bare, err := m.Resized(Shape{10, 8, 1})
	require.NoError(t, err)
	_, err = NewTrainer(m, train, FitConfig{Validation: val, ValidationModel: bare})
	assert.ErrorContains(t, err, "not compiled")
}
