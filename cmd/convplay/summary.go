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
	fs := newFlagSet("summary", "[-arch seed|small|reference|FILE.json]")
	arch := fs.String("arch", "seed", "the model: a preset (seed or reference: the notebook's model; small) or a JSON file holding a model spec")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	spec, err := archSpec(*arch)
	if err != nil {
		return err
	}
	m, err := nn.Build(spec, 0)
	if err != nil {
		return fmt.Errorf("-arch %s: %w", *arch, err)
	}
	_, err = io.WriteString(stdout, m.Summary())
	return err
}

// archSpec returns the model spec an -arch flag names: a preset name, or a
// JSON file holding an nn.ModelSpec, such as
//
//	{"input": [28, 28, 1], "layers": [{"type": "Conv2D", "filters": 8, "kernel_size": 3}, ...]}
//
// Unknown fields in the file are errors, so that a misspelt one is not
// silently ignored.
func archSpec(arch string) (nn.ModelSpec, error) {
	if !strings.HasSuffix(arch, ".json") && !strings.ContainsAny(arch, `/\`) {
		spec, err := nn.Preset(arch)
		if err != nil {
			return nn.ModelSpec{}, fmt.Errorf("-arch %q is neither a preset (seed, reference, small or fcn) nor a .json file holding a model spec", arch)
		}
		return spec, nil
	}
	data, err := os.ReadFile(arch)
	if err != nil {
		return nn.ModelSpec{}, fmt.Errorf("reading the model spec: %w", err)
	}
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
