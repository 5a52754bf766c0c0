package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/internal/testimage"
)

// TestHostileModels: predict and evaluate refuse nn's hostile model files
// (nn/hostile_test.go) with one line naming the problem, before they use
// the model. The .npz files hold weights for -arch small.
func TestHostileModels(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	pic := filepath.Join(dir, "pic.png")
	writeImage(t, pic, testimage.Picture(28, 28, image.Rect(0, 2, 14, 26), color.Gray{0}, color.Gray{255}), png.Encode)
	files, err := filepath.Glob("../../nn/testdata/hostile/*")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			args := []string{"-weights", path, "-data", data}
			if strings.HasSuffix(path, ".npz") {
				args = append(args, "-arch", "small")
			}
			for name, run := range map[string]func() error{
				"predict":  func() error { return runPredict(append(args, pic), &bytes.Buffer{}, io.Discard) },
				"evaluate": func() error { return runEvaluate(args, &bytes.Buffer{}) },
			} {
				err := run()
				require.Error(t, err, name)
				assert.Contains(t, err.Error(), "nn: ", name)
				assert.NotContains(t, err.Error(), "\n", "%s: one line", name)
				assert.Regexp(t, `(layer \d+ \(\w+\)|the model (takes|outputs))`, err.Error(), name)
			}
		})
	}
}
