package xla

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siglip-go/siglip"
	"github.com/siglip-go/siglip/xla/hlo"
)

var flagPlugin = flag.String("pjrt-plugin", "",
	"PJRT plugin for the execution tests (a .so path or a name); default: "+EnvPluginPath+" or gopjrt's directories")

// embeddings returns n unit-norm random rows of width d.
func embeddings(r *rand.Rand, n, d int) siglip.Matrix {
	m := siglip.NewMatrix(n, d)
	for i := 0; i < n; i++ {
		row := m.Row(i)
		s := 0.0
		for c := range row {
			v := r.NormFloat64()
			row[c] = float32(v)
			s += v * v
		}
		for c := range row {
			row[c] = float32(float64(row[c]) / math.Sqrt(s))
		}
	}
	return m
}

// --- tests that need no plugin ---

func TestNoPluginInEnv(t *testing.T) {
	t.Setenv(EnvPluginPath, t.TempDir()) // an empty directory
	_, err := FindPlugin("")
	if !errors.Is(err, ErrNoPlugin) {
		t.Fatalf("FindPlugin with an empty %s: %v, want ErrNoPlugin", EnvPluginPath, err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	img, txt := embeddings(r, 4, 3), embeddings(r, 4, 3)
	_, _, err = Loss(Options{}, img, txt, siglip.DefaultParams(), siglip.LossOptions{})
	if !errors.Is(err, ErrNoPlugin) {
		t.Fatalf("Loss without a plugin: %v, want ErrNoPlugin", err)
	}
	// The message says how to install one.
	for _, want := range []string{"gopjrt_installer", "jax[cuda12]", "xla_cuda_plugin.so", EnvPluginPath} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not mention %q", err, want)
		}
	}
}

func TestExplicitPluginMissing(t *testing.T) {
	for _, p := range []string{"/nonexistent/pjrt_c_api_cpu_plugin.so", "no_such_plugin.so", t.TempDir()} {
		_, err := Open(Options{PluginPath: p})
		if !errors.Is(err, ErrNoPlugin) || !strings.Contains(err.Error(), "gopjrt_installer") {
			t.Errorf("Open(%q): %v, want ErrNoPlugin with an install hint", p, err)
		}
	}
}

func TestFindPluginSearchesEnvDirs(t *testing.T) {
	empty, dir := t.TempDir(), t.TempDir()
	jax := filepath.Join(dir, "xla_cuda_plugin.so") // JAX's name for its CUDA plugin
	if err := os.WriteFile(jax, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvPluginPath, empty+"::"+dir)
	got, err := FindPlugin("")
	if err != nil || got != jax {
		t.Fatalf("FindPlugin = %q, %v; want %q", got, err, jax)
	}
	gopjrtName := filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")
	if err := os.WriteFile(gopjrtName, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := FindPlugin(""); got != gopjrtName {
		t.Errorf("FindPlugin = %q, want gopjrt's name %q first", got, gopjrtName)
	}
	// A file entry is taken as it is; an explicit directory is searched.
	t.Setenv(EnvPluginPath, jax)
	if got, _ := FindPlugin(""); got != jax {
		t.Errorf("FindPlugin with a file entry = %q, want %q", got, jax)
	}
	if got, _ := FindPlugin(dir); got != gopjrtName {
		t.Errorf("FindPlugin(dir) = %q, want %q", got, gopjrtName)
	}
	// An empty file is not a plugin: loading it fails, but not with
	// ErrNoPlugin (the plugin exists and is broken).
	_, err = Open(Options{PluginPath: jax})
	if err == nil || errors.Is(err, ErrNoPlugin) || !strings.Contains(err.Error(), jax) {
		t.Errorf("Open(empty file): %v, want a load error naming the file", err)
	}
}

// TestInvalidInput checks the input errors, which come before any plugin is
// looked for.
func TestInvalidInput(t *testing.T) {
	t.Setenv(EnvPluginPath, t.TempDir())
	r := rand.New(rand.NewPCG(3, 4))
	img4, txt4, txt5 := embeddings(r, 4, 3), embeddings(r, 4, 3), embeddings(r, 5, 3)
	wide := embeddings(r, 4, 2)
	nan := embeddings(r, 4, 3)
	nan.Data[5] = float32(math.NaN())
	short := siglip.Matrix{Rows: 4, Cols: 3, Data: make([]float32, 11)}
	def := siglip.DefaultParams()
	cases := []struct {
		name     string
		opts     Options
		img, txt siglip.Matrix
		p        siglip.Params
		o        siglip.LossOptions
	}{
		{"n != m without labels", Options{}, img4, txt5, def, siglip.LossOptions{}},
		{"widths differ", Options{}, img4, wide, def, siglip.LossOptions{}},
		{"NaN", Options{}, img4, nan, def, siglip.LossOptions{}},
		{"short data", Options{}, short, txt4, def, siglip.LossOptions{}},
		{"empty", Options{}, siglip.Matrix{}, txt4, def, siglip.LossOptions{}},
		{"one label list", Options{}, img4, txt4, def, siglip.LossOptions{ImageLabels: []int64{0, 1, 2, 3}}},
		{"label count", Options{}, img4, txt5, def, siglip.LossOptions{ImageLabels: []int64{0, 1, 2}, TextLabels: []int64{0, 1, 2, 3, 4}}},
		{"softmax row without a positive", Options{}, img4, txt4, def,
			siglip.LossOptions{Kind: siglip.Softmax, ImageLabels: []int64{0, 1, 2, 9}, TextLabels: []int64{0, 1, 2, 2}}},
		{"bad kind", Options{}, img4, txt4, def, siglip.LossOptions{Kind: 5}},
		{"infinite t'", Options{}, img4, txt4, siglip.Params{TPrime: float32(math.Inf(1))}, siglip.LossOptions{}},
		{"shards do not divide", Options{Shards: 3}, img4, txt4, def, siglip.LossOptions{}},
		{"negative shards", Options{Shards: -1}, img4, txt4, def, siglip.LossOptions{}},
		{"negative block", Options{BlockSize: -1}, img4, txt4, def, siglip.LossOptions{}},
	}
	for _, c := range cases {
		_, _, err := Loss(c.opts, c.img, c.txt, c.p, c.o)
		if !errors.Is(err, siglip.ErrInvalidInput) {
			t.Errorf("%s: %v, want ErrInvalidInput", c.name, err)
		}
	}
}

// --- execution tests: they need a plugin ---

// openForTest opens the plugin of -pjrt-plugin / PJRT_PLUGIN_LIBRARY_PATH or
// skips the test saying how to get one.
func openForTest(t *testing.T, opts Options) *Backend {
	t.Helper()
	opts.PluginPath = *flagPlugin
	b, err := Open(opts)
	if errors.Is(err, ErrNoPlugin) {
		t.Skipf("skipping: no PJRT plugin to run the XLA programs on (set %s or pass -pjrt-plugin PATH; %v)",
			EnvPluginPath, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	t.Logf("running on %s", b)
	return b
}

// compareWithCPP runs siglip.Loss (the C++ kernels) and the backend on the
// same input and compares them at relative 1e-5.
func compareWithCPP(t *testing.T, b *Backend, img, txt siglip.Matrix, p siglip.Params, o siglip.LossOptions) {
	t.Helper()
	wantLoss, want, err := siglip.Loss(img, txt, p, o)
	if err != nil {
		t.Fatalf("siglip.Loss (C++): %v", err)
	}
	gotLoss, got, err := b.Loss(img, txt, p, o)
	if err != nil {
		t.Fatalf("xla Loss: %v", err)
	}
	compareLosses(t, gotLoss, got, wantLoss, want)
}

// compareLosses compares a loss and its gradients with the C++ ones at
// relative 1e-5 (gradient matrices relative to their largest element).
func compareLosses(t *testing.T, gotLoss float64, got siglip.Gradients, wantLoss float64, want siglip.Gradients) {
	t.Helper()
	const rel = 1e-5
	scalar := func(name string, got, want, floor float64) {
		if math.Abs(got-want) > rel*math.Max(math.Abs(want), floor) {
			t.Errorf("%s: xla %.9g, C++ %.9g", name, got, want)
		}
	}
	scalar("loss", gotLoss, wantLoss, 1e-6)
	// dL/dt' and dL/db are sums of terms of both signs: near 0 they are
	// held to 1e-5 of a hundredth of the loss.
	scale := 1e-2 * math.Max(math.Abs(wantLoss), 1)
	scalar("dL/dt'", got.TPrime, want.TPrime, scale)
	scalar("dL/db", got.Bias, want.Bias, scale)
	for _, c := range []struct {
		name      string
		got, want siglip.Matrix
	}{{"dL/dimg", got.Image, want.Image}, {"dL/dtxt", got.Text, want.Text}} {
		if c.got.Rows != c.want.Rows || c.got.Cols != c.want.Cols {
			t.Fatalf("%s: xla %d x %d, C++ %d x %d", c.name, c.got.Rows, c.got.Cols, c.want.Rows, c.want.Cols)
		}
		mx := 0.0
		for _, v := range c.want.Data {
			mx = math.Max(mx, math.Abs(float64(v)))
		}
		for i := range c.want.Data {
			if d := math.Abs(float64(c.got.Data[i] - c.want.Data[i])); d > rel*mx {
				t.Errorf("%s[%d]: xla %.9g, C++ %.9g (max |C++| %.3g)", c.name, i, c.got.Data[i], c.want.Data[i], mx)
				break
			}
		}
	}
}

// TestProgramsAgainstCPPWithoutPlugin runs the XLA programs with hlo.Eval
// (Go, no plugin; rings of simulated devices) and compares them with the C++
// kernels: the programs the plugin would run compute what siglip.Loss does.
func TestProgramsAgainstCPPWithoutPlugin(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, kind := range []siglip.LossKind{siglip.Sigmoid, siglip.Softmax} {
		for _, c := range []struct {
			n, m, d, classes, shards, block int
		}{
			{16, 16, 8, 0, 1, 0},
			{16, 16, 8, 0, 1, 5}, // blocks 5+5+5+1(+4 padded)
			{18, 24, 6, 4, 1, 7}, // labels, n != m
			{16, 16, 8, 0, 2, 0}, // ring of 2
			{18, 24, 6, 4, 3, 3}, // labelled ring of 3, blocks 3+3+2(+1)
			{16, 16, 8, 0, 4, 3}, // ring of 4, blocks 3+1(+2)
		} {
			for _, p := range []siglip.Params{siglip.DefaultParams(), {TPrime: 0.4, Bias: 1.2}} {
				name := fmt.Sprintf("%s/n%d_m%d_d%d_c%d_k%d_b%d/t%g", kind, c.n, c.m, c.d, c.classes, c.shards, c.block, p.TPrime)
				t.Run(name, func(t *testing.T) {
					img, txt := embeddings(r, c.n, c.d), embeddings(r, c.m, c.d)
					o := siglip.LossOptions{Kind: kind}
					if c.classes > 0 {
						o.ImageLabels, o.TextLabels = make([]int64, c.n), make([]int64, c.m)
						for i := range o.ImageLabels {
							o.ImageLabels[i] = int64(i % c.classes)
						}
						for j := range o.TextLabels {
							o.TextLabels[j] = int64(j * 3 % c.classes)
						}
					}
					spec, err := specFor(Options{Shards: c.shards, BlockSize: c.block}, img, txt, p, o)
					if err != nil {
						t.Fatal(err)
					}
					out, err := hlo.Eval(spec, hlo.EvalInput{Img: img.Data, Txt: txt.Data, TPrime: p.TPrime, Bias: p.Bias,
						ImgLabels: o.ImageLabels, TxtLabels: o.TextLabels})
					if err != nil {
						t.Fatal(err)
					}
					wantLoss, want, err := siglip.Loss(img, txt, p, o)
					if err != nil {
						t.Fatalf("siglip.Loss (C++): %v", err)
					}
					got := siglip.Gradients{
						Image:  siglip.Matrix{Rows: c.n, Cols: c.d, Data: out.DImg},
						Text:   siglip.Matrix{Rows: c.m, Cols: c.d, Data: out.DTxt},
						TPrime: out.DTPrime, Bias: out.DBias,
					}
					compareLosses(t, out.Loss, got, wantLoss, want)
				})
			}
		}
	}
}

func TestAgainstCPP(t *testing.T) {
	b := openForTest(t, Options{})
	r := rand.New(rand.NewPCG(5, 6))
	labels := func(n, classes, mul int) []int64 {
		l := make([]int64, n)
		for i := range l {
			l[i] = int64(i * mul % classes)
		}
		return l
	}
	for _, kind := range []siglip.LossKind{siglip.Sigmoid, siglip.Softmax} {
		for _, c := range []struct {
			n, m, d, classes, block int
		}{
			{32, 32, 16, 0, 0},    // diagonal, one block
			{64, 64, 24, 0, 24},   // 3 blocks, the last padded
			{40, 56, 16, 5, 16},   // labels, n != m, padded
			{257, 257, 8, 0, 128}, // odd sizes
		} {
			for _, p := range []siglip.Params{siglip.DefaultParams(), {TPrime: 0.3, Bias: 0.7}} {
				name := fmt.Sprintf("%s/n%d_m%d_d%d_c%d_b%d/t%g_b%g", kind, c.n, c.m, c.d, c.classes, c.block, p.TPrime, p.Bias)
				t.Run(name, func(t *testing.T) {
					b.opts.BlockSize = c.block
					defer func() { b.opts.BlockSize = 0 }()
					o := siglip.LossOptions{Kind: kind}
					if c.classes > 0 {
						o.ImageLabels, o.TextLabels = labels(c.n, c.classes, 1), labels(c.m, c.classes, 3)
					}
					compareWithCPP(t, b, embeddings(r, c.n, c.d), embeddings(r, c.m, c.d), p, o)
				})
			}
		}
	}
}

func TestRingAgainstCPP(t *testing.T) {
	b := openForTest(t, Options{})
	devs := b.NumDevices()
	if devs < 2 {
		t.Skipf("skipping: the ring needs 2 or more devices, %s has %d (CPU: XLA_FLAGS=--xla_force_host_platform_device_count=4)", b.plugin, devs)
	}
	r := rand.New(rand.NewPCG(7, 8))
	for _, k := range []int{2, min(devs, 4)} {
		for _, kind := range []siglip.LossKind{siglip.Sigmoid, siglip.Softmax} {
			t.Run(fmt.Sprintf("%s/K%d", kind, k), func(t *testing.T) {
				b.opts.Shards, b.opts.BlockSize = k, 8
				defer func() { b.opts.Shards, b.opts.BlockSize = 0, 0 }()
				n := 12 * k
				compareWithCPP(t, b, embeddings(r, n, 16), embeddings(r, n, 16), siglip.DefaultParams(), siglip.LossOptions{Kind: kind})
			})
		}
	}
}
