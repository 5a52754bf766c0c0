//go:build js && wasm

package main

import (
	"math"
	"testing"

	"convplay/wasm/jsarray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDescribeLayers: the reference model's figures as the page receives
// them (hand-computed in nn's TestDescribeReference).
func TestDescribeLayers(t *testing.T) {
	w := &worker{}
	r := send(w, obj(map[string]any{"id": 1, "type": "describeLayers"}))
	assert.Equal(t, errNoModel.Error(), r.err)

	r = send(w, obj(map[string]any{"id": 2, "type": "buildModel", "preset": "reference"}))
	require.True(t, r.ok, r.err)
	r = send(w, obj(map[string]any{"id": 3, "type": "describeLayers"}))
	require.True(t, r.ok, r.err)
	assert.Equal(t, 435306, r.result.Get("totalParams").Int())
	assert.Equal(t, 29275904, r.result.Get("totalMacs").Int())
	assert.Equal(t, 28, r.result.Get("input").Index(0).Int())
	layers := r.result.Get("layers")
	require.Equal(t, 12, layers.Length())
	groups := r.result.Get("groups")
	require.Equal(t, 4, groups.Length())
	assert.Equal(t, "conv", groups.Index(0).Get("kind").String())
	assert.Equal(t, 6, groups.Index(0).Get("layers").Int())
	assert.Equal(t, "dense", groups.Index(3).Get("kind").String())
	assert.Equal(t, 148874, groups.Index(3).Get("params").Int())

	outs := []int{28, 28, 14, 14, 14, 7, 7, 7, 3}
	for i, want := range outs {
		assert.Equal(t, want, layers.Index(i).Get("size").Get("out").Int(), i)
		assert.True(t, layers.Index(i).Get("size").Get("width").IsNull(), "square maps: no separate width terms")
	}
	pool := layers.Index(8)
	assert.Equal(t, "MaxPooling2D", pool.Get("type").String())
	assert.Equal(t, 7, pool.Get("size").Get("n").Int())
	assert.Equal(t, 2.5, pool.Get("size").Get("quotient").Float())
	assert.Equal(t, 2, pool.Get("poolSize").Int())
	assert.True(t, pool.Get("count").IsNull())

	conv := layers.Index(0)
	assert.Equal(t, "same", conv.Get("padding").String())
	assert.Equal(t, 2, conv.Get("size").Get("padTotal").Int())
	assert.Equal(t, 320, conv.Get("params").Int())
	assert.Equal(t, 9, conv.Get("count").Get("kh").Int()*conv.Get("count").Get("kw").Int())
	assert.Equal(t, 28*28*32*9, conv.Get("macs").Int())

	flat := layers.Index(9)
	assert.Equal(t, 1152, flat.Get("outShape").Index(0).Int())
	assert.Equal(t, 1152, flat.Get("values").Int())
	dense := layers.Index(10)
	assert.Equal(t, 1152, dense.Get("count").Get("cin").Int())
	assert.Equal(t, 147584, dense.Get("params").Int())
	assert.Equal(t, 435306-1290, dense.Get("paramsCum").Int())
	assert.InDelta(t, 147584.0/435306, dense.Get("paramShare").Float(), 1e-12)
	assert.Equal(t, "softmax", layers.Index(11).Get("activation").String())
}

// TestScores: the logits of the output layer, whose softmax is the
// prediction's probabilities.
func TestScores(t *testing.T) {
	w := &worker{}
	r := send(w, obj(map[string]any{"id": 1, "type": "scores", "pixels": jsarray.Float32sToJS(make([]float32, 784))}))
	assert.Equal(t, errNoModel.Error(), r.err)
	r = send(w, obj(map[string]any{"id": 2, "type": "buildModel", "preset": "small", "seed": 3}))
	require.True(t, r.ok, r.err)

	px := make([]float32, 784)
	for i := range px {
		px[i] = float32(i%28) / 14
	}
	r = send(w, obj(map[string]any{"id": 3, "type": "scores", "pixels": jsarray.Float32sToJS(px)}))
	require.True(t, r.ok, r.err)
	assert.Equal(t, "softmax", r.result.Get("activation").String())
	assert.Equal(t, "dense", r.result.Get("layer").String())
	logits := make([]float32, 10)
	probs := make([]float32, 10)
	require.NoError(t, jsarray.Float32sFromJS(logits, r.result.Get("logits"), "logits"))
	require.NoError(t, jsarray.Float32sFromJS(probs, r.result.Get("probs"), "probs"))
	assert.Equal(t, probsOf(t, w, px), probs, "the same probabilities as predict")

	// softmax of the logits, computed here as the oracle
	var sum float64
	for _, z := range logits {
		sum += math.Exp(float64(z))
	}
	for i, z := range logits {
		assert.InDelta(t, math.Exp(float64(z))/sum, probs[i], 1e-6)
	}

	r = send(w, obj(map[string]any{"id": 4, "type": "scores", "pixels": jsarray.Float32sToJS(px[:10])}))
	assert.False(t, r.ok)
	assert.Contains(t, r.err, "pixels")
}
