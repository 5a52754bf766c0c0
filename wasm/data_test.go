//go:build js && wasm

package main

import (
	"testing"
	"time"

	"convplay/wasm/jsarray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDataLoading(t *testing.T) {
	d := newTinyData(t)
	w, ev := newWorker()

	r := send(w, obj(map[string]any{"id": 1, "type": "addChunk", "name": "x", "bytes": jsarray.BytesToJS(nil)}))
	assert.Equal(t, "worker: no data set: send loadDataset first", r.err)

	bad := []struct {
		name     string
		manifest any
		wantErr  string
	}{
		{"missing", nil, "worker: loadDataset needs the manifest"},
		{"not JSON", "{", "dataset: manifest.json: unexpected EOF"},
		{"wrong format", `{"format":"zip"}`, `dataset: manifest.json: format "zip", want "convplay-dataset"`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := send(w, obj(map[string]any{"id": 1, "type": "loadDataset", "manifest": tt.manifest}))
			assert.False(t, r.ok)
			assert.Equal(t, tt.wantErr, r.err)
		})
	}

	r = send(w, obj(map[string]any{"id": 2, "type": "loadDataset", "manifest": string(d.manifest)}))
	require.True(t, r.ok, r.err)
	assert.Equal(t, "tiny", r.result.Get("name").String())
	assert.Equal(t, 12, r.result.Get("counts").Get("train").Int())
	assert.Equal(t, 8, r.result.Get("files").Length())
	assert.Equal(t, 1, r.result.Get("testDuplicates").Int())
	assert.Equal(t, 100.0, r.result.Get("mean").Float(), "the training pixels' mean, for the page's explanations")
	assert.Equal(t, 50.0, r.result.Get("std").Float())
	assert.Equal(t, "亮", r.result.Get("classes").Index(1).Get("zh").String())
	assert.Equal(t, 1, r.result.Get("pixelSteps").Get("train").Int(), "the source's own pixels")

	r = send(w, obj(map[string]any{"id": 3, "type": "getSample", "split": "train", "index": 0}))
	assert.Equal(t, "worker: no train samples are loaded yet", r.err)

	// The first train chunk's images and labels: 6 train samples.
	for _, name := range d.order[:2] {
		r = send(w, obj(map[string]any{"id": 4, "type": "addChunk", "name": name, "bytes": jsarray.BytesToJS(d.chunks[name])}))
		require.True(t, r.ok, r.err)
	}
	assert.Equal(t, 6, r.result.Get("available").Get("train").Int())
	assert.False(t, r.result.Get("complete").Bool())
	require.Len(t, ev.named("data"), 2)
	assert.Equal(t, d.order[1], ev.named("data")[1].Get("file").String())

	corruptions := []struct {
		name    string
		file    string
		bytes   func([]byte) []byte
		wantErr string
	}{
		{"a flipped byte", d.order[2], func(b []byte) []byte { b[len(b)/2] ^= 1; return b }, "dataset: " + d.order[2] + ": sha256 "},
		{"truncated", d.order[2], func(b []byte) []byte { return b[:len(b)-1] }, "dataset: " + d.order[2] + ": size "},
		{"not in the manifest", "train-09-images.u8.gz", func(b []byte) []byte { return b }, "dataset: train-09-images.u8.gz: not a file of the manifest"},
	}
	for _, tt := range corruptions {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.bytes(append([]byte(nil), d.chunks[d.order[2]]...))
			r := send(w, obj(map[string]any{"id": 5, "type": "addChunk", "name": tt.file, "bytes": jsarray.BytesToJS(b)}))
			assert.False(t, r.ok)
			assert.Contains(t, r.err, tt.wantErr)
			// The samples loaded before are still there.
			r = send(w, obj(map[string]any{"id": 6, "type": "getSample", "split": "train", "index": 5}))
			require.True(t, r.ok, r.err)
			assert.Equal(t, 6, r.result.Get("count").Int())
		})
	}
	r = send(w, obj(map[string]any{"id": 7, "type": "addChunk", "name": d.order[2], "bytes": js0()}))
	assert.Equal(t, "bytes must be a Uint8Array", r.err)

	for _, name := range d.order[2:] {
		r = send(w, obj(map[string]any{"id": 8, "type": "addChunk", "name": name, "bytes": jsarray.BytesToJS(d.chunks[name])}))
		require.True(t, r.ok, r.err)
	}
	assert.True(t, r.result.Get("complete").Bool())
	assert.Equal(t, 4, r.result.Get("available").Get("test").Int())

	t.Run("getSample", func(t *testing.T) {
		tests := []struct {
			split  string
			index  int
			pixel  byte
			std    float32
			label  int
			errMsg string
		}{
			{"train", 0, 0, -2, 0, ""},
			{"train", 11, 200, 2, 1, ""},
			{"test", 3, 0, -2, 1, ""}, // the mislabelled one
			{"test", 4, 0, 0, 0, "worker: test sample 4 is not loaded: 4 are"},
			{"nope", 0, 0, 0, 0, `dataset: no split "nope"`},
		}
		for _, tt := range tests {
			r := send(w, obj(map[string]any{"id": 9, "type": "getSample", "split": tt.split, "index": tt.index}))
			if tt.errMsg != "" {
				assert.Equal(t, tt.errMsg, r.err)
				continue
			}
			require.True(t, r.ok, r.err)
			img, err := jsarray.BytesFromJS(r.result.Get("image"), "image")
			require.NoError(t, err)
			assert.Equal(t, []byte{tt.pixel, tt.pixel, tt.pixel, tt.pixel}, img)
			px := make([]float32, 4)
			require.NoError(t, jsarray.Float32sFromJS(px, r.result.Get("pixels"), "pixels"))
			assert.Equal(t, []float32{tt.std, tt.std, tt.std, tt.std}, px)
			assert.Equal(t, tt.label, r.result.Get("label").Int())
		}
	})
}

// TestStandardize: an image the page ships (no sample loaded) gets the
// pixels getSample would give it; a wrong size or type is refused.
func TestStandardize(t *testing.T) {
	d := newTinyData(t)
	w, _ := newWorker()
	r := send(w, obj(map[string]any{"id": 1, "type": "standardize", "image": jsarray.BytesToJS([]byte{0, 0, 0, 0})}))
	assert.Equal(t, "worker: no data set: send loadDataset first", r.err)
	r = send(w, obj(map[string]any{"id": 2, "type": "loadDataset", "manifest": string(d.manifest)}))
	require.True(t, r.ok, r.err)
	r = send(w, obj(map[string]any{"id": 3, "type": "standardize", "image": jsarray.BytesToJS([]byte{0, 100, 200, 150})}))
	require.True(t, r.ok, r.err)
	px := make([]float32, 4)
	require.NoError(t, jsarray.Float32sFromJS(px, r.result.Get("pixels"), "pixels"))
	assert.Equal(t, []float32{-2, 0, 2, 1}, px, "(pixel - mean 100) / std 50")
	r = send(w, obj(map[string]any{"id": 4, "type": "standardize", "image": jsarray.BytesToJS([]byte{0, 0, 0})}))
	assert.Equal(t, "worker: image has 3 pixels, want 4 ([2 2 1])", r.err)
	r = send(w, obj(map[string]any{"id": 5, "type": "standardize", "image": js0()}))
	assert.Equal(t, "image must be a Uint8Array", r.err)
}

func TestEvaluate(t *testing.T) {
	d := newTinyData(t)
	w, ev := newWorker()
	eval := func(args map[string]any) replyOf {
		m := map[string]any{"id": 40, "type": "evaluate"}
		for k, v := range args {
			m[k] = v
		}
		return sendWait(t, w, ev, obj(m))
	}
	assert.Equal(t, "worker: no model: send buildModel first", eval(nil).err)
	r := send(w, obj(map[string]any{"id": 2, "type": "loadWeights", "bytes": jsarray.BytesToJS(sumModel(t)), "build": true}))
	require.True(t, r.ok, r.err)
	assert.Equal(t, "worker: no data set: send loadDataset first", eval(nil).err)
	d.load(t, w)

	// The sum model classifies every test image by its brightness: samples
	// 0..2 right, sample 3 (dark, labelled bright) wrong: predicted 0, true 1.
	r = eval(map[string]any{"split": "test"})
	require.True(t, r.ok, r.err)
	assert.Equal(t, 40, r.id.Int())
	res := r.result
	assert.Equal(t, 0.75, res.Get("accuracy").Float())
	assert.Equal(t, 4, res.Get("samples").Int())
	assert.Equal(t, 2, res.Get("classes").Int())
	assert.Equal(t, []int{2, 0, 1, 1}, ints(res.Get("confusion")))
	assert.Equal(t, []int{3}, ints(res.Get("misclassified")))
	// Losses: softmax of logits (0, -8) or (0, 8): -log(1/(1+e^-8)) for the
	// three right, and 8 + that for the wrong one.
	right := 0.000335406372
	assert.InDelta(t, (3*right+8+right)/4, res.Get("loss").Float(), 1e-5)
	dd := res.Get("dedup")
	require.True(t, dd.Truthy())
	assert.Equal(t, 3, dd.Get("samples").Int())
	assert.Equal(t, 1, dd.Get("removed").Int())
	assert.InDelta(t, 2.0/3, dd.Get("accuracy").Float(), 1e-12, "sample 2 (right) is left out")
	assert.InDelta(t, (2*right+8+right)/3, dd.Get("loss").Float(), 1e-5)

	r = eval(map[string]any{"split": "validation"})
	require.True(t, r.ok, r.err)
	assert.Equal(t, 1.0, r.result.Get("accuracy").Float())
	assert.True(t, r.result.Get("dedup").IsNull(), "no duplicates outside the test split")
	assert.Equal(t, 0, r.result.Get("misclassified").Length())

	r = eval(map[string]any{"dedup": false})
	require.True(t, r.ok, r.err)
	assert.True(t, r.result.Get("dedup").IsNull())
	assert.Equal(t, "worker: dedup must be true or false, got string", eval(map[string]any{"dedup": "yes"}).err)

	t.Run("the sliced figures are the engine's over the whole split", func(t *testing.T) {
		r := send(w, obj(map[string]any{"id": 3, "type": "buildModel", "preset": "small"}))
		require.True(t, r.ok, r.err)
		w2, ev2 := newWorker()
		r = send(w2, obj(map[string]any{"id": 3, "type": "buildModel", "spec": tinySpecFor2x2(), "seed": 9}))
		require.True(t, r.ok, r.err)
		d.load(t, w2)
		for _, split := range []string{"train", "test"} {
			r := sendWait(t, w2, ev2, obj(map[string]any{"id": 4, "type": "evaluate", "split": split}))
			require.True(t, r.ok, r.err)
			s, err := w2.data.Split(split)
			require.NoError(t, err)
			want, err := w2.model.EvaluateDetailed(s, 0)
			require.NoError(t, err)
			assert.InDelta(t, want.Loss, r.result.Get("loss").Float(), 1e-12)
			assert.Equal(t, want.Accuracy, r.result.Get("accuracy").Float())
			assert.Equal(t, want.Confusion, ints(r.result.Get("confusion")))
			assert.Equal(t, append([]int{}, want.Misclassified...), ints(r.result.Get("misclassified")))
			if split == "test" {
				loss, acc, err := w2.model.Evaluate(w2.data.DedupTest(), 0)
				require.NoError(t, err)
				assert.InDelta(t, loss, r.result.Get("dedup").Get("loss").Float(), 1e-12)
				assert.InDelta(t, acc, r.result.Get("dedup").Get("accuracy").Float(), 1e-12)
			}
		}
	})

	t.Run("requests sent during an evaluation are answered first", func(t *testing.T) {
		w2, ev2 := newWorker()
		d.load(t, w2)
		require.True(t, send(w2, obj(map[string]any{"id": 1, "type": "buildModel", "spec": tinySpecFor2x2()})).ok)
		assert.True(t, w2.handle(obj(map[string]any{"id": 5, "type": "evaluate"})).IsNull(), "the reply comes later")
		assert.Equal(t, "worker: cannot build a model during an evaluation: wait for its reply", send(w2, obj(map[string]any{"id": 6, "type": "buildModel", "preset": "small"})).err)
		assert.Equal(t, "worker: cannot start training during an evaluation: wait for its reply", send(w2, obj(map[string]any{"id": 7, "type": "train"})).err)
		assert.True(t, send(w2, obj(map[string]any{"id": 8, "type": "predict", "pixels": jsarray.Float32sToJS(make([]float32, 4))})).ok)
		r := sendWait(t, w2, ev2, obj(map[string]any{"id": 9, "type": "ping"}))
		assert.Equal(t, 9, r.id.Int(), "ping answered at once")
		// Now the evaluation's own reply.
		deadline := time.After(20 * time.Second)
		for {
			select {
			case v := <-ev2.ch:
				if v.Get("event").IsUndefined() {
					assert.Equal(t, 5, v.Get("id").Int())
					assert.True(t, v.Get("ok").Bool())
					assert.Nil(t, w2.eval)
					return
				}
			case <-deadline:
				t.Fatal("no evaluate reply within 20 s")
			}
		}
	})
}
