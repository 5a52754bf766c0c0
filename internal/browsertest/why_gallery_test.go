//go:build browser

package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWhyMapBeforeScroll: off screen, the lesson computes its 2-D map
// of the test images once the data set is in, so it is drawn (not an
// empty square) when the student gets there, while the costly maps wait;
// a drawing lands on the map, coloured by its prediction, and moves when
// drawn on; the texts follow a switch to Chinese.
func TestWhyMapBeforeScroll(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("?lang=en")
	mapped := pollFor[map[string]any](s, `(() => { const v = window.convplay.views.why; return v.embedding && {saliency: v.saliency,
		wrapHidden: document.querySelector('#why-panel .why-map-wrap').hidden, waitHidden: document.querySelector('#why-panel .why-map-wait').hidden}; })()`, 80*time.Second)
	assert.Nil(t, mapped["saliency"], "the costly maps wait for the lesson to be on screen")
	assert.Equal(t, false, mapped["wrapHidden"], "the map is drawn")
	assert.Equal(t, true, mapped["waitHidden"], "no 'computing' note once it is drawn")

	// The drawing lands on the map and moves when drawn on, in Chinese.
	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
	Eval[bool](s, countDrawn)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{60, 140}, drawPoint{220, 140}, 10), line(drawPoint{140, 40}, drawPoint{140, 240}, 10))
	waitDrawn(s, 0)
	Eval[bool](s, `(document.getElementById('why-panel').scrollIntoView(), true)`)
	embed := `(() => { const e = window.convplay.views.why.embedding, p = window.convplay.state.prediction;
		if (!e || !p || e.pixels.length !== p.input.pixels.length || e.pixels.some((x, i) => x !== p.input.pixels[i])) return null;
		let argmax = 0; p.probs.forEach((q, i) => { if (q > p.probs[argmax]) argmax = i; });
		return {n: e.labels.length, points: e.points.length, x: e.point[0], y: e.point[1], cls: e.pointClass, predicted: argmax,
			info: document.querySelector('#why-panel .why-map-info').textContent}; })()`
	where := pollFor[map[string]any](s, embed, 90*time.Second)
	assert.Greater(t, where["n"], 100.0, "the test images are on the map")
	assert.Equal(t, 2*where["n"].(float64), where["points"])
	assert.Equal(t, where["predicted"], where["cls"], "the marker is coloured by the prediction")
	assert.Contains(t, where["info"], "测试图像")
	drawn := Eval[int](s, `window.__drawn`)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{40, 40}, drawPoint{240, 240}, 10))
	waitDrawn(s, drawn)
	moved := pollFor[map[string]any](s, embed, 90*time.Second)
	assert.NotEqual(t, []any{where["x"], where["y"]}, []any{moved["x"], moved["y"]}, "the marker moves with the drawing")

	assert.Empty(t, s.Problems())
}

// TestWhyLink: a shared link opens the lesson at its part with its class,
// Grad-CAM layer, occlusion patch and filter chosen; choosing writes them
// back.
func TestWhyLink(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("?lang=en&why=want&whymax=0,2&whygal=0&whyocc=6,1&whycls=3&whycam=0")
	picked := pollFor[map[string]any](s, `(() => { const q = (c) => document.querySelector('#why-panel ' + c), top = q('[data-part="want"]').getBoundingClientRect().top;
		return window.convplay.views.why.saliency && {what: q('.why-what').value, which: q('.why-which').value, gal: q('.why-gal-layer').value,
			patch: q('.why-patch').value, stride: q('.why-stride').value, cls: q('.why-class').value, cam: q('.why-layer').value, top}; })()`, 60*time.Second)
	assert.Equal(t, map[string]any{"what": "0", "which": "2", "gal": "0", "patch": "6", "stride": "1", "cls": "3", "cam": "0"},
		map[string]any{"what": picked["what"], "which": picked["which"], "gal": picked["gal"], "patch": picked["patch"], "stride": picked["stride"], "cls": picked["cls"], "cam": picked["cam"]})
	assert.Less(t, picked["top"], 900.0, "the link opens the lesson at its part")
	assert.Greater(t, picked["top"], -200.0)
	occ := pollFor[map[string]float64](s, `(() => { const o = window.convplay.views.why.occlusion; return o && {patch: o.patch, stride: o.stride, cls: o.class}; })()`, 60*time.Second)
	assert.Equal(t, map[string]float64{"patch": 6, "stride": 1, "cls": 3}, occ)
	link := Eval[string](s, `(() => { const q = (c) => document.querySelector('#why-panel ' + c);
		q('.why-patch').value = '8'; q('.why-patch').dispatchEvent(new Event('change'));
		q('.why-class').value = ''; q('.why-class').dispatchEvent(new Event('change'));
		q('.why-eps').dispatchEvent(new Event('input')); return location.search; })()`)
	assert.Contains(t, link, "whyocc=8%2C1")
	assert.NotContains(t, link, "whycls", "the predicted class is the default")
	assert.Contains(t, link, "why=fool")

	// No blank canvas on show (an unpainted canvas is an empty square, the
	// gap under the maximization picture that a screenshot once showed):
	// the maximization's figures wait for a first picture.
	assert.True(t, Eval[bool](s, `document.querySelector('#why-panel .why-max-figs').hidden && !document.querySelector('#why-panel .why-max-hint').hidden`))
	pollFor[bool](s, `[...document.querySelectorAll('#why-panel canvas')].every((c) => c.offsetParent === null || !(c.width === 300 && c.height === 150))`, 60*time.Second)
	setViewport(t, s, 390, 800)
	assert.LessOrEqual(t, Eval[int](s, `document.documentElement.scrollWidth`), 390)
	assert.Empty(t, overflowing(s, "#why-panel"))
	elementShot(t, s, "why-link-phone-en", "#why-panel")
	assert.Empty(t, s.Problems())
}

// TestWhyGallery: part 3 of the why lesson beyond one filter. The gallery
// of a layer fills cell by cell, each
// first-layer cell showing its kernel's 3x3 field (not a uniform square),
// and a click shows the filter in the detail and in the link; a long
// gallery leaves the page drawing and predicting, and stops when asked;
// the texts follow a switch to Chinese.
func TestWhyGallery(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)

	s.OpenReady("?lang=en&why=want")
	Poll[bool](s, `Boolean(window.convplay.views.why.saliency)`)
	// The gallery of the first convolution layer, to the end.
	Eval[bool](s, `(document.querySelector('#why-panel .why-gal-go').click(), true)`)
	gal := pollFor[map[string]any](s, `(() => { const g = window.convplay.views.why.gallery; if (!g || g.running) return null;
		const cells = [...document.querySelectorAll('#why-panel .why-gal-cell')];
		const spread = g.cells.map((r) => { const [t, l, b, rt] = r.field; const v = []; for (let y = Math.max(0, t - 1); y < Math.min(28, b + 1); y++) for (let x = Math.max(0, l - 1); x < Math.min(28, rt + 1); x++) v.push(r.image[y * 28 + x]);
			return {h: b - t, w: rt - l, spread: Math.max(...v) - Math.min(...v)}; });
		return {done: g.done, filters: g.filters, cells: cells.length, enabled: cells.filter((c) => !c.disabled).length, painted: cells.filter((c) => c.querySelector('canvas').width > 0 && c.querySelector('canvas').width < 28).length,
			spread, info: document.querySelector('#why-panel .why-gal-info').textContent}; })()`, 90*time.Second)
	n := gal["filters"].(float64)
	assert.Equal(t, n, gal["done"])
	assert.Equal(t, n, gal["cells"])
	assert.Equal(t, n, gal["enabled"], "every cell can be clicked")
	assert.Equal(t, n, gal["painted"], "every cell is cut to its field")
	for i, c := range gal["spread"].([]any) {
		m := c.(map[string]any)
		assert.Equal(t, 3.0, m["h"], "cell %d: a first-layer unit sees 3x3", i)
		assert.Equal(t, 3.0, m["w"], "cell %d", i)
		assert.Greater(t, m["spread"], 0.5, "cell %d: the field stands out from its surroundings, not a uniform square", i)
	}
	assert.Contains(t, gal["info"], "All ")
	Eval[bool](s, `(document.querySelector('#why-panel .why-gal-cell[data-filter="4"]').click(), true)`)
	detail := Eval[map[string]any](s, `(() => { const q = (c) => document.querySelector('#why-panel ' + c); return {picked: window.convplay.views.why.picked, which: q('.why-which').value,
		info: q('.why-max-info').textContent, field: q('.why-max-field').textContent, shown: !q('.why-max-figs').hidden, zoom: q('.why-max-zoom').width, link: location.search}; })()`)
	assert.Equal(t, map[string]any{"layer": 0.0, "filter": 4.0}, detail["picked"])
	assert.Equal(t, "4", detail["which"])
	assert.Contains(t, detail["info"], "Filter #5")
	assert.Contains(t, detail["field"], "rows 14 to 16", "the centre unit of a 28x28 map sees rows 14 to 16, counting from 1")
	assert.Equal(t, true, detail["shown"])
	assert.Equal(t, 5.0, detail["zoom"], "the zoom is the 3x3 field and a pixel around it")
	assert.Contains(t, detail["link"], "whymax=0%2C4")
	elementShot(t, s, "why-gallery-en", "#why-panel")

	// A long gallery (the reference model's last convolution layer, 128
	// filters) leaves the page predicting drawings, and stops when asked.
	useReferenceModel(t, s)
	Poll[bool](s, `window.convplay.state.model.totalParams === 435306`)
	Eval[bool](s, countDrawn)
	Eval[bool](s, `(() => { const sel = document.querySelector('#why-panel .why-gal-layer'); sel.value = sel.options[sel.options.length - 1].value;
		document.querySelector('#why-panel .why-gal-go').click(); return true; })()`)
	pollFor[bool](s, `(() => { const g = window.convplay.views.why.gallery; return Boolean(g && g.running && g.done >= 1 && g.filters === 128); })()`, 60*time.Second)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{60, 140}, drawPoint{220, 140}, 10))
	waitDrawn(s, 0)
	assert.True(t, Eval[bool](s, `window.convplay.views.why.gallery.running`), "the drawing was predicted while the gallery ran")
	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
	Eval[bool](s, `(document.querySelector('#why-panel .why-gal-stop').click(), true)`)
	stopped := pollFor[map[string]any](s, `(() => { const g = window.convplay.views.why.gallery; return g && !g.running && {done: g.done,
		info: document.querySelector('#why-panel .why-gal-info').textContent, go: document.querySelector('#why-panel .why-gal-go').disabled,
		cell: document.querySelector('#why-panel .why-gal-cell').getAttribute('aria-label')}; })()`, 60*time.Second)
	assert.Less(t, stopped["done"], 128.0, "stopped before the end")
	assert.Equal(t, stopped["done"], float64(Eval[int](s, `document.querySelectorAll('#why-panel .why-gal-cell').length`)), "the finished cells stay, the empty ones go")
	assert.Contains(t, stopped["info"], "停止")
	assert.Contains(t, stopped["cell"], "卷积核 #1")
	assert.Equal(t, false, stopped["go"], "the gallery can start again")
	require.Empty(t, s.Problems())

	setViewport(t, s, 390, 800)
	assert.LessOrEqual(t, Eval[int](s, `document.documentElement.scrollWidth`), 390)
	assert.Empty(t, overflowing(s, "#why-panel"))
	elementShot(t, s, "why-gallery-phone-zh", "#why-panel")
}
