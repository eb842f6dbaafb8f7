package siglip_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/siglip-go/siglip"
	"github.com/siglip-go/siglip/data"
)

// BenchmarkTrainLoop compares the images/s of the whole training loop
// (Train: loader, towers, loss, AdamW, metrics, progress) with the bare
// step of `siglip bench train` (Model.TrainStep on one fixed batch), for the
// quick start's model on the shapes, in alternating rounds in one process
// so that a busy machine slows both alike. It reports the best round of
// each and loop/bare. SIGLIP_BENCH_PATCH sets the patch size (default 8:
// the quick start's; 4 is a model with 3.5x the compute per image).
//
//	go test -run '^$' -bench TrainLoop -benchtime 1x .
func BenchmarkTrainLoop(b *testing.B) {
	const steps, rounds = 150, 5
	patch := 8
	if v, err := strconv.Atoi(os.Getenv("SIGLIP_BENCH_PATCH")); err == nil {
		patch = v
	}
	cfg := siglip.DefaultTrainConfig()
	cfg.Data = "shapes"
	cfg.PatchSize = patch
	cfg.Steps = steps
	cfg.Warmup = 20
	cfg.Threads = 2
	cfg.EvalData = "none"
	cfg.CheckpointEvery = -1
	for range b.N {
		var bestBare, bestLoop float64
		for range rounds {
			// The whole loop.
			c := cfg
			c.Out = b.TempDir()
			res, err := siglip.Train(context.Background(), c)
			if err != nil {
				b.Fatal(err)
			}
			bestLoop = max(bestLoop, res.ImagesPerSecond)

			// The bare step on one batch of the same data and model.
			src, _ := data.Open("shapes", data.OpenOptions{Split: "train"})
			tr, err := siglip.LoadTrained(c.Out, 2)
			if err != nil {
				b.Fatal(err)
			}
			mc := tr.Model.Config()
			l, err := data.NewLoader(src, data.LoaderOptions{BatchSize: cfg.BatchSize, ImageSize: mc.ImageSize, TextLen: mc.TextLen, Tokenizer: tr.Tokenizer})
			if err != nil {
				b.Fatal(err)
			}
			batch, err := l.Next()
			l.Close()
			tr.Close()
			if err != nil {
				b.Fatal(err)
			}
			m, err := siglip.NewModel(mc, 0, siglip.WithThreads(2), siglip.WithBatch(cfg.BatchSize, cfg.BatchSize))
			if err != nil {
				b.Fatal(err)
			}
			px := siglip.Matrix{Rows: batch.Rows, Cols: mc.PixelsPerImage(), Data: batch.Pixels}
			tok := siglip.TokenMatrix{Rows: batch.Rows, Cols: mc.TextLen, IDs: batch.Tokens}
			lo := siglip.LossOptions{Threads: 2, ImageLabels: batch.CaptionIDs, TextLabels: batch.CaptionIDs}
			opt := siglip.DefaultAdamW()
			if _, err := m.TrainStep(px, tok, lo, opt); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			for range steps {
				if _, err := m.TrainStep(px, tok, lo, opt); err != nil {
					b.Fatal(err)
				}
			}
			bestBare = max(bestBare, float64(steps*cfg.BatchSize)/time.Since(start).Seconds())
			m.Close()
		}
		b.ReportMetric(bestLoop, "loop_images/s")
		b.ReportMetric(bestBare, "bare_images/s")
		b.ReportMetric(bestLoop/bestBare, "loop/bare")
	}
}
