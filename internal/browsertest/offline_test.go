//go:build browser

package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/internal/webserver"
)

// The page's service worker (web/sw.js, registered by web/offline.js),
// tested as a student meets it: a first visit, a second visit in the same
// browser profile (nothing downloaded again), and a visit without a network
// (the page opens, predicts, trains on the data it saved, and says it is
// offline, in English and Chinese).

// savedData is sw.js's status of one data folder.
type savedData struct {
	Dir    string `json:"dir"`
	Files  int    `json:"files"`
	Cached int    `json:"cached"`
	Bytes  int64  `json:"bytes"`
}

// waitSaved polls (no sleeping in the page) until the service worker
// controls the page and keeps every file of data folder dir, and returns
// its status of that folder.
func waitSaved(s *Session, dir string) savedData {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, err := chromedp.Run(s.Ctx, chromedp.Evaluate[savedData](fmt.Sprintf(`(async () => {
			if (!navigator.serviceWorker.controller) return {dir: ''};
			const st = await window.convplay.offline.status();
			return (st && st.datasets.find((d) => d.dir === %q)) || {dir: ''}; })()`, dir), chromedp.EvalAwaitPromise))
		if err == nil && d.Dir == dir && d.Files > 0 && d.Cached == d.Files {
			return d
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the service worker did not keep %s: %+v, %v (problems %q)", dir, d, err, s.Problems())
		}
		time.Sleep(100 * time.Millisecond) // polling the worker's cache through the page
	}
}

// firstPrediction waits for the page's first prediction on screen and
// returns when it came, in ms from the navigation's start.
func firstPrediction(s *Session) float64 {
	s.t.Helper()
	Poll[bool](s, `performance.getEntriesByName('convplay:prediction:first').length > 0 && document.querySelector('#prediction[data-top]') !== null`)
	return Eval[float64](s, `performance.getEntriesByName('convplay:prediction:first')[0].startTime`)
}

// fromNetwork names the requests that reached the network, leaving out the
// browser's own update check of the service worker (sw.js and swbuild.js,
// which it fetches past every cache at each visit: a few kB).
func fromNetwork(reqs []string) (names []string, updateChecks int) {
	for _, r := range reqs {
		u, err := url.Parse(r)
		if err != nil {
			names = append(names, r)
			continue
		}
		if p := path.Base(u.Path); p == "sw.js" || p == "swbuild.js" {
			updateChecks++
			continue
		}
		names = append(names, strings.TrimPrefix(u.Path, "/"))
	}
	return names, updateChecks
}

// marks lists the page's start-up marks (app.js) and when the worker's
// engine answered, in ms from the navigation's start.
func marks(s *Session) string {
	return Eval[string](s, `performance.getEntriesByType('mark').filter((m) => m.name.startsWith('convplay:'))
		.map((m) => m.name.slice(9) + ' ' + Math.round(m.startTime)).join(', ')`)
}

// wire is what convplay's server sent: the bytes of the bodies as they
// went on the wire (compressed) and the paths it answered, in order.
type wire struct {
	sent  atomic.Int64
	mu    sync.Mutex
	paths []string
}

// served returns the paths answered since the n-th.
func (c *wire) served(n int) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.paths[n:]...)
}

// count wraps convplay's server (internal/webserver) to count what it sends.
func (c *wire) count(t *testing.T) func(string) http.Handler {
	return func(dir string) http.Handler {
		h, err := webserver.New(dir)
		require.NoError(t, err)
		t.Cleanup(func() { h.Close() })
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.mu.Lock()
			c.paths = append(c.paths, r.URL.Path)
			c.mu.Unlock()
			h.ServeHTTP(&countingWriter{ResponseWriter: w, sent: &c.sent}, r)
		})
	}
}

type countingWriter struct {
	http.ResponseWriter
	sent *atomic.Int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.sent.Add(int64(n))
	return n, err
}

// TestOfflineSecondVisit opens the page three times in one browser
// profile, as a student would on the same laptop: a first visit, after
// which the service worker keeps the page and the data set; a second
// visit, online, that downloads nothing again; and a visit with the
// network off (Chromium's emulation, the service worker's included, and
// every request that still reached the network failed) that predicts,
// trains on the saved data and says it is offline. It logs the figures
// BENCHMARKS.md records (time to the first prediction, bytes sent by the
// server); it asserts no time.
func TestOfflineSecondVisit(t *testing.T) {
	var server wire
	sent := &server.sent
	s := StartHandler(t, server.count(t))
	s.Open("")
	first := firstPrediction(s)
	firstBytes := sent.Load()
	s.WaitEngine()
	Poll[bool](s, `window.convplay.state.dataset.complete`)
	dataBytes := sent.Load()
	fashion := waitSaved(s, "data/fashion/")
	assert.Equal(t, "Saved on this device for offline use: Fashion-MNIST (clothing).",
		Poll[string](s, `(() => { const k = document.getElementById('offline-kept'); return !k.hidden && k.textContent; })()`),
		"the footer tells a teacher warming the devices that this one is ready")
	t.Logf("first visit: prediction at %.0f ms after %d bytes; %d bytes once the data set is in; %d bytes once the worker keeps it (%d files, %d bytes decoded); %d requests; marks: %s",
		first, firstBytes, dataBytes, sent.Load(), fashion.Files, fashion.Bytes, len(s.Requests()), marks(s))

	// The second visit, online: everything comes from the worker's cache.
	s.Renew()
	before := len(s.Requests())
	sentBefore, servedBefore := sent.Load(), len(server.served(0))
	s.OpenReady("")
	second := firstPrediction(s)
	secondBytes := sent.Load() - sentBefore
	names, checks := fromNetwork(s.Requests()[before:])
	assert.Empty(t, names, "the second visit downloads nothing again")
	servedNames, servedChecks := fromNetwork(server.served(servedBefore))
	assert.Empty(t, servedNames, "the server sent nothing but the worker's update check")
	checks += servedChecks
	assert.True(t, Eval[bool](s, `navigator.serviceWorker.controller !== null && crossOriginIsolated`), "served by the worker, still isolated")
	assert.True(t, Eval[bool](s, `document.getElementById('offline-note').hidden`), "no offline note while online")
	t.Logf("second visit: prediction at %.0f ms; requests to the network: %d, besides %d of the worker's update check; %d bytes sent; marks: %s", second, len(names), checks, secondBytes, marks(s))

	// The third visit, offline.
	s.Renew()
	s.SetOffline(true)
	before = len(s.Requests())
	s.OpenReady("")
	offline := firstPrediction(s)
	names, _ = fromNetwork(s.Requests()[before:])
	assert.Empty(t, names, "offline, every file came from the worker")
	assert.False(t, Eval[bool](s, `navigator.onLine`))
	note := Poll[string](s, `(() => { const n = document.getElementById('offline-note'); return !n.hidden && n.textContent; })()`)
	assert.Contains(t, note, "Offline: the page runs from the copy saved on this device.")
	// MNIST digits were never opened: the note says they are not saved here.
	assert.Contains(t, note, "Not saved here, so unavailable until the network is back: MNIST (digits).")
	t.Logf("offline visit: prediction at %.0f ms; marks: %s; note: %s", offline, marks(s), note)

	// Training runs on the saved data: one small epoch.
	Poll[bool](s, `!!window.convplay.views.train`)
	Eval[bool](s, `(window.convplay.views.train.set({model: 'small', continueWeights: false, optimizer: 'adam', learningRate: 0.001,
		batchSize: 32, epochs: 1, subset: 2000, validationSubset: 500, seed: 1, validation: true, checkpoint: false, early: false}), true)`)
	clickID(s, "train-start")
	require.Equal(t, "finished", waitDone(s, 90*time.Second))
	assert.Equal(t, "trained", Eval[string](s, `window.convplay.state.modelSource.kind`))

	// MNIST digits, never opened online, cannot load; the page says why.
	pickDataset(s, "digits")
	status := Poll[string](s, `window.convplay.state.dataset.error && document.getElementById('status-text').textContent`)
	assert.Equal(t, "Engine ready · this data set is not saved on this device: it loads when the network is back", status)
	assert.Regexp(t, `^data/digits/[^ ]+: HTTP 504 \(offline, and not saved on this device\)$`, Eval[string](s, `window.convplay.state.dataset.error`))
	assert.Contains(t, Eval[string](s, `document.getElementById('offline-note').textContent`), "MNIST (digits)")
	s.ScreenshotOf("header.site", "offline-digits")

	// In Chinese.
	Eval[bool](s, `(() => { const l = document.getElementById('lang'); l.value = 'zh'; l.dispatchEvent(new Event('change')); return true; })()`)
	zh := Poll[string](s, `(() => { const t = document.getElementById('offline-note').textContent; return t.includes('离线') && t; })()`)
	assert.Contains(t, zh, "离线：本页正在使用保存在这台设备上的副本。")
	assert.Contains(t, zh, "MNIST（手写数字）")
	assert.Equal(t, "引擎就绪 · 这个数据集没有保存在这台设备上：联网后才能加载", Poll[string](s, `(() => { const t = document.getElementById('status-text').textContent; return t.includes('引擎') && t; })()`))
	s.ScreenshotOf("header.site", "offline-note-zh")

	// Back online, the note goes.
	s.SetOffline(false)
	Poll[bool](s, `document.getElementById('offline-note').hidden`)
	var problems []string
	for _, p := range s.Problems() {
		if !strings.Contains(p, "status of 504 (Offline)") || !strings.Contains(p, "/data/digits/") {
			problems = append(problems, p) // the browser logs the digits it could not load; nothing else
		}
	}
	assert.Empty(t, problems)
}

// TestDistOfflineOnAPlainStaticHost: make dist's folder on a host that
// sends no headers (Python's http.server), warmed as the README says (both
// data sets opened once, the footer naming them): offline, the page opens
// still cross-origin isolated (the service worker adds the headers to what
// it saved), predicts, misses nothing and loads either data set.
func TestDistOfflineOnAPlainStaticHost(t *testing.T) {
	py := pythonServer(t, distDir(t))
	s := StartHandler(t, func(string) http.Handler { return httputil.NewSingleHostReverseProxy(py) })
	s.Open("")
	// The first load registers the worker and reloads once through it (see TestDistOnAPlainStaticHost).
	deadline := time.Now().Add(60 * time.Second)
	for {
		ok, err := chromedp.Run(s.Ctx, chromedp.Evaluate[bool](`window.crossOriginIsolated === true && navigator.serviceWorker.controller !== null`))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page did not come through its service worker (last error %v; problems %q)", err, s.Problems())
		}
		time.Sleep(50 * time.Millisecond) // polling the page, which reloads once
	}
	s.OpenReady("")
	waitSaved(s, "data/fashion/")
	// A teacher warming the device opens the digits too; the footer names both.
	pickDataset(s, "digits")
	Poll[bool](s, `window.convplay.state.dataset.name === 'digits' && window.convplay.state.dataset.complete`)
	waitSaved(s, "data/digits/")
	assert.Equal(t, "Saved on this device for offline use: Fashion-MNIST (clothing), MNIST (digits).",
		Poll[string](s, `(() => { const k = document.getElementById('offline-kept'); return !k.hidden && k.textContent.includes('MNIST (digits)') && k.textContent; })()`))

	s.Renew()
	s.SetOffline(true)
	before := len(s.Requests())
	s.OpenReady("")
	firstPrediction(s)
	names, _ := fromNetwork(s.Requests()[before:])
	assert.Empty(t, names, "offline, every file came from the worker")
	assert.True(t, Eval[bool](s, `crossOriginIsolated && typeof SharedArrayBuffer === 'function'`), "isolated offline too")
	assert.Equal(t, "Offline: the page runs from the copy saved on this device.",
		Poll[string](s, `(() => { const n = document.getElementById('offline-note'); return !n.hidden && n.textContent.trim(); })()`), "nothing is missing")
	// Both data sets load offline.
	pickDataset(s, "digits")
	Poll[bool](s, `window.convplay.state.dataset.name === 'digits' && window.convplay.state.dataset.complete && !window.convplay.state.dataset.error`)
	assert.Empty(t, s.Problems())
}

// pickDataset chooses a data set in the header's switch, as a student does.
func pickDataset(s *Session, name string) {
	s.t.Helper()
	Eval[bool](s, fmt.Sprintf(`(() => { const d = document.getElementById('dataset'); d.value = %q; d.dispatchEvent(new Event('change')); return true; })()`, name))
}

// copyTree copies the regular files under src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	}))
}

// evalThroughReload evaluates expr until it is truthy, through a reload
// of the page (chromedp's evaluation fails while the page changes).
func evalThroughReload[T comparable](s *Session, expr string) T {
	s.t.Helper()
	var zero T
	deadline := time.Now().Add(60 * time.Second)
	for {
		v, err := chromedp.Run(s.Ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
		if err == nil && v != zero {
			return v
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("browsertest: waiting for %s: %v (problems %q)", expr, err, s.Problems())
		}
		time.Sleep(200 * time.Millisecond) // polling a page that reloads
	}
}

// TestOfflineNewDeploy changes a file of the served page between visits,
// as a new deploy does: at the next visit the page still runs the build
// it had, whole, and says a new version is ready; the browser downloads
// only the changed file; at the visit after, the page takes the new build
// (reloading once at start if the old one served it) and runs it, whole.
func TestOfflineNewDeploy(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, WebDir(t), dir)
	var server wire
	s := StartHandler(t, func(string) http.Handler { return server.count(t)(dir) })
	s.OpenReady("")
	firstPrediction(s)
	waitSaved(s, "data/fashion/")
	build := `window.convplay.offline.status().then((st) => st ? st.build : '')`
	styled := `fetch('style.css').then((r) => r.text()).then((css) => css.includes('a new deploy'))`
	old := Eval[string](s, build)
	require.NotEmpty(t, old)

	f, err := os.OpenFile(filepath.Join(dir, "style.css"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("\n/* a new deploy */\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())

	served := len(server.served(0))
	s.Renew()
	s.OpenReady("")
	note := Poll[string](s, `(() => { const n = document.getElementById('offline-note'); return !n.hidden && n.textContent; })()`)
	assert.Contains(t, note, "A new version of the page is ready: it opens at your next visit.")
	assert.Equal(t, old, Eval[string](s, build), "this visit runs the build it started with")
	assert.False(t, Eval[bool](s, styled), "and every file of it")
	names, _ := fromNetwork(server.served(served))
	assert.Equal(t, []string{"style.css"}, names, "the new build downloads only the changed file")

	s.Renew()
	s.Open("")
	// The page takes the new build at start and reloads once through it;
	// or, when the old page's unloading let the browser activate the new
	// worker first, it comes through the new build at once.
	// Until the page runs (window.convplay is set after the hand-over) it
	// sends the worker nothing: a status message every poll would be an
	// event in flight, and Chromium activates the waiting worker only once
	// the running one has none.
	next := evalThroughReload[string](s, `(async () => {
		if (!window.convplay || !window.convplay.offline || document.body.dataset.engine !== 'ready') return '';
		const b = await `+build+`;
		return b !== '`+old+`' ? b : ''; })()`)
	assert.NotEqual(t, old, next)
	assert.True(t, Eval[bool](s, styled), "the new build's file")
	t.Logf("the new build came with a %s", Eval[string](s, `performance.getEntriesByType('navigation')[0].type`))
	Poll[bool](s, `document.getElementById('offline-note').hidden`)
	firstPrediction(s)
	assert.Empty(t, s.Problems())
}
