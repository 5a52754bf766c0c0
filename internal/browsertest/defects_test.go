//go:build browser

package browsertest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/internal/webserver"
)

// The defects issue 15 lists, each acted out as a student would meet it.

// gatedData serves the page with the training and validation chunks held
// back until release is called, as on a slow network.
func gatedData(t *testing.T) (s *Session, release func()) {
	gate := make(chan struct{})
	var once sync.Once
	s = StartHandler(t, func(dir string) http.Handler {
		h, err := webserver.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/train-") || strings.Contains(r.URL.Path, "/validation-") {
				select {
				case <-gate:
				case <-r.Context().Done():
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	return s, release
}

// click clicks the element that matches the CSS selector, as a student's press.
func click(s *Session, sel string) {
	s.t.Helper()
	Eval[bool](s, fmt.Sprintf(`(document.querySelector(%q).click(), true)`, sel))
}

// TestDefectTrainWhileLoading: one press of Start on a fresh page, before the
// training images arrive, says what it waits for and then trains by itself.
func TestDefectTrainWhileLoading(t *testing.T) {
	s, release := gatedData(t)
	s.Open("")
	require.Equal(t, "ready", s.WaitEngine())
	Poll[bool](s, `!!(window.convplay.views.train && window.convplay.state.model)`)
	Eval[bool](s, `(window.convplay.views.train.set({epochs: 1, subset: 500, validationSubset: 500}), true)`)
	click(s, `#train-start`)
	st := Poll[map[string]string](s, `(() => { const e = document.querySelector('#train-status'); return e.dataset.state === 'waiting' && {state: e.dataset.state, text: e.textContent}; })()`)
	assert.Contains(t, st["text"], "Waiting for the validation images")
	assert.True(t, Eval[bool](s, `document.querySelector('#train-start').disabled`), "Start is taken while the run waits")
	release()
	// No second press: the run starts and ends by itself.
	reason := pollFor[string](s, `document.querySelector('#train-result').dataset.reason || ''`, 3*time.Minute)
	assert.Equal(t, "finished", reason)
	assert.NotContains(t, Eval[string](s, `document.querySelector('#train-result').textContent`), "failed")
	assert.Empty(t, s.Problems())
}

// TestDefectPausedSaysPaused: a paused run's status line says so.
func TestDefectPausedSaysPaused(t *testing.T) {
	s := openTrain(t, `{epochs: 3, subset: 2000, validationSubset: 500, batchSize: 16}`)
	click(s, `#train-start`)
	Poll[bool](s, `document.querySelector('#train-status').dataset.shown === 'true' && !document.querySelector('#train-pause').disabled`)
	click(s, `#train-pause`)
	text := Poll[string](s, `(() => { const e = document.querySelector('#train-status'); return e.dataset.state === 'paused' && e.textContent; })()`)
	assert.True(t, strings.HasPrefix(text, "Paused"), text)
	click(s, `#train-stop`)
	Poll[bool](s, `!!document.querySelector('#train-result').dataset.reason`)
}

// TestDefectChanceRunKeepsTheModel: a run that ends no better than chance
// shows the engine's verdict and does not call the model "trained".
func TestDefectChanceRunKeepsTheModel(t *testing.T) {
	s := openTrain(t, `{epochs: 1, subset: 64, validationSubset: 500, batchSize: 64, optimizer: 'sgd', learningRate: 0.000001, momentum: 0}`)
	click(s, `#train-start`)
	Poll[bool](s, `!!document.querySelector('#train-result').dataset.reason`)
	res := Eval[map[string]string](s, `(() => { const e = document.querySelector('#train-result'); return {chance: e.dataset.chance, text: e.textContent, source: document.querySelector('#model-source').textContent}; })()`)
	require.Equal(t, "true", res["chance"], res["text"])
	assert.Contains(t, res["text"], "no better than chance")
	assert.NotContains(t, res["text"], "now uses the trained model")
	assert.NotContains(t, res["source"], "trained for")
	assert.Contains(t, res["source"], "fresh small model")
	Eval[bool](s, `(window.convplay.ctx.setLang('zh'), true)`)
	assert.Contains(t, Eval[string](s, `document.querySelector('#train-result').textContent`), "不比随机猜测好")
}
