package data

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // register JPEG
	_ "image/png"  // register PNG
	"io"
	"math"
	"sync"
)

// MaxImagePixels bounds the size of an image that DecodeImage accepts, so
// that a corrupt or hostile header cannot make it allocate gigabytes.
const MaxImagePixels = 64 << 20

// DecodeImage decodes a PNG or JPEG image. name (a file or member name) is
// used in the errors, which wrap ErrInvalid: unsupported format, corrupt
// data, empty or too large image.
func DecodeImage(r io.Reader, name string) (image.Image, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return decodeBytes(b, name)
}

func decodeBytes(b []byte, name string) (image.Image, error) {
	if len(b) == 0 {
		return nil, invalidf("%s: empty image file", name)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		if err == image.ErrFormat {
			return nil, invalidf("%s: unsupported image format (want PNG or JPEG)", name)
		}
		return nil, invalidf("%s: corrupt image: %v", name, err)
	}
	if format != "png" && format != "jpeg" {
		return nil, invalidf("%s: unsupported image format %s (want PNG or JPEG)", name, format)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, invalidf("%s: empty image (%dx%d)", name, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, invalidf("%s: image of %dx%d pixels is too large (at most %d pixels)", name, cfg.Width, cfg.Height, MaxImagePixels)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, invalidf("%s: corrupt %s image: %v", name, format, err)
	}
	return img, nil
}

// Normalisation of SigLIP: x -> (x/255 - Mean) / Std per channel.
const (
	Mean = 0.5
	Std  = 0.5
)

// Preprocess resizes img so that its shorter side is size, crops the centre
// size x size square, and writes it to dst (at least 3*size*size values) in
// CHW order (channel planes R, G, B, each row-major), normalised as
// (x/255 - 0.5)/0.5 to [-1, 1]. Shrinking averages the source pixels under
// each output pixel (an exact area filter); enlarging interpolates
// bilinearly. Grey images give three equal planes; transparent pixels are
// composited over white. An empty image gives zeros.
func Preprocess(img image.Image, size int, dst []float32) {
	b := img.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	side := math.Min(w, h)
	x0 := float64(b.Min.X) + (w-side)/2
	y0 := float64(b.Min.Y) + (h-side)/2
	PreprocessRegion(img, x0, y0, side, side, size, dst)
}

// PreprocessRegion is Preprocess of the region [x0, x0+w) x [y0, y0+h) of
// img (in img's coordinates; fractional edges are weighted), resampled to
// size x size (the aspect ratio is not kept).
func PreprocessRegion(img image.Image, x0, y0, w, h float64, size int, dst []float32) {
	if size <= 0 {
		return
	}
	plane := size * size
	if len(dst) < 3*plane {
		panic(fmt.Sprintf("data: Preprocess: dst has %d values, want 3*%d*%d = %d", len(dst), size, size, 3*plane))
	}
	dst = dst[:3*plane]
	b := img.Bounds()
	if b.Empty() || w <= 0 || h <= 0 {
		clear(dst)
		return
	}
	if w == float64(size) && h == float64(size) && x0 == math.Trunc(x0) && y0 == math.Trunc(y0) &&
		int(x0) >= b.Min.X && int(y0) >= b.Min.Y && int(x0)+size <= b.Max.X && int(y0)+size <= b.Max.Y {
		// No resampling: a copy.
		if m, ok := img.(*image.RGBA); ok {
			copyRGBA(m, int(x0), int(y0), size, dst)
			return
		}
		line := make([]float32, size*3)
		for oy := 0; oy < size; oy++ {
			readRow(img, int(x0), int(x0)+size, int(y0)+oy, line)
			for ox := 0; ox < size; ox++ {
				i := oy*size + ox
				dst[i] = normalise(line[ox*3])
				dst[plane+i] = normalise(line[ox*3+1])
				dst[2*plane+i] = normalise(line[ox*3+2])
			}
		}
		return
	}
	xs := axisWeights(x0-float64(b.Min.X), w, size, b.Dx())
	ys := axisWeights(y0-float64(b.Min.Y), h, size, b.Dy())

	// Source rows needed, then a horizontal pass into tmp (rows x size x 3),
	// then a vertical pass into dst.
	rlo, rhi := ys.lo, ys.hi
	rows := rhi - rlo
	tmp := make([]float32, rows*size*3)
	line := make([]float32, (xs.hi-xs.lo)*3)
	for r := 0; r < rows; r++ {
		readRow(img, b.Min.X+xs.lo, b.Min.X+xs.hi, b.Min.Y+rlo+r, line)
		out := tmp[r*size*3 : (r+1)*size*3]
		for o := 0; o < size; o++ {
			var cr, cg, cb float32
			for k, idx := range xs.idx[o] {
				wt := xs.wt[o][k]
				p := (idx - xs.lo) * 3
				cr += wt * line[p]
				cg += wt * line[p+1]
				cb += wt * line[p+2]
			}
			out[o*3], out[o*3+1], out[o*3+2] = cr, cg, cb
		}
	}
	for oy := 0; oy < size; oy++ {
		for ox := 0; ox < size; ox++ {
			var cr, cg, cb float32
			for k, idx := range ys.idx[oy] {
				wt := ys.wt[oy][k]
				p := ((idx-rlo)*size + ox) * 3
				cr += wt * tmp[p]
				cg += wt * tmp[p+1]
				cb += wt * tmp[p+2]
			}
			i := oy*size + ox
			dst[i] = normalise(cr)
			dst[plane+i] = normalise(cg)
			dst[2*plane+i] = normalise(cb)
		}
	}
}

// copyRGBA is the copy of PreprocessRegion (readRow, then normalise) of the
// size x size pixels of m from (x0, y0), by table: readRow's value of a
// channel c at alpha a is (float32(c) + float32(255-a)) * inv255, and the
// sum is the integer c+255-a in [0, 510], exact in float32, so
// rgbaNormalised[c+255-a] holds the same normalised value.
func copyRGBA(m *image.RGBA, x0, y0, size int, dst []float32) {
	lut := rgbaNormalised()
	plane := size * size
	r, g, b := dst[:plane], dst[plane:2*plane], dst[2*plane:3*plane]
	for oy := 0; oy < size; oy++ {
		p := m.Pix[m.PixOffset(x0, y0+oy):]
		p = p[:size*4]
		rr, gg, bb := r[oy*size:(oy+1)*size], g[oy*size:(oy+1)*size], b[oy*size:(oy+1)*size]
		for ox := range rr {
			q := p[ox*4 : ox*4+4 : ox*4+4]
			bg := 255 - int(q[3])
			rr[ox] = lut[int(q[0])+bg]
			gg[ox] = lut[int(q[1])+bg]
			bb[ox] = lut[int(q[2])+bg]
		}
	}
}

// rgbaNormalised returns the table of copyRGBA: normalise(float32(u) *
// inv255) for u in [0, 510], as readRow and PreprocessRegion compute it.
var rgbaNormalised = sync.OnceValue(func() *[511]float32 {
	var t [511]float32
	for u := range t {
		t[u] = normalise(float32(u) * inv255)
	}
	return &t
})

// byteValues returns the normalised value of each 8-bit intensity u, as
// Preprocess computes it (copyRGBA's table, for an opaque pixel): the
// values of Batch.Bytes.
var byteValues = sync.OnceValue(func() *[256]float32 {
	var t [256]float32
	copy(t[:], rgbaNormalised()[:256])
	return &t
})

// normalise maps an intensity in [0, 1] to (x - Mean)/Std.
func normalise(v float32) float32 {
	return (v - Mean) / Std
}

// weights of one axis: for output o, source indices idx[o] (relative to the
// image's Min) with weights wt[o] summing to 1; lo..hi bounds every index.
type weights struct {
	idx    [][]int
	wt     [][]float32
	lo, hi int
}

// axisWeights resamples the interval [start, start+length) of an axis of n
// pixels to size outputs: area weights when shrinking, bilinear (edge
// clamped) when enlarging.
func axisWeights(start, length float64, size, n int) weights {
	ws := weights{idx: make([][]int, size), wt: make([][]float32, size), lo: n, hi: 0}
	scale := length / float64(size)
	for o := 0; o < size; o++ {
		var idx []int
		var wt []float64
		if scale >= 1 {
			a := start + float64(o)*scale
			e := a + scale
			for k := int(math.Floor(a)); float64(k) < e; k++ {
				ov := math.Min(e, float64(k+1)) - math.Max(a, float64(k))
				if ov <= 1e-9 {
					continue
				}
				idx = append(idx, clampInt(k, 0, n-1))
				wt = append(wt, ov)
			}
		} else {
			c := start + (float64(o)+0.5)*scale - 0.5
			k := math.Floor(c)
			f := c - k
			k0 := clampInt(int(k), 0, n-1)
			k1 := clampInt(int(k)+1, 0, n-1)
			idx = []int{k0, k1}
			wt = []float64{1 - f, f}
		}
		var sum float64
		for _, v := range wt {
			sum += v
		}
		ws.idx[o] = idx
		ws.wt[o] = make([]float32, len(wt))
		for k, v := range wt {
			ws.wt[o][k] = float32(v / sum)
			ws.lo = min(ws.lo, idx[k])
			ws.hi = max(ws.hi, idx[k]+1)
		}
	}
	if ws.lo > ws.hi {
		ws.lo, ws.hi = 0, 0
	}
	return ws
}

func clampInt(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

const inv255 = 1.0 / 255
const inv65535 = 1.0 / 65535

// readRow writes the pixels [x0, x1) of row y of img as RGB triples in [0, 1]
// to line, transparent pixels composited over white.
func readRow(img image.Image, x0, x1, y int, line []float32) {
	switch m := img.(type) {
	case *image.RGBA: // premultiplied
		p := m.Pix[m.PixOffset(x0, y):]
		for i := 0; i < x1-x0; i++ {
			q := p[i*4 : i*4+4]
			bg := float32(255 - q[3])
			line[i*3] = (float32(q[0]) + bg) * inv255
			line[i*3+1] = (float32(q[1]) + bg) * inv255
			line[i*3+2] = (float32(q[2]) + bg) * inv255
		}
	case *image.NRGBA:
		p := m.Pix[m.PixOffset(x0, y):]
		for i := 0; i < x1-x0; i++ {
			q := p[i*4 : i*4+4]
			a := float32(q[3]) * inv255
			bg := 1 - a
			line[i*3] = float32(q[0])*inv255*a + bg
			line[i*3+1] = float32(q[1])*inv255*a + bg
			line[i*3+2] = float32(q[2])*inv255*a + bg
		}
	case *image.Gray:
		p := m.Pix[m.PixOffset(x0, y):]
		for i := 0; i < x1-x0; i++ {
			v := float32(p[i]) * inv255
			line[i*3], line[i*3+1], line[i*3+2] = v, v, v
		}
	case *image.YCbCr:
		for i := 0; i < x1-x0; i++ {
			yi := m.YOffset(x0+i, y)
			ci := m.COffset(x0+i, y)
			r, g, b := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			line[i*3] = float32(r) * inv255
			line[i*3+1] = float32(g) * inv255
			line[i*3+2] = float32(b) * inv255
		}
	default:
		for i := 0; i < x1-x0; i++ {
			r, g, b, a := img.At(x0+i, y).RGBA() // premultiplied, 16 bits
			bg := float32(0xffff - a)
			line[i*3] = (float32(r) + bg) * inv65535
			line[i*3+1] = (float32(g) + bg) * inv65535
			line[i*3+2] = (float32(b) + bg) * inv65535
		}
	}
}

// CropOptions configure the random resized crop of RandomCrop.
type CropOptions struct {
	// MinScale and MaxScale bound the fraction of the image's area that the
	// crop covers (defaults 0.35 and 1).
	MinScale, MaxScale float64
	// MinRatio and MaxRatio bound the crop's aspect ratio w/h (defaults 3/4
	// and 4/3), drawn log-uniformly.
	MinRatio, MaxRatio float64
}

func (o CropOptions) withDefaults() CropOptions {
	if o.MinScale <= 0 {
		o.MinScale = 0.35
	}
	if o.MaxScale <= 0 || o.MaxScale > 1 {
		o.MaxScale = 1
	}
	o.MinScale = min(o.MinScale, o.MaxScale)
	if o.MinRatio <= 0 {
		o.MinRatio = 3.0 / 4
	}
	if o.MaxRatio <= 0 {
		o.MaxRatio = 4.0 / 3
	}
	o.MinRatio = min(o.MinRatio, o.MaxRatio)
	return o
}

// RandomCrop draws a crop region of img as torchvision's RandomResizedCrop
// does (an area fraction and an aspect ratio, ten tries, then the centre
// crop), from the given keys only: the same keys give the same crop. It
// returns the region for PreprocessRegion. No flip: captions say "left of".
func RandomCrop(img image.Image, o CropOptions, keys ...uint64) (x0, y0, w, h float64) {
	o = o.withDefaults()
	b := img.Bounds()
	W, H := float64(b.Dx()), float64(b.Dy())
	r := newRNG(append([]uint64{saltAugment}, keys...)...)
	area := W * H
	for range 10 {
		a := area * r.uniform(o.MinScale, o.MaxScale)
		ratio := math.Exp(r.uniform(math.Log(o.MinRatio), math.Log(o.MaxRatio)))
		cw := math.Sqrt(a * ratio)
		ch := math.Sqrt(a / ratio)
		if cw <= W && ch <= H && cw >= 1 && ch >= 1 {
			x := float64(b.Min.X) + r.uniform(0, W-cw)
			y := float64(b.Min.Y) + r.uniform(0, H-ch)
			return x, y, cw, ch
		}
	}
	side := math.Min(W, H)
	return float64(b.Min.X) + (W-side)/2, float64(b.Min.Y) + (H-side)/2, side, side
}
