//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"
	"time"

	"convplay/nn"
	"convplay/wasm/jsarray"
)

// climb is an activation maximization in progress.
type climb struct {
	id      js.Value
	model   *nn.Model
	mz      *nn.Maximizer
	head    map[string]any // layer, channel or class, steps
	last    float32        // the objective before the last step
	stream  bool           // post a maximizeStep event after each step
	stopped bool
}

// maximize: {layer, channel} (a filter) or {class}, [steps], [learningRate],
// [decay], [jitter], [blurEvery], [blurSigma], [seed], [clamp], [stream] ->
// streams maximizeStep events {id, step, steps, objective, image, field} (unless
// stream is false: a gallery wants only the end) and replies {image,
// objective, steps, field, stopped, ...} after the last step. A new
// maximize or maximizeStop ends the one in progress, which replies first
// with stopped: true.
func (w *worker) maximize(req js.Value) (any, error) {
	e, err := w.explainer()
	if err != nil {
		return nil, err
	}
	cfg := nn.DefaultMaximize(0, 0)
	head := map[string]any{}
	if missing(req.Get("layer")) {
		if missing(req.Get("class")) {
			return nil, fmt.Errorf("worker: maximize needs a layer and a channel (a filter), or a class")
		}
		if cfg.Channel, err = argInt(req, "class", 0, 0); err != nil {
			return nil, err
		}
		cfg.Layer = -1
		head["class"] = cfg.Channel
	} else {
		if cfg.Layer, err = w.layerArg(req); err != nil {
			return nil, err
		}
		if cfg.Channel, err = argInt(req, "channel", 0, 0); err != nil {
			return nil, err
		}
		head["layer"], head["name"], head["channel"] = cfg.Layer, w.model.Layers[cfg.Layer].Spec().Name, cfg.Channel
	}
	cfg.Jitter = nn.DefaultMaximize(cfg.Layer, cfg.Channel).Jitter
	for _, a := range []struct {
		name    string
		def, lo int
		dst     *int
	}{{"steps", cfg.Steps, 1, &cfg.Steps}, {"jitter", cfg.Jitter, 0, &cfg.Jitter}, {"blurEvery", cfg.BlurEvery, 0, &cfg.BlurEvery}} {
		if *a.dst, err = argInt(req, a.name, a.def, a.lo); err != nil {
			return nil, err
		}
	}
	if cfg.Steps > 10000 {
		return nil, fmt.Errorf("worker: %d steps: at most 10000", cfg.Steps)
	}
	seed, err := argInt(req, "seed", 1, 0)
	if err != nil {
		return nil, err
	}
	cfg.Seed = uint64(seed)
	for _, a := range []struct {
		name string
		def  float64
		dst  func(float64)
	}{
		{"learningRate", float64(cfg.LearningRate), func(v float64) { cfg.LearningRate = float32(v) }},
		{"decay", float64(cfg.Decay), func(v float64) { cfg.Decay = float32(v) }},
		{"blurSigma", cfg.BlurSigma, func(v float64) { cfg.BlurSigma = v }},
	} {
		v, err := argNumber(req, a.name, a.def)
		if err != nil {
			return nil, err
		}
		a.dst(v)
	}
	clamp, err := argBool(req, "clamp", true)
	if err != nil {
		return nil, err
	}
	if clamp {
		cfg.Lo, cfg.Hi = w.pixelRange()
	}
	stream, err := argBool(req, "stream", true)
	if err != nil {
		return nil, err
	}
	mz, err := e.NewMaximizer(cfg)
	if err != nil {
		return nil, err
	}
	w.stopClimb()
	head["steps"] = cfg.Steps
	w.why.climb = &climb{id: req.Get("id"), model: w.model, mz: mz, head: head, stream: stream}
	w.why.schedule(w.whySlice)
	return later{}, nil
}

// stopClimb ends the maximization in progress, replying stopped: true.
func (w *worker) stopClimb() bool {
	if w.why == nil || w.why.climb == nil {
		return false
	}
	c := w.why.climb
	c.stopped = true
	w.finishClimb(c, nil)
	return true
}

// maximizeStop ends the maximization in progress: {stopped}, false when
// none ran. The maximize request's reply comes first.
func (w *worker) maximizeStop(js.Value) (any, error) {
	return map[string]any{"stopped": w.stopClimb()}, nil
}

// finishClimb replies to the maximize request and forgets it.
func (w *worker) finishClimb(c *climb, err error) {
	w.why.climb = nil
	if err != nil {
		w.replyLater(c.id, nil, err)
		return
	}
	res := map[string]any{"image": jsarray.Float32sToJS(c.mz.Image()), "objective": c.last, "stopped": c.stopped, "done": c.mz.Steps(), "field": fieldJS(c.mz)}
	for k, v := range c.head {
		res[k] = v
	}
	w.replyLater(c.id, res, nil)
}

// climbSlice runs steps for about sliceBudget, posting a maximizeStep event
// after each.
func (w *worker) climbSlice(c *climb) {
	what := "maximize"
	err := protect(&what, func() error {
		if c.model != w.model {
			return fmt.Errorf("worker: the model changed during the maximization")
		}
		start := time.Now()
		for !c.mz.Done() && time.Since(start) < sliceBudget {
			s := c.mz.Step()
			c.last = s.Objective
			if !c.stream {
				continue
			}
			w.emit("maximizeStep", map[string]any{"id": c.id, "step": s.Step, "steps": c.head["steps"], "objective": s.Objective, "image": jsarray.Float32sToJS(s.Image), "field": fieldJS(c.mz)})
		}
		return nil
	})
	if err != nil || c.mz.Done() {
		w.finishClimb(c, err)
	}
}

// fieldJS is the climb's field so far as [top, left, bottom, right).
func fieldJS(mz *nn.Maximizer) []any {
	f := mz.Field()
	return []any{f.Top, f.Left, f.Bottom, f.Right}
}
