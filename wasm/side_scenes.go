//go:build js && wasm

package main

import (
	"bytes"
	"fmt"
	"math"
	"syscall/js"

	"convplay/dataset"
	"convplay/nn"
	"convplay/scenes"
	"convplay/wasm/jsarray"
)

// Segmentation in the worker: a side model with target "scenes" maps a
// 64x64 scene to a class per pixel (nn.ValidateForMaps: an FCN's (64, 64,
// 11) map, not the page model's vector of 10 scores, so it lives beside the
// page's classifier and the classifier's views stay as they are). Its
// scenes are composed here, from the images the page has already loaded,
// by the scenes package's seeded generator: a run's training scenes from
// the train split with the run's seed (new ones every epoch), the fixed
// validation and test scenes (scenes.FixedSeed) from their own splits, the
// very scenes the command line scores. No scene file is downloaded.

// sceneTarget is the side target of segmentation models.
const sceneTarget = "scenes"

// sceneShape is a scene's input shape.
var sceneShape = nn.Shape{scenes.Side, scenes.Side, 1}

// Scene counts when sideTrain leaves them at 0: small enough that an epoch,
// and so a point of the page's curves, comes every few seconds.
const (
	defaultSideTrainScenes = 256
	defaultSideValScenes   = 64
)

// sceneSplits numbers each split's scenes as the generator does.
var sceneSplits = map[string]int{dataset.Train: scenes.Train, dataset.Validation: scenes.Validation, dataset.Test: scenes.Test}

// sceneGenerator composes the named split's scenes with seed. Scenes are
// drawn from the whole split (a scene's images are picked among all of
// them), so the split must be loaded whole; the test scenes use
// Fashion-MNIST's deduplicated test split, as the command line does, so no
// image is in two splits.
func (w *worker) sceneGenerator(name string, seed uint64) (*scenes.Generator, error) {
	split, ok := sceneSplits[name]
	if !ok {
		return nil, fmt.Errorf("worker: split %q is not train, validation or test", name)
	}
	sp, err := w.split(name)
	if err != nil {
		return nil, err
	}
	c := w.data.Manifest.Counts
	if want := map[string]int{dataset.Train: c.Train, dataset.Validation: c.Validation, dataset.Test: c.Test}[name]; sp.Len() < want {
		return nil, fmt.Errorf("worker: scenes are made from the whole %s split, and %d of its %d images are loaded yet", name, sp.Len(), want)
	}
	var src scenes.Source = sp
	if name == dataset.Test {
		src = w.data.DedupTest()
	}
	return scenes.New(src, seed, split)
}

// sceneData is n scenes (0: the defaults above) of the named split: the
// training scenes with seed, the others the fixed ones.
func (w *worker) sceneData(name string, n int, seed uint64) (*scenes.Data, error) {
	if name != dataset.Train {
		seed = scenes.FixedSeed
	}
	if n <= 0 {
		n = defaultSideValScenes
		if name == dataset.Train {
			n = defaultSideTrainScenes
		}
	}
	g, err := w.sceneGenerator(name, seed)
	if err != nil {
		return nil, err
	}
	return scenes.NewData(g, n, w.data.Standardize), nil
}

// sideCrops applies sideTrain's crop (a window side, 0 or missing: whole
// scenes) to a scenes model's training: the training samples become
// windows of that side around one item of each new scene, trained through
// the model resized to the window (scenes.CropTraining: the same weights,
// a fresh optimizer of the model's spec), while validation scores the
// whole scenes with the model itself. It returns the data and the model
// to train.
func (w *worker) sideCrops(req js.Value, s *sideModel, train nn.Data, cfg *nn.FitConfig) (nn.Data, *nn.Model, error) {
	var side int
	if err := intArg(req, "crop", 0, 0, &side); err != nil {
		return nil, nil, err
	}
	if side == 0 {
		return train, s.model, nil
	}
	sc, ok := train.(*scenes.Data)
	if !ok {
		return nil, nil, fmt.Errorf("worker: crop is for segmentation (target scenes), not target %s", s.target)
	}
	crops, m, err := scenes.CropTraining(s.model, sc, side)
	if err != nil {
		return nil, nil, fmt.Errorf("worker: crop: %w", err)
	}
	cfg.ValidationModel = s.model
	return crops, m, nil
}

// nanToNull is v, or nil (null in JavaScript) for NaN: a mean IoU with no
// class present.
func nanToNull(v float64) any {
	if math.IsNaN(v) {
		return nil
	}
	return v
}

// sideLoad makes a model file in convplay's format (.cpw, bytes: the
// architecture and weights) the side model name, checked as loadWeights
// checks a file and, for target scenes, to map a scene to a class per
// pixel; it answers as sideBuild.
func (w *worker) sideLoad(req js.Value) (any, error) {
	name, target, err := w.sideNameTarget("sideLoad", req)
	if err != nil {
		return nil, err
	}
	b, err := jsarray.BytesFromJS(req.Get("bytes"), "bytes")
	if err != nil {
		return nil, err
	}
	m, err := nn.Load(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if err := nn.Validate(m); err != nil {
		return nil, err
	}
	return w.addSide(req, name, target, m)
}

// scene answers with one fixed scene of the validation or test split (the
// scenes every run and the command line score): its canvas as stored
// (0..255), standardized as a model sees it, its label map (0 background,
// 1+k the data set's class k) and its items.
func (w *worker) scene(req js.Value) (any, error) {
	name, err := argString(req, "split", dataset.Test)
	if err != nil {
		return nil, err
	}
	if name == dataset.Train {
		return nil, fmt.Errorf("worker: training scenes change with every run: ask for a validation or test scene")
	}
	i, err := argInt(req, "index", 0, 0)
	if err != nil {
		return nil, err
	}
	g, err := w.sceneGenerator(name, scenes.FixedSeed)
	if err != nil {
		return nil, err
	}
	img, labels := make([]uint8, scenes.Side*scenes.Side), make([]uint8, scenes.Side*scenes.Side)
	items := g.Draw(img, labels, i)
	px := make([]float32, len(img))
	w.data.Standardize(px, img)
	list := make([]any, len(items))
	for k, it := range items {
		list[k] = map[string]any{"image": it.Image, "class": it.Class, "row": it.Row, "col": it.Col}
	}
	return map[string]any{"split": name, "index": i, "image": jsarray.BytesToJS(img), "pixels": jsarray.Float32sToJS(px),
		"labels": jsarray.BytesToJS(labels), "items": list, "shape": jsarray.ShapeToJS(sceneShape)}, nil
}

// segment runs pixels (one standardized scene), or image (one scene as
// 0..255 pixels, standardized here with the data set's mean and std),
// through the scenes side model name: every layer's output (as predict's trace), the per-pixel
// probabilities (H, W, C), each pixel's class (nn.ClassMap: the most
// probable, Int32Array (H, W)) and the pixels per class.
func (w *worker) segment(req js.Value) (any, error) {
	s, name, err := w.sideArg(req)
	if err != nil {
		return nil, err
	}
	if s.target != sceneTarget {
		return nil, fmt.Errorf("worker: side model %q does not segment scenes (its target is %s)", name, s.target)
	}
	x := make([]float32, s.model.InShape().Size())
	if img := req.Get("image"); !missing(img) { // a drawn canvas, 0..255
		b, err := jsarray.BytesFromJS(img, "image")
		if err != nil {
			return nil, err
		}
		if len(b) != len(x) {
			return nil, fmt.Errorf("worker: image has %d pixels, want %d: one %v scene", len(b), len(x), s.model.InShape())
		}
		if w.data == nil {
			return nil, fmt.Errorf("worker: no data set to standardize the image with: send loadDataset first")
		}
		w.data.Standardize(x, b)
	} else if err := jsarray.Float32sFromJS(x, req.Get("pixels"), "pixels"); err != nil {
		return nil, err
	}
	tr, err := s.model.Trace(x)
	if err != nil {
		return nil, err
	}
	out := tr[len(tr)-1].Output
	classes := out.Shape[2]
	cm := make([]int, out.Shape[0]*out.Shape[1])
	nn.ClassMap(cm, out.Data, classes)
	counts := make([]int, classes)
	for _, k := range cm {
		counts[k]++
	}
	return map[string]any{"shape": jsarray.ShapeToJS(out.Shape), "probs": jsarray.Float32sToJS(out.Data), "classes": jsarray.IntsToJS(cm),
		"counts": jsarray.IntsToJS(counts), "trace": traceToJS(tr)}, nil
}
