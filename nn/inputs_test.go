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
