//go:build js && wasm

package main

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/nn"
	"convplay/wasm/jsarray"
)

// whyWorker is explainWorker with events and timer-kicked slices.
func whyWorker(t *testing.T) (*worker, *events, []float32) {
	w, ev := newWorker()
	r := request(w, "buildModel", map[string]any{"preset": "small", "seed": 4})
	require.True(t, r.ok, r.err)
	_, x := explainWorker(t)
	w.why = &whyState{kick: timerKicker(w.whySlice)}
	return w, ev, x
}

func TestSaliencyOp(t *testing.T) {
	w, _, x := whyWorker(t)
	r := request(w, "saliency", map[string]any{"pixels": jsarray.Float32sToJS(x)})
	require.True(t, r.ok, r.err)
	probs := explainFloats(t, r.result.Get("probs"))
	require.Equal(t, argmax(probs), r.result.Get("class").Int(), "the predicted class by default")
	assert.True(t, r.result.Get("scoresAreLogits").Bool())
	grad := explainFloats(t, r.result.Get("grad"))
	gxi := explainFloats(t, r.result.Get("gradTimesInput"))
	require.Len(t, grad, 784)
	nonzero := 0
	for i, g := range grad {
		require.Equal(t, g*x[i], gxi[i])
		if g != 0 && g != grad[0] {
			nonzero++
		}
	}
	assert.Greater(t, nonzero, 100, "the saliency map is not constant")

	e, err := nn.NewExplainer(w.model)
	require.NoError(t, err)
	s, err := e.Saliency(x, 7)
	require.NoError(t, err)
	r = request(w, "saliency", map[string]any{"pixels": jsarray.Float32sToJS(x), "class": 7})
	require.True(t, r.ok, r.err)
	assert.Equal(t, s.Grad, explainFloats(t, r.result.Get("grad")))

	assert.Contains(t, request(w, "saliency", map[string]any{"pixels": jsarray.Float32sToJS(x), "class": 10}).err, "class 10 does not exist")
	assert.Contains(t, request(w, "saliency", map[string]any{"pixels": jsarray.Float32sToJS(x[:5])}).err, "pixels has 5 values")
	assert.Contains(t, request(&worker{}, "saliency", map[string]any{"pixels": jsarray.Float32sToJS(x)}).err, "no model")
}

func TestGradCamOp(t *testing.T) {
	w, _, x := whyWorker(t)
	r := request(w, "gradCam", map[string]any{"pixels": jsarray.Float32sToJS(x), "class": 2})
	require.True(t, r.ok, r.err)
	assert.Equal(t, 2, r.result.Get("layer").Int())
	assert.Equal(t, "conv2d_1", r.result.Get("name").String())
	assert.Len(t, explainFloats(t, r.result.Get("weights")), 16)
	assert.Len(t, explainFloats(t, r.result.Get("map")), 121)
	assert.Len(t, explainFloats(t, r.result.Get("upsampled")), 784)
	r = request(w, "gradCam", map[string]any{"pixels": jsarray.Float32sToJS(x), "layer": "conv2d"})
	require.True(t, r.ok, r.err)
	assert.Equal(t, 0, r.result.Get("layer").Int())
	assert.Contains(t, request(w, "gradCam", map[string]any{"pixels": jsarray.Float32sToJS(x), "layer": 4}).err, "not feature maps")
}

func TestOcclusionOp(t *testing.T) {
	w, ev, x := whyWorker(t)
	r := sendWait(t, w, ev, obj(map[string]any{"id": 41, "type": "occlusion", "pixels": jsarray.Float32sToJS(x), "class": 1}))
	require.True(t, r.ok, r.err)
	assert.Equal(t, 41, r.id.Int())
	res := r.result
	assert.Equal(t, 169, res.Get("forwards").Int())
	assert.Equal(t, 1, res.Get("class").Int())
	assert.Equal(t, 13, res.Get("rows").Int())
	assert.Equal(t, 13, res.Get("cols").Int())
	assert.Equal(t, 4, res.Get("patch").Int())
	assert.Len(t, explainFloats(t, res.Get("probs")), 169)
	assert.Len(t, ints(res.Get("top")), 169)
	assert.Len(t, explainFloats(t, res.Get("map")), 784)
	e, err := nn.NewExplainer(w.model)
	require.NoError(t, err)
	o, err := e.Occlusion(x, 1, nn.OcclusionConfig{})
	require.NoError(t, err)
	assert.Equal(t, o.Probs, explainFloats(t, res.Get("probs")))

	// A newer request replaces one in progress, which answers with an error.
	ev.drain()
	require.True(t, w.handle(obj(map[string]any{"id": 42, "type": "occlusion", "pixels": jsarray.Float32sToJS(x), "stride": 1})).IsNull())
	r = sendWait(t, w, ev, obj(map[string]any{"id": 43, "type": "occlusion", "pixels": jsarray.Float32sToJS(x)}))
	require.False(t, r.ok)
	assert.Equal(t, 42, r.id.Int())
	assert.Contains(t, r.err, "newer occlusion request")
	r = waitReply(t, ev, 43)
	require.True(t, r.ok, r.err)

	mask := make([]float32, 784)
	for i := range 392 {
		mask[i] = 1
	}
	r = request(w, "occlusion", map[string]any{"pixels": jsarray.Float32sToJS(x), "class": 1, "mask": jsarray.Float32sToJS(mask), "fill": -1.5})
	require.True(t, r.ok, r.err)
	in := explainFloats(t, r.result.Get("input"))
	assert.Equal(t, float32(-1.5), in[0])
	assert.Equal(t, x[500], in[500])
	pr, err := w.model.Predict(in, 1)
	require.NoError(t, err)
	assert.Equal(t, float64(pr[1]), r.result.Get("maskedProb").Float())
	assert.Contains(t, request(w, "occlusion", map[string]any{"pixels": jsarray.Float32sToJS(x), "fill": "black"}).err, "needs a data set")
	assert.Contains(t, request(w, "occlusion", map[string]any{"pixels": jsarray.Float32sToJS(x), "fill": "pink"}).err, "fill \"pink\"")
	assert.Contains(t, request(w, "occlusion", map[string]any{"pixels": jsarray.Float32sToJS(x), "patch": 40}).err, "patch 40")
}

func TestFgsmOp(t *testing.T) {
	w, _, x := whyWorker(t)
	r := request(w, "fgsm", map[string]any{"pixels": jsarray.Float32sToJS(x), "epsilon": 0.05})
	require.True(t, r.ok, r.err)
	res := r.result
	assert.Equal(t, res.Get("classBefore").Int(), res.Get("label").Int())
	loss := explainFloats(t, res.Get("loss"))
	require.Len(t, loss, 2)
	assert.Greater(t, loss[1], loss[0])
	pert := explainFloats(t, res.Get("perturbation"))
	for _, p := range pert {
		require.LessOrEqual(t, math.Abs(float64(p)), 0.05+1e-6)
	}
	// A large epsilon changes the prediction.
	r = request(w, "fgsm", map[string]any{"pixels": jsarray.Float32sToJS(x), "epsilon": 3, "target": (res.Get("classBefore").Int() + 1) % 10, "steps": 10, "stopWhenFooled": true})
	require.True(t, r.ok, r.err)
	assert.NotEqual(t, r.result.Get("classBefore").Int(), r.result.Get("classAfter").Int())
	assert.Contains(t, request(w, "fgsm", map[string]any{"pixels": jsarray.Float32sToJS(x)}).err, "needs epsilon")
	assert.Contains(t, request(w, "fgsm", map[string]any{"pixels": jsarray.Float32sToJS(x), "epsilon": -1}).err, "epsilon")
}

func TestMaximizeOp(t *testing.T) {
	w, ev, _ := whyWorker(t)
	r := sendWait(t, w, ev, obj(map[string]any{"id": 21, "type": "maximize", "layer": 2, "channel": 3, "steps": 12}))
	require.True(t, r.ok, r.err)
	steps := ev.named("maximizeStep")
	require.Len(t, steps, 12)
	for i, s := range steps {
		require.Equal(t, i+1, s.Get("step").Int())
		require.Equal(t, 21, s.Get("id").Int())
		require.Equal(t, 784, s.Get("image").Length())
	}
	assert.Greater(t, steps[11].Get("objective").Float(), steps[0].Get("objective").Float())
	assert.False(t, r.result.Get("stopped").Bool())
	assert.Equal(t, 12, r.result.Get("done").Int())
	assert.Equal(t, "conv2d_1", r.result.Get("name").String())
	field := r.result.Get("field")
	require.Equal(t, 4, field.Length(), "[top, left, bottom, right]")
	assert.Less(t, field.Index(0).Int(), field.Index(2).Int())
	assert.Less(t, field.Index(1).Int(), field.Index(3).Int())

	// stream: false (a gallery's cell) posts no step, only the reply.
	ev.drain()
	before := len(ev.named("maximizeStep"))
	r = sendWait(t, w, ev, obj(map[string]any{"id": 23, "type": "maximize", "layer": 0, "channel": 1, "steps": 6, "stream": false}))
	require.True(t, r.ok, r.err)
	assert.Len(t, ev.named("maximizeStep"), before)
	assert.Equal(t, 6, r.result.Get("done").Int())
	assert.Equal(t, 3, r.result.Get("field").Index(2).Int()-r.result.Get("field").Index(0).Int(), "a first layer's unit sees its 3x3 kernel")

	// A class, stopped after it starts: the maximize reply comes first.
	ev.drain()
	require.True(t, w.handle(obj(map[string]any{"id": 22, "type": "maximize", "class": 4, "steps": 5000})).IsNull())
	ev.waitFor(t, "maximizeStep")
	stop := request(w, "maximizeStop", nil)
	require.True(t, stop.ok, stop.err)
	assert.True(t, stop.result.Get("stopped").Bool())
	var reply replyOf
	for _, v := range ev.list {
		if v.Get("event").IsUndefined() && v.Get("id").Int() == 22 {
			reply = toReply(v)
		}
	}
	require.True(t, reply.ok, reply.err)
	assert.True(t, reply.result.Get("stopped").Bool())
	assert.Less(t, reply.result.Get("done").Int(), 5000)
	assert.Equal(t, 4, reply.result.Get("class").Int())
	assert.False(t, request(w, "maximizeStop", nil).result.Get("stopped").Bool())
	assert.Contains(t, request(w, "maximize", map[string]any{}).err, "needs a layer")
	assert.Contains(t, request(w, "maximize", map[string]any{"layer": 2, "channel": 16}).err, "channels 0 to 15")
}

func TestEmbeddingOp(t *testing.T) {
	w, ev := newWorker()
	w.why = &whyState{kick: timerKicker(w.whySlice)}
	d := newTinyData(t)
	d.load(t, w)
	require.True(t, request(w, "buildModel", map[string]any{"spec": jsonOf(t, tinyModelSpec())}).ok)
	x := []float32{1, 2, -1, 0.5}
	r := sendWait(t, w, ev, obj(map[string]any{"id": 31, "type": "embedding", "pixels": jsarray.Float32sToJS(x)}))
	require.True(t, r.ok, r.err)
	res := r.result
	assert.Equal(t, 4, res.Get("count").Int(), "the 4 test images loaded, fewer than 2000")
	assert.Equal(t, 4, res.Get("dim").Int(), "Flatten's output, read by the Dense layer")
	assert.Equal(t, "flatten", res.Get("name").String())
	assert.Equal(t, []int{0, 1, 0, 1}, ints(res.Get("labels")))
	pts := explainFloats(t, res.Get("points"))
	require.Len(t, pts, 8)

	// The same map again answers at once, from the cache; the drawing's
	// point is the PCA of its features.
	r = request(w, "embedding", map[string]any{"pixels": jsarray.Float32sToJS(x)})
	require.True(t, r.ok, r.err)
	assert.Equal(t, pts, explainFloats(t, r.result.Get("points")))
	s, err := w.split("test")
	require.NoError(t, err)
	px, y := make([]float32, 16), make([]float32, 4)
	s.Fill(px, y, []int{0, 1, 2, 3})
	p, err := nn.NewPCA(px, 4, 4)
	require.NoError(t, err)
	want := p.Project(nil, x, 1)
	assert.InDelta(t, want[0], r.result.Get("point").Index(0).Float(), 1e-5)
	assert.InDelta(t, want[1], r.result.Get("point").Index(1).Float(), 1e-5)
	assert.InDeltaSlice(t, p.Project(nil, px, 4), pts, 1e-5)

	require.True(t, request(w, "buildModel", map[string]any{"preset": "small"}).ok)
	assert.Contains(t, request(w, "embedding", nil).err, "shape (28, 28, 1), the data set's images are (2, 2, 1)")
}

// jsonOf is v as JSON text.
func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// waitReply waits, letting the slices run, for the reply to request id.
func waitReply(t *testing.T, ev *events, id int) replyOf {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case v := <-ev.ch:
			if v.Get("event").IsUndefined() && v.Get("id").Int() == id {
				return toReply(v)
			}
		case <-deadline:
			t.Fatalf("no reply to request %d within 20 s", id)
			return replyOf{}
		}
	}
}
