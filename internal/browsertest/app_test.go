//go:build browser

package browsertest

import (
	"fmt"
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
// the digits data replace the Fashion-MNIST ones, and the URL says so. The
// footer says when a set's training images are rounded (make data rounds
// Fashion-MNIST's, not the digits), in the page's language.
func TestDataSetSwitch(t *testing.T) {
	s := Start(t)
	s.OpenReady("")
	rounded := `(() => { const el = document.getElementById('data-rounded'); return el.hidden ? '' : el.textContent; })()`
	step := Eval[int](s, `fetch('data/fashion/manifest.json').then((r) => r.json()).then((m) =>
		Math.max(1, ...m.files.filter((f) => f.split === 'train' && f.kind === 'images').map((f) => f.step || 1)))`)
	if step > 1 {
		assert.Regexp(t, fmt.Sprintf(`^To download in half the bytes, the training and validation images are rounded to multiples of %d grey levels \(each pixel at most %d of 255 off`, step, step/2), Eval[string](s, rounded))
		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
		assert.Contains(t, Poll[string](s, `document.documentElement.lang === 'zh-Hans' && `+rounded), fmt.Sprintf("取整到 %d 个灰度级的倍数", step))
		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'en'; sel.dispatchEvent(new Event('change')); return true; })()`)
	} else {
		assert.Empty(t, Eval[string](s, rounded), "the exact pixels need no note")
	}
	Eval[bool](s, `(() => { const sel = document.getElementById('dataset'); sel.value = 'digits'; sel.dispatchEvent(new Event('change')); return true; })()`)
	Poll[bool](s, `window.convplay.state.dataset.name === 'digits' && window.convplay.state.dataset.complete && window.convplay.state.modelSource.preset === 'small'`)
	assert.Empty(t, Eval[string](s, rounded), "the digits are exact: no note")
	assert.Contains(t, Eval[string](s, `location.search`), "data=digits")
	assert.Equal(t, "MNIST handwritten digits", Eval[string](s, `window.convplay.state.dataset.info.title`))
	assert.Equal(t, "5", Eval[string](s, `window.convplay.ctx.className(5)`))
	require.Empty(t, s.Problems())

	// A shared link opens the digits directly.
	s.OpenReady("?data=digits")
	assert.Equal(t, "digits", Eval[string](s, `window.convplay.state.dataset.name`))
	assert.Equal(t, "digits", Eval[string](s, `document.getElementById('dataset').value`))
}
