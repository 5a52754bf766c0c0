//go:build js && wasm

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckSpec(t *testing.T) {
	conv := map[string]any{"type": "Conv2D", "filters": 2, "kernel_size": 3, "activation": "relu"}
	pool := map[string]any{"type": "MaxPooling2D", "pool_size": 2}
	flat := map[string]any{"type": "Flatten"}
	dense := func(units int, act string) map[string]any {
		return map[string]any{"type": "Dense", "units": units, "activation": act}
	}
	tests := []struct {
		name    string
		input   []any
		layers  []any
		classes int
		valid   int    // layers described
		total   int    // their parameters
		kind    string // the error's kind, "" for none
		index   int
		size    int
	}{
		// 6x6x1 -conv 3x3-> 4x4x2 (20 params) -pool-> 2x2x2 -> 8 -> Dense 3 (27).
		{name: "valid", input: []any{6, 6, 1}, layers: []any{conv, pool, flat, dense(3, "softmax")}, classes: 3, valid: 4, total: 47},
		{name: "dense before flatten", input: []any{6, 6, 1}, layers: []any{conv, dense(3, "softmax")}, valid: 1, total: 20, kind: "dense-needs-flatten", index: 1},
		// 4x4 -> 2x2 -> 1x1, and a third pool of 2 does not fit in 1x1.
		{name: "pool larger than its input", input: []any{4, 4, 1}, layers: []any{pool, pool, pool}, valid: 2, kind: "pool-too-large", index: 2, size: 2},
		{name: "kernel larger than its input", input: []any{2, 2, 1}, layers: []any{conv}, kind: "kernel-too-large", index: 0, size: 3},
		{name: "pool after flatten", input: []any{4, 4, 1}, layers: []any{flat, pool}, valid: 1, kind: "needs-maps", index: 1},
		{name: "bad value", input: []any{4}, layers: []any{dense(0, "relu")}, kind: "invalid", index: 0},
		{name: "too many weights", input: []any{1 << 20}, layers: []any{dense(64, "relu")}, kind: "too-large", index: 0},
		{name: "wrong output size", input: []any{4}, layers: []any{dense(5, "softmax")}, classes: 3, valid: 1, total: 25, kind: "output-size", index: 0, size: 3},
		{name: "no softmax", input: []any{4}, layers: []any{dense(3, "relu")}, classes: 3, valid: 1, total: 15, kind: "output-softmax", index: 0, size: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &worker{}
			req := map[string]any{"id": 1, "type": "checkSpec", "spec": map[string]any{"input": tt.input, "layers": tt.layers}}
			if tt.classes > 0 {
				req["classes"] = tt.classes
			}
			r := send(w, obj(req))
			require.True(t, r.ok, r.err)
			assert.Equal(t, tt.valid, r.result.Get("layers").Length())
			assert.Equal(t, tt.total, r.result.Get("totalParams").Int())
			e := r.result.Get("error")
			if tt.kind == "" {
				assert.True(t, e.IsNull())
			} else {
				require.False(t, e.IsNull())
				assert.Equal(t, tt.kind, e.Get("kind").String(), e.Get("message").String())
				assert.Equal(t, tt.index, e.Get("index").Int())
				assert.NotEmpty(t, e.Get("message").String())
				if tt.size > 0 {
					assert.Equal(t, tt.size, e.Get("size").Int())
				}
			}
			assert.Nil(t, w.model, "checkSpec builds no model")
		})
	}
	t.Run("the small preset, with shapes and specs", func(t *testing.T) {
		r := send(&worker{}, obj(map[string]any{"id": 1, "type": "checkSpec", "preset": "small", "classes": 10}))
		require.True(t, r.ok, r.err)
		assert.Equal(t, 5258, r.result.Get("totalParams").Int())
		l := r.result.Get("layers").Index(1)
		assert.Equal(t, "max_pooling2d", l.Get("name").String())
		assert.Equal(t, 26, l.Get("inShape").Index(0).Int())
		assert.Equal(t, 13, l.Get("outShape").Index(0).Int())
		assert.Equal(t, 2, l.Get("spec").Get("strides").Int(), "defaults filled in")
		assert.True(t, r.result.Get("error").IsNull())
	})
	t.Run("a malformed spec is an error reply", func(t *testing.T) {
		r := send(&worker{}, obj(map[string]any{"id": 1, "type": "checkSpec", "spec": map[string]any{"input": []any{4}, "layers": []any{map[string]any{"type": "Dense", "unit": 3}}}}))
		assert.False(t, r.ok)
		assert.Contains(t, r.err, "unknown field")
	})
}
