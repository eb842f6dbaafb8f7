// Package dist runs siglip over several processes: the rendezvous
// configuration of a rank (flags or environment), the process group (a Gloo
// communicator: the ring loss across processes and the all-reduce of
// parameter gradients for data-parallel training), the distributed
// `siglip loss`, and the local launcher behind `siglip launch`.
//
// All C++ (the ring driver, Gloo) lives in the root package siglip, which
// exposes it as siglip.Comm; this package is pure Go orchestration.
//
// A rank is configured by flags or, when a flag is not given, by the
// environment (siglip launch sets the environment for its ranks):
//
//	SIGLIP_RANK         this process's rank, 0 <= rank < world size
//	SIGLIP_WORLD_SIZE   the number of ranks
//	SIGLIP_RENDEZVOUS   a directory all ranks see (Gloo's FileStore), or
//	                    redis://HOST:PORT for ranks on several hosts
//	SIGLIP_TIMEOUT      a Go duration bounding every wait (default 60s)
//	SIGLIP_RUN_ID       the job's name in the store, the same on every rank
//	                    (default "siglip"; needed when a Redis serves
//	                    several jobs: keys cannot be reused)
//	SIGLIP_ADDR         the address this rank listens on (default 127.0.0.1;
//	                    set it to the host's address for several hosts)
package dist

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/siglip-go/siglip"
)

// The environment variables of a rank.
const (
	EnvRank       = "SIGLIP_RANK"
	EnvWorldSize  = "SIGLIP_WORLD_SIZE"
	EnvRendezvous = "SIGLIP_RENDEZVOUS"
	EnvTimeout    = "SIGLIP_TIMEOUT"
	EnvRunID      = "SIGLIP_RUN_ID"
	EnvAddr       = "SIGLIP_ADDR"
)

// DefaultTimeout bounds every wait when neither --timeout nor SIGLIP_TIMEOUT
// is given.
const DefaultTimeout = siglip.DefaultTimeout

// Config is how a rank joins its group.
type Config struct {
	Rank, WorldSize int
	// Rendezvous: a directory shared by all ranks, or redis://HOST:PORT.
	Rendezvous string
	// RunID names the job in the store ("" means "siglip").
	RunID string
	// Addr is the address to listen on ("" means 127.0.0.1).
	Addr string
	// Timeout bounds every wait (0 means DefaultTimeout).
	Timeout time.Duration
}

// Validate checks the configuration. Errors wrap siglip.ErrInvalidInput.
func (c Config) Validate() error {
	if c.WorldSize < 1 || c.WorldSize > siglip.MaxShards {
		return fmt.Errorf("%w: world size %d: want 1 to %d", siglip.ErrInvalidInput, c.WorldSize, siglip.MaxShards)
	}
	if c.Rank < 0 || c.Rank >= c.WorldSize {
		return fmt.Errorf("%w: rank %d: want 0 to %d (world size %d)", siglip.ErrInvalidInput, c.Rank, c.WorldSize-1, c.WorldSize)
	}
	if c.Rendezvous == "" {
		return fmt.Errorf("%w: no rendezvous: give --rendezvous or %s (a shared directory, or redis://host:port)", siglip.ErrInvalidInput, EnvRendezvous)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("%w: timeout %v < 0", siglip.ErrInvalidInput, c.Timeout)
	}
	return nil
}

// Flags are the command-line flags of a rank. Bind registers them on a flag
// set; Config resolves them, falling back to the environment for each flag
// that was not given.
type Flags struct {
	fs         *pflag.FlagSet
	rank       int
	worldSize  int
	rendezvous string
	runID      string
	addr       string
	timeout    time.Duration
}

// Bind registers --rank, --world-size, --rendezvous, --run-id, --addr and
// --timeout on fs.
func (f *Flags) Bind(fs *pflag.FlagSet) {
	f.fs = fs
	fs.IntVar(&f.rank, "rank", 0, "this process's rank (default $"+EnvRank+")")
	fs.IntVar(&f.worldSize, "world-size", 0, "number of ranks (default $"+EnvWorldSize+")")
	fs.StringVar(&f.rendezvous, "rendezvous", "", "where the ranks meet: a shared directory or redis://host:port (default $"+EnvRendezvous+")")
	fs.StringVar(&f.runID, "run-id", "", "the job's name in the rendezvous store, the same on every rank (default $"+EnvRunID+" or \"siglip\")")
	fs.StringVar(&f.addr, "addr", "", "the address this rank listens on (default $"+EnvAddr+" or 127.0.0.1)")
	BindTimeout(fs, &f.timeout)
}

// BindTimeout registers --timeout on fs (for commands that need only it).
func BindTimeout(fs *pflag.FlagSet, d *time.Duration) {
	fs.DurationVar(d, "timeout", 0, "bound of every wait on another rank, a Go duration (default $"+EnvTimeout+" or "+DefaultTimeout.String()+")")
}

// Config resolves the flags: a flag that was given wins, else the
// environment variable (looked up with getenv; nil means os.Getenv), else
// the default. Errors wrap siglip.ErrInvalidInput.
func (f *Flags) Config(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	changed := func(name string) bool { return f.fs != nil && f.fs.Changed(name) }
	var c Config
	var err error
	if c.Rank, err = intSetting(changed("rank"), f.rank, "--rank", EnvRank, getenv); err != nil {
		return Config{}, err
	}
	if c.WorldSize, err = intSetting(changed("world-size"), f.worldSize, "--world-size", EnvWorldSize, getenv); err != nil {
		return Config{}, err
	}
	if !changed("world-size") && getenv(EnvWorldSize) == "" {
		return Config{}, fmt.Errorf("%w: no world size: give --world-size or %s (siglip launch sets it)", siglip.ErrInvalidInput, EnvWorldSize)
	}
	if !changed("rank") && getenv(EnvRank) == "" {
		return Config{}, fmt.Errorf("%w: no rank: give --rank or %s (siglip launch sets it)", siglip.ErrInvalidInput, EnvRank)
	}
	c.Rendezvous = strSetting(changed("rendezvous"), f.rendezvous, EnvRendezvous, getenv)
	c.RunID = strSetting(changed("run-id"), f.runID, EnvRunID, getenv)
	c.Addr = strSetting(changed("addr"), f.addr, EnvAddr, getenv)
	if c.Timeout, err = TimeoutSetting(changed("timeout"), f.timeout, getenv); err != nil {
		return Config{}, err
	}
	return c, c.Validate()
}

// Timeout resolves --timeout alone (see Config).
func (f *Flags) Timeout(getenv func(string) string) (time.Duration, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	return TimeoutSetting(f.fs != nil && f.fs.Changed("timeout"), f.timeout, getenv)
}

// TimeoutSetting resolves a timeout: the flag's value if it was given, else
// SIGLIP_TIMEOUT, else DefaultTimeout. It must be > 0.
func TimeoutSetting(flagGiven bool, flag time.Duration, getenv func(string) string) (time.Duration, error) {
	d, what := flag, "--timeout"
	if !flagGiven {
		s := strings.TrimSpace(getenv(EnvTimeout))
		if s == "" {
			return DefaultTimeout, nil
		}
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%w: %s=%q: not a Go duration (such as 30s or 2m)", siglip.ErrInvalidInput, EnvTimeout, s)
		}
		what = EnvTimeout + "=" + s
	}
	if d <= 0 {
		return 0, fmt.Errorf("%w: %s: the timeout must be > 0", siglip.ErrInvalidInput, what)
	}
	return d, nil
}

// ConfigFromEnv reads a rank's configuration from the environment alone.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var f Flags
	return f.Config(getenv)
}

func intSetting(flagGiven bool, flag int, flagName, env string, getenv func(string) string) (int, error) {
	if flagGiven {
		return flag, nil
	}
	s := strings.TrimSpace(getenv(env))
	if s == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %s=%q: not an integer (or give %s)", siglip.ErrInvalidInput, env, s, flagName)
	}
	return v, nil
}

func strSetting(flagGiven bool, flag, env string, getenv func(string) string) string {
	if flagGiven {
		return flag
	}
	return strings.TrimSpace(getenv(env))
}

// Rows returns the rows [lo, hi) that rank `rank` of `size` holds when n rows
// are split over the ranks: ceil(n/size) rows each in rank order, the last
// ranks fewer (possibly none). The same split as siglip.ShardedLoss.
func Rows(n, size, rank int) (lo, hi int) {
	if size < 1 || n <= 0 {
		return 0, 0
	}
	b := (n + size - 1) / size
	lo, hi = min(n, rank*b), min(n, (rank+1)*b)
	return lo, hi
}
