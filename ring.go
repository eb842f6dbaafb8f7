package siglip

// #include "siglip_dist.h"
import "C"

import (
	"fmt"
	"runtime"
	"time"
	"unsafe"
)

// RingOptions are the options of the chunked (ring) sigmoid loss.
type RingOptions struct {
	// Bidirectional sends text blocks both ways round the ring at once:
	// about half the compute steps (ceil((K-1)/2) after the own block), two
	// blocks per step, both directions of every link busy. Each direction's
	// text gradients still travel on to their home shard afterwards.
	Bidirectional bool
}

// RingStats are what one shard measured during a ring loss call.
type RingStats struct {
	// Total is the whole call; Compute the time inside the loss kernel; Wait
	// the time blocked waiting for transfers (what double buffering did not
	// hide). For in-process shards, Wait includes waiting for the other
	// shards' turns on the shared thread pool.
	Total, Compute, Wait time.Duration
	// Payload bytes and messages this shard sent and received.
	BytesSent, BytesReceived, MessagesSent int64
	// Steps counts the compute steps, the own block's included: K without
	// the bidirectional option.
	Steps int
}

func ringStatsFrom(s C.siglip_ring_stats) RingStats {
	sec := func(x C.double) time.Duration { return time.Duration(float64(x) * float64(time.Second)) }
	return RingStats{
		Total:         sec(s.total_seconds),
		Compute:       sec(s.compute_seconds),
		Wait:          sec(s.wait_seconds),
		BytesSent:     int64(s.bytes_sent),
		BytesReceived: int64(s.bytes_received),
		MessagesSent:  int64(s.messages_sent),
		Steps:         int(s.steps),
	}
}

// MaxShards is the largest number of shards (or ranks) of a ring.
const MaxShards = 4096

// ShardedLoss computes the sigmoid loss of Loss and its gradients with the
// batch split over `shards` in-process shards that pass text blocks round a
// ring (Zhai et al. 2023, section 3.3): shard k holds rows
// [k*ceil(n/K), (k+1)*ceil(n/K)) of the images and likewise of the texts (the
// last shard may be smaller, or empty), computes its own block, then adds
// the block of each text shard that comes round the ring; every text block's
// gradient travels with it and takes a last hop home. The result equals Loss
// up to float32 rounding (a different order of summation). Each shard's
// working memory is O(b d) for b = n/K.
//
// The shards are worker threads of this process that take turns on one
// thread pool (o.Threads). It takes the input of Loss; only the sigmoid loss
// has a ring (o.Shards is ignored: shards says how many). The returned
// stats are shard 0's. Loss with LossOptions.Shards > 1 calls this.
func ShardedLoss(img, txt Matrix, p Params, o LossOptions, shards int, ro RingOptions) (float64, Gradients, RingStats, error) {
	if o.Kind != Sigmoid {
		return 0, Gradients{}, RingStats{}, fmt.Errorf("%w: shards: only the sigmoid loss can be sharded (the softmax loss needs log-sum-exps over the whole batch)", ErrInvalidInput)
	}
	if shards < 1 || shards > MaxShards {
		return 0, Gradients{}, RingStats{}, fmt.Errorf("%w: shards = %d, want 1 to %d", ErrInvalidInput, shards, MaxShards)
	}
	if err := validate(img, txt, p, o); err != nil {
		return 0, Gradients{}, RingStats{}, err
	}
	loss, g, st, err := ringLoss(img, txt, p, o, shards, ro)
	if err != nil {
		return 0, Gradients{}, RingStats{}, err
	}
	if err := checkFinite(img, txt, p, o.Kind, loss, &g); err != nil {
		return 0, Gradients{}, RingStats{}, err
	}
	return loss, g, st, nil
}

// ringLoss runs the in-process ring on checked input.
func ringLoss(img, txt Matrix, p Params, o LossOptions, shards int, ro RingOptions) (float64, Gradients, RingStats, error) {
	pool, err := getPool(o.Threads)
	if err != nil {
		return 0, Gradients{}, RingStats{}, err
	}
	g := Gradients{Image: NewMatrix(img.Rows, img.Cols), Text: NewMatrix(txt.Rows, txt.Cols)}

	var pinner runtime.Pinner
	defer pinner.Unpin()
	in, out := ringIO(&pinner, img, txt, o, g.Image.Data, g.Text.Data)
	in.norm = C.double(img.Rows)
	in.t_prime = C.double(p.TPrime)
	in.bias = C.double(p.Bias)
	opt := C.siglip_ring_options{}
	if ro.Bidirectional {
		opt.bidirectional = 1
	}
	var st C.siglip_ring_stats
	errBuf := make([]byte, errBufLen)
	status := C.siglip_ring_sigmoid_loss_local(pool, C.SIGLIP_F32, C.int(shards), &in, &opt, &out, &st,
		(*C.char)(unsafe.Pointer(&errBuf[0])), errBufLen)
	runtime.KeepAlive(img.Data)
	runtime.KeepAlive(txt.Data)
	runtime.KeepAlive(o)
	runtime.KeepAlive(g)
	if status != C.SIGLIP_OK {
		return 0, Gradients{}, RingStats{}, statusError(fmt.Sprintf("ring loss over %d shards", shards), status, errBuf)
	}
	g.TPrime, g.Bias = float64(out.dt_prime), float64(out.dbias)
	return float64(out.loss), g, ringStatsFrom(st), nil
}

// ringIO fills the input and output structs of a ring call, pinning every Go
// pointer they hold (a Go pointer passed to C may point to memory holding Go
// pointers only if those are pinned). Empty matrices give NULL pointers.
func ringIO(pinner *runtime.Pinner, img, txt Matrix, o LossOptions, dimg, dtxt []float32) (C.siglip_loss_input, C.siglip_loss_output) {
	ptr := func(p unsafe.Pointer) unsafe.Pointer {
		pinner.Pin(p)
		return p
	}
	in := C.siglip_loss_input{
		n:         C.int64_t(img.Rows),
		m:         C.int64_t(txt.Rows),
		d:         C.int64_t(img.Cols),
		positives: C.SIGLIP_POS_DIAGONAL,
	}
	var out C.siglip_loss_output
	if len(img.Data) > 0 {
		in.img = ptr(unsafe.Pointer(&img.Data[0]))
		out.dimg = ptr(unsafe.Pointer(&dimg[0]))
	}
	if len(txt.Data) > 0 {
		in.txt = ptr(unsafe.Pointer(&txt.Data[0]))
		out.dtxt = ptr(unsafe.Pointer(&dtxt[0]))
	}
	if o.ImageLabels != nil {
		in.positives = C.SIGLIP_POS_LABELS
		if len(o.ImageLabels) > 0 {
			in.img_labels = (*C.int64_t)(ptr(unsafe.Pointer(&o.ImageLabels[0])))
		}
		if len(o.TextLabels) > 0 {
			in.txt_labels = (*C.int64_t)(ptr(unsafe.Pointer(&o.TextLabels[0])))
		}
	}
	return in, out
}
