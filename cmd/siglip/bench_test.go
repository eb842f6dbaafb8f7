package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// lastJSON parses the last line of out as a JSON object.
func lastJSON(t *testing.T, out string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var v map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &v); err != nil {
		t.Fatalf("last line %q is not a JSON object: %v", lines[len(lines)-1], err)
	}
	return v
}

func TestBenchLossJSON(t *testing.T) {
	r := siglipRun(t, "bench", "loss", "--json", "--n", "256", "--d", "64", "--repeats", "2")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	v := lastJSON(t, r.stdout)
	for _, k := range []string{"seconds_median", "gflops", "peak_rss_mb", "n", "m", "d", "threads",
		"kind", "forward_only", "flops", "sgemm_gflops", "roofline_ratio", "repeats"} {
		if _, ok := v[k]; !ok {
			t.Errorf("JSON has no %q: %v", k, v)
		}
	}
	for k, want := range map[string]any{"n": 256.0, "m": 256.0, "d": 64.0, "repeats": 2.0,
		"kind": "sigmoid", "forward_only": false, "flops": 6.0 * 256 * 256 * 64} {
		if v[k] != want {
			t.Errorf("%s = %v, want %v", k, v[k], want)
		}
	}
	for _, k := range []string{"seconds_median", "gflops", "sgemm_gflops", "roofline_ratio", "peak_rss_mb", "threads"} {
		if f, _ := v[k].(float64); !(f > 0) {
			t.Errorf("%s = %v, want > 0", k, v[k])
		}
	}
}

func TestBenchLossVariants(t *testing.T) {
	for _, args := range [][]string{
		{"--kind", "softmax", "--n", "64", "--m", "48", "--d", "16", "--repeats", "1", "--threads", "1", "--json"},
		{"--forward-only", "--n", "64", "--d", "16", "--repeats", "1", "--json"},
	} {
		r := siglipRun(t, append([]string{"bench", "loss"}, args...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		v := lastJSON(t, r.stdout)
		t.Logf("%v: %v", args, v)
	}
	// Human output.
	r := siglipRun(t, "bench", "loss", "--n", "32", "--d", "8", "--repeats", "1")
	if r.code != 0 || !strings.Contains(r.stdout, "roofline") || !strings.Contains(r.stdout, "GFLOP/s") {
		t.Errorf("human output: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestBenchLossBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--n", "0"}, "--n 0"},
		{[]string{"--m", "0", "--n", "8"}, "--m 0"},
		{[]string{"--d", "-1"}, "--d -1"},
		{[]string{"--repeats", "0"}, "--repeats 0"},
		{[]string{"--threads", "-1"}, "--threads -1"},
		{[]string{"--kind", "x"}, `"x"`},
		{[]string{"--n", "many"}, `"many"`},
		{[]string{"--shards", "2"}, "unknown flag: --shards"},
	} {
		checkOneErrorLine(t, siglipRun(t, append([]string{"bench", "loss"}, tc.args...)...), tc.want)
	}
}
