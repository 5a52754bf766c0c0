package main

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"convplay/dataset"
	"convplay/imageprep"
	"convplay/nn"
	"convplay/scenes"
)

// Segmentation scenes: -data fashion-scenes or digits-scenes (or DIR-scenes
// for a packed data set in DIR) trains, evaluates and predicts on the
// scenes package's 64x64 scenes composed from that data set's images.

// Scene counts when the flags leave them at 0.
const (
	defaultTrainScenes = 10000 // per epoch, new ones every epoch
	defaultValScenes   = 500   // the fixed validation scenes 0..n-1
	defaultTestScenes  = 1000  // the fixed test scenes 0..n-1
)

// sceneBase reports whether a -data flag names scenes, and the data set
// their images come from: "digits" for "digits-scenes".
func sceneBase(data string) (string, bool) {
	return strings.CutSuffix(data, "-scenes")
}

// sceneSets are the scenes of one data set: training scenes from the train
// split's images with the run's seed, fixed validation and test scenes
// (seed scenes.FixedSeed) from their own splits' images.
type sceneSets struct {
	ds              *dataset.Dataset
	train           *scenes.Data
	val, test       *scenes.Data
	classes         []string // "background", then the data set's class names
	title           string
	trainN, valN, n int
}

// openScenes opens the data set of a -data ...-scenes flag and sets up its
// scenes: trainN per epoch (0: defaultTrainScenes), valN fixed validation
// and testN fixed test scenes (0: the defaults). Fashion-MNIST's test
// scenes use its deduplicated test split, so no image is in two splits.
func openScenes(data string, seed uint64, trainN, valN, testN int) (*sceneSets, error) {
	base, _ := sceneBase(data)
	ds, err := openData(base)
	if err != nil {
		return nil, err
	}
	if trainN <= 0 {
		trainN = defaultTrainScenes
	}
	if valN <= 0 {
		valN = defaultValScenes
	}
	if testN <= 0 {
		testN = defaultTestScenes
	}
	gen := func(name string, seed uint64, split int, n int) (*scenes.Data, error) {
		var src scenes.Source
		if name == dataset.Test {
			src = ds.DedupTest()
		} else {
			s, err := ds.Split(name)
			if err != nil {
				return nil, err
			}
			src = s
		}
		g, err := scenes.New(src, seed, split)
		if err != nil {
			return nil, fmt.Errorf("-data %s, %s split: %w", data, name, err)
		}
		return scenes.NewData(g, n, ds.Standardize), nil
	}
	s := &sceneSets{ds: ds, title: ds.Manifest.Title + " scenes", classes: []string{"background"}}
	for _, c := range ds.Manifest.Classes {
		s.classes = append(s.classes, c.En)
	}
	if s.train, err = gen(dataset.Train, seed, scenes.Train, trainN); err != nil {
		return nil, err
	}
	if s.val, err = gen(dataset.Validation, scenes.FixedSeed, scenes.Validation, valN); err != nil {
		return nil, err
	}
	if s.test, err = gen(dataset.Test, scenes.FixedSeed, scenes.Test, testN); err != nil {
		return nil, err
	}
	return s, nil
}

// checkSceneModel reports a model that does not map a scene to a class map.
func checkSceneModel(m *nn.Model, data string, classes int) error {
	in, out := m.InShape(), m.OutShape()
	if !in.Equal(nn.Shape{scenes.Side, scenes.Side, 1}) || !out.Equal(nn.Shape{scenes.Side, scenes.Side, classes}) {
		return fmt.Errorf("-data %s: the model maps %v to %v, but segmenting scenes needs (%d, %d, 1) to (%d, %d, %d): use -arch fcn",
			data, in, out, scenes.Side, scenes.Side, scenes.Side, scenes.Side, classes)
	}
	return nil
}

// sceneEvaluation is evaluate's result on scenes (its -json output).
type sceneEvaluation struct {
	Data          string    `json:"data"`
	Split         string    `json:"split"`
	Scenes        int       `json:"scenes"`
	Seed          uint64    `json:"seed"`
	Loss          float64   `json:"loss"`
	PixelAccuracy float64   `json:"pixel_accuracy"`
	MeanIoU       float64   `json:"mean_iou"` // over the classes present (labelled or predicted), background included
	Classes       []string  `json:"classes"`
	IoU           []float64 `json:"iou"` // per class; null for a class neither labelled nor predicted
	Pixels        []int     `json:"pixels"`
	// Confusion[true][predicted] counts the pixels.
	Confusion [][]int `json:"confusion"`
}

// MarshalJSON writes NaN IoUs (absent classes) as null.
func (e sceneEvaluation) MarshalJSON() ([]byte, error) {
	type plain sceneEvaluation
	iou := make([]*float64, len(e.IoU))
	for i := range e.IoU {
		if !math.IsNaN(e.IoU[i]) {
			iou[i] = &e.IoU[i]
		}
	}
	return json.Marshal(struct {
		plain
		IoU []*float64 `json:"iou"`
	}{plain(e), iou})
}

// evaluateScenes evaluates m on scenes d and summarizes it.
func evaluateScenes(m *nn.Model, d nn.Data, classes []string) (sceneEvaluation, error) {
	e, err := m.EvaluateDetailed(d, 0)
	if err != nil {
		return sceneEvaluation{}, err
	}
	r := sceneEvaluation{Scenes: d.Len(), Loss: e.Loss, PixelAccuracy: e.Accuracy, MeanIoU: e.MeanIoU(),
		Classes: classes, IoU: e.IoU()}
	k := e.Classes
	for i := range k {
		row := e.Confusion[i*k : (i+1)*k]
		r.Confusion = append(r.Confusion, append([]int(nil), row...))
		n := 0
		for _, v := range row {
			n += v
		}
		r.Pixels = append(r.Pixels, n)
	}
	return r, nil
}

// printSceneEvaluation writes the pixel accuracy, the mean IoU and the
// per-class IoU table.
func printSceneEvaluation(w io.Writer, r sceneEvaluation) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %s split (%d scenes, seed %d): loss %.4f, pixel accuracy %.4f, mean IoU %.4f\n",
		r.Data, r.Split, r.Scenes, r.Seed, r.Loss, r.PixelAccuracy, r.MeanIoU)
	width := len("background")
	for _, c := range r.Classes {
		width = max(width, len(c))
	}
	fmt.Fprintf(&b, "\n%-*s  %6s  %9s\n", width+3, "class", "IoU", "pixels")
	for i, c := range r.Classes {
		iou := "-"
		if !math.IsNaN(r.IoU[i]) {
			iou = fmt.Sprintf("%.4f", r.IoU[i])
		}
		fmt.Fprintf(&b, "%2d %-*s  %6s  %9d\n", i, width, c, iou, r.Pixels[i])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// runEvaluateScenes is evaluate for -data ...-scenes.
func runEvaluateScenes(stdout io.Writer, m *nn.Model, data, splitName string, n int, asJSON bool) error {
	s, err := openScenes(data, 0, 1, n, n)
	if err != nil {
		return err
	}
	if err := checkSceneModel(m, data, len(s.classes)); err != nil {
		return err
	}
	var d *scenes.Data
	switch splitName {
	case dataset.Test:
		d = s.test
	case dataset.Validation:
		d = s.val
	default:
		return fmt.Errorf("-split %q: scenes are evaluated on their fixed test or validation scenes", splitName)
	}
	r, err := evaluateScenes(m, d, s.classes)
	if err != nil {
		return err
	}
	r.Data, r.Split, r.Seed = s.title, splitName, scenes.FixedSeed
	if asJSON {
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	return printSceneEvaluation(stdout, r)
}

// segmentation is predict's JSON line for a scene.
type segmentation struct {
	Input   string   `json:"input"`
	Output  string   `json:"output"`  // the class map as a PNG
	Classes []string `json:"classes"` // label k names Classes[k]
	Pixels  []int    `json:"pixels"`  // pixels per class
	Map     [][]int  `json:"map"`     // (H, W) class per pixel
}

// runPredictScenes segments each picture (made grayscale, inverted when
// its background is light, scaled whole to 64x64) and writes its class map
// as a PNG beside it (NAME.classes.png, or in outDir) and a JSON line.
func runPredictScenes(stdout io.Writer, m *nn.Model, data, outDir string, paths []string) error {
	base, _ := sceneBase(data)
	man, err := readManifest(base)
	if err != nil {
		return err
	}
	classes := []string{"background"}
	for _, c := range man.Classes {
		classes = append(classes, c.En)
	}
	if err := checkSceneModel(m, data, len(classes)); err != nil {
		return err
	}
	const side = scenes.Side
	enc := json.NewEncoder(stdout)
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s is not a PNG or JPEG picture: %w", path, err)
		}
		g, err := imageprep.FitPicture(img, side, side, imageprep.FitNone)
		if err != nil {
			return err
		}
		x := make([]float32, side*side)
		standardize(x, g.Pix, man)
		probs, err := m.Predict(x, 1)
		if err != nil {
			return err
		}
		cm := make([]int, side*side)
		nn.ClassMap(cm, probs, len(classes))
		out := classMapPath(path, outDir)
		if err := writeFileAtomic(out, func(w *os.File) error { return writeClassMap(w, cm, side, side) }); err != nil {
			return err
		}
		r := segmentation{Input: path, Output: out, Classes: classes, Pixels: make([]int, len(classes))}
		for h := range side {
			r.Map = append(r.Map, cm[h*side:(h+1)*side])
		}
		for _, k := range cm {
			r.Pixels[k]++
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// classMapPath is where predict writes the class map of the picture path.
func classMapPath(path, outDir string) string {
	name := strings.TrimSuffix(path, filepath.Ext(path)) + ".classes.png"
	if outDir != "" {
		name = filepath.Join(outDir, filepath.Base(name))
	}
	return name
}

// classPalette colours the class map: background black, then the ten
// classes in the colours of matplotlib's tab10.
var classPalette = color.Palette{
	color.RGBA{0, 0, 0, 255},
	color.RGBA{31, 119, 180, 255}, color.RGBA{255, 127, 14, 255}, color.RGBA{44, 160, 44, 255},
	color.RGBA{214, 39, 40, 255}, color.RGBA{148, 103, 189, 255}, color.RGBA{140, 86, 75, 255},
	color.RGBA{227, 119, 194, 255}, color.RGBA{127, 127, 127, 255}, color.RGBA{188, 189, 34, 255},
	color.RGBA{23, 190, 207, 255},
}

// writeClassMap writes a class map as a paletted PNG whose pixel values are
// the class indices (so a program can read the classes back) drawn in
// classPalette's colours.
func writeClassMap(w io.Writer, cm []int, h, wd int) error {
	img := image.NewPaletted(image.Rect(0, 0, wd, h), classPalette)
	for i, k := range cm {
		img.Pix[i] = uint8(k)
	}
	return png.Encode(w, img)
}
