package nn

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelTask is work split into numbered chunks that may run in any order
// on any worker. runChunk must write only its chunk's share of the output, so
// the result does not depend on how chunks are spread over workers. worker
// (0 <= worker < the workers passed to parallelFor) lets a task give each
// worker its own scratch space.
type parallelTask interface {
	runChunk(worker, chunk int)
}

// pool is the persistent worker pool behind parallelFor. Its goroutines are
// started on first use and then wait for work, so a call allocates nothing:
// the task is stored as an interface holding a pointer, the worker ids travel
// over a channel, and the WaitGroup is reused.
var pool struct {
	mu      sync.Mutex // one parallelFor at a time
	started int        // helper goroutines running
	wake    chan int   // a helper receives the worker id it runs as
	wg      sync.WaitGroup
	task    parallelTask // the current task, set before waking helpers
	chunks  int          // its number of chunks
	next    atomic.Int64 // the next chunk to hand out
}

// maxWorkers is the number of workers parallelFor uses by default: one per
// CPU that Go may use (1 under WebAssembly, where the work runs inline).
func maxWorkers() int { return runtime.GOMAXPROCS(0) }

// parallelFor runs t's chunks 0..chunks-1 on up to workers goroutines (the
// caller is worker 0) and returns when all are done. Chunks are handed out
// dynamically, so uneven chunks balance. With one worker, or one chunk, it
// runs inline: for c < chunks: t.runChunk(0, c). Calls from several
// goroutines take turns; a task must not call parallelFor itself.
func parallelFor(workers, chunks int, t parallelTask) {
	workers = min(workers, chunks)
	if workers <= 1 {
		for c := 0; c < chunks; c++ {
			t.runChunk(0, c)
		}
		return
	}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	if pool.wake == nil {
		pool.wake = make(chan int)
	}
	for pool.started < workers-1 {
		pool.started++
		go poolHelper()
	}
	pool.task, pool.chunks = t, chunks
	pool.next.Store(0)
	pool.wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		pool.wake <- w
	}
	runChunks(0)
	pool.wg.Wait()
	pool.task = nil
}

// poolHelper is one persistent worker goroutine.
func poolHelper() {
	for w := range pool.wake {
		runChunks(w)
		pool.wg.Done()
	}
}

// runChunks takes chunks of the current task until none are left.
func runChunks(worker int) {
	for {
		c := int(pool.next.Add(1) - 1)
		if c >= pool.chunks {
			return
		}
		pool.task.runChunk(worker, c)
	}
}
