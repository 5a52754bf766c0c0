//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"convplay/dataset"
	"convplay/nn"
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

// training is one run of training, running or paused.
type training struct {
	tr     *nn.Trainer
	ckpt   *nn.ModelCheckpoint // nil without checkpoint
	early  *nn.EarlyStopping   // nil without early stopping
	paused bool
	stop   bool // stop was requested

	ckptBytes []byte // the checkpoint the last epoch saved, or nil

	trainLen    int
	workers     int   // the workers sharing each batch, this one included
	team        *team // the helpers, when workers > 1
	batchSize   int
	stepSamples int              // samples per Step: the batch size, or fewer
	sampleTime  time.Duration    // one sample's training pass, as measured before training (0 if given)
	last        nn.BatchProgress // after the last training batch
	batched     bool             // the last Step ran a training batch
	epochEnd    *nn.Logs         // the last Step ended an epoch with these logs
	epochNum    int              // and this 0-based epoch

	trainTime  time.Duration // spent in completed training batches
	pending    time.Duration // spent in Steps since, the current batch's so far
	batchCount int           // training batches run
	lastSlice  time.Duration
	progressAt time.Time
}

// earlyArgs is train's earlyStopping argument, with Keras's names.
type earlyArgs struct {
	Patience           int     `json:"patience"`
	MinDelta           float64 `json:"min_delta"`
	RestoreBestWeights bool    `json:"restore_best_weights"`
	Monitor            string  `json:"monitor"`
	Mode               string  `json:"mode"`
}

// strictJSON decodes a request argument (object or JSON text), refusing
// unknown fields.
func strictJSON(v js.Value, dst any, what string) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(jsonText(v))))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("worker: invalid %s: %v", what, err)
	}
	return nil
}

// subset is the first n samples of a data set.
type subset struct {
	nn.Data
	n int
}

func (s subset) Len() int { return s.n }

func firstN(d nn.Data, n int) nn.Data {
	if n <= 0 || n >= d.Len() {
		return d
	}
	return subset{d, n}
}

// train starts training the model on the training samples loaded so far.
func (w *worker) train(req js.Value) (any, error) {
	if err := w.idle("start training"); err != nil {
		return nil, err
	}
	if w.model == nil {
		return nil, errNoModel
	}
	optSpec := nn.OptimizerSpec{Name: "sgd"}
	if v := req.Get("optimizer"); !missing(v) {
		if err := strictJSON(v, &optSpec, "optimizer"); err != nil {
			return nil, err
		}
	}
	var cfg nn.FitConfig
	var err error
	var subsetN, valN, stepN int
	var validate, checkpoint, paused bool
	for _, a := range []error{
		intArg(req, "epochs", 1, 1, &cfg.Epochs),
		intArg(req, "batchSize", 32, 1, &cfg.BatchSize),
		intArg(req, "subset", 0, 0, &subsetN),
		intArg(req, "validationSubset", 0, 0, &valN),
		intArg(req, "stepSamples", -1, 0, &stepN),
		boolArg(req, "validation", true, &validate),
		boolArg(req, "checkpoint", true, &checkpoint),
		boolArg(req, "paused", false, &paused),
	} {
		if a != nil {
			return nil, a
		}
	}
	seed, err := argInt(req, "seed", 0, 0)
	if err != nil {
		return nil, err
	}
	workers, err := workersArg(req)
	if err != nil {
		return nil, err
	}
	if !canShare() {
		workers = 1 // no shared memory (not cross-origin isolated) or no helpers here
	}
	cfg.Seed = uint64(seed)
	trainSplit, err := w.split(dataset.Train)
	if err != nil {
		return nil, err
	}
	train := firstN(trainSplit, subsetN)
	monitor := "loss"
	if validate {
		v, err := w.split(dataset.Validation)
		if err != nil {
			return nil, err
		}
		cfg.Validation = firstN(v, valN)
		monitor = "val_loss"
	}
	t := &training{paused: paused, trainLen: train.Len(), batchSize: cfg.BatchSize}
	if checkpoint {
		t.ckpt = &nn.ModelCheckpoint{Monitor: monitor, SaveBestOnly: true, Save: func(m *nn.Model) error {
			var buf bytes.Buffer
			if err := m.Save(&buf); err != nil {
				return err
			}
			t.ckptBytes = buf.Bytes()
			return nil
		}}
		cfg.Callbacks = append(cfg.Callbacks, t.ckpt)
	}
	if v := req.Get("earlyStopping"); !missing(v) {
		a := earlyArgs{Monitor: monitor}
		if err := strictJSON(v, &a, "earlyStopping"); err != nil {
			return nil, err
		}
		t.early = &nn.EarlyStopping{Monitor: a.Monitor, Patience: a.Patience, MinDelta: a.MinDelta, Mode: a.Mode, RestoreBestWeights: a.RestoreBestWeights}
		cfg.Callbacks = append(cfg.Callbacks, t.early)
	}
	cfg.OnBatch = func(p nn.BatchProgress) { t.last, t.batched = p, true }
	cfg.OnEpoch = func(epoch int, logs nn.Logs) { t.epochEnd, t.epochNum = &logs, epoch }
	if err := w.compile(optSpec); err != nil {
		return nil, err
	}
	cfg.StepSamples = stepN
	if stepN < 0 { // not given: measured
		if t.sampleTime, err = timeSample(w.model, train, cfg.BatchSize); err != nil {
			return nil, err
		}
		cfg.StepSamples = stepSamplesFor(t.sampleTime, cfg.BatchSize)
		if cfg.StepSamples > 0 && workers > 1 { // each worker runs about stepBudget of it
			if cfg.StepSamples *= workers; cfg.StepSamples >= cfg.BatchSize {
				cfg.StepSamples = 0
			}
		}
	}
	t.stepSamples = cfg.BatchSize
	if cfg.StepSamples > 0 {
		t.stepSamples = min(cfg.StepSamples, cfg.BatchSize)
	}
	// A run that diverges or ends no better than chance does not replace
	// the model it started from with ruined weights: see nn.Result.
	cfg.RollBack = true
	t.workers = workers
	if workers > 1 {
		if t.team, err = newTeam(w.model, workers, t.stepSamples, func() int { return t.batchCount }); err != nil {
			return nil, err
		}
		cfg.Gradients = t.team.gradients
	}
	if t.tr, err = nn.NewTrainer(w.model, train, cfg); err != nil {
		t.team.close()
		return nil, err
	}
	t.last = nn.BatchProgress{Epochs: cfg.Epochs, Batches: (train.Len() + cfg.BatchSize - 1) / cfg.BatchSize}
	w.run = t
	if !paused {
		w.schedule()
	}
	valLen := 0
	if cfg.Validation != nil {
		valLen = cfg.Validation.Len()
	}
	return map[string]any{"epochs": cfg.Epochs, "batches": t.last.Batches, "samples": train.Len(), "validationSamples": valLen,
		"stepSamples": t.stepSamples, "sampleMs": float64(t.sampleTime.Microseconds()) / 1000, "workers": workers}, nil
}

func intArg(req js.Value, name string, def, lo int, dst *int) (err error) {
	*dst, err = argInt(req, name, def, lo)
	return err
}

func boolArg(req js.Value, name string, def bool, dst *bool) (err error) {
	*dst, err = argBool(req, name, def)
	return err
}

// schedule queues the next slice of the long work in progress: training
// or an evaluation (never both: each refuses to start during the other).
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
	switch {
	case w.run != nil && !w.run.paused:
		w.trainSlice(w.run)
	case w.eval != nil:
		w.evalSlice(w.eval)
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

// progress sends the progress event for the last training batch.
func (w *worker) progress(t *training) {
	t.progressAt = time.Now()
	p := t.last
	rate, eta, batchMs := 0.0, 0.0, 0.0
	if s := t.trainTime.Seconds(); s > 0 {
		rate = float64(p.Total) / s
		eta = float64(p.Epochs*t.trainLen-p.Total) / rate
		batchMs = 1000 * s / float64(t.batchCount)
	}
	w.emit("progress", map[string]any{
		"epoch": p.Epoch, "epochs": p.Epochs, "batch": p.Batch, "batches": p.Batches,
		"loss": p.Loss, "accuracy": p.Accuracy, "samplesPerSec": rate, "etaSec": eta, "total": p.Total,
		"batchMs": batchMs, "sliceMs": float64(t.lastSlice.Microseconds()) / 1000, "workers": t.team.active(),
		"memoryMB": t.team.memoryMB(),
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
		ev["checkpoint"] = bytesToJS(t.ckptBytes)
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
