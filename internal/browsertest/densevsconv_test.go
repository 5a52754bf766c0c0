//go:build browser

package browsertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dvcSteps is the lesson's live training progress, each model's epoch and batch.
const dvcSteps = `(() => { const r = window.convplay.views.densevsconv.runs; return ['dense', 'cnn'].map((k) => r[k] ? r[k].epoch + '/' + r[k].batch : '').join(); })()`

// TestConceptsDenseVsConv: the student compares the dense network with the
// small CNN: their sizes, the drawing shifted (the CNN's map moves with it,
// the dense units do not), what one unit looks at, and both trained on 500
// images with their curves, switching to Chinese midway; the big sizes'
// runs trained ahead, shown at once, and one of them run live.
func TestConceptsDenseVsConv(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("?lang=en")
	model := Eval[string](s, `JSON.stringify(window.convplay.state.model.layers)`)

	t.Run("sizes from the engine", func(t *testing.T) {
		got := Poll[map[string]string](s, `(() => { const q = (r, k) => document.querySelector('#dvc-panel tr[data-row="' + r + '"] td[data-kind="' + k + '"]').dataset.value;
			return q('params', 'cnn') && {dp: q('params', 'dense'), cp: q('params', 'cnn'), dm: q('macs', 'dense'), cm: q('macs', 'cnn')}; })()`)
		assert.Equal(t, "101770", got["dp"], "(784 + 1)·128 + (128 + 1)·10")
		assert.Equal(t, "9098", got["cp"], "(9 + 1)·8 + (72 + 1)·16 + (784 + 1)·10")
		assert.Equal(t, "101632", got["dm"])
		assert.Equal(t, "290080", got["cm"], "28·28·8·9 + 14·14·16·72 + 784·10")
		assert.Contains(t, Eval[string](s, `document.querySelector('#dvc-panel .dvc-size-text').textContent`), "100,480")
	})

	t.Run("the drawing shifted", func(t *testing.T) {
		Eval[bool](s, countDrawn)
		drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{110, 60}, drawPoint{170, 220}, 12), line(drawPoint{170, 60}, drawPoint{110, 220}, 12))
		waitDrawn(s, 0)
		require.NoError(t, chromedp.Do(s.Ctx, chromedp.ScrollIntoView(chromedp.CSS("#dvc-panel .dvc-shift"))))
		Eval[bool](s, `(() => { const i = document.querySelector('#dvc-panel .dvc-dx'); i.value = '2'; i.dispatchEvent(new Event('input')); return true; })()`)
		// The engine's maps: the CNN's shifted map is its map moved 2 right
		// (away from the edges), the dense layer's units change without that order.
		r := Poll[map[string]float64](s, `(() => { const v = window.convplay.views.densevsconv, l = v.lastShift;
			if (!l || l.dx !== 2 || l.conv.trace[0].output.length === 0) return null;
			const [h, w, c] = l.conv.trace[0].shape, a = l.conv.trace[0].output, b = l.conv.shiftedTrace[0].output;
			let moved = 0, big = 0;
			for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 3; x++) for (let ch = 0; ch < c; ch++) {
				moved = Math.max(moved, Math.abs(b[(y * w + x + 2) * c + ch] - a[(y * w + x) * c + ch]));
				big = Math.max(big, Math.abs(a[(y * w + x) * c + ch]));
			}
			const d0 = l.dense.trace[1].output, d1 = l.dense.shiftedTrace[1].output;
			let diff = 0, base = 0;
			for (let i = 0; i < d0.length; i++) { diff += Math.abs(d1[i] - d0[i]); base += Math.abs(d0[i]); }
			return {moved, big, dense: diff / base, units: d0.length}; })()`)
		assert.Less(t, r["moved"], 1e-4*r["big"]+1e-6, "the conv map moves with the input")
		assert.Greater(t, r["big"], 0.0)
		assert.Greater(t, r["dense"], 0.05, "the dense units change")
		assert.Equal(t, 128.0, r["units"])
		elementShot(t, s, "concepts-dvc-shift", "#dvc-panel .dvc-shift")
	})

	t.Run("what one unit looks at", func(t *testing.T) {
		Eval[bool](s, `(() => { const i = document.querySelector('#dvc-panel .dvc-unit'); i.value = '4'; i.dispatchEvent(new Event('change')); return true; })()`)
		u := Poll[map[string]int](s, `(() => { const u = window.convplay.views.densevsconv.unit; return u && u.dense.unit === 3 && {d: u.dense.weights.length, c: u.conv.weights.length, k: u.conv.shape[0]}; })()`)
		assert.Equal(t, map[string]int{"d": 784, "c": 9, "k": 3}, u)
		assert.Contains(t, Eval[string](s, `document.querySelector('#dvc-panel .dvc-ck-cap').textContent`), "784 positions")
		// The student typed 4: the engine's unit 3, named as the student counts (count.js).
		assert.Contains(t, Eval[string](s, `document.querySelector('#dvc-panel .dvc-uw-cap').textContent`), "unit 4 ")
	})

	t.Run("train both on 500 images, switching language midway", func(t *testing.T) {
		Poll[bool](s, `window.convplay.state.dataset.complete === true`)
		require.NoError(t, chromedp.Do(s.Ctx, chromedp.ScrollIntoView(chromedp.CSS("#dvc-panel .dvc-train"))))
		// The run is cut to 6 epochs through the view's hook, and waited for
		// while it moves (untilSettled): a busy machine slows it, a stall fails.
		s.Allow(15 * time.Minute)
		Eval[bool](s, `(window.convplay.views.densevsconv.epochs = 6, true)`)
		Eval[bool](s, `(document.querySelector('#dvc-panel input[name="dvc-n"][value="500"]').click(), document.querySelector('#dvc-panel .dvc-train').click(), true)`)
		untilSettled[bool](s, `(() => { const r = window.convplay.views.densevsconv.runs; return !!(r.dense && r.dense.history.length >= 1); })()`, dvcSteps, time.Minute)
		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
		untilSettled[bool](s, `(() => { const r = window.convplay.views.densevsconv.runs; return !!(r.dense && r.dense.done && r.cnn && r.cnn.done); })()`, dvcSteps, time.Minute)
		h := Eval[map[string]float64](s, `(() => { const r = window.convplay.views.densevsconv.runs;
			return {de: r.dense.history.length, ce: r.cnn.history.length, n: r.dense.samples, dacc: r.dense.history.at(-1).accuracy,
				dval: r.dense.history.at(-1).val_accuracy, cval: r.cnn.history.at(-1).val_accuracy, c0: r.cnn.history[0].val_accuracy}; })()`)
		assert.Equal(t, 6.0, h["de"])
		assert.Equal(t, 6.0, h["ce"])
		assert.Equal(t, 500.0, h["n"])
		assert.Greater(t, h["dacc"], h["dval"], "the dense net does better on its own images than on new ones")
		assert.Greater(t, h["cval"], 0.5, "the CNN learns from 500 images")
		paths := Eval[int](s, `[...document.querySelectorAll('#dvc-panel .dvc-chart path')].filter((p) => p.getAttribute('d').split('L').length === 6).length`)
		assert.Equal(t, 4, paths, "training and validation curves for both, one point per epoch")
		lesson := Eval[string](s, `document.querySelector('#dvc-panel .dvc-lesson').textContent`)
		assert.Contains(t, lesson, "500")
		assert.Contains(t, lesson, "全连接网络")
		assert.Contains(t, Eval[string](s, `document.querySelector('#dvc-panel .dvc-progress').textContent`), "完成")
		elementShot(t, s, "concepts-dvc-trained", "#dvc-panel")
		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'en'; sel.dispatchEvent(new Event('change')); return true; })()`)
	})

	t.Run("the big sizes show their runs trained ahead at once", func(t *testing.T) {
		for _, n := range []string{"55000", "5000"} {
			Eval[bool](s, `(document.querySelector('#dvc-panel input[name="dvc-n"][value="`+n+`"]').click(), true)`)
			got := Poll[map[string]any](s, `(() => { const v = window.convplay.views.densevsconv, r = v.runs;
				return v.source === 'shipped' && v.size === `+n+` && r.dense && r.cnn && {de: r.dense.history.length, ce: r.cnn.history.length, n: r.dense.samples,
					gap: r.dense.history.at(-1).accuracy - r.dense.history.at(-1).val_accuracy,
					source: document.querySelector('#dvc-panel .dvc-source').textContent,
					commands: [...document.querySelectorAll('#dvc-panel .dvc-command')].map((c) => c.textContent),
					button: document.querySelector('#dvc-panel .dvc-train').textContent,
					paths: [...document.querySelectorAll('#dvc-panel .dvc-chart path')].filter((p) => p.getAttribute('d').split('L').length === r.dense.history.length).length,
					final: document.querySelector('#dvc-panel figure[data-kind="cnn"] .dvc-final').textContent,
					url: location.search}; })()`)
			assert.Equal(t, 10.0, got["de"], n)
			assert.Equal(t, 10.0, got["ce"], n)
			assert.Equal(t, n, fmt.Sprint(got["n"]))
			assert.Equal(t, 4.0, got["paths"], "training and validation curves of both, one point per epoch")
			assert.Contains(t, got["source"], "make pretrain-densevsconv")
			commands := got["commands"].([]any)
			require.Len(t, commands, 2)
			assert.Contains(t, commands[0], "-arch dense -optimizer adam -subset "+n+" ")
			assert.Contains(t, commands[1], "-arch small-same -optimizer adam -subset "+n+" ")
			assert.Regexp(t, `^Train both here \(\d+ epochs?\)$`, got["button"])
			assert.Contains(t, got["final"], "test images")
			assert.Contains(t, got["url"], "dvc="+n+"%2C", "the size picked is in the link")
		}
		elementShot(t, s, "concepts-dvc-shipped", "#dvc-panel .dvc-charts")
		// 500 was trained live above: coming back shows that run again, not nothing.
		Eval[bool](s, `(document.querySelector('#dvc-panel input[name="dvc-n"][value="500"]').click(), true)`)
		Poll[bool](s, `(() => { const v = window.convplay.views.densevsconv; return v.source === 'live' && v.runs.dense.samples === 500 && document.querySelector('#dvc-panel .dvc-source').dataset.source === 'live'; })()`)
	})

	t.Run("a big size run live replaces its shipped curves", func(t *testing.T) {
		Eval[bool](s, `(document.querySelector('#dvc-panel input[name="dvc-n"][value="5000"]').click(), true)`)
		Poll[bool](s, `window.convplay.views.densevsconv.source === 'shipped'`)
		// One epoch of 5,000 images each, through the view's hook (a busy machine).
		Eval[bool](s, `(window.convplay.views.densevsconv.epochs = 1, document.querySelector('#dvc-panel .dvc-train').click(), true)`)
		untilSettled[bool](s, `(() => { const v = window.convplay.views.densevsconv, r = v.runs; return v.source === 'live' && !!(r.dense && r.dense.done && r.cnn && r.cnn.done); })()`, dvcSteps, time.Minute)
		h := Eval[map[string]any](s, `(() => { const r = window.convplay.views.densevsconv.runs; return {n: r.cnn.samples, e: r.cnn.history.length, shipped: !!r.cnn.shipped,
			source: document.querySelector('#dvc-panel .dvc-source').textContent, disabled: document.querySelector('#dvc-panel .dvc-sizes').disabled}; })()`)
		assert.Equal(t, 5000.0, h["n"])
		assert.Equal(t, 1.0, h["e"])
		assert.Equal(t, false, h["shipped"])
		assert.Equal(t, false, h["disabled"], "the sizes can be picked again")
		assert.NotContains(t, h["source"], "make pretrain")
	})

	t.Run("phone width", func(t *testing.T) {
		// With the shipped runs' long commands shown.
		Eval[bool](s, `(document.querySelector('#dvc-panel input[name="dvc-n"][value="55000"]').click(), true)`)
		Poll[bool](s, `window.convplay.views.densevsconv.source === 'shipped' && document.querySelectorAll('#dvc-panel .dvc-command').length === 2`)
		setViewport(t, s, 390, 800)
		assert.False(t, Eval[bool](s, `(() => { const p = document.querySelector('#dvc-panel'); return p.scrollWidth > p.clientWidth + 1; })()`), "no overflow at 390 px")
		assert.LessOrEqual(t, Eval[int](s, `document.documentElement.scrollWidth`), 390)
		elementShot(t, s, "concepts-dvc-phone", "#dvc-panel")
	})
	assert.Equal(t, model, Eval[string](s, `JSON.stringify(window.convplay.state.model.layers)`), "the page's model stays")
	assert.Empty(t, s.Problems())
}

// TestDenseVsConvLink: a shared link carries the lesson's settings (the
// training size, the shift and the unit) and opens on them; a change the
// student makes goes back into the link; an old link without them, or a
// malformed one, opens on the defaults. On the digits, the big sizes have
// no shipped runs (they are Fashion-MNIST's) and the lesson says so.
func TestDenseVsConvLink(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("?lang=en&dvc=5000,-2,1,4")
	got := Poll[map[string]any](s, `(() => { const v = window.convplay.views.densevsconv, q = (c) => document.querySelector('#dvc-panel ' + c);
		return v.source === 'shipped' && v.unit && {n: q('input[name="dvc-n"]:checked').value, dx: q('.dvc-dx').value, dy: q('.dvc-dy').value,
			unit: q('.dvc-unit').value, engineUnit: v.unit.dense.unit, size: v.runs.dense.samples}; })()`)
	assert.Equal(t, map[string]any{"n": "5000", "dx": "-2", "dy": "1", "unit": "4", "engineUnit": 3.0, "size": 5000.0}, got)
	// The shift follows the link once there is a drawing.
	Eval[bool](s, countDrawn)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{110, 60}, drawPoint{170, 220}, 12))
	waitDrawn(s, 0)
	Poll[bool](s, `(() => { const l = window.convplay.views.densevsconv.lastShift; return !!l && l.dx === -2 && l.dy === 1; })()`)

	// The student moves the shift, the unit and the size: the link follows.
	Eval[bool](s, `(() => { const q = (c) => document.querySelector('#dvc-panel ' + c);
		q('.dvc-dx').value = '4'; q('.dvc-dx').dispatchEvent(new Event('input'));
		q('.dvc-unit').value = '7'; q('.dvc-unit').dispatchEvent(new Event('change'));
		q('input[name="dvc-n"][value="55000"]').click(); return true; })()`)
	assert.Equal(t, "55000,4,1,7", Poll[string](s, `new URLSearchParams(location.search).get('dvc') === '55000,4,1,7' && '55000,4,1,7'`))
	// Back to the defaults: the key leaves the link.
	Eval[bool](s, `(() => { const q = (c) => document.querySelector('#dvc-panel ' + c);
		q('.dvc-dx').value = '3'; q('.dvc-dx').dispatchEvent(new Event('input'));
		q('.dvc-dy').value = '0'; q('.dvc-dy').dispatchEvent(new Event('input'));
		q('.dvc-unit').value = '1'; q('.dvc-unit').dispatchEvent(new Event('change'));
		q('input[name="dvc-n"][value="500"]').click(); return true; })()`)
	Poll[bool](s, `!new URLSearchParams(location.search).has('dvc')`)

	// An old link (no key) and a malformed one open on the defaults.
	for _, q := range []string{"?lang=en", "?lang=en&dvc=600,9,0,1"} {
		s.OpenReady(q)
		d := Poll[map[string]any](s, `(() => { const v = window.convplay.views.densevsconv, q = (c) => document.querySelector('#dvc-panel ' + c);
			return v && v.unit && {n: q('input[name="dvc-n"]:checked').value, dx: q('.dvc-dx').value, dy: q('.dvc-dy').value, unit: q('.dvc-unit').value}; })()`)
		assert.Equal(t, map[string]any{"n": "500", "dx": "3", "dy": "0", "unit": "1"}, d, q)
	}

	// The shipped runs are Fashion-MNIST's: on the digits a big size has none (and says so),
	// and switching back to Fashion-MNIST brings them.
	s.OpenReady("?lang=en&data=digits&dvc=5000,3,0,1")
	digits := Poll[map[string]any](s, `(() => { const v = window.convplay.views.densevsconv, q = (c) => document.querySelector('#dvc-panel ' + c);
		return v && v.size === 5000 && q('.dvc-source').textContent && {source: v.source, text: q('.dvc-source').textContent, button: q('.dvc-train').textContent,
			label: q('.dvc-n[data-n="5000"]').textContent, runs: Object.keys(v.runs).length, weights: v.weights.source}; })()`)
	assert.Nil(t, digits["source"])
	assert.Equal(t, 0.0, digits["runs"], "no Fashion-MNIST curves over the digits")
	assert.Contains(t, digits["text"], "Fashion-MNIST only")
	assert.Equal(t, "Train both", digits["button"])
	assert.NotContains(t, digits["label"], "trained ahead")
	assert.Equal(t, "fresh", digits["weights"], "no Fashion-MNIST networks over the digits either")
	Eval[bool](s, `(() => { const sel = document.getElementById('dataset'); sel.value = 'fashion'; sel.dispatchEvent(new Event('change')); return true; })()`)
	Poll[bool](s, `(() => { const v = window.convplay.views.densevsconv; return v.source === 'shipped' && v.weights.source === 'shipped' && v.weights.n === 5000 && v.runs.dense.samples === 5000 && document.querySelector('#dvc-panel .dvc-train').textContent.startsWith('Train both here'); })()`)
	assert.Empty(t, s.Problems())
}
