package webserver

import (
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// site builds a served directory beside a secret file that must stay
// unreachable, and returns the served directory and the handler.
func site(t *testing.T) (string, *Handler) {
	t.Helper()
	top := t.TempDir()
	dir := filepath.Join(top, "web")
	outside := filepath.Join(top, "outside")
	long := strings.Repeat("convplay ", 100) // 900 bytes: worth compressing
	files := map[string]string{
		"index.html":          "<!doctype html><title>x</title>" + long,
		"app.js":              "export const a = 1;//" + long,
		"small.js":            "export const b = 2;",
		"lib.mjs":             "export {};//" + long,
		"style.css":           "body{}" + long,
		"convplay.wasm":       "\x00asm\x01\x00\x00\x00" + long,
		"data/manifest.json":  `{"a":"` + long + `"}`,
		"data/chunk-000.gz":   long,
		"data/chunk-000.bin":  long,
		"pretrained/m.cpw":    "CPW1" + long,
		"img.png":             "\x89PNG" + long,
		"notes.xyz":           long,
		"sub/index.html":      "<p>sub</p>",
		"empty/readme.txt":    "not an index",
		"../outside/s.txt":    "SECRET",
		"../outside/dir/s.js": "SECRET",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	require.NoError(t, os.Symlink("app.js", filepath.Join(dir, "link-in.js")))
	require.NoError(t, os.Symlink("../outside/s.txt", filepath.Join(dir, "link-out.txt")))
	require.NoError(t, os.Symlink(filepath.Join(outside, "s.txt"), filepath.Join(dir, "link-abs.txt")))
	require.NoError(t, os.Symlink(filepath.Join(outside, "dir"), filepath.Join(dir, "dir-out")))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")))
	h, err := New(dir)
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return dir, h
}

// get sends a request as the server would parse it from the wire: target is
// the raw request-target, not cleaned or decoded by a client.
func get(h http.Handler, method, target, acceptEncoding string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	if acceptEncoding != "" {
		r.Header.Set("Accept-Encoding", acceptEncoding)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMIMETypes(t *testing.T) {
	_, h := site(t)
	tests := []struct {
		path, mime string
	}{
		{"/", "text/html; charset=utf-8"},
		{"/index.html", "text/html; charset=utf-8"},
		{"/app.js", "text/javascript; charset=utf-8"},
		{"/lib.mjs", "text/javascript; charset=utf-8"},
		{"/style.css", "text/css; charset=utf-8"},
		{"/convplay.wasm", "application/wasm"},
		{"/data/manifest.json", "application/json"},
		{"/data/chunk-000.gz", "application/gzip"},
		{"/data/chunk-000.bin", "application/octet-stream"},
		{"/img.png", "image/png"},
		{"/notes.xyz", "application/octet-stream"}, // unknown: never sniffed
		{"/link-in.js", "text/javascript; charset=utf-8"},
		{"/sub/", "text/html; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := get(h, "GET", tt.path, "")
			require.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, tt.mime, w.Header().Get("Content-Type"))
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	_, h := site(t)
	for _, p := range []string{"/", "/app.js", "/convplay.wasm", "/img.png", "/missing"} {
		t.Run(p, func(t *testing.T) {
			hd := get(h, "GET", p, "").Header()
			assert.Equal(t, "same-origin", hd.Get("Cross-Origin-Opener-Policy"))
			assert.Equal(t, "require-corp", hd.Get("Cross-Origin-Embedder-Policy"))
			assert.Equal(t, "same-origin", hd.Get("Cross-Origin-Resource-Policy"))
			assert.Equal(t, "nosniff", hd.Get("X-Content-Type-Options"))
			csp := hd.Get("Content-Security-Policy")
			assert.Contains(t, csp, "default-src 'self'")
			assert.Contains(t, csp, "script-src 'self' 'wasm-unsafe-eval';")
			assert.Contains(t, csp, "worker-src 'self'")
			assert.Contains(t, csp, "connect-src 'self'")
			assert.Contains(t, csp, "img-src 'self' data: blob:")
			assert.NotContains(t, csp, "unsafe-inline")
			assert.NotContains(t, csp, "'unsafe-eval'")
		})
	}
}

// TestBenchPageCSP: the benchmark page alone may start workers from blob:
// URLs (TensorFlow.js's threads); everything else keeps the strict policy.
func TestBenchPageCSP(t *testing.T) {
	_, h := site(t)
	bench := get(h, "GET", "/bench.html", "").Header().Get("Content-Security-Policy")
	assert.Contains(t, bench, "script-src 'self' 'wasm-unsafe-eval' blob:;")
	assert.Contains(t, bench, "worker-src 'self' blob:;")
	assert.NotContains(t, bench, "unsafe-inline")
	assert.NotContains(t, bench, "'unsafe-eval'")
	for _, p := range []string{"/", "/index.html", "/bench.js", "/bench.html/x"} {
		csp := get(h, "GET", p, "").Header().Get("Content-Security-Policy")
		assert.Equal(t, CSP, csp, p)
	}
}

func TestCacheControl(t *testing.T) {
	_, h := site(t)
	tests := []struct{ path, want string }{
		{"/", "no-cache"},
		{"/app.js", "no-cache"},
		{"/convplay.wasm", "no-cache"},
		{"/data/manifest.json", "no-cache"},
		{"/img.png", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := get(h, "GET", tt.path, "")
			assert.Equal(t, tt.want, w.Header().Get("Cache-Control"))
			etag := w.Header().Get("ETag")
			require.NotEmpty(t, etag)
			// Revalidation with the ETag answers 304 without a body.
			r := httptest.NewRequest("GET", tt.path, nil)
			r.Header.Set("If-None-Match", etag)
			w2 := httptest.NewRecorder()
			h.ServeHTTP(w2, r)
			assert.Equal(t, http.StatusNotModified, w2.Code)
		})
	}
}

func TestGzip(t *testing.T) {
	dir, h := site(t)
	tests := []struct {
		path, accept string
		gzipped      bool
	}{
		{"/app.js", "gzip", true},
		{"/app.js", "gzip, deflate, br", true},
		{"/app.js", "br;q=1.0, gzip;q=0.5", true},
		{"/app.js", "*", true},
		{"/app.js", "", false},
		{"/app.js", "gzip;q=0", false},
		{"/app.js", "deflate, br", false},
		{"/app.js", "GZIP", true},
		{"/index.html", "gzip", true},
		{"/convplay.wasm", "gzip", true},
		{"/data/manifest.json", "gzip", true},
		{"/data/chunk-000.bin", "gzip", true},
		{"/pretrained/m.cpw", "gzip", true}, // a model's weights
		{"/style.css", "gzip", true},
		{"/small.js", "gzip", false},          // too small to gain
		{"/data/chunk-000.gz", "gzip", false}, // already compressed
		{"/img.png", "gzip", false},           // already compressed
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.accept, func(t *testing.T) {
			w := get(h, "GET", tt.path, tt.accept)
			require.Equal(t, http.StatusOK, w.Code)
			want, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tt.path)))
			require.NoError(t, err)
			body := w.Body.Bytes()
			if tt.gzipped {
				assert.Equal(t, "gzip", w.Header().Get("Content-Encoding"))
				zr, err := gzip.NewReader(bytes.NewReader(body))
				require.NoError(t, err)
				body, err = io.ReadAll(zr)
				require.NoError(t, err)
			} else {
				assert.Empty(t, w.Header().Get("Content-Encoding"))
			}
			assert.Equal(t, want, body)
		})
	}
}

func TestGzipCacheSeesRebuiltFile(t *testing.T) {
	dir, h := site(t)
	first := get(h, "GET", "/app.js", "gzip")
	require.Equal(t, "gzip", first.Header().Get("Content-Encoding"))
	rebuilt := strings.Repeat("rebuilt ", 100)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.js"), []byte(rebuilt), 0o644))
	w := get(h, "GET", "/app.js", "gzip")
	zr, err := gzip.NewReader(w.Body)
	require.NoError(t, err)
	got, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, rebuilt, string(got))
	assert.NotEqual(t, first.Header().Get("ETag"), w.Header().Get("ETag"))
}

func TestNothingOutsideTheDirectory(t *testing.T) {
	dir, h := site(t)
	abs := filepath.ToSlash(filepath.Join(filepath.Dir(dir), "outside", "s.txt"))
	targets := []string{
		"/../outside/s.txt",
		"/sub/../../outside/s.txt",
		"/%2e%2e/outside/s.txt",
		"/%2E%2E/outside/s.txt",
		"/..%2foutside%2fs.txt",
		"/%2e%2e%2foutside%2fs.txt",
		"/sub%2f..%2f..%2foutside/s.txt",
		"/..\\outside\\s.txt",
		"/%5c..%5coutside%5cs.txt",
		"/..%5coutside/s.txt",
		abs,
		"/" + abs,
		"//etc/passwd",
		"/link-out.txt",
		"/link-abs.txt",
		"/dir-out/s.js",
		"/passwd",
		"/./index.html",
		"/index.html%00.png",
		"/c:/windows/win.ini",
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			w := get(h, "GET", target, "")
			assert.Equal(t, http.StatusNotFound, w.Code)
			assert.NotContains(t, w.Body.String(), "SECRET")
			assert.NotContains(t, w.Body.String(), "root:")
		})
	}
}

func TestDirectories(t *testing.T) {
	_, h := site(t)
	tests := []struct {
		target   string
		code     int
		location string
	}{
		{"/", http.StatusOK, ""},
		{"/sub/", http.StatusOK, ""},
		{"/sub", http.StatusMovedPermanently, "/sub/"},
		{"/empty/", http.StatusNotFound, ""}, // no index.html: no listing
		{"/empty", http.StatusNotFound, ""},
		{"/data/", http.StatusNotFound, ""},
		{"/missing.js", http.StatusNotFound, ""},
		{"/app.js/", http.StatusNotFound, ""}, // a file is not a directory
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			w := get(h, "GET", tt.target, "")
			assert.Equal(t, tt.code, w.Code)
			assert.Equal(t, tt.location, w.Header().Get("Location"))
			assert.NotContains(t, w.Body.String(), "readme.txt")
			assert.NotContains(t, w.Body.String(), "manifest.json")
		})
	}
}

func TestMethods(t *testing.T) {
	_, h := site(t)
	tests := []struct {
		method string
		code   int
	}{
		{"GET", http.StatusOK},
		{"HEAD", http.StatusOK},
		{"POST", http.StatusMethodNotAllowed},
		{"PUT", http.StatusMethodNotAllowed},
		{"DELETE", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			w := get(h, tt.method, "/app.js", "")
			assert.Equal(t, tt.code, w.Code)
			if tt.method == "HEAD" {
				assert.Zero(t, w.Body.Len())
			}
		})
	}
}

func TestNewRefusesAMissingDirectory(t *testing.T) {
	_, err := New(filepath.Join(t.TempDir(), "nope"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "webserver:")
}

func TestOverRealConnection(t *testing.T) {
	_, h := site(t)
	ln, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	// A raw request, so no client cleans the path before it is sent.
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /../outside/s.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	require.NoError(t, err)
	resp, err := io.ReadAll(conn)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(resp), "HTTP/1.1 404"), string(resp))
	assert.NotContains(t, string(resp), "SECRET")

	res, err := http.Get("http://" + ln.Addr().String() + "/convplay.wasm")
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/wasm", res.Header.Get("Content-Type"))
	assert.True(t, res.Uncompressed, "Go's client asks for gzip and the server sends it")
}

func TestListenPortInUse(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	addr := ln.Addr().(*net.TCPAddr)

	_, err = Listen(addr.String())
	require.Error(t, err)
	want := "port " + strconv.Itoa(addr.Port) + " is already in use: stop the other server or pass -addr 127.0.0.1:" + strconv.Itoa(addr.Port+1)
	assert.Equal(t, want, err.Error())
}

func TestListenBadAddress(t *testing.T) {
	_, err := Listen("127.0.0.1:notaport")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "webserver:")
}
