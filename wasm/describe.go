//go:build js && wasm

package main

import (
	"syscall/js"

	"convplay/nn"
	"convplay/wasm/jsarray"
)

// describeLayers answers with nn.Describe of the current model: per layer
// its shapes, configuration, the terms of its output-size and parameter
// formulas, its multiply-adds and its shares, for the page's network,
// shapes and dense lessons.
func (w *worker) describeLayers(js.Value) (any, error) {
	if w.model == nil {
		return nil, errNoModel
	}
	return modelInfoJS(nn.Describe(w.model)), nil
}

// modelInfoJS is nn.ModelInfo as describeLayers and describeSpec answer it.
func modelInfoJS(info nn.ModelInfo) map[string]any {
	layers := make([]any, len(info.Layers))
	for i, l := range info.Layers {
		layers[i] = layerInfoJS(l)
	}
	groups := make([]any, len(info.Groups))
	for i, g := range info.Groups {
		groups[i] = map[string]any{
			"kind": g.Kind, "layers": g.Layers, "params": g.Params, "macs": g.MACs,
			"paramShare": g.ParamShare, "macShare": g.MACShare,
		}
	}
	return map[string]any{
		"groups":      groups,
		"input":       jsarray.ShapeToJS(info.Input),
		"layers":      layers,
		"totalParams": info.TotalParams,
		"totalMacs":   info.TotalMACs,
	}
}

func layerInfoJS(l nn.LayerInfo) map[string]any {
	m := map[string]any{
		"index": l.Index, "name": l.Name, "type": l.Type,
		"inShape": jsarray.ShapeToJS(l.InShape), "outShape": jsarray.ShapeToJS(l.OutShape),
		"activation": l.Activation, "kernel": l.Kernel, "filters": l.Filters,
		"strides": l.Strides, "padding": l.Padding, "poolSize": l.PoolSize, "units": l.Units,
		"params": l.Params, "paramsCum": l.ParamsCum, "paramShare": l.ParamShare,
		"macs": l.MACs, "macShare": l.MACShare,
		"area": l.Area, "channels": l.Channels, "values": l.Values,
		"size": nil, "count": nil,
	}
	if l.Size != nil {
		m["size"] = sizeTermsJS(l.Size)
	}
	if c := l.Count; c != nil {
		m["count"] = map[string]any{
			"kh": c.KH, "kw": c.KW, "cin": c.CIn, "cout": c.COut, "bias": c.Bias,
			"weights": c.Weights, "biases": c.Biases,
		}
	}
	return m
}

func sizeTermsJS(t *nn.SizeTerms) map[string]any {
	m := map[string]any{
		"transposed": t.Transposed, "n": t.N, "k": t.K, "s": t.S,
		"padBefore": t.PadBefore, "padAfter": t.PadAfter, "padTotal": t.PadTotal,
		"quotient": t.Quotient, "out": t.Out, "width": nil,
	}
	if t.SizeW != nil {
		m["width"] = sizeTermsJS(t.SizeW)
	}
	return m
}

// scores runs one standardized input through the model and answers with
// the last layer's pre-activation values (logits: for a softmax output the
// class scores softmax turns into probabilities), its output (probs) and
// the activation's name ("" for a last layer without one).
func (w *worker) scores(req js.Value) (any, error) {
	if w.model == nil {
		return nil, errNoModel
	}
	if err := jsarray.Float32sFromJS(w.x, req.Get("pixels"), "pixels"); err != nil {
		return nil, err
	}
	logits, out, act, err := w.model.Scores(w.x)
	if err != nil {
		return nil, err
	}
	last := w.model.Layers[len(w.model.Layers)-1].Spec()
	return map[string]any{
		"layer": last.Name, "activation": act,
		"logits": jsarray.Float32sToJS(logits), "probs": jsarray.Float32sToJS(out),
	}, nil
}
