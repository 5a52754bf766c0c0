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
// and sees one output unit, in its panel and in the layer strip beside the
// model's ten, in English and then Chinese.
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

	// The layer strip shows the head's one unit beside the model's last layer (10 units).
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.ScrollIntoView(chromedp.CSS("#network-panel .net-strip-wrap"))))
	strip := Poll[map[string]any](s, `(() => { const h = document.querySelector('#network-panel .net-head'), tr = window.convplay.views.regress.traces.ink;
		const v = h && !h.hidden && h.querySelector('.net-head-value');
		return v && tr && {units: h.dataset.units, shape: h.querySelector('.net-shape').textContent, name: h.querySelector('.net-name').textContent,
			value: v.textContent, want: tr.trace.at(-1).output[0].toFixed(1) + '%', thumbs: h.querySelectorAll('canvas').length,
			last: document.querySelector('#network-panel .net-strip li:last-child .net-shape').textContent,
			text: document.querySelector('#network-panel .net-head-text').textContent}; })()`)
	assert.Equal(t, "1", strip["units"])
	assert.Equal(t, "1", strip["shape"])
	assert.Equal(t, "ink_area", strip["name"])
	assert.Equal(t, "10", strip["last"], "the model's last layer: 10 values")
	assert.Equal(t, strip["want"], strip["value"], "the head's unit on this drawing, from the engine")
	assert.Equal(t, 1.0, strip["thumbs"])
	assert.Contains(t, strip["text"], "10 units")
	assert.Contains(t, strip["text"], "1 unit instead")
	elementShot(t, s, "concepts-regress-strip", "#network-panel .net-strip-wrap")

	Poll[bool](s, `window.convplay.state.dataset.complete === true`)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.ScrollIntoView(chromedp.CSS("#reg-panel .reg-train"))))
	// The run slows with the machine's load: no wall-clock budget, a stall fails (untilSettled).
	s.Allow(10 * time.Minute)
	const steps = `(() => { const r = window.convplay.views.regress.runs; return ['ink', 'class'].map((k) => r[k] ? r[k].epoch + '/' + r[k].batch : '').join(); })()`
	Eval[bool](s, `(document.querySelector('#reg-panel .reg-train').click(), true)`)
	untilSettled[bool](s, `(() => { const r = window.convplay.views.regress.runs; return !!(r.ink && r.ink.history.length >= 1); })()`, steps, time.Minute)
	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
	untilSettled[bool](s, `(() => { const v = window.convplay.views.regress; return !v.training && !!(v.runs.ink && v.runs.ink.done && v.runs.class && v.runs.class.done); })()`, steps, time.Minute)
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
	// The strip follows the trained head, in Chinese.
	zh := Poll[map[string]string](s, `(() => { const p = document.querySelector('#reg-panel figure[data-kind="ink"] .reg-value'), h = window.convplay.views.network.head;
		const text = document.querySelector('#network-panel .net-head-text').textContent;
		return h && h.value === Number(p.dataset.pred) && {text, value: document.querySelector('#network-panel .net-head-value').textContent, want: Number(p.dataset.pred).toFixed(1) + '%'}; })()`)
	assert.Equal(t, zh["want"], zh["value"])
	assert.Contains(t, zh["text"], "墨迹面积")
	assert.Contains(t, zh["text"], "1 个单元")
	elementShot(t, s, "concepts-regress", "#reg-panel")

	setViewport(t, s, 390, 800)
	assert.LessOrEqual(t, Eval[int](s, `document.documentElement.scrollWidth`), 390)
	elementShot(t, s, "concepts-regress-phone", "#reg-panel")
	assert.Empty(t, s.Problems())
}
