package siglip

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSimilaritiesAgainstLoops holds the kernel's score matrix against plain
// float64 loops, on sizes that cross its 256-row blocks.
func TestSimilaritiesAgainstLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, sz := range []struct{ n, m, d int }{{1, 1, 1}, {3, 5, 7}, {257, 10, 33}, {600, 129, 16}} {
		a, b := NewMatrix(sz.n, sz.d), NewMatrix(sz.m, sz.d)
		for i := range a.Data {
			a.Data[i] = float32(rng.NormFloat64())
		}
		for i := range b.Data {
			b.Data[i] = float32(rng.NormFloat64())
		}
		s, err := similarities(a, b)
		if err != nil {
			t.Fatalf("%v: %v", sz, err)
		}
		if s.Rows != sz.n || s.Cols != sz.m {
			t.Fatalf("%v: got %d x %d", sz, s.Rows, s.Cols)
		}
		for i := 0; i < sz.n; i++ {
			for j := 0; j < sz.m; j++ {
				var want, scale float64
				for k := 0; k < sz.d; k++ {
					p := float64(a.At(i, k)) * float64(b.At(j, k))
					want += p
					scale += math.Abs(p)
				}
				if got := float64(s.At(i, j)); math.Abs(got-want) > 1e-5*scale+1e-6 {
					t.Fatalf("%v: (%d,%d) = %g, want %g", sz, i, j, got, want)
				}
			}
		}
	}
}

func TestSimilaritiesBadInput(t *testing.T) {
	_, err := similarities(NewMatrix(2, 3), NewMatrix(2, 4))
	if !errors.Is(err, ErrInvalidInput) {
		t.Errorf("width mismatch: got %v, want ErrInvalidInput", err)
	}
	_, err = similarities(Matrix{Rows: 2, Cols: 3, Data: make([]float32, 5)}, NewMatrix(2, 3))
	if !errors.Is(err, ErrInvalidInput) {
		t.Errorf("short data: got %v, want ErrInvalidInput", err)
	}
}
