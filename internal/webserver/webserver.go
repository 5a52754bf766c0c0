// Package webserver serves convplay's static page (the web/ directory) for
// development: correct MIME types, gzip, cross-origin isolation (COOP/COEP,
// so the page may use SharedArrayBuffer), a strict Content-Security-Policy,
// no directory listings and nothing outside the directory.
//
// Nothing in the page depends on this server: any static host works, without
// cross-origin isolation if it cannot send the headers.
package webserver

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// CSP is the Content-Security-Policy sent with every response. Scripts come
// only from the origin, never inline; 'wasm-unsafe-eval' is what
// WebAssembly.instantiate needs and allows nothing else (no eval, no
// new Function).
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// BenchCSP is CSP with blob: allowed for workers and their scripts, sent
// with the benchmark page (bench.html) alone: that is how TensorFlow.js's
// wasm backend starts its threads (Emscripten pthreads from a blob). The
// playground's pages never load TensorFlow.js and keep CSP.
var BenchCSP = strings.NewReplacer(
	"script-src 'self' 'wasm-unsafe-eval'", "script-src 'self' 'wasm-unsafe-eval' blob:",
	"worker-src 'self'", "worker-src 'self' blob:",
).Replace(CSP)

// fileType is what the server knows about one file extension.
type fileType struct {
	mime     string
	compress bool // worth gzipping: text and uncompressed binaries
	revalid  bool // Cache-Control: no-cache, so a rebuilt page is picked up
}

// types maps a lower-case extension to its type. Anything else is served as
// application/octet-stream, uncompressed (X-Content-Type-Options: nosniff
// keeps browsers from guessing).
var types = map[string]fileType{
	".html": {"text/html; charset=utf-8", true, true},
	".js":   {"text/javascript; charset=utf-8", true, true},
	".mjs":  {"text/javascript; charset=utf-8", true, true},
	".wasm": {"application/wasm", true, true},
	".css":  {"text/css; charset=utf-8", true, true},
	".json": {"application/json", true, true},
	".txt":  {"text/plain; charset=utf-8", true, false},
	".md":   {"text/markdown; charset=utf-8", true, false},
	".svg":  {"image/svg+xml", true, false},
	".bin":  {"application/octet-stream", true, false},
	".png":  {"image/png", false, false},
	".ico":  {"image/x-icon", false, false},
	".gz":   {"application/gzip", false, false},
	".npz":  {"application/octet-stream", false, false},
}

var unknownType = fileType{mime: "application/octet-stream"}

// minGzip is the smallest body worth compressing.
const minGzip = 256

// Handler serves the files under one directory.
type Handler struct {
	root *os.Root // refuses every path, symlinks included, that leaves the directory

	mu sync.Mutex
	gz map[string]gzEntry // by clean path: compressed bodies of unchanged files
}

type gzEntry struct {
	mod  time.Time
	size int64
	body []byte
}

// New returns a handler serving dir. It fails when dir is not a directory.
func New(dir string) (*Handler, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("webserver: %w", err)
	}
	return &Handler{root: root, gz: map[string]gzEntry{}}, nil
}

// Close releases the directory.
func (h *Handler) Close() error { return h.root.Close() }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	if r.URL.Path == "/bench.html" {
		hd.Set("Content-Security-Policy", BenchCSP)
	} else {
		hd.Set("Content-Security-Policy", CSP)
	}
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Embedder-Policy", "require-corp")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := cleanPath(r.URL)
	if !ok {
		http.NotFound(w, r)
		return
	}
	f, info, err := h.open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	slash := strings.HasSuffix(r.URL.Path, "/")
	if info.IsDir() {
		name = path.Join(name, "index.html")
		if f, info, err = h.open(name); err != nil || info.IsDir() {
			http.NotFound(w, r) // no listings
			return
		}
		defer f.Close()
		if !slash {
			// Relative links in the directory's index.html need the slash.
			http.Redirect(w, r, path.Base(r.URL.Path)+"/", http.StatusMovedPermanently)
			return
		}
	} else if slash {
		http.NotFound(w, r) // a file is not a directory
		return
	}

	ft, known := types[strings.ToLower(path.Ext(name))]
	if !known {
		ft = unknownType
	}
	hd.Set("Content-Type", ft.mime)
	if ft.revalid {
		hd.Set("Cache-Control", "no-cache")
	}
	etag := fmt.Sprintf(`"%x-%x`, info.ModTime().UnixNano(), info.Size())
	if ft.compress && info.Size() >= minGzip {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			body, err := h.gzipped(name, f, info)
			if err != nil {
				http.Error(w, "read error", http.StatusInternalServerError)
				return
			}
			hd.Set("Content-Encoding", "gzip")
			hd.Set("ETag", etag+`-gz"`)
			http.ServeContent(w, r, "", info.ModTime(), bytes.NewReader(body))
			return
		}
	}
	hd.Set("ETag", etag+`"`)
	http.ServeContent(w, r, "", info.ModTime(), f)
}

// cleanPath turns a request path into a name relative to the root, refusing
// anything that is not a plain downward path: ".." or "." segments, encoded
// slashes or backslashes, backslashes, NULs and empty segments. The root
// itself is ".".
func cleanPath(u *url.URL) (string, bool) {
	raw := strings.ToLower(u.EscapedPath())
	if strings.Contains(raw, "%2f") || strings.Contains(raw, "%5c") || strings.Contains(raw, "%00") {
		return "", false
	}
	p := u.Path
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00:") {
		return "", false
	}
	p = strings.TrimPrefix(p, "/")
	if p == "" || p == "/" {
		return ".", true
	}
	p = strings.TrimSuffix(p, "/")
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", false
		}
	}
	return p, true
}

// open opens name through the root, which resolves symlinks and refuses any
// that point outside the directory.
func (h *Handler) open(name string) (*os.File, fs.FileInfo, error) {
	f, err := h.root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.IsDir() && !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, fs.ErrNotExist
	}
	return f, info, nil
}

// gzipped returns the compressed body of a file, from the cache when the
// file has not changed since it was compressed.
func (h *Handler) gzipped(name string, f io.Reader, info fs.FileInfo) ([]byte, error) {
	h.mu.Lock()
	e, ok := h.gz[name]
	h.mu.Unlock()
	if ok && e.mod.Equal(info.ModTime()) && e.size == info.Size() {
		return e.body, nil
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if _, err := io.Copy(zw, f); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.gz[name] = gzEntry{mod: info.ModTime(), size: info.Size(), body: buf.Bytes()}
	h.mu.Unlock()
	return buf.Bytes(), nil
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip (or *)
// with a non-zero quality.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			return true
		}
	}
	return false
}

// Listen opens a TCP listener on addr. When the port is taken the error says
// so and suggests the next port, e.g. "port 8080 is already in use: stop the
// other server or pass -addr 127.0.0.1:8081".
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		host, port, _ := net.SplitHostPort(addr)
		next := port
		if n, convErr := strconv.Atoi(port); convErr == nil {
			next = strconv.Itoa(n + 1)
		}
		return nil, fmt.Errorf("port %s is already in use: stop the other server or pass -addr %s", port, net.JoinHostPort(host, next))
	}
	return nil, fmt.Errorf("webserver: %w", err)
}
