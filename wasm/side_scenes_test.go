//go:build js && wasm

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/nn"
	"convplay/scenes"
	"convplay/wasm/jsarray"
)

// newItemData is a data set of 28x28 items of ten classes: item i of a
// split has class i%10 and is a 12x12 square of brightness 60+15*class in
// the middle of a black image. Train has 30 items, validation 20, test 20
// (test item 3 a duplicate). Its scenes are easy to check: every labelled
// pixel lies in an item's square and carries that item's class.
func newItemData(t testing.TB) tinyData {
	d := tinyData{chunks: map[string][]byte{}}
	var files []any
	add := func(name, split, kind string, count int, raw []byte) {
		z := gz(t, raw)
		sum := sha256.Sum256(z)
		files = append(files, map[string]any{"name": name, "split": split, "kind": kind, "count": count, "size": len(z), "sha256": hex.EncodeToString(sum[:])})
		d.chunks[name] = z
		d.order = append(d.order, name)
	}
	counts := map[string]int{"train": 30, "validation": 20, "test": 20}
	for _, split := range []string{"train", "validation", "test"} {
		var images, labels []byte
		for i := range counts[split] {
			img := make([]byte, 28*28)
			for h := 8; h < 20; h++ {
				for w := 8; w < 20; w++ {
					img[h*28+w] = byte(60 + 15*(i%10))
				}
			}
			images = append(images, img...)
			labels = append(labels, byte(i%10))
		}
		add(split+"-00-images.u8.gz", split, "images", counts[split], images)
		add(split+"-00-labels.u8.gz", split, "labels", counts[split], labels)
	}
	classes := make([]any, 10)
	for k := range classes {
		classes[k] = map[string]any{"en": fmt.Sprint("item ", k), "zh": fmt.Sprint("物品", k)}
	}
	m := map[string]any{
		"format": "convplay-dataset", "version": 1, "name": "items", "title": "Items", "source": "test", "license": "MIT",
		"attribution": "test", "classes": classes, "shape": []int{28, 28, 1}, "counts": counts,
		"mean": 30, "std": 60, "order": "class", "test_duplicates": []int{3},
		"preview": map[string]any{"name": "", "size": 0, "sha256": "", "split": "", "samples": nil}, "files": files,
	}
	var err error
	d.manifest, err = json.Marshal(m)
	require.NoError(t, err)
	return d
}

// tinyFCN maps a scene to 11 classes a pixel with one 3x3 convolution: a
// map model small enough to train in a test.
func tinyFCN() nn.ModelSpec {
	return nn.ModelSpec{Input: []int{64, 64, 1}, Layers: []nn.LayerSpec{
		{Type: "Conv2D", Filters: 11, KernelSize: 3, Padding: "same", Activation: "softmax"}}}
}

// TestSegmentationSideModel: a side model with target scenes is checked to
// map a scene to a class per pixel, builds from the fcn preset or loads
// from a .cpw file, segments a scene the worker composed from the loaded
// images, and trains on scenes with mean IoU in its history.
func TestSegmentationSideModel(t *testing.T) {
	w, _ := newWorker()
	d := newItemData(t)

	r := request(w, "sideBuild", map[string]any{"name": "seg", "preset": "small", "target": "scenes"})
	assert.Equal(t, "nn: the model takes inputs of shape (28, 28, 1), but the scenes are (64, 64, 1)", r.err)
	ten := tinyFCN()
	ten.Layers[0].Filters = 10
	tenJSON, err := json.Marshal(ten)
	require.NoError(t, err)
	r = request(w, "sideBuild", map[string]any{"name": "seg", "spec": string(tenJSON), "target": "scenes"})
	assert.Equal(t, "nn: the model outputs (64, 64, 10), not a map (64, 64, 11) of scores for each pixel's 11 classes", r.err)
	r = request(w, "sideBuild", map[string]any{"name": "seg", "preset": "fcn", "target": "segments"})
	assert.Equal(t, `worker: target "segments" is not class, ink or scenes`, r.err)
	// The page's recipe from scratch: fcn-small with the background weighted.
	r = request(w, "sideBuild", map[string]any{"name": "seg", "preset": "fcn-small", "target": "scenes", "backgroundWeight": 0.1})
	require.True(t, r.ok, r.err)
	assert.Equal(t, "weighted_sparse_categorical_crossentropy(0.1)", r.result.Get("loss").String())
	assert.Equal(t, "worker: backgroundWeight must be a number, got string",
		request(w, "sideBuild", map[string]any{"name": "seg", "preset": "fcn-small", "target": "scenes", "backgroundWeight": "0.1"}).err)
	assert.Equal(t, "nn: background weight 0 is not a positive number",
		request(w, "sideBuild", map[string]any{"name": "seg", "preset": "fcn-small", "target": "scenes", "backgroundWeight": 0}).err)
	assert.Equal(t, "worker: backgroundWeight is for segmentation (target scenes), not target class",
		request(w, "sideBuild", map[string]any{"name": "cls", "preset": "small", "backgroundWeight": 0.1}).err)
	r = request(w, "sideBuild", map[string]any{"name": "seg", "preset": "fcn", "target": "scenes"})
	require.True(t, r.ok, r.err)
	assert.Equal(t, "sparse_categorical_crossentropy", r.result.Get("loss").String())
	layers := r.result.Get("layers")
	assert.Equal(t, []int{64, 64, 11}, ints(layers.Index(layers.Length()-1).Get("outShape")))

	// Scenes need the images they are made of, all of them.
	assert.Equal(t, "worker: no data set: send loadDataset first", request(w, "scene", map[string]any{"split": "test"}).err)
	r = send(w, obj(map[string]any{"id": 1, "type": "loadDataset", "manifest": string(d.manifest)}))
	require.True(t, r.ok, r.err)
	for _, name := range d.order[:2] { // the train split only
		require.True(t, send(w, obj(map[string]any{"id": 2, "type": "addChunk", "name": name, "bytes": jsarray.BytesToJS(d.chunks[name])})).ok)
	}
	assert.Equal(t, "worker: no test samples are loaded yet", request(w, "scene", map[string]any{"split": "test"}).err)
	for _, name := range d.order[2:] {
		require.True(t, send(w, obj(map[string]any{"id": 2, "type": "addChunk", "name": name, "bytes": jsarray.BytesToJS(d.chunks[name])})).ok)
	}
	assert.Contains(t, request(w, "scene", map[string]any{"split": "train"}).err, "training scenes change with every run")

	// A fixed test scene is the scenes package's, from the deduplicated test
	// split with the fixed seed, and its labels follow its items.
	r = request(w, "scene", map[string]any{"split": "test", "index": 5})
	require.True(t, r.ok, r.err)
	img, labels := bytesOf(r.result.Get("image")), bytesOf(r.result.Get("labels"))
	require.Len(t, img, 64*64)
	require.Len(t, labels, 64*64)
	var g *scenes.Generator
	g, err = scenes.New(w.data.DedupTest(), scenes.FixedSeed, scenes.Test)
	require.NoError(t, err)
	wantImg, wantLabels := make([]uint8, 64*64), make([]uint8, 64*64)
	items := g.Draw(wantImg, wantLabels, 5)
	assert.Equal(t, wantImg, img)
	assert.Equal(t, wantLabels, labels)
	require.Equal(t, len(items), r.result.Get("items").Length())
	for k, it := range items {
		got := r.result.Get("items").Index(k)
		assert.Equal(t, it.Class, got.Get("class").Int())
		assert.NotEqual(t, 3, it.Image, "the duplicate test image is left out")
		for h := it.Row + 8; h < it.Row+20; h++ { // the item's square carries a class (its own, or an overlapping item's)
			for c := it.Col + 8; c < it.Col+20; c++ {
				assert.NotZero(t, labels[h*64+c])
			}
		}
	}
	for i, l := range labels {
		if l == 0 {
			assert.Less(t, img[i], uint8(scenes.Threshold), "an unlabelled pixel is dark")
		}
	}
	px := r.result.Get("pixels")
	assert.InDelta(t, (float64(img[0])-30)/60, px.Index(0).Float(), 1e-6, "standardized with the data set's mean and std")

	// segment: every pixel's probabilities, its class and the trace.
	r = request(w, "segment", map[string]any{"name": "seg", "pixels": px})
	require.True(t, r.ok, r.err)
	assert.Equal(t, []int{64, 64, 11}, ints(r.result.Get("shape")))
	probs := floatsOf(r.result.Get("probs"))
	classes := ints(r.result.Get("classes"))
	require.Len(t, probs, 64*64*11)
	require.Len(t, classes, 64*64)
	counts, total := ints(r.result.Get("counts")), 0
	for p, k := range classes {
		row := probs[p*11 : (p+1)*11]
		sum := float32(0)
		for _, v := range row {
			sum += v
			require.LessOrEqual(t, v, row[k], "class %d of pixel %d is the most probable", k, p)
		}
		require.InDelta(t, 1, sum, 1e-4, "a softmax over the channels at pixel %d", p)
	}
	for _, n := range counts {
		total += n
	}
	assert.Equal(t, 64*64, total)
	assert.Equal(t, layers.Length(), r.result.Get("trace").Length())
	r2 := request(w, "segment", map[string]any{"name": "seg", "image": jsarray.BytesToJS(img)})
	require.True(t, r2.ok, r2.err)
	assert.Equal(t, classes, ints(r2.result.Get("classes")), "the canvas standardized in the worker segments as its pixels")
	assert.Equal(t, "worker: image has 4 pixels, want 4096: one (64, 64, 1) scene", request(w, "segment", map[string]any{"name": "seg", "image": jsarray.BytesToJS(make([]byte, 4))}).err)
	assert.Contains(t, request(w, "segment", map[string]any{"name": "nope", "pixels": px}).err, `no side model "nope"`)
	require.True(t, request(w, "sideBuild", map[string]any{"name": "cls", "spec": tinySpecFor2x2()}).ok)
	assert.Contains(t, request(w, "segment", map[string]any{"name": "cls", "pixels": px}).err, "does not segment scenes")

	// sideLoad takes a .cpw file's model, checked the same way.
	m, err := nn.Build(tinyFCN(), 3)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	r = request(w, "sideLoad", map[string]any{"name": "tiny", "target": "scenes", "bytes": jsarray.BytesToJS(buf.Bytes()),
		"optimizer": map[string]any{"name": "adam", "learning_rate": 0.05}})
	require.True(t, r.ok, r.err)
	assert.Equal(t, 110, r.result.Get("totalParams").Int(), "3*3*1*11 + 11")
	assert.Equal(t, "nn: the model takes inputs of shape (28, 28, 1), but the scenes are (64, 64, 1)",
		request(w, "sideLoad", map[string]any{"name": "bad", "target": "scenes", "bytes": jsarray.BytesToJS(saved(t, nn.SmallSpec()))}).err)
	assert.Contains(t, request(w, "sideLoad", map[string]any{"name": "bad", "target": "scenes", "bytes": jsarray.BytesToJS([]byte("not a model"))}).err, "nn:")

	// Training on scenes: new training scenes every epoch, the fixed
	// validation scenes scored with mean IoU.
	r = sideRun(t, w, "tiny", map[string]any{"epochs": 3, "batchSize": 4, "subset": 8, "validationSubset": 4})
	h := r.result.Get("history")
	require.Equal(t, 3, h.Length())
	assert.Equal(t, 8, r.result.Get("samples").Int())
	for i := range 3 {
		iou := h.Index(i).Get("val_mean_iou").Float()
		assert.True(t, iou > 0 && iou <= 1, "epoch %d's val_mean_iou %v", i+1, iou)
	}
	assert.Less(t, h.Index(2).Get("loss").Float(), h.Index(0).Get("loss").Float(), "the per-pixel loss falls")
}

// saved is a fresh model of spec as a .cpw file.
func saved(t *testing.T, spec nn.ModelSpec) []byte {
	m, err := nn.Build(spec, 1)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	return buf.Bytes()
}

// bytesOf and floatsOf copy a Uint8Array and a Float32Array to Go.
func bytesOf(v js.Value) []byte {
	b, err := jsarray.BytesFromJS(v, "bytes")
	if err != nil {
		panic(err)
	}
	return b
}

func floatsOf(v js.Value) []float32 {
	f := make([]float32, v.Length())
	if err := jsarray.Float32sFromJS(f, v, "floats"); err != nil {
		panic(err)
	}
	return f
}

// TestSegmentationCropTraining: sideTrain's crop trains a scenes model on
// windows through its resized copy (the same weights: the model itself
// moves) and validates the whole scenes; a crop the network cannot map
// back to its own size, or one off the canvas, or on a class model, is a
// clear error.
func TestSegmentationCropTraining(t *testing.T) {
	w, _ := newWorker()
	d := newItemData(t)
	require.True(t, send(w, obj(map[string]any{"id": 1, "type": "loadDataset", "manifest": string(d.manifest)})).ok)
	for _, name := range d.order {
		require.True(t, send(w, obj(map[string]any{"id": 2, "type": "addChunk", "name": name, "bytes": jsarray.BytesToJS(d.chunks[name])})).ok)
	}
	r := request(w, "sideBuild", map[string]any{"name": "seg", "preset": "fcn-small", "target": "scenes", "backgroundWeight": 0.1,
		"optimizer": map[string]any{"name": "adam", "learning_rate": 0.01}})
	require.True(t, r.ok, r.err)
	before := w.side["seg"].model.FlatWeights(nil)
	r = sideRun(t, w, "seg", map[string]any{"epochs": 2, "batchSize": 4, "subset": 8, "validationSubset": 4, "crop": 24})
	h := r.result.Get("history")
	require.Equal(t, 2, h.Length())
	assert.Equal(t, 8, r.result.Get("samples").Int())
	assert.NotEqual(t, before, w.side["seg"].model.FlatWeights(nil), "the windows' steps moved the scene model's weights")
	assert.Equal(t, nn.Shape{64, 64, 1}, w.side["seg"].model.InShape(), "the side model still segments whole scenes")
	for i := range 2 {
		iou := h.Index(i).Get("val_mean_iou").Float()
		assert.True(t, iou > 0 && iou <= 1, "epoch %d's val_mean_iou %v", i+1, iou)
		acc := h.Index(i).Get("val_accuracy").Float()
		assert.True(t, acc > 0 && acc <= 1, "epoch %d's val_accuracy %v is a fraction of the scenes' pixels", i+1, acc)
	}

	for crop, want := range map[any]string{
		30:    "worker: crop: windows of side 30: nn: the model outputs (28, 28, 11), not a map (30, 30, 11) of scores for each pixel's 11 classes",
		65:    "scenes: a window of side 65 does not fit a 64 x 64 scene",
		-4:    "crop",
		"big": "crop",
	} {
		assert.Contains(t, request(w, "sideTrain", map[string]any{"name": "seg", "subset": 8, "crop": crop}).err, want, "crop %v", crop)
	}
	require.True(t, request(w, "sideBuild", map[string]any{"name": "cls", "spec": tinySpecFor2x2()}).ok)
	assert.Equal(t, "worker: crop is for segmentation (target scenes), not target class",
		request(w, "sideTrain", map[string]any{"name": "cls", "crop": 24}).err)
}
