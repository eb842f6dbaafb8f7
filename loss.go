package siglip

// #include "siglip.h"
import "C"

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// ErrInvalidInput is wrapped by every error that reports bad input to Loss,
// LossValue and the other functions of this file: shapes, non-finite values,
// labels, parameters or options. Test for it with errors.Is.
var ErrInvalidInput = errors.New("invalid input")

// Matrix is a dense row-major float32 matrix: element (i, j) is
// Data[i*Cols+j], and len(Data) must be Rows*Cols.
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

// NewMatrix returns a zeroed rows x cols matrix. It panics if rows or cols
// is negative or their product overflows int.
func NewMatrix(rows, cols int) Matrix {
	if rows < 0 || cols < 0 || (cols > 0 && rows > math.MaxInt/cols) {
		panic(fmt.Sprintf("siglip.NewMatrix: bad size %d x %d", rows, cols))
	}
	return Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
}

// At returns element (i, j).
func (m Matrix) At(i, j int) float32 { return m.Data[i*m.Cols+j] }

// Set sets element (i, j) to v.
func (m Matrix) Set(i, j int, v float32) { m.Data[i*m.Cols+j] = v }

// Row returns row i as a slice that shares m's storage.
func (m Matrix) Row(i int) []float32 { return m.Data[i*m.Cols : (i+1)*m.Cols : (i+1)*m.Cols] }

// Validate reports whether m is a well-formed, non-empty matrix of finite
// values: Rows and Cols are positive, len(Data) == Rows*Cols, and no element
// is NaN or ±Inf. The error wraps ErrInvalidInput and names the first bad
// element, for example "NaN at row 3, col 7".
func (m Matrix) Validate() error {
	if m.Rows < 0 || m.Cols < 0 {
		return fmt.Errorf("%w: negative size %d x %d", ErrInvalidInput, m.Rows, m.Cols)
	}
	if m.Rows == 0 || m.Cols == 0 {
		return fmt.Errorf("%w: empty batch: %d x %d matrix", ErrInvalidInput, m.Rows, m.Cols)
	}
	if m.Rows > math.MaxInt/m.Cols || m.Rows*m.Cols != len(m.Data) {
		return fmt.Errorf("%w: %d x %d matrix needs %d values, Data has %d",
			ErrInvalidInput, m.Rows, m.Cols, m.Rows*m.Cols, len(m.Data))
	}
	// One linear pass over the data; O(n d) next to the loss's O(n m d).
	for k, v := range m.Data {
		// NaN and ±Inf are exactly the values whose exponent bits are all set.
		if math.Float32bits(v)&0x7f800000 == 0x7f800000 {
			what := "NaN"
			if math.IsInf(float64(v), 1) {
				what = "+Inf"
			} else if math.IsInf(float64(v), -1) {
				what = "-Inf"
			}
			return fmt.Errorf("%w: %s at row %d, col %d", ErrInvalidInput, what, k/m.Cols, k%m.Cols)
		}
	}
	return nil
}

// Params are the two learnable scalars of the sigmoid loss: the log
// temperature t' (the logits are scaled by t = exp(t')) and the bias b. The
// softmax loss uses t' only.
type Params struct {
	TPrime, Bias float32
}

// DefaultParams returns the initial values of the paper (Zhai et al. 2023,
// Table 4): t' = log 10 and b = -10.
func DefaultParams() Params {
	return Params{TPrime: float32(math.Log(10)), Bias: -10}
}

// maxTPrime is the largest t' for which t = exp(t') is finite in float32.
var maxTPrime = math.Log(math.MaxFloat32)

// Validate reports whether p is usable: both values finite and exp(t') finite
// in float32. The error wraps ErrInvalidInput.
func (p Params) Validate() error {
	for _, f := range []struct {
		name string
		v    float32
	}{{"t'", p.TPrime}, {"bias", p.Bias}} {
		if v := float64(f.v); math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s is %v", ErrInvalidInput, f.name, v)
		}
	}
	if float64(p.TPrime) > maxTPrime {
		return fmt.Errorf("%w: t' = %g is too large: t = exp(t') overflows float32 (t' must be <= %.4f)",
			ErrInvalidInput, p.TPrime, maxTPrime)
	}
	return nil
}

// LossKind selects the contrastive loss.
type LossKind int

const (
	// Sigmoid is the pairwise sigmoid loss of SigLIP (the default).
	Sigmoid LossKind = iota
	// Softmax is the CLIP softmax loss, the paper's baseline. It has no bias.
	Softmax
)

// String returns "sigmoid" or "softmax" (or "LossKind(k)" for other values).
func (k LossKind) String() string {
	switch k {
	case Sigmoid:
		return "sigmoid"
	case Softmax:
		return "softmax"
	}
	return fmt.Sprintf("LossKind(%d)", int(k))
}

// ParseLossKind parses "sigmoid" or "softmax" (case-insensitive). The error
// wraps ErrInvalidInput.
func ParseLossKind(s string) (LossKind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "sigmoid":
		return Sigmoid, nil
	case "softmax":
		return Softmax, nil
	}
	return 0, fmt.Errorf("%w: unknown loss kind %q (want sigmoid or softmax)", ErrInvalidInput, s)
}

// MarshalText implements encoding.TextMarshaler (the String form).
func (k LossKind) MarshalText() ([]byte, error) {
	if k != Sigmoid && k != Softmax {
		return nil, fmt.Errorf("%w: unknown loss kind %d", ErrInvalidInput, int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler (see ParseLossKind).
func (k *LossKind) UnmarshalText(b []byte) error {
	v, err := ParseLossKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// LossOptions are the options of Loss and LossValue.
type LossOptions struct {
	// Kind selects the loss; the zero value is Sigmoid.
	Kind LossKind
	// ImageLabels and TextLabels, when given (both or neither, one label per
	// row), define the positives: (i, j) is a positive iff
	// ImageLabels[i] == TextLabels[j]. When both are nil the positives are
	// the diagonal, which needs as many texts as images. The softmax loss
	// needs at least one positive for every image and every text.
	ImageLabels, TextLabels []int64
	// Threads is the number of threads of the kernel: 0 means all cores.
	Threads int
	// Shards, when > 1, makes Loss split the batch over that many in-process
	// shards that pass text blocks round a ring (see ShardedLoss): the same
	// result up to float32 rounding, with per-shard working memory
	// O(n/Shards * d). Only the sigmoid loss can be sharded. 0 and 1 mean
	// unsharded. LossValue ignores it (the forward pass keeps no gradients).
	Shards int
}

// Gradients are the derivatives of the loss with respect to the image and
// text embeddings and to the parameters t' and b (Bias is 0 for the softmax
// loss).
type Gradients struct {
	Image, Text  Matrix
	TPrime, Bias float64
}

// Loss computes the loss of a batch of n image embeddings img (n x d) and m
// text embeddings txt (m x d) and its gradients, forward and backward in one
// fused pass that never stores the n x m logit matrix.
//
// Sigmoid (Zhai et al. 2023): with l_ij = exp(t') <img_i, txt_j> + b and
// z_ij = +1 for positives and -1 otherwise, L = (1/n) sum_ij softplus(-z_ij l_ij).
// Softmax (CLIP): the mean of the image->text and text->image cross-entropies
// of the logits exp(t') <img_i, txt_j>.
//
// The embeddings are used as given (normalising them is the towers' job).
// All input is checked before any work is done; errors about it wrap
// ErrInvalidInput. Calls with the same Threads share one thread pool and run
// one at a time.
func Loss(img, txt Matrix, p Params, o LossOptions) (loss float64, g Gradients, err error) {
	if err := validate(img, txt, p, o); err != nil {
		return 0, Gradients{}, err
	}
	if o.Shards > 1 {
		loss, g, _, err = ringLoss(img, txt, p, o, o.Shards, RingOptions{})
		if err != nil {
			return 0, Gradients{}, err
		}
	} else {
		g.Image = NewMatrix(img.Rows, img.Cols)
		g.Text = NewMatrix(txt.Rows, txt.Cols)
		out, err := callLoss(img, txt, p, o, g.Image.Data, g.Text.Data)
		if err != nil {
			return 0, Gradients{}, err
		}
		g.TPrime, g.Bias = float64(out.dt_prime), float64(out.dbias)
		loss = float64(out.loss)
	}
	if err := checkFinite(img, txt, p, o.Kind, loss, &g); err != nil {
		return 0, Gradients{}, err
	}
	return loss, g, nil
}

// LossValue computes the value of the loss only (the forward pass: one GEMM's
// worth of work instead of three), as evaluation needs it. It takes the same
// input as Loss and returns the same value.
func LossValue(img, txt Matrix, p Params, o LossOptions) (float64, error) {
	if err := validate(img, txt, p, o); err != nil {
		return 0, err
	}
	out, err := callLoss(img, txt, p, o, nil, nil)
	if err != nil {
		return 0, err
	}
	loss := float64(out.loss)
	if err := checkFinite(img, txt, p, o.Kind, loss, nil); err != nil {
		return 0, err
	}
	return loss, nil
}

// checkFinite reports a loss or gradient that is not finite. Finite input
// can still overflow float32 arithmetic when the logits come near its
// range (huge t or b, embeddings far from unit norm); that is reported as
// invalid input, with the size the logits can reach. g is nil for the
// forward pass.
func checkFinite(img, txt Matrix, p Params, kind LossKind, loss float64, g *Gradients) error {
	bad := ""
	switch {
	case math.IsNaN(loss) || math.IsInf(loss, 0):
		bad = fmt.Sprintf("the loss is %v", loss)
	case g == nil:
		return nil
	case math.IsNaN(g.TPrime) || math.IsInf(g.TPrime, 0):
		bad = fmt.Sprintf("dL/dt' is %v", g.TPrime)
	case math.IsNaN(g.Bias) || math.IsInf(g.Bias, 0):
		bad = fmt.Sprintf("dL/db is %v", g.Bias)
	default:
		if err := g.Image.Validate(); err != nil {
			bad = fmt.Sprintf("dL/dimg: %v", errors.Unwrap(err))
		} else if err := g.Text.Validate(); err != nil {
			bad = fmt.Sprintf("dL/dtxt: %v", errors.Unwrap(err))
		}
		if bad == "" {
			return nil
		}
	}
	maxNorm := func(m Matrix) float64 {
		var mx float64
		for i := 0; i < m.Rows; i++ {
			var s float64
			for _, v := range m.Row(i) {
				s += float64(v) * float64(v)
			}
			mx = math.Max(mx, s)
		}
		return math.Sqrt(mx)
	}
	t := math.Exp(float64(p.TPrime))
	bound := t*maxNorm(img)*maxNorm(txt) + math.Abs(float64(p.Bias))
	return fmt.Errorf("%w: %s loss: %s: float32 overflow, the logits reach up to %.3g in size (t = exp(t') = %.3g, b = %g); normalise the embeddings or use a smaller t' or |b|",
		ErrInvalidInput, kind, bad, bound, t, p.Bias)
}

// LossFLOPs returns the floating-point operations that the roofline of a loss
// call counts: each GEMM of an n x d by d x m product is 2nmd flops; the
// sigmoid loss needs 3 (logits, G Y and G^T X: 6nmd) forward and backward,
// the softmax loss 4 (its two passes recompute the logits: 8nmd), and the
// forward pass of either needs 1 (2nmd).
func LossFLOPs(kind LossKind, n, m, d int, forwardOnly bool) float64 {
	gemm := 2 * float64(n) * float64(m) * float64(d)
	switch {
	case forwardOnly:
		return gemm
	case kind == Softmax:
		return 4 * gemm
	default:
		return 3 * gemm
	}
}

// validate checks the input of Loss and LossValue.
func validate(img, txt Matrix, p Params, o LossOptions) error {
	if err := img.Validate(); err != nil {
		return fmt.Errorf("image embeddings: %w", err)
	}
	if err := txt.Validate(); err != nil {
		return fmt.Errorf("text embeddings: %w", err)
	}
	if img.Cols != txt.Cols {
		return fmt.Errorf("%w: embedding widths differ: images have %d columns, texts %d",
			ErrInvalidInput, img.Cols, txt.Cols)
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	if o.Kind != Sigmoid && o.Kind != Softmax {
		return fmt.Errorf("%w: unknown loss kind %d", ErrInvalidInput, int(o.Kind))
	}
	if o.Threads < 0 {
		return fmt.Errorf("%w: threads = %d, want >= 0 (0: all cores)", ErrInvalidInput, o.Threads)
	}
	if o.Shards < 0 || o.Shards > MaxShards {
		return fmt.Errorf("%w: shards = %d, want 0 to %d (0 or 1: unsharded)", ErrInvalidInput, o.Shards, MaxShards)
	}
	if o.Shards > 1 && o.Kind != Sigmoid {
		return fmt.Errorf("%w: shards = %d: only the sigmoid loss can be sharded (the %s loss needs log-sum-exps over the whole batch)",
			ErrInvalidInput, o.Shards, o.Kind)
	}
	n, m := img.Rows, txt.Rows
	switch {
	case o.ImageLabels == nil && o.TextLabels == nil:
		if n != m {
			return fmt.Errorf("%w: %d images but %d texts without labels: the diagonal positives need n == m (give image and text labels)",
				ErrInvalidInput, n, m)
		}
	case o.ImageLabels == nil || o.TextLabels == nil:
		return fmt.Errorf("%w: labels: give both image and text labels or neither", ErrInvalidInput)
	case len(o.ImageLabels) != n:
		return fmt.Errorf("%w: labels: %d image labels for %d images", ErrInvalidInput, len(o.ImageLabels), n)
	case len(o.TextLabels) != m:
		return fmt.Errorf("%w: labels: %d text labels for %d texts", ErrInvalidInput, len(o.TextLabels), m)
	case o.Kind == Softmax:
		if err := everyRowHasAPositive(o.ImageLabels, o.TextLabels); err != nil {
			return err
		}
	}
	return nil
}

// everyRowHasAPositive checks the softmax loss's need for at least one
// positive per image and per text.
func everyRowHasAPositive(imgLabels, txtLabels []int64) error {
	inTxt := make(map[int64]struct{}, len(txtLabels))
	for _, l := range txtLabels {
		inTxt[l] = struct{}{}
	}
	inImg := make(map[int64]struct{}, len(imgLabels))
	for i, l := range imgLabels {
		if _, ok := inTxt[l]; !ok {
			return fmt.Errorf("%w: labels: softmax loss: image %d (label %d) has no matching text", ErrInvalidInput, i, l)
		}
		inImg[l] = struct{}{}
	}
	for j, l := range txtLabels {
		if _, ok := inImg[l]; !ok {
			return fmt.Errorf("%w: labels: softmax loss: text %d (label %d) has no matching image", ErrInvalidInput, j, l)
		}
	}
	return nil
}

// errBufLen is the size of the message buffer handed to C.
const errBufLen = 512

// statusError turns a non-OK status of the C core into an error; bad
// arguments wrap ErrInvalidInput.
func statusError(op string, status C.int, buf []byte) error {
	msg := string(buf)
	if i := strings.IndexByte(msg, 0); i >= 0 {
		msg = msg[:i]
	}
	if msg == "" {
		msg = "no message"
	}
	switch status {
	case C.SIGLIP_EINVAL:
		return fmt.Errorf("siglip: %s: %w: %s", op, ErrInvalidInput, msg)
	case C.SIGLIP_ENOMEM:
		return fmt.Errorf("siglip: %s: out of memory: %s", op, msg)
	default:
		return fmt.Errorf("siglip: %s: kernel error (status %d): %s", op, int(status), msg)
	}
}

// callLoss runs one checked loss call in C. dimg and dtxt are both nil for
// the forward pass only.
//
// cgo pointer rules: the input and output structs live in Go memory and hold
// Go pointers to the data, labels and gradient buffers, so every one of those
// is pinned for the duration of the call (a Go pointer passed to C may point
// to memory holding Go pointers only if they are pinned). C keeps none of
// them after it returns. TestCgoPointerRules runs this under cgocheck2.
func callLoss(img, txt Matrix, p Params, o LossOptions, dimg, dtxt []float32) (C.siglip_loss_output, error) {
	var out C.siglip_loss_output
	pool, err := getPool(o.Threads)
	if err != nil {
		return out, err
	}

	var pinner runtime.Pinner
	defer pinner.Unpin()
	pin := func(p unsafe.Pointer) unsafe.Pointer {
		if p != nil {
			pinner.Pin(p)
		}
		return p
	}

	in := C.siglip_loss_input{
		n:         C.int64_t(img.Rows),
		m:         C.int64_t(txt.Rows),
		d:         C.int64_t(img.Cols),
		img:       pin(unsafe.Pointer(&img.Data[0])),
		txt:       pin(unsafe.Pointer(&txt.Data[0])),
		positives: C.SIGLIP_POS_DIAGONAL,
		t_prime:   C.double(p.TPrime),
		bias:      C.double(p.Bias),
		norm:      C.double(img.Rows),
	}
	if o.ImageLabels != nil {
		in.positives = C.SIGLIP_POS_LABELS
		in.img_labels = (*C.int64_t)(pin(unsafe.Pointer(&o.ImageLabels[0])))
		in.txt_labels = (*C.int64_t)(pin(unsafe.Pointer(&o.TextLabels[0])))
	}
	if dimg != nil {
		out.dimg = pin(unsafe.Pointer(&dimg[0]))
		out.dtxt = pin(unsafe.Pointer(&dtxt[0]))
	}

	errBuf := make([]byte, errBufLen)
	cerr := (*C.char)(unsafe.Pointer(&errBuf[0]))
	var status C.int
	op := o.Kind.String() + " loss"
	if o.Kind == Softmax {
		status = C.siglip_softmax_loss(pool, C.SIGLIP_F32, &in, &out, cerr, errBufLen)
	} else {
		status = C.siglip_sigmoid_loss(pool, C.SIGLIP_F32, &in, &out, cerr, errBufLen)
	}
	if status != C.SIGLIP_OK {
		return out, statusError(op, status, errBuf)
	}
	return out, nil
}

// The C core's thread pools, one per requested thread count, created on first
// use and kept for the life of the process. Creating a pool starts OS threads
// (T-1 of them) and takes longer than a small loss call, so creating one per
// call would dominate small batches; the C core serialises the calls on a
// pool, so sharing one is safe. Programs use a handful of thread counts, so
// the cache stays small; pools are never destroyed because a caller may
// still be inside one.
var pools struct {
	sync.Mutex
	byThreads map[int]*C.siglip_pool
}

// getPool returns the pool for a thread count (0: all cores).
func getPool(threads int) (*C.siglip_pool, error) {
	if threads < 0 {
		return nil, fmt.Errorf("%w: threads = %d, want >= 0 (0: all cores)", ErrInvalidInput, threads)
	}
	pools.Lock()
	defer pools.Unlock()
	if p, ok := pools.byThreads[threads]; ok {
		return p, nil
	}
	var p *C.siglip_pool
	errBuf := make([]byte, errBufLen)
	status := C.siglip_pool_create(C.int(threads), &p, (*C.char)(unsafe.Pointer(&errBuf[0])), errBufLen)
	if status != C.SIGLIP_OK {
		return nil, statusError(fmt.Sprintf("creating a pool of %d threads", threads), status, errBuf)
	}
	if pools.byThreads == nil {
		pools.byThreads = make(map[int]*C.siglip_pool)
	}
	pools.byThreads[threads] = p
	if threads == 0 {
		// "All cores" is also a concrete count; share the pool with it.
		if t := int(C.siglip_pool_threads(p)); t > 0 {
			if _, ok := pools.byThreads[t]; !ok {
				pools.byThreads[t] = p
			}
		}
	}
	return p, nil
}

// EffectiveThreads returns the number of threads that a loss call with
// LossOptions.Threads = threads runs on: threads itself, or the number of
// online cores for 0.
func EffectiveThreads(threads int) (int, error) {
	p, err := getPool(threads)
	if err != nil {
		return 0, err
	}
	return int(C.siglip_pool_threads(p)), nil
}

// SgemmBenchmark measures the machine's float32 GEMM, the roofline of the
// losses: it times C = A B^T with A (m x k) and B (n x k) on OpenBLAS with
// the given number of threads (0: all cores), one warm-up then iters timed
// calls, and returns the median seconds of one call (2mnk flops). The shape
// of the loss's logit GEMM is m = n images, n = m texts, k = d.
func SgemmBenchmark(threads, m, n, k, iters int) (float64, error) {
	if m <= 0 || n <= 0 || k <= 0 || iters <= 0 {
		return 0, fmt.Errorf("%w: sgemm benchmark: m, n, k and iters must be positive, got %d, %d, %d, %d",
			ErrInvalidInput, m, n, k, iters)
	}
	t, err := EffectiveThreads(threads)
	if err != nil {
		return 0, err
	}
	var sec C.double
	errBuf := make([]byte, errBufLen)
	status := C.siglip_gemm_benchmark(C.SIGLIP_F32, C.int(t), C.int64_t(m), C.int64_t(n), C.int64_t(k),
		C.int(iters), &sec, (*C.char)(unsafe.Pointer(&errBuf[0])), errBufLen)
	if status != C.SIGLIP_OK {
		return 0, statusError("sgemm benchmark", status, errBuf)
	}
	return float64(sec), nil
}

// BuildInfo describes the kernel build: the SIMD target Highway chose at run
// time and the BLAS library.
func BuildInfo() string {
	return C.GoString(C.siglip_build_info())
}
