package nn

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cbTrainer is a Trainer with a one-weight model and validation data, for
// driving callbacks by hand.
func cbTrainer(t *testing.T) *Trainer {
	m := mtCompiled(t, ModelSpec{Input: []int{1}, Layers: []LayerSpec{{Type: "Dense", Units: 1, NoBias: true}}}, 1, OptimizerSpec{Name: "sgd"}, "mse")
	return &Trainer{m: m, cfg: FitConfig{Validation: mtBlobs(t, 1, 3)}}
}

// logsWith puts v in the logs under monitor.
func logsWith(monitor string, v float64) Logs {
	l := Logs{HasValidation: true}
	switch monitor {
	case "loss":
		l.Loss = v
	case "accuracy":
		l.Accuracy = v
	case "val_loss":
		l.ValLoss = v
	case "val_accuracy":
		l.ValAccuracy = v
	}
	return l
}

// TestEarlyStopping follows Keras 2's rule epoch by epoch: wait counts the
// epochs since the best; an improvement must beat the best by more than
// min_delta; it stops once wait >= patience, never after the first epoch.
func TestEarlyStopping(t *testing.T) {
	tests := []struct {
		name      string
		es        EarlyStopping
		values    []float64
		waits     []int // Wait() after each epoch run
		stopAt    int   // epoch it stops after, -1 for never
		bestEpoch int
	}{
		{"patience 2", EarlyStopping{Patience: 2}, []float64{1, 0.9, 0.95, 0.96, 0.5},
			[]int{0, 0, 1, 2}, 3, 1},
		{"patience 0 stops at the first non-improvement", EarlyStopping{}, []float64{1, 0.9, 0.9},
			[]int{0, 0, 1}, 2, 1},
		{"patience 0 keeps going while it improves", EarlyStopping{}, []float64{3, 2, 1},
			[]int{0, 0, 0}, -1, 2},
		{"never after the first epoch", EarlyStopping{Patience: 0}, []float64{math.NaN(), 1, 2},
			[]int{1, 0, 1}, 2, 1},
		{"min_delta: 0.995 is not better than 1 by 0.01", EarlyStopping{Patience: 1, MinDelta: 0.01}, []float64{1, 0.995, 0.98},
			[]int{0, 1}, 1, 0},
		{"negative min_delta counts as positive", EarlyStopping{Patience: 2, MinDelta: -0.01}, []float64{1, 0.985, 0.98, 0.97},
			[]int{0, 0, 1, 0}, -1, 3},
		{"accuracy is maximized", EarlyStopping{Monitor: "val_accuracy", Patience: 1}, []float64{0.5, 0.6, 0.6},
			[]int{0, 0, 1}, 2, 1},
		{"mode max on loss", EarlyStopping{Monitor: "loss", Mode: "max", Patience: 1}, []float64{1, 2, 1.5},
			[]int{0, 0, 1}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := cbTrainer(t)
			es := tt.es
			require.NoError(t, es.TrainBegin(tr))
			stopped := -1
			for e, v := range tt.values {
				stop, err := es.EpochEnd(tr, e, logsWith(es.Monitor, v))
				require.NoError(t, err)
				require.Less(t, e, len(tt.waits))
				assert.Equal(t, tt.waits[e], es.Wait(), "wait after epoch %d", e)
				if stop {
					stopped = e
					break
				}
			}
			assert.Equal(t, tt.stopAt, stopped)
			assert.Equal(t, tt.stopAt, es.StoppedEpoch())
			_, best := es.Best()
			assert.Equal(t, tt.bestEpoch, best)
		})
	}
}

// TestEarlyStoppingRestore: with RestoreBestWeights the weights of the best
// epoch come back when it stops; as in Keras 2, not when the epochs run out.
func TestEarlyStoppingRestore(t *testing.T) {
	run := func(values []float64) (w float32, stopped bool) {
		tr := cbTrainer(t)
		es := &EarlyStopping{Monitor: "loss", Patience: 1, RestoreBestWeights: true}
		require.NoError(t, es.TrainBegin(tr))
		for e, v := range values {
			tr.m.Params()[0].W[0] = float32(10 + e) // the weights at the end of epoch e
			stop, err := es.EpochEnd(tr, e, Logs{Loss: v})
			require.NoError(t, err)
			if stop {
				return tr.m.Params()[0].W[0], true
			}
		}
		return tr.m.Params()[0].W[0], false
	}
	w, stopped := run([]float64{3, 1, 2})
	assert.True(t, stopped)
	assert.Equal(t, float32(11), w, "epoch 1's weights")
	w, stopped = run([]float64{3, 1, 0.5})
	assert.False(t, stopped)
	assert.Equal(t, float32(12), w)
	w, stopped = run([]float64{math.NaN(), math.NaN()})
	assert.True(t, stopped)
	assert.Equal(t, float32(10), w, "with no improvement, the first epoch's weights")
}

func TestModelCheckpoint(t *testing.T) {
	tests := []struct {
		name   string
		cp     ModelCheckpoint
		values []float64
		saved  []int
		best   float64
	}{
		{"best val_loss", ModelCheckpoint{SaveBestOnly: true}, []float64{1, 0.5, 0.7, 0.4, 0.4}, []int{0, 1, 3}, 0.4},
		{"every epoch", ModelCheckpoint{}, []float64{1, 0.5, 0.7}, []int{0, 1, 2}, math.Inf(1)},
		{"accuracy is maximized", ModelCheckpoint{Monitor: "val_accuracy", SaveBestOnly: true}, []float64{0.5, 0.4, 0.6}, []int{0, 2}, 0.6},
		{"'acc' anywhere maximizes", ModelCheckpoint{Monitor: "accuracy", SaveBestOnly: true}, []float64{0.1, 0.2}, []int{0, 1}, 0.2},
		{"mode min on accuracy", ModelCheckpoint{Monitor: "accuracy", Mode: "min", SaveBestOnly: true}, []float64{0.5, 0.6, 0.4}, []int{0, 2}, 0.4},
		{"NaN never saves", ModelCheckpoint{SaveBestOnly: true}, []float64{math.NaN(), 2}, []int{1}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := cbTrainer(t)
			var saved []int
			epoch := 0
			cp := tt.cp
			cp.Save = func(m *Model) error {
				assert.Same(t, tr.m, m)
				saved = append(saved, epoch)
				return nil
			}
			require.NoError(t, cp.TrainBegin(tr))
			for e, v := range tt.values {
				epoch = e
				stop, err := cp.EpochEnd(tr, e, logsWith(cp.Monitor, v))
				require.NoError(t, err)
				assert.False(t, stop)
			}
			assert.Equal(t, tt.saved, saved)
			best, _ := cp.Best()
			assert.Equal(t, tt.best, best)
		})
	}
}

func TestCallbackConfigErrors(t *testing.T) {
	save := func(*Model) error { return nil }
	noVal := &Trainer{m: cbTrainer(t).m}
	tests := []struct {
		name string
		cb   Callback
		tr   *Trainer
		err  string
	}{
		{"unknown monitor", &EarlyStopping{Monitor: "val_acc"}, cbTrainer(t), `EarlyStopping monitors "val_acc", want loss, accuracy, val_loss or val_accuracy`},
		{"bad mode", &EarlyStopping{Mode: "up"}, cbTrainer(t), `EarlyStopping mode "up", want auto, min or max`},
		{"negative patience", &EarlyStopping{Patience: -1}, cbTrainer(t), "patience -1 must not be negative"},
		{"no validation", &ModelCheckpoint{Save: save}, noVal, "ModelCheckpoint monitors val_loss, which needs validation data"},
		{"no save", &ModelCheckpoint{}, cbTrainer(t), "ModelCheckpoint has no Save function"},
		{"no writer", &CSVLogger{}, cbTrainer(t), "CSVLogger has no writer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorContains(t, tt.cb.TrainBegin(tt.tr), tt.err)
		})
	}
}

// TestCSVLogger: Keras's header and rows, the float32 values printed as
// Python prints them, "\r\n" line ends.
func TestCSVLogger(t *testing.T) {
	var b bytes.Buffer
	c := &CSVLogger{W: &b}
	tr := cbTrainer(t)
	require.NoError(t, c.TrainBegin(tr))
	_, err := c.EpochEnd(tr, 0, Logs{Loss: 0.5, Accuracy: 1, ValLoss: 0.1, ValAccuracy: 0.75, HasValidation: true})
	require.NoError(t, err)
	_, err = c.EpochEnd(tr, 1, Logs{Loss: 1e-5, Accuracy: 0, ValLoss: 12345678, ValAccuracy: 0.3, HasValidation: true})
	require.NoError(t, err)
	assert.Equal(t, "epoch,accuracy,loss,val_accuracy,val_loss\r\n"+
		"0,1.0,0.5,0.75,0.10000000149011612\r\n"+
		"1,0.0,9.999999747378752e-06,0.30000001192092896,12345678.0\r\n", b.String())

	b.Reset()
	require.NoError(t, c.TrainBegin(tr))
	_, err = c.EpochEnd(tr, 0, Logs{Loss: 2, Accuracy: 0.25})
	require.NoError(t, err)
	assert.Equal(t, "epoch,accuracy,loss\r\n0,0.25,2.0\r\n", b.String())

	c.W = failingWriter{}
	_, err = c.EpochEnd(tr, 1, Logs{})
	assert.Error(t, err)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestPyFloat(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{1, "1.0"}, {0, "0.0"}, {-2, "-2.0"}, {0.5, "0.5"}, {0.0001, "0.0001"}, {0.00001, "1e-05"},
		{1.5e-7, "1.5e-07"}, {123.25, "123.25"}, {1234567.5, "1234567.5"}, {1e15, "1000000000000000.0"},
		{1e16, "1e+16"}, {1.5e16, "1.5e+16"}, {math.NaN(), "nan"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, pyFloat(tt.v))
		})
	}
}

// TestFitWithCallbacks runs the callbacks inside Fit: early stopping ends
// training, the checkpoint saves, the CSV log has a row per epoch.
func TestFitWithCallbacks(t *testing.T) {
	m := mtBlobModel(t, OptimizerSpec{Name: "sgd", LearningRate: 0.1})
	es := &EarlyStopping{Monitor: "loss", Mode: "max"} // a falling loss never "improves": stops after epoch 1
	saves := 0
	var log bytes.Buffer
	h, err := m.Fit(mtBlobs(t, 1, 30), FitConfig{Epochs: 10, Validation: mtBlobs(t, 2, 9), Callbacks: []Callback{
		es, &ModelCheckpoint{Save: func(*Model) error { saves++; return nil }, SaveBestOnly: true}, &CSVLogger{W: &log},
	}})
	require.NoError(t, err)
	assert.Len(t, h.Loss, 2)
	assert.Equal(t, 1, es.StoppedEpoch())
	assert.GreaterOrEqual(t, saves, 1)
	assert.Equal(t, 3, bytes.Count(log.Bytes(), []byte("\r\n")))
}
