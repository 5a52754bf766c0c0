//go:build unix

package nn

import "syscall"

// cpuSeconds is the CPU time this process has used, user and system. On a
// shared machine a benchmark's wall-clock time includes the time other
// processes held the cores; its CPU time does not.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
