package webserver

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoDotfiles: files and folders whose names start with a dot (.env,
// .git/config, a .well-known folder) are not served, at any depth.
func TestNoDotfiles(t *testing.T) {
	dir, h := site(t)
	for name, body := range map[string]string{
		".env": "SECRET=1", ".git/config": "[core] SECRET", "sub/.htpasswd": "SECRET",
		".well-known/x.txt": "SECRET", "data/.DS_Store": "SECRET",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	for _, target := range []string{"/.env", "/.git/config", "/.git/", "/.git", "/sub/.htpasswd",
		"/.well-known/x.txt", "/data/.DS_Store", "/%2eenv", "/.%65nv"} {
		t.Run(target, func(t *testing.T) {
			w := get(h, "GET", target, "")
			assert.Equal(t, http.StatusNotFound, w.Code)
			assert.NotContains(t, w.Body.String(), "SECRET")
		})
	}
}

// TestIdleConnectionsTimeOut: NewServer's server closes a keep-alive
// connection that stays idle, and one that never finishes its headers.
func TestIdleConnectionsTimeOut(t *testing.T) {
	_, h := site(t)
	srv := NewServer(h)
	assert.NotZero(t, srv.ReadHeaderTimeout)
	assert.NotZero(t, srv.IdleTimeout)
	assert.NotZero(t, srv.ReadTimeout)
	// Shortened so the test is quick; the figures above are the real ones.
	srv.IdleTimeout, srv.ReadHeaderTimeout = 300*time.Millisecond, 300*time.Millisecond
	ln, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	closed := func(conn net.Conn) bool {
		conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, err := io.ReadAll(conn) // returns when the server closes the connection
		return err == nil
	}
	t.Run("idle keep-alive", func(t *testing.T) {
		conn, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, "GET /small.js HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.True(t, closed(conn), "the idle connection stayed open")
	})
	t.Run("headers never finished", func(t *testing.T) {
		conn, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, "GET /small.js HTTP/1.1\r\nHost: x\r\n")
		require.NoError(t, err)
		assert.True(t, closed(conn), "the half-sent request held the connection")
	})
}

// TestPrecompressed: a .br or .gz beside a file is sent as it is to a
// browser that accepts it, brotli first; a stale one (older than the file)
// is ignored.
func TestPrecompressed(t *testing.T) {
	dir, h := site(t)
	app := filepath.Join(dir, "app.js")
	orig, err := os.ReadFile(app)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(app+".br", []byte("BROTLI BYTES"), 0o644))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(orig)
	zw.Close()
	require.NoError(t, os.WriteFile(app+".gz", gz.Bytes(), 0o644))
	// Both copies as new as the file.
	st, err := os.Stat(app)
	require.NoError(t, err)
	for _, p := range []string{app + ".br", app + ".gz"} {
		require.NoError(t, os.Chtimes(p, st.ModTime(), st.ModTime()))
	}

	tests := []struct{ accept, encoding, body string }{
		{"gzip, deflate, br, zstd", "br", "BROTLI BYTES"},
		{"br", "br", "BROTLI BYTES"},
		{"gzip", "gzip", gz.String()},
		{"br;q=0, gzip", "gzip", gz.String()},
		{"", "", string(orig)},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			w := get(h, "GET", "/app.js", tt.accept)
			require.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, tt.encoding, w.Header().Get("Content-Encoding"))
			assert.Equal(t, "text/javascript; charset=utf-8", w.Header().Get("Content-Type"))
			assert.Equal(t, tt.body, w.Body.String())
			assert.Contains(t, w.Header().Get("Vary"), "Accept-Encoding")
		})
	}
	assert.Zero(t, h.compressions.Load(), "compressed although a precompressed copy was there")
	etags := map[string]bool{}
	for _, a := range []string{"br", "gzip", ""} {
		etags[get(h, "GET", "/app.js", a).Header().Get("ETag")] = true
	}
	assert.Len(t, etags, 3, "each encoding needs its own ETag")

	// A rebuilt app.js makes the copies stale: compressed afresh.
	later := st.ModTime().Add(time.Second)
	require.NoError(t, os.Chtimes(app, later, later))
	w := get(h, "GET", "/app.js", "br, gzip")
	assert.Equal(t, "gzip", w.Header().Get("Content-Encoding"))
	zr, err := gzip.NewReader(w.Body)
	require.NoError(t, err)
	got, _ := io.ReadAll(zr)
	assert.Equal(t, string(orig), string(got))
	assert.EqualValues(t, 1, h.compressions.Load())
	assert.False(t, strings.Contains(w.Body.String(), "BROTLI"))
}

// TestDistHeaders: the _headers file make dist ships (Netlify and
// Cloudflare Pages format: a path pattern, then indented "Name: value"
// lines) sends every page what this server sends.
func TestDistHeaders(t *testing.T) {
	b, err := os.ReadFile("_headers")
	require.NoError(t, err)
	got := map[string]string{}
	pattern := ""
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case !strings.HasPrefix(line, " "):
			pattern = line
		default:
			require.Equal(t, "/*", pattern, "headers for every path")
			name, value, ok := strings.Cut(strings.TrimSpace(line), ": ")
			require.True(t, ok, line)
			got[name] = value
		}
	}
	_, h := site(t)
	sent := get(h, "GET", "/", "").Header()
	for _, name := range []string{"Cross-Origin-Opener-Policy", "Cross-Origin-Embedder-Policy",
		"Cross-Origin-Resource-Policy", "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		assert.Equal(t, sent.Get(name), got[name], name)
	}
	assert.Len(t, got, 6)
}
