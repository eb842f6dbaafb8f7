package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siglip-go/siglip/npy"
)

// The ring over processes through the command line: `siglip launch` of
// `siglip loss --distributed` equals `siglip loss`, with a directory and with
// a Redis rendezvous; failures name the rank.

// ringInput writes a loss input directory: n images and m texts of width d,
// with labels when n != m.
func ringInput(t *testing.T, n, m, d int, seed uint64) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(seed, 99))
	rows := func(k int) []float32 {
		v := make([]float32, k*d)
		for i := 0; i < k; i++ {
			var s float64
			for j := 0; j < d; j++ {
				x := rng.NormFloat64()
				v[i*d+j] = float32(x)
				s += x * x
			}
			for j := 0; j < d; j++ {
				v[i*d+j] = float32(float64(v[i*d+j]) / math.Sqrt(s))
			}
		}
		return v
	}
	files := []npy.File{
		{Path: filepath.Join(dir, "img.npy"), Array: npy.New(rows(n), n, d)},
		{Path: filepath.Join(dir, "txt.npy"), Array: npy.New(rows(m), m, d)},
	}
	if n != m {
		il, tl := make([]int64, n), make([]int64, m)
		for i := range il {
			il[i] = int64(i % 7)
		}
		for j := range tl {
			tl[j] = int64((3 * j) % 7)
		}
		files = append(files,
			npy.File{Path: filepath.Join(dir, "img_labels.npy"), Array: npy.New(il, n)},
			npy.File{Path: filepath.Join(dir, "txt_labels.npy"), Array: npy.New(tl, m)})
	}
	if err := npy.WriteFiles(files...); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sameOutputs compares two output directories of `siglip loss` to float32
// rounding: relative 1e-5 (matrices: of their largest entry).
func sameOutputs(t *testing.T, got, want string) {
	t.Helper()
	for _, name := range []string{"loss.npy", "dtprime.npy", "dbias.npy", "dimg.npy", "dtxt.npy"} {
		a, err := npy.Read(filepath.Join(got, name))
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		b, err := npy.Read(filepath.Join(want, name))
		if err != nil {
			t.Fatal(err)
		}
		if a.DType() != b.DType() || fmt.Sprint(a.Shape) != fmt.Sprint(b.Shape) {
			t.Errorf("%s: %s %v, want %s %v", name, a.DType(), a.Shape, b.DType(), b.Shape)
			continue
		}
		var av, bv []float64
		switch x := a.Data.(type) {
		case []float64:
			av, bv = x, b.Data.([]float64)
		case []float32:
			for i, v := range x {
				av = append(av, float64(v))
				bv = append(bv, float64(b.Data.([]float32)[i]))
			}
		}
		var big, worst float64
		for i := range bv {
			big = math.Max(big, math.Abs(bv[i]))
			worst = math.Max(worst, math.Abs(av[i]-bv[i]))
		}
		if worst > 1e-5*big+1e-12 {
			t.Errorf("%s: differs by %.3g (largest entry %.3g)", name, worst, big)
		}
	}
}

func TestLaunchDistributedLossEqualsUnsharded(t *testing.T) {
	for _, c := range []struct{ n, m, d int }{{37, 37, 16}, {45, 38, 12}} {
		in := ringInput(t, c.n, c.m, c.d, uint64(c.n))
		ref := filepath.Join(t.TempDir(), "ref")
		if r := siglipRun(t, "loss", "--in", in, "--out", ref); r.code != 0 {
			t.Fatalf("siglip loss: %d %s", r.code, r.stderr)
		}
		// In-process shards.
		for _, args := range [][]string{{"--shards", "3"}, {"--shards", "4", "--bidirectional"}} {
			out := filepath.Join(t.TempDir(), "out")
			if r := siglipRun(t, append([]string{"loss", "--in", in, "--out", out, "--threads", "1"}, args...)...); r.code != 0 {
				t.Fatalf("siglip loss %v: %d %s", args, r.code, r.stderr)
			}
			sameOutputs(t, out, ref)
		}
		// Ranks.
		for _, k := range []int{2, 4} {
			out := filepath.Join(t.TempDir(), "out")
			args := []string{"launch", "-n", fmt.Sprint(k), "--timeout", "30s", "--", binary, "loss", "--in", in, "--out", out, "--distributed", "--threads", "1"}
			if k == 4 {
				args = append(args, "--bidirectional")
			}
			r := siglipRun(t, args...)
			if r.code != 0 {
				t.Fatalf("launch -n %d: exit %d\nstdout:\n%s\nstderr:\n%s", k, r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, "[rank 0] sigmoid loss") || !strings.Contains(r.stdout, fmt.Sprintf("[rank %d] rank %d:", k-1, k-1)) {
				t.Errorf("launch -n %d: output:\n%s", k, r.stdout)
			}
			sameOutputs(t, out, ref)
		}
	}
}

// freePort returns a TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestLaunchRedisRendezvous: the ranks meet in a local redis-server (the
// multi-host rendezvous), started by the test on 127.0.0.1.
func TestLaunchRedisRendezvous(t *testing.T) {
	server, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed (scripts/setup.sh installs it)")
		}
		t.Skip("redis-server is not installed (apt-get install redis-server)")
	}
	port := freePort(t)
	var log bytes.Buffer
	cmd := exec.Command(server, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v\n%s", err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	in := ringInput(t, 29, 29, 8, 5)
	ref := filepath.Join(t.TempDir(), "ref")
	if r := siglipRun(t, "loss", "--in", in, "--out", ref); r.code != 0 {
		t.Fatalf("siglip loss: %s", r.stderr)
	}
	rdzv := fmt.Sprintf("redis://127.0.0.1:%d", port)
	// Twice against the same server: launch gives every job a fresh run id.
	for i := 0; i < 2; i++ {
		out := filepath.Join(t.TempDir(), "out")
		r := siglipRun(t, "launch", "-n", "2", "--rendezvous", rdzv, "--timeout", "20s", "--",
			binary, "loss", "--in", in, "--out", out, "--distributed", "--threads", "1")
		if r.code != 0 {
			t.Fatalf("launch with %s: exit %d\n%s\n%s", rdzv, r.code, r.stdout, r.stderr)
		}
		sameOutputs(t, out, ref)
	}
	// Ranks started by hand with a run id that an earlier job used: a clear
	// error, no hang.
	out := filepath.Join(t.TempDir(), "out")
	rank := exec.Command(binary, "loss", "--in", in, "--out", out, "--distributed",
		"--rank", "0", "--world-size", "2", "--rendezvous", rdzv, "--run-id", "reused", "--timeout", "2s")
	if b, err := rank.CombinedOutput(); err == nil {
		t.Fatalf("a lone rank succeeded: %s", b)
	}
	rank = exec.Command(binary, "loss", "--in", in, "--out", out, "--distributed",
		"--rank", "0", "--world-size", "2", "--rendezvous", rdzv, "--run-id", "reused", "--timeout", "2s")
	b, err := rank.CombinedOutput()
	if err == nil || !strings.Contains(string(b), "already set") {
		t.Errorf("reused run id: err %v, output %s", err, b)
	}
}

// TestLaunchRankFailures: a rank that fails at once makes the launch fail,
// naming it; a rank that never joins makes the others fail within the
// timeout, naming it, and no output is written.
func TestLaunchRankFailures(t *testing.T) {
	start := time.Now()
	r := siglipRun(t, "launch", "-n", "3", "--grace", "1s", "--", "sh", "-c", `if [ "$SIGLIP_RANK" = 1 ]; then exit 3; fi; sleep 30`)
	if r.code == 0 || !strings.Contains(r.stderr, "rank 1 exited with status 3") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v: the other ranks were not stopped", d)
	}

	in := ringInput(t, 20, 20, 4, 6)
	out := filepath.Join(t.TempDir(), "out")
	start = time.Now()
	r = siglipRun(t, "launch", "-n", "3", "--timeout", "2s", "--grace", "5s", "--", "sh", "-c",
		`if [ "$SIGLIP_RANK" = 1 ]; then exit 0; fi; exec "$0" "$@"`,
		binary, "loss", "--in", in, "--out", out, "--distributed", "--threads", "1")
	if r.code == 0 {
		t.Fatalf("launch succeeded without rank 1:\n%s", r.stderr)
	}
	for _, rank := range []int{0, 2} {
		if want := fmt.Sprintf("[rank %d] siglip loss: rank %d of 3: ", rank, rank); !strings.Contains(r.stderr, want) ||
			!strings.Contains(r.stderr, "rank 1 did not join") {
			t.Errorf("stderr lacks rank %d's error naming rank 1:\n%s", rank, r.stderr)
		}
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v with a 2s timeout", d)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("output directory exists after a failed run: %v", err)
	}

	// Bad input: every rank reports it as a usage error (exit status 2).
	r = siglipRun(t, "launch", "-n", "2", "--", binary, "loss", "--in", t.TempDir(), "--out", out, "--distributed")
	if r.code == 0 || !strings.Contains(r.stderr, "[rank 1] siglip loss:") || !strings.Contains(r.stderr, "img.npy") {
		t.Errorf("missing input: exit %d\n%s", r.code, r.stderr)
	}

	// Usage errors of launch and of the distributed flags.
	checkOneErrorLine(t, siglipRun(t, "launch", "--", "true"), "ranks")
	checkOneErrorLine(t, siglipRun(t, "launch", "-n", "2"), "no command")
	checkOneErrorLine(t, siglipRun(t, "loss", "--in", in, "--out", out, "--shards", "2", "--kind", "softmax"), "only the sigmoid loss")
	checkOneErrorLine(t, siglipRun(t, "loss", "--in", in, "--out", out, "--distributed"), "world size")
	checkOneErrorLine(t, siglipRun(t, "loss", "--in", in, "--out", out, "--distributed", "--world-size", "2", "--rank", "0",
		"--rendezvous", t.TempDir(), "--timeout", "-1s"), "timeout")
}
