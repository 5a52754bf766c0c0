package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// whyModel is SmallSpec with gen.py's hashed weights and a seeded input.
func whyModel(t testing.TB, spec ModelSpec) (*Model, *Explainer, []float32) {
	t.Helper()
	m, err := Build(spec, 1)
	require.NoError(t, err)
	setGoldenWeights(m, 3000)
	e, err := NewExplainer(m)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, m.InShape().Size())
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return m, e, x
}

func TestExplainerRefusesMapOutputs(t *testing.T) {
	m, err := Build(ModelSpec{Input: []int{8, 8, 1}, Layers: []LayerSpec{{Type: "Conv2D", Filters: 2, KernelSize: 3}}}, 1)
	require.NoError(t, err)
	_, err = NewExplainer(m)
	require.ErrorContains(t, err, "class scores")
}

func TestSaliencyLeavesParamGradients(t *testing.T) {
	m, e, x := whyModel(t, SmallSpec())
	for _, p := range m.Params() {
		for i := range p.G {
			p.G[i] = float32(i % 7)
		}
	}
	_, err := e.Saliency(x, 2)
	require.NoError(t, err)
	_, err = e.GradCAM(x, 2, -1)
	require.NoError(t, err)
	for _, p := range m.Params() {
		for i, g := range p.G {
			require.Equal(t, float32(i%7), g)
		}
	}

	// Training's gradients after explaining are those of a model that
	// never explained: the layers compute their parameter gradients again.
	fresh, _, _ := whyModel(t, SmallSpec())
	for _, mm := range []*Model{m, fresh} {
		opt, err := NewOptimizer(OptimizerSpec{Name: "sgd"})
		require.NoError(t, err)
		loss, err := ParseLoss("sparse_categorical_crossentropy")
		require.NoError(t, err)
		require.NoError(t, mm.Compile(opt, loss))
		mm.ComputeGradients(x, []float32{4}, 1)
	}
	assert.Equal(t, fresh.FlatGradients(nil), m.FlatGradients(nil))
	assert.NotEqual(t, make([]float32, m.NumParams()), m.FlatGradients(nil))
}

func TestSaliencyFiniteDifferences(t *testing.T) {
	// A smooth model (tanh, average pooling), in float32: central
	// differences of the class logit agree with the gradient to ~1e-2.
	spec := ModelSpec{Input: []int{7, 6, 2}, Layers: []LayerSpec{
		{Type: "Conv2D", Filters: 3, KernelSize: 3, Padding: "same", Activation: "tanh"},
		{Type: "AveragePooling2D", PoolSize: 2},
		{Type: "Flatten"},
		{Type: "Dense", Units: 4, Activation: "softmax"},
	}}
	m, e, x := whyModel(t, spec)
	s, err := e.Saliency(x, 1)
	require.NoError(t, err)
	const h = 1e-2
	for i := range x {
		v := x[i]
		x[i] = v + h
		up, _, _, err := m.Scores(x)
		require.NoError(t, err)
		x[i] = v - h
		down, _, _, err := m.Scores(x)
		require.NoError(t, err)
		x[i] = v
		fd := (float64(up[1]) - float64(down[1])) / (2 * h)
		assert.InDelta(t, fd, s.Grad[i], 1e-2*math.Abs(fd)+2e-3, "input %d", i)
	}
}

func TestGradCAMDefaultsToLastConv(t *testing.T) {
	m, e, x := whyModel(t, SmallSpec())
	require.Equal(t, 2, m.LastConv())
	gc, err := e.GradCAM(x, 4, -1)
	require.NoError(t, err)
	require.Equal(t, 2, gc.Layer)
	require.Equal(t, Shape{11, 11, 16}, gc.Shape)
	require.Len(t, gc.Upsampled, 28*28)
	for _, v := range gc.Map {
		require.GreaterOrEqual(t, v, float32(0))
	}
	pr, err := m.Predict(x, 1)
	require.NoError(t, err)
	top := argmaxFirst(pr)
	gp, err := e.GradCAM(x, Predicted, -1)
	require.NoError(t, err)
	require.Equal(t, top, gp.Class)
	gt, err := e.GradCAM(x, top, -1)
	require.NoError(t, err)
	require.Equal(t, gt, gp)
	sp, err := e.Saliency(x, Predicted)
	require.NoError(t, err)
	require.Equal(t, top, sp.Class)
	op, err := e.Occlusion(x, Predicted, OcclusionConfig{Patch: 14, Stride: 14})
	require.NoError(t, err)
	require.Equal(t, top, op.Class)
	_, err = e.GradCAM(x, 4, 4) // Flatten: a vector
	require.ErrorContains(t, err, "not feature maps")
	_, err = e.GradCAM(x, 10, -1)
	require.ErrorContains(t, err, "class 10")
	_, err = e.Saliency(x, -2)
	require.ErrorContains(t, err, "class -2")
}

func TestBilinear(t *testing.T) {
	// F.interpolate([[0, 1], [2, 3]], size=(4, 4), mode="bilinear", align_corners=False)
	dst := make([]float32, 16)
	Bilinear(dst, 4, 4, []float32{0, 1, 2, 3}, 2, 2)
	assert.Equal(t, []float32{
		0, 0.25, 0.75, 1,
		0.5, 0.75, 1.25, 1.5,
		1.5, 1.75, 2.25, 2.5,
		2, 2.25, 2.75, 3,
	}, dst)
	one := make([]float32, 6)
	Bilinear(one, 2, 3, []float32{5}, 1, 1)
	assert.Equal(t, []float32{5, 5, 5, 5, 5, 5}, one)
}

func TestClassScoreConventions(t *testing.T) {
	// Dense(softmax) and Dense(linear) + Activation(softmax) explain the
	// same logits; a linear output is its own score.
	layers := func(last ...LayerSpec) ModelSpec {
		return ModelSpec{Input: []int{6, 6, 1}, Layers: append([]LayerSpec{
			{Type: "Conv2D", Filters: 2, KernelSize: 3, Activation: "tanh"},
			{Type: "Flatten"},
		}, last...)}
	}
	// whyModel gives each the same weights: the same shapes in the same order.
	_, ef, x := whyModel(t, layers(LayerSpec{Type: "Dense", Units: 3, Activation: "softmax"}))
	_, es, _ := whyModel(t, layers(LayerSpec{Type: "Dense", Units: 3}, LayerSpec{Type: "Activation", Activation: "softmax"}))
	linear, el, _ := whyModel(t, layers(LayerSpec{Type: "Dense", Units: 3}))
	require.True(t, ef.ScoresAreLogits())
	require.True(t, es.ScoresAreLogits())
	require.False(t, el.ScoresAreLogits())
	a, err := ef.Saliency(x, 2)
	require.NoError(t, err)
	b, err := es.Saliency(x, 2)
	require.NoError(t, err)
	c, err := el.Saliency(x, 2)
	require.NoError(t, err)
	assert.Equal(t, a.Grad, b.Grad)
	assert.Equal(t, a.Grad, c.Grad)
	assert.Equal(t, a.Score, c.Score)
	assert.Equal(t, a.Out, b.Out)
	out, err := linear.Predict(x, 1)
	require.NoError(t, err)
	assert.Equal(t, out, c.Out)

	// FGSM follows softmax(scores) either way: the same step.
	fa, err := ef.FGSM(x, AttackConfig{Epsilon: 0.1, Target: -1, Label: 1})
	require.NoError(t, err)
	fc, err := el.FGSM(x, AttackConfig{Epsilon: 0.1, Target: -1, Label: 1})
	require.NoError(t, err)
	assert.Equal(t, fa.Adversarial, fc.Adversarial)
	assert.InDelta(t, fa.Loss[0], fc.Loss[0], 1e-6)
}
