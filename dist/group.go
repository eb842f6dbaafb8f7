package dist

import (
	"fmt"

	"github.com/siglip-go/siglip"
)

// Group is this process's membership of a group of ranks: a Gloo
// communicator (siglip.Comm) with the methods data-parallel training needs.
// Every wait is bounded by the configured timeout; when another rank fails,
// calls return a *siglip.PeerError naming it (errors.Is(err,
// siglip.ErrPeerFailed)), and the group cannot be used afterwards.
type Group struct {
	*siglip.Comm
	cfg Config
}

// Init joins the group described by cfg: it ignores SIGPIPE (a peer that
// dies mid-write must not kill this process), waits until every rank has
// joined the rendezvous, and connects to all of them.
func Init(cfg Config) (*Group, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	siglip.IgnoreSIGPIPE()
	c, err := siglip.NewComm(siglip.CommOptions{
		Rank:       cfg.Rank,
		Size:       cfg.WorldSize,
		Rendezvous: cfg.Rendezvous,
		RunID:      cfg.RunID,
		Address:    cfg.Addr,
		Timeout:    cfg.Timeout,
	})
	if err != nil {
		return nil, fmt.Errorf("rank %d of %d: %w", cfg.Rank, cfg.WorldSize, err)
	}
	return &Group{Comm: c, cfg: cfg}, nil
}

// Config returns the configuration the group was joined with.
func (g *Group) Config() Config { return g.cfg }

// AllReduce sums buf over all ranks, in place (data-parallel gradients:
// every rank ends with the same bits).
func (g *Group) AllReduce(buf []float32) error { return g.AllReduceSum(buf) }

// AllReduceMean averages buf over all ranks, in place.
func (g *Group) AllReduceMean(buf []float32) error {
	if err := g.AllReduceSum(buf); err != nil {
		return err
	}
	inv := 1 / float32(g.Size())
	for i := range buf {
		buf[i] *= inv
	}
	return nil
}

// AllReduceBuffers sums several buffers (one per parameter tensor) over all
// ranks with one all-reduce: they are packed into one buffer, reduced, and
// unpacked. Every rank must pass buffers of the same lengths in the same
// order.
func (g *Group) AllReduceBuffers(bufs ...[]float32) error {
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	flat := make([]float32, 0, n)
	for _, b := range bufs {
		flat = append(flat, b...)
	}
	if err := g.AllReduceSum(flat); err != nil {
		return err
	}
	for _, b := range bufs {
		copy(b, flat[:len(b)])
		flat = flat[len(b):]
	}
	return nil
}
