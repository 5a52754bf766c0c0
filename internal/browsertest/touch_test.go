//go:build browser

package browsertest

import (
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTouchShowsValues: on a phone, where no pointer hovers, a tap on a
// feature map shows the value under the finger (what a mouse's hover shows
// in the title), in the page's language, near the finger and inside the
// screen; a tap on the drawing pad shows nothing and draws as before.
func TestTouchShowsValues(t *testing.T) {
	s := Start(t)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)))
	s.OpenReady("?lang=zh")
	Poll[bool](s, `!!window.convplay.state.prediction`)
	Eval[bool](s, `document.querySelector('#layers > li[data-layer="0"] button').click(), true`)
	// The maps are drawn at once and again when the layer's filters arrive,
	// each now beside its filter: the map moves then, so the tap waits for it.
	Poll[bool](s, `document.querySelectorAll('#layer-detail canvas.filter').length === 32 && !!window.convplay.views.network.filters`)
	r := Eval[drawRect](s, `(() => { const cv = document.querySelector('#layer-detail canvas.big');
		cv.scrollIntoView({ block: 'center' });
		const r = cv.getBoundingClientRect();
		return {Left: r.left, Top: r.top, Width: r.width, Height: r.height}; })()`)

	tap := func(x, y float64) {
		fingers(t, s, input.DispatchTouchEventTypeTouchStart, &input.TouchPoint{X: x, Y: y})
		fingers(t, s, input.DispatchTouchEventTypeTouchEnd)
	}
	// The cell a quarter of the way across and down the 28x28 map: index 7,
	// which a student counts (views/shared/count.js) as row 8, column 8.
	tap(r.Left+r.Width*0.27, r.Top+r.Height*0.27)
	Poll[bool](s, `(() => { const tip = document.querySelector('.touch-tip'); return !!tip && !tip.hidden; })()`)
	tip := Eval[string](s, `document.querySelector('.touch-tip').textContent`)
	assert.Regexp(t, `^第 1 张图，第 8 行，第 8 列：-?[0-9.]+$`, tip)
	assert.Equal(t, tip, Eval[string](s, `document.querySelector('#layer-detail canvas.big').title`))
	inside := Eval[bool](s, `(() => { const b = document.querySelector('.touch-tip').getBoundingClientRect();
		return b.left >= 0 && b.top >= 0 && b.right <= innerWidth && b.bottom <= innerHeight; })()`)
	assert.True(t, inside, "the tip lies inside the screen")
	shot, err := chromedp.Run(s.Ctx, chromedp.CaptureScreenshot()) // the screen as the student sees it: the tip is fixed to it
	require.NoError(t, err)
	t.Logf("screenshot: %s", s.saveShot("touch-tip-phone", shot))

	// A tap on the pad draws, and shows no tip.
	p := padRect(t, s)
	tap(p.Left+p.Width/2, p.Top+p.Height/2)
	Poll[bool](s, `document.querySelector('.touch-tip').hidden`)
	assert.Empty(t, s.Problems())
}
