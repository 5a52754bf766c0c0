//go:build browser

package browsertest

import (
	"runtime"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPageStartsWithThePretrainedModel opens the playground as a student
// would: within a few seconds the engine runs, the pretrained reference
// model for Fashion-MNIST is loaded and the data set streamed in, with no
// console error and no request leaving the origin.
func TestPageStartsWithThePretrainedModel(t *testing.T) {
	s := Start(t)
	s.Open("")
	// How long a student waits, from navigation to the first prediction
	// on screen (logged: timing belongs in benchmarks, see BENCHMARKS.md).
	ms := Poll[float64](s, `document.querySelector('#prediction[data-top]') && performance.now()`)
	t.Logf("first prediction on screen after %.0f ms (data loaded: %v files)", ms, Eval[float64](s, `window.convplay.state.dataset.loaded`))
	s.OpenReady("")
	assert.Equal(t, "pretrained", Eval[string](s, `window.convplay.state.modelSource.kind`))
	assert.Equal(t, "reference", Eval[string](s, `window.convplay.state.modelSource.preset`))
	assert.Equal(t, 435306.0, Eval[float64](s, `window.convplay.state.model.totalParams`))
	assert.Equal(t, "Fashion-MNIST (2017 original release)", Eval[string](s, `window.convplay.state.dataset.info.title`))
	assert.Contains(t, Eval[string](s, `document.getElementById('model-source').textContent`), "pretrained reference model")
	assert.Contains(t, Eval[string](s, `document.getElementById('engine-version').textContent`), runtime.Version())
	assert.True(t, Eval[bool](s, `crossOriginIsolated`), "COOP and COEP make the page cross-origin isolated")
	assert.Equal(t, 200.0, Eval[float64](s, `fetch(document.querySelector('footer a[href="bench.html"]').href).then((r) => r.status)`),
		"the footer links the benchmark page")
	assert.Empty(t, s.Problems())
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)))
	Poll[bool](s, `window.convplay.state.prediction !== null`)
	s.Screenshot("desktop")
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(820, 1180, chromedp.EmulateMobile)))
	assert.True(t, Eval[bool](s, `document.documentElement.scrollWidth <= innerWidth`), "nothing overflows a tablet's width")
	s.Screenshot("tablet")
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	assert.True(t, Eval[bool](s, `document.documentElement.scrollWidth <= innerWidth`), "nothing overflows a phone's width")
	s.Screenshot("phone")
}

// TestDataSetSwitch switches to MNIST digits: the small digits model and
// the digits data replace the Fashion-MNIST ones, and the URL says so.
func TestDataSetSwitch(t *testing.T) {
	s := Start(t)
	s.OpenReady("")
	Eval[bool](s, `(() => { const sel = document.getElementById('dataset'); sel.value = 'digits'; sel.dispatchEvent(new Event('change')); return true; })()`)
	Poll[bool](s, `window.convplay.state.dataset.name === 'digits' && window.convplay.state.dataset.complete && window.convplay.state.modelSource.preset === 'small'`)
	assert.Contains(t, Eval[string](s, `location.search`), "data=digits")
	assert.Equal(t, "MNIST handwritten digits", Eval[string](s, `window.convplay.state.dataset.info.title`))
	assert.Equal(t, "5", Eval[string](s, `window.convplay.ctx.className(5)`))
	require.Empty(t, s.Problems())

	// A shared link opens the digits directly.
	s.OpenReady("?data=digits")
	assert.Equal(t, "digits", Eval[string](s, `window.convplay.state.dataset.name`))
	assert.Equal(t, "digits", Eval[string](s, `document.getElementById('dataset').value`))
}
