//go:build browser

package browsertest

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const formatsModule = "/convplay-formats.wasm"

// formatsRequests counts the requests for the formats module among reqs.
func formatsRequests(reqs []string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasSuffix(strings.SplitN(r, "?", 2)[0], formatsModule) {
			n++
		}
	}
	return n
}

// TestFormatsModuleOnDemand: the first visit predicts without the formats
// module (Keras and .npz files, a second WebAssembly program); a dropped
// .h5 fetches it, and while it cannot be fetched the drop gives a one-line
// error and the model stays; once it can, the same drop loads the file as
// before, and a .keras download comes from it too.
func TestFormatsModuleOnDemand(t *testing.T) {
	var broken atomic.Bool
	var served atomic.Int64
	broken.Store(true)
	serve := convplayServer(t)
	s := StartHandler(t, func(dir string) http.Handler {
		next := serve(dir)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == formatsModule {
				if broken.Load() {
					http.Error(w, "unavailable", http.StatusServiceUnavailable)
					return
				}
				served.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	})
	s.Open("?model=small&lang=en")
	firstPrediction(s)
	assert.Zero(t, formatsRequests(s.Requests()), "the first prediction did not fetch the formats module")
	s.WaitEngine()
	Poll[bool](s, `window.convplay.views.keep && window.convplay.state.dataset.info !== null`)
	// Every chunk in: kerasfile.js closes an open question at each dataset event.
	Poll[bool](s, `window.convplay.state.dataset.complete`)
	Eval[bool](s, `window.convplay.ctx.setInput({pixels: `+fixedInput+`, image: new Uint8ClampedArray(784), source: 'draw'}), true`)
	Poll[bool](s, `window.convplay.state.prediction && window.convplay.state.prediction.input === window.convplay.state.input`)
	before := keepNow(s)

	t.Run("a module that cannot be fetched is a one-line error, and the model stays", func(t *testing.T) {
		keepClear(s)
		kerasDrag(t, s, "drop", "functional_k2.h5")
		key, text := keepStatus(s)
		require.Equal(t, "keep.err.formats", key, text)
		assert.Contains(t, text, "could not be downloaded: try again when the network is back.")
		assert.Contains(t, text, "The model was not changed.")
		assert.Contains(t, text, "convplay-formats.wasm")
		assert.NotContains(t, text, "\n")
		assert.Equal(t, "error", Eval[string](s, `document.getElementById('keep-status').dataset.kind`))
		assert.Equal(t, before, keepNow(s))
		assert.Positive(t, formatsRequests(s.Requests()), "the drop asked for it")
		// The engine still answers.
		assert.True(t, s.Request("ping", "{}").OK)

		Eval[bool](s, `window.convplay.ctx.setLang('zh'), true`)
		assert.Contains(t, Poll[string](s, `(() => { const t = document.getElementById('keep-status').textContent; return t.includes('联网后再试') && t; })()`),
			"引擎中读取 Keras 和 .npz 文件的部分")
		Eval[bool](s, `window.convplay.ctx.setLang('en'), true`)
	})

	t.Run("once it can be fetched, the dropped .h5 loads", func(t *testing.T) {
		broken.Store(false)
		keepClear(s)
		kerasDrag(t, s, "drop", "functional_k2.h5")
		key, text := keepStatusWithin(t, s, 2*time.Minute) // the module's first start, on a loaded machine
		require.Equal(t, "keep.kq.asked", key, text)
		assert.Contains(t, text, "functional_k2.h5 (Keras 2 .h5)")
		assert.Positive(t, served.Load(), "fetched now")
		keepClear(s)
		Eval[bool](s, `document.querySelector('#keras-ask input[value=unit]').click(), document.getElementById('keras-use').click(), true`)
		key, text = keepStatusWithin(t, s, 2*time.Minute) // after the three answers' accuracy checks
		require.Equal(t, "keep.kf.loaded", key, text)
		assert.Equal(t, "file", Eval[string](s, `window.convplay.state.modelSource.kind`))

		name, b := keepDownload(t, s, "#download-keras")
		assert.Equal(t, "convplay-model.keras", name)
		assert.True(t, strings.HasPrefix(string(b), "PK\x03\x04"), "a zip")
	})
	var problems []string
	for _, p := range s.Problems() {
		if !strings.Contains(p, "convplay-formats.wasm") && !strings.Contains(p, "status of 503") {
			problems = append(problems, p) // the browser logs the failed fetch; nothing else
		}
	}
	assert.Empty(t, problems)
}

// TestFormatsModuleOffline: after one visit online (the service worker
// keeps the app shell, the formats module with it, though the visit never
// needed it), a visit offline loads a dropped .h5 and downloads .npz.
func TestFormatsModuleOffline(t *testing.T) {
	s := Start(t)
	s.Open("?model=small")
	firstPrediction(s)
	s.WaitEngine()
	Poll[bool](s, `window.convplay.state.dataset.complete`)
	waitSaved(s, "data/fashion/")

	s.Renew()
	s.SetOffline(true)
	before := len(s.Requests())
	s.OpenReady("?model=small&lang=en")
	Poll[bool](s, `window.convplay.views.keep && window.convplay.state.dataset.available && window.convplay.state.dataset.available.test >= 1000`)
	keepClear(s)
	kerasDrag(t, s, "drop", "functional_k2.h5")
	key, text := keepStatus(s)
	require.Equal(t, "keep.kq.asked", key, text)
	keepClear(s)
	Eval[bool](s, `document.querySelector('#keras-ask input[value=unit]').click(), document.getElementById('keras-use').click(), true`)
	key, text = keepStatusWithin(t, s, 2*time.Minute)
	require.Equal(t, "keep.kf.loaded", key, text)
	name, b := keepDownload(t, s, "#download-npz")
	assert.Equal(t, "convplay-model.npz", name)
	assert.True(t, strings.HasPrefix(string(b), "PK\x03\x04"), "a zip")
	names, _ := fromNetwork(s.Requests()[before:])
	assert.Empty(t, names, "offline, every file came from the worker")
	assert.Empty(t, s.Problems())
}

// keepStatusWithin is keepStatus with a longer wait, and what the panel
// and the engine were doing when it gives up.
func keepStatusWithin(t *testing.T, s *Session, d time.Duration) (key, text string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		r := Eval[[]string](s, `(() => { const st = document.getElementById('keep-status');
			return st.dataset.key && !document.getElementById('save').disabled ? [st.dataset.key, st.textContent] : null; })()`)
		if len(r) == 2 {
			return r[0], r[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no keep status after %v: %s; requests for the module %d; problems %q", d,
				Eval[string](s, `JSON.stringify({status: document.getElementById('keep-status').textContent, save: document.getElementById('save').disabled, engine: window.convplay.state.engine, sw: !!navigator.serviceWorker.controller})`),
				formatsRequests(s.Requests()), s.Problems())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
