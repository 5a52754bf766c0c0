//go:build js && wasm

package main

import (
	"bytes"
	"fmt"
	"syscall/js"

	"convplay/keras"
	"convplay/nn"
	"convplay/wasm/jsarray"
)

// npzMagic opens every zip archive, and so every .npz file.
const npzMagic = "PK\x03\x04"

// loadWeights reads weights in convplay's format (an .npz file reaches it
// converted to .cpw by worker.js's formats module, wasm/formats). By default the weights go into the current model,
// which must have the file's architecture; with build: true a .cpw file
// replaces the model with the one it describes, once fits has checked it
// (made to take standardized inputs, as loadKeras does, when its spec says
// it expects pixels/255 or raw pixels).
// On any error the model is unchanged (nn checks the whole file, and that
// every weight is finite, before writing a weight).
func (w *worker) loadWeights(req js.Value) (any, error) {
	if err := w.idle("load weights"); err != nil {
		return nil, err
	}
	b, err := jsarray.BytesFromJS(req.Get("bytes"), "bytes")
	if err != nil {
		return nil, err
	}
	build, err := argBool(req, "build", false)
	if err != nil {
		return nil, err
	}
	isNPZ := bytes.HasPrefix(b, []byte(npzMagic))
	if build {
		if isNPZ {
			return nil, fmt.Errorf("worker: an .npz file holds weights only: build a model first, then load it without build")
		}
		m, err := nn.Load(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		if w.data != nil { // a model that expects pixels/255 or raw pixels (convplay import -input), or outputs logits
			if m, err = keras.ForStandardized(m, w.data.Manifest.Mean, w.data.Manifest.Std, true); err != nil {
				return nil, err
			}
		}
		if err := w.fits(m); err != nil {
			return nil, err
		}
		w.setModel(m)
		return describeModel(m), nil
	}
	if w.model == nil {
		return nil, fmt.Errorf("worker: no model to load the weights into: send buildModel first, or loadWeights with build: true")
	}
	if isNPZ {
		return nil, fmt.Errorf("worker: an .npz file reaches the engine converted to .cpw (worker.js's formats module)")
	}
	if err := w.model.LoadWeights(bytes.NewReader(b)); err != nil {
		return nil, err
	}
	return describeModel(w.model), nil
}

// fits checks a loaded model completely before it replaces the current
// one: against the loaded data set's image shape and classes
// (nn.ValidateFor), or, before the page sent a data set, what needs no data
// (nn.Validate: finite weights, every layer's output in bounds). The page
// sends its data set's manifest as it starts.
func (w *worker) fits(m *nn.Model) error {
	if w.data == nil {
		return nn.Validate(m)
	}
	man := w.data.Manifest
	return nn.ValidateFor(m, nn.Shape(man.Shape), len(man.Classes))
}

// exportWeights writes the model in convplay's format. The page's .npz and
// .keras downloads are made from it by worker.js's formats module
// (wasm/formats), so this engine carries no zip or Keras writer.
func (w *worker) exportWeights(req js.Value) (any, error) {
	if w.model == nil {
		return nil, errNoModel
	}
	format, err := argString(req, "format", "cpw")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	switch format {
	case "cpw":
		err = w.model.Save(&buf)
	default:
		return nil, fmt.Errorf("worker: format %q, want cpw (worker.js converts it to npz or keras)", format)
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"bytes": jsarray.BytesToJS(buf.Bytes()), "format": format, "filename": "convplay-model." + format}, nil
}
