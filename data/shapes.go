package data

import (
	"fmt"
	"image"
	"math"
	"strconv"
	"strings"
	"sync"
)

// The built-in synthetic scenes: 1 to 3 coloured shapes on a dark background
// with compositional captions. Every scene has a main object, the largest
// (or, when all are alike, any of them), whose "colour shape" is
// Scene.Class, e.g. "red circle". A scene whose objects are all of one class
// (single, same) has that zero-shot class; a scene that shows two classes
// (pair, group) has none: its Example.Class is -1 (one label cannot say what
// such an image shows; it serves retrieval, not classification).
//
// Scene kinds (probability):
//
//	single   0.35  "a large red circle"            one object, large or small
//	pair     0.30  "a large red circle left of a small blue square"
//	               (or the other way round: "a small blue square right of a
//	               large red circle"); left of / right of / above / below
//	same     0.20  "two large red circles", "three small red circles"
//	group    0.15  "a large red circle and two small blue squares"
//
// and a caption starts with "a photo of " one time in ten. The train split is
// an endless stream seeded by OpenOptions.Seed; the test split is a fixed set
// of ShapesTestLen scenes from a separate stream that does not depend on the
// seed. Example(i) depends only on (seed, split, i).

// ShapeNames and ColourNames list the shapes and colours of the scenes; the
// classes are every colour-shape pair, colour-major: class c*len(ShapeNames)+s
// is ColourNames[c]+" "+ShapeNames[s].
var (
	ShapeNames  = []string{"circle", "square", "triangle", "cross"}
	ColourNames = []string{"red", "green", "blue", "yellow", "purple"}
)

var shapePlurals = []string{"circles", "squares", "triangles", "crosses"}

var colourRGB = [][3]float64{
	{220, 40, 40},  // red
	{40, 185, 60},  // green
	{50, 90, 235},  // blue
	{235, 215, 40}, // yellow
	{160, 60, 210}, // purple
}

// ShapesTestLen is the number of scenes of the test split.
const ShapesTestLen = 1000

// DefaultShapesSize is the default size of the scenes' images.
const DefaultShapesSize = 32

// ShapesClasses returns the zero-shot classes of the scenes.
func ShapesClasses() []Class {
	var cs []Class
	for _, c := range ColourNames {
		for s := range ShapeNames {
			n := c + " " + ShapeNames[s]
			cs = append(cs, Class{Name: n, Prompts: []string{
				"a " + n,
				"a large " + n,
				"a small " + n,
				"a photo of a " + n,
				"two " + c + " " + shapePlurals[s],
				"three " + c + " " + shapePlurals[s],
			}})
		}
	}
	return cs
}

// SceneObject is one shape of a scene.
type SceneObject struct {
	Shape, Colour int     // indices into ShapeNames and ColourNames
	X, Y, R       float64 // centre and radius in pixels
	Large         bool
	RGB           [3]float64
}

// Scene is a generated scene before rasterisation.
type Scene struct {
	Objects    []SceneObject // Objects[0] is the main object
	Background [3]float64
	Caption    string
	Class      int  // the main object's colour-shape class
	Mixed      bool // the scene shows two classes (pair, group): no zero-shot class
}

type shapesSource struct {
	name   string
	seed   uint64
	length int // -1: endless
	size   int
	test   bool
}

func newShapes(split string, seed uint64, size int) (*shapesSource, error) {
	if size <= 0 {
		size = DefaultShapesSize
	}
	if size < 16 {
		return nil, invalidf("shapes: image size %d is too small (at least 16)", size)
	}
	switch split {
	case "", "train":
		return &shapesSource{name: "shapes/train", seed: hashKeys(saltShapes, seed), length: -1, size: size}, nil
	case "test":
		return &shapesSource{name: "shapes/test", seed: hashKeys(saltShapes, saltTest), length: ShapesTestLen, size: size, test: true}, nil
	}
	return nil, invalidf("shapes: unknown split %q (want train or test)", split)
}

func (s *shapesSource) Name() string      { return s.name }
func (s *shapesSource) Len() int          { return s.length }
func (s *shapesSource) Classes() []Class  { return ShapesClasses() }
func (s *shapesSource) Close() error      { return nil }
func (s *shapesSource) key(i int) string  { return s.name + "/" + strconv.Itoa(i) }
func (s *shapesSource) scene(i int) Scene { return GenerateScene(s.seed, i, s.size) }

func (s *shapesSource) check(i int) error {
	if i < 0 || (s.length >= 0 && i >= s.length) {
		return invalidf("%s: example %d out of range [0, %d)", s.name, i, s.length)
	}
	return nil
}

func (s *shapesSource) Example(i int) (Example, error) {
	if err := s.check(i); err != nil {
		return Example{}, err
	}
	sc := s.scene(i)
	class := sc.Class
	if sc.Mixed {
		class = -1
	}
	return Example{Key: s.key(i), Image: RenderScene(sc, s.size), Caption: sc.Caption, Class: class}, nil
}

// canWrite, exampleInto and exampleBytesInto implement pixelSource, at the
// scenes' own size.
func (s *shapesSource) canWrite(size int) bool { return size == s.size }

func (s *shapesSource) exampleInto(i, size int, dst []float32) (Example, bool, error) {
	return s.writeExample(i, size, func(sc Scene) { renderScenePlanes(sc, size, dst) })
}

func (s *shapesSource) exampleBytesInto(i, size int, dst []uint8) (Example, bool, error) {
	return s.writeExample(i, size, func(sc Scene) { renderSceneBytes(sc, size, dst) })
}

func (s *shapesSource) writeExample(i, size int, render func(Scene)) (Example, bool, error) {
	if size != s.size {
		return Example{}, false, nil
	}
	if err := s.check(i); err != nil {
		return Example{}, false, err
	}
	sc := s.scene(i)
	class := sc.Class
	if sc.Mixed {
		class = -1
	}
	render(sc)
	return Example{Key: s.key(i), Caption: sc.Caption, Class: class}, true, nil
}

// Caption returns the caption of example i without drawing it.
func (s *shapesSource) Caption(i int) (string, error) {
	if err := s.check(i); err != nil {
		return "", err
	}
	return s.scene(i).Caption, nil
}

// GenerateScene draws scene i of the stream with the given seed for images
// of size x size pixels.
func GenerateScene(seed uint64, i int, size int) Scene {
	r := newRNG(seed, uint64(i))
	S := float64(size)
	main := SceneObject{Shape: r.intn(len(ShapeNames)), Colour: r.intn(len(ColourNames))}
	other := main
	for other.Shape == main.Shape && other.Colour == main.Colour {
		other = SceneObject{Shape: r.intn(len(ShapeNames)), Colour: r.intn(len(ColourNames))}
	}
	largeR := func() float64 { return S * r.uniform(0.22, 0.27) }
	smallR := func() float64 { return S * r.uniform(0.14, 0.17) }
	sc := Scene{Class: main.Colour*len(ShapeNames) + main.Shape}
	bg := r.uniform(0, 45)
	sc.Background = [3]float64{bg, bg, bg}

	var caption string
	kind := r.float()
	switch {
	case kind < 0.35: // single
		o := main
		o.Large = r.float() < 0.7
		if o.Large {
			o.R = largeR()
		} else {
			o.R = smallR()
		}
		sc.Objects = []SceneObject{o}
		placeFree(r, S, sc.Objects)
		caption = "a " + phrase(o)
	case kind < 0.65: // pair with a relation
		m, o := main, other
		m.Large, m.R = true, largeR()
		o.Large, o.R = false, smallR()
		sc.Objects = []SceneObject{m, o}
		rel := r.intn(4) // 0: m left of o, 1: m right of o, 2: m above o, 3: m below o
		placePair(r, S, &sc.Objects[0], &sc.Objects[1], rel)
		rels := []string{"left of", "right of", "above", "below"}
		inverse := []int{1, 0, 3, 2}
		if r.float() < 0.5 {
			caption = "a " + phrase(sc.Objects[0]) + " " + rels[rel] + " a " + phrase(sc.Objects[1])
		} else {
			caption = "a " + phrase(sc.Objects[1]) + " " + rels[inverse[rel]] + " a " + phrase(sc.Objects[0])
		}
	case kind < 0.85: // several alike
		n := 2 + r.intn(2)
		large := n == 2 && r.float() < 0.5
		rad := S * r.uniform(0.14, 0.16)
		if large {
			rad = S * r.uniform(0.18, 0.21)
		}
		for range n {
			o := main
			o.Large, o.R = large, rad
			sc.Objects = append(sc.Objects, o)
		}
		placeFree(r, S, sc.Objects)
		size := "small"
		if large {
			size = "large"
		}
		caption = []string{"", "", "two", "three"}[n] + " " + size + " " + ColourNames[main.Colour] + " " + shapePlurals[main.Shape]
	default: // a large main object and two small others
		m := main
		m.Large, m.R = true, largeR()
		sc.Objects = []SceneObject{m}
		rad := smallR()
		for range 2 {
			o := other
			o.Large, o.R = false, rad
			sc.Objects = append(sc.Objects, o)
		}
		placeFree(r, S, sc.Objects)
		caption = "a " + phrase(m) + " and two small " + ColourNames[other.Colour] + " " + shapePlurals[other.Shape]
	}
	sc.Mixed = kind >= 0.35 && kind < 0.65 || kind >= 0.85
	for k := range sc.Objects {
		base := colourRGB[sc.Objects[k].Colour]
		for c := range 3 {
			sc.Objects[k].RGB[c] = math.Max(0, math.Min(255, base[c]+r.uniform(-18, 18)))
		}
	}
	if r.float() < 0.1 {
		caption = "a photo of " + caption
	}
	sc.Caption = caption
	return sc
}

func phrase(o SceneObject) string {
	size := "small"
	if o.Large {
		size = "large"
	}
	return size + " " + ColourNames[o.Colour] + " " + ShapeNames[o.Shape]
}

// apart reports whether two objects do not touch.
func apart(a, b SceneObject) bool {
	return math.Hypot(a.X-b.X, a.Y-b.Y) >= 1.2*(a.R+b.R)+0.5
}

// placeFree puts the objects at random places inside the image, apart from
// each other; when the tries run out it shrinks them and tries again.
func placeFree(r *rng, S float64, objs []SceneObject) {
	for range 20 {
		ok := true
		for k := range objs {
			placed := false
			for range 50 {
				m := objs[k].R + 1
				objs[k].X = r.uniform(m, S-m)
				objs[k].Y = r.uniform(m, S-m)
				placed = true
				for j := 0; j < k; j++ {
					if !apart(objs[k], objs[j]) {
						placed = false
						break
					}
				}
				if placed {
					break
				}
			}
			if !placed {
				ok = false
				break
			}
		}
		if ok {
			return
		}
		for k := range objs {
			objs[k].R *= 0.9
		}
	}
}

// placePair puts a and b so that a is rel (0 left of, 1 right of, 2 above,
// 3 below) b: separated along that axis by more than along the other.
func placePair(r *rng, S float64, a, b *SceneObject, rel int) {
	for range 20 {
		for range 50 {
			ma, mb := a.R+1, b.R+1
			a.X, a.Y = r.uniform(ma, S-ma), r.uniform(ma, S-ma)
			b.X, b.Y = r.uniform(mb, S-mb), r.uniform(mb, S-mb)
			dx, dy := b.X-a.X, b.Y-a.Y // a left of b: dx > 0
			along, across := dx, dy
			switch rel {
			case 1:
				along = -dx
			case 2:
				along, across = dy, dx
			case 3:
				along, across = -dy, dx
			}
			if along > 0 && math.Abs(across) < 0.5*along && along >= a.R+b.R+1 && apart(*a, *b) {
				return
			}
		}
		a.R *= 0.9
		b.R *= 0.9
	}
}

// inside reports whether the point (x, y) lies in the object.
func (o SceneObject) inside(x, y float64) bool {
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

// RenderScene rasterises a scene, anti-aliased by 4x4 supersampling of the
// pixels on an object's edge (a pixel whose corners and centre all lie on
// the same side of the edge is taken as uniform).
//
// The objects are blended in order over the background in float32, each
// pixel as b*(1-cov) + rgb*cov with its coverage cov, and the result rounded
// to 8 bits. renderObject evaluates exactly the tests of SceneObject.inside,
// at the same points and with the same floating-point operations, only
// fewer of them, so the images are bit-identical to a point-by-point render
// (TestRenderSceneMatchesReference and TestShapesGolden check it).
func RenderScene(sc Scene, size int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	pix := img.Pix
	if len(pix) == 0 {
		return img
	}
	bg := [3]float32{float32(sc.Background[0]), float32(sc.Background[1]), float32(sc.Background[2])}
	pix[0], pix[1], pix[2], pix[3] = uint8(bg[0]+0.5), uint8(bg[1]+0.5), uint8(bg[2]+0.5), 255
	for n := 4; n < len(pix); n *= 2 {
		copy(pix[n:], pix[:n])
	}
	rs := renderPool.Get().(*renderScratch)
	defer renderPool.Put(rs)
	rs.renderObjects(sc, size, pixelLayout{pix, 4, 1}, bg)
	return img
}

// renderSceneBytes writes the 8-bit channels of RenderScene(sc, size) into
// dst as 3 planes (NCHW) of size x size bytes, without the image: the
// loader's batches of bytes (Batch.Bytes). Filling the planes with the
// background, most of a scene, is a memset.
func renderSceneBytes(sc Scene, size int, dst []uint8) {
	plane := size * size
	if len(dst) < 3*plane {
		panic(fmt.Sprintf("data: renderSceneBytes: dst has %d bytes, want %d", len(dst), 3*plane))
	}
	if plane == 0 {
		return
	}
	rs := renderPool.Get().(*renderScratch)
	defer renderPool.Put(rs)
	rs.renderBytes(sc, size, dst)
}

func (rs *renderScratch) renderBytes(sc Scene, size int, dst []uint8) {
	plane := size * size
	bg := [3]float32{float32(sc.Background[0]), float32(sc.Background[1]), float32(sc.Background[2])}
	for c := range 3 {
		p := dst[c*plane : (c+1)*plane]
		v := uint8(bg[c] + 0.5)
		for i := range p {
			p[i] = v
		}
	}
	rs.renderObjects(sc, size, pixelLayout{dst, 1, plane}, bg)
}

// renderScenePlanes writes what Preprocess(RenderScene(sc, size), size, dst)
// writes, without the image: the 3 normalised planes (NCHW) of size x size
// values, the bytes of renderSceneBytes mapped through copyRGBA's table, so
// bit-identical (TestRenderScenePlanesMatchesReference).
func renderScenePlanes(sc Scene, size int, dst []float32) {
	plane := size * size
	if len(dst) < 3*plane {
		panic(fmt.Sprintf("data: renderScenePlanes: dst has %d values, want %d", len(dst), 3*plane))
	}
	if plane == 0 {
		return
	}
	rs := renderPool.Get().(*renderScratch)
	defer renderPool.Put(rs)
	bytes := grow(&rs.bytes, 3*plane)
	rs.renderBytes(sc, size, bytes)
	lut := rgbaNormalised()
	for i, u := range bytes {
		dst[i] = lut[u]
	}
}

// pixelLayout says where channel c of pixel k is: pix[k*stride + c*step]
// (an RGBA image: stride 4, step 1; 3 planes: stride 1, step the plane).
type pixelLayout struct {
	pix          []uint8
	stride, step int
}

// renderObjects blends the scene's objects, in order, over the background
// bg that out holds already.
func (rs *renderScratch) renderObjects(sc Scene, size int, out pixelLayout, bg [3]float32) {
	rs.buf = grow(&rs.buf, size*size*3)
	rs.touched = grow(&rs.touched, size*size)
	clear(rs.touched)
	for _, o := range sc.Objects {
		rs.renderObject(out, size, o, bg)
	}
}

// renderScratch holds RenderScene's buffers, reused through renderPool.
type renderScratch struct {
	// buf holds the float32 intensities (3 a pixel) of the pixels that an
	// object has blended, those whose touched is set; the others are the
	// background.
	buf     []float32
	touched []bool
	// bytes is renderScenePlanes' scratch planes of bytes.
	bytes []uint8
	// The x terms of the object's test at the corners (x0..x1), centres and
	// 4 samples of the columns; the y terms likewise for the rows.
	cx, mx, sx []float64
	cy, my, sy []float64
	// The squares of sx and sy (circles).
	sx2, sy2 []float64
	// The runs of inside points of the corner and centre rows.
	cf, ce, mf, me []int
}

var renderPool = sync.Pool{New: func() any { return new(renderScratch) }}

// grow returns (*s)[:n], reallocating when it is too short.
func grow[T any](s *[]T, n int) []T {
	if cap(*s) < n {
		*s = make([]T, n)
	}
	return (*s)[:n]
}

// renderObject blends o into rs.buf and out (size x size), over the
// background bg where no object came before, as RenderScene did one point
// at a time with o.inside:
//
//   - a circle's test is dx*dx+dy*dy <= r*r: the x terms are dx, the y terms
//     dy, and the test is evaluated as written;
//   - the other shapes' tests are |dx| <= t(dy), with t(dy) = -Inf where the
//     test is false whatever dx (square: t = h where |dy| <= h; triangle:
//     t = 1.1*r*(dy-top)/(bottom-top) where top <= dy <= bottom; cross: the
//     larger of r (where |dy| <= w) and w (where |dy| <= r)): the x terms
//     are |dx|, the y terms t(dy). Each is the same comparison of the same
//     values as inside's.
func (rs *renderScratch) renderObject(out pixelLayout, size int, o SceneObject, bg [3]float32) {
	const ss = 4
	x0 := max(0, int(math.Floor(o.X-1.2*o.R-1)))
	x1 := min(size, int(math.Ceil(o.X+1.2*o.R+1)))
	y0 := max(0, int(math.Floor(o.Y-1.2*o.R-1)))
	y1 := min(size, int(math.Ceil(o.Y+1.2*o.R+1)))
	if x0 >= x1 || y0 >= y1 {
		return
	}
	w, h := x1-x0, y1-y0
	var off [ss]float64
	for s := range ss {
		off[s] = (float64(s) + 0.5) / ss
	}
	circle := o.Shape == 0
	r := o.R
	r2 := r * r

	// x terms.
	cx, mx, sx := grow(&rs.cx, w+1), grow(&rs.mx, w), grow(&rs.sx, w*ss)
	for i := range cx {
		cx[i] = float64(x0+i) - o.X
	}
	for i := range mx {
		x := float64(x0 + i)
		mx[i] = x + 0.5 - o.X
		for s := range ss {
			sx[i*ss+s] = x + off[s] - o.X
		}
	}
	// y terms.
	cy, my, sy := grow(&rs.cy, h+1), grow(&rs.my, h), grow(&rs.sy, h*ss)
	for j := range cy {
		cy[j] = float64(y0+j) - o.Y
	}
	for j := range my {
		y := float64(y0 + j)
		my[j] = y + 0.5 - o.Y
		for s := range ss {
			sy[j*ss+s] = y + off[s] - o.Y
		}
	}
	if !circle {
		for _, a := range [][]float64{cx, mx, sx} {
			for i, v := range a {
				a[i] = math.Abs(v)
			}
		}
		for _, a := range [][]float64{cy, my, sy} {
			thresholds(o.Shape, r, a)
		}
	}
	test := objectTest{circle, r2}
	cf, ce := grow(&rs.cf, h+1), grow(&rs.ce, h+1)
	test.runs(cx, argminAbs(cx), cy, cf, ce)
	mf, me := grow(&rs.mf, h), grow(&rs.me, h)
	test.runs(mx, argminAbs(mx), my, mf, me)

	// first[n] is b*(1-cov) + rgb*cov of a background pixel b at coverage
	// n/16 (n = 16: cov = 1, as the uniform pixels have), firstPix its 8
	// bits.
	rgb := [3]float32{float32(o.RGB[0]), float32(o.RGB[1]), float32(o.RGB[2])}
	var first [ss*ss + 1][3]float32
	var firstPix [ss*ss + 1][3]uint8
	for n := 1; n <= ss*ss; n++ {
		cov := float32(n) / (ss * ss)
		for c := range 3 {
			v := bg[c]*(1-cov) + rgb[c]*cov
			first[n][c], firstPix[n][c] = v, uint8(v+0.5)
		}
	}
	buf, touched := rs.buf, rs.touched
	pix, stride, step := out.pix, out.stride, out.step
	// put blends pixel k at coverage n/16: over the background from the
	// tables (small enough to be inlined), or over an earlier object.
	blend := func(k, n int) {
		b := buf[k*3 : k*3+3 : k*3+3]
		cov := float32(n) / (ss * ss)
		for c := range 3 {
			v := b[c]*(1-cov) + rgb[c]*cov
			b[c], pix[k*stride+c*step] = v, uint8(v+0.5)
		}
	}
	put := func(k, n int) {
		if touched[k] {
			blend(k, n)
			return
		}
		touched[k] = true
		*(*[3]float32)(buf[k*3:]) = first[n]
		q := &firstPix[n]
		i := k * stride
		pix[i], pix[i+step], pix[i+2*step] = q[0], q[1], q[2]
	}
	// The edge pixels' 16 samples. A circle's test adds the squares of the
	// terms, computed once here (float64() keeps them rounded, as the
	// test's own products are). For the other shapes, a row of samples
	// with the threshold t passes where a column's |dx| <= t: the 4 sample
	// rows of a pixel row have at most 4 distinct thresholds (a square's
	// and a cross's rows mostly one), and a row at t = -Inf passes nowhere.
	var sx2, sy2 []float64
	if circle {
		sx2, sy2 = grow(&rs.sx2, len(sx)), grow(&rs.sy2, len(sy))
		for i, v := range sx {
			sx2[i] = float64(v * v)
		}
		for j, v := range sy {
			sy2[j] = float64(v * v)
		}
	}
	for j := 0; j < h; j++ {
		mf, me := mf[j], me[j]
		f0, e0, f1, e1 := cf[j], ce[j], cf[j+1], ce[j+1]
		// Pixels outside [lo, hi) have no inside corner or centre: skipped.
		lo, hi := w, 0
		if f0 < e0 {
			lo, hi = min(lo, f0-1), max(hi, e0)
		}
		if f1 < e1 {
			lo, hi = min(lo, f1-1), max(hi, e1)
		}
		if mf < me {
			lo, hi = min(lo, mf), max(hi, me)
		}
		lo, hi = max(lo, 0), min(hi, w)
		// Pixels in [ilo, ihi) have every corner and the centre inside.
		ilo, ihi := max(f0, f1, mf, lo), min(e0-1, e1-1, me, hi)
		k0 := (y0+j)*size + x0
		var ts [ss]float64 // the distinct finite thresholds of the sample rows
		var tn [ss]int     // and how many rows have each
		nt := 0
		var sy2j []float64
		if circle {
			sy2j = sy2[j*ss : j*ss+ss : j*ss+ss]
		} else {
		rows:
			for _, t := range sy[j*ss : j*ss+ss] {
				if math.IsInf(t, -1) {
					continue
				}
				for k := range nt {
					if ts[k] == t {
						tn[k]++
						continue rows
					}
				}
				ts[nt], tn[nt] = t, 1
				nt++
			}
		}
		for i := lo; i < hi; i++ {
			if i >= ilo && i < ihi {
				put(k0+i, ss*ss)
				continue
			}
			// Not all inside: uniform if no corner or centre is inside,
			// i.e. i is in none of the runs [f0-1, e0), [f1-1, e1), [mf,
			// me) (an empty run is [0, 0), so [-1, 0): never).
			if uint(i-f0+1) >= uint(e0-f0+1) && uint(i-f1+1) >= uint(e1-f1+1) && uint(i-mf) >= uint(me-mf) {
				continue
			}
			n := 0
			if circle {
				x := sx2[i*ss : i*ss+ss : i*ss+ss]
				for _, y := range sy2j {
					n += b2i(x[0]+y <= r2) + b2i(x[1]+y <= r2) + b2i(x[2]+y <= r2) + b2i(x[3]+y <= r2)
				}
			} else {
				x := sx[i*ss : i*ss+ss : i*ss+ss]
				for k := range nt {
					t := ts[k]
					n += tn[k] * (b2i(x[0] <= t) + b2i(x[1] <= t) + b2i(x[2] <= t) + b2i(x[3] <= t))
				}
			}
			if n > 0 {
				put(k0+i, n)
			}
		}
	}
}

// objectTest is the test of renderObject of a point given its x and y
// terms: xt*xt+yt*yt <= r2 for a circle, xt <= yt otherwise.
type objectTest struct {
	circle bool
	r2     float64
}

func (t objectTest) in(xt, yt float64) bool {
	if t.circle {
		return xt*xt+yt*yt <= t.r2
	}
	return xt <= yt
}

// The points of a row of corners or centres that pass the test form one
// run: the x terms' dx grow with x (rounding is monotone), so |dx| falls
// to its least value at the argmin m of the row, the same for every row,
// then rises, and each test depends on |dx| alone and passes for |dx| up
// to a bound. runs sets f[j], e[j] to the run [f, e) of xs for the y
// term yts[j]: empty if xs[m] is outside, else found by walking from the
// previous row's run, or bisecting each side of m.
func (t objectTest) runs(xs []float64, m int, yts []float64, f, e []int) {
	pf, pe := 0, 0
	for j, yt := range yts {
		if !t.in(xs[m], yt) {
			f[j], e[j], pf, pe = 0, 0, 0, 0
			continue
		}
		var lo, last int
		if pf < pe {
			lo = min(pf, m)
			if t.in(xs[lo], yt) {
				for lo > 0 && t.in(xs[lo-1], yt) {
					lo--
				}
			} else {
				for !t.in(xs[lo], yt) {
					lo++
				}
			}
			last = max(pe-1, m)
			if t.in(xs[last], yt) {
				for last+1 < len(xs) && t.in(xs[last+1], yt) {
					last++
				}
			} else {
				for !t.in(xs[last], yt) {
					last--
				}
			}
		} else {
			l, h := 0, m // the first inside point is in [l, h]
			for l < h {
				mid := int(uint(l+h) >> 1)
				if t.in(xs[mid], yt) {
					h = mid
				} else {
					l = mid + 1
				}
			}
			lo = l
			l, h = m, len(xs)-1 // the last inside point is in [l, h]
			for l < h {
				mid := int(uint(l+h+1) >> 1)
				if t.in(xs[mid], yt) {
					l = mid
				} else {
					h = mid - 1
				}
			}
			last = l
		}
		f[j], e[j], pf, pe = lo, last+1, lo, last+1
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// argminAbs returns the first index of the least |v| of a (0 if a is empty
// or all NaN).
func argminAbs(a []float64) int {
	m := 0
	for i := 1; i < len(a); i++ {
		if math.Abs(a[i]) < math.Abs(a[m]) {
			m = i
		}
	}
	return m
}

// thresholds replaces each dy of a with t(dy) of renderObject for a
// square, triangle or cross of radius r (inside(dx, dy) is |dx| <= t(dy)),
// with the operations of SceneObject.inside, one shape's loop at a time.
func thresholds(shape int, r float64, a []float64) {
	inf := math.Inf(-1)
	switch shape {
	case 1: // square
		h := 0.88 * r
		for j, dy := range a {
			if math.Abs(dy) <= h {
				a[j] = h
			} else {
				a[j] = inf
			}
		}
	case 2: // triangle
		top, bottom := -r, 0.8*r
		for j, dy := range a {
			if dy < top || dy > bottom {
				a[j] = inf
			} else {
				a[j] = 1.1 * r * (dy - top) / (bottom - top)
			}
		}
	default: // cross: the arm along x where |dy| <= w, the arm along y where |dy| <= r
		w := 0.36 * r
		for j, dy := range a {
			switch {
			case math.Abs(dy) <= w:
				a[j] = r
			case math.Abs(dy) <= r:
				a[j] = w
			default:
				a[j] = inf
			}
		}
	}
}

// sceneWords lists every word of the scenes' captions and prompts.
func sceneWords() string {
	return strings.Join(append(append(append([]string{"a photo of two three large small and left right of above below"},
		ShapeNames...), shapePlurals...), ColourNames...), " ")
}
