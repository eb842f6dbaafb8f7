package siglip_test

import (
	"math"
	"testing"

	"github.com/siglip-go/siglip"
)

func rows(vs ...[]float32) siglip.Matrix {
	m := siglip.NewMatrix(len(vs), len(vs[0]))
	for i, v := range vs {
		copy(m.Row(i), v)
	}
	return m
}

func TestZeroShotAccuracy(t *testing.T) {
	classes := rows([]float32{1, 0, 0}, []float32{0, 1, 0}, []float32{0, 0, 1})
	img := rows(
		[]float32{0.9, 0.1, 0},   // class 0: right
		[]float32{0.6, 0.8, 0},   // class 1: right
		[]float32{0.8, 0.6, 0},   // class 1: second
		[]float32{0.5, 0.5, 0.1}, // class 0: tied with class 1, so second
	)
	top1, top2, err := siglip.ZeroShotAccuracy(img, classes, []int{0, 1, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	if top1 != 0.5 || top2 != 1 {
		t.Errorf("top-1 %v, top-5 %v; want 0.5 and 1", top1, top2)
	}
	if _, _, err := siglip.ZeroShotAccuracy(img, classes, []int{0, 1, 3, 0}); err == nil {
		t.Error("label 3 of 3 classes: no error")
	}
}

func TestRetrievalRecall(t *testing.T) {
	// Texts 0 and 1; images 0 and 1 match text 0, image 2 matches text 1.
	txt := rows([]float32{1, 0}, []float32{0, 1})
	img := rows(
		[]float32{1, 0},     // text 0 first: i2t hit at 1
		[]float32{0.6, 0.8}, // text 1 first: i2t hit at 2 only
		[]float32{0, 1},     // text 1 first
	)
	r, err := siglip.RetrievalRecall(img, txt, []int{0, 0, 1}, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.ImageToText[0] != 2.0/3 || r.ImageToText[1] != 1 {
		t.Errorf("image->text R@1, R@2 = %v, want 2/3, 1", r.ImageToText)
	}
	// Text 0: its best image (0, score 1) beats image 2 (0): rank 0.
	// Text 1: image 2 (score 1) first: rank 0.
	if r.TextToImage[0] != 1 || r.TextToImage[1] != 1 {
		t.Errorf("text->image R@1, R@2 = %v, want 1, 1", r.TextToImage)
	}
	p := siglip.Params{TPrime: float32(math.Log(10)), Bias: -5}
	// Matching pairs: dots 1, 0.6, 1 -> sigmoid(5), sigmoid(1), sigmoid(5).
	want := (2/(1+math.Exp(-5)) + 1/(1+math.Exp(-1))) / 3
	if got := r.PosProb(p); math.Abs(got-want) > 1e-6 {
		t.Errorf("PosProb = %v, want %v", got, want)
	}
	if r.NegProb(p) >= r.PosProb(p) {
		t.Errorf("NegProb %v >= PosProb %v", r.NegProb(p), r.PosProb(p))
	}
	if _, err := siglip.RetrievalRecall(img, txt, []int{0, 0, 0}, []int{1}); err == nil {
		t.Error("a text with no image: no error")
	}
}
