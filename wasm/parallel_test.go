//go:build js && wasm

package main

import (
	"encoding/json"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/nn"
)

func TestTeamLayout(t *testing.T) {
	// 2 workers, 10 weights, 4 inputs and 1 target per sample, 3 samples:
	// ctrl 2*9 int32 = 72 bytes, loss 2 float64 = 16, weights 40, x 3*4*4 =
	// 48, y 12 rounded up to 16, one helper's gradients 40.
	l := newTeamLayout(2, 10, 4, 1, 3)
	assert.Equal(t, teamLayout{Workers: 2, Params: 10, In: 4, Targets: 1, MaxN: 3,
		Ctrl: 0, Loss: 72, Weights: 88, X: 128, Y: 176, Grads: 192, Size: 232}, l)
	// 4 workers: ctrl 144, loss 32, then as above, and three helpers' gradients.
	l = newTeamLayout(4, 10, 4, 1, 3)
	assert.Equal(t, []int{0, 144, 176, 216, 264, 280, 400}, []int{l.Ctrl, l.Loss, l.Weights, l.X, l.Y, l.Grads, l.Size})
}

func TestWorkersArg(t *testing.T) {
	for _, c := range []struct {
		name    string
		args    map[string]any
		want    int
		wantErr string
	}{
		{"default without navigator.hardwareConcurrency", nil, 1, ""},
		{"given", map[string]any{"workers": 3}, 3, ""},
		{"zero", map[string]any{"workers": 0}, 0, "worker: workers 0 must be a whole number of at least 1"},
		{"too many", map[string]any{"workers": 9}, 0, "worker: workers 9 is more than 8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, err := workersArg(obj(c.args))
			if c.wantErr != "" {
				assert.EqualError(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, n)
		})
	}
}

// TestTrainWorkersFallsBack: without cross-origin isolation (Node has
// none), train runs on this worker alone and says so.
func TestTrainWorkersFallsBack(t *testing.T) {
	w, ev := trainReady(t)
	r := request(w, "train", map[string]any{"epochs": 1, "batchSize": 4, "workers": 2})
	require.True(t, r.ok, r.err)
	assert.Equal(t, 1, r.result.Get("workers").Int())
	ev.waitFor(t, "done")
	p := ev.named("progress")
	require.NotEmpty(t, p)
	last := p[len(p)-1]
	assert.Equal(t, 1, last.Get("workers").Int())
	assert.Equal(t, 1, last.Get("memoryMB").Length(), "the leader's memory alone")
}

// parallelFixture is a compiled tiny model and a team of 2 on a shared
// buffer, with convplayHelpers faked (it records its calls).
func parallelFixture(t *testing.T, maxN int) (*nn.Model, *team, js.Value, *[]int) {
	m, err := nn.Build(tinyModelSpec(), 4)
	require.NoError(t, err)
	opt, err := nn.NewOptimizer(nn.OptimizerSpec{Name: "sgd"})
	require.NoError(t, err)
	loss, err := nn.ParseLoss("sparse_categorical_crossentropy")
	require.NoError(t, err)
	require.NoError(t, m.Compile(opt, loss))
	calls := &[]int{}
	var init js.Value
	fake := js.FuncOf(func(_ js.Value, args []js.Value) any {
		*calls = append(*calls, args[0].Int())
		if args[0].Int() > 0 {
			init = args[1]
		}
		return nil
	})
	t.Cleanup(func() { js.Global().Delete("convplayHelpers"); fake.Release() })
	js.Global().Set("convplayHelpers", fake)
	version := 0
	tm, err := newTeam(m, 2, maxN, func() int { return version })
	require.NoError(t, err)
	return m, tm, init, calls
}

// TestTeamGradients: the leader's sum equals the whole batch's gradients
// when it computes a booting helper's shard itself, and when a helper (here
// in process, run between the leader's send and its wait) computes it; a
// helper that stopped is an error naming it.
func TestTeamGradients(t *testing.T) {
	x := []float32{1, -1, 0.5, 2, -0.5, 0.25, 1, -2, 0, 1, 1, 1, 3, -1, 0, 0.5, -1, -1, 2, 0}
	y := []float32{1, 0, 1, 0, 1}
	m, tm, init, calls := parallelFixture(t, 5)
	assert.Equal(t, []int{1}, *calls, "one helper started")
	var layout teamLayout
	require.NoError(t, json.Unmarshal([]byte(init.Get("layout").String()), &layout))
	assert.Equal(t, tm.l, layout)

	wantLoss, wantCorrect := m.ComputeGradients(x, y, 5)
	want := m.FlatGradients(nil)

	// The helper is booting: the leader computes shards [3 2] itself.
	loss, correct, err := tm.gradients(m, x, y, 5)
	require.NoError(t, err)
	assert.InDelta(t, wantLoss, loss, 1e-6)
	assert.Equal(t, wantCorrect, correct)
	assert.InDeltaSlice(t, want, m.FlatGradients(nil), 1e-6)

	// A helper in this process: ready, it answers when the leader waits.
	h, err := newHelper(init, 1)
	require.NoError(t, err)
	assert.Equal(t, helperReady, tm.v.load(1, slotState))
	require.NoError(t, h.m.SetFlatWeights(make([]float32, h.m.NumParams())), "the leader's weights replace these")
	atomics := js.Global().Get("Atomics")
	realWait := atomics.Get("wait")
	atomics.Set("wait", js.FuncOf(func(js.Value, []js.Value) any { h.shard(); return "ok" }))
	t.Cleanup(func() { atomics.Set("wait", realWait) })
	loss, correct, err = tm.gradients(m, x, y, 5)
	require.NoError(t, err)
	assert.InDelta(t, wantLoss, loss, 1e-6)
	assert.Equal(t, wantCorrect, correct)
	assert.InDeltaSlice(t, want, m.FlatGradients(nil), 1e-6)
	assert.Equal(t, m.FlatWeights(nil), h.m.FlatWeights(nil), "the helper took the leader's weights")
	assert.Equal(t, tm.seq, tm.v.load(1, slotDone))

	tm.v.store(1, slotState, helperDead)
	_, _, err = tm.gradients(m, x, y, 5)
	assert.EqualError(t, err, "worker: helper worker 1 of 1 stopped (its engine exited or the worker failed)", "an error, not a panic")
	tm.close()
	assert.Equal(t, []int{1, 0}, *calls, "close stops the helpers")
}

// TestTrainHelperDies: a helper that dies mid-training ends it with the
// helper's error in the done event (an error from the team, not a panic
// recovered as an internal error), and the worker trains again after.
// Node is not cross-origin isolated: the test says it is, and fakes the
// helpers' hook (the helper never boots, so the leader computes its
// shards until the test marks it dead).
func TestTrainHelperDies(t *testing.T) {
	g := js.Global()
	g.Set("crossOriginIsolated", true)
	fake := js.FuncOf(func(js.Value, []js.Value) any { return nil })
	g.Set("convplayHelpers", fake)
	t.Cleanup(func() { g.Delete("crossOriginIsolated"); g.Delete("convplayHelpers"); fake.Release() })

	w, ev := trainReady(t)
	r := request(w, "train", map[string]any{"epochs": 100000, "batchSize": 4, "workers": 2, "stepSamples": 0, "validation": false})
	require.True(t, r.ok, r.err)
	require.Equal(t, 2, r.result.Get("workers").Int())
	ev.waitFor(t, "epoch")
	require.NotNil(t, w.run)
	w.run.team.v.store(1, slotState, helperDead)
	done := ev.waitFor(t, "done")
	assert.Equal(t, "error", done.Get("reason").String())
	assert.Equal(t, "worker: helper worker 1 of 1 stopped (its engine exited or the worker failed)", done.Get("error").String())
	assert.False(t, done.Get("restored").Bool())
	assert.False(t, done.Get("chance").Bool(), "a failed run is not judged")
	assert.True(t, done.Get("verdict").IsNull())
	assert.Nil(t, w.run)

	g.Delete("crossOriginIsolated")
	ev.drain()
	require.True(t, request(w, "train", map[string]any{"epochs": 1, "batchSize": 4}).ok)
	assert.Equal(t, "finished", ev.waitFor(t, "done").Get("reason").String())
}

// TestHelperSilence: a ready helper that neither answers nor beats (its
// worker was closed without an error) ends the step with an error naming
// it after helperSilence, and is marked dead for worker.js to replace; one
// that beats while it works is waited for, and its answer taken.
func TestHelperSilence(t *testing.T) {
	x := []float32{1, -1, 0.5, 2, -0.5, 0.25, 1, -2, 0, 1, 1, 1, 3, -1, 0, 0.5, -1, -1, 2, 0}
	y := []float32{1, 0, 1, 0, 1}
	m, tm, init, _ := parallelFixture(t, 5)
	h, err := newHelper(init, 1)
	require.NoError(t, err)
	atomics := js.Global().Get("Atomics")
	realWait := atomics.Get("wait")
	t.Cleanup(func() { atomics.Set("wait", realWait) })

	// It beats for a while (longer than helperSilence in all), then answers.
	waits := 0
	beating := js.FuncOf(func(js.Value, []js.Value) any {
		waits++
		h.v.store(1, slotBeat, waits)
		if time.Duration(waits)*100*time.Millisecond > helperSilence+time.Second {
			h.shard()
		}
		return realWait.Invoke(tm.v.ctrl, 0, 0, 100).String() // 100 ms pass
	})
	defer beating.Release()
	atomics.Set("wait", beating)
	_, _, err = tm.gradients(m, x, y, 5)
	require.NoError(t, err)
	assert.Greater(t, waits, int(helperSilence/(100*time.Millisecond)), "waited past helperSilence while it beat")

	// Silent: no beat, no answer.
	silent := js.FuncOf(func(js.Value, []js.Value) any { return realWait.Invoke(tm.v.ctrl, 0, 0, 100).String() })
	defer silent.Release()
	atomics.Set("wait", silent)
	start := time.Now()
	_, _, err = tm.gradients(m, x, y, 5)
	took := time.Since(start)
	assert.EqualError(t, err, "worker: helper worker 1 of 1 stopped answering (silent for 2s: its worker was closed or killed)")
	assert.GreaterOrEqual(t, took, helperSilence)
	assert.Less(t, took, helperSilence+5*time.Second, "about helperSilence, on a busy machine")
	assert.Equal(t, helperDead, tm.v.load(1, slotState), "marked dead, for worker.js to replace")
}
