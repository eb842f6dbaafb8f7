package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/spf13/cobra"

	"github.com/siglip-go/siglip"
)

// benchTrainFlags are the flags of `siglip bench train`.
type benchTrainFlags struct {
	model     string
	batch     int
	threads   int
	steps     int
	seed      uint64
	imageSize int
	patchSize int
	textLen   int
	vocab     int
	pooling   string
	json      bool
}

// benchTrainResult is the JSON line of `siglip bench train --json`.
type benchTrainResult struct {
	Model           string    `json:"model"`
	Batch           int       `json:"batch"`
	Threads         int       `json:"threads"`
	Steps           int       `json:"steps"`
	Params          int       `json:"params"`
	StepSeconds     float64   `json:"step_seconds"` // median
	StepSecondsAll  []float64 `json:"step_seconds_all"`
	ForwardS        float64   `json:"forward_s"` // phases of the median step
	LossS           float64   `json:"loss_s"`
	BackwardS       float64   `json:"backward_s"`
	OptimizerS      float64   `json:"optimizer_s"`
	ImagesPerS      float64   `json:"images_per_s"`
	StepFlops       float64   `json:"step_flops"`
	GFlops          float64   `json:"gflops"`
	SgemmGFlops     float64   `json:"sgemm_gflops"`
	SgemmGFlopsRuns []float64 `json:"sgemm_gflops_runs"`
	SgemmShape      [3]int    `json:"sgemm_shape"`
	MFU             float64   `json:"mfu"`
	Loss            float64   `json:"loss"`
	ModelMB         float64   `json:"model_mb"`
	PeakRSSMB       float64   `json:"peak_rss_mb"`
	SIMD            string    `json:"simd"`
	Build           string    `json:"build"`
}

func newBenchTrainCmd() *cobra.Command {
	f := benchTrainFlags{model: "s16", batch: 64, steps: 3, seed: 1, pooling: "map"}
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Time one full training step of the towers against the sgemm roofline",
		Long: `Times full training steps (Model.TrainStep) on random images and token
sequences: the training forward of both towers, the sigmoid loss, the backward of
both towers and one AdamW update. One warm-up step, then --steps timed steps; the
median is reported.

step_flops are the model FLOPs of the step, counted from the config: 2 M N K for
every matrix product (attention products included) of the forward of both towers,
times 3 for forward and backward, plus the loss's 6 B^2 d. gflops = step_flops /
step_seconds. In the same run, OpenBLAS sgemm is timed on the image MLP's shape
(8192 x width)(width x mlp) with the same threads, once before and
once after the steps; sgemm_gflops is the faster of the two (on a busy machine
this makes mfu conservative) and mfu = gflops / sgemm_gflops.

With --json the last line of the output is one JSON object.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBenchTrain(cmd.OutOrStdout(), f, cmd.Flags().Changed)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", f.model, "model preset: tiny, s16 or b16")
	fl.IntVar(&f.batch, "batch", f.batch, "image-text pairs per step")
	fl.IntVar(&f.threads, "threads", 0, "threads of the model, the loss and sgemm (0: all cores)")
	fl.IntVar(&f.steps, "steps", f.steps, "timed steps after one warm-up")
	fl.Uint64Var(&f.seed, "seed", f.seed, "seed of the parameters and the random batch")
	fl.IntVar(&f.imageSize, "image-size", 0, "override the preset's image size (pixels)")
	fl.IntVar(&f.patchSize, "patch-size", 0, "override the preset's patch size (pixels)")
	fl.IntVar(&f.textLen, "text-len", 0, "override the preset's tokens per text")
	fl.IntVar(&f.vocab, "vocab", 0, "override the preset's vocabulary size")
	fl.StringVar(&f.pooling, "pooling", f.pooling, "image pooling: map or mean")
	fl.BoolVar(&f.json, "json", false, "print one JSON object as the last line")
	return cmd
}

func runBenchTrain(stdout io.Writer, f benchTrainFlags, changed func(string) bool) error {
	cfg, err := siglip.ModelPreset(f.model)
	if err != nil {
		return badInput("--model %q: want tiny, s16 or b16", f.model)
	}
	for _, c := range []struct {
		name string
		v    int
		dst  *int
	}{{"image-size", f.imageSize, &cfg.ImageSize}, {"patch-size", f.patchSize, &cfg.PatchSize},
		{"text-len", f.textLen, &cfg.TextLen}, {"vocab", f.vocab, &cfg.VocabSize}} {
		if changed(c.name) {
			if c.v <= 0 {
				return badInput("--%s %d: want > 0", c.name, c.v)
			}
			*c.dst = c.v
		}
	}
	switch f.pooling {
	case "map":
		cfg.Pooling = siglip.PoolMAP
	case "mean":
		cfg.Pooling = siglip.PoolMean
	default:
		return badInput("--pooling %q: want map or mean", f.pooling)
	}
	if err := cfg.Validate(); err != nil {
		return badInput("%v", err)
	}
	if f.batch <= 0 || f.steps <= 0 {
		return badInput("--batch %d, --steps %d: want > 0", f.batch, f.steps)
	}
	if f.threads < 0 {
		return badInput("--threads %d: want >= 0 (0: all cores)", f.threads)
	}
	threads, err := siglip.EffectiveThreads(f.threads)
	if err != nil {
		return err
	}

	m, err := siglip.NewModel(cfg, f.seed, siglip.WithThreads(threads), siglip.WithBatch(f.batch, f.batch))
	if err != nil {
		return err
	}
	defer m.Close()
	pixels, tokens := randomBatch(cfg, f.batch, f.seed)
	lo := siglip.LossOptions{Threads: threads}
	opt := siglip.DefaultAdamW()

	// sgemm on the MLP's shape (8192 rows: the rate's plateau, whatever the
	// batch), before and after the steps.
	gm, gn, gk := 8192, cfg.VisionMLP, cfg.VisionWidth
	sgemm := func() (float64, error) {
		sec, err := siglip.SgemmBenchmark(threads, gm, gn, gk, 5)
		if err != nil {
			return 0, err
		}
		return 2 * float64(gm) * float64(gn) * float64(gk) / sec / 1e9, nil
	}
	g0, err := sgemm()
	if err != nil {
		return err
	}
	if _, err := m.TrainStep(pixels, tokens, lo, opt); err != nil { // warm-up
		return err
	}
	stats := make([]siglip.StepStats, f.steps)
	secs := make([]float64, f.steps)
	for i := range stats {
		start := time.Now()
		if stats[i], err = m.TrainStep(pixels, tokens, lo, opt); err != nil {
			return err
		}
		secs[i] = time.Since(start).Seconds()
	}
	g1, err := sgemm()
	if err != nil {
		return err
	}

	med := median(secs)
	mi := 0 // the step closest to the median, for the phases
	for i := range secs {
		if math.Abs(secs[i]-med) < math.Abs(secs[mi]-med) {
			mi = i
		}
	}
	r := benchTrainResult{
		Model: f.model, Batch: f.batch, Threads: threads, Steps: f.steps, Params: m.NumParams(),
		StepSeconds: med, StepSecondsAll: secs,
		ForwardS: stats[mi].Forward.Seconds(), LossS: stats[mi].LossTime.Seconds(),
		BackwardS: stats[mi].Backward.Seconds(), OptimizerS: stats[mi].Optimizer.Seconds(),
		ImagesPerS:  float64(f.batch) / med,
		StepFlops:   cfg.TrainStepFLOPs(f.batch),
		SgemmGFlops: max(g0, g1), SgemmGFlopsRuns: []float64{g0, g1}, SgemmShape: [3]int{gm, gn, gk},
		Loss:      stats[len(stats)-1].Loss,
		ModelMB:   float64(m.Bytes()) / (1 << 20),
		PeakRSSMB: peakRSSMiB(),
		SIMD:      siglip.SIMDTarget(),
		Build:     siglip.BuildInfo(),
	}
	r.GFlops = r.StepFlops / med / 1e9
	r.MFU = r.GFlops / r.SgemmGFlops

	if f.json {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	_, err = fmt.Fprintf(stdout, `siglip bench train: %s, batch %d, %d threads, %d params, median of %d steps
  step:      %.3f s   %.2f images/s   %.1f GFLOP/s   (%.4g flop)
  phases:    forward %.3f s, loss %.4f s, backward %.3f s, optimizer %.3f s
  sgemm:     %.1f GFLOP/s   (OpenBLAS (%d x %d)(%d x %d), %d threads; runs %.1f, %.1f)
  mfu:       %.3f
  memory:    model %.0f MiB, peak RSS %.0f MiB
  build:     %s, towers simd=%s
`, r.Model, r.Batch, r.Threads, r.Params, r.Steps,
		r.StepSeconds, r.ImagesPerS, r.GFlops, r.StepFlops,
		r.ForwardS, r.LossS, r.BackwardS, r.OptimizerS,
		r.SgemmGFlops, gm, gk, gk, gn, r.Threads, g0, g1,
		r.MFU, r.ModelMB, r.PeakRSSMB, r.Build, r.SIMD)
	return err
}

// randomBatch returns n random images in [-1, 1] and n random texts of
// varying length padded with the model's PadID.
func randomBatch(c siglip.ModelConfig, n int, seed uint64) (siglip.Matrix, siglip.TokenMatrix) {
	rng := rand.New(rand.NewPCG(seed, 0x7261696e))
	px := siglip.NewMatrix(n, c.PixelsPerImage())
	for k := range px.Data {
		px.Data[k] = float32(rng.Float64()*2 - 1)
	}
	tok := siglip.TokenMatrix{Rows: n, Cols: c.TextLen, IDs: make([]int32, n*c.TextLen)}
	pad := int32(max(c.PadID, 0))
	for i := 0; i < n; i++ {
		l := 1 + rng.IntN(c.TextLen)
		for j := 0; j < c.TextLen; j++ {
			id := pad
			if j < l {
				for id == pad && c.VocabSize > 1 {
					id = int32(rng.IntN(c.VocabSize))
				}
			}
			tok.IDs[i*c.TextLen+j] = id
		}
	}
	return px, tok
}
