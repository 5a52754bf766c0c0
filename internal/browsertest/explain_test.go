//go:build browser

package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The explaining views (EXPLAIN): the convolution step-through, the size
// sandbox, pooling with the shift experiment, and the transposed
// convolution, on the pretrained reference model and a Fashion-MNIST test
// image. The sandbox's test is in explain_sandbox_test.go, pooling's in
// explain_pooling_test.go; the helpers they share are here.

// explainReady opens the page (path: its query string) and, once the
// engine, the pretrained model and the data are there, makes test image
// index the current input and waits for its prediction.
func explainReady(t *testing.T, s *Session, path string, index int) {
	t.Helper()
	s.OpenReady(path)
	Eval[bool](s, fmt.Sprintf(`(async () => {
		const ctx = window.convplay.ctx;
		const r = await ctx.request('getSample', {split: 'test', index: %d});
		ctx.setInput({pixels: r.pixels, image: r.image, source: 'gallery', label: r.label, index: %d});
		return true;
	})()`, index, index))
	Poll[bool](s, fmt.Sprintf(`(() => { const st = window.convplay.state, p = st.prediction;
		if (!p || p.input.index !== %d) { window.__dbg = JSON.stringify({input: st.input && st.input.index, pred: !!p, err: st.error}); return false; }
		return true; })()`, index))
}

// overflowing lists the elements under sel whose right edge passes the
// section's content box (a layout too wide for the screen).
func overflowing(s *Session, sel string) []string {
	return Eval[[]string](s, fmt.Sprintf(`(() => { const sec = document.querySelector('%s'), box = sec.getBoundingClientRect();
		const right = box.right - parseFloat(getComputedStyle(sec).paddingRight) + 1;
		return [...sec.querySelectorAll('*')].filter((el) => el.offsetParent !== null && !el.closest('.table-wrap, .cs-sums') && el.getBoundingClientRect().right > right)
			.map((el) => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right) + ' > ' + Math.round(right)); })()`, sel))
}

// convShown is what the step-through shows once it has rendered position
// pos ("layer,y,x,filter"), with the trace's value there.
type convShown struct {
	Pos      string  `json:"pos"`
	Output   float64 `json:"output"`   // the output row's value
	Sum      float64 `json:"sum"`      // the sum row's
	Bias     float64 `json:"bias"`     // the bias row's
	Pre      float64 `json:"pre"`      // the pre-activation row's
	Act      float64 `json:"act"`      // the activation row's
	Trace    float64 `json:"trace"`    // prediction.trace[layer].output at (y, x, filter)
	Products float64 `json:"products"` // the sum of the shown products (one input channel: all of them)
	Padded   int     `json:"padded"`   // cells of the shown grids marked as padding
	Text     string  `json:"text"`     // the output row's text
}

func convAt(t *testing.T, s *Session, pos string) convShown {
	t.Helper()
	Eval[bool](s, fmt.Sprintf(`(() => { const v = window.convplay.views.convstep; v.setPos((([l, y, x, f]) => ({layer: l, y, x, filter: f}))('%s'.split(',').map(Number))); return true; })()`, pos))
	return Poll[convShown](s, fmt.Sprintf(`(() => {
		const v = window.convplay.views.convstep, r = v.last;
		if (!r || [r.layer, r.y, r.x, r.filter].join(',') !== '%s') return null;
		const sec = document.getElementById('conv-panel');
		const val = (cls) => Number(sec.querySelector('.cs-eq .' + cls + ' td').dataset.value);
		const tr = window.convplay.state.prediction.trace[r.layer];
		const [oh, ow, f] = r.outShape;
		let products = 0;
		for (const cell of sec.querySelectorAll('.cs-g-products span')) products += Number(cell.title);
		return {pos: '%s', output: val('cs-output'), sum: val('cs-sum'), bias: val('cs-bias'), pre: val('cs-pre'), act: val('cs-act'),
			trace: tr.output[(r.y * ow + r.x) * f + r.filter], products,
			padded: sec.querySelectorAll('.cs-g-window span.pad').length,
			text: sec.querySelector('.cs-eq .cs-output td').textContent};
	})()`, pos, pos))
}

func TestConvStepThrough(t *testing.T) {
	s := Start(t)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)))
	explainReady(t, s, "?conv=1,5,9,3", 0)

	t.Run("the URL's position is restored", func(t *testing.T) {
		got := Poll[string](s, `(() => { const r = window.convplay.views.convstep.last; return r && [r.layer, r.y, r.x, r.filter].join(','); })()`)
		assert.Equal(t, "1,5,9,3", got)
	})
	for _, tt := range []struct {
		pos    string
		padded int // window cells in the zero padding
	}{
		{"0,0,0,0", 5},    // the corner: one row and one column of padding
		{"0,14,13,7", 0},  // the middle of the first layer
		{"0,27,12,31", 3}, // the bottom edge
		{"1,0,20,5", 3},   // 32 input channels, top edge
		{"3,6,6,40", 0},   // after pooling, 64 filters
		{"7,6,0,127", 5},  // the last conv layer, bottom-left corner
	} {
		t.Run("position "+tt.pos, func(t *testing.T) {
			c := convAt(t, s, tt.pos)
			assert.Equal(t, c.Trace, c.Output, "the output shown is the engine's feature-map value")
			assert.InDelta(t, c.Trace, c.Act, 1e-5, "the activation of the shown sum is the feature-map value")
			assert.InDelta(t, c.Sum+c.Bias, c.Pre, 1e-5, "sum + bias = pre-activation")
			assert.Equal(t, max(c.Pre, 0), c.Act, "ReLU")
			assert.Equal(t, tt.padded, c.Padded)
			if tt.pos[0] == '0' { // one input channel: the products shown are all of them
				assert.InDelta(t, c.Sum, c.Products, 1e-4, "the products add up to the sum")
			}
			assert.NotEmpty(t, c.Text)
		})
	}
	assert.Equal(t, "7,6,0,127", Eval[string](s, `new URLSearchParams(location.search).get('conv')`))

	t.Run("keyboard and stepping", func(t *testing.T) {
		convAt(t, s, "0,3,3,2")
		Eval[bool](s, `(() => { const w = document.querySelector('#conv-panel .cs-wrap'); w.focus();
			w.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true})); return document.activeElement === w; })()`)
		assert.Equal(t, "0,3,4,2", Poll[string](s, `(() => { const r = window.convplay.views.convstep.last; return r && r.x === 4 && [r.layer, r.y, r.x, r.filter].join(','); })()`))
		Eval[bool](s, `(document.querySelector('#conv-panel .cs-next').click(), true)`)
		assert.Equal(t, "0,3,5,2", Poll[string](s, `(() => { const r = window.convplay.views.convstep.last; return r && r.x === 5 && [r.layer, r.y, r.x, r.filter].join(','); })()`))
		// Play runs on by itself, and pause stops it.
		Eval[bool](s, `(document.querySelector('#conv-panel .cs-speed').value = 30, document.querySelector('#conv-panel .cs-play').click(), true)`)
		Poll[bool](s, `(() => { const r = window.convplay.views.convstep.last; return r && r.x >= 8; })()`)
		Eval[bool](s, `(document.querySelector('#conv-panel .cs-play').click(), true)`)
		assert.Equal(t, "false", Eval[string](s, `document.querySelector('#conv-panel .cs-play').getAttribute('aria-pressed')`))
	})

	t.Run("engine time per request", func(t *testing.T) {
		ms := Eval[map[string]float64](s, `(async () => {
			const ctx = window.convplay.ctx, px = ctx.state.prediction.input.pixels, out = {};
			const time = async (name, type, args) => {
				const t0 = performance.now();
				for (let i = 0; i < 5; i++) await ctx.request(type, {pixels: px.slice(), ...args});
				out[name] = (performance.now() - t0) / 5;
			};
			await time('convWindow layer 0', 'convWindow', {layer: 0, y: 3, x: 3, filter: 0});
			await time('convWindow layer 7', 'convWindow', {layer: 7, y: 3, x: 3, filter: 0});
			await time('poolCompare layer 2', 'poolCompare', {layer: 2});
			await time('shiftCompare', 'shiftCompare', {dx: 1, dy: 0});
			await time('transposeDemo', 'transposeDemo', {layer: 5, channel: 0, steps: 2});
			await time('predict', 'predict', {});
			return out; })()`)
		for name, v := range ms {
			t.Logf("%s: %.1f ms per request (mean of 5)", name, v)
			assert.Less(t, v, 2000.0, name)
		}
	})
	convAt(t, s, "1,0,0,3")
	Eval[bool](s, `(document.querySelector('#conv-panel .cs-sums button:nth-child(4)').click(), true)`)
	s.ScreenshotOf("#conv-panel", "convstep-wide")
	t.Run("Chinese", func(t *testing.T) {
		Eval[bool](s, `(window.convplay.ctx.setLang('zh'), true)`)
		assert.Contains(t, Eval[string](s, `document.querySelector('#conv-panel h2').textContent`), "卷积")
		assert.Contains(t, Eval[string](s, `document.querySelector('#conv-panel .cs-eq').textContent`), "偏置")
		s.ScreenshotOf("#conv-panel", "convstep-zh")
		Eval[bool](s, `(window.convplay.ctx.setLang('en'), true)`)
	})
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(390, 844)))
	convAt(t, s, "0,10,10,0")
	s.ScreenshotOf("#conv-panel", "convstep-phone")
	assert.Empty(t, overflowing(s, "#conv-panel"), "nothing sticks out of the panel on a phone")
	assert.Empty(t, s.Problems())
}

func TestTransposedConvolution(t *testing.T) {
	s := Start(t)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)))
	explainReady(t, s, "", 0)
	r := Poll[map[string]any](s, `(() => { const d = window.convplay.views.fcn && window.convplay.views.fcn.data; if (!d) return null;
		const trace = window.convplay.state.prediction.trace[d.layer].output, c = d.shape[2];
		let same = true;
		for (let i = 0; i < d.map.length; i++) if (d.map[i] !== trace[i * c + d.channel]) same = false;
		const copy = d.kinds[0].stages[0].map, w = d.shape[1];
		let blocks = true;
		for (let y = 0; y < 2 * d.shape[0]; y++) for (let x = 0; x < 2 * w; x++) if (copy[y * 2 * w + x] !== d.map[(y >> 1) * w + (x >> 1)]) blocks = false;
		return {layer: d.layer, shape: d.shape.join('x'), same, blocks,
			stages: [...document.querySelectorAll('#fcn-panel .fc-kind canvas')].map((c) => c.dataset.shape),
			overlay: !document.querySelector('#fcn-panel .fc-overlay-fig').hidden}; })()`)
	assert.Equal(t, 5.0, r["layer"], "the 7x7 maps after the second pooling")
	assert.Equal(t, "7x7x64", r["shape"])
	assert.Equal(t, true, r["same"], "the map shown is the trace's")
	assert.Equal(t, true, r["blocks"], "copy turns each cell into a 2x2 block")
	assert.Equal(t, []any{"14x14", "28x28", "14x14", "28x28"}, r["stages"], "7 -> 14 -> 28, with both kernels")
	assert.Equal(t, true, r["overlay"], "28x28 is the input's size: laid over it")
	s.ScreenshotOf("#fcn-panel", "fcn-wide")
	Eval[bool](s, `(window.convplay.ctx.setLang('zh'), true)`)
	assert.Contains(t, Eval[string](s, `document.querySelector('#fcn-panel h2').textContent`), "转置卷积")
	Eval[bool](s, `(window.convplay.ctx.setLang('en'), true)`)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(390, 844)))
	s.ScreenshotOf("#fcn-panel", "fcn-phone")
	assert.Empty(t, overflowing(s, "#fcn-panel"), "nothing sticks out of the panel on a phone")
	assert.Empty(t, s.Problems())
}

// TestExplainLanguages switches the page to Chinese and back with every
// explaining view showing numbers: each label (data-i18n) and the computed
// rows change language, and switch back.
func TestExplainLanguages(t *testing.T) {
	s := Start(t)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)))
	explainReady(t, s, "?sandbox=7,2,2,valid", 3)
	Poll[bool](s, `(() => { const v = window.convplay.views; return !!(v.convstep.last && v.sandbox.last && v.pooling.data && v.fcn.data); })()`)
	Eval[bool](s, `(document.querySelector('#pool-panel .pl-shift button[data-dir="1,0"]').click(), true)`)
	Poll[bool](s, `!!window.convplay.views.pooling.shift`)
	const texts = `(() => { const out = {};
		for (const id of ['conv-panel', 'sandbox-panel', 'pool-panel', 'fcn-panel']) {
			const sec = document.getElementById(id);
			sec.querySelectorAll('[data-i18n]').forEach((el, i) => { out[id + ':' + el.dataset.i18n + ':' + i] = el.textContent; });
			sec.querySelectorAll('.cs-eq th, .pl-pairs li, .pl-pred, .pl-amount option').forEach((el, i) => { out[id + ':computed:' + i] = el.textContent; });
		}
		return out; })()`
	en := Eval[map[string]string](s, texts)
	require.Greater(t, len(en), 80)
	Eval[bool](s, `(window.convplay.ctx.setLang('zh'), true)`)
	zh := Eval[map[string]string](s, texts)
	same := map[string]bool{"sandbox.p": true, "fcn.stage": true, "convstep.act": true}
	for k, v := range en {
		key := strings.Split(k, ":")[1]
		if same[key] {
			continue
		}
		assert.NotEqual(t, v, zh[k], "%s stays %q in Chinese", k, v)
		assert.NotEmpty(t, zh[k], k)
	}
	Eval[bool](s, `(window.convplay.ctx.setLang('en'), true)`)
	assert.Equal(t, en, Eval[map[string]string](s, texts), "back to English")
	assert.Empty(t, s.Problems())
}
