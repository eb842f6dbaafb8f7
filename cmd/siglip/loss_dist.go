package main

import (
	"fmt"
	"io"

	"github.com/siglip-go/siglip"
	"github.com/siglip-go/siglip/dist"
)

// checkRingFlags checks --shards, --bidirectional and --distributed.
func checkRingFlags(f lossFlags) error {
	if f.shards < 0 || f.shards > siglip.MaxShards {
		return badInput("--shards %d: want 0 to %d (0 or 1: unsharded)", f.shards, siglip.MaxShards)
	}
	if f.kind != siglip.Sigmoid && (f.shards > 1 || f.distributed) {
		return badInput("--kind %s: only the sigmoid loss can be sharded (the softmax loss needs log-sum-exps over the whole batch)", f.kind)
	}
	if f.distributed && f.shards > 1 {
		return badInput("--shards and --distributed do not combine: with --distributed every rank is one shard")
	}
	return nil
}

// runDistributedLoss runs this process as one rank of the ring over
// processes: it joins the group (flags, else the SIGLIP_* environment),
// reads its rows, computes its part of the ring, and rank 0 writes the
// outputs.
func runDistributedLoss(stdout io.Writer, f lossFlags, p siglip.Params) error {
	cfg, err := f.dist.Config(nil)
	if err != nil {
		return usageError{err}
	}
	g, err := dist.Init(cfg)
	if err != nil {
		return err
	}
	defer g.Close()
	res, err := g.RunLoss(dist.LossJob{In: f.in, Out: f.out, Params: p, Threads: f.threads, Bidirectional: f.bidirectional})
	if err != nil {
		return fmt.Errorf("rank %d of %d: %w", cfg.Rank, cfg.WorldSize, err)
	}
	st := res.Stats
	if res.Wrote {
		fmt.Fprintf(stdout, "sigmoid loss %.9g (%d images, %d texts, d = %d, %d ranks); wrote loss, dimg, dtxt, dtprime, dbias .npy to %s\n",
			res.Loss, res.Images, res.Texts, res.D, cfg.WorldSize, f.out)
	}
	fmt.Fprintf(stdout, "rank %d: %d images, %d texts; ring %.3fs (compute %.3fs, waiting %.3fs), %d steps, sent %d bytes; gather %.3fs\n",
		cfg.Rank, res.Rows[0], res.Rows[1], st.Total.Seconds(), st.Compute.Seconds(), st.Wait.Seconds(), st.Steps, st.BytesSent,
		res.GatherDuration.Seconds())
	return nil
}
