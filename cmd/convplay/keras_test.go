package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/dataset"
	"convplay/nn"
)

// kerasDir holds package keras's fixtures: Keras model files written by
// keras/testdata/gen.py, with their inputs and NumPy outputs.
const kerasDir = "../../keras/testdata"

type kerasFixture struct {
	Inputs  []float32 `json:"inputs"`
	N       int       `json:"n"`
	Outputs []float64 `json:"outputs"`
}

func readKerasFixture(t *testing.T, name string) kerasFixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(kerasDir, "expected.json"))
	require.NoError(t, err)
	var all map[string]kerasFixture
	require.NoError(t, json.Unmarshal(b, &all))
	f, ok := all[name]
	require.True(t, ok, name)
	return f
}

func float32Raw(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func softmax(z []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	out, s := make([]float64, len(z)), 0.0
	for i, v := range z {
		out[i] = math.Exp(v - m)
		s += out[i]
	}
	for i := range out {
		out[i] /= s
	}
	return out
}

func predictJSON(t *testing.T, args ...string) [][]float64 {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, runPredict(args, &out, io.Discard))
	var probs [][]float64
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var p struct{ Probs []float64 }
		require.NoError(t, json.Unmarshal([]byte(line), &p))
		probs = append(probs, p.Probs)
	}
	return probs
}

// TestPredictKeras: predict with Keras files gives the NumPy forward pass's
// outputs: for a model that scales raw pixels itself and outputs logits,
// from raw pixels (standardized by the data set, turned back by
// input_scaling) as the softmax of its logits; for a model of standardized
// inputs, from -standardized model inputs as they are.
func TestPredictKeras(t *testing.T) {
	data, dir := writeTenClassManifest(t), t.TempDir()
	for _, c := range []struct {
		file, fixture string
		standardized  bool
		logits        bool
	}{
		{"bn_logits_k2.h5", "bn_logits_k2.h5", false, true},
		{"bn_logits_k3.h5", "bn_logits_k3.h5", false, true},
		{"bn_logits.keras", "bn_logits.keras", false, true},
		{"mlp_input2d_k2.h5", "mlp_input2d_k2.h5", true, false},
		{"functional.keras", "functional.keras", true, false},
		// models nested inside models: a data augmentation Sequential, a
		// feature extractor, Sequential blocks in a Functional
		{"nested_augment_k2.h5", "nested_augment_k2.h5", false, false},
		{"nested_augment.keras", "nested_augment.keras", false, false},
		{"nested_features_k3.h5", "nested_features_k3.h5", true, true},
		{"nested_features.keras", "nested_features.keras", true, true},
		{"nested_functional_k2.h5", "nested_functional_k2.h5", false, false},
		{"nested_functional.keras", "nested_functional.keras", false, false},
	} {
		t.Run(c.file, func(t *testing.T) {
			f := readKerasFixture(t, c.fixture)
			npy := filepath.Join(dir, c.file+".npy")
			writeNPY(t, npy, "<f4", []int{f.N, 28, 28}, float32Raw(f.Inputs), false)
			args := []string{"-weights", filepath.Join(kerasDir, c.file), "-data", data}
			if c.standardized {
				args = append(args, "-standardized")
			}
			probs := predictJSON(t, append(args, npy)...)
			require.Len(t, probs, f.N)
			k := len(f.Outputs) / f.N
			for i, p := range probs {
				want := f.Outputs[i*k : (i+1)*k]
				if c.logits {
					want = softmax(want)
				}
				require.Len(t, p, k)
				for j := range p {
					assert.InDelta(t, want[j], p[j], 1e-4, "sample %d class %d", i, j)
				}
			}
		})
	}
}

// TestImportKeras converts a .keras file to .cpw: the same architecture,
// weights and input scaling, and the same predictions.
func TestImportKeras(t *testing.T) {
	data, dir := writeTenClassManifest(t), t.TempDir()
	src, cpw := filepath.Join(kerasDir, "bn_logits.keras"), filepath.Join(dir, "bn.cpw")
	var out bytes.Buffer
	require.NoError(t, runImport([]string{"-weights", src, "-o", cpw}, &out))
	assert.Contains(t, out.String(), "wrote "+cpw+": the architecture of "+src)
	f, err := os.Open(cpw)
	require.NoError(t, err)
	defer f.Close()
	m, err := nn.Load(f)
	require.NoError(t, err)
	assert.Equal(t, nn.Raw, m.Spec.InputScaling, "the .cpw keeps what the input is")
	assert.True(t, m.Spec.OutputsLogits())

	fx := readKerasFixture(t, "bn_logits.keras")
	npy := filepath.Join(dir, "x.npy")
	writeNPY(t, npy, "<f4", []int{fx.N, 28, 28, 1}, float32Raw(fx.Inputs), false)
	assert.Equal(t, predictJSON(t, "-weights", src, "-data", data, npy), predictJSON(t, "-weights", cpw, "-data", data, npy))

	require.ErrorContains(t, runImport([]string{"-weights", src, "-arch", "small", "-o", cpw}, &out), "holds its own architecture")
	require.ErrorContains(t, runImport([]string{"-weights", src, "-input", "unit", "-o", cpw}, &out), "takes raw 0-255 pixels")

	// The user's answer for a model without Rescaling: pixels/255.
	mlp := filepath.Join(dir, "mlp.cpw")
	require.NoError(t, runImport([]string{"-weights", filepath.Join(kerasDir, "mlp_input2d.keras"), "-input", "unit", "-o", mlp}, &out))
	f2, err := os.Open(mlp)
	require.NoError(t, err)
	defer f2.Close()
	m2, err := nn.Load(f2)
	require.NoError(t, err)
	assert.Equal(t, nn.Unit, m2.Spec.InputScaling)
	// predict standardizes the pixels by the data set; input_scaling
	// turns them into pixels/255, which the model gets.
	pixels := make([]float32, 2*28*28)
	for i := range pixels {
		pixels[i] = float32(i * 7 % 256)
	}
	px := filepath.Join(dir, "px.npy")
	writeNPY(t, px, "<f4", []int{2, 28, 28}, float32Raw(pixels), false)
	got := predictJSON(t, "-weights", mlp, "-data", data, px)
	unit := make([]float32, len(pixels))
	for i, p := range pixels {
		unit[i] = p / 255
	}
	want := m2.Forward(unit, 2, false)
	for i := range 2 {
		for j := range 10 {
			assert.InDelta(t, want[i*10+j], got[i][j], 1e-5)
		}
	}
}

// TestExportKeras: a Keras file and the .cpw imported from it export to
// the same .keras model, which predicts as the file did; a .cpw of
// convplay's own model exports too. (keras.TestExport checks the .keras
// with h5py.)
func TestExportKeras(t *testing.T) {
	data, dir := writeTenClassManifest(t), t.TempDir()
	src, cpw := filepath.Join(kerasDir, "bn_logits.keras"), filepath.Join(dir, "bn.cpw")
	var out bytes.Buffer
	require.NoError(t, runImport([]string{"-weights", src, "-o", cpw}, &out))
	fromKeras, fromCpw := filepath.Join(dir, "a.keras"), filepath.Join(dir, "b.keras")
	require.NoError(t, runExport([]string{"-weights", src, "-o", fromKeras}, &out))
	assert.Contains(t, out.String(), "wrote "+fromKeras+": a Keras 3 model of 11 layers")
	assert.Contains(t, out.String(), "its input is 0-255 pixels")
	require.NoError(t, runExport([]string{"-weights", cpw, "-o", fromCpw}, &out))

	fx := readKerasFixture(t, "bn_logits.keras")
	npy := filepath.Join(dir, "x.npy")
	writeNPY(t, npy, "<f4", []int{fx.N, 28, 28, 1}, float32Raw(fx.Inputs), false)
	want := predictJSON(t, "-weights", src, "-data", data, npy)
	assert.Equal(t, want, predictJSON(t, "-weights", fromKeras, "-data", data, npy))
	assert.Equal(t, want, predictJSON(t, "-weights", fromCpw, "-data", data, npy))

	own := filepath.Join(dir, "own.keras")
	require.NoError(t, runExport([]string{"-weights", filepath.Join("..", "..", "pretrained", "small-fashion.cpw"), "-o", own}, &out))
	assert.Contains(t, out.String(), "standardized")
	require.ErrorContains(t, runExport([]string{"-weights", src, "-o", filepath.Join(dir, "x.h5")}, &out), "name the output .keras")
}

// TestEvaluateKeras evaluates a Keras model of raw pixels and logits on the
// tiny data set, which its weights separate perfectly.
func TestEvaluateKeras(t *testing.T) {
	data := writeTinyData(t)
	var out bytes.Buffer
	require.NoError(t, runEvaluate([]string{"-weights", filepath.Join(kerasDir, "tiny3_k3.h5"), "-data", data, "-json"}, &out))
	var e evaluation
	require.NoError(t, json.Unmarshal(out.Bytes(), &e))
	assert.Equal(t, 1.0, e.Accuracy)
	assert.Less(t, e.Loss, 0.01, "softmax of logits of at least 9 apart")
}

// TestSummaryKeras: the notes' model read from its Keras 2 .h5 has the
// reference model's summary.
func TestSummaryKeras(t *testing.T) {
	var fromFile, ref bytes.Buffer
	require.NoError(t, runSummary([]string{"-arch", filepath.Join(kerasDir, "reference_k2.h5")}, &fromFile))
	require.NoError(t, runSummary([]string{"-arch", "reference"}, &ref))
	assert.Equal(t, ref.String(), fromFile.String())
}

// TestSummaryKerasNested: a Functional model around two Sequential blocks
// shows the blocks' layers in order, with the file's layer names.
func TestSummaryKerasNested(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, runSummary([]string{"-arch", filepath.Join(kerasDir, "nested_functional_k3.h5")}, &out))
	var names []string
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(f[1], "(") && f[0] != "Layer" {
			names = append(names, f[0])
		}
	}
	assert.Equal(t, []string{"rescaling", "conv2d_5", "bn_5", "max_pooling2d_5", "conv2d_6", "bn_6", "max_pooling2d_6", "flatten", "dense"}, names, out.String())
	assert.Contains(t, out.String(), "Total params: 1,618")
}

// TestTrainKerasArch trains a Keras file's architecture afresh.
func TestTrainKerasArch(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	ckpt := filepath.Join(dir, "k.cpw")
	var out bytes.Buffer
	require.NoError(t, runTrain([]string{"-data", data, "-arch", filepath.Join(kerasDir, "tiny3_k3.h5"), "-epochs", "2",
		"-batch", "16", "-optimizer", "adam", "-lr", "0.01", "-checkpoint", ckpt, "-csv", "", "-plot", ""}, &out, nil), out.String())
	f, err := os.Open(ckpt)
	require.NoError(t, err)
	defer f.Close()
	m, err := nn.Load(f)
	require.NoError(t, err)
	assert.Equal(t, nn.Standardized, m.Spec.InputScaling, "trained on standardized inputs")
}

// TestTrainKerasWeights trains on from a Keras file's weights: the model
// that scales raw pixels and outputs logits gets input_scaling and
// softmax_of_logits, and starts as good as the file (the tiny task solved).
func TestTrainKerasWeights(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	ckpt := filepath.Join(dir, "k.cpw")
	var out bytes.Buffer
	require.NoError(t, runTrain([]string{"-data", data, "-weights", filepath.Join(kerasDir, "tiny3_k3.h5"), "-epochs", "1",
		"-batch", "16", "-optimizer", "sgd", "-lr", "0.001", "-checkpoint", ckpt, "-csv", "", "-plot", ""}, &out, nil), out.String())
	assert.Contains(t, out.String(), "tiny3_k3.h5")
	f, err := os.Open(ckpt)
	require.NoError(t, err)
	defer f.Close()
	m, err := nn.Load(f)
	require.NoError(t, err)
	var names []string
	for _, l := range m.Spec.Layers {
		names = append(names, l.Name)
	}
	assert.Equal(t, []string{"input_scaling", "rescaling", "max_pooling2d", "flatten", "dense", "softmax_of_logits"}, names)
	assert.Equal(t, nn.Standardized, m.Spec.InputScaling)
	var ev bytes.Buffer
	require.NoError(t, runEvaluate([]string{"-weights", ckpt, "-data", data, "-json"}, &ev))
	var e evaluation
	require.NoError(t, json.Unmarshal(ev.Bytes(), &e))
	assert.Equal(t, 1.0, e.Accuracy)

	err = runTrain([]string{"-data", data, "-weights", filepath.Join(kerasDir, "tiny3_k3.h5"), "-arch", "small", "-checkpoint", ckpt}, &out, nil)
	require.ErrorContains(t, err, "give one")
}

// TestKerasRefused: a file with a layer convplay lacks is refused by name.
func TestKerasRefused(t *testing.T) {
	data := writeTinyData(t)
	err := runEvaluate([]string{"-weights", filepath.Join(kerasDir, "lambda_k2.h5"), "-data", data}, &bytes.Buffer{})
	require.ErrorContains(t, err, `layer "lambda" (Lambda) is not supported`)
	require.ErrorContains(t, err, "BatchNormalization")
	err = runEvaluate([]string{"-weights", filepath.Join(kerasDir, "nested_branch.keras"), "-data", data}, &bytes.Buffer{})
	require.ErrorContains(t, err, `layer "residual/add" (Add) is not supported: it takes 2 inputs`)
}

// writeTenClassManifest writes a data set directory holding only a manifest
// (predict reads nothing else) with the tiny data set's mean and std and ten
// classes, the count the Keras fixtures' models output: predict refuses a
// model whose outputs are not the data set's classes.
func writeTenClassManifest(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	man := dataset.Manifest{Format: dataset.Format, Version: dataset.Version, Name: "ten", Title: "ten",
		Classes: make([]dataset.Class, 10), Shape: []int{28, 28, 1}, Mean: 100, Std: 80, TestDuplicates: []int{}}
	b, err := json.Marshal(man)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, dataset.ManifestName), b, 0o644))
	return dir
}
