package siglip

// #include <stdlib.h>
// #include "siglip_dist.h"
import "C"

import (
	"errors"
	"fmt"
	"math"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// ErrPeerFailed is wrapped by every *PeerError: another rank of the group
// failed (it died, stopped answering within the timeout, never joined, or
// failed and said so). The communicator cannot be used afterwards.
var ErrPeerFailed = errors.New("peer rank failed")

// PeerError reports the failure of another rank. Rank is the rank held
// responsible, -1 if it is unknown.
type PeerError struct {
	Rank int
	Msg  string
}

func (e *PeerError) Error() string { return e.Msg }

// Unwrap makes errors.Is(err, ErrPeerFailed) true.
func (e *PeerError) Unwrap() error { return ErrPeerFailed }

// CommOptions say how a rank joins its group.
type CommOptions struct {
	// Rank of this process, 0 <= Rank < Size.
	Rank, Size int
	// Rendezvous is where the ranks meet: an existing directory that all of
	// them see (Gloo's FileStore), or "redis://HOST[:PORT]" for ranks on
	// several hosts.
	Rendezvous string
	// RunID names the job, the same on every rank: it prefixes every key in
	// the store, and a store's keys cannot be reused by a second job with
	// the same run id. "" means "siglip".
	RunID string
	// Address is the address this rank listens on and announces to its
	// peers: "" means 127.0.0.1 (all ranks on one host).
	Address string
	// Timeout bounds every wait: joining, connecting, each transfer. 0 means
	// 60 s.
	Timeout time.Duration
}

// DefaultTimeout is the timeout of a communicator when none is given.
const DefaultTimeout = 60 * time.Second

// Comm is one rank of a group of processes connected by Gloo over TCP (a
// full mesh): the ring loss across processes, and all-reduce and gathers of
// buffers. Its methods may be called from several goroutines; they run one
// at a time. Every wait is bounded by the timeout; when another rank fails,
// the call returns a *PeerError naming it, and every later call fails too.
type Comm struct {
	mu         sync.Mutex
	c          *C.siglip_comm
	rank, size int
}

var ignoreSIGPIPE sync.Once

// IgnoreSIGPIPE makes the process ignore SIGPIPE. A SIGPIPE raised on a C
// thread (Gloo writing to a peer that died) would otherwise kill a Go
// program; NewComm calls it before connecting.
func IgnoreSIGPIPE() {
	ignoreSIGPIPE.Do(func() { signal.Ignore(syscall.SIGPIPE) })
}

// NewComm joins the group: it waits, within the timeout, until every rank
// has joined the rendezvous, then connects to all of them. A rank that does
// not join in time gives a *PeerError naming it.
func NewComm(o CommOptions) (*Comm, error) {
	if o.Size < 1 || o.Size > MaxShards {
		return nil, fmt.Errorf("%w: world size %d, want 1 to %d", ErrInvalidInput, o.Size, MaxShards)
	}
	if o.Rank < 0 || o.Rank >= o.Size {
		return nil, fmt.Errorf("%w: rank %d, want 0 to %d", ErrInvalidInput, o.Rank, o.Size-1)
	}
	if o.Rendezvous == "" {
		return nil, fmt.Errorf("%w: no rendezvous (a directory or redis://host:port)", ErrInvalidInput)
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("%w: timeout %v < 0", ErrInvalidInput, o.Timeout)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	IgnoreSIGPIPE()

	cstr := func(s string) *C.char {
		if s == "" {
			return nil
		}
		return C.CString(s)
	}
	opts := C.siglip_comm_options{
		rank:       C.int(o.Rank),
		size:       C.int(o.Size),
		rendezvous: cstr(o.Rendezvous),
		run_id:     cstr(o.RunID),
		address:    cstr(o.Address),
		timeout_ms: C.int64_t(max(1, o.Timeout.Milliseconds())),
	}
	defer func() {
		for _, p := range []*C.char{opts.rendezvous, opts.run_id, opts.address} {
			if p != nil {
				C.free(unsafe.Pointer(p))
			}
		}
	}()
	var c *C.siglip_comm
	errBuf := make([]byte, errBufLen)
	status := C.siglip_comm_create(&opts, &c, (*C.char)(unsafe.Pointer(&errBuf[0])), errBufLen)
	if status != C.SIGLIP_OK {
		return nil, commError("joining the group", status, errBuf, -1)
	}
	comm := &Comm{c: c, rank: o.Rank, size: o.Size}
	runtime.SetFinalizer(comm, func(c *Comm) { c.Close() })
	return comm, nil
}

// Rank returns this process's rank.
func (c *Comm) Rank() int { return c.rank }

// Size returns the number of ranks.
func (c *Comm) Size() int { return c.size }

// Close closes the connections. Other ranks still waiting on this one then
// fail at once. Close is idempotent.
func (c *Comm) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.c != nil {
		C.siglip_comm_destroy(c.c)
		c.c = nil
	}
	return nil
}

// commError turns a status of siglip_dist.h into an error: SIGLIP_EPEER
// gives a *PeerError naming the failed rank.
func commError(op string, status C.int, buf []byte, failedRank int) error {
	if status == C.SIGLIP_EPEER {
		msg := string(buf)
		if i := strings.IndexByte(msg, 0); i >= 0 {
			msg = msg[:i]
		}
		if failedRank < 0 {
			failedRank = rankInMessage(msg)
		}
		return &PeerError{Rank: failedRank, Msg: fmt.Sprintf("siglip: %s: %s", op, msg)}
	}
	return statusError(op, status, buf)
}

// rankInMessage finds "rank N" in a message (for failures while joining,
// before a communicator exists), or returns -1.
func rankInMessage(msg string) int {
	for _, key := range []string{"rank ", "ranks "} {
		if i := strings.Index(msg, key); i >= 0 {
			n, j := 0, i+len(key)
			for ; j < len(msg) && msg[j] >= '0' && msg[j] <= '9'; j++ {
				n = n*10 + int(msg[j]-'0')
			}
			if j > i+len(key) {
				return n
			}
		}
	}
	return -1
}

// call runs fn with the C communicator under the lock.
func (c *Comm) call(op string, fn func(cc *C.siglip_comm, err *C.char) C.int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.c == nil {
		return fmt.Errorf("siglip: %s: communicator is closed", op)
	}
	errBuf := make([]byte, errBufLen)
	status := fn(c.c, (*C.char)(unsafe.Pointer(&errBuf[0])))
	if status != C.SIGLIP_OK {
		return commError(op, status, errBuf, int(C.siglip_comm_failed_rank(c.c)))
	}
	return nil
}

// AllReduceSum replaces buf, on every rank, by the element-wise sum of the
// bufs of all ranks (the same bits on every rank): data-parallel gradient
// averaging is AllReduceSum then a scale by 1/Size. All ranks must pass the
// same length. A ring all-reduce between neighbours, in pieces of a few MiB.
func (c *Comm) AllReduceSum(buf []float32) error {
	if len(buf) == 0 {
		return c.call("all-reduce", func(cc *C.siglip_comm, e *C.char) C.int {
			return C.siglip_comm_allreduce_sum(cc, C.SIGLIP_F32, nil, 0, e, errBufLen)
		})
	}
	return c.call("all-reduce", func(cc *C.siglip_comm, e *C.char) C.int {
		return C.siglip_comm_allreduce_sum(cc, C.SIGLIP_F32, unsafe.Pointer(&buf[0]), C.int64_t(len(buf)), e, errBufLen)
	})
}

// AllReduceSumFloat64 is AllReduceSum for float64 buffers.
func (c *Comm) AllReduceSumFloat64(buf []float64) error {
	if len(buf) == 0 {
		return c.call("all-reduce", func(cc *C.siglip_comm, e *C.char) C.int {
			return C.siglip_comm_allreduce_sum(cc, C.SIGLIP_F64, nil, 0, e, errBufLen)
		})
	}
	return c.call("all-reduce", func(cc *C.siglip_comm, e *C.char) C.int {
		return C.siglip_comm_allreduce_sum(cc, C.SIGLIP_F64, unsafe.Pointer(&buf[0]), C.int64_t(len(buf)), e, errBufLen)
	})
}

// AllGather gives every rank the concatenation, in rank order, of the
// equally long byte slices of all ranks.
func (c *Comm) AllGather(in []byte) ([]byte, error) {
	out := make([]byte, len(in)*c.size)
	if len(in) == 0 {
		return out, nil
	}
	err := c.call("all-gather", func(cc *C.siglip_comm, e *C.char) C.int {
		return C.siglip_comm_allgather(cc, unsafe.Pointer(&in[0]), unsafe.Pointer(&out[0]), C.int64_t(len(in)), e, errBufLen)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GatherFloat32 collects every rank's `in` on the root, concatenated in rank
// order: lens[r] is the length of rank r's slice (every rank passes the same
// lens). The root gets the concatenation; the other ranks get nil.
func (c *Comm) GatherFloat32(root int, in []float32, lens []int) ([]float32, error) {
	if len(lens) != c.size {
		return nil, fmt.Errorf("%w: gather: %d lengths for %d ranks", ErrInvalidInput, len(lens), c.size)
	}
	if lens[c.rank] != len(in) {
		return nil, fmt.Errorf("%w: gather: rank %d gives %d values, lens says %d", ErrInvalidInput, c.rank, len(in), lens[c.rank])
	}
	if root < 0 || root >= c.size {
		return nil, fmt.Errorf("%w: gather: root %d out of range", ErrInvalidInput, root)
	}
	bytes := make([]C.int64_t, c.size)
	total := 0
	for r, n := range lens {
		if n < 0 || n > math.MaxInt64/4 {
			return nil, fmt.Errorf("%w: gather: bad length %d", ErrInvalidInput, n)
		}
		bytes[r] = C.int64_t(4 * n)
		total += n
	}
	var out []float32
	if c.rank == root {
		out = make([]float32, total)
	}
	err := c.call("gather", func(cc *C.siglip_comm, e *C.char) C.int {
		var pin0, pout unsafe.Pointer
		if len(in) > 0 {
			pin0 = unsafe.Pointer(&in[0])
		}
		if len(out) > 0 {
			pout = unsafe.Pointer(&out[0])
		}
		return C.siglip_comm_gatherv(cc, C.int(root), pin0, &bytes[0], pout, e, errBufLen)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Barrier returns when every rank has called it.
func (c *Comm) Barrier() error {
	return c.call("barrier", func(cc *C.siglip_comm, e *C.char) C.int {
		return C.siglip_comm_barrier(cc, e, errBufLen)
	})
}

// RingLoss computes this rank's part of the sigmoid loss of a batch split
// over the ranks of the group (rank order: rank r's rows follow those of
// ranks < r), passing text blocks between ring neighbours (see ShardedLoss):
// img and txt are this rank's rows (either may have 0 rows, with Cols set);
// o's labels, when given, are those of this rank's rows (give non-nil, empty
// slices for an empty shard). The returned loss, TPrime and Bias are the
// global ones, the same on every rank; Image and Text are the gradients of
// this rank's rows. The loss is normalised by the global number of images.
// Every rank must pass the same width, params and kind of positives.
func (c *Comm) RingLoss(img, txt Matrix, p Params, o LossOptions, ro RingOptions) (float64, Gradients, RingStats, error) {
	if o.Kind != Sigmoid {
		return 0, Gradients{}, RingStats{}, fmt.Errorf("%w: ring loss: only the sigmoid loss can be sharded", ErrInvalidInput)
	}
	for _, x := range []struct {
		name string
		m    Matrix
	}{{"image", img}, {"text", txt}} {
		if x.m.Rows == 0 && x.m.Cols > 0 && len(x.m.Data) == 0 {
			continue // an empty shard
		}
		if err := x.m.Validate(); err != nil {
			return 0, Gradients{}, RingStats{}, fmt.Errorf("%s embeddings: %w", x.name, err)
		}
	}
	if img.Cols != txt.Cols {
		return 0, Gradients{}, RingStats{}, fmt.Errorf("%w: embedding widths differ: images have %d columns, texts %d", ErrInvalidInput, img.Cols, txt.Cols)
	}
	if err := p.Validate(); err != nil {
		return 0, Gradients{}, RingStats{}, fmt.Errorf("params: %w", err)
	}
	if (o.ImageLabels == nil) != (o.TextLabels == nil) {
		return 0, Gradients{}, RingStats{}, fmt.Errorf("%w: labels: give both image and text labels or neither", ErrInvalidInput)
	}
	if o.ImageLabels != nil && (len(o.ImageLabels) != img.Rows || len(o.TextLabels) != txt.Rows) {
		return 0, Gradients{}, RingStats{}, fmt.Errorf("%w: labels: %d image labels for %d images, %d text labels for %d texts",
			ErrInvalidInput, len(o.ImageLabels), img.Rows, len(o.TextLabels), txt.Rows)
	}
	pool, err := getPool(o.Threads)
	if err != nil {
		return 0, Gradients{}, RingStats{}, err
	}
	g := Gradients{Image: NewMatrix(img.Rows, img.Cols), Text: NewMatrix(txt.Rows, txt.Cols)}
	opt := C.siglip_ring_options{}
	if ro.Bidirectional {
		opt.bidirectional = 1
	}
	var st C.siglip_ring_stats
	var out C.siglip_loss_output
	err = c.call("ring loss", func(cc *C.siglip_comm, e *C.char) C.int {
		var pinner runtime.Pinner
		defer pinner.Unpin()
		in, o2 := ringIO(&pinner, img, txt, o, g.Image.Data, g.Text.Data)
		in.norm = 0 // the global number of images
		in.t_prime = C.double(p.TPrime)
		in.bias = C.double(p.Bias)
		status := C.siglip_ring_sigmoid_loss(pool, cc, C.SIGLIP_F32, &in, &opt, &o2, &st, e, errBufLen)
		out = o2
		return status
	})
	runtime.KeepAlive(img.Data)
	runtime.KeepAlive(txt.Data)
	runtime.KeepAlive(o)
	if err != nil {
		return 0, Gradients{}, RingStats{}, err
	}
	g.TPrime, g.Bias = float64(out.dt_prime), float64(out.dbias)
	return float64(out.loss), g, ringStatsFrom(st), nil
}
