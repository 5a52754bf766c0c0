//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"
	"time"
	"unsafe"

	"convplay/nn"
)

// Data-parallel training across N Web Workers, invisible to the page: the
// page's worker (the leader) trains as always, with an nn.GradientFunc
// (FitConfig.Gradients) that shares each Step's samples out to N-1 helper workers. worker.js
// starts the helpers (convplayHelpers); each runs this same Go program
// (helper mode: convplayShardInit, convplayShard) and computes the
// gradients of its shard with the weights the leader wrote. Leader and
// helpers meet in one SharedArrayBuffer (the page is cross-origin
// isolated; without it, or without the hook, training falls back to one
// worker), whose regions, slot fields and helper states are tables in
// protocol.go (and web/protocol.js, for worker.js).
//
// The leader writes the weights (when a batch changed them) and the
// samples, sets each helper's slot and bumps its cmd; computes shard 0
// itself; then, in shard order, waits for each helper's done (Atomics.wait:
// a worker may block) and adds its gradients, weighted by shard size (see
// nn.ShardSum). Only the leader holds an optimizer, so only one
// copy of the weights is ever changed, and the sum's order never depends
// on which worker finished first. A helper still booting leaves its shard
// to the leader; a helper that died (its Go program exited or its worker
// failed) or went silent (its beat stood still for helperSilence: its
// worker was closed or killed without an error) ends the training with an
// error, and is marked dead so that worker.js replaces it.

// helperTimeout is the longest the leader waits for one helper's shard,
// beating or not (helperSilence, protocol.go, is how long without a beat).
const helperTimeout = 60 * time.Second

// maxWorkers caps the workers of one training.
const maxWorkers = 8

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

// team is the leader's side of a data-parallel training.
type team struct {
	l       teamLayout
	v       sharedViews
	version func() int  // the weights' version: it changes when a batch changed them
	sent    int         // the version the shared buffer holds, -1 for none
	seq     int         // the last command sent
	w, g    []float32   // scratch: weights, a helper's gradients
	sum     nn.ShardSum // adds up a Step's shards
	last    int         // the workers that computed the last Step
	closed  bool
}

// active is the number of workers that computed the last Step: 1 without
// a team, or while its helpers boot.
func (tm *team) active() int {
	if tm == nil || tm.last == 0 {
		return 1
	}
	return tm.last
}

// workersArg is train's workers argument: default min(hardwareConcurrency, 4).
func workersArg(req js.Value) (int, error) {
	def := 1
	if nav := js.Global().Get("navigator"); !missing(nav) {
		if hc := nav.Get("hardwareConcurrency"); hc.Type() == js.TypeNumber {
			def = max(1, min(hc.Int(), 4))
		}
	}
	n, err := argInt(req, "workers", def, 1)
	if err != nil {
		return 0, err
	}
	if n > maxWorkers {
		return 0, fmt.Errorf("worker: workers %d is more than %d", n, maxWorkers)
	}
	return n, nil
}

// canShare reports whether this worker can start helpers sharing memory
// with it: cross-origin isolated, with worker.js's convplayHelpers hook.
func canShare() bool {
	g := js.Global()
	return g.Get("crossOriginIsolated").Truthy() && g.Get("SharedArrayBuffer").Truthy() &&
		g.Get(globalHelpers).Type() == js.TypeFunction
}

// newTeam starts workers-1 helpers for training m with Steps of at most
// maxN samples. version tells when the weights changed.
func newTeam(m *nn.Model, workers, maxN int, version func() int) (*team, error) {
	spec, err := json.Marshal(m.Spec)
	if err != nil {
		return nil, err
	}
	l := newTeamLayout(workers, m.NumParams(), m.InShape().Size(), m.Loss().TargetSize(m.OutShape().Size()), maxN)
	sab := js.Global().Get("SharedArrayBuffer").New(l.Size)
	layout, _ := json.Marshal(l)
	tm := &team{l: l, v: newSharedViews(sab, l), version: version, sent: -1}
	js.Global().Call(globalHelpers, workers-1, map[string]any{"sab": sab, "layout": string(layout), "spec": string(spec)})
	return tm, nil
}

// close parks the helpers (worker.js keeps them for the next training).
func (tm *team) close() {
	if tm == nil || tm.closed {
		return
	}
	tm.closed = true
	js.Global().Call(globalHelpers, 0, js.Null())
}

// memoryMB lists each worker's WebAssembly memory in MiB, the leader's
// first (a helper's as of its last shard, 0 before it).
func (tm *team) memoryMB() []any {
	mb := []any{wasmMemoryMB()}
	if tm == nil {
		return mb
	}
	for h := 1; h < tm.l.Workers; h++ {
		mb = append(mb, tm.v.load(h, slotMemoryMB))
	}
	return mb
}

// wasmMemoryMB is this worker's WebAssembly memory in MiB, the memory
// worker.js hands the engine as convplayMemory (0 without it).
func wasmMemoryMB() int {
	mem := js.Global().Get(globalMemory)
	if mem.Type() != js.TypeObject {
		return 0
	}
	return mem.Get("buffer").Get("byteLength").Int() >> 20
}

// helperError describes helper h's failure, or is nil.
func (tm *team) helperError(h int) error {
	switch tm.v.load(h, slotState) {
	case helperDead:
		return fmt.Errorf("worker: helper worker %d of %d stopped (its engine exited or the worker failed)", h, tm.l.Workers-1)
	case helperFailed:
		return fmt.Errorf("worker: helper worker %d of %d failed computing its gradients (see the console)", h, tm.l.Workers-1)
	}
	return nil
}

// gradients is the leader's nn.GradientFunc. A helper that died, failed
// or did not answer is its error, which ends the training.
func (tm *team) gradients(m *nn.Model, x, y []float32, n int) (float64, int, error) {
	l := tm.l
	sizes := nn.ShardSizes(n, l.Workers)
	byHelper := make([]bool, len(sizes)) // shard i is helper i's
	for h := 1; h < l.Workers; h++ {
		if err := tm.helperError(h); err != nil {
			return 0, 0, err
		}
		if h < len(sizes) {
			byHelper[h] = tm.v.load(h, slotState) == helperReady
		}
	}
	// Send the helpers their shards: the weights when they changed, the samples, the go.
	if v := tm.version(); v != tm.sent {
		tm.w = m.FlatWeights(tm.w)
		tm.v.put(l.Weights, tm.w)
		tm.sent = v
	}
	tm.seq++
	off := 0
	for i, k := range sizes {
		if byHelper[i] {
			tm.v.put(l.X+4*(off-sizes[0])*l.In, x[off*l.In:(off+k)*l.In])
			tm.v.put(l.Y+4*(off-sizes[0])*l.Targets, y[off*l.Targets:(off+k)*l.Targets])
			tm.v.store(i, slotOffset, off-sizes[0])
			tm.v.store(i, slotN, k)
			tm.v.store(i, slotVersion, tm.sent)
			tm.v.store(i, slotCmd, tm.seq)
			tm.v.notify(i, slotCmd)
		}
		off += k
	}
	tm.last = 1
	for _, b := range byHelper {
		if b {
			tm.last++
		}
	}
	// Sum the shards in order (nn.ShardSum), computing the leader's (and
	// any a helper still booting would have had) here.
	tm.sum.Start(n)
	off = 0
	for i, k := range sizes {
		if byHelper[i] {
			loss, correct, err := tm.await(i)
			if err != nil {
				return 0, 0, err
			}
			tm.g = grow(tm.g, l.Params)
			tm.v.get(tm.g, l.Grads+4*(i-1)*l.Params)
			if err := tm.sum.AddFlat(m, tm.g, k, loss, correct); err != nil {
				return 0, 0, err
			}
		} else {
			loss, correct := m.ComputeGradients(x[off*l.In:(off+k)*l.In], y[off*l.Targets:(off+k)*l.Targets], k)
			tm.sum.AddModel(m, k, loss, correct)
		}
		off += k
	}
	loss, correct := tm.sum.Sum(m)
	return loss, correct, nil
}

// await waits for helper h's answer to the current command. A helper
// bumps its beat while it waits for commands, so one whose beat stands
// still for helperSilence (and has not answered) is gone.
func (tm *team) await(h int) (float64, int, error) {
	start := time.Now()
	beat, beatAt := tm.v.load(h, slotBeat), start
	for {
		done := tm.v.load(h, slotDone)
		if done == tm.seq {
			break
		}
		if err := tm.helperError(h); err != nil {
			return 0, 0, err
		}
		now := time.Now()
		if b := tm.v.load(h, slotBeat); b != beat {
			beat, beatAt = b, now
		}
		if now.Sub(beatAt) > helperSilence {
			tm.v.store(h, slotState, helperDead)
			return 0, 0, fmt.Errorf("worker: helper worker %d of %d stopped answering (silent for %v: its worker was closed or killed)", h, tm.l.Workers-1, helperSilence)
		}
		if now.Sub(start) > helperTimeout {
			tm.v.store(h, slotState, helperDead)
			return 0, 0, fmt.Errorf("worker: helper worker %d of %d did not answer in %v", h, tm.l.Workers-1, helperTimeout)
		}
		tm.v.wait(h, slotDone, done, 100*time.Millisecond)
	}
	if err := tm.helperError(h); err != nil {
		return 0, 0, err
	}
	return tm.v.loss.Index(h).Float(), tm.v.load(h, slotCorrect), nil
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// helper is a helper worker's state: the model whose gradients it
// computes, and its slot in the team's shared buffer.
type helper struct {
	m       *nn.Model
	l       teamLayout
	v       sharedViews
	slot    int
	version int
	w, g    []float32
	x, y    []float32
}

var helping *helper

func init() {
	js.Global().Set(globalShardInit, js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) < 2 {
			return globalShardInit + "(init, slot)"
		}
		h, err := newHelper(args[0], args[1].Int())
		if err != nil {
			return err.Error()
		}
		helping = h
		return nil
	}))
	js.Global().Set(globalShard, js.FuncOf(func(js.Value, []js.Value) any {
		if helping != nil {
			helping.shard()
		}
		return nil
	}))
}

// newHelper prepares a helper from the team's init object ({sab, layout,
// spec}, as newTeam made it) and marks its slot ready.
func newHelper(init js.Value, slot int) (*helper, error) {
	var l teamLayout
	if err := json.Unmarshal([]byte(init.Get("layout").String()), &l); err != nil {
		return nil, fmt.Errorf("worker: helper layout: %v", err)
	}
	if slot < 1 || slot >= l.Workers {
		return nil, fmt.Errorf("worker: helper slot %d of %d", slot, l.Workers)
	}
	var spec nn.ModelSpec
	if err := json.Unmarshal([]byte(init.Get("spec").String()), &spec); err != nil {
		return nil, fmt.Errorf("worker: helper model: %v", err)
	}
	m, err := nn.Build(spec, 1)
	if err != nil {
		return nil, err
	}
	opt, err := nn.NewOptimizer(nn.OptimizerSpec{Name: "sgd"}) // never steps: the leader does
	if err != nil {
		return nil, err
	}
	loss, err := nn.ParseLoss("sparse_categorical_crossentropy")
	if err != nil {
		return nil, err
	}
	if err := m.Compile(opt, loss); err != nil {
		return nil, err
	}
	if m.NumParams() != l.Params {
		return nil, fmt.Errorf("worker: helper model has %d weights, the leader's %d", m.NumParams(), l.Params)
	}
	h := &helper{m: m, l: l, v: newSharedViews(init.Get("sab"), l), slot: slot, version: -1}
	h.v.store(slot, slotState, helperReady)
	return h, nil
}

// shard computes the gradients of the samples the leader assigned, when
// it sent a command not answered yet.
func (h *helper) shard() {
	cmd := h.v.load(h.slot, slotCmd)
	if cmd == h.v.load(h.slot, slotDone) {
		return
	}
	what := "a shard's gradients"
	err := protect(&what, func() error {
		l := h.l
		if v := h.v.load(h.slot, slotVersion); v != h.version {
			h.w = grow(h.w, l.Params)
			h.v.get(h.w, l.Weights)
			if err := h.m.SetFlatWeights(h.w); err != nil {
				return err
			}
			h.version = v
		}
		off, n := h.v.load(h.slot, slotOffset), h.v.load(h.slot, slotN)
		if n < 1 || off < 0 || off+n > l.MaxN {
			return fmt.Errorf("worker: helper asked for samples %d..%d of %d", off, off+n, l.MaxN)
		}
		h.x, h.y = grow(h.x, n*l.In), grow(h.y, n*l.Targets)
		h.v.get(h.x, l.X+4*off*l.In)
		h.v.get(h.y, l.Y+4*off*l.Targets)
		loss, correct := h.m.ComputeGradients(h.x, h.y, n)
		h.g = h.m.FlatGradients(h.g)
		h.v.put(l.Grads+4*(h.slot-1)*l.Params, h.g)
		h.v.loss.SetIndex(h.slot, loss)
		h.v.store(h.slot, slotCorrect, correct)
		h.v.store(h.slot, slotMemoryMB, wasmMemoryMB())
		return nil
	})
	if err != nil {
		js.Global().Get("console").Call("error", err.Error())
		h.v.store(h.slot, slotState, helperFailed)
	}
	h.v.store(h.slot, slotDone, cmd)
	h.v.notify(h.slot, slotDone)
}
