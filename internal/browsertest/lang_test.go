//go:build browser

package browsertest

import (
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// visibleEnglish lists the visible texts on the page that read as English
// prose (three words of Latin letters in a row, apart by spaces), outside
// code and the engine's own identifiers: in Chinese, there should be none.
// A dotted name such as keras.models.load_model is an identifier the
// Chinese text names as it is, not prose.
const visibleEnglish = `(() => {
	const out = [];
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const el = n.parentElement;
		if (!el || el.closest('pre, code, script, style, [translate=no], option[value=en]')) continue;
		if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
		const text = n.textContent.trim();
		if (/[A-Za-z]{3,}[,.:;-]*\s+[A-Za-z]{3,}[,.:;-]*\s+[A-Za-z]{3,}/.test(text)) out.push(text.slice(0, 120));
	}
	return out;
})()`

// TestLanguageSwitch switches the page to Chinese: every label with a
// translation key changes, no registered text lacks its Chinese version,
// no English prose stays visible, and the choice is remembered and shared
// through the URL.
func TestLanguageSwitch(t *testing.T) {
	s := Start(t)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)))
	s.OpenReady("?lang=en")
	Poll[bool](s, `window.convplay.state.prediction !== null || document.querySelector('#draw') !== null`)
	assert.Empty(t, Eval[[]string](s, `window.convplay.untranslated()`), "texts without Chinese")

	type label struct{ Key, Text string }
	labels := func() []label {
		return Eval[[]label](s, `[...document.querySelectorAll('[data-i18n]')].filter((el) => el.getClientRects().length)
			.map((el) => ({Key: el.dataset.i18n, Text: el.textContent}))`)
	}
	english := labels()
	require.NotEmpty(t, english)
	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
	assert.Equal(t, "zh-Hans", Eval[string](s, `document.documentElement.lang`))
	chinese := map[string]string{}
	for _, l := range labels() {
		chinese[l.Key] = l.Text
	}
	same := map[string]bool{}
	for _, k := range Eval[[]string](s, `window.convplay.sameInBoth()`) {
		same[k] = true
	}
	for _, l := range english {
		zh, ok := chinese[l.Key]
		if !ok || same[l.Key] {
			continue // hidden in one language, or the same text in both (a name, a symbol)
		}
		assert.NotEqual(t, l.Text, zh, "label %s did not change", l.Key)
	}
	assert.Empty(t, Eval[[]string](s, visibleEnglish), "English prose visible in Chinese")
	assert.Contains(t, Eval[string](s, `location.search`), "lang=zh")
	s.Screenshot("chinese")

	// Remembered: a later visit without the parameter opens in Chinese.
	s.OpenReady("")
	assert.Equal(t, "zh", Eval[string](s, `window.convplay.state.lang`))
	assert.Equal(t, "zh", Eval[string](s, `document.getElementById('lang').value`))
	assert.Empty(t, s.Problems())
}

// TestFirstVisitFollowsTheBrowser opens the page in a browser set to
// Chinese: with nothing remembered and no parameter, the page is Chinese.
func TestFirstVisitFollowsTheBrowser(t *testing.T) {
	s := Start(t)
	ua := Eval[string](s, `navigator.userAgent`)
	_, err := cdp.Call(s.Ctx, chromedp.FromContext(s.Ctx).Target, emulation.SetUserAgentOverride,
		emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: "zh-CN,zh"})
	require.NoError(t, err)
	s.OpenReady("")
	assert.Equal(t, "zh", Eval[string](s, `window.convplay.state.lang`), "navigator.languages = %v", Eval[[]string](s, `navigator.languages`))
	assert.Equal(t, "引擎就绪", Poll[string](s, `document.getElementById('status-text').textContent === '引擎就绪' && '引擎就绪'`))
	assert.Empty(t, s.Problems())
}
