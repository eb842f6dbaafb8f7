package siglip_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/siglip-go/siglip"
)

// BenchmarkTrainStep times one full training step (both towers forward and
// backward, the sigmoid loss, AdamW) and reports the model FLOP rate:
//
//	go test -run '^$' -bench 'TrainStep/tiny' .
//	SIGLIP_BENCH_S16=1 go test -run '^$' -bench 'TrainStep/s16' -benchtime 3x .
//
// s16 at batch 64 takes ~10-20 s a step and ~5 GB, so it runs only with
// SIGLIP_BENCH_S16=1. `siglip bench train --json` reports the same step with
// the sgemm roofline and the MFU.
func BenchmarkTrainStep(b *testing.B) {
	cases := []struct {
		preset         string
		batch, threads int
	}{
		{"tiny", 32, 1},
		{"tiny", 32, 2},
		{"s16", 64, 2},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("%s/batch=%d/threads=%d", c.preset, c.batch, c.threads), func(b *testing.B) {
			if c.preset != "tiny" && os.Getenv("SIGLIP_BENCH_S16") == "" {
				b.Skip("set SIGLIP_BENCH_S16=1 to run (a step takes seconds and ~5 GB)")
			}
			cfg, err := siglip.ModelPreset(c.preset)
			if err != nil {
				b.Fatal(err)
			}
			m, err := siglip.NewModel(cfg, 1, siglip.WithThreads(c.threads), siglip.WithBatch(c.batch, c.batch))
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			px, tok := testBatch(cfg, c.batch, 1)
			lo := siglip.LossOptions{Threads: c.threads}
			o := siglip.DefaultAdamW()
			if _, err := m.TrainStep(px, tok, lo, o); err != nil { // warm-up
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := m.TrainStep(px, tok, lo, o); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(cfg.TrainStepFLOPs(c.batch)/sec/1e9, "GFLOP/s")
			b.ReportMetric(float64(c.batch)/sec, "images/s")
		})
	}
}
