package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/siglip-go/siglip"
	"github.com/siglip-go/siglip/dist"
	"github.com/siglip-go/siglip/npy"
	"github.com/siglip-go/siglip/xla"
)

// lossFlags are the flags of `siglip loss`.
type lossFlags struct {
	in, out      string
	kind         siglip.LossKind
	tPrime, bias float32
	threads      int
	// The ring (see loss_dist.go): in-process shards, or ranks.
	shards        int
	bidirectional bool
	distributed   bool
	dist          dist.Flags
	// The backend: the C++ kernels, or XLA on a PJRT plugin (package xla).
	backend    string
	pjrtPlugin string
}

func newLossCmd() *cobra.Command {
	def := siglip.DefaultParams()
	f := lossFlags{kind: siglip.Sigmoid, tPrime: def.TPrime, bias: def.Bias}
	cmd := &cobra.Command{
		Use:   "loss --in DIR --out DIR",
		Short: "Compute a loss and its gradients from embeddings in .npy files",
		Long: `Reads DIR/img.npy (n x d float32 image embeddings), DIR/txt.npy (m x d float32
text embeddings) and, optionally, DIR/img_labels.npy and DIR/txt_labels.npy (int64,
n and m labels: (i, j) is a positive pair iff the labels are equal; without them
the positives are the diagonal, which needs n == m).

Writes, all or nothing, OUT/loss.npy, OUT/dtprime.npy and OUT/dbias.npy (float64
scalars: the loss and its derivatives in t' and b) and OUT/dimg.npy, OUT/dtxt.npy
(float32, n x d and m x d: its derivatives in the embeddings). OUT is created
if it is missing, once the input is checked and the loss computed.

--shards K splits the batch over K in-process shards that pass text blocks
round a ring (the paper's chunked sigmoid loss): the same outputs up to float32
rounding, with per-shard working memory O(n/K d).

--distributed runs one rank of a multi-process ring over Gloo: each rank reads
only its rows of the inputs, and rank 0 gathers the gradients and writes the
outputs (the same files as above, all or nothing). The rank, world size and
rendezvous come from the flags or from SIGLIP_RANK, SIGLIP_WORLD_SIZE and
SIGLIP_RENDEZVOUS (a shared directory, or redis://HOST:PORT); SIGLIP_TIMEOUT
(or --timeout) bounds every wait on another rank. siglip launch sets them:
  siglip launch -n 4 -- siglip loss --in DIR --out OUT --distributed`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLoss(cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.in, "in", "", "input directory (img.npy, txt.npy, optional img_labels.npy and txt_labels.npy)")
	fl.StringVar(&f.out, "out", "", "output directory, created if missing")
	fl.Var(kindValue{&f.kind}, "kind", "loss: sigmoid or softmax")
	fl.Float32Var(&f.tPrime, "t-prime", f.tPrime, "log temperature t' (t = exp(t'))")
	fl.Float32Var(&f.bias, "bias", f.bias, "bias b (the softmax loss has none)")
	fl.IntVar(&f.threads, "threads", 0, "kernel threads (0: all cores)")
	fl.IntVar(&f.shards, "shards", 0, "split the batch over K in-process ring shards (sigmoid only; 0 or 1: unsharded)")
	fl.BoolVar(&f.bidirectional, "bidirectional", false, "with --shards or --distributed: pass text blocks both ways round the ring")
	fl.BoolVar(&f.distributed, "distributed", false, "run as one rank of a ring over processes (see siglip launch)")
	fl.StringVar(&f.backend, "backend", "cpp", "loss backend: cpp (the fused C++ kernels) or xla (StableHLO on a PJRT plugin)")
	fl.StringVar(&f.pjrtPlugin, "pjrt-plugin", "", "with --backend xla: the PJRT plugin (.so file, a directory holding one, or a name); default: $PJRT_PLUGIN_LIBRARY_PATH, then gopjrt's directories")
	f.dist.Bind(fl)
	cmd.MarkFlagRequired("in")
	cmd.MarkFlagRequired("out")
	return cmd
}

func runLoss(stdout io.Writer, f lossFlags) error {
	// Flags first, then the input, then the computation; only then output.
	if f.in == "" || f.out == "" {
		return badInput("--in and --out must not be empty")
	}
	if f.threads < 0 {
		return badInput("--threads %d: want >= 0 (0: all cores)", f.threads)
	}
	p := siglip.Params{TPrime: f.tPrime, Bias: f.bias}
	if err := p.Validate(); err != nil {
		return badInput("--t-prime/--bias: %w", err)
	}
	if err := checkRingFlags(f); err != nil {
		return err
	}
	switch {
	case f.backend != "cpp" && f.backend != "xla":
		return badInput("--backend %q: want cpp or xla", f.backend)
	case f.pjrtPlugin != "" && f.backend != "xla":
		return badInput("--pjrt-plugin needs --backend xla")
	case f.backend == "xla" && (f.distributed || f.bidirectional):
		return badInput("--backend xla runs its ring over the devices of one PJRT client (--shards K); --distributed and --bidirectional are for the C++ backend")
	}
	if f.distributed {
		return runDistributedLoss(stdout, f, p)
	}
	if fi, err := os.Stat(f.out); err == nil && !fi.IsDir() {
		return badInput("--out %s: exists and is not a directory", f.out)
	}

	imgPath, txtPath := filepath.Join(f.in, "img.npy"), filepath.Join(f.in, "txt.npy")
	img, err := readMatrix(imgPath)
	if err != nil {
		return err
	}
	txt, err := readMatrix(txtPath)
	if err != nil {
		return err
	}
	if img.Cols != txt.Cols {
		return badInput("%s has width d = %d but %s has d = %d", imgPath, img.Cols, txtPath, txt.Cols)
	}
	o := siglip.LossOptions{Kind: f.kind, Threads: f.threads, Shards: f.shards}
	if o.ImageLabels, o.TextLabels, err = readLabels(f.in, img.Rows, txt.Rows); err != nil {
		return err
	}
	if o.ImageLabels == nil && img.Rows != txt.Rows {
		return badInput("%s has %d images but %s has %d texts: without img_labels.npy and txt_labels.npy the positives are the diagonal, which needs as many texts as images",
			imgPath, img.Rows, txtPath, txt.Rows)
	}

	var loss float64
	var g siglip.Gradients
	switch {
	case f.backend == "xla":
		xo := xla.Options{PluginPath: f.pjrtPlugin}
		if f.shards > 1 {
			xo.Shards = f.shards
			o.Shards = 0 // the XLA ring runs over the plugin's devices
		}
		loss, g, err = xla.Loss(xo, img, txt, p, o)
		if errors.Is(err, xla.ErrNoPlugin) {
			return usageError{err} // exit 2; the message says how to install one
		}
	case f.shards > 1 && f.bidirectional:
		loss, g, _, err = siglip.ShardedLoss(img, txt, p, o, f.shards, siglip.RingOptions{Bidirectional: true})
	default:
		loss, g, err = siglip.Loss(img, txt, p, o)
	}
	if err != nil {
		return fmt.Errorf("%s, %s: %w", imgPath, txtPath, err)
	}

	created := false
	if _, err := os.Stat(f.out); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return err
		}
		created = true
	}
	out := func(name string) string { return filepath.Join(f.out, name) }
	err = npy.WriteFiles(
		npy.File{Path: out("loss.npy"), Array: npy.Scalar(loss)},
		npy.File{Path: out("dimg.npy"), Array: npy.New(g.Image.Data, g.Image.Rows, g.Image.Cols)},
		npy.File{Path: out("dtxt.npy"), Array: npy.New(g.Text.Data, g.Text.Rows, g.Text.Cols)},
		npy.File{Path: out("dtprime.npy"), Array: npy.Scalar(g.TPrime)},
		npy.File{Path: out("dbias.npy"), Array: npy.Scalar(g.Bias)},
	)
	if err != nil {
		if created {
			os.Remove(f.out) // only if still empty
		}
		return err
	}
	fmt.Fprintf(stdout, "%s loss %.9g (%d images, %d texts, d = %d); wrote loss, dimg, dtxt, dtprime, dbias .npy to %s\n",
		f.kind, loss, img.Rows, txt.Rows, img.Cols, f.out)
	return nil
}

// readMatrix reads a 2-d float32 .npy file of finite values as a Matrix.
// Every error is a usage error that names the file.
func readMatrix(path string) (siglip.Matrix, error) {
	shape, data, err := npy.ReadAs[float32](path)
	if err != nil {
		return siglip.Matrix{}, usageError{err}
	}
	if len(shape) != 2 {
		return siglip.Matrix{}, badInput("%s: %d-d array of shape %v, want a 2-d (rows, d) float32 array", path, len(shape), shape)
	}
	m := siglip.Matrix{Rows: shape[0], Cols: shape[1], Data: data}
	if err := m.Validate(); err != nil {
		return siglip.Matrix{}, usageError{fmt.Errorf("%s: %w", path, err)}
	}
	return m, nil
}

// readLabels reads the optional label files of dir: both or neither must
// exist, int64, 1-d, with n and m labels.
func readLabels(dir string, n, m int) (imgLabels, txtLabels []int64, err error) {
	imgPath, txtPath := filepath.Join(dir, "img_labels.npy"), filepath.Join(dir, "txt_labels.npy")
	exists := func(p string) (bool, error) {
		_, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return err == nil, err
	}
	hasImg, err := exists(imgPath)
	if err != nil {
		return nil, nil, usageError{err}
	}
	hasTxt, err := exists(txtPath)
	if err != nil {
		return nil, nil, usageError{err}
	}
	switch {
	case !hasImg && !hasTxt:
		return nil, nil, nil
	case !hasTxt:
		return nil, nil, badInput("%s exists but %s does not: give both label files or neither", imgPath, txtPath)
	case !hasImg:
		return nil, nil, badInput("%s exists but %s does not: give both label files or neither", txtPath, imgPath)
	}
	read := func(path string, want int, what string) ([]int64, error) {
		shape, data, err := npy.ReadAs[int64](path)
		if err != nil {
			return nil, usageError{err}
		}
		if len(shape) != 1 {
			return nil, badInput("%s: %d-d array of shape %v, want a 1-d int64 array", path, len(shape), shape)
		}
		if len(data) != want {
			return nil, badInput("%s: %d labels for %d %s", path, len(data), want, what)
		}
		return data, nil
	}
	if imgLabels, err = read(imgPath, n, "images"); err != nil {
		return nil, nil, err
	}
	if txtLabels, err = read(txtPath, m, "texts"); err != nil {
		return nil, nil, err
	}
	return imgLabels, txtLabels, nil
}
