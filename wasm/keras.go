//go:build js && wasm

package main

import (
	"bytes"
	"fmt"
	"syscall/js"

	"convplay/dataset"
	"convplay/keras"
	"convplay/nn"
	"convplay/wasm/jsarray"
)

// A Keras model file (.h5, .keras) holds its architecture and weights, read
// by package keras in the formats module (wasm/formats, fetched only when a
// student drops such a file: worker.js converts the file before the request
// reaches this engine, which gets the file's model as .cpw bytes, model,
// and what the file is, keras), but not always what its input is: pixels/255, pixels
// standardized with the data set's mean and std, or raw 0-255 pixels. The
// page asks once (loadKeras without input answers needsInput), can try each
// answer on test images (kerasAccuracy), then loads the file with the
// answer. The worker feeds standardized inputs everywhere (training data,
// drawings, the explaining ops), so the model it keeps is the file's
// wrapped by keras.ForStandardized, as the command line does: a first
// Rescaling layer, input_scaling, when the model expects /255 or raw
// pixels (it records the answer, so a .cpw of the model loads as it is),
// and a last softmax, softmax_of_logits, when it outputs logits.

// maxKerasCheck bounds the test images kerasAccuracy evaluates on.
const maxKerasCheck = 10000

// readKerasFor reads the request's converted Keras file and makes it the model the
// worker would keep for the input answer (nn.Standardized when the file
// does not say and no answer is given), checked against the data set.
// answer is the file's own (nn.Raw, a Rescaling first) or the request's,
// and answered reports whether either said.
func (w *worker) readKerasFor(req js.Value) (m *nn.Model, info *keras.Info, answer nn.InputScaling, answered bool, err error) {
	if req.Get("keras").Type() != js.TypeObject {
		return nil, nil, "", false, fmt.Errorf("worker: a Keras file reaches the engine converted (model and keras, from worker.js's formats module)")
	}
	b, err := jsarray.BytesFromJS(req.Get("model"), "model")
	if err != nil {
		return nil, nil, "", false, err
	}
	info = kerasInfoFromJS(req.Get("keras"))
	input, err := argString(req, "input", "")
	if err != nil {
		return nil, nil, "", false, err
	}
	if w.data == nil {
		return nil, nil, "", false, fmt.Errorf("worker: no data set: send loadDataset before a Keras file, whose inputs are the data set's images")
	}
	if m, err = nn.Load(bytes.NewReader(b)); err != nil {
		return nil, nil, "", false, err
	}
	answered = info.ScalingKnown || input != ""
	if !info.ScalingKnown && input != "" {
		s, err := nn.ParseInputScaling(input)
		if err != nil {
			return nil, nil, "", false, fmt.Errorf("worker: input: %w", err)
		}
		m.Spec.InputScaling = s
	}
	answer = m.Spec.InputScaling
	man := w.data.Manifest
	if m, err = keras.ForStandardized(m, man.Mean, man.Std, true); err != nil {
		return nil, nil, "", false, err
	}
	if err := w.fits(m); err != nil {
		return nil, nil, "", false, err
	}
	return m, info, answer, answered, nil
}

// kerasInfoFromJS reads what the formats module said of the file
// (readKeras's keras).
func kerasInfoFromJS(v js.Value) *keras.Info {
	str := func(name string) string {
		if f := v.Get(name); f.Type() == js.TypeString {
			return f.String()
		}
		return ""
	}
	info := &keras.Info{Format: str("format"), KerasVersion: str("kerasVersion"),
		Logits: v.Get("logits").Truthy(), ScalingKnown: v.Get("scalingKnown").Truthy()}
	if s := v.Get("skipped"); s.Type() == js.TypeObject {
		for i := range s.Length() {
			info.Skipped = append(info.Skipped, s.Index(i).String())
		}
	}
	return info
}

// kerasInfoJS is what the page is told about the file.
func kerasInfoJS(info *keras.Info, answer nn.InputScaling, answered bool) map[string]any {
	input := any(nil)
	if answered {
		input = scalingArg(answer)
	}
	return map[string]any{
		"format": info.Format, "kerasVersion": info.KerasVersion,
		"logits": info.Logits, "scalingKnown": info.ScalingKnown, "input": input,
		"skipped": stringsJS(info.Skipped),
	}
}

// loadKeras reads a Keras model file. When the file says what its input is
// (a Rescaling layer first) or input answers it, the model replaces the
// current one, once checked completely against the data set; the result is
// the model (as buildModel's) and keras, what the file is. Otherwise the
// file is checked the same way and the result is {needsInput: true,
// keras}: the model stays until the page sends the answer. On any error
// the model stays.
func (w *worker) loadKeras(req js.Value) (any, error) {
	if err := w.idle("load a model"); err != nil {
		return nil, err
	}
	m, info, answer, answered, err := w.readKerasFor(req)
	if err != nil {
		return nil, err
	}
	if !answered {
		return map[string]any{"needsInput": true, "keras": kerasInfoJS(info, answer, false)}, nil
	}
	w.setModel(m)
	res := describeModel(m)
	res["keras"] = kerasInfoJS(info, answer, true)
	return res, nil
}

// kerasAccuracy evaluates a Keras file's model, with one input answer, on
// the first samples test images (default 1,000), to check the answer: the
// right one gives the model's accuracy, a wrong one usually far less. The
// current model stays. It runs as evaluate does, in slices (evaluate.go),
// so the worker answers other requests meanwhile; the reply, when done, is
// evaluate's result for those samples (no dedup figures).
func (w *worker) kerasAccuracy(req js.Value) (any, error) {
	if err := w.idle("check a model"); err != nil {
		return nil, err
	}
	if req.Get("input").IsUndefined() {
		return nil, fmt.Errorf("worker: input must be standardized, unit or raw")
	}
	n, err := argInt(req, "samples", 1000, 1)
	if err != nil {
		return nil, err
	}
	m, _, _, _, err := w.readKerasFor(req)
	if err != nil {
		return nil, err
	}
	s, err := w.split(dataset.Test)
	if err != nil {
		return nil, err
	}
	if err := compileForEvaluation(m); err != nil {
		return nil, err
	}
	data := firstSamples{s, min(n, s.Len(), maxKerasCheck)}
	ev, err := m.NewEvaluator(data, 0, true)
	if err != nil {
		return nil, err
	}
	w.eval = &evaluation{id: req.Get("id"), name: dataset.Test, data: data, ev: ev, window: 1}
	w.schedule()
	return later{}, nil
}

func compileForEvaluation(m *nn.Model) error {
	opt, err := nn.NewOptimizer(nn.OptimizerSpec{Name: "sgd"})
	if err != nil {
		return err
	}
	loss, err := nn.ParseLoss("sparse_categorical_crossentropy")
	if err != nil {
		return err
	}
	return m.Compile(opt, loss)
}

// firstSamples is the first n samples of a data set.
type firstSamples struct {
	nn.Data
	n int
}

func (d firstSamples) Len() int { return d.n }

// scalingArg names an answer as the input argument does: standardized,
// unit or raw.
func scalingArg(s nn.InputScaling) string {
	if s == nn.Standardized {
		return "standardized"
	}
	return string(s)
}

// stringsJS is a list of strings as js.ValueOf takes it.
func stringsJS(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
