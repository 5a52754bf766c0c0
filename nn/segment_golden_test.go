package nn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGoldenPixelCrossEntropy checks the per-pixel sparse cross-entropy
// from logits against PyTorch's F.cross_entropy over (N, C, H, W)
// (testdata/golden/gen_segment.py): the loss averaged over pixels and
// samples and its gradient.
func TestGoldenPixelCrossEntropy(t *testing.T) {
	a := loadGolden(t, "segment_pixel_ce")
	z, labels := mustArray(t, a, "z"), mustArray(t, a, "labels")
	require.Equal(t, []int{2, 3, 4, 5}, z.Shape)
	rows, c := 2*3*4, 5
	dz := make([]float32, len(z.Data))
	got := sparseCrossEntropy{}.LossFromLogits(dz, z.Data, labels.Data, rows, c)
	want := float64(mustArray(t, a, "loss").Data[0])
	require.InDelta(t, want, got, 1e-6*math.Abs(want), "loss")
	assertClose(t, "dz", dz, mustArray(t, a, "dz").Data, 1e-5, 1e-6)

	// Through a model: an Activation('softmax') over a (3, 4, 5) map, so the
	// model's per-pixel path (Compile, lossOf) is what is checked.
	m, err := Build(ModelSpec{Input: []int{3, 4, 5}, Layers: []LayerSpec{{Type: "Activation", Activation: "softmax"}}}, 1)
	require.NoError(t, err)
	compileSparse(t, m)
	loss, _ := m.ComputeGradients(z.Data, labels.Data, 2)
	require.InDelta(t, want, loss, 1e-6*math.Abs(want), "model loss")
	assertClose(t, "model dz", m.dOut, mustArray(t, a, "dz").Data, 1e-5, 1e-6)
}

// TestGoldenFCN checks a small fully convolutional network's loss and every
// weight's gradient (Conv2D, AveragePooling2D, Conv2DTranspose, a 1x1
// Conv2D with softmax fused with the per-pixel loss) against PyTorch.
func TestGoldenFCN(t *testing.T) {
	a := loadGolden(t, "segment_fcn")
	spec := ModelSpec{Input: []int{4, 6, 1}, Layers: []LayerSpec{
		{Type: "Conv2D", Filters: 3, KernelSize: 3, Padding: "same", Activation: "tanh"},
		{Type: "AveragePooling2D", PoolSize: 2},
		{Type: "Conv2DTranspose", Filters: 4, KernelSize: 3, Strides: 2, Padding: "same", Activation: "tanh"},
		{Type: "Conv2D", Filters: 3, KernelSize: 1, Activation: "softmax"},
	}}
	m, err := Build(spec, 1)
	require.NoError(t, err)
	require.Equal(t, Shape{4, 6, 3}, m.OutShape())
	for i, p := range m.Params() {
		w := mustArray(t, a, "w"+string(rune('0'+i)))
		require.Len(t, w.Data, len(p.W), p.Name)
		copy(p.W, w.Data)
	}
	compileSparse(t, m)
	require.NotNil(t, m.fused)
	x, labels := mustArray(t, a, "x"), mustArray(t, a, "labels")
	loss, _ := m.ComputeGradients(x.Data, labels.Data, 2)
	want := float64(mustArray(t, a, "loss").Data[0])
	require.InDelta(t, want, loss, 1e-5*math.Abs(want), "loss")
	assertClose(t, "probs", m.Forward(x.Data, 2, false), mustArray(t, a, "probs").Data, 1e-5, 1e-6)
	m.ComputeGradients(x.Data, labels.Data, 2)
	for i, p := range m.Params() {
		assertClose(t, p.Name, p.G, mustArray(t, a, "g"+string(rune('0'+i))).Data, 1e-4, 1e-5)
	}
}

func compileSparse(t *testing.T, m *Model) {
	t.Helper()
	opt, err := NewOptimizer(OptimizerSpec{Name: "sgd"})
	require.NoError(t, err)
	loss, err := ParseLoss("sparse_categorical_crossentropy")
	require.NoError(t, err)
	require.NoError(t, m.Compile(opt, loss))
}
