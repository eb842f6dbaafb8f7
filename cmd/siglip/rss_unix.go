//go:build unix

package main

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// peakRSSMiB returns the peak resident set size of this process in MiB
// (getrusage's maxrss), or 0 if it is unknown.
func peakRSSMiB() float64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return float64(ru.Maxrss) / (1 << 20) // bytes
	}
	return float64(ru.Maxrss) / (1 << 10) // KiB
}
