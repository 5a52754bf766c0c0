//go:build browser

package browsertest

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sandboxShown is what the sandbox shows once its settings are s.
type sandboxShown struct {
	Settings string `json:"settings"`
	Valid    bool   `json:"valid"`
	Out      int    `json:"out"`      // output grid cells per side
	Padded   int    `json:"padded"`   // input grid cells per side
	Formula  string `json:"formula"`  // the formula line
	Problem  string `json:"problem"`  // the explanation of an invalid combination
	Window   int    `json:"window"`   // input cells marked as in the window
	URL      string `json:"url"`      // the URL's sandbox value
	Result   string `json:"result"`   // the sentence with the output size
	Uncross  int    `json:"unseen"`   // cells crossed out as never seen
	PadCells int    `json:"padCells"` // padding cells
}

func sandboxAt(t *testing.T, s *Session, settings string) sandboxShown {
	t.Helper()
	Eval[bool](s, fmt.Sprintf(`(() => { const [n, k, st, p] = '%s'.split(',');
		const v = {n: +n, k: +k, s: +st};
		if (p === 'valid' || p === 'same') Object.assign(v, {padding: p, p: 0}); else Object.assign(v, {padding: 'explicit', p: +p});
		window.convplay.views.sandbox.set(v); return true; })()`, settings))
	return Poll[sandboxShown](s, fmt.Sprintf(`(() => {
		const v = window.convplay.views.sandbox, r = v.last;
		if (!r) return null;
		const got = [r.n, r.k, r.s, r.padding === 'explicit' ? r.p : r.padding].join(',');
		if (got !== '%s') return null;
		const sec = document.getElementById('sandbox-panel');
		return {settings: got, valid: r.valid, out: Number(sec.querySelector('.sb-out').dataset.size || 0),
			padded: Number(sec.querySelector('.sb-in').dataset.size || 0),
			formula: sec.querySelector('.sb-formula').textContent, problem: sec.querySelector('.sb-problem').textContent,
			window: sec.querySelectorAll('.sb-in .in-window').length, url: new URLSearchParams(location.search).get('sandbox'),
			result: sec.querySelector('.sb-result').textContent, unseen: sec.querySelectorAll('.sb-in .unseen').length,
			padCells: sec.querySelectorAll('.sb-in .pad').length};
	})()`, settings))
}

func TestSandbox(t *testing.T) {
	s := Start(t)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)))
	s.OpenReady("?sandbox=9,3,2,1")
	t.Run("the URL's settings are restored", func(t *testing.T) {
		got := Poll[string](s, `(() => { const r = window.convplay.views.sandbox && window.convplay.views.sandbox.last; return r && [r.n, r.k, r.s, r.p, r.padding, r.out].join(','); })()`)
		assert.Equal(t, "9,3,2,1,explicit,5", got)
		assert.Equal(t, "9", Eval[string](s, `document.querySelector('#sandbox-panel .sb-n').value`))
		assert.Equal(t, "explicit", Eval[string](s, `document.querySelector('#sandbox-panel .sb-padding').value`))
	})
	s.ScreenshotOf("#sandbox-panel", "sandbox-stride")

	// The output size by the formula, computed here independently of the
	// page and the engine: floor((n + before + after - k) / s) + 1, with
	// same's padding from out = ceil(n / s).
	formula := func(n, k, st int, padding string, p int) (out, before, after int, ok bool) {
		if st < 1 {
			return 0, 0, 0, false
		}
		switch padding {
		case "valid":
			if k > n {
				return 0, 0, 0, false
			}
		case "same":
			out = (n + st - 1) / st
			total := max((out-1)*st+k-n, 0)
			before, after = total/2, total-total/2
		default:
			if k > n+2*p {
				return 0, 0, 0, false
			}
			before, after = p, p
		}
		return (n+before+after-k)/st + 1, before, after, true
	}
	for _, tt := range []struct {
		n, k, s int
		pad     string // valid, same or p
		problem string // words in the explanation of an invalid combination
	}{
		{n: 7, k: 3, s: 1, pad: "valid"},
		{n: 7, k: 3, s: 1, pad: "same"},
		{n: 7, k: 2, s: 2, pad: "valid"},
		{n: 8, k: 2, s: 2, pad: "valid"},
		{n: 6, k: 3, s: 2, pad: "same"},
		{n: 5, k: 4, s: 1, pad: "same"},
		{n: 9, k: 3, s: 3, pad: "2"},
		{n: 5, k: 1, s: 2, pad: "valid"},
		{n: 16, k: 5, s: 2, pad: "0"},
		{n: 1, k: 3, s: 1, pad: "1"},
		{n: 2, k: 5, s: 1, pad: "valid", problem: "does not fit"},
		{n: 3, k: 9, s: 1, pad: "2", problem: "does not fit"},
		{n: 6, k: 3, s: 0, pad: "same", problem: "stride must be at least 1"},
	} {
		settings := fmt.Sprintf("%d,%d,%d,%s", tt.n, tt.k, tt.s, tt.pad)
		t.Run(settings, func(t *testing.T) {
			got := sandboxAt(t, s, settings)
			p := 0
			padding := tt.pad
			if tt.pad != "valid" && tt.pad != "same" {
				fmt.Sscan(tt.pad, &p)
				padding = "explicit"
			}
			out, before, after, ok := formula(tt.n, tt.k, tt.s, padding, p)
			assert.Equal(t, settings, got.URL, "the settings are in the URL")
			if !ok {
				assert.False(t, got.Valid)
				assert.Contains(t, got.Problem, tt.problem)
				return
			}
			require.True(t, got.Valid, got.Problem)
			assert.Equal(t, out, got.Out, "output size")
			assert.Equal(t, tt.n+before+after, got.Padded, "padded input size")
			assert.Equal(t, (tt.n+before+after)*(tt.n+before+after)-tt.n*tt.n, got.PadCells)
			assert.Equal(t, tt.k*tt.k, got.Window, "the window covers k x k cells")
			assert.Contains(t, got.Formula, fmt.Sprintf("+ 1 = %d", out))
			assert.Contains(t, got.Result, fmt.Sprintf("%d×%d output", out, out))
		})
	}
	sandboxAt(t, s, "7,2,2,valid")
	s.ScreenshotOf("#sandbox-panel", "sandbox-floor")
	sandboxAt(t, s, "2,5,1,valid")
	s.ScreenshotOf("#sandbox-panel", "sandbox-invalid")
	t.Run("Chinese", func(t *testing.T) {
		Eval[bool](s, `(window.convplay.ctx.setLang('zh'), true)`)
		assert.Contains(t, Eval[string](s, `document.querySelector('#sandbox-panel .sb-problem').textContent`), "卷积核放不进")
		Eval[bool](s, `(window.convplay.ctx.setLang('en'), true)`)
	})
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(390, 844)))
	sandboxAt(t, s, "6,3,2,same")
	s.ScreenshotOf("#sandbox-panel", "sandbox-phone")
	assert.Empty(t, overflowing(s, "#sandbox-panel"), "nothing sticks out of the panel on a phone")
	assert.Empty(t, s.Problems())
}
