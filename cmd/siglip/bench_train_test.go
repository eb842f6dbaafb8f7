package main

import (
	"strings"
	"testing"
)

func TestBenchTrainJSON(t *testing.T) {
	r := siglipRun(t, "bench", "train", "--model", "tiny", "--batch", "8", "--steps", "2", "--threads", "1", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	v := lastJSON(t, r.stdout)
	for _, k := range []string{"images_per_s", "step_seconds", "step_flops", "gflops", "sgemm_gflops", "mfu",
		"forward_s", "backward_s", "optimizer_s", "loss_s", "params", "peak_rss_mb"} {
		if f, _ := v[k].(float64); !(f > 0) {
			t.Errorf("%s = %v, want > 0", k, v[k])
		}
	}
	for k, want := range map[string]any{"model": "tiny", "batch": 8.0, "threads": 1.0, "steps": 2.0} {
		if v[k] != want {
			t.Errorf("%s = %v, want %v", k, v[k], want)
		}
	}
	// Human output, with overrides of the preset.
	r = siglipRun(t, "bench", "train", "--model", "tiny", "--batch", "4", "--steps", "1", "--image-size", "24",
		"--text-len", "6", "--pooling", "mean")
	if r.code != 0 || !strings.Contains(r.stdout, "mfu") || !strings.Contains(r.stdout, "GFLOP/s") {
		t.Errorf("human output: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestBenchTrainBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", "huge"}, "--model"},
		{[]string{"--model", "tiny", "--batch", "0"}, "--batch"},
		{[]string{"--model", "tiny", "--threads", "-1"}, "--threads"},
		{[]string{"--model", "tiny", "--patch-size", "7"}, "patch_size"},
		{[]string{"--model", "tiny", "--pooling", "max"}, "--pooling"},
	} {
		r := siglipRun(t, append([]string{"bench", "train"}, tc.args...)...)
		checkOneErrorLine(t, r, tc.want)
	}
}
