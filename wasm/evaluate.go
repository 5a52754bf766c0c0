//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"
	"time"

	"convplay/dataset"
	"convplay/nn"
)

// An evaluation runs nn.Model.EvaluateDetailed over consecutive windows of
// the split, a window per step, sized to fit sliceBudget by the time per
// sample so far, and adds up the engine's figures: the loss weighted by
// the window's size, the confusion matrices, the misclassified samples
// offset by the window's start. The reference model takes about a minute
// over the 10,000 test images in the browser; in slices, the worker keeps
// answering (predict, ping, pause) meanwhile, and the page's client does
// not take the silence for a hung engine.
type evaluation struct {
	id        js.Value // the request's
	name      string   // the split's
	data      nn.Data
	dups      []int // the test duplicates to leave out for the dedup figures, or nil
	done      int   // samples evaluated
	window    int   // samples per window
	lossSum   float64
	classes   int
	confusion []int     // (classes, classes), or nil for one output
	wrong     []int     // misclassified samples
	predicted []int     // the class predicted for each of them, or nil for one output
	labels    []int     // and their true class
	told      time.Time // when the last evaluating event went out
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

// window is samples off..off+n-1 of a data set.
type window struct {
	nn.Data
	off, n int
	idx    []int
}

func (v *window) Len() int { return v.n }

func (v *window) Fill(x, y []float32, idx []int) {
	if cap(v.idx) < len(idx) {
		v.idx = make([]int, len(idx))
	}
	shifted := v.idx[:len(idx)]
	for i, j := range idx {
		shifted[i] = v.off + j
	}
	v.Data.Fill(x, y, shifted)
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
	e := &evaluation{id: req.Get("id"), name: name, data: s, window: 1, classes: w.model.OutShape().Size()}
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
			r, err := w.model.EvaluateDetailed(&window{Data: e.data, off: e.done, n: n}, 0)
			if err != nil {
				return err
			}
			e.add(r, n)
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

func (e *evaluation) add(r *nn.Evaluation, n int) {
	e.lossSum += r.Loss * float64(n)
	if r.Confusion != nil {
		if e.confusion == nil {
			e.confusion = make([]int, len(r.Confusion))
		}
		for i, c := range r.Confusion {
			e.confusion[i] += c
		}
	}
	for _, id := range r.Misclassified {
		e.wrong = append(e.wrong, e.done+id)
	}
	e.predicted = append(e.predicted, r.Predicted...)
	e.labels = append(e.labels, r.Labels...)
	e.done += n
}

// evalResult is the reply. The dedup figures take the duplicates' own
// evaluation (a few samples) out of the totals.
func (w *worker) evalResult(e *evaluation) (map[string]any, error) {
	n := e.data.Len()
	res := map[string]any{
		"split": e.name, "loss": e.lossSum / float64(n), "accuracy": float64(n-len(e.wrong)) / float64(n),
		"samples": n, "classes": e.classes, "confusion": intsToJS(e.confusion), "misclassified": intsToJS(e.wrong), "predicted": intsToJS(e.predicted), "labels": intsToJS(e.labels), "dedup": nil,
		"classAccuracy": classAccuracy(e.confusion, e.classes),
	}
	if len(e.dups) == 0 || len(e.dups) == n {
		return res, nil
	}
	d, err := w.model.EvaluateDetailed(&picked{Data: e.data, ids: e.dups}, 0)
	if err != nil {
		return nil, fmt.Errorf("worker: evaluating the test duplicates: %w", err)
	}
	k := len(e.dups)
	wrongDups := len(d.Misclassified)
	res["dedup"] = map[string]any{
		"loss":     (e.lossSum - d.Loss*float64(k)) / float64(n-k),
		"accuracy": float64(n-len(e.wrong)-(k-wrongDups)) / float64(n-k),
		"samples":  n - k, "removed": k,
	}
	return res, nil
}

// classAccuracy is, for each true class (a row of the confusion matrix),
// the fraction of its samples predicted as that class; null for a class
// without samples. Nil without a confusion matrix.
func classAccuracy(confusion []int, classes int) []any {
	if confusion == nil {
		return nil
	}
	acc := make([]any, classes)
	for k := range classes {
		row := confusion[k*classes : (k+1)*classes]
		total := 0
		for _, c := range row {
			total += c
		}
		if total > 0 {
			acc[k] = float64(row[k]) / float64(total)
		}
	}
	return acc
}
