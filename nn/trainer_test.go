package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
