//go:build js && wasm

package main

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"convplay/nn"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStepSamplesFor(t *testing.T) {
	us := time.Microsecond
	tests := []struct {
		name      string
		perSample time.Duration
		batch     int
		want      int
	}{
		{"nothing measured: whole batches", 0, 32, 0},
		{"a small model's batch fits", 600 * us, 32, 0},
		{"a batch of exactly the budget fits", 1562500 * time.Nanosecond, 32, 0},
		{"just over: the most samples that fit", 1600 * us, 32, 31},
		{"a big batch of a small model is cut", 100 * us, 1000, 500},
		{"the reference model's batch of 32 at 20 ms a sample", 20 * time.Millisecond, 32, 2},
		{"one sample over the budget still makes progress", 60 * time.Millisecond, 32, 1},
		{"a batch of one over the budget", 60 * time.Millisecond, 1, 1},
		{"a batch of one within it", 5 * time.Millisecond, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, stepSamplesFor(tt.perSample, tt.batch))
		})
	}
}

// dropoutSpec is Flatten, Dropout(0.5), Dense(2, softmax) on 2x2x1 images:
// training draws dropout masks from the model's own random source.
func dropoutSpec() map[string]any {
	return map[string]any{"input": []any{2, 2, 1}, "layers": []any{
		map[string]any{"type": "Flatten"},
		map[string]any{"type": "Dropout", "rate": 0.5},
		map[string]any{"type": "Dense", "units": 2, "activation": "softmax"}}}
}

// trainedWeights builds the dropout model (seed 3), trains it to the end
// with args added to a fixed configuration, and returns the train result
// and the weights it ends with.
func trainedWeights(t *testing.T, w *worker, ev *events, args map[string]any) (result map[string]float64, weights []float32) {
	t.Helper()
	require.True(t, request(w, "buildModel", map[string]any{"spec": dropoutSpec(), "seed": 3}).ok)
	all := map[string]any{"epochs": 3, "batchSize": 4, "seed": 1, "optimizer": map[string]any{"name": "sgd", "learning_rate": 0.5}}
	for k, v := range args {
		all[k] = v
	}
	ev.drain()
	r := request(w, "train", all)
	require.True(t, r.ok, r.err)
	done := ev.waitFor(t, "done")
	require.Equal(t, "finished", done.Get("reason").String())
	result = map[string]float64{}
	for _, k := range []string{"stepSamples", "sampleMs", "batches"} {
		result[k] = r.result.Get(k).Float()
	}
	return result, w.model.FlatWeights(nil)
}

// TestStepSamplesMeasured checks the measurement before training: it
// leaves the model's random sources alone (the same weights as training
// with the step size given), and the parts of a batch add up to the batch.
func TestStepSamplesMeasured(t *testing.T) {
	w, ev := trainReady(t)
	measured, got := trainedWeights(t, w, ev, nil)
	assert.Greater(t, measured["sampleMs"], 0.0, "a training pass was timed")
	assert.Equal(t, 4.0, measured["stepSamples"], "the tiny model's batch fits a step")
	given, want := trainedWeights(t, w, ev, map[string]any{"stepSamples": 0})
	assert.Equal(t, 0.0, given["sampleMs"], "nothing measured when the step size is given")
	assert.Equal(t, 4.0, given["stepSamples"])
	assert.Equal(t, want, got, "timing a copy of the model leaves its dropout masks as they were")

	for _, n := range []int{1, 3} { // 3: parts of 3 and 1 samples
		parts, sliced := trainedWeights(t, w, ev, map[string]any{"stepSamples": n})
		assert.Equal(t, float64(n), parts["stepSamples"])
		assert.Equal(t, 3.0, parts["batches"])
		require.Len(t, sliced, len(want))
		for i := range want {
			assert.InDelta(t, want[i], sliced[i], 1e-6, "weight %d, steps of %d", i, n)
		}
	}
	assert.Equal(t, "worker: stepSamples -1 must be a whole number of at least 0", request(w, "train", map[string]any{"stepSamples": -1}).err)
}

// TestStepRunsABatchInParts: the step request runs the whole batch even
// when it takes several Steps, and pause lands between the parts.
func TestStepRunsABatchInParts(t *testing.T) {
	w, ev := trainReady(t)
	r := request(w, "train", map[string]any{"paused": true, "batchSize": 4, "stepSamples": 1, "validation": true})
	require.True(t, r.ok, r.err)
	for i := range 2 {
		r = request(w, "step", nil)
		require.True(t, r.ok, r.err)
		assert.Equal(t, i, r.result.Get("batch").Int())
		assert.Equal(t, 4*(i+1), r.result.Get("total").Int(), "a step is a whole batch of 4, in 4 parts")
	}
	r = request(w, "step", nil) // the last batch
	require.True(t, r.ok, r.err)
	assert.Equal(t, 12, r.result.Get("total").Int())
	assert.Empty(t, ev.named("epoch"))
	// The validation (4 samples, a part each) is a batch's worth: the epoch ends.
	r = request(w, "step", nil)
	require.True(t, r.ok, r.err)
	assert.True(t, r.result.Get("done").Bool())
	epochs := ev.named("epoch")
	require.Len(t, epochs, 1)
	assert.False(t, epochs[0].Get("val_loss").IsUndefined())
	p := ev.named("progress")
	require.NotEmpty(t, p)
	assert.Greater(t, p[len(p)-1].Get("batchMs").Float(), 0.0)

	t.Run("pause between the parts of a batch", func(t *testing.T) {
		ev.drain()
		require.True(t, request(w, "train", map[string]any{"batchSize": 4, "stepSamples": 1, "epochs": 100000, "validation": false}).ok)
		ev.waitFor(t, "progress")
		r := request(w, "pause", nil)
		require.True(t, r.ok, r.err)
		part := w.run.tr // the trainer may be inside a batch: step finishes that batch
		total := r.result.Get("total").Int()
		r = request(w, "step", nil)
		require.True(t, r.ok, r.err)
		assert.Equal(t, total+4, r.result.Get("total").Int())
		assert.Same(t, part, w.run.tr)
		require.True(t, request(w, "stop", nil).ok)
	})
}

// BenchmarkReferenceBatchInParts times one batch of 32 of the reference
// model in WebAssembly, whole and in parts of 8, 2 and 1 samples (each
// part's gradients added up): what cutting a batch for short slices costs.
//
//	GOOS=js GOARCH=wasm go test -run '^$' -bench ReferenceBatchInParts -benchtime 3x ./wasm/
func BenchmarkReferenceBatchInParts(b *testing.B) {
	spec, err := nn.Preset("reference")
	require.NoError(b, err)
	rng := rand.New(rand.NewPCG(1, 2))
	x, y := nn.NewTensor(64, 28, 28, 1), nn.NewTensor(64)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	for i := range y.Data {
		y.Data[i] = float32(rng.IntN(10))
	}
	data, err := nn.NewTensorData(x, y)
	require.NoError(b, err)
	for _, parts := range []int{32, 8, 2, 1} {
		b.Run(fmt.Sprintf("parts=%d", parts), func(b *testing.B) {
			m, err := nn.Build(spec, 1)
			require.NoError(b, err)
			opt, err := nn.NewOptimizer(nn.OptimizerSpec{Name: "sgd"})
			require.NoError(b, err)
			loss, err := nn.ParseLoss("sparse_categorical_crossentropy")
			require.NoError(b, err)
			require.NoError(b, m.Compile(opt, loss))
			batches := 0
			tr, err := nn.NewTrainer(m, data, nn.FitConfig{Epochs: 1 << 20, BatchSize: 32, StepSamples: parts, Seed: 1,
				OnBatch: func(nn.BatchProgress) { batches++ }})
			require.NoError(b, err)
			batch := func() {
				for want := batches + 1; batches < want; {
					if _, err := tr.Step(); err != nil {
						b.Fatal(err)
					}
				}
			}
			batch() // buffers grow
			for b.Loop() {
				batch()
			}
		})
	}
}
