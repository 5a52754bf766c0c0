//go:build js && wasm

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDescribeSpec: the notes' own example, a 3x3 convolution from 3 to
// 192 channels, described without replacing the model: 3*3*3*192 = 5,184
// weights and 192 biases.
func TestDescribeSpec(t *testing.T) {
	w := &worker{}
	r := send(w, obj(map[string]any{"id": 1, "type": "buildModel", "preset": "small"}))
	require.True(t, r.ok, r.err)
	before := w.model

	conv := map[string]any{"type": "Conv2D", "filters": 192, "kernel_size": 3, "padding": "same"}
	spec := map[string]any{"input": []any{32, 32, 3}, "layers": []any{conv}}
	r = send(w, obj(map[string]any{"id": 2, "type": "describeSpec", "spec": spec}))
	require.True(t, r.ok, r.err)
	assert.Same(t, before, w.model, "the model stays")
	l := r.result.Get("layers").Index(0)
	c := l.Get("count")
	assert.Equal(t, 5184, c.Get("weights").Int())
	assert.Equal(t, 192, c.Get("biases").Int())
	assert.Equal(t, 3, c.Get("cin").Int())
	assert.Equal(t, 5376, r.result.Get("totalParams").Int())
	assert.Equal(t, 32*32*5184, r.result.Get("totalMacs").Int())
	assert.Equal(t, 32, l.Get("size").Get("out").Int())

	// A preset, as describeLayers would give it once built.
	r = send(w, obj(map[string]any{"id": 3, "type": "describeSpec", "preset": "reference"}))
	require.True(t, r.ok, r.err)
	assert.Equal(t, 435306, r.result.Get("totalParams").Int())

	// The editor's bound: a typed-in layer too large to build is an error, not an allocation.
	huge := map[string]any{"input": []any{1 << 20}, "layers": []any{map[string]any{"type": "Dense", "units": 64}}}
	r = send(w, obj(map[string]any{"id": 4, "type": "describeSpec", "spec": huge}))
	assert.False(t, r.ok)
	assert.NotEmpty(t, r.err)
	r = send(w, obj(map[string]any{"id": 5, "type": "describeSpec"}))
	assert.False(t, r.ok)
}
