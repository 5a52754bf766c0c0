package nn

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mtBlobs returns n seeded 2-D points in 3 classes, class k centred at angle
// 2πk/3 on the unit circle, as TensorData.
func mtBlobs(t testing.TB, seed uint64, n int) *TensorData {
	rng := rand.New(rand.NewPCG(seed, 2))
	x, y := NewTensor(n, 2), NewTensor(n)
	for i := range n {
		k := i % 3
		a := 2 * math.Pi * float64(k) / 3
		x.Data[2*i] = float32(math.Cos(a) + 0.3*rng.NormFloat64())
		x.Data[2*i+1] = float32(math.Sin(a) + 0.3*rng.NormFloat64())
		y.Data[i] = float32(k)
	}
	d, err := NewTensorData(x, y)
	require.NoError(t, err)
	return d
}

func mtBlobModel(t testing.TB, opt OptimizerSpec) *Model {
	return mtCompiled(t, ModelSpec{Input: []int{2}, Layers: []LayerSpec{
		{Type: "Dense", Units: 8, Activation: "relu"},
		{Type: "Dense", Units: 3, Activation: "softmax"},
	}}, 1, opt, "sparse_categorical_crossentropy")
}

// mtRecordingData records the index batches it is asked for.
type mtRecordingData struct {
	Data
	batches [][]int
}

func (r *mtRecordingData) Fill(x, y []float32, idx []int) {
	r.batches = append(r.batches, slices.Clone(idx))
	r.Data.Fill(x, y, idx)
}

func TestFitLearns(t *testing.T) {
	for _, opt := range []OptimizerSpec{{Name: "sgd", LearningRate: 0.1}, {Name: "adam", LearningRate: 0.01}, {Name: "rmsprop", LearningRate: 0.01}} {
		t.Run(opt.Name, func(t *testing.T) {
			m := mtBlobModel(t, opt)
			val := mtBlobs(t, 9, 30)
			h, err := m.Fit(mtBlobs(t, 1, 90), FitConfig{Epochs: 8, BatchSize: 10, Seed: 3, Validation: val})
			require.NoError(t, err)
			require.Len(t, h.Loss, 8)
			require.Len(t, h.ValAccuracy, 8)
			assert.Less(t, h.Loss[7], h.Loss[0]/2)
			assert.Greater(t, h.ValAccuracy[7], 0.9)
			// The last val_loss is the model's evaluation on the validation data.
			loss, acc, err := m.Evaluate(val, 7)
			require.NoError(t, err)
			assert.InDelta(t, h.ValLoss[7], loss, 1e-6)
			assert.InDelta(t, h.ValAccuracy[7], acc, 1e-9)
		})
	}
}

// TestFitBatchesAndProgress: 10 samples in batches of 4 are 4, 4, 2; each
// epoch is a permutation (fresh each epoch, the same for the same seed); the
// progress is the running mean weighted by batch size.
func TestFitBatchesAndProgress(t *testing.T) {
	run := func(seed uint64, noShuffle bool) ([][]int, []BatchProgress, *History) {
		m := mtBlobModel(t, OptimizerSpec{Name: "sgd", LearningRate: 0.1})
		d := &mtRecordingData{Data: mtBlobs(t, 1, 10)}
		var prog []BatchProgress
		h, err := m.Fit(d, FitConfig{Epochs: 2, BatchSize: 4, Seed: seed, NoShuffle: noShuffle,
			OnBatch: func(p BatchProgress) { prog = append(prog, p) }})
		require.NoError(t, err)
		return d.batches, prog, h
	}
	batches, prog, h := run(5, false)
	require.Len(t, batches, 6)
	for e := range 2 {
		assert.Equal(t, []int{4, 4, 2}, []int{len(batches[3*e]), len(batches[3*e+1]), len(batches[3*e+2])})
		all := slices.Concat(batches[3*e : 3*e+3]...)
		slices.Sort(all)
		assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, all, "epoch %d is a permutation", e)
	}
	assert.NotEqual(t, slices.Concat(batches[:3]...), slices.Concat(batches[3:]...), "reshuffled each epoch")
	again, _, _ := run(5, false)
	assert.Equal(t, batches, again, "same seed, same order")
	other, _, _ := run(6, false)
	assert.NotEqual(t, batches, other)
	ordered, _, _ := run(5, true)
	assert.Equal(t, []int{0, 1, 2, 3}, ordered[0])
	assert.Equal(t, []int{8, 9}, ordered[5])

	require.Len(t, prog, 6)
	for i, p := range prog {
		assert.Equal(t, i/3, p.Epoch)
		assert.Equal(t, 2, p.Epochs)
		assert.Equal(t, i%3, p.Batch)
		assert.Equal(t, 3, p.Batches)
		assert.Equal(t, []int{4, 8, 10}[i%3], p.Seen)
		assert.Equal(t, []int{4, 8, 10, 14, 18, 20}[i], p.Total)
	}
	// The epoch's logged loss and accuracy are the last batch's running means.
	assert.Equal(t, prog[2].Loss, h.Loss[0])
	assert.Equal(t, prog[5].Accuracy, h.Accuracy[1])
	assert.Nil(t, h.ValLoss)
}

// TestRunningMean checks the progress's means against the batches' own
// losses: sum(loss_b * n_b) / sum(n_b).
func TestRunningMean(t *testing.T) {
	m := mtBlobModel(t, OptimizerSpec{Name: "sgd", LearningRate: 0.1})
	ref := mtBlobModel(t, OptimizerSpec{Name: "sgd", LearningRate: 0.1})
	d := &mtRecordingData{Data: mtBlobs(t, 1, 7)}
	var prog []BatchProgress
	_, err := m.Fit(d, FitConfig{BatchSize: 3, Seed: 1, OnBatch: func(p BatchProgress) { prog = append(prog, p) }})
	require.NoError(t, err)
	var sum float64
	correct, seen := 0, 0
	for i, idx := range d.batches {
		x, y := make([]float32, 2*len(idx)), make([]float32, len(idx))
		d.Data.Fill(x, y, idx)
		l, c := ref.ComputeGradients(x, y, len(idx))
		ref.ApplyGradients()
		sum += l * float64(len(idx))
		correct += c
		seen += len(idx)
		assert.InDelta(t, sum/float64(seen), prog[i].Loss, 1e-12)
		assert.InDelta(t, float64(correct)/float64(seen), prog[i].Accuracy, 1e-12)
	}
}

// TestDiverged: a learning rate far too high makes a number overflow: the
// loss, a gradient (the step is not applied) or a weight (the step is
// undone). Either way the weights are those after the last good step
// (recorded in OnBatch), and finite.
func TestDiverged(t *testing.T) {
	regression := func(lr float64) (*Model, Data) {
		m := mtCompiled(t, mtDenseSpec(2, 1, ""), 1, OptimizerSpec{Name: "sgd", LearningRate: lr, Momentum: 0.5}, "mse")
		x, y := NewTensor(8, 2), NewTensor(8, 1)
		for i := range 8 {
			x.Data[2*i], x.Data[2*i+1] = float32(i), float32(8-i)
			y.Data[i] = float32(3 * i)
		}
		return m, &TensorData{X: x, Y: y}
	}
	tests := []struct {
		name   string
		model  func() (*Model, Data)
		detail string
	}{
		{"gradient", func() (*Model, Data) { return regression(10) }, "a gradient overflowed"},
		{"weight", func() (*Model, Data) { return regression(1e6) }, "a weight overflowed"},
		{"loss", func() (*Model, Data) {
			return mtBlobModel(t, OptimizerSpec{Name: "sgd", LearningRate: 1e30}), mtBlobs(t, 1, 30)
		}, "loss NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, data := tt.model()
			var last []float32
			var state [][]float32
			batches := 0
			_, err := m.Fit(data, FitConfig{Epochs: 100, BatchSize: 4, OnBatch: func(BatchProgress) {
				last = m.FlatWeights(last)
				state = [][]float32{}
				for _, s := range m.Optimizer().State() {
					state = append(state, slices.Clone(s))
				}
				batches++
			}})
			require.ErrorIs(t, err, ErrDiverged)
			assert.Contains(t, err.Error(), "learning rate is likely too high")
			assert.Contains(t, err.Error(), tt.detail)
			require.NotZero(t, batches)
			assert.Equal(t, last, m.FlatWeights(nil))
			for _, w := range last {
				assert.False(t, math.IsInf(float64(w), 0) || math.IsNaN(float64(w)))
			}
			assert.Equal(t, int64(batches), m.Optimizer().Iterations())
			assert.Equal(t, state, m.Optimizer().State(), "the optimizer's slots are restored too")
		})
	}
}

func TestFitDataErrors(t *testing.T) {
	m := mtBlobModel(t, OptimizerSpec{Name: "sgd"})
	good := mtBlobs(t, 1, 6)
	badLabel := mtBlobs(t, 1, 6)
	badLabel.Y.Data[4] = 3
	tests := []struct {
		name  string
		train Data
		cfg   FitConfig
		err   string
	}{
		{"label out of range", badLabel, FitConfig{Seed: 1}, "nn: training sample 4 has label 3, not a class index in [0, 3)"},
		{"label out of range in a later batch", badLabel, FitConfig{BatchSize: 2, NoShuffle: true}, "nn: training sample 4 has label 3"},
		{"bad validation label", good, FitConfig{Validation: badLabel, BatchSize: 3}, "nn: validation sample 4 has label 3"},
		{"wrong sample shape", &TensorData{X: NewTensor(6, 3), Y: NewTensor(6)}, FitConfig{}, "nn: training data samples have shape (3) but the model's input is (2)"},
		{"one-hot targets for sparse loss", &TensorData{X: NewTensor(6, 2), Y: NewTensor(6, 3)}, FitConfig{}, "training data has 3 target values per sample but the loss needs 1"},
		{"mismatched counts", &TensorData{X: NewTensor(6, 2), Y: NewTensor(5)}, FitConfig{}, "training data has 6 inputs but 5 targets"},
		{"empty", &TensorData{X: NewTensor(0, 2), Y: NewTensor(0)}, FitConfig{}, "nn: no training samples"},
		{"negative epochs", good, FitConfig{Epochs: -1}, "nn: epochs -1 must be positive"},
		{"negative batch size", good, FitConfig{BatchSize: -4}, "nn: batch size -4 must be positive"},
		{"negative step samples", good, FitConfig{StepSamples: -1}, "nn: step samples -1 must not be negative"},
		{"val_loss without validation", good, FitConfig{Callbacks: []Callback{&EarlyStopping{}}}, "EarlyStopping monitors val_loss, which needs validation data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Fit(tt.train, tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
	_, err := NewTensorData(NewTensor(2, 2), NewTensor(3))
	assert.ErrorContains(t, err, "nn: data has 2 inputs but 3 targets")
}

func TestCallbackErrorStopsFit(t *testing.T) {
	m := mtBlobModel(t, OptimizerSpec{Name: "sgd"})
	boom := errors.New("disk full")
	h, err := m.Fit(mtBlobs(t, 1, 6), FitConfig{Epochs: 5, Callbacks: []Callback{
		&ModelCheckpoint{Monitor: "loss", Save: func(*Model) error { return boom }},
	}})
	assert.ErrorIs(t, err, boom)
	assert.Len(t, h.Loss, 1)
}

func TestLogsJSON(t *testing.T) {
	b, err := json.Marshal(Logs{Loss: 0.5, Accuracy: 0.25})
	require.NoError(t, err)
	assert.JSONEq(t, `{"loss": 0.5, "accuracy": 0.25}`, string(b))
	b, err = json.Marshal(Logs{Loss: 0.5, Accuracy: 0.25, ValLoss: 0, ValAccuracy: 1, HasValidation: true})
	require.NoError(t, err)
	assert.JSONEq(t, `{"loss": 0.5, "accuracy": 0.25, "val_loss": 0, "val_accuracy": 1}`, string(b))
	b, err = json.Marshal(History{Loss: []float64{1}, Accuracy: []float64{0.5}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"loss": [1], "accuracy": [0.5]}`, string(b))
}
