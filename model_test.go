package siglip_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/siglip-go/siglip"
)

func tinyConfig(t testing.TB) siglip.ModelConfig {
	t.Helper()
	c, err := siglip.ModelPreset("tiny")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testBatch returns n random images and n token sequences: text i has
// 2 + i%(len-2) real tokens, then padding.
func testBatch(c siglip.ModelConfig, n int, seed uint64) (siglip.Matrix, siglip.TokenMatrix) {
	rng := rand.New(rand.NewPCG(seed, 7))
	px := siglip.NewMatrix(n, c.PixelsPerImage())
	for k := range px.Data {
		px.Data[k] = float32(rng.Float64()*2 - 1)
	}
	tok := siglip.TokenMatrix{Rows: n, Cols: c.TextLen, IDs: make([]int32, n*c.TextLen)}
	for i := 0; i < n; i++ {
		for j := 0; j < 2+i%(c.TextLen-2); j++ {
			tok.IDs[i*c.TextLen+j] = int32(1 + rng.IntN(c.VocabSize-1))
		}
		for j := 2 + i%(c.TextLen-2); j < c.TextLen; j++ {
			tok.IDs[i*c.TextLen+j] = int32(c.PadID)
		}
	}
	return px, tok
}

func newTestModel(t testing.TB, c siglip.ModelConfig, seed uint64, opts ...siglip.ModelOption) *siglip.Model {
	t.Helper()
	m, err := siglip.NewModel(c, seed, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func TestModelPresets(t *testing.T) {
	s, err := siglip.ModelPreset("s16")
	if err != nil {
		t.Fatal(err)
	}
	if s.VisionWidth != 384 || s.VisionLayers != 12 || s.VisionHeads != 6 || s.VisionMLP != 1536 ||
		s.NumPatches() != 196 || s.TextWidth != 384 || s.TextLayers != 12 || s.VocabSize != 32000 ||
		s.TextLen != 16 || s.EmbedDim != 384 || s.Pooling != siglip.PoolMAP {
		t.Errorf("s16 preset = %+v", s)
	}
	b, err := siglip.ModelPreset("b16")
	if err != nil {
		t.Fatal(err)
	}
	if b.VisionWidth != 768 || b.VisionHeads != 12 || b.VisionMLP != 3072 || b.TextLen != 64 || b.ImageSize != 224 {
		t.Errorf("b16 preset = %+v", b)
	}
	if _, err := siglip.ModelPreset("huge"); !errors.Is(err, siglip.ErrInvalidInput) {
		t.Errorf("unknown preset: err = %v, want ErrInvalidInput", err)
	}
	bad := tinyConfig(t)
	bad.EmbedDim = 32
	if err := bad.Validate(); !errors.Is(err, siglip.ErrInvalidInput) || !strings.Contains(err.Error(), "embed_dim") {
		t.Errorf("bad embed dim: err = %v", err)
	}
	// A step of s16 at batch 64 is about 1.9 TFLOP.
	if f := s.TrainStepFLOPs(64); f < 1.85e12 || f > 1.95e12 {
		t.Errorf("s16 step flops = %g", f)
	}
}

func TestModelEmbeddingsAreUnitVectors(t *testing.T) {
	c := tinyConfig(t)
	m := newTestModel(t, c, 1, siglip.WithThreads(2))
	px, tok := testBatch(c, 5, 1)
	img, err := m.EmbedImages(px)
	if err != nil {
		t.Fatal(err)
	}
	txt, err := m.EmbedTexts(tok)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []siglip.Matrix{img, txt} {
		if e.Rows != 5 || e.Cols != c.EmbedDim {
			t.Fatalf("embeddings %d x %d, want 5 x %d", e.Rows, e.Cols, c.EmbedDim)
		}
		for i := 0; i < e.Rows; i++ {
			var s float64
			for _, v := range e.Row(i) {
				s += float64(v) * float64(v)
			}
			if math.Abs(s-1) > 1e-5 {
				t.Errorf("row %d has squared norm %v", i, s)
			}
		}
	}
}

// The gradient of the step is a descent direction: a small step along it
// lowers the loss by about lr * |g|^2 (first order), checking the towers'
// backward against the loss through the whole Go API. (csrc/model/tests
// hold every gradient against finite differences in double.)
func TestModelGradientIsDescentDirection(t *testing.T) {
	c := tinyConfig(t)
	m := newTestModel(t, c, 3, siglip.WithThreads(2))
	px, tok := testBatch(c, 8, 2)
	lossAt := func() float64 {
		img, err := m.EmbedImages(px)
		if err != nil {
			t.Fatal(err)
		}
		txt, err := m.EmbedTexts(tok)
		if err != nil {
			t.Fatal(err)
		}
		l, err := siglip.LossValue(img, txt, m.LossParams(), siglip.LossOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	img, txt, err := m.Forward(px, tok)
	if err != nil {
		t.Fatal(err)
	}
	l0, g, err := siglip.Loss(img, txt, m.LossParams(), siglip.LossOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Backward(g); err != nil {
		t.Fatal(err)
	}
	// p <- p - eps * grad by hand, for every tensor.
	const eps = 1e-3
	var gg float64
	for _, p := range m.Params() {
		v, _ := m.Param(p.Name)
		d, err := m.Grad(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		for k := range v {
			gg += float64(d[k]) * float64(d[k])
			v[k] -= float32(eps * float64(d[k]))
		}
		if err := m.SetParam(p.Name, v); err != nil {
			t.Fatal(err)
		}
	}
	l1 := lossAt()
	want := eps * gg
	if got := l0 - l1; math.Abs(got-want) > 0.2*want {
		t.Errorf("loss fell by %g, first order predicts %g (|g|^2 = %g)", got, want, gg)
	}
}

// The overfit test: tiny towers with the sigmoid loss drive the loss
// on 32 fixed pairs near zero.
func TestModelOverfits32Pairs(t *testing.T) {
	c := tinyConfig(t)
	m := newTestModel(t, c, 1, siglip.WithThreads(2), siglip.WithBatch(32, 32))
	px, tok := testBatch(c, 32, 5)
	o := siglip.DefaultAdamW()
	o.LR = 3e-3
	var first, loss float64
	step := 0
	for ; step < 400; step++ {
		img, txt, err := m.Forward(px, tok)
		if err != nil {
			t.Fatal(err)
		}
		var g siglip.Gradients
		loss, g, err = siglip.Loss(img, txt, m.LossParams(), siglip.LossOptions{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		if step == 0 {
			first = loss
		}
		if loss < 0.02 {
			break
		}
		if err := m.Backward(g); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Step(o); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("loss %.4f -> %.4f in %d steps", first, loss, step)
	if first < 1 || loss >= 0.02 {
		t.Errorf("loss %.4f -> %.4f after %d steps, want < 0.02", first, loss, step)
	}
	if m.Steps() != int64(step) {
		t.Errorf("Steps() = %d, want %d", m.Steps(), step)
	}
}

func trainStep(t *testing.T, m *siglip.Model, px siglip.Matrix, tok siglip.TokenMatrix) (img, txt siglip.Matrix, grads [][]float32) {
	t.Helper()
	img, txt, err := m.Forward(px, tok)
	if err != nil {
		t.Fatal(err)
	}
	_, g, err := siglip.Loss(img, txt, m.LossParams(), siglip.LossOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Backward(g); err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Params() {
		d, err := m.Grad(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		grads = append(grads, d)
	}
	return img, txt, grads
}

func TestModelSameSeedSameResults(t *testing.T) {
	c := tinyConfig(t)
	px, tok := testBatch(c, 12, 3)
	a := newTestModel(t, c, 9, siglip.WithThreads(2))
	b := newTestModel(t, c, 9, siglip.WithThreads(2))
	one := newTestModel(t, c, 9, siglip.WithThreads(1))
	ia, ta, ga := trainStep(t, a, px, tok)
	ib, tb, gb := trainStep(t, b, px, tok)
	i1, t1, g1 := trainStep(t, one, px, tok)
	if !slices.Equal(ia.Data, ib.Data) || !slices.Equal(ta.Data, tb.Data) {
		t.Error("same seed and threads: embeddings differ")
	}
	if !slices.Equal(ia.Data, i1.Data) || !slices.Equal(ta.Data, t1.Data) {
		t.Error("1 and 2 threads: embeddings differ")
	}
	for k := range ga {
		if !slices.Equal(ga[k], gb[k]) || !slices.Equal(ga[k], g1[k]) {
			t.Errorf("gradient of %s differs between runs", a.Params()[k].Name)
		}
	}
	other := newTestModel(t, c, 10, siglip.WithThreads(2))
	io, _, _ := trainStep(t, other, px, tok)
	if slices.Equal(ia.Data, io.Data) {
		t.Error("different seeds gave the same embeddings")
	}
}

func TestModelParams(t *testing.T) {
	c := tinyConfig(t)
	m := newTestModel(t, c, 1, siglip.WithThreads(1))
	ps := m.Params()
	total := 0
	names := map[string]siglip.ParamInfo{}
	for _, p := range ps {
		if p.Offset != total {
			t.Errorf("%s at offset %d, want %d", p.Name, p.Offset, total)
		}
		total += p.Size
		names[p.Name] = p
	}
	if total != m.NumParams() {
		t.Errorf("NumParams = %d, tensors hold %d", m.NumParams(), total)
	}
	for _, name := range siglip.HFParamNames(c) {
		if _, ok := names[name]; !ok {
			t.Errorf("Hugging Face name %q missing", name)
		}
	}
	if len(siglip.HFParamNames(c)) != len(ps) {
		t.Errorf("HFParamNames lists %d names, the model has %d tensors", len(siglip.HFParamNames(c)), len(ps))
	}
	srcs := siglip.BigVisionSources(c)
	if len(srcs) != len(ps) {
		t.Errorf("BigVisionSources maps %d tensors, the model has %d", len(srcs), len(ps))
	}
	for k, s := range srcs {
		if s.Name != ps[k].Name || !strings.HasPrefix(s.BigVision, "params/") || s.Transform == "" {
			t.Errorf("big_vision source %d: %+v", k, s)
		}
	}
	if s := srcs[3]; s.BigVision != "params/img/Transformer/encoderblock_0/MultiHeadDotProductAttention_0/query/kernel" {
		t.Errorf("first q_proj maps to %q", s.BigVision)
	}
	pe := names["vision_model.embeddings.patch_embedding.weight"]
	if !slices.Equal(pe.Shape, []int{64, 3, 8, 8}) || !pe.Decay || pe.Group != siglip.GroupImage {
		t.Errorf("patch embedding: %+v", pe)
	}
	if p := names["text_model.embeddings.position_embedding.weight"]; p.Decay || p.Group != siglip.GroupText {
		t.Errorf("text position embedding: %+v", p)
	}
	lp := m.LossParams()
	if d := siglip.DefaultParams(); math.Abs(float64(lp.TPrime-d.TPrime)) > 1e-6 || lp.Bias != d.Bias {
		t.Errorf("LossParams = %+v, want %+v", lp, d)
	}
	// Round trip, and the new value is used.
	name := "text_model.head.bias"
	v, err := m.Param(name)
	if err != nil {
		t.Fatal(err)
	}
	for k := range v {
		v[k] = float32(k)
	}
	if err := m.SetParam(name, v); err != nil {
		t.Fatal(err)
	}
	got, _ := m.Param(name)
	if !slices.Equal(got, v) {
		t.Error("SetParam/Param round trip differs")
	}
	if err := m.SetParam(name, v[:3]); !errors.Is(err, siglip.ErrInvalidInput) {
		t.Errorf("short SetParam: err = %v", err)
	}
	if _, err := m.Param("nope"); !errors.Is(err, siglip.ErrInvalidInput) {
		t.Errorf("unknown name: err = %v", err)
	}
	m1, v1, err := m.OptimizerState(name)
	if err != nil || len(m1) != len(v) || len(v1) != len(v) {
		t.Errorf("OptimizerState: %v", err)
	}
}

// A locked image tower (SigLiT): no image gradients, LRMult 0 leaves it as
// it is while the text tower trains.
func TestModelLockedTower(t *testing.T) {
	c := tinyConfig(t)
	m := newTestModel(t, c, 2, siglip.WithThreads(2))
	px, tok := testBatch(c, 6, 4)
	img, err := m.EmbedImages(px) // precomputed once
	if err != nil {
		t.Fatal(err)
	}
	before, _ := m.Param("vision_model.encoder.layers.0.mlp.fc1.weight")
	textBefore, _ := m.Param("text_model.head.weight")
	_, txt, err := m.Forward(siglip.Matrix{}, tok)
	if err != nil {
		t.Fatal(err)
	}
	_, g, err := siglip.Loss(img, txt, m.LossParams(), siglip.LossOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g.Image = siglip.Matrix{}
	if err := m.Backward(g); err != nil {
		t.Fatal(err)
	}
	gi, _ := m.Grad("vision_model.encoder.layers.0.mlp.fc1.weight")
	for _, v := range gi {
		if v != 0 {
			t.Fatal("skipped image tower has a non-zero gradient")
		}
	}
	o := siglip.DefaultAdamW()
	o.LRMult[siglip.GroupImage] = 0
	if _, err := m.Step(o); err != nil {
		t.Fatal(err)
	}
	after, _ := m.Param("vision_model.encoder.layers.0.mlp.fc1.weight")
	textAfter, _ := m.Param("text_model.head.weight")
	if !slices.Equal(before, after) {
		t.Error("locked image tower changed")
	}
	if slices.Equal(textBefore, textAfter) {
		t.Error("text tower did not change")
	}
}

func TestModelErrors(t *testing.T) {
	c := tinyConfig(t)
	m := newTestModel(t, c, 1, siglip.WithThreads(1))
	px, tok := testBatch(c, 2, 1)
	check := func(what string, err error, substr string) {
		t.Helper()
		if !errors.Is(err, siglip.ErrInvalidInput) || !strings.Contains(err.Error(), substr) {
			t.Errorf("%s: err = %v, want ErrInvalidInput mentioning %q", what, err, substr)
		}
	}
	_, err := m.EmbedImages(siglip.Matrix{Rows: 2, Cols: 10, Data: make([]float32, 20)})
	check("wrong image size", err, "the model wants 3072")
	bad := siglip.Matrix{Rows: px.Rows, Cols: px.Cols, Data: slices.Clone(px.Data)}
	bad.Data[17] = float32(math.NaN())
	_, err = m.EmbedImages(bad)
	check("NaN pixel", err, "NaN")
	bt := tok
	bt.IDs = slices.Clone(tok.IDs)
	bt.IDs[3] = int32(c.VocabSize)
	_, err = m.EmbedTexts(bt)
	check("token out of range", err, "position 3")
	_, err = m.EmbedTexts(siglip.TokenMatrix{Rows: 1, Cols: 4, IDs: make([]int32, 4)})
	check("short text", err, "the model wants 8")
	g := siglip.Gradients{Image: siglip.NewMatrix(2, c.EmbedDim)}
	check("backward without forward", m.Backward(g), "no training forward")
	if _, _, err := m.Forward(px, tok); err != nil {
		t.Fatal(err)
	}
	g = siglip.Gradients{Image: siglip.NewMatrix(3, c.EmbedDim), Text: siglip.NewMatrix(2, c.EmbedDim)}
	check("backward of another batch size", m.Backward(g), "no training forward of 3 images")
	g = siglip.Gradients{Image: siglip.NewMatrix(2, 5)}
	check("backward of wrong width", m.Backward(g), "columns")
	o := siglip.DefaultAdamW()
	o.LRMult = [siglip.NumParamGroups]float64{}
	_, err = m.Step(o)
	check("all groups frozen", err, "LRMult")
	if _, err := siglip.NewModel(c, 1, siglip.WithThreads(-1)); !errors.Is(err, siglip.ErrInvalidInput) {
		t.Errorf("negative threads: err = %v", err)
	}
	m.Close()
	m.Close()
	if _, err := m.EmbedImages(px); err == nil {
		t.Error("closed model: no error")
	}
}

// Run again under GOEXPERIMENT=cgocheck2 by scripts/test.sh (-run Cgo).
func TestModelCgoPointerRules(t *testing.T) {
	c := tinyConfig(t)
	m := newTestModel(t, c, 1, siglip.WithThreads(2))
	px, tok := testBatch(c, 4, 1)
	img, txt, err := m.Forward(px, tok)
	if err != nil {
		t.Fatal(err)
	}
	_, g, err := siglip.Loss(img, txt, m.LossParams(), siglip.LossOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Backward(g); err != nil {
		t.Fatal(err)
	}
	if err := m.BackwardAccumulate(g); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Step(siglip.DefaultAdamW()); err != nil {
		t.Fatal(err)
	}
	if err := m.ZeroGrad(); err != nil {
		t.Fatal(err)
	}
}

func TestWarmupCosine(t *testing.T) {
	if got := siglip.WarmupCosine(0, 10, 100, 1, 0); math.Abs(got-0.1) > 1e-12 {
		t.Errorf("first warmup step: %v", got)
	}
	if got := siglip.WarmupCosine(9, 10, 100, 1, 0); got != 1 {
		t.Errorf("end of warmup: %v", got)
	}
	if got := siglip.WarmupCosine(55, 10, 100, 1, 0); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("half way: %v", got)
	}
	if got := siglip.WarmupCosine(200, 10, 100, 1, 0.01); got != 0.01 {
		t.Errorf("past the end: %v", got)
	}
}

// TestModelForwardBytes checks 8-bit images: the embeddings of ForwardBytes
// and EmbedImageBytes are, bit for bit, those of Forward and EmbedImages of
// the values the bytes stand for; and bad bytes get clear errors.
func TestModelForwardBytes(t *testing.T) {
	c := tinyConfig(t)
	m := newTestModel(t, c, 3, siglip.WithThreads(2))
	_, tok := testBatch(c, 4, 2)
	rng := rand.New(rand.NewPCG(5, 9))
	var values [256]float32
	for b := range values {
		values[b] = float32(rng.NormFloat64())
	}
	pb := siglip.PixelBytes{Rows: 4, Cols: c.PixelsPerImage(), Data: make([]uint8, 4*c.PixelsPerImage()), Values: &values}
	px := siglip.NewMatrix(4, c.PixelsPerImage())
	for k := range pb.Data {
		pb.Data[k] = uint8(rng.IntN(256))
		px.Data[k] = values[pb.Data[k]]
	}
	wantImg, wantTxt, err := m.Forward(px, tok)
	if err != nil {
		t.Fatal(err)
	}
	gotImg, gotTxt, err := m.ForwardBytes(pb, tok)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gotImg.Data, wantImg.Data) || !slices.Equal(gotTxt.Data, wantTxt.Data) {
		t.Fatal("ForwardBytes differs from Forward of the byte values")
	}
	want, _ := m.EmbedImages(px)
	got, err := m.EmbedImageBytes(pb)
	if err != nil || !slices.Equal(got.Data, want.Data) {
		t.Fatalf("EmbedImageBytes differs from EmbedImages of the byte values (err %v)", err)
	}
	check := func(what string, p siglip.PixelBytes, substr string) {
		t.Helper()
		_, err := m.EmbedImageBytes(p)
		if !errors.Is(err, siglip.ErrInvalidInput) || !strings.Contains(err.Error(), substr) {
			t.Errorf("%s: err = %v, want ErrInvalidInput mentioning %q", what, err, substr)
		}
	}
	bad := pb
	bad.Values = nil
	check("no values", bad, "without their Values")
	nan := values
	nan[9] = float32(math.Inf(1))
	bad.Values = &nan
	check("infinite value", bad, "pixel byte 9")
	bad = pb
	bad.Data = pb.Data[:10]
	check("short data", bad, "Data has 10")
	bad = pb
	bad.Cols = 7
	check("wrong image size", bad, "the model wants 3072")
}
