package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Trainer runs Fit one batch at a time (or one slice of a batch, see
// FitConfig.StepSamples), so that the page's worker can train in short
// slices and answer messages in between. An epoch is its training batches,
// then (with validation data) its validation batches, then the end of the
// epoch (history, OnEpoch, callbacks). Its gradients come from
// FitConfig.Gradients (the page's data-parallel workers) or the model
// itself; when training ends, Result judges the run against chance and
// says whether the weights were rolled back (FitConfig.RollBack).
type Trainer struct {
	m       *Model
	vm      *Model // the model validation runs: FitConfig.ValidationModel, or m
	train   Data
	cfg     FitConfig
	rng     *rand.Rand
	step    int          // samples per Step: BatchSize, or StepSamples if smaller
	perm    []int        // (train.Len()) the epoch's sample order
	vidx    []int        // (step) a validation slice's sample indices
	x, y    []float32    // (step, ...) the slice's inputs and targets
	grads   GradientFunc // FitConfig.Gradients, or the model's own
	sum     ShardSum     // the current batch's slices so far
	batches int          // training batches per epoch
	vbatchs int          // validation slices per epoch
	history History
	// A copy of the weights and optimizer state from before the current
	// step, to undo a step that made a weight overflow. Copying is cheap
	// next to a step: one pass over the weights against a forward and
	// backward pass of a whole batch.
	snapW    []float32
	snapS    [][]float32
	snapIter int64
	// With RollBack: the weights from before training, and the last known
	// good ones (those at the end of epoch goodEpoch, 0 for before
	// training).
	initial, good []float32
	goodEpoch     int
	firstLoss     float64 // the first batch's loss, before any step (NaN until then)
	result        Result

	epoch, batch int  // the next batch (or validation slice) to run, 0-based, in its phase
	pos          int  // where the current training batch starts in perm
	sub          int  // samples of the current training batch already run
	inVal        bool // running the epoch's validation
	loss         float64
	correct      int
	seen, total  int
	vloss        float64
	vcorrect     int
	vseen        int
	vconf        []int // (classes, classes) the validation pixels' confusion matrix, for a segmentation model
	stop, done   bool

	grownTrain, grownVal Data // larger data waiting for a batch boundary or the next validation pass (Grow)
}

// NewTrainer prepares training a compiled model on train; Step runs it.
// It validates the data and calls the callbacks' TrainBegin.
func NewTrainer(m *Model, train Data, cfg FitConfig) (*Trainer, error) {
	m.mustBeCompiled()
	if cfg.Epochs == 0 {
		cfg.Epochs = 1
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 32
	}
	switch {
	case cfg.Epochs < 0:
		return nil, fmt.Errorf("nn: epochs %d must be positive", cfg.Epochs)
	case cfg.BatchSize < 0:
		return nil, fmt.Errorf("nn: batch size %d must be positive", cfg.BatchSize)
	case cfg.StepSamples < 0:
		return nil, fmt.Errorf("nn: step samples %d must not be negative", cfg.StepSamples)
	}
	if err := checkData(m, train, "training"); err != nil {
		return nil, err
	}
	vm := m
	if cfg.ValidationModel != nil {
		if vm = cfg.ValidationModel; vm.loss == nil {
			return nil, fmt.Errorf("nn: the validation model is not compiled")
		}
		if !vm.sharesWeights(m) {
			return nil, fmt.Errorf("nn: the validation model does not share the trained model's weights (see Model.Resized)")
		}
	}
	t := &Trainer{m: m, vm: vm, train: train, cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x73687566666c65)), // "shuffle"
		grads: cfg.Gradients, firstLoss: math.NaN()}
	if t.grads == nil {
		t.grads = localGradients
	}
	t.step = cfg.BatchSize
	if cfg.StepSamples > 0 {
		t.step = min(cfg.StepSamples, cfg.BatchSize)
	}
	t.batches = (train.Len() + cfg.BatchSize - 1) / cfg.BatchSize
	if cfg.Validation != nil {
		if err := checkData(vm, cfg.Validation, "validation"); err != nil {
			return nil, err
		}
		t.vbatchs = (cfg.Validation.Len() + t.step - 1) / t.step
		if vm.pix > 1 {
			t.vconf = make([]int, vm.classes()*vm.classes())
		}
	}
	t.perm = make([]int, train.Len())
	t.fitBuffers()
	if cfg.RollBack {
		t.initial = m.FlatWeights(nil)
		t.good = m.FlatWeights(nil)
	}
	for _, cb := range cfg.Callbacks {
		if err := cb.TrainBegin(t); err != nil {
			return nil, err
		}
	}
	t.startEpoch()
	return t, nil
}

func lenOf(d Data) int {
	if d == nil {
		return 0
	}
	return d.Len()
}

// Model is the model being trained.
func (t *Trainer) Model() *Model { return t.m }

// HasValidation reports whether the epochs end with validation.
func (t *Trainer) HasValidation() bool { return t.cfg.Validation != nil }

// History is the history of the completed epochs.
func (t *Trainer) History() *History { return &t.history }

// Epoch is the 0-based epoch that the next Step works on.
func (t *Trainer) Epoch() int { return t.epoch }

// Stop ends training before the next Step's work: that Step calls the
// callbacks' TrainEnd and reports done. The current epoch is not logged,
// and a batch interrupted between slices is not applied.
func (t *Trainer) Stop() { t.stop = true }

// startEpoch orders the epoch's samples: shuffled (a fresh permutation
// from the seeded source) unless NoShuffle.
func (t *Trainer) startEpoch() {
	t.growTrain()
	t.growValidation()
	n := t.train.Len()
	t.batches = (n + t.cfg.BatchSize - 1) / t.cfg.BatchSize
	for i := range n {
		t.perm[i] = i
	}
	if !t.cfg.NoShuffle {
		p := t.perm[:n]
		t.rng.Shuffle(n, func(i, j int) { p[i], p[j] = p[j], p[i] })
	}
	t.batch, t.pos, t.sub, t.inVal = 0, 0, 0, false
	t.loss, t.correct, t.seen = 0, 0, 0
	t.vloss, t.vcorrect, t.vseen = 0, 0, 0
	clear(t.vconf)
}

// Step runs one training batch (or slice of one), or a validation slice at
// the end of an epoch; after an epoch's last one it also ends the epoch.
// It reports done once training is over: all epochs run, a callback stopped
// it, Stop was called, or an error (ErrDiverged, a bad label, a callback's
// error, the GradientFunc's), which it returns. Result then says more.
func (t *Trainer) Step() (done bool, err error) {
	if t.done {
		return true, nil
	}
	if t.stop {
		return true, t.finish(nil)
	}
	if t.inVal {
		err = t.validationSlice()
	} else {
		err = t.trainingSlice()
	}
	if err != nil {
		return true, t.finish(err)
	}
	if (t.inVal && t.batch == t.vbatchs) || (!t.inVal && t.batch == t.batches && t.vbatchs == 0) {
		return t.endEpoch()
	}
	if !t.inVal && t.batch == t.batches {
		t.inVal, t.batch = true, 0
		t.growValidation()
	}
	return false, nil
}

// fill loads samples idx of d into the slice buffers and checks the targets.
func (t *Trainer) fill(m *Model, d Data, idx []int, what string) (x, y []float32, err error) {
	n := len(idx)
	x, y = t.x[:n*m.InShape().Size()], t.y[:n*m.targetSize()]
	d.Fill(x, y, idx)
	return x, y, m.checkSamples(y, idx, what)
}

// trainingSlice computes the gradients of the next slice of the current
// batch; after the batch's last slice it takes the optimizer step.
func (t *Trainer) trainingSlice() error {
	t.growTrain()
	lo := t.pos
	hi := min(lo+t.cfg.BatchSize, t.train.Len())
	idx := t.perm[lo+t.sub : min(lo+t.sub+t.step, hi)]
	x, y, err := t.fill(t.m, t.train, idx, "training")
	if err != nil {
		return err
	}
	n, size := len(idx), hi-lo
	if t.sub == 0 {
		t.sum.Start(size) // a sliced batch's gradient is sum_i (n_i/size) g_i
	}
	loss, correct, err := t.grads(t.m, x, y, n)
	if err != nil {
		return err // the batch is not applied
	}
	t.sum.AddModel(t.m, n, loss, correct)
	t.sub += n
	if lo+t.sub < hi {
		return nil
	}
	loss, correct = t.sum.Sum(t.m)
	t.sub = 0
	if math.IsNaN(t.firstLoss) {
		t.firstLoss = loss // with the weights from before training
	}
	if !isFinite(loss) {
		return fmt.Errorf("%w (epoch %d, batch %d: loss %v)", ErrDiverged, t.epoch+1, t.batch+1, loss)
	}
	if !t.m.gradientsFinite() {
		return fmt.Errorf("%w (epoch %d, batch %d: loss %.3g, a gradient overflowed)", ErrDiverged, t.epoch+1, t.batch+1, loss)
	}
	t.snapshot()
	t.m.ApplyGradients()
	if !t.m.weightsFinite() {
		t.restore()
		return fmt.Errorf("%w (epoch %d, batch %d: a weight overflowed)", ErrDiverged, t.epoch+1, t.batch+1)
	}
	t.loss += float64(loss * float64(size))
	t.correct += correct
	t.seen += size
	t.total += size
	t.batch++
	t.pos = hi
	t.growTrain() // what arrived during the batch belongs to this epoch
	if t.cfg.OnBatch != nil {
		t.cfg.OnBatch(BatchProgress{
			Epoch: t.epoch, Epochs: t.cfg.Epochs, Batch: t.batch - 1, Batches: t.batches,
			Loss: t.loss / float64(t.seen), Accuracy: t.m.accuracy(t.correct, t.seen),
			Seen: t.seen, Total: t.total,
		})
	}
	return nil
}

// validationSlice evaluates the next slice of the validation data.
func (t *Trainer) validationSlice() error {
	v := t.cfg.Validation
	lo, hi := t.batch*t.step, min((t.batch+1)*t.step, v.Len())
	idx := t.vidx[:hi-lo]
	for i := range idx {
		idx[i] = lo + i
	}
	x, y, err := t.fill(t.vm, v, idx, "validation")
	if err != nil {
		return err
	}
	loss, correct := t.vm.evalBatch(x, y, len(idx), t.vconf)
	t.vloss += float64(loss * float64(len(idx)))
	t.vcorrect += correct
	t.vseen += len(idx)
	t.batch++
	return nil
}

// endEpoch logs the finished epoch and runs the callbacks; it reports done
// after the last epoch or when a callback stops training.
func (t *Trainer) endEpoch() (bool, error) {
	logs := Logs{Loss: t.loss / float64(t.seen), Accuracy: t.m.accuracy(t.correct, t.seen)}
	if t.vseen > 0 {
		logs.HasValidation = true
		logs.ValLoss = t.vloss / float64(t.vseen)
		logs.ValAccuracy = t.vm.accuracy(t.vcorrect, t.vseen)
		if t.vconf != nil {
			logs.HasMeanIoU, logs.ValMeanIoU = true, meanIoU(iou(t.vconf, t.vm.classes()))
		}
	}
	t.history.add(logs)
	if t.cfg.OnEpoch != nil {
		t.cfg.OnEpoch(t.epoch, logs)
	}
	stop := false
	for _, cb := range t.cfg.Callbacks {
		s, err := cb.EpochEnd(t, t.epoch, logs)
		if err != nil {
			return true, t.finish(err)
		}
		stop = stop || s
	}
	t.epoch++
	if t.cfg.RollBack {
		t.good, t.goodEpoch = t.m.FlatWeights(t.good), t.epoch
	}
	if stop || t.epoch == t.cfg.Epochs {
		return true, t.finish(nil)
	}
	t.startEpoch()
	return false, nil
}

// finish ends training: it calls every callback's TrainEnd, judges the
// run (Result) and returns err, or the first TrainEnd error.
func (t *Trainer) finish(err error) error {
	t.done = true
	for _, cb := range t.cfg.Callbacks {
		if e := cb.TrainEnd(t); e != nil && err == nil {
			err = e
		}
	}
	t.conclude(err)
	return err
}

// snapshot copies the weights and optimizer state; restore sets them back.
func (t *Trainer) snapshot() {
	t.snapW = t.m.FlatWeights(t.snapW)
	st := t.m.opt.State()
	if len(t.snapS) != len(st) {
		t.snapS = make([][]float32, len(st))
	}
	for i, s := range st {
		t.snapS[i] = append(t.snapS[i][:0], s...)
	}
	t.snapIter = t.m.opt.Iterations()
}

func (t *Trainer) restore() {
	if err := t.m.SetFlatWeights(t.snapW); err != nil {
		panic(err) // the snapshot was taken from this model
	}
	for i, s := range t.m.opt.State() {
		copy(s, t.snapS[i])
	}
	t.m.opt.SetIterations(t.snapIter)
}
