//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"

	"convplay/nn"
)

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
// spec, loss}, as newTeam made it) and marks its slot ready.
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
	lossName := "sparse_categorical_crossentropy" // a team from before the init named its loss
	if v := init.Get("loss"); v.Type() == js.TypeString {
		lossName = v.String()
	}
	loss, err := nn.ParseLoss(lossName) // the leader's: a shard's gradients are of its loss
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
