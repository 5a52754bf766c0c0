//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"
	"time"

	"convplay/nn"
	"convplay/wasm/jsarray"
)

// The why ops that take longer than a reply should: activation
// maximization (why_maximize.go), the occlusion map (here) and the 2-D map
// of a few thousand test images (why_embedding.go). They run in slices of
// about sliceBudget, scheduled through whyState.kick, one at a time in that
// order of priority, so the worker keeps answering (predict, ping,
// training's slices) meanwhile, and they reply later.

// schedule runs the next why slice soon, unless one is queued already.
func (s *whyState) schedule(f func()) {
	if s.queued {
		return
	}
	if s.kick == nil {
		s.kick = newKicker(f)
	}
	s.queued = true
	s.kick()
}

// whySlice runs a slice of the maximization, else of the occlusion map,
// else of the 2-D map.
func (w *worker) whySlice() {
	if w.why == nil {
		return
	}
	w.why.queued = false
	if c := w.why.climb; c != nil {
		w.climbSlice(c)
	} else if o := w.why.occl; o != nil {
		w.occlusionSlice(o)
	} else if m := w.why.embed; m != nil && !m.ready() {
		w.embedSlice(m)
	}
	if w.why.climb != nil || w.why.occl != nil || (w.why.embed != nil && !w.why.embed.ready()) {
		w.why.schedule(w.whySlice)
	}
}

// occlusion is an occlusion map in progress.
type occlusion struct {
	id    js.Value
	model *nn.Model
	oc    *nn.Occluder
	head  map[string]any // the reply's fields known at the start
	batch int            // positions per forward pass, sized to the slice budget
}

// occlusionSlice runs forward passes for about sliceBudget, sized as
// embedSlice's; after the last it replies.
func (w *worker) occlusionSlice(o *occlusion) {
	what := "occlusion"
	err := protect(&what, func() error {
		if o.model != w.model {
			return fmt.Errorf("worker: the model changed during the occlusion map")
		}
		start := time.Now()
		o.batch = max(o.batch, 1)
		for !o.oc.Done() {
			done, _ := o.oc.Progress()
			t0 := time.Now()
			o.oc.Run(o.batch)
			now, _ := o.oc.Progress()
			per := max(time.Since(t0)/time.Duration(now-done), time.Microsecond)
			o.batch = min(embedBatch, max(1, int(sliceBudget/2/per)))
			if time.Since(start)+time.Duration(o.batch)*per > sliceBudget {
				break
			}
		}
		return nil
	})
	if err == nil && !o.oc.Done() {
		return
	}
	w.why.occl = nil
	if err != nil {
		w.replyLater(o.id, nil, err)
		return
	}
	r := o.oc.Result()
	res := o.head
	res["class"], res["prob"], res["patch"], res["stride"], res["rows"], res["cols"] = r.Class, r.Prob, r.Patch, r.S, r.Rows, r.Cols
	res["probs"], res["drop"], res["map"], res["top"] = jsarray.Float32sToJS(r.Probs), jsarray.Float32sToJS(r.Drop), jsarray.Float32sToJS(r.Map), jsarray.IntsToJS(r.Top)
	res["forwards"] = r.Forwards
	w.replyLater(o.id, res, nil)
}
