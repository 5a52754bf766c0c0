//go:build js && wasm

package main

import (
	"testing"

	"convplay/wasm/jsarray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Training pressed while the data stream in starts on the training images
// that have arrived; those that arrive later join the run (the current
// epoch's remaining batches), and the progress events say how many are in
// use and how many there will be.
func TestTrainGrowsWithArrivingData(t *testing.T) {
	w, ev := newWorker()
	d := newTinyData(t)
	r := send(w, obj(map[string]any{"id": 1, "type": "loadDataset", "manifest": string(d.manifest)}))
	require.True(t, r.ok, r.err)
	add := func(names ...string) {
		for _, name := range names {
			r := request(w, "addChunk", map[string]any{"name": name, "bytes": jsarray.BytesToJS(d.chunks[name])})
			require.True(t, r.ok, r.err)
		}
	}
	add("validation-00-images.u8.gz", "validation-00-labels.u8.gz", "train-00-images.u8.gz", "train-00-labels.u8.gz")
	require.True(t, request(w, "buildModel", map[string]any{"spec": tinySpecFor2x2(), "seed": 3}).ok)

	r = request(w, "train", map[string]any{"paused": true, "batchSize": 4, "epochs": 2})
	require.True(t, r.ok, r.err)
	assert.Equal(t, 6, r.result.Get("samples").Int(), "the first chunk's")
	assert.Equal(t, 4, r.result.Get("validationSamples").Int())
	assert.Equal(t, 12, r.result.Get("samplesAll").Int(), "once all have arrived")

	require.True(t, request(w, "step", nil).ok)
	p := ev.named("progress")
	require.Len(t, p, 1)
	assert.Equal(t, 6, p[0].Get("samples").Int())
	assert.Equal(t, 12, p[0].Get("samplesAll").Int())
	assert.Equal(t, 4, p[0].Get("validationSamples").Int())
	assert.Equal(t, 2, p[0].Get("batches").Int(), "6 samples in batches of 4")

	add("train-01-images.u8.gz", "train-01-labels.u8.gz") // training goes on with all 12
	r = request(w, "step", nil)
	require.True(t, r.ok, r.err)
	p = ev.named("progress")
	last := p[len(p)-1]
	assert.Equal(t, 12, last.Get("samples").Int())
	assert.Equal(t, 3, last.Get("batches").Int(), "the epoch's 4 done and 8 to go")
	r = request(w, "resume", nil)
	require.True(t, r.ok, r.err)
	done := ev.waitFor(t, "done")
	assert.Equal(t, "finished", done.Get("reason").String())
	p = ev.named("progress")
	last = p[len(p)-1]
	assert.Equal(t, 24, last.Get("total").Int(), "two epochs of all 12 samples")
	assert.Equal(t, 2, done.Get("history").Get("val_loss").Length())
}

// A subset caps the growth.
func TestTrainGrowsUpToItsSubset(t *testing.T) {
	w, ev := newWorker()
	d := newTinyData(t)
	r := send(w, obj(map[string]any{"id": 1, "type": "loadDataset", "manifest": string(d.manifest)}))
	require.True(t, r.ok, r.err)
	for _, name := range []string{"train-00-images.u8.gz", "train-00-labels.u8.gz"} {
		require.True(t, request(w, "addChunk", map[string]any{"name": name, "bytes": jsarray.BytesToJS(d.chunks[name])}).ok)
	}
	require.True(t, request(w, "buildModel", map[string]any{"spec": tinySpecFor2x2(), "seed": 3}).ok)
	r = request(w, "train", map[string]any{"paused": true, "batchSize": 4, "subset": 8, "validation": false})
	require.True(t, r.ok, r.err)
	for _, name := range []string{"train-01-images.u8.gz", "train-01-labels.u8.gz"} {
		require.True(t, request(w, "addChunk", map[string]any{"name": name, "bytes": jsarray.BytesToJS(d.chunks[name])}).ok)
	}
	require.True(t, request(w, "step", nil).ok)
	p := ev.named("progress")
	assert.Equal(t, 8, p[len(p)-1].Get("samples").Int())
	assert.Equal(t, 8, p[len(p)-1].Get("samplesAll").Int())
}
