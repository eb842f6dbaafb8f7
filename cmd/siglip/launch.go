package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/siglip-go/siglip/dist"
)

// launchFlags are the flags of `siglip launch`.
type launchFlags struct {
	n          int
	rendezvous string
	timeout    time.Duration
	grace      time.Duration
}

func newLaunchCmd() *cobra.Command {
	var f launchFlags
	cmd := &cobra.Command{
		Use:   "launch -n K [--rendezvous redis://HOST:PORT] [--timeout D] -- CMD [ARGS...]",
		Short: "Run K local ranks of a command (the ring loss over processes)",
		Long: `Starts K processes of CMD ARGS... on this host, rank 0 to K-1, each with the
environment of a rank: SIGLIP_RANK, SIGLIP_WORLD_SIZE, SIGLIP_RENDEZVOUS (a
fresh temporary directory, removed at the end, unless --rendezvous is given)
and SIGLIP_RUN_ID (fresh for every launch); with --timeout also SIGLIP_TIMEOUT.
Every line a rank prints is prefixed with "[rank K] ".

If a rank fails (exits non-zero, is killed, cannot start), the others get
--grace to exit on their own (their next wait on it fails, naming it), then
are stopped; launch exits non-zero, naming the first rank that failed.

  siglip launch -n 4 -- siglip loss --in DIR --out OUT --distributed

For ranks on several hosts, start one process per rank yourself with
SIGLIP_RANK, SIGLIP_WORLD_SIZE, SIGLIP_RENDEZVOUS=redis://HOST:PORT, a
SIGLIP_RUN_ID shared by the job, and SIGLIP_ADDR (the host's own address).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("no command: siglip launch -n K -- CMD [ARGS...]")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLaunch(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f, args)
		},
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false) // flags after CMD belong to CMD
	fl.IntVarP(&f.n, "ranks", "n", 0, "number of ranks K (required)")
	fl.StringVar(&f.rendezvous, "rendezvous", "", "rendezvous for the ranks (default: a fresh temporary directory; or redis://host:port)")
	dist.BindTimeout(fl, &f.timeout)
	fl.DurationVar(&f.grace, "grace", 5*time.Second, "after a rank fails, how long the others get to exit before they are stopped")
	cmd.MarkFlagRequired("ranks")
	return cmd
}

func runLaunch(ctx context.Context, stdout, stderr io.Writer, f launchFlags, args []string) error {
	if f.n < 1 || f.n > 4096 {
		return badInput("-n %d: want 1 to 4096 ranks", f.n)
	}
	if f.timeout < 0 {
		return badInput("--timeout %v: must be > 0", f.timeout)
	}
	if f.grace <= 0 {
		return badInput("--grace %v: must be > 0", f.grace)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	err := dist.Launch(ctx, dist.LaunchOptions{
		N: f.n, Command: args[0], Args: args[1:],
		Rendezvous: f.rendezvous, Timeout: f.timeout, Grace: f.grace,
		Stdout: stdout, Stderr: stderr,
	})
	if err != nil {
		return fmt.Errorf("%w", err)
	}
	return nil
}
