package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Task is work split into numbered chunks that may run in any order on any
// worker. RunChunk must write only its chunk's share of the output, so the
// result does not depend on how chunks are spread over workers. worker
// (0 <= worker < the workers passed to ParallelFor) lets a task give each
// worker its own scratch space.
type Task interface {
	RunChunk(worker, chunk int)
}

// goroutines is the persistent set of helper goroutines behind
// ParallelFor (nn's pooling layers are another thing). The helpers are
// started on first use and then wait for work, so a call allocates nothing.
//
// A training step hands the helpers hundreds of tasks of 20-200 µs each (a
// Winograd block's transforms and products, an activation pass). A helper
// parked in the scheduler took longer than that to wake, so the caller did
// most chunks alone. So a helper that finishes a task first watches state
// for the next one for helperSpin, yielding between looks, and only then
// parks on cond.
var goroutines struct {
	mu      sync.Mutex    // one ParallelFor at a time
	started int           // helper goroutines running; helper w (1..started) is worker w
	state   atomic.Int64  // generation<<8 | workers of the current task
	pending atomic.Int64  // helpers of the current task not yet done
	task    Task          // the current task, set before state announces it
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

// maxWorkers bounds the workers of one task (the low 8 bits of state).
const maxWorkers = 255

// MaxWorkers is the number of workers ParallelFor uses by default: one per
// CPU that Go may use (1 under WebAssembly, where the work runs inline).
func MaxWorkers() int { return min(runtime.GOMAXPROCS(0), maxWorkers) }

// ParallelFor runs t's chunks 0..chunks-1 on up to workers goroutines (the
// caller is worker 0) and returns when all are done. Chunks are handed out
// dynamically, so uneven chunks balance. With one worker, or one chunk, it
// runs inline: for c < chunks: t.RunChunk(0, c). Calls from several
// goroutines take turns; a task must not call ParallelFor itself.
func ParallelFor(workers, chunks int, t Task) {
	workers = min(workers, chunks, maxWorkers)
	if workers <= 1 {
		for c := 0; c < chunks; c++ {
			t.RunChunk(0, c)
		}
		return
	}
	goroutines.mu.Lock()
	defer goroutines.mu.Unlock()
	if goroutines.cond == nil {
		goroutines.cond = sync.NewCond(&goroutines.sleep)
		goroutines.done = make(chan struct{}, 1)
	}
	for goroutines.started < workers-1 {
		goroutines.started++
		go helper(goroutines.started, goroutines.state.Load()>>8)
	}
	goroutines.task, goroutines.chunks = t, chunks
	goroutines.next.Store(0)
	goroutines.pending.Store(int64(workers - 1))
	// Announce the task: helpers 1..workers-1 take part, the others (of an
	// earlier, wider call) only note the generation.
	goroutines.state.Store((goroutines.state.Load()>>8+1)<<8 | int64(workers))
	goroutines.sleep.Lock()
	goroutines.cond.Broadcast()
	goroutines.sleep.Unlock()
	runChunks(0)
	// The helpers finish their last chunks, at most one each. Look for a
	// moment, then block: on a busy machine a helper may be waiting for a
	// core, which spinning here would keep.
	for i := 0; i < callerSpin && goroutines.pending.Load() != 0; i++ {
		runtime.Gosched()
	}
	<-goroutines.done
	goroutines.task = nil
}

// helper is persistent worker w; gen is the generation it has seen.
func helper(w int, gen int64) {
	for {
		s := awaitTask(gen)
		gen = s >> 8
		if int64(w) < s&maxWorkers {
			runChunks(w)
			if goroutines.pending.Add(-1) == 0 {
				goroutines.done <- struct{}{} // the last helper out tells the caller
			}
		}
	}
}

// awaitTask returns state once its generation is past gen: it looks for
// helperSpin, then parks until ParallelFor announces a task.
func awaitTask(gen int64) int64 {
	var start time.Time
	for i := 0; ; i++ {
		if s := goroutines.state.Load(); s>>8 != gen {
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
	goroutines.sleep.Lock()
	defer goroutines.sleep.Unlock()
	for {
		if s := goroutines.state.Load(); s>>8 != gen {
			return s
		}
		goroutines.parked.Add(1)
		goroutines.cond.Wait()
		goroutines.parked.Add(-1)
	}
}

// runChunks takes chunks of the current task until none are left.
func runChunks(worker int) {
	for {
		c := int(goroutines.next.Add(1) - 1)
		if c >= goroutines.chunks {
			return
		}
		goroutines.task.RunChunk(worker, c)
	}
}
