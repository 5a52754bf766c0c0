//go:build js && wasm

package main

import (
	"fmt"
	"math"
	"syscall/js"
	"time"

	"convplay/dataset"
	"convplay/nn"
	"convplay/wasm/jsarray"
)

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
	run     *nn.PCARun     // the principal components in progress, once the features are done
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
	if img := nn.Shape(w.data.Manifest.Shape); !img.Equal(w.model.InShape()) {
		return nil, fmt.Errorf("worker: the model takes inputs of shape %v, the data set's images are %v", w.model.InShape(), img)
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

// embedSlice computes features for about sliceBudget, then the principal
// components' steps (nn.PCARun) for as long; when they are done it
// answers the waiting requests.
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
		// The principal components, in steps too: in one go they blocked
		// the worker for about 2 s (2,000 points of dimension 400), and its
		// alive events with it.
		if m.run == nil {
			var err error
			if m.run, err = nn.NewPCARun(m.feats, n, d); err != nil {
				return err
			}
		}
		for !m.run.Step() {
			if time.Since(start) > sliceBudget {
				return nil
			}
		}
		p := m.run.PCA()
		m.points = p.Project(nil, m.feats, n)
		m.pca, m.run = p, nil
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
		"labels": jsarray.IntsToJS(labels), "predicted": jsarray.IntsToJS(predicted), "points": jsarray.Float32sToJS(m.points),
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
