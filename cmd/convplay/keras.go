package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"convplay/keras"
	"convplay/nn"
)

// Keras model files (.h5, .keras) hold their own architecture, read by
// package keras, and say what their input is (nn.ModelSpec.InputScaling)
// and whether they output logits.

// isKerasFile reports whether path names a Keras model file by its
// extension: .h5, .hdf5 or .keras.
func isKerasFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".h5", ".hdf5", ".keras":
		return true
	}
	return false
}

// maxKerasFile bounds the Keras files the command line reads.
const maxKerasFile = 1 << 30

// loadKeras reads a Keras model file into a model, as the file has it.
func loadKeras(path string) (*nn.Model, *keras.Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the model: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKerasFile+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the model: %w", err)
	}
	if len(data) > maxKerasFile {
		return nil, nil, fmt.Errorf("%s: larger than %d bytes", path, maxKerasFile)
	}
	m, info, err := keras.Read(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, info, nil
}

// forStandardized returns m ready for the standardized inputs (pixel -
// mean)/std that convplay's commands feed: when m expects pixels/255 or raw
// pixels (its InputScaling), a first Rescaling layer ("input_scaling")
// turns a standardized value z back into what m expects, z*std + mean or
// (z*std + mean)/255; with scaleInput false (inputs given as the model's
// own) it adds none. When m outputs logits, a last softmax
// ("softmax_of_logits") makes its outputs probabilities. m itself is
// returned when nothing is needed; otherwise a compiled copy with the same
// weights.
func forStandardized(m *nn.Model, mean, std float64, scaleInput bool) (*nn.Model, error) {
	spec := nn.ModelSpec{Input: append([]int(nil), m.Spec.Input...), InputScaling: m.Spec.InputScaling}
	scale, offset := 0.0, 0.0
	switch m.Spec.InputScaling {
	case nn.Unit:
		scale, offset = std/255, mean/255
	case nn.Raw:
		scale, offset = std, mean
	}
	if scaleInput && scale != 0 {
		spec.Layers = append(spec.Layers, nn.LayerSpec{Type: "Rescaling", Name: "input_scaling", Scale: scale, Offset: offset})
		spec.InputScaling = nn.Standardized
	}
	spec.Layers = append(spec.Layers, m.Spec.Layers...)
	if m.Spec.OutputsLogits() {
		spec.Layers = append(spec.Layers, nn.LayerSpec{Type: "Activation", Name: "softmax_of_logits", Activation: "softmax"})
	}
	if len(spec.Layers) == len(m.Spec.Layers) {
		return m, nil
	}
	out, err := nn.Build(spec, 0)
	if err != nil {
		return nil, err
	}
	dst := out.Params()
	for i, p := range m.Params() {
		copy(dst[i].W, p.W)
	}
	if err := compile(out, nn.OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy"); err != nil {
		return nil, err
	}
	return out, nil
}

// kerasSpec is the architecture of a Keras model file, for -arch: its
// layers, to be trained afresh on convplay's standardized inputs, so its
// InputScaling is Standardized whatever the file's model expected.
func kerasSpec(path string) (nn.ModelSpec, error) {
	m, _, err := loadKeras(path)
	if err != nil {
		return nn.ModelSpec{}, err
	}
	spec := m.Spec
	spec.InputScaling = nn.Standardized
	return spec, nil
}

// flagSet reports whether the flag called name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// setInputScaling records an -input answer (standardized, unit or raw) in
// m's spec; "" keeps what the model says. A model that begins with a
// Rescaling layer takes raw pixels, whatever the answer.
func setInputScaling(m *nn.Model, answer string) error {
	if answer == "" {
		return nil
	}
	s, err := nn.ParseInputScaling(answer)
	if err != nil {
		return fmt.Errorf("-input: %w", err)
	}
	if len(m.Spec.Layers) > 0 && m.Spec.Layers[0].Type == "Rescaling" && s != nn.Raw {
		return fmt.Errorf("-input %s: the model's first layer, a Rescaling, takes raw 0-255 pixels", answer)
	}
	m.Spec.InputScaling = s
	return nil
}
