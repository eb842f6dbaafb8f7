package data

import (
	"fmt"
	"image"
	"math"
	"strings"
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
func (s *shapesSource) key(i int) string  { return fmt.Sprintf("%s/%d", s.name, i) }
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
func RenderScene(sc Scene, size int) *image.RGBA {
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
				corners = append(corners, o.inside(float64(x), float64(y)))
			}
		}
		rgb := [3]float32{float32(o.RGB[0]), float32(o.RGB[1]), float32(o.RGB[2])}
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				k := (y-y0)*cw + (x - x0)
				c := corners[k]
				var cov float32
				if c == corners[k+1] && c == corners[k+cw] && c == corners[k+cw+1] && c == o.inside(float64(x)+0.5, float64(y)+0.5) {
					if !c {
						continue
					}
					cov = 1
				} else {
					n := 0
					for sy := range ss {
						for sx := range ss {
							if o.inside(float64(x)+(float64(sx)+0.5)/ss, float64(y)+(float64(sy)+0.5)/ss) {
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

// sceneWords lists every word of the scenes' captions and prompts.
func sceneWords() string {
	return strings.Join(append(append(append([]string{"a photo of two three large small and left right of above below"},
		ShapeNames...), shapePlurals...), ColourNames...), " ")
}
