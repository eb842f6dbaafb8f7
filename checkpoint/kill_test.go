//go:build unix

package checkpoint

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	killHelperEnv = "SIGLIP_CHECKPOINT_KILL_HELPER_ROOT"
	killN         = 1 << 20 // floats per big tensor: 4 MiB model + 8 MiB state per save
	killKeep      = 2
)

// TestKillHelper is not a test: run by TestKill9Atomicity in a subprocess,
// it saves large checkpoints in a loop, resuming after the latest one, and
// prints "saved N" after each Save returns, until it is killed.
func TestKillHelper(t *testing.T) {
	root := os.Getenv(killHelperEnv)
	if root == "" {
		t.Skip("helper process for TestKill9Atomicity")
	}
	m, err := NewManager(root, killKeep)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	m.Logf = nil
	step := int64(0)
	if c, err := m.Latest(); err == nil {
		step = c.Step + 1
	}
	parent, start := os.Getppid(), time.Now()
	for ; ; step++ {
		// Never outlive the parent, nor run long if it forgets to kill us.
		if os.Getppid() != parent || time.Since(start) > 60*time.Second {
			os.Exit(4)
		}
		if _, err := m.Save(makeCheckpoint(step, killN)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("saved %d\n", step)
	}
}

// TestKill9Atomicity kills a process that is saving checkpoints with SIGKILL
// at random moments; after each kill the latest checkpoint must load and
// verify and be the one last reported saved (or the one after it, saved but
// not yet reported), and no step directory may be partial.
func TestKill9Atomicity(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	t.Logf("seed %d", seed)
	root := t.TempDir()
	lastSaved := int64(-1)
	midSave := 0
	const kills = 8
	for k := 0; k < kills; k++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), killHelperEnv+"="+root)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		saved := make(chan int64, 1024)
		go func() {
			defer close(saved)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				var s int64
				if _, err := fmt.Sscanf(sc.Text(), "saved %d", &s); err == nil {
					saved <- s
				}
			}
		}()
		// Even rounds: kill at a random moment from the start (possibly
		// before the first save completes). Odd rounds: after the first
		// save of this process, at a random point of a later one.
		delay := time.Duration(rng.IntN(400)) * time.Millisecond
		if k%2 == 1 {
			select {
			case s, ok := <-saved:
				if ok {
					lastSaved = max(lastSaved, s)
				}
			case <-time.After(5 * time.Second):
				t.Log("no save within 5s; killing anyway")
			}
			delay = time.Duration(rng.IntN(200)) * time.Millisecond
		}
		time.Sleep(delay)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		n := 0
		for s := range saved {
			lastSaved = max(lastSaved, s)
			n++
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("helper ended with %v, not by SIGKILL; stderr:\n%s", err, stderr.String())
		}

		// What the kill left: count interrupted saves (temporary dirs).
		ents, _ := os.ReadDir(root)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), tmpPrefix) {
				midSave++
				break
			}
		}

		m, warnings := newManager(t, root, killKeep)
		for _, e := range dirNames(t, root) {
			if strings.HasPrefix(e, ".") {
				t.Errorf("kill %d: leftover %s after NewManager", k, e)
			}
		}
		// Every step directory present is complete, not just the latest.
		steps, err := m.List()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range steps {
			if _, err := m.Load(s); err != nil {
				t.Errorf("kill %d: partial checkpoint visible: %v", k, err)
			}
		}
		c, err := m.Latest()
		switch {
		case err != nil && lastSaved >= 0:
			t.Fatalf("kill %d: Latest: %v (last reported save: step %d)", k, err, lastSaved)
		case err != nil && !errors.Is(err, ErrNoCheckpoint):
			t.Fatalf("kill %d: Latest: %v", k, err)
		case err == nil:
			if c.Step < lastSaved || c.Step > lastSaved+1 {
				t.Fatalf("kill %d: Latest is step %d, last reported save step %d", k, c.Step, lastSaved)
			}
			checkContents(t, c, killN)
		}
		if len(*warnings) != 0 {
			t.Errorf("kill %d: warnings %q", k, *warnings)
		}
		t.Logf("kill %d after %v: %d saves reported, latest reported %d, steps on disk %v",
			k, delay, n, lastSaved, steps)
	}
	t.Logf("%d of %d kills interrupted a save in progress", midSave, kills)
	if lastSaved < 0 {
		t.Error("no save ever completed; the test exercised nothing")
	}
}
