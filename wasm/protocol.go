//go:build js && wasm

// convplay worker protocol: the messages between the page (web/protocol.js)
// and the Go engine in the Web Worker (wasm/). Both files open with this
// same table; TestProtocolTablesMatch (wasm/protocol_test.go) fails when
// they differ.
//
// A request is {id, type, ...arguments}. The worker answers every request
// (but debugExit) exactly once, in order of arrival: {id, ok: true, result} or
// {id, ok: false, error: "message"}. Events are {event, ...fields}, sent
// unasked. Float32Arrays cross as typed arrays; results are transferred, not
// copied. Requests sent before `ready` wait in worker.js until Go starts.
//
//	request     arguments                     result
//	ping        -                             "pong"
//	version     -                             {go, module, version, revision, platform}
//	buildModel  {spec} or {preset}, [seed]    {summary, layers: [{name, type, outShape, params}], totalParams}
//	predict     {pixels: Float32Array}        {probs: Float32Array}
//	debugPanic  [message]                     never ok: panics, to test the recovery
//	debugExit   [code]                        never answered: the Go program exits, to test crash handling
//
//	event       fields
//	ready       {version}: the engine is running, as the version result
//	fatal       {error}: sent by worker.js when the Go program fails to load or exits
//
// spec is an nn.ModelSpec ({input, layers}, Keras argument names); preset
// names a built-in spec; seed (default 1) seeds the weights. pixels holds one
// standardized input of the model's input shape (28*28 values, row-major);
// probs holds the model's outputs, one per class.

package main

import (
	"fmt"
	"syscall/js"
)

// op is one request type: it reads its arguments from the request and
// returns the result, converted with js.ValueOf (nil, bool, numbers,
// strings, js.Value, []any, map[string]any), or an error for the reply.
type op func(w *worker, req js.Value) (any, error)

// ops are the request types, by name. Keep them in step with the table.
var ops = map[string]op{
	"ping":       (*worker).ping,
	"version":    (*worker).version,
	"buildModel": (*worker).buildModel,
	"predict":    (*worker).predict,
	"debugPanic": (*worker).debugPanic,
	"debugExit":  (*worker).debugExit,
}

// handle answers one request. It is the worker's one message boundary and
// holds its one recover: a panic anywhere below becomes an error reply and
// the worker keeps serving.
func (w *worker) handle(req js.Value) (reply js.Value) {
	reply = js.Global().Get("Object").New()
	reply.Set("id", js.Null())
	typ := "?"
	defer func() {
		if r := recover(); r != nil {
			reply.Delete("result")
			reply.Set("ok", false)
			reply.Set("error", fmt.Sprintf("worker: %s failed: internal error: %v", typ, r))
		}
	}()
	if req.Type() != js.TypeObject {
		return fail(reply, fmt.Errorf("worker: a request must be an object, got %s", req.Type()))
	}
	reply.Set("id", req.Get("id"))
	if t := req.Get("type"); t.Type() == js.TypeString {
		typ = t.String()
	} else {
		return fail(reply, fmt.Errorf("worker: request has no type"))
	}
	run, ok := ops[typ]
	if !ok {
		return fail(reply, fmt.Errorf("worker: unknown request type %q", typ))
	}
	result, err := run(w, req)
	if err != nil {
		return fail(reply, err)
	}
	reply.Set("ok", true)
	reply.Set("result", js.ValueOf(result))
	return reply
}

func fail(reply js.Value, err error) js.Value {
	reply.Set("ok", false)
	reply.Set("error", err.Error())
	return reply
}

// event builds an event message {event: name, ...fields}.
func event(name string, fields map[string]any) js.Value {
	ev := js.ValueOf(fields)
	ev.Set("event", name)
	return ev
}
