package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/siglip-go/siglip"
)

// benchLossFlags are the flags of `siglip bench loss`.
type benchLossFlags struct {
	kind        siglip.LossKind
	n, m, d     int
	threads     int
	repeats     int
	seed        uint64
	forwardOnly bool
	json        bool
}

// benchLossResult is the JSON line of `siglip bench loss --json`.
type benchLossResult struct {
	Kind          string    `json:"kind"`
	ForwardOnly   bool      `json:"forward_only"`
	N             int       `json:"n"`
	M             int       `json:"m"`
	D             int       `json:"d"`
	Threads       int       `json:"threads"`
	Repeats       int       `json:"repeats"`
	SecondsMedian float64   `json:"seconds_median"`
	Seconds       []float64 `json:"seconds"`
	Flops         float64   `json:"flops"`
	GFlops        float64   `json:"gflops"`
	SgemmSeconds  float64   `json:"sgemm_seconds"`
	SgemmGFlops   float64   `json:"sgemm_gflops"`
	RooflineRatio float64   `json:"roofline_ratio"`
	PeakRSSMB     float64   `json:"peak_rss_mb"`
	Build         string    `json:"build"`
}

// maxSgemmSide caps the rows and columns of the roofline's sgemm.
const maxSgemmSide = 4096

func newBenchLossCmd() *cobra.Command {
	f := benchLossFlags{kind: siglip.Sigmoid, n: 8192, d: 768, repeats: 5, seed: 1}
	cmd := &cobra.Command{
		Use:   "loss",
		Short: "Time the loss on random embeddings against the sgemm roofline",
		Long: `Times Loss (forward and backward) or, with --forward-only, LossValue on random
unit-norm float32 embeddings: one warm-up, then --repeats timed runs; reports the
median. In the same run it times OpenBLAS's sgemm on the logits' shape
(n' x d)(d x m') with the same threads, where n' = min(n, 4096) and
m' = min(m, 4096) (the rate has reached its plateau there, and a full n x m
product would not fit in memory for large n), once before and once after the
loss runs, keeping the faster (so that a busy machine makes the ratio worse,
never better); the roofline is the loss's GEMM flops at
that rate (sigmoid: 6nmd flops forward and backward; softmax: 8nmd; forward
only: 2nmd), and roofline_ratio = seconds / (flops / sgemm rate): 1 is ideal.
With n != m the positives are given by labels i mod min(n, m).

With --json the last line of the output is one JSON object.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("m") {
				f.m = f.n
			}
			return runBenchLoss(cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.Var(kindValue{&f.kind}, "kind", "loss: sigmoid or softmax")
	fl.IntVar(&f.n, "n", f.n, "images per batch")
	fl.IntVar(&f.m, "m", 0, "texts per batch (default n)")
	fl.IntVar(&f.d, "d", f.d, "embedding width")
	fl.IntVar(&f.threads, "threads", 0, "kernel and sgemm threads (0: all cores)")
	fl.IntVar(&f.repeats, "repeats", f.repeats, "timed runs after one warm-up")
	fl.Uint64Var(&f.seed, "seed", f.seed, "seed of the random embeddings")
	fl.BoolVar(&f.forwardOnly, "forward-only", false, "time the loss value only (LossValue)")
	fl.BoolVar(&f.json, "json", false, "print one JSON object as the last line")
	return cmd
}

func runBenchLoss(stdout io.Writer, f benchLossFlags) error {
	for _, c := range []struct {
		name string
		v    int
	}{{"--n", f.n}, {"--m", f.m}, {"--d", f.d}, {"--repeats", f.repeats}} {
		if c.v <= 0 {
			return badInput("%s %d: want > 0", c.name, c.v)
		}
	}
	if f.threads < 0 {
		return badInput("--threads %d: want >= 0 (0: all cores)", f.threads)
	}
	threads, err := siglip.EffectiveThreads(f.threads)
	if err != nil {
		return err
	}

	rng := rand.New(rand.NewPCG(f.seed, 0x5167))
	img, txt := randomUnitMatrix(rng, f.n, f.d), randomUnitMatrix(rng, f.m, f.d)
	p := siglip.DefaultParams()
	o := siglip.LossOptions{Kind: f.kind, Threads: threads}
	if f.n != f.m {
		k := min(f.n, f.m)
		o.ImageLabels, o.TextLabels = modLabels(f.n, k), modLabels(f.m, k)
	}
	once := func() error {
		if f.forwardOnly {
			_, err := siglip.LossValue(img, txt, p, o)
			return err
		}
		_, _, err := siglip.Loss(img, txt, p, o)
		return err
	}
	// The roofline before the loss runs; again after them (below).
	gn, gm := min(f.n, maxSgemmSide), min(f.m, maxSgemmSide)
	gemmBefore, err := siglip.SgemmBenchmark(threads, gn, gm, f.d, max(f.repeats, 3))
	if err != nil {
		return err
	}
	if err := once(); err != nil { // warm-up
		return err
	}
	secs := make([]float64, f.repeats)
	for i := range secs {
		start := time.Now()
		if err := once(); err != nil {
			return err
		}
		secs[i] = time.Since(start).Seconds()
	}
	gemmSec, err := siglip.SgemmBenchmark(threads, gn, gm, f.d, max(f.repeats, 3))
	if err != nil {
		return err
	}
	gemmSec = min(gemmSec, gemmBefore)

	r := benchLossResult{
		Kind: f.kind.String(), ForwardOnly: f.forwardOnly,
		N: f.n, M: f.m, D: f.d, Threads: threads, Repeats: f.repeats,
		SecondsMedian: median(secs), Seconds: secs,
		Flops:        siglip.LossFLOPs(f.kind, f.n, f.m, f.d, f.forwardOnly),
		SgemmSeconds: gemmSec,
		PeakRSSMB:    peakRSSMiB(),
		Build:        siglip.BuildInfo(),
	}
	r.GFlops = r.Flops / r.SecondsMedian / 1e9
	sgemmRate := 2 * float64(gn) * float64(gm) * float64(f.d) / gemmSec // flop/s
	r.SgemmGFlops = sgemmRate / 1e9
	r.RooflineRatio = r.SecondsMedian / (r.Flops / sgemmRate)
	for _, v := range []float64{r.GFlops, r.SgemmGFlops, r.RooflineRatio} {
		if math.IsInf(v, 0) || math.IsNaN(v) { // a run too fast for the clock
			r.GFlops, r.SgemmGFlops, r.RooflineRatio = 0, 0, 0
		}
	}

	if f.json {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	pass := "forward+backward"
	if f.forwardOnly {
		pass = "forward only"
	}
	_, err = fmt.Fprintf(stdout, `siglip bench loss: %s %s, n=%d m=%d d=%d, %d threads, median of %d
  loss:      %.4f s   %7.1f GFLOP/s   (%.3g flop)
  sgemm:     %.4f s   %7.1f GFLOP/s   (OpenBLAS, (%d x %d)(%d x %d), %d threads)
  roofline:  ratio %.3f (time / ideal time at the sgemm rate; 1 is ideal)
  peak RSS:  %.0f MiB
  build:     %s
`, r.Kind, pass, r.N, r.M, r.D, r.Threads, r.Repeats,
		r.SecondsMedian, r.GFlops, r.Flops,
		r.SgemmSeconds, r.SgemmGFlops, min(r.N, maxSgemmSide), r.D, r.D, min(r.M, maxSgemmSide), r.Threads,
		r.RooflineRatio, r.PeakRSSMB, r.Build)
	return err
}

// randomUnitMatrix returns rows x cols random unit-norm rows.
func randomUnitMatrix(rng *rand.Rand, rows, cols int) siglip.Matrix {
	m := siglip.NewMatrix(rows, cols)
	for i := range rows {
		r := m.Row(i)
		var s float64
		for k := range r {
			v := rng.NormFloat64()
			r[k] = float32(v)
			s += v * v
		}
		inv := 1 / math.Sqrt(s)
		for k := range r {
			r[k] = float32(float64(r[k]) * inv)
		}
	}
	return m
}

// modLabels returns the labels i mod k for i < n.
func modLabels(n, k int) []int64 {
	l := make([]int64, n)
	for i := range l {
		l[i] = int64(i % k)
	}
	return l
}

// median returns the median of v (the mean of the middle two for even len).
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	h := len(s) / 2
	if len(s)%2 == 1 {
		return s[h]
	}
	return (s[h-1] + s[h]) / 2
}
