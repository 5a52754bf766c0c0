// Package browsertest runs the page in headless Chromium for tests: Start
// serves the repository's web/ directory in process (internal/webserver on
// 127.0.0.1:0), launches Debian's /usr/bin/chromium through chromedp with a
// fresh profile, and records every console error, exception, error log
// entry and request, so a test can assert that none went wrong.
//
// The tests of this package carry the build tag "browser": `make
// test-browser` builds the WebAssembly first and runs them (go test -tags
// browser ./internal/browsertest/). Later browser tests reuse Start.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"convplay/internal/webserver"
)

// Chromium is the browser the tests drive: Debian's package.
const Chromium = "/usr/bin/chromium"

// Timeout bounds one whole browser session.
const Timeout = 90 * time.Second

// Session is a page served in process and opened in headless Chromium.
type Session struct {
	t     testing.TB
	Ctx   context.Context // the tab's chromedp context; Run actions on it
	tab   context.Context // Ctx without its deadline (Renew)
	Base  string          // the server's URL, e.g. "http://127.0.0.1:43123/"
	Files string          // web/ as a file URL, e.g. "file:///src/convplay/web/", for a page opened from the disk

	mu       sync.Mutex
	problems []string // console errors, exceptions, error log entries, foreign requests
	requests []string // every request URL, in order
	offline  bool     // every request fails as a disconnected network's would (SetOffline)

	shots string // folder of Screenshot's files, made on first use

	// beforeRequest, when set, runs before a same-origin request goes on
	// (the first-visit benchmark throttles each new worker there).
	beforeRequest func(url string)
}

// WebDir finds the repository's web/ directory from the test's working
// directory and fails unless `make wasm` has built the engine into it.
func WebDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("browsertest: no go.mod above the working directory")
		}
		dir = parent
	}
	web := filepath.Join(dir, "web")
	// What make test-browser builds and installs first; without it a test
	// would wait out its timeout for a page that cannot load or a browser
	// that cannot start, instead of saying what is missing.
	for _, f := range []string{filepath.Join(web, "convplay.wasm"), filepath.Join(web, "wasm_exec.js"),
		filepath.Join(web, "data", "fashion", "manifest.json"), Chromium} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("browsertest: %s is missing: run make page data /usr/bin/chromium first (make test-browser does)", f)
		}
	}
	return web
}

// Start serves web/ with convplay's server (internal/webserver) on
// 127.0.0.1:0, launches Chromium and returns the session with its tab open
// on about:blank; Open loads a page. Everything stops when the test ends.
func Start(t testing.TB) *Session {
	t.Helper()
	return StartHandler(t, convplayServer(t))
}

// convplayServer makes the handler Start serves web/ with.
func convplayServer(t testing.TB) func(dir string) http.Handler {
	return func(dir string) http.Handler {
		h, err := webserver.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		return h
	}
}

// StartHandler is Start with another server: handler gets the web/
// directory and returns what serves it, e.g. a plain static host.
func StartHandler(t testing.TB, handler func(webDir string) http.Handler) *Session {
	t.Helper()
	return startHandler(t, handler, Timeout)
}

// startHandler is StartHandler with a bound on the session other than
// Timeout (a benchmark on a slow link takes longer).
func startHandler(t testing.TB, handler func(webDir string) http.Handler, timeout time.Duration) *Session {
	t.Helper()
	web := WebDir(t)
	h := handler(web)
	ln, err := webserver.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	s := &Session{t: t, Base: "http://" + ln.Addr().(*net.TCPAddr).String() + "/", Files: (&url.URL{Scheme: "file", Path: web + "/"}).String()}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(Chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(s.record))
	ctx, cancelTimeout := context.WithTimeout(tabCtx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		chromedp.Cancel(tabCtx) // closes the browser and waits for it
		cancelTab()
		cancelAlloc()
	})
	// The first Run starts the browser; it must not carry the timeout,
	// which would stop the browser rather than one action.
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("browsertest: starting %s: %v", Chromium, err)
	}
	if err := s.watchRequests(tabCtx); err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	s.Ctx, s.tab = ctx, tabCtx
	return s
}

// Allow gives the session a new deadline, d from now, instead of what is
// left of Timeout: for a test whose run (a training epoch) slows with the
// machine's load, and which guards against a hang by watching the run's
// progress instead (untilSettled). Later actions run on the new deadline.
func (s *Session) Allow(d time.Duration) {
	ctx, cancel := context.WithTimeout(s.tab, d)
	s.t.Cleanup(cancel)
	s.Ctx = ctx
}

// Renew gives the session Timeout from now, for a test that visits the
// page several times in one browser (the offline tests).
func (s *Session) Renew() { s.Allow(Timeout) }

// watchRequests intercepts every request of the whole browser, the page's
// and its workers' alike (a tab's Network events miss a dedicated worker's
// requests): it records each one, lets same-origin requests through and
// fails the others, so a page that tried to reach another origin is
// reported and stays offline.
func (s *Session) watchRequests(ctx context.Context) error {
	browser := chromedp.FromContext(ctx).Browser
	paused := chromedp.BrowserEvents(ctx, fetch.RequestPaused)
	if _, err := cdp.Call(ctx, browser, fetch.Enable, fetch.EnableParams{}); err != nil {
		return fmt.Errorf("intercepting requests: %w", err)
	}
	go func() {
		for ev, err := range paused {
			if err != nil {
				return // the browser is closing
			}
			u := ev.Request.URL
			s.mu.Lock()
			s.requests = append(s.requests, u)
			ok := s.sameOrigin(u)
			if !ok {
				s.problems = append(s.problems, "request to another origin: "+u)
			}
			offline, before := s.offline, s.beforeRequest
			s.mu.Unlock()
			if ok && before != nil && !offline {
				before(u)
			}
			if offline {
				cdp.Call(ctx, browser, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonInternetDisconnected})
			} else if ok {
				cdp.Call(ctx, browser, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			} else {
				cdp.Call(ctx, browser, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
			}
		}
	}()
	return nil
}

// SetOffline takes the tab off the network (Chromium's network emulation,
// its service worker's too, and navigator.onLine) or puts it back on; while
// off, every request that still reaches the network, from any target, fails
// as a disconnected network's would, and Requests still records it.
func (s *Session) SetOffline(offline bool) {
	s.t.Helper()
	s.mu.Lock()
	s.offline = offline
	s.mu.Unlock()
	conditions := []*network.Conditions{}
	if offline {
		conditions = append(conditions, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	err := chromedp.Do(s.Ctx, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tab, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tab, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &offline, MatchedNetworkConditions: conditions}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tab, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	}))
	if err != nil {
		s.t.Fatalf("browsertest: network emulation: %v", err)
	}
}

// record notes what a test must know about. It runs on chromedp's reading
// goroutine, so it only appends under the lock.
func (s *Session) record(ev any) {
	var problem string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				if a.Value != nil {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			problem = "console." + string(ev.Type) + ": " + strings.Join(args, " ")
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		problem = "exception: " + d.Text
		if d.Exception != nil {
			problem += " " + d.Exception.Description
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			problem = fmt.Sprintf("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	}
	if problem == "" {
		return
	}
	s.mu.Lock()
	s.problems = append(s.problems, problem)
	s.mu.Unlock()
}

// sameOrigin reports whether a request stays on the server's origin, or
// in web/ for a page opened from the disk; data: and blob: URLs never leave
// the page.
func (s *Session) sameOrigin(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Scheme == "data" || u.Scheme == "blob" || raw == "about:blank" {
		return true
	}
	return strings.HasPrefix(raw, s.Base) || raw+"/" == s.Base || strings.HasPrefix(raw, s.Files)
}

// Problems returns the console errors, exceptions, error log entries and
// requests to other origins seen so far.
func (s *Session) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

// Requests returns every request URL seen so far, in order.
func (s *Session) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Open loads a page of the site, e.g. Open("") for index.html.
func (s *Session) Open(path string) {
	s.t.Helper()
	if err := chromedp.Do(s.Ctx, chromedp.Navigate(s.Base+path)); err != nil {
		s.t.Fatalf("browsertest: open %s: %v", path, err)
	}
}

// WaitEngine polls (no sleeping in Go) until the page's engine state is
// "ready" or "crashed" and every view is mounted (the engine may be ready
// before the lessons below the first prediction are: app.js, mount.js),
// and returns the engine state.
func (s *Session) WaitEngine() string {
	s.t.Helper()
	state, err := chromedp.Run(s.Ctx, chromedp.Poll[string](
		`document.body.dataset.views !== 'mounting' && ['ready', 'crashed'].includes(document.body.dataset.engine) && document.body.dataset.engine`,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(60*time.Second)))
	if err != nil {
		s.t.Fatalf("browsertest: waiting for the engine: %v (problems: %q)", err, s.Problems())
	}
	return state
}

// OpenReady opens a page of the playground and waits until it is ready to
// use: the engine running, the pretrained model loaded (the reference one
// after the small one shown meanwhile) and the data set
// streamed in completely. It fails the test on a crash or a data error.
func (s *Session) OpenReady(path string) {
	s.t.Helper()
	s.Open(path)
	if state := s.WaitEngine(); state != "ready" {
		s.t.Fatalf("browsertest: the engine %s (problems: %q)", state, s.Problems())
	}
	if err := Poll[string](s, `(() => { const st = window.convplay && window.convplay.state;
		if (!st) return '';
		if (st.dataset.error) return 'data: ' + st.dataset.error;
		return st.model && !st.modelPending && st.dataset.complete ? 'ok' : ''; })()`); err != "ok" {
		s.t.Fatalf("browsertest: the page did not get ready: %s (problems: %q)", err, s.Problems())
	}
}

// Poll waits until a JavaScript expression is truthy and returns its value.
func Poll[T any](s *Session, expr string) T {
	s.t.Helper()
	v, err := chromedp.Run(s.Ctx, chromedp.Poll[T](expr,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		s.t.Fatalf("browsertest: waiting for %s: %v (problems: %q)", expr, err, s.Problems())
	}
	return v
}

// Eval evaluates a JavaScript expression in the page, awaiting a promise,
// and returns its JSON value decoded into T.
func Eval[T any](s *Session, expr string) T {
	s.t.Helper()
	v, err := chromedp.Run(s.Ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("browsertest: evaluating %s: %v", expr, err)
	}
	return v
}

// Reply is the outcome of a request sent through the page's client.
type Reply struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
}

// Request sends a request to the engine through the page's protocol client
// (window.convplay.client) and returns the reply. args is a JavaScript
// object expression, e.g. `{preset: 'small'}`, or "" for none.
func (s *Session) Request(typ, args string) Reply {
	s.t.Helper()
	if args == "" {
		args = "{}"
	}
	typJSON, _ := json.Marshal(typ)
	return Eval[Reply](s, fmt.Sprintf(`window.convplay.client.request(%s, %s).then(
		(result) => ({ok: true, result}), (err) => ({ok: false, error: err.message}))`, typJSON, args))
}

// ScreenshotOf saves a PNG of the first element matching the CSS selector
// sel (scrolled into view) beside Screenshot's, logs its path and returns it.
func (s *Session) ScreenshotOf(sel, name string) string {
	s.t.Helper()
	if err := chromedp.Do(s.Ctx, chromedp.ScrollIntoView(chromedp.CSS(sel))); err != nil {
		s.t.Fatalf("browsertest: screenshot of %s: %v", sel, err)
	}
	png, err := chromedp.Run(s.Ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		s.t.Fatalf("browsertest: screenshot of %s: %v", sel, err)
	}
	return s.saveShot(name, png)
}

// Screenshot saves a PNG of the whole page into the session's screenshot
// folder, which outlives the test, logs its path and returns it.
func (s *Session) Screenshot(name string) string {
	s.t.Helper()
	png, err := chromedp.Run(s.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("browsertest: screenshot: %v", err)
	}
	return s.saveShot(name, png)
}

// saveShot writes a screenshot into the session's folder, made on first use.
func (s *Session) saveShot(name string, png []byte) string {
	s.t.Helper()
	var err error
	if s.shots == "" {
		if s.shots, err = os.MkdirTemp("", "convplay-screenshots-"); err != nil {
			s.t.Fatalf("browsertest: %v", err)
		}
	}
	path := filepath.Join(s.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		s.t.Fatalf("browsertest: %v", err)
	}
	s.t.Logf("screenshot: %s", path)
	return path
}
