//go:build js && wasm

package main

import (
	"syscall/js"
	"time"
	"unsafe"
)

// teamLayout is where each region lives in the shared buffer, in bytes.
type teamLayout struct {
	Workers int `json:"workers"`
	Params  int `json:"params"`  // weights (and gradients) per copy
	In      int `json:"in"`      // input values per sample
	Targets int `json:"targets"` // target values per sample
	MaxN    int `json:"maxN"`    // samples the x, y regions hold
	Ctrl    int `json:"ctrl"`
	Loss    int `json:"loss"`
	Weights int `json:"weights"`
	X       int `json:"x"`
	Y       int `json:"y"`
	Grads   int `json:"grads"` // helper h's at Grads + (h-1)*4*Params
	Size    int `json:"size"`
}

func align8(n int) int { return (n + 7) &^ 7 }

// newTeamLayout lays out the shared buffer of a team of workers.
func newTeamLayout(workers, params, in, targets, maxN int) teamLayout {
	l := teamLayout{Workers: workers, Params: params, In: in, Targets: targets, MaxN: maxN}
	off := 0
	region := func(bytes int) int {
		at := off
		off += align8(bytes)
		return at
	}
	l.Ctrl = region(4 * slotInts * workers)
	l.Loss = region(8 * workers)
	l.Weights = region(4 * params)
	l.X = region(4 * maxN * in)
	l.Y = region(4 * maxN * targets)
	l.Grads = region(4 * params * (workers - 1))
	l.Size = off
	return l
}

// sharedViews are the typed arrays one worker reads and writes the shared
// buffer through.
type sharedViews struct {
	atomics js.Value
	ctrl    js.Value // Int32Array over the ctrl region
	loss    js.Value // Float64Array over the loss region
	bytes   js.Value // Uint8Array over the whole buffer
}

func newSharedViews(sab js.Value, l teamLayout) sharedViews {
	g := js.Global()
	return sharedViews{
		atomics: g.Get("Atomics"),
		ctrl:    g.Get("Int32Array").New(sab, l.Ctrl, slotInts*l.Workers),
		loss:    g.Get("Float64Array").New(sab, l.Loss, l.Workers),
		bytes:   g.Get("Uint8Array").New(sab),
	}
}

func (v sharedViews) load(slot, field int) int {
	return v.atomics.Call("load", v.ctrl, slot*slotInts+field).Int()
}

func (v sharedViews) store(slot, field, x int) {
	v.atomics.Call("store", v.ctrl, slot*slotInts+field, x)
}

func (v sharedViews) notify(slot, field int) {
	v.atomics.Call("notify", v.ctrl, slot*slotInts+field)
}

// wait blocks while slot's field holds old, for at most d.
func (v sharedViews) wait(slot, field, old int, d time.Duration) {
	v.atomics.Call("wait", v.ctrl, slot*slotInts+field, old, float64(d.Milliseconds()))
}

// put copies src into the shared buffer at byte offset at.
func (v sharedViews) put(at int, src []float32) {
	if len(src) == 0 {
		return
	}
	js.CopyBytesToJS(v.bytes.Call("subarray", at, at+4*len(src)), unsafe.Slice((*byte)(unsafe.Pointer(&src[0])), 4*len(src)))
}

// get copies len(dst) values from byte offset at into dst.
func (v sharedViews) get(dst []float32, at int) {
	if len(dst) == 0 {
		return
	}
	js.CopyBytesToGo(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst)), v.bytes.Call("subarray", at, at+4*len(dst)))
}
