//go:build browser

package browsertest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A worker that dies without an error (self.close(), an out-of-memory
// kill) sends nothing: the page hears of it only through the liveness
// checks of protocol.js (the leader's alive events) and wasm/parallel.go
// (a helper's beat). debugExit with silent makes worker.js close its
// worker without a word, the leader's or a helper's.

// startSmallTraining sets the train panel for a long run of the small
// model with workers workers, starts it and waits until a progress event
// says all of them computed a step.
func startSmallTraining(t *testing.T, s *Session, workers int) {
	t.Helper()
	Poll[bool](s, `!!(window.convplay.views.train && window.convplay.views.curves)`)
	Eval[bool](s, fmt.Sprintf(`(() => {
		window.__workers = 0;
		window.convplay.ctx.on('progress', (p) => { window.__workers = Math.max(window.__workers, p.workers); });
		window.convplay.views.train.set({model: 'small', continueWeights: false, optimizer: 'adam', learningRate: 0.001,
			batchSize: 32, epochs: 5, subset: 0, validation: false, checkpoint: false, early: false, seed: 3, workers: %d});
		return true; })()`, workers))
	clickID(s, "train-start")
	pollFor[bool](s, fmt.Sprintf(`window.convplay.state.training && window.__workers === %d`, workers), 60*time.Second)
}

// trainAgain runs a short training from the panel and returns the workers it used.
func trainAgain(t *testing.T, s *Session, workers int) string {
	t.Helper()
	Eval[bool](s, fmt.Sprintf(`(window.convplay.views.train.set({epochs: 1, subset: 640, workers: %d}), true)`, workers))
	pollFor[bool](s, `!document.getElementById('train-start').disabled`, 30*time.Second)
	Eval[bool](s, `(delete document.getElementById('train-result').dataset.reason, true)`) // the last run's
	clickID(s, "train-start")
	require.Equal(t, "finished", pollFor[string](s, `(() => { const e = document.getElementById('train-error');
		return document.getElementById('train-result').dataset.reason || (!e.hidden && 'not started: ' + e.textContent) || ''; })()`, 60*time.Second),
		"status %q", Eval[string](s, `document.getElementById('train-status').textContent`))
	return Eval[string](s, `document.getElementById('train-workers-note').dataset.workers`)
}

// TestLeaderDiesSilently closes the page's worker mid-training: within a
// few seconds the page says the engine stopped without a word, starts a
// new one with the last good model (the fresh model training began with),
// and predicts and trains again.
func TestLeaderDiesSilently(t *testing.T) {
	s := Start(t)
	s.OpenReady("")
	startSmallTraining(t, s, 1)
	Eval[bool](s, `(window.convplay.client.request('debugExit', {silent: true}).catch(() => {}), true)`)
	killed := time.Now()

	reason := pollFor[string](s, `document.getElementById('train-result').dataset.reason || ''`, 20*time.Second)
	took := time.Since(killed)
	t.Logf("the page noticed the silent worker after %v", took)
	assert.Equal(t, "error", reason)
	assert.Less(t, took, 10*time.Second, "4 s of silence, checked every second, on a busy machine")
	assert.Contains(t, Eval[string](s, `document.getElementById('train-result').textContent`), "stopped without a word")
	assert.False(t, Eval[bool](s, `window.convplay.state.training`))

	// A new engine, with the model training began with.
	pollFor[bool](s, `document.body.dataset.engine === 'ready' && window.convplay.state.modelSource.kind === 'restored'`, 60*time.Second)
	status := pollFor[string](s, `(() => { const t = document.getElementById('status-text').textContent; return t.includes('last good model') && t; })()`, 30*time.Second)
	assert.Contains(t, status, "stopped without a word")
	assert.Contains(t, Eval[string](s, `document.getElementById('model-source').textContent`), "restored after the engine restarted: a fresh small model")
	s.ScreenshotOf("header.site", "recovered")
	Eval[bool](s, `(window.convplay.ctx.setLang('zh'), true)`)
	assert.Contains(t, Eval[string](s, `document.getElementById('status-text').textContent`), "一声不响")
	Eval[bool](s, `(window.convplay.ctx.setLang('en'), true)`)

	r := s.Request("predict", `{pixels: new Float32Array(784)}`)
	assert.True(t, r.OK, r.Error)
	pollFor[bool](s, `window.convplay.state.dataset.complete`, 60*time.Second)
	assert.Equal(t, "1", trainAgain(t, s, 1))
	assert.NotContains(t, Eval[string](s, `document.getElementById('status-text').textContent`), "stopped", "training again clears the note")
	assert.Empty(t, s.Problems())
}

// TestHelperDiesSilently closes a helper worker mid-training (2 workers):
// the leader notices its beat stopped, training ends with an error that
// names it within a few seconds, the last good model comes back, and the
// next training replaces the helper.
func TestHelperDiesSilently(t *testing.T) {
	s := Start(t)
	s.OpenReady("")
	require.True(t, Eval[bool](s, `crossOriginIsolated`))
	startSmallTraining(t, s, 2)
	// The helper never answers: the request waits longer than the test.
	Eval[bool](s, `(window.convplay.client.request('debugExit', {helper: 1, silent: true}, {timeoutMs: 600000}).catch(() => {}), true)`)
	killed := time.Now()

	reason := pollFor[string](s, `document.getElementById('train-result').dataset.reason || ''`, 20*time.Second)
	took := time.Since(killed)
	t.Logf("the leader gave up on the silent helper after %v", took)
	assert.Equal(t, "error", reason)
	assert.Less(t, took, 8*time.Second, "2 s without a beat, on a busy machine")
	assert.Contains(t, Eval[string](s, `document.getElementById('train-result').textContent`), "helper worker 1 of 1 stopped")

	// The engine lives on; the weights from mid-training are replaced by the last good model.
	src := pollFor[map[string]any](s, `(() => { const m = window.convplay.state.modelSource; return m.kind === 'restored' && m; })()`, 30*time.Second)
	assert.Equal(t, "core.source.afterError", src["labelKey"])
	assert.Contains(t, Eval[string](s, `document.getElementById('model-source').textContent`), "restored after the training failed")
	assert.Equal(t, "ready", Eval[string](s, `document.body.dataset.engine`))
	r := s.Request("predict", `{pixels: new Float32Array(784)}`)
	assert.True(t, r.OK, r.Error)

	assert.Equal(t, "2", trainAgain(t, s, 2), "a new helper replaces the dead one")
	assert.Greater(t, Eval[int](s, `window.__workers`), 1)
	for _, p := range s.Problems() {
		assert.Contains(t, p, "helper", "unexpected problem")
	}
}

// TestNotIsolatedTrainsWithOneWorker serves the page without COOP/COEP
// (a plain static host): the train panel says that training runs in one
// Web Worker whatever the setting says, and shows the count it used.
func TestNotIsolatedTrainsWithOneWorker(t *testing.T) {
	s := StartHandler(t, func(dir string) http.Handler { return http.FileServer(http.Dir(dir)) })
	s.OpenReady("")
	require.False(t, Eval[bool](s, `crossOriginIsolated`))
	Poll[bool](s, `!!window.convplay.views.train`)
	note := Poll[string](s, `(() => { const n = document.getElementById('train-workers-note'); return n && !n.hidden && n.textContent; })()`)
	assert.Contains(t, note, "not cross-origin isolated")
	assert.Contains(t, note, "one Web Worker")
	assert.Equal(t, "false", Eval[string](s, `document.getElementById('train-workers-note').dataset.isolated`))
	assert.True(t, Eval[bool](s, `document.getElementById('train-workers-hint').nextElementSibling.id === 'train-workers-note'`), "beside the setting")
	s.ScreenshotOf("#train-workers-note", "one-worker")

	Eval[bool](s, `(window.convplay.views.train.set({model: 'small', continueWeights: false, validation: false, checkpoint: false, early: false}), true)`)
	assert.Equal(t, "1", trainAgain(t, s, 4), "4 asked, 1 used")
	assert.Contains(t, Eval[string](s, `document.getElementById('train-workers-note').textContent`), "Web Workers this training uses: 1.")
	Eval[bool](s, `(window.convplay.ctx.setLang('zh'), true)`)
	assert.Contains(t, Eval[string](s, `document.getElementById('train-workers-note').textContent`), "跨源隔离")
	assert.Empty(t, s.Problems())
}

// TestOpenedAsAFile opens index.html from the disk (file://): the browser
// refuses its modules, and the page says in one line to serve it, in the
// language asked for.
func TestOpenedAsAFile(t *testing.T) {
	s := Start(t)
	page := s.Files + "index.html"
	for _, c := range []struct{ query, want string }{
		{"", "make serve"},
		{"?lang=zh", "make serve（"},
	} {
		require.NoError(t, chromedp.Do(s.Ctx, chromedp.Navigate(page+c.query)))
		text := pollFor[string](s, `document.body.dataset.engine === 'unserved' && document.getElementById('status-text').textContent`, 10*time.Second)
		assert.Contains(t, text, c.want)
		assert.Equal(t, "crashed", Eval[string](s, `document.getElementById('status').dataset.state`))
		s.ScreenshotOf("header.site", "opened-as-a-file"+c.query)
	}
	assert.Contains(t, Eval[string](s, `document.documentElement.lang`), "zh")
	// What the browser refused, and nothing else.
	for _, p := range s.Problems() {
		assert.True(t, strings.Contains(p, "file://") || strings.Contains(p, "CORS"), "unexpected problem: %s", p)
	}
}

// TestBusyWorkerIsNotDead: a worker busy with one long task (a slow op on
// a loaded machine or a slow school laptop) sends no alive events for
// longer than the silence, but it lives: the page asks the browser's lock
// manager, learns its worker still holds its lock, and neither says the
// engine stopped nor restarts it; the reply comes when the task is done.
// A stalled page thread (a late check) is not a dead worker either.
func TestBusyWorkerIsNotDead(t *testing.T) {
	s := Start(t)
	s.OpenReady("?model=small")
	Eval[bool](s, `window.convplay.ctx.setInput({pixels: `+fixedInput+`, image: new Uint8ClampedArray(784), source: 'draw'}), true`)
	Poll[bool](s, `window.convplay.state.prediction && document.querySelectorAll('#prediction [data-prob]').length === 10`)
	require.True(t, Eval[bool](s, `typeof window.convplay.client.request === 'function' && !!navigator.locks`))
	Eval[bool](s, `(window.__client = window.convplay.client, true)`)
	statusBefore := Eval[string](s, `document.getElementById('status-text').textContent`)

	// Twice the silence, and more: the page would have given up at 4 s.
	r := s.Request("debugStall", `{ms: 9000}`)
	require.True(t, r.OK, r.Error)
	assert.JSONEq(t, `{"ms": 9000}`, string(r.Result))
	assert.GreaterOrEqual(t, Eval[int](s, `window.convplay.client.stalls`), 1, "the page asked about the silence, and the lock said busy")
	assert.True(t, Eval[bool](s, `window.convplay.client === window.__client`), "the same worker: no restart")
	assert.Equal(t, "ready", Eval[string](s, `document.body.dataset.engine`))
	assert.Nil(t, Eval[any](s, `window.convplay.state.crash`))
	status := Eval[string](s, `document.getElementById('status-text').textContent`)
	assert.NotContains(t, status, "stopped")
	assert.Equal(t, statusBefore, status)

	// The page's own thread blocked for 6 s: its late check judges nothing.
	Eval[bool](s, `(() => { const until = performance.now() + 6000; while (performance.now() < until); return true; })()`)
	r = s.Request("predict", `{pixels: `+fixedInput+`}`)
	assert.True(t, r.OK, r.Error)
	assert.True(t, Eval[bool](s, `window.convplay.client === window.__client && window.convplay.client.crashed === null`))

	// A bad stall is refused with a clear error, and the worker lives on.
	r = s.Request("debugStall", `{ms: 3600000}`)
	assert.False(t, r.OK)
	assert.Equal(t, "worker: ms 3600000 must be at most 60000", r.Error)
	assert.Empty(t, s.Problems())
}
