//go:build browser

package browsertest

import (
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConceptsNotesLayer: the notes' own example in the shapes lesson
// (3 channels in, 192 out, 3x3 kernels: 5,184 weights and 192 biases,
// from the engine), and a stride-2 'valid' convolution built in the
// architecture editor, stepped on the student's drawing, with the language
// switched midway.
func TestConceptsNotesLayer(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("?lang=en&arch=C8.3.2.v.relu_F_D10.softmax")

	t.Run("the notes' example in the shapes lesson", func(t *testing.T) {
		m := Poll[map[string]string](s, `(() => { const p = document.querySelector('#shapes-panel .shapes-try-match');
			return p && {weights: p.dataset.weights, biases: p.dataset.biases, params: p.dataset.params, text: p.textContent}; })()`)
		assert.Equal(t, "5184", m["weights"])
		assert.Equal(t, "192", m["biases"])
		assert.Equal(t, "5376", m["params"])
		assert.Contains(t, m["text"], "5,184")
		row := Eval[string](s, `document.querySelector('#shapes-panel .shapes-try-table tr[data-row="weights"] .formula').textContent`)
		assert.Equal(t, "(3·3·3)·192 = 5,184", row)
		elementShot(t, s, "concepts-shapes-try", "#shapes-panel .shapes-try")

		// The student types 64 filters: the engine's count follows, the notes' line goes.
		Eval[bool](s, `(() => { const i = document.querySelector('#shapes-panel .shapes-try input[name="filters"]');
			i.value = '64'; i.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`)
		got := Poll[string](s, `(() => { const f = document.querySelector('#shapes-panel .shapes-try-table tr[data-row="weights"] .formula');
			return f && f.textContent.includes('64') && f.textContent; })()`)
		assert.Equal(t, "(3·3·3)·64 = 1,728", got)
		assert.False(t, Eval[bool](s, `!!document.querySelector('#shapes-panel .shapes-try-match')`))
		// An out-of-range kernel is explained, not sent.
		Eval[bool](s, `(() => { const i = document.querySelector('#shapes-panel .shapes-try input[name="k"]');
			i.value = '40'; i.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`)
		Poll[bool](s, `!!document.querySelector('#shapes-panel .shapes-try-out .bad')`)
		Eval[bool](s, `(document.querySelector('#shapes-panel .shapes-try-notes').click(), true)`)
		Poll[bool](s, `!!document.querySelector('#shapes-panel .shapes-try-match')`)
	})

	t.Run("a stride-2 valid convolution from the editor, stepped on a drawing", func(t *testing.T) {
		// "Use this model" sets the train panel to it; a short run builds it.
		Eval[bool](s, `(document.getElementById('arch-use').click(), true)`)
		Eval[bool](s, `(window.convplay.ctx.emit('trainsetup', {settings: {epochs: 1, subset: 256, validationSubset: 256, workers: 1}, start: true}), true)`)
		shape := Poll[[]int](s, `(() => { const m = window.convplay.state.model; return m && m.layers[0].outShape[0] === 13 && m.layers[0].outShape; })()`)
		assert.Equal(t, []int{13, 13, 8}, shape, "floor((28 - 3) / 2) + 1 = 13")

		Poll[bool](s, `window.convplay.state.training === false && window.convplay.state.model.layers[0].outShape[0] === 13`)
		Eval[bool](s, countDrawn)
		drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{140, 40}, drawPoint{140, 240}, 12))
		waitDrawn(s, 0)
		require.NoError(t, chromedp.Do(s.Ctx, chromedp.ScrollIntoView(chromedp.CSS("#conv-panel .cs-geometry"))))
		Eval[bool](s, `(window.convplay.views.convstep.setPos({layer: 0, y: 4, x: 4, filter: 0}), true)`)
		first := Poll[map[string]int](s, `(() => { const r = window.convplay.views.convstep.last;
			return r && r.y === 4 && r.x === 4 && {stride: r.stride, left: r.left, top: r.top, pad: r.padLeft}; })()`)
		assert.Equal(t, 2, first["stride"])
		assert.Equal(t, 0, first["pad"], "valid: no padding")
		assert.Equal(t, 8, first["left"], "output column 4 starts at input column 4*2")
		Eval[bool](s, `(document.querySelector('#conv-panel .cs-next').click(), true)`)
		left := Poll[int](s, `(() => { const r = window.convplay.views.convstep.last; return r && r.x === 5 && r.left; })()`)
		assert.Equal(t, 10, left, "one step moves the window by the stride")
		geo := Poll[string](s, `(() => { const g = document.querySelector('#conv-panel .cs-geometry'); return g.dataset.stride === '2' && g.textContent; })()`)
		assert.Contains(t, geo, "stride 2")
		assert.Contains(t, geo, "= 13 output cells")
		assert.Contains(t, geo, "valid")
		elementShot(t, s, "concepts-convstep-stride", "#conv-panel")

		// Midway, the student switches to Chinese: the lesson follows.
		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
		Eval[bool](s, `(document.querySelector('#conv-panel .cs-next').click(), true)`)
		zh := Poll[string](s, `(() => { const g = document.querySelector('#conv-panel .cs-geometry'); return g.textContent.includes('步幅') && g.textContent; })()`)
		assert.Contains(t, zh, "步幅 2")
		match := Poll[string](s, `(() => { const p = document.querySelector('#shapes-panel .shapes-try-match'); return p && p.textContent.includes('笔记') && p.textContent; })()`)
		assert.Contains(t, match, "5,184")
	})

	t.Run("phone width", func(t *testing.T) {
		setViewport(t, s, 390, 800)
		for _, sel := range []string{"#shapes-panel", "#conv-panel"} {
			over := Eval[bool](s, `(() => { const p = document.querySelector('`+sel+`'); return p.scrollWidth > p.clientWidth + 1; })()`)
			assert.False(t, over, "%s overflows at 390 px", sel)
		}
		assert.LessOrEqual(t, Eval[int](s, `document.documentElement.scrollWidth`), 390)
		elementShot(t, s, "concepts-shapes-try-phone", "#shapes-panel .shapes-try")
	})
	assert.Empty(t, s.Problems())
}
