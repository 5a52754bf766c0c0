package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/nn"
)

func referenceSummary(t *testing.T) string {
	want, err := os.ReadFile("../../nn/testdata/reference_summary.txt")
	require.NoError(t, err)
	return string(want)
}

func TestSummaryCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	dense := write("dense.json", `{"input": [4], "layers": [{"type": "Dense", "units": 3, "activation": "softmax"}]}`)
	typo := write("typo.json", `{"input": [4], "layers": [{"type": "Dense", "unit": 3}]}`)
	bad := write("bad.json", `{"input": [4], "layers": [{"type": "Dense"}]}`)
	two := write("two.json", `{"input": [4], "layers": []} {}`)
	tests := []struct {
		name string
		args []string
		want string // the output, or
		err  string // the error
	}{
		{"default is seed", nil, referenceSummary(t), ""},
		{"seed", []string{"-arch", "seed"}, referenceSummary(t), ""},
		{"reference", []string{"-arch=reference"}, referenceSummary(t), ""},
		{"json file", []string{"-arch", dense}, `Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
dense (Dense)                (None, 3)                 15        
=================================================================
Total params: 15
Trainable params: 15
Non-trainable params: 0
_________________________________________________________________
`, ""},
		{"unknown preset", []string{"-arch", "tiny"}, "", `-arch "tiny" is neither a preset (seed, reference, small, fcn, dense, small-same or fcn-small) nor a .json file`},
		{"missing file", []string{"-arch", filepath.Join(dir, "none.json")}, "", "reading the model spec: open "},
		{"misspelt field", []string{"-arch", typo}, "", `is not a model spec (JSON like {"input": [28, 28, 1]`},
		{"invalid model", []string{"-arch", bad}, "", "nn: layer 1 (dense): "},
		{"two values", []string{"-arch", two}, "", "has more than one JSON value"},
		{"extra argument", []string{"seed"}, "", "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runSummary(tt.args, &out)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, out.String())
		})
	}
}

// TestSummaryCommandSmall: the small preset builds and sums its weights.
func TestSummaryCommandSmall(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, runSummary([]string{"-arch", "small"}, &out))
	assert.Contains(t, out.String(), "Total params: 5,258\n")
}

// TestSummaryGoRun runs the real command line as a user types it.
func TestSummaryGoRun(t *testing.T) {
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to run the command line")
	cmd := exec.Command(goBin, "run", ".", "summary", "-arch", "seed")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	assert.Equal(t, referenceSummary(t), string(out))
}

// TestArchHostile: -arch files that ask for absurd sizes are one-line
// errors, never an out-of-memory crash: a layer of 1.6 trillion weights,
// a transposed convolution whose output is 33600x33600 or whose shape rule
// overflows (stride 2^61), a convolution with 23.5 million outputs per
// image, a 2 MB file.
func TestArchHostile(t *testing.T) {
	huge := filepath.Join(t.TempDir(), "huge.json")
	require.NoError(t, os.WriteFile(huge, []byte(`{"input": [28, 28, 1], "layers": [`+
		strings.Repeat(`{"type": "Dropout", "rate": 0.1},`, 70000)+`{"type": "Flatten"}]}`), 0o644))
	tests := []struct{ file, err string }{
		{"testdata/arch/dense-huge.json", "layer too large"},
		{"testdata/arch/transpose-stride.json", "layer 1 (conv2d_transpose): output (33600, 33600, 1) holds more than"},
		{"testdata/arch/transpose-overflow.json", "layer 1 (conv2d_transpose): strides 2305843009213693952 is larger than"},
		// 28x28x30000 values fit a tensor but not a usable model: nn.Validate's bound.
		{"testdata/arch/activation-big.json", "layer 1 (conv2d) outputs (28, 28, 30000): more than 16777216 values per sample"},
		{huge, "is larger than 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			var out bytes.Buffer
			err := runSummary([]string{"-arch", tt.file}, &out)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

// FuzzArchSpec feeds -arch files to the parser, the bounds and nn.Build:
// any input must give a model or an error, never a panic or a huge
// allocation. Seeded with testdata/arch and the presets.
func FuzzArchSpec(f *testing.F) {
	files, _ := filepath.Glob("testdata/arch/*.json")
	for _, p := range files {
		b, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(b)
	}
	for _, name := range []string{"seed", "small"} {
		spec, err := nn.Preset(name)
		require.NoError(f, err)
		b, err := json.Marshal(spec)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxArchJSON {
			return
		}
		spec, err := parseArchSpec("fuzz.json", data)
		if err != nil {
			return
		}
		// Big models are allowed but slow to build: the fuzzer builds small ones.
		if n, err := checkArchWithin(spec, 1<<20); err != nil || n > 1<<20 {
			return
		}
		m, err := nn.Build(spec, 1)
		if err != nil {
			return
		}
		_ = m.Summary()
	})
}
