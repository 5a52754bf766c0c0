//go:build browser

package browsertest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// monkeyControls lists the page's controls a student can reach now: shown,
// enabled, not a file picker or a download, each with what acting on it
// means (kind) and its centre after scrolling it into view. Indexes into
// the list are only good until the page changes, so each action asks anew.
const monkeyControls = `(() => {
	const shown = (el) => el.getClientRects().length > 0 && !el.closest('[hidden]') && getComputedStyle(el).visibility !== 'hidden';
	const sel = 'button, select, input, canvas, summary, a[href^="#"], [tabindex="0"]';
	const all = [...document.querySelectorAll(sel)].filter((el) => shown(el) && !el.disabled &&
		!(el.type === 'file') && !el.hasAttribute('download') && !el.closest('.skip'));
	window.__monkey = all;
	return all.length;
})()`

// monkeyAct scrolls control i into view and says what it is and where, or,
// for a control set by value (select, number, text), sets it with r in
// [0, 1) as a student's pick and returns kind "set".
const monkeyAct = `((i, r) => {
	const el = window.__monkey[i];
	if (!el || !el.isConnected) return {kind: 'gone'};
	el.scrollIntoView({block: 'center'});
	const b = el.getBoundingClientRect();
	const name = (el.id ? '#' + el.id : el.tagName.toLowerCase()) + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') +
		' ' + (el.textContent || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30);
	const at = {x: b.left + b.width / 2, y: b.top + b.height / 2, w: b.width, h: b.height, left: b.left, top: b.top};
	const fire = () => { el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); };
	if (el.tagName === 'SELECT') {
		const opts = [...el.options].filter((o) => !o.disabled);
		if (!opts.length) return {kind: 'none', name};
		el.value = opts[Math.floor(r * opts.length)].value;
		fire();
		return {kind: 'set', name: name + ' = ' + el.value};
	}
	if (el.tagName === 'INPUT' && ['number', 'text', 'search', ''].includes(el.type)) {
		const lo = el.min === '' ? -10 : Number(el.min), hi = el.max === '' ? 100 : Number(el.max);
		const picks = [String(lo), String(hi), String(Math.round(lo + r * (hi - lo))), '', String(hi * 10 + 7), '-1', '2.5', 'abc'];
		el.focus();
		el.value = picks[Math.floor(r * picks.length)];
		fire();
		return {kind: 'set', name: name + ' = ' + JSON.stringify(el.value)};
	}
	if (el.tagName === 'CANVAS') return {kind: 'drag', name, ...at};
	if (el.tagName === 'INPUT' && el.type === 'range') return {kind: 'slide', name, ...at};
	return {kind: 'click', name, ...at};
})`

// monkeyOddities finds text a student must never read: a value the page
// forgot to fill, an object printed, a placeholder not replaced.
const monkeyOddities = `(() => {
	// The text a student reads: code samples (pre, code) may hold braces.
	const parts = [];
	const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walk.nextNode(); n; n = walk.nextNode()) {
		const el = n.parentElement;
		if (!el || el.closest('pre, code, script, style, [hidden]') || !el.getClientRects().length) continue;
		parts.push(n.data);
	}
	const text = parts.join(' ');
	const bad = [/\bundefined\b/, /\[object \w+\]/, /\{[a-zA-Z]+\}/, /\bNaN\b(?! weights| values| or)/];
	const found = [];
	for (const re of bad) {
		const m = re.exec(text);
		if (m) found.push(JSON.stringify(text.slice(Math.max(0, m.index - 60), m.index + 60)));
	}
	return found;
})()`

// TestStudentMonkey clicks, slides, draws, types and presses keys on the
// page at random, as a student trying everything at once would: buttons
// pressed early and twice, the data set and the language switched mid-run,
// numbers out of range. The page must throw nothing, log no error, show no
// "undefined" or "[object Object]", and still classify a drawing at the end.
// Even seeds run on a phone's screen, odd ones on a laptop's.
// CONVPLAY_MONKEY_SEEDS (e.g. "7,8,9") and CONVPLAY_MONKEY_STEPS replace
// the fixed seeds and the step count to explore further.
func TestStudentMonkey(t *testing.T) {
	seeds := []uint64{1, 2}
	if env := os.Getenv("CONVPLAY_MONKEY_SEEDS"); env != "" {
		seeds = nil
		for _, f := range strings.Split(env, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
			require.NoError(t, err)
			seeds = append(seeds, n)
		}
	}
	steps := 80
	if env := os.Getenv("CONVPLAY_MONKEY_STEPS"); env != "" {
		n, err := strconv.Atoi(env)
		require.NoError(t, err)
		steps = n
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			monkey(t, seed, steps)
		})
	}
}

type monkeyTarget struct {
	Kind string  `json:"kind"`
	Name string  `json:"name"`
	X    float64 `json:"x"`
	Y    float64 `json:"y"`
	W    float64 `json:"w"`
	H    float64 `json:"h"`
	Left float64 `json:"left"`
	Top  float64 `json:"top"`
}

func monkey(t *testing.T, seed uint64, steps int) {
	s := Start(t)
	s.Allow(10 * time.Minute)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	if seed%2 == 0 { // even seeds on a phone, odd ones on a laptop
		require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	} else {
		require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(1280, 900)))
	}
	s.Open("")
	tab := chromedp.FromContext(s.Ctx).Target
	mouse := func(typ input.DispatchMouseEventType, x, y float64, buttons int64) {
		p := input.DispatchMouseEventParams{Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, Buttons: buttons, ClickCount: 1, PointerType: input.DispatchMouseEventPointerTypeMouse}
		if typ == input.DispatchMouseEventTypeMouseMoved {
			p.ClickCount = 0
		}
		_, err := cdp.Call(s.Ctx, tab, input.DispatchMouseEvent, p)
		require.NoError(t, err)
	}
	keys := []string{kb.Tab, kb.Enter, " ", kb.Escape, kb.ArrowRight, kb.ArrowDown, kb.ArrowLeft}
	var log []string
	for i := range steps {
		// The first steps come while the engine starts: a student does not wait.
		time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond)
		if rng.IntN(8) == 0 {
			k := keys[rng.IntN(len(keys))]
			log = append(log, fmt.Sprintf("%d key %q", i, k))
			require.NoError(t, chromedp.Do(s.Ctx, chromedp.KeyEvent(k)))
			continue
		}
		n := Eval[int](s, monkeyControls)
		if n == 0 {
			continue
		}
		c := Eval[monkeyTarget](s, fmt.Sprintf(`%s(%d, %v)`, monkeyAct, rng.IntN(n), rng.Float64()))
		log = append(log, fmt.Sprintf("%d %s %s", i, c.Kind, c.Name))
		switch c.Kind {
		case "click":
			mouse(input.DispatchMouseEventTypeMousePressed, c.X, c.Y, 1)
			mouse(input.DispatchMouseEventTypeMouseReleased, c.X, c.Y, 0)
		case "slide":
			x := c.Left + rng.Float64()*c.W
			mouse(input.DispatchMouseEventTypeMousePressed, x, c.Y, 1)
			mouse(input.DispatchMouseEventTypeMouseReleased, x, c.Y, 0)
		case "drag":
			x, y := c.Left+rng.Float64()*c.W, c.Top+rng.Float64()*c.H
			mouse(input.DispatchMouseEventTypeMousePressed, x, y, 1)
			for range 1 + rng.IntN(6) {
				x, y = c.Left+rng.Float64()*c.W, c.Top+rng.Float64()*c.H
				mouse(input.DispatchMouseEventTypeMouseMoved, x, y, 1)
			}
			mouse(input.DispatchMouseEventTypeMouseReleased, x, y, 0)
		}
		if p := s.Problems(); len(p) > 0 {
			t.Fatalf("seed %d: after these steps:\n%s\nthe page reported: %q", seed, strings.Join(log, "\n"), p)
		}
	}
	// Whatever the student started, the page must come back to classifying a drawing.
	Eval[bool](s, `(async () => { const c = window.convplay.ctx; if (c.state.training) { try { await c.request('stop'); } catch (e) {} } return true; })()`)
	if state := s.WaitEngine(); state != "ready" {
		t.Fatalf("seed %d: the engine %s after:\n%s\nproblems %q", seed, state, strings.Join(log, "\n"), s.Problems())
	}
	if wide := Eval[string](s, `(() => { const w = document.documentElement.scrollWidth; if (w <= innerWidth + 1) return '';
		const out = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > innerWidth + 1 && el.getClientRects().length)
			.map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : ''));
		return w + ' px wide: ' + out.slice(0, 8).join(', '); })()`); wide != "" {
		t.Errorf("seed %d: the page scrolls sideways, %s, after:\n%s", seed, wide, strings.Join(log, "\n"))
	}
	if odd := Eval[[]string](s, monkeyOddities); len(odd) > 0 {
		t.Errorf("seed %d: the page shows %s after:\n%s", seed, strings.Join(odd, "; "), strings.Join(log, "\n"))
	}
	Eval[bool](s, countDrawn)
	click(s, "#draw-pen") // the student may have left the eraser on
	drawStrokes(t, s, input.DispatchMouseEventPointerTypeMouse, line(drawPoint{60, 60}, drawPoint{220, 220}, 12), line(drawPoint{220, 60}, drawPoint{60, 220}, 12))
	if _, err := chromedp.Run(s.Ctx, chromedp.Poll[bool](`(() => { const p = window.convplay.state.prediction;
		return window.__drawn > 0 && p && p.input.source === 'draw' && p.input === window.convplay.state.input; })()`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		state := Eval[string](s, `JSON.stringify((() => { const st = window.convplay.state;
			return {engine: st.engine, training: st.training, error: st.error, model: st.model && st.model.summary && st.model.summary.slice(0, 300),
				input: st.input && st.input.source, prediction: st.prediction && st.prediction.input.source, drawn: window.__drawn,
				busy: window.convplay.views.draw.busy, status: document.getElementById('status').innerText}; })())`)
		t.Fatalf("seed %d: a drawing got no prediction (%v); the page: %s; after:\n%s\nproblems %q", seed, err, state, strings.Join(log, "\n"), s.Problems())
	}
	if p := s.Problems(); len(p) > 0 {
		t.Fatalf("seed %d: after:\n%s\nthe page reported: %q", seed, strings.Join(log, "\n"), p)
	}
}
