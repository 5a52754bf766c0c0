//go:build js && wasm

// Command wasm is convplay's engine in a Web Worker: web/worker.js runs it,
// it installs its one message handler with the worker's convplayAttach hook,
// announces `ready`, and then answers requests (see protocol.go) until the
// page closes. It is a thin adapter over nn/: no computation happens here.
package main

import "syscall/js"

func main() {
	global := js.Global()
	post := global.Get(globalPost)
	w := &worker{post: func(ev js.Value) { post.Invoke(ev) }}
	handler := js.FuncOf(func(_ js.Value, args []js.Value) any {
		req := js.Undefined()
		if len(args) > 0 {
			req = args[0]
		}
		if reply := w.handle(req); !reply.IsNull() { // null: the op replies later
			post.Invoke(reply)
		}
		return nil
	})
	global.Call(globalAttach, handler)
	post.Invoke(event("ready", map[string]any{"version": versionInfo()}))
	select {} // serve forever; handler runs on each message
}
