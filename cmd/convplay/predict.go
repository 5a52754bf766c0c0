package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // predict reads JPEG pictures
	_ "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"convplay/dataset"
	"convplay/imageprep"
	"convplay/nn"
)

func init() {
	commands["predict"] = command{
		summary: "class probabilities for pictures (PNG, JPEG) or .npy arrays of images, as JSON",
		run:     func(args []string) error { return runPredict(args, os.Stdout, os.Stderr) },
	}
}

// prediction is one line of predict's output.
type prediction struct {
	Input string    `json:"input"`           // the file, and [i] for an image of a .npy
	Probs []float32 `json:"probs"`           // the model's outputs
	Top   int       `json:"top"`             // the most probable class
	Class string    `json:"class,omitempty"` // its name in the data set
	// Warnings are how a picture differs from the data set's style
	// (imageprep's codes: "empty" for a blank picture, "tiny", "thin", ...);
	// each is also explained on standard error.
	Warnings []string `json:"warnings,omitempty"`
}

func runPredict(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("predict", "-weights FILE [-arch ...] [-data fashion|digits|DIR] [-fit auto|mnist|fashion|none] [-standardized] INPUT...")
	weights := fs.String("weights", "", "the model: a .cpw file, a Keras model file (.h5, .keras), or a .npz of weights in Keras's get_weights() order (with -arch)")
	arch := fs.String("arch", "", "the architecture to load the weights into (default: the .cpw's own; seed for a .npz)")
	data := fs.String("data", "fashion", "the data set whose mean and standard deviation standardize the inputs, and whose class names are printed: fashion, digits or a directory holding manifest.json")
	fit := fs.String("fit", "auto", "how a picture is fitted into the input: mnist (20x20 box centred by centre of mass), fashion (longest edge 28, centred), none (scaled whole), or auto (mnist for digits, else fashion)")
	standardized := fs.Bool("standardized", false, "a .npy INPUT holds standardized model inputs (floats), used as they are")
	outDir := fs.String("out", "", "with -data fashion-scenes or digits-scenes: the directory for the class maps (default: beside each picture, as NAME.classes.png)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: convplay predict -weights FILE [flags] INPUT...

INPUT is a PNG or JPEG picture (made grayscale, inverted when its background
is light, and fitted into the model's input as the data set's images were),
or a .npy array of shape (N, 28, 28) or (N, 28, 28, 1) holding raw 0..255
pixel values (standardized model inputs with -standardized). Prints one JSON
object per image: {"input": ..., "probs": [...], "top": k, "class": ...}.

With -data fashion-scenes or digits-scenes and a segmentation model (-arch
fcn), each picture is scaled whole to 64x64 and segmented: its class map is
written as a PNG (NAME.classes.png; pixel value = class, 0 background) and
printed as {"input", "output", "classes", "pixels", "map"}.

`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *weights == "" || fs.NArg() == 0 {
		if *weights == "" {
			fmt.Fprintln(fs.Output(), "convplay predict: -weights is required")
		} else {
			fmt.Fprintln(fs.Output(), "convplay predict: give at least one INPUT file")
		}
		fs.Usage()
		return errUsage
	}
	m, err := loadModel(*weights, *arch)
	if err != nil {
		return err
	}
	if _, ok := sceneBase(*data); ok {
		return runPredictScenes(stdout, m, *data, *outDir, fs.Args())
	}
	man, err := readManifest(*data)
	if err != nil {
		return err
	}
	if m, err = forStandardized(m, man.Mean, man.Std, !*standardized); err != nil {
		return err
	}
	if err := checkFits(m, man, *data); err != nil {
		return err
	}
	in := m.InShape()
	mode := imageprep.Fit(*fit)
	if mode == "auto" {
		mode = imageprep.FitFashion
		if man.Name == "digits" {
			mode = imageprep.FitMNIST
		}
	}
	if mode != imageprep.FitMNIST && mode != imageprep.FitFashion && mode != imageprep.FitNone {
		return fmt.Errorf("-fit %q: want auto, mnist, fashion or none", *fit)
	}
	enc := json.NewEncoder(stdout)
	for _, path := range fs.Args() {
		names, x, warns, err := readInput(path, in, man, mode, *standardized)
		if err != nil {
			return err
		}
		for _, w := range warns {
			fmt.Fprintf(stderr, "convplay predict: warning: %s: %s\n", path, describeWarning(w, man.Title))
		}
		probs, err := m.Predict(x, len(names))
		if err != nil {
			return err
		}
		k := m.OutShape().Size()
		for i, name := range names {
			p := prediction{Input: name, Probs: probs[i*k : (i+1)*k]}
			p.Top = argmax(p.Probs)
			for _, w := range warns {
				p.Warnings = append(p.Warnings, w.Code)
			}
			if p.Top < len(man.Classes) && k == len(man.Classes) {
				p.Class = man.Classes[p.Top].En
			}
			if err := enc.Encode(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// readInput reads one INPUT file into model inputs: names one per image,
// and for a picture how it differs from the data set's style.
func readInput(path string, in nn.Shape, man *dataset.Manifest, mode imageprep.Fit, standardized bool) ([]string, []float32, []imageprep.Warning, error) {
	h, w, c := in[0], in[1], in[2]
	if strings.EqualFold(filepath.Ext(path), ".npy") {
		names, x, err := readNPYInput(path, in, man, standardized)
		return names, x, nil, err
	}
	if standardized {
		return nil, nil, nil, fmt.Errorf("%s: -standardized applies to .npy inputs only", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	img, _, err := imageprep.Decode(f)
	if errors.Is(err, image.ErrFormat) {
		return nil, nil, nil, fmt.Errorf("%s is neither a PNG or JPEG picture nor a .npy file: %w", path, err)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if c != 1 {
		return nil, nil, nil, fmt.Errorf("%s: pictures are made grayscale, but the model takes %d channels", path, c)
	}
	s, err := imageprep.Prepare(img, h, w, mode)
	if err != nil {
		return nil, nil, nil, err
	}
	x := make([]float32, h*w)
	standardize(x, s.Placed.Pix, man)
	return []string{path}, x, imageprep.Warnings(s, mode), nil
}

// describeWarning says in a sentence how a picture differs from the
// data set's images (imageprep's warning codes).
func describeWarning(w imageprep.Warning, data string) string {
	switch w.Code {
	case imageprep.WarnEmpty:
		return "the picture is blank (no ink was found): the model sees an empty image, and its answer means nothing"
	case imageprep.WarnTiny:
		return fmt.Sprintf("the drawing is tiny (%.0f%% of the picture's shorter side): scaled up, its strokes are far thicker than %s's", 100*w.Value, data)
	case imageprep.WarnEdge:
		return fmt.Sprintf("the ink touches %.0f side(s) of the picture: part of it may be cut off", w.Value)
	case imageprep.WarnClipped:
		return fmt.Sprintf("centring pushed %.0f%% of the ink out of the image", 100*w.Value)
	case imageprep.WarnOffCentre:
		return fmt.Sprintf("the centre of mass is %.1f pixels from the centre (%s's images: about %.1f)", w.Value, data, w.Typical)
	case imageprep.WarnThin:
		return fmt.Sprintf("the strokes are %.1f pixels wide (%s's images: about %.1f)", w.Value, data, w.Typical)
	case imageprep.WarnSparse:
		return fmt.Sprintf("ink covers %.0f%% of the image (%s's images: about %.0f%%)", 100*w.Value, data, 100*w.Typical)
	case imageprep.WarnHollow:
		return fmt.Sprintf("%.0f%% of the shape is enclosed but empty (%s's images: about %.0f%%)", 100*w.Value, data, 100*w.Typical)
	}
	return w.Code
}

// maxNPYValues bounds a .npy input: 2^28 values, about 342,000 28x28 images.
// nn.ReadNPY allocates only for the values the file actually holds.
const maxNPYValues = 1 << 28

// readNPYFile reads the .npy array in the file path.
func readNPYFile(path string) (nn.Shape, []float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	shape, vals, err := nn.ReadNPY(f, maxNPYValues)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return shape, vals, nil
}

// readNPYInput reads a .npy of shape (N, H, W) or (N, H, W, C).
func readNPYInput(path string, in nn.Shape, man *dataset.Manifest, standardized bool) ([]string, []float32, error) {
	shape, vals, err := readNPYFile(path)
	if err != nil {
		return nil, nil, err
	}
	ok := len(shape) == 4 && shape[1:].Equal(in) ||
		len(shape) == 3 && in[2] == 1 && shape[1] == in[0] && shape[2] == in[1]
	if !ok {
		return nil, nil, fmt.Errorf("%s holds an array of shape %v; want (N, %d, %d) or (N, %d, %d, %d)",
			path, shape, in[0], in[1], in[0], in[1], in[2])
	}
	x := make([]float32, len(vals))
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, fmt.Errorf("%s: value %d is %v", path, i, v)
		}
		if standardized {
			x[i] = float32(v)
			continue
		}
		if v < 0 || v > 255 {
			return nil, nil, fmt.Errorf("%s: value %d is %v, outside the raw pixel range 0..255 (use -standardized for model inputs)", path, i, v)
		}
		x[i] = float32((v - man.Mean) / man.Std)
	}
	names := make([]string, shape[0])
	for i := range names {
		names[i] = fmt.Sprintf("%s[%d]", path, i)
	}
	return names, x, nil
}

// standardize writes pixels as the data set's images are fed to the model:
// (p - mean) / std, as dataset's Split.Fill and Dataset.Standardize compute it.
func standardize(dst []float32, pixels []uint8, man *dataset.Manifest) {
	for i, p := range pixels {
		dst[i] = float32((float64(p) - man.Mean) / man.Std)
	}
}

// argmax is the index of the largest value, the first of equal ones.
func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
