//go:build unix

package siglip_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"

	"github.com/siglip-go/siglip"
)

// benchEnv reads a positive integer from the environment, or returns def.
func benchEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// peakRSSMiB is the peak resident set of this process (getrusage).
func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // KiB on Linux
}

// BenchmarkRingShardedLoss times the sigmoid loss, forward and backward, at
// n = m = 8192, d = 768 (SIGLIP_BENCH_N, SIGLIP_BENCH_D override them) on
// SIGLIP_BENCH_THREADS threads (default: all cores): K=0 is Loss unsharded,
// K>=1 is ShardedLoss with K in-process ring shards. It reports the ring's
// waiting share and the process's peak RSS, which covers everything this
// process did: run one K per process for a fair memory figure, e.g.
//
//	go test -run '^$' -bench 'RingShardedLoss/K=4$' -benchtime 3x .
func BenchmarkRingShardedLoss(b *testing.B) {
	n, d := benchEnv("SIGLIP_BENCH_N", 8192), benchEnv("SIGLIP_BENCH_D", 768)
	threads := benchEnv("SIGLIP_BENCH_THREADS", 0)
	for _, k := range []int{0, 1, 2, 4} {
		b.Run(fmt.Sprintf("K=%d", k), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			img, txt := randomEmbeddings(rng, n, d), randomEmbeddings(rng, n, d)
			o := siglip.LossOptions{Threads: threads}
			p := siglip.DefaultParams()
			run := func() siglip.RingStats {
				var err error
				var st siglip.RingStats
				if k == 0 {
					_, _, err = siglip.Loss(img, txt, p, o)
				} else {
					_, _, st, err = siglip.ShardedLoss(img, txt, p, o, k, siglip.RingOptions{})
				}
				if err != nil {
					b.Fatal(err)
				}
				return st
			}
			run() // warm-up: pools, page faults
			var wait, total float64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				st := run()
				wait += st.Wait.Seconds()
				total += st.Total.Seconds()
			}
			b.StopTimer()
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/op")
			if total > 0 {
				b.ReportMetric(wait/total, "wait-share")
			}
			b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
			b.ReportMetric(siglip.LossFLOPs(siglip.Sigmoid, n, n, d, false)/(b.Elapsed().Seconds()/float64(b.N))/1e9, "GFLOP/s")
		})
	}
}
