//go:build js && wasm

package main

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tableKinds are the tables at the top of protocol.go and protocol.js,
// by the first word of their header row.
var tableKinds = []string{"request", "event", "message", "global", "region", "slot", "state", "timing", "formats"}

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
