//go:build js && wasm

package main

import (
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tableNames reads the message table at the top of a source file: the
// first word of each row after the "request" and "event" header lines, up
// to a blank comment line. Rows are indented with a tab after "//".
func tableNames(source string) (requests, events []string) {
	var section *[]string
	for _, line := range strings.Split(source, "\n") {
		text, ok := strings.CutPrefix(line, "//")
		if !ok || strings.HasPrefix(text, "go:build") {
			continue
		}
		fields := strings.Fields(text)
		switch {
		case len(fields) == 0:
			section = nil
		case fields[0] == "request" && strings.HasPrefix(text, "\t"):
			section = &requests
		case fields[0] == "event" && strings.HasPrefix(text, "\t"):
			section = &events
		case section != nil && strings.HasPrefix(text, "\t"):
			*section = append(*section, fields[0])
		}
	}
	return requests, events
}

func TestProtocolTablesMatch(t *testing.T) {
	goSrc, err := os.ReadFile("protocol.go")
	require.NoError(t, err)
	jsSrc, err := os.ReadFile("../web/protocol.js")
	require.NoError(t, err)
	goReq, goEv := tableNames(string(goSrc))
	jsReq, jsEv := tableNames(string(jsSrc))
	require.NotEmpty(t, goReq)
	require.NotEmpty(t, goEv)
	assert.Equal(t, goReq, jsReq, "request names: wasm/protocol.go vs web/protocol.js")
	assert.Equal(t, goEv, jsEv, "event names: wasm/protocol.go vs web/protocol.js")

	var handled []string
	for name := range ops {
		handled = append(handled, name)
	}
	slices.Sort(handled)
	documented := slices.Sorted(slices.Values(goReq))
	assert.Equal(t, documented, handled, "the table lists exactly the request types in ops")
}

// obj builds a JavaScript object from Go values.
func obj(fields map[string]any) js.Value { return js.ValueOf(fields) }

// replyOf flattens a reply for assertions.
type replyOf struct {
	id     js.Value
	ok     bool
	result js.Value
	err    string
}

func send(w *worker, req js.Value) replyOf { return toReply(w.handle(req)) }

func toReply(r js.Value) replyOf {
	out := replyOf{id: r.Get("id"), ok: r.Get("ok").Bool(), result: r.Get("result")}
	if e := r.Get("error"); e.Type() == js.TypeString {
		out.err = e.String()
	}
	return out
}

func TestHandleBoundary(t *testing.T) {
	tests := []struct {
		name    string
		req     js.Value
		wantID  any // nil: null
		wantErr string
	}{
		{"ping", obj(map[string]any{"id": 1, "type": "ping"}), 1, ""},
		{"string id is echoed", obj(map[string]any{"id": "a7", "type": "ping"}), "a7", ""},
		{"unknown type", obj(map[string]any{"id": 2, "type": "nope"}), 2, `worker: unknown request type "nope"`},
		{"no type", obj(map[string]any{"id": 3}), 3, "worker: request has no type"},
		{"type not a string", obj(map[string]any{"id": 4, "type": 5}), 4, "worker: request has no type"},
		{"not an object", js.ValueOf("ping"), nil, "worker: a request must be an object, got string"},
		{"undefined", js.Undefined(), nil, "worker: a request must be an object, got undefined"},
		{"null", js.Null(), nil, "worker: a request must be an object, got null"},
		{"panic", obj(map[string]any{"id": 5, "type": "debugPanic"}), 5, "worker: debugPanic failed: internal error: debugPanic"},
		{"panic with message", obj(map[string]any{"id": 6, "type": "debugPanic", "message": "boom"}), 6, "worker: debugPanic failed: internal error: boom"},
	}
	w := &worker{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(w, tt.req)
			if tt.wantID == nil {
				assert.True(t, r.id.IsNull(), "id %v", r.id)
			} else {
				assert.True(t, r.id.Equal(js.ValueOf(tt.wantID)), "id %v", r.id)
			}
			if tt.wantErr == "" {
				assert.True(t, r.ok)
				assert.Equal(t, "pong", r.result.String())
			} else {
				assert.False(t, r.ok)
				assert.True(t, r.result.IsUndefined())
				assert.Equal(t, tt.wantErr, r.err)
			}
			// Whatever happened, the worker still answers.
			after := send(w, obj(map[string]any{"id": 100, "type": "ping"}))
			assert.True(t, after.ok)
		})
	}
}

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
	r := send(w, obj(map[string]any{"id": 1, "type": "predict", "pixels": float32sToJS(make([]float32, 4))}))
	assert.Equal(t, "worker: no model: send buildModel first", r.err)

	r = send(w, obj(map[string]any{"id": 2, "type": "buildModel", "spec": tinySpec()}))
	require.True(t, r.ok, r.err)

	t.Run("zero input gives uniform probabilities", func(t *testing.T) {
		r := send(w, obj(map[string]any{"id": 3, "type": "predict", "pixels": float32sToJS(make([]float32, 4))}))
		require.True(t, r.ok, r.err)
		probs := r.result.Get("probs")
		require.True(t, probs.InstanceOf(js.Global().Get("Float32Array")))
		got := make([]float32, 3)
		require.NoError(t, float32sFromJS(got, probs, "probs"))
		for _, p := range got {
			assert.InDelta(t, 1.0/3, p, 1e-6)
		}
	})
	t.Run("probabilities sum to one", func(t *testing.T) {
		r := send(w, obj(map[string]any{"id": 4, "type": "predict", "pixels": float32sToJS([]float32{1, -2, 0.5, 3})}))
		require.True(t, r.ok, r.err)
		got := make([]float32, 3)
		require.NoError(t, float32sFromJS(got, r.result.Get("probs"), "probs"))
		assert.InDelta(t, 1, got[0]+got[1]+got[2], 1e-6)
	})

	bad := []struct {
		name    string
		pixels  js.Value
		wantErr string
	}{
		{"too short", float32sToJS(make([]float32, 3)), "worker: pixels has 3 values, want 4"},
		{"too long", float32sToJS(make([]float32, 784)), "worker: pixels has 784 values, want 4"},
		{"plain array", js.ValueOf([]any{0, 0, 0, 0}), "worker: pixels must be a Float32Array"},
		{"Float64Array", js.Global().Get("Float64Array").New(4), "worker: pixels must be a Float32Array"},
		{"missing", js.Undefined(), "worker: pixels must be a Float32Array"},
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
		r = send(w, obj(map[string]any{"id": 7, "type": "predict", "pixels": float32sToJS(make([]float32, 4))}))
		assert.True(t, r.ok, r.err)
	})
}

func TestFloat32sRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		vals []float32
	}{
		{"empty", nil},
		{"one", []float32{1.5}},
		{"awkward values", []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), math.SmallestNonzeroFloat32, math.MaxFloat32, -3.25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arr := float32sToJS(tt.vals)
			require.Equal(t, len(tt.vals), arr.Length())
			for i, v := range tt.vals {
				assert.Equal(t, float64(v), arr.Index(i).Float())
			}
			back := make([]float32, len(tt.vals))
			require.NoError(t, float32sFromJS(back, arr, "x"))
			for i := range back {
				assert.Equal(t, math.Float32bits(tt.vals[i]), math.Float32bits(back[i]))
			}
		})
	}
	t.Run("NaN", func(t *testing.T) {
		back := make([]float32, 1)
		require.NoError(t, float32sFromJS(back, float32sToJS([]float32{float32(math.NaN())}), "x"))
		assert.True(t, math.IsNaN(float64(back[0])))
	})
	t.Run("view at an offset into a larger buffer", func(t *testing.T) {
		buf := js.Global().Get("ArrayBuffer").New(24) // 6 floats; the view is floats 2..4
		all := js.Global().Get("Float32Array").New(buf)
		for i := 0; i < 6; i++ {
			all.SetIndex(i, i*10)
		}
		view := js.Global().Get("Float32Array").New(buf, 8, 3)
		got := make([]float32, 3)
		require.NoError(t, float32sFromJS(got, view, "x"))
		assert.Equal(t, []float32{20, 30, 40}, got)
	})
}
