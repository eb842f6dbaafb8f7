package data

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// LoaderOptions configure a Loader.
type LoaderOptions struct {
	// BatchSize is the GLOBAL batch size, over all ranks.
	BatchSize int
	// Rank and WorldSize split each global batch of G rows: this rank gets
	// rows [Rank*G/WorldSize, (Rank+1)*G/WorldSize). WorldSize 0 means 1.
	Rank, WorldSize int
	// ImageSize is the side of the model's square input images; TextLen the
	// number of tokens per text (needed with a Tokenizer).
	ImageSize, TextLen int
	// Tokenizer encodes the captions; nil leaves Batch.Tokens nil.
	Tokenizer Tokenizer
	// Seed drives the shuffling and the augmentation.
	Seed uint64
	// Shuffle visits a finite source in a new seeded order every epoch.
	// Endless sources are random streams already and are read in order.
	Shuffle bool
	// Augment replaces the centre crop with a random resized crop (see
	// Crop), drawn from (Seed, epoch, example index) alone.
	Augment bool
	// Crop configures the augmentation (zero: defaults of CropOptions).
	Crop CropOptions
	// Prefetch is the number of batches decoded ahead of Next (default 2).
	Prefetch int
	// Workers is the number of goroutines that decode examples (default
	// GOMAXPROCS). Source.Example is called from all of them at once, and
	// from the caller of Next, which decodes rows of the batch it waits
	// for rather than sleep.
	Workers int
	// DropLast drops the last, short batch of each epoch of a finite source.
	// Without it that batch has fewer rows (all ranks get their share of
	// it; a rank may get none if it has fewer rows than WorldSize).
	DropLast bool
	// Bytes asks for batches of 8-bit pixels (Batch.Bytes) instead of
	// float ones (Batch.Pixels), where the source allows (the generated
	// scenes at their own size, without augmentation; elsewhere the
	// pixels are resampled and stay floats): a quarter of the memory to
	// write, keep and read. Check Batch.Bytes to see which you got.
	Bytes bool
	// ClassLabels makes Batch.CaptionIDs the examples' classes instead of
	// caption hashes: every example of a class is then a positive of every
	// other (e.g. MNIST, whose captions vary within a class). Every example
	// needs a class.
	ClassLabels bool
}

// Batch is this rank's share of one global batch.
type Batch struct {
	// Rows is the number of examples of this rank.
	Rows int
	// Pixels holds Rows images of 3 x ImageSize x ImageSize values (NCHW,
	// normalised as Preprocess does); nil when Bytes holds them.
	Pixels []float32
	// Bytes holds the images as 8-bit channels instead, in Pixels' layout,
	// when LoaderOptions.Bytes could be honoured; byte u stands for the
	// value ByteValues[u] (Preprocess's normalisation of u/255).
	Bytes      []uint8
	ByteValues *[256]float32
	// Tokens holds Rows x TextLen token ids (nil without a Tokenizer).
	Tokens []int32
	// Captions are the examples' texts.
	Captions []string
	// CaptionIDs are the loss's labels: equal for captions that the
	// tokenizer cannot tell apart (see CaptionID), or the classes with
	// LoaderOptions.ClassLabels; the same on every rank.
	CaptionIDs []int64
	// Classes are the examples' zero-shot classes (-1: none).
	Classes []int
	// Keys identify the examples within the source.
	Keys []string
	// Indices are the examples' indices in the source.
	Indices []int

	// GlobalRows is the number of rows of the global batch over all ranks
	// (the B of the loss); Epoch and Position say which batch this is.
	GlobalRows      int
	Epoch, Position int
	// ImageSize and TextLen are the loader's.
	ImageSize, TextLen int
}

// LoaderState is a position in the data: the batch that Next returns next.
// Restoring it gives the same batches again, exactly.
type LoaderState struct {
	Epoch    int    `json:"epoch"`
	Position int    `json:"position"` // batch index within the epoch (endless sources: since the start)
	Seed     uint64 `json:"seed"`
}

// Loader turns a Source into batches, decoding them in the background. The
// batches depend only on the source, the options and the state: not on
// Workers, Prefetch or timing. Next, State, Restore and Close must be called
// from one goroutine.
type Loader struct {
	src      Source
	o        LoaderOptions
	n        int // source length, -1 endless
	perEpoch int // batches per epoch of a finite source
	pixels   int // values per image

	state   LoaderState
	seed    uint64 // the seed of the run, fixed at the first Next
	started bool
	closed  bool

	pending chan *pendingBatch
	jobs    chan *pendingBatch // each batch up to Workers times: one for each
	done    chan struct{}
	wg      sync.WaitGroup

	// direct is the source when it writes the pixels of the batches
	// itself at this size (no augmentation), else nil; bytes: the batches
	// hold Bytes (LoaderOptions.Bytes, with a direct source).
	direct pixelSource
	bytes  bool
	// Buffers of released batches (see Release), reused by produce.
	freePixels chan []float32
	freeBytes  chan []uint8
	freeTokens chan []int32
}

// pendingBatch is a batch being decoded. Its rows are claimed one at a
// time, by the workers and by Next's caller alike: a descheduled worker
// holds up at most one row, and a claim costs one atomic addition (handing
// rows to workers through a channel cost, on 2 cores, a tenth of a row's
// decoding).
type pendingBatch struct {
	b     *Batch
	lo    int          // first global row of this rank
	next  atomic.Int64 // rows claimed so far
	left  atomic.Int64 // rows not yet decoded; ready is closed at 0
	errs  []error
	ready chan struct{}
}

// NewLoader returns a loader of src. It starts decoding at the first Next.
func NewLoader(src Source, o LoaderOptions) (*Loader, error) {
	if src == nil {
		return nil, invalidf("loader: no source")
	}
	if o.WorldSize == 0 {
		o.WorldSize = 1
	}
	switch {
	case o.BatchSize < 1:
		return nil, invalidf("loader: batch size %d, want at least 1", o.BatchSize)
	case o.WorldSize < 1:
		return nil, invalidf("loader: world size %d, want at least 1", o.WorldSize)
	case o.Rank < 0 || o.Rank >= o.WorldSize:
		return nil, invalidf("loader: rank %d outside [0, %d)", o.Rank, o.WorldSize)
	case o.BatchSize < o.WorldSize:
		return nil, invalidf("loader: global batch size %d is smaller than the world size %d", o.BatchSize, o.WorldSize)
	case o.ImageSize < 1:
		return nil, invalidf("loader: image size %d, want at least 1", o.ImageSize)
	case o.Tokenizer != nil && o.TextLen < 1:
		return nil, invalidf("loader: text length %d, want at least 1", o.TextLen)
	case o.Prefetch < 0:
		return nil, invalidf("loader: prefetch %d, want at least 0", o.Prefetch)
	case o.Workers < 0:
		return nil, invalidf("loader: workers %d, want at least 0", o.Workers)
	}
	if o.Prefetch == 0 {
		o.Prefetch = 2
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	l := &Loader{src: src, o: o, n: src.Len(), pixels: 3 * o.ImageSize * o.ImageSize}
	// Enough for the batches in flight: the prefetched ones, the one being
	// filled and the caller's.
	l.freePixels = make(chan []float32, o.Prefetch+2)
	l.freeBytes = make(chan []uint8, o.Prefetch+2)
	if ps, ok := src.(pixelSource); ok && !o.Augment && ps.canWrite(o.ImageSize) {
		l.direct, l.bytes = ps, o.Bytes
	}
	l.freeTokens = make(chan []int32, o.Prefetch+2)
	l.state.Seed = o.Seed
	switch {
	case l.n == 0:
		return nil, invalidf("loader: %s has no examples", src.Name())
	case l.n < -1:
		return nil, invalidf("loader: %s has length %d", src.Name(), l.n)
	case l.n > 0:
		l.perEpoch = l.n / o.BatchSize
		if !o.DropLast && l.n%o.BatchSize != 0 {
			l.perEpoch++
		}
		if l.perEpoch == 0 {
			return nil, invalidf("loader: %s has %d examples, fewer than one batch of %d (with DropLast)", src.Name(), l.n, o.BatchSize)
		}
	}
	return l, nil
}

// BatchesPerEpoch is the number of batches of an epoch, or -1 for an endless
// source.
func (l *Loader) BatchesPerEpoch() int {
	if l.n < 0 {
		return -1
	}
	return l.perEpoch
}

// State returns the position of the batch that Next returns next.
func (l *Loader) State() LoaderState { return l.state }

// Restore moves to a state saved by State. It must come before the first
// Next. The state's seed replaces LoaderOptions.Seed.
func (l *Loader) Restore(s LoaderState) error {
	if l.started || l.closed {
		return fmt.Errorf("data: loader: Restore after Next or Close")
	}
	if s.Epoch < 0 || s.Position < 0 {
		return invalidf("loader: bad state epoch %d position %d", s.Epoch, s.Position)
	}
	if l.n > 0 && s.Position >= l.perEpoch {
		return invalidf("loader: state position %d is past the %d batches of an epoch of %s", s.Position, l.perEpoch, l.src.Name())
	}
	l.state = s
	return nil
}

// successor returns the position after (epoch, pos).
func (l *Loader) successor(epoch, pos int) (int, int) {
	pos++
	if l.n > 0 && pos >= l.perEpoch {
		return epoch + 1, 0
	}
	return epoch, pos
}

// Next returns the next batch, looping over the epochs of a finite source
// forever. A batch with a bad example gives an error that names the example;
// the next call moves on to the following batch.
func (l *Loader) Next() (*Batch, error) {
	if l.closed {
		return nil, ErrClosed
	}
	if !l.started {
		l.start()
	}
	var pb *pendingBatch
	select {
	case pb = <-l.pending:
	case <-l.done:
		return nil, ErrClosed
	}
	// Decode the batch's unclaimed rows here rather than sleep, then wait
	// for those that workers hold.
	l.decodeRows(pb)
	select {
	case <-pb.ready:
	case <-l.done:
		return nil, ErrClosed
	}
	l.state.Epoch, l.state.Position = l.successor(pb.b.Epoch, pb.b.Position)
	for _, err := range pb.errs {
		if err != nil {
			return nil, err
		}
	}
	return pb.b, nil
}

// Release hands back a batch that the caller is done with; the loader reuses
// its pixel and token buffers for a later batch. On 2 cores, allocating (and
// the runtime's zeroing of) a fresh 3 MB pixel buffer per batch costs several
// percent of a small model's step. Optional: a batch that is never released
// is garbage-collected as usual. b must not be used after Release; its
// other fields (captions, labels, keys) stay valid.
func (l *Loader) Release(b *Batch) {
	if b == nil {
		return
	}
	if b.Pixels != nil {
		select {
		case l.freePixels <- b.Pixels:
		default:
		}
	}
	if b.Bytes != nil {
		select {
		case l.freeBytes <- b.Bytes:
		default:
		}
	}
	if b.Tokens != nil {
		select {
		case l.freeTokens <- b.Tokens:
		default:
		}
	}
	b.Pixels, b.Bytes, b.Tokens = nil, nil, nil
}

// reuse returns a released buffer of n elements, or a new one. Every element
// is overwritten by the workers (Preprocess writes every pixel, Encode every
// token), so a reused buffer needs no clearing.
func reuse[T any](free chan []T, n int) []T {
	select {
	case buf := <-free:
		if cap(buf) >= n {
			return buf[:n]
		}
	default:
	}
	return make([]T, n)
}

// Close stops the background work; Next then returns ErrClosed.
func (l *Loader) Close() {
	if l.closed {
		return
	}
	l.closed = true
	if l.started {
		close(l.done)
		l.wg.Wait()
	}
}

func (l *Loader) start() {
	l.started = true
	l.seed = l.state.Seed
	l.pending = make(chan *pendingBatch, l.o.Prefetch)
	l.jobs = make(chan *pendingBatch, l.o.Workers*(l.o.Prefetch+2))
	l.done = make(chan struct{})
	l.wg.Add(1 + l.o.Workers)
	go l.produce(l.state)
	for range l.o.Workers {
		go l.work()
	}
}

// produce queues the batches in order from state s and hands their rows to
// the workers.
func (l *Loader) produce(s LoaderState) {
	defer l.wg.Done()
	epoch, pos := s.Epoch, s.Position
	var perm []int
	permEpoch := -1
	for {
		var idx []int // the global batch
		if l.n < 0 {
			idx = make([]int, l.o.BatchSize)
			for k := range idx {
				idx[k] = pos*l.o.BatchSize + k
			}
		} else {
			if l.o.Shuffle && permEpoch != epoch {
				perm = newRNG(saltShuffle, s.Seed, uint64(epoch)).perm(l.n)
				permEpoch = epoch
			}
			lo := pos * l.o.BatchSize
			hi := min(lo+l.o.BatchSize, l.n)
			idx = make([]int, hi-lo)
			for k := range idx {
				if l.o.Shuffle {
					idx[k] = perm[lo+k]
				} else {
					idx[k] = lo + k
				}
			}
		}
		g, w, r := len(idx), l.o.WorldSize, l.o.Rank
		lo, hi := r*g/w, (r+1)*g/w
		rows := hi - lo
		b := &Batch{
			Rows: rows,

			Captions:   make([]string, rows),
			CaptionIDs: make([]int64, rows),
			Classes:    make([]int, rows),
			Keys:       make([]string, rows),
			Indices:    idx[lo:hi:hi],
			GlobalRows: g,
			Epoch:      epoch,
			Position:   pos,
			ImageSize:  l.o.ImageSize,
			TextLen:    l.o.TextLen,
		}
		if l.bytes {
			b.Bytes, b.ByteValues = reuse(l.freeBytes, rows*l.pixels), byteValues()
		} else {
			b.Pixels = reuse(l.freePixels, rows*l.pixels)
		}
		if l.o.Tokenizer != nil {
			b.Tokens = reuse(l.freeTokens, rows*l.o.TextLen)
		}
		pb := &pendingBatch{b: b, lo: lo, errs: make([]error, rows), ready: make(chan struct{})}
		pb.left.Store(int64(rows))
		if rows == 0 {
			close(pb.ready)
		}
		select {
		case l.pending <- pb:
		case <-l.done:
			return
		}
		// Never blocks: busy workers must not hold up the next batch,
		// which Next's caller decodes itself if need be. A full queue
		// means that the workers have batches to look at already.
		for range l.o.Workers {
			select {
			case l.jobs <- pb:
			default:
			}
		}
		epoch, pos = l.successor(epoch, pos)
	}
}

func (l *Loader) work() {
	defer l.wg.Done()
	for {
		select {
		case pb := <-l.jobs:
			l.decodeRows(pb)
		case <-l.done:
			return
		}
	}
}

// decodeRows decodes rows of pb until none is left to claim; the last one
// done closes pb.ready.
func (l *Loader) decodeRows(pb *pendingBatch) {
	for {
		row := int(pb.next.Add(1)) - 1
		if row >= pb.b.Rows {
			return
		}
		pb.errs[row] = l.fill(pb.b, row)
		if pb.left.Add(-1) == 0 {
			close(pb.ready)
		}
		// Let a waiting goroutine have this P: the caller of Next woken
		// by the batch, or back from a cgo call (a training step) with
		// no P. With rows left, this loop never blocks, and Go preempts
		// a running goroutine only after 10 ms: without the yield, Next
		// returned a ready batch up to 10 ms late.
		runtime.Gosched()
	}
}

// fill decodes row of b.
func (l *Loader) fill(b *Batch, row int) error {
	i := b.Indices[row]
	var dst []float32
	if !l.bytes {
		dst = b.Pixels[row*l.pixels : (row+1)*l.pixels]
	}
	var ex Example
	var err error
	direct := false // the source wrote the pixels itself
	switch {
	case l.bytes:
		ex, direct, err = l.direct.exampleBytesInto(i, l.o.ImageSize, b.Bytes[row*l.pixels:(row+1)*l.pixels])
	case l.direct != nil:
		ex, direct, err = l.direct.exampleInto(i, l.o.ImageSize, dst)
	}
	if err != nil {
		return fmt.Errorf("%s: example %d: %w", l.src.Name(), i, err)
	}
	if l.direct != nil && !direct { // canWrite said it would
		return fmt.Errorf("data: %s: example %d: the source cannot write %d px images", l.src.Name(), i, l.o.ImageSize)
	}
	if !direct {
		if ex, err = l.src.Example(i); err != nil {
			return fmt.Errorf("%s: example %d: %w", l.src.Name(), i, err)
		}
		if ex.Image == nil || ex.Image.Bounds().Empty() {
			return invalidf("%s: example %d (%s): empty image", l.src.Name(), i, ex.Key)
		}
	}
	// name names the example in the errors (formatted only for one).
	name := func() string { return fmt.Sprintf("%s: example %d (%s)", l.src.Name(), i, ex.Key) }
	if strings.TrimSpace(ex.Caption) == "" {
		return invalidf("%s: empty caption", name())
	}
	switch {
	case direct:
	case l.o.Augment:
		x0, y0, w, h := RandomCrop(ex.Image, l.o.Crop, l.seed, uint64(b.Epoch), uint64(i))
		PreprocessRegion(ex.Image, x0, y0, w, h, l.o.ImageSize, dst)
	default:
		Preprocess(ex.Image, l.o.ImageSize, dst)
	}
	b.Captions[row] = ex.Caption
	b.Classes[row] = ex.Class
	b.Keys[row] = ex.Key
	if l.o.Tokenizer != nil {
		ids := b.Tokens[row*l.o.TextLen : (row+1)*l.o.TextLen]
		if wt, ok := l.o.Tokenizer.(*WordTokenizer); ok {
			wt.encodeInto(ids, ex.Caption) // no allocation
		} else {
			enc := l.o.Tokenizer.Encode(ex.Caption, l.o.TextLen)
			if len(enc) != l.o.TextLen {
				return fmt.Errorf("data: %s tokenizer returned %d ids, want %d", l.o.Tokenizer.Kind(), len(enc), l.o.TextLen)
			}
			copy(ids, enc)
		}
		b.CaptionIDs[row] = idsHash(ids)
	} else {
		b.CaptionIDs[row] = CaptionID(ex.Caption, nil, 0)
	}
	if l.o.ClassLabels {
		if ex.Class < 0 {
			return invalidf("%s: no class (LoaderOptions.ClassLabels needs one)", name())
		}
		b.CaptionIDs[row] = int64(ex.Class)
	}
	return nil
}
