package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mtCompiled builds spec with seed and compiles it with SGD and the named loss.
func mtCompiled(t testing.TB, spec ModelSpec, seed uint64, opt OptimizerSpec, loss string) *Model {
	t.Helper()
	m, err := Build(spec, seed)
	require.NoError(t, err)
	o, err := NewOptimizer(opt)
	require.NoError(t, err)
	l, err := ParseLoss(loss)
	require.NoError(t, err)
	require.NoError(t, m.Compile(o, l))
	return m
}

// mtDenseSpec is a one-layer classifier: in inputs to units with activation.
func mtDenseSpec(in, units int, act string) ModelSpec {
	return ModelSpec{Input: []int{in}, Layers: []LayerSpec{{Type: "Dense", Units: units, Activation: act}}}
}

// mtPoolSpec is a small image classifier without convolutions: max and
// average pooling, dropout, flatten and two dense layers.
func mtPoolSpec(dropout float64) ModelSpec {
	return ModelSpec{Input: []int{6, 5, 2}, Layers: []LayerSpec{
		{Type: "MaxPooling2D", PoolSize: 2, Strides: 1},
		{Type: "AveragePooling2D", PoolSize: 2},
		{Type: "Dropout", Rate: dropout},
		{Type: "Flatten"},
		{Type: "Dense", Units: 4, Activation: "tanh"},
		{Type: "Dense", Units: 3, Activation: "softmax"},
	}}
}

// mtBatch returns n seeded inputs of size in and sparse labels below classes.
func mtBatch(seed uint64, n, in, classes int) (x, y []float32) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x, y = make([]float32, n*in), make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for i := range y {
		y[i] = float32(rng.IntN(classes))
	}
	return x, y
}

func TestCompile(t *testing.T) {
	sgd := OptimizerSpec{Name: "sgd"}
	tests := []struct {
		name  string
		spec  ModelSpec
		loss  string
		fused bool
		err   string
	}{
		{"softmax with sparse CE fuses", mtDenseSpec(3, 4, "softmax"), "sparse_categorical_crossentropy", true, ""},
		{"softmax with categorical CE fuses", mtDenseSpec(3, 4, "softmax"), "categorical_crossentropy", true, ""},
		{"softmax with MSE does not fuse", mtDenseSpec(3, 4, "softmax"), "mean_squared_error", false, ""},
		{"relu output does not fuse", mtDenseSpec(3, 4, "relu"), "sparse_categorical_crossentropy", false, ""},
		{"CE on a map is per pixel", ModelSpec{Input: []int{4, 4, 2}, Layers: []LayerSpec{{Type: "MaxPooling2D"}}},
			"sparse_categorical_crossentropy", false, ""},
		{"CE on a map of one channel", ModelSpec{Input: []int{4, 4, 1}, Layers: []LayerSpec{{Type: "MaxPooling2D"}}},
			"sparse_categorical_crossentropy", false, "needs an output of class scores, (D) with D >= 2 or a map (H, W, C) with C >= 2 per pixel, but the model outputs (2, 2, 1)"},
		{"CE on one unit", mtDenseSpec(3, 1, "sigmoid"), "categorical_crossentropy", false, "but the model outputs (1)"},
		{"MSE on a map", ModelSpec{Input: []int{4, 4, 2}, Layers: []LayerSpec{{Type: "MaxPooling2D"}}}, "mse", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Build(tt.spec, 1)
			require.NoError(t, err)
			opt, _ := NewOptimizer(sgd)
			loss, err := ParseLoss(tt.loss)
			require.NoError(t, err)
			err = m.Compile(opt, loss)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.fused, m.fused != nil)
			assert.Same(t, opt, m.Optimizer())
			assert.Equal(t, loss, m.Loss())
		})
	}
	m, err := Build(mtDenseSpec(2, 2, ""), 1)
	require.NoError(t, err)
	assert.Error(t, m.Compile(nil, nil))
	assert.Panics(t, func() { m.ComputeGradients([]float32{1, 2}, []float32{0}, 1) }, "training before Compile is a bug")
}

// TestComputeGradientsByHand: a Dense 2 -> 2 softmax layer with zero
// weights gives p = (0.5, 0.5) for any input. For x = (1, 2), label 0:
// loss = ln 2, dz = p - onehot = (-0.5, 0.5), dkernel[i][j] = x_i dz_j,
// dbias = dz; argmax (0.5, 0.5) is 0 (ties go to the lowest), so correct.
// With two samples the gradients are the mean.
func TestComputeGradientsByHand(t *testing.T) {
	tests := []struct {
		name        string
		x, y        []float32
		loss        float64
		correct     int
		dW, db      []float32
		nonZeroBias bool
	}{
		{"one sample", []float32{1, 2}, []float32{0}, math.Ln2, 1,
			[]float32{-0.5, 0.5, -1, 1}, []float32{-0.5, 0.5}, false},
		// second sample x = (3, -1), label 1: dz = (0.5, -0.5);
		// mean dkernel = ((-0.5+1.5)/2, (0.5-1.5)/2, (-1-0.5)/2, (1+0.5)/2).
		{"mean of two", []float32{1, 2, 3, -1}, []float32{0, 1}, math.Ln2, 1,
			[]float32{0.5, -0.5, -0.75, 0.75}, []float32{0, 0}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mtCompiled(t, mtDenseSpec(2, 2, "softmax"), 1, OptimizerSpec{Name: "sgd", LearningRate: 1}, "sparse_categorical_crossentropy")
			ps := m.Params()
			clear(ps[0].W)
			ps[0].G[0] = 99 // stale gradients are zeroed
			n := len(tt.y)
			loss, correct := m.ComputeGradients(tt.x, tt.y, n)
			assert.InDelta(t, tt.loss, loss, 1e-6)
			assert.Equal(t, tt.correct, correct)
			assert.InDeltaSlice(t, tt.dW, ps[0].G, 1e-6)
			assert.InDeltaSlice(t, tt.db, ps[1].G, 1e-6)
			m.ApplyGradients() // SGD, lr 1: w = -g
			for i, g := range tt.dW {
				assert.InDelta(t, -g, ps[0].W[i], 1e-6)
			}
		})
	}
}

// TestFusedMatchesUnfused: the loss and gradients computed from the logits
// equal those through softmax's Jacobian (within float32 rounding) when no
// probability underflows.
func TestFusedMatchesUnfused(t *testing.T) {
	for _, loss := range []string{"sparse_categorical_crossentropy", "categorical_crossentropy"} {
		t.Run(loss, func(t *testing.T) {
			spec := mtPoolSpec(0)
			a := mtCompiled(t, spec, 3, OptimizerSpec{Name: "sgd"}, loss)
			b := mtCompiled(t, spec, 3, OptimizerSpec{Name: "sgd"}, loss)
			require.NotNil(t, a.fused)
			b.fused = nil
			x, y := mtBatch(5, 4, 60, 3)
			if loss == "categorical_crossentropy" {
				y = mtOneHot(y, 3)
			}
			la, ca := a.ComputeGradients(x, y, 4)
			lb, cb := b.ComputeGradients(x, y, 4)
			assert.InDelta(t, lb, la, 1e-5)
			assert.Equal(t, cb, ca)
			assert.InDeltaSlice(t, b.FlatGradients(nil), a.FlatGradients(nil), 1e-5)
		})
	}
}

func mtOneHot(labels []float32, classes int) []float32 {
	y := make([]float32, len(labels)*classes)
	for i, l := range labels {
		y[i*classes+int(l)] = 1
	}
	return y
}

func TestCheckTargets(t *testing.T) {
	sparse := mtCompiled(t, mtDenseSpec(2, 3, "softmax"), 1, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
	mse := mtCompiled(t, mtDenseSpec(2, 3, ""), 1, OptimizerSpec{Name: "sgd"}, "mse")
	tests := []struct {
		name string
		m    *Model
		y    []float32
		n    int
		err  string
	}{
		{"valid labels", sparse, []float32{0, 2}, 2, ""},
		{"label = classes", sparse, []float32{0, 3}, 2, "label 1 is 3, not a class index in [0, 3)"},
		{"negative label", sparse, []float32{-1}, 1, "label 0 is -1"},
		{"fractional label", sparse, []float32{1.5}, 1, "label 0 is 1.5"},
		{"NaN label", sparse, []float32{float32(math.NaN())}, 1, "label 0 is NaN"},
		{"too few", sparse, []float32{0}, 2, "1 target values for 2 samples, want 2"},
		{"mse any value", mse, []float32{-7, 0.5, 1e9}, 1, ""},
		{"mse wrong length", mse, []float32{1}, 1, "want 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.CheckTargets(tt.y, tt.n)
			if tt.err == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}

func TestFlatWeights(t *testing.T) {
	m := mtCompiled(t, mtPoolSpec(0), 1, OptimizerSpec{Name: "sgd"}, "mse")
	w := m.FlatWeights(nil)
	require.Len(t, w, m.NumParams())
	assert.Equal(t, 8*4+4+4*3+3, m.NumParams()) // (6,5,2) -> max 2/1 (5,4,2) -> avg 2 (2,2,2) -> 8
	assert.Equal(t, m.Params()[0].W[5], w[5])
	w[5] = 42
	require.NoError(t, m.SetFlatWeights(w))
	assert.Equal(t, float32(42), m.Params()[0].W[5])
	assert.Error(t, m.SetFlatWeights(w[:3]))
}

// TestPredict: Predict runs 32 samples at a time and matches one Forward
// over the whole batch; its result is a new slice.
func TestPredict(t *testing.T) {
	m := mtCompiled(t, mtPoolSpec(0.5), 2, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
	x, _ := mtBatch(3, 70, 60, 3)
	got, err := m.Predict(x, 70)
	require.NoError(t, err)
	want := append([]float32(nil), m.Forward(x, 70, false)...)
	assert.InDeltaSlice(t, want, got, 1e-6, "dropout is off in inference")
	for i := 0; i < 70; i++ {
		var sum float32
		for _, p := range got[i*3 : i*3+3] {
			sum += p
		}
		assert.InDelta(t, 1, sum, 1e-5)
	}
	_, err = m.Predict(x[:59], 1)
	assert.ErrorContains(t, err, "predict got 59 values for 1 samples of shape (6, 5, 2)")
	empty, err := m.Predict(nil, 0)
	require.NoError(t, err)
	assert.Empty(t, empty)
}

// mtAllLayersSpec uses every layer type, for the allocation test and the
// benchmarks.
func mtAllLayersSpec() ModelSpec {
	return ModelSpec{Input: []int{8, 8, 1}, Layers: []LayerSpec{
		{Type: "Conv2D", Filters: 4, KernelSize: 3, Padding: "same", Activation: "relu"},
		{Type: "MaxPooling2D"},
		{Type: "Conv2DTranspose", Filters: 3, KernelSize: 2, Strides: 2, Activation: "tanh"},
		{Type: "AveragePooling2D"},
		{Type: "Activation", Activation: "sigmoid"},
		{Type: "Dropout", Rate: 0.25},
		{Type: "Flatten"},
		{Type: "Dense", Units: 5, Activation: "relu"},
		{Type: "Dense", Units: 3, Activation: "softmax"},
	}}
}

// TestTrainingStepAllocatesNothing: once the buffers have grown, a training
// step at a fixed batch size allocates nothing, for every optimizer.
func TestTrainingStepAllocatesNothing(t *testing.T) {
	for _, opt := range []OptimizerSpec{{Name: "sgd", Momentum: 0.9}, {Name: "adam"}, {Name: "rmsprop"}} {
		t.Run(opt.Name, func(t *testing.T) {
			m := mtCompiled(t, mtAllLayersSpec(), 1, opt, "sparse_categorical_crossentropy")
			x, y := mtBatch(1, 4, 64, 3)
			step := func() {
				m.ComputeGradients(x, y, 4)
				m.ApplyGradients()
			}
			step()
			assert.Equal(t, 0.0, testing.AllocsPerRun(5, step))
		})
	}
}
