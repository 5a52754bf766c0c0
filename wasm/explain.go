//go:build js && wasm

package main

import (
	"fmt"
	"math"
	"syscall/js"

	"convplay/nn"
	"convplay/wasm/jsarray"
)

// The explaining ops: the numbers of the page's convolution step-through,
// size sandbox, pooling lesson, shift experiment and transposed-convolution
// note, each computed by nn (explain.go) on the input the page sends
// (pixels, as predict's). They keep no state: the page sends its current
// input with each request.

// explainPixels reads the request's pixels, one standardized model input.
func (w *worker) explainPixels(req js.Value) ([]float32, error) {
	if w.model == nil {
		return nil, errNoModel
	}
	x := make([]float32, w.model.InShape().Size())
	if err := jsarray.Float32sFromJS(x, req.Get("pixels"), "pixels"); err != nil {
		return nil, err
	}
	return x, nil
}

func boolsToJS(b []bool) []any {
	out := make([]any, len(b))
	for i, v := range b {
		out[i] = v
	}
	return out
}

// convWindow explains one output element of a Conv2D layer:
// {pixels, layer, y, x, filter}.
func (w *worker) convWindow(req js.Value) (any, error) {
	x, err := w.explainPixels(req)
	if err != nil {
		return nil, err
	}
	li, err := w.layerArg(req)
	if err != nil {
		return nil, err
	}
	var pos [3]int
	for i, name := range []string{"y", "x", "filter"} {
		if pos[i], err = argInt(req, name, 0, 0); err != nil {
			return nil, err
		}
	}
	st, err := w.model.ExplainConv(x, li, pos[0], pos[1], pos[2])
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"layer": li, "name": w.model.Layers[li].Spec().Name,
		"inShape": jsarray.ShapeToJS(st.InShape), "outShape": jsarray.ShapeToJS(st.OutShape),
		"y": st.Y, "x": st.X, "filter": st.Filter, "k": st.K, "stride": st.S,
		"padTop": st.PadTop, "padLeft": st.PadLeft, "padBottom": st.PadBottom, "padRight": st.PadRight, "top": st.Top, "left": st.Left,
		"window": jsarray.Float32sToJS(st.Window), "kernel": jsarray.Float32sToJS(st.Kernel), "products": jsarray.Float32sToJS(st.Products),
		"inside": boolsToJS(st.Inside), "channelSums": jsarray.Float32sToJS(st.ChannelSums),
		"sum": st.Sum, "bias": st.Bias, "preActivation": st.PreActivation,
		"activation": st.Activation, "activated": st.Activated, "output": st.Output,
	}, nil
}

// convSizeLimit bounds the sandbox's numbers (a window list of that length).
const convSizeLimit = 1000

// convSize is the output-size arithmetic of one axis: {n, k, s, padding, p}.
// An impossible geometry is an answer, not an error: {valid: false,
// problem, message}, problem one of nn.ConvSizeError's codes.
func (w *worker) convSize(req js.Value) (any, error) {
	var v [4]int
	for i, name := range []string{"n", "k", "s", "p"} {
		if missing(req.Get(name)) && name != "p" {
			return nil, fmt.Errorf("worker: convSize needs %s", name)
		}
		n, err := argInt(req, name, 0, math.MinInt32)
		if err != nil {
			return nil, err
		}
		if n > convSizeLimit {
			return nil, fmt.Errorf("worker: %s %d is larger than %d", name, n, convSizeLimit)
		}
		v[i] = n
	}
	padding, err := argString(req, "padding", "valid")
	if err != nil {
		return nil, err
	}
	g, err := nn.ConvSize(v[0], v[1], v[2], padding, v[3])
	res := map[string]any{"n": v[0], "k": v[1], "s": v[2], "padding": padding, "p": v[3]}
	if err != nil {
		ce, ok := err.(*nn.ConvSizeError)
		if !ok {
			return nil, err
		}
		res["valid"], res["problem"], res["message"] = false, ce.Code, ce.Error()
		return res, nil
	}
	res["valid"] = true
	res["out"], res["padBefore"], res["padAfter"] = g.Out, g.PadBefore, g.PadAfter
	res["padded"], res["numerator"] = g.N+g.PadBefore+g.PadAfter, g.Numerator
	res["starts"], res["unused"], res["uncovered"] = jsarray.IntsToJS(g.Starts), g.Unused, g.Uncovered
	return res, nil
}

// poolCompare pools a MaxPooling2D layer's input both ways: {pixels, layer}.
func (w *worker) poolCompare(req js.Value) (any, error) {
	x, err := w.explainPixels(req)
	if err != nil {
		return nil, err
	}
	li, err := w.layerArg(req)
	if err != nil {
		return nil, err
	}
	pc, err := w.model.ComparePooling(x, li)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"layer": li, "name": w.model.Layers[li].Spec().Name,
		"inShape": jsarray.ShapeToJS(pc.InShape), "outShape": jsarray.ShapeToJS(pc.OutShape),
		"poolSize": pc.PoolSize, "stride": pc.S, "padding": pc.Padding,
		"input": jsarray.Float32sToJS(pc.In), "max": jsarray.Float32sToJS(pc.Max), "avg": jsarray.Float32sToJS(pc.Avg),
		"choices": jsarray.Int32sToJS(pc.Choices), "dropped": pc.Dropped, "uncovered": pc.Uncovered,
		"padTop": pc.PadTop, "padLeft": pc.PadLeft, "padBottom": pc.PadBottom, "padRight": pc.PadRight,
		"windows": jsarray.Int32sToJS(pc.Windows),
	}, nil
}

// shiftCompare traces the input and the input shifted by {dx, dy} pixels
// and gives each layer's change.
func (w *worker) shiftCompare(req js.Value) (any, error) {
	x, err := w.explainPixels(req)
	if err != nil {
		return nil, err
	}
	in := w.model.InShape()
	if len(in) != 3 {
		return nil, fmt.Errorf("worker: shiftCompare needs an image model, this one takes %v", in)
	}
	var d [2]int
	for i, name := range []string{"dx", "dy"} {
		if d[i], err = argInt(req, name, 0, math.MinInt32); err != nil {
			return nil, err
		}
		if lim := in[1-i]; d[i] < -lim || d[i] > lim {
			return nil, fmt.Errorf("worker: %s %d is outside -%d to %d", name, d[i], lim, lim)
		}
	}
	changes, before, after, shifted, err := w.model.ShiftChange(x, d[0], d[1])
	if err != nil {
		return nil, err
	}
	layers := make([]any, len(changes))
	for i, c := range changes {
		layers[i] = map[string]any{"name": c.Name, "type": c.Type, "shape": jsarray.ShapeToJS(c.Shape), "change": c.Change}
	}
	return map[string]any{"dx": d[0], "dy": d[1], "layers": layers, "probsBefore": jsarray.Float32sToJS(before), "probsAfter": jsarray.Float32sToJS(after), "shifted": jsarray.Float32sToJS(shifted)}, nil
}

// The fixed kernels of transposeDemo: "copy" stamps each cell onto a 2x2
// block (kernel 2, stride 2, valid); "blend" stamps a 3x3 tent (the outer
// product of [0.5, 1, 0.5]) at stride 2 with same padding, so neighbouring
// stamps overlap and the map grows smoothly.
var upsampleKernels = []struct {
	kind    string
	k, s    int
	padding string
	kernel  []float32
}{
	{"copy", 2, 2, "valid", []float32{1, 1, 1, 1}},
	{"blend", 3, 2, "same", []float32{0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25}},
}

// transposeDemo grows one channel of a layer's feature map back with the
// engine's Conv2DTranspose, steps times (default 1, at most 3), with each
// fixed kernel: {pixels, layer, channel, steps}.
func (w *worker) transposeDemo(req js.Value) (any, error) {
	x, err := w.explainPixels(req)
	if err != nil {
		return nil, err
	}
	li, err := w.layerArg(req)
	if err != nil {
		return nil, err
	}
	shape := w.model.Layers[li].OutShape()
	if len(shape) != 3 {
		return nil, fmt.Errorf("worker: layer %d (%s) gives a vector %v, not feature maps", li, w.model.Layers[li].Spec().Name, shape)
	}
	ch, err := argInt(req, "channel", 0, 0)
	if err != nil {
		return nil, err
	}
	if ch >= shape[2] {
		return nil, fmt.Errorf("worker: channel %d does not exist: layer %d has channels 0 to %d", ch, li, shape[2]-1)
	}
	steps, err := argInt(req, "steps", 1, 1)
	if err != nil {
		return nil, err
	}
	if steps > 3 {
		return nil, fmt.Errorf("worker: steps %d: at most 3", steps)
	}
	tr, err := w.model.Trace(x)
	if err != nil {
		return nil, err
	}
	h, wd, c := shape[0], shape[1], shape[2]
	m := make([]float32, h*wd)
	for i := range m {
		m[i] = tr[li].Output.Data[i*c+ch]
	}
	kinds := make([]any, len(upsampleKernels))
	for i, uk := range upsampleKernels {
		stages := make([]any, 0, steps)
		cur, ch, cw := m, h, wd
		for range steps {
			out, s, err := nn.Upsample(cur, ch, cw, uk.kernel, uk.k, uk.s, uk.padding)
			if err != nil {
				return nil, err
			}
			stages = append(stages, map[string]any{"map": jsarray.Float32sToJS(out), "shape": jsarray.ShapeToJS(s)})
			cur, ch, cw = out, s[0], s[1]
		}
		kinds[i] = map[string]any{"kind": uk.kind, "k": uk.k, "stride": uk.s, "padding": uk.padding, "kernel": jsarray.Float32sToJS(uk.kernel), "stages": stages}
	}
	return map[string]any{
		"layer": li, "name": w.model.Layers[li].Spec().Name, "shape": jsarray.ShapeToJS(shape), "channel": ch,
		"map": jsarray.Float32sToJS(m), "kinds": kinds,
	}, nil
}
