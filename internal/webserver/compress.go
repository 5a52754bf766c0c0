package webserver

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

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

// gzEntry is one file version's gzip body. The first request for it
// compresses it while later ones wait on done (single flight).
type gzEntry struct {
	mod  time.Time
	size int64
	done chan struct{} // closed when body or err is set
	body []byte
	err  error
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
