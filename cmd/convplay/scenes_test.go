package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tinyFCN is a JSON model spec for the tiny data set's scenes: 64x64 pooled
// to 16x16, a conv, then a transposed conv back to 64x64 with a softmax
// over background and the tiny set's 3 classes.
const tinyFCN = `{"input": [64, 64, 1], "layers": [
	{"type": "MaxPooling2D", "pool_size": 4},
	{"type": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"},
	{"type": "Conv2DTranspose", "filters": 4, "kernel_size": 4, "strides": 4, "padding": "same", "activation": "softmax"}]}`

// trainTinyScenes trains tinyFCN on the tiny data set's scenes in dir.
func trainTinyScenes(t *testing.T, data, dir string, extra ...string) (string, string) {
	t.Helper()
	arch := filepath.Join(dir, "fcn.json")
	require.NoError(t, os.WriteFile(arch, []byte(tinyFCN), 0o644))
	ckpt := filepath.Join(dir, "fcn.cpw")
	args := append([]string{"-data", data + "-scenes", "-arch", arch, "-epochs", "2", "-batch", "8", "-subset", "24",
		"-val-subset", "8", "-optimizer", "adam", "-lr", "0.01", "-checkpoint", ckpt, "-csv", filepath.Join(dir, "history.csv"),
		"-plot", filepath.Join(dir, "history.png"), "-meta", filepath.Join(dir, "meta.json")}, extra...)
	var out bytes.Buffer
	require.NoError(t, runTrain(args, &out, nil), out.String())
	return ckpt, out.String()
}

func TestTrainScenes(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	ckpt, out := trainTinyScenes(t, data, dir)
	for _, want := range []string{"on Tiny stripes scenes: 24 training, 8 validation scenes;", "Epoch 2/2\n",
		" - accuracy: ", " - val_accuracy: ", "Best checkpoint: " + ckpt,
		"Test of the checkpoint on 1000 fixed scenes: loss "} {
		assert.Contains(t, out, want)
	}
	assert.Contains(t, out, " - val_mean_iou: ")
	csv, err := os.ReadFile(filepath.Join(dir, "history.csv"))
	require.NoError(t, err)
	assert.Len(t, strings.Split(strings.TrimSpace(string(csv)), "\n"), 3)
	assert.True(t, strings.HasPrefix(string(csv), "epoch,accuracy,loss,val_accuracy,val_loss,val_mean_iou\r\n"))
	_, err = os.Stat(filepath.Join(dir, "history.png"))
	require.NoError(t, err)

	rec := readRecord(t, dir)
	require.NotNil(t, rec.Test)
	assert.Equal(t, data+"-scenes", rec.Data.Name)
	assert.Equal(t, 1000, rec.Data.Test)
	assert.Greater(t, rec.Test.MeanIoU, 0.0)
	assert.Len(t, rec.History.ValMeanIoU, 2)
	assert.Greater(t, rec.Test.Accuracy, 0.5, "pixel accuracy: most pixels are background")

	// The same seed trains the same weights (the scenes are seeded too).
	again, _ := trainTinyScenes(t, data, t.TempDir())
	a, err := os.ReadFile(ckpt)
	require.NoError(t, err)
	c, err := os.ReadFile(again)
	require.NoError(t, err)
	assert.Equal(t, a, c)

	// -init trains on from the checkpoint: its first epoch starts where the
	// checkpoint left off, so its loss is below the fresh run's first.
	dir2 := t.TempDir()
	_, out2 := trainTinyScenes(t, data, dir2, "-init", ckpt, "-epochs", "1", "-no-test")
	rec2 := readRecord(t, dir2)
	assert.Contains(t, out2, "Epoch 1/1")
	assert.Less(t, rec2.History.Loss[0], rec.History.Loss[0])
	cls0 := filepath.Join(t.TempDir(), "x.cpw")
	require.NoError(t, os.WriteFile(cls0, []byte("not a model"), 0o644))
	err = runTrain([]string{"-data", data + "-scenes", "-arch", "fcn", "-init", cls0}, &bytes.Buffer{}, nil)
	assert.ErrorContains(t, err, "-init "+cls0+" into -arch fcn: ")

	// evaluate: the same test scenes, the same numbers, as text and JSON.
	var ev bytes.Buffer
	require.NoError(t, runEvaluate([]string{"-weights", ckpt, "-data", data + "-scenes"}, &ev))
	for _, want := range []string{"Tiny stripes scenes, test split (1000 scenes, seed 2026): loss ", "pixel accuracy ", "mean IoU ",
		"class", "IoU", " 0 background ", " 1 left ", " 3 top "} {
		assert.Contains(t, ev.String(), want)
	}
	ev.Reset()
	require.NoError(t, runEvaluate([]string{"-weights", ckpt, "-data", data + "-scenes", "-json", "-split", "validation", "-scenes", "8"}, &ev))
	var r struct {
		Scenes        int        `json:"scenes"`
		PixelAccuracy float64    `json:"pixel_accuracy"`
		MeanIoU       float64    `json:"mean_iou"`
		IoU           []*float64 `json:"iou"`
		Pixels        []int      `json:"pixels"`
		Classes       []string   `json:"classes"`
	}
	require.NoError(t, json.Unmarshal(ev.Bytes(), &r), ev.String())
	assert.Equal(t, 8, r.Scenes)
	assert.Equal(t, []string{"background", "left", "right", "top"}, r.Classes)
	total := 0
	for _, n := range r.Pixels {
		total += n
	}
	assert.Equal(t, 8*64*64, total)
	assert.InDelta(t, rec.History.ValAccuracy[len(rec.History.ValAccuracy)-1], r.PixelAccuracy, 1e-6,
		"the validation scenes are the fixed ones training validated on")

	// evaluate refuses the train split and a classifier.
	err = runEvaluate([]string{"-weights", ckpt, "-data", data + "-scenes", "-split", "train"}, &ev)
	assert.ErrorContains(t, err, "fixed test or validation scenes")
	cls, _ := trainTiny(t, data, t.TempDir(), 1, "-no-test")
	err = runEvaluate([]string{"-weights", cls, "-data", data + "-scenes"}, &ev)
	assert.ErrorContains(t, err, "segmenting scenes needs (64, 64, 1) to (64, 64, 4): use -arch fcn")

	// predict: a drawn picture (white paper, dark ink, 128x96) is scaled to
	// 64x64; its class map is a PNG of class indices and a JSON map.
	pic := image.NewGray(image.Rect(0, 0, 128, 96))
	for i := range pic.Pix {
		pic.Pix[i] = 255
	}
	for y := 10; y < 50; y++ {
		for x := 10; x < 40; x++ {
			pic.SetGray(x, y, color.Gray{})
		}
	}
	pp := filepath.Join(dir, "drawing.png")
	writeImage(t, pp, pic, png.Encode)
	var pr bytes.Buffer
	outDir := t.TempDir()
	require.NoError(t, runPredict([]string{"-weights", ckpt, "-data", data + "-scenes", "-out", outDir, pp}, &pr, io.Discard))
	var seg segmentation
	require.NoError(t, json.Unmarshal(pr.Bytes(), &seg), pr.String())
	assert.Equal(t, filepath.Join(outDir, "drawing.classes.png"), seg.Output)
	require.Len(t, seg.Map, 64)
	f, err := os.Open(seg.Output)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	pal, ok := img.(*image.Paletted)
	require.True(t, ok, "a paletted PNG")
	require.Equal(t, image.Rect(0, 0, 64, 64), pal.Bounds())
	for y := range 64 {
		for x := range 64 {
			require.Equal(t, seg.Map[y][x], int(pal.ColorIndexAt(x, y)), "pixel (%d, %d)", x, y)
		}
	}
}

func TestSceneBase(t *testing.T) {
	for in, want := range map[string]string{"digits-scenes": "digits", "fashion-scenes": "fashion", "/tmp/x-scenes": "/tmp/x"} {
		got, ok := sceneBase(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got)
	}
	_, ok := sceneBase("digits")
	assert.False(t, ok)
}

func TestScenesCommand(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	var out bytes.Buffer
	require.NoError(t, runScenes([]string{"-data", data, "-split", "validation", "-n", "3", "-first", "2", "-png", dir}, &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3)
	var l sceneLine
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &l))
	assert.Equal(t, 2, l.Index)
	assert.Equal(t, uint64(2026), l.Seed)
	require.NotEmpty(t, l.Items)
	for _, it := range l.Items {
		assert.Less(t, it.Image, 12, "validation images only")
	}
	for _, name := range []string{"tiny-validation-2.png", "tiny-validation-2.labels.png"} {
		f, err := os.Open(filepath.Join(dir, name))
		require.NoError(t, err)
		img, err := png.Decode(f)
		f.Close()
		require.NoError(t, err)
		assert.Equal(t, image.Rect(0, 0, 64, 64), img.Bounds())
	}
	assert.Error(t, runScenes([]string{"-data", data, "-split", "nope"}, &out))
}

// TestTrainScenesOnWindows: -crop trains on windows and checkpoints the
// whole-scene model (its record says the window), which then evaluates and
// predicts scenes; a window the network cannot map back, or -crop without
// scenes, is refused.
func TestTrainScenesOnWindows(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	ckpt, out := trainTinyScenes(t, data, dir, "-crop", "32")
	assert.Contains(t, out, "24 training 32x32 windows, 8 validation scenes;")
	assert.Contains(t, out, " - val_mean_iou: ")
	assert.Contains(t, out, "Test of the checkpoint on 1000 fixed scenes: loss ")
	rec := readRecord(t, dir)
	assert.Equal(t, 32, rec.Crop)
	require.NotNil(t, rec.Test)
	assert.Greater(t, rec.Test.Accuracy, 0.5)
	var ev bytes.Buffer
	require.NoError(t, runEvaluate([]string{"-weights", ckpt, "-data", data + "-scenes"}, &ev), "the checkpoint is the 64x64 model")

	err := runTrain([]string{"-data", data + "-scenes", "-arch", filepath.Join(dir, "fcn.json"), "-crop", "30", "-epochs", "1", "-no-test",
		"-checkpoint", filepath.Join(dir, "x.cpw")}, &bytes.Buffer{}, nil)
	assert.ErrorContains(t, err, "-crop 30: windows of side 30: nn: ")
	err = runTrain([]string{"-data", data, "-crop", "24"}, &bytes.Buffer{}, nil)
	assert.ErrorContains(t, err, "-crop is for -data fashion-scenes or digits-scenes")
}
