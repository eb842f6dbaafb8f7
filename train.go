package siglip

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/siglip-go/siglip/checkpoint"
	"github.com/siglip-go/siglip/data"
)

// The trainer, big_vision style: one function, Train, readable top to
// bottom, configured by one plain struct, TrainConfig.
//
//	data (data.Open, data.NewLoader) -> towers (Model.Forward)
//	  -> loss (Loss; Comm.RingLoss over ranks) -> Model.Backward
//	  -> all-reduce of the gradients over ranks -> Model.Step (AdamW)
//	  -> metrics.jsonl, progress, evaluation, checkpoints, curve.png
//
// A run directory (TrainConfig.Out) holds
//
//	checkpoints/<step>/   model.safetensors  every parameter, Hugging Face names
//	                      state.safetensors  AdamW moments (<name>.exp_avg,
//	                                         <name>.exp_avg_sq) and the step
//	                      meta.json          TrainMeta: config, step, data
//	                                         position, tokenizer, t', b
//	metrics.jsonl         one JSON object per logged step and per evaluation
//	curve.png             the training curve (loss, t and b, evaluation)

// TrainConfig configures Train. Zero values of fields documented with
// "0: ..." pick a default; DefaultTrainConfig fills in the others.
type TrainConfig struct {
	// Data is the training set, a data.Open spec: "shapes", "mnist",
	// "emoji-google", "emoji-twitter", an image folder, tar shards.
	Data string `json:"data"`
	// EvalData is the evaluation set: "" means Data's test split, "none"
	// turns evaluation off.
	EvalData string `json:"eval_data"`
	// EvalExamples limits evaluation to the first examples of the
	// evaluation set (0: 2000).
	EvalExamples int `json:"eval_examples"`
	// Augment turns on the loader's random crops.
	Augment bool `json:"augment"`
	// ClassLabels makes all examples of a class positives of each other in
	// the loss (data sets whose captions vary within a class; always on
	// for mnist); by default pairs with captions the tokenizer cannot tell
	// apart are positives.
	ClassLabels bool `json:"class_labels"`
	// CacheDir is where data sets that need preparation are kept ("": the
	// data package's default).
	CacheDir string `json:"-"`

	// Model is a preset (tiny, s16, b16) or "" / "auto": a small model (the
	// tiny widths, 32 px images in 8 px patches, 16 tokens, mean pooling).
	Model string `json:"model"`
	// ImageSize, PatchSize and TextLen override the model's (0: keep).
	ImageSize int `json:"image_size"`
	PatchSize int `json:"patch_size"`
	TextLen   int `json:"text_len"`
	// VocabSize caps the vocabulary built from the training captions
	// (0: 8192); VocabSample is how many captions it is built from
	// (0: 20000).
	VocabSize   int `json:"vocab_size"`
	VocabSample int `json:"vocab_sample"`

	// Loss is the loss: Sigmoid (SigLIP) or Softmax (the CLIP baseline).
	Loss LossKind `json:"loss"`
	// TPrimeInit and BiasInit initialise t' and b (paper: log 10, -10).
	TPrimeInit float64 `json:"t_prime_init"`
	BiasInit   float64 `json:"bias_init"`

	// BatchSize is the GLOBAL batch: the loss sees BatchSize x BatchSize
	// pairs, split over the ranks when Comm is set.
	BatchSize int `json:"batch_size"`
	// Steps is the number of optimiser steps; 0: Epochs passes over the
	// data, or, without either, the data's recipe (shapes: 2000).
	Steps  int     `json:"steps"`
	Epochs float64 `json:"epochs"`
	// LR is the peak learning rate, reached after Warmup steps of linear
	// warmup (at most half the run); then a cosine decay to MinLR at the last step (Schedule
	// "cosine"), or LR to the end ("constant").
	LR       float64 `json:"lr"`
	MinLR    float64 `json:"min_lr"`
	Warmup   int     `json:"warmup"`
	Schedule string  `json:"schedule"`
	// AdamW (beta2 = 0.95 in the paper), decoupled weight decay, clipping
	// by the global gradient norm (<= 0: none).
	WeightDecay float64 `json:"weight_decay"`
	ClipNorm    float64 `json:"clip_norm"`
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	// Seed seeds the parameters and the data order.
	Seed uint64 `json:"seed"`

	// LockImage, when set, is SigLiT: the image tower is loaded from this
	// checkpoint (a checkpoint directory or a run directory) and locked
	// (no updates, no weight decay); the text tower and t', b are trained.
	LockImage string `json:"lock_image,omitempty"`

	// Out is the run directory (required).
	Out string `json:"-"`
	// Resume continues the run in Out from its latest readable checkpoint:
	// the result is bit-identical to a run that was never stopped (same
	// threads). Without Resume, an Out that holds checkpoints is an error.
	Resume bool `json:"-"`
	// Threads of the kernels (0: all cores).
	Threads int `json:"-"`
	// Workers of the data loader (0: half the cores, at least 1; see
	// loaderWorkers).
	Workers int `json:"-"`
	// EvalEvery evaluates every so many steps (0: about five times a run;
	// < 0: at the end only). CheckpointEvery saves every so many steps
	// (0: every 1000; < 0: at the end only). Keep is how many checkpoints
	// are kept (0: 2). LogEvery writes metrics.jsonl every so many steps
	// (0: about 1000 records a run).
	EvalEvery       int `json:"-"`
	CheckpointEvery int `json:"-"`
	Keep            int `json:"-"`
	LogEvery        int `json:"-"`
	// StopAfter, when > 0, stops the run after that step with a checkpoint,
	// as if it had been interrupted (Resume continues it).
	StopAfter int `json:"-"`

	// Comm, when not nil, makes this process one rank of a data-parallel
	// group: each rank loads its rows of every global batch, the sigmoid
	// loss runs as a ring over the ranks (the softmax loss gathers the
	// embeddings), and the parameter gradients are summed with one
	// all-reduce. Rank 0 alone writes Out.
	Comm *Comm `json:"-"`
	// Output receives the progress bar (a terminal) or progress lines, and
	// the summary; nil prints nothing.
	Output io.Writer `json:"-"`
}

// DefaultTrainConfig returns the paper's optimiser settings (Zhai et al.
// 2023: AdamW, beta2 0.95, weight decay 1e-4, linear warmup then cosine
// decay, clipping 1, t' = log 10, b = -10) with a batch, a learning rate
// and a warmup sized for small models on a few cores: batch 256, lr 3e-3
// (the paper's 1e-3 is for ViT-B at batch 32k), 200 warmup steps.
func DefaultTrainConfig() TrainConfig {
	o := DefaultAdamW()
	p := DefaultParams()
	return TrainConfig{
		Data: "shapes", Model: "auto", Loss: Sigmoid,
		TPrimeInit: float64(p.TPrime), BiasInit: float64(p.Bias),
		BatchSize: 256, LR: 3e-3, Warmup: 200, Schedule: "cosine",
		WeightDecay: o.WeightDecay, ClipNorm: o.ClipNorm, Beta1: o.Beta1, Beta2: o.Beta2,
		Seed: 0,
	}
}

// recipeSteps is the default length of a run on a data set when neither
// Steps nor Epochs is given.
func recipeSteps(spec string) int {
	switch strings.ToLower(spec) {
	case "shapes":
		return 2000
	}
	return 0
}

// TrainResult is what Train returns.
type TrainResult struct {
	Step            int         `json:"step"`  // the last step done
	Steps           int         `json:"steps"` // the run's total
	Loss            float64     `json:"loss"`  // of the last step
	Params          Params      `json:"-"`
	T               float64     `json:"t"` // exp(t') at the end
	Bias            float64     `json:"b"`
	Eval            *EvalResult `json:"eval,omitempty"`
	Checkpoint      string      `json:"checkpoint"`
	Seconds         float64     `json:"seconds"`      // this process's training loop
	ImagesPerSecond float64     `json:"images_per_s"` // global images per second of the loop
	DataFraction    float64     `json:"data_fraction"`
	Stopped         bool        `json:"stopped"` // by StopAfter or the context
	Config          TrainConfig `json:"config"`
	Model           ModelConfig `json:"model"`
}

// TrainMeta is the meta.json of a checkpoint.
type TrainMeta struct {
	Format    string          `json:"format"` // "siglip-train/1"
	Step      int64           `json:"step"`
	AdamSteps int64           `json:"adam_steps"`
	Config    TrainConfig     `json:"config"`
	Model     ModelConfig     `json:"model"`
	Tokenizer json.RawMessage `json:"tokenizer"`
	Loss      string          `json:"loss"`
	TPrime    float64         `json:"t_prime"`
	T         float64         `json:"t"`
	Bias      float64         `json:"b"`
	// Loader is the data loader's position (data.LoaderState) after Step
	// batches; RNG says where every random stream of the run comes from.
	Loader    json.RawMessage `json:"loader"`
	RNG       TrainRNG        `json:"rng"`
	WorldSize int             `json:"world_size"`
	Classes   []string        `json:"classes,omitempty"`
	Eval      *EvalResult     `json:"eval,omitempty"`
	Time      string          `json:"time"`
}

// TrainRNG records the run's randomness: the parameters come from
// NewModel(cfg, ParamSeed) and the data order and augmentation from the
// loader's seed and position (Loader); nothing else is random.
type TrainRNG struct {
	ParamSeed uint64 `json:"param_seed"`
	DataSeed  uint64 `json:"data_seed"`
}

const trainMetaFormat = "siglip-train/1"

// errStopped reports a run stopped by its context.
var errStopped = errors.New("training stopped")

// Train runs a training run configured by cfg and returns its result. The
// run checkpoints itself into cfg.Out; with cfg.Resume it continues from
// the latest readable checkpoint there. When ctx is cancelled, it saves a
// checkpoint at the end of the current step and returns ctx's error with
// the result so far.
func Train(ctx context.Context, cfg TrainConfig) (*TrainResult, error) {
	start := time.Now()
	rank, world := 0, 1
	if cfg.Comm != nil {
		rank, world = cfg.Comm.Rank(), cfg.Comm.Size()
	}
	out := cfg.Output
	if out == nil || rank != 0 {
		out = io.Discard
	}

	// 1. The run directory: resume from its latest checkpoint, or start a
	// new run (refusing to overwrite an old one).
	if cfg.Out == "" {
		return nil, fmt.Errorf("siglip: train: %w: no output directory", ErrInvalidInput)
	}
	ckptRoot := filepath.Join(cfg.Out, "checkpoints")
	var resume *checkpoint.Checkpoint
	var meta TrainMeta
	if cfg.Resume {
		var skipped string
		var err error
		resume, skipped, err = latestCheckpoint(ckptRoot)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(resume.Meta, &meta); err != nil || meta.Format != trainMetaFormat {
			return nil, fmt.Errorf("siglip: train: %w: %s/meta.json is not the meta of a siglip training checkpoint: %v", ErrInvalidInput, resume.Dir, err)
		}
		if skipped != "" {
			fmt.Fprintf(out, "warning: %s; resuming from %s\n", skipped, resume.Dir)
		}
		cfg = resumedConfig(meta.Config, cfg)
	} else if steps, _ := listCheckpoints(ckptRoot); len(steps) > 0 {
		return nil, fmt.Errorf("siglip: train: %w: %s already holds a run (checkpoint at step %d): pass --resume to continue it, or choose another --out",
			ErrInvalidInput, cfg.Out, steps[len(steps)-1])
	}
	if err := cfg.validate(world); err != nil {
		return nil, err
	}

	// 2. Data: the training split and the evaluation split.
	src, err := data.Open(cfg.Data, data.OpenOptions{Split: "train", Seed: cfg.Seed, CacheDir: cfg.CacheDir, ImageSize: cfg.ImageSize})
	if err != nil {
		return nil, fmt.Errorf("siglip: train: --data %s: %w", cfg.Data, err)
	}
	defer src.Close()
	var evalSrc data.Source
	if rank == 0 && cfg.EvalData != "none" {
		spec := cfg.EvalData
		if spec == "" {
			spec = cfg.Data
		}
		if evalSrc, err = data.Open(spec, data.OpenOptions{Split: "test", Seed: cfg.Seed, CacheDir: cfg.CacheDir, ImageSize: cfg.ImageSize}); err != nil {
			return nil, fmt.Errorf("siglip: train: evaluation data %s: %w", spec, err)
		}
		defer evalSrc.Close()
	}
	total := cfg.Steps
	if total == 0 && cfg.Epochs > 0 {
		if src.Len() < 0 {
			return nil, fmt.Errorf("siglip: train: %w: %s is an endless stream: give --steps, not --epochs", ErrInvalidInput, src.Name())
		}
		total = int(math.Ceil(cfg.Epochs * float64(src.Len()/cfg.BatchSize)))
	}
	if total == 0 {
		total = recipeSteps(cfg.Data)
	}
	if total <= 0 {
		return nil, fmt.Errorf("siglip: train: %w: give --steps or --epochs for %s", ErrInvalidInput, cfg.Data)
	}
	if src.Len() >= 0 && src.Len() < cfg.BatchSize {
		return nil, fmt.Errorf("siglip: train: %w: %s has %d examples, fewer than the batch of %d", ErrInvalidInput, src.Name(), src.Len(), cfg.BatchSize)
	}
	cfg.Steps, cfg.Epochs = total, 0 // a resumed run counts steps
	cfg.Warmup = min(cfg.Warmup, total/2)

	// 3. The tokenizer: the checkpoint's, or a vocabulary built from the
	// training captions and the class prompts.
	var tok data.Tokenizer
	if resume != nil {
		if tok, err = data.LoadTokenizer(meta.Tokenizer); err != nil {
			return nil, fmt.Errorf("siglip: train: %s/meta.json: %w", resume.Dir, err)
		}
	} else {
		if tok, err = buildTokenizer(src, evalSrc, cfg); err != nil {
			return nil, err
		}
	}

	// 4. The model: the config (a preset or one sized for the data), the
	// parameters (from the seed, the locked image tower, or the checkpoint).
	var mcfg ModelConfig
	var locked *checkpoint.Checkpoint
	var lockedMeta TrainMeta
	if cfg.LockImage != "" && resume == nil { // a resumed run has the tower in its checkpoint
		if locked, err = openCheckpoint(cfg.LockImage); err != nil {
			return nil, fmt.Errorf("siglip: train: --lock-image: %w", err)
		}
		if err := json.Unmarshal(locked.Meta, &lockedMeta); err != nil {
			return nil, fmt.Errorf("siglip: train: --lock-image %s: %w: meta.json: %v", cfg.LockImage, ErrInvalidInput, err)
		}
	}
	switch {
	case resume != nil:
		mcfg = meta.Model
	case locked != nil:
		mcfg = lockedMeta.Model // the image tower's shapes; the text tower's vocabulary below
		mcfg.VocabSize = tok.VocabSize()
		mcfg.PadID = int(tok.PadID())
		if cfg.TextLen > 0 {
			mcfg.TextLen = cfg.TextLen
		}
	default:
		if mcfg, err = modelFor(cfg, src, tok); err != nil {
			return nil, err
		}
	}
	local := localRows(cfg.BatchSize, world, rank)
	m, err := NewModel(mcfg, cfg.Seed, WithThreads(cfg.Threads), WithBatch(local, local))
	if err != nil {
		return nil, fmt.Errorf("siglip: train: model: %w", err)
	}
	defer m.Close()
	switch {
	case resume != nil:
		if err := restoreModel(m, resume, true); err != nil {
			return nil, err
		}
	default:
		if err := m.SetParam("logit_scale", []float32{float32(cfg.TPrimeInit)}); err != nil {
			return nil, err
		}
		if err := m.SetParam("logit_bias", []float32{float32(cfg.BiasInit)}); err != nil {
			return nil, err
		}
		if locked != nil {
			if err := restoreGroup(m, locked, GroupImage); err != nil {
				return nil, fmt.Errorf("siglip: train: --lock-image: %w", err)
			}
		}
	}
	opt := AdamW{Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: DefaultAdamW().Eps, WeightDecay: cfg.WeightDecay, ClipNorm: cfg.ClipNorm,
		LR: cfg.LR, LRMult: [NumParamGroups]float64{1, 1, 1}}
	if cfg.LockImage != "" {
		opt.LRMult[GroupImage] = 0 // locked: no update, no decay, moments untouched
	}
	if err := opt.Validate(); err != nil {
		return nil, err
	}

	// 5. The loader: this rank's rows of every global batch, positioned
	// after the checkpoint's step.
	loader, err := data.NewLoader(src, data.LoaderOptions{
		BatchSize: cfg.BatchSize, Rank: rank, WorldSize: world,
		ImageSize: mcfg.ImageSize, TextLen: mcfg.TextLen, Tokenizer: tok,
		Seed: cfg.Seed, Shuffle: true, Augment: cfg.Augment, Workers: loaderWorkers(cfg.Workers), DropLast: true, Bytes: true,
		ClassLabels: cfg.ClassLabels,
	})
	if err != nil {
		return nil, fmt.Errorf("siglip: train: loader: %w", err)
	}
	defer loader.Close()
	step := 0
	if resume != nil {
		var st data.LoaderState
		if err := json.Unmarshal(meta.Loader, &st); err != nil {
			return nil, fmt.Errorf("siglip: train: %w: %s/meta.json: loader state: %v", ErrInvalidInput, resume.Dir, err)
		}
		if err := loader.Restore(st); err != nil {
			return nil, fmt.Errorf("siglip: train: %s: %w", resume.Dir, err)
		}
		step = int(meta.Step)
	}

	// 6. Outputs (rank 0), opened once the first step has worked (bad data
	// leaves nothing behind): the checkpoint manager, metrics.jsonl (cut
	// back to the resumed step), config.json.
	var mgr *checkpoint.Manager
	var metrics *metricsLog
	defer func() { metrics.Close() }()
	openOutputs := func() error {
		if rank != 0 || mgr != nil {
			return nil
		}
		if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
			return fmt.Errorf("siglip: train: %w", err)
		}
		var err error
		if mgr, err = checkpoint.NewManager(ckptRoot, cfg.Keep); err != nil {
			return fmt.Errorf("siglip: train: %w", err)
		}
		mgr.Logf = func(format string, args ...any) { fmt.Fprintf(out, "warning: "+format+"\n", args...) }
		if metrics, err = openMetrics(filepath.Join(cfg.Out, "metrics.jsonl"), step); err != nil {
			return err
		}
		if resume == nil {
			return writeJSONFile(filepath.Join(cfg.Out, "config.json"), struct {
				Config TrainConfig `json:"config"`
				Model  ModelConfig `json:"model"`
			}{cfg, mcfg})
		}
		return nil
	}
	what := "training"
	if resume != nil {
		what = fmt.Sprintf("resuming at step %d of", step)
	}
	fmt.Fprintf(out, "%s %d steps on %s: %s loss, batch %d over %d process(es), model %s (%.2fM params, %dpx, patch %d, %d tokens, vocab %d), %d threads; run dir %s\n",
		what, total, src.Name(), cfg.Loss, cfg.BatchSize, world, modelName(cfg), float64(m.NumParams())/1e6, mcfg.ImageSize, mcfg.PatchSize,
		mcfg.TextLen, mcfg.VocabSize, m.Threads(), cfg.Out)
	prog := newProgress(out, step, total)
	lo := LossOptions{Kind: cfg.Loss, Threads: cfg.Threads}
	evaluate := func() (*EvalResult, error) {
		if evalSrc == nil {
			return nil, nil
		}
		r, err := Evaluate(m, tok, evalSrc, EvalOptions{MaxExamples: cfg.EvalExamples, Workers: cfg.Threads})
		if err != nil {
			return nil, fmt.Errorf("siglip: train: evaluation: %w", err)
		}
		return &r, nil
	}
	save := func(step int, ev *EvalResult) (string, error) {
		if mgr == nil {
			return "", nil
		}
		if resume != nil && int64(step) == resume.Step {
			return resume.Dir, nil // nothing new since the checkpoint
		}
		ck, err := makeCheckpoint(m, tok, loader, cfg, step, world, src, ev)
		if err != nil {
			return "", err
		}
		dir, err := mgr.Save(ck)
		if err != nil {
			return "", fmt.Errorf("siglip: train: saving the checkpoint of step %d: %w", step, err)
		}
		return dir, nil
	}

	// 7. The loop.
	res := &TrainResult{Steps: total, Config: cfg, Model: mcfg}
	var flat []float32
	if world > 1 {
		flat = make([]float32, m.NumParams())
	}
	var loopTime, dataTime time.Duration
	loopSteps := 0
	var lastCkpt string
	var lastEval *EvalResult
	for step < total {
		if err := ctx.Err(); err != nil {
			res.Stopped = true
			break
		}
		t0 := time.Now()
		// Data.
		batch, err := loader.Next()
		if err != nil {
			return nil, fmt.Errorf("siglip: train: step %d: data: %w", step+1, err)
		}
		tData := time.Since(t0)
		// The images come as bytes where the data allows (a quarter of the
		// memory traffic of floats), else as floats.
		pixels := Matrix{Rows: batch.Rows, Cols: mcfg.PixelsPerImage(), Data: batch.Pixels}
		pixelBytes := PixelBytes{Rows: batch.Rows, Cols: mcfg.PixelsPerImage(), Data: batch.Bytes, Values: batch.ByteValues}
		tokens := TokenMatrix{Rows: batch.Rows, Cols: mcfg.TextLen, IDs: batch.Tokens}
		lr := learningRate(cfg, step, total)
		opt.LR = lr

		// Towers: the embeddings of this rank's rows (a locked image tower
		// runs forward only and gets no gradients).
		var img, txt Matrix
		switch {
		case cfg.LockImage != "":
			if batch.Bytes != nil {
				img, err = m.EmbedImageBytes(pixelBytes)
			} else {
				img, err = m.EmbedImages(pixels)
			}
			if err != nil {
				return nil, fmt.Errorf("siglip: train: step %d: %w", step+1, err)
			}
			_, txt, err = m.Forward(Matrix{Cols: pixels.Cols}, tokens)
		case batch.Bytes != nil:
			img, txt, err = m.ForwardBytes(pixelBytes, tokens)
		default:
			img, txt, err = m.Forward(pixels, tokens)
		}
		if err != nil {
			return nil, fmt.Errorf("siglip: train: step %d: %w", step+1, err)
		}

		// Loss: positives are pairs with equal captions. Over ranks the
		// loss and dL/dt', dL/db are global (normalised by the global
		// batch) and the embedding gradients are those of this rank's rows,
		// so the ranks' parameter gradients sum to the one-process ones.
		lo.ImageLabels, lo.TextLabels = batch.CaptionIDs, batch.CaptionIDs
		p := m.LossParams()
		var loss float64
		var g Gradients
		switch {
		case cfg.Comm == nil:
			loss, g, err = Loss(img, txt, p, lo)
		case cfg.Loss == Sigmoid:
			loss, g, _, err = cfg.Comm.RingLoss(img, txt, p, lo, RingOptions{})
		default:
			loss, g, err = gatheredLoss(cfg.Comm, img, txt, p, lo)
		}
		if err != nil {
			return nil, fmt.Errorf("siglip: train: step %d: loss: %w", step+1, err)
		}
		if rank != 0 { // t' and b: counted once in the sum over ranks
			g.TPrime, g.Bias = 0, 0
		}
		if cfg.LockImage != "" {
			g.Image = Matrix{}
		}
		if err := m.Backward(g); err != nil {
			return nil, fmt.Errorf("siglip: train: step %d: backward: %w", step+1, err)
		}
		if world > 1 {
			if err := m.flatGrads(flat); err != nil {
				return nil, err
			}
			if err := cfg.Comm.AllReduceSum(flat); err != nil {
				return nil, fmt.Errorf("siglip: train: step %d: gradient all-reduce: %w", step+1, err)
			}
			if err := m.setFlatGrads(flat); err != nil {
				return nil, err
			}
		}
		norm, err := m.Step(opt)
		if err != nil {
			return nil, fmt.Errorf("siglip: train: step %d: %w", step+1, err)
		}
		// The towers copied the pixels and tokens into their arenas: the
		// loader can refill these buffers (no 3 MB allocation per batch).
		loader.Release(batch)
		if err := openOutputs(); err != nil {
			return nil, err
		}
		step++
		dt := time.Since(t0)
		loopTime += dt
		dataTime += tData
		loopSteps++
		res.Step, res.Loss = step, loss

		// Metrics, progress, evaluation, checkpoints.
		p = m.LossParams()
		rec := stepRecord{Step: step, Loss: loss, TPrime: float64(p.TPrime), T: math.Exp(float64(p.TPrime)), Bias: float64(p.Bias),
			LR: lr, GradNorm: norm, ImagesPerS: float64(cfg.BatchSize) / dt.Seconds(),
			DataFraction: dataTime.Seconds() / loopTime.Seconds(), Elapsed: time.Since(start).Seconds()}
		prog.update(rec)
		if metrics != nil && (step%logEvery(cfg, total) == 0 || step == total) {
			if err := metrics.write(rec); err != nil {
				return nil, err
			}
		}
		stop := cfg.StopAfter > 0 && step >= cfg.StopAfter && step < total
		if every := evalEvery(cfg, total); rank == 0 && every > 0 && step%every == 0 && step < total {
			ev, err := evaluate()
			if err != nil {
				return nil, err
			}
			if ev != nil {
				lastEval = ev
				prog.println(fmt.Sprintf("step %d: %s", step, ev.Summary()))
				if err := metrics.write(evalRecord{Step: step, Eval: ev}); err != nil {
					return nil, err
				}
			}
		}
		if every := ckptEvery(cfg); (every > 0 && step%every == 0 && step < total) || stop {
			if lastCkpt, err = save(step, nil); err != nil {
				return nil, err
			}
		}
		if stop {
			res.Stopped = true
			break
		}
	}
	prog.finish()
	res.Seconds = loopTime.Seconds()
	if loopTime > 0 {
		res.ImagesPerSecond = float64(loopSteps*cfg.BatchSize) / loopTime.Seconds()
		res.DataFraction = dataTime.Seconds() / loopTime.Seconds()
	}
	res.Params = m.LossParams()
	res.T, res.Bias = math.Exp(float64(res.Params.TPrime)), float64(res.Params.Bias)
	res.Checkpoint = lastCkpt

	// 8. The end: evaluation, the last checkpoint, the curve.
	if err := openOutputs(); err != nil {
		return nil, err
	}
	if res.Stopped {
		if ctx.Err() != nil && mgr != nil && step > 0 {
			if res.Checkpoint, err = save(step, nil); err != nil {
				return res, err
			}
		}
		fmt.Fprintf(out, "stopped after step %d of %d; checkpoint %s (continue with --resume)\n", step, total, res.Checkpoint)
		if ctx.Err() != nil {
			return res, fmt.Errorf("siglip: train: %w at step %d: %w", errStopped, step, ctx.Err())
		}
		return res, nil
	}
	if rank == 0 {
		if res.Eval, err = evaluate(); err != nil {
			return nil, err
		}
		if res.Eval == nil {
			res.Eval = lastEval
		} else if err := metrics.write(evalRecord{Step: step, Eval: res.Eval}); err != nil {
			return nil, err
		}
	}
	if res.Checkpoint, err = save(step, res.Eval); err != nil {
		return nil, err
	}
	if rank == 0 {
		if err := PlotMetrics(filepath.Join(cfg.Out, "metrics.jsonl"), filepath.Join(cfg.Out, "curve.png")); err != nil {
			fmt.Fprintf(out, "warning: plotting the training curve: %v\n", err)
		}
		fmt.Fprintf(out, "trained %d steps in %s (%.0f images/s, data loading %.1f%% of the loop); final loss %.4f, t %.2f, b %.2f\n",
			step, time.Since(start).Round(100*time.Millisecond), res.ImagesPerSecond, 100*res.DataFraction, res.Loss,
			math.Exp(float64(res.Params.TPrime)), res.Params.Bias)
		if res.Eval != nil {
			fmt.Fprintf(out, "eval on %s: %s\n", res.Eval.Dataset, res.Eval.Summary())
		}
		fmt.Fprintf(out, "checkpoint %s; metrics %s; curve %s\n", res.Checkpoint,
			filepath.Join(cfg.Out, "metrics.jsonl"), filepath.Join(cfg.Out, "curve.png"))
	}
	return res, nil
}

// validate checks a configuration after defaults; errors wrap
// ErrInvalidInput.
func (c *TrainConfig) validate(world int) error {
	bad := func(f string, a ...any) error {
		return fmt.Errorf("siglip: train: %w: %s", ErrInvalidInput, fmt.Sprintf(f, a...))
	}
	if c.Data == "" {
		return bad("no training data (--data)")
	}
	if c.Model == "" {
		c.Model = "auto"
	}
	if c.Schedule == "" {
		c.Schedule = "cosine"
	}
	switch {
	case c.BatchSize <= 0:
		return bad("batch size %d: want > 0", c.BatchSize)
	case c.BatchSize%world != 0:
		return bad("batch size %d: want a multiple of the %d processes", c.BatchSize, world)
	case c.Steps < 0:
		return bad("steps %d: want >= 0", c.Steps)
	case c.Epochs < 0 || math.IsNaN(c.Epochs) || math.IsInf(c.Epochs, 0):
		return bad("epochs %v: want >= 0", c.Epochs)
	case c.Steps > 0 && c.Epochs > 0:
		return bad("give steps or epochs, not both")
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return bad("learning rate %v: want > 0", c.LR)
	case !(c.MinLR >= 0) || c.MinLR > c.LR:
		return bad("final learning rate %v: want 0 to the peak %v", c.MinLR, c.LR)
	case c.Warmup < 0:
		return bad("warmup %d: want >= 0", c.Warmup)
	case c.Schedule != "cosine" && c.Schedule != "constant":
		return bad("schedule %q: want cosine or constant", c.Schedule)
	case c.Threads < 0:
		return bad("threads %d: want >= 0 (0: all cores)", c.Threads)
	case c.Workers < 0:
		return bad("workers %d: want >= 0", c.Workers)
	case c.Loss != Sigmoid && c.Loss != Softmax:
		return bad("loss %v: want sigmoid or softmax", c.Loss)
	case c.ImageSize < 0 || c.PatchSize < 0 || c.TextLen < 0 || c.VocabSize < 0 || c.VocabSample < 0 || c.EvalExamples < 0:
		return bad("sizes must be >= 0")
	case c.TextLen == 1:
		return bad("text length 1: want at least 2 (a word and the end of text)")
	case c.Keep < 0:
		return bad("keep %d: want >= 0", c.Keep)
	}
	if err := (Params{TPrime: float32(c.TPrimeInit), Bias: float32(c.BiasInit)}).Validate(); err != nil {
		return fmt.Errorf("siglip: train: t'/b init: %w", err)
	}
	if c.Model != "auto" {
		if _, err := ModelPreset(c.Model); err != nil {
			return bad("model %q: want auto, tiny, s16 or b16", c.Model)
		}
	}
	if c.Data == data.MNIST {
		c.ClassLabels = true // its captions vary within a class
	}
	if c.EvalExamples == 0 {
		c.EvalExamples = 2000
	}
	if c.VocabSize == 0 {
		c.VocabSize = 8192
	}
	if c.VocabSample == 0 {
		c.VocabSample = 20000
	}
	if c.Keep == 0 {
		c.Keep = 2
	}
	return nil
}

// loaderWorkers returns the data loader's goroutines: n, or by default half
// the cores (at least 1). The step keeps every core busy, so decoding takes
// CPU from it however many goroutines do it; spread over every core at
// once, it interrupts every compute thread at once and flushes every
// core's cache. Half as many workers measured 1 to 2% more images/s of the
// quick start's loop on 2 cores (`go test -bench TrainLoop`), and when they
// fall behind, the loader's Next decodes too.
func loaderWorkers(n int) int {
	if n > 0 {
		return n
	}
	return max(1, runtime.GOMAXPROCS(0)/2)
}

// resumedConfig is the configuration of a resumed run: the saved one, with
// what may change between sessions (where and how it runs, how often it
// reports, and Steps when given) taken from now.
func resumedConfig(saved, now TrainConfig) TrainConfig {
	c := saved
	c.Out, c.Resume, c.Threads, c.Workers = now.Out, true, now.Threads, now.Workers
	c.CacheDir, c.Comm, c.Output, c.StopAfter = now.CacheDir, now.Comm, now.Output, now.StopAfter
	c.EvalEvery, c.CheckpointEvery, c.Keep, c.LogEvery = now.EvalEvery, now.CheckpointEvery, now.Keep, now.LogEvery
	if now.Steps > 0 {
		c.Steps, c.Epochs = now.Steps, 0
	}
	return c
}

// learningRate is the schedule: linear warmup, then cosine decay to MinLR
// (or constant).
func learningRate(c TrainConfig, step, total int) float64 {
	if c.Schedule == "constant" {
		return WarmupCosine(step, c.Warmup, math.MaxInt, c.LR, c.LR)
	}
	return WarmupCosine(step, c.Warmup, total, c.LR, c.MinLR)
}

func logEvery(c TrainConfig, total int) int {
	if c.LogEvery > 0 {
		return c.LogEvery
	}
	return max(1, total/1000)
}

func evalEvery(c TrainConfig, total int) int {
	switch {
	case c.EvalEvery > 0:
		return c.EvalEvery
	case c.EvalEvery < 0:
		return 0
	}
	return max(1, (total+4)/5)
}

func ckptEvery(c TrainConfig) int {
	switch {
	case c.CheckpointEvery > 0:
		return c.CheckpointEvery
	case c.CheckpointEvery < 0:
		return 0
	}
	return 1000
}

// localRows is the number of rows of a global batch that rank r of world
// holds (the batch is a multiple of world).
func localRows(batch, world, r int) int { return batch / world }

func modelName(c TrainConfig) string {
	if c.LockImage != "" {
		return "SigLiT (image tower locked from " + c.LockImage + ")"
	}
	return c.Model
}

// modelFor returns the model configuration of a new run: a preset, or for
// "auto" the tiny widths at the data's image size, with the tokenizer's
// vocabulary and the requested sizes.
func modelFor(c TrainConfig, src data.Source, tok data.Tokenizer) (ModelConfig, error) {
	var mcfg ModelConfig
	if c.Model == "auto" {
		// The tiny widths (64, 2 layers, 4 heads) at 32 px in 8 px patches
		// (16 image tokens), 16 text tokens, mean pooling: on the shapes it
		// learns faster per second than MAP pooling or 4 px patches.
		mcfg, _ = ModelPreset("tiny")
		mcfg.ImageSize, mcfg.PatchSize, mcfg.TextLen = 32, 8, 16
		mcfg.Pooling = PoolMean
	} else {
		mcfg, _ = ModelPreset(c.Model)
	}
	if c.ImageSize > 0 {
		mcfg.ImageSize = c.ImageSize
	}
	if c.PatchSize > 0 {
		mcfg.PatchSize = c.PatchSize
	}
	if c.TextLen > 0 {
		mcfg.TextLen = c.TextLen
	}
	mcfg.VocabSize = tok.VocabSize()
	mcfg.PadID = int(tok.PadID())
	if err := mcfg.Validate(); err != nil {
		return ModelConfig{}, fmt.Errorf("siglip: train: model: %w", err)
	}
	return mcfg, nil
}

// buildTokenizer builds the run's vocabulary from the first VocabSample
// training captions, the class names and prompts of both splits and the
// default templates.
func buildTokenizer(src, evalSrc data.Source, c TrainConfig) (data.Tokenizer, error) {
	texts, err := data.CollectTexts(src, c.VocabSample)
	if err != nil {
		return nil, fmt.Errorf("siglip: train: vocabulary: %w", err)
	}
	for _, s := range []data.Source{src, evalSrc} {
		if s == nil {
			continue
		}
		for _, cl := range s.Classes() {
			texts = append(texts, cl.Name)
			texts = append(texts, cl.Prompts...)
		}
	}
	texts = append(texts, DefaultTemplates...)
	return data.BuildVocab(texts, data.VocabOptions{MaxSize: c.VocabSize}), nil
}

// gatheredLoss computes the loss of the global batch on every rank from
// the gathered embeddings (for the softmax loss, which needs the whole
// batch's log-sum-exps) and returns this rank's part of the gradients.
func gatheredLoss(c *Comm, img, txt Matrix, p Params, o LossOptions) (float64, Gradients, error) {
	all := func(m Matrix) (Matrix, error) {
		b, err := c.AllGather(float32Bytes(m.Data))
		if err != nil {
			return Matrix{}, err
		}
		v := bytesFloat32(b)
		return Matrix{Rows: len(v) / m.Cols, Cols: m.Cols, Data: v}, nil
	}
	allImg, err := all(img)
	if err != nil {
		return 0, Gradients{}, err
	}
	allTxt, err := all(txt)
	if err != nil {
		return 0, Gradients{}, err
	}
	lb, err := c.AllGather(int64Bytes(o.ImageLabels))
	if err != nil {
		return 0, Gradients{}, err
	}
	o.ImageLabels = bytesInt64(lb)
	o.TextLabels = o.ImageLabels
	loss, g, err := Loss(allImg, allTxt, p, o)
	if err != nil {
		return 0, Gradients{}, err
	}
	r, n, d := c.Rank(), img.Rows, img.Cols
	g.Image = Matrix{Rows: n, Cols: d, Data: g.Image.Data[r*n*d : (r+1)*n*d]}
	g.Text = Matrix{Rows: n, Cols: d, Data: g.Text.Data[r*n*d : (r+1)*n*d]}
	return loss, g, nil
}
