//go:build js && wasm

package main

import (
	"bytes"
	"syscall/js"
	"time"

	"convplay/dataset"
	"convplay/nn"
)

// training is one run of training, running or paused: train (below)
// starts it, train_slices.go runs it in slices and takes the controls
// (pause, resume, step, stop), train_events.go sends its events.
type training struct {
	tr     *nn.Trainer
	ckpt   *nn.ModelCheckpoint // nil without checkpoint
	early  *nn.EarlyStopping   // nil without early stopping
	paused bool
	stop   bool // stop was requested

	ckptBytes []byte // the checkpoint the last epoch saved, or nil

	trainLen    int // training samples in use now
	valLen      int // validation samples in use now
	trainAll    int // and once the whole data set has arrived
	subsetN     int // the train request's subset (0: all)
	valN        int // its validationSubset (0: all), when validate
	validate    bool
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

// growRun gives the run the samples that arrived since it started (up to
// its subsets): the data set streams in while the page trains.
func (w *worker) growRun(t *training) error {
	s, err := w.data.Split(dataset.Train)
	if err != nil {
		return err
	}
	train := firstN(s, t.subsetN)
	var validation nn.Data
	if t.validate {
		v, err := w.data.Split(dataset.Validation)
		if err != nil {
			return err
		}
		validation = firstN(v, t.valN)
	}
	if train.Len() == t.trainLen && (validation == nil || validation.Len() == t.valLen) {
		return nil
	}
	if err := t.tr.Grow(train, validation); err != nil {
		return err
	}
	t.trainLen = train.Len()
	if validation != nil {
		t.valLen = validation.Len()
	}
	return nil
}

// train starts training the model on the training samples loaded so far;
// those that arrive later join it (growRun).
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
	t := &training{paused: paused, trainLen: train.Len(), batchSize: cfg.BatchSize,
		subsetN: subsetN, valN: valN, validate: validate}
	t.trainAll = w.data.Manifest.Counts.Train
	if subsetN > 0 {
		t.trainAll = min(subsetN, t.trainAll)
	}
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
		w.closeSideTeams() // a lesson's side model trains on in this worker alone
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
	if cfg.Validation != nil {
		t.valLen = cfg.Validation.Len()
	}
	return map[string]any{"epochs": cfg.Epochs, "batches": t.last.Batches, "samples": train.Len(), "validationSamples": t.valLen,
		"stepSamples": t.stepSamples, "sampleMs": float64(t.sampleTime.Microseconds()) / 1000, "workers": workers,
		"samplesAll": max(t.trainLen, t.trainAll)}, nil
}
