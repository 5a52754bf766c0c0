//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"syscall/js"
)

// Reading a request's optional arguments: a missing (undefined or null)
// argument takes its default; one of the wrong type or out of range is an
// error naming it.

func missing(v js.Value) bool { return v.IsUndefined() || v.IsNull() }

// argInt reads a whole number >= lo.
func argInt(req js.Value, name string, def, lo int) (int, error) {
	v := req.Get(name)
	if missing(v) {
		return def, nil
	}
	if v.Type() != js.TypeNumber {
		return 0, fmt.Errorf("worker: %s must be a number, got %s", name, v.Type())
	}
	f := v.Float()
	if f != math.Trunc(f) || f < float64(lo) || f > 1<<31 {
		return 0, fmt.Errorf("worker: %s %v must be a whole number of at least %d", name, f, lo)
	}
	return int(f), nil
}

// argBool reads a boolean.
func argBool(req js.Value, name string, def bool) (bool, error) {
	v := req.Get(name)
	if missing(v) {
		return def, nil
	}
	if v.Type() != js.TypeBoolean {
		return false, fmt.Errorf("worker: %s must be true or false, got %s", name, v.Type())
	}
	return v.Bool(), nil
}

// argString reads a string.
func argString(req js.Value, name, def string) (string, error) {
	v := req.Get(name)
	if missing(v) {
		return def, nil
	}
	if v.Type() != js.TypeString {
		return "", fmt.Errorf("worker: %s must be a string, got %s", name, v.Type())
	}
	return v.String(), nil
}

// jsonText is a value as JSON text: a string as it is, anything else
// through JSON.stringify.
func jsonText(v js.Value) string {
	if v.Type() == js.TypeString {
		return v.String()
	}
	return js.Global().Get("JSON").Call("stringify", v).String()
}

// strictJSON decodes a request argument (object or JSON text), refusing
// unknown fields.
func strictJSON(v js.Value, dst any, what string) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(jsonText(v))))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("worker: invalid %s: %v", what, err)
	}
	return nil
}

func intArg(req js.Value, name string, def, lo int, dst *int) (err error) {
	*dst, err = argInt(req, name, def, lo)
	return err
}

func boolArg(req js.Value, name string, def bool, dst *bool) (err error) {
	*dst, err = argBool(req, name, def)
	return err
}
