package dist_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/siglip-go/siglip"
	"github.com/siglip-go/siglip/dist"
	"github.com/siglip-go/siglip/npy"
)

// The test binary doubles as a rank program: with SIGLIP_DIST_TEST_PROGRAM
// set it runs that program instead of the tests (see rankProgram).
const programEnv = "SIGLIP_DIST_TEST_PROGRAM"

func TestMain(m *testing.M) {
	switch p := os.Getenv(programEnv); p {
	case "":
	case "bench":
		os.Exit(benchProgram())
	default:
		os.Exit(rankProgram(p))
	}
	os.Exit(m.Run())
}

// rankProgram "ring": join the group from the environment, then run ring
// losses and all-reduces on synthetic data (1024 rows of width 128 per
// rank), printing "iter N" after each, for SIGLIP_TEST_ITERS iterations.
func rankProgram(name string) int {
	if name != "ring" {
		fmt.Fprintf(os.Stderr, "unknown program %q\n", name)
		return 3
	}
	cfg, err := dist.ConfigFromEnv(nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	g, err := dist.Init(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	defer g.Close()
	iters := 1000
	fmt.Sscan(os.Getenv("SIGLIP_TEST_ITERS"), &iters)
	rng := rand.New(rand.NewPCG(uint64(cfg.Rank), 7))
	img, txt := randomRows(rng, 1024, 128), randomRows(rng, 1024, 128)
	grad := make([]float32, 100000)
	for it := 1; it <= iters; it++ {
		if _, _, _, err := g.RingLoss(img, txt, siglip.DefaultParams(), siglip.LossOptions{Threads: 1}, siglip.RingOptions{}); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			return 1
		}
		if err := g.AllReduceMean(grad); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			return 1
		}
		fmt.Printf("iter %d\n", it)
	}
	return 0
}

func randomRows(rng *rand.Rand, rows, cols int) siglip.Matrix {
	m := siglip.NewMatrix(rows, cols)
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64() / math.Sqrt(float64(cols)))
	}
	return m
}

func TestConfigFromEnvAndFlags(t *testing.T) {
	env := map[string]string{
		dist.EnvRank: "1", dist.EnvWorldSize: "4", dist.EnvRendezvous: "/tmp/x",
		dist.EnvTimeout: "90s", dist.EnvRunID: "job7", dist.EnvAddr: "10.0.0.2",
	}
	getenv := func(k string) string { return env[k] }
	c, err := dist.ConfigFromEnv(getenv)
	if err != nil {
		t.Fatal(err)
	}
	want := dist.Config{Rank: 1, WorldSize: 4, Rendezvous: "/tmp/x", RunID: "job7", Addr: "10.0.0.2", Timeout: 90 * time.Second}
	if c != want {
		t.Errorf("from env: %+v, want %+v", c, want)
	}
	// Flags win over the environment.
	var f dist.Flags
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	f.Bind(fs)
	if err := fs.Parse([]string{"--rank", "3", "--timeout", "5s", "--rendezvous", "redis://h:1"}); err != nil {
		t.Fatal(err)
	}
	c, err = f.Config(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Rank != 3 || c.WorldSize != 4 || c.Timeout != 5*time.Second || c.Rendezvous != "redis://h:1" {
		t.Errorf("flags over env: %+v", c)
	}
	// The default timeout.
	delete(env, dist.EnvTimeout)
	if c, err = dist.ConfigFromEnv(getenv); err != nil || c.Timeout != 60*time.Second {
		t.Errorf("default timeout: %v %v", c.Timeout, err)
	}
	for _, bad := range []map[string]string{
		{dist.EnvRank: "x", dist.EnvWorldSize: "2", dist.EnvRendezvous: "/d"},
		{dist.EnvRank: "2", dist.EnvWorldSize: "2", dist.EnvRendezvous: "/d"},
		{dist.EnvRank: "0", dist.EnvRendezvous: "/d"},
		{dist.EnvRank: "0", dist.EnvWorldSize: "2"},
		{dist.EnvRank: "0", dist.EnvWorldSize: "2", dist.EnvRendezvous: "/d", dist.EnvTimeout: "10"},
		{dist.EnvRank: "0", dist.EnvWorldSize: "2", dist.EnvRendezvous: "/d", dist.EnvTimeout: "-1s"},
	} {
		if _, err := dist.ConfigFromEnv(func(k string) string { return bad[k] }); !errors.Is(err, siglip.ErrInvalidInput) {
			t.Errorf("%v: err = %v, want ErrInvalidInput", bad, err)
		}
	}
}

func TestRows(t *testing.T) {
	for _, tc := range []struct{ n, k int }{{37, 4}, {9, 7}, {8, 8}, {5, 1}, {3, 5}} {
		next := 0
		for r := 0; r < tc.k; r++ {
			lo, hi := dist.Rows(tc.n, tc.k, r)
			if lo != next || hi < lo || hi-lo > (tc.n+tc.k-1)/tc.k {
				t.Errorf("Rows(%d, %d, %d) = %d, %d", tc.n, tc.k, r, lo, hi)
			}
			next = hi
		}
		if next != tc.n {
			t.Errorf("n=%d k=%d: rows end at %d", tc.n, tc.k, next)
		}
	}
}

// writeInputs writes a loss input directory.
func writeInputs(t *testing.T, dir string, img, txt siglip.Matrix, il, tl []int64) {
	t.Helper()
	files := []npy.File{
		{Path: filepath.Join(dir, "img.npy"), Array: npy.New(img.Data, img.Rows, img.Cols)},
		{Path: filepath.Join(dir, "txt.npy"), Array: npy.New(txt.Data, txt.Rows, txt.Cols)},
	}
	if il != nil {
		files = append(files,
			npy.File{Path: filepath.Join(dir, "img_labels.npy"), Array: npy.New(il, len(il))},
			npy.File{Path: filepath.Join(dir, "txt_labels.npy"), Array: npy.New(tl, len(tl))})
	}
	if err := npy.WriteFiles(files...); err != nil {
		t.Fatal(err)
	}
}

// runGroup runs fn on every rank of a group of k in goroutines.
func runGroup(t *testing.T, k int, fn func(g *dist.Group) error) []error {
	t.Helper()
	dir := t.TempDir()
	errs := make([]error, k)
	var wg sync.WaitGroup
	for r := 0; r < k; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			g, err := dist.Init(dist.Config{Rank: r, WorldSize: k, Rendezvous: dir, Timeout: 20 * time.Second})
			if err != nil {
				errs[r] = err
				return
			}
			defer g.Close()
			errs[r] = fn(g)
		}(r)
	}
	wg.Wait()
	return errs
}

// TestRunLossInGoroutines: the distributed loss (each rank reading its rows,
// rank 0 writing everything) equals the unsharded Loss; bad input on one
// rank's rows is reported by every rank as an input error naming it, and
// nothing is written.
func TestRunLossInGoroutines(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	img, txt := randomRows(rng, 37, 12), randomRows(rng, 37, 12)
	il, tl := make([]int64, 37), make([]int64, 37)
	for i := range il {
		il[i], tl[i] = int64(i%9), int64((i*4)%9)
	}
	p := siglip.DefaultParams()
	for _, labels := range []bool{false, true} {
		in, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
		o := siglip.LossOptions{}
		if labels {
			o.ImageLabels, o.TextLabels = il, tl
			writeInputs(t, in, img, txt, il, tl)
		} else {
			writeInputs(t, in, img, txt, nil, nil)
		}
		wantLoss, want, err := siglip.Loss(img, txt, p, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{2, 4} {
			errs := runGroup(t, k, func(g *dist.Group) error {
				res, err := g.RunLoss(dist.LossJob{In: in, Out: out, Params: p, Threads: 1, Bidirectional: k == 4})
				if err == nil && res.Wrote != (g.Rank() == 0) {
					err = fmt.Errorf("rank %d: wrote = %v", g.Rank(), res.Wrote)
				}
				return err
			})
			for r, err := range errs {
				if err != nil {
					t.Fatalf("labels=%v k=%d rank %d: %v", labels, k, r, err)
				}
			}
			checkOutputs(t, out, wantLoss, want)
		}
	}

	// A NaN in rank 1's rows (of 2): both ranks report it, nothing written.
	bad := siglip.NewMatrix(img.Rows, img.Cols)
	copy(bad.Data, img.Data)
	bad.Data[25*12+3] = float32(math.NaN())
	in, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	writeInputs(t, in, bad, txt, nil, nil)
	errs := runGroup(t, 2, func(g *dist.Group) error {
		_, err := g.RunLoss(dist.LossJob{In: in, Out: out, Params: p})
		return err
	})
	for r, err := range errs {
		if !errors.Is(err, siglip.ErrInvalidInput) || !strings.Contains(err.Error(), "NaN at row 25, col 3") {
			t.Errorf("rank %d: err = %v, want an input error about the NaN", r, err)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("output directory exists after a failed run: %v", err)
	}
}

func checkOutputs(t *testing.T, out string, wantLoss float64, want siglip.Gradients) {
	t.Helper()
	scalar := func(name string, w float64) {
		_, v, err := npy.ReadAs[float64](filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(v[0]-w) > 1e-5*math.Abs(w)+1e-12 {
			t.Errorf("%s = %.9g, want %.9g", name, v[0], w)
		}
	}
	matrix := func(name string, w siglip.Matrix) {
		shape, v, err := npy.ReadAs[float32](filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(shape) != 2 || shape[0] != w.Rows || shape[1] != w.Cols {
			t.Fatalf("%s: shape %v, want %dx%d", name, shape, w.Rows, w.Cols)
		}
		var big, worst float64
		for i, x := range w.Data {
			big = max(big, math.Abs(float64(x)))
			worst = max(worst, math.Abs(float64(v[i])-float64(x)))
		}
		if worst > 1e-5*big {
			t.Errorf("%s: off by %.3g (largest entry %.3g)", name, worst, big)
		}
	}
	scalar("loss.npy", wantLoss)
	scalar("dtprime.npy", want.TPrime)
	scalar("dbias.npy", want.Bias)
	matrix("dimg.npy", want.Image)
	matrix("dtxt.npy", want.Text)
}

func TestAllReduceBuffers(t *testing.T) {
	errs := runGroup(t, 3, func(g *dist.Group) error {
		r := float32(g.Rank())
		a, b := []float32{r, 1}, []float32{2 * r, 3, 4}
		if err := g.AllReduceBuffers(a, b); err != nil {
			return err
		}
		if a[0] != 3 || a[1] != 3 || b[0] != 6 || b[1] != 9 || b[2] != 12 {
			return fmt.Errorf("got %v %v", a, b)
		}
		c := []float32{r}
		if err := g.AllReduceMean(c); err != nil || c[0] != 1 {
			return fmt.Errorf("mean: %v %v", c, err)
		}
		return nil
	})
	for r, err := range errs {
		if err != nil {
			t.Errorf("rank %d: %v", r, err)
		}
	}
}

// ---------------------------------------------------------------------------
// Processes.

// rankProc is one rank process of the "ring" program.
type rankProc struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	iters  chan int // iterations reported on stdout
	done   chan struct{}
	err    error
}

// startRanks starts the given ranks of a group of `size` as processes.
func startRanks(t *testing.T, size int, ranks []int, timeout time.Duration, extraEnv ...string) map[int]*rankProc {
	t.Helper()
	dir := t.TempDir()
	procs := map[int]*rankProc{}
	for _, r := range ranks {
		p := &rankProc{iters: make(chan int, 10000), done: make(chan struct{})}
		p.cmd = exec.Command(os.Args[0])
		p.cmd.Env = append(os.Environ(), programEnv+"=ring",
			fmt.Sprintf("%s=%d", dist.EnvRank, r), fmt.Sprintf("%s=%d", dist.EnvWorldSize, size),
			dist.EnvRendezvous+"="+dir, dist.EnvTimeout+"="+timeout.String(), "OPENBLAS_NUM_THREADS=1")
		p.cmd.Env = append(p.cmd.Env, extraEnv...)
		p.cmd.Stderr = &p.stderr
		stdout, err := p.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				var it int
				if _, err := fmt.Sscanf(sc.Text(), "iter %d", &it); err == nil {
					p.iters <- it
				}
			}
			io.Copy(io.Discard, stdout)
			p.err = p.cmd.Wait()
			close(p.done)
		}()
		procs[r] = p
	}
	t.Cleanup(func() {
		for _, p := range procs {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return procs
}

// waitIter waits until p has reported iteration n.
func waitIter(t *testing.T, p *rankProc, n int, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case it := <-p.iters:
			if it >= n {
				return
			}
		case <-p.done:
			t.Fatalf("rank exited early: %v\n%s", p.err, p.stderr.String())
		case <-deadline:
			t.Fatalf("no iteration %d within %v\n%s", n, within, p.stderr.String())
		}
	}
}

// expectFailure waits for p to exit with a non-zero status (not by a
// signal: SIGPIPE must not kill it) and an error naming rank `failed`.
func expectFailure(t *testing.T, name string, p *rankProc, failed int, within time.Duration) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		t.Fatalf("%s: still running %v after the failure (a hang)\n%s", name, within, p.stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(p.err, &exit) {
		t.Fatalf("%s: exited with %v, want a failure\n%s", name, p.err, p.stderr.String())
	}
	if ws := exit.Sys().(syscall.WaitStatus); ws.Signaled() {
		t.Fatalf("%s: killed by signal %v, want an error exit\n%s", name, ws.Signal(), p.stderr.String())
	}
	msg := p.stderr.String()
	if !strings.Contains(msg, fmt.Sprintf("rank %d", failed)) {
		t.Errorf("%s: error does not name rank %d:\n%s", name, failed, msg)
	}
	t.Logf("%s: %s", name, strings.TrimSpace(msg))
}

// A rank killed with SIGKILL mid-ring: the others fail at once (connections
// close), naming it, with no hang and no SIGPIPE death.
func TestFaultKilledRank(t *testing.T) {
	procs := startRanks(t, 3, []int{0, 1, 2}, 10*time.Second)
	for _, r := range []int{0, 1, 2} {
		waitIter(t, procs[r], 3, 30*time.Second)
	}
	start := time.Now()
	procs[1].cmd.Process.Signal(syscall.SIGKILL)
	for _, r := range []int{0, 2} {
		expectFailure(t, fmt.Sprintf("rank %d", r), procs[r], 1, 10*time.Second)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the others took %v to notice a killed rank", d)
	}
}

// A rank stopped with SIGSTOP mid-ring: the others give up within the
// timeout, naming it.
func TestFaultStoppedRank(t *testing.T) {
	procs := startRanks(t, 3, []int{0, 1, 2}, 2*time.Second)
	for _, r := range []int{0, 1, 2} {
		waitIter(t, procs[r], 3, 30*time.Second)
	}
	start := time.Now()
	procs[1].cmd.Process.Signal(syscall.SIGSTOP)
	defer procs[1].cmd.Process.Signal(syscall.SIGKILL)
	for _, r := range []int{0, 2} {
		expectFailure(t, fmt.Sprintf("rank %d", r), procs[r], 1, 10*time.Second)
	}
	if d := time.Since(start); d > 7*time.Second {
		t.Errorf("the others took %v to give up on a stopped rank (timeout 2s)", d)
	}
}

// A rank that never starts: the others give up within the timeout.
func TestFaultRankNeverStarts(t *testing.T) {
	start := time.Now()
	procs := startRanks(t, 3, []int{0, 2}, 2*time.Second)
	for _, r := range []int{0, 2} {
		expectFailure(t, fmt.Sprintf("rank %d", r), procs[r], 1, 10*time.Second)
		if !strings.Contains(procs[r].stderr.String(), "did not join") {
			t.Errorf("rank %d: %s", r, procs[r].stderr.String())
		}
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("took %v (timeout 2s)", d)
	}
}

// ---------------------------------------------------------------------------
// Launch.

func TestLaunchPrefixesOutput(t *testing.T) {
	var out, errb bytes.Buffer
	err := dist.Launch(context.Background(), dist.LaunchOptions{
		N: 3, Command: "sh",
		Args:   []string{"-c", `echo "hello from $SIGLIP_RANK of $SIGLIP_WORLD_SIZE"; echo oops >&2; printf 'no newline'; test -d "$SIGLIP_RENDEZVOUS" && test -n "$SIGLIP_RUN_ID"`},
		Stdout: &out, Stderr: &errb,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	for r := 0; r < 3; r++ {
		for _, want := range []string{fmt.Sprintf("[rank %d] hello from %d of 3\n", r, r), fmt.Sprintf("[rank %d] no newline\n", r)} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("stdout lacks %q:\n%s", want, out.String())
			}
		}
		if want := fmt.Sprintf("[rank %d] oops\n", r); !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}

func TestLaunchStopsTheOthers(t *testing.T) {
	var out, errb bytes.Buffer
	start := time.Now()
	err := dist.Launch(context.Background(), dist.LaunchOptions{
		N: 3, Command: "sh",
		Args:   []string{"-c", `if [ "$SIGLIP_RANK" = 1 ]; then sleep 0.2; exit 7; fi; sleep 60`},
		Grace:  500 * time.Millisecond,
		Stdout: &out, Stderr: &errb,
	})
	var re *dist.RankError
	if !errors.As(err, &re) || re.Rank != 1 || re.ExitCode != 7 {
		t.Fatalf("err = %v, want rank 1 exited with status 7\n%s", err, errb.String())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v: the other ranks were not stopped", d)
	}
	if !strings.Contains(err.Error(), "rank 1 exited with status 7") {
		t.Errorf("message: %v", err)
	}
	// A command that does not exist.
	err = dist.Launch(context.Background(), dist.LaunchOptions{N: 2, Command: "/nonexistent/cmd", Stdout: io.Discard, Stderr: io.Discard})
	if !errors.As(err, &re) || re.Rank != 0 || re.Err == nil {
		t.Errorf("missing command: err = %v", err)
	}
}

// ---------------------------------------------------------------------------
// Benchmark: the ring over processes.

// benchProgram "bench": join from the environment, make this rank's rows of
// a random n x d batch (SIGLIP_BENCH_N, SIGLIP_BENCH_D; default 8192 x 768),
// run the ring loss once to warm up and SIGLIP_BENCH_REPEAT (default 3)
// times more, and print one line: "stats total compute wait bytes steps".
func benchProgram() int {
	cfg, err := dist.ConfigFromEnv(nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	g, err := dist.Init(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	defer g.Close()
	env := func(k string, def int) int {
		v := def
		fmt.Sscan(os.Getenv(k), &v)
		return v
	}
	n, d, repeat, threads := env("SIGLIP_BENCH_N", 8192), env("SIGLIP_BENCH_D", 768), env("SIGLIP_BENCH_REPEAT", 3), env("SIGLIP_BENCH_THREADS", 1)
	lo, hi := dist.Rows(n, cfg.WorldSize, cfg.Rank)
	rng := rand.New(rand.NewPCG(uint64(cfg.Rank), 5))
	img, txt := randomRows(rng, hi-lo, d), randomRows(rng, hi-lo, d)
	o := siglip.LossOptions{Threads: threads}
	bidir := os.Getenv("SIGLIP_BENCH_BIDIR") == "1"
	var sum siglip.RingStats
	for i := 0; i <= repeat; i++ {
		if err := g.Barrier(); err != nil { // start the calls together
			fmt.Fprintln(os.Stderr, "error:", err)
			return 1
		}
		_, _, st, err := g.RingLoss(img, txt, siglip.DefaultParams(), o, siglip.RingOptions{Bidirectional: bidir})
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			return 1
		}
		if i == 0 {
			continue // warm-up
		}
		sum.Total += st.Total
		sum.Compute += st.Compute
		sum.Wait += st.Wait
		sum.BytesSent += st.BytesSent
		sum.Steps = st.Steps
	}
	r := time.Duration(repeat)
	fmt.Printf("stats %g %g %g %d %d\n", (sum.Total / r).Seconds(), (sum.Compute / r).Seconds(), (sum.Wait / r).Seconds(), sum.BytesSent/int64(repeat), sum.Steps)
	return 0
}

// BenchmarkRingProcesses runs the ring loss over K = 2 processes (ranks of
// this test binary over Gloo on loopback) at n = 8192, d = 768, one thread
// per rank (SIGLIP_BENCH_K, _N, _D, _THREADS, _REPEAT, _BIDIR=1 override),
// and reports per rank: seconds per ring call and per step, MB sent, and the
// share of the call spent waiting on transfers. Use -benchtime 1x.
func BenchmarkRingProcesses(b *testing.B) {
	k := 2
	fmt.Sscan(os.Getenv("SIGLIP_BENCH_K"), &k)
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		type out struct {
			buf bytes.Buffer
			cmd *exec.Cmd
		}
		outs := make([]*out, k)
		for r := 0; r < k; r++ {
			o := &out{cmd: exec.Command(os.Args[0])}
			o.cmd.Env = append(os.Environ(), programEnv+"=bench",
				fmt.Sprintf("%s=%d", dist.EnvRank, r), fmt.Sprintf("%s=%d", dist.EnvWorldSize, k),
				dist.EnvRendezvous+"="+dir, dist.EnvTimeout+"=120s")
			o.cmd.Stdout = &o.buf
			o.cmd.Stderr = os.Stderr
			if err := o.cmd.Start(); err != nil {
				b.Fatal(err)
			}
			outs[r] = o
		}
		var total, compute, wait, sent float64
		var steps int
		for r, o := range outs {
			if err := o.cmd.Wait(); err != nil {
				b.Fatalf("rank %d: %v", r, err)
			}
			var t, c, w float64
			var by int64
			var st int
			if _, err := fmt.Sscanf(strings.TrimSpace(o.buf.String()), "stats %g %g %g %d %d", &t, &c, &w, &by, &st); err != nil {
				b.Fatalf("rank %d printed %q", r, o.buf.String())
			}
			b.Logf("rank %d: ring %.3fs (compute %.3fs, waiting %.3fs = %.1f%%), %d steps, sent %.1f MB", r, t, c, w, 100*w/t, st, float64(by)/1e6)
			total, compute, wait, sent, steps = total+t, compute+c, wait+w, sent+float64(by), st
		}
		kf := float64(k)
		b.ReportMetric(total/kf, "s/ring")
		b.ReportMetric(total/kf/float64(steps), "s/step")
		b.ReportMetric(sent/kf/1e6, "MB-sent/rank")
		b.ReportMetric(wait/total, "wait-share")
		b.ReportMetric(compute/total, "compute-share")
	}
}
