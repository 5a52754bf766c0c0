//go:build js && wasm

package main

import (
	"fmt"
	"math"
	"syscall/js"
	"time"

	"convplay/dataset"
	"convplay/nn"
	"convplay/scenes"
	"convplay/wasm/jsarray"
)

// Side models are small models the lessons build, train and look into
// beside the page's model, which they never touch: the dense network and
// the CNN of the dense-against-convolution lesson, and the regression head
// that predicts an image's ink area. Each has a name the page chooses.
// Their training runs in steps the page asks for (sideStep, about ms
// milliseconds each), so other requests are answered between them and no
// scheduling is shared with the page model's training.
type sideModel struct {
	model   *nn.Model
	target  string      // "class" (the label) or "ink" (inkTarget)
	tr      *nn.Trainer // the training in progress, or nil
	epochs  []nn.Logs   // of the training in progress (or the last one)
	last    nn.BatchProgress
	samples int
	team    *team // the helper workers sharing its batches (sideTeam), or nil
	batches int   // optimizer steps taken: the team's weights version
}

// closeTeam parks the side model's helpers: its training goes on in this
// worker alone.
func (s *sideModel) closeTeam() {
	if s != nil && s.team != nil {
		s.team.close()
		s.team = nil
	}
}

// closeSideTeams parks every side model's helpers, before another training
// takes them (the helpers serve one team at a time).
func (w *worker) closeSideTeams() {
	for _, s := range w.side {
		s.closeTeam()
	}
}

// sideTeam shares a side model's training batches out to helper workers
// as the page model's training does (parallel.go), when the page is
// cross-origin isolated, the request's workers (default: as train's) is
// above 1 and the page model is not training with helpers itself. Its
// gradient function falls back to this worker alone once the team is
// closed (another training took the helpers).
func (w *worker) sideTeam(req js.Value, s *sideModel, m *nn.Model, cfg *nn.FitConfig) error {
	workers, err := workersArg(req)
	if err != nil {
		return err
	}
	w.closeSideTeams()
	if workers > 1 && canShare() && (w.run == nil || w.run.team == nil) {
		if s.team, err = newTeam(m, workers, cfg.BatchSize, func() int { return s.batches }); err != nil {
			return err
		}
	}
	cfg.Gradients = func(m *nn.Model, x, y []float32, n int) (float64, int, error) {
		if s.team != nil {
			return s.team.gradients(m, x, y, n)
		}
		loss, correct := m.ComputeGradients(x, y, n)
		return loss, correct, nil
	}
	return nil
}

// maxSideModels bounds how many side models a worker keeps.
const maxSideModels = 8

// sideArg is the side model the request names.
func (w *worker) sideArg(req js.Value) (*sideModel, string, error) {
	name, err := argString(req, "name", "")
	if err != nil {
		return nil, "", err
	}
	s := w.side[name]
	if s == nil {
		return nil, name, fmt.Errorf("worker: no side model %q: send sideBuild first", name)
	}
	return s, name, nil
}

// sideBuild builds (or rebuilds) the side model name from a spec, checked
// as checkSpec bounds it, compiled with loss (sparse categorical
// cross-entropy for target "class", mean squared error for "ink", per-pixel
// sparse categorical cross-entropy for "scenes") and the optimizer, and
// answers with its description, as describeSpec.
func (w *worker) sideBuild(req js.Value) (any, error) {
	name, target, err := w.sideNameTarget("sideBuild", req)
	if err != nil {
		return nil, err
	}
	spec, err := specArg("sideBuild", req)
	if err != nil {
		return nil, err
	}
	if _, err := nn.CheckSpec(spec, maxLayerWeights); err != nil {
		return nil, err
	}
	seed, err := argInt(req, "seed", 1, 0)
	if err != nil {
		return nil, err
	}
	m, err := nn.Build(spec, uint64(seed))
	if err != nil {
		return nil, err
	}
	return w.addSide(req, name, target, m)
}

// sideLossNames is the loss each side target trains with.
var sideLossNames = map[string]string{"class": "sparse_categorical_crossentropy", "ink": "mse", sceneTarget: "sparse_categorical_crossentropy"}

// sideLoss is target's loss; a scenes model may ask for backgroundWeight
// (a number > 0), the background-weighted cross-entropy
// (nn.BackgroundWeighted) that leaves the all-background plateau fast.
func sideLoss(req js.Value, target string) (nn.Loss, error) {
	v := req.Get("backgroundWeight")
	if missing(v) {
		return nn.ParseLoss(sideLossNames[target])
	}
	if target != sceneTarget {
		return nil, fmt.Errorf("worker: backgroundWeight is for segmentation (target scenes), not target %s", target)
	}
	if v.Type() != js.TypeNumber {
		return nil, fmt.Errorf("worker: backgroundWeight must be a number, got %s", v.Type())
	}
	return nn.BackgroundWeighted(v.Float())
}

// sideNameTarget reads a side model's name and target (default "class").
func (w *worker) sideNameTarget(op string, req js.Value) (name, target string, err error) {
	if name, err = argString(req, "name", ""); err != nil {
		return "", "", err
	}
	if name == "" {
		return "", "", fmt.Errorf("worker: %s needs a name", op)
	}
	if w.side[name] == nil && len(w.side) >= maxSideModels {
		return "", "", fmt.Errorf("worker: at most %d side models", maxSideModels)
	}
	if target, err = argString(req, "target", "class"); err != nil {
		return "", "", err
	}
	if sideLossNames[target] == "" {
		return "", "", fmt.Errorf("worker: target %q is not class, ink or scenes", target)
	}
	return name, target, nil
}

// addSide compiles m for target with the request's optimizer (default
// adam) and keeps it as the side model name, once a scenes model has been
// checked to map a scene to a class per pixel; it answers with the
// model's description.
func (w *worker) addSide(req js.Value, name, target string, m *nn.Model) (any, error) {
	if target == sceneTarget {
		if err := nn.ValidateForMaps(m, sceneShape, scenes.Classes); err != nil {
			return nil, err
		}
	}
	optSpec := nn.OptimizerSpec{Name: "adam"}
	if v := req.Get("optimizer"); !missing(v) {
		if err := strictJSON(v, &optSpec, "optimizer"); err != nil {
			return nil, err
		}
	}
	opt, err := nn.NewOptimizer(optSpec)
	if err != nil {
		return nil, err
	}
	loss, err := sideLoss(req, target)
	if err != nil {
		return nil, err
	}
	if err := m.Compile(opt, loss); err != nil {
		return nil, err
	}
	if w.side == nil {
		w.side = map[string]*sideModel{}
	}
	w.side[name].closeTeam() // a model it replaces may have been training with helpers
	w.side[name] = &sideModel{model: m, target: target}
	info := modelInfoJS(nn.Describe(m))
	info["name"], info["target"], info["loss"], info["summary"] = name, target, loss.Name(), m.Summary()
	return info, nil
}

// inkData is a split with each sample's ink area as its target: the share
// of its pixels at least half dark (raw value >= 128), in percent, read
// from the standardized pixels with the data set's threshold.
type inkData struct {
	nn.Data
	size      int     // values per sample
	threshold float32 // (128 - mean) / std
	buf       []float32
}

func (d *inkData) Fill(x, y []float32, idx []int) {
	if cap(d.buf) < len(idx) {
		d.buf = make([]float32, len(idx))
	}
	d.Data.Fill(x, d.buf[:len(idx)], idx)
	for i := range idx {
		y[i] = nn.InkArea(x[i*d.size:(i+1)*d.size], d.threshold)
	}
}

func (w *worker) inkThreshold() float32 {
	m := w.data.Manifest
	return float32((128 - m.Mean) / m.Std)
}

// sideData is split as the side model's target needs it: the first n
// samples, or for scenes n scenes (sceneData; seed: the training scenes').
func (w *worker) sideData(s *sideModel, name string, n int, seed uint64) (nn.Data, error) {
	if s.target == sceneTarget {
		return w.sceneData(name, n, seed)
	}
	sp, err := w.split(name)
	if err != nil {
		return nil, err
	}
	d := firstN(sp, n)
	if s.target == "ink" {
		d = &inkData{Data: d, size: s.model.InShape().Size(), threshold: w.inkThreshold()}
	}
	return d, nil
}

// sideTrain starts training the side model name on the first subset
// training samples (all: 0), validating on the first validationSubset
// validation samples after each epoch; sideStep runs it.
func (w *worker) sideTrain(req js.Value) (any, error) {
	s, _, err := w.sideArg(req)
	if err != nil {
		return nil, err
	}
	var cfg nn.FitConfig
	var subsetN, valN, seed int
	for _, a := range []error{
		intArg(req, "epochs", 1, 1, &cfg.Epochs),
		intArg(req, "batchSize", 32, 1, &cfg.BatchSize),
		intArg(req, "subset", 0, 0, &subsetN),
		intArg(req, "validationSubset", 0, 0, &valN),
		intArg(req, "seed", 0, 0, &seed),
	} {
		if a != nil {
			return nil, a
		}
	}
	cfg.Seed = uint64(seed)
	train, err := w.sideData(s, dataset.Train, subsetN, cfg.Seed)
	if err != nil {
		return nil, err
	}
	if cfg.Validation, err = w.sideData(s, dataset.Validation, valN, cfg.Seed); err != nil {
		return nil, err
	}
	sc, _ := train.(*scenes.Data) // every epoch trains on new scenes (and windows cut from them), as the CLI's
	trained := s.model
	if train, trained, err = w.sideCrops(req, s, train, &cfg); err != nil {
		return nil, err
	}
	cfg.OnBatch = func(p nn.BatchProgress) { s.last, s.batches = p, s.batches+1 }
	if err := w.sideTeam(req, s, trained, &cfg); err != nil {
		return nil, err
	}
	cfg.OnEpoch = func(_ int, logs nn.Logs) {
		s.epochs = append(s.epochs, logs)
		if sc != nil {
			sc.Offset += sc.N
		}
	}
	tr, err := nn.NewTrainer(trained, train, cfg)
	if err != nil {
		s.closeTeam()
		return nil, err
	}
	s.tr, s.epochs, s.samples = tr, nil, train.Len()
	s.last = nn.BatchProgress{Epochs: cfg.Epochs, Batches: (train.Len() + cfg.BatchSize - 1) / cfg.BatchSize}
	return map[string]any{"samples": train.Len(), "validationSamples": cfg.Validation.Len(), "epochs": cfg.Epochs, "batches": s.last.Batches}, nil
}

// sideStep runs the side model's training for about ms milliseconds
// (default 40, at least one step) and answers with where it is and the
// logs of the epochs finished so far.
func (w *worker) sideStep(req js.Value) (any, error) {
	s, name, err := w.sideArg(req)
	if err != nil {
		return nil, err
	}
	ms, err := argInt(req, "ms", 40, 1)
	if err != nil {
		return nil, err
	}
	if s.tr == nil {
		return nil, fmt.Errorf("worker: side model %q is not training: send sideTrain first", name)
	}
	start := time.Now()
	done := false
	for !done && (time.Since(start) < time.Duration(ms)*time.Millisecond) {
		if done, err = s.tr.Step(); err != nil {
			s.tr = nil
			s.closeTeam()
			return nil, err
		}
	}
	workers := s.team.active() // of the last step, before the team parks
	if done {
		s.tr = nil
		s.closeTeam()
	}
	epochs := make([]any, len(s.epochs))
	for i, l := range s.epochs {
		e := map[string]any{"loss": l.Loss, "accuracy": l.Accuracy, "val_loss": l.ValLoss, "val_accuracy": l.ValAccuracy}
		if l.HasMeanIoU {
			e["val_mean_iou"] = nanToNull(l.ValMeanIoU)
		}
		epochs[i] = e
	}
	p := s.last
	return map[string]any{"done": done, "epoch": p.Epoch, "epochs": p.Epochs, "batch": p.Batch, "batches": p.Batches,
		"loss": p.Loss, "accuracy": p.Accuracy, "samples": s.samples, "history": epochs, "workers": workers}, nil
}

// sideTrace runs pixels (one standardized input) and the same input
// shifted dx right and dy down (nn.Shift, filled with its smallest value)
// through the side model: every layer's output for both, the shifted
// input, and for target "ink" the input's own ink area (the target the
// model learns).
func (w *worker) sideTrace(req js.Value) (any, error) {
	s, _, err := w.sideArg(req)
	if err != nil {
		return nil, err
	}
	in := s.model.InShape()
	x := make([]float32, in.Size())
	if err := jsarray.Float32sFromJS(x, req.Get("pixels"), "pixels"); err != nil {
		return nil, err
	}
	var d [2]int
	for i, n := range []string{"dx", "dy"} {
		if d[i], err = argInt(req, n, 0, math.MinInt32); err != nil {
			return nil, err
		}
		if len(in) != 3 || d[i] < -in[1-i] || d[i] > in[1-i] {
			if d[i] != 0 {
				return nil, fmt.Errorf("worker: %s %d is outside the image", n, d[i])
			}
		}
	}
	shifted := append([]float32(nil), x...)
	if len(in) == 3 {
		fill := float32(math.Inf(1))
		for _, v := range x {
			fill = min(fill, v)
		}
		nn.Shift(shifted, x, in, d[0], d[1], fill)
	}
	trace := func(v []float32) ([]any, error) {
		tr, err := s.model.Trace(v)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(tr))
		for i, l := range tr {
			out[i] = map[string]any{"name": l.Name, "type": l.Type, "shape": jsarray.ShapeToJS(l.Output.Shape), "output": jsarray.Float32sToJS(l.Output.Data)}
		}
		return out, nil
	}
	a, err := trace(x)
	if err != nil {
		return nil, err
	}
	b, err := trace(shifted)
	if err != nil {
		return nil, err
	}
	res := map[string]any{"dx": d[0], "dy": d[1], "trace": a, "shiftedTrace": b, "shifted": jsarray.Float32sToJS(shifted), "ink": nil}
	if s.target == "ink" && w.data != nil {
		res["ink"] = nn.InkArea(x, w.inkThreshold())
	}
	return res, nil
}

// sideUnit answers with what one output unit of a side model's layer
// looks at: for Dense, its column of the kernel (one weight per input,
// inShape the layer's input, or the image's shape when the layer follows
// Flatten of the input); for Conv2D, its K x K x C kernel.
func (w *worker) sideUnit(req js.Value) (any, error) {
	s, _, err := w.sideArg(req)
	if err != nil {
		return nil, err
	}
	li, err := argInt(req, "layer", 0, 0)
	if err != nil {
		return nil, err
	}
	if li >= len(s.model.Layers) {
		return nil, fmt.Errorf("worker: layer %d does not exist", li)
	}
	l := s.model.Layers[li]
	spec := l.Spec()
	unit, err := argInt(req, "unit", 0, 0)
	if err != nil {
		return nil, err
	}
	weights, shape, bias, err := nn.UnitWeights(l, unit)
	if err != nil {
		return nil, err
	}
	units := l.OutShape()[len(l.OutShape())-1]
	if spec.Type == "Dense" && li == 1 && s.model.Layers[0].Spec().Type == "Flatten" {
		shape = append(nn.Shape(nil), s.model.InShape()...)
	}
	return map[string]any{"name": spec.Name, "type": spec.Type, "unit": unit, "units": units,
		"weights": jsarray.Float32sToJS(weights), "shape": jsarray.ShapeToJS(shape), "bias": bias}, nil
}
