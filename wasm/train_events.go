//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"time"

	"convplay/nn"
	"convplay/wasm/jsarray"
)

// progress sends the progress event for the last training batch.
func (w *worker) progress(t *training) {
	t.progressAt = time.Now()
	p := t.last
	rate, eta, batchMs := 0.0, 0.0, 0.0
	if s := t.trainTime.Seconds(); s > 0 {
		rate = float64(p.Total) / s
		eta = float64(p.Epochs*max(t.trainLen, t.trainAll)-p.Total) / rate
		batchMs = 1000 * s / float64(t.batchCount)
	}
	w.emit("progress", map[string]any{
		"epoch": p.Epoch, "epochs": p.Epochs, "batch": p.Batch, "batches": p.Batches,
		"loss": p.Loss, "accuracy": p.Accuracy, "samplesPerSec": rate, "etaSec": eta, "total": p.Total,
		"batchMs": batchMs, "sliceMs": float64(t.lastSlice.Microseconds()) / 1000, "workers": t.team.active(),
		"memoryMB": t.team.memoryMB(), "samples": t.trainLen, "samplesAll": max(t.trainLen, t.trainAll), "validationSamples": t.valLen,
	})
}

// epoch sends the epoch event: the epoch's logs, the checkpoint it saved
// and the early-stopping state.
func (w *worker) epoch(t *training, logs nn.Logs) {
	ev := map[string]any{"epoch": t.epochNum, "loss": logs.Loss, "accuracy": logs.Accuracy, "checkpoint": nil, "earlyStopping": nil}
	if logs.HasValidation {
		ev["val_loss"], ev["val_accuracy"] = logs.ValLoss, logs.ValAccuracy
	}
	if t.ckptBytes != nil {
		ev["checkpoint"] = jsarray.BytesToJS(t.ckptBytes)
		t.ckptBytes = nil
	}
	if e := t.early; e != nil {
		best, bestEpoch := e.Best()
		ev["earlyStopping"] = map[string]any{"wait": e.Wait(), "best": best, "bestEpoch": bestEpoch, "stoppedEpoch": e.StoppedEpoch()}
	}
	w.emit("epoch", ev)
}

// finish ends the training and sends the done event. Its chance field
// says the run ended no better than chance (nn.Verdict, described by
// verdict): the weights then went back to those from before training
// (restored), so the model the page had stays.
func (w *worker) finish(t *training, err error) {
	w.run = nil
	t.team.close()
	h := t.tr.History()
	history := map[string]any{"loss": h.Loss, "accuracy": h.Accuracy, "val_loss": h.ValLoss, "val_accuracy": h.ValAccuracy}
	for k, v := range history {
		f := v.([]float64)
		a := make([]any, len(f))
		for i, x := range f {
			a[i] = x
		}
		history[k] = a
	}
	res := t.tr.Result()
	ev := map[string]any{"history": history, "restored": false, "error": nil, "chance": res.Verdict.NoBetter, "verdict": nil}
	if res.Verdict.Metric != "" {
		ev["verdict"] = res.Verdict.String()
	}
	switch {
	case err == nil && t.stop:
		ev["reason"] = "stopped"
	case err == nil && t.early != nil && t.early.StoppedEpoch() >= 0:
		ev["reason"], ev["restored"] = "early", t.early.RestoreBestWeights
	case err == nil:
		ev["reason"] = "finished"
	case errors.Is(err, nn.ErrDiverged):
		// The Trainer went back past the bad step to the last weights
		// known good (FitConfig.RollBack): the last completed epoch's.
		from := "from before training"
		if res.GoodEpochs > 0 {
			from = fmt.Sprintf("from the end of epoch %d", res.GoodEpochs)
		}
		ev["reason"], ev["restored"] = "diverged", res.RolledBack
		ev["error"] = fmt.Sprintf("%v; training stopped, and the weights go back further, to those %s (the last known good ones)", err, from)
	default:
		ev["reason"], ev["error"] = "error", err.Error()
	}
	if res.Verdict.NoBetter {
		ev["restored"] = res.RolledBack
	}
	w.emit("done", ev)
}
