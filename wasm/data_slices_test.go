//go:build js && wasm

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/internal/pixcode"
	"convplay/wasm/jsarray"
)

// A pixcode chunk that takes longer than a slice to decode replies later:
// meanwhile the worker answers other requests, and a second addChunk waits
// its turn.
func TestAddChunkDecodesInSlices(t *testing.T) {
	const n = 3000
	rng := rand.New(rand.NewPCG(1, 2))
	images := make([]byte, n*28*28)
	for i := range images { // rounded as packdata -round 5 leaves them
		images[i] = uint8(rng.IntN(52) * 5)
	}
	labels := make([]byte, n)
	for i := range labels {
		labels[i] = uint8(i % 2)
	}
	files := map[string][]byte{"train-00-images.cpx": pixcode.EncodeSteps(images, n, 28, 28, 5), "train-00-labels.u8.gz": gz(t, labels)}
	var list []any
	for _, name := range []string{"train-00-images.cpx", "train-00-labels.u8.gz"} {
		sum := sha256.Sum256(files[name])
		f := map[string]any{"name": name, "split": "train", "kind": "images", "count": n, "size": len(files[name]),
			"sha256": hex.EncodeToString(sum[:]), "encoding": "pixcode1", "step": 5}
		if name == "train-00-labels.u8.gz" {
			f["kind"], f["encoding"] = "labels", "gzip"
			delete(f, "step")
		}
		list = append(list, f)
	}
	manifest, err := json.Marshal(map[string]any{
		"format": "convplay-dataset", "version": 2, "name": "noise", "title": "Noise", "source": "test", "license": "MIT",
		"attribution": "test", "classes": []any{map[string]any{"en": "a", "zh": "甲"}, map[string]any{"en": "b", "zh": "乙"}},
		"shape": []int{28, 28, 1}, "counts": map[string]int{"train": n, "validation": 0, "test": 0},
		"mean": 127, "std": 74, "order": "random", "test_duplicates": []int{},
		"preview": map[string]any{"name": "", "size": 0, "sha256": "", "split": "", "samples": nil}, "files": list,
	})
	require.NoError(t, err)

	w, ev := newWorker()
	info := request(w, "loadDataset", map[string]any{"manifest": string(manifest)})
	require.True(t, info.ok, info.err)
	assert.Equal(t, 5, info.result.Get("pixelSteps").Get("train").Int(), "the page says the images are rounded")
	assert.Equal(t, 1, info.result.Get("pixelSteps").Get("test").Int())
	add := func(id int, name string) js.Value {
		return w.handle(obj(map[string]any{"id": id, "type": "addChunk", "name": name, "bytes": jsarray.BytesToJS(files[name])}))
	}
	require.True(t, add(21, "train-00-images.cpx").IsNull(), "replies later")
	require.True(t, add(22, "train-00-labels.u8.gz").IsNull(), "waits its turn")
	assert.True(t, request(w, "ping", nil).ok, "answered while the chunk decodes")

	replies := map[int]replyOf{}
	deadline := time.After(60 * time.Second)
	for len(replies) < 2 {
		select {
		case v := <-ev.ch:
			if v.Get("event").IsUndefined() {
				r := toReply(v)
				replies[r.id.Int()] = r
			}
		case <-deadline:
			t.Fatal("no replies within 60 s")
		}
	}
	require.True(t, replies[21].ok, replies[21].err)
	require.True(t, replies[22].ok, replies[22].err)
	assert.Equal(t, 0, replies[21].result.Get("available").Get("train").Int(), "images without labels")
	assert.Equal(t, n, replies[22].result.Get("available").Get("train").Int())
	assert.True(t, replies[22].result.Get("complete").Bool())
	r := request(w, "getSample", map[string]any{"split": "train", "index": n - 1})
	require.True(t, r.ok, r.err)
	got := make([]byte, 28*28)
	js.CopyBytesToGo(got, r.result.Get("image"))
	assert.Equal(t, images[(n-1)*784:], got)
}
