//go:build browser

package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/stretchr/testify/assert"
)

// TestWhy: the lesson "Why did it say that?" on a drawing. The saliency
// map of the predicted class is not constant, Grad-CAM defaults to the
// last convolution layer, occlusion answers for the drawing, a painted
// cover changes the probability, a filter's
// maximization streams its steps, and FGSM at a
// large epsilon changes the prediction; the texts follow a switch to
// Chinese midway, and the panel fits a 390 px phone. (The map of the test
// images is TestWhyMapBeforeScroll's.)
func TestWhy(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("?lang=en")

	Eval[bool](s, countDrawn)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{60, 140}, drawPoint{220, 140}, 10), line(drawPoint{140, 40}, drawPoint{140, 240}, 10))
	waitDrawn(s, 0)
	// The lesson asks for its maps only while it is on screen.
	assert.Nil(t, Eval[any](s, `window.convplay.views.why.saliency`), "nothing asked while off screen")
	Eval[bool](s, `(document.getElementById('why-panel').scrollIntoView(), true)`)

	look := pollFor[map[string]any](s, `(() => { const v = window.convplay.views.why, p = window.convplay.state.prediction;
		if (!v.saliency || !v.cam || !p || v.saliency.pixels.length !== p.input.pixels.length || v.saliency.pixels.some((x, i) => x !== p.input.pixels[i])) return null;
		const g = v.saliency.grad, convs = window.convplay.state.model.layers.map((l, i) => l.type === 'Conv2D' ? i : -1).filter((i) => i >= 0);
		let argmax = 0; p.probs.forEach((q, i) => { if (q > p.probs[argmax]) argmax = i; });
		return {distinct: new Set(g).size, cls: v.saliency.class, predicted: argmax, layer: v.cam.layer, lastConv: convs.at(-1),
			camMax: Math.max(...v.cam.upsampled), info: document.querySelector('#why-panel .why-look-info').textContent}; })()`, 60*time.Second)
	assert.Greater(t, look["distinct"], 10.0, "the saliency map is not constant")
	assert.Equal(t, look["predicted"], look["cls"], "the predicted class by default")
	assert.Equal(t, look["lastConv"], look["layer"], "Grad-CAM at the last convolution layer by default")
	assert.Greater(t, look["camMax"], 0.0)
	assert.Contains(t, look["info"], "Explaining")

	tip := Eval[string](s, `(() => { const c = document.querySelector('#why-panel .why-sal'); const b = c.getBoundingClientRect();
		c.dispatchEvent(new PointerEvent('pointermove', {bubbles: true, clientX: b.left + b.width / 2, clientY: b.top + b.height / 2})); return c.title; })()`)
	assert.Regexp(t, `^row 15, column 15: gradient −?\d`, tip, "the value under the pointer")

	occ := pollFor[map[string]float64](s, `(() => { const o = window.convplay.views.why.occlusion, p = window.convplay.state.prediction;
		return o && o.pixels.every((x, i) => x === p.input.pixels[i]) && {positions: o.rows * o.cols, maxDrop: Math.max(...o.drop), patch: o.patch, stride: o.stride}; })()`, 60*time.Second)
	assert.Equal(t, 4.0, occ["patch"])
	assert.Equal(t, 2.0, occ["stride"])
	assert.Greater(t, occ["positions"], 1.0)

	Eval[bool](s, `(() => { const c = document.querySelector('#why-panel .why-paint'); c.scrollIntoView(); const b = c.getBoundingClientRect();
		const at = (type, f) => c.dispatchEvent(new PointerEvent(type, {bubbles: true, pointerId: 1, clientX: b.left + b.width * f, clientY: b.top + b.height / 2}));
		at('pointerdown', 0.2); for (let f = 0.25; f < 0.8; f += 0.05) at('pointermove', f); at('pointerup', 0.8); return true; })()`)
	cover := pollFor[map[string]any](s, `(() => { const m = window.convplay.views.why.masked;
		return m && {prob: m.prob, masked: m.maskedProb, text: document.querySelector('#why-panel .why-mask-info').textContent}; })()`, 60*time.Second)
	assert.NotEqual(t, cover["prob"], cover["masked"], "a painted cover changes the probability")
	assert.Contains(t, cover["text"], "With your cover")

	Eval[bool](s, `(() => { const q = (c) => document.querySelector('#why-panel ' + c); q('.why-max-steps').value = '32'; q('.why-max-go').click(); return true; })()`)
	max := pollFor[map[string]any](s, `(() => { const v = window.convplay.views.why, r = v.maximize;
		return r && !v.maxRunning && {done: r.done, steps: r.steps, streamed: v.maxStep ? v.maxStep.step : 0, layer: r.layer,
			info: document.querySelector('#why-panel .why-max-info').textContent}; })()`, 90*time.Second)
	assert.Equal(t, 32.0, max["done"], "all steps run")
	assert.Greater(t, max["streamed"], 0.0, "steps streamed as they ran")
	assert.Contains(t, max["info"], "32")
	assert.NotNil(t, max["layer"], "a filter of the first convolution layer by default")

	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
	Eval[bool](s, `(() => { const r = document.querySelector('#why-panel .why-eps'); r.value = '0.5'; r.dispatchEvent(new Event('input')); return true; })()`)
	fool := pollFor[map[string]any](s, `(() => { const f = window.convplay.views.why.fgsm;
		return f && Math.abs(f.epsilon - 0.5) < 1e-6 && {before: f.classBefore, after: f.classAfter, text: document.querySelector('#why-panel .why-fool-info').textContent}; })()`, 60*time.Second)
	assert.NotEqual(t, fool["before"], fool["after"], "FGSM at epsilon 0.5 changes the prediction")
	assert.Contains(t, fool["text"], "骗过了")
	assert.Contains(t, Eval[string](s, `document.querySelector('#why-panel h2').textContent`), "为什么")
	elementShot(t, s, "why", "#why-panel")

	setViewport(t, s, 390, 800)
	assert.LessOrEqual(t, Eval[int](s, `document.documentElement.scrollWidth`), 390)
	assert.Empty(t, overflowing(s, "#why-panel"))
	elementShot(t, s, "why-phone", "#why-panel")
	assert.Empty(t, s.Problems())
}
