package webserver

import (
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wasmLike is n seeded bytes, mostly from a small alphabet, that gzip
// compresses to about 73% (convplay.wasm is 5.8 MB) at about the speed it
// compresses the wasm.
func wasmLike(n int) []byte {
	rng := rand.New(rand.NewPCG(7, 7))
	b := make([]byte, n)
	for i := range b {
		if rng.IntN(4) == 0 {
			b[i] = byte(rng.IntN(256))
		} else {
			b[i] = byte(rng.IntN(16))
		}
	}
	return b
}

// peakHeap samples the heap in use until stop is closed and returns the
// largest figure seen.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// TestColdCacheLoad sends concurrent requests for a 6 MB wasm-like file
// that nobody has asked for yet, over loopback, each accepting gzip. The
// file must be compressed once, and memory must stay near one compressed
// copy: the server once compressed it per request while its cache was cold
// (200 requests took 41 s and 787 MB).
func TestColdCacheLoad(t *testing.T) {
	const requests = 40
	dir := t.TempDir()
	body := wasmLike(6 << 20)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "convplay.wasm"), body, 0o644))
	h, err := New(dir)
	require.NoError(t, err)
	defer h.Close()
	ln, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	srv := NewServer(h)
	go srv.Serve(ln)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: requests}}
	url := "http://" + ln.Addr().String() + "/convplay.wasm"

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	peak := peakHeap(stop)
	began := time.Now()
	var wg sync.WaitGroup
	var bytesIn atomic.Int64
	errs := make(chan error, requests)
	for range requests {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Accept-Encoding", "gzip") // set by hand: the client keeps the body compressed
			res, err := client.Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer res.Body.Close()
			n, err := io.Copy(io.Discard, res.Body)
			if err != nil {
				errs <- err
				return
			}
			if res.Header.Get("Content-Encoding") != "gzip" {
				errs <- assert.AnError
			}
			bytesIn.Add(n)
		})
	}
	wg.Wait()
	took := time.Since(began)
	close(stop)
	peakInuse := <-peak
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d cold requests for %d bytes: %v, %d bytes sent each, %.1f MB allocated, peak heap in use %.1f MB (%.1f MB before)",
		requests, len(body), took.Round(time.Millisecond), bytesIn.Load()/requests,
		float64(allocated)/1e6, float64(peakInuse)/1e6, float64(before.HeapInuse)/1e6)
	assert.EqualValues(t, 1, h.compressions.Load(), "the file was compressed more than once")
	// One compression: the compressor's state, the compressed copy and
	// the requests' buffers; per-request compression allocated 10 times this.
	assert.Less(t, allocated, uint64(48<<20), "allocated %d bytes", allocated)
}
