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
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
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

// Handler serves the files under one directory.
type Handler struct {
	root *os.Root // refuses every path, symlinks included, that leaves the directory

	mu      sync.Mutex
	gz      map[string]*gzEntry // by clean path: compressed bodies, or compressions under way
	gzBytes int                 // bytes of the finished bodies in gz

	shell      []byte // ShellName's script when the directory has none (shell.go)
	shellStamp string // the shell files' names, sizes and times it was made from

	compressions atomic.Int64 // files compressed so far (the load test reads it)
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
