//go:build js && wasm

package main

import (
	"testing"

	"convplay/wasm/jsarray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sideRun trains side model name to the end with sideStep and returns the last reply.
func sideRun(t *testing.T, w *worker, name string, args map[string]any) replyOf {
	t.Helper()
	args["name"] = name
	r := request(w, "sideTrain", args)
	require.True(t, r.ok, r.err)
	for range 1000 {
		r = request(w, "sideStep", map[string]any{"name": name, "ms": 5})
		require.True(t, r.ok, r.err)
		if r.result.Get("done").Bool() {
			return r
		}
	}
	t.Fatal("side training did not finish")
	return r
}

// TestSideModels: a side model is built, trained, traced and looked into
// by name, and the page's model stays as it was.
func TestSideModels(t *testing.T) {
	w, _ := trainReady(t)
	model := w.model
	assert.Contains(t, request(w, "sideStep", map[string]any{"name": "dense"}).err, `no side model "dense"`)
	assert.Contains(t, request(w, "sideBuild", map[string]any{"spec": tinySpecFor2x2()}).err, "needs a name")

	r := request(w, "sideBuild", map[string]any{"name": "dense", "spec": tinySpecFor2x2(), "seed": 2,
		"optimizer": map[string]any{"name": "adam", "learning_rate": 0.05}})
	require.True(t, r.ok, r.err)
	assert.Equal(t, 10, r.result.Get("totalParams").Int(), "(4 + 1)*2")
	assert.Equal(t, "sparse_categorical_crossentropy", r.result.Get("loss").String())
	assert.Contains(t, request(w, "sideStep", map[string]any{"name": "dense"}).err, "not training")

	// The tiny data: dark images are class 0, bright ones class 1, easily told apart.
	r = sideRun(t, w, "dense", map[string]any{"epochs": 15, "batchSize": 4, "subset": 8})
	h := r.result.Get("history")
	require.Equal(t, 15, h.Length())
	assert.Equal(t, 8, r.result.Get("samples").Int())
	assert.Equal(t, 1.0, h.Index(14).Get("val_accuracy").Float())
	assert.Less(t, h.Index(14).Get("loss").Float(), h.Index(0).Get("loss").Float())
	assert.Same(t, model, w.model, "the page's model stays")

	// The regression head: one output, mean squared error against the ink area
	// (bright tiny images are all ink, 100%; dark ones none).
	ink := map[string]any{"input": []any{2, 2, 1}, "layers": []any{
		map[string]any{"type": "Flatten"}, map[string]any{"type": "Dense", "units": 1, "activation": "linear"}}}
	r = request(w, "sideBuild", map[string]any{"name": "ink", "spec": ink, "target": "ink", "optimizer": map[string]any{"name": "adam", "learning_rate": 0.5}})
	require.True(t, r.ok, r.err)
	assert.Equal(t, "mean_squared_error", r.result.Get("loss").String())
	r = sideRun(t, w, "ink", map[string]any{"epochs": 60, "batchSize": 4})
	h = r.result.Get("history")
	first, last := h.Index(0).Get("val_loss").Float(), h.Index(h.Length()-1).Get("val_loss").Float()
	assert.Less(t, last, first/10, "the squared error falls: %v -> %v", first, last)
	r = request(w, "sideTrace", map[string]any{"name": "ink", "pixels": jsarray.Float32sToJS([]float32{2, 2, 2, 2})})
	require.True(t, r.ok, r.err)
	assert.Equal(t, 100.0, r.result.Get("ink").Float())
	out := r.result.Get("trace").Index(1).Get("output")
	require.Equal(t, 1, out.Length(), "one output unit")
	assert.InDelta(t, 100, out.Index(0).Float(), 15)

	// A 1x1 convolution's maps move with the input (weight sharing): the
	// shifted input's map is the map shifted.
	conv := map[string]any{"input": []any{2, 2, 1}, "layers": []any{
		map[string]any{"type": "Conv2D", "filters": 1, "kernel_size": 1, "activation": "linear"},
		map[string]any{"type": "Flatten"}, map[string]any{"type": "Dense", "units": 2, "activation": "softmax"}}}
	r = request(w, "sideBuild", map[string]any{"name": "cnn", "spec": conv})
	require.True(t, r.ok, r.err)
	x := []float32{1, 2, 3, 4} // (2, 2): rows [1 2] [3 4]
	r = request(w, "sideTrace", map[string]any{"name": "cnn", "pixels": jsarray.Float32sToJS(x), "dx": 1})
	require.True(t, r.ok, r.err)
	assert.Equal(t, []float32{1, 1, 1, 3}, explainFloats(t, r.result.Get("shifted")), "moved right, filled with the smallest value")
	a, b := explainFloats(t, r.result.Get("trace").Index(0).Get("output")), explainFloats(t, r.result.Get("shiftedTrace").Index(0).Get("output"))
	assert.InDelta(t, a[0], b[1], 1e-6)
	assert.InDelta(t, a[2], b[3], 1e-6)
	assert.True(t, r.result.Get("ink").IsNull())
	assert.NotEmpty(t, request(w, "sideTrace", map[string]any{"name": "cnn", "pixels": jsarray.Float32sToJS(x), "dx": 5}).err)

	// What one unit looks at: the dense unit's weights over the whole
	// image, the convolution's over its K x K window.
	r = request(w, "sideUnit", map[string]any{"name": "dense", "layer": 1, "unit": 1})
	require.True(t, r.ok, r.err)
	assert.Equal(t, []int{2, 2, 1}, ints(r.result.Get("shape")))
	assert.Equal(t, 4, r.result.Get("weights").Length())
	assert.Equal(t, 2, r.result.Get("units").Int())
	r = request(w, "sideUnit", map[string]any{"name": "cnn", "layer": 0, "unit": 0})
	require.True(t, r.ok, r.err)
	assert.Equal(t, []int{1, 1, 1}, ints(r.result.Get("shape")))
	assert.NotEmpty(t, request(w, "sideUnit", map[string]any{"name": "cnn", "layer": 0, "unit": 1}).err)
	assert.NotEmpty(t, request(w, "sideUnit", map[string]any{"name": "cnn", "layer": 1}).err, "Flatten has no weights")
	assert.Same(t, model, w.model)
}
