//go:build js && wasm

package main

import (
	"syscall/js"

	"convplay/nn"
)

// describeSpec answers as describeLayers, for a spec (or preset) that is
// not the current model: the shapes lesson's "type a layer" box and the
// dense-against-convolution lesson compare models the student has not
// built. The spec is checked first with the editor's weight bound, so a
// typed-in layer cannot allocate more than checkSpec would; the model it
// builds is dropped, and the worker's model stays.
func (w *worker) describeSpec(req js.Value) (any, error) {
	spec, err := specArg("describeSpec", req)
	if err != nil {
		return nil, err
	}
	if _, err := nn.CheckSpec(spec, maxLayerWeights); err != nil {
		return nil, err
	}
	m, err := nn.Build(spec, 1)
	if err != nil {
		return nil, err
	}
	return modelInfoJS(nn.Describe(m)), nil
}
