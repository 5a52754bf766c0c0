package webserver

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
)

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
	".cpw":  {"application/octet-stream", true, false}, // a model's float32 weights: brotli saves 9%
	".png":  {"image/png", false, false},
	".ico":  {"image/x-icon", false, false},
	".gz":   {"application/gzip", false, false},
	".npz":  {"application/octet-stream", false, false},
}

var unknownType = fileType{mime: "application/octet-stream"}

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
	if err != nil && name == ShellName {
		h.serveShell(w, r)
		return
	}
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
