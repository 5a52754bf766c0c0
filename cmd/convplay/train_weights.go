package main

import (
	"fmt"

	"convplay/nn"
)

// model is the model train starts from: -arch's built with fresh weights
// from -seed, or with -weights that file's model (its architecture and
// weights). A model from -weights that expects pixels/255 or raw pixels,
// or outputs logits, is made to take the standardized inputs train feeds
// and to output probabilities (forStandardized), and the checkpoints hold
// it so; -arch then names the file in the messages.
func (f *trainFlags) model() (*nn.Model, error) {
	if f.weights == "" {
		return buildArch(f.arch, f.seed)
	}
	if f.arch != "seed" { // the default
		return nil, fmt.Errorf("-arch %s and -weights %s: give one (the file holds its architecture)", f.arch, f.weights)
	}
	m, err := loadModel(f.weights, "")
	if err != nil {
		return nil, err
	}
	man, err := readManifest(f.data)
	if err != nil {
		return nil, err
	}
	f.arch = f.weights
	return forStandardized(m, man.Mean, man.Std, true)
}
