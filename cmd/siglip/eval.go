package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/siglip-go/siglip"
	"github.com/siglip-go/siglip/checkpoint"
	"github.com/siglip-go/siglip/data"
)

// evalFlags are the flags of `siglip eval`.
type evalFlags struct {
	ckpt      string
	data      string
	split     string
	examples  int
	templates []string
	pairs     string
	threads   int
	cacheDir  string
	json      bool
}

// evalOutput is the JSON object of `siglip eval --json`.
type evalOutput struct {
	*siglip.EvalResult
	Checkpoint string       `json:"checkpoint"`
	Step       int64        `json:"step"`
	Pairs      []pairResult `json:"pairs,omitempty"`
}

type pairResult struct {
	Image string  `json:"image"`
	Text  string  `json:"text"`
	Prob  float64 `json:"prob"`
}

func newEvalCmd() *cobra.Command {
	var f evalFlags
	cmd := &cobra.Command{
		Use:   "eval --ckpt DIR [--data NAME] [--json]",
		Short: "Zero-shot accuracy, retrieval recalls and calibrated pair probabilities of a checkpoint",
		Long: `Evaluates a checkpoint written by siglip train (a checkpoint directory, or a run
directory: its latest readable checkpoint) on a data set's test split:

  zero-shot classification: each class's prompts are embedded, averaged and
    renormalised; an image's class is the one with the largest x . y
    (top-1 and top-5 accuracy);
  retrieval: image -> text and text -> image Recall@1/5/10 over the distinct
    captions;
  calibration: the mean of sigmoid(t x . y + b) over matching and non-matching
    pairs.

--data defaults to the data the checkpoint was trained on. --template
"a photo of a {}." (repeatable) replaces the classes' own prompts.

--pairs FILE prints the calibrated probability sigmoid(t x . y + b) that an
image and a text match, for each line "IMAGE<TAB>TEXT" of FILE (without
--data, only the pairs are evaluated).

With --json the last line of the output is one JSON object with zero_shot_top1,
zero_shot_top5 (null without classes), i2t_r1, i2t_r5, i2t_r10, t2i_r1,
t2i_r5, t2i_r10, t, b, pos_prob, neg_prob and the pairs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runEval(cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.ckpt, "ckpt", "", "checkpoint or run directory (required)")
	fl.StringVar(&f.data, "data", "", "evaluation data (default: the checkpoint's training data)")
	fl.StringVar(&f.split, "split", "test", "split of --data: test or train")
	fl.IntVar(&f.examples, "examples", 2000, "evaluate the first N examples (0: all)")
	fl.StringArrayVar(&f.templates, "template", nil, `prompt template with {} for the class name (repeatable; default: the classes' prompts)`)
	fl.StringVar(&f.pairs, "pairs", "", "file of IMAGE<TAB>TEXT lines: print the probability that each pair matches")
	fl.IntVar(&f.threads, "threads", 0, "kernel threads (0: all cores)")
	fl.StringVar(&f.cacheDir, "cache", "", "cache directory of fetched data sets (default $SIGLIP_CACHE_DIR, else the user cache directory/siglip)")
	fl.BoolVar(&f.json, "json", false, "print one JSON object as the last line")
	cmd.MarkFlagRequired("ckpt")
	return cmd
}

func runEval(stdout io.Writer, f evalFlags) error {
	if f.ckpt == "" {
		return badInput("--ckpt must not be empty")
	}
	if f.threads < 0 {
		return badInput("--threads %d: want >= 0 (0: all cores)", f.threads)
	}
	if f.examples < 0 {
		return badInput("--examples %d: want >= 0 (0: all)", f.examples)
	}
	if f.split != "test" && f.split != "train" {
		return badInput("--split %q: want test or train", f.split)
	}
	for _, t := range f.templates {
		if !strings.Contains(t, "{}") {
			return badInput("--template %q: no {} where the class name goes", t)
		}
	}
	var pairs []pairResult
	if f.pairs != "" {
		var err error
		if pairs, err = readPairs(f.pairs); err != nil {
			return err
		}
	}
	tr, err := siglip.LoadTrained(f.ckpt, f.threads)
	if err != nil {
		return checkpointError(trimmed{err, "siglip: "})
	}
	defer tr.Close()
	out := evalOutput{Checkpoint: tr.Dir, Step: tr.Meta.Step}

	if len(pairs) > 0 {
		paths := make([]string, len(pairs))
		texts := make([]string, len(pairs))
		for i, p := range pairs {
			paths[i], texts[i] = p.Image, p.Text
		}
		pixels, err := loadImages(tr.Model.Config(), paths)
		if err != nil {
			return err
		}
		probs, err := siglip.PairProbabilities(tr.Model, pixels, siglip.Tokenize(tr.Tokenizer, texts, tr.Model.Config().TextLen))
		if err != nil {
			return err
		}
		for i := range pairs {
			pairs[i].Prob = probs[i]
			if !f.json {
				fmt.Fprintf(stdout, "%.4f\t%s\t%s\n", probs[i], pairs[i].Image, pairs[i].Text)
			}
		}
		out.Pairs = pairs
	}

	spec := f.data
	if spec == "" && len(pairs) == 0 {
		spec = tr.Meta.Config.Data
		if tr.Meta.Config.EvalData != "" && tr.Meta.Config.EvalData != "none" {
			spec = tr.Meta.Config.EvalData
		}
	}
	if spec != "" {
		src, err := data.Open(spec, data.OpenOptions{Split: f.split, Seed: tr.Meta.Config.Seed, CacheDir: f.cacheDir, ImageSize: tr.Meta.Config.ImageSize})
		if err != nil {
			if errors.Is(err, data.ErrInvalid) {
				return badInput("--data %s: %v", spec, err)
			}
			return fmt.Errorf("--data %s: %w", spec, err)
		}
		defer src.Close()
		if src.Len() < 0 && f.examples == 0 {
			return badInput("--data %s is an endless stream: give --examples N", spec)
		}
		r, err := siglip.Evaluate(tr.Model, tr.Tokenizer, src, siglip.EvalOptions{MaxExamples: f.examples, Templates: f.templates, Workers: f.threads})
		if err != nil {
			if errors.Is(err, data.ErrInvalid) {
				return usageError{err}
			}
			return err
		}
		out.EvalResult = &r
		if !f.json {
			fmt.Fprintf(stdout, "checkpoint %s (step %d) on %s: %d images, %d distinct texts\n", tr.Dir, tr.Meta.Step, r.Dataset, r.Examples, r.Texts)
			if r.ZeroShotTop1 != nil {
				fmt.Fprintf(stdout, "  zero-shot:  top-1 %.4f  top-5 %.4f  (%d images of %d classes, chance %.4f)\n", *r.ZeroShotTop1, *r.ZeroShotTop5, r.Classified, r.Classes, r.Chance)
			}
			fmt.Fprintf(stdout, "  image->text Recall@1/5/10: %.4f %.4f %.4f\n", r.I2TR1, r.I2TR5, r.I2TR10)
			fmt.Fprintf(stdout, "  text->image Recall@1/5/10: %.4f %.4f %.4f\n", r.T2IR1, r.T2IR5, r.T2IR10)
			fmt.Fprintf(stdout, "  calibration: t %.3f, b %.3f; mean sigmoid(t x.y + b) %.4f on matching pairs, %.4f on others\n", r.T, r.Bias, r.PosProb, r.NegProb)
		}
	}
	if f.json {
		if out.EvalResult == nil {
			out.EvalResult = &siglip.EvalResult{}
		}
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", b)
	}
	return nil
}

// readPairs reads IMAGE<TAB>TEXT lines.
func readPairs(path string) ([]pairResult, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, badInput("--pairs: %v", err)
	}
	defer fh.Close()
	var out []pairResult
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		img, text, ok := strings.Cut(line, "\t")
		if !ok || img == "" {
			return nil, badInput("--pairs %s line %d: want IMAGE<TAB>TEXT", path, n)
		}
		out = append(out, pairResult{Image: img, Text: text})
	}
	if err := sc.Err(); err != nil {
		return nil, badInput("--pairs %s: %v", path, err)
	}
	if len(out) == 0 {
		return nil, badInput("--pairs %s: no pairs", path)
	}
	return out, nil
}

// checkpointError maps an error of opening a checkpoint to exit status 2.
func checkpointError(err error) error {
	if errors.Is(err, siglip.ErrInvalidInput) || errors.Is(err, checkpoint.ErrCorrupt) ||
		errors.Is(err, checkpoint.ErrNoCheckpoint) || errors.Is(err, data.ErrInvalid) {
		return usageError{err}
	}
	return err
}

// loadImages decodes and preprocesses image files for the model.
func loadImages(cfg siglip.ModelConfig, paths []string) (siglip.Matrix, error) {
	px := siglip.NewMatrix(len(paths), cfg.PixelsPerImage())
	for i, p := range paths {
		fh, err := os.Open(p)
		if err != nil {
			return siglip.Matrix{}, badInput("image %v", err)
		}
		img, err := data.DecodeImage(fh, p)
		fh.Close()
		if err != nil {
			return siglip.Matrix{}, badInput("image %v", err)
		}
		data.Preprocess(img, cfg.ImageSize, px.Row(i))
	}
	return px, nil
}
