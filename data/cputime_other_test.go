//go:build !linux

package data

import "testing"

// cpuTimer resets b's timer; the CPU time per op is reported on Linux only.
func cpuTimer(b *testing.B) func() {
	b.ResetTimer()
	return func() {}
}

// processCPU returns 0: the process CPU time is measured on Linux only.
func processCPU() int64 { return 0 }
