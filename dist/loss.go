package dist

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/siglip-go/siglip"
	"github.com/siglip-go/siglip/npy"
)

// LossJob is one distributed `siglip loss`: the input directory (img.npy,
// txt.npy, optional img_labels.npy and txt_labels.npy), the output directory
// (written by rank 0 only), the parameters, and the kernel threads per rank.
type LossJob struct {
	In, Out       string
	Params        siglip.Params
	Threads       int
	Bidirectional bool
}

// LossResult is what a rank of a distributed loss computed.
type LossResult struct {
	Loss           float64
	Images, Texts  int // global sizes
	D              int
	Rows           [2]int // this rank's images and texts
	Stats          siglip.RingStats
	GatherDuration time.Duration // gathering the gradients on rank 0
	Wrote          bool          // this rank wrote the outputs (rank 0)
}

// The input files of `siglip loss`.
const (
	imgFile      = "img.npy"
	txtFile      = "txt.npy"
	imgLabelFile = "img_labels.npy"
	txtLabelFile = "txt_labels.npy"
)

// inputError marks a problem with the input (exit status 2 in the CLI).
func inputError(err error) error {
	if errors.Is(err, siglip.ErrInvalidInput) || errors.Is(err, npy.ErrFormat) {
		return err
	}
	return fmt.Errorf("%w: %w", siglip.ErrInvalidInput, err)
}

// shape of the inputs, the same on every rank (read from the headers).
type lossInputs struct {
	img, txt           npyInfo
	imgLabel, txtLabel *npyInfo
	n, m, d            int
}

func probeInputs(dir string) (lossInputs, error) {
	var in lossInputs
	var err error
	if in.img, err = readNpyInfo(filepath.Join(dir, imgFile)); err != nil {
		return in, inputError(err)
	}
	if in.txt, err = readNpyInfo(filepath.Join(dir, txtFile)); err != nil {
		return in, inputError(err)
	}
	for _, h := range []npyInfo{in.img, in.txt} {
		if h.descr != npy.Float32 || len(h.shape) != 2 {
			return in, inputError(fmt.Errorf("%s: %s array of shape %v, want a 2-d (rows, d) float32 array", h.path, h.descr, h.shape))
		}
	}
	in.n, in.m, in.d = in.img.shape[0], in.txt.shape[0], in.img.shape[1]
	if in.txt.shape[1] != in.d {
		return in, inputError(fmt.Errorf("%s has width d = %d but %s has d = %d", in.img.path, in.d, in.txt.path, in.txt.shape[1]))
	}
	if in.n == 0 || in.m == 0 || in.d == 0 {
		return in, inputError(fmt.Errorf("empty batch: %d images and %d texts of width %d", in.n, in.m, in.d))
	}
	ip, tp := filepath.Join(dir, imgLabelFile), filepath.Join(dir, txtLabelFile)
	_, ie := os.Stat(ip)
	_, te := os.Stat(tp)
	switch {
	case errors.Is(ie, fs.ErrNotExist) && errors.Is(te, fs.ErrNotExist):
		if in.n != in.m {
			return in, inputError(fmt.Errorf("%s has %d images but %s has %d texts: without %s and %s the positives are the diagonal, which needs as many texts as images",
				in.img.path, in.n, in.txt.path, in.m, imgLabelFile, txtLabelFile))
		}
		return in, nil
	case errors.Is(te, fs.ErrNotExist):
		return in, inputError(fmt.Errorf("%s exists but %s does not: give both label files or neither", ip, tp))
	case errors.Is(ie, fs.ErrNotExist):
		return in, inputError(fmt.Errorf("%s exists but %s does not: give both label files or neither", tp, ip))
	}
	for _, x := range []struct {
		path string
		want int
		what string
		dst  **npyInfo
	}{{ip, in.n, "images", &in.imgLabel}, {tp, in.m, "texts", &in.txtLabel}} {
		h, err := readNpyInfo(x.path)
		if err != nil {
			return in, inputError(err)
		}
		if h.descr != npy.Int64 || len(h.shape) != 1 {
			return in, inputError(fmt.Errorf("%s: %s array of shape %v, want a 1-d int64 array", x.path, h.descr, h.shape))
		}
		if h.shape[0] != x.want {
			return in, inputError(fmt.Errorf("%s: %d labels for %d %s", x.path, h.shape[0], x.want, x.what))
		}
		*x.dst = &h
	}
	return in, nil
}

// readShard reads this rank's rows and checks that they are finite.
func readShard(in lossInputs, ilo, ihi, tlo, thi int) (img, txt siglip.Matrix, o siglip.LossOptions, err error) {
	read := func(h npyInfo, lo, hi int) (siglip.Matrix, error) {
		data, err := h.float32Rows(lo, hi)
		if err != nil {
			return siglip.Matrix{}, err
		}
		for k, v := range data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return siglip.Matrix{}, inputError(fmt.Errorf("%s: %v at row %d, col %d", h.path, v, lo+k/in.d, k%in.d))
			}
		}
		return siglip.Matrix{Rows: hi - lo, Cols: in.d, Data: data}, nil
	}
	if img, err = read(in.img, ilo, ihi); err != nil {
		return
	}
	if txt, err = read(in.txt, tlo, thi); err != nil {
		return
	}
	if in.imgLabel != nil {
		if o.ImageLabels, err = in.imgLabel.int64Rows(ilo, ihi); err != nil {
			return
		}
		if o.TextLabels, err = in.txtLabel.int64Rows(tlo, thi); err != nil {
			return
		}
	}
	return
}

// statusLen is the size of a rank's status in agree().
const statusLen = 512

// agree tells every rank whether every rank succeeded so far: each gives its
// error (or nil); all get the first failing rank's error, in its class
// (input errors stay input errors), or nil.
func (g *Group) agree(mine error) error {
	st := make([]byte, statusLen)
	if mine != nil {
		st[0] = 1
		if errors.Is(mine, siglip.ErrInvalidInput) || errors.Is(mine, npy.ErrFormat) {
			st[0] = 2
		}
		msg := mine.Error()
		if len(msg) > statusLen-1 {
			msg = msg[:statusLen-4] + "..."
		}
		copy(st[1:], msg)
	}
	all, err := g.AllGather(st)
	if err != nil {
		if mine != nil {
			return mine
		}
		return err
	}
	if mine != nil {
		return mine
	}
	for r := 0; r < g.Size(); r++ {
		s := all[r*statusLen : (r+1)*statusLen]
		if s[0] == 0 {
			continue
		}
		msg := strings.TrimRight(string(s[1:]), "\x00")
		if s[0] == 2 {
			return fmt.Errorf("%w: rank %d: %s", siglip.ErrInvalidInput, r, msg)
		}
		return fmt.Errorf("rank %d failed: %s", r, msg)
	}
	return nil
}

// RunLoss computes the sigmoid loss of the batch in job.In with the ring
// over the group's ranks: each rank reads its rows of the inputs (and
// labels), computes its part of the ring loss, and rank 0 gathers the
// gradients and writes OUT/loss.npy, dimg.npy, dtxt.npy, dtprime.npy and
// dbias.npy all or nothing, in the format of the unsharded command. Every
// rank returns an error if any rank failed (input problems wrap
// siglip.ErrInvalidInput or npy.ErrFormat; failures of other ranks are
// *siglip.PeerError), and then no output file has been written.
func (g *Group) RunLoss(job LossJob) (LossResult, error) {
	var res LossResult
	K, r := g.Size(), g.Rank()

	// Every rank checks the headers (the same files: the same verdict) and
	// reads its rows; then all agree before any computation.
	in, err := probeInputs(job.In)
	var img, txt siglip.Matrix
	var o siglip.LossOptions
	if err == nil {
		if r == 0 {
			if fi, serr := os.Stat(job.Out); serr == nil && !fi.IsDir() {
				err = inputError(fmt.Errorf("--out %s: exists and is not a directory", job.Out))
			}
		}
	}
	var ilo, ihi, tlo, thi int
	if err == nil {
		ilo, ihi = Rows(in.n, K, r)
		tlo, thi = Rows(in.m, K, r)
		img, txt, o, err = readShard(in, ilo, ihi, tlo, thi)
	}
	if err := g.agree(err); err != nil {
		return res, err
	}
	res.Images, res.Texts, res.D = in.n, in.m, in.d
	res.Rows = [2]int{ihi - ilo, thi - tlo}
	o.Threads = job.Threads

	loss, grads, st, err := g.RingLoss(img, txt, job.Params, o, siglip.RingOptions{Bidirectional: job.Bidirectional})
	if err != nil {
		return res, err
	}
	res.Loss, res.Stats = loss, st

	// Gather the gradients on rank 0.
	t0 := time.Now()
	imgLens, txtLens := make([]int, K), make([]int, K)
	for q := 0; q < K; q++ {
		lo, hi := Rows(in.n, K, q)
		imgLens[q] = (hi - lo) * in.d
		lo, hi = Rows(in.m, K, q)
		txtLens[q] = (hi - lo) * in.d
	}
	dimg, err := g.GatherFloat32(0, grads.Image.Data, imgLens)
	if err != nil {
		return res, err
	}
	dtxt, err := g.GatherFloat32(0, grads.Text.Data, txtLens)
	if err != nil {
		return res, err
	}
	res.GatherDuration = time.Since(t0)

	// Rank 0 writes; everyone learns whether that worked.
	var werr error
	if r == 0 {
		werr = writeLossOutputs(job.Out, loss, grads.TPrime, grads.Bias,
			siglip.Matrix{Rows: in.n, Cols: in.d, Data: dimg}, siglip.Matrix{Rows: in.m, Cols: in.d, Data: dtxt})
		res.Wrote = werr == nil
	}
	if err := g.agree(werr); err != nil {
		return res, err
	}
	return res, nil
}

// writeLossOutputs writes the five outputs all or nothing (creating out if
// it is missing, and removing it again if the write fails).
func writeLossOutputs(out string, loss, dtp, db float64, dimg, dtxt siglip.Matrix) error {
	created := false
	if _, err := os.Stat(out); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
		created = true
	}
	p := func(name string) string { return filepath.Join(out, name) }
	err := npy.WriteFiles(
		npy.File{Path: p("loss.npy"), Array: npy.Scalar(loss)},
		npy.File{Path: p("dimg.npy"), Array: npy.New(dimg.Data, dimg.Rows, dimg.Cols)},
		npy.File{Path: p("dtxt.npy"), Array: npy.New(dtxt.Data, dtxt.Rows, dtxt.Cols)},
		npy.File{Path: p("dtprime.npy"), Array: npy.Scalar(dtp)},
		npy.File{Path: p("dbias.npy"), Array: npy.Scalar(db)},
	)
	if err != nil && created {
		os.Remove(out) // only if still empty
	}
	return err
}
