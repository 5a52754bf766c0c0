//go:build browser

package browsertest

import (
	"fmt"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestStartupTimeline loads the page cold (a fresh profile, nothing
// cached), then warm (the same profile once the service worker keeps the
// page and the data set), and logs where the time to the first prediction
// goes in each: the page's marks (app.js: convplay:*) and every request
// the page made, in order of start, with when it ended. It asserts nothing
// about time (the machine is shared): it is the measurement to read before
// cutting.
func TestStartupTimeline(t *testing.T) {
	s := Start(t)
	s.Open("")
	logTimeline(t, s, "cold start")
	s.WaitEngine()
	waitSaved(s, "data/fashion/")
	s.Renew()
	s.Open("")
	logTimeline(t, s, "warm start (the service worker answers)")
}

// logTimeline waits for the first prediction on screen and logs the visit's timeline.
func logTimeline(t *testing.T, s *Session, visit string) {
	t.Helper()
	first := firstPrediction(s)
	type entry struct {
		Name       string
		Start, End float64
	}
	entries := Eval[[]entry](s, `[
		...performance.getEntriesByType('navigation').map((e) => ({name: 'navigation (index.html)', start: e.startTime, end: e.responseEnd})),
		...performance.getEntriesByType('resource').map((e) => ({name: e.name, start: e.startTime, end: e.responseEnd})),
		...performance.getEntriesByType('mark').filter((m) => m.name.startsWith('convplay:')).map((m) => ({name: m.name, start: m.startTime, end: m.startTime})),
	].sort((a, b) => a.start - b.start)`)
	var b strings.Builder
	for _, e := range entries {
		name := e.Name
		if u, err := url.Parse(name); err == nil && u.Host != "" {
			name = path.Base(u.Path)
		}
		if e.End > e.Start {
			fmt.Fprintf(&b, "\n%7.0f ms → %7.0f ms  %s", e.Start, e.End, name)
		} else {
			fmt.Fprintf(&b, "\n%7.0f ms             %s", e.Start, name)
		}
	}
	t.Logf("%s, first prediction on screen after %.0f ms:%s", visit, first, b.String())
	if len(entries) == 0 {
		t.Fatal("no timeline")
	}
}

// TestLateViewsCatchUp opens the page in Chinese as a student would and
// checks the start-up order (app.js, mount.js): the first prediction is on
// screen before the lessons below it mount, and those views, which missed
// the engine's ready, the model, the data set and the prediction, show
// them anyway (core.js, viewContext), in the page's language, and follow a
// language switch from there.
func TestLateViewsCatchUp(t *testing.T) {
	s := Start(t)
	s.Open("?lang=zh&model=small")
	if state := s.WaitEngine(); state != "ready" {
		t.Fatalf("the engine %s (problems: %q)", state, s.Problems())
	}
	Poll[bool](s, `performance.getEntriesByName('convplay:prediction:first').length > 0 && document.querySelector('#prediction[data-top]') !== null`)
	mark := func(name string) float64 {
		return Eval[float64](s, `(performance.getEntriesByName('convplay:`+name+`')[0] || {startTime: -1}).startTime`)
	}
	first, firstViews, lastView := mark("prediction:first"), mark("views:first"), mark("view:keep")
	t.Logf("the pad and the bars mounted at %.0f ms, the first prediction at %.0f ms, the last view at %.0f ms", firstViews, first, lastView)
	assert.Less(t, firstViews, first, "the first views mount before the first prediction")
	assert.Less(t, first, mark("view:sees"), "the first lesson below mounts after the first prediction")
	assert.Less(t, first, lastView, "the last view mounts after the first prediction")

	// The layers view mounted after the model and the prediction came: its strip is the model's, with the image's maps.
	Poll[bool](s, `(() => { const names = window.convplay.state.model.layers.map((l) => l.name);
		const lis = [...document.querySelectorAll('#layers > li')];
		return lis.length === names.length && lis.every((li, i) => li.dataset.name === names[i]) &&
			document.querySelector('#layers > li .net-thumbs canvas') !== null; })()`)
	// The why view filled its layer picker from the model it never saw arrive.
	Poll[bool](s, `(() => { const names = window.convplay.state.model.layers.filter((l) => l.type === 'Conv2D').map((l) => l.name);
		const opts = [...document.querySelectorAll('#why-panel .why-layer option')].map((o) => o.textContent);
		return names.length > 0 && opts.length === names.length && opts.every((o) => names.includes(o)); })()`)
	// The architecture editor starts from the small model once the engine is ready: it mounted after that ready.
	Poll[bool](s, `(() => { const spec = window.convplay.views.arch && window.convplay.views.arch.spec();
		return !!spec && spec.layers.length > 0 && document.querySelectorAll('#arch-panel .arch-layer').length === spec.layers.length; })()`)
	// In the page's language, and the next one.
	title := `document.querySelector('#network-panel h2').textContent`
	assert.Regexp(t, `\p{Han}`, Eval[string](s, title), "the late view speaks Chinese")
	assert.Equal(t, Eval[string](s, `window.convplay.ctx.t('network.title')`), Eval[string](s, title))
	Eval[bool](s, `(() => { const l = document.getElementById('lang'); l.value = 'en'; l.dispatchEvent(new Event('change')); return true; })()`)
	Poll[bool](s, title+` === 'Inside the network, layer by layer'`)
	assert.Empty(t, s.Problems())
}
