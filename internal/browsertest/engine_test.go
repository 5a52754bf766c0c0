//go:build browser

package browsertest

import (
	"bytes"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/internal/webserver"
)

// openWithData opens the page, waits for the small model and loads the
// Fashion-MNIST data set that make data packed, through the page's Load button.
func openWithData(t *testing.T, s *Session) {
	t.Helper()
	s.Open("")
	require.Equal(t, "ready", s.WaitEngine(), "problems: %q", s.Problems())
	Poll[bool](s, `document.getElementById('model-note').dataset.i18n === 'model.small'`)
	Eval[bool](s, `document.getElementById('data-load').click(), true`)
	Poll[bool](s, `window.convplay.state.data.complete || !!window.convplay.state.data.error`)
	require.Empty(t, Eval[string](s, `window.convplay.state.data.error || ''`))
}

// predictProbs asks the engine for test image index's probabilities.
func predictProbs(s *Session, index int) []float64 {
	return Eval[[]float64](s, `(async () => {
		const c = window.convplay.client;
		const sample = await c.request('getSample', {split: 'test', index: `+itoa(index)+`});
		return [...(await c.request('predict', {pixels: sample.pixels})).probs];
	})()`)
}

func itoa(i int) string { return strconv.Itoa(i) }

// setInputs sets the training panel's inputs.
func setInputs(s *Session, values map[string]string) {
	for id, v := range values {
		Eval[bool](s, `document.getElementById('`+id+`').value = '`+v+`', true`)
	}
}

// TestEngineInThePage drives the engine through the page: it loads the
// packed data, predicts a test image, trains a few batches of the small
// model, pauses mid-epoch within 100 ms, evaluates, and survives each bad
// input and a dead worker.
func TestEngineInThePage(t *testing.T) {
	s := Start(t)
	openWithData(t, s)
	assert.Equal(t, "Fashion-MNIST (2017 original release): loaded and verified · train 55,000, validation 5,000, test 10,000 images",
		Eval[string](s, `document.getElementById('data-note').textContent`))
	assert.Equal(t, 28.0, Eval[float64](s, `document.getElementById('data-progress').value`), "28 chunk files")

	t.Run("predict a test image, with its trace", func(t *testing.T) {
		Eval[bool](s, `document.getElementById('predict').click(), true`)
		note := Poll[string](s, `document.getElementById('predict-note').textContent`)
		assert.Regexp(t, `^Test image #0: the model says [A-Za-z/ -]+ \(\d+\.\d\d%\); it is T-shirt/top\.$`, note)
		tr := Eval[[]any](s, `(async () => {
			const c = window.convplay.client;
			const s = await c.request('getSample', {split: 'test', index: 0});
			const r = await c.request('predict', {pixels: s.pixels});
			return r.trace.map((l) => [l.name, l.shape.join('x'), l.output instanceof Float32Array && l.output.length,
				l.choices ? l.choices instanceof Int32Array && l.choices.length : 0]);
		})()`)
		assert.Equal(t, []any{
			[]any{"conv2d", "26x26x8", 5408.0, 0.0},
			[]any{"max_pooling2d", "13x13x8", 1352.0, 1352.0},
			[]any{"conv2d_1", "11x11x16", 1936.0, 0.0},
			[]any{"max_pooling2d_1", "5x5x16", 400.0, 400.0},
			[]any{"flatten", "400", 400.0, 0.0},
			[]any{"dense", "10", 10.0, 0.0},
		}, tr)
		sum := 0.0
		for _, p := range predictProbs(s, 0) {
			sum += p
		}
		assert.InDelta(t, 1, sum, 1e-5)
	})

	t.Run("train a few batches of the small model", func(t *testing.T) {
		setInputs(s, map[string]string{"subset": "320", "epochs": "1", "batch": "32", "lr": "0.01"})
		Eval[bool](s, `document.getElementById('train').click(), true`)
		Poll[bool](s, `window.convplay.state.training.done !== null`)
		done := Eval[map[string]any](s, `window.convplay.state.training.done`)
		assert.Equal(t, "finished", done["reason"])
		assert.GreaterOrEqual(t, Eval[int](s, `window.convplay.state.training.progressEvents`), 1)
		last := Eval[map[string]any](s, `window.convplay.state.training.progress`)
		assert.Equal(t, 9.0, last["batch"], "10 batches of 32")
		assert.Equal(t, 320.0, last["total"])
		epochs := Eval[[]map[string]any](s, `window.convplay.state.training.epochs.map((e) => ({...e, checkpoint: !!e.checkpoint}))`)
		require.Len(t, epochs, 1)
		assert.Contains(t, epochs[0], "val_loss")
		assert.Equal(t, true, epochs[0]["checkpoint"])
		assert.Equal(t, "Training finished.", Eval[string](s, `document.getElementById('train-note').textContent`))
		assert.Equal(t, "the checkpoint of epoch 1", Eval[string](s, `window.convplay.state.saved.from`))
		t.Logf("small model, %v ms per batch of 32 (%v images/s)", last["batchMs"], last["samplesPerSec"])
	})

	t.Run("pause is answered within 100 ms mid-epoch", func(t *testing.T) {
		setInputs(s, map[string]string{"subset": "0", "epochs": "1"})
		Eval[bool](s, `document.getElementById('train').click(), true`)
		// The small model's batch of 32 takes about 20 ms: it runs whole
		// when the timed pass says it fits the 25 ms step budget (on a
		// loaded machine it may not, and then runs in two parts).
		plan := Poll[map[string]float64](s, `window.convplay.state.training.plan`)
		t.Logf("small model: a training pass takes %v ms per image; steps of %v images", plan["sampleMs"], plan["stepSamples"])
		if 32*plan["sampleMs"] <= 25 {
			assert.Equal(t, 32.0, plan["stepSamples"], "a batch that fits runs whole")
		} else {
			assert.Equal(t, math.Floor(25/plan["sampleMs"]), plan["stepSamples"])
		}
		lat := measurePauses(s, 5)
		t.Logf("small model: pause round trips %v ms", lat.Pauses)
		t.Logf("small model: slice %v ms, batch %v ms (32 images), %v images/s", lat.SliceMs, lat.BatchMs, lat.Rate)
		for _, ms := range lat.Pauses {
			assert.Less(t, ms, 100.0)
		}
		// The Pause button shows its own round trip.
		Poll[bool](s, `!document.getElementById('pause').disabled`)
		Eval[bool](s, `document.getElementById('pause').click(), true`)
		note := Poll[string](s, `window.convplay.state.training.status === 'paused' && document.getElementById('train-note').textContent`)
		assert.Regexp(t, `^Paused \(answered in \d+\.\d ms\) · Epoch 1/1 · batch \d+/1719 · `, note)
		Eval[bool](s, `document.getElementById('step').click(), true`)
		Poll[bool](s, `window.convplay.state.training.progressEvents > 0 && !document.getElementById('step').disabled`)
		Eval[bool](s, `document.getElementById('stop').click(), true`)
		Poll[bool](s, `window.convplay.state.training.status === 'idle'`)
		assert.Equal(t, "stopped", Eval[string](s, `window.convplay.state.training.done.reason`))
	})

	t.Run("evaluate on the test split, and without its duplicates", func(t *testing.T) {
		Eval[bool](s, `document.getElementById('evaluate').click(), true`)
		// The evaluation runs in slices: the engine answers meanwhile.
		pings := Eval[[]float64](s, `(async () => {
			const out = [];
			for (let i = 0; i < 5 && !window.convplay.state.evaluation; i++) {
				const t0 = performance.now();
				await window.convplay.client.request('ping');
				out.push(performance.now() - t0);
			}
			return out;
		})()`)
		t.Logf("ping round trips during the evaluation: %v ms", pings)
		require.NotEmpty(t, pings)
		for _, ms := range pings {
			assert.Less(t, ms, 100.0)
		}
		note := Poll[string](s, `window.convplay.state.evaluation && document.getElementById('eval-note').textContent`)
		assert.Regexp(t, `^Fashion-MNIST \(2017 original release\), test split: loss \d\.\d{4} · accuracy \d+\.\d\d% \(10,000 images, [\d,]+ misclassified\) · without the 10 test images that also occur in the training data: accuracy`, note)
		e := Eval[map[string]any](s, `(() => { const e = window.convplay.state.evaluation; return {n: e.confusion.length, sum: e.confusion.reduce((a, b) => a + b), wrong: e.misclassified.length, acc: e.accuracy}; })()`)
		assert.Equal(t, 100.0, e["n"])
		assert.Equal(t, 10000.0, e["sum"])
		assert.InDelta(t, 1-e["wrong"].(float64)/10000, e["acc"], 1e-12)
		s.Screenshot("trained")
	})

	before := predictProbs(s, 3)
	stillWorks := func(t *testing.T) {
		t.Helper()
		r := s.Request("ping", "")
		assert.True(t, r.OK, r.Error)
		assert.Equal(t, before, predictProbs(s, 3), "the model is unchanged")
		assert.Equal(t, "ready", Eval[string](s, `document.body.dataset.engine`))
	}
	badInputs := []struct {
		name    string
		js      string // resolves with the error message
		wantErr *regexp.Regexp
	}{
		{"a corrupt data chunk", `(async () => {
			const b = new Uint8Array(await (await fetch('data/fashion/train-00-images.u8.gz')).arrayBuffer());
			b[1000] ^= 1;
			return window.convplay.client.request('addChunk', {name: 'train-00-images.u8.gz', bytes: b}).then(() => 'ok', (e) => e.message);
		})()`, regexp.MustCompile(`^dataset: train-00-images\.u8\.gz: sha256 [0-9a-f]{64}, manifest says 5880b3e0[0-9a-f]{56} \(damaged file\?\)$`)},
		{"weights for another architecture", `(async () => {
			const c = window.convplay.client;
			const small = (await c.request('exportWeights')).bytes;
			await c.request('buildModel', {preset: 'reference'});
			const ref = (await c.request('exportWeights')).bytes;
			await c.request('loadWeights', {bytes: small, build: true});
			return c.request('loadWeights', {bytes: ref}).then(() => 'ok', (e) => e.message);
		})()`, regexp.MustCompile(`^nn: weights file is for a different model: layer 1 \(conv2d\) kernel is \(3, 3, 1, 32\) in the file, \(3, 3, 1, 8\) here$`)},
		{"a corrupt weights file", `(async () => {
			const c = window.convplay.client;
			const b = (await c.request('exportWeights')).bytes;
			b[b.length >> 1] ^= 0x10;
			return c.request('loadWeights', {bytes: b}).then(() => 'ok', (e) => e.message);
		})()`, regexp.MustCompile(`^nn: invalid weights file: `)},
		{"an invalid layer list", `window.convplay.client.request('buildModel', {spec: {input: [28, 28, 1], layers: [
			{type: 'Conv2D', filters: 4, kernel_size: 3}, {type: 'MaxPooling2D', pool_size: 27}, {type: 'Flatten'}, {type: 'Dense', units: 10}]}})
			.then(() => 'ok', (e) => e.message)`, regexp.MustCompile(`^nn: layer 2 \(max_pooling2d\): pool 27 larger than input 26x26$`)},
	}
	for _, tt := range badInputs {
		t.Run(tt.name, func(t *testing.T) {
			assert.Regexp(t, tt.wantErr, Eval[string](s, tt.js))
			stillWorks(t)
		})
	}

	t.Run("a NaN loss (learning rate 10) stops training and restores the weights", func(t *testing.T) {
		// A fresh small model (seed 1) with SGD at 10 on all the data
		// (shuffle seed 1) overflows at batch 15 (convplay train -arch small
		// -lr 10 says the same natively).
		Eval[bool](s, `document.getElementById('preset').value = 'small', document.getElementById('build').click(), true`)
		Poll[bool](s, `window.convplay.state.model && window.convplay.state.preset === 'small'`)
		before = predictProbs(s, 3)
		setInputs(s, map[string]string{"subset": "0", "epochs": "1", "lr": "10"})
		Eval[bool](s, `document.getElementById('train').click(), true`)
		Poll[bool](s, `window.convplay.state.training.done !== null`)
		assert.Equal(t, "diverged", Eval[string](s, `window.convplay.state.training.done.reason`))
		note := Eval[string](s, `document.getElementById('train-note').textContent`)
		assert.Regexp(t, `^Training diverged: nn: training diverged \(a number overflowed\): the learning rate is likely too high; .* \(epoch 1, batch 15: loss NaN\); training stopped, and the weights go back further, to those from before training \(the last known good ones\)$`, note)
		assert.True(t, Eval[bool](s, `document.getElementById('train-note').classList.contains('bad')`))
		s.Screenshot("diverged")
		stillWorks(t)
	})

	t.Run("a dead worker is restarted with the saved model", func(t *testing.T) {
		setInputs(s, map[string]string{"save-name": "before the crash"})
		Eval[bool](s, `document.getElementById('save').click(), true`)
		Poll[bool](s, `window.convplay.state.saved && window.convplay.state.saved.from === 'the model you saved, “before the crash”'`)
		r := s.Request("debugExit", `{code: 3}`)
		assert.False(t, r.OK)
		assert.Equal(t, "the engine stopped: the engine exited (code 3)", r.Error)
		Poll[bool](s, `window.convplay.state.restarts === 1 && document.body.dataset.engine === 'ready' && window.convplay.state.restored && !window.convplay.state.restoring`)
		assert.True(t, Eval[bool](s, `window.convplay.state.data.complete`), "the data set is loaded again")
		assert.Equal(t, "The engine restarted; the model is restored from the model you saved, “before the crash”:",
			Eval[string](s, `document.getElementById('model-note').textContent`))
		assert.Equal(t, before, predictProbs(s, 3), "the same prediction as before the crash")
		s.Screenshot("restarted")
	})
	assert.Empty(t, s.Problems())
}

// pauseFigures are what measurePauses measured in the page.
type pauseFigures struct {
	Pauses  []float64 // round trips of pause, ms
	SliceMs []float64 // the slice lengths of the progress events before them
	BatchMs float64   // mean training batch time
	Rate    float64   // images per second
}

// measurePauses waits for training to run, then n times: waits for a
// progress event (so training is mid-slice), pauses, times the reply in the
// page with performance.now(), and resumes. Training is left running.
func measurePauses(s *Session, n int) pauseFigures {
	return Eval[pauseFigures](s, `(async () => {
		const c = window.convplay.client;
		const next = () => new Promise((resolve) => { const off = c.on('progress', (ev) => { off(); resolve(ev); }); });
		const out = {Pauses: [], SliceMs: [], BatchMs: 0, Rate: 0};
		await next();
		for (let i = 0; i < `+itoa(n)+`; i++) {
			const ev = await next();
			out.SliceMs.push(ev.sliceMs);
			out.BatchMs = ev.batchMs;
			out.Rate = ev.samplesPerSec;
			const t0 = performance.now();
			await c.request('pause');
			out.Pauses.push(performance.now() - t0);
			await c.request('resume');
		}
		return out;
	})()`)
}

// TestReferenceModelPauseLatency pauses the reference model mid-epoch:
// its batch of 32 takes far more than a slice, so the engine runs it in
// parts sized from a timed training pass, and each pause is answered
// within 100 ms, the slowest of ten included.
func TestReferenceModelPauseLatency(t *testing.T) {
	s := Start(t)
	openWithData(t, s)
	Eval[bool](s, `document.getElementById('preset').value = 'reference', document.getElementById('build').click(), true`)
	Poll[bool](s, `document.getElementById('model-note').dataset.i18n === 'model.preset'`)
	setInputs(s, map[string]string{"subset": "640", "epochs": "1", "batch": "32", "lr": "0.01"})
	Eval[bool](s, `document.getElementById('train').click(), true`)
	plan := Poll[map[string]float64](s, `window.convplay.state.training.plan`)
	t.Logf("reference model: a training pass takes %v ms per image; batches of 32 run in parts of %v", plan["sampleMs"], plan["stepSamples"])
	assert.Less(t, plan["stepSamples"], 32.0, "a batch of the reference model runs in parts")
	assert.LessOrEqual(t, plan["stepSamples"]*plan["sampleMs"], math.Max(25, plan["sampleMs"]), "a part fits the step budget, or is one image")
	assert.Less(t, plan["sampleMs"], 60.0, "one image's pass of the reference model (if not, the machine is far slower than measured before)")

	lat := measurePauses(s, 10)
	t.Logf("reference model: pause round trips %v ms, slices %v ms, %v ms per batch, %v images/s", lat.Pauses, lat.SliceMs, lat.BatchMs, lat.Rate)
	require.Len(t, lat.Pauses, 10)
	assert.Less(t, slices.Max(lat.Pauses), 100.0, "the slowest pause round trip")
	note := Poll[string](s, `window.convplay.state.training.status === 'running' && document.getElementById('train-note').textContent`)
	assert.Contains(t, note, " · each batch runs in parts of ")
	s.Screenshot("reference-training")

	// Predict and stop, mid-epoch too, each timed after a progress event.
	rt := Eval[map[string][]float64](s, `(async () => {
		const c = window.convplay.client;
		const next = () => new Promise((resolve) => { const off = c.on('progress', (ev) => { off(); resolve(ev); }); });
		const out = {predict: [], stop: []};
		for (let i = 0; i < 5; i++) {
			await next();
			const t0 = performance.now();
			await c.request('predict', {pixels: `+pattern+`});
			out.predict.push(performance.now() - t0);
		}
		await next();
		const t0 = performance.now();
		await c.request('stop');
		out.stop.push(performance.now() - t0);
		return out;
	})()`)
	t.Logf("reference model mid-epoch: predict round trips %v ms, stop %v ms", rt["predict"], rt["stop"])
	assert.Less(t, slices.Max(rt["predict"]), 100.0, "the slowest predict round trip")
	assert.Less(t, rt["stop"][0], 100.0, "stop")
	Poll[bool](s, `window.convplay.state.training.status === 'idle'`)
	assert.Equal(t, "stopped", Eval[string](s, `window.convplay.state.training.done.reason`))
	assert.Empty(t, s.Problems())
}

// TestTrainingInABackgroundTab opens another tab over the page while it
// trains: the page is hidden, and progress keeps coming (the worker is not
// throttled as the page's timers are).
func TestTrainingInABackgroundTab(t *testing.T) {
	s := Start(t)
	openWithData(t, s)
	setInputs(s, map[string]string{"subset": "0", "epochs": "1"})
	Eval[bool](s, `document.getElementById('train').click(), true`)
	Poll[bool](s, `window.convplay.state.training.progressEvents > 0`)

	// A new tab in the foreground hides the page (chromedp.NewContext's
	// tabs and Target.activateTarget do not, in headless Chromium).
	browser := chromedp.FromContext(s.Ctx).Browser
	tab, err := cdp.Call(s.Ctx, browser, target.CreateTarget, target.CreateTargetParams{URL: "about:blank"})
	require.NoError(t, err)
	defer cdp.Call(s.Ctx, browser, target.CloseTarget, target.CloseTargetParams{TargetID: tab.TargetID})
	Poll[bool](s, `document.visibilityState === 'hidden'`)
	got := Eval[map[string]any](s, `(async () => {
		const c = window.convplay.client;
		const first = window.convplay.state.training.progress.total;
		let n = 0, last = null;
		await new Promise((resolve) => { const off = c.on('progress', (ev) => { last = ev; if (++n === 10) { off(); resolve(); } }); });
		return {hidden: document.visibilityState, first, total: last.total, rate: last.samplesPerSec};
	})()`)
	assert.Equal(t, "hidden", got["hidden"])
	assert.Greater(t, got["total"], got["first"], "batches ran while hidden")
	t.Logf("hidden tab: 10 progress events, %v -> %v images trained, %v images/s", got["first"], got["total"], got["rate"])
	require.True(t, s.Request("stop", "").OK)
}

// TestCorruptChunkInThePage serves a data set with one damaged chunk: the
// page reports the file, keeps the chunks loaded before it, and still
// trains and predicts on them.
func TestCorruptChunkInThePage(t *testing.T) {
	const bad = "train-03-labels.u8.gz"
	s := StartHandler(t, func(dir string) http.Handler {
		h, err := webserver.New(dir)
		require.NoError(t, err)
		t.Cleanup(func() { h.Close() })
		damaged, err := os.ReadFile(filepath.Join(dir, "data", "fashion", bad))
		require.NoError(t, err)
		damaged = bytes.Clone(damaged)
		damaged[len(damaged)/2] ^= 0xff
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/"+bad) {
				w.Header().Set("Content-Type", "application/octet-stream")
				w.Write(damaged)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	s.Open("")
	require.Equal(t, "ready", s.WaitEngine())
	Poll[bool](s, `document.getElementById('model-note').dataset.i18n === 'model.small'`)
	Eval[bool](s, `document.getElementById('data-load').click(), true`)
	note := Poll[string](s, `window.convplay.state.data.error && document.getElementById('data-note').textContent`)
	assert.Regexp(t, `^Loading stopped: dataset: train-03-labels\.u8\.gz: sha256 [0-9a-f]{64}, manifest says [0-9a-f]{64} \(damaged file\?\)$`, note)
	assert.True(t, Eval[bool](s, `document.getElementById('data-note').classList.contains('bad')`))
	s.Screenshot("corrupt-chunk")

	// The first three train chunks (15,000 images) arrived before it.
	assert.Equal(t, 15000.0, Eval[float64](s, `window.convplay.state.data.available.train`))
	setInputs(s, map[string]string{"subset": "64", "epochs": "1"})
	Eval[bool](s, `document.getElementById('train').click(), true`)
	Poll[bool](s, `window.convplay.state.training.done !== null`)
	assert.Equal(t, "finished", Eval[string](s, `window.convplay.state.training.done.reason`), "trains on the chunks it has")
	r := s.Request("ping", "")
	assert.True(t, r.OK, r.Error)
	var problems []string
	for _, p := range s.Problems() {
		if !strings.Contains(p, bad) { // the browser logs nothing for it; keep any other problem
			problems = append(problems, p)
		}
	}
	assert.Empty(t, problems)
}
