//go:build browser

package browsertest

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// drawPoint is a point on the pad in its own pixels (0..280).
type drawPoint struct{ X, Y float64 }

// drawRect is an element's box on screen, CSS pixels.
type drawRect struct{ Left, Top, Width, Height float64 }

// padRect scrolls the pad into view and returns its box.
func padRect(t *testing.T, s *Session) drawRect { return elementRect(t, s, "#draw") }

// elementRect scrolls the element sel into view and returns its box.
func elementRect(t *testing.T, s *Session, sel string) drawRect {
	t.Helper()
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.ScrollIntoView(chromedp.CSS(sel))))
	return Eval[drawRect](s, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect();
		return {Left: r.left, Top: r.top, Width: r.width, Height: r.height}; })()`, sel))
}

// drawStrokes draws strokes on the pad with the browser's own input events
// (Input.dispatchMouseEvent), so the page gets real pointer events of
// pointerType kind ("mouse" or "pen"), each stroke pressed, moved through
// its points and released.
func drawStrokes(t *testing.T, s *Session, kind input.DispatchMouseEventPointerType, strokes ...[]drawPoint) {
	t.Helper()
	drawStrokesOn(t, s, "#draw", 280, kind, strokes...)
}

// drawStrokesOn is drawStrokes on the element sel, whose points run from 0
// to side across it.
func drawStrokesOn(t *testing.T, s *Session, sel string, side float64, kind input.DispatchMouseEventPointerType, strokes ...[]drawPoint) {
	t.Helper()
	r := elementRect(t, s, sel)
	tab := chromedp.FromContext(s.Ctx).Target
	at := func(p drawPoint) (float64, float64) {
		return r.Left + p.X*r.Width/side, r.Top + p.Y*r.Height/side
	}
	send := func(typ input.DispatchMouseEventType, p drawPoint, buttons int64) {
		x, y := at(p)
		params := input.DispatchMouseEventParams{Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, Buttons: buttons, ClickCount: 1, PointerType: kind}
		if typ == input.DispatchMouseEventTypeMouseMoved {
			params.ClickCount = 0
		}
		_, err := cdp.Call(s.Ctx, tab, input.DispatchMouseEvent, params)
		require.NoError(t, err)
	}
	for _, st := range strokes {
		send(input.DispatchMouseEventTypeMousePressed, st[0], 1)
		for _, p := range st[1:] {
			send(input.DispatchMouseEventTypeMouseMoved, p, 1)
		}
		send(input.DispatchMouseEventTypeMouseReleased, st[len(st)-1], 0)
	}
}

// line is a stroke from a to b through n steps.
func line(a, b drawPoint, n int) []drawPoint {
	pts := make([]drawPoint, n+1)
	for i := range pts {
		f := float64(i) / float64(n)
		pts[i] = drawPoint{a.X + f*(b.X-a.X), a.Y + f*(b.Y-a.Y)}
	}
	return pts
}

// predictionShown is what #prediction shows.
type predictionShown struct {
	Top     string    `json:"top"`
	Classes []string  `json:"classes"`
	Probs   []float64 `json:"probs"`
	Source  string    `json:"source"`
	Label   *int      `json:"label"`
}

func shownPrediction(s *Session) predictionShown {
	return Eval[predictionShown](s, `(() => {
		const ol = document.getElementById('prediction');
		const lis = [...ol.querySelectorAll('li')];
		const p = window.convplay.state.prediction;
		return {top: ol.dataset.top || '', classes: lis.map((li) => li.dataset.class), probs: lis.map((li) => Number(li.dataset.prob)),
			source: p ? p.input.source : '', label: p && p.input.label !== undefined ? p.input.label : null};
	})()`)
}

// waitDrawn waits for the prediction of a drawing newer than the one counted so far.
func waitDrawn(s *Session, after int) int {
	return Poll[int](s, fmt.Sprintf(`(() => { const v = window.convplay.views.draw, p = window.convplay.state.prediction;
		return !v.busy && p && p.input.source === 'draw' && p.input === window.convplay.state.input && window.__drawn > %d && window.__drawn; })()`, after))
}

// countDrawn counts, in the page, each new prediction of a drawing.
const countDrawn = `(() => { window.__drawn = 0; window.convplay.ctx.on('prediction', (p) => { if (p && p.input.source === 'draw') window.__drawn++; }); return true; })()`

// TestDrawAndPredict: the page opens on a test image with its prediction;
// drawing with the mouse predicts the drawing live, shows the steps the
// engine made and its warnings; undo and clear work; an empty pad is a
// warning, not an error.
func TestDrawAndPredict(t *testing.T) {
	s := Start(t)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)))
	s.OpenReady("")

	// The first image: a gallery test image, predicted at once.
	Poll[bool](s, `(() => { const p = window.convplay.state.prediction; return !!p && p.input.source === 'gallery'; })()`)
	first := shownPrediction(s)
	require.Len(t, first.Classes, 10)
	assert.Equal(t, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, first.Classes)
	assert.NotEmpty(t, first.Top)
	assert.False(t, Eval[bool](s, `new URLSearchParams(location.search).has('img')`), "the page's own first image needs no URL")
	assert.Equal(t, 8, Poll[int](s, `document.querySelectorAll('#gallery-panel .draw-thumb').length === 8 && 8`))
	thumb := Eval[string](s, `document.querySelector('#gallery-panel .draw-thumb').getAttribute('aria-label')`)
	assert.Regexp(t, `^Test image #\d+: [A-Z][a-z]`, thumb, "a thumbnail names its image and class")
	assert.Equal(t, "gallery", Eval[string](s, `document.getElementById('sees-panel').dataset.source`))
	// Under the pad, the top class by name, as the bars show it.
	guess := Poll[string](s, `(() => { const top = document.querySelector('#prediction li.top .prediction-name');
		const g = document.querySelector('#draw-panel .draw-guess').textContent;
		return top && !g.includes('#') && g.includes(top.textContent) && g; })()`)
	assert.Contains(t, guess, "The network's guess: ")
	s.Screenshot("draw-start")

	// A pair of trousers: two thick legs from a waistband.
	Eval[bool](s, countDrawn)
	Eval[bool](s, `(() => { const i = document.getElementById('draw-size'); i.value = '34'; i.dispatchEvent(new Event('input')); return true; })()`)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse,
		line(drawPoint{90, 40}, drawPoint{190, 40}, 10),
		line(drawPoint{100, 40}, drawPoint{92, 250}, 20),
		line(drawPoint{180, 40}, drawPoint{188, 250}, 20),
	)
	n := waitDrawn(s, 0)
	p := shownPrediction(s)
	require.Len(t, p.Probs, 10)
	sum := 0.0
	for _, v := range p.Probs {
		sum += v
	}
	assert.InDelta(t, 1, sum, 0.002, "data-prob sums to 1")
	assert.Equal(t, "draw", p.Source)
	assert.Nil(t, p.Label)
	t.Logf("trousers drawn: top %s (%s), probs %v", p.Top, Eval[string](s, `window.convplay.ctx.className(Number(document.getElementById('prediction').dataset.top))`), p.Probs)
	assert.Equal(t, 3, Eval[int](s, `window.convplay.views.draw.strokes`))
	// The steps the engine made, and the standardized input with its legend.
	assert.Equal(t, []string{"ink", "box", "scaled", "placed", "standardized"},
		Eval[[]string](s, `[...document.querySelectorAll('#sees-panel .sees-step')].map((li) => li.dataset.step)`))
	assert.Contains(t, Eval[string](s, `document.querySelector('#sees-panel .sees-meanstd').textContent`),
		Eval[string](s, `window.convplay.state.dataset.info.mean.toFixed(2)`), "the training images' mean (72.94 rounded, 72.96 exact)")
	assert.False(t, Eval[bool](s, `new URLSearchParams(location.search).has('img')`), "a drawing has no URL")
	// How long the engine takes to prepare the pad's 280x280 pixels, and to
	// prepare and predict them (with the trace), as live drawing does.
	ms := Eval[[]float64](s, `(async () => {
		const c = window.convplay.ctx, pad = document.getElementById('draw');
		const time = async (f) => { const ts = []; for (let i = 0; i < 15; i++) { const t0 = performance.now(); await f(); ts.push(performance.now() - t0); } ts.sort((a, b) => a - b); return ts[7]; };
		const prep = () => c.request('preprocess', {rgba: pad.getContext('2d').getImageData(0, 0, 280, 280).data, width: 280, height: 280, fit: 'fashion'});
		return [await time(prep), await time(async () => c.request('predict', {pixels: (await prep()).pixels}))];
	})()`)
	t.Logf("preprocess of the 280x280 pad: median %.1f ms; preprocess and predict: median %.1f ms", ms[0], ms[1])
	s.ScreenshotOf("#sees-panel", "sees-trousers")
	s.ScreenshotOf(".bench", "bench-trousers")

	// Undo with Ctrl+Z: one stroke fewer and a new prediction.
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.KeyEvent("z", chromedp.KeyModifiers(chromedp.ModifierCtrl))))
	assert.Equal(t, 2, Poll[int](s, `window.convplay.views.draw.strokes === 2 && 2`))
	n = waitDrawn(s, n)
	// And with the button.
	Eval[bool](s, `document.getElementById('undo').click(), true`)
	assert.Equal(t, 1, Poll[int](s, `window.convplay.views.draw.strokes === 1 && 1`))
	waitDrawn(s, n)

	// A thin, small scribble is warned about.
	Eval[bool](s, `document.getElementById('clear').click(), true`)
	Eval[bool](s, `(() => { const i = document.getElementById('draw-size'); i.value = '4'; i.dispatchEvent(new Event('input')); return true; })()`)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{130, 130}, drawPoint{150, 150}, 4), line(drawPoint{150, 130}, drawPoint{130, 150}, 4))
	Poll[bool](s, `document.querySelectorAll('#sees-panel .sees-warnings li').length > 0`)
	codes := Eval[[]string](s, `[...document.querySelectorAll('#sees-panel .sees-warnings li')].map((li) => li.dataset.code)`)
	assert.Contains(t, codes, "tiny")
	t.Logf("scribble warnings: %v: %s", codes, Eval[string](s, `document.querySelector('#sees-panel .sees-warnings').textContent`))
	s.ScreenshotOf("#sees-panel", "sees-scribble")

	// An outline where the data set has filled shapes is warned about too.
	Eval[bool](s, `document.getElementById('clear').click(), true`)
	Eval[bool](s, `(() => { const i = document.getElementById('draw-size'); i.value = '14'; i.dispatchEvent(new Event('input')); return true; })()`)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, []drawPoint{{60, 60}, {220, 60}, {220, 220}, {60, 220}, {60, 60}})
	Poll[bool](s, `[...document.querySelectorAll('#sees-panel .sees-warnings li')].some((li) => li.dataset.code === 'hollow')`)

	// Clear: no prediction, and the engine's empty warning, not an error.
	Eval[bool](s, `document.getElementById('clear').click(), true`)
	Poll[bool](s, `window.convplay.state.prediction === null && document.querySelectorAll('#prediction li').length === 0`)
	assert.Equal(t, "", Eval[string](s, `document.getElementById('prediction').dataset.top || ''`))
	// The cleared pad's preprocess may still be in flight: wait for its answer.
	Poll[bool](s, `document.querySelector('#draw-panel .draw-status').dataset.i18n === 'draw.empty'`)
	assert.Equal(t, []string{"empty"}, Poll[[]string](s, `(() => { const c = [...document.querySelectorAll('#sees-panel .sees-warnings li')].map((li) => li.dataset.code); return c.length === 1 && c[0] === 'empty' && c; })()`))
	assert.False(t, Eval[bool](s, `document.querySelector('#draw-panel .draw-status').classList.contains('bad')`))
	assert.Equal(t, 0, Eval[int](s, `window.convplay.views.draw.strokes`))
	assert.Empty(t, s.Problems())
	s.Screenshot("draw-cleared")
}

// TestGalleryByClass picks a test image of each class with the class
// buttons: the pretrained model names most of them right, the page shows
// the true class, and the URL's img= restores a picked image.
func TestGalleryByClass(t *testing.T) {
	s := Start(t)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)))
	s.OpenReady("")
	Poll[bool](s, `!!window.convplay.state.prediction`)
	right := 0
	var last int
	for k := range 10 {
		Eval[bool](s, fmt.Sprintf(`document.querySelector('#gallery-panel .draw-class[data-class="%d"]').click(), true`, k))
		Poll[bool](s, fmt.Sprintf(`(() => { const p = window.convplay.state.prediction;
			return !!p && p.input.source === 'gallery' && p.input.label === %d && p.input === window.convplay.state.input; })()`, k))
		p := shownPrediction(s)
		require.NotNil(t, p.Label)
		assert.Equal(t, k, *p.Label)
		verdict := Eval[string](s, `document.querySelector('#prediction-panel .prediction-truth').dataset.verdict || ''`)
		if p.Top == fmt.Sprint(k) {
			right++
			assert.Equal(t, "right", verdict)
		} else {
			assert.Equal(t, "wrong", verdict)
		}
		last = Eval[int](s, `window.convplay.state.input.index`)
		assert.Equal(t, fmt.Sprint(last), Eval[string](s, `new URLSearchParams(location.search).get('img')`))
		// Every thumbnail shown is of the class.
		for _, th := range Eval[[]struct{ Label int }](s, `window.convplay.views.draw.thumbs.map((t) => ({Label: t.label}))`) {
			assert.Equal(t, k, th.Label)
		}
		if k == 9 {
			s.ScreenshotOf("#gallery-panel", "draw-gallery")
			s.ScreenshotOf("#prediction-panel", "prediction-gallery")
		}
	}
	t.Logf("gallery by class: %d of 10 right", right)
	assert.GreaterOrEqual(t, right, 8)

	// A thumbnail picks its image.
	idx := Eval[int](s, `(() => { const b = document.querySelectorAll('#gallery-panel .draw-thumb')[2]; b.click(); return Number(b.dataset.index); })()`)
	Poll[bool](s, fmt.Sprintf(`window.convplay.state.prediction && window.convplay.state.prediction.input.index === %d`, idx))
	assert.Equal(t, "true", Eval[string](s, `document.querySelectorAll('#gallery-panel .draw-thumb')[2].getAttribute('aria-pressed')`))

	// In Chinese, the class buttons, the bars and the true class follow.
	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
	assert.Equal(t, "裤子", Poll[string](s, `document.querySelector('#gallery-panel .draw-class[data-class="1"]').textContent === '裤子' && '裤子'`))
	assert.Equal(t, "裤子", Eval[string](s, `document.querySelector('#prediction li[data-class="1"] .prediction-name').textContent`))
	assert.Contains(t, Eval[string](s, `document.querySelector('#prediction-panel .prediction-truth').textContent`), "真实类别")
	assert.Contains(t, Eval[string](s, `document.querySelector('#sees-panel h2').textContent`), "网络看到了什么")
	s.ScreenshotOf("#draw-panel", "draw-zh")
	s.ScreenshotOf("#prediction-panel", "prediction-zh")
	s.ScreenshotOf("#sees-panel", "sees-zh")

	// A shared link restores the image.
	s.OpenReady(fmt.Sprintf("?lang=en&img=%d", last))
	Poll[bool](s, fmt.Sprintf(`(() => { const p = window.convplay.state.prediction; return !!p && p.input.index === %d; })()`, last))
	assert.Equal(t, "9", Eval[string](s, `String(window.convplay.state.input.label)`))
	assert.Contains(t, Eval[string](s, `document.querySelector('#gallery-panel .draw-picked').textContent`), fmt.Sprintf("#%d", last))
	assert.Empty(t, s.Problems())
}

// fingers sends the browser a touch event of type typ with the fingers at
// the given points (none for the end of a touch), as a touch screen does.
func fingers(t *testing.T, s *Session, typ input.DispatchTouchEventType, points ...*input.TouchPoint) {
	t.Helper()
	params := input.DispatchTouchEventParams{Type: typ, TouchPoints: append([]*input.TouchPoint{}, points...)}
	_, err := cdp.Call(s.Ctx, chromedp.FromContext(s.Ctx).Target, input.DispatchTouchEvent, params)
	require.NoError(t, err)
}

// TestDrawTouchAndPen draws with a finger (touch events, as a phone sends
// them) on a phone-sized screen and with a pen, and switches to the digits,
// where a drawn 1 is fitted as MNIST's digits were.
func TestDrawTouchAndPen(t *testing.T) {
	s := Start(t)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)))
	s.OpenReady("")
	Poll[bool](s, `!!window.convplay.state.prediction`)
	Eval[bool](s, countDrawn)
	Eval[bool](s, `(() => { window.__types = new Set(); document.getElementById('draw').addEventListener('pointerdown', (e) => window.__types.add(e.pointerType)); return true; })()`)
	assert.Equal(t, "none", Eval[string](s, `getComputedStyle(document.getElementById('draw')).touchAction`))

	// A finger draws a filled bag: a square scribbled in.
	r := padRect(t, s)
	touch := func(typ input.DispatchTouchEventType, p *drawPoint) {
		if p == nil {
			fingers(t, s, typ)
			return
		}
		fingers(t, s, typ, &input.TouchPoint{X: r.Left + p.X*r.Width/280, Y: r.Top + p.Y*r.Height/280})
	}
	for y := 90.0; y <= 230; y += 28 {
		st := line(drawPoint{60, y}, drawPoint{220, y}, 12)
		touch(input.DispatchTouchEventTypeTouchStart, &st[0])
		for i := range st[1:] {
			touch(input.DispatchTouchEventTypeTouchMove, &st[i+1])
		}
		touch(input.DispatchTouchEventTypeTouchEnd, nil)
	}
	waitDrawn(s, 0)
	assert.Equal(t, []string{"touch"}, Eval[[]string](s, `[...window.__types]`))
	assert.Equal(t, 6, Eval[int](s, `window.convplay.views.draw.strokes`))
	assert.Equal(t, 0.0, Eval[float64](s, `window.scrollX`))
	s.ScreenshotOf("#draw-panel", "draw-phone")
	s.ScreenshotOf("#prediction-panel", "prediction-phone")

	// The digits: a pen draws a 1.
	Eval[bool](s, `(() => { const sel = document.getElementById('dataset'); sel.value = 'digits'; sel.dispatchEvent(new Event('change')); return true; })()`)
	Poll[bool](s, `(() => { const st = window.convplay.state, p = st.prediction;
		return st.dataset.name === 'digits' && st.dataset.complete && !!p && p.input.source === 'gallery'; })()`)
	assert.Equal(t, 0, Eval[int](s, `window.convplay.views.draw.strokes`), "a new data set starts on a clean pad")
	assert.Equal(t, "digits", Eval[string](s, `new URLSearchParams(location.search).get('data')`))
	assert.False(t, Eval[bool](s, `new URLSearchParams(location.search).has('img')`), "the switch forgets the other data set's image")
	Eval[bool](s, `(() => { window.__types.clear(); window.__drawn = 0; const i = document.getElementById('draw-size'); i.value = '24'; i.dispatchEvent(new Event('input')); return true; })()`)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypePen, line(drawPoint{150, 50}, drawPoint{135, 240}, 24))
	waitDrawn(s, 0)
	assert.Equal(t, []string{"pen"}, Eval[[]string](s, `[...window.__types]`))
	p := shownPrediction(s)
	assert.Equal(t, "1", p.Top, "a drawn stroke is a 1: %v", p.Probs)
	caption := Eval[string](s, `document.querySelector('#sees-panel [data-step="placed"] figcaption').textContent`)
	assert.True(t, strings.Contains(caption, "centre of mass"), caption)
	s.ScreenshotOf("#sees-panel", "sees-digit-phone")
	assert.Empty(t, s.Problems())
	assert.False(t, math.IsNaN(p.Probs[1]))
}
