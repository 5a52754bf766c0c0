//go:build browser

package browsertest

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
)

// unnamedJS lists the visible controls and canvases without an accessible name.
const unnamedJS = `(() => {
		const named = (el) => {
			if (el.closest('[aria-hidden=true]')) return true;
			if ((el.getAttribute('aria-label') || '').trim()) return true;
			const by = el.getAttribute('aria-labelledby');
			if (by && by.split(/\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
			if ((el.title || '').trim()) return true;
			if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
			if (el.closest('label') && el.closest('label').textContent.trim()) return true;
			if (el.tagName !== 'CANVAS' && el.tagName !== 'INPUT' && el.tagName !== 'SELECT' && el.textContent.trim()) return true;
			return false;
		};
		// A canvas inside a named picture (role=img) or a named button is part of it.
		const inNamed = (el) => {
			const host = el.parentElement && el.parentElement.closest('[role=img], button, a');
			return !!host && named(host);
		};
		const out = [];
		for (const el of document.querySelectorAll('button, input, select, canvas, [role=button], [tabindex="0"]')) {
			if (!el.getClientRects().length || el.type === 'hidden') continue;
			if (!named(el) && !(el.tagName === 'CANVAS' && inNamed(el))) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ')[0] : '') + ' in ' + (el.closest('section')?.id || '?'));
		}
		return out;
	})()`

// TestEveryControlIsNamed walks the whole page as a screen reader would
// meet it: every visible button, input, select and canvas that carries
// meaning has an accessible name (its text, a label, aria-label or
// aria-labelledby, or a title), a canvas may instead be part of a named
// picture (role=img) or button, and decorative ones are hidden from
// assistive technology (aria-hidden).
func TestEveryControlIsNamed(t *testing.T) {
	s := Start(t)
	if err := chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	s.OpenReady("")
	Poll[bool](s, `window.convplay.state.prediction !== null`)
	assert.Empty(t, Eval[[]string](s, unnamedJS), "controls and canvases without an accessible name")
	// An opened layer (its maps and filters) too.
	Eval[bool](s, `(document.querySelector('#layers > li[data-layer="1"] button').click(), true)`)
	Poll[bool](s, `new URLSearchParams(location.search).get('layer') !== null`)
	assert.Empty(t, Eval[[]string](s, unnamedJS), "in the opened layer")
	assert.Empty(t, s.Problems())
}
