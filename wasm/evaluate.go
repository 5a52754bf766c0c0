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

// An evaluation runs an nn.Evaluator over the split a window at a time, a
// window per step, sized to fit sliceBudget by the time per sample so far.
// The reference model takes about a minute over the 10,000 test images in
// the browser; in slices, the worker keeps answering (predict, ping,
// pause) meanwhile, and the page's client does not take the silence for a
// hung engine.
type evaluation struct {
	id     js.Value // the request's
	name   string   // the split's
	data   nn.Data
	ev     *nn.Evaluator
	dups   []int     // the test duplicates to leave out for the dedup figures, or nil
	done   int       // samples evaluated
	window int       // samples per window
	told   time.Time // when the last evaluating event went out
}

// evalEventEvery is the least time between two evaluating events.
const evalEventEvery = 200 * time.Millisecond

// progress is the evaluating event's fields after a slice that left work
// to do, or nil when the last event went out less than evalEventEvery ago.
func (e *evaluation) progress(now time.Time) map[string]any {
	if now.Sub(e.told) < evalEventEvery {
		return nil
	}
	e.told = now
	return map[string]any{"split": e.name, "done": e.done, "total": e.data.Len()}
}

// picked is the samples ids of a data set.
type picked struct {
	nn.Data
	ids, idx []int
}

func (p *picked) Len() int { return len(p.ids) }

func (p *picked) Fill(x, y []float32, idx []int) {
	if cap(p.idx) < len(idx) {
		p.idx = make([]int, len(idx))
	}
	m := p.idx[:len(idx)]
	for i, j := range idx {
		m[i] = p.ids[j]
	}
	p.Data.Fill(x, y, m)
}

// evaluate starts evaluating the model on a split (the test split by
// default); the reply comes when it is done. With the test split of a data
// set whose manifest lists test duplicates, the reply adds the figures
// without them (unless dedup is false).
func (w *worker) evaluate(req js.Value) (any, error) {
	if w.model == nil {
		return nil, errNoModel
	}
	if err := w.idle("evaluate"); err != nil {
		return nil, err
	}
	name, err := argString(req, "split", dataset.Test)
	if err != nil {
		return nil, err
	}
	dedup, err := argBool(req, "dedup", true)
	if err != nil {
		return nil, err
	}
	s, err := w.split(name)
	if err != nil {
		return nil, err
	}
	if err := w.compiled(); err != nil {
		return nil, err
	}
	ev, err := w.model.NewEvaluator(s, 0, true)
	if err != nil {
		return nil, err
	}
	e := &evaluation{id: req.Get("id"), name: name, data: s, ev: ev, window: 1}
	if dedup && name == dataset.Test {
		for _, id := range w.data.Manifest.TestDuplicates {
			if id < s.Len() {
				e.dups = append(e.dups, id)
			}
		}
	}
	w.eval = e
	w.schedule()
	return later{}, nil
}

// evalSlice evaluates windows for about sliceBudget; after the last it
// replies. An error or a panic is the request's error reply.
func (w *worker) evalSlice(e *evaluation) {
	what := "evaluate"
	var result map[string]any
	err := protect(&what, func() error {
		start := time.Now()
		for e.done < e.data.Len() && time.Since(start) < sliceBudget {
			n := min(e.window, e.data.Len()-e.done)
			t0 := time.Now()
			if err := e.ev.Run(n); err != nil {
				return err
			}
			e.done = e.ev.Done()
			perSample := time.Since(t0) / time.Duration(n)
			e.window = max(1, min(1024, int(sliceBudget/max(perSample, time.Microsecond))))
		}
		if e.done < e.data.Len() {
			if p := e.progress(time.Now()); p != nil {
				w.emit("evaluating", p)
			}
			w.schedule()
			return nil
		}
		var err error
		result, err = w.evalResult(e)
		return err
	})
	if err != nil || result != nil {
		w.eval = nil
		w.replyLater(e.id, result, err)
	}
}

// evalResult is the reply. The dedup figures take the duplicates' own
// evaluation (a few samples) out of the totals.
func (w *worker) evalResult(e *evaluation) (map[string]any, error) {
	r := e.ev.Result()
	n := r.Samples
	res := map[string]any{
		"split": e.name, "loss": r.Loss, "accuracy": r.Accuracy,
		"samples": n, "classes": r.Classes, "confusion": jsarray.IntsToJS(r.Confusion), "misclassified": jsarray.IntsToJS(r.Misclassified), "predicted": jsarray.IntsToJS(r.Predicted), "labels": jsarray.IntsToJS(r.Labels), "dedup": nil,
		"classAccuracy": classAccuracy(r),
	}
	if len(e.dups) == 0 || len(e.dups) == n {
		return res, nil
	}
	d, err := w.model.EvaluateDetailed(&picked{Data: e.data, ids: e.dups}, 0)
	if err != nil {
		return nil, fmt.Errorf("worker: evaluating the test duplicates: %w", err)
	}
	loss, acc := r.Without(d)
	res["dedup"] = map[string]any{"loss": loss, "accuracy": acc, "samples": n - d.Samples, "removed": d.Samples}
	return res, nil
}

// classAccuracy is the engine's per-class accuracy for the page: null for
// a class without samples; nil without a confusion matrix.
func classAccuracy(r *nn.Evaluation) []any {
	acc := r.ClassAccuracy()
	if acc == nil {
		return nil
	}
	out := make([]any, len(acc))
	for k, a := range acc {
		if !math.IsNaN(a) {
			out[k] = a
		}
	}
	return out
}
