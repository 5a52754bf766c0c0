package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"convplay/nn"
)

func init() {
	commands["convert"] = command{
		summary: "rewrite a model as a .cpw, with -float16 at half the bytes (each weight rounded to the nearest float16; check its accuracy with evaluate)",
		run:     func(args []string) error { return runConvert(args, os.Stdout) },
	}
}

// runConvert loads a model (any file loadModel reads) and writes it as a
// .cpw: float32 (a version 1 file, which every convplay reads), or with
// -float16 each weight rounded to the nearest float16 (version 2, half the
// bytes; the page ships its pretrained models so). The optimizer's state is
// not kept. The file written is read back before the command reports
// success, with how far the rounding moved the weights.
func runConvert(args []string, stdout io.Writer) error {
	fs := newFlagSet("convert", "-weights IN.cpw|IN.npz|MODEL.h5|MODEL.keras [-arch ARCH] [-float16] -o OUT.cpw")
	weights := fs.String("weights", "", "the model to convert (.cpw, a Keras .h5 or .keras file, or a .npz of weights with -arch)")
	arch := fs.String("arch", "", "the architecture of a .npz's weights: a preset or a JSON model spec (default: the file's own; seed for a .npz)")
	out := fs.String("o", "", "the .cpw to write")
	half := fs.Bool("float16", false, "store every weight as an IEEE 754 float16 (the nearest, ties to even): half the bytes, read back as float32; refused if a weight is beyond ±65504")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *weights == "" || *out == "" {
		fmt.Fprintln(fs.Output(), "convplay convert: -weights and -o are required")
		fs.Usage()
		return errUsage
	}
	if !strings.HasSuffix(strings.ToLower(*out), ".cpw") {
		return fmt.Errorf("-o %s: convert writes convplay's format; name the output .cpw (export writes .keras and .npz)", *out)
	}
	if err := checkOutputPath("-o", *out); err != nil {
		return err
	}
	m, err := loadModel(*weights, *arch)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	precision := "float32"
	if *half {
		precision = "float16"
		err = m.SaveFloat16(&b)
	} else {
		err = m.Save(&b)
	}
	if err != nil {
		return err
	}
	back, err := nn.Load(bytes.NewReader(b.Bytes()))
	if err != nil {
		return fmt.Errorf("the converted model does not load again: %w", err)
	}
	if err := writeFileAtomic(*out, func(f *os.File) error { _, err := f.Write(b.Bytes()); return err }); err != nil {
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	change := "every weight as it was"
	if worst, from, to := largestChange(m, back); worst > 0 {
		change = fmt.Sprintf("the largest change of a weight is %.3g (%.7g became %.7g)", worst, from, to)
	}
	fmt.Fprintf(stdout, "wrote %s: %d weights in %s, %d bytes; %s\n", *out, m.NumParams(), precision, b.Len(), change)
	return nil
}

// largestChange is the largest difference between a weight of a and the
// same weight of b (a model of the same architecture), and the two values.
func largestChange(a, b *nn.Model) (worst float64, from, to float32) {
	pb := b.Params()
	for i, p := range a.Params() {
		for j, v := range p.W {
			if d := math.Abs(float64(v) - float64(pb[i].W[j])); d > worst {
				worst, from, to = d, v, pb[i].W[j]
			}
		}
	}
	return worst, from, to
}
