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

	"convplay/nn"
)

// worker is the state the engine keeps between requests.
type worker struct {
	model *nn.Model
	x     []float32 // one input sample, reused by predict
}

func (w *worker) ping(js.Value) (any, error) { return "pong", nil }

func (w *worker) version(js.Value) (any, error) { return versionInfo(), nil }

// versionInfo describes the running engine: Go version, module and, when
// the build recorded it, the VCS revision.
func versionInfo() map[string]any {
	v := map[string]any{
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
	var spec nn.ModelSpec
	switch s, p := req.Get("spec"), req.Get("preset"); {
	case s.Truthy() && p.Truthy():
		return nil, fmt.Errorf("worker: buildModel takes a spec or a preset, not both")
	case p.Truthy():
		if p.Type() != js.TypeString {
			return nil, fmt.Errorf("worker: preset must be a name")
		}
		var err error
		if spec, err = nn.Preset(p.String()); err != nil {
			return nil, err
		}
	case s.Truthy():
		if err := decodeSpec(&spec, s); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("worker: buildModel needs a spec or a preset")
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
	w.model = m
	w.x = make([]float32, m.InShape().Size())
	return describeModel(m), nil
}

// decodeSpec reads a ModelSpec given as an object or as JSON text. Unknown
// fields are errors, so a misspelt argument is not silently dropped.
func decodeSpec(spec *nn.ModelSpec, v js.Value) error {
	text := v
	if v.Type() != js.TypeString {
		text = js.Global().Get("JSON").Call("stringify", v)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(text.String())))
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
		params := 0
		for _, p := range l.Params() {
			params += len(p.W)
		}
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

// predict runs one standardized sample through the model.
func (w *worker) predict(req js.Value) (any, error) {
	if w.model == nil {
		return nil, fmt.Errorf("worker: no model: send buildModel first")
	}
	if err := float32sFromJS(w.x, req.Get("pixels"), "pixels"); err != nil {
		return nil, err
	}
	probs := w.model.Forward(w.x, 1, false)
	return map[string]any{"probs": float32sToJS(probs)}, nil
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
