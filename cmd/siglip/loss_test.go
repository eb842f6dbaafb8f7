package main

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/siglip-go/siglip/npy"
)

// refLoss is the loss and its gradients in plain float64 (design.md section
// 1, siglip.h), for checking the command's output.
func refLoss(softmax bool, x, y [][]float64, tPrime, b float64, il, tl []int64) (loss, dtp, db float64, dx, dy [][]float64) {
	n, m, d := len(x), len(y), len(x[0])
	t := math.Exp(tPrime)
	if softmax {
		b = 0
	}
	pos := func(i, j int) bool {
		if il != nil {
			return il[i] == tl[j]
		}
		return i == j
	}
	l := make([][]float64, n)
	G := make([][]float64, n)
	for i := range n {
		l[i], G[i] = make([]float64, m), make([]float64, m)
		for j := range m {
			var s float64
			for k := range d {
				s += x[i][k] * y[j][k]
			}
			l[i][j] = t*s + b
		}
	}
	if !softmax {
		for i := range n {
			for j := range m {
				z := -1.0
				if pos(i, j) {
					z = 1
				}
				u := -z * l[i][j]
				loss += (math.Max(u, 0) + math.Log1p(math.Exp(-math.Abs(u)))) / float64(n)
				G[i][j] = (1/(1+math.Exp(-l[i][j])) - (z+1)/2) / float64(n)
			}
		}
	} else {
		// One direction of the softmax loss: rows of l (at(i, j)) or columns.
		side := func(rows, cols int, at func(r, c int) float64, p func(r, c int) bool, add func(r, c int, g float64)) {
			for r := range rows {
				mx := math.Inf(-1)
				for c := range cols {
					mx = math.Max(mx, at(r, c))
				}
				var s, sp, cnt float64
				for c := range cols {
					s += math.Exp(at(r, c) - mx)
					if p(r, c) {
						sp += at(r, c)
						cnt++
					}
				}
				lse := mx + math.Log(s)
				loss += 0.5 / float64(rows) * (lse - sp/cnt)
				for c := range cols {
					g := math.Exp(at(r, c) - lse)
					if p(r, c) {
						g -= 1 / cnt
					}
					add(r, c, 0.5/float64(rows)*g)
				}
			}
		}
		side(n, m, func(i, j int) float64 { return l[i][j] }, pos, func(i, j int, g float64) { G[i][j] += g })
		side(m, n, func(j, i int) float64 { return l[i][j] }, func(j, i int) bool { return pos(i, j) },
			func(j, i int, g float64) { G[i][j] += g })
	}
	dx, dy = make([][]float64, n), make([][]float64, m)
	for i := range dx {
		dx[i] = make([]float64, d)
	}
	for j := range dy {
		dy[j] = make([]float64, d)
	}
	for i := range n {
		for j := range m {
			if !softmax {
				db += G[i][j]
			}
			dtp += G[i][j] * (l[i][j] - b)
			for k := range d {
				dx[i][k] += t * G[i][j] * y[j][k]
				dy[j][k] += t * G[i][j] * x[i][k]
			}
		}
	}
	return loss, dtp, db, dx, dy
}

// randomRows returns rows x cols random unit-norm rows as float32 data
// and as float64 rows holding the same values.
func randomRows(rng *rand.Rand, rows, cols int) ([]float32, [][]float64) {
	data := make([]float32, rows*cols)
	out := make([][]float64, rows)
	for i := range rows {
		var s float64
		r := data[i*cols : (i+1)*cols]
		for k := range r {
			v := rng.NormFloat64()
			r[k] = float32(v)
			s += v * v
		}
		out[i] = make([]float64, cols)
		for k := range r {
			r[k] = float32(float64(r[k]) / math.Sqrt(s))
			out[i][k] = float64(r[k])
		}
	}
	return data, out
}

func writeNpy(t *testing.T, path string, a *npy.Array) {
	t.Helper()
	if err := npy.Write(path, a); err != nil {
		t.Fatal(err)
	}
}

func readNpy(t *testing.T, path string) *npy.Array {
	t.Helper()
	a, err := npy.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func as2D(a *npy.Array) [][]float64 {
	d := a.Data.([]float32)
	out := make([][]float64, a.Shape[0])
	for i := range out {
		out[i] = make([]float64, a.Shape[1])
		for k := range out[i] {
			out[i][k] = float64(d[i*a.Shape[1]+k])
		}
	}
	return out
}

func TestLossCommand(t *testing.T) {
	tests := []struct {
		name        string
		n, m, d     int
		kind        string
		tPrime, b   float64
		flags       []string
		il, tl      []int64
		nestedOut   bool
		existingOut bool
	}{
		{name: "defaults", n: 6, m: 6, d: 8, tPrime: math.Log(10), b: -10},
		{name: "sigmoid flags", n: 5, m: 5, d: 7, kind: "sigmoid", tPrime: 2, b: -3, flags: []string{"--t-prime", "2", "--bias", "-3", "--threads", "2"}},
		{name: "labels n!=m", n: 4, m: 7, d: 5, tPrime: math.Log(10), b: -10, il: []int64{0, 1, 2, 3}, tl: []int64{3, 2, 1, 0, 0, 1, 2}, nestedOut: true},
		{name: "softmax", n: 6, m: 6, d: 8, kind: "softmax", tPrime: math.Log(10), b: -10, existingOut: true},
		{name: "softmax labels", n: 4, m: 6, d: 8, kind: "softmax", tPrime: 1.5, b: 0, flags: []string{"--t-prime", "1.5"},
			il: []int64{7, 8, 9, 7}, tl: []int64{9, 9, 8, 7, 8, 7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
			if tc.nestedOut {
				out = filepath.Join(dir, "out", "a", "b")
			}
			if tc.existingOut {
				os.Mkdir(out, 0o755)
			}
			os.Mkdir(in, 0o755)
			rng := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.m)))
			xd, x := randomRows(rng, tc.n, tc.d)
			yd, y := randomRows(rng, tc.m, tc.d)
			writeNpy(t, filepath.Join(in, "img.npy"), npy.New(xd, tc.n, tc.d))
			writeNpy(t, filepath.Join(in, "txt.npy"), npy.New(yd, tc.m, tc.d))
			if tc.il != nil {
				writeNpy(t, filepath.Join(in, "img_labels.npy"), npy.New(tc.il, len(tc.il)))
				writeNpy(t, filepath.Join(in, "txt_labels.npy"), npy.New(tc.tl, len(tc.tl)))
			}
			args := append([]string{"loss", "--in", in, "--out", out}, tc.flags...)
			if tc.kind != "" {
				args = append(args, "--kind", tc.kind)
			}
			r := siglipRun(t, args...)
			if r.code != 0 {
				t.Fatalf("siglip %v: exit %d: %s", args, r.code, r.stderr)
			}
			if r.stderr != "" {
				t.Errorf("stderr %q, want none", r.stderr)
			}

			// t' and b reach the kernel as float32.
			tp, b := float64(float32(tc.tPrime)), float64(float32(tc.b))
			loss, dtp, db, dx, dy := refLoss(tc.kind == "softmax", x, y, tp, b, tc.il, tc.tl)
			approx := cmpopts.EquateApprox(1e-5, 1e-6)
			scalar := func(name string, want float64) {
				a := readNpy(t, filepath.Join(out, name))
				if a.DType() != npy.Float64 || len(a.Shape) != 0 {
					t.Errorf("%s: dtype %s shape %v, want a float64 scalar", name, a.DType(), a.Shape)
					return
				}
				if got := a.Data.([]float64)[0]; !cmp.Equal(got, want, approx) {
					t.Errorf("%s = %.9g, want %.9g", name, got, want)
				}
			}
			scalar("loss.npy", loss)
			scalar("dtprime.npy", dtp)
			scalar("dbias.npy", db)
			for _, g := range []struct {
				name string
				rows int
				want [][]float64
			}{{"dimg.npy", tc.n, dx}, {"dtxt.npy", tc.m, dy}} {
				a := readNpy(t, filepath.Join(out, g.name))
				if a.DType() != npy.Float32 || !cmp.Equal(a.Shape, []int{g.rows, tc.d}) {
					t.Errorf("%s: dtype %s shape %v, want float32 (%d, %d)", g.name, a.DType(), a.Shape, g.rows, tc.d)
					continue
				}
				if diff := cmp.Diff(g.want, as2D(a), approx); diff != "" {
					t.Errorf("%s (-want +got):\n%s", g.name, diff)
				}
			}
			entries, _ := os.ReadDir(out)
			if len(entries) != 5 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("OUT holds %v, want the 5 output files", names)
			}
		})
	}
}

func TestLossCommandBadInput(t *testing.T) {
	const n, d = 4, 6
	rng := rand.New(rand.NewPCG(9, 9))
	x, _ := randomRows(rng, n, d)
	y, _ := randomRows(rng, n, d)
	nan := append([]float32(nil), y...)
	nan[2*d+5] = float32(math.NaN())
	inf := append([]float32(nil), x...)
	inf[d] = float32(math.Inf(-1))
	y5, _ := randomRows(rng, 5, d)
	x64 := make([]float64, len(x))
	for i, v := range x {
		x64[i] = float64(v)
	}
	good := func() map[string]*npy.Array {
		return map[string]*npy.Array{"img.npy": npy.New(x, n, d), "txt.npy": npy.New(y, n, d)}
	}
	with := func(edit func(map[string]*npy.Array)) map[string]*npy.Array {
		files := good()
		edit(files)
		return files
	}
	tests := []struct {
		name  string
		files map[string]*npy.Array
		raw   map[string][]byte // files written as given
		flags []string
		want  []string // all in the one error line
	}{
		{name: "wrong dtype", files: with(func(f map[string]*npy.Array) { f["img.npy"] = npy.New(x64, n, d) }),
			want: []string{"img.npy", "dtype <f8 (float64), want <f4 (float32)"}},
		{name: "wrong shape", files: with(func(f map[string]*npy.Array) { f["txt.npy"] = npy.New(y, n*d) }),
			want: []string{"txt.npy", "1-d array", "want a 2-d"}},
		{name: "NaN", files: with(func(f map[string]*npy.Array) { f["txt.npy"] = npy.New(nan, n, d) }),
			want: []string{"txt.npy", "NaN at row 2, col 5"}},
		{name: "-Inf", files: with(func(f map[string]*npy.Array) { f["img.npy"] = npy.New(inf, n, d) }),
			want: []string{"img.npy", "-Inf at row 1, col 0"}},
		{name: "missing file", files: with(func(f map[string]*npy.Array) { delete(f, "txt.npy") }),
			want: []string{"txt.npy", "no such file"}},
		{name: "n != m without labels", files: with(func(f map[string]*npy.Array) { f["txt.npy"] = npy.New(y5, 5, d) }),
			want: []string{"4 images", "5 texts", "labels"}},
		{name: "empty batch", files: with(func(f map[string]*npy.Array) {
			f["img.npy"] = npy.New([]float32{}, 0, d)
			f["txt.npy"] = npy.New([]float32{}, 0, d)
		}), want: []string{"img.npy", "empty batch"}},
		{name: "width mismatch", files: with(func(f map[string]*npy.Array) { f["txt.npy"] = npy.New(y[:n*(d-1)], n, d-1) }),
			want: []string{"img.npy", "txt.npy", "d = 6", "d = 5"}},
		{name: "one label file", files: with(func(f map[string]*npy.Array) { f["img_labels.npy"] = npy.New([]int64{0, 1, 2, 3}, n) }),
			want: []string{"img_labels.npy", "txt_labels.npy", "both"}},
		{name: "labels dtype", files: with(func(f map[string]*npy.Array) {
			f["img_labels.npy"] = npy.New([]float32{0, 1, 2, 3}, n)
			f["txt_labels.npy"] = npy.New([]int64{0, 1, 2, 3}, n)
		}), want: []string{"img_labels.npy", "want <i8 (int64)"}},
		{name: "labels length", files: with(func(f map[string]*npy.Array) {
			f["img_labels.npy"] = npy.New([]int64{0, 1, 2, 3}, n)
			f["txt_labels.npy"] = npy.New([]int64{0, 1, 2}, 3)
		}), want: []string{"txt_labels.npy", "3 labels for 4 texts"}},
		{name: "softmax text without image", files: with(func(f map[string]*npy.Array) {
			f["img_labels.npy"] = npy.New([]int64{0, 1, 2, 3}, n)
			f["txt_labels.npy"] = npy.New([]int64{0, 1, 2, 4}, n)
		}), flags: []string{"--kind", "softmax"}, want: []string{"no matching text"}},
		{name: "truncated file", files: good(), raw: map[string][]byte{"img.npy": []byte("\x93NUMPY\x01\x00\x76\x00{'descr'")},
			want: []string{"img.npy", "truncated"}},
		{name: "bad flag", files: good(), flags: []string{"--bogus"}, want: []string{"unknown flag: --bogus"}},
		{name: "bad kind", files: good(), flags: []string{"--kind", "hinge"}, want: []string{"--kind", `"hinge"`}},
		{name: "bad float", files: good(), flags: []string{"--bias", "abc"}, want: []string{"--bias", `"abc"`}},
		{name: "NaN t'", files: good(), flags: []string{"--t-prime", "NaN"}, want: []string{"t' is NaN"}},
		{name: "t' overflows", files: good(), flags: []string{"--t-prime", "100"}, want: []string{"too large"}},
		{name: "negative threads", files: good(), flags: []string{"--threads", "-2"}, want: []string{"--threads -2"}},
		{name: "bad backend", files: good(), flags: []string{"--backend", "cuda"}, want: []string{"--backend", `"cuda"`}},
		{name: "plugin without xla", files: good(), flags: []string{"--pjrt-plugin", "/x.so"}, want: []string{"--pjrt-plugin needs --backend xla"}},
		{name: "xla without a plugin", files: good(), flags: []string{"--backend", "xla", "--pjrt-plugin", "/nonexistent/pjrt_c_api_cpu_plugin.so"},
			want: []string{"no PJRT plugin", "/nonexistent/pjrt_c_api_cpu_plugin.so", "gopjrt_installer"}},
		{name: "xla distributed", files: good(), flags: []string{"--backend", "xla", "--distributed"}, want: []string{"--backend xla"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
			os.Mkdir(in, 0o755)
			for name, a := range tc.files {
				writeNpy(t, filepath.Join(in, name), a)
			}
			for name, b := range tc.raw {
				os.WriteFile(filepath.Join(in, name), b, 0o644)
			}
			r := siglipRun(t, append([]string{"loss", "--in", in, "--out", out}, tc.flags...)...)
			checkOneErrorLine(t, r, tc.want...)
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				entries, _ := os.ReadDir(out)
				t.Errorf("OUT exists after a failed run (err %v), holding %d entries", err, len(entries))
			}
		})
	}

	t.Run("required flags", func(t *testing.T) {
		checkOneErrorLine(t, siglipRun(t, "loss", "--out", t.TempDir()), `required flag(s) "in" not set`)
	})
	t.Run("existing OUT stays empty", func(t *testing.T) {
		dir := t.TempDir()
		in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
		os.Mkdir(in, 0o755)
		os.Mkdir(out, 0o755)
		writeNpy(t, filepath.Join(in, "img.npy"), npy.New(x, n, d))
		writeNpy(t, filepath.Join(in, "txt.npy"), npy.New(nan, n, d))
		checkOneErrorLine(t, siglipRun(t, "loss", "--in", in, "--out", out), "NaN")
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("OUT holds %d entries after a failed run", len(entries))
		}
	})
	t.Run("OUT is a file", func(t *testing.T) {
		dir := t.TempDir()
		in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
		os.Mkdir(in, 0o755)
		os.WriteFile(out, []byte("x"), 0o644)
		writeNpy(t, filepath.Join(in, "img.npy"), npy.New(x, n, d))
		writeNpy(t, filepath.Join(in, "txt.npy"), npy.New(y, n, d))
		checkOneErrorLine(t, siglipRun(t, "loss", "--in", in, "--out", out), "not a directory")
	})
}
