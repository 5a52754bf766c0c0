package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"convplay/dataset"
	"convplay/nn"
)

func init() {
	commands["evaluate"] = command{
		summary: "[loss, accuracy] of a model on the test split, per-class accuracy and the confusion matrix",
		run:     func(args []string) error { return runEvaluate(args, os.Stdout) },
	}
}

// evaluation is evaluate's -json output.
type evaluation struct {
	Data         string    `json:"data"`
	Split        string    `json:"split"`
	Samples      int       `json:"samples"`
	Loss         float64   `json:"loss"`
	Accuracy     float64   `json:"accuracy"`
	Dedup        *metrics  `json:"deduplicated,omitempty"`
	DedupSamples int       `json:"deduplicated_samples,omitempty"`
	Classes      []string  `json:"classes"`
	PerClass     []float64 `json:"per_class_accuracy"`
	// Confusion[true][predicted] counts the samples.
	Confusion [][]int `json:"confusion"`
}

func runEvaluate(args []string, stdout io.Writer) error {
	fs := newFlagSet("evaluate", "-weights FILE [-arch seed|small|FILE.json] [-data fashion|digits|DIR|fashion-scenes|digits-scenes] [-split test] [-json]")
	weights := fs.String("weights", "", "the model: a .cpw file, a Keras model file (.h5, .keras), or a .npz of weights in Keras's get_weights() order (with -arch)")
	arch := fs.String("arch", "", "the architecture to load the weights into (default: the .cpw's own; seed for a .npz)")
	data := fs.String("data", "fashion", "the packed data set: fashion or digits (in web/data, written by make data) or a directory holding manifest.json; with -scenes after it (digits-scenes), its 64x64 segmentation scenes: pixel accuracy, mean IoU and per-class IoU")
	splitName := fs.String("split", dataset.Test, "the split to evaluate: test, validation or train")
	asJSON := fs.Bool("json", false, "print the results as one JSON object")
	scenesN := fs.Int("scenes", defaultTestScenes, "with -data fashion-scenes or digits-scenes: how many of the split's fixed scenes to evaluate")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *weights == "" {
		if *weights == "" {
			fmt.Fprintln(fs.Output(), "convplay evaluate: -weights is required")
		}
		fs.Usage()
		return errUsage
	}
	m, err := loadModel(*weights, *arch)
	if err != nil {
		return err
	}
	if _, ok := sceneBase(*data); ok {
		return runEvaluateScenes(stdout, m, *data, *splitName, *scenesN, *asJSON)
	}
	ds, err := openData(*data)
	if err != nil {
		return err
	}
	if m, err = forStandardized(m, ds.Manifest.Mean, ds.Manifest.Std, true); err != nil {
		return err
	}
	if err := checkFits(m, ds.Manifest, *data); err != nil {
		return err
	}
	s, err := ds.Split(*splitName)
	if err != nil {
		return fmt.Errorf("-split %q: want test, validation or train", *splitName)
	}
	if s.Len() == 0 {
		return fmt.Errorf("-split %s has no images", *splitName)
	}
	e, err := m.EvaluateDetailed(s, 0)
	if err != nil {
		return err
	}
	res := evaluation{Data: ds.Manifest.Title, Split: *splitName, Samples: s.Len(), Loss: e.Loss, Accuracy: e.Accuracy}
	if *splitName == dataset.Test && len(ds.Manifest.TestDuplicates) > 0 {
		dd := ds.DedupTest()
		de, err := m.EvaluateDetailed(dd, 0)
		if err != nil {
			return err
		}
		res.Dedup, res.DedupSamples = &metrics{Loss: de.Loss, Accuracy: de.Accuracy}, dd.Len()
	}
	k, perClass := e.Classes, e.ClassAccuracy()
	for i, c := range ds.Manifest.Classes {
		res.Classes = append(res.Classes, c.En)
		res.Confusion = append(res.Confusion, append([]int(nil), e.Confusion[i*k:(i+1)*k]...))
		acc := perClass[i]
		if math.IsNaN(acc) { // no samples of the class
			acc = 0
		}
		res.PerClass = append(res.PerClass, acc)
	}
	if *asJSON {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	return printEvaluation(stdout, res)
}

// checkFits reports a model whose input or output does not fit the data,
// or that cannot be used at all (nn.ValidateFor).
func checkFits(m *nn.Model, man *dataset.Manifest, data string) error {
	if err := nn.ValidateFor(m, nn.Shape(man.Shape), len(man.Classes)); err != nil {
		return fmt.Errorf("-data %s: %w", data, err)
	}
	return nil
}

// printEvaluation writes the results as Keras's evaluate() prints them,
// then the per-class accuracy and the confusion matrix.
func printEvaluation(w io.Writer, r evaluation) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %s split (%d images): [loss, accuracy] = [%.4f, %.4f]\n", r.Data, r.Split, r.Samples, r.Loss, r.Accuracy)
	if r.Dedup != nil {
		fmt.Fprintf(&b, "deduplicated %s split (%d images, without those also in the training data): [%.4f, %.4f]\n",
			r.Split, r.DedupSamples, r.Dedup.Loss, r.Dedup.Accuracy)
	}
	width := len("class")
	for _, c := range r.Classes {
		width = max(width, len(c))
	}
	fmt.Fprintf(&b, "\n%-*s  accuracy\n", width, "class")
	for i, c := range r.Classes {
		fmt.Fprintf(&b, "%-*s  %.4f\n", width, c, r.PerClass[i])
	}
	fmt.Fprintf(&b, "\nconfusion matrix (rows: true class, columns: predicted class)\n%*s", width+2, "")
	cell := 5
	for _, row := range r.Confusion {
		for _, n := range row {
			cell = max(cell, len(fmt.Sprint(n))+1)
		}
	}
	for j := range r.Classes {
		fmt.Fprintf(&b, "%*d", cell, j)
	}
	b.WriteByte('\n')
	for i, row := range r.Confusion {
		fmt.Fprintf(&b, "%d %-*s", i, width, r.Classes[i])
		for _, n := range row {
			fmt.Fprintf(&b, "%*d", cell, n)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
