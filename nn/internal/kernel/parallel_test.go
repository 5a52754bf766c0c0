package kernel

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkCounts requires every chunk of task to have run exactly once, on a
// worker below workers.
func checkCounts(t *testing.T, task *countTask, workers int, what string) {
	t.Helper()
	for c := range task.runs {
		require.Equal(t, 1, task.runs[c], "%s: chunk %d runs", what, c)
		require.Less(t, task.worker[c], max(1, min(workers, len(task.runs))), "%s: chunk %d worker", what, c)
		task.runs[c] = 0
	}
}

// Consecutive tasks of changing width: helpers of a wider call sit out
// narrower ones (they must not run chunks, nor be waited for), then take
// part again; a task of one chunk runs inline.
func TestParallelForChangingWidths(t *testing.T) {
	task := &countTask{runs: make([]int, 9), worker: make([]int, 9)}
	for i, workers := range []int{3, 2, 1, 3, 4, 2, 4, 3, 2, 2, 3} {
		ParallelFor(workers, len(task.runs), task)
		checkCounts(t, task, workers, fmt.Sprintf("call %d, %d workers", i, workers))
	}
	for i := range 2000 { // many generations back to back, helpers spinning
		ParallelFor(2+i%2, len(task.runs), task)
		checkCounts(t, task, 2+i%2, fmt.Sprintf("call %d", i))
	}
}

// Helpers that found no task for a while park; a task then wakes them.
func TestParallelForWakesParkedHelpers(t *testing.T) {
	task := &countTask{runs: make([]int, 64), worker: make([]int, 64)}
	ParallelFor(3, len(task.runs), task) // at least two helpers exist
	checkCounts(t, task, 3, "first")
	deadline := time.Now().Add(10 * time.Second)
	for {
		goroutines.mu.Lock()
		all := int(goroutines.parked.Load()) == goroutines.started
		goroutines.mu.Unlock()
		if all {
			break
		}
		require.True(t, time.Now().Before(deadline), "helpers never parked")
		time.Sleep(time.Millisecond) // polling with a deadline, not waiting for a result
	}
	ParallelFor(3, len(task.runs), task)
	checkCounts(t, task, 3, "after parking")
}

// Calls from several goroutines take turns; each gets all its chunks run.
func TestParallelForConcurrentCallers(t *testing.T) {
	var wg sync.WaitGroup
	tasks := make([]*countTask, 4)
	for g := range tasks {
		tasks[g] = &countTask{runs: make([]int, 17), worker: make([]int, 17)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				ParallelFor(2+g%2, 17, tasks[g])
				for c := range tasks[g].runs { // checked below, once all are done
					if tasks[g].runs[c] != 1 {
						return
					}
					tasks[g].runs[c] = 0
				}
			}
			for c := range tasks[g].runs {
				tasks[g].runs[c] = 1
			}
		}()
	}
	wg.Wait()
	for g, task := range tasks {
		for c := range task.runs {
			require.Equal(t, 1, task.runs[c], "goroutine %d chunk %d", g, c)
		}
	}
}

// countTask records which worker ran each chunk.
type countTask struct {
	runs   []int
	worker []int
}

func (t *countTask) RunChunk(worker, chunk int) {
	t.runs[chunk]++ // each chunk is run once, so no two workers share an index
	t.worker[chunk] = worker
}

func TestParallelFor(t *testing.T) {
	for _, tc := range []struct{ workers, chunks int }{
		{1, 0}, {1, 5}, {2, 1}, {2, 2}, {2, 7}, {3, 2}, {3, 100}, {4, 33},
	} {
		t.Run(fmt.Sprintf("workers=%d,chunks=%d", tc.workers, tc.chunks), func(t *testing.T) {
			task := &countTask{runs: make([]int, tc.chunks), worker: make([]int, tc.chunks)}
			ParallelFor(tc.workers, tc.chunks, task)
			for c := range tc.chunks {
				assert.Equal(t, 1, task.runs[c], "chunk %d runs", c)
				assert.Less(t, task.worker[c], max(1, min(tc.workers, tc.chunks)), "chunk %d worker", c)
				assert.GreaterOrEqual(t, task.worker[c], 0)
			}
		})
	}
}
