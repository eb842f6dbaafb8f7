package siglip_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/siglip-go/siglip"
)

// ringClose reports whether the ring's result equals the unsharded one to
// rtol: scalars relative to themselves, gradient matrices relative to their
// largest entry (single entries may cancel to ~0).
func ringClose(gotLoss, wantLoss float64, got, want siglip.Gradients, rtol float64) error {
	scalar := func(name string, a, b float64) error {
		if math.Abs(a-b) > rtol*math.Abs(b)+1e-12 {
			return fmt.Errorf("%s: got %.9g, want %.9g (rel %.2g)", name, a, b, math.Abs(a-b)/math.Abs(b))
		}
		return nil
	}
	matrix := func(name string, a, b siglip.Matrix) error {
		if a.Rows != b.Rows || a.Cols != b.Cols {
			return fmt.Errorf("%s: %dx%d, want %dx%d", name, a.Rows, a.Cols, b.Rows, b.Cols)
		}
		var big, worst float64
		at := 0
		for i, v := range b.Data {
			big = max(big, math.Abs(float64(v)))
			if e := math.Abs(float64(a.Data[i]) - float64(v)); e > worst {
				worst, at = e, i
			}
		}
		if worst > rtol*big {
			return fmt.Errorf("%s: entry %d off by %.3g (largest entry %.3g; rel %.2g)", name, at, worst, big, worst/big)
		}
		return nil
	}
	return errors.Join(
		scalar("loss", gotLoss, wantLoss),
		scalar("dL/dt'", got.TPrime, want.TPrime),
		scalar("dL/db", got.Bias, want.Bias),
		matrix("dL/dimg", got.Image, want.Image),
		matrix("dL/dtxt", got.Text, want.Text),
	)
}

type ringCase struct {
	name     string
	img, txt siglip.Matrix
	o        siglip.LossOptions
}

func ringCases() []ringCase {
	rng := rand.New(rand.NewPCG(11, 12))
	var cs []ringCase
	// 53 rows: no K of 2..7 divides it; K = 7 gives shards of 8 and a last of 5.
	cs = append(cs, ringCase{"diagonal_53x53x24", randomEmbeddings(rng, 53, 24), randomEmbeddings(rng, 53, 24), siglip.LossOptions{Threads: 2}})
	// Labels, n != m, several positives per row.
	il, tl := make([]int64, 50), make([]int64, 41)
	for i := range il {
		il[i] = int64(i % 13)
	}
	for j := range tl {
		tl[j] = int64((j * 5) % 13)
	}
	cs = append(cs, ringCase{"labels_50x41x16", randomEmbeddings(rng, 50, 16), randomEmbeddings(rng, 41, 16),
		siglip.LossOptions{Threads: 1, ImageLabels: il, TextLabels: tl}})
	// 9 rows over 7 shards: shards of 2 rows, then an empty one.
	cs = append(cs, ringCase{"diagonal_9x9x5", randomEmbeddings(rng, 9, 5), randomEmbeddings(rng, 9, 5), siglip.LossOptions{}})
	return cs
}

// TestRingShardedLossEqualsUnsharded: the in-process ring with K shards
// equals Loss to float32 rounding (relative 1e-5), with and without labels,
// with uneven and empty last shards, in both directions.
func TestRingShardedLossEqualsUnsharded(t *testing.T) {
	p := siglip.DefaultParams()
	for _, c := range ringCases() {
		wantLoss, want, err := siglip.Loss(c.img, c.txt, p, c.o)
		if err != nil {
			t.Fatalf("%s: Loss: %v", c.name, err)
		}
		for _, k := range []int{1, 2, 3, 4, 7} {
			for _, bidir := range []bool{false, true} {
				loss, g, st, err := siglip.ShardedLoss(c.img, c.txt, p, c.o, k, siglip.RingOptions{Bidirectional: bidir})
				if err != nil {
					t.Fatalf("%s K=%d bidir=%v: %v", c.name, k, bidir, err)
				}
				if err := ringClose(loss, wantLoss, g, want, 1e-5); err != nil {
					t.Errorf("%s K=%d bidir=%v: %v", c.name, k, bidir, err)
				}
				wantSteps := k
				if bidir {
					wantSteps = 1 + k/2
				}
				if st.Steps != wantSteps {
					t.Errorf("%s K=%d bidir=%v: %d steps, want %d", c.name, k, bidir, st.Steps, wantSteps)
				}
			}
		}
	}
}

func TestRingShardedLossErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	img, txt := randomEmbeddings(rng, 8, 4), randomEmbeddings(rng, 8, 4)
	p := siglip.DefaultParams()
	for _, tc := range []struct {
		name   string
		o      siglip.LossOptions
		shards int
	}{
		{"softmax", siglip.LossOptions{Kind: siglip.Softmax}, 2},
		{"zero shards", siglip.LossOptions{}, 0},
		{"too many shards", siglip.LossOptions{}, siglip.MaxShards + 1},
		{"one label slice", siglip.LossOptions{ImageLabels: make([]int64, 8)}, 2},
	} {
		if _, _, _, err := siglip.ShardedLoss(img, txt, p, tc.o, tc.shards, siglip.RingOptions{}); !errors.Is(err, siglip.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", tc.name, err)
		}
	}
}

// runRanks runs fn for the given ranks of a group of `size` in goroutines of
// this process (Gloo over loopback; a fresh rendezvous directory).
func runRanks(t *testing.T, size int, ranks []int, timeout time.Duration, fn func(c *siglip.Comm) error) []error {
	t.Helper()
	dir := t.TempDir()
	errs := make([]error, size)
	var wg sync.WaitGroup
	for _, r := range ranks {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			c, err := siglip.NewComm(siglip.CommOptions{Rank: r, Size: size, Rendezvous: dir, Timeout: timeout})
			if err != nil {
				errs[r] = err
				return
			}
			defer c.Close()
			errs[r] = fn(c)
		}(r)
	}
	wg.Wait()
	return errs
}

// rowsOf returns rank r's rows [lo, hi) of `rows` split over k ranks.
func rowsOf(rows, k, r int) (int, int) {
	b := (rows + k - 1) / k
	return min(rows, r*b), min(rows, (r+1)*b)
}

func sliceRows(m siglip.Matrix, lo, hi int) siglip.Matrix {
	return siglip.Matrix{Rows: hi - lo, Cols: m.Cols, Data: m.Data[lo*m.Cols : hi*m.Cols]}
}

// TestRingCommRanksEqualUnsharded: ranks in goroutines, each with a Gloo
// communicator, compute the ring loss of their rows; gathered, the
// gradients equal Loss's. Also exercises AllReduceSum, GatherFloat32,
// AllGather and Barrier. (Named *Cgo* so CI runs it under cgocheck2.)
func TestRingCgoCommRanksEqualUnsharded(t *testing.T) {
	const K = 3
	p := siglip.DefaultParams()
	for _, c := range ringCases()[:2] {
		wantLoss, want, err := siglip.Loss(c.img, c.txt, p, c.o)
		if err != nil {
			t.Fatal(err)
		}
		got := siglip.Gradients{Image: siglip.NewMatrix(c.img.Rows, c.img.Cols), Text: siglip.NewMatrix(c.txt.Rows, c.txt.Cols)}
		losses := make([]float64, K)
		errs := runRanks(t, K, []int{0, 1, 2}, 20*time.Second, func(cm *siglip.Comm) error {
			r := cm.Rank()
			ilo, ihi := rowsOf(c.img.Rows, K, r)
			tlo, thi := rowsOf(c.txt.Rows, K, r)
			o := siglip.LossOptions{Threads: 1}
			if c.o.ImageLabels != nil {
				o.ImageLabels, o.TextLabels = c.o.ImageLabels[ilo:ihi], c.o.TextLabels[tlo:thi]
			}
			loss, g, st, err := cm.RingLoss(sliceRows(c.img, ilo, ihi), sliceRows(c.txt, tlo, thi), p, o, siglip.RingOptions{Bidirectional: c.o.ImageLabels != nil})
			if err != nil {
				return err
			}
			if st.BytesSent == 0 {
				return fmt.Errorf("rank %d sent nothing", r)
			}
			losses[r] = loss
			copy(got.Image.Data[ilo*c.img.Cols:], g.Image.Data)
			copy(got.Text.Data[tlo*c.txt.Cols:], g.Text.Data)
			if r == 0 {
				got.TPrime, got.Bias = g.TPrime, g.Bias
			}
			// Gather the image gradients on rank 1 and check them there.
			lens := make([]int, K)
			for q := range lens {
				lo, hi := rowsOf(c.img.Rows, K, q)
				lens[q] = (hi - lo) * c.img.Cols
			}
			all, err := cm.GatherFloat32(1, g.Image.Data, lens)
			if err != nil {
				return err
			}
			if (r == 1) != (all != nil) || (r == 1 && len(all) != len(want.Image.Data)) {
				return fmt.Errorf("rank %d: gather gave %d values", r, len(all))
			}
			// All-reduce: rank r contributes r+1 everywhere.
			buf := make([]float32, 5001)
			for i := range buf {
				buf[i] = float32(r + 1)
			}
			if err := cm.AllReduceSum(buf); err != nil {
				return err
			}
			for i, v := range buf {
				if v != 6 {
					return fmt.Errorf("all-reduce: buf[%d] = %v, want 6", i, v)
				}
			}
			everyone, err := cm.AllGather([]byte{byte(10 + r)})
			if err != nil {
				return err
			}
			if string(everyone) != "\x0a\x0b\x0c" {
				return fmt.Errorf("all-gather: %v", everyone)
			}
			runtime.GC()
			return cm.Barrier()
		})
		for r, err := range errs {
			if err != nil {
				t.Fatalf("%s: rank %d: %v", c.name, r, err)
			}
		}
		for r := 1; r < K; r++ {
			if losses[r] != losses[0] {
				t.Errorf("%s: rank %d has loss %v, rank 0 %v: every rank should get the same bits", c.name, r, losses[r], losses[0])
			}
		}
		if err := ringClose(losses[0], wantLoss, got, want, 1e-5); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestRingCommRankThatNeverJoins: the ranks that did start fail within the
// timeout with a *PeerError naming the missing rank.
func TestRingCommRankThatNeverJoins(t *testing.T) {
	start := time.Now()
	errs := runRanks(t, 3, []int{0, 2}, time.Second, func(*siglip.Comm) error { return nil })
	for _, r := range []int{0, 2} {
		var pe *siglip.PeerError
		if !errors.As(errs[r], &pe) || pe.Rank != 1 || !errors.Is(errs[r], siglip.ErrPeerFailed) {
			t.Errorf("rank %d: err = %v, want a PeerError naming rank 1", r, errs[r])
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v with a 1s timeout", d)
	}
}

func TestRingCommOptionErrors(t *testing.T) {
	for _, o := range []siglip.CommOptions{
		{Rank: 0, Size: 0, Rendezvous: t.TempDir()},
		{Rank: 2, Size: 2, Rendezvous: t.TempDir()},
		{Rank: 0, Size: 1},
		{Rank: 0, Size: 1, Rendezvous: "/nonexistent/siglip-dir"},
		{Rank: 0, Size: 1, Rendezvous: "redis://localhost:notaport"},
	} {
		if c, err := siglip.NewComm(o); err == nil || !errors.Is(err, siglip.ErrInvalidInput) {
			t.Errorf("NewComm(%+v): err = %v, want ErrInvalidInput", o, err)
			if c != nil {
				c.Close()
			}
		}
	}
	// A group of one works without peers.
	c, err := siglip.NewComm(siglip.CommOptions{Size: 1, Rendezvous: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := []float32{1, 2}
	if err := c.AllReduceSum(buf); err != nil || buf[1] != 2 {
		t.Errorf("AllReduceSum on one rank: %v %v", err, buf)
	}
}

// TestRingLossOptionShards: Loss with LossOptions.Shards runs the in-process
// ring and gives the unsharded result; bad values are input errors.
func TestRingLossOptionShards(t *testing.T) {
	p := siglip.DefaultParams()
	for _, c := range ringCases()[:2] {
		wantLoss, want, err := siglip.Loss(c.img, c.txt, p, c.o)
		if err != nil {
			t.Fatal(err)
		}
		o := c.o
		o.Shards = 4
		loss, g, err := siglip.Loss(c.img, c.txt, p, o)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := ringClose(loss, wantLoss, g, want, 1e-5); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		// LossValue ignores Shards.
		if v, err := siglip.LossValue(c.img, c.txt, p, o); err != nil || math.Abs(v-wantLoss) > 1e-6*wantLoss {
			t.Errorf("%s: LossValue with Shards: %v, %v", c.name, v, err)
		}
	}
	rng := rand.New(rand.NewPCG(3, 3))
	img := randomEmbeddings(rng, 6, 3)
	for _, o := range []siglip.LossOptions{{Shards: -1}, {Shards: siglip.MaxShards + 1}, {Shards: 2, Kind: siglip.Softmax}} {
		if _, _, err := siglip.Loss(img, img, p, o); !errors.Is(err, siglip.ErrInvalidInput) {
			t.Errorf("%+v: err = %v, want ErrInvalidInput", o, err)
		}
	}
}
