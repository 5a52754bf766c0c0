//go:build unix

package webserver

import (
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNonRegularFiles: a FIFO (or any file that is not a regular file or a
// directory) is refused at once; opening a FIFO used to block the request
// until a writer came, forever.
func TestNonRegularFiles(t *testing.T) {
	dir, h := site(t)
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "pipe.js"), 0o644))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "sub", "index.html.br"), 0o644))
	require.NoError(t, os.Symlink("pipe.js", filepath.Join(dir, "to-pipe.js")))
	for _, target := range []string{"/pipe.js", "/to-pipe.js"} {
		t.Run(target, func(t *testing.T) {
			done := make(chan int, 1)
			go func() { done <- get(h, "GET", target, "").Code }()
			select {
			case code := <-done:
				assert.Equal(t, http.StatusNotFound, code)
			case <-time.After(20 * time.Second): // a deadline, not a wait: the answer is immediate
				t.Fatal("the request for a FIFO hangs")
			}
		})
	}
	// A FIFO where a precompressed copy would be is skipped, not opened.
	done := make(chan *http.Response, 1)
	go func() { done <- get(h, "GET", "/sub/", "br").Result() }()
	select {
	case res := <-done:
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Empty(t, res.Header.Get("Content-Encoding"))
	case <-time.After(20 * time.Second):
		t.Fatal("the request hangs on a FIFO named like a precompressed copy")
	}
}
