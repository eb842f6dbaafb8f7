package data

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"testing"
)

// v is the normalised value of an 8-bit intensity.
func v(x float64) float32 { return float32((x/255 - 0.5) / 0.5) }

func near(a, b float32, tol float64) bool { return math.Abs(float64(a-b)) <= tol }

func rgbaOf(w, h int, f func(x, y int) color.RGBA) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetRGBA(x, y, f(x, y))
		}
	}
	return m
}

func TestPreprocess(t *testing.T) {
	// 2x2 with distinct channels: the identity resample, NCHW order.
	id2 := rgbaOf(2, 2, func(x, y int) color.RGBA {
		k := uint8(y*2 + x)
		return color.RGBA{10 + k, 100 + k, 200 + k, 255}
	})
	// 4x4: 2x2 blocks of constant values, averaged by the area filter.
	blocks := rgbaOf(4, 4, func(x, y int) color.RGBA {
		vals := [4]uint8{0, 60, 120, 255}
		k := vals[(y/2)*2+x/2]
		return color.RGBA{k, k, k, 255}
	})
	// 4x2: centre crop takes columns 1 and 2.
	wide := rgbaOf(4, 2, func(x, y int) color.RGBA {
		k := uint8(x * 50)
		return color.RGBA{k, k, k, 255}
	})
	// A 2x2 block with an odd pixel, averaged down to 1x1.
	avg := rgbaOf(2, 2, func(x, y int) color.RGBA {
		if x == 1 && y == 1 {
			return color.RGBA{255, 0, 0, 255}
		}
		return color.RGBA{0, 0, 0, 255}
	})
	grey := image.NewGray(image.Rect(0, 0, 2, 2))
	grey.Pix = []uint8{0, 85, 170, 255}
	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	nrgba.Pix = []uint8{255, 0, 0, 0 /* transparent: white */, 255, 0, 0, 255}
	halfPre := image.NewRGBA(image.Rect(0, 0, 1, 1))
	halfPre.Pix = []uint8{100, 0, 0, 128} // premultiplied: over white = c + 255 - a
	pal := image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.RGBA{10, 20, 30, 255}, color.RGBA{200, 100, 0, 255}})
	pal.Pix = []uint8{0, 1, 1, 0}
	offset := image.NewRGBA(image.Rect(5, 7, 7, 9)) // bounds not at the origin
	copy(offset.Pix, id2.Pix)

	tests := []struct {
		name string
		img  image.Image
		size int
		want []float32
	}{
		{"identity", id2, 2, []float32{v(10), v(11), v(12), v(13), v(100), v(101), v(102), v(103), v(200), v(201), v(202), v(203)}},
		{"offset bounds", offset, 2, []float32{v(10), v(11), v(12), v(13), v(100), v(101), v(102), v(103), v(200), v(201), v(202), v(203)}},
		{"area", blocks, 2, []float32{v(0), v(60), v(120), v(255), v(0), v(60), v(120), v(255), v(0), v(60), v(120), v(255)}},
		{"centre crop", wide, 2, []float32{v(50), v(100), v(50), v(100), v(50), v(100), v(50), v(100), v(50), v(100), v(50), v(100)}},
		{"average", avg, 1, []float32{v(255.0 / 4), v(0), v(0)}},
		{"grey", grey, 2, []float32{v(0), v(85), v(170), v(255), v(0), v(85), v(170), v(255), v(0), v(85), v(170), v(255)}},
		{"alpha", nrgba, 1, []float32{v(255), v(127.5), v(127.5)}},
		{"premultiplied alpha", halfPre, 1, []float32{v(227), v(127), v(127)}},
		{"paletted", pal, 2, []float32{v(10), v(200), v(200), v(10), v(20), v(100), v(100), v(20), v(30), v(0), v(0), v(30)}},
		{"enlarge constant", rgbaOf(1, 1, func(int, int) color.RGBA { return color.RGBA{255, 0, 51, 255} }), 3,
			[]float32{1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1, -1, v(51), v(51), v(51), v(51), v(51), v(51), v(51), v(51), v(51)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]float32, 3*tt.size*tt.size+1)
			dst[len(dst)-1] = 42
			Preprocess(tt.img, tt.size, dst)
			for i, w := range tt.want {
				if !near(dst[i], w, 1e-5) {
					t.Fatalf("dst = %v,\nwant %v (first difference at %d)", dst[:len(tt.want)], tt.want, i)
				}
			}
			if dst[len(dst)-1] != 42 {
				t.Error("Preprocess wrote past 3*size*size")
			}
		})
	}
}

func TestPreprocessBilinear(t *testing.T) {
	// 2x1 -> crop 1x1 (centre crop of a 2x1 image keeps a 1-pixel square at
	// x = 0.5..1.5), enlarged to 2: bilinear between the two pixels.
	img := rgbaOf(2, 1, func(x, y int) color.RGBA {
		k := uint8(x * 200)
		return color.RGBA{k, k, k, 255}
	})
	dst := make([]float32, 3*2*2)
	Preprocess(img, 2, dst)
	// Output centres at x = 0.75 and 1.25 in pixel units, i.e. 0.25 and 0.75
	// between the pixel centres 0.5 and 1.5.
	want := []float32{v(50), v(150), v(50), v(150)}
	for i, w := range want {
		if !near(dst[i], w, 1e-5) {
			t.Fatalf("dst %v, want %v", dst[:4], want)
		}
	}
}

func TestPreprocessJPEG(t *testing.T) {
	img := rgbaOf(16, 16, func(x, y int) color.RGBA { return color.RGBA{200, 40, 90, 255} })
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	dec, err := DecodeImage(&buf, "x.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dec.(*image.YCbCr); !ok {
		t.Fatalf("decoded %T, want *image.YCbCr", dec)
	}
	dst := make([]float32, 3*4*4)
	Preprocess(dec, 4, dst)
	for c, want := range []float32{v(200), v(40), v(90)} {
		if !near(dst[c*16+5], want, 0.04) {
			t.Errorf("channel %d: %v, want about %v", c, dst[c*16+5], want)
		}
	}
}

func TestDecodeImageErrors(t *testing.T) {
	var pngBuf, gifBuf bytes.Buffer
	png.Encode(&pngBuf, rgbaOf(4, 4, func(int, int) color.RGBA { return color.RGBA{1, 2, 3, 255} }))
	gif.Encode(&gifBuf, image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.Black}), nil)
	good := pngBuf.Bytes()
	if _, err := decodeBytes(good, "ok.png"); err != nil {
		t.Fatalf("good PNG: %v", err)
	}
	tests := []struct {
		name string
		data []byte
		msg  string
	}{
		{"empty.png", nil, "empty image file"},
		{"text.png", []byte("hello, world"), "unsupported image format"},
		{"anim.gif", gifBuf.Bytes(), "unsupported image format gif"},
		{"truncated.png", good[:len(good)/2], "corrupt"},
		{"header-only.png", good[:20], "corrupt"},
	}
	for _, tt := range tests {
		_, err := decodeBytes(tt.data, tt.name)
		if err == nil || !errors.Is(err, ErrInvalid) || !bytes.Contains([]byte(err.Error()), []byte(tt.msg)) || !bytes.Contains([]byte(err.Error()), []byte(tt.name)) {
			t.Errorf("%s: error %v, want one naming the file and saying %q", tt.name, err, tt.msg)
		}
	}
}

func TestRandomCrop(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	seen := map[[4]float64]bool{}
	for i := range 50 {
		x, y, w, h := RandomCrop(img, CropOptions{}, 7, 0, uint64(i))
		x2, y2, w2, h2 := RandomCrop(img, CropOptions{}, 7, 0, uint64(i))
		if x != x2 || y != y2 || w != w2 || h != h2 {
			t.Fatal("RandomCrop is not deterministic")
		}
		if x < 0 || y < 0 || x+w > 40+1e-9 || y+h > 30+1e-9 || w*h < 0.35*1200-1e-6 {
			t.Fatalf("crop %v %v %v %v outside the image or too small", x, y, w, h)
		}
		if r := w / h; r < 0.75-1e-9 || r > 4.0/3+1e-9 {
			if !(w == 30 && h == 30) { // fallback centre crop
				t.Fatalf("ratio %v", r)
			}
		}
		seen[[4]float64{x, y, w, h}] = true
	}
	if len(seen) < 45 {
		t.Errorf("only %d distinct crops of 50", len(seen))
	}
}
