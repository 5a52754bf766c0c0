//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"
	"time"
)

// Training runs in slices: a slice runs nn.Trainer.Step, one batch (or,
// for a model whose batch takes longer than stepBudget, one part of a
// batch: see stepsize.go) at a time, until sliceBudget has passed, then
// returns to the event loop and schedules the next slice through a
// MessageChannel (a message task is not clamped to 4 ms as nested timers
// are, and workers are not throttled in background tabs as the page's
// timers are). Requests that arrived during a slice are answered before
// the next one, so their latency is at most one slice plus one Step.
const (
	sliceBudget   = 25 * time.Millisecond
	progressEvery = 100 * time.Millisecond
)

// schedule queues the next slice of the long work in progress: training
// or an evaluation (never both: each refuses to start during the other),
// and the chunks being decoded.
func (w *worker) schedule() {
	if w.queued {
		return
	}
	if w.kick == nil {
		w.kick = newKicker(w.slice)
	}
	w.queued = true
	w.kick()
}

// slice runs one slice of the work in progress.
func (w *worker) slice() {
	w.queued = false
	busy := func() bool { return (w.run != nil && !w.run.paused) || w.eval != nil }
	// Chunks being decoded take turns with training or an evaluation, so
	// the data keep arriving while a run goes on.
	if len(w.chunks) > 0 && (w.chunkTurn || !busy()) {
		w.chunkTurn = false
		w.chunkSlice()
		if busy() {
			w.schedule()
		}
		return
	}
	w.chunkTurn = len(w.chunks) > 0
	switch {
	case w.run != nil && !w.run.paused:
		w.trainSlice(w.run)
	case w.eval != nil:
		w.evalSlice(w.eval)
	}
	if w.chunkTurn {
		w.schedule()
	}
}

// newKicker returns a function that makes f run in a task of its own, soon:
// a message through a MessageChannel.
func newKicker(f func()) func() {
	ch := js.Global().Get("MessageChannel").New()
	ch.Get("port1").Set("onmessage", js.FuncOf(func(js.Value, []js.Value) any {
		f()
		return nil
	}))
	port := ch.Get("port2")
	return func() { port.Call("postMessage", js.Null()) }
}

// trainSlice runs training batches for about sliceBudget, then schedules
// the next slice. A panic ends the training with an error.
func (w *worker) trainSlice(t *training) {
	what := "training"
	err := protect(&what, func() error {
		// Run at least one step, then another while it should end within
		// the budget, judging by the mean step so far.
		start := time.Now()
		for steps := 1; ; steps++ {
			if w.stepOnce(t) {
				return nil
			}
			spent := time.Since(start)
			if spent+spent/time.Duration(steps) > sliceBudget {
				break
			}
		}
		t.lastSlice = time.Since(start)
		if time.Since(t.progressAt) >= progressEvery {
			w.progress(t)
		}
		w.schedule()
		return nil
	})
	if err != nil && w.run == t {
		w.finish(t, err)
	}
}

// stepOnce runs one Step, sends the events it brings and reports whether
// training is over (then the done event has gone and w.run is nil).
func (w *worker) stepOnce(t *training) bool {
	t.batched, t.epochEnd = false, nil
	start := time.Now()
	done, err := t.tr.Step()
	t.pending += time.Since(start)
	if t.batched { // the batch's Steps were training
		t.trainTime += t.pending
		t.pending = 0
		t.batchCount++
	}
	if t.epochEnd != nil { // the Steps since the last batch were validation
		t.pending = 0
	}
	if t.epochEnd != nil {
		w.progress(t)
		w.epoch(t, *t.epochEnd)
	}
	if done {
		w.finish(t, err)
	}
	return done
}

// position is the reply of the training controls.
func (w *worker) position(t *training) map[string]any {
	return map[string]any{"epoch": t.last.Epoch, "batch": t.last.Batch, "total": t.last.Total, "paused": t.paused, "done": w.run == nil}
}

func (w *worker) training(what string) (*training, error) {
	if w.run == nil {
		return nil, fmt.Errorf("worker: no training to %s", what)
	}
	return w.run, nil
}

// pause stops training between two batches; resume goes on.
func (w *worker) pause(js.Value) (any, error) {
	t, err := w.training("pause")
	if err != nil {
		return nil, err
	}
	t.paused = true
	return w.position(t), nil
}

func (w *worker) resume(js.Value) (any, error) {
	t, err := w.training("resume")
	if err != nil {
		return nil, err
	}
	t.paused = false
	w.schedule()
	return w.position(t), nil
}

// step runs one batch of a paused training: the Steps up to the end of
// the current batch (or of the epoch), or in the validation at an epoch's
// end, a batch's worth of it.
func (w *worker) step(js.Value) (any, error) {
	t, err := w.training("step")
	if err != nil {
		return nil, err
	}
	if !t.paused {
		return nil, fmt.Errorf("worker: step needs paused training: pause first")
	}
	start := time.Now()
	steps := (t.batchSize + t.stepSamples - 1) / t.stepSamples
	for range steps {
		if w.stepOnce(t) {
			return w.position(t), nil
		}
		if t.batched || t.epochEnd != nil {
			break
		}
	}
	t.lastSlice = time.Since(start)
	w.progress(t)
	return w.position(t), nil
}

// stop ends training before the next batch; the done event comes before
// the reply.
func (w *worker) stop(js.Value) (any, error) {
	t, err := w.training("stop")
	if err != nil {
		return nil, err
	}
	t.stop = true
	t.tr.Stop()
	w.stepOnce(t)
	return w.position(t), nil
}
