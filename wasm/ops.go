//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"syscall/js"
	"time"

	"convplay/dataset"
	"convplay/nn"
	"convplay/wasm/jsarray"
)

// worker is the state the engine keeps between requests.
type worker struct {
	model     *nn.Model
	x         []float32             // one input sample, reused by predict
	data      *dataset.Dataset      // the data set being loaded, or nil
	run       *training             // the training in progress (running or paused), or nil
	eval      *evaluation           // the evaluation in progress, or nil
	queued    bool                  // a slice of run or eval is scheduled
	chunks    []*chunkJob           // addChunk requests decoding in slices, the first one in progress (data.go)
	chunkTurn bool                  // the next slice is the chunks' (they take turns with run or eval)
	post      func(ev js.Value)     // sends events and later replies to the page
	kick      func()                // schedules the next slice (see train_slices.go)
	side      map[string]*sideModel // the lessons' side models, by name (side.go)
	why       *whyState             // the why ops' explainer, maximization and 2-D map (why.go), or nil
}

// emit sends an event, when the worker has a way to.
func (w *worker) emit(name string, fields map[string]any) {
	if w.post != nil {
		w.post(event(name, fields))
	}
}

// idle refuses work that would replace the model or the data while a
// training (running or paused) uses them.
func (w *worker) idle(what string) error {
	if w.run != nil {
		return fmt.Errorf("worker: cannot %s during training: stop it first", what)
	}
	if w.eval != nil {
		return fmt.Errorf("worker: cannot %s during an evaluation: wait for its reply", what)
	}
	return nil
}

func (w *worker) ping(js.Value) (any, error) { return "pong", nil }

func (w *worker) version(js.Value) (any, error) { return versionInfo(), nil }

// versionInfo describes the running engine: Go version, module, the
// matrix-product kernel (nn.GemmKernel: "wasm-simd" once the worker handed
// the engine its memory) and, when the build recorded it, the VCS revision.
func versionInfo() map[string]any {
	v := map[string]any{
		"kernel":   nn.GemmKernel(),
		"go":       runtime.Version(),
		"module":   "convplay",
		"version":  "(devel)",
		"revision": "",
		"platform": runtime.GOOS + "/" + runtime.GOARCH,
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v["module"] = bi.Main.Path
		if bi.Main.Version != "" {
			v["version"] = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v["revision"] = s.Value
			}
		}
	}
	return v
}

// buildModel replaces the model with one built from a spec or a preset.
// On error the previous model stays.
func (w *worker) buildModel(req js.Value) (any, error) {
	if err := w.idle("build a model"); err != nil {
		return nil, err
	}
	spec, err := specArg("buildModel", req)
	if err != nil {
		return nil, err
	}
	seed := uint64(1)
	if sv := req.Get("seed"); sv.Type() == js.TypeNumber {
		f := sv.Float()
		if f < 0 || f != float64(uint64(f)) {
			return nil, fmt.Errorf("worker: seed %v is not a non-negative integer", f)
		}
		seed = uint64(f)
	}
	m, err := nn.Build(spec, seed)
	if err != nil {
		return nil, err
	}
	w.setModel(m)
	return describeModel(m), nil
}

// setModel makes m the worker's model.
func (w *worker) setModel(m *nn.Model) {
	w.model = m
	w.x = make([]float32, m.InShape().Size())
}

// decodeSpec reads a ModelSpec given as an object or as JSON text. Unknown
// fields are errors, so a misspelt argument is not silently dropped.
func decodeSpec(spec *nn.ModelSpec, v js.Value) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(jsonText(v))))
	dec.DisallowUnknownFields()
	if err := dec.Decode(spec); err != nil {
		return fmt.Errorf("worker: invalid model spec: %v", err)
	}
	return nil
}

// describeModel lists the layers as the page shows them.
func describeModel(m *nn.Model) map[string]any {
	layers := make([]any, len(m.Layers))
	total := 0
	for i, l := range m.Layers {
		params := nn.ParamCount(l)
		total += params
		out := l.OutShape()
		shape := make([]any, len(out))
		for j, d := range out {
			shape[j] = d
		}
		spec := l.Spec()
		layers[i] = map[string]any{"name": spec.Name, "type": spec.Type, "outShape": shape, "params": params}
	}
	return map[string]any{"summary": m.Summary(), "layers": layers, "totalParams": total}
}

// predict runs one standardized sample through the model and returns its
// class probabilities and every layer's output (nn.Model.Trace).
func (w *worker) predict(req js.Value) (any, error) {
	if w.model == nil {
		return nil, errNoModel
	}
	if err := jsarray.Float32sFromJS(w.x, req.Get("pixels"), "pixels"); err != nil {
		return nil, err
	}
	tr, err := w.model.Trace(w.x)
	if err != nil {
		return nil, err
	}
	probs := tr[len(tr)-1].Output.Data
	return map[string]any{"probs": jsarray.Float32sToJS(probs), "trace": traceToJS(tr)}, nil
}

// traceToJS is a trace as predict answers it: every layer's name, type,
// output shape and output, and max pooling's choices.
func traceToJS(tr []nn.LayerTrace) []any {
	layers := make([]any, len(tr))
	for i, l := range tr {
		e := map[string]any{"name": l.Name, "type": l.Type, "shape": jsarray.ShapeToJS(l.Output.Shape), "output": jsarray.Float32sToJS(l.Output.Data)}
		if l.Choices != nil {
			e["choices"] = jsarray.Int32sToJS(l.Choices)
		}
		layers[i] = e
	}
	return layers
}

var errNoModel = fmt.Errorf("worker: no model: send buildModel first")

// getFilters returns a layer's kernel and bias, in Keras's shapes.
func (w *worker) getFilters(req js.Value) (any, error) {
	if w.model == nil {
		return nil, errNoModel
	}
	li, err := w.layerArg(req)
	if err != nil {
		return nil, err
	}
	l := w.model.Layers[li]
	spec := l.Spec()
	res := map[string]any{"name": spec.Name, "type": spec.Type, "index": li, "kernel": nil, "kernelShape": nil, "bias": nil, "biasShape": nil}
	if len(l.Params()) == 0 {
		return nil, fmt.Errorf("worker: layer %d (%s) has no weights", li, spec.Name)
	}
	for _, p := range l.Params() {
		res[p.Name] = jsarray.Float32sToJS(p.W)
		res[p.Name+"Shape"] = jsarray.ShapeToJS(p.Shape)
	}
	return res, nil
}

// debugPanic panics on purpose, so tests can check that the recover in
// handle turns a panic into an error reply and the worker survives.
func (w *worker) debugPanic(req js.Value) (any, error) {
	msg := "debugPanic"
	if m := req.Get("message"); m.Type() == js.TypeString {
		msg = m.String()
	}
	panic(msg)
}

// debugExit ends the Go program with the given exit code (default 3), so
// tests can check that the page notices a dead engine. It never replies.
func (w *worker) debugExit(req js.Value) (any, error) {
	code := 3
	if c := req.Get("code"); c.Type() == js.TypeNumber {
		code = c.Int()
	}
	os.Exit(code)
	return nil, nil
}

// maxStall is the longest debugStall.
const maxStall = time.Minute

// debugStall keeps the worker busy for ms milliseconds without returning
// to its event loop, as a long synchronous op does on a slow or loaded
// machine: no alive events meanwhile, but the worker lives (and holds its
// lock), so tests can check the page does not take it for a dead one.
func (w *worker) debugStall(req js.Value) (any, error) {
	ms, err := argInt(req, "ms", 0, 0)
	if err != nil {
		return nil, err
	}
	d := time.Duration(ms) * time.Millisecond
	if d > maxStall {
		return nil, fmt.Errorf("worker: ms %d must be at most %d", ms, maxStall.Milliseconds())
	}
	for start := time.Now(); time.Since(start) < d; {
		// busy on purpose: a sleep would hand the event loop back
	}
	return map[string]any{"ms": ms}, nil
}

// specArg reads an op's model: {spec} (an nn.ModelSpec) or {preset} (a
// built-in spec's name), exactly one of them.
func specArg(op string, req js.Value) (nn.ModelSpec, error) {
	var spec nn.ModelSpec
	switch s, p := req.Get("spec"), req.Get("preset"); {
	case s.Truthy() && p.Truthy():
		return spec, fmt.Errorf("worker: %s takes a spec or a preset, not both", op)
	case p.Truthy():
		if p.Type() != js.TypeString {
			return spec, fmt.Errorf("worker: preset must be a name")
		}
		return nn.Preset(p.String())
	case s.Truthy():
		err := decodeSpec(&spec, s)
		return spec, err
	default:
		return spec, fmt.Errorf("worker: %s needs a spec or a preset", op)
	}
}

// layerArg reads the request's layer of the model: an index or a name.
func (w *worker) layerArg(req js.Value) (int, error) {
	switch v := req.Get("layer"); v.Type() {
	case js.TypeNumber:
		n, err := argInt(req, "layer", 0, 0)
		if err != nil {
			return 0, err
		}
		if n >= len(w.model.Layers) {
			return 0, fmt.Errorf("worker: layer %d does not exist: the model has layers 0 to %d", n, len(w.model.Layers)-1)
		}
		return n, nil
	case js.TypeString:
		for i, l := range w.model.Layers {
			if l.Spec().Name == v.String() {
				return i, nil
			}
		}
		return 0, fmt.Errorf("worker: no layer named %q", v.String())
	}
	return 0, fmt.Errorf("worker: layer must be a layer's index or name")
}
