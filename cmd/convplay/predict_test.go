package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/dataset"
	"convplay/internal/testimage"
	"convplay/nn"
)

// predictions runs predict and parses its JSON lines.
func predictions(t *testing.T, args ...string) []prediction {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, runPredict(args, &out, io.Discard))
	var ps []prediction
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var p prediction
		require.NoError(t, json.Unmarshal(sc.Bytes(), &p), sc.Text())
		ps = append(ps, p)
	}
	return ps
}

func TestPredictCommand(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	ckpt, _ := trainTiny(t, data, dir, 3)
	m, err := loadModel(ckpt, "")
	require.NoError(t, err)
	ds, err := openData(data)
	require.NoError(t, err)
	test := mustSplit(ds, dataset.Test)

	// .npy of raw pixels, (N, 28, 28) uint8 and (N, 28, 28, 1) float64:
	// the test split's first three images, predicted as the data set's.
	raw := append(append(append([]uint8(nil), test.Image(0)...), test.Image(1)...), test.Image(2)...)
	u8 := filepath.Join(dir, "u8.npy")
	writeNPY(t, u8, "|u1", []int{3, 28, 28}, raw, false)
	f64 := make([]byte, 0, 8*len(raw))
	for _, p := range raw {
		f64 = appendFloat64(f64, float64(p))
	}
	f8 := filepath.Join(dir, "f8.npy")
	writeNPY(t, f8, "<f8", []int{3, 28, 28, 1}, f64, false)
	x, y := make([]float32, 3*28*28), make([]float32, 3)
	test.Fill(x, y, []int{0, 1, 2})
	want, err := m.Predict(x, 3)
	require.NoError(t, err)
	std := filepath.Join(dir, "std.npy")
	writeNPY(t, std, "<f4", []int{3, 28, 28, 1}, float32Bytes(x), false)
	for _, args := range [][]string{{u8}, {f8}, {"-standardized", std}} {
		ps := predictions(t, append([]string{"-weights", ckpt, "-data", data}, args...)...)
		require.Len(t, ps, 3)
		for i, p := range ps {
			assert.Equal(t, want[i*3:(i+1)*3], p.Probs, "%s image %d", args, i)
			assert.Equal(t, int(y[i]), p.Top)
			assert.Equal(t, tinyClasses[p.Top].En, p.Class)
			assert.True(t, strings.HasSuffix(p.Input, "["+string(rune('0'+i))+"]"), p.Input)
		}
	}

	// Pictures: bright ink on the left of black paper (class 0) as PNG,
	// dark ink on the right of white paper (class 1) as JPEG, with -fit
	// none (the picture scaled whole, here 28x28 already).
	left := filepath.Join(dir, "left.png")
	writeImage(t, left, testimage.Picture(28, 28, image.Rect(0, 2, 14, 26), color.Gray{0}, color.Gray{255}), png.Encode)
	right := filepath.Join(dir, "right.jpg")
	writeImage(t, right, testimage.Picture(28, 28, image.Rect(14, 2, 28, 26), color.Gray{255}, color.Gray{0}),
		func(w io.Writer, img image.Image) error { return jpeg.Encode(w, img, &jpeg.Options{Quality: 95}) })
	ps := predictions(t, "-weights", ckpt, "-data", data, "-fit", "none", left, right)
	require.Len(t, ps, 2)
	assert.Equal(t, left, ps[0].Input)
	assert.Equal(t, 0, ps[0].Top)
	assert.Equal(t, 1, ps[1].Top)
	for _, p := range ps {
		sum := float32(0)
		for _, v := range p.Probs {
			sum += v
		}
		assert.InDelta(t, 1, sum, 1e-5)
	}
	// The PNG's probabilities are the model's on the standardized block.
	x = make([]float32, 28*28)
	standardize(x, testimage.Block(image.Rect(0, 2, 14, 26)), ds.Manifest)
	want, err = m.Predict(x, 1)
	require.NoError(t, err)
	assert.Equal(t, want, ps[0].Probs)
}

func TestPredictErrors(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	ckpt, _ := trainTiny(t, data, dir, 1)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	shape := filepath.Join(dir, "shape.npy")
	writeNPY(t, shape, "|u1", []int{2, 14, 14}, make([]byte, 2*14*14), false)
	big := filepath.Join(dir, "big.npy")
	writeNPY(t, big, "<f4", []int{1, 28, 28}, float32Bytes(append(make([]float32, 783), 256)), false)
	nan := filepath.Join(dir, "nan.npy")
	writeNPY(t, nan, "<f4", []int{1, 28, 28}, float32Bytes(append(make([]float32, 783), float32(math.NaN()))), false)
	fortran := filepath.Join(dir, "fortran.npy")
	writeNPY(t, fortran, "<f4", []int{1, 28, 28}, float32Bytes(make([]float32, 784)), true)
	short := filepath.Join(dir, "short.npy")
	writeNPY(t, short, "<f4", []int{1, 28, 28}, float32Bytes(make([]float32, 700)), false)
	cplx := filepath.Join(dir, "complex.npy")
	writeNPY(t, cplx, "<c8", []int{1, 28, 28}, make([]byte, 8*784), false)
	png := write("fake.png", "not a picture")
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"no weights", []string{png}, "usage"},
		{"no input", []string{"-weights", ckpt}, "usage"},
		{"unknown flag", []string{"-weight", ckpt, png}, "usage"},
		{"missing weights", []string{"-weights", filepath.Join(dir, "none.cpw"), png}, "reading the weights: open "},
		{"not a weights file", []string{"-weights", png, png}, "nn: invalid weights file"},
		{"npz into the wrong arch", []string{"-weights", write("w.npz", "PK"), "-arch", "small", png}, "into -arch small"},
		{"missing data", []string{"-weights", ckpt, "-data", filepath.Join(dir, "nodata"), png}, "no packed data set in"},
		{"bad fit", []string{"-weights", ckpt, "-data", data, "-fit", "stretch", png}, `-fit "stretch": want auto, mnist, fashion or none`},
		{"not a picture", []string{"-weights", ckpt, "-data", data, png}, "is neither a PNG or JPEG picture nor a .npy file"},
		{"missing input", []string{"-weights", ckpt, "-data", data, filepath.Join(dir, "none.png")}, "no such file"},
		{"wrong shape", []string{"-weights", ckpt, "-data", data, shape}, "holds an array of shape (2, 14, 14); want (N, 28, 28) or (N, 28, 28, 1)"},
		{"raw out of range", []string{"-weights", ckpt, "-data", data, big}, "value 783 is 256, outside the raw pixel range 0..255 (use -standardized"},
		{"fortran order", []string{"-weights", ckpt, "-data", data, fortran}, "Fortran-order arrays are not supported"},
		{"nan", []string{"-weights", ckpt, "-data", data, nan}, "value 783 is NaN"},
		{"truncated", []string{"-weights", ckpt, "-data", data, short}, "the array's data is truncated"},
		{"complex", []string{"-weights", ckpt, "-data", data, cplx}, `dtype "<c8" is not supported`},
		{"not npy", []string{"-weights", ckpt, "-data", data, write("x.npy", "\x93NUMPZ\x01\x00")}, "is not a .npy file"},
		{"standardized picture", []string{"-weights", ckpt, "-data", data, "-standardized", png}, "-standardized applies to .npy inputs only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runPredict(tt.args, &bytes.Buffer{}, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}

func writeImage(t *testing.T, path string, img image.Image, enc func(io.Writer, image.Image) error) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, enc(f, img))
	require.NoError(t, f.Close())
}

func appendFloat64(b []byte, v float64) []byte {
	u := math.Float64bits(v)
	for i := range 8 {
		b = append(b, byte(u>>(8*i)))
	}
	return b
}

// TestPredictKerasOrder: weights written by PyTorch in Keras's
// get_weights() order (testdata/keras_order.py) load into the reference
// model, and predict matches PyTorch's float64 probabilities within 1e-5.
func TestPredictKerasOrder(t *testing.T) {
	dir := filepath.Join("testdata", "keras_order")
	var stats struct{ Mean, Std float64 }
	b, err := os.ReadFile(filepath.Join(dir, "stats.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &stats))
	// A data set directory for the mean and std: only its manifest is read.
	data := t.TempDir()
	man := dataset.Manifest{Format: dataset.Format, Version: dataset.Version, Name: "stats", Title: "stats",
		Classes: make([]dataset.Class, 10), Shape: []int{28, 28, 1}, Mean: stats.Mean, Std: stats.Std, TestDuplicates: []int{}}
	mj, err := json.Marshal(man)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(data, dataset.ManifestName), mj, 0o644))

	shape, want, err := readNPYFile(filepath.Join(dir, "probs.npy"))
	require.NoError(t, err)
	require.Equal(t, nn.Shape{5, 10}, shape)
	ps := predictions(t, "-weights", filepath.Join(dir, "weights.npz"), "-arch", "seed", "-data", data, filepath.Join(dir, "images.npy"))
	require.Len(t, ps, 5)
	for i, p := range ps {
		for j, v := range p.Probs {
			assert.InDelta(t, want[i*10+j], float64(v), 1e-5, "image %d class %d", i, j)
		}
	}
}
