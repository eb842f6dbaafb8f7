package data

import (
	"runtime"
	"syscall"
	"testing"
)

// cpuTimer resets b's timer and returns a func that reports the CPU time
// per op of this thread ("cpu-ns/op"), steadier than the wall time on a busy
// machine; the benchmark must not start goroutines.
func cpuTimer(b *testing.B) func() {
	runtime.LockOSThread()
	t0 := threadCPU()
	b.ResetTimer()
	return func() {
		b.ReportMetric(float64(threadCPU()-t0)/float64(b.N), "cpu-ns/op")
		runtime.UnlockOSThread()
	}
}

// threadCPU returns the CPU time of this thread in ns.
func threadCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// processCPU returns the CPU time of the whole process in ns, all threads
// together (for benchmarks whose work runs in goroutines).
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
