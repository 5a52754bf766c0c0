package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"convplay/keras"
	"convplay/nn"
)

// inputMeaning says what a model's input is, for the message after an
// export.
func inputMeaning(s nn.InputScaling) string {
	switch s {
	case nn.Raw:
		return "0-255 pixels"
	case nn.Unit:
		return "pixels / 255"
	}
	return "pixels standardized by the data set's mean and standard deviation"
}

func init() {
	commands["export"] = command{
		summary: "write a model as a Keras 3 .keras file (keras.models.load_model opens it), or its weights as a NumPy .npz in Keras's get_weights() order",
		run:     func(args []string) error { return runExport(args, os.Stdout) },
	}
	commands["import"] = command{
		summary: "convert a Keras model (.h5, .keras) or Keras weights in a .npz (get_weights() order, into an architecture) to a .cpw",
		run:     func(args []string) error { return runImport(args, os.Stdout) },
	}
}

// runExport writes a model (a .cpw, or a Keras file read back) as a Keras 3
// .keras file (package keras's Export), or its weights as the .npz that
// numpy.savez(f, *model.get_weights()) writes, for Keras's
//
//	w = np.load(f); model.set_weights([w[f"arr_{i}"] for i in range(len(w.files))])
func runExport(args []string, stdout io.Writer) error {
	fs := newFlagSet("export", "-weights FILE.cpw|MODEL.h5|MODEL.keras -o OUT.keras|OUT.npz")
	weights := fs.String("weights", "", "the model to export (.cpw, or a Keras .h5 or .keras file)")
	arch := fs.String("arch", "", "the architecture to load the weights into (default: the file's own)")
	out := fs.String("o", "", "the file to write: a Keras 3 model (.keras) or the weights alone (.npz)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *weights == "" || *out == "" {
		fmt.Fprintln(fs.Output(), "convplay export: -weights and -o are required")
		fs.Usage()
		return errUsage
	}
	toKeras := strings.HasSuffix(strings.ToLower(*out), ".keras")
	if !toKeras && !strings.HasSuffix(strings.ToLower(*out), ".npz") {
		return fmt.Errorf("-o %s: name the output .keras (a Keras 3 model) or .npz (the weights alone)", *out)
	}
	m, err := loadModel(*weights, *arch)
	if err != nil {
		return err
	}
	if toKeras {
		b, err := keras.Export(m, time.Now())
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*out, func(f *os.File) error { _, err := f.Write(b); return err }); err != nil {
			return fmt.Errorf("writing %s: %w", *out, err)
		}
		fmt.Fprintf(stdout, "wrote %s: a Keras 3 model of %d layers and %d weights; its input is %s (keras.models.load_model opens it)\n",
			*out, len(m.Layers)+1, m.NumParams(), inputMeaning(m.Spec.InputScaling))
		return nil
	}
	if err := writeFileAtomic(*out, func(f *os.File) error { return m.ExportNPZ(f) }); err != nil {
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	fmt.Fprintf(stdout, "wrote %s: %d arrays, %d weights in Keras's get_weights() order\n", *out, len(m.Params()), m.NumParams())
	return nil
}

// runImport loads a .npz of Keras weights into an architecture and saves
// the model in convplay's format.
func runImport(args []string, stdout io.Writer) error {
	fs := newFlagSet("import", "-weights IN.npz|MODEL.h5|MODEL.keras [-arch seed|small|FILE.json] -o OUT.cpw")
	weights := fs.String("weights", "", "the .npz of weights in Keras's get_weights() order, or a Keras model file (.h5, .keras) with its architecture")
	arch := fs.String("arch", "seed", "the architecture the weights belong to: a preset (seed, small) or a JSON model spec")
	out := fs.String("o", "", "the .cpw to write")
	input := fs.String("input", "", "what the model expects of 0-255 pixels, kept in the .cpw: standardized (by the data set's mean and std), unit (pixels/255) or raw (default: what a Keras file's Rescaling layer says, else standardized)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *weights == "" || *out == "" {
		fmt.Fprintln(fs.Output(), "convplay import: -weights and -o are required")
		fs.Usage()
		return errUsage
	}
	what := *arch
	if isKerasFile(*weights) { // the file holds its architecture: an -arch given is refused
		what = "the architecture of " + *weights
		if !flagSet(fs, "arch") {
			*arch = ""
		}
	} else if !strings.HasSuffix(strings.ToLower(*weights), ".npz") {
		return fmt.Errorf("-weights %s: import reads a NumPy .npz archive or a Keras .h5 or .keras file", *weights)
	}
	m, err := loadModel(*weights, *arch)
	if err != nil {
		return err
	}
	if err := setInputScaling(m, *input); err != nil {
		return err
	}
	if err := writeFileAtomic(*out, func(f *os.File) error { return m.Save(f) }); err != nil {
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	fmt.Fprintf(stdout, "wrote %s: %s, %d weights\n", *out, what, m.NumParams())
	return nil
}
