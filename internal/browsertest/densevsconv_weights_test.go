//go:build browser

package browsertest

import (
	"math"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/nn"
)

// dvcShown is what the lesson's shift (c) and unit (d) views show: which
// networks (the hook's weights, the paragraph saying so), the side models
// the last unit view and shift asked, unit 1's weights, both networks'
// outputs on the drawing and the drawing the engine was given.
const dvcShown = `(() => { const v = window.convplay.views.densevsconv, u = v.unit, l = v.lastShift, p = window.convplay.state.prediction;
	return u && l && p && {source: v.weights.source, n: v.weights.n, said: document.querySelector('#dvc-panel .dvc-weights').dataset.source,
		text: document.querySelector('#dvc-panel .dvc-weights').textContent, guess: document.querySelector('#dvc-panel .dvc-guess').textContent,
		unitFrom: u.names.dense + ',' + u.names.cnn, shiftFrom: l.names.dense + ',' + l.names.cnn, unit: u.dense.unit, dx: l.dx,
		unitShows: u.shows.source + ':' + u.shows.n, shiftShows: l.shows.source + ':' + l.shows.n,
		dense: Array.from(u.dense.weights), conv: Array.from(u.conv.weights),
		denseOut: Array.from(l.dense.trace.at(-1).output), convOut: Array.from(l.conv.trace.at(-1).output), pixels: Array.from(p.input.pixels)}; })()`

// dvcShownFrom polls until (c) and (d) both show the side models names
// ("dvc-dense,dvc-cnn" or the shipped pair's), both drawn from the networks
// shows ("shipped:55000", "fresh:0"), which the paragraph names too.
func dvcShownFrom(s *Session, names, shows string) map[string]any {
	return Poll[map[string]any](s, `(() => { const g = `+dvcShown+`, w = '`+shows+`';
		return g && g.unitFrom === '`+names+`' && g.shiftFrom === '`+names+`' && g.unitShows === w && g.shiftShows === w && g.said + ':' + g.n === w && g.guess !== '' && g; })()`)
}

// floats reads a JSON array of numbers from the page.
func floats(t *testing.T, v any) []float32 {
	t.Helper()
	a, ok := v.([]any)
	require.True(t, ok, "an array")
	out := make([]float32, len(a))
	for i, x := range a {
		out[i] = float32(x.(float64))
	}
	return out
}

// maxDiff is the largest |a[i] - b[i]|, +Inf when the lengths differ.
func maxDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// assertShipped checks that what the page shows is the file it is served,
// web/pretrained/densevsconv-<preset>-<n>.cpw (make page's float16 copy of
// the checkpoint in pretrained/), read here natively: unit 1's
// weights of the dense layer and the first convolution, and both
// networks' outputs on the very pixels the page gave them.
func assertShipped(t *testing.T, got map[string]any, n string) {
	t.Helper()
	load := func(preset string) *nn.Model {
		f, err := os.Open("../../web/pretrained/densevsconv-" + preset + "-" + n + ".cpw")
		require.NoError(t, err)
		defer f.Close()
		m, err := nn.Load(f)
		require.NoError(t, err)
		return m
	}
	dense, cnn := load("dense"), load("small-same")
	pixels := floats(t, got["pixels"])
	for _, c := range []struct {
		name  string
		model *nn.Model
		layer int
		unit  string
		out   string
	}{{"dense", dense, 1, "dense", "denseOut"}, {"small-same", cnn, 0, "conv", "convOut"}} {
		w, _, _, err := nn.UnitWeights(c.model.Layers[c.layer], 0)
		require.NoError(t, err)
		assert.Less(t, maxDiff(w, floats(t, got[c.unit])), 1e-6, "%s-%s: unit 1's weights are the file's", c.name, n)
		probs, err := c.model.Predict(pixels, 1)
		require.NoError(t, err)
		assert.Less(t, maxDiff(probs, floats(t, got[c.out])), 1e-4, "%s-%s: the page's prediction is the file's", c.name, n)
	}
}

// TestDenseVsConvShippedNetworks: a student who picks a big size sees the
// networks trained ahead for it in the shift and unit views (not fresh
// ones), fetched only then; the shift still responds, a language switch
// midway translates which networks are shown, and training both here
// replaces them. Back on 500 the pair trained here shows again.
func TestDenseVsConvShippedNetworks(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("?lang=en")
	const cpwFetched = `performance.getEntriesByType('resource').filter((e) => /densevsconv-[a-z-]+-\d+\.cpw/.test(e.name)).map((e) => e.name.replace(/^.*\//, '')).sort().join()`

	Eval[bool](s, countDrawn)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{110, 60}, drawPoint{170, 220}, 12), line(drawPoint{170, 60}, drawPoint{110, 220}, 12))
	waitDrawn(s, 0)
	fresh := dvcShownFrom(s, "dvc-dense,dvc-cnn", "fresh:0")
	assert.Contains(t, fresh["text"], "have not been trained")
	assert.Empty(t, Eval[string](s, cpwFetched), "no shipped weights before a big size is picked (the first visit's bytes)")

	var shipped55 map[string]any
	t.Run("55,000 shows the networks trained by the command line", func(t *testing.T) {
		require.NoError(t, chromedp.Do(s.Ctx, chromedp.ScrollIntoView(chromedp.CSS("#dvc-panel .dvc-sizes"))))
		picked := time.Now()
		Eval[bool](s, `(document.querySelector('#dvc-panel input[name="dvc-n"][value="55000"]').click(), true)`)
		shipped55 = dvcShownFrom(s, "dvc-dense-shipped,dvc-cnn-shipped", "shipped:55000")
		// Logged for BENCHMARKS.md, never a pass/fail figure: the pick to both views drawn from the loaded pair.
		t.Logf("55,000 picked: shipped networks fetched, loaded and drawn in %v", time.Since(picked).Round(time.Millisecond))
		assert.Equal(t, 55000.0, shipped55["n"])
		assert.Contains(t, shipped55["text"], "55,000-image networks trained by the command line")
		assert.Greater(t, maxDiff(floats(t, fresh["dense"]), floats(t, shipped55["dense"])), 1e-3, "not the fresh initialization")
		assertShipped(t, shipped55, "55000")
		assert.Regexp(t, `^Dense only guesses .+ \(\d+\.\d%\); shifted: .+ \(\d+\.\d%\)\. Small CNN guesses .+ \(\d+\.\d%\); shifted: .+\.$`, shipped55["guess"])
		assert.Equal(t, "densevsconv-dense-55000.cpw,densevsconv-small-same-55000.cpw", Eval[string](s, cpwFetched), "only the size picked")
		elementShot(t, s, "concepts-dvc-shipped-units", "#dvc-panel .dvc-units")
	})

	t.Run("the shift responds, and Chinese midway", func(t *testing.T) {
		require.NoError(t, chromedp.Do(s.Ctx, chromedp.ScrollIntoView(chromedp.CSS("#dvc-panel .dvc-shift"))))
		Eval[bool](s, `(() => { const i = document.querySelector('#dvc-panel .dvc-dx'); i.value = '-3'; i.dispatchEvent(new Event('input')); return true; })()`)
		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
		// The trained CNN's map moves 3 left with the drawing (away from the edges).
		r := Poll[map[string]float64](s, `(() => { const l = window.convplay.views.densevsconv.lastShift;
			if (!l || l.dx !== -3 || l.names.cnn !== 'dvc-cnn-shipped') return null;
			const [h, w, c] = l.conv.trace[0].shape, a = l.conv.trace[0].output, b = l.conv.shiftedTrace[0].output;
			let moved = 0, big = 0;
			for (let y = 1; y < h - 1; y++) for (let x = 4; x < w - 1; x++) for (let ch = 0; ch < c; ch++) {
				moved = Math.max(moved, Math.abs(b[(y * w + x - 3) * c + ch] - a[(y * w + x) * c + ch]));
				big = Math.max(big, Math.abs(a[(y * w + x) * c + ch]));
			}
			return {moved, big}; })()`)
		assert.Greater(t, r["big"], 0.0)
		assert.Less(t, r["moved"], 1e-4*r["big"]+1e-6, "the conv map moves with the input")
		zh := Poll[map[string]string](s, `(() => { const q = (c) => document.querySelector('#dvc-panel ' + c).textContent;
			return q('.dvc-guess').includes('移动后') && {weights: q('.dvc-weights'), guess: q('.dvc-guess')}; })()`)
		assert.Contains(t, zh["weights"], "命令行")
		assert.Contains(t, zh["weights"], "55,000")
		assert.Contains(t, zh["guess"], "小型 CNN")
		assert.NotContains(t, zh["guess"], "shifted")
		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'en'; sel.dispatchEvent(new Event('change')); return true; })()`)
	})

	t.Run("5,000 loads its own pair, and training both here replaces it", func(t *testing.T) {
		Poll[bool](s, `window.convplay.state.dataset.complete === true`)
		Eval[bool](s, `(document.querySelector('#dvc-panel input[name="dvc-n"][value="5000"]').click(), true)`)
		shipped5 := dvcShownFrom(s, "dvc-dense-shipped,dvc-cnn-shipped", "shipped:5000")
		assert.Greater(t, maxDiff(floats(t, shipped5["dense"]), floats(t, shipped55["dense"])), 1e-3, "another size, other weights")
		assertShipped(t, shipped5, "5000")

		s.Allow(15 * time.Minute)
		Eval[bool](s, `(window.convplay.views.densevsconv.epochs = 1, document.querySelector('#dvc-panel .dvc-train').click(), true)`)
		untilSettled[bool](s, `(() => { const v = window.convplay.views.densevsconv, r = v.runs; return v.source === 'live' && !v.training && !!(r.dense && r.dense.done && r.cnn && r.cnn.done); })()`, dvcSteps, time.Minute)
		live := dvcShownFrom(s, "dvc-dense,dvc-cnn", "live:5000")
		assert.Contains(t, live["text"], "trained here, on 5,000 images")
		assert.Greater(t, maxDiff(floats(t, live["dense"]), floats(t, shipped5["dense"])), 1e-3, "the networks trained here, not the shipped ones")
		assert.Greater(t, maxDiff(floats(t, live["dense"]), floats(t, fresh["dense"])), 1e-4, "trained, not fresh")
	})

	t.Run("500 shows the pair trained here; 55,000 its shipped pair again", func(t *testing.T) {
		Eval[bool](s, `(document.querySelector('#dvc-panel input[name="dvc-n"][value="500"]').click(), true)`)
		// The pair trained here was trained on 5,000 images, and the lesson says so.
		back := dvcShownFrom(s, "dvc-dense,dvc-cnn", "live:5000")
		assert.Equal(t, 500.0, Eval[float64](s, `window.convplay.views.densevsconv.size`))
		assert.Contains(t, back["text"], "trained here, on 5,000 images")
		Eval[bool](s, `(document.querySelector('#dvc-panel input[name="dvc-n"][value="55000"]').click(), true)`)
		again := dvcShownFrom(s, "dvc-dense-shipped,dvc-cnn-shipped", "shipped:55000")
		assert.Equal(t, 0.0, maxDiff(floats(t, again["dense"]), floats(t, shipped55["dense"])))
	})
	assert.Empty(t, s.Problems())
}

// TestDenseVsConvShippedNetworksBroken: a shipped network file the engine
// cannot read (here a truncated body, as a host cut off mid-file would send)
// gets one clear line, and the lesson keeps working: the curves trained
// ahead stay, the views fall back to the networks built here and say so.
func TestDenseVsConvShippedNetworksBroken(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("?lang=en")
	Eval[bool](s, `(() => { const real = window.fetch;
		window.fetch = (url, ...rest) => String(url).endsWith('densevsconv-dense-55000.cpw') ? Promise.resolve(new Response(new Uint8Array([67, 80, 87]))) : real(url, ...rest);
		return true; })()`)
	Eval[bool](s, countDrawn)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{110, 60}, drawPoint{170, 220}, 12))
	waitDrawn(s, 0)
	Eval[bool](s, `(document.querySelector('#dvc-panel input[name="dvc-n"][value="55000"]').click(), true)`)
	got := Poll[map[string]any](s, `(() => { const e = document.querySelector('#dvc-panel .dvc-error'), v = window.convplay.views.densevsconv;
		return !e.hidden && v.weights.source === 'fresh' && v.source === 'shipped' && {error: e.textContent, text: document.querySelector('#dvc-panel .dvc-weights').textContent}; })()`)
	assert.Contains(t, got["error"], "The networks trained ahead on 55,000 images could not be loaded (")
	assert.NotContains(t, got["error"], "\n")
	assert.Contains(t, got["text"], "have not been trained")
	dvcShownFrom(s, "dvc-dense,dvc-cnn", "fresh:0")
	assert.Equal(t, 4, Eval[int](s, `[...document.querySelectorAll('#dvc-panel .dvc-chart path')].filter((p) => p.getAttribute('d').split('L').length === 10).length`), "the curves trained ahead stay")
	t.Logf("the error: %s", got["error"])
}
