//go:build browser

package browsertest

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPageBootsTheEngine loads the page, waits for the worker's ready
// event, talks to the engine through the page's client, and checks that
// nothing went wrong on the way: no console error, no exception, no request
// to another origin.
func TestPageBootsTheEngine(t *testing.T) {
	s := Start(t)
	s.Open("")
	require.Equal(t, "ready", s.WaitEngine(), "problems: %q", s.Problems())

	assert.Equal(t, "Engine ready", Poll[string](s, `document.getElementById('status-text').textContent === 'Engine ready' && 'Engine ready'`))
	footer := Eval[string](s, `document.getElementById('engine-version').textContent`)
	assert.Contains(t, footer, runtime.Version(), "the footer shows the engine's Go version")
	assert.True(t, Eval[bool](s, `crossOriginIsolated`), "COOP and COEP make the page cross-origin isolated")

	t.Run("ping", func(t *testing.T) {
		r := s.Request("ping", "")
		require.True(t, r.OK, r.Error)
		assert.JSONEq(t, `"pong"`, string(r.Result))
	})
	t.Run("version", func(t *testing.T) {
		r := s.Request("version", "")
		require.True(t, r.OK, r.Error)
		var v struct{ Go, Platform string }
		require.NoError(t, json.Unmarshal(r.Result, &v))
		assert.Equal(t, runtime.Version(), v.Go)
		assert.Equal(t, "js/wasm", v.Platform)
	})
	t.Run("a panic is an error reply and the worker lives on", func(t *testing.T) {
		r := s.Request("debugPanic", `{message: 'on purpose'}`)
		assert.False(t, r.OK)
		assert.Equal(t, "worker: debugPanic failed: internal error: on purpose", r.Error)
		after := s.Request("ping", "")
		assert.True(t, after.OK, after.Error)
		assert.Equal(t, "ready", Eval[string](s, `document.body.dataset.engine`))
	})
	t.Run("an invalid spec is a clear error", func(t *testing.T) {
		r := s.Request("buildModel", `{spec: {input: [28, 28, 1], layers: [{type: 'Conv3D'}]}}`)
		assert.False(t, r.OK)
		assert.Equal(t, `nn: layer 1 (conv3d): unknown layer type "Conv3D"`, r.Error)
	})
	t.Run("typed arrays cross as typed arrays", func(t *testing.T) {
		r := s.Request("buildModel", `{spec: {input: [2, 2, 1], layers: [{type: 'Flatten'}, {type: 'Dense', units: 3, activation: 'softmax'}]}}`)
		require.True(t, r.OK, r.Error)
		// A zero input meets zero biases: logits 0, probabilities 1/3 each.
		got := Eval[[]any](s, `window.convplay.client.request('predict', {pixels: new Float32Array(4)})
			.then((r) => [r.probs instanceof Float32Array, ...r.probs])`)
		require.Len(t, got, 4)
		assert.Equal(t, true, got[0])
		for _, p := range got[1:] {
			assert.InDelta(t, 1.0/3, p, 1e-6)
		}
	})

	// At start the page loads the pretrained reference model, built by the engine from its file.
	Poll[bool](s, `window.convplay.state.modelSource && window.convplay.state.modelSource.preset === 'reference'`) // after the small one, shown while it loads (TestFirstVisit)
	names := Eval[[]string](s, `window.convplay.state.model.layers.map((l) => l.name + ' ' + l.outShape.join('x') + ' ' + l.params)`)
	assert.Equal(t, []string{
		"conv2d 28x28x32 320", "conv2d_1 28x28x32 9248", "max_pooling2d 14x14x32 0",
		"conv2d_2 14x14x64 18496", "conv2d_3 14x14x64 36928", "max_pooling2d_1 7x7x64 0",
		"conv2d_4 7x7x128 73856", "conv2d_5 7x7x128 147584", "max_pooling2d_2 3x3x128 0",
		"flatten 1152 0", "dense 128 147584", "dense_1 10 1290",
	}, names)

	var sawWasm bool
	for _, u := range s.Requests() {
		sawWasm = sawWasm || strings.HasSuffix(u, "/convplay.wasm")
	}
	t.Logf("requests: %q", s.Requests())
	assert.True(t, sawWasm, "the worker's requests are watched too")
	assert.Empty(t, s.Problems())

	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1200, 800)))
	s.Screenshot("desktop")
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	assert.True(t, Eval[bool](s, `document.documentElement.scrollWidth <= innerWidth`), "nothing overflows a phone's width")
	s.Screenshot("phone")
}

// TestHarnessSeesProblems checks the harness itself: a console error, an
// uncaught exception, a resource the server does not have, and a request to
// another origin (which the harness also blocks) each become a problem.
func TestHarnessSeesProblems(t *testing.T) {
	s := Start(t)
	s.Open("")
	require.Equal(t, "ready", s.WaitEngine())
	require.Empty(t, s.Problems())

	Eval[bool](s, `console.error('on purpose'), true`)
	Eval[bool](s, `setTimeout(() => { throw new Error('thrown on purpose') }), true`)
	Eval[bool](s, `fetch('missing.json').then(() => true)`)
	s.Open("missing.html")
	// about:blank has no Content-Security-Policy to stop the next request
	// before it reaches the network.
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.Navigate("about:blank")))
	status := Eval[string](s, `fetch('http://127.0.0.2:9/elsewhere').then(() => 'reached', (err) => 'blocked')`)
	assert.Equal(t, "blocked", status)

	want := []string{"console.error: \"on purpose\"", "thrown on purpose", "missing.json", "missing.html", "request to another origin: http://127.0.0.2:9/elsewhere"}
	for _, w := range want {
		found := false
		for _, p := range s.Problems() {
			found = found || strings.Contains(p, w)
		}
		assert.True(t, found, "%q not among the problems %q", w, s.Problems())
	}
}

// TestPlainStaticHost serves web/ as any static host might: Go's
// http.FileServer, no COOP/COEP/CSP headers, and .wasm files with the wrong
// type, which the page's download of the engine does not mind. The page
// still boots, only without cross-origin isolation.
func TestPlainStaticHost(t *testing.T) {
	s := StartHandler(t, func(dir string) http.Handler {
		files := http.FileServer(http.Dir(dir))
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, ".wasm") {
				w.Header().Set("Content-Type", "application/octet-stream")
			}
			files.ServeHTTP(w, r)
		})
	})
	s.Open("")
	require.Equal(t, "ready", s.WaitEngine(), "problems: %q", s.Problems())
	assert.False(t, Eval[bool](s, `crossOriginIsolated`))
	r := s.Request("ping", "")
	assert.True(t, r.OK, r.Error)
	wasmFetches := 0
	for _, u := range s.Requests() {
		if strings.HasSuffix(u, "/convplay.wasm") {
			wasmFetches++
		}
	}
	// The page downloads the engine's bytes whatever their type and the worker
	// compiles them (engineBoot): one fetch. The worker's own fallback from
	// streaming, for a worker started without them, is in worker.test.js.
	assert.Equal(t, 1, wasmFetches, "the page fetched the engine once")
	assert.Empty(t, s.Problems())
}

// TestPageNoticesADeadEngine makes the Go program exit: the pending request
// fails, the page notices, starts a new engine by itself (up to three times),
// and the restarted engine answers. When the automatic restarts are used up,
// the page shows the crash and offers a restart button.
func TestPageNoticesADeadEngine(t *testing.T) {
	s := Start(t)
	s.Open("")
	require.Equal(t, "ready", s.WaitEngine())

	for i := 1; i <= 3; i++ {
		r := s.Request("debugExit", `{code: 3}`)
		assert.False(t, r.OK)
		assert.Equal(t, "the engine stopped: the engine exited (code 3)", r.Error)
		Poll[bool](s, `window.convplay.state.restarts === `+strconv.Itoa(i)+` && document.body.dataset.engine === 'ready' `)
		after := s.Request("ping", "")
		assert.True(t, after.OK, after.Error)
	}
	// The page's model was the pretrained one: the restarted engine loads it again.
	Poll[bool](s, `window.convplay.state.modelSource.kind === 'pretrained' && window.convplay.state.model !== null`)

	r := s.Request("debugExit", `{code: 4}`)
	assert.Equal(t, "the engine stopped: the engine exited (code 4)", r.Error)
	Poll[bool](s, `document.body.dataset.engine === 'crashed'`)
	assert.Equal(t, "The engine stopped: the engine exited (code 4)",
		Eval[string](s, `document.getElementById('status-text').textContent`))
	assert.Equal(t, false, Eval[bool](s, `document.getElementById('restart').hidden`))
	s.Screenshot("crashed")

	Eval[bool](s, `document.getElementById('restart').click(), true`)
	Poll[bool](s, `document.body.dataset.engine === 'ready'`)
	after := s.Request("ping", "")
	assert.True(t, after.OK, after.Error)
	assert.Empty(t, s.Problems())
}
