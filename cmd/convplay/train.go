package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"time"

	"convplay/dataset"
	"convplay/nn"
	"convplay/scenes"
)

func init() {
	commands["train"] = command{
		summary: "train a model on a packed data set as the Keras notebook does (checkpoint, early stopping, CSV, learning curves)",
		run: func(args []string) error {
			stop := make(chan os.Signal, 1)
			signal.Notify(stop, os.Interrupt)
			defer signal.Stop(stop)
			return runTrain(args, os.Stdout, stop)
		},
	}
}

// trainFlags are train's settings; the defaults are the notebook's recipe.
type trainFlags struct {
	data, arch, opt, loss      string
	lr, momentum               float64
	nesterov                   bool
	epochs, batch              int
	seed                       uint64
	subset, valSubset          int
	crop                       int
	checkpoint, monitor        string
	saveBestOnly               bool
	patience                   int
	minDelta                   float64
	restoreBest                bool
	csv, plot, meta, note      string
	logdir, weights, init      string
	noTest                     bool
	progressTTY, progressPlain bool
}

func (f *trainFlags) register(fs interface {
	StringVar(*string, string, string, string)
	Float64Var(*float64, string, float64, string)
	BoolVar(*bool, string, bool, string)
	IntVar(*int, string, int, string)
	Uint64Var(*uint64, string, uint64, string)
}) {
	fs.StringVar(&f.data, "data", "fashion", "the packed data set: fashion or digits (in web/data, written by make data) or a directory holding manifest.json; fashion-scenes or digits-scenes: its 64x64 segmentation scenes (with -arch fcn; -subset is then the training scenes per epoch, default 10000, new ones every epoch, and -val-subset the fixed validation scenes, default 500)")
	fs.StringVar(&f.arch, "arch", "seed", "the model: a preset (seed or reference: the notebook's model; small; dense and small-same: the pair of the Why convolution lesson; fcn: the segmentation network for -data ...-scenes; fcn-small: its smaller, batch-normalized version the page trains from scratch) or a JSON file holding a model spec")
	fs.StringVar(&f.opt, "optimizer", "sgd", "sgd, adam or rmsprop")
	fs.Float64Var(&f.lr, "lr", 0, "learning rate (0: Keras's default, SGD 0.01, Adam and RMSprop 0.001)")
	fs.Float64Var(&f.momentum, "momentum", 0, "SGD momentum")
	fs.BoolVar(&f.nesterov, "nesterov", false, "SGD with Nesterov momentum")
	fs.StringVar(&f.loss, "loss", "sparse_categorical_crossentropy", "the loss, by its Keras name")
	fs.IntVar(&f.epochs, "epochs", 10, "epochs")
	fs.IntVar(&f.batch, "batch", 32, "batch size")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the initial weights and of the shuffling")
	fs.IntVar(&f.subset, "subset", 0, "train on the first N training images only (0: all)")
	fs.IntVar(&f.valSubset, "val-subset", 0, "validate on the first N validation images only (0: all)")
	fs.IntVar(&f.crop, "crop", 0, "with -data ...-scenes: train on windows of N x N pixels around one item of each new scene (-subset of them an epoch) instead of whole scenes, validating on whole scenes with the same weights (0: whole scenes)")
	fs.StringVar(&f.checkpoint, "checkpoint", "model.cpw", "where ModelCheckpoint writes the model (convplay format)")
	fs.StringVar(&f.monitor, "monitor", "val_loss", "the value checkpointing and early stopping watch: loss, accuracy, val_loss or val_accuracy (or val_mean_iou, for scenes)")
	fs.BoolVar(&f.saveBestOnly, "save-best-only", true, "checkpoint only when the monitored value improves (false: after every epoch)")
	fs.IntVar(&f.patience, "patience", 5, "early stopping: epochs without improvement before stopping (negative: no early stopping)")
	fs.Float64Var(&f.minDelta, "min-delta", 1e-3, "early stopping: the smallest change that counts as an improvement")
	fs.BoolVar(&f.restoreBest, "restore-best", false, "early stopping: restore the best epoch's weights when it stops training")
	fs.StringVar(&f.csv, "csv", "history.csv", "the history, one line per epoch, as Keras's CSVLogger writes it (empty: none)")
	fs.StringVar(&f.plot, "plot", "history.png", "the learning curves as a PNG (empty: none)")
	fs.StringVar(&f.meta, "meta", "", "a JSON file recording the command, seed, data, history, test metrics and time taken (empty: none)")
	fs.StringVar(&f.note, "note", "", "a note recorded in the -meta file")
	fs.BoolVar(&f.noTest, "no-test", false, "skip the test evaluation of the checkpoint at the end")
	fs.StringVar(&f.weights, "weights", "", "start from this model, its architecture and weights (.cpw, Keras .h5 or .keras), instead of -arch's with fresh weights")
	fs.StringVar(&f.logdir, "logdir", "", "a directory for TensorBoard event files, as Keras's TensorBoard callback writes its epoch scalars (empty: none)")
	fs.StringVar(&f.init, "init", "", "start from the weights of this .cpw (of the same architecture) instead of fresh ones: train on")
}

// runTrain trains as the notebook does: build, compile, fit with
// ModelCheckpoint(save_best_only) and EarlyStopping, then evaluate the
// checkpoint on the test split. A value on stop (SIGINT) ends training
// after the current batch; what was checkpointed is kept.
func runTrain(args []string, stdout io.Writer, stop <-chan os.Signal) error {
	fs := newFlagSet("train", "[flags]   (the defaults are the notebook's recipe)")
	var f trainFlags
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	switch {
	case f.epochs <= 0:
		return fmt.Errorf("-epochs %d: want at least 1", f.epochs)
	case f.batch <= 0:
		return fmt.Errorf("-batch %d: want at least 1", f.batch)
	case f.subset < 0 || f.valSubset < 0:
		return fmt.Errorf("-subset and -val-subset count images; want 0 (all) or more")
	case f.checkpoint == "":
		return fmt.Errorf("-checkpoint: want a file name")
	}
	// Every output's directory is checked now, not when training is over.
	for _, out := range []struct{ flag, path string }{
		{"-checkpoint", f.checkpoint}, {"-csv", f.csv}, {"-plot", f.plot}, {"-meta", f.meta},
	} {
		if err := checkOutputPath(out.flag, out.path); err != nil {
			return err
		}
	}
	m, err := f.model()
	if err != nil {
		return err
	}
	if f.init != "" {
		if err := loadWeightsInto(m, f.init); err != nil {
			return fmt.Errorf("-init %s into -arch %s: %w", f.init, f.arch, err)
		}
	}
	optSpec := nn.OptimizerSpec{Name: f.opt, LearningRate: f.lr, Momentum: f.momentum, Nesterov: f.nesterov}
	if err := compile(m, optSpec, f.loss); err != nil {
		return err
	}
	var ds *dataset.Dataset
	var train, val nn.Data
	var sc *sceneSets // with -data ...-scenes: segmentation (scenes.go)
	if _, ok := sceneBase(f.data); ok {
		if sc, err = openScenes(f.data, f.seed, f.subset, f.valSubset, 0); err != nil {
			return err
		}
		if err := checkSceneModel(m, f.data, len(sc.classes)); err != nil {
			return err
		}
		ds, train, val = sc.ds, sc.train, sc.val
	} else if f.crop != 0 {
		return fmt.Errorf("-crop is for -data fashion-scenes or digits-scenes")
	} else {
		if ds, err = openData(f.data); err != nil {
			return err
		}
		if train, err = split(ds, dataset.Train, f.subset); err != nil {
			return err
		}
		if val, err = split(ds, dataset.Validation, f.valSubset); err != nil {
			return err
		}
		if got, want := nn.Shape(ds.Manifest.Shape), m.InShape(); !got.Equal(want) {
			return fmt.Errorf("-data %s has images of shape %v but -arch %s takes %v", f.data, got, f.arch, want)
		}
		if got, want := len(ds.Manifest.Classes), m.OutShape().Size(); got != want {
			return fmt.Errorf("-data %s has %d classes but -arch %s outputs %d values", f.data, got, f.arch, want)
		}
	}
	title, samples := ds.Manifest.Title, "images"
	if sc != nil {
		title, samples = sc.title, "scenes"
	}
	// trained is the model the steps run: m, or m resized to -crop's
	// windows (the same weights; the checkpoints save m, whole scenes).
	trained := m
	var crops *scenes.Crops
	if f.crop != 0 {
		if crops, trained, err = scenes.CropTraining(m, sc.train, f.crop); err != nil {
			return fmt.Errorf("-crop %d: %w", f.crop, err)
		}
		train = crops
	}

	// saved says whether this run wrote the checkpoint: a file already at
	// that path (an earlier run's) is never reported or evaluated as this
	// run's.
	saved := false
	ckpt := &nn.ModelCheckpoint{Monitor: f.monitor, SaveBestOnly: f.saveBestOnly, Save: func(*nn.Model) error {
		if err := writeFileAtomic(f.checkpoint, func(w *os.File) error { return m.Save(w) }); err != nil {
			return err
		}
		saved = true
		return nil
	}}
	callbacks := []nn.Callback{ckpt}
	var early *nn.EarlyStopping
	if f.patience >= 0 {
		early = &nn.EarlyStopping{Monitor: f.monitor, Patience: f.patience, MinDelta: f.minDelta, RestoreBestWeights: f.restoreBest}
		callbacks = append(callbacks, early)
	}
	if f.csv != "" {
		csvFile, err := os.Create(f.csv)
		if err != nil {
			return fmt.Errorf("-csv: %w", err)
		}
		defer csvFile.Close()
		callbacks = append(callbacks, &nn.CSVLogger{W: csvFile})
	}
	if f.logdir != "" {
		tb := &tensorBoard{dir: f.logdir}
		defer tb.Close()
		callbacks = append(callbacks, tb)
	}

	trainSamples := ""
	if crops != nil {
		trainSamples = fmt.Sprintf(" %dx%d windows", f.crop, f.crop)
	}
	fmt.Fprintf(stdout, "Training %s (%d parameters) on %s: %d training%s, %d validation %s; %s, batch %d, seed %d\n",
		f.arch, m.NumParams(), title, train.Len(), trainSamples, val.Len(), samples, optimizerString(m.Optimizer()), f.batch, f.seed)
	pixelStep := ds.Manifest.SplitStep(dataset.Train) // 1 unless packdata -round rounded them
	if pixelStep > 1 {
		fmt.Fprintf(stdout, "Its training images are rounded to multiples of %d grey levels, for a smaller download (packdata -round); the test images are exact.\n", pixelStep)
	}
	p := &progress{w: stdout, now: time.Now}
	if file, ok := stdout.(*os.File); ok {
		p.tty = isTerminal(file)
	}
	cfg := nn.FitConfig{Epochs: f.epochs, BatchSize: f.batch, Seed: f.seed, Validation: val, Callbacks: callbacks,
		OnBatch: p.batch, OnEpoch: func(_ int, logs nn.Logs) {
			p.epochEnd(logs)
			if sc != nil { // every epoch trains on new scenes (and -crop's windows, cut from them)
				sc.train.Offset += sc.train.N
			}
		}}
	if crops != nil {
		cfg.ValidationModel = m
	}
	t, err := nn.NewTrainer(trained, train, cfg)
	if err != nil {
		return err
	}
	var interrupted atomic.Bool
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-stop:
			interrupted.Store(true)
			signal.Reset(os.Interrupt) // a second Ctrl-C quits at once
		case <-finished:
		}
	}()
	began := time.Now()
	epoch := -1
	for {
		if interrupted.Load() {
			t.Stop()
		}
		if t.Epoch() != epoch && t.Epoch() < f.epochs && !interrupted.Load() {
			epoch = t.Epoch()
			p.epochStart(epoch, f.epochs)
		}
		done, err := t.Step()
		if err != nil {
			p.interrupted()
			if errors.Is(err, nn.ErrDiverged) {
				if saved {
					return fmt.Errorf("%w; the best checkpoint so far is in %s", err, f.checkpoint)
				}
				return fmt.Errorf("%w; no checkpoint was written (no epoch finished)", err)
			}
			return err
		}
		if done {
			break
		}
	}
	took := time.Since(began)
	h := t.History()
	rec := record{Command: commandLine("convplay train", args), Seed: f.seed, Arch: f.arch, Params: m.NumParams(),
		Optimizer: m.Optimizer().Spec(), Loss: f.loss, Epochs: f.epochs, BatchSize: f.batch, EpochsRun: len(h.Loss), History: h,
		TrainSeconds: took.Seconds(), Note: f.note, Go: runtime.Version(), GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(),
		Date: time.Now().UTC().Format(time.RFC3339), Checkpoint: f.checkpoint, Crop: f.crop}
	rec.Data = dataRecord{Name: ds.Manifest.Name, Title: ds.Manifest.Title, Source: ds.Manifest.Source,
		Train: train.Len(), Validation: val.Len(), Test: ds.Manifest.Counts.Test, Subset: f.subset, ValSubset: f.valSubset}
	if pixelStep > 1 { // absent from the record when exact
		rec.Data.PixelStep = pixelStep
	}
	if sc != nil {
		rec.Data.Name, rec.Data.Title, rec.Data.Test = f.data, title, sc.test.N
	}
	if interrupted.Load() {
		p.interrupted()
		rec.Interrupted = true
		fmt.Fprintf(stdout, "Interrupted after %d complete epochs.\n", len(h.Loss))
	}
	if early != nil && early.StoppedEpoch() >= 0 {
		rec.StoppedEarly = true
		fmt.Fprintf(stdout, "Early stopping after epoch %d (best %s %.4f at epoch %d).\n", early.StoppedEpoch()+1, f.monitor, bestOf(early), bestEpochOf(early)+1)
	}
	fmt.Fprintf(stdout, "Trained %d epochs in %s (%.0f images/s).\n", len(h.Loss), took.Round(time.Second), float64(p.last.Total)/max(took.Seconds(), 1e-9))
	if v := t.Result().Verdict; v.NoBetter {
		fmt.Fprintf(stdout, "This run ended %s: it learnt nothing useful (a learning rate far too high or too low?).\n", v)
	}
	if f.csv != "" && len(h.Loss) > 0 {
		fmt.Fprintf(stdout, "History: %s\n", f.csv)
	}
	if f.plot != "" && len(h.Loss) > 0 {
		if err := plotHistory(h, fmt.Sprintf("%s on %s", f.arch, title), f.plot); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Learning curves: %s\n", f.plot)
	}
	if !saved {
		fmt.Fprintf(stdout, "No checkpoint was written (no epoch finished).\n")
		rec.Checkpoint = ""
		return writeRecord(f.meta, rec)
	}
	if v, e := ckpt.Best(); f.saveBestOnly && e >= 0 {
		rec.BestEpoch = e + 1
		fmt.Fprintf(stdout, "Best checkpoint: %s (epoch %d, %s %.4f)\n", f.checkpoint, e+1, f.monitor, v)
	} else {
		fmt.Fprintf(stdout, "Checkpoint: %s\n", f.checkpoint)
	}
	if !f.noTest {
		best, err := loadModel(f.checkpoint, "")
		if err != nil {
			return err
		}
		if err := compile(best, optSpec, f.loss); err != nil {
			return err
		}
		if sc != nil {
			r, err := evaluateScenes(best, sc.test, sc.classes)
			if err != nil {
				return err
			}
			rec.Test = &metrics{Loss: r.Loss, Accuracy: r.PixelAccuracy, MeanIoU: r.MeanIoU}
			fmt.Fprintf(stdout, "Test of the checkpoint on %d fixed scenes: loss %.4f, pixel accuracy %.4f, mean IoU %.4f\n",
				r.Scenes, r.Loss, r.PixelAccuracy, r.MeanIoU)
			return writeRecord(f.meta, rec)
		}
		test, err := best.EvaluateDetailed(mustSplit(ds, dataset.Test), 0)
		if err != nil {
			return err
		}
		rec.Test = &metrics{Loss: test.Loss, Accuracy: test.Accuracy}
		fmt.Fprintf(stdout, "Test [loss, accuracy] of the checkpoint: [%.4f, %.4f]\n", test.Loss, test.Accuracy)
		if len(ds.Manifest.TestDuplicates) > 0 {
			dd, err := best.EvaluateDetailed(ds.DedupTest(), 0)
			if err != nil {
				return err
			}
			rec.TestDedup = &metrics{Loss: dd.Loss, Accuracy: dd.Accuracy}
			fmt.Fprintf(stdout, "Deduplicated test (%d images): [%.4f, %.4f]\n", ds.DedupTest().Len(), dd.Loss, dd.Accuracy)
		}
	}
	return writeRecord(f.meta, rec)
}

// loadWeightsInto sets m's weights from the .cpw file path, which must
// hold the same architecture's.
func loadWeightsInto(m *nn.Model, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return m.LoadWeights(f)
}

func bestOf(e *nn.EarlyStopping) float64  { v, _ := e.Best(); return v }
func bestEpochOf(e *nn.EarlyStopping) int { _, i := e.Best(); return i }

// split returns the named split, its first n images when n > 0.
func split(ds *dataset.Dataset, name string, n int) (nn.Data, error) {
	s, err := ds.Split(name)
	if err != nil {
		return nil, err
	}
	if s.Len() == 0 {
		return nil, fmt.Errorf("the data set %s has no %s images", ds.Manifest.Name, name)
	}
	return subset(s, n), nil
}

func mustSplit(ds *dataset.Dataset, name string) *dataset.Split {
	s, err := ds.Split(name)
	if err != nil {
		panic(err) // the split names are the package's constants
	}
	return s
}

// optimizerString describes an optimizer as Keras's constructor call.
func optimizerString(o nn.Optimizer) string {
	b, _ := json.Marshal(o.Spec())
	return string(b)
}
