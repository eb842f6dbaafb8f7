package data

import "math/bits"

// The generators of this package use their own small RNG (SplitMix64) rather
// than math/rand, so that every stream of numbers is fixed by this file alone:
// the same seed gives the same scenes, shuffles and crops on every Go version
// and platform.

const golden = 0x9e3779b97f4a7c15

// mix64 is the SplitMix64 finaliser: a bijective hash of 64-bit words.
func mix64(x uint64) uint64 {
	x += golden
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashKeys folds keys into one 64-bit seed; the order of the keys matters.
func hashKeys(keys ...uint64) uint64 {
	h := uint64(0x243f6a8885a308d3)
	for _, k := range keys {
		h = mix64(h ^ k)
	}
	return h
}

// rng is a SplitMix64 generator.
type rng struct{ s uint64 }

// newRNG returns a generator seeded by the keys (see hashKeys).
func newRNG(keys ...uint64) *rng { return &rng{hashKeys(keys...)} }

func (r *rng) next() uint64 {
	r.s += golden
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n), n > 0.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// uniform returns a number in [lo, hi).
func (r *rng) uniform(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// perm returns a seeded permutation of [0, n) (Fisher-Yates).
func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// Salts that separate the streams of the package from each other.
const (
	saltShuffle uint64 = 0x5348554646 // "SHUFF"
	saltAugment uint64 = 0x4155474d   // "AUGM"
	saltShapes  uint64 = 0x5348415045 // "SHAPE"
	saltTest    uint64 = 0x54455354   // "TEST"
	saltSplit   uint64 = 0x53504c4954 // "SPLIT"
)
