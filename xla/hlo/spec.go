// Package hlo builds the SigLIP losses as StableHLO programs: the sigmoid loss
// of Zhai et al. (2023) and the CLIP softmax baseline, forward and backward,
// for one device or as the paper's ring over K devices (section 3.3,
// Figure 1).
//
// It is pure Go (github.com/gomlx/stablehlo prints the program text) and
// needs no PJRT plugin, so it is the part of the XLA backend that is tested
// everywhere; package xla compiles and runs its programs with gopjrt.
//
// Memory stays bounded: the texts are processed in blocks of Spec.Block rows
// (the blocks are unrolled; the last one is padded with masked rows), so the
// largest intermediate is n x Block, never n x m. On the ring every device
// holds N/K images and M/K texts; the text blocks travel one hop per step
// with stablehlo.collective_permute, source_target_pairs {(k, k+1 mod K)}, their
// gradient travels with them and takes one last hop home, and the scalars are
// summed with stablehlo.all_reduce.
//
// Eval runs the same programs eagerly in Go (slowly, on simulated devices
// for the ring): the tests hold them against float64 formulas and, in package
// xla, against the C++ kernels, where no plugin exists.
package hlo

import (
	"errors"
	"fmt"
	"math"

	"github.com/gomlx/gopjrt/dtypes"
)

// ErrSpec is wrapped by every error about a bad Spec.
var ErrSpec = errors.New("hlo: bad spec")

// Kind selects the loss.
type Kind int

const (
	// Sigmoid is the pairwise sigmoid loss of SigLIP.
	Sigmoid Kind = iota
	// Softmax is the CLIP softmax loss (t only, no bias).
	Softmax
)

// String returns "sigmoid" or "softmax".
func (k Kind) String() string {
	switch k {
	case Sigmoid:
		return "sigmoid"
	case Softmax:
		return "softmax"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// DefaultBlockElems bounds the size of the n x Block intermediates when
// Spec.Block is 0: Block is chosen so that (images per device) x Block is at
// most this many elements (64 MiB of float32).
const DefaultBlockElems = 1 << 24

// minAutoBlock is the smallest block the automatic choice makes (unless there
// are fewer texts): smaller blocks make long programs for little memory.
const minAutoBlock = 128

// Spec describes one loss program.
type Spec struct {
	Kind Kind
	// N and M are the global numbers of images and texts, D the embedding
	// width. The loss and its gradients are normalised by the global N.
	N, M, D int
	// Labels: the positives are given by label inputs ((i, j) is positive iff
	// img_labels[i] == txt_labels[j]); otherwise they are the diagonal, which
	// needs N == M.
	Labels bool
	// Shards is the number of devices K of the ring; 0 or 1 means one device
	// (no collectives). N and M must be multiples of K. The program is SPMD
	// over K replicas: device k holds images and texts [k N/K, (k+1) N/K).
	Shards int
	// Block is the number of texts per block; 0 chooses it from N/K and M/K
	// (see DefaultBlockElems).
	Block int
	// FastDot lets the backend use its default (fastest, least precise)
	// dot_general precision: TF32 on recent NVIDIA GPUs, bf16 passes on TPUs.
	// The default requests HIGHEST precision, true float32 products.
	FastDot bool
	// Float32Scalars accumulates and returns the scalars (loss, dL/dt',
	// dL/db) in float32 instead of float64, for backends without float64
	// (TPUs).
	Float32Scalars bool
}

// Shard returns the per-device numbers of images and texts.
func (s Spec) Shard() (n, m int) {
	k := max(s.Shards, 1)
	return s.N / k, s.M / k
}

// ScalarDType is the dtype of the scalar outputs.
func (s Spec) ScalarDType() dtypes.DType {
	if s.Float32Scalars {
		return dtypes.Float32
	}
	return dtypes.Float64
}

// Normalize checks s and returns it with Shards >= 1 and Block resolved.
func (s Spec) Normalize() (Spec, error) {
	if s.Kind != Sigmoid && s.Kind != Softmax {
		return s, fmt.Errorf("%w: unknown loss kind %d", ErrSpec, int(s.Kind))
	}
	if s.N <= 0 || s.M <= 0 || s.D <= 0 {
		return s, fmt.Errorf("%w: sizes must be positive: n=%d m=%d d=%d", ErrSpec, s.N, s.M, s.D)
	}
	if s.N > math.MaxInt32 || s.M > math.MaxInt32 || s.D > math.MaxInt32 {
		return s, fmt.Errorf("%w: sizes too large: n=%d m=%d d=%d", ErrSpec, s.N, s.M, s.D)
	}
	if !s.Labels && s.N != s.M {
		return s, fmt.Errorf("%w: %d images but %d texts without labels: the diagonal positives need n == m", ErrSpec, s.N, s.M)
	}
	if s.Shards < 0 {
		return s, fmt.Errorf("%w: shards = %d, want >= 1", ErrSpec, s.Shards)
	}
	if s.Shards == 0 {
		s.Shards = 1
	}
	if s.N%s.Shards != 0 || s.M%s.Shards != 0 {
		return s, fmt.Errorf("%w: %d shards must divide both n=%d and m=%d", ErrSpec, s.Shards, s.N, s.M)
	}
	if s.Block < 0 {
		return s, fmt.Errorf("%w: block = %d, want >= 0 (0: automatic)", ErrSpec, s.Block)
	}
	n, m := s.Shard()
	if s.Block == 0 {
		s.Block = AutoBlock(n, m, DefaultBlockElems)
	}
	s.Block = min(s.Block, m)
	return s, nil
}

// AutoBlock chooses the texts per block for n images and m texts per device,
// so that n x block <= maxElems (but block >= 128 unless m is smaller), with
// the blocks as even as possible (the last block is padded by fewer than 8
// rows per block).
func AutoBlock(n, m, maxElems int) int {
	blk := max(maxElems/max(n, 1), minAutoBlock)
	if blk >= m {
		return m
	}
	nb := (m + blk - 1) / blk
	blk = (m + nb - 1) / nb
	blk = (blk + 7) / 8 * 8
	return min(blk, m)
}

// Arg describes one input or output of a program (per device).
type Arg struct {
	Name  string
	DType dtypes.DType
	Dims  []int
}

// Program is a built StableHLO module with the description of its inputs and
// outputs. On the ring (Spec.Shards > 1) every device takes Inputs and gives
// Outputs; the module is compiled for Spec.Shards replicas.
type Program struct {
	Spec    Spec // normalised
	Text    []byte
	Inputs  []Arg
	Outputs []Arg
}

// Input names, in the order of Program.Inputs. The label inputs are present
// only with Spec.Labels.
const (
	InImg       = "img"        // f32[n, d]
	InTxt       = "txt"        // f32[m, d]
	InTPrime    = "t_prime"    // f32[]
	InBias      = "bias"       // f32[] (unused by the softmax loss)
	InImgLabels = "img_labels" // i64[n]
	InTxtLabels = "txt_labels" // i64[m]
)

// Output names, in the order of Program.Outputs.
const (
	OutLoss    = "loss"      // f64[] (f32 with Float32Scalars), summed over the ring
	OutDImg    = "d_img"     // f32[n, d]
	OutDTxt    = "d_txt"     // f32[m, d]
	OutDTPrime = "d_t_prime" // like OutLoss
	OutDBias   = "d_bias"    // like OutLoss; 0 for the softmax loss
)

// args returns the inputs and outputs of a normalised spec.
func args(s Spec) (in, out []Arg) {
	n, m := s.Shard()
	sc := s.ScalarDType()
	in = []Arg{
		{InImg, dtypes.Float32, []int{n, s.D}},
		{InTxt, dtypes.Float32, []int{m, s.D}},
		{InTPrime, dtypes.Float32, nil},
		{InBias, dtypes.Float32, nil},
	}
	if s.Labels {
		in = append(in, Arg{InImgLabels, dtypes.Int64, []int{n}}, Arg{InTxtLabels, dtypes.Int64, []int{m}})
	}
	out = []Arg{
		{OutLoss, sc, nil},
		{OutDImg, dtypes.Float32, []int{n, s.D}},
		{OutDTxt, dtypes.Float32, []int{m, s.D}},
		{OutDTPrime, sc, nil},
		{OutDBias, sc, nil},
	}
	return in, out
}

// RingPairs returns the source_target_pairs of one hop around a ring of k
// devices: (i, i+1 mod k).
func RingPairs(k int) [][2]int {
	p := make([][2]int, k)
	for i := range p {
		p[i] = [2]int{i, (i + 1) % k}
	}
	return p
}

// ReplicaGroups returns the single group of all k replicas.
func ReplicaGroups(k int) [][]int {
	g := make([]int, k)
	for i := range g {
		g[i] = i
	}
	return [][]int{g}
}
