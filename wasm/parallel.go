//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"
	"time"

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
//
// This file is the leader's side; the shared buffer's layout and the typed
// arrays over it are in parallel_memory.go, the helper's side in
// parallel_helper.go.

// helperTimeout is the longest the leader waits for one helper's shard,
// beating or not (helperSilence, protocol.go, is how long without a beat).
const helperTimeout = 60 * time.Second

// maxWorkers caps the workers of one training.
const maxWorkers = 8

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
	l := newTeamLayout(workers, m.NumParams(), m.InShape().Size(), m.TargetSize(), maxN)
	sab := js.Global().Get("SharedArrayBuffer").New(l.Size)
	layout, _ := json.Marshal(l)
	tm := &team{l: l, v: newSharedViews(sab, l), version: version, sent: -1}
	js.Global().Call(globalHelpers, workers-1, map[string]any{"sab": sab, "layout": string(layout), "spec": string(spec), "loss": m.Loss().Name()})
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
