package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShardSizes(t *testing.T) {
	for _, c := range []struct {
		n, k int
		want []int
	}{
		{0, 2, nil},
		{5, 0, nil},
		{1, 3, []int{1}},
		{5, 2, []int{3, 2}},
		{8, 2, []int{4, 4}},
		{32, 3, []int{11, 11, 10}},
		{7, 4, []int{2, 2, 2, 1}},
	} {
		assert.Equal(t, c.want, ShardSizes(c.n, c.k), "ShardSizes(%d, %d)", c.n, c.k)
	}
}

// shardedGradients is the data-parallel sum of ComputeGradients's comment,
// with replicas standing in for the other workers: each copies the
// leader's weights, computes its shard, and the leader adds the shards'
// gradients in index order.
func shardedGradients(t *testing.T, replicas []*Model, calls *int) GradientFunc {
	return func(m *Model, x, y []float32, n int) (float64, int) {
		*calls++
		sizes := ShardSizes(n, len(replicas)+1)
		in, ts := m.InShape().Size(), m.targetSize()
		w := m.FlatWeights(nil)
		loss, correct := m.LocalGradients(x[:sizes[0]*in], y[:sizes[0]*ts], sizes[0])
		loss *= float64(sizes[0]) / float64(n)
		m.ScaleGradients(float32(sizes[0]) / float32(n))
		off := sizes[0]
		for i, k := range sizes[1:] {
			r := replicas[i]
			require.NoError(t, r.SetFlatWeights(w))
			l, c := r.LocalGradients(x[off*in:(off+k)*in], y[off*ts:(off+k)*ts], k)
			require.NoError(t, m.AddFlatGradients(r.FlatGradients(nil), float32(k)/float32(n)))
			loss += l * float64(k) / float64(n)
			correct += c
			off += k
		}
		return loss, correct
	}
}

// TestDataParallelGradients: training with each batch shared out to 1, 2
// or 3 workers (the leader and replicas) gives the single model's weights
// and history up to float32 rounding; the last batch of 5 samples shared
// by 3 is shards of 2, 2 and 1. With the GradientFunc removed,
// ComputeGradients is local again.
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
		if workers > 1 {
			replicas := make([]*Model, workers-1)
			for i := range replicas {
				replicas[i] = mtCompiled(t, spec, uint64(10+i), OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
			}
			m.SetGradientFunc(shardedGradients(t, replicas, &calls))
			defer m.SetGradientFunc(nil)
		}
		tr, err := NewTrainer(m, train, FitConfig{Epochs: 2, BatchSize: 8, Seed: 1, Validation: val, StepSamples: stepSamples})
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
			_, ok := gradientFuncs.Load(m)
			assert.False(t, ok, "SetGradientFunc(nil) removes it")
		})
	}
}
