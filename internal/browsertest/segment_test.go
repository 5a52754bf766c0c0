//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// segInk is, per side of the pad (columns below 32, and from 32), the most
// frequent predicted class among the drawn pixels and how many there are.
const segInk = `(() => { const v = window.convplay.views.segment, r = v.result, out = {};
	for (const [side, lo, hi] of [['left', 0, 32], ['right', 32, 64]]) {
		const n = new Array(11).fill(0);
		for (let row = 0; row < 64; row++) for (let col = lo; col < hi; col++) {
			const p = row * 64 + col;
			if (v.pad[p] >= 128) n[r.classes[p]]++;
		}
		const k = n.indexOf(Math.max(...n));
		out[side] = k; out[side + 'Ink'] = n.reduce((a, b) => a + b, 0);
	}
	return out; })()`

// scrollToSegment scrolls the segmentation lesson's pad to the middle of
// the screen, as a student reaching the lesson does (at its top edge the
// sticky lesson bar would cover it).
func scrollToSegment(t *testing.T, s *Session) {
	t.Helper()
	Eval[bool](s, `(document.querySelector('#seg-panel .seg-pad').scrollIntoView({block: 'center'}), true)`)
}

// TestSegmentDrawTrainAndPoint: the segmentation lesson as a student meets
// it on the digits: the shipped FCN segments a test scene; they draw a 1
// and a 0 side by side and the mask gives each its own class; they point at
// a pixel (mouse, then the arrow keys) and read its 11 probabilities; they
// train a network from scratch and see the pixel-accuracy and mean-IoU
// curves grow, in English and then in Chinese.
func TestSegmentDrawTrainAndPoint(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	began := time.Now()
	s.OpenReady("?data=digits&lang=en")
	scrollToSegment(t, s) // the lesson loads its model once it is near the screen

	// The shipped FCN, opened on test scene 0, with the true classes beside.
	Poll[bool](s, `(() => { const v = window.convplay.views.segment; return v.kind === 'shipped' && !!v.result && !!v.scene; })()`)
	info := Eval[map[string]any](s, `(() => { const i = window.convplay.views.segment.info; return {params: i.totalParams, out: i.layers.at(-1).outShape.join('x'), n: document.querySelectorAll('#seg-panel .seg-layers li').length}; })()`)
	assert.Equal(t, "64x64x11", info["out"])
	assert.Greater(t, info["n"], 4.0, "the encoder and decoder layers are listed")
	assert.False(t, Eval[bool](s, `document.querySelector('#seg-panel .seg-truthbox').hidden`), "a test scene shows its true classes")
	assert.Contains(t, Eval[string](s, `document.querySelector('#seg-panel .seg-source').textContent`), "Test scene #0")
	// Inside: each layer's map to scale (down to 8x8 and back), and the decoder's learned kernels.
	sizes := Poll[[]string](s, `(() => { const c = [...document.querySelectorAll('#seg-panel .seg-layers canvas')].map((e) => e.dataset.size); return c.length && c.every(Boolean) && c; })()`)
	assert.Equal(t, []string{"64x64", "32x32", "32x32", "16x16", "16x16", "8x8", "8x8", "16x16", "32x32", "64x64", "64x64"}, sizes)
	kernels := Poll[[]string](s, `(() => { const f = [...document.querySelectorAll('#seg-panel .seg-kernels figure')]; return f.length === 3 && f.map((e) => e.dataset.layer + ' ' + e.querySelector('canvas').width); })()`)
	assert.Equal(t, []string{"conv2d_transpose 159", "conv2d_transpose_1 79", "conv2d_transpose_2 79"}, kernels, "(4+1) per output channel, less 1")
	Eval[bool](s, `(() => { const i = document.querySelector('#seg-panel .seg-channel'); i.value = '3'; i.dispatchEvent(new Event('change')); return true; })()`)
	assert.Equal(t, "3", Poll[string](s, `(() => { const c = document.querySelector('#seg-panel .seg-layers canvas'); return c.dataset.channel === '1' ? false : c.dataset.channel; })()`),
		"the first layer's third channel (of 16)")

	// Draw a 1 (a stroke 20 pixels tall) on the left and a 0 on the right.
	Eval[bool](s, `(document.querySelector('#seg-panel .seg-clear').click(), true)`)
	Poll[bool](s, `window.convplay.views.segment.scene === null && window.convplay.views.segment.pad.every((v) => v === 0)`)
	one := line(drawPoint{16, 12}, drawPoint{15, 33}, 12)
	var zero []drawPoint
	for i := 0; i <= 32; i++ {
		a := 2 * math.Pi * float64(i) / 32
		zero = append(zero, drawPoint{44 + 6.5*math.Sin(a), 40 - 9.5*math.Cos(a)})
	}
	drawStrokesOn(t, s, "#seg-panel .seg-pad", 64, input.DispatchMouseEventPointerTypeMouse, one, zero)
	sides := pollFor[map[string]float64](s, `(() => { const v = window.convplay.views.segment; return v.result && (`+segInk+`); })()`, 20*time.Second)
	time.Sleep(500 * time.Millisecond) // the last segment of the strokes
	sides = Eval[map[string]float64](s, segInk)
	t.Logf("drawn after %v: %v", time.Since(began).Round(time.Second), sides)
	assert.Greater(t, sides["leftInk"], 20.0)
	assert.Greater(t, sides["rightInk"], 40.0)
	assert.Equal(t, 2.0, sides["left"], "the drawn 1 is coloured as class 1 (label 2)")
	assert.Equal(t, 1.0, sides["right"], "the drawn 0 is coloured as class 0 (label 1)")
	assert.Contains(t, Eval[string](s, `document.querySelector('#seg-panel .seg-source').textContent`), "Your drawing")

	// Point at a pixel of the 1: its 11 probabilities, the top one its class.
	r := elementRect(t, s, "#seg-panel .seg-mask")
	tab := chromedp.FromContext(s.Ctx).Target
	_, err := cdp.Call(s.Ctx, tab, input.DispatchMouseEvent, input.DispatchMouseEventParams{Type: input.DispatchMouseEventTypeMouseMoved,
		X: r.Left + 16.5*r.Width/64, Y: r.Top + 22.5*r.Height/64, PointerType: input.DispatchMouseEventPointerTypeMouse})
	require.NoError(t, err)
	probe := Poll[map[string]string](s, `(() => { const p = document.querySelector('#seg-panel .seg-probe'); return p.dataset.row && {row: p.dataset.row, col: p.dataset.col, cls: p.dataset.class, text: p.textContent, n: String(document.querySelectorAll('#seg-panel .seg-probs li').length)}; })()`)
	assert.Equal(t, map[string]string{"row": "22", "col": "16", "cls": "2", "n": "11"},
		map[string]string{"row": probe["row"], "col": probe["col"], "cls": probe["cls"], "n": probe["n"]})
	assert.Contains(t, probe["text"], "row 23, column 17", "counted from 1")
	// The keyboard: focus the mask and move with the arrow keys.
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.Focus(chromedp.CSS("#seg-panel .seg-mask")), chromedp.KeyEvent(kb.ArrowRight)))
	assert.Equal(t, "17", Poll[string](s, `document.querySelector('#seg-panel .seg-probe').dataset.col === '17' && '17'`))

	// Train from scratch: the curves grow an epoch at a time (short epochs
	// here, so that two fit in the test's time on a loaded machine).
	Eval[bool](s, `(window.convplay.views.segment.set({subset: 48, validationSubset: 16}), true)`)
	assert.Contains(t, Eval[string](s, `document.querySelector('#seg-panel .seg-recipe').textContent`), "48 new scenes")
	freshText := Eval[string](s, `document.querySelector('#seg-panel .seg-fresh').textContent`)
	assert.Contains(t, freshText, "background pixel 0.5 of an item pixel")
	assert.Contains(t, freshText, "windows of 24 × 24 pixels cut around one item of each new scene (192 an epoch)", "four windows for each scene of the set subset")
	Eval[bool](s, `(document.querySelector('#seg-panel .seg-train').click(), true)`)
	t.Logf("training from %v", time.Since(began).Round(time.Second))
	trained := pollFor[string](s, `(() => { const r = window.convplay.views.segment.run, e = document.querySelector('#seg-panel .seg-error');
		return (!e.hidden && e.textContent) || (r && r.history.length >= 2 && 'ok'); })()`, 60*time.Second)
	require.Equal(t, "ok", trained)
	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
	Eval[bool](s, `(document.querySelector('#seg-panel .seg-stop').click(), true)`)
	pollFor[bool](s, `!window.convplay.views.segment.training`, 60*time.Second)
	h := Eval[map[string]float64](s, `(() => { const h = window.convplay.views.segment.run.history; return {n: h.length, iou: h.at(-1).val_mean_iou, acc: h.at(-1).val_accuracy,
		points: document.querySelector('#seg-panel [data-chart="iou"] .seg-line-val').getAttribute('points').split(' ').length}; })()`)
	assert.GreaterOrEqual(t, h["n"], 2.0)
	assert.Equal(t, h["n"], h["points"], "one point of the mean IoU curve per epoch")
	assert.True(t, h["iou"] > 0 && h["iou"] <= 1, "mean IoU %v", h["iou"])
	assert.Greater(t, h["acc"], 0.5)
	assert.Equal(t, "trained", Eval[string](s, `window.convplay.views.segment.kind`))
	assert.Equal(t, 192.0, Eval[float64](s, `window.convplay.views.segment.run.samples`), "a fresh run trains on windows, four for each scene")
	assert.Equal(t, 2.0, Eval[float64](s, `window.convplay.views.segment.run.workers`), "the page is cross-origin isolated: a helper worker shares each batch")
	assert.Equal(t, []any{64.0, 64.0, 11.0}, Eval[[]any](s, `Array.from(window.convplay.views.segment.result.shape)`), "the windows' weights segment the whole scene")
	// From scratch is the fast recipe: fcn-small, the background weighted
	// in the loss, and the lesson says so in both languages.
	fresh := Eval[map[string]any](s, `(() => { const i = window.convplay.views.segment.info; return {loss: i.loss, params: i.totalParams, layers: i.layers.length,
		text: document.querySelector('#seg-panel .seg-fresh').textContent}; })()`)
	assert.Equal(t, "weighted_sparse_categorical_crossentropy(0.5)", fresh["loss"])
	assert.Equal(t, 27003.0, fresh["params"], "the fcn-small preset")
	assert.Contains(t, fresh["text"], "Adam 0.01")
	assert.Contains(t, fresh["text"], "批归一化", "the recipe in Chinese after the language switch")
	assert.Contains(t, fresh["text"], "24 × 24 像素窗口")
	zh := Eval[map[string]string](s, `({progress: document.querySelector('#seg-panel .seg-progress').textContent, legend: document.querySelector('#seg-panel .seg-legend').textContent,
		probe: document.querySelector('#seg-panel .seg-probe').textContent, title: document.querySelector('#seg-panel h2').textContent})`)
	assert.Contains(t, zh["progress"], "已停止")
	assert.Contains(t, zh["legend"], "背景")
	assert.Contains(t, zh["probe"], "第 23 行、第 18 列")
	assert.Contains(t, zh["title"], "分割")
	elementShot(t, s, "segment", "#seg-panel")

	setViewport(t, s, 390, 800)
	assert.LessOrEqual(t, Eval[int](s, `document.documentElement.scrollWidth`), 390)
	elementShot(t, s, "segment-phone", "#seg-panel")
	assert.Empty(t, s.Problems())
}

// TestBenchSegment measures the segmentation lesson in Chromium: one
// segment request of a drawn-size scene with its layer trace (median of 10,
// timed in the page around the request), and training from scratch with
// the page's recipe for 60 s after pressing Train: the epochs run, the
// scenes per second and the validation mean IoU reached. It runs only with
// CONVPLAY_BENCH=1 (a benchmark: a minute of both cores, not a test).
func TestBenchSegment(t *testing.T) {
	if os.Getenv("CONVPLAY_BENCH") != "1" {
		t.Skip("a benchmark: run it with CONVPLAY_BENCH=1")
	}
	s := Start(t)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.Ctx), 5*time.Minute)
	defer cancel()
	s.Ctx = ctx
	s.OpenReady("?data=digits&lang=en")
	scrollToSegment(t, s) // the lesson loads its model once it is near the screen
	Poll[bool](s, `(() => { const v = window.convplay.views.segment; return v.kind === 'shipped' && !!v.result; })()`)
	// The page settles first (the lessons' first requests, the data's last
	// chunks): right after the load the requests queue behind those, and
	// the time measured would be theirs (45 ms at load 2 against 10-15 ms).
	time.Sleep(8 * time.Second)
	ms := Eval[float64](s, `(async () => { const v = window.convplay.views.segment, times = [];
		for (let i = 0; i < 10; i++) { const t0 = performance.now(); await window.convplay.ctx.request('segment', {name: 'segment', image: v.pad.slice()}); times.push(performance.now() - t0); }
		times.sort((a, b) => a - b); return (times[4] + times[5]) / 2; })()`)
	t.Logf("segment with its layer trace: median %.1f ms of 10", ms)
	// A minute from the press with the page's default workers (both cores
	// when isolated), then with one, in one run so that the two compare.
	for _, workers := range []string{"undefined", "1"} {
		pressed, epochs := time.Now(), 0
		Eval[bool](s, fmt.Sprintf(`(window.convplay.views.segment.set({workers: %s}), document.querySelector('#seg-panel .seg-train').click(), true)`, workers))
		Poll[bool](s, `(() => { const r = window.convplay.views.segment.run; return !r || r.history.length === 0; })()`) // the last run's history is gone
		// Each epoch's end as the page sees it (polled), to find when the
		// validation mean IoU first reaches 0.6.
		var ends []string
		for time.Since(pressed) < 60*time.Second {
			h := Eval[[]any](s, `(() => { const r = window.convplay.views.segment.run; return r && r.history ? r.history.map((e) => e.val_mean_iou) : []; })()`)
			for ; epochs < len(h); epochs++ {
				iou, _ := h[epochs].(float64)
				ends = append(ends, fmt.Sprintf("%d: %.3f at %.1f s", epochs+1, iou, time.Since(pressed).Seconds()))
			}
			time.Sleep(250 * time.Millisecond)
		}
		r := Eval[map[string]any](s, `(() => { const r = window.convplay.views.segment.run; return {workers: r && r.workers, epochs: r ? r.history.length : 0, batch: r ? r.batch : 0,
			progress: document.querySelector('#seg-panel .seg-progress').textContent}; })()`)
		t.Logf("workers %s: 60 s after Train from scratch (fcn-small, background weight 0.5, Adam 0.01, batch 16, 1,024 windows of 24x24 an epoch, 64 validation scenes): %v", workers, r)
		t.Logf("epochs ended (val mean IoU, seconds after the press): %s", strings.Join(ends, "; "))
		Eval[bool](s, `(document.querySelector('#seg-panel .seg-stop').click(), true)`)
		Poll[bool](s, `!window.convplay.views.segment.training`)
	}
}
