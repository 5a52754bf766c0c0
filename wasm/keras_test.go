//go:build js && wasm

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"convplay/keras"

	"convplay/wasm/jsarray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadFashionShaped sends a data set shaped as Fashion-MNIST's (28x28x1,
// ten classes, its mean and std) with n samples a split of made-up
// images, for the Keras fixtures, whose models take 28x28 images.
func loadFashionShaped(t *testing.T, w *worker, n int) {
	var files []any
	chunks := map[string][]byte{}
	var order []string
	for _, split := range []string{"train", "validation", "test"} {
		var im, lb []byte
		for i := range n {
			for p := range 28 * 28 {
				im = append(im, byte((p*7+i*31)%256))
			}
			lb = append(lb, byte(i%10))
		}
		for kind, raw := range map[string][]byte{"images": im, "labels": lb} {
			name := split + "-00-" + kind + ".u8.gz"
			z := gz(t, raw)
			sum := sha256.Sum256(z)
			files = append(files, map[string]any{"name": name, "split": split, "kind": kind, "count": n, "size": len(z), "sha256": hex.EncodeToString(sum[:])})
			chunks[name] = z
			order = append(order, name)
		}
	}
	classes := make([]any, 10)
	for i := range classes {
		classes[i] = map[string]any{"en": "c" + string(rune('0'+i)), "zh": "c"}
	}
	man, err := json.Marshal(map[string]any{
		"format": "convplay-dataset", "version": 1, "name": "fashion", "title": "Fashion-shaped", "source": "test", "license": "MIT",
		"attribution": "test", "classes": classes, "shape": []int{28, 28, 1},
		"counts": map[string]int{"train": n, "validation": n, "test": n}, "mean": 72.94, "std": 90.02, "order": "alternating",
		"preview": map[string]any{"name": "", "size": 0, "sha256": "", "split": "", "samples": nil}, "files": files,
	})
	require.NoError(t, err)
	r := send(w, obj(map[string]any{"id": 1, "type": "loadDataset", "manifest": string(man)}))
	require.True(t, r.ok, r.err)
	for _, name := range order {
		r := send(w, obj(map[string]any{"id": 2, "type": "addChunk", "name": name, "bytes": jsarray.BytesToJS(chunks[name])}))
		require.True(t, r.ok, r.err)
	}
}

func kerasFixture(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "keras", "testdata", name))
	require.NoError(t, err)
	return b
}

// TestLoadKeras loads the Keras fixtures through the worker: a file that
// does not say what its input is asks (the model stays), is checked with
// each answer, then loads with one; a file with a Rescaling first and
// logits loads at once, wrapped; refused files leave the model as it was.
func TestLoadKeras(t *testing.T) {
	w, ev := newWorker()
	r := sendConverted(t, w, map[string]any{"id": 1, "type": "loadKeras", "bytes": jsarray.BytesToJS(kerasFixture(t, "functional_k2.h5"))})
	assert.Contains(t, r.err, "no data set")
	loadFashionShaped(t, w, 20)
	r = send(w, obj(map[string]any{"id": 1, "type": "buildModel", "preset": "seed"}))
	require.True(t, r.ok, r.err)
	before := describeModel(w.model)["summary"]

	// No answer: the file is read and checked, the model stays.
	h5 := kerasFixture(t, "functional_k2.h5")
	r = sendConverted(t, w, map[string]any{"id": 2, "type": "loadKeras", "bytes": jsarray.BytesToJS(h5)})
	require.True(t, r.ok, r.err)
	assert.True(t, r.result.Get("needsInput").Bool())
	k := r.result.Get("keras")
	assert.Equal(t, "Keras 2 .h5", k.Get("format").String())
	assert.Equal(t, "2.13.1", k.Get("kerasVersion").String())
	assert.False(t, k.Get("scalingKnown").Bool())
	assert.True(t, k.Get("input").IsNull())
	assert.Equal(t, before, describeModel(w.model)["summary"])

	// Each answer's accuracy on the test images; the model stays.
	for _, in := range []string{"standardized", "unit", "raw"} {
		req, failed := converted(t, w, map[string]any{"id": 3, "type": "kerasAccuracy", "bytes": jsarray.BytesToJS(h5), "input": in, "samples": 15})
		require.Empty(t, failed)
		r := sendWait(t, w, ev, req)
		require.True(t, r.ok, r.err)
		assert.Equal(t, 3, r.id.Int())
		assert.Equal(t, 15, r.result.Get("samples").Int())
		assert.True(t, r.result.Get("dedup").IsNull())
		acc := r.result.Get("accuracy").Float()
		assert.True(t, acc >= 0 && acc <= 1, acc)
	}
	assert.Equal(t, before, describeModel(w.model)["summary"])
	r = sendConverted(t, w, map[string]any{"id": 3, "type": "kerasAccuracy", "bytes": jsarray.BytesToJS(h5), "input": "half"})
	assert.Contains(t, r.err, `unknown input scaling "half"`)
	r = sendConverted(t, w, map[string]any{"id": 3, "type": "kerasAccuracy", "bytes": jsarray.BytesToJS(h5)})
	assert.Contains(t, r.err, "input must be")

	// The answer: the model is the file's, behind an input_scaling layer,
	// and predicts what the file's model does on pixels/255.
	r = sendConverted(t, w, map[string]any{"id": 4, "type": "loadKeras", "bytes": jsarray.BytesToJS(h5), "input": "unit"})
	require.True(t, r.ok, r.err)
	assert.Equal(t, "unit", r.result.Get("keras").Get("input").String())
	names := []string{}
	for i := 0; i < r.result.Get("layers").Length(); i++ {
		names = append(names, r.result.Get("layers").Index(i).Get("name").String())
	}
	assert.Equal(t, "input_scaling", names[0])
	assert.Equal(t, len(w.model.Spec.Layers), len(names))
	assert.Equal(t, "Rescaling", w.model.Spec.Layers[0].Type)
	assert.InDelta(t, 90.02/255, w.model.Spec.Layers[0].Scale, 1e-9)
	// It saves and loads back as it is (the answer is in its first layer).
	cpw := exported(t, w, "cpw")
	r = send(w, obj(map[string]any{"id": 5, "type": "loadWeights", "bytes": jsarray.BytesToJS(cpw), "build": true}))
	require.True(t, r.ok, r.err)
	assert.Equal(t, len(names), r.result.Get("layers").Length())

	// A Rescaling first answers by itself; logits get a softmax.
	r = sendConverted(t, w, map[string]any{"id": 6, "type": "loadKeras", "bytes": jsarray.BytesToJS(kerasFixture(t, "bn_logits.keras"))})
	require.True(t, r.ok, r.err)
	k = r.result.Get("keras")
	assert.True(t, k.Get("scalingKnown").Bool())
	assert.True(t, k.Get("logits").Bool())
	assert.Equal(t, "raw", k.Get("input").String())
	n := r.result.Get("layers").Length()
	assert.Equal(t, "softmax_of_logits", r.result.Get("layers").Index(n-1).Get("name").String())
	probs := probsOf(t, w, make([]float32, 28*28))
	sum := float32(0)
	for _, p := range probs {
		sum += p
	}
	assert.InDelta(t, 1, sum, 1e-5)
	kept := describeModel(w.model)["summary"]

	// Back to Keras: the .keras download is the file's model, not the
	// worker's wrapping of it (keras.TestExport checks it with h5py).
	back, info, err := keras.Read(exported(t, w, "keras"))
	require.NoError(t, err)
	assert.Equal(t, "Keras 3 .keras", info.Format)
	file, _, err := keras.Read(kerasFixture(t, "bn_logits.keras"))
	require.NoError(t, err)
	assert.Equal(t, file.Spec, back.Spec)
	assert.Equal(t, kept, describeModel(w.model)["summary"], "exporting changes nothing")

	// Data augmentation layers are left out and named.
	w2, _ := newWorker()
	loadFashionShaped(t, w2, 20)
	r = sendConverted(t, w2, map[string]any{"id": 8, "type": "loadKeras", "bytes": jsarray.BytesToJS(kerasFixture(t, "augment.keras"))})
	require.True(t, r.ok, r.err)
	sk := r.result.Get("keras").Get("skipped")
	require.Equal(t, 3, sk.Length())
	assert.Equal(t, "random_flip (RandomFlip)", sk.Index(0).String())

	// A Keras file the relay did not convert is refused, in one line.
	r = send(w, obj(map[string]any{"id": 9, "type": "loadKeras", "bytes": jsarray.BytesToJS(kerasFixture(t, "functional_k2.h5")), "input": "unit"}))
	assert.Equal(t, "worker: a Keras file reaches the engine converted (model and keras, from worker.js's formats module)", r.err)

	// Refused files: the model stays.
	for _, tt := range []struct{ name, file, want string }{
		{"a Lambda", "lambda_k2.h5", `keras: layer "lambda" (Lambda) is not supported`},
		{"a branch", "branch.keras", `keras: layer "add" (Add) is not supported`},
		{"three classes", "tiny3_k3.h5", "the model outputs 3 class scores, but the data set has 10 classes"},
		{"cut short", "reference_k2.h5", "keras: invalid model file"},
		{"not a model", "", "neither an HDF5 (.h5) nor a zip (.keras) file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte("hello")
			if tt.file != "" {
				b = kerasFixture(t, tt.file)
			}
			if tt.name == "cut short" {
				b = b[:len(b)/2]
			}
			r := sendConverted(t, w, map[string]any{"id": 7, "type": "loadKeras", "bytes": jsarray.BytesToJS(b), "input": "unit"})
			assert.Contains(t, r.err, tt.want)
			assert.Equal(t, kept, describeModel(w.model)["summary"])
		})
	}
}
