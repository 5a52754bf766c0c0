//go:build js && wasm

package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall/js"
	"testing"

	"convplay/internal/formats"

	"convplay/wasm/jsarray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpsAreTheTable: ops are exactly the formats table of wasm/protocol.go
// (web/protocol.test.js ties FORMATS_OPS to the same table).
func TestOpsAreTheTable(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "protocol.go"))
	require.NoError(t, err)
	var rows []string
	in := false
	for _, line := range strings.Split(string(src), "\n") {
		f := strings.Fields(strings.TrimPrefix(line, "//"))
		switch {
		case !strings.HasPrefix(line, "//\t") || len(f) == 0:
			in = false
		case len(f) > 1 && f[0] == "formats" && f[1] == "arguments":
			in = true
		case in:
			rows = append(rows, f[0])
		}
	}
	var handled []string
	for name := range ops {
		handled = append(handled, name)
	}
	slices.Sort(handled)
	slices.Sort(rows)
	assert.Equal(t, rows, handled)
}

func request(fields map[string]any) js.Value { return js.ValueOf(fields) }

func fixture(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "keras", "testdata", name))
	require.NoError(t, err)
	return b
}

// TestHandle: each request answers as the table says, its id echoed; bad
// requests answer a one-line error.
func TestHandle(t *testing.T) {
	r := handle(request(map[string]any{"id": 4, "type": "readKeras", "bytes": jsarray.BytesToJS(fixture(t, "bn_logits.keras"))}))
	require.True(t, r.Get("ok").Bool(), r.Get("error").String())
	assert.Equal(t, 4, r.Get("id").Int())
	k := r.Get("result").Get("keras")
	assert.Equal(t, "Keras 3 .keras", k.Get("format").String())
	assert.True(t, k.Get("logits").Bool())
	model := r.Get("result").Get("model")
	cpw := make([]byte, model.Length())
	js.CopyBytesToGo(cpw, model)
	want, _, err := formats.ReadKeras(fixture(t, "bn_logits.keras"))
	require.NoError(t, err)
	assert.Equal(t, want, cpw)

	for _, op := range []string{"writeKeras", "writeNPZ"} {
		r = handle(request(map[string]any{"id": 5, "type": op, "model": model}))
		require.True(t, r.Get("ok").Bool(), r.Get("error").String())
		assert.Greater(t, r.Get("result").Get("bytes").Length(), 1000, op)
	}
	npz := r.Get("result").Get("bytes")
	r = handle(request(map[string]any{"id": 6, "type": "readNPZ", "model": model, "bytes": npz}))
	require.True(t, r.Get("ok").Bool(), r.Get("error").String())
	assert.Equal(t, len(cpw), r.Get("result").Get("model").Length())

	for _, tt := range []struct {
		req  js.Value
		want string
	}{
		{request(map[string]any{"id": 7, "type": "readKeras", "bytes": jsarray.BytesToJS([]byte("hello"))}), "neither an HDF5 (.h5) nor a zip (.keras) file"},
		{request(map[string]any{"id": 7, "type": "readKeras"}), "bytes must be a Uint8Array"},
		{request(map[string]any{"id": 7, "type": "readNPZ", "model": model, "bytes": jsarray.BytesToJS([]byte("PK\x03\x04 no"))}), "nn: invalid weights file"},
		{request(map[string]any{"id": 7, "type": "writeKeras", "model": jsarray.BytesToJS([]byte("x"))}), "formats: the model:"},
		{request(map[string]any{"id": 7, "type": "h5"}), `formats: unknown request type "h5"`},
		{js.ValueOf(3), "formats: a request must be an object"},
	} {
		r := handle(tt.req)
		assert.False(t, r.Get("ok").Bool())
		assert.Contains(t, r.Get("error").String(), tt.want)
		assert.NotContains(t, r.Get("error").String(), "\n")
	}
}
