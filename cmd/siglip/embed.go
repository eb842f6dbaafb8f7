package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/siglip-go/siglip"
	"github.com/siglip-go/siglip/npy"
)

// embedFlags are the flags of `siglip embed`.
type embedFlags struct {
	ckpt    string
	images  []string
	texts   string
	out     string
	threads int
	batch   int
}

func newEmbedCmd() *cobra.Command {
	var f embedFlags
	cmd := &cobra.Command{
		Use:   "embed --ckpt DIR (--images PATH... | --texts FILE) --out F.npy",
		Short: "Write the unit-norm embeddings of images or texts to a .npy file",
		Long: `Embeds images (PNG or JPEG files; a directory stands for its PNG and JPEG files
in name order) or texts (one per line of FILE) with a checkpoint written by
siglip train (a checkpoint directory, or a run directory: its latest readable
checkpoint), and writes them to F.npy: a float32 array of one unit-norm row per
image or text, in the order given. The file is written atomically, and not at
all when anything fails.

  siglip embed --ckpt /tmp/run --images a.png b.png --out img.npy
  siglip embed --ckpt /tmp/run --texts captions.txt --out txt.npy`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && !cmd.Flags().Changed("images") {
				return badInput("unexpected arguments %q (image paths follow --images)", args)
			}
			f.images = append(f.images, args...)
			return runEmbed(cmd.OutOrStdout(), f, cmd.Flags().Changed("images"))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.ckpt, "ckpt", "", "checkpoint or run directory (required)")
	fl.StringArrayVar(&f.images, "images", nil, "image files or directories (further paths may follow)")
	fl.StringVar(&f.texts, "texts", "", "file with one text per line")
	fl.StringVar(&f.out, "out", "", "output .npy file (required)")
	fl.IntVar(&f.threads, "threads", 0, "kernel threads (0: all cores)")
	fl.IntVar(&f.batch, "batch", 256, "images or texts per model call")
	cmd.MarkFlagRequired("ckpt")
	cmd.MarkFlagRequired("out")
	return cmd
}

func runEmbed(stdout io.Writer, f embedFlags, imagesGiven bool) error {
	switch {
	case f.ckpt == "" || f.out == "":
		return badInput("--ckpt and --out must not be empty")
	case imagesGiven == (f.texts != ""):
		return badInput("give either --images PATH... or --texts FILE")
	case f.threads < 0:
		return badInput("--threads %d: want >= 0 (0: all cores)", f.threads)
	case f.batch <= 0:
		return badInput("--batch %d: want > 0", f.batch)
	case !strings.HasSuffix(f.out, ".npy"):
		return badInput("--out %s: want a .npy file", f.out)
	}
	if fi, err := os.Stat(f.out); err == nil && fi.IsDir() {
		return badInput("--out %s is a directory", f.out)
	}
	if fi, err := os.Stat(filepath.Dir(f.out)); err != nil || !fi.IsDir() {
		return badInput("--out %s: the directory %s does not exist", f.out, filepath.Dir(f.out))
	}
	// The input first, then the model.
	var paths, texts []string
	if imagesGiven {
		var err error
		if paths, err = expandImages(f.images); err != nil {
			return err
		}
	} else {
		b, err := os.ReadFile(f.texts)
		if err != nil {
			return badInput("--texts: %v", err)
		}
		b = bytes.TrimSuffix(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"))
		if len(b) == 0 {
			return badInput("--texts %s: no texts", f.texts)
		}
		texts = strings.Split(string(b), "\n")
	}
	tr, err := siglip.LoadTrained(f.ckpt, f.threads)
	if err != nil {
		return checkpointError(trimmed{err, "siglip: "})
	}
	defer tr.Close()
	cfg := tr.Model.Config()
	var emb siglip.Matrix
	what := ""
	if imagesGiven {
		emb = siglip.NewMatrix(len(paths), cfg.EmbedDim)
		for lo := 0; lo < len(paths); lo += f.batch {
			hi := min(len(paths), lo+f.batch)
			px, err := loadImages(cfg, paths[lo:hi])
			if err != nil {
				return err
			}
			e, err := tr.Model.EmbedImages(px)
			if err != nil {
				return err
			}
			copy(emb.Data[lo*cfg.EmbedDim:], e.Data)
		}
		what = fmt.Sprintf("%d images", len(paths))
	} else {
		if emb, err = siglip.EmbedTextsWith(tr.Model, tr.Tokenizer, texts, f.batch); err != nil {
			return err
		}
		what = fmt.Sprintf("%d texts", len(texts))
	}
	if err := npy.Write(f.out, npy.New(emb.Data, emb.Rows, emb.Cols)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d x %d embeddings of %s to %s (checkpoint %s)\n", emb.Rows, emb.Cols, what, f.out, tr.Dir)
	return nil
}

// expandImages replaces each directory by its PNG and JPEG files in name
// order and checks that every path exists.
func expandImages(args []string) ([]string, error) {
	var out []string
	for _, p := range args {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, badInput("--images: %v", err)
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, badInput("--images: %v", err)
		}
		var names []string
		for _, e := range ents {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".png", ".jpg", ".jpeg":
				if !e.IsDir() {
					names = append(names, e.Name())
				}
			}
		}
		slices.Sort(names)
		if len(names) == 0 {
			return nil, badInput("--images %s: no PNG or JPEG files", p)
		}
		for _, n := range names {
			out = append(out, filepath.Join(p, n))
		}
	}
	if len(out) == 0 {
		return nil, badInput("--images: no image paths")
	}
	return out, nil
}
