//go:build browser

package browsertest

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPoolingAndShift(t *testing.T) {
	s := Start(t)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)))
	explainReady(t, s, "?pool=5,7", 0)

	t.Run("the URL's layer and channel are restored", func(t *testing.T) {
		got := Poll[string](s, `(() => { const v = window.convplay.views.pooling, d = v && v.data; return d && d.layer + ',' + v.channel; })()`)
		assert.Equal(t, "5,7", got)
	})
	t.Run("max >= average in every window, 75% dropped", func(t *testing.T) {
		for _, layer := range []int{2, 5} {
			Eval[bool](s, fmt.Sprintf(`(() => { const sel = document.querySelector('#pool-panel .pl-layer'); sel.value = '%d'; sel.dispatchEvent(new Event('change')); return true; })()`, layer))
			r := Poll[map[string]any](s, fmt.Sprintf(`(() => { const d = window.convplay.views.pooling.data; if (!d || d.layer !== %d) return null;
				let below = 0, kept = 0;
				for (let i = 0; i < d.max.length; i++) { if (d.max[i] < d.avg[i]) below++; if (d.input[d.choices[i]] === d.max[i]) kept++; }
				const trace = window.convplay.state.prediction.trace[%d].output;
				return {below, kept, n: d.max.length, same: d.max.every((v, i) => v === trace[i]), dropped: d.dropped,
					text: document.querySelector('#pool-panel .pl-dropped').textContent, in: d.inShape.join('x'), out: d.outShape.join('x')}; })()`, layer, layer))
			assert.Equal(t, 0.0, r["below"], "max >= average everywhere")
			assert.Equal(t, r["n"], r["kept"], "each kept position holds the max")
			assert.Equal(t, true, r["same"], "max pooling equals the trace's layer output")
			assert.Equal(t, 0.75, r["dropped"])
			assert.Contains(t, r["text"], "75.0% of the values are dropped")
		}
		// The window shown: its max and average are the engine's, max >= avg.
		Eval[bool](s, `(window.convplay.views.pooling.setWindow(23), true)`)
		w := Eval[map[string]float64](s, `(() => { const sec = document.getElementById('pool-panel');
			return {max: +sec.querySelector('.pl-maxv').dataset.value, avg: +sec.querySelector('.pl-avgv').dataset.value,
				kept: sec.querySelectorAll('.pl-cells .kept').length, cells: sec.querySelectorAll('.pl-cells span').length}; })()`)
		assert.GreaterOrEqual(t, w["max"], w["avg"])
		assert.Equal(t, 1.0, w["kept"])
		assert.Equal(t, 4.0, w["cells"])
	})
	t.Run("7 pools to 3", func(t *testing.T) {
		Eval[bool](s, `(() => { const sel = document.querySelector('#pool-panel .pl-layer'); sel.value = '8'; sel.dispatchEvent(new Event('change')); return true; })()`)
		txt := Poll[string](s, `(() => { const d = window.convplay.views.pooling.data; return d && d.layer === 8 && document.querySelector('#pool-panel .pl-uncovered').textContent; })()`)
		assert.Contains(t, txt, "13 cells")
		assert.Contains(t, Eval[string](s, `document.querySelector('#pool-panel .pl-dropped').textContent`), "81.6%")
		Eval[bool](s, `(() => { const sel = document.querySelector('#pool-panel .pl-layer'); sel.value = '2'; sel.dispatchEvent(new Event('change')); return true; })()`)
		Poll[bool](s, `(() => { const d = window.convplay.views.pooling.data; return !!d && d.layer === 2; })()`)
	})
	t.Run("the shift experiment gives a number for every layer", func(t *testing.T) {
		for _, dir := range []string{"right", "down"} {
			for _, amount := range []string{"1", "2"} {
				Eval[bool](s, fmt.Sprintf(`(() => { const sec = document.getElementById('pool-panel'); sec.querySelector('.pl-amount').value = '%s';
					sec.querySelector('.pl-shift button[data-i18n="pooling.%s"]').click(); return true; })()`, amount, dir))
				dx, dy := 0, 0
				if dir == "right" {
					dx = 1
				} else {
					dy = 1
				}
				if amount == "2" {
					dx, dy = 2*dx, 2*dy
				}
				rows := Poll[[]float64](s, fmt.Sprintf(`(() => { const r = window.convplay.views.pooling.shift; if (!r || r.dx !== %d || r.dy !== %d) return null;
					const cells = [...document.querySelectorAll('#pool-panel .pl-changes td.pl-change')];
					return cells.length === r.layers.length ? cells.map((c) => Number(c.dataset.value)) : null; })()`, dx, dy))
				require.Len(t, rows, 12, "every layer of the reference model")
				for i, c := range rows {
					assert.Greater(t, c, 0.0, "layer %d", i)
				}
				t.Logf("shift %d,%d: change per layer %.3f", dx, dy, rows)
			}
		}
		assert.Equal(t, 3, Eval[int](s, `document.querySelectorAll('#pool-panel .pl-pairs li').length`), "one line per pooling layer")
	})
	s.ScreenshotOf("#pool-panel", "pooling-wide")
	t.Run("Chinese", func(t *testing.T) {
		Eval[bool](s, `(window.convplay.ctx.setLang('zh'), true)`)
		assert.Contains(t, Eval[string](s, `document.querySelector('#pool-panel .pl-dropped').textContent`), "的值被丢掉了")
		assert.Contains(t, Eval[string](s, `document.querySelector('#pool-panel .pl-pairs').textContent`), "池化前")
		s.ScreenshotOf("#pool-panel", "pooling-zh")
		Eval[bool](s, `(window.convplay.ctx.setLang('en'), true)`)
	})
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(390, 844)))
	Eval[bool](s, `(window.convplay.views.pooling.setWindow(5), true)`)
	s.ScreenshotOf("#pool-panel", "pooling-phone")
	assert.Empty(t, overflowing(s, "#pool-panel"), "nothing sticks out of the panel on a phone")
	assert.Empty(t, s.Problems())
}
