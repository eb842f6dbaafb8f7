package data

import (
	"image"
	"slices"
	"strings"
	"testing"
)

func TestShapesDeterministic(t *testing.T) {
	a, _ := Open(Shapes, OpenOptions{Seed: 3})
	b, _ := Open(Shapes, OpenOptions{Seed: 3})
	c, _ := Open(Shapes, OpenOptions{Seed: 4})
	if a.Len() != -1 || a.Name() != "shapes/train" {
		t.Fatalf("train: %s len %d", a.Name(), a.Len())
	}
	differ := 0
	for _, i := range []int{0, 1, 17, 1 << 20} {
		x, err := a.Example(i)
		if err != nil {
			t.Fatal(err)
		}
		y, _ := b.Example(i)
		z, _ := c.Example(i)
		if x.Caption != y.Caption || x.Class != y.Class || x.Key != y.Key || !slices.Equal(x.Image.(*image.RGBA).Pix, y.Image.(*image.RGBA).Pix) {
			t.Errorf("example %d differs between two opens with the same seed", i)
		}
		if !slices.Equal(x.Image.(*image.RGBA).Pix, z.Image.(*image.RGBA).Pix) {
			differ++
		}
	}
	if differ == 0 {
		t.Error("seeds 3 and 4 give the same scenes")
	}
	test, _ := Open(Shapes, OpenOptions{Split: "test", Seed: 3})
	test2, _ := Open(Shapes, OpenOptions{Split: "test", Seed: 99})
	if test.Len() != ShapesTestLen || test.Name() != "shapes/test" {
		t.Fatalf("test: %s len %d", test.Name(), test.Len())
	}
	x, _ := test.Example(5)
	y, _ := test2.Example(5)
	if x.Caption != y.Caption || !slices.Equal(x.Image.(*image.RGBA).Pix, y.Image.(*image.RGBA).Pix) {
		t.Error("the test split depends on the seed")
	}
	if _, err := test.Example(ShapesTestLen); err == nil {
		t.Error("test example past the end: no error")
	}
	if _, err := Open(Shapes, OpenOptions{Split: "validation"}); err == nil {
		t.Error("unknown split: no error")
	}
}

func TestShapesCaptionsAndClasses(t *testing.T) {
	src, _ := Open(Shapes, OpenOptions{Split: "test"})
	classes := src.Classes()
	if len(classes) != len(ShapeNames)*len(ColourNames) {
		t.Fatalf("%d classes", len(classes))
	}
	vocab := map[string]bool{}
	for _, w := range Words(sceneWords()) {
		vocab[w] = true
	}
	counts := make([]int, len(classes))
	kinds := map[string]int{}
	for i := range 400 {
		ex, err := src.Example(i)
		if err != nil {
			t.Fatal(err)
		}
		if b := ex.Image.Bounds(); b.Dx() != DefaultShapesSize || b.Dy() != DefaultShapesSize {
			t.Fatalf("image %v", b)
		}
		capt, _ := src.(Captioner).Caption(i)
		if capt != ex.Caption {
			t.Fatalf("Caption(%d) = %q, Example's %q", i, capt, ex.Caption)
		}
		sc := GenerateScene(src.(*shapesSource).seed, i, DefaultShapesSize)
		if sc.Class < 0 || sc.Class >= len(classes) {
			t.Fatalf("class %d", sc.Class)
		}
		// Scenes of one class have it; scenes of two have none.
		if want := map[bool]int{false: sc.Class, true: -1}[sc.Mixed]; ex.Class != want {
			t.Errorf("caption %q: example class %d, want %d", ex.Caption, ex.Class, want)
		}
		counts[sc.Class]++
		// The main object's colour and shape are in the caption, and the
		// main object is large unless all objects are alike.
		cl := strings.Fields(classes[sc.Class].Name)
		if !strings.Contains(ex.Caption, cl[0]) || !strings.Contains(ex.Caption, cl[1][:len(cl[1])-1]) {
			t.Errorf("caption %q of class %q", ex.Caption, classes[sc.Class].Name)
		}
		for _, w := range Words(ex.Caption) {
			if !vocab[w] {
				t.Errorf("caption %q: word %q not in sceneWords", ex.Caption, w)
			}
		}
		if n := len(Words(ex.Caption)); n > 13 {
			t.Errorf("caption %q has %d words", ex.Caption, n)
		}
		mixed := true
		bare := strings.TrimPrefix(ex.Caption, "a photo of ")
		switch {
		case strings.Contains(bare, " and two "):
			kinds["group"]++
		case strings.Contains(bare, " of a ") || strings.Contains(bare, "above") || strings.Contains(bare, "below"):
			kinds["pair"]++
		case strings.Contains(bare, "two ") || strings.Contains(bare, "three "):
			kinds["same"]++
			mixed = false
		default:
			kinds["single"]++
			mixed = false
		}
		if mixed != sc.Mixed {
			t.Errorf("caption %q: Mixed = %v", ex.Caption, sc.Mixed)
		}
	}
	for c, n := range counts {
		if n < 5 {
			t.Errorf("class %s: %d of 400 examples", classes[c].Name, n)
		}
	}
	for _, k := range []string{"single", "pair", "same", "group"} {
		if kinds[k] < 30 {
			t.Errorf("%d scenes of kind %s in 400", kinds[k], k)
		}
	}
	for _, cl := range classes {
		for _, p := range cl.Prompts {
			for _, w := range Words(p) {
				if !vocab[w] {
					t.Errorf("prompt %q: word %q not in sceneWords", p, w)
				}
			}
		}
	}
}

// TestShapesRelations checks that the pair captions say where the objects
// are.
func TestShapesRelations(t *testing.T) {
	seed := hashKeys(saltShapes, 0)
	checked := 0
	for i := 0; checked < 100; i++ {
		sc := GenerateScene(seed, i, 32)
		if len(sc.Objects) != 2 || !sc.Objects[0].Large || sc.Objects[1].Large {
			continue
		}
		checked++
		m, o := sc.Objects[0], sc.Objects[1]
		capt := strings.TrimPrefix(sc.Caption, "a photo of ")
		mainFirst := strings.HasPrefix(capt, "a "+phrase(m))
		rel := map[string][2]float64{"left of": {o.X - m.X, 0}, "right of": {m.X - o.X, 0}, "above": {o.Y - m.Y, 0}, "below": {m.Y - o.Y, 0}}
		ok := false
		for r, d := range rel {
			if strings.Contains(capt, " "+r+" ") {
				ok = true
				if !mainFirst {
					d[0] = -d[0]
				}
				if d[0] <= 0 {
					t.Errorf("scene %d: %q but main at (%.1f, %.1f), other at (%.1f, %.1f)", i, sc.Caption, m.X, m.Y, o.X, o.Y)
				}
			}
		}
		if !ok {
			t.Errorf("scene %d: no relation in %q", i, sc.Caption)
		}
		// Objects stay inside the image and apart.
		for _, ob := range sc.Objects {
			if ob.X-ob.R < 0 || ob.X+ob.R > 32 || ob.Y-ob.R < 0 || ob.Y+ob.R > 32 {
				t.Errorf("scene %d: object outside the image: %+v", i, ob)
			}
		}
		if !apart(m, o) {
			t.Errorf("scene %d: objects overlap", i)
		}
	}
}

func TestShapesImageSize(t *testing.T) {
	src, err := Open(Shapes, OpenOptions{ImageSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := src.Example(0)
	if ex.Image.Bounds().Dx() != 64 {
		t.Errorf("size %v", ex.Image.Bounds())
	}
	if _, err := Open(Shapes, OpenOptions{ImageSize: 8}); err == nil {
		t.Error("image size 8: no error")
	}
}
