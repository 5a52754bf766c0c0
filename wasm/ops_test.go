//go:build js && wasm

package main

import (
	"runtime"
	"strings"
	"syscall/js"
	"testing"

	"convplay/wasm/jsarray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVersion(t *testing.T) {
	r := send(&worker{}, obj(map[string]any{"id": 1, "type": "version"}))
	require.True(t, r.ok, r.err)
	assert.Equal(t, runtime.Version(), r.result.Get("go").String())
	assert.Equal(t, "js/wasm", r.result.Get("platform").String())
	assert.Equal(t, "convplay", r.result.Get("module").String())
	assert.Equal(t, "wasm-simd", r.result.Get("kernel").String(), "the runner (tools/wasmexec) hands the engine its memory, as the page's worker does")
}

// tinySpec is Flatten then Dense(3, softmax) on a 2x2x1 input: 4*3+3 = 15
// parameters, and biases start at zero, so a zero input gives logits 0 and
// probabilities of exactly 1/3.
func tinySpec() map[string]any {
	return map[string]any{
		"input": []any{2, 2, 1},
		"layers": []any{
			map[string]any{"type": "Flatten"},
			map[string]any{"type": "Dense", "units": 3, "activation": "softmax"},
		},
	}
}

func TestBuildModel(t *testing.T) {
	tests := []struct {
		name    string
		args    map[string]any
		wantErr string
	}{
		{"nothing", map[string]any{}, "worker: buildModel needs a spec or a preset"},
		{"both", map[string]any{"spec": tinySpec(), "preset": "small"}, "worker: buildModel takes a spec or a preset, not both"},
		{"unknown preset", map[string]any{"preset": "huge"}, `nn: unknown preset "huge"`},
		{"preset not a name", map[string]any{"preset": 7}, "worker: preset must be a name"},
		{"no input shape", map[string]any{"spec": map[string]any{"layers": []any{map[string]any{"type": "Flatten"}}}}, "nn: model has no input shape"},
		{"no layers", map[string]any{"spec": map[string]any{"input": []any{2, 2, 1}}}, "nn: model has no layers"},
		{"unknown layer type", map[string]any{"spec": map[string]any{"input": []any{2, 2, 1}, "layers": []any{map[string]any{"type": "Conv3D"}}}},
			`nn: layer 1 (conv3d): unknown layer type "Conv3D"`},
		{"misspelt field", map[string]any{"spec": map[string]any{"input": []any{2, 2, 1}, "layers": []any{map[string]any{"type": "Dense", "unit": 3}}}},
			`worker: invalid model spec: json: unknown field "unit"`},
		{"wrong field type", map[string]any{"spec": map[string]any{"input": "28x28"}}, "worker: invalid model spec: json: cannot unmarshal"},
		{"spec as bad JSON text", map[string]any{"spec": "{"}, "worker: invalid model spec: unexpected EOF"},
		{"negative seed", map[string]any{"spec": tinySpec(), "seed": -1}, "worker: seed -1 is not a non-negative integer"},
		{"fractional seed", map[string]any{"spec": tinySpec(), "seed": 1.5}, "worker: seed 1.5 is not a non-negative integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := map[string]any{"id": 1, "type": "buildModel"}
			for k, v := range tt.args {
				args[k] = v
			}
			r := send(&worker{}, obj(args))
			assert.False(t, r.ok)
			assert.True(t, strings.HasPrefix(r.err, tt.wantErr), "got %q, want prefix %q", r.err, tt.wantErr)
		})
	}

	t.Run("valid spec", func(t *testing.T) {
		for _, spec := range []any{tinySpec(), `{"input":[2,2,1],"layers":[{"type":"Flatten"},{"type":"Dense","units":3,"activation":"softmax"}]}`} {
			r := send(&worker{}, obj(map[string]any{"id": 1, "type": "buildModel", "spec": spec, "seed": 7}))
			require.True(t, r.ok, r.err)
			assert.Equal(t, 15, r.result.Get("totalParams").Int())
			layers := r.result.Get("layers")
			require.Equal(t, 2, layers.Length())
			want := []struct {
				name, typ string
				shape     []int
				params    int
			}{{"flatten", "Flatten", []int{4}, 0}, {"dense", "Dense", []int{3}, 15}}
			for i, w := range want {
				l := layers.Index(i)
				assert.Equal(t, w.name, l.Get("name").String())
				assert.Equal(t, w.typ, l.Get("type").String())
				assert.Equal(t, w.params, l.Get("params").Int())
				shape := l.Get("outShape")
				require.Equal(t, len(w.shape), shape.Length())
				for j, d := range w.shape {
					assert.Equal(t, d, shape.Index(j).Int())
				}
			}
			assert.Contains(t, r.result.Get("summary").String(), "Total params: 15\n")
		}
	})
}

func TestPredict(t *testing.T) {
	w := &worker{}
	r := send(w, obj(map[string]any{"id": 1, "type": "predict", "pixels": jsarray.Float32sToJS(make([]float32, 4))}))
	assert.Equal(t, "worker: no model: send buildModel first", r.err)

	r = send(w, obj(map[string]any{"id": 2, "type": "buildModel", "spec": tinySpec()}))
	require.True(t, r.ok, r.err)

	t.Run("zero input gives uniform probabilities", func(t *testing.T) {
		r := send(w, obj(map[string]any{"id": 3, "type": "predict", "pixels": jsarray.Float32sToJS(make([]float32, 4))}))
		require.True(t, r.ok, r.err)
		probs := r.result.Get("probs")
		require.True(t, probs.InstanceOf(js.Global().Get("Float32Array")))
		got := make([]float32, 3)
		require.NoError(t, jsarray.Float32sFromJS(got, probs, "probs"))
		for _, p := range got {
			assert.InDelta(t, 1.0/3, p, 1e-6)
		}
	})
	t.Run("probabilities sum to one", func(t *testing.T) {
		r := send(w, obj(map[string]any{"id": 4, "type": "predict", "pixels": jsarray.Float32sToJS([]float32{1, -2, 0.5, 3})}))
		require.True(t, r.ok, r.err)
		got := make([]float32, 3)
		require.NoError(t, jsarray.Float32sFromJS(got, r.result.Get("probs"), "probs"))
		assert.InDelta(t, 1, got[0]+got[1]+got[2], 1e-6)
	})

	bad := []struct {
		name    string
		pixels  js.Value
		wantErr string
	}{
		{"too short", jsarray.Float32sToJS(make([]float32, 3)), "pixels has 3 values, want 4"},
		{"too long", jsarray.Float32sToJS(make([]float32, 784)), "pixels has 784 values, want 4"},
		{"plain array", js.ValueOf([]any{0, 0, 0, 0}), "pixels must be a Float32Array"},
		{"Float64Array", js.Global().Get("Float64Array").New(4), "pixels must be a Float32Array"},
		{"missing", js.Undefined(), "pixels must be a Float32Array"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := send(w, obj(map[string]any{"id": 5, "type": "predict", "pixels": tt.pixels}))
			assert.False(t, r.ok)
			assert.Equal(t, tt.wantErr, r.err)
		})
	}

	t.Run("a failed build keeps the model", func(t *testing.T) {
		r := send(w, obj(map[string]any{"id": 6, "type": "buildModel", "spec": map[string]any{"input": []any{2, 2, 1}}}))
		require.False(t, r.ok)
		r = send(w, obj(map[string]any{"id": 7, "type": "predict", "pixels": jsarray.Float32sToJS(make([]float32, 4))}))
		assert.True(t, r.ok, r.err)
	})
}
