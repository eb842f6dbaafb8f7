package data

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"math"
	"os"
	"testing"
)

// The golden digests pin every pixel of the shapes scenes and of the
// loader's preprocessed Pixels: they were recorded from the renderer before
// it was optimised, and any change to a rendered value (or to Preprocess on
// these images) fails TestShapesGolden. SIGLIP_GOLDEN_PRINT=1 prints the
// current digests in the form of the table below.

type shapesGoldenCase struct {
	name    string
	split   string
	seed    uint64
	size    int // scene size
	first   int // first example index
	n       int // number of examples
	imgSize int // loader image size (0: size)
	augment bool
}

var shapesGoldenCases = []shapesGoldenCase{
	{name: "train32", split: "train", size: 32, n: 2000},
	{name: "test32", split: "test", size: 32, n: ShapesTestLen},
	{name: "train48", split: "train", size: 48, n: 2000},
	{name: "test48", split: "test", size: 48, n: ShapesTestLen},
	{name: "train64", split: "train", size: 64, n: 2000},
	{name: "test64", split: "test", size: 64, n: ShapesTestLen},
	{name: "train16", split: "train", seed: 5, size: 16, n: 500},
	{name: "train37", split: "train", seed: 9, size: 37, n: 500},
	{name: "far32", split: "train", seed: 12345, size: 32, first: 1000000, n: 500},
	{name: "train32aug", split: "train", seed: 7, size: 32, n: 1000, augment: true},
	{name: "train64to32", split: "train", size: 64, n: 500, imgSize: 32},
	{name: "train32to48", split: "train", size: 32, n: 500, imgSize: 48},
}

// The digests (RGBA bytes, loader Pixels as little-endian float32 bits).
var shapesGolden = map[string][2]string{
	"train32":     {"1f6d6d384f3fb598e2b702c2955575cde464f534362ddf3d89180ede26eeb09a", "d9cabb1f9908575db79fad2409b1cded157b2e9526ae0dc7bb2ad94159dcd800"},
	"test32":      {"ede12610c75b80d00e2d71e6451e73c9735df8f69e99c5c52fe37e22d08f39fe", "2be543389a6c33b0844ba875fe4bfd4c951f77254b09cc18d0cf6322b5f86ade"},
	"train48":     {"0f50978354827e03ef848ecb65afd63402a69162b4697a20f6230fbc33eb1fa3", "372c589af0562e86c19b8a94faadcbfdcdb14fe956e77b4e957673a1b93e43ce"},
	"test48":      {"1488807e9736f0aba51fa9ccf8aa8d652e9074c47c1fdfadca59892544d38b4e", "ec31da625ed171ea7431feec86e7cc313f889fa2356286d8a43f8db2a224125f"},
	"train64":     {"f1d1cb2ff6858d828ebc625337663a6ff68b1f692f9fd827869322dcbe171ee7", "a9c60463e8aaeb696b1f9c2cd9105fcd78303a85bbde49eb5b065429fc74f2df"},
	"test64":      {"af63112aed817d1179fb61bdf2d121d8c6cd97159a607da4d90f4469ea293c7b", "5b0eeb73aa999950a38f1dbdd7d8404ef05bb259e3573da7c2bbdf7a3ddbd61a"},
	"train16":     {"12b5118abde0bb9b1a328bc0be956a17cc0a4eb5364865e1b05c5dcf6e480717", "92701c3db3b9b78bab8e9ccab901a88183dff015ec19bc0a1f64fc2de1ac4ff5"},
	"train37":     {"b2e80311532024c7c8339a00ad1680249979974cd365b749288c82c5e9aff910", "10e3ac4892333f1ec4fff698e25984c473c09e801ee1de29d150b7f0cdde48a1"},
	"far32":       {"c69ec04ccfea1ca8d270d45f580e4b297f6e20dac5b2389d2f5ddd3c261e3b70", "6d2fedaf8b6ac84c6e6b211fafb981b98e5ad070a84bb8faf3477a5fa3857d09"},
	"train32aug":  {"0a056fb1370ed12953c6e430074a8528410d3894bf6319f1af6749f40bfed98f", "ca4f67dcfddaf8db87bdb560c73d0376838e813a41c9f7d8906d8f50b2def428"},
	"train64to32": {"0ce96876935348b79559688c0af4f0e6fdfd5caa7343e67f55838dbfcd973012", "2a3940999caae59138ddfad993264b6aa956abe19a1a7a728a7b099c288dba16"},
	"train32to48": {"5323bcedc2f4396c3d2e39d87f72f473e68a19e9e4db75e1824ed34abc214d42", "85fe0e9448d587899b7924727560181f8e43c0d75af7ac0842fc28f61bdc1de0"},
}

// shapesDigests renders the case's scenes and loads them, returning the
// SHA-256 of the RGBA bytes and of the Pixels.
func shapesDigests(t testing.TB, c shapesGoldenCase) (string, string) {
	src, err := Open(Shapes, OpenOptions{Split: c.split, Seed: c.seed, ImageSize: c.size})
	if err != nil {
		t.Fatal(err)
	}
	himg := sha256.New()
	for i := c.first; i < c.first+c.n; i++ {
		ex, err := src.Example(i)
		if err != nil {
			t.Fatal(err)
		}
		m := ex.Image.(*image.RGBA)
		if m.Rect != image.Rect(0, 0, c.size, c.size) || m.Stride != 4*c.size {
			t.Fatalf("%s: example %d: rect %v stride %d", c.name, i, m.Rect, m.Stride)
		}
		himg.Write(m.Pix)
	}
	imgSize := c.imgSize
	if imgSize == 0 {
		imgSize = c.size
	}
	// Batches of 250 in order from c.first (a multiple of 250 or 0).
	const bs = 250
	if c.first%bs != 0 || c.n%bs != 0 {
		t.Fatalf("%s: first %d and n %d must be multiples of %d", c.name, c.first, c.n, bs)
	}
	l, err := NewLoader(src, LoaderOptions{BatchSize: bs, ImageSize: imgSize, Seed: c.seed, Augment: c.augment})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Restore(LoaderState{Position: c.first / bs, Seed: c.seed}); err != nil {
		t.Fatal(err)
	}
	hpx := sha256.New()
	var buf []byte
	for k := 0; k < c.n/bs; k++ {
		b, err := l.Next()
		if err != nil {
			t.Fatal(err)
		}
		if b.Indices[0] != c.first+k*bs {
			t.Fatalf("%s: batch starts at %d, want %d", c.name, b.Indices[0], c.first+k*bs)
		}
		buf = buf[:0]
		for _, v := range b.Pixels {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
		hpx.Write(buf)
	}
	return hex.EncodeToString(himg.Sum(nil)), hex.EncodeToString(hpx.Sum(nil))
}

func TestShapesGolden(t *testing.T) {
	print := os.Getenv("SIGLIP_GOLDEN_PRINT") != ""
	cases := shapesGoldenCases
	if testing.Short() && !print {
		cases = cases[:2]
	}
	for _, c := range cases {
		img, px := shapesDigests(t, c)
		if print {
			fmt.Printf("\t%q: {%q, %q},\n", c.name, img, px)
			continue
		}
		want := shapesGolden[c.name]
		if img != want[0] {
			t.Errorf("%s: rendered images changed: digest %s, want %s", c.name, img, want[0])
		}
		if px != want[1] {
			t.Errorf("%s: loader pixels changed: digest %s, want %s", c.name, px, want[1])
		}
	}
}
