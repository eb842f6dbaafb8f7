//go:build !linux

package data

import "testing"

// cpuTimer resets b's timer; the CPU time per op is reported on Linux only.
func cpuTimer(b *testing.B) func() {
	b.ResetTimer()
	return func() {}
}
