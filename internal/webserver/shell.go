package webserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// ShellName is the script the page's service worker (web/sw.js) imports:
// the build's id and the files of the app shell it keeps for offline use.
// make dist writes it into dist/ (tools/swbuild); convplay serve makes it
// from the directory it serves when there is no such file, so a rebuilt
// page gets a new id without a step to forget.
const ShellName = "swbuild.js"

// ShellBuild is what ShellName sets as self.CONVPLAY_BUILD.
type ShellBuild struct {
	// ID changes whenever any shell file's content changes: the first 16
	// hex digits of the SHA-256 over every file's path and SHA-256. The
	// service worker names its cache after it, so a new deploy is a new
	// cache, filled completely before it replaces the old one.
	ID string `json:"id"`
	// Files maps the shell's paths, relative to the page, to the first 16
	// hex digits of each file's SHA-256: the page, its scripts and styles,
	// the engine, the pretrained models and each data set's manifest (whose
	// SHA-256s version the data files). The service worker checks every
	// file it keeps against it (a deploy caught half-way fails the install,
	// to be tried again) and copies unchanged files from the last build's
	// cache instead of downloading them.
	Files map[string]string `json:"files"`
	Bytes int64             `json:"bytes"` // their total size
}

// notShell tells the files the page never loads (make dist leaves them
// out too), the service worker's own scripts, precompressed copies and
// the data files, which the service worker versions by their manifest.
func notShell(p string, dir bool) bool {
	base := path.Base(p)
	if strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_") || strings.HasPrefix(base, "bench") {
		return true
	}
	if dir {
		return p == "vendor/tfjs"
	}
	if strings.HasPrefix(p, "data/") {
		return path.Base(p) != "manifest.json" || strings.Count(p, "/") != 2
	}
	switch {
	case p == "sw.js", p == ShellName, p == "idbfake.js":
		return true
	case strings.HasSuffix(p, ".test.js"), strings.HasSuffix(p, ".gz"), strings.HasSuffix(p, ".br"), strings.HasSuffix(p, ".md"):
		return true
	}
	return false
}

// Shell lists the app shell under fsys (the served directory) and returns
// the script that hands it to the service worker.
func Shell(fsys fs.FS) ([]byte, error) {
	b := ShellBuild{Files: map[string]string{}}
	all := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		if notShell(p, d.IsDir()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		n, err := io.Copy(h, f)
		if err != nil {
			return err
		}
		sum := h.Sum(nil)
		fmt.Fprintf(all, "%s %x\n", p, sum)
		b.Files[p] = hex.EncodeToString(sum[:8])
		b.Bytes += n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("webserver: listing the app shell: %w", err)
	}
	b.ID = hex.EncodeToString(all.Sum(nil))[:16]
	js, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, "// The app shell of this build, for sw.js (made by internal/webserver/shell.go; do not edit).\nself.CONVPLAY_BUILD = %s;\n", js), nil
}

// serveShell answers ShellName from the served directory when it has no
// such file (make dist writes one; web/ has none). The listing is remade
// only when a file's size or time changed.
func (h *Handler) serveShell(w http.ResponseWriter, r *http.Request) {
	fsys := h.root.FS()
	var stamp strings.Builder
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return nil
		}
		if notShell(p, d.IsDir()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			fmt.Fprintf(&stamp, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	h.mu.Lock()
	body, stale := h.shell, h.shellStamp != stamp.String()
	h.mu.Unlock()
	if stale {
		var err error
		if body, err = Shell(fsys); err != nil {
			http.Error(w, "cannot list the app shell", http.StatusInternalServerError)
			return
		}
		h.mu.Lock()
		h.shell, h.shellStamp = body, stamp.String()
		h.mu.Unlock()
	}
	w.Header().Set("Content-Type", types[".js"].mime)
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}
