//go:build browser

package browsertest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/internal/webserver"
)

// The defects issue 15 lists, each acted out as a student would meet it.

// gatedData serves the page with the training and validation chunks held
// back until release is called, as on a slow network.
func gatedData(t *testing.T) (s *Session, release func()) {
	gate := make(chan struct{})
	var once sync.Once
	s = StartHandler(t, func(dir string) http.Handler {
		h, err := webserver.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/train-") || strings.Contains(r.URL.Path, "/validation-") {
				select {
				case <-gate:
				case <-r.Context().Done():
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	return s, release
}

// click clicks the element that matches the CSS selector, as a student's press.
func click(s *Session, sel string) {
	s.t.Helper()
	Eval[bool](s, fmt.Sprintf(`(document.querySelector(%q).click(), true)`, sel))
}

// TestDefectTrainWhileLoading: one press of Start on a fresh page, before the
// training images arrive, says what it waits for and then trains by itself.
func TestDefectTrainWhileLoading(t *testing.T) {
	s, release := gatedData(t)
	s.Open("")
	require.Equal(t, "ready", s.WaitEngine())
	Poll[bool](s, `!!(window.convplay.views.train && window.convplay.state.model)`)
	Eval[bool](s, `(window.convplay.views.train.set({epochs: 1, subset: 500, validationSubset: 500}), true)`)
	click(s, `#train-start`)
	st := Poll[map[string]string](s, `(() => { const e = document.querySelector('#train-status'); return e.dataset.state === 'waiting' && {state: e.dataset.state, text: e.textContent}; })()`)
	assert.Contains(t, st["text"], "Waiting for the validation images")
	assert.True(t, Eval[bool](s, `document.querySelector('#train-start').disabled`), "Start is taken while the run waits")
	release()
	// No second press: the run starts and ends by itself.
	reason := pollFor[string](s, `document.querySelector('#train-result').dataset.reason || ''`, 3*time.Minute)
	assert.Equal(t, "finished", reason)
	assert.NotContains(t, Eval[string](s, `document.querySelector('#train-result').textContent`), "failed")
	assert.Empty(t, s.Problems())
}

// TestDefectPausedSaysPaused: a paused run's status line says so.
func TestDefectPausedSaysPaused(t *testing.T) {
	s := openTrain(t, `{epochs: 3, subset: 2000, validationSubset: 500, batchSize: 16}`)
	click(s, `#train-start`)
	Poll[bool](s, `document.querySelector('#train-status').dataset.shown === 'true' && !document.querySelector('#train-pause').disabled`)
	click(s, `#train-pause`)
	text := Poll[string](s, `(() => { const e = document.querySelector('#train-status'); return e.dataset.state === 'paused' && e.textContent; })()`)
	assert.True(t, strings.HasPrefix(text, "Paused"), text)
	click(s, `#train-stop`)
	Poll[bool](s, `!!document.querySelector('#train-result').dataset.reason`)
}

// TestDefectChanceRunKeepsTheModel: a run that ends no better than chance
// shows the engine's verdict and does not call the model "trained".
func TestDefectChanceRunKeepsTheModel(t *testing.T) {
	s := openTrain(t, `{epochs: 1, subset: 64, validationSubset: 500, batchSize: 64, optimizer: 'sgd', learningRate: 0.000001, momentum: 0}`)
	click(s, `#train-start`)
	Poll[bool](s, `!!document.querySelector('#train-result').dataset.reason`)
	res := Eval[map[string]string](s, `(() => { const e = document.querySelector('#train-result'); return {chance: e.dataset.chance, text: e.textContent, source: document.querySelector('#model-source').textContent}; })()`)
	require.Equal(t, "true", res["chance"], res["text"])
	assert.Contains(t, res["text"], "no better than chance")
	assert.NotContains(t, res["text"], "now uses the trained model")
	assert.NotContains(t, res["source"], "trained for")
	assert.Contains(t, res["source"], "fresh small model")
	Eval[bool](s, `(window.convplay.ctx.setLang('zh'), true)`)
	assert.Contains(t, Eval[string](s, `document.querySelector('#train-result').textContent`), "不比随机猜测好")
}

// TestDefectEvaluatePickShowsOnThePad: picking a misclassified test image
// in Evaluate puts that image on the pad, not only into the prediction.
func TestDefectEvaluatePickShowsOnThePad(t *testing.T) {
	s := Start(t)
	s.OpenReady("?model=small")
	first := Poll[float64](s, `window.convplay.state.input && window.convplay.state.input.index + 1`) - 1
	evalRun(t, s)
	Eval[bool](s, `document.querySelector('#confusion td[data-truth="6"][data-pred="0"] button').click(), true`)
	Poll[bool](s, `!!document.querySelector('#cell-images .eval-thumb[data-loaded]')`)
	index := Eval[float64](s, `+document.querySelector('#cell-images .eval-thumb[data-loaded]').dataset.index`)
	require.NotEqual(t, first, index)
	click(s, `#cell-images .eval-thumb[data-loaded]`)
	Poll[bool](s, fmt.Sprintf(`window.convplay.state.prediction && window.convplay.state.prediction.input.index === %d`, int(index)))
	pad := Eval[map[string]any](s, `(() => {
		const o = document.querySelector('#draw-panel .draw-overlay');
		const shown = window.convplay.views.draw.shown;
		return {overlay: JSON.parse(o.dataset.i18nVars || '{}').index, shown: shown && shown.index, picked: document.querySelector('.draw-picked').textContent};
	})()`)
	assert.Equal(t, index, pad["shown"], "the pad shows the picked image")
	assert.Equal(t, index, pad["overlay"], "the pad's overlay names the picked image")
	assert.Contains(t, pad["picked"], fmt.Sprint(int(index)))
	assert.Empty(t, s.Problems())
}

// TestDefectDrawingOutlivesAnOlderPick: a student asks the gallery for a
// class while the engine is busy, then draws before the images come; the
// drawing stays on the pad and stays the input (the late set used to wipe it).
// Found by TestStudentMonkey.
func TestDefectDrawingOutlivesAnOlderPick(t *testing.T) {
	s := Start(t)
	s.OpenReady("?model=small")
	Eval[bool](s, countDrawn)
	// Count the gallery's requests in flight: it asks for one image after another.
	Eval[bool](s, `(() => { const c = window.convplay.client, request = c.request.bind(c); window.__samples = 0;
		c.request = (type, ...rest) => { if (type !== 'getSample') return request(type, ...rest);
			window.__samples++; const p = request(type, ...rest); p.finally(() => window.__samples--).catch(() => {}); return p; };
		return true; })()`)
	// The engine busy for 2 s: the class's images and the drawing's preprocessing queue behind it.
	Eval[bool](s, `(window.__stall = window.convplay.client.request('debugStall', {ms: 2000}), true)`)
	click(s, `#gallery-panel .draw-class[data-class="5"]`)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{60, 60}, drawPoint{220, 220}, 12))
	Eval[bool](s, `window.__stall.then(() => true)`)
	waitDrawn(s, 0)
	// The class's search goes on after the drawing's reply; once it is over, nothing changed.
	Poll[bool](s, `window.__samples === 0`)
	got := Eval[map[string]any](s, `(() => ({
		source: window.convplay.state.input.source,
		strokes: window.convplay.views.draw.strokes,
		shown: window.convplay.views.draw.shown,
		pressed: [...document.querySelectorAll('#gallery-panel .draw-classes [aria-pressed="true"]')].length,
	}))()`)
	assert.Equal(t, "draw", got["source"], "the drawing is the input")
	assert.EqualValues(t, 1, got["strokes"], "the drawing stays on the pad")
	assert.Nil(t, got["shown"], "no test image replaced it")
	assert.EqualValues(t, 0, got["pressed"], "no class button says its set is shown")
	assert.Empty(t, s.Problems())
}

// TestDefectFocusAndPadStayWhileLoading: while the data set streams in, a
// focused gallery button keeps the focus, and the pad does not move.
func TestDefectFocusAndPadStayWhileLoading(t *testing.T) {
	s, release := gatedData(t)
	s.Open("")
	require.Equal(t, "ready", s.WaitEngine())
	Poll[bool](s, `!!document.querySelector('#gallery-panel .draw-class:not([disabled])') && !!window.convplay.state.prediction`)
	before := Eval[float64](s, `(() => { const b = document.querySelector('#gallery-panel .draw-class[data-class="3"]'); b.focus(); window.__focused = b;
		return document.getElementById('draw').getBoundingClientRect().top + window.scrollY; })()`)
	release()
	Poll[bool](s, `window.convplay.state.dataset.complete`)
	Poll[bool](s, `new Promise((r) => requestAnimationFrame(() => r(true)))`)
	after := Eval[float64](s, `document.getElementById('draw').getBoundingClientRect().top + window.scrollY`)
	assert.Equal(t, before, after, "the pad stays where a stroke began")
	assert.True(t, Eval[bool](s, `document.activeElement === window.__focused && document.contains(window.__focused)`), "the focused button keeps the focus")
	assert.Empty(t, s.Problems())
}

// TestDefectSandboxPadding: switching the sandbox's padding from explicit
// to valid or same does not leave the old p in its control.
func TestDefectSandboxPadding(t *testing.T) {
	s := Start(t)
	s.OpenReady("")
	Poll[bool](s, `!!window.convplay.views.sandbox`)
	Eval[bool](s, `(window.convplay.views.sandbox.set({n: 7, k: 3, s: 1, padding: 'explicit', p: 2}), true)`)
	pick := func(mode string) {
		Eval[bool](s, fmt.Sprintf(`(() => { const sel = document.querySelector('#sandbox-panel .sb-padding'); sel.value = %q; sel.dispatchEvent(new Event('change')); return true; })()`, mode))
	}
	pick("valid")
	assert.Equal(t, "0", Poll[string](s, `(() => { const l = window.convplay.views.sandbox.last; return l && l.padded === 7 && document.querySelector('#sandbox-panel input[name="p"], #sandbox-panel .sb-p').value; })()`))
	pick("same")
	assert.Equal(t, "1", Poll[string](s, `(() => { const l = window.convplay.views.sandbox.last; return l && l.padded === 9 && document.querySelector('#sandbox-panel input[name="p"], #sandbox-panel .sb-p').value; })()`))
}

// TestDefectCountedFromOne: every panel counts filters, channels, rows and
// columns from 1, as students do (views/shared/count.js).
func TestDefectCountedFromOne(t *testing.T) {
	s := Start(t)
	s.OpenReady("")
	Poll[bool](s, `!!(window.convplay.views.convstep && window.convplay.state.prediction)`)
	convAt(t, s, "1,0,0,0")
	got := Eval[map[string]string](s, `(() => {
		const q = (sel) => document.querySelector(sel);
		return {pos: q('#conv-panel .cs-pos').textContent, filter: q('#conv-panel .cs-filter option').textContent,
			out: q('#conv-panel .cs-eq .cs-output th, #conv-panel .cs-eq .cs-output td').textContent,
		};
	})()`)
	assert.Equal(t, "Position: row 1, column 1", got["pos"])
	assert.Equal(t, "1", got["filter"])
	assert.Contains(t, got["out"], "row 1, column 1")
	assert.Equal(t, "1", Poll[string](s, `(() => { const o = document.querySelector('#pool-panel .pl-channel option'); return o && o.textContent; })()`))
	assert.Empty(t, s.Problems())
}

// TestDefectConfusionMatrixFits: at 1280 px the whole confusion matrix is
// in view (Bag and Ankle boot too), and at 390 px it scrolls in its own box
// rather than widening the page.
func TestDefectConfusionMatrixFits(t *testing.T) {
	s := Start(t)
	s.OpenReady("?model=small")
	Eval[bool](s, `document.getElementById('evaluate').click(), true`)
	pollFor[bool](s, `(() => { const r = document.getElementById('test-result'); return !r.hidden && r.dataset.loss !== undefined && !document.getElementById('evaluate').disabled; })()`, 80*time.Second)
	fits := `(() => { const w = document.querySelector('#eval-panel .eval-matrix-wrap'), tb = document.getElementById('confusion');
		return {wrap: w.clientWidth, table: tb.scrollWidth, page: document.documentElement.scrollWidth, view: innerWidth}; })()`
	wide := Eval[map[string]float64](s, fits)
	assert.LessOrEqual(t, wide["table"], wide["wrap"], "the matrix is not cut off at 1280 px: %v", wide)
	s.ScreenshotOf("#eval-panel", "defects-matrix-1280")
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(390, 844)))
	narrow := Poll[map[string]float64](s, `new Promise((r) => requestAnimationFrame(() => r(`+fits+`)))`)
	assert.LessOrEqual(t, narrow["page"], narrow["view"], "the page does not widen at 390 px: %v", narrow)
	s.ScreenshotOf("#eval-panel", "defects-matrix-390")
	// The lesson names the pair the matrix shows most confused, with its counts.
	pair := Eval[string](s, `document.querySelector('#eval-lesson [data-sentence="eval.lesson.pair"]').textContent`)
	assert.Regexp(t, `^The pair this model mixes up most is .+ and .+: \d+ .+ taken for .+, and \d+ the other way\.$`, pair)
}

// TestDefectChineseTerms: in Chinese the page leaves no English where the
// glossary (web/glossary.js) has a term, says 步幅 and 卷积核 only, and
// puts no ASCII quotes or stray spaces beside Chinese.
func TestDefectChineseTerms(t *testing.T) {
	s := Start(t)
	s.OpenReady("")
	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
	Poll[bool](s, `document.documentElement.lang === 'zh-Hans'`)
	got := Eval[map[string]string](s, `({source: document.getElementById('model-source').textContent, credit: document.getElementById('data-credit').textContent, body: document.body.innerText})`)
	assert.Contains(t, got["source"], "预训练好的参考模型")
	assert.Equal(t, "Fashion-MNIST（2017 年原始版本）", got["credit"])
	body := got["body"]
	for _, bad := range []string{"reference", "original release", "步长", "滤波器"} {
		assert.NotContains(t, body, bad)
	}
	assert.NotRegexp(t, `[\p{Han}，。：；]"|"[\p{Han}，。：；]`, body, "ASCII quotes beside Chinese")
	assert.NotRegexp(t, ` [，。：；！？、）]`, body, "a space before Chinese punctuation")
	assert.Empty(t, s.Problems())
}

// fill paints the rectangle [x0, x1] x [y0, y1] of the 280x280 pad with
// horizontal strokes 12 pixels apart.
func fill(x0, y0, x1, y1 float64) [][]drawPoint {
	var strokes [][]drawPoint
	for y := y0; y <= y1; y += 12 {
		strokes = append(strokes, line(drawPoint{x0, y}, drawPoint{x1, y}, 8))
	}
	return strokes
}

// TestDefectDrawingStyleWarnings: a boot drawn toe right, and a small
// scribble in a corner, are not "nothing unusual": the engine's style
// checks (imageprep/style.go) name them, and the page explains them.
func TestDefectDrawingStyleWarnings(t *testing.T) {
	s := Start(t)
	s.OpenReady("")
	Eval[bool](s, countDrawn)
	codes := func(after int) []string {
		waitDrawn(s, after)
		return Eval[[]string](s, `window.convplay.views.draw.lastDrawing.warnings.map((w) => w.code)`)
	}
	// A boot, toe right: the sole along the bottom, the shaft on the left.
	boot := append(fill(30, 190, 250, 230), fill(30, 70, 110, 190)...)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, boot...)
	assert.Contains(t, codes(0), "pointing")
	assert.Contains(t, Eval[string](s, `document.querySelector('#sees-panel').textContent`), "every shoe in the data set points left")
	s.ScreenshotOf("#sees-panel", "defects-boot-right")

	// A small filled scribble in the top-left corner.
	n := Eval[int](s, `window.__drawn`)
	click(s, `#clear`)
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, fill(10, 10, 70, 60)...)
	assert.Contains(t, codes(n), "small")
	assert.NotEqual(t, "Your drawing looks like the data set's images.", Eval[string](s, `document.querySelector('#draw-panel .draw-status').textContent`))
	assert.Empty(t, s.Problems())
}

// TestDefectCurvesBesideTheControls: after Start the curves are in view
// below the controls (not below the whole architecture editor), and the
// lessons' nav stays at the top and marks the lesson in view.
func TestDefectCurvesBesideTheControls(t *testing.T) {
	s := openTrain(t, `{epochs: 1, subset: 1000, validationSubset: 500}`)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)))
	Eval[bool](s, `(document.getElementById('train-start').scrollIntoView({block: 'center'}), true)`)
	click(s, `#train-start`)
	Poll[bool](s, `!!document.querySelector('#train-result').dataset.reason`)
	pos := Eval[map[string]float64](s, `(() => { const c = document.getElementById('curves-panel').getBoundingClientRect(), b = document.getElementById('train-start').getBoundingClientRect();
		return {curves: c.top, start: b.top, view: innerHeight}; })()`)
	assert.Less(t, pos["curves"], pos["view"], "the curves begin in view while the Start button is in view: %v", pos)
	shot, err := chromedp.Run(s.Ctx, chromedp.CaptureScreenshot()) // the window as the student sees it
	require.NoError(t, err)
	t.Logf("screenshot: %s", s.saveShot("defects-training-view", shot))
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	Eval[bool](s, `(document.getElementById('conv-panel').scrollIntoView(), true)`)
	shot, err = chromedp.Run(s.Ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	t.Logf("screenshot: %s", s.saveShot("defects-nav-phone", shot))
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)))
	nav := Poll[map[string]any](s, `(() => { document.getElementById('eval-panel').scrollIntoView(); return new Promise((r) => setTimeout(() => requestAnimationFrame(() => {
		const n = document.querySelector('.lessons-nav'), cur = n.querySelector('[aria-current="location"]');
		r({top: n.getBoundingClientRect().top, current: cur ? cur.getAttribute('href') : ''}); }), 100)); })()`)
	assert.Equal(t, 0.0, nav["top"], "the nav stays at the top")
	assert.Equal(t, "#eval-panel", nav["current"])
}
