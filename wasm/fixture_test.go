//go:build js && wasm

package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"convplay/nn"
	"convplay/wasm/jsarray"
)

// The tiny data set: 2x2x1 images of two classes, dark (every pixel 0,
// class 0) and bright (every pixel 200, class 1), alternating. Mean 100 and
// std 50 standardize 0 to -2 and 200 to 2. Train has 12 samples in two
// chunks of 6, validation 4, test 4, whose sample 3 is dark but labelled
// bright, and whose sample 2 the manifest lists as a duplicate.
type tinyData struct {
	manifest []byte
	chunks   map[string][]byte
	order    []string // chunk names, as the manifest lists them
}

func gz(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func newTinyData(t testing.TB) tinyData {
	d := tinyData{chunks: map[string][]byte{}}
	var files []any
	add := func(name, split, kind string, count int, raw []byte) {
		z := gz(t, raw)
		sum := sha256.Sum256(z)
		files = append(files, map[string]any{"name": name, "split": split, "kind": kind, "count": count, "size": len(z), "sha256": hex.EncodeToString(sum[:])})
		d.chunks[name] = z
		d.order = append(d.order, name)
	}
	samples := func(n int, flip int) (images, labels []byte) {
		for i := range n {
			label := byte(i % 2)
			px := 200 * label
			if i == flip {
				px = 0
			}
			images = append(images, px, px, px, px)
			labels = append(labels, label)
		}
		return images, labels
	}
	for c := range 2 {
		im, lb := samples(6, -1)
		add("train-0"+string(rune('0'+c))+"-images.u8.gz", "train", "images", 6, im)
		add("train-0"+string(rune('0'+c))+"-labels.u8.gz", "train", "labels", 6, lb)
	}
	im, lb := samples(4, -1)
	add("validation-00-images.u8.gz", "validation", "images", 4, im)
	add("validation-00-labels.u8.gz", "validation", "labels", 4, lb)
	im, lb = samples(4, 3)
	add("test-00-images.u8.gz", "test", "images", 4, im)
	add("test-00-labels.u8.gz", "test", "labels", 4, lb)
	m := map[string]any{
		"format": "convplay-dataset", "version": 1, "name": "tiny", "title": "Tiny", "source": "test", "license": "MIT",
		"attribution": "test", "classes": []any{map[string]any{"en": "dark", "zh": "暗"}, map[string]any{"en": "bright", "zh": "亮"}},
		"shape": []int{2, 2, 1}, "counts": map[string]int{"train": 12, "validation": 4, "test": 4},
		"mean": 100, "std": 50, "order": "alternating", "test_duplicates": []int{2},
		"preview": map[string]any{"name": "", "size": 0, "sha256": "", "split": "", "samples": nil}, "files": files,
	}
	var err error
	d.manifest, err = json.Marshal(m)
	require.NoError(t, err)
	return d
}

// load sends the manifest and every chunk.
func (d tinyData) load(t testing.TB, w *worker) {
	r := send(w, obj(map[string]any{"id": 1, "type": "loadDataset", "manifest": string(d.manifest)}))
	require.True(t, r.ok, r.err)
	for _, name := range d.order {
		r := send(w, obj(map[string]any{"id": 2, "type": "addChunk", "name": name, "bytes": jsarray.BytesToJS(d.chunks[name])}))
		require.True(t, r.ok, r.err)
	}
}

// tinyModelSpec is Flatten then Dense(2, softmax) on 2x2x1 images.
func tinyModelSpec() nn.ModelSpec {
	return nn.ModelSpec{Input: []int{2, 2, 1}, Layers: []nn.LayerSpec{{Type: "Flatten"}, {Type: "Dense", Units: 2, Activation: "softmax"}}}
}

// sumModel is tinyModelSpec with weights that make logit 1 the sum of the
// pixels and logit 0 zero: it calls an image bright when its standardized
// pixels sum above 0. Returned as a .cpw file.
func sumModel(t testing.TB) []byte {
	m, err := nn.Build(tinyModelSpec(), 1)
	require.NoError(t, err)
	k := m.Params()[0] // (4, 2)
	for i := range k.W {
		k.W[i] = float32(i % 2)
	}
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	return buf.Bytes()
}

// events collects what the worker posts.
type events struct {
	list []js.Value
	ch   chan js.Value
}

func newWorker() (*worker, *events) {
	ev := &events{ch: make(chan js.Value, 10000)}
	w := &worker{post: func(v js.Value) {
		ev.list = append(ev.list, v)
		ev.ch <- v
	}}
	w.kick = timerKicker(w.slice)
	return w, ev
}

// timerKicker is newKicker through setTimeout(f, 0). The tests schedule
// slices with it because Node drains a MessagePort's messages, new ones
// included, before it runs I/O callbacks, so training would starve the Go
// test's own output (a write to stdout waits for a callback); browsers run
// one task at a time from each source. The slices themselves are the same.
func timerKicker(f func()) func() {
	cb := js.FuncOf(func(js.Value, []js.Value) any {
		f()
		return nil
	})
	return func() { js.Global().Call("setTimeout", cb, 0) }
}

// drain forgets the events not yet waited for.
func (e *events) drain() {
	for {
		select {
		case <-e.ch:
		default:
			return
		}
	}
}

// named returns the events called name, so far.
func (e *events) named(name string) []js.Value {
	var out []js.Value
	for _, v := range e.list {
		if v.Get("event").String() == name {
			out = append(out, v)
		}
	}
	return out
}

// waitFor blocks (letting the JavaScript event loop run the training's
// slices) until an event called name arrives, or fails after a deadline.
func (e *events) waitFor(t testing.TB, name string) js.Value {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case v := <-e.ch:
			if v.Get("event").String() == name {
				return v
			}
		case <-deadline:
			t.Fatalf("no %s event within 20 s; got %d events", name, len(e.list))
			return js.Undefined()
		}
	}
}

// ints reads an Int32Array.
func ints(v js.Value) []int {
	out := make([]int, v.Length())
	for i := range out {
		out[i] = v.Index(i).Int()
	}
	return out
}

// js0 is a value of the wrong kind for bytes: a plain array.
func js0() js.Value { return js.ValueOf([]any{1, 2}) }

func jsGlobal(name string) js.Value { return js.Global().Get(name) }

// sendWait is send for an op that may reply later (evaluate): it waits,
// letting the slices run, for the reply the worker posts.
func sendWait(t testing.TB, w *worker, ev *events, req js.Value) replyOf {
	t.Helper()
	if r := w.handle(req); !r.IsNull() {
		return toReply(r)
	}
	deadline := time.After(20 * time.Second)
	for {
		select {
		case v := <-ev.ch:
			if v.Get("event").IsUndefined() {
				return toReply(v)
			}
		case <-deadline:
			t.Fatal("no reply within 20 s")
			return replyOf{}
		}
	}
}
