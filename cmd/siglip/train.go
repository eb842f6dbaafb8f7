package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/siglip-go/siglip"
	"github.com/siglip-go/siglip/checkpoint"
	"github.com/siglip-go/siglip/data"
	"github.com/siglip-go/siglip/dist"
)

// trainFlags are the flags of `siglip train`: a siglip.TrainConfig, plus
// how the process joins a multi-process run.
type trainFlags struct {
	cfg         siglip.TrainConfig
	json        bool
	distributed bool
	dist        dist.Flags
}

func newTrainCmd() *cobra.Command {
	f := trainFlags{cfg: siglip.DefaultTrainConfig()}
	f.cfg.Data = ""
	cmd := &cobra.Command{
		Use:   "train --data NAME --out DIR",
		Short: "Train SigLIP towers on a data set (quick start: --data shapes)",
		Long: `Trains the image and text towers with the sigmoid loss (or the CLIP softmax
baseline): AdamW with beta2 = 0.95, linear warmup then cosine decay, gradient
clipping, t' = log 10 and b = -10 at the start (Zhai et al. 2023).

  siglip train --data shapes --out /tmp/run        # quick start: about 2 minutes on 2 cores

--data is shapes (built-in scenes), mnist, emoji-google, emoji-twitter, a
directory of images with captions.tsv or captions.jsonl, or webdataset tar
shards. Without --model, the model is sized for the data (the tiny preset's
widths at 32 px); without --steps or --epochs, shapes trains 2000 steps.

The run directory --out gets checkpoints/ (model.safetensors with Hugging Face
names, state.safetensors with the AdamW moments, meta.json), metrics.jsonl
(one JSON line per logged step and per evaluation) and curve.png. A run that
was stopped (Ctrl-C saves a checkpoint) continues with --resume, ending with
bit-identical parameters (same --threads).

SigLiT: --lock-image CKPT loads the image tower of a checkpoint (a checkpoint
or run directory), locks it, and trains the text tower and t', b.

Several processes (data parallel; the batch is global and split over them, the
sigmoid loss runs as a ring, gradients are all-reduced):
  siglip launch -n 2 -- siglip train --data shapes --out /tmp/run2
A process joins a group when SIGLIP_WORLD_SIZE is set (siglip launch sets it)
or with --distributed; see siglip loss --help for the SIGLIP_* variables.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runTrain(ctx, cmd.OutOrStdout(), f, cmd.Flags().Changed)
		},
	}
	c := &f.cfg
	fl := cmd.Flags()
	fl.StringVar(&c.Data, "data", "", "training data: shapes, mnist, emoji-google, emoji-twitter, a folder, tar shards")
	fl.StringVar(&c.EvalData, "eval-data", "", `evaluation data (default: the test split of --data; "none": no evaluation)`)
	fl.IntVar(&c.EvalExamples, "eval-examples", 0, "evaluate on the first N examples (0: 2000)")
	fl.BoolVar(&c.Augment, "augment", false, "random resized crops")
	fl.BoolVar(&c.ClassLabels, "class-labels", false, "examples of the same class are positives of each other (default: equal captions)")
	fl.StringVar(&c.CacheDir, "cache", "", "cache directory of fetched data sets (default $SIGLIP_CACHE_DIR, else the user cache directory/siglip)")
	fl.StringVar(&c.Model, "model", c.Model, "model: auto (small, sized for the data), tiny, s16 or b16")
	fl.IntVar(&c.ImageSize, "image-size", 0, "override the model's image size (pixels)")
	fl.IntVar(&c.PatchSize, "patch-size", 0, "override the model's patch size (pixels)")
	fl.IntVar(&c.TextLen, "text-len", 0, "override the model's tokens per text")
	fl.IntVar(&c.VocabSize, "vocab-size", 0, "cap on the vocabulary built from the captions (0: 8192)")
	fl.Var(kindValue{&c.Loss}, "loss", "loss: sigmoid or softmax")
	fl.Float64Var(&c.TPrimeInit, "t-prime-init", c.TPrimeInit, "initial log temperature t'")
	fl.Float64Var(&c.BiasInit, "bias-init", c.BiasInit, "initial bias b")
	fl.IntVar(&c.BatchSize, "batch", c.BatchSize, "global batch size (split over the processes)")
	fl.IntVar(&c.Steps, "steps", 0, "optimiser steps (0: --epochs, else the data's default)")
	fl.Float64Var(&c.Epochs, "epochs", 0, "passes over the data (instead of --steps)")
	fl.Float64Var(&c.LR, "lr", c.LR, "peak learning rate")
	fl.Float64Var(&c.MinLR, "min-lr", c.MinLR, "learning rate at the end of the cosine decay")
	fl.IntVar(&c.Warmup, "warmup", c.Warmup, "linear warmup steps")
	fl.StringVar(&c.Schedule, "schedule", c.Schedule, "after the warmup: cosine or constant")
	fl.Float64Var(&c.WeightDecay, "weight-decay", c.WeightDecay, "decoupled weight decay")
	fl.Float64Var(&c.ClipNorm, "clip", c.ClipNorm, "clip the global gradient norm (0: no clipping)")
	fl.Float64Var(&c.Beta1, "beta1", c.Beta1, "AdamW beta1")
	fl.Float64Var(&c.Beta2, "beta2", c.Beta2, "AdamW beta2")
	fl.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the parameters and the data order")
	fl.StringVar(&c.LockImage, "lock-image", "", "SigLiT: load the image tower from this checkpoint and lock it")
	fl.StringVar(&c.Out, "out", "", "run directory: checkpoints, metrics.jsonl, curve.png (required)")
	fl.BoolVar(&c.Resume, "resume", false, "continue the run in --out from its latest readable checkpoint")
	fl.IntVar(&c.Threads, "threads", 0, "kernel threads (0: all cores)")
	fl.IntVar(&c.Workers, "workers", 0, "data loader goroutines (0: half the cores)")
	fl.IntVar(&c.EvalEvery, "eval-every", 0, "evaluate every N steps (0: five times a run; -1: at the end only)")
	fl.IntVar(&c.CheckpointEvery, "checkpoint-every", 0, "save a checkpoint every N steps (0: 1000; -1: at the end only)")
	fl.IntVar(&c.Keep, "keep", 0, "checkpoints kept (0: 2)")
	fl.IntVar(&c.LogEvery, "log-every", 0, "write metrics.jsonl every N steps (0: about 1000 lines a run)")
	fl.IntVar(&c.StopAfter, "stop-after", 0, "stop after step N with a checkpoint, as if interrupted (continue with --resume)")
	fl.BoolVar(&f.json, "json", false, "print the result as one JSON object on the last line")
	fl.BoolVar(&f.distributed, "distributed", false, "join a multi-process run (automatic when SIGLIP_WORLD_SIZE is set)")
	f.dist.Bind(fl)
	cmd.MarkFlagRequired("out")
	return cmd
}

func runTrain(ctx context.Context, stdout io.Writer, f trainFlags, changed func(string) bool) error {
	c := f.cfg
	if c.Out == "" {
		return badInput("--out must not be empty")
	}
	if c.Data == "" && !c.Resume {
		return badInput("no training data: give --data (shapes, mnist, emoji-google, emoji-twitter, a folder or tar shards)")
	}
	if c.Resume {
		// The run's settings come from its checkpoint; only these may
		// change between sessions.
		for _, name := range []string{"data", "eval-data", "eval-examples", "augment", "class-labels", "model", "image-size",
			"patch-size", "text-len", "vocab-size", "loss", "t-prime-init", "bias-init", "batch", "epochs", "lr", "min-lr",
			"warmup", "schedule", "weight-decay", "clip", "beta1", "beta2", "seed", "lock-image"} {
			if changed(name) {
				return badInput("--%s: a resumed run keeps the settings of its checkpoint (only --steps, --threads, --workers and the reporting flags may change)", name)
			}
		}
	}
	if f.distributed || os.Getenv(dist.EnvWorldSize) != "" {
		cfg, err := f.dist.Config(nil)
		if err != nil {
			return usageError{err}
		}
		g, err := dist.Init(cfg)
		if err != nil {
			return err
		}
		defer g.Close()
		c.Comm = g.Comm
	}
	c.Output = stdout
	if f.json {
		c.Output = io.Discard
	}
	res, err := siglip.Train(ctx, c)
	if err != nil {
		err = trimmed{err, "siglip: train: "}
		if errors.Is(err, data.ErrInvalid) || errors.Is(err, checkpoint.ErrCorrupt) || errors.Is(err, checkpoint.ErrNoCheckpoint) {
			return usageError{err}
		}
		return err
	}
	if f.json && (c.Comm == nil || c.Comm.Rank() == 0) {
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	return nil
}

// trimmed is err with a prefix of its message removed (the command's name
// already says it).
type trimmed struct {
	err    error
	prefix string
}

func (e trimmed) Error() string {
	s := e.err.Error()
	for strings.HasPrefix(s, e.prefix) {
		s = strings.TrimPrefix(s, e.prefix)
	}
	return s
}
func (e trimmed) Unwrap() error { return e.err }
