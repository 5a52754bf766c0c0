//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"syscall/js"

	"convplay/nn"
)

// maxLayerWeights bounds the weights of one layer that checkSpec will
// build (16 MB of float32): the editor's spec is typed in by hand.
const maxLayerWeights = 4 << 20

// checkSpec checks a spec (or a preset) without touching the model, for
// the architecture editor: each layer's shapes and parameter count up to
// the first invalid layer, and that layer's error in a form the page can
// explain (kind, with the numbers it needs). With classes, the last layer
// must be Dense(classes, softmax), as training with sparse categorical
// cross-entropy needs. An invalid stack is a result, not an error reply;
// a spec that is not a spec at all (unknown fields, wrong types) is one.
func (w *worker) checkSpec(req js.Value) (any, error) {
	spec, err := specArg("checkSpec", req)
	if err != nil {
		return nil, err
	}
	classes, err := argInt(req, "classes", 0, 0)
	if err != nil {
		return nil, err
	}
	checked, err := nn.CheckSpec(spec, maxLayerWeights)
	var se *nn.SpecError
	if err != nil && !errors.As(err, &se) {
		return nil, err
	}
	layers := make([]any, len(checked))
	total := 0
	for i, l := range checked {
		total += l.Params
		layers[i] = map[string]any{"name": l.Spec.Name, "type": l.Spec.Type, "inShape": shapeList(l.In),
			"outShape": shapeList(l.Out), "params": l.Params, "spec": specObject(l.Spec)}
	}
	res := map[string]any{"layers": layers, "totalParams": total, "error": nil}
	switch {
	case se != nil:
		res["error"] = specProblem(se)
	case classes > 0:
		last := checked[len(checked)-1]
		if p := outputProblem(last, len(checked)-1, classes); p != nil {
			res["error"] = p
		}
	}
	return res, nil
}

// specProblem describes an invalid layer: kind names the mistake for the
// page's explanation ("dense-needs-flatten", "needs-maps",
// "pool-too-large", "kernel-too-large", "too-large" or "invalid") and
// message is the engine's own words.
func specProblem(se *nn.SpecError) map[string]any {
	ls, in := se.Spec, se.In
	p := map[string]any{"index": se.Index, "name": ls.Name, "type": ls.Type, "inShape": shapeList(in), "message": se.Error(), "kind": "invalid"}
	spatial := ls.Type == "Conv2D" || ls.Type == "Conv2DTranspose" || ls.Type == "MaxPooling2D" || ls.Type == "AveragePooling2D"
	valid := ls.Padding == "" || ls.Padding == "valid"
	switch {
	case errors.Is(se.Err, nn.ErrTooManyWeights):
		p["kind"] = "too-large"
	case ls.Type == "Dense" && len(in) != 1:
		p["kind"] = "dense-needs-flatten"
	case spatial && len(in) != 3:
		p["kind"] = "needs-maps"
	case (ls.Type == "MaxPooling2D" || ls.Type == "AveragePooling2D") && valid:
		k := ls.PoolSize
		if k == 0 {
			k = 2
		}
		if k > in[0] || k > in[1] {
			p["kind"], p["size"] = "pool-too-large", k
		}
	case ls.Type == "Conv2D" && valid && (ls.KernelSize > in[0] || ls.KernelSize > in[1]):
		p["kind"], p["size"] = "kernel-too-large", ls.KernelSize
	}
	return p
}

// outputProblem checks that the last layer gives one probability per
// class: Dense(classes) with softmax.
func outputProblem(last nn.LayerCheck, index, classes int) map[string]any {
	p := map[string]any{"index": index, "name": last.Spec.Name, "type": last.Spec.Type, "inShape": shapeList(last.In), "size": classes}
	switch {
	case len(last.Out) != 1 || last.Out[0] != classes:
		p["kind"] = "output-size"
		p["message"] = fmt.Sprintf("the last layer (%s) gives %v, not one value per class (%d)", last.Spec.Name, last.Out, classes)
	case last.Spec.Activation != "softmax":
		p["kind"] = "output-softmax"
		p["message"] = fmt.Sprintf("the last layer (%s) has activation %q: training needs softmax probabilities", last.Spec.Name, last.Spec.Activation)
	default:
		return nil
	}
	return p
}

func shapeList(s nn.Shape) []any {
	out := make([]any, len(s))
	for i, d := range s {
		out[i] = d
	}
	return out
}

// specObject is a layer spec as the JSON object buildModel accepts.
func specObject(ls nn.LayerSpec) map[string]any {
	b, err := json.Marshal(ls)
	if err != nil {
		panic(err) // a plain struct
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}
