package nn

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shardedGradients is the data-parallel sum of ShardSum's comment, with
// replicas standing in for the other workers: each copies the leader's
// weights, computes its shard, and the leader adds the shards' gradients
// in index order.
func shardedGradients(t *testing.T, replicas []*Model, calls *int) GradientFunc {
	var sum ShardSum
	return func(m *Model, x, y []float32, n int) (float64, int, error) {
		*calls++
		sizes := ShardSizes(n, len(replicas)+1)
		in, ts := m.InShape().Size(), m.targetSize()
		w := m.FlatWeights(nil)
		sum.Start(n)
		loss, correct := m.ComputeGradients(x[:sizes[0]*in], y[:sizes[0]*ts], sizes[0])
		sum.AddModel(m, sizes[0], loss, correct)
		off := sizes[0]
		for i, k := range sizes[1:] {
			r := replicas[i]
			require.NoError(t, r.SetFlatWeights(w))
			l, c := r.ComputeGradients(x[off*in:(off+k)*in], y[off*ts:(off+k)*ts], k)
			require.NoError(t, sum.AddFlat(m, r.FlatGradients(nil), k, l, c))
			off += k
		}
		loss, correct = sum.Sum(m)
		return loss, correct, nil
	}
}

// TestDataParallelGradients: training with each batch shared out to 1, 2
// or 3 workers (the leader and replicas) gives the single model's weights
// and history up to float32 rounding; the last batch of 5 samples shared
// by 3 is shards of 2, 2 and 1.
func TestDataParallelGradients(t *testing.T) {
	train, val := &TensorData{X: NewTensor(21, 6, 5, 2), Y: NewTensor(21)}, &TensorData{X: NewTensor(4, 6, 5, 2), Y: NewTensor(4)}
	x, y := mtBatch(4, 25, 60, 3)
	copy(train.X.Data, x)
	copy(train.Y.Data, y)
	copy(val.X.Data, x[21*60:])
	copy(val.Y.Data, y[21:])
	spec := mtPoolSpec(0)
	opt := OptimizerSpec{Name: "adam", LearningRate: 0.01}
	run := func(workers, stepSamples int) (*Model, *History, int) {
		m := mtCompiled(t, spec, 5, opt, "sparse_categorical_crossentropy")
		calls := 0
		var grads GradientFunc
		if workers > 1 {
			replicas := make([]*Model, workers-1)
			for i := range replicas {
				replicas[i] = mtCompiled(t, spec, uint64(10+i), OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
			}
			grads = shardedGradients(t, replicas, &calls)
		}
		tr, err := NewTrainer(m, train, FitConfig{Epochs: 2, BatchSize: 8, Seed: 1, Validation: val, StepSamples: stepSamples, Gradients: grads})
		require.NoError(t, err)
		for {
			done, err := tr.Step()
			require.NoError(t, err)
			if done {
				return m, tr.History(), calls
			}
		}
	}
	one, h1, _ := run(1, 0)
	for _, c := range []struct {
		name              string
		workers, step     int
		wantGradientCalls int
	}{
		{"2 workers, whole batches", 2, 0, 2 * 3},
		{"3 workers, whole batches", 3, 0, 2 * 3},
		{"2 workers, steps of 6 samples", 2, 6, 2 * (2 + 2 + 1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, h, calls := run(c.workers, c.step)
			assert.Equal(t, c.wantGradientCalls, calls)
			assert.InDeltaSlice(t, one.FlatWeights(nil), m.FlatWeights(nil), 1e-5)
			assert.InDeltaSlice(t, h1.Loss, h.Loss, 1e-6)
			assert.Equal(t, h1.Accuracy, h.Accuracy)
			assert.InDeltaSlice(t, h1.ValLoss, h.ValLoss, 1e-6)
		})
	}
}

// TestGradientsFail: a gradient source that fails mid-epoch (a helper
// that died) ends training with its error, not a panic; the batch it was
// computing is not applied, so the weights are those after the last good
// step, whole batches or slices of them. With RollBack they stay so too:
// a failure is not a divergence.
func TestGradientsFail(t *testing.T) {
	dead := errors.New("worker: helper worker 1 of 1 stopped")
	for _, c := range []struct {
		name        string
		stepSamples int
		failAt      int // the failing call, 1-based
		goodBatches int
	}{
		{"whole batches, in the first epoch", 0, 2, 1},
		{"whole batches, in the second epoch", 0, 5, 4}, // 3 batches an epoch
		{"the second slice of a batch", 2, 4, 1},        // slices of 2, 2 of a batch of 4
	} {
		for _, rollBack := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, rollBack %v", c.name, rollBack), func(t *testing.T) {
				m := mtBlobModel(t, OptimizerSpec{Name: "sgd", LearningRate: 0.1})
				calls := 0
				fail := func(m *Model, x, y []float32, n int) (float64, int, error) {
					if calls++; calls == c.failAt {
						m.ZeroGrads()
						return 0, 0, dead
					}
					l, k := m.ComputeGradients(x, y, n)
					return l, k, nil
				}
				var last []float32
				batches := 0
				_, err := m.Fit(mtBlobs(t, 1, 10), FitConfig{Epochs: 3, BatchSize: 4, Seed: 1, StepSamples: c.stepSamples,
					Gradients: fail, RollBack: rollBack, OnBatch: func(BatchProgress) { last = m.FlatWeights(last); batches++ }})
				require.ErrorIs(t, err, dead)
				assert.Equal(t, c.goodBatches, batches)
				assert.Equal(t, last, m.FlatWeights(nil), "the weights after the last good step")
				assert.Equal(t, int64(batches), m.Optimizer().Iterations())
			})
		}
	}
}
