//go:build js && wasm

package main

import (
	"bytes"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"convplay/internal/formats"

	"convplay/wasm/jsarray"
	"github.com/stretchr/testify/require"
)

// converted is a request as worker.js's formats relay (web/formats.js)
// hands it to this engine after the formats module (wasm/formats, the same
// package internal/formats) ran: a Keras file of loadKeras or
// kerasAccuracy becomes its .cpw model and what the file is; an .npz
// loaded without build becomes the engine's model with its weights, as
// .cpw. A conversion's error is the reply the page gets (failed), and the
// request never reaches the engine.
func converted(t testing.TB, w *worker, fields map[string]any) (req js.Value, failed string) {
	t.Helper()
	out := map[string]any{}
	for k, v := range fields {
		out[k] = v
	}
	raw := func() []byte {
		b, err := jsarray.BytesFromJS(js.ValueOf(fields["bytes"]), "bytes")
		require.NoError(t, err)
		return b
	}
	switch fields["type"] {
	case "loadKeras", "kerasAccuracy":
		if _, ok := fields["bytes"]; !ok {
			break
		}
		cpw, info, err := formats.ReadKeras(raw())
		if err != nil {
			return js.Undefined(), err.Error()
		}
		delete(out, "bytes")
		out["model"] = jsarray.BytesToJS(cpw)
		out["keras"] = map[string]any{"format": info.Format, "kerasVersion": info.KerasVersion, "logits": info.Logits,
			"scalingKnown": info.ScalingKnown, "skipped": stringsJS(info.Skipped)}
	case "loadWeights":
		b, isBytes := fields["bytes"]
		if !isBytes || fields["build"] == true || !strings.HasPrefix(string(raw()), npzMagic) {
			break
		}
		_ = b
		r := send(w, obj(map[string]any{"id": "formats", "type": "exportWeights"}))
		if !r.ok {
			return js.Undefined(), r.err
		}
		model, err := jsarray.BytesFromJS(r.result.Get("bytes"), "bytes")
		require.NoError(t, err)
		cpw, err := formats.ReadNPZ(model, raw())
		if err != nil {
			return js.Undefined(), err.Error()
		}
		out["bytes"] = jsarray.BytesToJS(cpw)
	}
	return obj(out), ""
}

// sendConverted sends a request through the formats relay, as the page's
// requests reach the engine.
func sendConverted(t testing.TB, w *worker, fields map[string]any) replyOf {
	t.Helper()
	req, failed := converted(t, w, fields)
	if failed != "" {
		return replyOf{id: js.ValueOf(fields["id"]), err: failed}
	}
	return send(w, req)
}

// exported is the model as exportWeights writes it (.cpw), or as the
// relay makes the page's npz and keras downloads from that.
func exported(t testing.TB, w *worker, format string) []byte {
	t.Helper()
	r := send(w, obj(map[string]any{"id": 51, "type": "exportWeights", "format": "cpw"}))
	require.True(t, r.ok, r.err)
	require.Equal(t, "convplay-model.cpw", r.result.Get("filename").String())
	cpw, err := jsarray.BytesFromJS(r.result.Get("bytes"), "bytes")
	require.NoError(t, err)
	var b []byte
	switch format {
	case "cpw":
		return cpw
	case "npz":
		b, err = formats.WriteNPZ(cpw)
	case "keras":
		b, err = formats.WriteKeras(cpw, time.Now())
	}
	require.NoError(t, err)
	require.False(t, bytes.Equal(b, nil))
	return b
}
