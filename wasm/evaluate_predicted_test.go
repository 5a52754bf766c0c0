//go:build js && wasm

package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/nn"
	"convplay/wasm/jsarray"
)

// TestEvaluatePredicted: evaluate gives, beside each misclassified sample,
// the class it was predicted as, so the page can open a confusion matrix
// cell's images. The sum model calls test sample 3 (dark, labelled bright)
// class 0, and every training sample right; a fresh tiny model's sliced
// figures match the engine's over the whole split.
func TestEvaluatePredicted(t *testing.T) {
	d := newTinyData(t)
	w, ev := newWorker()
	require.True(t, send(w, obj(map[string]any{"id": 2, "type": "loadWeights", "bytes": jsarray.BytesToJS(sumModel(t)), "build": true})).ok)
	d.load(t, w)
	r := sendWait(t, w, ev, obj(map[string]any{"id": 3, "type": "evaluate"}))
	require.True(t, r.ok, r.err)
	assert.Equal(t, []int{3}, ints(r.result.Get("misclassified")))
	assert.Equal(t, []int{0}, ints(r.result.Get("predicted")))
	assert.Equal(t, []int{1}, ints(r.result.Get("labels")))
	// Confusion (2, 0; 1, 1): class 0 all right, class 1 half.
	acc := r.result.Get("classAccuracy")
	assert.Equal(t, []float64{1, 0.5}, []float64{acc.Index(0).Float(), acc.Index(1).Float()})

	w2, ev2 := newWorker()
	require.True(t, send(w2, obj(map[string]any{"id": 1, "type": "buildModel", "spec": tinySpecFor2x2(), "seed": 9})).ok)
	d.load(t, w2)
	for _, split := range []string{"train", "test"} {
		r := sendWait(t, w2, ev2, obj(map[string]any{"id": 4, "type": "evaluate", "split": split}))
		require.True(t, r.ok, r.err)
		s, err := w2.data.Split(split)
		require.NoError(t, err)
		want, err := w2.model.EvaluateDetailed(s, 0)
		require.NoError(t, err)
		got := ints(r.result.Get("predicted"))
		assert.Equal(t, append([]int{}, want.Predicted...), got, split)
		assert.NotEmpty(t, got, "the untrained model gets some wrong")
		assert.Len(t, got, r.result.Get("misclassified").Length())
		// The (true, predicted) pairs of the misclassified samples are the
		// confusion matrix off its diagonal.
		conf, classes := ints(r.result.Get("confusion")), r.result.Get("classes").Int()
		off := make([]int, len(conf))
		for i := range conf {
			if i/classes != i%classes {
				off[i] = conf[i]
			}
		}
		pairs := make([]int, len(conf))
		for i, id := range ints(r.result.Get("misclassified")) {
			g := send(w2, obj(map[string]any{"id": 5, "type": "getSample", "split": split, "index": id}))
			require.True(t, g.ok, g.err)
			pairs[g.result.Get("label").Int()*classes+got[i]]++
			assert.Equal(t, g.result.Get("label").Int(), ints(r.result.Get("labels"))[i])
		}
		assert.Equal(t, off, pairs, split)
	}
}

func TestClassAccuracy(t *testing.T) {
	tests := []struct {
		name      string
		confusion []int
		classes   int
		want      []any
	}{
		{"no matrix", nil, 1, nil},
		{"rows", []int{3, 1, 0, 0, 2, 2, 0, 0, 0}, 3, []any{0.75, 0.5, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, classAccuracy(&nn.Evaluation{Confusion: tt.confusion, Classes: tt.classes}))
		})
	}
}

// TestEvaluatingEvents: after a slice with work left, an evaluation tells
// how far it is, at most every evalEventEvery.
func TestEvaluatingEvents(t *testing.T) {
	d := newTinyData(t)
	w, _ := newWorker()
	d.load(t, w)
	s, err := w.data.Split("test")
	require.NoError(t, err)
	e := &evaluation{name: "test", data: s, done: 3}
	t0 := time.Unix(1000, 0)
	tests := []struct {
		at   time.Duration
		done int
		want map[string]any
	}{
		{0, 3, map[string]any{"split": "test", "done": 3, "total": 4}},
		{evalEventEvery - time.Millisecond, 3, nil},
		{evalEventEvery, 4, map[string]any{"split": "test", "done": 4, "total": 4}},
		{evalEventEvery + 10*time.Millisecond, 4, nil},
	}
	for _, tt := range tests {
		e.done = tt.done
		assert.Equal(t, tt.want, e.progress(t0.Add(tt.at)), "at %v", tt.at)
	}
}
