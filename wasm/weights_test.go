//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"convplay/wasm/jsarray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probsOf predicts one image and returns the probabilities.
func probsOf(t *testing.T, w *worker, px []float32) []float32 {
	t.Helper()
	r := send(w, obj(map[string]any{"id": 50, "type": "predict", "pixels": jsarray.Float32sToJS(px)}))
	require.True(t, r.ok, r.err)
	p := make([]float32, r.result.Get("probs").Length())
	require.NoError(t, jsarray.Float32sFromJS(p, r.result.Get("probs"), "probs"))
	return p
}

func TestWeights(t *testing.T) {
	w, _ := newWorker()
	r := send(w, obj(map[string]any{"id": 1, "type": "exportWeights"}))
	assert.Equal(t, "worker: no model: send buildModel first", r.err)
	r = send(w, obj(map[string]any{"id": 1, "type": "loadWeights", "bytes": jsarray.BytesToJS(sumModel(t))}))
	assert.Equal(t, "worker: no model to load the weights into: send buildModel first, or loadWeights with build: true", r.err)

	// build: true makes the model the file describes: the sum model.
	r = send(w, obj(map[string]any{"id": 2, "type": "loadWeights", "bytes": jsarray.BytesToJS(sumModel(t)), "build": true}))
	require.True(t, r.ok, r.err)
	assert.Equal(t, 10, r.result.Get("totalParams").Int())
	bright := []float32{2, 2, 2, 2} // logits (0, 8)
	want := probsOf(t, w, bright)
	assert.InDelta(t, 0.999665, want[1], 1e-6)
	cpw, npz := exported(t, w, "cpw"), exported(t, w, "npz")
	assert.True(t, strings.HasPrefix(string(cpw), "\x89CPW"))
	assert.True(t, strings.HasPrefix(string(npz), npzMagic))

	other := func() []byte { // the small model's weights: another architecture
		w2, _ := newWorker()
		r := send(w2, obj(map[string]any{"id": 1, "type": "buildModel", "preset": "small"}))
		require.True(t, r.ok, r.err)
		return exported(t, w2, "cpw")
	}()
	flip := func(b []byte, i int) []byte {
		b = append([]byte(nil), b...)
		b[i] ^= 0x40
		return b
	}
	bad := []struct {
		name    string
		args    map[string]any
		wantErr string
	}{
		{"another architecture", map[string]any{"bytes": jsarray.BytesToJS(other)}, "nn: weights file is for a different model: layer 2 (dense) kernel is (3, 3, 1, 8) in the file, (4, 2) here"},
		{"corrupt .cpw", map[string]any{"bytes": jsarray.BytesToJS(flip(cpw, len(cpw)/2))}, "nn: invalid weights file: "},
		{"truncated .cpw", map[string]any{"bytes": jsarray.BytesToJS(cpw[:len(cpw)-9])}, "nn: invalid weights file: "},
		{"not a weights file", map[string]any{"bytes": jsarray.BytesToJS([]byte("hello"))}, "nn: invalid weights file: "},
		{"corrupt .npz", map[string]any{"bytes": jsarray.BytesToJS(flip(npz, 150))}, "nn: invalid weights file: "},
		{"truncated .npz", map[string]any{"bytes": jsarray.BytesToJS(npz[:len(npz)-1])}, "nn: invalid weights file: "},
		{"corrupt .cpw to build", map[string]any{"bytes": jsarray.BytesToJS(flip(cpw, len(cpw)/2)), "build": true}, "nn: invalid weights file: "},
		{".npz to build", map[string]any{"bytes": jsarray.BytesToJS(npz), "build": true}, "worker: an .npz file holds weights only: build a model first, then load it without build"},
		{"no bytes", map[string]any{}, "bytes must be a Uint8Array"},
		{"build not a boolean", map[string]any{"bytes": jsarray.BytesToJS(cpw), "build": 1}, "worker: build must be true or false, got number"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			args := map[string]any{"id": 3, "type": "loadWeights"}
			for k, v := range tt.args {
				args[k] = v
			}
			r := sendConverted(t, w, args)
			assert.False(t, r.ok)
			assert.True(t, strings.HasPrefix(r.err, tt.wantErr), "got %q, want prefix %q", r.err, tt.wantErr)
			// The model is untouched.
			assert.Equal(t, want, probsOf(t, w, bright))
		})
	}

	t.Run("round trips", func(t *testing.T) {
		for _, b := range [][]byte{cpw, npz} {
			w2, _ := newWorker()
			r := send(w2, obj(map[string]any{"id": 1, "type": "buildModel", "spec": tinySpecFor2x2()}))
			require.True(t, r.ok, r.err)
			assert.NotEqual(t, want, probsOf(t, w2, bright), "a fresh model differs")
			r = sendConverted(t, w2, map[string]any{"id": 2, "type": "loadWeights", "bytes": jsarray.BytesToJS(b)})
			require.True(t, r.ok, r.err)
			assert.Equal(t, want, probsOf(t, w2, bright))
		}
	})
	r = send(w, obj(map[string]any{"id": 4, "type": "exportWeights", "format": "h5"}))
	assert.Equal(t, `worker: format "h5", want cpw (worker.js converts it to npz or keras)`, r.err)
}

// tinySpecFor2x2 is tinyModelSpec as the page sends it.
func tinySpecFor2x2() map[string]any {
	return map[string]any{"input": []any{2, 2, 1}, "layers": []any{
		map[string]any{"type": "Flatten"}, map[string]any{"type": "Dense", "units": 2, "activation": "softmax"}}}
}

func TestPredictTrace(t *testing.T) {
	w, _ := newWorker()
	// MaxPooling2D(2) over a 2x2 map keeps its maximum; Flatten; Dense(2).
	spec := map[string]any{"input": []any{2, 2, 1}, "layers": []any{
		map[string]any{"type": "MaxPooling2D", "pool_size": 2},
		map[string]any{"type": "Flatten"},
		map[string]any{"type": "Dense", "units": 2, "activation": "softmax"}}}
	r := send(w, obj(map[string]any{"id": 1, "type": "buildModel", "spec": spec}))
	require.True(t, r.ok, r.err)

	tests := []struct {
		name   string
		pixels []float32
		max    float32
		choice int
	}{
		{"maximum at (0, 1)", []float32{1, 5, 3, -2}, 5, 1},
		{"all negative: the largest, -1 at (1, 1)", []float32{-3, -2, -4, -1}, -1, 3},
		{"a tie goes to the first", []float32{7, 0, 7, 7}, 7, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(w, obj(map[string]any{"id": 2, "type": "predict", "pixels": jsarray.Float32sToJS(tt.pixels)}))
			require.True(t, r.ok, r.err)
			tr := r.result.Get("trace")
			require.Equal(t, 3, tr.Length())
			pool := tr.Index(0)
			assert.Equal(t, "max_pooling2d", pool.Get("name").String())
			assert.Equal(t, "MaxPooling2D", pool.Get("type").String())
			assert.Equal(t, []int{1, 1, 1}, ints(pool.Get("shape")))
			assert.True(t, pool.Get("output").InstanceOf(jsGlobal("Float32Array")))
			assert.Equal(t, float64(tt.max), pool.Get("output").Index(0).Float())
			assert.True(t, pool.Get("choices").InstanceOf(jsGlobal("Int32Array")))
			assert.Equal(t, []int{tt.choice}, ints(pool.Get("choices")))
			assert.True(t, tr.Index(1).Get("choices").IsUndefined(), "only pooling has choices")
			assert.Equal(t, []int{2}, ints(tr.Index(2).Get("shape")))
			// probs is the last layer's output.
			for i := range 2 {
				assert.Equal(t, tr.Index(2).Get("output").Index(i).Float(), r.result.Get("probs").Index(i).Float())
			}
		})
	}
}

func TestGetFilters(t *testing.T) {
	w, _ := newWorker()
	r := send(w, obj(map[string]any{"id": 1, "type": "getFilters", "layer": 0}))
	assert.Equal(t, "worker: no model: send buildModel first", r.err)
	r = send(w, obj(map[string]any{"id": 2, "type": "buildModel", "preset": "small"}))
	require.True(t, r.ok, r.err)

	good := []struct {
		layer       any
		name        string
		kernelShape []int
		biasShape   []int
	}{
		{0, "conv2d", []int{3, 3, 1, 8}, []int{8}},
		{"conv2d_1", "conv2d_1", []int{3, 3, 8, 16}, []int{16}},
		{5, "dense", []int{400, 10}, []int{10}},
	}
	for _, tt := range good {
		r := send(w, obj(map[string]any{"id": 3, "type": "getFilters", "layer": tt.layer}))
		require.True(t, r.ok, r.err)
		assert.Equal(t, tt.name, r.result.Get("name").String())
		assert.Equal(t, tt.kernelShape, ints(r.result.Get("kernelShape")))
		assert.Equal(t, tt.biasShape, ints(r.result.Get("biasShape")))
		n := 1
		for _, d := range tt.kernelShape {
			n *= d
		}
		assert.Equal(t, n, r.result.Get("kernel").Length())
		assert.Equal(t, 0.0, r.result.Get("bias").Index(0).Float(), "biases start at zero")
	}
	// The kernel is the model's: the same values the .npz export holds.
	r = send(w, obj(map[string]any{"id": 4, "type": "getFilters", "layer": 0}))
	k := make([]float32, 72)
	require.NoError(t, jsarray.Float32sFromJS(k, r.result.Get("kernel"), "kernel"))
	assert.Equal(t, w.model.Params()[0].W, k)

	bad := []struct {
		layer   any
		wantErr string
	}{
		{1, "worker: layer 1 (max_pooling2d) has no weights"},
		{6, "worker: layer 6 does not exist: the model has layers 0 to 5"},
		{-1, "worker: layer -1 must be a whole number of at least 0"},
		{"conv9", `worker: no layer named "conv9"`},
		{nil, "worker: layer must be a layer's index or name"},
	}
	for _, tt := range bad {
		r := send(w, obj(map[string]any{"id": 5, "type": "getFilters", "layer": tt.layer}))
		assert.Equal(t, tt.wantErr, r.err)
	}
}

// mnistManifest is the tiny data set's manifest with MNIST's image shape
// (28, 28, 1) and 10 classes: enough for loadWeights to check a model
// against, without chunks.
func mnistManifest(t *testing.T) string {
	var m map[string]any
	require.NoError(t, json.Unmarshal(newTinyData(t).manifest, &m))
	m["shape"] = []int{28, 28, 1}
	var classes []any
	for i := range 10 {
		classes = append(classes, map[string]any{"en": fmt.Sprint("class ", i), "zh": fmt.Sprint("类 ", i)})
	}
	m["classes"] = classes
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// TestLoadHostileModels loads nn's hostile fixtures (nn/hostile_test.go)
// into a worker holding the small model and an MNIST-shaped data set: each
// is refused with one line naming its problem, and the model and its
// prediction stay.
func TestLoadHostileModels(t *testing.T) {
	want := map[string]string{
		"nan-weight.cpw":         "nn: layer 6 (dense) kernel has a NaN weight (index 17 of 4000)",
		"inf-weight.cpw":         "nn: layer 3 (conv2d_1) bias has a +Inf weight (index 2 of 16)",
		"nan-weight-float16.cpw": "nn: layer 6 (dense) kernel has a NaN weight (index 17 of 4000)",
		"inf-weight-float16.cpw": "nn: layer 1 (conv2d) bias has a -Inf weight (index 5 of 8)",
		"input-3-values.cpw":     "nn: the model takes inputs of shape (3), but the data set's images are (28, 28, 1)",
		"input-rgb.cpw":          "nn: the model takes inputs of shape (28, 28, 3), but the data set's images are (28, 28, 1)",
		"classes-5.cpw":          "nn: the model outputs 5 class scores, but the data set has 10 classes",
		"output-map.cpw":         "nn: the model outputs (28, 28, 10), not a vector of scores for the data set's 10 classes",
		"stride-2e61.cpw":        "layer 1 (conv2d_transpose)",
		"stride-1200.cpw":        "layer 1 (conv2d_transpose)",
		"stride-panics.cpw":      "layer 1 (conv2d_transpose): strides 7096215898565343880 is larger than 65536",
		"stride-wraps.cpw":       "layer 1 (conv2d_transpose): strides 658812288346769701 is larger than 65536",
		"huge-kernel.cpw":        "layer 1 (conv2d)",
		"nan-weight.npz":         "nn: layer 6 (dense) kernel (npz arr_4) has a NaN weight (index 17 of 4000)",
		"inf-weight.npz":         "nn: layer 1 (conv2d) bias (npz arr_1) has a -Inf weight (index 7 of 8)",
		"float64-overflow.npz":   "nn: layer 6 (dense) bias (npz arr_5) has a +Inf weight (index 3 of 10)",
	}
	w, _ := newWorker()
	r := send(w, obj(map[string]any{"id": 1, "type": "loadDataset", "manifest": mnistManifest(t)}))
	require.True(t, r.ok, r.err)
	r = send(w, obj(map[string]any{"id": 2, "type": "buildModel", "preset": "small"}))
	require.True(t, r.ok, r.err)
	small := exported(t, w, "cpw")
	px := make([]float32, 28*28)
	for i := range px {
		px[i] = float32(i%28) / 14
	}
	before, model := probsOf(t, w, px), w.model

	files, err := filepath.Glob("../nn/testdata/hostile/*")
	require.NoError(t, err)
	require.Len(t, files, len(want), "every hostile fixture has its expected error here")
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			req := map[string]any{"id": 3, "type": "loadWeights", "bytes": jsarray.BytesToJS(b)}
			if strings.HasSuffix(name, ".cpw") {
				req["build"] = true
			}
			r := sendConverted(t, w, req)
			require.False(t, r.ok, "%s is refused", name)
			assert.Contains(t, r.err, want[name])
			assert.NotContains(t, r.err, "\n", "one line")
			assert.Same(t, model, w.model, "the model stays")
			assert.Equal(t, before, probsOf(t, w, px), "and so does its prediction")
		})
	}

	// A model that fits loads, and is checked against the data set that is
	// loaded now: the tiny one's 2x2 images refuse the small model.
	r = send(w, obj(map[string]any{"id": 4, "type": "loadWeights", "bytes": jsarray.BytesToJS(small), "build": true}))
	require.True(t, r.ok, r.err)
	tiny := newTinyData(t)
	tiny.load(t, w)
	r = send(w, obj(map[string]any{"id": 5, "type": "loadWeights", "bytes": jsarray.BytesToJS(small), "build": true}))
	assert.Equal(t, "nn: the model takes inputs of shape (28, 28, 1), but the data set's images are (2, 2, 1)", r.err)
	r = send(w, obj(map[string]any{"id": 6, "type": "loadWeights", "bytes": jsarray.BytesToJS(sumModel(t)), "build": true}))
	require.True(t, r.ok, r.err)
}
