package siglip

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/siglip-go/siglip/data"
)

// Evaluation (Zhai et al. 2023, section 4): zero-shot classification and
// image-text retrieval on a held-out split, and the calibrated probability
// of a pair.
//
//   - Zero-shot: each class's prompts ("a photo of a {name}.", ...) are
//     embedded by the text tower, averaged and renormalised into one class
//     embedding; an image is classified by the largest x . y. Top-1 and
//     top-5 accuracy over the examples that have a class (Example.Class >=
//     0).
//   - Retrieval: image -> text and text -> image Recall@1/5/10 over the
//     distinct captions of the evaluated examples (captions that the
//     tokenizer cannot tell apart are one text, whose images are all
//     correct answers).
//   - Calibration: t and b change neither argmax nor Recall@k, but they make
//     sigmoid(t x . y + b) a probability that a pair matches; PosProb and
//     NegProb are its means over matching and non-matching pairs.

// EvalOptions configure Evaluate.
type EvalOptions struct {
	// MaxExamples evaluates the first MaxExamples examples of the source
	// (0: all of them; an endless source needs a limit).
	MaxExamples int
	// Templates, when given, replace the classes' own prompts: each holds
	// "{}" where the class name goes, e.g. "a photo of a {}.".
	Templates []string
	// Batch is the number of images or texts embedded per call (0: 256).
	Batch int
	// Workers decode and preprocess images in parallel (0: the model's
	// threads).
	Workers int
}

// EvalResult holds the metrics of one evaluation. Recalls and accuracies
// are fractions in [0, 1].
type EvalResult struct {
	Dataset  string `json:"dataset"`
	Examples int    `json:"examples"`
	Texts    int    `json:"texts"` // distinct captions (retrieval's gallery)
	Classes  int    `json:"classes"`
	// Classified is the number of examples with a class (zero-shot's test
	// set: an image that shows several classes has none).
	Classified int `json:"classified"`

	// Zero-shot accuracy; nil when the source has no classes.
	ZeroShotTop1 *float64 `json:"zero_shot_top1"`
	ZeroShotTop5 *float64 `json:"zero_shot_top5"`
	Chance       float64  `json:"chance,omitempty"` // top-1 of a uniform guess: 1/classes

	I2TR1  float64 `json:"i2t_r1"`
	I2TR5  float64 `json:"i2t_r5"`
	I2TR10 float64 `json:"i2t_r10"`
	T2IR1  float64 `json:"t2i_r1"`
	T2IR5  float64 `json:"t2i_r5"`
	T2IR10 float64 `json:"t2i_r10"`

	// The model's loss scalars and the calibrated probability
	// sigmoid(t x . y + b) averaged over matching and non-matching pairs.
	TPrime  float64 `json:"t_prime"`
	T       float64 `json:"t"`
	Bias    float64 `json:"b"`
	PosProb float64 `json:"pos_prob"`
	NegProb float64 `json:"neg_prob"`

	Seconds float64 `json:"seconds"`
}

// Summary is a one-line human-readable account of r.
func (r EvalResult) Summary() string {
	var b strings.Builder
	if r.ZeroShotTop1 != nil {
		fmt.Fprintf(&b, "zero-shot top-1 %.3f, top-5 %.3f (%d images of %d classes, chance %.3f); ", *r.ZeroShotTop1, *r.ZeroShotTop5, r.Classified, r.Classes, r.Chance)
	}
	fmt.Fprintf(&b, "i2t R@1/5/10 %.3f/%.3f/%.3f, t2i R@1/5/10 %.3f/%.3f/%.3f (%d images, %d texts)",
		r.I2TR1, r.I2TR5, r.I2TR10, r.T2IR1, r.T2IR5, r.T2IR10, r.Examples, r.Texts)
	return b.String()
}

// Evaluate measures m (with its tokenizer tok) on the examples of src:
// zero-shot classification over src.Classes() (when the examples have
// classes), retrieval Recall@1/5/10 both ways, and the calibrated
// probabilities of matching and non-matching pairs.
func Evaluate(m *Model, tok data.Tokenizer, src data.Source, o EvalOptions) (EvalResult, error) {
	start := time.Now()
	cfg := m.Config()
	n := src.Len()
	if o.MaxExamples > 0 && (n < 0 || n > o.MaxExamples) {
		n = o.MaxExamples
	}
	if n < 0 {
		return EvalResult{}, fmt.Errorf("siglip: evaluate %s: %w: an endless source needs a limit on the examples", src.Name(), ErrInvalidInput)
	}
	if n == 0 {
		return EvalResult{}, fmt.Errorf("siglip: evaluate %s: %w: no examples", src.Name(), ErrInvalidInput)
	}
	if o.Batch <= 0 {
		o.Batch = 256
	}
	if o.Workers <= 0 {
		o.Workers = m.Threads()
	}

	// The examples: images, the class of each, captions grouped by what the
	// tokenizer can tell apart.
	exs, err := loadExamples(src, n, cfg.ImageSize, o.Workers)
	if err != nil {
		return EvalResult{}, err
	}
	textIndex := map[int64]int{}
	var texts []string
	imgText := make([]int, n)
	classes := make([]int, n)
	var classed []int // the examples with a class: zero-shot's test set
	for i, e := range exs {
		id := data.CaptionID(e.caption, tok, cfg.TextLen)
		k, ok := textIndex[id]
		if !ok {
			k = len(texts)
			textIndex[id] = k
			texts = append(texts, e.caption)
		}
		imgText[i] = k
		classes[i] = e.class
		if e.class >= 0 && e.class < len(src.Classes()) {
			classed = append(classed, i)
		}
	}

	pixels := NewMatrix(n, cfg.PixelsPerImage())
	for i, e := range exs {
		copy(pixels.Row(i), e.pixels)
	}
	exs = nil
	img, err := embedImagesBatched(m, pixels, o.Batch)
	if err != nil {
		return EvalResult{}, err
	}
	txt, err := EmbedTextsWith(m, tok, texts, o.Batch)
	if err != nil {
		return EvalResult{}, err
	}

	p := m.LossParams()
	r := EvalResult{
		Dataset: src.Name(), Examples: n, Texts: len(texts),
		TPrime: float64(p.TPrime), T: math.Exp(float64(p.TPrime)), Bias: float64(p.Bias),
	}
	if len(classed) > 0 {
		cls := src.Classes()
		classEmb, err := ClassEmbeddings(m, tok, cls, o.Templates, o.Batch)
		if err != nil {
			return EvalResult{}, err
		}
		sub := NewMatrix(len(classed), img.Cols)
		labels := make([]int, len(classed))
		for k, i := range classed {
			copy(sub.Row(k), img.Row(i))
			labels[k] = classes[i]
		}
		top1, top5, err := ZeroShotAccuracy(sub, classEmb, labels)
		if err != nil {
			return EvalResult{}, err
		}
		r.Classes, r.Classified = len(cls), len(classed)
		r.ZeroShotTop1, r.ZeroShotTop5 = &top1, &top5
		r.Chance = 1 / float64(len(cls))
	}
	rec, err := RetrievalRecall(img, txt, imgText, []int{1, 5, 10})
	if err != nil {
		return EvalResult{}, err
	}
	r.I2TR1, r.I2TR5, r.I2TR10 = rec.ImageToText[0], rec.ImageToText[1], rec.ImageToText[2]
	r.T2IR1, r.T2IR5, r.T2IR10 = rec.TextToImage[0], rec.TextToImage[1], rec.TextToImage[2]
	r.PosProb, r.NegProb = rec.PosProb(p), rec.NegProb(p)
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

// example is one preprocessed example of an evaluation set.
type example struct {
	pixels  []float32
	caption string
	class   int
}

// loadExamples decodes and preprocesses examples [0, n) of src on workers
// goroutines.
func loadExamples(src data.Source, n, size, workers int) ([]example, error) {
	out := make([]example, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(1, min(workers, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				e, err := src.Example(i)
				if err != nil {
					errs[i] = fmt.Errorf("%s example %d: %w", src.Name(), i, err)
					continue
				}
				out[i] = example{pixels: make([]float32, 3*size*size), caption: e.Caption, class: e.Class}
				data.Preprocess(e.Image, size, out[i].pixels)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// PreprocessImages turns decoded images into the model's pixel input (one
// NCHW row per image, see data.Preprocess).
func PreprocessImages(cfg ModelConfig, imgs []image.Image) Matrix {
	px := NewMatrix(len(imgs), cfg.PixelsPerImage())
	for i, im := range imgs {
		data.Preprocess(im, cfg.ImageSize, px.Row(i))
	}
	return px
}

// embedImagesBatched embeds the rows of pixels batch rows at a time.
func embedImagesBatched(m *Model, pixels Matrix, batch int) (Matrix, error) {
	d := m.Config().EmbedDim
	out := NewMatrix(pixels.Rows, d)
	for lo := 0; lo < pixels.Rows; lo += batch {
		hi := min(pixels.Rows, lo+batch)
		part := Matrix{Rows: hi - lo, Cols: pixels.Cols, Data: pixels.Data[lo*pixels.Cols : hi*pixels.Cols]}
		e, err := m.EmbedImages(part)
		if err != nil {
			return Matrix{}, err
		}
		copy(out.Data[lo*d:hi*d], e.Data)
	}
	return out, nil
}

// Tokenize encodes texts with tok into a TokenMatrix of the model's text
// length.
func Tokenize(tok data.Tokenizer, texts []string, textLen int) TokenMatrix {
	t := TokenMatrix{Rows: len(texts), Cols: textLen, IDs: make([]int32, 0, len(texts)*textLen)}
	for _, s := range texts {
		t.IDs = append(t.IDs, tok.Encode(s, textLen)...)
	}
	return t
}

// EmbedTextsWith tokenizes texts with tok and returns their unit-norm
// embeddings, batch texts per call (0: 256).
func EmbedTextsWith(m *Model, tok data.Tokenizer, texts []string, batch int) (Matrix, error) {
	if batch <= 0 {
		batch = 256
	}
	cfg := m.Config()
	if tok.VocabSize() > cfg.VocabSize {
		return Matrix{}, fmt.Errorf("siglip: %w: the tokenizer has %d ids, the model's vocabulary %d", ErrInvalidInput, tok.VocabSize(), cfg.VocabSize)
	}
	out := NewMatrix(len(texts), cfg.EmbedDim)
	for lo := 0; lo < len(texts); lo += batch {
		hi := min(len(texts), lo+batch)
		e, err := m.EmbedTexts(Tokenize(tok, texts[lo:hi], cfg.TextLen))
		if err != nil {
			return Matrix{}, err
		}
		copy(out.Data[lo*cfg.EmbedDim:hi*cfg.EmbedDim], e.Data)
	}
	return out, nil
}

// DefaultTemplates are the prompt templates of classes without prompts of
// their own.
var DefaultTemplates = []string{"a photo of a {}.", "a {}.", "{}"}

// ClassEmbeddings returns one unit-norm embedding per class: the text
// embeddings of its prompts averaged and renormalised. The prompts are the
// templates with the class name filled in when templates are given, else
// the class's own Prompts (DefaultTemplates for a class without any).
func ClassEmbeddings(m *Model, tok data.Tokenizer, classes []data.Class, templates []string, batch int) (Matrix, error) {
	var prompts []string
	owner := []int{}
	for c, cl := range classes {
		ps := cl.Prompts
		if len(templates) > 0 || len(ps) == 0 {
			tpl := templates
			if len(tpl) == 0 {
				tpl = DefaultTemplates
			}
			ps = nil
			for _, t := range tpl {
				ps = append(ps, strings.ReplaceAll(t, "{}", cl.Name))
			}
		}
		for _, p := range ps {
			prompts = append(prompts, p)
			owner = append(owner, c)
		}
	}
	emb, err := EmbedTextsWith(m, tok, prompts, batch)
	if err != nil {
		return Matrix{}, err
	}
	d := emb.Cols
	out := NewMatrix(len(classes), d)
	sums := make([]float64, len(classes)*d)
	for i, c := range owner {
		for k, v := range emb.Row(i) {
			sums[c*d+k] += float64(v)
		}
	}
	for c := range classes {
		s := sums[c*d : (c+1)*d]
		var norm float64
		for _, v := range s {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			norm = 1
		}
		for k, v := range s {
			out.Data[c*d+k] = float32(v / norm)
		}
	}
	return out, nil
}

// ZeroShotAccuracy classifies each image embedding (a row of img) by the
// class embedding (a row of classEmb) with the largest dot product and
// returns the top-1 and top-5 accuracy against labels (one class per
// image). Ties count against the image: the true class must beat every
// other class strictly to be ranked first.
func ZeroShotAccuracy(img, classEmb Matrix, labels []int) (top1, top5 float64, err error) {
	if len(labels) != img.Rows {
		return 0, 0, fmt.Errorf("siglip: %w: %d labels for %d images", ErrInvalidInput, len(labels), img.Rows)
	}
	if img.Rows == 0 || classEmb.Rows == 0 {
		return 0, 0, fmt.Errorf("siglip: %w: zero-shot accuracy of %d images over %d classes", ErrInvalidInput, img.Rows, classEmb.Rows)
	}
	s, err := similarities(img, classEmb)
	if err != nil {
		return 0, 0, err
	}
	var h1, h5 int
	for i, c := range labels {
		if c < 0 || c >= classEmb.Rows {
			return 0, 0, fmt.Errorf("siglip: %w: label %d of image %d: want 0 to %d", ErrInvalidInput, c, i, classEmb.Rows-1)
		}
		r := rankOf(s.Row(i), c)
		if r < 1 {
			h1++
		}
		if r < 5 {
			h5++
		}
	}
	return float64(h1) / float64(img.Rows), float64(h5) / float64(img.Rows), nil
}

// rankOf is the number of entries of row greater than or equal to
// row[j], other than j itself: 0 when j is the strict maximum.
func rankOf(row []float32, j int) int {
	v, r := row[j], 0
	for k, x := range row {
		if k != j && x >= v {
			r++
		}
	}
	return r
}

// Recall is the outcome of RetrievalRecall.
type Recall struct {
	Ks          []int
	ImageToText []float64 // per K: the fraction of images whose caption is among the top K texts
	TextToImage []float64 // per K: the fraction of texts with one of their images among the top K images
	// Sums of x . y over matching and non-matching pairs and their counts
	// (for the calibrated probabilities).
	pos, neg   []float32
	posN, negN int
}

// PosProb is the mean of sigmoid(t x . y + b) over the matching pairs.
func (r Recall) PosProb(p Params) float64 { return meanSigmoid(r.pos, p) }

// NegProb is the mean of sigmoid(t x . y + b) over the non-matching pairs.
func (r Recall) NegProb(p Params) float64 { return meanSigmoid(r.neg, p) }

func meanSigmoid(dots []float32, p Params) float64 {
	if len(dots) == 0 {
		return 0
	}
	t := math.Exp(float64(p.TPrime))
	var s float64
	for _, d := range dots {
		s += sigmoid(t*float64(d) + float64(p.Bias))
	}
	return s / float64(len(dots))
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// RetrievalRecall computes image -> text and text -> image Recall@K for each
// K of ks. img holds n image embeddings, txt m text embeddings, and
// imgText[i] is the text (row of txt) that matches image i; a text may
// match several images, and every text must match at least one. Ties count
// against the query: a correct answer must beat the wrong ones strictly.
func RetrievalRecall(img, txt Matrix, imgText []int, ks []int) (Recall, error) {
	if len(imgText) != img.Rows {
		return Recall{}, fmt.Errorf("siglip: %w: %d matches for %d images", ErrInvalidInput, len(imgText), img.Rows)
	}
	if img.Rows == 0 || txt.Rows == 0 {
		return Recall{}, fmt.Errorf("siglip: %w: retrieval over %d images and %d texts", ErrInvalidInput, img.Rows, txt.Rows)
	}
	nImgs := make([]int, txt.Rows)
	for i, j := range imgText {
		if j < 0 || j >= txt.Rows {
			return Recall{}, fmt.Errorf("siglip: %w: image %d matches text %d of %d", ErrInvalidInput, i, j, txt.Rows)
		}
		nImgs[j]++
	}
	for j, c := range nImgs {
		if c == 0 {
			return Recall{}, fmt.Errorf("siglip: %w: text %d matches no image", ErrInvalidInput, j)
		}
	}
	s, err := similarities(img, txt)
	if err != nil {
		return Recall{}, err
	}
	r := Recall{Ks: slices.Clone(ks), ImageToText: make([]float64, len(ks)), TextToImage: make([]float64, len(ks))}
	// Image -> text: the rank of the image's own caption.
	for i, j := range imgText {
		rank := rankOf(s.Row(i), j)
		for k, K := range ks {
			if rank < K {
				r.ImageToText[k]++
			}
		}
	}
	// Text -> image: the rank of the best of the text's images among the
	// other images.
	best := make([]float32, txt.Rows)
	for j := range best {
		best[j] = float32(math.Inf(-1))
	}
	for i, j := range imgText {
		best[j] = max(best[j], s.At(i, j))
	}
	ranks := make([]int, txt.Rows)
	for i := range img.Rows {
		row := s.Row(i)
		for j, v := range row {
			if imgText[i] != j && v >= best[j] {
				ranks[j]++
			}
		}
	}
	for j := range ranks {
		for k, K := range ks {
			if ranks[j] < K {
				r.TextToImage[k]++
			}
		}
	}
	for k := range ks {
		r.ImageToText[k] /= float64(img.Rows)
		r.TextToImage[k] /= float64(txt.Rows)
	}
	// Pair scores for calibration (a subsample of the negatives: at most
	// 64 per image).
	for i := range img.Rows {
		row := s.Row(i)
		r.pos = append(r.pos, row[imgText[i]])
		step := max(1, txt.Rows/64)
		for j := i % step; j < txt.Rows; j += step {
			if j != imgText[i] {
				r.neg = append(r.neg, row[j])
			}
		}
	}
	return r, nil
}

// PairProbabilities returns, for each pair (image i, text i), the calibrated
// probability sigmoid(t x_i . y_i + b) that the image and the text match,
// with the model's t = exp(t') and b.
func PairProbabilities(m *Model, pixels Matrix, tokens TokenMatrix) ([]float64, error) {
	if pixels.Rows != tokens.Rows {
		return nil, fmt.Errorf("siglip: %w: %d images but %d texts: pairs need as many of each", ErrInvalidInput, pixels.Rows, tokens.Rows)
	}
	img, err := embedImagesBatched(m, pixels, 256)
	if err != nil {
		return nil, err
	}
	txt, err := m.EmbedTexts(tokens)
	if err != nil {
		return nil, err
	}
	p := m.LossParams()
	t := math.Exp(float64(p.TPrime))
	out := make([]float64, pixels.Rows)
	for i := range out {
		var dot float64
		for k, v := range img.Row(i) {
			dot += float64(v) * float64(txt.At(i, k))
		}
		out[i] = sigmoid(t*dot + float64(p.Bias))
	}
	return out, nil
}
