package siglip

// #include <stdlib.h>
// #include "model/siglip_model.h"
import "C"

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// Pooling selects how the image tower turns its tokens into one vector.
type Pooling int

const (
	// PoolMAP is SigLIP's multihead attention pooling head: a learned probe
	// attends over the tokens, then a LayerNorm and an MLP with a residual.
	PoolMAP Pooling = C.SIGLIP_POOLING_MAP
	// PoolMean averages the final tokens.
	PoolMean Pooling = C.SIGLIP_POOLING_MEAN
)

// String returns "map" or "mean".
func (p Pooling) String() string {
	switch p {
	case PoolMAP:
		return "map"
	case PoolMean:
		return "mean"
	}
	return fmt.Sprintf("Pooling(%d)", int(p))
}

// ModelConfig holds the shapes of the two towers.
//
// Image tower (a ViT): ImageSize x ImageSize images with Channels channels
// are cut into PatchSize x PatchSize patches; each flattened patch is mapped
// linearly to VisionWidth and a learned position embedding is added; then
// VisionLayers pre-LN transformer blocks (VisionHeads heads, an MLP of
// VisionMLP hidden units with the tanh approximation of GELU), a final
// LayerNorm, and Pooling.
//
// Text tower: token embedding (VocabSize x TextWidth) plus a learned position
// embedding for TextLen positions; TextLayers pre-LN bidirectional blocks in
// which tokens equal to PadID are masked as attention keys (PadID -1 masks
// nothing); a final LayerNorm of the LAST position (SigLIP's pooling; pad
// texts to TextLen) and a linear head to EmbedDim.
//
// The embeddings of both towers are L2-normalised. As in SigLIP the image
// embedding is the pooled token, so EmbedDim must equal VisionWidth.
type ModelConfig struct {
	ImageSize, PatchSize, Channels                    int
	VisionWidth, VisionLayers, VisionHeads, VisionMLP int
	Pooling                                           Pooling
	VocabSize, TextLen                                int
	TextWidth, TextLayers, TextHeads, TextMLP         int
	PadID                                             int
	EmbedDim                                          int
	LayerNormEps                                      float64
}

// ModelPreset returns a named configuration:
//
//	tiny  for tests: 32 px images, 8 px patches (16 tokens), width 64,
//	      2 layers, 4 heads, MLP 128; text vocab 64, 8 tokens, same widths.
//	s16   image ViT-S/16 at 224 px (width 384, depth 12, 6 heads, MLP 1536,
//	      196 tokens); text width 384, depth 12, 6 heads, MLP 1536,
//	      vocab 32000, 16 tokens; embedding 384.
//	b16   SigLIP B/16 shapes: width 768, depth 12, 12 heads, MLP 3072 at
//	      224 px; text width 768, depth 12, vocab 32000, 64 tokens.
//
// All use MAP pooling, PadID 0 and LayerNorm epsilon 1e-6; change any field
// (image size, patch size, sequence length, vocabulary, ...) afterwards.
func ModelPreset(name string) (ModelConfig, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var c C.siglip_model_config
	errBuf := make([]byte, errBufLen)
	if st := C.siglip_model_config_preset(cname, &c, (*C.char)(unsafe.Pointer(&errBuf[0])), errBufLen); st != C.SIGLIP_OK {
		return ModelConfig{}, statusError("model preset", st, errBuf)
	}
	return configFromC(c), nil
}

// Validate reports the first problem of a configuration; the error wraps
// ErrInvalidInput.
func (c ModelConfig) Validate() error {
	cc := c.toC()
	errBuf := make([]byte, errBufLen)
	if st := C.siglip_model_config_check(&cc, (*C.char)(unsafe.Pointer(&errBuf[0])), errBufLen); st != C.SIGLIP_OK {
		return statusError("model config", st, errBuf)
	}
	return nil
}

// NumPatches is the number of image tokens, (ImageSize/PatchSize)^2.
func (c ModelConfig) NumPatches() int {
	if c.PatchSize <= 0 {
		return 0
	}
	g := c.ImageSize / c.PatchSize
	return g * g
}

// PixelsPerImage is the number of values of one image, Channels*ImageSize^2.
func (c ModelConfig) PixelsPerImage() int { return c.Channels * c.ImageSize * c.ImageSize }

// ForwardFLOPs counts the model FLOPs of the forward pass of both towers on
// the given numbers of images and texts: 2 M N K for every matrix product,
// attention products included (masked keys counted too).
func (c ModelConfig) ForwardFLOPs(images, texts int) float64 {
	cc := c.toC()
	return float64(C.siglip_model_forward_flops(&cc, C.int64_t(images), C.int64_t(texts)))
}

// TrainStepFLOPs counts the model FLOPs of one training step on a batch of
// `batch` pairs: three times the forward of both towers (the backward costs
// two forwards) plus the sigmoid loss's 6 B^2 EmbedDim.
func (c ModelConfig) TrainStepFLOPs(batch int) float64 {
	return 3*c.ForwardFLOPs(batch, batch) + LossFLOPs(Sigmoid, batch, batch, c.EmbedDim, false)
}

func (c ModelConfig) toC() C.siglip_model_config {
	return C.siglip_model_config{
		image_size:     C.int64_t(c.ImageSize),
		patch_size:     C.int64_t(c.PatchSize),
		channels:       C.int64_t(c.Channels),
		vision_width:   C.int64_t(c.VisionWidth),
		vision_layers:  C.int64_t(c.VisionLayers),
		vision_heads:   C.int64_t(c.VisionHeads),
		vision_mlp:     C.int64_t(c.VisionMLP),
		pooling:        C.int64_t(c.Pooling),
		vocab_size:     C.int64_t(c.VocabSize),
		text_len:       C.int64_t(c.TextLen),
		text_width:     C.int64_t(c.TextWidth),
		text_layers:    C.int64_t(c.TextLayers),
		text_heads:     C.int64_t(c.TextHeads),
		text_mlp:       C.int64_t(c.TextMLP),
		pad_id:         C.int64_t(c.PadID),
		embed_dim:      C.int64_t(c.EmbedDim),
		layer_norm_eps: C.double(c.LayerNormEps),
	}
}

func configFromC(c C.siglip_model_config) ModelConfig {
	return ModelConfig{
		ImageSize: int(c.image_size), PatchSize: int(c.patch_size), Channels: int(c.channels),
		VisionWidth: int(c.vision_width), VisionLayers: int(c.vision_layers),
		VisionHeads: int(c.vision_heads), VisionMLP: int(c.vision_mlp),
		Pooling:   Pooling(c.pooling),
		VocabSize: int(c.vocab_size), TextLen: int(c.text_len),
		TextWidth: int(c.text_width), TextLayers: int(c.text_layers),
		TextHeads: int(c.text_heads), TextMLP: int(c.text_mlp),
		PadID: int(c.pad_id), EmbedDim: int(c.embed_dim),
		LayerNormEps: float64(c.layer_norm_eps),
	}
}

// TokenMatrix is a batch of token sequences: Rows texts of Cols ids each,
// row-major (text i is IDs[i*Cols:(i+1)*Cols]). Cols must be the model's
// TextLen: pad shorter texts with the model's PadID.
type TokenMatrix struct {
	Rows, Cols int
	IDs        []int32
}

// ParamGroup is a group of parameters with its own learning-rate multiplier
// (see AdamW.LRMult).
type ParamGroup int

const (
	GroupImage ParamGroup = C.SIGLIP_GROUP_IMAGE // vision_model.*
	GroupText  ParamGroup = C.SIGLIP_GROUP_TEXT  // text_model.*
	GroupLogit ParamGroup = C.SIGLIP_GROUP_LOGIT // logit_scale, logit_bias
	// NumParamGroups is the number of groups.
	NumParamGroups = C.SIGLIP_GROUPS
)

// ParamInfo describes one named parameter tensor.
type ParamInfo struct {
	// Name and Shape follow Hugging Face's SiglipModel state dict (see
	// HFParamNames).
	Name  string
	Shape []int
	// Size is the number of elements; Offset the place of the first in the
	// model's flat parameter vector.
	Size, Offset int
	Group        ParamGroup
	// Decay reports whether AdamW applies weight decay: true for matrices,
	// the token embedding and the MAP probe; false for biases, norms,
	// position embeddings and the logit scalars.
	Decay bool
}

// Model is a SigLIP model: the image and text towers and the loss's two
// scalars (logit_scale = t', logit_bias = b), with their gradients and AdamW
// state, computed by the C++ kernels of csrc/model on a pool of threads.
//
// A training step:
//
//	img, txt, err := m.Forward(pixels, tokens)   // unit-norm embeddings
//	loss, g, err := siglip.Loss(img, txt, m.LossParams(), opts)
//	err = m.Backward(g)                           // dL/d(parameters)
//	norm, err := m.Step(siglip.DefaultAdamW())    // AdamW update
//
// The activations of a training forward are kept in an arena per tower
// sized for the batch (see Reserve), so steps of a fixed batch size allocate
// nothing in C. A Model's methods may be called from several goroutines; they
// run one at a time. Close frees the C memory (a forgotten Model is freed
// when it becomes unreachable).
type Model struct {
	mu      sync.Mutex
	c       *C.siglip_model
	cfg     ModelConfig
	threads int
	params  []ParamInfo
	index   map[string]int
	cleanup runtime.Cleanup
}

// ModelOption configures NewModel.
type ModelOption func(*modelOptions)

type modelOptions struct {
	threads      int
	images, txts int
}

// WithThreads sets the number of threads of the model's pool (0, the
// default: all online cores).
func WithThreads(n int) ModelOption { return func(o *modelOptions) { o.threads = n } }

// WithBatch sizes the activation arenas for training batches of the given
// numbers of images and texts up front (see Model.Reserve).
func WithBatch(images, texts int) ModelOption {
	return func(o *modelOptions) { o.images, o.txts = images, texts }
}

// NewModel creates a model with parameters initialised from seed: the same
// config, seed and thread count give bit-identical results (the kernels cut
// their work by shapes only, so in practice any thread count does).
// Initialisation: Xavier-uniform linear weights, zero biases, unit norms,
// normal(0, 1/sqrt(width)) embeddings and probe, t' = log 10, b = -10.
func NewModel(cfg ModelConfig, seed uint64, opts ...ModelOption) (*Model, error) {
	var o modelOptions
	for _, f := range opts {
		f(&o)
	}
	if o.threads < 0 {
		return nil, fmt.Errorf("siglip: NewModel: %w: threads = %d, want >= 0 (0: all cores)", ErrInvalidInput, o.threads)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cc := cfg.toC()
	var cm *C.siglip_model
	errBuf := make([]byte, errBufLen)
	if st := C.siglip_model_create(&cc, C.SIGLIP_F32, C.int(o.threads), C.uint64_t(seed), &cm,
		(*C.char)(unsafe.Pointer(&errBuf[0])), errBufLen); st != C.SIGLIP_OK {
		return nil, statusError("creating a model", st, errBuf)
	}
	m := &Model{c: cm, cfg: cfg, index: map[string]int{}}
	m.cleanup = runtime.AddCleanup(m, func(p *C.siglip_model) { C.siglip_model_destroy(p) }, cm)
	n := int(C.siglip_model_param_count(cm))
	for i := 0; i < n; i++ {
		var info C.siglip_param_info
		if st := C.siglip_model_param_info(cm, C.int64_t(i), &info, (*C.char)(unsafe.Pointer(&errBuf[0])), errBufLen); st != C.SIGLIP_OK {
			m.Close()
			return nil, statusError("parameter info", st, errBuf)
		}
		p := ParamInfo{
			Name: C.GoString(info.name), Size: int(info.numel), Offset: int(info.offset),
			Group: ParamGroup(info.group), Decay: info.decay != 0,
		}
		for k := 0; k < int(info.ndim); k++ {
			p.Shape = append(p.Shape, int(info.shape[k]))
		}
		m.index[p.Name] = len(m.params)
		m.params = append(m.params, p)
	}
	m.threads = o.threads
	if m.threads == 0 {
		m.threads = runtime.NumCPU()
	}
	if o.images > 0 || o.txts > 0 {
		if err := m.Reserve(o.images, o.txts); err != nil {
			m.Close()
			return nil, err
		}
	}
	return m, nil
}

// Close frees the model's C memory. The Model must not be used afterwards;
// Close is idempotent.
func (m *Model) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.c != nil {
		m.cleanup.Stop()
		C.siglip_model_destroy(m.c)
		m.c = nil
	}
}

// Config returns the model's configuration.
func (m *Model) Config() ModelConfig { return m.cfg }

// Threads returns the number of threads requested for the model's pool
// (all online cores if it was created with 0).
func (m *Model) Threads() int { return m.threads }

var errClosed = errors.New("siglip: model is closed")

// call runs fn with the model locked and an error buffer.
func (m *Model) call(op string, fn func(cerr *C.char) C.int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.c == nil {
		return errClosed
	}
	errBuf := make([]byte, errBufLen)
	if st := fn((*C.char)(unsafe.Pointer(&errBuf[0]))); st != C.SIGLIP_OK {
		return statusError(op, st, errBuf)
	}
	return nil
}

// Reserve sizes the activation arenas for training batches of up to images
// images and texts texts (0 leaves a tower as it is), so that no training
// step of that size allocates. Forward grows them on demand otherwise.
func (m *Model) Reserve(images, texts int) error {
	if images < 0 || texts < 0 {
		return fmt.Errorf("siglip: Reserve: %w: negative batch %d, %d", ErrInvalidInput, images, texts)
	}
	return m.call("reserve", func(e *C.char) C.int {
		return C.siglip_model_reserve(m.c, C.int64_t(images), C.int64_t(texts), e, errBufLen)
	})
}

// Bytes is the memory the model holds in C: parameters, gradients, AdamW
// moments and activation arenas.
func (m *Model) Bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.c == nil {
		return 0
	}
	return int64(C.siglip_model_bytes(m.c))
}

func (m *Model) checkPixels(pixels Matrix) error {
	if pixels.Rows < 1 {
		return fmt.Errorf("%w: empty batch of images", ErrInvalidInput)
	}
	if want := m.cfg.PixelsPerImage(); pixels.Cols != want {
		return fmt.Errorf("%w: images have %d values each, the model wants %d (channels %d x %d x %d, NCHW)",
			ErrInvalidInput, pixels.Cols, want, m.cfg.Channels, m.cfg.ImageSize, m.cfg.ImageSize)
	}
	if err := pixels.Validate(); err != nil {
		return fmt.Errorf("images: %w", err)
	}
	return nil
}

// PixelBytes is a batch of 8-bit images for the image tower: Rows images
// of Cols bytes, laid out as the rows of a pixel Matrix (NCHW), each byte b
// standing for the pixel value Values[b]. A data loader that hands the
// tower bytes (data.Batch.Bytes) writes and the tower reads a quarter of
// the memory of float pixels; the embeddings are those of the values.
type PixelBytes struct {
	Rows, Cols int
	Data       []uint8
	Values     *[256]float32
}

func (m *Model) checkPixelBytes(p PixelBytes) error {
	if p.Rows < 1 {
		return fmt.Errorf("%w: empty batch of images", ErrInvalidInput)
	}
	if want := m.cfg.PixelsPerImage(); p.Cols != want {
		return fmt.Errorf("%w: images have %d bytes each, the model wants %d (channels %d x %d x %d, NCHW)",
			ErrInvalidInput, p.Cols, want, m.cfg.Channels, m.cfg.ImageSize, m.cfg.ImageSize)
	}
	if p.Rows > math.MaxInt/p.Cols || len(p.Data) != p.Rows*p.Cols {
		return fmt.Errorf("%w: %d x %d pixel bytes need %d, Data has %d", ErrInvalidInput, p.Rows, p.Cols, p.Rows*p.Cols, len(p.Data))
	}
	if p.Values == nil {
		return fmt.Errorf("%w: pixel bytes without their Values", ErrInvalidInput)
	}
	for b, v := range p.Values {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%w: the value of pixel byte %d is %v", ErrInvalidInput, b, v)
		}
	}
	return nil
}

func (m *Model) checkTokens(t TokenMatrix) error {
	if t.Rows < 1 {
		return fmt.Errorf("%w: empty batch of texts", ErrInvalidInput)
	}
	if t.Cols != m.cfg.TextLen {
		return fmt.Errorf("%w: texts have %d tokens, the model wants %d (pad with PadID %d)",
			ErrInvalidInput, t.Cols, m.cfg.TextLen, m.cfg.PadID)
	}
	if t.Rows > math.MaxInt/t.Cols || len(t.IDs) != t.Rows*t.Cols {
		return fmt.Errorf("%w: %d x %d tokens need %d ids, IDs has %d", ErrInvalidInput, t.Rows, t.Cols, t.Rows*t.Cols, len(t.IDs))
	}
	for k, id := range t.IDs {
		if id < 0 || int(id) >= m.cfg.VocabSize {
			return fmt.Errorf("%w: token %d of text %d at position %d is outside [0, %d)",
				ErrInvalidInput, id, k/t.Cols, k%t.Cols, m.cfg.VocabSize)
		}
	}
	return nil
}

func (m *Model) embedImages(pixels Matrix, train bool) (Matrix, error) {
	if err := m.checkPixels(pixels); err != nil {
		return Matrix{}, fmt.Errorf("siglip: embed images: %w", err)
	}
	return m.embed("embed images", pixels.Rows, train, func(out unsafe.Pointer, tr C.int, e *C.char) C.int {
		return C.siglip_model_embed_images(m.c, C.int64_t(pixels.Rows), unsafe.Pointer(&pixels.Data[0]), out, tr, e, errBufLen)
	})
}

func (m *Model) embedImageBytes(pixels PixelBytes, train bool) (Matrix, error) {
	if err := m.checkPixelBytes(pixels); err != nil {
		return Matrix{}, fmt.Errorf("siglip: embed images: %w", err)
	}
	return m.embed("embed images", pixels.Rows, train, func(out unsafe.Pointer, tr C.int, e *C.char) C.int {
		return C.siglip_model_embed_images_u8(m.c, C.int64_t(pixels.Rows), (*C.uint8_t)(unsafe.Pointer(&pixels.Data[0])),
			(*C.float)(unsafe.Pointer(&pixels.Values[0])), out, tr, e, errBufLen)
	})
}

func (m *Model) embedTexts(t TokenMatrix, train bool) (Matrix, error) {
	if err := m.checkTokens(t); err != nil {
		return Matrix{}, fmt.Errorf("siglip: embed texts: %w", err)
	}
	return m.embed("embed texts", t.Rows, train, func(out unsafe.Pointer, tr C.int, e *C.char) C.int {
		return C.siglip_model_embed_texts(m.c, C.int64_t(t.Rows), (*C.int32_t)(unsafe.Pointer(&t.IDs[0])), out, tr, e, errBufLen)
	})
}

// embed runs one of the towers' embedding calls into a new rows x EmbedDim
// matrix; train keeps the activations for Backward.
func (m *Model) embed(what string, rows int, train bool, call func(out unsafe.Pointer, train C.int, e *C.char) C.int) (Matrix, error) {
	out := NewMatrix(rows, m.cfg.EmbedDim)
	tr := C.int(0)
	if train {
		tr = 1
	}
	err := m.call(what, func(e *C.char) C.int { return call(unsafe.Pointer(&out.Data[0]), tr, e) })
	return out, err
}

// EmbedImages returns the unit-norm embeddings (pixels.Rows x EmbedDim) of a
// batch of images for inference. Each row of pixels is one image in NCHW
// order (channel, then row, then column: Hugging Face's pixel_values),
// Channels*ImageSize*ImageSize values, already normalised as the model
// expects. Large batches run in chunks of the reserved batch size (16 if
// none). It discards the activations of an earlier training Forward.
func (m *Model) EmbedImages(pixels Matrix) (Matrix, error) { return m.embedImages(pixels, false) }

// EmbedTexts returns the unit-norm embeddings (tokens.Rows x EmbedDim) of a
// batch of token sequences for inference; see EmbedImages.
func (m *Model) EmbedTexts(tokens TokenMatrix) (Matrix, error) { return m.embedTexts(tokens, false) }

// Forward is the training forward of both towers: the embeddings of the
// images and texts, with the activations kept for Backward. A tower whose
// input has zero rows is skipped (its result is an empty Matrix), e.g. a
// locked image tower whose embeddings were computed once (SigLiT).
func (m *Model) Forward(pixels Matrix, tokens TokenMatrix) (img, txt Matrix, err error) {
	if pixels.Rows > 0 {
		if img, err = m.embedImages(pixels, true); err != nil {
			return Matrix{}, Matrix{}, err
		}
	}
	if tokens.Rows > 0 {
		if txt, err = m.embedTexts(tokens, true); err != nil {
			return Matrix{}, Matrix{}, err
		}
	}
	if pixels.Rows == 0 && tokens.Rows == 0 {
		return Matrix{}, Matrix{}, fmt.Errorf("siglip: Forward: %w: empty batch (no images and no texts)", ErrInvalidInput)
	}
	return img, txt, nil
}

// ForwardBytes is Forward with 8-bit images (see PixelBytes): the same
// embeddings and activations as Forward of the values the bytes stand for.
func (m *Model) ForwardBytes(pixels PixelBytes, tokens TokenMatrix) (img, txt Matrix, err error) {
	if img, err = m.embedImageBytes(pixels, true); err != nil {
		return Matrix{}, Matrix{}, err
	}
	if tokens.Rows > 0 {
		if txt, err = m.embedTexts(tokens, true); err != nil {
			return Matrix{}, Matrix{}, err
		}
	}
	return img, txt, nil
}

// EmbedImageBytes is EmbedImages of 8-bit images (see PixelBytes).
func (m *Model) EmbedImageBytes(pixels PixelBytes) (Matrix, error) {
	return m.embedImageBytes(pixels, false)
}

// Backward computes the gradients of every parameter from the gradients of
// the loss with respect to the embeddings and the loss's scalars (what Loss
// returns: g.Image for the images of the last Forward, g.Text for its texts,
// g.TPrime for logit_scale, g.Bias for logit_bias), overwriting the previous
// gradients. A tower whose gradient matrix is empty (zero rows) is skipped
// and its gradients are set to zero (a locked tower).
func (m *Model) Backward(g Gradients) error { return m.backward(g, false) }

// BackwardAccumulate is Backward adding to the gradients instead of
// overwriting them (gradient accumulation over micro-batches).
func (m *Model) BackwardAccumulate(g Gradients) error { return m.backward(g, true) }

func (m *Model) backward(g Gradients, acc bool) error {
	check := func(what string, x Matrix) error {
		if x.Rows == 0 {
			return nil
		}
		if x.Cols != m.cfg.EmbedDim {
			return fmt.Errorf("siglip: backward: %w: %s gradient has %d columns, the embeddings %d", ErrInvalidInput, what, x.Cols, m.cfg.EmbedDim)
		}
		if err := x.Validate(); err != nil {
			return fmt.Errorf("siglip: backward: %s gradient: %w", what, err)
		}
		return nil
	}
	if err := check("image", g.Image); err != nil {
		return err
	}
	if err := check("text", g.Text); err != nil {
		return err
	}
	var pinner runtime.Pinner
	defer pinner.Unpin()
	cg := C.siglip_model_grads{
		n_img:         C.int64_t(g.Image.Rows),
		n_txt:         C.int64_t(g.Text.Rows),
		d_logit_scale: C.double(g.TPrime),
		d_logit_bias:  C.double(g.Bias),
	}
	if acc {
		cg.accumulate = 1
	}
	if g.Image.Rows > 0 {
		pinner.Pin(&g.Image.Data[0])
		cg.dimg = unsafe.Pointer(&g.Image.Data[0])
	}
	if g.Text.Rows > 0 {
		pinner.Pin(&g.Text.Data[0])
		cg.dtxt = unsafe.Pointer(&g.Text.Data[0])
	}
	return m.call("backward", func(e *C.char) C.int { return C.siglip_model_backward(m.c, &cg, e, errBufLen) })
}

// ZeroGrad sets every gradient to zero.
func (m *Model) ZeroGrad() error {
	return m.call("zero gradients", func(e *C.char) C.int { return C.siglip_model_zero_grads(m.c, e, errBufLen) })
}

// LossParams returns the loss's scalars as the model holds them now
// (logit_scale is t', logit_bias is b); DefaultParams() once m is closed.
func (m *Model) LossParams() Params {
	s, err1 := m.Param("logit_scale")
	b, err2 := m.Param("logit_bias")
	if err1 != nil || err2 != nil {
		return DefaultParams()
	}
	return Params{TPrime: s[0], Bias: b[0]}
}

// Params lists the named parameter tensors in the order of the flat vector.
func (m *Model) Params() []ParamInfo {
	out := make([]ParamInfo, len(m.params))
	for i, p := range m.params {
		p.Shape = append([]int(nil), p.Shape...)
		out[i] = p
	}
	return out
}

// NumParams is the total number of scalar parameters.
func (m *Model) NumParams() int {
	if len(m.params) == 0 {
		return 0
	}
	last := m.params[len(m.params)-1]
	return last.Offset + last.Size
}

func (m *Model) lookup(name string) (ParamInfo, error) {
	i, ok := m.index[name]
	if !ok {
		return ParamInfo{}, fmt.Errorf("siglip: %w: no parameter named %q", ErrInvalidInput, name)
	}
	return m.params[i], nil
}

func (m *Model) read(which C.siglip_model_buffer, name string) ([]float32, error) {
	p, err := m.lookup(name)
	if err != nil {
		return nil, err
	}
	out := make([]float32, p.Size)
	err = m.call("read "+name, func(e *C.char) C.int {
		return C.siglip_model_read(m.c, which, C.int64_t(p.Offset), C.int64_t(p.Size), unsafe.Pointer(&out[0]), e, errBufLen)
	})
	return out, err
}

func (m *Model) write(which C.siglip_model_buffer, name string, v []float32) error {
	p, err := m.lookup(name)
	if err != nil {
		return err
	}
	if len(v) != p.Size {
		return fmt.Errorf("siglip: %w: %s has %d elements (shape %v), got %d", ErrInvalidInput, name, p.Size, p.Shape, len(v))
	}
	return m.call("write "+name, func(e *C.char) C.int {
		return C.siglip_model_write(m.c, which, C.int64_t(p.Offset), C.int64_t(p.Size), unsafe.Pointer(&v[0]), e, errBufLen)
	})
}

// Param returns a copy of the named parameter, row-major in its Shape.
func (m *Model) Param(name string) ([]float32, error) { return m.read(C.SIGLIP_BUF_PARAMS, name) }

// SetParam overwrites the named parameter (e.g. from a checkpoint).
func (m *Model) SetParam(name string, v []float32) error {
	for k, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("siglip: %w: %s: non-finite value at %d", ErrInvalidInput, name, k)
		}
	}
	return m.write(C.SIGLIP_BUF_PARAMS, name, v)
}

// Grad returns a copy of the gradient of the named parameter.
func (m *Model) Grad(name string) ([]float32, error) { return m.read(C.SIGLIP_BUF_GRADS, name) }

// OptimizerState returns copies of the AdamW first and second moments of
// the named parameter (for checkpoints).
func (m *Model) OptimizerState(name string) (m1, v []float32, err error) {
	if m1, err = m.read(C.SIGLIP_BUF_ADAM_M, name); err != nil {
		return nil, nil, err
	}
	if v, err = m.read(C.SIGLIP_BUF_ADAM_V, name); err != nil {
		return nil, nil, err
	}
	return m1, v, nil
}

// SetOptimizerState restores the AdamW moments of the named parameter.
func (m *Model) SetOptimizerState(name string, m1, v []float32) error {
	if err := m.write(C.SIGLIP_BUF_ADAM_M, name, m1); err != nil {
		return err
	}
	return m.write(C.SIGLIP_BUF_ADAM_V, name, v)
}

// Steps returns the number of AdamW steps taken (the t of the bias
// correction of the last step).
func (m *Model) Steps() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.c == nil {
		return 0
	}
	return int64(C.siglip_model_adamw_steps(m.c))
}

// SetSteps sets the AdamW step count (when resuming from a checkpoint).
func (m *Model) SetSteps(t int64) error {
	return m.call("set steps", func(e *C.char) C.int { return C.siglip_model_set_adamw_steps(m.c, C.int64_t(t), e, errBufLen) })
}

// SIMDTarget names the SIMD target the tower kernels dispatched to on this
// CPU (e.g. "AVX3").
func SIMDTarget() string { return C.GoString(C.siglip_model_simd_target()) }

// Parameter names and layouts.
//
// A Model's parameter names, shapes and row-major layouts are those of Hugging
// Face's SiglipModel state dict (transformers' modeling_siglip.py), so a
// safetensors checkpoint of SiglipModel maps onto a Model of the same shapes
// by name, tensor by tensor, with no reshaping:
//
//   - vision_model.embeddings.patch_embedding.weight is the Conv2d weight
//     [D, C, P, P]; read row-major it is the [D, C*P*P] matrix applied to a
//     patch flattened in (channel, row, column) order, which is how the
//     kernels use it.
//   - q_proj, k_proj and v_proj are separate tensors as in Hugging Face; the
//     flat vector stores them (and then their biases) next to each other so
//     the kernels run one fused [3D, D] QKV GEMM.
//   - vision_model.head.attention.in_proj_weight/in_proj_bias are
//     nn.MultiheadAttention's packed [3D, D] q|k|v projection of the MAP head.
//   - logit_scale is t' (the loss's log temperature), logit_bias is b.
//
// BigVisionSources adds the table to Google's big_vision checkpoints (.npz),
// following transformers' convert_siglip_to_hf.py.

// HFParamNames lists the Hugging Face SiglipModel state-dict keys of a model
// of config c, in the order of the model's flat parameter vector (the names
// Model.Params reports).
func HFParamNames(c ModelConfig) []string {
	var out []string
	block := func(prefix string) {
		for _, n := range []string{"q_proj.weight", "k_proj.weight", "v_proj.weight", "q_proj.bias",
			"k_proj.bias", "v_proj.bias", "out_proj.weight", "out_proj.bias"} {
			out = append(out, prefix+"self_attn."+n)
		}
		out = append(out, prefix+"layer_norm1.weight", prefix+"layer_norm1.bias",
			prefix+"mlp.fc1.weight", prefix+"mlp.fc1.bias", prefix+"mlp.fc2.weight", prefix+"mlp.fc2.bias",
			prefix+"layer_norm2.weight", prefix+"layer_norm2.bias")
	}
	out = append(out, "vision_model.embeddings.patch_embedding.weight",
		"vision_model.embeddings.patch_embedding.bias", "vision_model.embeddings.position_embedding.weight")
	for i := 0; i < c.VisionLayers; i++ {
		block(fmt.Sprintf("vision_model.encoder.layers.%d.", i))
	}
	out = append(out, "vision_model.post_layernorm.weight", "vision_model.post_layernorm.bias")
	if c.Pooling == PoolMAP {
		out = append(out, "vision_model.head.probe", "vision_model.head.attention.in_proj_weight",
			"vision_model.head.attention.in_proj_bias", "vision_model.head.attention.out_proj.weight",
			"vision_model.head.attention.out_proj.bias", "vision_model.head.layernorm.weight",
			"vision_model.head.layernorm.bias", "vision_model.head.mlp.fc1.weight",
			"vision_model.head.mlp.fc1.bias", "vision_model.head.mlp.fc2.weight", "vision_model.head.mlp.fc2.bias")
	}
	out = append(out, "text_model.embeddings.token_embedding.weight",
		"text_model.embeddings.position_embedding.weight")
	for i := 0; i < c.TextLayers; i++ {
		block(fmt.Sprintf("text_model.encoder.layers.%d.", i))
	}
	out = append(out, "text_model.final_layer_norm.weight", "text_model.final_layer_norm.bias",
		"text_model.head.weight", "text_model.head.bias", "logit_scale", "logit_bias")
	return out
}

// ParamSource says where one of a Model's parameters comes from in a
// big_vision SigLIP checkpoint.
type ParamSource struct {
	Name      string // the Model's (= Hugging Face's) name
	BigVision string // the flattened big_vision path, e.g. "params/img/embedding/kernel"
	Transform string // how the big_vision array becomes ours
}

// BigVisionSources maps every parameter of a model of config c to its
// big_vision checkpoint path and the reshaping it needs, the mapping of
// transformers' convert_siglip_to_hf.py (kernels are [in, out] in JAX,
// [out, in] here; attention kernels are [D, H, D/H] or [H, D/H, D]). The
// MAP head's in_proj_* is the concatenation of its query, key and value.
func BigVisionSources(c ModelConfig) []ParamSource {
	const (
		tT    = "transpose [in, out] -> [out, in]"
		tQKV  = "reshape [D, H, D/H] -> [D, D], transpose"
		tOut  = "reshape [H, D/H, D] -> [D, D], transpose"
		tBias = "reshape to 1-D"
		tNone = "as is"
	)
	enc := map[string][2]string{
		"self_attn.q_proj.weight":   {"MultiHeadDotProductAttention_0/query/kernel", tQKV},
		"self_attn.k_proj.weight":   {"MultiHeadDotProductAttention_0/key/kernel", tQKV},
		"self_attn.v_proj.weight":   {"MultiHeadDotProductAttention_0/value/kernel", tQKV},
		"self_attn.q_proj.bias":     {"MultiHeadDotProductAttention_0/query/bias", tBias},
		"self_attn.k_proj.bias":     {"MultiHeadDotProductAttention_0/key/bias", tBias},
		"self_attn.v_proj.bias":     {"MultiHeadDotProductAttention_0/value/bias", tBias},
		"self_attn.out_proj.weight": {"MultiHeadDotProductAttention_0/out/kernel", tOut},
		"self_attn.out_proj.bias":   {"MultiHeadDotProductAttention_0/out/bias", tNone},
		"layer_norm1.weight":        {"LayerNorm_0/scale", tNone},
		"layer_norm1.bias":          {"LayerNorm_0/bias", tNone},
		"layer_norm2.weight":        {"LayerNorm_1/scale", tNone},
		"layer_norm2.bias":          {"LayerNorm_1/bias", tNone},
		"mlp.fc1.weight":            {"MlpBlock_0/Dense_0/kernel", tT},
		"mlp.fc1.bias":              {"MlpBlock_0/Dense_0/bias", tNone},
		"mlp.fc2.weight":            {"MlpBlock_0/Dense_1/kernel", tT},
		"mlp.fc2.bias":              {"MlpBlock_0/Dense_1/bias", tNone},
	}
	fixed := map[string][2]string{
		"vision_model.embeddings.patch_embedding.weight":    {"params/img/embedding/kernel", "transpose [P, P, C, D] -> [D, C, P, P]"},
		"vision_model.embeddings.patch_embedding.bias":      {"params/img/embedding/bias", tNone},
		"vision_model.embeddings.position_embedding.weight": {"params/img/pos_embedding", "reshape [1, N, D] -> [N, D]"},
		"vision_model.post_layernorm.weight":                {"params/img/Transformer/encoder_norm/scale", tNone},
		"vision_model.post_layernorm.bias":                  {"params/img/Transformer/encoder_norm/bias", tNone},
		"vision_model.head.probe":                           {"params/img/MAPHead_0/probe", tNone},
		"vision_model.head.attention.in_proj_weight": {"params/img/MAPHead_0/MultiHeadDotProductAttention_0/{query,key,value}/kernel",
			"each reshape [D, H, D/H] -> [D, D], transpose; concatenate q, k, v -> [3D, D]"},
		"vision_model.head.attention.in_proj_bias": {"params/img/MAPHead_0/MultiHeadDotProductAttention_0/{query,key,value}/bias",
			"each reshape to 1-D; concatenate q, k, v -> [3D]"},
		"vision_model.head.attention.out_proj.weight":     {"params/img/MAPHead_0/MultiHeadDotProductAttention_0/out/kernel", tOut},
		"vision_model.head.attention.out_proj.bias":       {"params/img/MAPHead_0/MultiHeadDotProductAttention_0/out/bias", tNone},
		"vision_model.head.layernorm.weight":              {"params/img/MAPHead_0/LayerNorm_0/scale", tNone},
		"vision_model.head.layernorm.bias":                {"params/img/MAPHead_0/LayerNorm_0/bias", tNone},
		"vision_model.head.mlp.fc1.weight":                {"params/img/MAPHead_0/MlpBlock_0/Dense_0/kernel", tT},
		"vision_model.head.mlp.fc1.bias":                  {"params/img/MAPHead_0/MlpBlock_0/Dense_0/bias", tNone},
		"vision_model.head.mlp.fc2.weight":                {"params/img/MAPHead_0/MlpBlock_0/Dense_1/kernel", tT},
		"vision_model.head.mlp.fc2.bias":                  {"params/img/MAPHead_0/MlpBlock_0/Dense_1/bias", tNone},
		"text_model.embeddings.token_embedding.weight":    {"params/txt/Embed_0/embedding", tNone},
		"text_model.embeddings.position_embedding.weight": {"params/txt/pos_embedding", "reshape [1, S, D] -> [S, D]"},
		"text_model.final_layer_norm.weight":              {"params/txt/Encoder_0/encoder_norm/scale", tNone},
		"text_model.final_layer_norm.bias":                {"params/txt/Encoder_0/encoder_norm/bias", tNone},
		"text_model.head.weight":                          {"params/txt/head/kernel", tT},
		"text_model.head.bias":                            {"params/txt/head/bias", tNone},
		"logit_scale":                                     {"params/t", "reshape to [1]"},
		"logit_bias":                                      {"params/b", "reshape to [1]"},
	}
	var out []ParamSource
	for _, name := range HFParamNames(c) {
		if f, ok := fixed[name]; ok {
			out = append(out, ParamSource{name, f[0], f[1]})
			continue
		}
		var tower, prefix string
		var layer int
		if _, err := fmt.Sscanf(name, "vision_model.encoder.layers.%d.", &layer); err == nil {
			tower, prefix = "params/img/Transformer", fmt.Sprintf("vision_model.encoder.layers.%d.", layer)
		} else if _, err := fmt.Sscanf(name, "text_model.encoder.layers.%d.", &layer); err == nil {
			tower, prefix = "params/txt/Encoder_0", fmt.Sprintf("text_model.encoder.layers.%d.", layer)
		}
		e := enc[name[len(prefix):]]
		out = append(out, ParamSource{name, fmt.Sprintf("%s/encoderblock_%d/%s", tower, layer, e[0]), e[1]})
	}
	return out
}

// StepStats reports one TrainStep.
type StepStats struct {
	Loss     float64 // the loss before the update
	GradNorm float64 // the global gradient norm before clipping
	// Wall time of the phases.
	Forward, LossTime, Backward, Optimizer time.Duration
}

// TrainStep runs one full training step on a batch of image-text pairs:
// the training forward of both towers, the loss (lo.Kind; Sigmoid by
// default) with the model's logit_scale and logit_bias, the backward of both
// towers and the loss's scalars, and one AdamW update with o.
func (m *Model) TrainStep(pixels Matrix, tokens TokenMatrix, lo LossOptions, o AdamW) (StepStats, error) {
	var s StepStats
	t0 := time.Now()
	img, txt, err := m.Forward(pixels, tokens)
	if err != nil {
		return s, err
	}
	t1 := time.Now()
	loss, g, err := Loss(img, txt, m.LossParams(), lo)
	if err != nil {
		return s, err
	}
	t2 := time.Now()
	if err := m.Backward(g); err != nil {
		return s, err
	}
	t3 := time.Now()
	norm, err := m.Step(o)
	if err != nil {
		return s, err
	}
	t4 := time.Now()
	s = StepStats{Loss: loss, GradNorm: norm, Forward: t1.Sub(t0), LossTime: t2.Sub(t1),
		Backward: t3.Sub(t2), Optimizer: t4.Sub(t3)}
	return s, nil
}
