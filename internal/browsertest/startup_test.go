//go:build browser

package browsertest

import (
	"fmt"
	"net/url"
	"path"
	"strings"
	"testing"
)

// TestStartupTimeline loads the page cold (a fresh profile, nothing
// cached) and logs where the time to the first prediction goes: the page's
// marks (app.js: convplay:*) and every request the page made, in order of
// start, with when it ended. It asserts nothing about time (the machine is
// shared): it is the measurement to read before cutting.
func TestStartupTimeline(t *testing.T) {
	s := Start(t)
	s.Open("")
	Poll[bool](s, `performance.getEntriesByName('convplay:prediction:first').length > 0 && document.querySelector('#prediction[data-top]') !== null`)
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
	t.Logf("cold start, first prediction on screen after %.0f ms:%s", Eval[float64](s, `performance.getEntriesByName('convplay:prediction:first')[0].startTime`), b.String())
	if len(entries) == 0 {
		t.Fatal("no timeline")
	}
}
