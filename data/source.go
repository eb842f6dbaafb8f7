// Package data provides the datasets of siglip and turns them into training
// batches: the built-in synthetic scenes, MNIST, the emoji sets of npm
// packages, a user's folder of images with captions, and webdataset-style
// tar shards; image decoding and preprocessing; a tokenizer; and a loader
// with seeded shuffling, background prefetch and a split of the global batch
// over ranks.
//
// The package does not import the root siglip package (which imports it):
// batches are plain slices that the trainer wraps without copying.
package data

import "image"

// Example is one image-caption pair of a Source.
type Example struct {
	// Key identifies the example within its source (a file name, an index).
	Key string
	// Image is the decoded image at its own size; the loader resizes and
	// crops it to the model's input.
	Image image.Image
	// Caption is the text paired with the image.
	Caption string
	// Class is an index into Source.Classes(), or -1 when the example has no
	// class (or the source has none).
	Class int
}

// Class is a zero-shot class: a name and the prompts that describe it. The
// text embeddings of the prompts are averaged (and renormalised) to give the
// class's embedding.
type Class struct {
	Name    string
	Prompts []string
}

// Source is one split of a dataset with random access to its examples.
// Example(i) is deterministic: the same i gives the same example, which is
// what makes shuffling seeded and resuming exact.
// Example must be safe for concurrent use: the Loader calls it from several
// goroutines at once.
type Source interface {
	// Name names the dataset and split, e.g. "shapes/train".
	Name() string
	// Len is the number of examples, or -1 for an endless stream, in which
	// case Example(i) is defined for every i >= 0.
	Len() int
	// Example returns example i, 0 <= i < Len() (any i >= 0 when endless).
	Example(i int) (Example, error)
	// Classes lists the zero-shot classes, or nil when the source has none.
	Classes() []Class
	// Close releases open files.
	Close() error
}

// pixelSource is a Source that can write an example's pixels straight into
// a batch, skipping the image: as Preprocess(ex.Image, size, dst) would
// write them (exampleInto), or as their 8 bits (exampleBytesInto, the
// values of which are byteValues). The Loader uses it, when there is no
// augmentation, for the generated scenes: on 2 cores their images cost a
// training step of the quick start's model several percent otherwise.
type pixelSource interface {
	// canWrite reports whether the examples can be written at this size.
	canWrite(size int) bool
	// exampleInto returns example i with a nil Image, having filled dst
	// (3*size*size values); false when it cannot at this size.
	exampleInto(i, size int, dst []float32) (Example, bool, error)
	// exampleBytesInto is exampleInto for bytes.
	exampleBytesInto(i, size int, dst []uint8) (Example, bool, error)
}
