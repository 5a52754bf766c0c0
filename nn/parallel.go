package nn

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// parallelTask is work split into numbered chunks that may run in any order
// on any worker. runChunk must write only its chunk's share of the output, so
// the result does not depend on how chunks are spread over workers. worker
// (0 <= worker < the workers passed to parallelFor) lets a task give each
// worker its own scratch space.
type parallelTask interface {
	runChunk(worker, chunk int)
}

// pool is the persistent worker pool behind parallelFor. Its helper
// goroutines are started on first use and then wait for work, so a call
// allocates nothing.
//
// A training step hands the pool hundreds of tasks of 20-200 µs each (a
// Winograd block's transforms and products, an activation pass). A helper
// parked in the scheduler took longer than that to wake, so the caller did
// most chunks alone. So a helper that finishes a task first watches state
// for the next one for helperSpin, yielding between looks, and only then
// parks on cond.
var pool struct {
	mu      sync.Mutex    // one parallelFor at a time
	started int           // helper goroutines running; helper w (1..started) is worker w
	state   atomic.Int64  // generation<<8 | workers of the current task
	pending atomic.Int64  // helpers of the current task not yet done
	task    parallelTask  // the current task, set before state announces it
	chunks  int           // its number of chunks
	next    atomic.Int64  // the next chunk to hand out
	done    chan struct{} // (1) the last helper of a task reports here

	sleep  sync.Mutex   // guards parking on cond
	cond   *sync.Cond   // parked helpers wait here for a new generation
	parked atomic.Int32 // helpers parked on cond (for the tests)
}

// helperSpin is how long a helper keeps looking for the next task before it
// parks; callerSpin how many times the caller looks for the helpers' end
// before it blocks.
const (
	helperSpin = 50 * time.Microsecond
	callerSpin = 100
)

// maxPoolWorkers bounds the workers of one task (the low 8 bits of state).
const maxPoolWorkers = 255

// maxWorkers is the number of workers parallelFor uses by default: one per
// CPU that Go may use (1 under WebAssembly, where the work runs inline).
func maxWorkers() int { return min(runtime.GOMAXPROCS(0), maxPoolWorkers) }

// parallelFor runs t's chunks 0..chunks-1 on up to workers goroutines (the
// caller is worker 0) and returns when all are done. Chunks are handed out
// dynamically, so uneven chunks balance. With one worker, or one chunk, it
// runs inline: for c < chunks: t.runChunk(0, c). Calls from several
// goroutines take turns; a task must not call parallelFor itself.
func parallelFor(workers, chunks int, t parallelTask) {
	workers = min(workers, chunks, maxPoolWorkers)
	if workers <= 1 {
		for c := 0; c < chunks; c++ {
			t.runChunk(0, c)
		}
		return
	}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	if pool.cond == nil {
		pool.cond = sync.NewCond(&pool.sleep)
		pool.done = make(chan struct{}, 1)
	}
	for pool.started < workers-1 {
		pool.started++
		go poolHelper(pool.started, pool.state.Load()>>8)
	}
	pool.task, pool.chunks = t, chunks
	pool.next.Store(0)
	pool.pending.Store(int64(workers - 1))
	// Announce the task: helpers 1..workers-1 take part, the others (of an
	// earlier, wider call) only note the generation.
	pool.state.Store((pool.state.Load()>>8+1)<<8 | int64(workers))
	pool.sleep.Lock()
	pool.cond.Broadcast()
	pool.sleep.Unlock()
	runChunks(0)
	// The helpers finish their last chunks, at most one each. Look for a
	// moment, then block: on a busy machine a helper may be waiting for a
	// core, which spinning here would keep.
	for i := 0; i < callerSpin && pool.pending.Load() != 0; i++ {
		runtime.Gosched()
	}
	<-pool.done
	pool.task = nil
}

// poolHelper is persistent worker w; gen is the generation it has seen.
func poolHelper(w int, gen int64) {
	for {
		s := awaitTask(gen)
		gen = s >> 8
		if int64(w) < s&maxPoolWorkers {
			runChunks(w)
			if pool.pending.Add(-1) == 0 {
				pool.done <- struct{}{} // the last helper out tells the caller
			}
		}
	}
}

// awaitTask returns state once its generation is past gen: it looks for
// helperSpin, then parks until parallelFor announces a task.
func awaitTask(gen int64) int64 {
	var start time.Time
	for i := 0; ; i++ {
		if s := pool.state.Load(); s>>8 != gen {
			return s
		}
		if i%64 == 0 {
			if i == 0 {
				start = time.Now()
			} else if time.Since(start) > helperSpin {
				break
			}
		}
		runtime.Gosched()
	}
	pool.sleep.Lock()
	defer pool.sleep.Unlock()
	for {
		if s := pool.state.Load(); s>>8 != gen {
			return s
		}
		pool.parked.Add(1)
		pool.cond.Wait()
		pool.parked.Add(-1)
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
