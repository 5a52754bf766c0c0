//go:build js && wasm

// Package jsarray moves numbers and bytes between Go slices and
// JavaScript typed arrays, for the two WebAssembly programs (the engine's
// worker, wasm/, and the formats module, wasm/formats/).
package jsarray

import (
	"fmt"
	"syscall/js"
	"unsafe"
)

// Float32sFromJS copies a Float32Array into dst, which must have its length.
// The copy goes through a Uint8Array view of the same buffer, one memcpy.
func Float32sFromJS(dst []float32, arr js.Value, what string) error {
	if !arr.InstanceOf(js.Global().Get("Float32Array")) {
		return fmt.Errorf("%s must be a Float32Array", what)
	}
	if n := arr.Length(); n != len(dst) {
		return fmt.Errorf("%s has %d values, want %d", what, n, len(dst))
	}
	if len(dst) == 0 {
		return nil
	}
	view := js.Global().Get("Uint8Array").New(arr.Get("buffer"), arr.Get("byteOffset"), arr.Get("byteLength"))
	js.CopyBytesToGo(bytesOf(dst), view)
	return nil
}

// bytesOf is the memory of s seen as bytes, not a copy (nil for an empty s).
func bytesOf[T float32 | int32](s []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(*new(T))))
}

// Float32sToJS returns a new Float32Array holding a copy of src. WebAssembly
// and JavaScript typed arrays are both little-endian, so the bytes move as they are.
func Float32sToJS(src []float32) js.Value { return typedArray("Float32Array", bytesOf(src)) }

// typedArray returns a new typed array of the class ctor over a copy of b,
// the little-endian bytes of its values.
func typedArray(ctor string, b []byte) js.Value {
	buf := js.Global().Get("ArrayBuffer").New(len(b))
	js.CopyBytesToJS(js.Global().Get("Uint8Array").New(buf), b)
	return js.Global().Get(ctor).New(buf)
}

// BytesFromJS copies a Uint8Array (or the whole of an ArrayBuffer) into a new slice.
func BytesFromJS(arr js.Value, what string) ([]byte, error) {
	if arr.InstanceOf(js.Global().Get("ArrayBuffer")) {
		arr = js.Global().Get("Uint8Array").New(arr)
	}
	if !arr.InstanceOf(js.Global().Get("Uint8Array")) {
		return nil, fmt.Errorf("%s must be a Uint8Array", what)
	}
	b := make([]byte, arr.Length())
	js.CopyBytesToGo(b, arr)
	return b, nil
}

// BytesToJS returns a new Uint8Array holding a copy of src.
func BytesToJS(src []byte) js.Value {
	arr := js.Global().Get("Uint8Array").New(len(src))
	js.CopyBytesToJS(arr, src)
	return arr
}

// Int32sToJS returns a new Int32Array holding src (ids, counts, pool choices).
func Int32sToJS(src []int32) js.Value { return typedArray("Int32Array", bytesOf(src)) }

// IntsToJS is Int32sToJS for ints (all of them small: indices and counts).
func IntsToJS(src []int) js.Value {
	v := make([]int32, len(src))
	for i, x := range src {
		v[i] = int32(x)
	}
	return Int32sToJS(v)
}

// ShapeToJS is a shape as a plain array of numbers.
func ShapeToJS(s []int) []any {
	out := make([]any, len(s))
	for i, d := range s {
		out[i] = d
	}
	return out
}
