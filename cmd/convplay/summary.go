package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"convplay/nn"
)

func init() {
	commands["summary"] = command{
		summary: "print a model's layers, output shapes and parameter counts, as Keras's model.summary()",
		run:     func(args []string) error { return runSummary(args, os.Stdout) },
	}
}

func runSummary(args []string, stdout io.Writer) error {
	fs := newFlagSet("summary", "[-arch seed|reference|small|dense|small-same|FILE.json|MODEL.h5|MODEL.keras]")
	arch := fs.String("arch", "seed", "the model: a preset (seed or reference: the notebook's model; small; dense and small-same: the pair of the Why convolution lesson), a JSON file holding a model spec, or a Keras .h5 or .keras file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	m, err := buildArch(*arch, 0)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, m.Summary())
	return err
}

// Bounds on a model spec from an -arch file, checked before anything is
// allocated: the reference model is a 2 KB spec whose largest layer holds
// 147,584 weights. Shapes are nn's to bound (nn/geometry.go states both
// bounds and why they differ): any tensor at most 2^28 values (nn.CheckSpec,
// nn.Build), each layer's output at most 2^24 per image (nn.Validate).
const (
	maxArchJSON     = 1 << 20 // bytes of an -arch file
	maxLayerWeights = 1 << 26 // weights of one layer (256 MB of float32)
	maxModelWeights = 1 << 27 // weights of the whole model
)

// buildArch builds the model an -arch flag names, initialized from seed,
// after checking its layers with nn.CheckSpec (every tensor within nn's
// bounds) and their weights against the bounds above, then its outputs
// with nn.Validate, so that a hostile spec is an error rather than an
// out-of-memory crash.
func buildArch(arch string, seed uint64) (*nn.Model, error) {
	spec, err := archSpec(arch)
	if err != nil {
		return nil, err
	}
	if _, err := checkArch(spec); err != nil {
		return nil, fmt.Errorf("-arch %s: %w", arch, err)
	}
	m, err := nn.Build(spec, seed)
	if err != nil {
		return nil, fmt.Errorf("-arch %s: %w", arch, err)
	}
	// Build allocates weights only: a layer's output too large to run is
	// refused here, by nn's own rule, before any activation is.
	if err := nn.Validate(m); err != nil {
		return nil, fmt.Errorf("-arch %s: %w", arch, err)
	}
	return m, nil
}

// checkArch checks a spec against the bounds above with nn.CheckSpec, which
// builds one layer at a time and drops it, and returns the model's weight
// count.
func checkArch(spec nn.ModelSpec) (int, error) { return checkArchWithin(spec, maxLayerWeights) }

// checkArchWithin is checkArch with another bound on a layer's weights
// (FuzzArchSpec keeps to small layers, which build fast).
func checkArchWithin(spec nn.ModelSpec, maxLayer int) (int, error) {
	layers, err := nn.CheckSpec(spec, maxLayer)
	if err != nil {
		return 0, err
	}
	total := 0
	for i, l := range layers {
		total += l.Params
		if total > maxModelWeights {
			return 0, fmt.Errorf("more than %d weights by layer %d (%s)", maxModelWeights, i+1, l.Spec.Name)
		}
	}
	return total, nil
}

// archSpec returns the model spec an -arch flag names: a preset name, or a
// JSON file of at most maxArchJSON bytes holding an nn.ModelSpec, such as
//
//	{"input": [28, 28, 1], "layers": [{"type": "Conv2D", "filters": 8, "kernel_size": 3}, ...]}
//
// Unknown fields in the file are errors, so that a misspelt one is not
// silently ignored.
func archSpec(arch string) (nn.ModelSpec, error) {
	if !strings.HasSuffix(arch, ".json") && !strings.ContainsAny(arch, `/\`) {
		spec, err := nn.Preset(arch)
		if err != nil {
			return nn.ModelSpec{}, fmt.Errorf("-arch %q is neither a preset (%s) nor a .json file holding a model spec", arch, nn.PresetNames)
		}
		return spec, nil
	}
	if isKerasFile(arch) {
		return kerasSpec(arch)
	}
	f, err := os.Open(arch)
	if err != nil {
		return nn.ModelSpec{}, fmt.Errorf("reading the model spec: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxArchJSON+1))
	if err != nil {
		return nn.ModelSpec{}, fmt.Errorf("reading the model spec: %w", err)
	}
	if len(data) > maxArchJSON {
		return nn.ModelSpec{}, fmt.Errorf("%s is larger than %d bytes: not a model spec", arch, maxArchJSON)
	}
	return parseArchSpec(arch, data)
}

// parseArchSpec decodes one model spec from an -arch file's bytes.
func parseArchSpec(arch string, data []byte) (nn.ModelSpec, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var spec nn.ModelSpec
	if err := dec.Decode(&spec); err != nil {
		return nn.ModelSpec{}, fmt.Errorf("%s is not a model spec (JSON like {\"input\": [28, 28, 1], \"layers\": [{\"type\": \"Dense\", \"units\": 10}]}): %w", arch, err)
	}
	if dec.More() {
		return nn.ModelSpec{}, fmt.Errorf("%s has more than one JSON value; want one model spec", arch)
	}
	return spec, nil
}
