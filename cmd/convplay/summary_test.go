package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		{"unknown preset", []string{"-arch", "tiny"}, "", `-arch "tiny" is neither a preset (seed, reference, small or fcn) nor a .json file`},
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
