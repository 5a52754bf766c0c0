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

func TestOcclusionAgainstDirectLoop(t *testing.T) {
	m, e, x := whyModel(t, SmallSpec())
	for _, cfg := range []OcclusionConfig{
		{Patch: 4, Stride: 2, Fill: 0, Batch: 7},
		{Patch: 5, Stride: 3, Fill: -0.8},
		{Patch: 28, Stride: 1, Fill: 1},
	} {
		o, err := e.Occlusion(x, 6, cfg)
		require.NoError(t, err)
		rows := (28-cfg.Patch)/cfg.Stride + 1
		require.Equal(t, rows, o.Rows)
		require.Equal(t, rows, o.Cols)
		base, err := m.Predict(x, 1)
		require.NoError(t, err)
		require.Equal(t, base[6], o.Prob)
		covered := make([]float32, len(x))
		sum, count := make([]float64, len(x)), make([]int, len(x))
		for r := range rows {
			for c := range rows {
				for i := range x {
					y, xx := i/28, i%28
					covered[i] = x[i]
					if y >= r*cfg.Stride && y < r*cfg.Stride+cfg.Patch && xx >= c*cfg.Stride && xx < c*cfg.Stride+cfg.Patch {
						covered[i] = cfg.Fill
						sum[i] += float64(base[6])
						count[i]++
					}
				}
				out, err := m.Predict(covered, 1)
				require.NoError(t, err)
				k := r*rows + c
				require.InDelta(t, out[6], o.Probs[k], 1e-6, "position (%d, %d)", r, c)
				require.InDelta(t, base[6]-out[6], o.Drop[k], 1e-6)
				require.Equal(t, argmaxFirst(out), o.Top[k])
				for i := range x {
					if y, xx := i/28, i%28; y >= r*cfg.Stride && y < r*cfg.Stride+cfg.Patch && xx >= c*cfg.Stride && xx < c*cfg.Stride+cfg.Patch {
						sum[i] -= float64(out[6])
					}
				}
			}
		}
		for i := range x {
			want := 0.0
			if count[i] > 0 {
				want = sum[i] / float64(count[i])
			}
			require.InDelta(t, want, o.Map[i], 1e-5, "pixel %d", i)
		}
	}
	_, err := e.Occlusion(x, 0, OcclusionConfig{Patch: 29})
	require.ErrorContains(t, err, "patch 29")

	// A blank top half covered with its own value needs no forward pass
	// there: the input is unchanged, so the drop is exactly 0.
	for i := range 14 * 28 {
		x[i] = -0.5
	}
	o, err := e.Occlusion(x, 6, OcclusionConfig{Patch: 4, Stride: 2, Fill: -0.5})
	require.NoError(t, err)
	assert.Equal(t, 169-6*13, o.Forwards) // rows 0-5 lie in the blank half
	for k := range 6 * 13 {
		require.Equal(t, float32(0), o.Drop[k])
	}

	// In parts of any size, the same numbers.
	oc, err := e.NewOccluder(x, 6, OcclusionConfig{Patch: 4, Stride: 2, Fill: -0.5})
	require.NoError(t, err)
	for i := 1; !oc.Done(); i++ {
		oc.Run(i)
	}
	done, total := oc.Progress()
	assert.Equal(t, total, done)
	assert.Equal(t, o, oc.Result())
}

func TestMask(t *testing.T) {
	m, e, x := whyModel(t, SmallSpec())
	mask := make([]float32, 28*28)
	r, err := e.Mask(x, mask, 0, 3)
	require.NoError(t, err)
	require.Equal(t, r.Prob, r.MaskedProb)
	require.Equal(t, x, r.Input)
	for i := range mask {
		mask[i] = 2 // clamped to 1
	}
	r, err = e.Mask(x, mask, -0.5, 3)
	require.NoError(t, err)
	for _, v := range r.Input {
		require.Equal(t, float32(-0.5), v)
	}
	out, err := m.Predict(r.Input, 1)
	require.NoError(t, err)
	require.Equal(t, out[3], r.MaskedProb)
	_, err = e.Mask(x, mask[:5], 0, 3)
	require.ErrorContains(t, err, "mask has 5 values")
}

func TestFGSM(t *testing.T) {
	_, e, x := whyModel(t, SmallSpec())
	a, err := e.FGSM(x, AttackConfig{Epsilon: 0.05, Target: -1, Label: -1})
	require.NoError(t, err)
	require.Equal(t, a.ClassBefore, a.Label)
	require.Len(t, a.Loss, 2)
	assert.Greater(t, a.Loss[1], a.Loss[0], "FGSM raises the loss of the predicted class")
	for i, p := range a.Perturbation {
		require.LessOrEqual(t, math.Abs(float64(p)), 0.05+1e-6)
		require.Equal(t, x[i]+p, a.Adversarial[i])
	}

	// A few bounded targeted steps reach the target with a large enough ball.
	target := (a.ClassBefore + 1) % 10
	a, err = e.FGSM(x, AttackConfig{Epsilon: 2, Target: target, Label: -1, Steps: 20, StopWhenFooled: true, Lo: -1, Hi: 3})
	require.NoError(t, err)
	require.Equal(t, target, a.ClassAfter)
	require.Less(t, a.Steps, 20)
	require.Len(t, a.Loss, a.Steps+1)
	assert.Less(t, a.Loss[len(a.Loss)-1], a.Loss[0])
	for i, v := range a.Adversarial {
		require.LessOrEqual(t, math.Abs(float64(v-x[i])), 2+1e-5)
		require.True(t, v >= -1 && v <= 3)
	}
	_, err = e.FGSM(x, AttackConfig{Epsilon: -1})
	require.ErrorContains(t, err, "epsilon")
}

func TestMaximize(t *testing.T) {
	_, e, _ := whyModel(t, SmallSpec())
	cfgs := []MaximizeConfig{DefaultMaximize(2, 5), DefaultMaximize(-1, 7), DefaultMaximize(0, 1)}
	cfgs[1].Lo, cfgs[1].Hi = -1, 2
	cfgs[2].Jitter, cfgs[2].BlurEvery, cfgs[2].Decay, cfgs[2].Noise = 0, 0, 0, 0
	for _, cfg := range cfgs {
		cfg.Steps, cfg.Seed = 24, 3
		var objs []float32
		img, final, err := e.Maximize(cfg, func(s MaximizeStep) bool {
			require.Equal(t, len(objs)+1, s.Step)
			objs = append(objs, s.Objective)
			return true
		})
		require.NoError(t, err)
		require.Len(t, objs, 24)
		require.Len(t, img, 28*28)
		assert.Greater(t, final, objs[0], "the climb raises the objective (%+v)", cfg)
		if cfg.Hi != 0 {
			for _, v := range img {
				require.True(t, v >= -1 && v <= 2)
			}
		}
	}
	// The same seed gives the same steps; a callback can stop the climb.
	run := func() []float32 {
		cfg := DefaultMaximize(2, 0)
		cfg.Steps, cfg.Seed = 8, 9
		img, _, err := e.Maximize(cfg, nil)
		require.NoError(t, err)
		return img
	}
	require.Equal(t, run(), run())
	steps := 0
	_, _, err := e.Maximize(DefaultMaximize(2, 0), func(MaximizeStep) bool { steps++; return steps < 3 })
	require.NoError(t, err)
	require.Equal(t, 3, steps)
	_, err = e.NewMaximizer(DefaultMaximize(2, 16))
	require.ErrorContains(t, err, "channels 0 to 15")
	_, err = e.NewMaximizer(MaximizeConfig{Layer: 2, Steps: 1})
	require.ErrorContains(t, err, "learning rate")
	_, err = e.NewMaximizer(DefaultMaximize(4, 0))
	require.ErrorContains(t, err, "not feature maps")
}

func TestRollAndBlur(t *testing.T) {
	src := []float32{1, 2, 3, 4, 5, 6} // (2, 3, 1)
	dst := make([]float32, 6)
	roll(dst, src, 2, 3, 1, 1, -1)
	assert.Equal(t, []float32{5, 6, 4, 2, 3, 1}, dst)
	x := []float32{0, 0, 0, 0, 9, 0, 0, 0, 0}
	blur(x, make([]float32, 9), 3, 3, 1, gaussianKernel(0.5))
	var sum float32
	for _, v := range x {
		sum += v
	}
	assert.InDelta(t, 9, sum, 1e-5, "a blur away from the edges keeps the mass")
	assert.Greater(t, x[4], x[1])
	assert.Equal(t, x[1], x[3])
}

func TestPCA(t *testing.T) {
	// Points with covariance diag(9, 4, 1, ...) rotated: the components
	// are the rotation's first two columns.
	const n, d = 4000, 6
	rng := rand.New(rand.NewPCG(1, 1))
	q := make([]float64, d*d) // a random orthonormal basis, columns
	for i := range q {
		q[i] = rng.NormFloat64()
	}
	orthonormalize(q, d, d)
	sd := []float64{3, 2, 1, 0.5, 0.3, 0.1}
	x := make([]float32, n*d)
	for i := range n {
		for k := range d {
			z := rng.NormFloat64() * sd[k]
			for j := range d {
				x[i*d+j] += float32(z * q[j*d+k])
			}
		}
		x[i*d] += 5 // a mean to remove
	}
	p, err := NewPCA(x, n, d)
	require.NoError(t, err)
	assert.InDelta(t, 5, p.Mean[0], 0.2)
	assert.InDelta(t, 9, p.Variance[0], 0.6)
	assert.InDelta(t, 4, p.Variance[1], 0.3)
	for c := range 2 {
		var dot float64
		for j := range d {
			dot += float64(p.Components[c][j]) * q[j*d+c]
		}
		assert.InDelta(t, 1, math.Abs(dot), 0.01, "component %d", c)
	}
	// Exact against the covariance: C v = lambda v, by a direct loop.
	cov := make([]float64, d*d)
	for i := range n {
		for a := range d {
			for b := range d {
				cov[a*d+b] += float64(x[i*d+a]-p.Mean[a]) * float64(x[i*d+b]-p.Mean[b]) / (n - 1)
			}
		}
	}
	var trace float64
	for a := range d {
		trace += cov[a*d+a]
	}
	assert.InDelta(t, trace, p.Total, 1e-6*trace)
	for c := range 2 {
		for a := range d {
			var cv float64
			for b := range d {
				cv += cov[a*d+b] * float64(p.Components[c][b])
			}
			assert.InDelta(t, p.Variance[c]*float64(p.Components[c][a]), cv, 1e-5*p.Variance[0])
		}
	}
	pts := p.Project(nil, x[:2*d], 2)
	require.Len(t, pts, 4)
	ex := p.Explained()
	assert.InDelta(t, 9/(9+4+1+0.25+0.09+0.01), ex[0], 0.03)

	_, err = NewPCA(x[:d], 1, d)
	require.ErrorContains(t, err, "at least 2 points")
	// One dimension, and identical points: no NaN.
	p, err = NewPCA([]float32{1, 2, 3}, 3, 1)
	require.NoError(t, err)
	assert.InDelta(t, 1, p.Variance[0], 1e-12)
	assert.Equal(t, float32(1), p.Components[0][0])
	p, err = NewPCA([]float32{1, 1, 1, 1}, 2, 2)
	require.NoError(t, err)
	assert.Equal(t, 0.0, p.Variance[0])
	assert.Equal(t, [2]float64{}, p.Explained())
}

func TestFeatures(t *testing.T) {
	m, _, x := whyModel(t, ReferenceSpec())
	require.Equal(t, 10, m.FeatureLayer()) // Dense(128)'s output, read by Dense(10)
	require.Equal(t, 128, m.FeatureSize())
	xs := append(append([]float32(nil), x...), x...)
	out := make([]float32, 20)
	f, err := m.Features(nil, out, xs, 2)
	require.NoError(t, err)
	tr, err := m.Trace(x)
	require.NoError(t, err)
	assert.Equal(t, tr[10].Output.Data, f[:128])
	assert.Equal(t, tr[10].Output.Data, f[128:])
	assert.InDeltaSlice(t, tr[11].Output.Data, out[:10], 1e-7)
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
