package main

import "github.com/spf13/cobra"

// newBenchCmd is the parent of the benchmarks (`siglip bench loss`, ...);
// each benchmark registers under it in newRootCmd.
func newBenchCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "bench",
		Short: "Benchmarks, measured against the machine's sgemm roofline",
		Long: `Benchmarks time the kernels and compare them with the machine's float32 GEMM
(OpenBLAS, same threads, measured in the same run): the roofline of the loss is
the GEMMs it needs, so time / ideal near 1 means the rest of the work is free.`,
		Args: cobra.NoArgs, // an unknown benchmark is a usage error, not help
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
}
