//go:build js && wasm

// Command formats is the page's second, smaller WebAssembly module
// (web/convplay-formats.wasm): it converts Keras model files and .npz
// weights to and from the engine's .cpw bytes (package
// convplay/internal/formats), so the engine the page loads first carries
// no Keras, HDF5 or .npz code. web/worker.js runs it in a worker of its own
// named "convplay-formats", started only when a student drops or asks for
// such a file; the leader relays (web/formats.js). It talks as the engine
// does: it attaches its handler with convplayAttach, announces ready, and
// answers each request of the formats table in wasm/protocol.go through
// convplayPost, {id, ok: true, result} or {id, ok: false, error}.
package main

import (
	"fmt"
	"syscall/js"
	"time"

	"convplay/internal/formats"
	"convplay/wasm/jsarray"
)

// ops are the formats table's requests, by name.
var ops = map[string]func(req js.Value) (map[string]any, error){
	"readKeras": func(req js.Value) (map[string]any, error) {
		file, err := jsarray.BytesFromJS(req.Get("bytes"), "bytes")
		if err != nil {
			return nil, err
		}
		cpw, info, err := formats.ReadKeras(file)
		if err != nil {
			return nil, err
		}
		skipped := make([]any, len(info.Skipped))
		for i, s := range info.Skipped {
			skipped[i] = s
		}
		return map[string]any{"model": jsarray.BytesToJS(cpw), "keras": map[string]any{
			"format": info.Format, "kerasVersion": info.KerasVersion, "logits": info.Logits,
			"scalingKnown": info.ScalingKnown, "skipped": skipped,
		}}, nil
	},
	"writeKeras": func(req js.Value) (map[string]any, error) {
		cpw, err := jsarray.BytesFromJS(req.Get("model"), "model")
		if err != nil {
			return nil, err
		}
		b, err := formats.WriteKeras(cpw, time.Now())
		return map[string]any{"bytes": jsarray.BytesToJS(b)}, err
	},
	"writeNPZ": func(req js.Value) (map[string]any, error) {
		cpw, err := jsarray.BytesFromJS(req.Get("model"), "model")
		if err != nil {
			return nil, err
		}
		b, err := formats.WriteNPZ(cpw)
		return map[string]any{"bytes": jsarray.BytesToJS(b)}, err
	},
	"readNPZ": func(req js.Value) (map[string]any, error) {
		cpw, err := jsarray.BytesFromJS(req.Get("model"), "model")
		if err != nil {
			return nil, err
		}
		npz, err := jsarray.BytesFromJS(req.Get("bytes"), "bytes")
		if err != nil {
			return nil, err
		}
		b, err := formats.ReadNPZ(cpw, npz)
		return map[string]any{"model": jsarray.BytesToJS(b)}, err
	},
}

func main() {
	global := js.Global()
	post := global.Get("convplayPost")
	global.Call("convplayAttach", js.FuncOf(func(_ js.Value, args []js.Value) any {
		req := js.Undefined()
		if len(args) > 0 {
			req = args[0]
		}
		post.Invoke(handle(req))
		return nil
	}))
	post.Invoke(map[string]any{"event": "ready", "version": map[string]any{"program": "formats"}})
	select {} // serve forever
}

// handle answers one request; a panic (a bug) becomes its error reply.
func handle(req js.Value) (reply js.Value) {
	reply = js.Global().Get("Object").New()
	reply.Set("id", js.Null())
	defer func() {
		if p := recover(); p != nil {
			reply.Set("ok", false)
			reply.Set("error", fmt.Sprintf("formats: internal error: %v", p))
		}
	}()
	result, err := func() (map[string]any, error) {
		if req.Type() != js.TypeObject {
			return nil, fmt.Errorf("formats: a request must be an object")
		}
		reply.Set("id", req.Get("id"))
		t := req.Get("type")
		run, ok := ops[t.String()]
		if t.Type() != js.TypeString || !ok {
			return nil, fmt.Errorf("formats: unknown request type %q", t.String())
		}
		return run(req)
	}()
	if err != nil {
		reply.Set("ok", false)
		reply.Set("error", err.Error())
		return reply
	}
	reply.Set("ok", true)
	reply.Set("result", js.ValueOf(result))
	return reply
}
