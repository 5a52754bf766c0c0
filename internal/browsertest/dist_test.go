//go:build browser

package browsertest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/internal/webserver"
)

// distDir is the folder make dist writes, beside web/.
func distDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(filepath.Dir(WebDir(t)), "dist")
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Fatalf("%s has no index.html: run make dist first (make test-browser does)", dir)
	}
	return dir
}

// pythonServer serves dir with Python's http.server on a free loopback
// port, as a plain static host would: no COOP, COEP or CSP headers, no
// compression. It returns the server's URL once it answers.
func pythonServer(t *testing.T, dir string) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // http.server binds it next
	cmd := exec.Command("/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1", fmt.Sprint(port))
	cmd.Dir = dir
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	u := &url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", port), Path: "/"}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(u.String())
		if err == nil {
			res.Body.Close()
			return u
		}
		if time.Now().After(deadline) {
			t.Fatalf("python3 -m http.server did not answer: %v\n%s", err, log.String())
		}
		time.Sleep(20 * time.Millisecond) // polling the port
	}
}

// TestDistOnAPlainStaticHost serves make dist's folder with Python's
// http.server, which sends none of the isolation headers, and checks that
// the page starts, isolates itself through its service worker (web/sw.js,
// which adds the headers; so it trains on several workers), classifies a
// test image, and that nothing went wrong on the way. The browser reaches Python through a reverse
// proxy in the test (Session's harness serves a handler); the proxy passes
// Python's responses and headers through unchanged.
func TestDistOnAPlainStaticHost(t *testing.T) {
	dist := distDir(t)
	py := pythonServer(t, dist)

	res, err := http.Get(py.String())
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	for _, h := range []string{"Cross-Origin-Opener-Policy", "Cross-Origin-Embedder-Policy", "Content-Security-Policy"} {
		require.Empty(t, res.Header.Get(h), "python's http.server sends %s: the test would prove nothing", h)
	}

	s := StartHandler(t, func(string) http.Handler { return httputil.NewSingleHostReverseProxy(py) })
	s.Open("")
	// The first load registers the service worker and reloads once; the
	// page that comes through the worker is isolated. Polled here rather
	// than with Poll, whose evaluation fails while the page reloads.
	deadline := time.Now().Add(60 * time.Second)
	for {
		isolated, err := chromedp.Run(s.Ctx, chromedp.Evaluate[bool](
			`window.crossOriginIsolated === true && navigator.serviceWorker.controller !== null`))
		if err == nil && isolated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page did not become cross-origin isolated through the service worker (last error %v; problems %q)", err, s.Problems())
		}
		time.Sleep(50 * time.Millisecond) // polling the page, which reloads once
	}
	s.OpenReady("")
	assert.True(t, Eval[bool](s, `crossOriginIsolated`))
	assert.True(t, Eval[bool](s, `typeof SharedArrayBuffer === 'function'`))
	top := Poll[float64](s, `(() => { const el = document.querySelector('#prediction[data-top]');
		return el ? Number(el.dataset.top) + 1 : 0; })()`)
	assert.GreaterOrEqual(t, top, 1.0, "a class is on screen")
	r := s.Request("ping", "")
	assert.True(t, r.OK, r.Error)
	s.Screenshot("dist-python")
	assert.Empty(t, s.Problems())
}

// TestDistFiles checks what make dist wrote: the service worker's file
// list (swbuild.js) matching the folder, _headers, the precompressed copies (identical once decompressed),
// no tests and no benchmark page; and that convplay serve -dir dist sends
// the brotli copy to a browser that takes it.
func TestDistFiles(t *testing.T) {
	dist := distDir(t)
	index, err := os.ReadFile(filepath.Join(dist, "index.html"))
	require.NoError(t, err)
	assert.Contains(t, string(index), `<meta name="convplay-sw" content="swbuild.js">`, "the page registers its service worker on plain hosts too")
	build, err := os.ReadFile(filepath.Join(dist, webserver.ShellName))
	require.NoError(t, err, "make dist writes the service worker's file list")
	shell, err := webserver.Shell(os.DirFS(dist))
	require.NoError(t, err)
	assert.Equal(t, string(shell), string(build), "swbuild.js lists dist as it is")
	assert.FileExists(t, filepath.Join(dist, "sw.js"))
	headers, err := os.ReadFile(filepath.Join(dist, "_headers"))
	require.NoError(t, err)
	assert.Contains(t, string(headers), "Content-Security-Policy: "+webserver.CSP)

	for _, name := range []string{"convplay.wasm", "index.html", "app.js", "worker.js", "wasm_exec.js", "style.css"} {
		orig, err := os.ReadFile(filepath.Join(dist, name))
		require.NoError(t, err, name)
		gz, err := os.Open(filepath.Join(dist, name+".gz"))
		require.NoError(t, err, name)
		zr, err := gzip.NewReader(gz)
		require.NoError(t, err)
		got, err := io.ReadAll(zr)
		gz.Close()
		require.NoError(t, err)
		assert.Equal(t, orig, got, name+".gz")
		br, err := exec.Command("/usr/bin/brotli", "-dc", filepath.Join(dist, name+".br")).Output()
		require.NoError(t, err, name+".br")
		assert.Equal(t, orig, br, name+".br")
	}
	filepath.WalkDir(dist, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		name := d.Name()
		assert.False(t, strings.HasSuffix(name, ".test.js") || strings.HasPrefix(name, "bench") || name == "tfjs",
			"%s does not belong in dist", p)
		return nil
	})

	h, err := webserver.New(dist)
	require.NoError(t, err)
	defer h.Close()
	req := httptest.NewRequest("GET", "/convplay.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	assert.Equal(t, "br", w.Header().Get("Content-Encoding"))
	br, err := os.ReadFile(filepath.Join(dist, "convplay.wasm.br"))
	require.NoError(t, err)
	assert.Equal(t, len(br), w.Body.Len())
}
