// Command siglip is the command line of siglip: the SigLIP sigmoid loss
// (and the CLIP softmax baseline) on .npy files, benchmarks against the
// machine's roofline, and, as they land, training, evaluation and serving.
//
// Every command reports a failure as one line on stderr. The exit status is
// 2 for a usage error or bad input (a bad flag, a missing or malformed file,
// a wrong dtype or shape, NaN/Inf values, n != m without labels, an empty
// batch), 1 for any other failure, 0 on success. A failed command leaves no
// partial output file.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/siglip-go/siglip"
	"github.com/siglip-go/siglip/npy"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// newRootCmd builds the command tree. Each command lives in its own file as
// a constructor, newXxxCmd; to add one, write that file and register it here
// with one line.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "siglip",
		Short: "SigLIP for Go: sigmoid-loss language-image pre-training",
		Long: "siglip computes the SigLIP sigmoid loss (and the CLIP softmax baseline) with fused C++ kernels,\n" +
			"and benchmarks them against the machine's sgemm roofline.",
		SilenceErrors: true, // run prints the one error line itself
		SilenceUsage:  true,
	}
	root.CompletionOptions.HiddenDefaultCmd = true

	bench := newBenchCmd()
	root.AddCommand(bench)
	root.AddCommand(newLossCmd())
	root.AddCommand(newLaunchCmd())
	root.AddCommand(newDataCmd())
	root.AddCommand(newTrainCmd())
	root.AddCommand(newEvalCmd())
	root.AddCommand(newEmbedCmd())

	bench.AddCommand(newBenchLossCmd())
	bench.AddCommand(newBenchTrainCmd())
	return root
}

// run executes the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })

	// Errors that cobra returns before a command's RunE starts (unknown
	// commands, bad arguments, missing required flags) are usage errors.
	started := false
	markStart(root, &started)

	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	code := 1
	if !started || isUsage(err) {
		code = 2
	}
	name := "siglip"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	fmt.Fprintf(stderr, "%s: %s\n", name, oneLine(err.Error()))
	return code
}

// markStart wraps the RunE of every command under c so that it sets
// *started before it runs.
func markStart(c *cobra.Command, started *bool) {
	if f := c.RunE; f != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			*started = true
			return f(cmd, args)
		}
	}
	for _, sub := range c.Commands() {
		markStart(sub, started)
	}
}

// usageError marks an error that exits with status 2: a bad flag or
// argument, or bad input data.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// badInput returns a usage error with a formatted message.
func badInput(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// isUsage reports whether err exits with status 2.
func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u) || errors.Is(err, siglip.ErrInvalidInput) || errors.Is(err, npy.ErrFormat)
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// kindValue is a pflag.Value for a siglip.LossKind flag.
type kindValue struct{ k *siglip.LossKind }

var _ pflag.Value = kindValue{}

func (v kindValue) String() string {
	if v.k == nil {
		return siglip.Sigmoid.String()
	}
	return v.k.String()
}

func (v kindValue) Set(s string) error {
	k, err := siglip.ParseLossKind(s)
	if err != nil {
		return err
	}
	*v.k = k
	return nil
}

func (kindValue) Type() string { return "sigmoid|softmax" }
