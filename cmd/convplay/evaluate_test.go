package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvaluateCommand(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	ckpt, _ := trainTiny(t, data, dir, 3)

	var out bytes.Buffer
	require.NoError(t, runEvaluate([]string{"-weights", ckpt, "-data", data, "-json"}, &out))
	var e evaluation
	require.NoError(t, json.Unmarshal(out.Bytes(), &e))
	assert.Equal(t, "test", e.Split)
	assert.Equal(t, 15, e.Samples)
	assert.Equal(t, 13, e.DedupSamples)
	require.NotNil(t, e.Dedup)
	assert.Equal(t, []string{"left", "right", "top"}, e.Classes)
	require.Len(t, e.Confusion, 3)
	total, correct := 0, 0
	for i, row := range e.Confusion {
		require.Len(t, row, 3)
		n := 0
		for _, c := range row {
			n += c
		}
		assert.Equal(t, 5, n, "test labels are i %% 3: 5 of each class")
		assert.InDelta(t, float64(row[i])/5, e.PerClass[i], 1e-12)
		total += n
		correct += row[i]
	}
	assert.Equal(t, 15, total)
	assert.InDelta(t, float64(correct)/15, e.Accuracy, 1e-12)

	// The text: Keras's [loss, accuracy], then the tables.
	out.Reset()
	require.NoError(t, runEvaluate([]string{"-weights", ckpt, "-data", data}, &out))
	text := out.String()
	for _, want := range []string{
		"Tiny stripes, test split (15 images): [loss, accuracy] = [",
		"deduplicated test split (13 images, without those also in the training data): [",
		"class  accuracy\nleft   ", "\nright  ", "\ntop    ",
		"confusion matrix (rows: true class, columns: predicted class)\n",
		"\n0 left ", "\n2 top  ",
	} {
		assert.Contains(t, text, want)
	}

	// Another split has no deduplicated figures.
	out.Reset()
	require.NoError(t, runEvaluate([]string{"-weights", ckpt, "-data", data, "-split", "validation"}, &out))
	assert.Contains(t, out.String(), "validation split (12 images)")
	assert.NotContains(t, out.String(), "deduplicated")
}

func TestEvaluateErrors(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	ckpt, _ := trainTiny(t, data, dir, 1)
	empty := filepath.Join(dir, "empty.cpw")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"no weights", []string{"-data", data}, "usage"},
		{"extra argument", []string{"-weights", ckpt, "test"}, "usage"},
		{"empty weights file", []string{"-weights", empty, "-data", data}, "nn: invalid weights file"},
		{"arch does not fit weights", []string{"-weights", ckpt, "-arch", "small", "-data", data}, "into -arch small"},
		{"bad split", []string{"-weights", ckpt, "-data", data, "-split", "dev"}, `-split "dev": want test, validation or train`},
		{"missing data", []string{"-weights", ckpt, "-data", filepath.Join(dir, "none")}, "(run make data in the repository's root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runEvaluate(tt.args, &bytes.Buffer{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}

// TestExportImportRoundTrip: export to .npz and import back give the same
// weights, so identical predictions; the .npz loads into the architecture
// given by -arch directly, too.
func TestExportImportRoundTrip(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	ckpt, _ := trainTiny(t, data, dir, 2)
	arch := writeTinyArch(t)
	npz, back := filepath.Join(dir, "w.npz"), filepath.Join(dir, "back.cpw")
	var out bytes.Buffer
	require.NoError(t, runExport([]string{"-weights", ckpt, "-o", npz}, &out))
	assert.Equal(t, "wrote "+npz+": 2 arrays, 150 weights in Keras's get_weights() order\n", out.String())
	out.Reset()
	require.NoError(t, runImport([]string{"-weights", npz, "-arch", arch, "-o", back}, &out))
	assert.Contains(t, out.String(), "wrote "+back+": ")

	ds, err := openData(data)
	require.NoError(t, err)
	x, y := make([]float32, 15*28*28), make([]float32, 15)
	idx := make([]int, 15)
	for i := range idx {
		idx[i] = i
	}
	mustSplit(ds, "test").Fill(x, y, idx)
	var want []float32
	for i, w := range []struct{ path, arch string }{{ckpt, ""}, {back, ""}, {npz, arch}} {
		m, err := loadModel(w.path, w.arch)
		require.NoError(t, err)
		got, err := m.Predict(x, 15)
		require.NoError(t, err)
		if i == 0 {
			want = got
			continue
		}
		assert.Equal(t, want, got, w.path)
	}

	for _, tt := range []struct {
		name string
		run  func([]string, *bytes.Buffer) error
		args []string
		err  string
	}{
		{"export without -o", func(a []string, b *bytes.Buffer) error { return runExport(a, b) }, []string{"-weights", ckpt}, "usage"},
		{"export to .cpw", func(a []string, b *bytes.Buffer) error { return runExport(a, b) }, []string{"-weights", ckpt, "-o", back}, "name the output .keras (a Keras 3 model) or .npz"},
		{"import a .cpw", func(a []string, b *bytes.Buffer) error { return runImport(a, b) }, []string{"-weights", ckpt, "-o", back}, "import reads a NumPy .npz archive"},
		{"import into the wrong arch", func(a []string, b *bytes.Buffer) error { return runImport(a, b) }, []string{"-weights", npz, "-arch", "small", "-o", back}, "into -arch small"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(tt.args, &bytes.Buffer{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}

// TestExitCodes runs the built command line: usage errors exit with 2,
// other errors with 1 and a message naming the command.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{nil, 2, "usage: convplay <command> [flags]"},
		{[]string{"fly"}, 2, `convplay: unknown command "fly"`},
		{[]string{"train", "-epoch", "2"}, 2, "flag provided but not defined: -epoch\nusage: convplay train"},
		{[]string{"evaluate"}, 2, "convplay evaluate: -weights is required"},
		{[]string{"predict", "-weights", "x.cpw"}, 2, "give at least one INPUT file"},
		{[]string{"export", "-weights", "x.cpw"}, 2, "-weights and -o are required"},
		{[]string{"convert", "-float16", "-weights", "x.cpw"}, 2, "convplay convert: -weights and -o are required\nusage: convplay convert"},
		{[]string{"convert", "-float16", "-weights", "x.cpw", "-o", "x.npz"}, 1, "convplay convert: -o x.npz: convert writes convplay's format; name the output .cpw"},
		{[]string{"convert", "-float16", "-weights", filepath.Join(dir, "none.cpw"), "-o", filepath.Join(dir, "y.cpw")}, 1, "convplay convert: reading the weights: open "},
		{[]string{"evaluate", "-weights", filepath.Join(dir, "none.cpw")}, 1, "convplay evaluate: reading the weights: open "},
		{[]string{"train", "-data", filepath.Join(dir, "none")}, 1, "convplay train: -data " + filepath.Join(dir, "none") + ": no packed data set in"},
		{[]string{"predict", "-h"}, 0, "usage: convplay predict -weights FILE [flags] INPUT..."},
		{[]string{"summary", "-archh", "seed"}, 2, "flag provided but not defined: -archh\nusage: convplay summary"},
		{[]string{"summary", "seed"}, 2, "usage: convplay summary"},
		{[]string{"serve", "-port", "80"}, 2, "flag provided but not defined: -port\nusage: convplay serve"},
		{[]string{"serve", "-h"}, 0, "usage: convplay serve"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cmd := exec.Command(convplayBin, tt.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.code, code, stderr.String())
			assert.Contains(t, stderr.String(), tt.stderr)
		})
	}
}
