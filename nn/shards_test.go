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

// TestShardedGradients: the batch's gradient is the shards' gradients
// averaged with weights n_i/N, as ShardSum documents.
func TestShardedGradients(t *testing.T) {
	tests := []struct {
		name   string
		shards []int
	}{
		{"two halves", []int{3, 3}},
		{"uneven", []int{5, 1}},
		{"three", []int{2, 1, 3}},
	}
	const in, N = 60, 6
	x, y := mtBatch(7, N, in, 3)
	full := mtCompiled(t, mtPoolSpec(0), 11, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
	wantLoss, wantCorrect := full.ComputeGradients(x, y, N)
	want := full.FlatGradients(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			workers := make([]*Model, len(tt.shards))
			var loss float64
			correct, lo := 0, 0
			var grads [][]float32
			var losses []float64
			var corrects []int
			for i, n := range tt.shards {
				workers[i] = mtCompiled(t, mtPoolSpec(0), 11, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
				l, c := workers[i].ComputeGradients(x[lo*in:(lo+n)*in], y[lo:lo+n], n)
				loss += l * float64(n) / N
				correct += c
				losses, corrects = append(losses, l), append(corrects, c)
				grads = append(grads, workers[i].FlatGradients(nil))
				lo += n
			}
			lead := workers[0]
			var sum ShardSum
			sum.Start(N)
			sum.AddModel(lead, tt.shards[0], losses[0], corrects[0])
			for i := 1; i < len(tt.shards); i++ {
				require.NoError(t, sum.AddFlat(lead, grads[i], tt.shards[i], losses[i], corrects[i]))
			}
			sumLoss, sumCorrect := sum.Sum(lead)
			assert.InDelta(t, wantLoss, loss, 1e-6)
			assert.InDelta(t, wantLoss, sumLoss, 1e-6)
			assert.Equal(t, wantCorrect, correct)
			assert.Equal(t, wantCorrect, sumCorrect)
			assert.InDeltaSlice(t, want, lead.FlatGradients(nil), 1e-6)
		})
	}
	var sum ShardSum
	sum.Start(N)
	assert.Error(t, sum.AddFlat(full, make([]float32, 3), N, 0, 0))
}

// TestShardSumWhole: a shard covering the whole batch stays in the model
// (no copy), bit for bit; a shard too many is a bug.
func TestShardSumWhole(t *testing.T) {
	const in, N = 60, 4
	x, y := mtBatch(3, N, in, 3)
	m := mtCompiled(t, mtPoolSpec(0), 11, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
	l, c := m.ComputeGradients(x, y, N)
	want := m.FlatGradients(nil)
	var sum ShardSum
	sum.Start(N)
	sum.AddModel(m, N, l, c)
	gotLoss, gotCorrect := sum.Sum(m)
	assert.Equal(t, l, gotLoss)
	assert.Equal(t, c, gotCorrect)
	assert.Equal(t, want, m.FlatGradients(nil))
	assert.Panics(t, func() { sum.AddModel(m, 1, l, c) }, "more samples than the batch")
	sum.Start(N)
	sum.AddModel(m, 1, l, c)
	assert.Panics(t, func() { sum.Sum(m) }, "a batch not complete")
}
