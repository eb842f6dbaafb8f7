package hlo

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// reference computes a loss and its gradients directly from the formulas of
// design.md section 1, in float64 with the n x m logits in memory.
func reference(kind Kind, in evalInputs) (loss float64, dImg, dTxt []float64, dt, db float64) {
	n, m, d := in.n, in.m, in.d
	t := math.Exp(float64(in.tPrime))
	dot := make([]float64, n*m)
	pos := make([]bool, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			s := 0.0
			for c := 0; c < d; c++ {
				s += float64(in.img[i*d+c]) * float64(in.txt[j*d+c])
			}
			dot[i*m+j] = s
			if in.imgLabels != nil {
				pos[i*m+j] = in.imgLabels[i] == in.txtLabels[j]
			} else {
				pos[i*m+j] = i == j
			}
		}
	}
	G := make([]float64, n*m)
	switch kind {
	case Sigmoid:
		b := float64(in.bias)
		for k := range G {
			l := t*dot[k] + b
			u, y := l, 0.0
			if pos[k] {
				u, y = -l, 1
			}
			loss += math.Max(u, 0) + math.Log1p(math.Exp(-math.Abs(u)))
			G[k] = (1/(1+math.Exp(-l)) - y) / float64(n)
			db += G[k]
			dt += G[k] * (l - b)
		}
		loss /= float64(n)
	case Softmax:
		rowLSE, rowCnt := make([]float64, n), make([]float64, n)
		colLSE, colCnt := make([]float64, m), make([]float64, m)
		for i := 0; i < n; i++ {
			mx := math.Inf(-1)
			for j := 0; j < m; j++ {
				mx = math.Max(mx, t*dot[i*m+j])
			}
			s := 0.0
			for j := 0; j < m; j++ {
				s += math.Exp(t*dot[i*m+j] - mx)
				if pos[i*m+j] {
					rowCnt[i]++
				}
			}
			rowLSE[i] = mx + math.Log(s)
		}
		for j := 0; j < m; j++ {
			mx := math.Inf(-1)
			for i := 0; i < n; i++ {
				mx = math.Max(mx, t*dot[i*m+j])
			}
			s := 0.0
			for i := 0; i < n; i++ {
				s += math.Exp(t*dot[i*m+j] - mx)
				if pos[i*m+j] {
					colCnt[j]++
				}
			}
			colLSE[j] = mx + math.Log(s)
		}
		var rowPart, colPart float64
		for i := 0; i < n; i++ {
			rowPart += rowLSE[i]
		}
		for j := 0; j < m; j++ {
			colPart += colLSE[j]
		}
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				k := i*m + j
				l := t * dot[k]
				var q, p float64
				if pos[k] {
					q, p = 1/rowCnt[i], 1/colCnt[j]
				}
				rowPart -= q * l
				colPart -= p * l
				G[k] = 0.5 * ((math.Exp(l-rowLSE[i])-q)/float64(n) + (math.Exp(l-colLSE[j])-p)/float64(m))
				dt += G[k] * l
			}
		}
		loss = 0.5 * (rowPart/float64(n) + colPart/float64(m))
	}
	dImg, dTxt = make([]float64, n*d), make([]float64, m*d)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			g := t * G[i*m+j]
			for c := 0; c < d; c++ {
				dImg[i*d+c] += g * float64(in.txt[j*d+c])
				dTxt[j*d+c] += g * float64(in.img[i*d+c])
			}
		}
	}
	return loss, dImg, dTxt, dt, db
}

// problem makes unit-norm random embeddings; labels (in [0, classes)) when
// classes > 0, chosen so that every image and text has a positive.
func problem(seed uint64, n, m, d, classes int, tPrime, bias float32) evalInputs {
	r := rand.New(rand.NewPCG(seed, 7))
	unit := func(rows int) []float32 {
		x := make([]float32, rows*d)
		for i := 0; i < rows; i++ {
			s := 0.0
			for c := 0; c < d; c++ {
				v := r.NormFloat64()
				x[i*d+c] = float32(v)
				s += v * v
			}
			for c := 0; c < d; c++ {
				x[i*d+c] = float32(float64(x[i*d+c]) / math.Sqrt(s))
			}
		}
		return x
	}
	in := evalInputs{n: n, m: m, d: d, img: unit(n), txt: unit(m), tPrime: tPrime, bias: bias}
	if classes > 0 {
		in.imgLabels, in.txtLabels = make([]int64, n), make([]int64, m)
		for i := range in.imgLabels {
			in.imgLabels[i] = int64(i % classes)
		}
		for j := range in.txtLabels {
			in.txtLabels[j] = int64((j * 7) % classes)
		}
	}
	return in
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// close reports whether got is within rel of want, relative to scale.
func closeTo(got, want, scale, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(scale, 1e-30)
}

func checkAgainstReference(t *testing.T, spec Spec, in evalInputs) *evalResult {
	t.Helper()
	got, err := evaluate(spec, in)
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	loss, dImg, dTxt, dt, db := reference(spec.Kind, in)
	const rel = 1e-5
	scalarScale := math.Max(math.Abs(loss), 1e-3)
	if !closeTo(got.loss, loss, math.Abs(loss), rel) {
		t.Errorf("loss = %.9g, reference %.9g", got.loss, loss)
	}
	if !closeTo(got.dTPrime, dt, math.Max(math.Abs(dt), scalarScale*1e-2), rel) {
		t.Errorf("dL/dt' = %.9g, reference %.9g", got.dTPrime, dt)
	}
	if !closeTo(got.dBias, db, math.Max(math.Abs(db), scalarScale*1e-2), rel) {
		t.Errorf("dL/db = %.9g, reference %.9g", got.dBias, db)
	}
	for _, c := range []struct {
		name      string
		got, want []float64
	}{{"dImg", got.dImg, dImg}, {"dTxt", got.dTxt, dTxt}} {
		if len(c.got) != len(c.want) {
			t.Fatalf("%s has %d values, want %d", c.name, len(c.got), len(c.want))
		}
		scale := maxAbs(c.want)
		for i := range c.want {
			if !closeTo(c.got[i], c.want[i], scale, rel) {
				t.Errorf("%s[%d] = %.9g, reference %.9g (scale %.3g)", c.name, i, c.got[i], c.want[i], scale)
				break
			}
		}
	}
	return got
}

// TestProgramsMatchReference evaluates the programs eagerly (one device and
// rings of 2-4 simulated devices, one block and several with a padded last
// block) and compares them with the float64 formulas at relative 1e-5.
func TestProgramsMatchReference(t *testing.T) {
	type tc struct {
		n, m, d, classes int
		shards, block    int
	}
	cases := []tc{
		{8, 8, 5, 0, 1, 0},   // diagonal, one block
		{8, 8, 5, 0, 1, 3},   // three blocks: 3+3+2(+1 padded)
		{8, 8, 5, 0, 2, 0},   // ring of 2
		{8, 8, 5, 0, 4, 0},   // ring of 4, 2 x 2 per device
		{12, 12, 4, 0, 2, 4}, // ring of 2, 6 texts per device in blocks 4+2(+2 padded)
		{6, 9, 5, 3, 1, 4},   // labels, n != m, blocks 4+4+1(+3 padded)
		{6, 9, 5, 3, 3, 2},   // labels on a ring of 3: 2 x 3 per device, blocks 2+1(+1)
		{1, 1, 3, 0, 1, 0},   // a single pair
	}
	params := []struct{ tPrime, bias float32 }{
		{float32(math.Log(10)), -10}, // the paper's initial values
		{0.5, 1.5},                   // logits of both signs
	}
	for _, kind := range []Kind{Sigmoid, Softmax} {
		for ci, c := range cases {
			for pi, p := range params {
				name := fmt.Sprintf("%s/n%d_m%d_d%d_c%d_k%d_b%d/p%d", kind, c.n, c.m, c.d, c.classes, c.shards, c.block, pi)
				t.Run(name, func(t *testing.T) {
					in := problem(uint64(ci*10+pi), c.n, c.m, c.d, c.classes, p.tPrime, p.bias)
					spec := Spec{Kind: kind, N: c.n, M: c.m, D: c.d, Labels: c.classes > 0, Shards: c.shards, Block: c.block}
					checkAgainstReference(t, spec, in)
				})
			}
		}
	}
}

func TestFloat32Scalars(t *testing.T) {
	for _, kind := range []Kind{Sigmoid, Softmax} {
		in := problem(3, 8, 8, 4, 0, 0.5, -1)
		checkAgainstReference(t, Spec{Kind: kind, N: 8, M: 8, D: 4, Shards: 2, Block: 3, Float32Scalars: true}, in)
	}
}

// TestRingTraffic counts the collectives and GEMMs of the ring programs: the
// texts (and labels) take K-1 hops, their gradient K (the last one home),
// one all-reduce of the scalars.
func TestRingTraffic(t *testing.T) {
	for _, c := range []struct {
		kind                   Kind
		classes, k, block      int
		permutes, dots, allRed int
	}{
		{Sigmoid, 0, 4, 0, 3 + 4, 4 * 3, 1},                     // txt x3, dY x4; one block per step
		{Sigmoid, 2, 4, 0, 3 + 3 + 4, 4 * 3, 1},                 // + labels x3
		{Sigmoid, 0, 2, 2, 1 + 2, 2 * 2 * 3, 1},                 // two blocks per step
		{Softmax, 0, 2, 0, (1 + 1 + 1) + (1 + 1 + 2), 2 * 4, 1}, // pass 1: txt, stats, stats home; pass 2: txt, info, dY x2
		{Sigmoid, 0, 1, 0, 0, 3, 0},
	} {
		in := problem(1, 8, 8, 3, c.classes, 0.5, -1)
		got, err := evaluate(Spec{Kind: c.kind, N: 8, M: 8, D: 3, Labels: c.classes > 0, Shards: c.k, Block: c.block}, in)
		if err != nil {
			t.Fatal(err)
		}
		if got.ops["permute"] != c.permutes || got.ops["dot"] != c.dots || got.ops["allreduce"] != c.allRed {
			t.Errorf("%s labels=%v K=%d block=%d: %d permutes, %d dots, %d all-reduces; want %d, %d, %d",
				c.kind, c.classes > 0, c.k, c.block, got.ops["permute"], got.ops["dot"], got.ops["allreduce"],
				c.permutes, c.dots, c.allRed)
		}
	}
}

func TestSpecErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		spec Spec
	}{
		{"empty", Spec{N: 0, M: 4, D: 3}},
		{"no width", Spec{N: 4, M: 4, D: 0}},
		{"n != m without labels", Spec{N: 4, M: 5, D: 3}},
		{"shards do not divide", Spec{N: 6, M: 6, D: 3, Shards: 4}},
		{"shards do not divide m", Spec{N: 4, M: 6, D: 3, Labels: true, Shards: 4}},
		{"negative shards", Spec{N: 4, M: 4, D: 3, Shards: -1}},
		{"negative block", Spec{N: 4, M: 4, D: 3, Block: -2}},
		{"bad kind", Spec{Kind: 7, N: 4, M: 4, D: 3}},
	} {
		if _, err := Build(c.spec); !errors.Is(err, ErrSpec) {
			t.Errorf("%s: Build(%+v) error = %v, want ErrSpec", c.name, c.spec, err)
		}
	}
}

func TestAutoBlock(t *testing.T) {
	for _, c := range []struct{ n, m, maxElems, want int }{
		{8, 8, 1 << 24, 8},               // all texts in one block
		{1 << 15, 1 << 15, 1 << 24, 512}, // 32k x 512 elements per block
		{1 << 20, 1000, 1 << 24, 128},    // at least 128 texts per block: 1000 = 8 blocks of 125 -> 128
		{100, 1000, 1000, 128},           // 10 per block would be too few
		{1000, 1000, 300000, 256},        // 300 -> 4 blocks of 250 -> 256
		{10, 100, 1 << 24, 100},
	} {
		if got := AutoBlock(c.n, c.m, c.maxElems); got != c.want {
			t.Errorf("AutoBlock(%d, %d, %d) = %d, want %d", c.n, c.m, c.maxElems, got, c.want)
		}
	}
}
