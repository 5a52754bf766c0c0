// Package webserver serves convplay's static page (the web/ directory) for
// development: correct MIME types, compression (a precompressed .br or .gz
// beside a file when there is a fresh one, else gzip made once per file
// version and cached within a memory bound), cross-origin isolation
// (COOP/COEP, so the page may use SharedArrayBuffer), a strict
// Content-Security-Policy, no directory listings, no dotfiles, nothing but
// regular files and nothing outside the directory. NewServer adds the
// connection timeouts.
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
	"sync/atomic"
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

// Bounds on the gzip cache: a file larger than maxGzipFile is sent
// uncompressed (unless a precompressed copy lies beside it), and the cache
// holds at most maxGzipCache bytes of compressed bodies, dropping others to
// make room. convplay.wasm, the largest file the page loads, is 5.8 MB.
const (
	maxGzipFile  = 64 << 20
	maxGzipCache = 64 << 20
)

// Handler serves the files under one directory.
type Handler struct {
	root *os.Root // refuses every path, symlinks included, that leaves the directory

	mu      sync.Mutex
	gz      map[string]*gzEntry // by clean path: compressed bodies, or compressions under way
	gzBytes int                 // bytes of the finished bodies in gz

	compressions atomic.Int64 // files compressed so far (the load test reads it)
}

// gzEntry is one file version's gzip body. The first request for it
// compresses it while later ones wait on done (single flight).
type gzEntry struct {
	mod  time.Time
	size int64
	done chan struct{} // closed when body or err is set
	body []byte
	err  error
}

// New returns a handler serving dir. It fails when dir is not a directory.
func New(dir string) (*Handler, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("webserver: %w", err)
	}
	return &Handler{root: root, gz: map[string]*gzEntry{}}, nil
}

// NewServer returns an http.Server for h with timeouts, so that no client
// holds a connection forever: 10 s to send the request's headers, 30 s for
// the whole request, 2 minutes of idle keep-alive. Writes have no
// timeout: a slow link may take long over the 5.8 MB wasm.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
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
		accept := r.Header.Get("Accept-Encoding")
		// A precompressed copy (make dist writes them) beats compressing.
		for _, enc := range []struct{ coding, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
			if !accepts(accept, enc.coding) {
				continue
			}
			if pf, pinfo := h.precompressed(name+enc.ext, info); pf != nil {
				defer pf.Close()
				hd.Set("Content-Encoding", enc.coding)
				hd.Set("ETag", fmt.Sprintf(`%s-%s-%x"`, etag, enc.coding, pinfo.Size()))
				http.ServeContent(w, r, "", info.ModTime(), pf)
				return
			}
		}
		if accepts(accept, "gzip") && info.Size() <= maxGzipFile {
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
// anything that is not a plain downward path: ".." or "." segments and any
// other segment starting with a dot, encoded slashes or backslashes,
// backslashes, NULs and empty segments. The root itself is ".".
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
		// Dotfiles (.env, .git/config, .htpasswd) are never served.
		if seg == "" || strings.HasPrefix(seg, ".") {
			return "", false
		}
	}
	return p, true
}

// open opens name through the root, which resolves symlinks and refuses any
// that point outside the directory. Only regular files and directories
// open: a FIFO, socket or device is refused before it is opened (opening a
// FIFO blocks until a writer comes), and the open is non-blocking in case
// the name changed in between.
func (h *Handler) open(name string) (*os.File, fs.FileInfo, error) {
	if st, err := h.root.Stat(name); err != nil {
		return nil, nil, err
	} else if !st.IsDir() && !st.Mode().IsRegular() {
		return nil, nil, fs.ErrNotExist
	}
	f, err := h.root.OpenFile(name, os.O_RDONLY|openNonblock, 0)
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

// precompressed opens name (a .br or .gz beside a file whose info is
// given) when it is a regular file at least as new as the file, so that a
// stale copy of an older build is never sent. Times are compared to the
// second: gzip -k and brotli -k give the copy the file's time, brotli
// without its fraction of a second.
func (h *Handler) precompressed(name string, orig fs.FileInfo) (*os.File, fs.FileInfo) {
	f, info, err := h.open(name)
	if err != nil {
		return nil, nil
	}
	if info.IsDir() || info.ModTime().Before(orig.ModTime().Truncate(time.Second)) {
		f.Close()
		return nil, nil
	}
	return f, info
}

// gzipped returns the compressed body of a file version. The first request
// for it compresses it; concurrent requests for the same version wait for
// that one instead of compressing it again. Finished bodies stay cached
// within maxGzipCache bytes.
func (h *Handler) gzipped(name string, f io.Reader, info fs.FileInfo) ([]byte, error) {
	h.mu.Lock()
	e, ok := h.gz[name]
	if ok && e.mod.Equal(info.ModTime()) && e.size == info.Size() {
		h.mu.Unlock()
		<-e.done
		return e.body, e.err
	}
	if ok {
		h.drop(name, e) // an older version of the file
	}
	e = &gzEntry{mod: info.ModTime(), size: info.Size(), done: make(chan struct{})}
	h.gz[name] = e
	h.mu.Unlock()

	h.compressions.Add(1)
	var buf bytes.Buffer
	buf.Grow(int(info.Size() / 2))
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	_, err := io.Copy(zw, f)
	if err == nil {
		err = zw.Close()
	}

	h.mu.Lock()
	if err != nil {
		e.err = err
		if h.gz[name] == e {
			delete(h.gz, name) // the next request tries again
		}
	} else {
		e.body = bytes.Clone(buf.Bytes()) // without the spare capacity
		if h.gz[name] == e {
			h.makeRoom(len(e.body))
			h.gzBytes += len(e.body)
		}
	}
	h.mu.Unlock()
	close(e.done)
	return e.body, e.err
}

// makeRoom drops finished bodies until n more bytes fit in maxGzipCache.
// It holds h.mu.
func (h *Handler) makeRoom(n int) {
	for name, e := range h.gz {
		if h.gzBytes+n <= maxGzipCache {
			return
		}
		if e.body != nil {
			h.drop(name, e)
		}
	}
}

// drop removes an entry from the cache. It holds h.mu.
func (h *Handler) drop(name string, e *gzEntry) {
	if e.body != nil {
		h.gzBytes -= len(e.body)
	}
	delete(h.gz, name)
}

// accepts reports whether an Accept-Encoding header allows coding (or *)
// with a non-zero quality.
func accepts(header, coding string) bool {
	for _, part := range strings.Split(header, ",") {
		c, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		c = strings.ToLower(strings.TrimSpace(c))
		if c != coding && c != "*" {
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
