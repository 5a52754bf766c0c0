//go:build js && wasm

package main

import (
	"fmt"
	"math"
	"syscall/js"
	"time"

	"convplay/dataset"
	"convplay/nn"
)

// The why ops that take longer than a reply should: activation
// maximization (64 steps of the reference model are about a second in the
// browser) and the 2-D map of a few thousand test images. Both run in
// slices of about sliceBudget, scheduled through whyState.kick, so the
// worker keeps answering (predict, ping, training's slices) meanwhile, and
// both reply later.

// climb is an activation maximization in progress.
type climb struct {
	id      js.Value
	model   *nn.Model
	mz      *nn.Maximizer
	head    map[string]any // layer, channel or class, steps
	last    float32        // the objective before the last step
	stopped bool
}

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

// maximize: {layer, channel} (a filter) or {class}, [steps], [learningRate],
// [decay], [jitter], [blurEvery], [blurSigma], [seed], [clamp] -> streams
// maximizeStep events {id, step, steps, objective, image} and replies
// {image, objective, steps, stopped, ...} after the last step. A new
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
	mz, err := e.NewMaximizer(cfg)
	if err != nil {
		return nil, err
	}
	w.stopClimb()
	head["steps"] = cfg.Steps
	w.why.climb = &climb{id: req.Get("id"), model: w.model, mz: mz, head: head}
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
	res := map[string]any{"image": float32sToJS(c.mz.Image()), "objective": c.last, "stopped": c.stopped, "done": c.mz.Steps()}
	for k, v := range c.head {
		res[k] = v
	}
	w.replyLater(c.id, res, nil)
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
			w.emit("maximizeStep", map[string]any{"id": c.id, "step": s.Step, "steps": c.head["steps"], "objective": s.Objective, "image": float32sToJS(s.Image)})
		}
		return nil
	})
	if err != nil || c.mz.Done() {
		w.finishClimb(c, err)
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
	res["probs"], res["drop"], res["map"], res["top"] = float32sToJS(r.Probs), float32sToJS(r.Drop), float32sToJS(r.Map), intsToJS(r.Top)
	res["forwards"] = r.Forwards
	w.replyLater(o.id, res, nil)
}

// embedding is the 2-D map of the penultimate features of the first N
// images of a split, computed in slices and cached for one model, weights,
// data set and N.
type embedding struct {
	key     embedKey
	split   *dataset.Split
	waiting []pendingEmbed // requests to answer when it is ready
	done    int            // images whose features are computed
	batch   int            // images per forward pass, sized to the slice budget
	x, y    []float32      // one batch
	feats   []float32      // (N, D)
	out     []float32      // (N, classes)
	pca     *nn.PCA
	points  []float32 // (N, 2)
	err     error
}

type embedKey struct {
	model   *nn.Model
	weights uint64 // weightsHash
	data    *dataset.Dataset
	split   string
	n       int
}

type pendingEmbed struct {
	id     js.Value
	pixels []float32 // the input to place on the map, or nil
}

func (m *embedding) ready() bool { return m.pca != nil || m.err != nil }

// embedBatch is the most images of one forward pass of the features. The
// first pass takes one image; the next ones as many as half of sliceBudget
// holds by the time per image so far (the reference model's 32 would take
// about 50 ms in the browser, twice the budget).
const embedBatch = 32

// weightsHash is FNV-1a over the bits of every weight, so a cached map is
// dropped when training or loading changed the weights.
func (w *worker) weightsHash() uint64 {
	h := uint64(14695981039346656037)
	for _, p := range w.model.Params() {
		for _, v := range p.W {
			h ^= uint64(math.Float32bits(v))
			h *= 1099511628211
		}
	}
	return h
}

// embeddingOp: {[count] (2000), [split] ("test"), [pixels]} -> {count, dim,
// layer, name, labels, predicted, points, explained, variance, total,
// iterations, point?}: the penultimate features (the input of the last
// layer with weights) of the split's first count images (those loaded, if
// fewer), their 2-D PCA, and where pixels fall on it. The map is cached
// until the model, its weights or the data change: a request for the same
// map answers at once, the first one when the map is ready.
func (w *worker) embedding(req js.Value) (any, error) {
	if _, err := w.explainer(); err != nil {
		return nil, err
	}
	count, err := argInt(req, "count", 2000, 2)
	if err != nil {
		return nil, err
	}
	name, err := argString(req, "split", dataset.Test)
	if err != nil {
		return nil, err
	}
	s, err := w.split(name)
	if err != nil {
		return nil, err
	}
	n := min(count, s.Len())
	if n < 2 {
		return nil, fmt.Errorf("worker: the map needs at least 2 %s images, %d are loaded", name, n)
	}
	var pixels []float32
	if !missing(req.Get("pixels")) {
		if pixels, err = w.explainPixels(req); err != nil {
			return nil, err
		}
	}
	key := embedKey{model: w.model, weights: w.weightsHash(), data: w.data, split: name, n: n}
	m := w.why.embed
	if m == nil || m.key != key || m.err != nil {
		if m != nil {
			for _, p := range m.waiting {
				w.replyLater(p.id, nil, fmt.Errorf("worker: a newer embedding request (another model, data or count) replaced this one"))
			}
		}
		m = &embedding{key: key, split: s}
		w.why.embed = m
	}
	p := pendingEmbed{id: req.Get("id"), pixels: pixels}
	if m.ready() {
		return w.embedResult(m, p)
	}
	m.waiting = append(m.waiting, p)
	w.why.schedule(w.whySlice)
	return later{}, nil
}

// embedSlice computes features for about sliceBudget; after the last
// image it runs the PCA and answers the waiting requests.
func (w *worker) embedSlice(m *embedding) {
	what := "embedding"
	m.err = protect(&what, func() error {
		if m.key.model != w.model || m.key.data != w.data {
			return fmt.Errorf("worker: the model or the data changed while the map was computed")
		}
		in, classes, d := w.model.InShape().Size(), w.model.OutShape().Size(), w.model.FeatureSize()
		n := m.key.n
		if m.feats == nil {
			m.feats, m.out = make([]float32, n*d), make([]float32, n*classes)
			m.x, m.y = make([]float32, embedBatch*in), make([]float32, embedBatch)
		}
		start := time.Now()
		idx := make([]int, embedBatch)
		m.batch = max(m.batch, 1)
		for m.done < n {
			b := min(m.batch, n-m.done)
			for i := range b {
				idx[i] = m.done + i
			}
			t0 := time.Now()
			m.split.Fill(m.x[:b*in], m.y[:b], idx[:b])
			if _, err := w.model.Features(m.feats[m.done*d:(m.done+b)*d], m.out[m.done*classes:(m.done+b)*classes], m.x[:b*in], b); err != nil {
				return err
			}
			m.done += b
			// The next pass takes as many images as half the budget holds
			// by this pass's time per image; it runs in this slice if it
			// should end within the budget.
			per := max(time.Since(t0)/time.Duration(b), time.Microsecond)
			m.batch = min(embedBatch, max(1, int(sliceBudget/2/per)))
			if time.Since(start)+time.Duration(m.batch)*per > sliceBudget {
				break
			}
		}
		if m.done < n {
			return nil
		}
		p, err := nn.NewPCA(m.feats, n, d)
		if err != nil {
			return err
		}
		m.points = p.Project(nil, m.feats, n)
		m.pca = p
		return nil
	})
	if !m.ready() {
		return
	}
	for _, p := range m.waiting {
		res, err := w.embedResult(m, p)
		w.replyLater(p.id, res, err)
	}
	m.waiting = nil
	if m.err != nil {
		w.why.embed = nil
	}
}

// embedResult is the reply to one embedding request for a ready map.
func (w *worker) embedResult(m *embedding, p pendingEmbed) (map[string]any, error) {
	if m.err != nil {
		return nil, m.err
	}
	n, classes := m.key.n, w.model.OutShape().Size()
	labels, predicted := make([]int, n), make([]int, n)
	for i := range n {
		labels[i] = m.split.Label(i)
		predicted[i] = argmax(m.out[i*classes : (i+1)*classes])
	}
	fl := w.model.FeatureLayer()
	name := "input"
	if fl >= 0 {
		name = w.model.Layers[fl].Spec().Name
	}
	ex := m.pca.Explained()
	res := map[string]any{
		"count": n, "split": m.key.split, "dim": m.pca.D, "layer": fl, "name": name,
		"labels": intsToJS(labels), "predicted": intsToJS(predicted), "points": float32sToJS(m.points),
		"explained": []any{ex[0], ex[1]}, "variance": []any{m.pca.Variance[0], m.pca.Variance[1]},
		"total": m.pca.Total, "iterations": m.pca.Iterations,
	}
	if p.pixels != nil {
		f, err := w.model.Features(nil, nil, p.pixels, 1)
		if err != nil {
			return nil, err
		}
		pt := m.pca.Project(nil, f, 1)
		out, err := w.model.Predict(p.pixels, 1)
		if err != nil {
			return nil, err
		}
		res["point"], res["pointClass"] = []any{pt[0], pt[1]}, argmax(out)
	}
	return res, nil
}
