package nn

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInputScaling(t *testing.T) {
	for _, c := range []struct {
		in   string
		want InputScaling
	}{{"", Standardized}, {"standardized", Standardized}, {"unit", Unit}, {"/255", Unit}, {"raw", Raw}} {
		got, err := ParseInputScaling(c.in)
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, got, c.in)
	}
	_, err := ParseInputScaling("zscore")
	require.ErrorContains(t, err, "unknown input scaling")

	dst := make([]float32, 2)
	Unit.Apply(dst, []float32{0, 255}, 10, 2)
	require.Equal(t, []float32{0, 1}, dst)
	Raw.Apply(dst, []float32{0, 255}, 10, 2)
	require.Equal(t, []float32{0, 255}, dst)
	Standardized.Apply(dst, []float32{0, 255}, 10, 2)
	require.Equal(t, []float32{-5, 122.5}, dst)

	spec := SmallSpec()
	spec.InputScaling = "zscore"
	_, err = Build(spec, 1)
	require.ErrorContains(t, err, "unknown input scaling")
}

func TestOutputsLogits(t *testing.T) {
	spec := SmallSpec()
	require.False(t, spec.OutputsLogits(), "a softmax output")
	spec.Layers[len(spec.Layers)-1].Activation = ""
	require.True(t, spec.OutputsLogits(), "a Dense without activation")
	spec.Layers = append(spec.Layers, LayerSpec{Type: "Activation", Activation: "softmax"})
	require.False(t, spec.OutputsLogits(), "a Softmax after the logits")
}

func TestRescalingByHand(t *testing.T) {
	l, err := buildLayer(LayerSpec{Type: "Rescaling", Scale: 0.5, Offset: -1}, Shape{3}, nil)
	require.NoError(t, err)
	require.Equal(t, []float32{-1, 0, 126.5}, l.Forward([]float32{0, 2, 255}, 1, false))
	require.Equal(t, []float32{0.5, -1, 2}, l.Backward([]float32{1, -2, 4}))
	_, err = buildLayer(LayerSpec{Type: "Rescaling"}, Shape{3}, nil)
	require.ErrorContains(t, err, "scale must be finite and nonzero")
}

// TestLogitsLoss: a model ending in logits, compiled with a cross-entropy,
// has the loss and gradients of the same model ending in a softmax
// (Keras's from_logits=True).
func TestLogitsLoss(t *testing.T) {
	spec := ModelSpec{Input: []int{3}, Layers: []LayerSpec{{Type: "Dense", Units: 4}}}
	logits, err := Build(spec, 7)
	require.NoError(t, err)
	spec.Layers[0].Activation = "softmax"
	probs, err := Build(spec, 7)
	require.NoError(t, err)
	loss, err := ParseLoss("sparse_categorical_crossentropy")
	require.NoError(t, err)
	x, y := []float32{1, -2, 0.5, 0.3, 0.2, -1}, []float32{2, 0}
	var got [2]float64
	for i, m := range []*Model{logits, probs} {
		opt, err := NewOptimizer(OptimizerSpec{Name: "sgd"})
		require.NoError(t, err)
		require.NoError(t, m.Compile(opt, loss))
		got[i], _ = m.ComputeGradients(x, y, 2)
	}
	require.InDelta(t, got[1], got[0], 1e-6)
	require.InDeltaSlice(t, probs.Params()[0].G, logits.Params()[0].G, 1e-6)
}
