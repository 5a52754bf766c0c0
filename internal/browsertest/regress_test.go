//go:build browser

package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConceptsRegression: the same features with two heads, ten softmax
// units against one linear unit predicting the ink area; the student draws,
// trains both, reads the losses (cross-entropy against mean squared error)
// and sees one output unit, in English and then Chinese.
func TestConceptsRegression(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("?lang=en")

	layers := Poll[map[string]string](s, `(() => { const i = window.convplay.views.regress.info;
		return i.ink && i.class && {ink: i.ink.loss, cls: i.class.loss, units: String(i.ink.layers.at(-1).units) + '/' + String(i.class.layers.at(-1).units)}; })()`)
	assert.Equal(t, map[string]string{"ink": "mean_squared_error", "cls": "sparse_categorical_crossentropy", "units": "1/10"}, layers)

	Eval[bool](s, countDrawn)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{60, 140}, drawPoint{220, 140}, 10), line(drawPoint{140, 40}, drawPoint{140, 240}, 10))
	waitDrawn(s, 0)
	units := Poll[[]int](s, `(() => { const q = (k) => document.querySelectorAll('#reg-panel figure[data-kind="' + k + '"] .reg-units li').length;
		return q('ink') && [q('ink'), q('class')]; })()`)
	assert.Equal(t, []int{1, 10}, units, "one output unit against one per class")

	Poll[bool](s, `window.convplay.state.dataset.complete === true`)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.ScrollIntoView(chromedp.CSS("#reg-panel .reg-train"))))
	Eval[bool](s, `(document.querySelector('#reg-panel .reg-train').click(), true)`)
	pollFor[bool](s, `(() => { const r = window.convplay.views.regress.runs; return !!(r.ink && r.ink.history.length >= 1); })()`, 50*time.Second)
	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
	pollFor[bool](s, `(() => { const v = window.convplay.views.regress; return !v.training && !!(v.runs.ink && v.runs.ink.done && v.runs.class && v.runs.class.done); })()`, 60*time.Second)
	h := Eval[map[string]float64](s, `(() => { const r = window.convplay.views.regress.runs;
		return {n: r.ink.history.length, first: r.ink.history[0].val_loss, last: r.ink.history.at(-1).val_loss, ce: r.class.history.at(-1).val_loss}; })()`)
	assert.Equal(t, 3.0, h["n"])
	assert.Less(t, h["last"], h["first"], "the squared error falls")
	assert.Less(t, h["last"], 100.0, "within 10 points of the ink area on average")
	assert.Less(t, h["ce"], 1.5)
	v := Poll[map[string]string](s, `(() => { const p = document.querySelector('#reg-panel figure[data-kind="ink"] .reg-value');
		return p.textContent.includes('墨迹') && p.dataset.actual && {text: p.textContent, pred: p.dataset.pred, actual: p.dataset.actual}; })()`)
	assert.Contains(t, v["text"], "预测的墨迹面积")
	assert.Equal(t, 3, Eval[int](s, `document.querySelectorAll('#reg-panel figure[data-kind="ink"] .reg-history tbody tr').length`))
	elementShot(t, s, "concepts-regress", "#reg-panel")

	setViewport(t, s, 390, 800)
	assert.LessOrEqual(t, Eval[int](s, `document.documentElement.scrollWidth`), 390)
	elementShot(t, s, "concepts-regress-phone", "#reg-panel")
	assert.Empty(t, s.Problems())
}
