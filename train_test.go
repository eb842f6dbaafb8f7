package siglip_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siglip-go/siglip"
	"github.com/siglip-go/siglip/checkpoint"
	"github.com/siglip-go/siglip/data"
)

// tinyTrainConfig is a run on the built-in shapes that takes seconds: the
// auto model with 8 px patches (16 image tokens), a small batch.
func tinyTrainConfig(out string, steps int) siglip.TrainConfig {
	c := siglip.DefaultTrainConfig()
	c.Data = "shapes"
	c.Out = out
	c.PatchSize = 8
	c.TextLen = 12
	c.BatchSize = 32
	c.Steps = steps
	c.Warmup = 5
	c.Threads = 2
	c.EvalData = "none"
	c.CheckpointEvery = -1
	c.VocabSample = 2000
	return c
}

// readCheckpoint returns the checkpoint of a run directory at its latest step.
func readCheckpoint(t *testing.T, run string) *checkpoint.Checkpoint {
	t.Helper()
	mgr, err := checkpoint.NewManager(filepath.Join(run, "checkpoints"), 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := mgr.Latest()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTrainEndToEnd trains a tiny model on the shapes, evaluates it during
// and after training, and checks that it learned far more than chance;
// then it reloads the checkpoint and evaluates it again.
func TestTrainEndToEnd(t *testing.T) {
	out := t.TempDir()
	c := tinyTrainConfig(out, 800)
	c.BatchSize = 128
	c.TextLen = 16
	c.Warmup = 80
	c.EvalData = ""
	c.EvalExamples = 500
	c.EvalEvery = 400
	var log bytes.Buffer
	c.Output = &log
	start := time.Now()
	res, err := siglip.Train(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trained in %v:\n%s", time.Since(start), log.String())
	if res.Step != 800 || res.Eval == nil || res.Eval.ZeroShotTop1 == nil {
		t.Fatalf("result %+v: want 800 steps and a zero-shot evaluation", res)
	}
	ev := res.Eval
	// 20 classes: chance is 0.05 top-1, 0.25 top-5; about 330 distinct
	// captions: chance Recall@10 is 0.03.
	if *ev.ZeroShotTop1 < 0.3 || *ev.ZeroShotTop5 < 0.8 || ev.I2TR10 < 0.6 || ev.T2IR10 < 0.6 {
		t.Errorf("after training: %s; want far above chance", ev.Summary())
	}
	if !(ev.PosProb > ev.NegProb) {
		t.Errorf("calibration: pos %v <= neg %v", ev.PosProb, ev.NegProb)
	}
	for _, f := range []string{"metrics.jsonl", "curve.png", "config.json"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	metrics, _ := os.ReadFile(filepath.Join(out, "metrics.jsonl"))
	if n := strings.Count(string(metrics), `"eval":`); n != 2 {
		t.Errorf("metrics.jsonl has %d evaluations, want 2 (step 400 and the end)", n)
	}
	if !strings.Contains(log.String(), "zero-shot top-1") {
		t.Errorf("the output does not report the zero-shot accuracy:\n%s", log.String())
	}

	// The checkpoint gives the same evaluation.
	tr, err := siglip.LoadTrained(out, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if tr.Meta.Step != 800 || tr.Meta.Config.Data != "shapes" || tr.Meta.Loss != "sigmoid" {
		t.Errorf("meta: step %d, data %q, loss %q", tr.Meta.Step, tr.Meta.Config.Data, tr.Meta.Loss)
	}
	src, err := data.Open("shapes", data.OpenOptions{Split: "test"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := siglip.Evaluate(tr.Model, tr.Tokenizer, src, siglip.EvalOptions{MaxExamples: 500})
	if err != nil {
		t.Fatal(err)
	}
	if *again.ZeroShotTop1 != *ev.ZeroShotTop1 || again.I2TR1 != ev.I2TR1 || again.T2IR5 != ev.T2IR5 {
		t.Errorf("reloaded: %s; in training: %s", again.Summary(), ev.Summary())
	}
}

// TestTrainResumeBitExact stops a run, resumes it, and checks that the
// parameters and optimiser state end bit-identical to an uninterrupted run.
func TestTrainResumeBitExact(t *testing.T) {
	const steps = 30
	straight := tinyTrainConfig(t.TempDir(), steps)
	straight.Augment = true // the crops' randomness must resume too
	if _, err := siglip.Train(context.Background(), straight); err != nil {
		t.Fatal(err)
	}

	stopped := straight
	stopped.Out = t.TempDir()
	stopped.StopAfter = 13
	res, err := siglip.Train(context.Background(), stopped)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Stopped || res.Step != 13 {
		t.Fatalf("stopped run: stopped %v at step %d, want step 13", res.Stopped, res.Step)
	}
	// Without --resume, a run directory with checkpoints is refused.
	if _, err := siglip.Train(context.Background(), stopped); !errors.Is(err, siglip.ErrInvalidInput) {
		t.Errorf("second run into the same --out: err = %v, want ErrInvalidInput", err)
	}
	resumed := siglip.TrainConfig{Out: stopped.Out, Resume: true, Threads: 2, CheckpointEvery: -1}
	if res, err = siglip.Train(context.Background(), resumed); err != nil {
		t.Fatal(err)
	}
	if res.Step != steps {
		t.Fatalf("resumed run ended at step %d, want %d", res.Step, steps)
	}

	a, b := readCheckpoint(t, straight.Out), readCheckpoint(t, stopped.Out)
	if a.Step != steps || b.Step != steps {
		t.Fatalf("checkpoints at steps %d and %d, want %d", a.Step, b.Step, steps)
	}
	for _, pair := range [][2]*checkpoint.Checkpoint{{a, b}} {
		x, y := pair[0], pair[1]
		if len(x.Tensors) != len(y.Tensors) || len(x.State) != len(y.State) {
			t.Fatalf("tensor counts differ")
		}
		diff := 0
		for i := range x.Tensors {
			if x.Tensors[i].Name != y.Tensors[i].Name || !bytes.Equal(x.Tensors[i].Data, y.Tensors[i].Data) {
				diff++
				t.Errorf("parameter %s differs after resuming", x.Tensors[i].Name)
			}
		}
		for i := range x.State {
			if x.State[i].Name != y.State[i].Name || !bytes.Equal(x.State[i].Data, y.State[i].Data) {
				t.Errorf("optimiser state %s differs after resuming", x.State[i].Name)
			}
		}
		if diff == 0 {
			t.Logf("all %d parameter tensors and %d state tensors are bit-identical", len(x.Tensors), len(x.State))
		}
	}
	// The metrics log has each step once.
	m, _ := os.ReadFile(filepath.Join(stopped.Out, "metrics.jsonl"))
	if n := strings.Count(string(m), `"step":13,`); n != 1 {
		t.Errorf("metrics.jsonl has step 13 %d times, want once", n)
	}
}

// TestTrainCorruptCheckpointFallsBack damages the newest checkpoint: loading
// the run gives the previous one, loading the damaged one gives a clear
// error, and --resume continues from the previous one.
func TestTrainCorruptCheckpointFallsBack(t *testing.T) {
	c := tinyTrainConfig(t.TempDir(), 10)
	c.CheckpointEvery = 5
	if _, err := siglip.Train(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	newest := filepath.Join(c.Out, "checkpoints", checkpoint.StepDirName(10))
	f := filepath.Join(newest, checkpoint.ModelFile)
	st, err := os.Stat(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(f, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	if _, err := siglip.LoadTrained(newest, 1); err == nil || !errors.Is(err, siglip.ErrInvalidInput) || !strings.Contains(err.Error(), checkpoint.ModelFile) {
		t.Errorf("loading a truncated checkpoint: err = %v, want ErrInvalidInput naming %s", err, checkpoint.ModelFile)
	}
	tr, err := siglip.LoadTrained(c.Out, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Meta.Step != 5 {
		t.Errorf("run directory with a corrupt newest checkpoint: loaded step %d, want 5", tr.Meta.Step)
	}
	tr.Close()
	var log bytes.Buffer
	res, err := siglip.Train(context.Background(), siglip.TrainConfig{Out: c.Out, Resume: true, Threads: 2, Steps: 12, Output: &log})
	if err != nil {
		t.Fatal(err)
	}
	if res.Step != 12 || !strings.Contains(log.String(), "resuming at step 5") {
		t.Errorf("resume: step %d, output:\n%s", res.Step, log.String())
	}
}

// TestTrainTwoRanksEqualOneRank trains the same global batches on one
// process and on two in-process ranks (ring loss, gradient all-reduce) and
// compares losses and parameters.
func TestTrainTwoRanksEqualOneRank(t *testing.T) {
	const steps = 6
	one := tinyTrainConfig(t.TempDir(), steps)
	one.Threads = 1
	r1, err := siglip.Train(context.Background(), one)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []siglip.LossKind{siglip.Sigmoid, siglip.Softmax} {
		t.Run(kind.String(), func(t *testing.T) {
			ref := r1
			refOut := one.Out
			if kind == siglip.Softmax {
				c := one
				c.Loss, c.Out = siglip.Softmax, t.TempDir()
				if ref, err = siglip.Train(context.Background(), c); err != nil {
					t.Fatal(err)
				}
				refOut = c.Out
			}
			dir := t.TempDir()
			outs := []string{t.TempDir(), t.TempDir()}
			res := make([]*siglip.TrainResult, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for r := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					comm, err := siglip.NewComm(siglip.CommOptions{Rank: r, Size: 2, Rendezvous: dir, Timeout: 60 * time.Second})
					if err != nil {
						errs[r] = err
						return
					}
					defer comm.Close()
					c := one
					c.Loss = kind
					c.Out = outs[r]
					c.Comm = comm
					res[r], errs[r] = siglip.Train(context.Background(), c)
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(outs[1], "checkpoints")); err == nil {
				t.Errorf("rank 1 wrote checkpoints")
			}
			if rel := math.Abs(res[0].Loss-ref.Loss) / ref.Loss; rel > 1e-4 {
				t.Errorf("last loss: two ranks %v, one %v (rel. diff %.2g)", res[0].Loss, ref.Loss, rel)
			}
			if res[0].Loss != res[1].Loss {
				t.Errorf("the ranks report different losses: %v, %v", res[0].Loss, res[1].Loss)
			}
			// Parameters: the difference between the runs must be tiny next
			// to how far training moved them.
			init := initialParams(t, one)
			a, b := readCheckpoint(t, refOut), readCheckpoint(t, outs[0])
			var moved, diff float64
			for i := range a.Tensors {
				x, _ := a.Tensors[i].Float32s()
				y, _ := b.Tensors[i].Float32s()
				x0 := init[a.Tensors[i].Name]
				for k := range x {
					d := float64(x[k]) - float64(y[k])
					diff += d * d
					m := float64(x[k]) - float64(x0[k])
					moved += m * m
				}
			}
			ratio := math.Sqrt(diff / moved)
			t.Logf("%s: ||two ranks - one rank|| / ||one rank - init|| = %.3g; last loss %v vs %v", kind, ratio, res[0].Loss, ref.Loss)
			// float32 rounding (another order of summation) amplified by
			// AdamW's normalisation in parameters with tiny gradients.
			if ratio > 5e-3 {
				t.Errorf("parameters of two ranks differ from one rank's: relative difference %.3g > 5e-3", ratio)
			}
		})
	}
}

// initialParams returns the parameters a run of c starts from.
func initialParams(t *testing.T, c siglip.TrainConfig) map[string][]float32 {
	t.Helper()
	tr, err := siglip.LoadTrained(c.Out, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	m, err := siglip.NewModel(tr.Meta.Model, c.Seed, siglip.WithThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	out := map[string][]float32{}
	for _, p := range m.Params() {
		v, err := m.Param(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		out[p.Name] = v
	}
	out["logit_scale"] = []float32{float32(c.TPrimeInit)}
	out["logit_bias"] = []float32{float32(c.BiasInit)}
	return out
}

// TestTrainBadConfig checks that bad settings are refused before anything
// is written.
func TestTrainBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*siglip.TrainConfig)
		want string
	}{
		{"no data", func(c *siglip.TrainConfig) { c.Data = "" }, "no training data"},
		{"unknown data", func(c *siglip.TrainConfig) { c.Data = "no-such-data-set" }, "no-such-data-set"},
		{"batch", func(c *siglip.TrainConfig) { c.BatchSize = 0 }, "batch size"},
		{"lr", func(c *siglip.TrainConfig) { c.LR = -1 }, "learning rate"},
		{"schedule", func(c *siglip.TrainConfig) { c.Schedule = "step" }, "schedule"},
		{"model", func(c *siglip.TrainConfig) { c.Model = "huge" }, "model"},
		{"steps and epochs", func(c *siglip.TrainConfig) { c.Epochs = 1 }, "not both"},
		{"resume nothing", func(c *siglip.TrainConfig) { c.Resume = true }, "no checkpoint"},
		{"lock missing", func(c *siglip.TrainConfig) { c.LockImage = "/nonexistent/ckpt" }, "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			c := tinyTrainConfig(out, 5)
			tc.edit(&c)
			_, err := siglip.Train(context.Background(), c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %q", err, tc.want)
			}
			if !errors.Is(err, siglip.ErrInvalidInput) && !errors.Is(err, data.ErrInvalid) {
				t.Errorf("err = %v: want ErrInvalidInput or data.ErrInvalid", err)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was created", out)
			}
		})
	}
}

// TestTrainSigLiT locks the image tower of a trained checkpoint and trains
// the text tower: the image tower must stay bit-identical.
func TestTrainSigLiT(t *testing.T) {
	base := tinyTrainConfig(t.TempDir(), 20)
	if _, err := siglip.Train(context.Background(), base); err != nil {
		t.Fatal(err)
	}
	lit := tinyTrainConfig(t.TempDir(), 20)
	lit.LockImage = base.Out
	lit.Seed = 7
	if _, err := siglip.Train(context.Background(), lit); err != nil {
		t.Fatal(err)
	}
	a, b := readCheckpoint(t, base.Out), readCheckpoint(t, lit.Out)
	img, txt := 0, 0
	for i := range a.Tensors {
		same := bytes.Equal(a.Tensors[i].Data, b.Tensors[i].Data)
		switch name := a.Tensors[i].Name; {
		case strings.HasPrefix(name, "vision_model."):
			img++
			if !same {
				t.Errorf("locked %s changed", name)
			}
		case strings.HasPrefix(name, "text_model.") && !same:
			txt++
		}
	}
	if img == 0 || txt == 0 {
		t.Errorf("%d image tensors kept, %d text tensors trained", img, txt)
	}

	// Stopped and resumed, SigLiT ends bit-identical too.
	stopped := lit
	stopped.Out, stopped.StopAfter = t.TempDir(), 8
	if _, err := siglip.Train(context.Background(), stopped); err != nil {
		t.Fatal(err)
	}
	if _, err := siglip.Train(context.Background(), siglip.TrainConfig{Out: stopped.Out, Resume: true, Threads: 2}); err != nil {
		t.Fatal(err)
	}
	c := readCheckpoint(t, stopped.Out)
	for i := range b.Tensors {
		if !bytes.Equal(b.Tensors[i].Data, c.Tensors[i].Data) {
			t.Errorf("SigLiT resumed: %s differs", b.Tensors[i].Name)
		}
	}
}

func ExampleTrain() {
	c := siglip.DefaultTrainConfig() // the paper's optimiser settings
	c.Data = "shapes"
	c.Out = filepath.Join(os.TempDir(), "siglip-example")
	c.Steps = 1200
	res, err := siglip.Train(context.Background(), c)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("zero-shot top-1 %.2f\n", *res.Eval.ZeroShotTop1)
}
