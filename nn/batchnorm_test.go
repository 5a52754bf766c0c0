package nn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGoldenBatchNorm checks BatchNormalization against PyTorch's
// batch_norm (testdata/golden/gen_batchnorm.py): the output, dx, dgamma and
// dbeta in training (batch statistics) and inference (moving statistics),
// and the moving statistics after a training step by Keras's momentum rule.
func TestGoldenBatchNorm(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(goldenDir, "batchnorm.json"))
	require.NoError(t, err)
	var idx struct {
		Cases []struct {
			goldenCase
			Training bool `json:"training"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(b, &idx))
	require.NotEmpty(t, idx.Cases)
	for _, c := range idx.Cases {
		t.Run(c.Name, func(t *testing.T) {
			a := loadGolden(t, c.Name)
			l, err := buildLayer(c.Layer, Shape(c.Input), rand.New(rand.NewPCG(1, 2)))
			require.NoError(t, err)
			for _, p := range l.Params() {
				copy(p.W, mustArray(t, a, p.Name).Data)
			}
			x, dy := mustArray(t, a, "x").Data, mustArray(t, a, "dy").Data
			for pass := 1; pass <= 2; pass++ {
				if pass == 2 { // the same input from the same moving statistics
					copy(l.Params()[2].W, mustArray(t, a, "moving_mean").Data)
					copy(l.Params()[3].W, mustArray(t, a, "moving_variance").Data)
				}
				y := l.Forward(append([]float32(nil), x...), c.N, c.Training)
				assertClose(t, fmt.Sprintf("pass %d: y", pass), y, mustArray(t, a, "y").Data, layerRtol, layerAtol)
				assertClose(t, "moving_mean", l.Params()[2].W, mustArray(t, a, "moving_mean_after").Data, layerRtol, layerAtol)
				assertClose(t, "moving_variance", l.Params()[3].W, mustArray(t, a, "moving_variance_after").Data, layerRtol, layerAtol)
				dx := l.Backward(append([]float32(nil), dy...))
				assertClose(t, fmt.Sprintf("pass %d: dx", pass), dx, mustArray(t, a, "dx").Data, layerRtol, layerAtol)
				for _, p := range l.Params()[:2] {
					want := scaled(mustArray(t, a, "d"+p.Name).Data, float32(pass))
					assertClose(t, fmt.Sprintf("pass %d: d%s (accumulated)", pass, p.Name), p.G, want, layerRtol, layerAtol)
				}
			}
		})
	}
}

// TestBatchNormByHand: one channel of values 1, 2, 3, 6 (mean 3, biased
// variance 3.5) with eps 0.5 normalizes by 1/sqrt(4) = 0.5.
func TestBatchNormByHand(t *testing.T) {
	l, err := buildLayer(LayerSpec{Type: "BatchNormalization", Epsilon: 0.5, Momentum: 0.75}, Shape{2, 1, 1}, nil)
	require.NoError(t, err)
	ps := l.Params()
	require.Equal(t, []string{"gamma", "beta", "moving_mean", "moving_variance"},
		[]string{ps[0].Name, ps[1].Name, ps[2].Name, ps[3].Name}, "Keras's get_weights() order")
	ps[0].W[0], ps[1].W[0] = 2, 1 // y = 2*xhat + 1
	y := l.Forward([]float32{1, 2, 3, 6}, 2, true)
	require.Equal(t, []float32{-1, 0, 1, 4}, y)
	require.Equal(t, []float32{0.75}, ps[2].W, "0*0.75 + 3*0.25")
	require.Equal(t, []float32{1.625}, ps[3].W, "1*0.75 + 3.5*0.25")
	// Inference, with the moving mean 0.75 and a moving variance set to 3.5:
	ps[3].W[0] = 3.5 // + eps = 4: y = 2*(x - 0.75)/2 + 1
	y = l.Forward([]float32{0.75, 2.75}, 1, false)
	require.Equal(t, []float32{1, 3}, y)
	require.Equal(t, []float32{0.75}, ps[2].W, "inference leaves the moving mean")
}

// TestBatchNormSaved: the moving statistics go through .cpw with the
// weights, count as parameters (Keras's count_params) and are not moved by
// an optimizer step.
func TestBatchNormSaved(t *testing.T) {
	spec := ModelSpec{Input: []int{4, 4, 1}, Layers: []LayerSpec{
		{Type: "Conv2D", Filters: 2, KernelSize: 3},
		{Type: "BatchNormalization"},
		{Type: "Activation", Activation: "relu"},
		{Type: "Flatten"},
		{Type: "Dense", Units: 3, Activation: "softmax"},
	}, InputScaling: Unit}
	m, err := Build(spec, 1)
	require.NoError(t, err)
	require.Equal(t, 20+8+27, m.NumParams())
	require.Contains(t, m.Summary(), "Total params: 55\nTrainable params: 51\nNon-trainable params: 4\n")
	opt, err := NewOptimizer(OptimizerSpec{Name: "sgd", LearningRate: 0.1, Momentum: 0.9})
	require.NoError(t, err)
	loss, err := ParseLoss("sparse_categorical_crossentropy")
	require.NoError(t, err)
	require.NoError(t, m.Compile(opt, loss))
	x := make([]float32, 3*16)
	for i := range x {
		x[i] = float32(i%7) - 2
	}
	bn := m.Layers[1].Params()
	for range 2 {
		m.ComputeGradients(x, []float32{0, 1, 2}, 3)
		m.ApplyGradients()
		require.Equal(t, []float32{0, 0}, bn[2].G)
	}
	require.NotEqual(t, []float32{0, 0}, bn[2].W, "training moved the moving mean")
	require.NotEqual(t, []float32{1, 1}, bn[0].W, "the step moved gamma")
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	m2, err := Load(&buf)
	require.NoError(t, err)
	require.Equal(t, bn[2].W, m2.Layers[1].Params()[2].W)
	require.Equal(t, bn[3].W, m2.Layers[1].Params()[3].W)
	require.Equal(t, Unit, m2.Spec.InputScaling, ".cpw keeps the input scaling")
}
