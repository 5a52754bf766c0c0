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

// TestTrainerSteps: one Step per training batch, then one per validation
// batch; done after the last epoch; Stop ends before the next batch.
func TestTrainerSteps(t *testing.T) {
	m := mtBlobModel(t, OptimizerSpec{Name: "sgd"})
	var epochs []int
	tr, err := NewTrainer(m, mtBlobs(t, 1, 10), FitConfig{Epochs: 3, BatchSize: 4, Validation: mtBlobs(t, 2, 5),
		OnEpoch: func(e int, l Logs) { epochs = append(epochs, e); assert.True(t, l.HasValidation) }})
	require.NoError(t, err)
	steps := 0
	for {
		done, err := tr.Step()
		require.NoError(t, err)
		steps++
		if done {
			break
		}
	}
	assert.Equal(t, 3*(3+2), steps, "3 training + 2 validation batches per epoch")
	assert.Equal(t, []int{0, 1, 2}, epochs)
	done, err := tr.Step()
	assert.True(t, done)
	assert.NoError(t, err)

	tr, err = NewTrainer(m, mtBlobs(t, 1, 10), FitConfig{Epochs: 3, BatchSize: 4})
	require.NoError(t, err)
	for range 4 { // one epoch and one batch
		done, err := tr.Step()
		require.NoError(t, err)
		require.False(t, done)
	}
	tr.Stop()
	done, err = tr.Step()
	assert.True(t, done)
	assert.NoError(t, err)
	assert.Len(t, tr.History().Loss, 1, "the interrupted epoch is not logged")
	assert.Equal(t, 1, tr.Epoch())
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

// TestEvaluateDetailed: a Dense 3 -> 3 softmax layer with the identity
// kernel predicts the class of a one-hot input. With inputs of classes
// 0, 1, 2, 2, 0 and labels 0, 2, 2, 1, 1, samples 1, 3 and 4 are wrong.
// softmax(1, 0, 0) gives e/(e+2) = 0.5761169 to the hot class and
// 1/(e+2) = 0.2119416 to the others, so the loss is
// -ln 0.5761169 = ln(e+2) - 1 = 0.5514447 and -ln 0.2119416 = 1.5514447,
// so for 2 right and 3 wrong the loss is (2*0.5514447 + 3*1.5514447)/5 =
// 1.1514447.
func TestEvaluateDetailed(t *testing.T) {
	m := mtCompiled(t, mtDenseSpec(3, 3, "softmax"), 1, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
	k := m.Params()[0].W
	clear(k)
	k[0], k[4], k[8] = 1, 1, 1
	x := NewTensor(5, 3)
	for i, c := range []int{0, 1, 2, 2, 0} {
		x.Data[3*i+c] = 1
	}
	y := &Tensor{Shape: []int{5}, Data: []float32{0, 2, 2, 1, 1}}
	for _, bs := range []int{0, 1, 2, 5, 100} {
		e, err := m.EvaluateDetailed(&TensorData{X: x, Y: y}, bs)
		require.NoError(t, err)
		assert.InDelta(t, 1.1514447, e.Loss, 1e-6)
		assert.InDelta(t, 0.4, e.Accuracy, 1e-12)
		assert.Equal(t, 3, e.Classes)
		assert.Equal(t, []int{
			1, 0, 0, // true 0: predicted 0
			1, 0, 1, // true 1: predicted 0 (sample 4) and 2 (sample 3)
			0, 1, 1, // true 2: predicted 1 (sample 1) and 2
		}, e.Confusion)
		assert.Equal(t, []int{1, 3, 4}, e.Misclassified)
		assert.Equal(t, []int{1, 2, 0}, e.Predicted, "the confusion matrix's columns of the samples")
		assert.Equal(t, []int{2, 1, 1}, e.Labels, "and rows")
		loss, acc, err := m.Evaluate(&TensorData{X: x, Y: y}, bs)
		require.NoError(t, err)
		assert.Equal(t, e.Loss, loss)
		assert.Equal(t, e.Accuracy, acc)
	}
	_, _, err := m.Evaluate(&TensorData{X: x, Y: y}, -1)
	assert.Error(t, err)

	// One-hot targets give the same cells, labels and predictions.
	oh := mtCompiled(t, mtDenseSpec(3, 3, "softmax"), 1, OptimizerSpec{Name: "sgd"}, "categorical_crossentropy")
	copy(oh.Params()[0].W, k)
	clear(oh.Params()[1].W)
	y1 := NewTensor(5, 3)
	for i, c := range []int{0, 2, 2, 1, 1} {
		y1.Data[3*i+c] = 1
	}
	e1, err := oh.EvaluateDetailed(&TensorData{X: x, Y: y1}, 2)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 3, 4}, e1.Misclassified)
	assert.Equal(t, []int{1, 2, 0}, e1.Predicted)
	assert.Equal(t, []int{2, 1, 1}, e1.Labels)
	y.Data[3] = -1
	_, _, err = m.Evaluate(&TensorData{X: x, Y: y}, 2)
	assert.ErrorContains(t, err, "nn: evaluation sample 3 has label -1, not a class index in [0, 3)")
}

// TestBinaryAccuracy: with one output, accuracy is Keras's binary accuracy:
// the output thresholded at 0.5 equals the target.
func TestBinaryAccuracy(t *testing.T) {
	m := mtCompiled(t, mtDenseSpec(1, 1, ""), 1, OptimizerSpec{Name: "sgd"}, "mse")
	m.Params()[0].W[0] = 1 // output = input
	x := &Tensor{Shape: []int{4, 1}, Data: []float32{0.2, 0.7, 0.5, 0.9}}
	y := &Tensor{Shape: []int{4, 1}, Data: []float32{0, 1, 1, 0.9}}
	// predictions 0, 1, 0 (0.5 is not above 0.5), 1: right, right, wrong, wrong
	_, acc, err := m.Evaluate(&TensorData{X: x, Y: y}, 0)
	require.NoError(t, err)
	assert.Equal(t, 0.5, acc)
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

// TestTrainerStepAllocatesNothing: within an epoch, a Trainer step (fill,
// check, gradients, snapshot, optimizer step, progress) allocates nothing.
func TestTrainerStepAllocatesNothing(t *testing.T) {
	m := mtBlobModel(t, OptimizerSpec{Name: "adam"})
	tr, err := NewTrainer(m, mtBlobs(t, 1, 200), FitConfig{BatchSize: 4, OnBatch: func(BatchProgress) {}})
	require.NoError(t, err)
	step := func() {
		done, err := tr.Step()
		if done || err != nil {
			t.Fatalf("step: done %v, err %v", done, err)
		}
	}
	step()
	assert.Equal(t, 0.0, testing.AllocsPerRun(20, step))
}

// TestStepSamples: a batch split over several Steps trains the same model
// (dropout included: its masks are drawn in sample order) up to float32
// rounding, with the same history; 20 samples in batches of 8 are batches
// of 8, 8, 4 and, 3 at a time, 3+3+2, 3+3+2, 3+1 = 8 Steps, and 5
// validation samples 2 more.
func TestStepSamples(t *testing.T) {
	train, val := &TensorData{X: NewTensor(20, 6, 5, 2), Y: NewTensor(20)}, &TensorData{X: NewTensor(5, 6, 5, 2), Y: NewTensor(5)}
	x, y := mtBatch(4, 25, 60, 3)
	copy(train.X.Data, x)
	copy(train.Y.Data, y)
	copy(val.X.Data, x[20*60:])
	copy(val.Y.Data, y[20:])
	run := func(stepSamples int) (*Model, *History, int, int) {
		m := mtCompiled(t, mtPoolSpec(0.5), 5, OptimizerSpec{Name: "adam", LearningRate: 0.01}, "sparse_categorical_crossentropy")
		batches := 0
		tr, err := NewTrainer(m, train, FitConfig{Epochs: 2, BatchSize: 8, Seed: 1, Validation: val, StepSamples: stepSamples,
			OnBatch: func(BatchProgress) { batches++ }})
		require.NoError(t, err)
		steps := 0
		for {
			done, err := tr.Step()
			require.NoError(t, err)
			steps++
			if done {
				return m, tr.History(), steps, batches
			}
		}
	}
	whole, hw, stepsW, batchesW := run(0)
	sliced, hs, stepsS, batchesS := run(3)
	assert.Equal(t, 2*(3+1), stepsW)
	assert.Equal(t, 2*(8+2), stepsS)
	assert.Equal(t, 6, batchesW)
	assert.Equal(t, 6, batchesS, "OnBatch once per whole batch")
	assert.InDeltaSlice(t, whole.FlatWeights(nil), sliced.FlatWeights(nil), 1e-5)
	assert.InDeltaSlice(t, hw.Loss, hs.Loss, 1e-6)
	assert.Equal(t, hw.Accuracy, hs.Accuracy)
	assert.InDeltaSlice(t, hw.ValLoss, hs.ValLoss, 1e-6)
	assert.Equal(t, hw.ValAccuracy, hs.ValAccuracy)
	assert.Equal(t, int64(6), sliced.Optimizer().Iterations())

	// Steps of sliced batches allocate nothing either.
	m := mtCompiled(t, mtPoolSpec(0.5), 5, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
	tr, err := NewTrainer(m, &TensorData{X: NewTensor(200, 6, 5, 2), Y: NewTensor(200)}, FitConfig{BatchSize: 8, StepSamples: 3})
	require.NoError(t, err)
	step := func() {
		if done, err := tr.Step(); done || err != nil {
			t.Fatalf("step: done %v, err %v", done, err)
		}
	}
	step()
	step()
	step()
	assert.Equal(t, 0.0, testing.AllocsPerRun(20, step))
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
