package nn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mtRun runs a Trainer to the end; stopAfter > 0 stops it after that many
// Steps.
func mtRun(t *testing.T, m *Model, train Data, cfg FitConfig, stopAfter int) (*Trainer, error) {
	t.Helper()
	tr, err := NewTrainer(m, train, cfg)
	require.NoError(t, err)
	for steps := 1; ; steps++ {
		if steps == stopAfter+1 && stopAfter > 0 {
			tr.Stop()
		}
		if done, err := tr.Step(); done {
			return tr, err
		}
	}
}

// mtConstant is the blob classifier made to call every point class 0: a
// zero last kernel and a bias of 100 for class 0. On the balanced blobs it
// scores 1/3, which a learning rate of 1e-6 cannot change in a few epochs.
func mtConstant(t *testing.T) *Model {
	m := mtBlobModel(t, OptimizerSpec{Name: "sgd", LearningRate: 1e-6})
	p := m.Params()
	clear(p[2].W)
	clear(p[3].W)
	p[3].W[0] = 100
	return m
}

// mtRegression is a Dense 2 -> 1 model with mean squared error on points
// whose target is x0 - x1, with 8 samples.
func mtRegression(t *testing.T, lr float64) (*Model, Data) {
	m := mtCompiled(t, mtDenseSpec(2, 1, ""), 1, OptimizerSpec{Name: "sgd", LearningRate: lr}, "mse")
	x, y := NewTensor(8, 2), NewTensor(8, 1)
	for i := range 8 {
		x.Data[2*i], x.Data[2*i+1] = float32(i%3)/2, float32(i%4)/3
		y.Data[i] = x.Data[2*i] - x.Data[2*i+1]
	}
	return m, &TensorData{X: x, Y: y}
}

// TestVerdict: the rule of Verdict's comment, on what it judges.
func TestVerdict(t *testing.T) {
	const limit3 = 1.0/3 + (2.0/3)/20
	t.Run("learnt", func(t *testing.T) {
		m := mtBlobModel(t, OptimizerSpec{Name: "sgd", LearningRate: 0.1})
		tr, err := mtRun(t, m, mtBlobs(t, 1, 90), FitConfig{Epochs: 8, BatchSize: 10, Seed: 3, Validation: mtBlobs(t, 9, 30), RollBack: true}, 0)
		require.NoError(t, err)
		v := tr.Result().Verdict
		assert.Equal(t, Verdict{Metric: "val_accuracy", Value: tr.History().ValAccuracy[7], Chance: 1.0 / 3, Limit: limit3}, v)
		assert.Greater(t, v.Value, 0.9)
		assert.False(t, tr.Result().RolledBack)
		assert.Contains(t, v.String(), "better than chance: val_accuracy ")
	})
	t.Run("constant: no better, rolled back", func(t *testing.T) {
		m := mtConstant(t)
		initial := m.FlatWeights(nil)
		tr, err := mtRun(t, m, mtBlobs(t, 1, 90), FitConfig{Epochs: 2, BatchSize: 10, Seed: 3, Validation: mtBlobs(t, 9, 30), RollBack: true}, 0)
		require.NoError(t, err)
		assert.Equal(t, Result{Verdict: Verdict{Metric: "val_accuracy", Value: 1.0 / 3, Chance: 1.0 / 3, Limit: limit3, NoBetter: true}, RolledBack: true}, tr.Result())
		assert.Equal(t, initial, m.FlatWeights(nil), "the weights from before training")
		assert.Equal(t, "no better than chance: val_accuracy 0.3333 is not above 0.3667 (chance 0.3333, plus a twentieth of the way to 1)", tr.Result().Verdict.String())
	})
	t.Run("constant without RollBack: judged, weights kept", func(t *testing.T) {
		m := mtConstant(t)
		tr, err := mtRun(t, m, mtBlobs(t, 1, 90), FitConfig{Epochs: 1, BatchSize: 10, Seed: 3}, 0)
		require.NoError(t, err)
		assert.Equal(t, Verdict{Metric: "accuracy", Value: 1.0 / 3, Chance: 1.0 / 3, Limit: limit3, NoBetter: true}, tr.Result().Verdict, "no validation: the training accuracy")
		assert.False(t, tr.Result().RolledBack)
		assert.Equal(t, int64(9), m.Optimizer().Iterations())
	})
	t.Run("stopped in the first epoch: its running accuracy", func(t *testing.T) {
		m := mtConstant(t)
		tr, err := mtRun(t, m, mtBlobs(t, 1, 90), FitConfig{Epochs: 3, BatchSize: 10, NoShuffle: true, Validation: mtBlobs(t, 9, 30), RollBack: true}, 2)
		require.NoError(t, err)
		v := tr.Result().Verdict
		assert.Equal(t, "accuracy", v.Metric)
		assert.Equal(t, 7.0/20, v.Value, "samples 0, 3, ..., 18 of the first 20 are class 0")
		assert.True(t, v.NoBetter)
		assert.True(t, tr.Result().RolledBack)
	})
	t.Run("stopped before a batch: not judged", func(t *testing.T) {
		m := mtConstant(t)
		initial := m.FlatWeights(nil)
		tr, err := NewTrainer(m, mtBlobs(t, 1, 90), FitConfig{RollBack: true})
		require.NoError(t, err)
		tr.Stop()
		done, err := tr.Step()
		require.True(t, done)
		require.NoError(t, err)
		assert.Equal(t, Result{}, tr.Result())
		assert.Equal(t, "not judged", tr.Result().Verdict.String())
		assert.Equal(t, initial, m.FlatWeights(nil))
	})
	t.Run("early stopping restored an epoch: that epoch's", func(t *testing.T) {
		m := mtBlobModel(t, OptimizerSpec{Name: "sgd", LearningRate: 0.1})
		es := &EarlyStopping{Patience: 1, MinDelta: 1e9, RestoreBestWeights: true} // stops after epoch 1, back to epoch 0
		tr, err := mtRun(t, m, mtBlobs(t, 1, 90), FitConfig{Epochs: 8, BatchSize: 10, Seed: 3, Validation: mtBlobs(t, 9, 30), Callbacks: []Callback{es}}, 0)
		require.NoError(t, err)
		require.Equal(t, 1, es.StoppedEpoch())
		assert.Equal(t, tr.History().ValAccuracy[0], tr.Result().Verdict.Value)
	})
	t.Run("regression learnt", func(t *testing.T) {
		m, d := mtRegression(t, 0.3)
		tr, err := mtRun(t, m, d, FitConfig{Epochs: 30, BatchSize: 8, NoShuffle: true}, 0)
		require.NoError(t, err)
		v := tr.Result().Verdict
		assert.Equal(t, "loss", v.Metric)
		assert.False(t, v.NoBetter)
		assert.Less(t, v.Value, v.Chance)
		assert.Equal(t, tr.History().Loss[0], v.Chance, "one batch an epoch: the first epoch's loss is the loss before training")
		assert.Contains(t, v.String(), "better than chance: loss ")
	})
	t.Run("regression not learnt", func(t *testing.T) {
		m, d := mtRegression(t, 1e-30)
		tr, err := mtRun(t, m, d, FitConfig{Epochs: 1, BatchSize: 8, RollBack: true}, 0)
		require.NoError(t, err)
		v := tr.Result().Verdict
		assert.Equal(t, Verdict{Metric: "loss", Value: v.Chance, Chance: v.Chance, Limit: v.Chance, NoBetter: true}, v)
		assert.True(t, tr.Result().RolledBack)
	})
}

// TestRollBackDiverged: with RollBack, a divergence takes the weights back
// to the end of the last completed epoch, or to before training; without
// it they are those after the last good step (TestDiverged).
func TestRollBackDiverged(t *testing.T) {
	for _, c := range []struct {
		name       string
		nanAt      int // the gradient call whose loss is NaN; 3 batches an epoch
		goodEpochs int
	}{
		{"in the first epoch", 2, 0},
		{"in the third epoch", 8, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, rollBack := range []bool{false, true} {
				m := mtBlobModel(t, OptimizerSpec{Name: "sgd", LearningRate: 0.1})
				calls := 0
				nan := func(m *Model, x, y []float32, n int) (float64, int, error) {
					l, k := m.ComputeGradients(x, y, n)
					if calls++; calls == c.nanAt {
						l = math.NaN()
					}
					return l, k, nil
				}
				epochEnd := [][]float32{m.FlatWeights(nil)}
				var last []float32
				tr, err := mtRun(t, m, mtBlobs(t, 1, 10), FitConfig{Epochs: 5, BatchSize: 4, Seed: 1, Gradients: nan, RollBack: rollBack,
					OnBatch: func(BatchProgress) { last = m.FlatWeights(last) },
					OnEpoch: func(int, Logs) { epochEnd = append(epochEnd, m.FlatWeights(nil)) }}, 0)
				require.ErrorIs(t, err, ErrDiverged)
				res := tr.Result()
				assert.Empty(t, res.Verdict.Metric, "a failed run is not judged")
				if rollBack {
					assert.Equal(t, Result{RolledBack: true, GoodEpochs: c.goodEpochs}, res)
					assert.Equal(t, epochEnd[c.goodEpochs], m.FlatWeights(nil))
				} else {
					assert.Equal(t, Result{}, res)
					assert.Equal(t, last, m.FlatWeights(nil))
				}
			}
		})
	}
}
