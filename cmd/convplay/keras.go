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
	if len(info.Skipped) > 0 {
		fmt.Fprintf(os.Stderr, "convplay: %s: left out, as at inference (they change images only in training): %s\n", path, strings.Join(info.Skipped, ", "))
	}
	return m, info, nil
}

// forStandardized is keras.ForStandardized (shared with the page's worker),
// compiled for evaluation when it made a new model.
func forStandardized(m *nn.Model, mean, std float64, scaleInput bool) (*nn.Model, error) {
	out, err := keras.ForStandardized(m, mean, std, scaleInput)
	if err != nil || out == m {
		return out, err
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
