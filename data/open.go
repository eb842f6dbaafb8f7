package data

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// OpenOptions configure Open.
type OpenOptions struct {
	// Split is "train" (the default) or "test". Emoji sets also take "all"
	// (train and test together). Folders and tar shards have one split and
	// ignore it.
	Split string
	// Seed seeds the generated data (the shapes' train stream).
	Seed uint64
	// CacheDir holds fetched data sets ("": $SIGLIP_CACHE_DIR, else
	// os.UserCacheDir()/siglip).
	CacheDir string

	// ImageSize is the side of the generated shapes' images (default 32).
	ImageSize int
	// EmojiClasses picks the zero-shot classes of the emoji sets:
	// "category" (the default) or "subcategory".
	EmojiClasses string
	// SkinTones adds the skin-tone variants of the emoji as examples of their
	// own, with the tones in their captions.
	SkinTones bool
}

// Names of the built-in data sets.
const (
	Shapes       = "shapes"
	MNIST        = "mnist"
	EmojiGoogle  = "emoji-google"
	EmojiTwitter = "emoji-twitter"
)

// validSpecs describes what Open accepts, for its errors.
const validSpecs = `shapes, mnist, emoji-google, emoji-twitter, a directory of images with captions.tsv or captions.jsonl, or webdataset tar shards ("path/shard-*.tar" or a .tar file)`

// Open opens one split of a data set: "shapes" (generated scenes), "mnist",
// "emoji-google" or "emoji-twitter" (after Fetch), a directory of images with
// captions.tsv or captions.jsonl (see OpenFolder), or webdataset-style tar
// shards: a .tar path or a glob of them (see OpenShards).
func Open(spec string, o OpenOptions) (Source, error) {
	switch spec {
	case Shapes:
		return newShapes(o.Split, o.Seed, o.ImageSize)
	case MNIST:
		return openMNIST(o)
	case EmojiGoogle, EmojiTwitter:
		return openEmoji(spec, o)
	case "":
		return nil, invalidf("no data set named: want %s", validSpecs)
	}
	if strings.ContainsAny(spec, "*?[") {
		return OpenShards(spec)
	}
	st, err := os.Stat(spec)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, invalidf("unknown data set %q (no such file or directory): want %s", spec, validSpecs)
		}
		return nil, fmt.Errorf("data set %q: %w", spec, err)
	}
	if st.IsDir() {
		return OpenFolder(spec)
	}
	if strings.HasSuffix(strings.ToLower(spec), ".tar") {
		return OpenShards(spec)
	}
	return nil, invalidf("unknown data set %q (a file, not a .tar shard): want %s", spec, validSpecs)
}

// CacheDir returns the cache directory for fetched data: dir when it is not
// empty, else $SIGLIP_CACHE_DIR, else os.UserCacheDir()/siglip.
func CacheDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	if d := os.Getenv("SIGLIP_CACHE_DIR"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("data: no cache directory (set SIGLIP_CACHE_DIR or pass one): %w", err)
	}
	return filepath.Join(d, "siglip"), nil
}

// Captioner is implemented by sources that can return a caption without
// decoding its image (all the sources of this package do).
type Captioner interface {
	Caption(i int) (string, error)
}

// CollectTexts returns the texts to build a vocabulary from: the captions of
// the first max examples of src (all of a finite source when max <= 0) and
// the prompts of its classes.
func CollectTexts(src Source, max int) ([]string, error) {
	n := src.Len()
	if n < 0 || (max > 0 && n > max) {
		n = max
	}
	if n < 0 {
		return nil, invalidf("collect texts: %s is endless: give a number of examples", src.Name())
	}
	texts := make([]string, 0, n)
	c, fast := src.(Captioner)
	for i := 0; i < n; i++ {
		var t string
		var err error
		if fast {
			t, err = c.Caption(i)
		} else {
			var ex Example
			ex, err = src.Example(i)
			t = ex.Caption
		}
		if err != nil {
			return nil, err
		}
		texts = append(texts, t)
	}
	for _, cl := range src.Classes() {
		texts = append(texts, cl.Prompts...)
	}
	return texts, nil
}
