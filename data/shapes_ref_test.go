package data

import (
	"image"
	"math"
	"slices"
	"testing"
)

// refInside is the original SceneObject.inside, frozen: it reports whether the point (x, y) lies in the object.
func refInside(o SceneObject, x, y float64) bool {
	dx, dy := x-o.X, y-o.Y
	r := o.R
	switch o.Shape {
	case 0: // circle
		return dx*dx+dy*dy <= r*r
	case 1: // square, of about the circle's area
		h := 0.88 * r
		return math.Abs(dx) <= h && math.Abs(dy) <= h
	case 2: // triangle, apex up
		top, bottom := -r, 0.8*r
		if dy < top || dy > bottom {
			return false
		}
		return math.Abs(dx) <= 1.1*r*(dy-top)/(bottom-top)
	default: // cross (a plus sign)
		w := 0.36 * r
		return (math.Abs(dx) <= r && math.Abs(dy) <= w) || (math.Abs(dy) <= r && math.Abs(dx) <= w)
	}
}

// refRenderScene is the original RenderScene, frozen as the reference of
// TestRenderSceneMatchesReference. It rasterises a scene, anti-aliased by 4x4 supersampling of the
// pixels on an object's edge (a pixel whose corners and centre all lie on
// the same side of the edge is taken as uniform).
func refRenderScene(sc Scene, size int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	buf := make([]float32, size*size*3)
	for i := 0; i < size*size; i++ {
		buf[i*3], buf[i*3+1], buf[i*3+2] = float32(sc.Background[0]), float32(sc.Background[1]), float32(sc.Background[2])
	}
	const ss = 4
	var corners []bool
	for _, o := range sc.Objects {
		x0 := max(0, int(math.Floor(o.X-1.2*o.R-1)))
		x1 := min(size, int(math.Ceil(o.X+1.2*o.R+1)))
		y0 := max(0, int(math.Floor(o.Y-1.2*o.R-1)))
		y1 := min(size, int(math.Ceil(o.Y+1.2*o.R+1)))
		if x0 >= x1 || y0 >= y1 {
			continue
		}
		cw := x1 - x0 + 1
		corners = corners[:0]
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				corners = append(corners, refInside(o, float64(x), float64(y)))
			}
		}
		rgb := [3]float32{float32(o.RGB[0]), float32(o.RGB[1]), float32(o.RGB[2])}
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				k := (y-y0)*cw + (x - x0)
				c := corners[k]
				var cov float32
				if c == corners[k+1] && c == corners[k+cw] && c == corners[k+cw+1] && c == refInside(o, float64(x)+0.5, float64(y)+0.5) {
					if !c {
						continue
					}
					cov = 1
				} else {
					n := 0
					for sy := range ss {
						for sx := range ss {
							if refInside(o, float64(x)+(float64(sx)+0.5)/ss, float64(y)+(float64(sy)+0.5)/ss) {
								n++
							}
						}
					}
					if n == 0 {
						continue
					}
					cov = float32(n) / (ss * ss)
				}
				p := (y*size + x) * 3
				for c := range 3 {
					buf[p+c] = buf[p+c]*(1-cov) + rgb[c]*cov
				}
			}
		}
	}
	for i := 0; i < size*size; i++ {
		img.Pix[i*4] = uint8(buf[i*3] + 0.5)
		img.Pix[i*4+1] = uint8(buf[i*3+1] + 0.5)
		img.Pix[i*4+2] = uint8(buf[i*3+2] + 0.5)
		img.Pix[i*4+3] = 255
	}
	return img
}

// TestRenderSceneMatchesReference compares RenderScene with the original
// renderer on many scenes, generated and perturbed (objects partly or wholly
// outside the image, tiny and huge radii, every shape), at several sizes.
func TestRenderSceneMatchesReference(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	r := newRNG(424242)
	for i := range n {
		size := []int{16, 17, 24, 32, 33, 48, 64, 96}[i%8]
		sc := GenerateScene(uint64(i%7), i, size)
		if i%3 == 0 {
			S := float64(size)
			for k := range sc.Objects {
				o := &sc.Objects[k]
				o.Shape = r.intn(len(ShapeNames))
				o.X = r.uniform(-0.3*S, 1.3*S)
				o.Y = r.uniform(-0.3*S, 1.3*S)
				o.R = S * r.uniform(0, 0.6)
				if r.float() < 0.1 {
					o.R = r.uniform(0, 1.5)
				}
				if r.float() < 0.1 {
					o.X, o.Y = math.Round(o.X*2)/2, math.Round(o.Y*2)/2
					o.R = math.Round(o.R*4) / 4
				}
				for c := range 3 {
					o.RGB[c] = r.uniform(0, 255)
				}
			}
			if r.float() < 0.3 {
				sc.Background = [3]float64{r.uniform(0, 255), r.uniform(0, 255), r.uniform(0, 255)}
			}
		}
		got := RenderScene(sc, size)
		want := refRenderScene(sc, size)
		if got.Rect != want.Rect || got.Stride != want.Stride || !slices.Equal(got.Pix, want.Pix) {
			t.Fatalf("scene %d (size %d, %+v): RenderScene differs from the reference", i, size, sc)
		}
	}
}

// BenchmarkRenderScene measures the rendering of quick-start scenes (32 px).
func BenchmarkRenderScene(b *testing.B) {
	scs := make([]Scene, 256)
	for i := range scs {
		scs[i] = GenerateScene(1, i, 32)
	}
	defer cpuTimer(b)()
	for i := range b.N {
		RenderScene(scs[i%len(scs)], 32)
	}
}

// BenchmarkShapesExample measures Example (generate and render) plus the
// loader's Preprocess of one quick-start scene, on one goroutine.
func BenchmarkShapesExample(b *testing.B) {
	src, _ := Open(Shapes, OpenOptions{})
	dst := make([]float32, 3*32*32)
	defer cpuTimer(b)()
	for i := range b.N {
		ex, err := src.Example(i)
		if err != nil {
			b.Fatal(err)
		}
		Preprocess(ex.Image, 32, dst)
	}
}

// BenchmarkRenderSceneRef is BenchmarkRenderScene of the original renderer,
// for comparison.
func BenchmarkRenderSceneRef(b *testing.B) {
	scs := make([]Scene, 256)
	for i := range scs {
		scs[i] = GenerateScene(1, i, 32)
	}
	defer cpuTimer(b)()
	for i := range b.N {
		refRenderScene(scs[i%len(scs)], 32)
	}
}

// TestCopyRGBAMatchesReadRow compares the table copy of Preprocess for
// *image.RGBA with readRow and normalise, on random pixels of every alpha.
func TestCopyRGBAMatchesReadRow(t *testing.T) {
	r := newRNG(99)
	for _, size := range []int{1, 7, 32} {
		m := image.NewRGBA(image.Rect(-3, 2, size+5, size+9))
		for i := range m.Pix {
			m.Pix[i] = uint8(r.intn(256))
		}
		x0, y0 := -1, 4
		got := make([]float32, 3*size*size)
		PreprocessRegion(m, float64(x0), float64(y0), float64(size), float64(size), size, got)
		want := make([]float32, 3*size*size)
		line := make([]float32, size*3)
		plane := size * size
		for oy := 0; oy < size; oy++ {
			readRow(m, x0, x0+size, y0+oy, line)
			for ox := 0; ox < size; ox++ {
				i := oy*size + ox
				want[i] = normalise(line[ox*3])
				want[plane+i] = normalise(line[ox*3+1])
				want[2*plane+i] = normalise(line[ox*3+2])
			}
		}
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("size %d: value %d is %v, want %v", size, i, got[i], want[i])
			}
		}
	}
}

// TestRenderScenePlanesMatchesReference checks the loader's direct path for
// the scenes: renderScenePlanes must write, bit for bit, the normalised
// values of the frozen point-by-point renderer read through readRow (not
// through copyRGBA's table, which renderScenePlanes shares), into a
// destination full of NaNs so that a value it forgot would show.
func TestRenderScenePlanesMatchesReference(t *testing.T) {
	for _, size := range []int{16, 23, 32, 64} {
		plane := size * size
		got := make([]float32, 3*plane)
		line := make([]float32, size*3)
		for i := range 300 {
			sc := GenerateScene(uint64(size), i, size)
			for k := range got {
				got[k] = float32(math.NaN())
			}
			renderScenePlanes(sc, size, got)
			ref := refRenderScene(sc, size)
			for y := range size {
				readRow(ref, 0, size, y, line)
				for x := range size {
					for c := range 3 {
						want := normalise(line[x*3+c])
						if g := got[c*plane+y*size+x]; math.Float32bits(g) != math.Float32bits(want) {
							t.Fatalf("size %d scene %d: channel %d pixel (%d, %d) is %v, want %v", size, i, c, x, y, g, want)
						}
					}
				}
			}
		}
	}
}

// BenchmarkRenderScenePlanes measures the loader's direct path for 32 px
// scenes (256 of them in turn, into a batch-sized buffer, as the loader
// renders them).
func BenchmarkRenderScenePlanes(b *testing.B) {
	const n, size = 256, 32
	scenes := make([]Scene, n)
	for i := range scenes {
		scenes[i] = GenerateScene(1, i, size)
	}
	dst := make([]float32, n*3*size*size)
	done := cpuTimer(b)
	for i := range b.N {
		k := i % n
		renderScenePlanes(scenes[k], size, dst[k*3*size*size:(k+1)*3*size*size])
	}
	done()
}
