//go:build js && wasm

package main

import (
	"os"
	"strings"
	"testing"

	"convplay/wasm/jsarray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuildPresets(t *testing.T) {
	tests := []struct {
		preset string
		layers int
		total  int
		last   []int
	}{
		{"small", 6, 5258, []int{10}},
		{"seed", 12, 435306, []int{10}},
		{"reference", 12, 435306, []int{10}},
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			w := &worker{}
			r := send(w, obj(map[string]any{"id": 1, "type": "buildModel", "preset": tt.preset}))
			require.True(t, r.ok, r.err)
			assert.Equal(t, tt.total, r.result.Get("totalParams").Int())
			assert.Equal(t, tt.layers, r.result.Get("layers").Length())
			assert.Equal(t, "Dense", r.result.Get("layers").Index(tt.layers-1).Get("type").String())
			assert.Contains(t, r.result.Get("summary").String(), "Total params: ")

			// A zero image goes through; the probabilities sum to one.
			r = send(w, obj(map[string]any{"id": 2, "type": "predict", "pixels": jsarray.Float32sToJS(make([]float32, 28*28))}))
			require.True(t, r.ok, r.err)
			probs := make([]float32, 10)
			require.NoError(t, jsarray.Float32sFromJS(probs, r.result.Get("probs"), "probs"))
			var sum float32
			for _, p := range probs {
				sum += p
			}
			assert.InDelta(t, 1, sum, 1e-5)
		})
	}
	t.Run("the seed model's summary is Keras's", func(t *testing.T) {
		want, err := os.ReadFile("../nn/testdata/reference_summary.txt")
		require.NoError(t, err)
		r := send(&worker{}, obj(map[string]any{"id": 1, "type": "buildModel", "preset": "seed"}))
		require.True(t, r.ok, r.err)
		assert.Equal(t, strings.TrimSpace(string(want)), strings.TrimSpace(r.result.Get("summary").String()))
	})
}
