//go:build js && wasm

package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/nn"
	"convplay/wasm/jsarray"
)

// trainReady is a worker with the tiny data loaded and the tiny model built.
func trainReady(t *testing.T) (*worker, *events) {
	w, ev := newWorker()
	newTinyData(t).load(t, w)
	r := send(w, obj(map[string]any{"id": 1, "type": "buildModel", "spec": tinySpecFor2x2(), "seed": 3}))
	require.True(t, r.ok, r.err)
	return w, ev
}

func request(w *worker, typ string, args map[string]any) replyOf {
	m := map[string]any{"id": 9, "type": typ}
	for k, v := range args {
		m[k] = v
	}
	return send(w, obj(m))
}

func TestTrainArguments(t *testing.T) {
	w, _ := newWorker()
	assert.Equal(t, "worker: no model: send buildModel first", request(w, "train", nil).err)
	require.True(t, request(w, "buildModel", map[string]any{"spec": tinySpecFor2x2()}).ok)
	assert.Equal(t, "worker: no data set: send loadDataset first", request(w, "train", nil).err)

	w, _ = trainReady(t)
	tests := []struct {
		name    string
		args    map[string]any
		wantErr string
	}{
		{"unknown optimizer", map[string]any{"optimizer": map[string]any{"name": "adagrad"}}, `nn: unknown optimizer "adagrad" (want sgd, adam or rmsprop)`},
		{"misspelt optimizer field", map[string]any{"optimizer": map[string]any{"name": "sgd", "lr": 0.1}}, `worker: invalid optimizer: json: unknown field "lr"`},
		{"negative learning rate", map[string]any{"optimizer": map[string]any{"name": "sgd", "learning_rate": -1}}, "nn: optimizer learning_rate -1 must be a positive number"},
		{"no epochs", map[string]any{"epochs": 0}, "worker: epochs 0 must be a whole number of at least 1"},
		{"fractional batch", map[string]any{"batchSize": 1.5}, "worker: batchSize 1.5 must be a whole number of at least 1"},
		{"batch as text", map[string]any{"batchSize": "32"}, "worker: batchSize must be a number, got string"},
		{"validation not a boolean", map[string]any{"validation": 1}, "worker: validation must be true or false, got number"},
		{"misspelt early stopping", map[string]any{"earlyStopping": map[string]any{"patient": 2}}, `worker: invalid earlyStopping: json: unknown field "patient"`},
		{"negative patience", map[string]any{"earlyStopping": map[string]any{"patience": -1}}, "nn: EarlyStopping patience -1 must not be negative"},
		{"early stopping on val_loss without validation", map[string]any{"validation": false, "earlyStopping": map[string]any{"monitor": "val_loss"}}, "nn: EarlyStopping monitors val_loss, which needs validation data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request(w, "train", tt.args)
			assert.False(t, r.ok)
			assert.Equal(t, tt.wantErr, r.err)
			assert.Nil(t, w.run, "no training started")
		})
	}
	for _, typ := range []string{"pause", "resume", "step", "stop"} {
		assert.Equal(t, "worker: no training to "+typ, request(w, typ, nil).err)
	}
}

func TestTrainRuns(t *testing.T) {
	w, ev := trainReady(t)
	r := request(w, "train", map[string]any{"epochs": 3, "batchSize": 4, "seed": 1, "optimizer": map[string]any{"name": "sgd", "learning_rate": 0.5}})
	require.True(t, r.ok, r.err)
	assert.Equal(t, 3, r.result.Get("epochs").Int())
	assert.Equal(t, 3, r.result.Get("batches").Int(), "12 samples in batches of 4")
	assert.Equal(t, 12, r.result.Get("samples").Int())
	assert.Equal(t, 4, r.result.Get("validationSamples").Int())

	// While it trains, the model and data stay as they are; predict works.
	assert.Equal(t, "worker: cannot build a model during training: stop it first", request(w, "buildModel", map[string]any{"preset": "small"}).err)
	assert.Equal(t, "worker: cannot load weights during training: stop it first", request(w, "loadWeights", map[string]any{"bytes": jsarray.BytesToJS(sumModel(t))}).err)
	assert.Equal(t, "worker: cannot load a data set during training: stop it first", request(w, "loadDataset", map[string]any{"manifest": "{}"}).err)
	assert.Equal(t, "worker: cannot start training during training: stop it first", request(w, "train", nil).err)
	assert.True(t, request(w, "predict", map[string]any{"pixels": jsarray.Float32sToJS(make([]float32, 4))}).ok)

	done := ev.waitFor(t, "done")
	assert.Equal(t, "finished", done.Get("reason").String())
	assert.True(t, done.Get("error").IsNull())
	assert.False(t, done.Get("chance").Bool(), "the tiny problem is learnt")
	assert.Contains(t, done.Get("verdict").String(), "better than chance: val_accuracy 1.0000")
	assert.Equal(t, 3, done.Get("history").Get("loss").Length())
	assert.Equal(t, 3, done.Get("history").Get("val_accuracy").Length())
	assert.Nil(t, w.run)

	epochs := ev.named("epoch")
	require.Len(t, epochs, 3)
	for i, e := range epochs {
		assert.Equal(t, i, e.Get("epoch").Int())
		assert.Equal(t, done.Get("history").Get("val_loss").Index(i).Float(), e.Get("val_loss").Float())
		assert.True(t, e.Get("earlyStopping").IsNull())
	}
	ckpt := epochs[0].Get("checkpoint")
	require.True(t, ckpt.InstanceOf(jsGlobal("Uint8Array")), "the first epoch always beats an infinite best val_loss")
	progress := ev.named("progress")
	require.GreaterOrEqual(t, len(progress), 3, "one at least before each epoch event")
	last := progress[len(progress)-1]
	assert.Equal(t, 36, last.Get("total").Int())
	assert.Equal(t, 2, last.Get("epoch").Int())
	assert.Equal(t, 2, last.Get("batch").Int())
	assert.Equal(t, 3, last.Get("batches").Int())
	assert.Equal(t, 0.0, last.Get("etaSec").Float())
	assert.Greater(t, last.Get("samplesPerSec").Float(), 0.0)
	assert.Equal(t, done.Get("history").Get("loss").Index(2).Float(), last.Get("loss").Float(), "the epoch's mean loss")

	// The tiny problem is learnt.
	r = sendWait(t, w, ev, obj(map[string]any{"id": 9, "type": "evaluate", "split": "validation"}))
	require.True(t, r.ok, r.err)
	assert.Equal(t, 1.0, r.result.Get("accuracy").Float())

	// A checkpoint loads back as the model it saved.
	r = request(w, "loadWeights", map[string]any{"bytes": ckpt, "build": true})
	require.True(t, r.ok, r.err)
}

func TestTrainStepPauseStop(t *testing.T) {
	w, ev := trainReady(t)
	r := request(w, "train", map[string]any{"paused": true, "batchSize": 4, "validation": false})
	require.True(t, r.ok, r.err)
	for i := range 2 {
		r = request(w, "step", nil)
		require.True(t, r.ok, r.err)
		assert.Equal(t, i, r.result.Get("batch").Int())
		assert.Equal(t, 4*(i+1), r.result.Get("total").Int())
		assert.False(t, r.result.Get("done").Bool())
		p := ev.named("progress")
		require.Len(t, p, i+1, "one progress event per step")
		assert.Equal(t, i, p[i].Get("batch").Int())
		assert.InDelta(t, 12-4*(i+1), p[i].Get("samplesPerSec").Float()*p[i].Get("etaSec").Float(), 1e-9, "the ETA is the samples left at the measured rate")
	}
	assert.Empty(t, ev.named("epoch"))
	r = request(w, "step", nil) // the epoch's last batch
	require.True(t, r.ok, r.err)
	assert.True(t, r.result.Get("done").Bool())
	require.Len(t, ev.named("epoch"), 1)
	assert.True(t, ev.named("epoch")[0].Get("val_loss").IsUndefined(), "no validation")
	require.Len(t, ev.named("done"), 1)
	assert.Equal(t, "finished", ev.named("done")[0].Get("reason").String())

	t.Run("stop", func(t *testing.T) {
		require.True(t, request(w, "train", map[string]any{"paused": true, "batchSize": 4, "epochs": 2}).ok)
		require.True(t, request(w, "step", nil).ok)
		r := request(w, "stop", nil)
		require.True(t, r.ok, r.err)
		assert.True(t, r.result.Get("done").Bool())
		d := ev.named("done")
		require.Len(t, d, 2, "the done event came before the reply")
		assert.Equal(t, "stopped", d[1].Get("reason").String())
		assert.Equal(t, 0, d[1].Get("history").Get("loss").Length(), "the unfinished epoch is not logged")
		assert.Equal(t, "worker: no training to pause", request(w, "pause", nil).err)
	})

	t.Run("pause answers between slices and nothing runs until resume", func(t *testing.T) {
		ev.drain()
		require.True(t, request(w, "train", map[string]any{"batchSize": 1, "epochs": 100000, "validation": false}).ok)
		assert.Equal(t, "worker: step needs paused training: pause first", request(w, "step", nil).err)
		first := ev.waitFor(t, "progress")
		for first.Get("sliceMs").Float() == 0 { // sent at an epoch's end in the first slice
			first = ev.waitFor(t, "progress")
		}
		// A slice ends when another step would overrun the budget, so
		// with steps of well under 1 ms it runs nearly all of it. (No upper
		// bound: on a shared machine one step can be held up.)
		assert.GreaterOrEqual(t, first.Get("sliceMs").Float(), 0.8*float64(sliceBudget.Milliseconds()), "a slice runs its budget")
		r := request(w, "pause", nil)
		require.True(t, r.ok, r.err)
		assert.True(t, r.result.Get("paused").Bool())
		total := r.result.Get("total").Int()
		n := len(ev.list)
		yieldToEventLoop(t) // a scheduled slice would run now
		assert.Equal(t, n, len(ev.list), "no events while paused")
		assert.Equal(t, total, w.run.last.Total, "no batches while paused")
		ev.drain()

		require.True(t, request(w, "resume", nil).ok)
		ev.waitFor(t, "progress")
		assert.Greater(t, w.run.last.Total, total)
		require.True(t, request(w, "stop", nil).ok)
	})
}

// yieldToEventLoop lets the JavaScript event loop run the tasks queued
// before it: a timer of its own, as the test's slices use, comes after them.
func yieldToEventLoop(t *testing.T) {
	ch := make(chan struct{}, 1)
	timerKicker(func() { ch <- struct{}{} })()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("the event loop did not run the message within 5 s")
	}
}

func TestTrainDiverges(t *testing.T) {
	w, ev := trainReady(t)
	bright := []float32{2, 2, 2, 2}
	before := probsOf(t, w, bright)
	r := request(w, "train", map[string]any{"epochs": 2, "batchSize": 4, "optimizer": map[string]any{"name": "sgd", "learning_rate": 1e38}})
	require.True(t, r.ok, r.err)
	done := ev.waitFor(t, "done")
	assert.Equal(t, "diverged", done.Get("reason").String())
	assert.True(t, done.Get("restored").Bool())
	msg := done.Get("error").String()
	assert.True(t, strings.HasPrefix(msg, "nn: training diverged (a number overflowed): the learning rate is likely too high"), msg)
	assert.True(t, strings.HasSuffix(msg, "; training stopped, and the weights go back further, to those from before training (the last known good ones)"), msg)
	assert.Equal(t, before, probsOf(t, w, bright), "the weights are those from before training")

	// The model and the data are still usable: training again works.
	ev.drain()
	require.True(t, request(w, "train", map[string]any{"epochs": 1, "batchSize": 4}).ok)
	assert.Equal(t, "finished", ev.waitFor(t, "done").Get("reason").String())
}

// TestTrainNoBetterThanChance: a run that ends no better than chance says
// so and leaves the model as it was before training. The model calls every
// image dark (a bias of 100 for class 0), and a learning rate of 1e-6
// cannot change that in one epoch: validation accuracy 0.5, two classes.
func TestTrainNoBetterThanChance(t *testing.T) {
	w, ev := trainReady(t)
	m, err := nn.Build(tinyModelSpec(), 1)
	require.NoError(t, err)
	clear(m.Params()[0].W)
	m.Params()[1].W[0] = 100
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	require.True(t, request(w, "loadWeights", map[string]any{"bytes": jsarray.BytesToJS(buf.Bytes()), "build": true}).ok)
	before := exported(t, w, "npz")

	r := request(w, "train", map[string]any{"epochs": 1, "batchSize": 4, "optimizer": map[string]any{"name": "sgd", "learning_rate": 1e-6}})
	require.True(t, r.ok, r.err)
	done := ev.waitFor(t, "done")
	assert.Equal(t, "finished", done.Get("reason").String())
	assert.True(t, done.Get("error").IsNull())
	assert.True(t, done.Get("chance").Bool())
	assert.Equal(t, "no better than chance: val_accuracy 0.5000 is not above 0.5250 (chance 0.5000, plus a twentieth of the way to 1)", done.Get("verdict").String())
	assert.True(t, done.Get("restored").Bool())
	assert.Equal(t, 1, done.Get("history").Get("loss").Length(), "the history stays")
	assert.Equal(t, before, exported(t, w, "npz"), "the weights from before training")
}

func TestTrainEarlyStopping(t *testing.T) {
	w, ev := trainReady(t)
	// A min_delta of 1e9 makes only the first epoch an improvement (over an
	// infinite best): epoch 0 wait 0, epoch 1 wait 1 = patience, stop.
	r := request(w, "train", map[string]any{"epochs": 5, "batchSize": 4, "optimizer": map[string]any{"name": "sgd", "learning_rate": 0.5},
		"earlyStopping": map[string]any{"patience": 1, "min_delta": 1e9, "restore_best_weights": true}})
	require.True(t, r.ok, r.err)
	done := ev.waitFor(t, "done")
	assert.Equal(t, "early", done.Get("reason").String())
	assert.True(t, done.Get("restored").Bool())
	assert.Equal(t, 2, done.Get("history").Get("loss").Length())
	epochs := ev.named("epoch")
	require.Len(t, epochs, 2)
	want := []struct{ wait, bestEpoch, stopped int }{{0, 0, -1}, {1, 0, 1}}
	for i, e := range epochs {
		es := e.Get("earlyStopping")
		assert.Equal(t, want[i].wait, es.Get("wait").Int(), "epoch %d", i)
		assert.Equal(t, want[i].bestEpoch, es.Get("bestEpoch").Int(), "epoch %d", i)
		assert.Equal(t, want[i].stopped, es.Get("stoppedEpoch").Int(), "epoch %d", i)
		assert.Equal(t, epochs[0].Get("val_loss").Float(), es.Get("best").Float())
	}
	// The restored weights are epoch 0's, which its checkpoint saved.
	ckpt, err := jsarray.BytesFromJS(epochs[0].Get("checkpoint"), "checkpoint")
	require.NoError(t, err)
	assert.Equal(t, ckpt, exported(t, w, "cpw"))
}

// TestKicker checks the production scheduler: newKicker runs its function
// in a task of its own, once per kick.
func TestKicker(t *testing.T) {
	ch := make(chan int, 2)
	n := 0
	kick := newKicker(func() { n++; ch <- n })
	kick()
	kick()
	for want := 1; want <= 2; want++ {
		select {
		case got := <-ch:
			assert.Equal(t, want, got)
		case <-time.After(5 * time.Second):
			t.Fatal("the kicked function did not run within 5 s")
		}
	}
}
