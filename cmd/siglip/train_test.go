package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siglip-go/siglip/data"
	"github.com/siglip-go/siglip/npy"
)

// trainTiny trains a tiny model through the command line into a new run
// directory.
func trainTiny(t *testing.T, extra ...string) string {
	t.Helper()
	run := filepath.Join(t.TempDir(), "run")
	args := append([]string{"train", "--data", "shapes", "--out", run, "--steps", "40", "--batch", "32", "--patch-size", "8",
		"--text-len", "12", "--threads", "2", "--warmup", "5", "--eval-examples", "200", "--eval-every", "-1"}, extra...)
	r := siglipRun(t, args...)
	if r.code != 0 {
		t.Fatalf("siglip %v: exit %d\nstdout %s\nstderr %s", args, r.code, r.stdout, r.stderr)
	}
	return run
}

// TestTrainEvalEmbedCommands runs train, eval (dataset and pairs) and embed
// (texts and images) end to end through the binary.
func TestTrainEvalEmbedCommands(t *testing.T) {
	run := trainTiny(t)
	for _, f := range []string{"metrics.jsonl", "curve.png", "config.json", "checkpoints/step-00000040/model.safetensors"} {
		if _, err := os.Stat(filepath.Join(run, f)); err != nil {
			t.Errorf("train did not write %s: %v", f, err)
		}
	}

	r := siglipRun(t, "eval", "--ckpt", run, "--examples", "200", "--json")
	if r.code != 0 {
		t.Fatalf("eval: exit %d: %s", r.code, r.stderr)
	}
	m := lastJSON(t, r.stdout)
	for _, k := range []string{"zero_shot_top1", "zero_shot_top5", "i2t_r1", "i2t_r5", "i2t_r10", "t2i_r1", "t2i_r5", "t2i_r10", "t", "b"} {
		if _, ok := m[k].(float64); !ok {
			t.Errorf("eval --json: %s = %v, want a number", k, m[k])
		}
	}
	if r := siglipRun(t, "eval", "--ckpt", run, "--examples", "100"); r.code != 0 || !strings.Contains(r.stdout, "zero-shot:  top-1") {
		t.Errorf("eval: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// Images of three scenes, and a pairs file.
	dir := t.TempDir()
	var pairs strings.Builder
	for i := range 3 {
		sc := data.GenerateScene(42, i, 32)
		p := filepath.Join(dir, "img"+string(rune('a'+i))+".png")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, data.RenderScene(sc, 32)); err != nil {
			t.Fatal(err)
		}
		f.Close()
		pairs.WriteString(p + "\t" + sc.Caption + "\n")
	}
	pairsFile := filepath.Join(dir, "pairs.tsv")
	os.WriteFile(pairsFile, []byte(pairs.String()), 0o644)
	r = siglipRun(t, "eval", "--ckpt", run, "--pairs", pairsFile, "--json")
	if r.code != 0 {
		t.Fatalf("eval --pairs: exit %d: %s", r.code, r.stderr)
	}
	if ps, ok := lastJSON(t, r.stdout)["pairs"].([]any); !ok || len(ps) != 3 {
		t.Errorf("eval --pairs --json: pairs = %v", lastJSON(t, r.stdout)["pairs"])
	}

	out := filepath.Join(dir, "img.npy")
	r = siglipRun(t, "embed", "--ckpt", run, "--images", filepath.Join(dir, "imga.png"), filepath.Join(dir, "imgb.png"), "--out", out)
	if r.code != 0 {
		t.Fatalf("embed --images: exit %d: %s", r.code, r.stderr)
	}
	if shape, _, err := npy.ReadAs[float32](out); err != nil || len(shape) != 2 || shape[0] != 2 || shape[1] != 64 {
		t.Errorf("embed --images: %v %v, want 2 x 64", shape, err)
	}
	r = siglipRun(t, "embed", "--ckpt", run, "--images", dir, "--out", out)
	if shape, _, err := npy.ReadAs[float32](out); r.code != 0 || err != nil || shape[0] != 3 {
		t.Errorf("embed --images DIR: exit %d %s, shape %v %v", r.code, r.stderr, shape, err)
	}
	texts := filepath.Join(dir, "texts.txt")
	os.WriteFile(texts, []byte("a red circle\na small blue square\nthree green crosses\n"), 0o644)
	r = siglipRun(t, "embed", "--ckpt", run, "--texts", texts, "--out", filepath.Join(dir, "txt.npy"))
	if r.code != 0 {
		t.Fatalf("embed --texts: exit %d: %s", r.code, r.stderr)
	}
	shape, v, err := npy.ReadAs[float32](filepath.Join(dir, "txt.npy"))
	if err != nil || shape[0] != 3 || shape[1] != 64 {
		t.Fatalf("embed --texts: %v %v, want 3 x 64", shape, err)
	}
	var norm float64
	for _, x := range v[:64] {
		norm += float64(x) * float64(x)
	}
	if norm < 0.999 || norm > 1.001 {
		t.Errorf("text embedding has squared norm %v, want 1", norm)
	}
}

// TestTrainEvalEmbedBadInput: one error line, exit status 2, nothing
// written.
func TestTrainEvalEmbedBadInput(t *testing.T) {
	run := trainTiny(t, "--steps", "4")
	dir := t.TempDir()
	texts := filepath.Join(dir, "texts.txt")
	os.WriteFile(texts, []byte("a red circle\n"), 0o644)
	// A corrupt checkpoint: the newest one truncated.
	corrupt := filepath.Join(t.TempDir(), "corrupt")
	os.MkdirAll(corrupt, 0o755)
	ckpt := filepath.Join(run, "checkpoints", "step-00000004")
	for _, f := range []string{"model.safetensors", "state.safetensors", "meta.json", "checksums.json"} {
		b, err := os.ReadFile(filepath.Join(ckpt, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "model.safetensors" {
			b = b[:len(b)/2]
		}
		os.WriteFile(filepath.Join(corrupt, f), b, 0o644)
	}
	newOut := filepath.Join(dir, "new")
	out := filepath.Join(dir, "out.npy")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--data", "shapes"}, `"out" not set`},
		{[]string{"train", "--out", newOut}, "no training data"},
		{[]string{"train", "--data", "no-such-set", "--out", newOut}, "no-such-set"},
		{[]string{"train", "--data", "shapes", "--out", newOut, "--batch", "0"}, "batch size"},
		{[]string{"train", "--data", "shapes", "--out", newOut, "--loss", "hinge"}, "hinge"},
		{[]string{"train", "--data", "shapes", "--out", newOut, "--lr", "-1"}, "learning rate"},
		{[]string{"train", "--data", "shapes", "--out", newOut, "--steps", "x"}, "--steps"},
		{[]string{"train", "--out", newOut, "--resume"}, "no checkpoint"},
		{[]string{"train", "--data", "shapes", "--out", newOut, "--lock-image", filepath.Join(dir, "missing")}, "does not exist"},
		{[]string{"train", "--out", run, "--resume", "--lr", "1"}, "--lr"},
		{[]string{"train", "--data", "shapes", "--out", run}, "--resume"},
		{[]string{"eval", "--ckpt", filepath.Join(dir, "missing")}, "does not exist"},
		{[]string{"eval", "--ckpt", corrupt}, "model.safetensors"},
		{[]string{"eval", "--ckpt", run, "--data", "no-such-set"}, "no-such-set"},
		{[]string{"eval", "--ckpt", run, "--examples", "-1"}, "--examples"},
		{[]string{"eval", "--ckpt", run, "--template", "no placeholder"}, "{}"},
		{[]string{"eval", "--ckpt", run, "--pairs", filepath.Join(dir, "missing.tsv")}, "--pairs"},
		{[]string{"eval"}, `"ckpt" not set`},
		{[]string{"embed", "--ckpt", filepath.Join(dir, "missing"), "--texts", texts, "--out", out}, "does not exist"},
		{[]string{"embed", "--ckpt", corrupt, "--texts", texts, "--out", out}, "model.safetensors"},
		{[]string{"embed", "--ckpt", run, "--out", out}, "either --images"},
		{[]string{"embed", "--ckpt", run, "--texts", texts, "--images", texts, "--out", out}, "either --images"},
		{[]string{"embed", "--ckpt", run, "--images", filepath.Join(dir, "missing.png"), "--out", out}, "missing.png"},
		{[]string{"embed", "--ckpt", run, "--images", texts, "--out", out}, "texts.txt"},
		{[]string{"embed", "--ckpt", run, "--texts", filepath.Join(dir, "missing.txt"), "--out", out}, "missing.txt"},
		{[]string{"embed", "--ckpt", run, "--texts", texts, "--out", filepath.Join(dir, "out.txt")}, ".npy"},
		{[]string{"embed", "--ckpt", run, "--texts", texts, "--out", filepath.Join(dir, "nodir", "x.npy")}, "does not exist"},
	} {
		r := siglipRun(t, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("siglip %q: exit %d, stderr %q; want exit 2 and one line naming %q", tc.args, r.code, r.stderr, tc.want)
		}
		for _, p := range []string{newOut, out, filepath.Join(dir, "out.txt")} {
			if _, err := os.Stat(p); err == nil {
				t.Errorf("siglip %q wrote %s", tc.args, p)
				os.RemoveAll(p)
			}
		}
	}
}

// TestTrainLaunchTwoRanks trains with two processes under siglip launch,
// stops, and resumes: rank 0 writes the run directory.
func TestTrainLaunchTwoRanks(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run")
	args := []string{"launch", "-n", "2", "--", binary, "train", "--data", "shapes", "--out", run, "--steps", "20", "--batch", "32",
		"--patch-size", "8", "--text-len", "12", "--threads", "1", "--warmup", "2", "--eval-examples", "100", "--eval-every", "-1"}
	r := siglipRun(t, append(args, "--stop-after", "10")...)
	if r.code != 0 || !strings.Contains(r.stdout, "[rank 0] stopped after step 10") {
		t.Fatalf("siglip %v: exit %d\nstdout %s\nstderr %s", args, r.code, r.stdout, r.stderr)
	}
	r = siglipRun(t, "launch", "-n", "2", "--", binary, "train", "--out", run, "--resume", "--threads", "1")
	if r.code != 0 || !strings.Contains(r.stdout, "[rank 0] eval on shapes/test") || strings.Contains(r.stdout, "[rank 1] eval") {
		t.Fatalf("resume under launch: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(run, "checkpoints", "step-00000020", "model.safetensors")); err != nil {
		t.Error(err)
	}
}
