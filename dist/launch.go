package dist

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// LaunchOptions describe `siglip launch`: N local ranks of one command.
type LaunchOptions struct {
	// N is the number of ranks, 1 <= N <= siglip.MaxShards.
	N int
	// Command and Args: what every rank runs. Each gets the environment of
	// the launcher (or Env) plus SIGLIP_RANK, SIGLIP_WORLD_SIZE,
	// SIGLIP_RENDEZVOUS and SIGLIP_RUN_ID (and SIGLIP_TIMEOUT if Timeout is
	// set).
	Command string
	Args    []string
	// Rendezvous: "" makes a fresh temporary directory (removed at the end);
	// otherwise it is passed on as is (e.g. redis://host:port).
	Rendezvous string
	// Timeout, if > 0, is passed on as SIGLIP_TIMEOUT.
	Timeout time.Duration
	// Grace is how long the other ranks get to exit on their own after the
	// first one failed (they should: their next wait on it fails) before
	// they are stopped (SIGTERM, then SIGKILL 2 s later). 0 means 5 s.
	Grace time.Duration
	// Env is the base environment of the ranks; nil means os.Environ().
	Env []string
	// Stdout and Stderr receive the ranks' output, each line prefixed with
	// "[rank K] ". nil means os.Stdout and os.Stderr.
	Stdout, Stderr io.Writer
}

// RankError reports the first rank that failed under Launch.
type RankError struct {
	Rank int
	// ExitCode is the rank's exit status, or -1 if a signal ended it.
	ExitCode int
	// Signal is the signal that ended it, if any.
	Signal syscall.Signal
	// Err is set when the rank could not be started at all.
	Err error
}

func (e *RankError) Error() string {
	switch {
	case e.Rank < 0:
		return fmt.Sprintf("stopped: %v", e.Err)
	case e.Err != nil:
		return fmt.Sprintf("rank %d could not be started: %v", e.Rank, e.Err)
	case e.ExitCode < 0:
		return fmt.Sprintf("rank %d was killed by signal %d (%v)", e.Rank, int(e.Signal), e.Signal)
	default:
		return fmt.Sprintf("rank %d exited with status %d", e.Rank, e.ExitCode)
	}
}

// Unwrap returns the start error, if any.
func (e *RankError) Unwrap() error { return e.Err }

// prefixWriter writes whole lines of one rank, prefixed, to a shared writer.
type prefixWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	prefix []byte
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		p.emit(p.buf[:i+1])
		p.buf = p.buf[i+1:]
	}
	if len(p.buf) > 64<<10 { // a very long line without a newline
		p.emit(append(p.buf, '\n'))
		p.buf = p.buf[:0]
	}
	return len(b), nil
}

func (p *prefixWriter) emit(line []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]byte, 0, len(p.prefix)+len(line))
	out = append(append(out, p.prefix...), line...)
	p.w.Write(out) // a failing writer must not stop the rank
}

// flush writes a last line that had no newline.
func (p *prefixWriter) flush() {
	if len(p.buf) > 0 {
		p.emit(append(p.buf, '\n'))
		p.buf = nil
	}
}

// RunID returns a fresh run id for a job ("launch-" and 16 hex digits).
func RunID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "launch-" + hex.EncodeToString(b)
}

// Launch starts o.N ranks of o.Command on this host with a fresh rendezvous,
// prefixes their output with their rank, and waits for all of them. If a
// rank fails (exits non-zero, is killed, or cannot be started), the others
// get o.Grace to exit on their own, then are stopped; Launch returns a
// *RankError for the first rank that failed. Each rank runs in its own
// process group (which Launch stops as a whole); ranks die with the
// launcher. Cancelling ctx, or SIGINT/SIGTERM to the launcher, stops all
// ranks.
func Launch(ctx context.Context, o LaunchOptions) error {
	if o.N < 1 || o.N > 4096 {
		return fmt.Errorf("launch: -n %d: want 1 to 4096 ranks", o.N)
	}
	if o.Command == "" {
		return errors.New("launch: no command")
	}
	if o.Grace <= 0 {
		o.Grace = 5 * time.Second
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	base := o.Env
	if base == nil {
		base = os.Environ()
	}
	rdzv := o.Rendezvous
	if rdzv == "" {
		dir, err := os.MkdirTemp("", "siglip-rendezvous-")
		if err != nil {
			return fmt.Errorf("launch: rendezvous directory: %w", err)
		}
		defer os.RemoveAll(dir)
		rdzv = dir
	}
	set := map[string]string{
		EnvWorldSize:  strconv.Itoa(o.N),
		EnvRendezvous: rdzv,
		EnvRunID:      RunID(),
	}
	if o.Timeout > 0 {
		set[EnvTimeout] = o.Timeout.String()
	}
	var env []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; ok || k == EnvRank {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}

	// Signals to the launcher stop the ranks.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var outMu, errMu sync.Mutex
	type exit struct {
		rank  int
		state *os.ProcessState
		err   error
	}
	exits := make(chan exit, o.N)
	cmds := make([]*exec.Cmd, o.N)
	outs := make([]*prefixWriter, 0, 2*o.N)
	var first *RankError
	running := 0
	for r := 0; r < o.N; r++ {
		prefix := []byte(fmt.Sprintf("[rank %d] ", r))
		ow := &prefixWriter{mu: &outMu, w: o.Stdout, prefix: prefix}
		ew := &prefixWriter{mu: &errMu, w: o.Stderr, prefix: prefix}
		outs = append(outs, ow, ew)
		cmd := exec.Command(o.Command, o.Args...)
		cmd.Env = append(append([]string(nil), env...), EnvRank+"="+strconv.Itoa(r))
		cmd.Stdin = nil
		cmd.Stdout, cmd.Stderr = ow, ew
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		cmd.WaitDelay = 2 * time.Second // grandchildren holding the pipes
		if err := cmd.Start(); err != nil {
			first = &RankError{Rank: r, ExitCode: 127, Err: err}
			fmt.Fprintf(o.Stderr, "siglip launch: %v\n", first)
			break
		}
		cmds[r] = cmd
		running++
		go func(r int, cmd *exec.Cmd) {
			err := cmd.Wait()
			exits <- exit{r, cmd.ProcessState, err}
		}(r, cmd)
	}

	// signalAll sends sig to the process group of every rank still running.
	done := make([]bool, o.N)
	signalAll := func(sig syscall.Signal) {
		for r, cmd := range cmds {
			if cmd != nil && !done[r] {
				syscall.Kill(-cmd.Process.Pid, sig)
			}
		}
	}
	var graceC, killC <-chan time.Time
	stopping := false
	stop := func() {
		if stopping {
			return
		}
		stopping = true
		graceC = time.After(o.Grace)
	}
	if first != nil {
		stop()
	}
	for running > 0 {
		select {
		case e := <-exits:
			running--
			done[e.rank] = true
			if e.state != nil && e.state.Success() {
				continue
			}
			if first == nil {
				re := &RankError{Rank: e.rank, ExitCode: -1}
				if e.state != nil {
					if ws, ok := e.state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
						re.Signal = ws.Signal()
					} else {
						re.ExitCode = e.state.ExitCode()
					}
				} else {
					re.Err = e.err
				}
				first = re
				if running > 0 {
					fmt.Fprintf(o.Stderr, "siglip launch: %v; the other ranks get %v to exit\n", re, o.Grace)
				}
			}
			stop()
		case <-graceC:
			graceC = nil
			signalAll(syscall.SIGTERM)
			signalAll(syscall.SIGCONT) // a stopped rank must see the SIGTERM
			killC = time.After(2 * time.Second)
		case <-killC:
			killC = nil
			signalAll(syscall.SIGKILL)
		case s := <-sigs:
			fmt.Fprintf(o.Stderr, "siglip launch: %v: stopping the ranks\n", s)
			if first == nil {
				first = &RankError{Rank: -1, ExitCode: 130, Err: fmt.Errorf("launcher got %v", s)}
			}
			stopping = true
			graceC = nil
			signalAll(syscall.SIGTERM)
			killC = time.After(2 * time.Second)
		case <-ctx.Done():
			if first == nil {
				first = &RankError{Rank: -1, ExitCode: 1, Err: ctx.Err()}
			}
			stopping = true
			graceC = nil
			signalAll(syscall.SIGKILL)
			ctx = context.Background()
		}
	}
	for _, w := range outs {
		w.flush()
	}
	if first != nil {
		return first
	}
	return nil
}
