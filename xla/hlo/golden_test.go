package hlo

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// goldenSpecs are the programs whose full StableHLO text is kept in
// testdata/<name>.mlir. Any change to the printed programs shows up as a diff
// there; regenerate with `go test ./xla/hlo -run TestGolden -update` and
// review the diff.
var goldenSpecs = []struct {
	name string
	spec Spec
}{
	{"sigmoid_diagonal", Spec{Kind: Sigmoid, N: 4, M: 4, D: 3}},
	{"sigmoid_labels_blocks", Spec{Kind: Sigmoid, N: 4, M: 6, D: 3, Labels: true, Block: 4}},
	{"sigmoid_ring3", Spec{Kind: Sigmoid, N: 6, M: 6, D: 3, Shards: 3}},
	{"sigmoid_ring2_labels_blocks", Spec{Kind: Sigmoid, N: 4, M: 6, D: 2, Labels: true, Shards: 2, Block: 2}},
	{"softmax_diagonal", Spec{Kind: Softmax, N: 4, M: 4, D: 3}},
	{"softmax_labels_blocks", Spec{Kind: Softmax, N: 4, M: 6, D: 3, Labels: true, Block: 4}},
	{"softmax_ring2", Spec{Kind: Softmax, N: 4, M: 4, D: 2, Shards: 2}},
}

func TestGolden(t *testing.T) {
	for _, c := range goldenSpecs {
		t.Run(c.name, func(t *testing.T) {
			p, err := Build(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", c.name+".mlir")
			if *update {
				if err := os.WriteFile(path, p.Text, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./xla/hlo -run TestGolden -update to create it)", err)
			}
			if !bytes.Equal(p.Text, want) {
				t.Errorf("program text differs from %s (first difference at line %d); if intended, rerun with -update and review the diff",
					path, firstDiffLine(p.Text, want))
			}
		})
	}
}

func firstDiffLine(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

func programText(t *testing.T, s Spec) string {
	t.Helper()
	p, err := Build(s)
	if err != nil {
		t.Fatalf("Build(%+v): %v", s, err)
	}
	return string(p.Text)
}

func count(text, op string) int { return strings.Count(text, `"stablehlo.`+op+`"(`) }

// TestGoldenSingleDevice checks the parts of the one-device programs that the
// math depends on.
func TestGoldenSingleDevice(t *testing.T) {
	text := programText(t, Spec{Kind: Sigmoid, N: 4, M: 4, D: 3})
	for _, want := range []string{
		// The signature: embeddings, t', b in; loss, gradients, dt', db out.
		`func.func @main(%img: tensor<4x3xf32>, %txt: tensor<4x3xf32>, %t_prime: tensor<f32>, %bias: tensor<f32>) -> (tensor<f64>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f64>, tensor<f64>)`,
		// t = exp(t').
		`"stablehlo.exponential"(%t_prime)`,
		// The logits contract the embedding axis of both: <x_i, y_j>.
		"lhs_contracting_dimensions = [1],\n  rhs_contracting_dimensions = [1]",
		// G Y and G^T X.
		"lhs_contracting_dimensions = [1],\n  rhs_contracting_dimensions = [0]",
		"lhs_contracting_dimensions = [0],\n  rhs_contracting_dimensions = [0]",
		"precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]",
		// The diagonal positives: iota == iota.
		`"stablehlo.iota"() { iota_dimension = 0 : i64 } : () -> tensor<4x4xi32>`,
		`"stablehlo.iota"() { iota_dimension = 1 : i64 } : () -> tensor<4x4xi32>`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("sigmoid program lacks %q", want)
		}
	}
	if n := count(text, "dot_general"); n != 3 {
		t.Errorf("sigmoid program has %d dot_general, want 3 (logits, G Y, G^T X)", n)
	}
	for _, op := range []string{"collective_permute", "all_reduce", "logistic"} {
		if count(text, op) != 0 {
			t.Errorf("one-device sigmoid program uses %s", op)
		}
	}
	if strings.Contains(text, "num_replicas") {
		t.Error("one-device program declares replicas")
	}

	soft := programText(t, Spec{Kind: Softmax, N: 4, M: 4, D: 3})
	if n := count(soft, "dot_general"); n != 4 {
		t.Errorf("softmax program has %d dot_general, want 4 (logits twice, G Y, G^T X)", n)
	}
	if !strings.Contains(soft, `"stablehlo.log"(`) || count(soft, "reduce") < 4 {
		t.Error("softmax program lacks its log-sum-exps")
	}

	fast := programText(t, Spec{Kind: Sigmoid, N: 4, M: 4, D: 3, FastDot: true})
	if !strings.Contains(fast, "#stablehlo<precision DEFAULT>") || strings.Contains(fast, "HIGHEST") {
		t.Error("FastDot does not select the DEFAULT precision")
	}
	f32 := programText(t, Spec{Kind: Sigmoid, N: 4, M: 4, D: 3, Float32Scalars: true})
	if strings.Contains(f32, "f64") {
		t.Error("Float32Scalars program uses f64")
	}
}

// TestGoldenStableLogSigmoid checks softplus(u) = max(u, 0) + log1p(exp(-|l|))
// with u = -z l, and sigmoid from the same exp(-|l|): no log(1 + exp(l)),
// which overflows for large logits.
func TestGoldenStableLogSigmoid(t *testing.T) {
	text := programText(t, Spec{Kind: Sigmoid, N: 2, M: 2, D: 2})
	lines := strings.Split(text, "\n")
	def := map[string]string{} // SSA name -> its defining line
	reDef := regexp.MustCompile(`^\s*(%\w+) = (.*)$`)
	for _, l := range lines {
		if m := reDef.FindStringSubmatch(l); m != nil {
			def[m[1]] = m[2]
		}
	}
	arg := func(line string) string {
		m := regexp.MustCompile(`\((%\w+)`).FindStringSubmatch(line)
		if m == nil {
			return ""
		}
		return m[1]
	}
	// Find log_plus_one(exp(negate(abs(l)))).
	found := false
	for _, l := range def {
		if !strings.HasPrefix(l, `"stablehlo.log_plus_one"`) {
			continue
		}
		e := def[arg(l)]
		n := def[arg(e)]
		a := def[arg(n)]
		if strings.HasPrefix(e, `"stablehlo.exponential"`) && strings.HasPrefix(n, `"stablehlo.negate"`) &&
			strings.HasPrefix(a, `"stablehlo.abs"`) {
			found = true
		}
	}
	if !found {
		t.Error("no log_plus_one(exponential(negate(abs(l)))) in the sigmoid program")
	}
	if count(text, "maximum") != 1 {
		t.Errorf("want one maximum (max(u, 0)), got %d", count(text, "maximum"))
	}
	if count(text, "log") != 0 {
		t.Errorf("the sigmoid program uses log (want only log_plus_one)")
	}
}

// TestGoldenRing checks the ring program: K replicas, collective_permute one
// hop around the ring, all_reduce of the scalars over all replicas.
func TestGoldenRing(t *testing.T) {
	for _, k := range []int{2, 3, 4} {
		text := programText(t, Spec{Kind: Sigmoid, N: 4 * k, M: 4 * k, D: 3, Shards: k})
		var pairs, group []string
		for i := 0; i < k; i++ {
			pairs = append(pairs, "["+strconv.Itoa(i)+", "+strconv.Itoa((i+1)%k)+"]")
			group = append(group, strconv.Itoa(i))
		}
		wantPairs := "source_target_pairs = dense<[" + strings.Join(pairs, ", ") + "]> : tensor<" + strconv.Itoa(k) + "x2xi64>"
		wantGroups := "replica_groups = dense<[[" + strings.Join(group, ", ") + "]]> : tensor<1x" + strconv.Itoa(k) + "xi64>"
		for _, want := range []string{
			"module @siglip_sigmoid_loss_ring attributes {stablehlo.num_replicas = " + strconv.Itoa(k) + "}",
			// Per device: 4 images and 4 texts.
			`func.func @main(%img: tensor<4x3xf32>, %txt: tensor<4x3xf32>, %t_prime: tensor<f32>, %bias: tensor<f32>)`,
			wantPairs, wantGroups,
			// The texts hop.
			`"stablehlo.collective_permute"(%txt)`,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("K=%d: ring program lacks %q", k, want)
			}
		}
		if got := strings.Count(text, "source_target_pairs = "); got != count(text, "collective_permute") ||
			strings.Count(text, wantPairs) != got {
			t.Errorf("K=%d: some collective_permute does not use the ring pairs", k)
		}
		// Texts: K-1 hops; their gradient: K-1 hops with them and one home.
		if got, want := count(text, "collective_permute"), 2*(k-1)+1; got != want {
			t.Errorf("K=%d: %d collective_permute, want %d", k, got, want)
		}
		if got := count(text, "all_reduce"); got != 1 {
			t.Errorf("K=%d: %d all_reduce, want 1 (loss, dt', db together)", k, got)
		}
		if !regexp.MustCompile(`"stablehlo.all_reduce"\(%\w+, %\w+, %\w+\)`).MatchString(text) {
			t.Errorf("K=%d: the all_reduce does not sum the three scalars", k)
		}
		if got, want := count(text, "dot_general"), 3*k; got != want {
			t.Errorf("K=%d: %d dot_general, want %d (3 per step)", k, got, want)
		}
	}
	// With labels the labels travel with the texts.
	text := programText(t, Spec{Kind: Sigmoid, N: 6, M: 6, D: 3, Labels: true, Shards: 3})
	if !strings.Contains(text, `"stablehlo.collective_permute"(%txt_labels)`) {
		t.Error("labels do not travel with the texts")
	}
	if got := count(text, "collective_permute"); got != 3*2+1 {
		t.Errorf("labelled ring: %d collective_permute, want 7", got)
	}
}

// TestNoNByMIntermediate checks that no tensor of the blocked programs is
// larger than n x Block (or than the embeddings).
func TestNoNByMIntermediate(t *testing.T) {
	reTensor := regexp.MustCompile(`tensor<((?:\d+x)+)(?:f32|f64|i1|i32|i64)>`)
	for _, s := range []Spec{
		{Kind: Sigmoid, N: 64, M: 64, D: 8, Block: 16},
		{Kind: Sigmoid, N: 48, M: 80, D: 8, Labels: true, Block: 24},
		{Kind: Softmax, N: 64, M: 64, D: 8, Block: 16},
		{Kind: Sigmoid, N: 64, M: 64, D: 8, Shards: 2, Block: 8},
		{Kind: Softmax, N: 64, M: 64, D: 8, Shards: 4, Block: 8},
	} {
		text := programText(t, s)
		n, m := s.Shard()
		limit := max(n*s.Block, n*s.D, m*s.D, 4*m)
		for _, mt := range reTensor.FindAllStringSubmatch(text, -1) {
			size := 1
			for _, d := range strings.Split(strings.TrimSuffix(mt[1], "x"), "x") {
				v, _ := strconv.Atoi(d)
				size *= v
			}
			if size > limit {
				t.Errorf("%+v: %s has %d elements, more than %d", s, mt[0], size, limit)
				break
			}
		}
		if strings.Contains(text, "tensor<"+strconv.Itoa(n)+"x"+strconv.Itoa(m)+"x") {
			t.Errorf("%+v: an n x m tensor", s)
		}
	}
}
