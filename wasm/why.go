//go:build js && wasm

package main

import (
	"fmt"
	"math"
	"syscall/js"

	"convplay/nn"
	"convplay/wasm/jsarray"
)

// The "why did it say that?" ops: saliency, gradCam, fgsm and occlusion
// with a mask answer at once; occlusion with a sliding patch, maximize and
// embedding run in slices and reply later (why_slices.go,
// why_maximize.go, why_embedding.go). Every number is nn's (why*.go): the
// page only draws.
// Each request carries the input (pixels, as predict's); class defaults to
// the class the model predicts for it.

// whyState is what the why ops keep between requests: the Explainer of the
// current model (rebuilt when the model is replaced), the activation
// maximization in progress and the cached 2-D map.
type whyState struct {
	e      *nn.Explainer
	climb  *climb     // the maximization in progress, or nil
	occl   *occlusion // the occlusion map in progress, or nil
	embed  *embedding // the 2-D map being computed or cached, or nil
	kick   func()     // schedules the next slice of climb or embed
	queued bool       // a slice is scheduled
}

// explainer returns the Explainer of the current model.
func (w *worker) explainer() (*nn.Explainer, error) {
	if w.model == nil {
		return nil, errNoModel
	}
	if w.why == nil {
		w.why = &whyState{}
	}
	if w.why.e == nil || w.why.e.Model() != w.model {
		e, err := nn.NewExplainer(w.model)
		if err != nil {
			return nil, err
		}
		w.why.e = e
	}
	return w.why.e, nil
}

// whyInput reads the request's pixels and class (default nn.Predicted).
func (w *worker) whyInput(req js.Value) (e *nn.Explainer, x []float32, class int, err error) {
	if e, err = w.explainer(); err != nil {
		return nil, nil, 0, err
	}
	if x, err = w.explainPixels(req); err != nil {
		return nil, nil, 0, err
	}
	if missing(req.Get("class")) {
		return e, x, nn.Predicted, nil
	}
	if class, err = argInt(req, "class", 0, 0); err != nil {
		return nil, nil, 0, err
	}
	if class >= e.Classes() {
		return nil, nil, 0, fmt.Errorf("worker: class %d does not exist: the model has classes 0 to %d", class, e.Classes()-1)
	}
	return e, x, class, nil
}

// argmax is the first index of the largest value.
func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// argNumber reads a finite number.
func argNumber(req js.Value, name string, def float64) (float64, error) {
	v := req.Get(name)
	if missing(v) {
		return def, nil
	}
	if v.Type() != js.TypeNumber || math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0) {
		return 0, fmt.Errorf("worker: %s must be a finite number", name)
	}
	return v.Float(), nil
}

// pixelRange is the model-unit values of the darkest and the brightest
// pixel of the loaded data set ((0 - mean)/std and (255 - mean)/std), or
// 0, 0 (no bound) without one.
func (w *worker) pixelRange() (lo, hi float32) {
	if w.data == nil {
		return 0, 0
	}
	m := w.data.Manifest
	return float32(-m.Mean / m.Std), float32((255 - m.Mean) / m.Std)
}

// fillArg reads an occlusion fill: a number in model units, or "mean"
// (0: the data set's mean pixel, grey), "black" or "white" (the darkest
// or brightest pixel of the loaded data set).
func (w *worker) fillArg(req js.Value) (float32, error) {
	v := req.Get("fill")
	if v.Type() == js.TypeString {
		lo, hi := w.pixelRange()
		switch v.String() {
		case "mean":
			return 0, nil
		case "black", "white":
			if w.data == nil {
				return 0, fmt.Errorf("worker: fill %q needs a data set: send loadDataset first, or give a number", v.String())
			}
			if v.String() == "black" {
				return lo, nil
			}
			return hi, nil
		}
		return 0, fmt.Errorf("worker: fill %q: want a number, mean, black or white", v.String())
	}
	f, err := argNumber(req, "fill", 0)
	return float32(f), err
}

func (w *worker) whyHead(e *nn.Explainer, class int) map[string]any {
	return map[string]any{"class": class, "scoresAreLogits": e.ScoresAreLogits()}
}

// saliency: {pixels, [class]} -> the gradient of the class score with
// respect to the input, and Gradient x Input.
func (w *worker) saliency(req js.Value) (any, error) {
	e, x, class, err := w.whyInput(req)
	if err != nil {
		return nil, err
	}
	s, err := e.Saliency(x, class)
	if err != nil {
		return nil, err
	}
	res := w.whyHead(e, s.Class)
	res["score"], res["probs"] = s.Score, jsarray.Float32sToJS(s.Out)
	res["shape"] = jsarray.ShapeToJS(w.model.InShape())
	res["grad"], res["gradTimesInput"] = jsarray.Float32sToJS(s.Grad), jsarray.Float32sToJS(s.GradTimesInput)
	return res, nil
}

// gradCam: {pixels, [class], [layer]} -> Grad-CAM at layer (default the
// last Conv2D).
func (w *worker) gradCam(req js.Value) (any, error) {
	e, x, class, err := w.whyInput(req)
	if err != nil {
		return nil, err
	}
	li := -1
	if !missing(req.Get("layer")) {
		if li, err = w.layerArg(req); err != nil {
			return nil, err
		}
	}
	gc, err := e.GradCAM(x, class, li)
	if err != nil {
		return nil, err
	}
	res := w.whyHead(e, gc.Class)
	res["layer"], res["name"], res["score"], res["shape"] = gc.Layer, gc.Name, gc.Score, jsarray.ShapeToJS(gc.Shape)
	res["weights"], res["map"], res["upsampled"] = jsarray.Float32sToJS(gc.Weights), jsarray.Float32sToJS(gc.Map), jsarray.Float32sToJS(gc.Upsampled)
	res["height"], res["width"] = gc.InShape[0], gc.InShape[1]
	return res, nil
}

// occlusion: {pixels, [class], [patch], [stride], [fill]} -> the class's
// output with a patch at every position, computed in slices (169 forward
// passes of the reference model for a 4x4 patch, stride 2) and replied
// later (why_slices.go); with {mask} (Float32Array, H*W values in [0, 1])
// instead, the output with the painted mask, at once.
func (w *worker) occlusion(req js.Value) (any, error) {
	e, x, class, err := w.whyInput(req)
	if err != nil {
		return nil, err
	}
	fill, err := w.fillArg(req)
	if err != nil {
		return nil, err
	}
	res := w.whyHead(e, class)
	res["fill"] = fill
	if mv := req.Get("mask"); !missing(mv) {
		in := w.model.InShape()
		if len(in) != 3 {
			return nil, fmt.Errorf("worker: a mask needs an image model, this one takes %v", in)
		}
		mask := make([]float32, in[0]*in[1])
		if err := jsarray.Float32sFromJS(mask, mv, "mask"); err != nil {
			return nil, err
		}
		r, err := e.Mask(x, mask, fill, class)
		if err != nil {
			return nil, err
		}
		res["class"], res["prob"], res["maskedProb"] = r.Class, r.Prob, r.MaskedProb
		res["probs"], res["probsBefore"], res["input"] = jsarray.Float32sToJS(r.Out), jsarray.Float32sToJS(r.Before), jsarray.Float32sToJS(r.Input)
		return res, nil
	}
	var cfg nn.OcclusionConfig
	if cfg.Patch, err = argInt(req, "patch", 4, 1); err != nil {
		return nil, err
	}
	if cfg.Stride, err = argInt(req, "stride", 2, 1); err != nil {
		return nil, err
	}
	cfg.Fill = fill
	oc, err := e.NewOccluder(x, class, cfg)
	if err != nil {
		return nil, err
	}
	if o := w.why.occl; o != nil {
		w.replyLater(o.id, nil, fmt.Errorf("worker: a newer occlusion request replaced this one"))
	}
	w.why.occl = &occlusion{id: req.Get("id"), model: w.model, oc: oc, head: res}
	w.why.schedule(w.whySlice)
	return later{}, nil
}

// fgsm: {pixels, epsilon, [target], [label], [steps], [stepSize],
// [stopWhenFooled], [clamp]} -> the adversarial input and its perturbation.
func (w *worker) fgsm(req js.Value) (any, error) {
	e, err := w.explainer()
	if err != nil {
		return nil, err
	}
	x, err := w.explainPixels(req)
	if err != nil {
		return nil, err
	}
	if missing(req.Get("epsilon")) {
		return nil, fmt.Errorf("worker: fgsm needs epsilon, the largest change of a value in model units")
	}
	var cfg nn.AttackConfig
	for _, a := range []struct {
		name string
		dst  *float32
	}{{"epsilon", &cfg.Epsilon}, {"stepSize", &cfg.StepSize}} {
		f, err := argNumber(req, a.name, 0)
		if err != nil {
			return nil, err
		}
		*a.dst = float32(f)
	}
	for _, a := range []struct {
		name    string
		def, lo int
		dst     *int
	}{{"target", -1, -1, &cfg.Target}, {"label", -1, -1, &cfg.Label}, {"steps", 1, 1, &cfg.Steps}} {
		if *a.dst, err = argInt(req, a.name, a.def, a.lo); err != nil {
			return nil, err
		}
	}
	if cfg.StopWhenFooled, err = argBool(req, "stopWhenFooled", false); err != nil {
		return nil, err
	}
	clamp, err := argBool(req, "clamp", true)
	if err != nil {
		return nil, err
	}
	if clamp {
		cfg.Lo, cfg.Hi = w.pixelRange()
	}
	a, err := e.FGSM(x, cfg)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"epsilon": cfg.Epsilon, "target": a.Target, "label": a.Label, "steps": a.Steps,
		"classBefore": a.ClassBefore, "classAfter": a.ClassAfter,
		"probsBefore": jsarray.Float32sToJS(a.Before), "probsAfter": jsarray.Float32sToJS(a.After),
		"adversarial": jsarray.Float32sToJS(a.Adversarial), "perturbation": jsarray.Float32sToJS(a.Perturbation),
		"loss": jsarray.Float32sToJS(a.Loss), "lo": cfg.Lo, "hi": cfg.Hi,
	}, nil
}
