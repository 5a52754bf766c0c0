//go:build browser

package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// segPlace clears nothing: it finds the first test image of each wanted
// label (getSample, the images the classifier's panels show) and places it
// on the segmentation pad at its {row, col}, the brighter ink kept where
// two overlap, as a test scene is composed (scenes/doc.go). It answers the
// items placed: their test index, label and corner.
const segPlace = `(async (want) => { const c = window.convplay.ctx, v = window.convplay.views.segment, out = [];
	for (const w of want) {
		let s = null, i = 0;
		for (; i < 500; i++) { s = await c.request('getSample', {split: 'test', index: i}); if (s.label === w.label) break; }
		if (!s || s.label !== w.label) throw new Error('no test image of label ' + w.label);
		for (let r = 0; r < 28; r++) for (let k = 0; k < 28; k++) {
			const p = (w.row + r) * 64 + w.col + k;
			v.pad[p] = Math.max(v.pad[p], s.image[r * 28 + k]);
		}
		window.__segItems = (window.__segItems || []).concat([{...w, image: Array.from(s.image)}]);
		out.push({index: i, label: s.label, row: w.row, col: w.col});
	}
	return out; })`

// segItemClasses is, for each placed item, how many of its pixels (where
// its own intensity is at least 32: the scenes' rule of which pixels are an
// item's) the mask gives each class, the most frequent class and its share.
const segItemClasses = `(() => { const r = window.convplay.views.segment.result;
	return window.__segItems.map((w) => { const n = new Array(11).fill(0);
		for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
			if (w.image[y * 28 + x] < 32) continue;
			n[r.classes[(w.row + y) * 64 + w.col + x]]++;
		}
		const total = n.reduce((a, b) => a + b, 0), top = n.indexOf(Math.max(...n));
		return {label: w.label, pixels: total, top, share: n[top] / total, counts: n}; }); })()`

// segItem is one placed item's outcome (segItemClasses).
type segItem struct {
	Label  int     `json:"label"`
	Pixels int     `json:"pixels"`
	Top    int     `json:"top"`
	Share  float64 `json:"share"`
	Counts []int   `json:"counts"`
}

// TestSegmentShippedFashion: the segmentation lesson on Fashion-MNIST uses
// the FCN shipped for it (not a fresh one) and says so in both languages; a
// student clears the pad and puts a trouser and a bag from the test images
// at two places, and the mask gives each item its own, right class over
// most of its pixels.
func TestSegmentShippedFashion(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("?data=fashion&lang=en")
	assert.Empty(t, Eval[string](s, `performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /fcn-[a-z]+\.cpw/.test(n)).join()`),
		"the lesson's model is not fetched before the student comes near the lesson")
	scrollToSegment(t, s) // the lesson loads its model once it is near the screen

	Poll[bool](s, `(() => { const v = window.convplay.views.segment; return v.kind === 'shipped' && !!v.result && !!v.scene; })()`)
	assert.Contains(t, Eval[string](s, `document.querySelector('#seg-panel .seg-model').textContent`),
		"the shipped FCN, trained with the command line on Fashion-MNIST scenes")
	assert.Contains(t, Eval[string](s, `document.querySelector('#seg-panel .seg-recipe').textContent`), "new scenes",
		"training goes on from the shipped FCN (not the no-shipped-model note)")
	assert.Equal(t, 105531.0, Eval[float64](s, `window.convplay.views.segment.info.totalParams`), "the fcn preset")

	Eval[bool](s, `(document.querySelector('#seg-panel .seg-clear').click(), true)`)
	Poll[bool](s, `window.convplay.views.segment.scene === null && window.convplay.views.segment.pad.every((v) => v === 0)`)
	// A trouser (label 1) at the top left, a bag (label 8) lower on the right.
	placed := Eval[[]map[string]float64](s, segPlace+`([{label: 1, row: 4, col: 2}, {label: 8, row: 32, col: 34}])`)
	t.Logf("placed: %v", placed)
	// The pad changed under the view: an eraser tap on an empty corner (a
	// student's stroke, which erases nothing there) repaints it and segments.
	before := Eval[float64](s, `(window.__segBefore = window.convplay.views.segment.result, 1)`)
	require.Equal(t, 1.0, before)
	Eval[bool](s, `(document.querySelector('#seg-panel .seg-eraser').click(), true)`)
	drawStrokesOn(t, s, "#seg-panel .seg-pad", 64, input.DispatchMouseEventPointerTypeMouse, []drawPoint{{4, 60}, {5, 60}})
	Eval[bool](s, `(document.querySelector('#seg-panel .seg-pen').click(), true)`)
	pollFor[bool](s, `window.convplay.views.segment.result !== window.__segBefore`, 20*time.Second)
	time.Sleep(500 * time.Millisecond) // a segment asked for meanwhile
	items := Eval[[]segItem](s, segItemClasses)
	require.Len(t, items, 2)
	for _, it := range items {
		t.Logf("label %d: %d pixels, mask classes %v", it.Label, it.Pixels, it.Counts)
		assert.Greater(t, it.Pixels, 150, "a whole item was placed")
		assert.Equal(t, it.Label+1, it.Top, "item of label %d: the mask's most frequent class over its pixels", it.Label)
		assert.Greater(t, it.Share, 0.5, "item of label %d: its class over most of its pixels", it.Label)
	}
	assert.Contains(t, Eval[string](s, `document.querySelector('#seg-panel .seg-source').textContent`), "Your drawing")
	legend := Eval[map[string]string](s, `Object.fromEntries([...document.querySelectorAll('#seg-panel .seg-legend li')].map((li) => [li.dataset.class, li.dataset.pixels + ' ' + li.textContent]))`)
	assert.Contains(t, legend["2"], "Trouser")
	assert.Contains(t, legend["9"], "Bag")

	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
	assert.Contains(t, Poll[string](s, `(() => { const t = document.querySelector('#seg-panel .seg-model').textContent; return t.includes('模型') && t; })()`),
		"在 Fashion-MNIST 场景上训练")
	setViewport(t, s, 1280, 1400)
	elementShot(t, s, "segment-fashion", "#seg-panel")
	assert.Empty(t, s.Problems())
}
