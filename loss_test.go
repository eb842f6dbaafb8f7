package siglip_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/siglip-go/siglip"
)

// randomEmbeddings returns a rows x cols matrix of random unit-norm rows.
func randomEmbeddings(rng *rand.Rand, rows, cols int) siglip.Matrix {
	m := siglip.NewMatrix(rows, cols)
	for i := 0; i < rows; i++ {
		r := m.Row(i)
		var s float64
		for k := range r {
			v := rng.NormFloat64()
			r[k] = float32(v)
			s += v * v
		}
		s = math.Sqrt(s)
		for k := range r {
			r[k] = float32(float64(r[k]) / s)
		}
	}
	return m
}

// refLoss is the loss and its gradients in plain float64, straight from
// the formulas of design.md section 1 and siglip.h, with the scales that
// bound the float32 rounding of each quantity.
type refLoss struct {
	loss, dtp, db float64
	dimg, dtxt    [][]float64
	// Sums of magnitudes: what the rounding errors scale with.
	lossScale, dtpScale, dbScale float64
	dimgScale, dtxtScale         float64
	maxLogit                     float64
}

func computeRefLoss(img, txt siglip.Matrix, p siglip.Params, o siglip.LossOptions) refLoss {
	n, m, d := img.Rows, txt.Rows, img.Cols
	t := math.Exp(float64(p.TPrime))
	b := float64(p.Bias)
	if o.Kind == siglip.Softmax {
		b = 0
	}
	pos := func(i, j int) bool {
		if o.ImageLabels != nil {
			return o.ImageLabels[i] == o.TextLabels[j]
		}
		return i == j
	}
	l := make([][]float64, n)
	var r refLoss
	for i := range l {
		l[i] = make([]float64, m)
		for j := range l[i] {
			var s float64
			for k := 0; k < d; k++ {
				s += float64(img.At(i, k)) * float64(txt.At(j, k))
			}
			l[i][j] = t*s + b
			r.maxLogit = math.Max(r.maxLogit, math.Abs(t*s)+math.Abs(b))
		}
	}
	G := make([][]float64, n)
	for i := range G {
		G[i] = make([]float64, m)
	}
	switch o.Kind {
	case siglip.Sigmoid:
		for i := range n {
			for j := range m {
				z, y := -1.0, 0.0
				if pos(i, j) {
					z, y = 1, 1
				}
				u := -z * l[i][j]
				term := math.Max(u, 0) + math.Log1p(math.Exp(-math.Abs(u)))
				r.loss += term / float64(n)
				r.lossScale += term / float64(n)
				G[i][j] = (1/(1+math.Exp(-l[i][j])) - y) / float64(n)
			}
		}
	case siglip.Softmax:
		// L = 1/2 [ (1/n) sum_i (LSE_j l_ij - mean_{j in P(i)} l_ij)
		//         + (1/m) sum_j (LSE_i l_ij - mean_{i in P(j)} l_ij) ]
		for i := range n {
			mx := math.Inf(-1)
			for j := range m {
				mx = math.Max(mx, l[i][j])
			}
			var s, sp float64
			cnt := 0
			for j := range m {
				s += math.Exp(l[i][j] - mx)
				if pos(i, j) {
					cnt++
					sp += l[i][j]
				}
			}
			lse := mx + math.Log(s)
			r.loss += 0.5 / float64(n) * (lse - sp/float64(cnt))
			r.lossScale += 0.5 / float64(n) * (math.Abs(lse) + math.Abs(sp/float64(cnt)))
			for j := range m {
				g := math.Exp(l[i][j] - lse)
				if pos(i, j) {
					g -= 1 / float64(cnt)
				}
				G[i][j] += 0.5 / float64(n) * g
			}
		}
		for j := range m {
			mx := math.Inf(-1)
			for i := range n {
				mx = math.Max(mx, l[i][j])
			}
			var s, sp float64
			cnt := 0
			for i := range n {
				s += math.Exp(l[i][j] - mx)
				if pos(i, j) {
					cnt++
					sp += l[i][j]
				}
			}
			lse := mx + math.Log(s)
			r.loss += 0.5 / float64(m) * (lse - sp/float64(cnt))
			r.lossScale += 0.5 / float64(m) * (math.Abs(lse) + math.Abs(sp/float64(cnt)))
			for i := range n {
				g := math.Exp(l[i][j] - lse)
				if pos(i, j) {
					g -= 1 / float64(cnt)
				}
				G[i][j] += 0.5 / float64(m) * g
			}
		}
	}
	r.dimg = make([][]float64, n)
	r.dtxt = make([][]float64, m)
	for j := range m {
		r.dtxt[j] = make([]float64, d)
	}
	for i := range n {
		r.dimg[i] = make([]float64, d)
		var rowAbs float64
		for j := range m {
			g := G[i][j]
			if o.Kind == siglip.Sigmoid {
				r.db += g
			}
			r.dbScale += math.Abs(g)
			r.dtp += g * (l[i][j] - b)
			r.dtpScale += math.Abs(g) * (math.Abs(l[i][j]-b) + r.maxLogit)
			rowAbs += math.Abs(g)
			for k := range d {
				r.dimg[i][k] += t * g * float64(txt.At(j, k))
				r.dtxt[j][k] += t * g * float64(img.At(i, k))
			}
		}
		r.dimgScale = math.Max(r.dimgScale, t*rowAbs)
	}
	for j := range m {
		var colAbs float64
		for i := range n {
			colAbs += math.Abs(G[i][j])
		}
		r.dtxtScale = math.Max(r.dtxtScale, t*colAbs)
	}
	return r
}

// matrixRows returns a matrix as [][]float64 for comparison.
func matrixRows(m siglip.Matrix) [][]float64 {
	out := make([][]float64, m.Rows)
	for i := range out {
		out[i] = make([]float64, m.Cols)
		for k := range out[i] {
			out[i][k] = float64(m.At(i, k))
		}
	}
	return out
}

// int64s returns the given int64 labels (a helper for table literals).
func int64s(v ...int64) []int64 { return v }

type lossCase struct {
	name      string
	n, m, d   int
	p         siglip.Params
	imgLabels []int64
	txtLabels []int64
	prepare   func(img, txt siglip.Matrix) // optional edits of the random input
}

func lossCases() []lossCase {
	def := siglip.DefaultParams()
	big := float32(math.Log(1e4))
	return []lossCase{
		{name: "diagonal", n: 8, m: 8, d: 16, p: def},
		{name: "1x1", n: 1, m: 1, d: 1, p: def},
		{name: "labels n!=m", n: 6, m: 9, d: 12, p: def,
			imgLabels: int64s(0, 1, 2, 3, 4, 5), txtLabels: int64s(0, 1, 2, 3, 4, 5, 0, 2, 4)},
		{name: "duplicate labels", n: 8, m: 8, d: 16, p: def,
			imgLabels: int64s(0, 0, 1, 1, 2, 2, 3, 3), txtLabels: int64s(3, 2, 1, 0, 0, 1, 2, 3)},
		{name: "negative and huge labels", n: 4, m: 3, d: 5, p: def,
			imgLabels: int64s(-7, math.MaxInt64, -7, math.MinInt64), txtLabels: int64s(math.MinInt64, -7, math.MaxInt64)},
		{name: "duplicate embeddings", n: 8, m: 8, d: 16, p: def,
			prepare: func(img, txt siglip.Matrix) {
				copy(img.Row(1), img.Row(0))
				copy(txt.Data, img.Data) // x_i = y_i: the positives agree exactly
			}},
		{name: "t'=0 b=0", n: 8, m: 8, d: 16, p: siglip.Params{TPrime: 0, Bias: 0}},
		{name: "t'=log 1e4 b=-10", n: 8, m: 8, d: 16, p: siglip.Params{TPrime: big, Bias: -10}},
		{name: "t'=log 1e4 b=+1e4", n: 8, m: 8, d: 16, p: siglip.Params{TPrime: big, Bias: 1e4}},
		{name: "t'=log 1e4 b=-1e4", n: 8, m: 8, d: 16, p: siglip.Params{TPrime: big, Bias: -1e4}},
		{name: "t'=-3 b=+3", n: 8, m: 8, d: 16, p: siglip.Params{TPrime: -3, Bias: 3}},
		{name: "tiles: odd sizes", n: 131, m: 131, d: 37, p: def},
		{name: "tiles: labels n!=m", n: 150, m: 97, d: 33, p: siglip.Params{TPrime: 3, Bias: -5},
			imgLabels: modLabels(150, 97), txtLabels: modLabels(97, 97)},
	}
}

// modLabels returns labels i % k for i < n.
func modLabels(n, k int) []int64 {
	l := make([]int64, n)
	for i := range l {
		l[i] = int64(i % k)
	}
	return l
}

// input builds a case's embeddings and options.
func (c lossCase) input(kind siglip.LossKind) (img, txt siglip.Matrix, o siglip.LossOptions) {
	rng := rand.New(rand.NewPCG(uint64(c.n*1000+c.m), uint64(c.d)))
	img = randomEmbeddings(rng, c.n, c.d)
	txt = randomEmbeddings(rng, c.m, c.d)
	if c.prepare != nil {
		c.prepare(img, txt)
	}
	return img, txt, siglip.LossOptions{Kind: kind, ImageLabels: c.imgLabels, TextLabels: c.txtLabels}
}

// float32Tolerance returns the relative tolerance of a float32 computation whose
// logits reach maxLogit in magnitude: float32 rounds each logit by about
// 2^-24 of its size, and the gradients inherit that error (sigmoid' <= 1/4).
func float32Tolerance(maxLogit float64) float64 {
	return 1e-5 + 8*0x1p-24*maxLogit
}

func withinTol(got, want, scale, rtol float64) bool {
	return math.Abs(got-want) <= rtol*math.Max(scale, math.Abs(want))+1e-30
}

func TestLossMatchesReference(t *testing.T) {
	for _, c := range lossCases() {
		for _, kind := range []siglip.LossKind{siglip.Sigmoid, siglip.Softmax} {
			t.Run(kind.String()+"/"+c.name, func(t *testing.T) {
				img, txt, o := c.input(kind)
				ref := computeRefLoss(img, txt, c.p, o)
				loss, g, err := siglip.Loss(img, txt, c.p, o)
				if err != nil {
					t.Fatal(err)
				}
				rtol := float32Tolerance(ref.maxLogit)
				if !withinTol(loss, ref.loss, ref.lossScale, rtol) {
					t.Errorf("loss = %.10g, want %.10g (rtol %.2g)", loss, ref.loss, rtol)
				}
				if !withinTol(g.TPrime, ref.dtp, ref.dtpScale, rtol) {
					t.Errorf("dL/dt' = %.10g, want %.10g (scale %.3g, rtol %.2g)", g.TPrime, ref.dtp, ref.dtpScale, rtol)
				}
				if !withinTol(g.Bias, ref.db, ref.dbScale, rtol) {
					t.Errorf("dL/db = %.10g, want %.10g (scale %.3g, rtol %.2g)", g.Bias, ref.db, ref.dbScale, rtol)
				}
				if g.Image.Rows != c.n || g.Image.Cols != c.d || g.Text.Rows != c.m || g.Text.Cols != c.d {
					t.Fatalf("gradient shapes %dx%d, %dx%d; want %dx%d, %dx%d",
						g.Image.Rows, g.Image.Cols, g.Text.Rows, g.Text.Cols, c.n, c.d, c.m, c.d)
				}
				// |got - want| <= margin, with margin relative to the size of
				// the sums that make up each gradient row.
				if diff := cmp.Diff(ref.dimg, matrixRows(g.Image), cmpopts.EquateApprox(0, rtol*ref.dimgScale+1e-30)); diff != "" {
					t.Errorf("dL/dimg (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(ref.dtxt, matrixRows(g.Text), cmpopts.EquateApprox(0, rtol*ref.dtxtScale+1e-30)); diff != "" {
					t.Errorf("dL/dtxt (-want +got):\n%s", diff)
				}

				value, err := siglip.LossValue(img, txt, c.p, o)
				if err != nil {
					t.Fatal(err)
				}
				if !withinTol(value, loss, 0, 1e-6) {
					t.Errorf("LossValue = %.10g, Loss = %.10g", value, loss)
				}
			})
		}
	}
}

// TestThreadCountsAgree: the kernels reduce per-task results in a fixed
// order, so every thread count gives bit-identical results.
func TestThreadCountsAgree(t *testing.T) {
	for _, kind := range []siglip.LossKind{siglip.Sigmoid, siglip.Softmax} {
		for _, c := range []lossCase{
			{name: "diag", n: 200, m: 200, d: 40, p: siglip.DefaultParams()},
			{name: "labels", n: 150, m: 97, d: 33, p: siglip.Params{TPrime: 3, Bias: -5},
				imgLabels: modLabels(150, 97), txtLabels: modLabels(97, 97)},
		} {
			t.Run(kind.String()+"/"+c.name, func(t *testing.T) {
				img, txt, o := c.input(kind)
				type result struct {
					Loss, Value float64
					G           siglip.Gradients
				}
				var first result
				for threads := 1; threads <= 4; threads++ {
					o.Threads = threads
					var r result
					var err error
					if r.Loss, r.G, err = siglip.Loss(img, txt, c.p, o); err != nil {
						t.Fatal(err)
					}
					if r.Value, err = siglip.LossValue(img, txt, c.p, o); err != nil {
						t.Fatal(err)
					}
					if threads == 1 {
						first = r
						continue
					}
					if diff := cmp.Diff(first, r); diff != "" {
						t.Errorf("threads=%d differs from threads=1 (-1 +%d):\n%s", threads, threads, diff)
					}
				}
			})
		}
	}
}

func TestInvalidInput(t *testing.T) {
	good := func() (siglip.Matrix, siglip.Matrix) {
		rng := rand.New(rand.NewPCG(1, 2))
		return randomEmbeddings(rng, 4, 8), randomEmbeddings(rng, 4, 8)
	}
	def := siglip.DefaultParams()
	type in struct {
		img, txt siglip.Matrix
		p        siglip.Params
		o        siglip.LossOptions
	}
	tests := []struct {
		name string
		edit func(*in)
		want string
	}{
		{"image Data too short", func(x *in) { x.img.Data = x.img.Data[:31] }, "image embeddings: invalid input: 4 x 8 matrix needs 32 values, Data has 31"},
		{"text Data too long", func(x *in) { x.txt.Data = append(x.txt.Data, 0) }, "text embeddings: invalid input: 4 x 8 matrix needs 32 values, Data has 33"},
		{"empty image batch", func(x *in) { x.img = siglip.Matrix{Cols: 8} }, "image embeddings: invalid input: empty batch: 0 x 8"},
		{"empty text batch", func(x *in) { x.txt = siglip.Matrix{} }, "text embeddings: invalid input: empty batch"},
		{"zero width", func(x *in) { x.img = siglip.Matrix{Rows: 4}; x.txt = siglip.Matrix{Rows: 4} }, "empty batch: 4 x 0"},
		{"negative rows", func(x *in) { x.img.Rows = -4; x.img.Cols = -8 }, "negative size"},
		{"width mismatch", func(x *in) { x.txt = siglip.NewMatrix(4, 7) }, "embedding widths differ: images have 8 columns, texts 7"},
		{"NaN image", func(x *in) { x.img.Set(3, 7, float32(math.NaN())) }, "image embeddings: invalid input: NaN at row 3, col 7"},
		{"+Inf text", func(x *in) { x.txt.Set(0, 2, float32(math.Inf(1))) }, "text embeddings: invalid input: +Inf at row 0, col 2"},
		{"-Inf text", func(x *in) { x.txt.Set(2, 0, float32(math.Inf(-1))) }, "-Inf at row 2, col 0"},
		{"NaN t'", func(x *in) { x.p.TPrime = float32(math.NaN()) }, "t' is NaN"},
		{"Inf bias", func(x *in) { x.p.Bias = float32(math.Inf(-1)) }, "bias is -Inf"},
		{"t' overflows", func(x *in) { x.p.TPrime = 89 }, "t' = 89 is too large: t = exp(t') overflows float32"},
		{"n != m without labels", func(x *in) { x.txt = siglip.NewMatrix(5, 8) }, "4 images but 5 texts without labels"},
		{"image labels only", func(x *in) { x.o.ImageLabels = int64s(0, 1, 2, 3) }, "give both image and text labels or neither"},
		{"text labels only", func(x *in) { x.o.TextLabels = int64s(0, 1, 2, 3) }, "give both image and text labels or neither"},
		{"image labels length", func(x *in) { x.o.ImageLabels, x.o.TextLabels = int64s(0, 1, 2), int64s(0, 1, 2, 3) }, "3 image labels for 4 images"},
		{"text labels length", func(x *in) { x.o.ImageLabels, x.o.TextLabels = int64s(0, 1, 2, 3), []int64{} }, "0 text labels for 4 texts"},
		{"softmax image without positive", func(x *in) {
			x.o.Kind = siglip.Softmax
			x.o.ImageLabels, x.o.TextLabels = int64s(0, 1, 2, 9), int64s(0, 1, 2, 2)
		}, "softmax loss: image 3 (label 9) has no matching text"},
		{"softmax text without positive", func(x *in) {
			x.o.Kind = siglip.Softmax
			x.o.ImageLabels, x.o.TextLabels = int64s(0, 1, 2, 2), int64s(0, 1, 2, 8)
		}, "softmax loss: text 3 (label 8) has no matching image"},
		{"logits overflow float32", func(x *in) {
			for i := range x.img.Data {
				x.img.Data[i], x.txt.Data[i] = 1e19, 1e19
			}
		}, "float32 overflow, the logits reach up to"},
		{"softmax logits overflow float32", func(x *in) {
			x.o.Kind = siglip.Softmax
			for i := range x.img.Data {
				x.img.Data[i], x.txt.Data[i] = 1e19, -1e19
			}
		}, "softmax loss: the loss is"},
		{"negative threads", func(x *in) { x.o.Threads = -1 }, "threads = -1"},
		{"unknown kind", func(x *in) { x.o.Kind = 7 }, "unknown loss kind 7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, txt := good()
			x := in{img, txt, def, siglip.LossOptions{}}
			tc.edit(&x)
			_, _, err := siglip.Loss(x.img, x.txt, x.p, x.o)
			_, errValue := siglip.LossValue(x.img, x.txt, x.p, x.o)
			for name, err := range map[string]error{"Loss": err, "LossValue": errValue} {
				if err == nil {
					t.Errorf("%s succeeded, want an error containing %q", name, tc.want)
					continue
				}
				if !errors.Is(err, siglip.ErrInvalidInput) {
					t.Errorf("%s: error %q does not wrap ErrInvalidInput", name, err)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: error %q does not contain %q", name, err, tc.want)
				}
			}
		})
	}
	// The largest t' whose exp is finite in float32 is accepted.
	img, txt := good()
	if _, err := siglip.LossValue(img, txt, siglip.Params{TPrime: 88, Bias: 0}, siglip.LossOptions{}); err != nil {
		t.Errorf("t' = 88: %v", err)
	}
}

func TestLossKindText(t *testing.T) {
	for _, k := range []siglip.LossKind{siglip.Sigmoid, siglip.Softmax} {
		got, err := siglip.ParseLossKind(strings.ToUpper(k.String()))
		if err != nil || got != k {
			t.Errorf("ParseLossKind(%q) = %v, %v", strings.ToUpper(k.String()), got, err)
		}
		var u siglip.LossKind
		b, err := k.MarshalText()
		if err != nil || u.UnmarshalText(b) != nil || u != k {
			t.Errorf("text round trip of %v: %q, %v -> %v", k, b, err, u)
		}
	}
	if _, err := siglip.ParseLossKind("hinge"); !errors.Is(err, siglip.ErrInvalidInput) || !strings.Contains(err.Error(), `"hinge"`) {
		t.Errorf("ParseLossKind(hinge) error = %v", err)
	}
	if s := siglip.LossKind(5).String(); s != "LossKind(5)" {
		t.Errorf("LossKind(5).String() = %q", s)
	}
	var zero siglip.LossOptions
	if zero.Kind != siglip.Sigmoid {
		t.Error("the zero LossKind is not Sigmoid")
	}
	if p := siglip.DefaultParams(); p.Bias != -10 || math.Abs(float64(p.TPrime)-math.Log(10)) > 1e-6 {
		t.Errorf("DefaultParams() = %+v", p)
	}
}

// TestCgoPointerRules exercises every path that hands Go memory to C: data,
// labels and gradient buffers, sub-slices that start inside a larger
// allocation, concurrent calls on shared pools, with the garbage collector
// running. The default cgocheck=1 checks the pointers passed at each call;
// the build helper's scripts also run this test with GOEXPERIMENT=cgocheck2,
// which additionally traps any store of a Go pointer into C memory.
func TestCgoPointerRules(t *testing.T) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOEXPERIMENT" {
				t.Logf("GOEXPERIMENT=%s", s.Value)
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	// Embeddings that live inside larger slices (offset pointers), and
	// labels inside a struct that also holds Go pointers.
	backing := randomEmbeddings(rng, 40, 16)
	img := siglip.Matrix{Rows: 12, Cols: 16, Data: backing.Data[16*3 : 16*15]}
	txt := siglip.Matrix{Rows: 12, Cols: 16, Data: backing.Data[16*20 : 16*32]}
	type holder struct {
		name   *string
		labels []int64
	}
	name := "x"
	h := &holder{&name, make([]int64, 30)}
	lab := h.labels[5:17]
	for i := range lab {
		lab[i] = int64(i % 5)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for it := 0; it < 5; it++ {
				for _, kind := range []siglip.LossKind{siglip.Sigmoid, siglip.Softmax} {
					for _, o := range []siglip.LossOptions{
						{Kind: kind, Threads: 1 + w%2},
						{Kind: kind, Threads: 2, ImageLabels: lab, TextLabels: lab},
					} {
						if _, _, err := siglip.Loss(img, txt, siglip.DefaultParams(), o); err != nil {
							errs <- fmt.Errorf("Loss: %w", err)
							return
						}
						if _, err := siglip.LossValue(img, txt, siglip.DefaultParams(), o); err != nil {
							errs <- fmt.Errorf("LossValue: %w", err)
							return
						}
						runtime.GC()
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, err := siglip.SgemmBenchmark(1, 8, 8, 8, 1); err != nil {
		t.Errorf("SgemmBenchmark: %v", err)
	}
	if _, err := siglip.EffectiveThreads(0); err != nil {
		t.Errorf("EffectiveThreads(0): %v", err)
	}
	if siglip.BuildInfo() == "" {
		t.Error("BuildInfo() is empty")
	}
}

// TestConcurrentCallsAgree: calls that share a pool are serialised in C and
// give the same answer as a lone call.
func TestConcurrentCallsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	img, txt := randomEmbeddings(rng, 64, 24), randomEmbeddings(rng, 64, 24)
	o := siglip.LossOptions{Threads: 2}
	want, wantG, err := siglip.Loss(img, txt, siglip.DefaultParams(), o)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, g, err := siglip.Loss(img, txt, siglip.DefaultParams(), o)
			if err != nil {
				t.Error(err)
				return
			}
			if got != want || !cmp.Equal(g, wantG) {
				t.Errorf("concurrent Loss = %v, want %v", got, want)
			}
		}()
	}
	wg.Wait()
}

func TestMatrixHelpers(t *testing.T) {
	m := siglip.NewMatrix(2, 3)
	m.Set(1, 2, 5)
	if m.At(1, 2) != 5 || m.Data[5] != 5 {
		t.Errorf("Set/At: %v", m.Data)
	}
	r := m.Row(1)
	if len(r) != 3 || cap(r) != 3 || r[2] != 5 {
		t.Errorf("Row(1) = %v (cap %d)", r, cap(r))
	}
	if err := m.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if eff, err := siglip.EffectiveThreads(3); err != nil || eff != 3 {
		t.Errorf("EffectiveThreads(3) = %d, %v", eff, err)
	}
	if _, err := siglip.EffectiveThreads(-2); !errors.Is(err, siglip.ErrInvalidInput) {
		t.Errorf("EffectiveThreads(-2) error = %v", err)
	}
	if got := siglip.LossFLOPs(siglip.Sigmoid, 2, 3, 4, false); got != 6*2*3*4 {
		t.Errorf("LossFLOPs sigmoid = %v", got)
	}
	if got := siglip.LossFLOPs(siglip.Softmax, 2, 3, 4, false); got != 8*2*3*4 {
		t.Errorf("LossFLOPs softmax = %v", got)
	}
	if got := siglip.LossFLOPs(siglip.Softmax, 2, 3, 4, true); got != 2*2*3*4 {
		t.Errorf("LossFLOPs forward = %v", got)
	}
}
