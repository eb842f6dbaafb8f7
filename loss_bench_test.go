package siglip_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/siglip-go/siglip"
)

// benchSizes are the batch sizes of the loss benchmarks (n = m, d = 768, the
// width of SigLIP B/16).
var benchSizes = []int{1024, 4096, 8192}

const benchWidth = 768

// benchLoss times one loss configuration per batch size on all cores and
// reports GFLOP/s against the roofline's flop count (siglip.LossFLOPs).
//
//	go test -run '^$' -bench 'Loss' -benchtime 3x .
func benchLoss(b *testing.B, kind siglip.LossKind, forwardOnly bool) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d/d=%d", n, benchWidth), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(uint64(n), benchWidth))
			img, txt := randomEmbeddings(rng, n, benchWidth), randomEmbeddings(rng, n, benchWidth)
			p, o := siglip.DefaultParams(), siglip.LossOptions{Kind: kind}
			run := func() error {
				if forwardOnly {
					_, err := siglip.LossValue(img, txt, p, o)
					return err
				}
				_, _, err := siglip.Loss(img, txt, p, o)
				return err
			}
			if err := run(); err != nil { // warm-up: pool creation, first touch
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if err := run(); err != nil {
					b.Fatal(err)
				}
			}
			flops := siglip.LossFLOPs(kind, n, n, benchWidth, forwardOnly)
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSigmoidLoss: the sigmoid loss, forward and backward (6nmd flops).
func BenchmarkSigmoidLoss(b *testing.B) { benchLoss(b, siglip.Sigmoid, false) }

// BenchmarkSigmoidLossForward: the sigmoid loss value only (2nmd flops).
func BenchmarkSigmoidLossForward(b *testing.B) { benchLoss(b, siglip.Sigmoid, true) }

// BenchmarkSoftmaxLoss: the CLIP softmax loss, forward and backward (8nmd flops).
func BenchmarkSoftmaxLoss(b *testing.B) { benchLoss(b, siglip.Softmax, false) }
