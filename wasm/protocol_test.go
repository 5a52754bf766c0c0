//go:build js && wasm

package main

import (
	"encoding/json"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tableKinds are the tables at the top of protocol.go and protocol.js,
// by the first word of their header row.
var tableKinds = []string{"request", "event", "message", "global", "region", "slot", "state", "timing"}

// tables reads the tables in a source file's opening comment. A table
// starts with a header row after a blank comment line; its rows run to the
// next blank comment line. Rows are indented with a tab after "//"; a row
// is returned as its fields (split on white space).
func tables(source string) map[string][][]string {
	out := map[string][][]string{}
	var section string
	started := false
	for _, line := range strings.Split(source, "\n") {
		text, ok := strings.CutPrefix(line, "//")
		if !ok || strings.HasPrefix(text, "go:build") {
			if started && !strings.HasPrefix(text, "go:build") {
				break // the opening comment ended
			}
			continue
		}
		started = true
		fields := strings.Fields(text)
		switch {
		case len(fields) == 0:
			section = "" // a blank line ends a table
		case !strings.HasPrefix(text, "\t"):
			section = ""
		case section == "" && slices.Contains(tableKinds, fields[0]):
			section = fields[0]
			out[section] = [][]string{} // the header row
		case section != "":
			out[section] = append(out[section], fields)
		}
	}
	return out
}

// names lists the first field of each row.
func names(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r[0])
	}
	return out
}

func protocolTables(t *testing.T) (goTables, jsTables map[string][][]string) {
	t.Helper()
	goSrc, err := os.ReadFile("protocol.go")
	require.NoError(t, err)
	jsSrc, err := os.ReadFile("../web/protocol.js")
	require.NoError(t, err)
	return tables(string(goSrc)), tables(string(jsSrc))
}

func TestProtocolTablesMatch(t *testing.T) {
	goT, jsT := protocolTables(t)
	for _, kind := range tableKinds {
		require.NotEmpty(t, goT[kind], "wasm/protocol.go has a %s table", kind)
		assert.Equal(t, goT[kind], jsT[kind], "the %s table: wasm/protocol.go vs web/protocol.js", kind)
	}

	var handled []string
	for name := range ops {
		handled = append(handled, name)
	}
	slices.Sort(handled)
	documented := slices.Sorted(slices.Values(names(goT["request"])))
	assert.Equal(t, documented, handled, "the table lists exactly the request types in ops")
}

// TestProtocolHelperChannel: the Go side's slot fields, helper states,
// globals, regions and timings are the tables' (protocol.test.js checks
// the JavaScript side's against the same tables).
func TestProtocolHelperChannel(t *testing.T) {
	goT, _ := protocolTables(t)
	valueOf := func(t *testing.T, kind string, consts map[string]int) {
		t.Helper()
		rows := goT[kind]
		require.Len(t, rows, len(consts), "the %s table and the Go constants", kind)
		for _, r := range rows {
			v, ok := consts[r[0]]
			if assert.True(t, ok, "%s %s has a Go constant", kind, r[0]) {
				assert.Equal(t, r[1], strconv.Itoa(v), "%s %s", kind, r[0])
			}
		}
	}
	t.Run("slot", func(t *testing.T) {
		valueOf(t, "slot", map[string]int{"cmd": slotCmd, "done": slotDone, "state": slotState, "offset": slotOffset,
			"n": slotN, "version": slotVersion, "correct": slotCorrect, "memoryMB": slotMemoryMB, "beat": slotBeat})
		assert.Len(t, goT["slot"], slotInts, "slotInts is the slot table's length")
		for i, r := range goT["slot"] {
			assert.Equal(t, strconv.Itoa(i), r[1], "slot fields in order")
		}
	})
	t.Run("state", func(t *testing.T) {
		valueOf(t, "state", map[string]int{"booting": helperBooting, "ready": helperReady, "dead": helperDead, "failed": helperFailed})
	})
	t.Run("timing", func(t *testing.T) {
		ms := map[string]string{}
		for _, r := range goT["timing"] {
			ms[r[0]] = r[1]
		}
		assert.Equal(t, strconv.FormatInt(helperSilence.Milliseconds(), 10), ms["helperSilence"])
		assert.Less(t, helperSilence.Milliseconds()+500, mustAtoi(t, ms["silence"]),
			"the leader gives up on a helper (blocking its event loop meanwhile) well before the page gives up on the leader")
	})
	t.Run("global", func(t *testing.T) {
		rows := goT["global"]
		assert.Equal(t, []string{globalAttach, globalPost, globalMemory, globalHelpers, globalShardInit, globalShard}, names(rows))
		for _, r := range rows {
			require.Contains(t, []string{"Go", "worker.js"}, r[1], "%s is set by Go or worker.js", r[0])
			if r[1] == "Go" { // set by this package's init
				assert.Equal(t, js.TypeFunction, js.Global().Get(r[0]).Type(), "%s is set", r[0])
			}
		}
	})
	t.Run("region", func(t *testing.T) {
		l := newTeamLayout(3, 11, 5, 1, 7) // odd sizes, so alignment shows
		var offsets map[string]int
		b, err := json.Marshal(l)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &offsets))
		prev := -1
		for _, name := range names(goT["region"]) {
			off, ok := offsets[name]
			require.True(t, ok, "region %s is in the layout", name)
			assert.Greater(t, off, prev, "region %s comes after the one before it", name)
			assert.Zero(t, off%8, "region %s is 8-aligned", name)
			prev = off
		}
		assert.Equal(t, (4*slotInts*3+7)/8*8, offsets["loss"]-offsets["ctrl"], "ctrl holds a slot per worker")
	})
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err)
	return n
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

// TestHelperSilence: a ready helper that neither answers nor beats (its
// worker was closed without an error) ends the step with an error naming
// it after helperSilence, and is marked dead for worker.js to replace; one
// that beats while it works is waited for, and its answer taken.
func TestHelperSilence(t *testing.T) {
	x := []float32{1, -1, 0.5, 2, -0.5, 0.25, 1, -2, 0, 1, 1, 1, 3, -1, 0, 0.5, -1, -1, 2, 0}
	y := []float32{1, 0, 1, 0, 1}
	m, tm, init, _ := parallelFixture(t, 5)
	h, err := newHelper(init, 1)
	require.NoError(t, err)
	atomics := js.Global().Get("Atomics")
	realWait := atomics.Get("wait")
	t.Cleanup(func() { atomics.Set("wait", realWait) })

	// It beats for a while (longer than helperSilence in all), then answers.
	waits := 0
	beating := js.FuncOf(func(js.Value, []js.Value) any {
		waits++
		h.v.store(1, slotBeat, waits)
		if time.Duration(waits)*100*time.Millisecond > helperSilence+time.Second {
			h.shard()
		}
		return realWait.Invoke(tm.v.ctrl, 0, 0, 100).String() // 100 ms pass
	})
	defer beating.Release()
	atomics.Set("wait", beating)
	_, _, err = tm.gradients(m, x, y, 5)
	require.NoError(t, err)
	assert.Greater(t, waits, int(helperSilence/(100*time.Millisecond)), "waited past helperSilence while it beat")

	// Silent: no beat, no answer.
	silent := js.FuncOf(func(js.Value, []js.Value) any { return realWait.Invoke(tm.v.ctrl, 0, 0, 100).String() })
	defer silent.Release()
	atomics.Set("wait", silent)
	start := time.Now()
	_, _, err = tm.gradients(m, x, y, 5)
	took := time.Since(start)
	assert.EqualError(t, err, "worker: helper worker 1 of 1 stopped answering (silent for 2s: its worker was closed or killed)")
	assert.GreaterOrEqual(t, took, helperSilence)
	assert.Less(t, took, helperSilence+5*time.Second, "about helperSilence, on a busy machine")
	assert.Equal(t, helperDead, tm.v.load(1, slotState), "marked dead, for worker.js to replace")
}
