package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// memSource is a finite in-memory source for the tests; bad lists indices
// that fail.
type memSource struct {
	n   int
	bad map[int]bool
}

func (m *memSource) Name() string     { return "mem" }
func (m *memSource) Len() int         { return m.n }
func (m *memSource) Classes() []Class { return nil }
func (m *memSource) Close() error     { return nil }
func (m *memSource) Example(i int) (Example, error) {
	if m.bad[i] {
		return Example{}, invalidf("mem-%d.png: corrupt image", i)
	}
	img := image.NewRGBA(image.Rect(0, 0, 6+i%3, 5))
	for k := range img.Pix {
		img.Pix[k] = uint8(i*31 + k*7)
	}
	img.Set(0, 0, color.RGBA{uint8(i), uint8(i >> 8), 0, 255})
	return Example{Key: fmt.Sprintf("mem-%d", i), Image: img, Caption: fmt.Sprintf("caption %d", i%7), Class: i % 3}, nil
}

func testTokenizer() *WordTokenizer {
	return BuildVocab([]string{"caption 0 1 2 3 4 5 6", sceneWords()}, VocabOptions{})
}

func collect(t *testing.T, src Source, o LoaderOptions, n int) []*Batch {
	t.Helper()
	l, err := NewLoader(src, o)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var out []*Batch
	for range n {
		b, err := l.Next()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestLoaderDeterministic(t *testing.T) {
	shapes, _ := Open(Shapes, OpenOptions{Seed: 1})
	for _, src := range []Source{&memSource{n: 23}, shapes} {
		base := LoaderOptions{BatchSize: 8, ImageSize: 8, TextLen: 16, Tokenizer: testTokenizer(), Seed: 5, Shuffle: true, Augment: true}
		var ref []*Batch
		for _, wp := range [][2]int{{1, 1}, {2, 1}, {4, 3}, {3, 2}} {
			o := base
			o.Workers, o.Prefetch = wp[0], wp[1]
			got := collect(t, src, o, 5)
			if ref == nil {
				ref = got
				continue
			}
			if !reflect.DeepEqual(got, ref) {
				t.Errorf("%s: workers %d prefetch %d give other batches than workers 1 prefetch 1", src.Name(), wp[0], wp[1])
			}
		}
		o := base
		o.Seed = 6
		if reflect.DeepEqual(collect(t, src, o, 5), ref) {
			t.Errorf("%s: seeds 5 and 6 give the same batches", src.Name())
		}
	}
}

func TestLoaderEpochs(t *testing.T) {
	src := &memSource{n: 10}
	for _, tt := range []struct {
		dropLast bool
		shuffle  bool
		sizes    []int
	}{
		{false, false, []int{4, 4, 2, 4, 4, 2}},
		{true, false, []int{4, 4, 4, 4}},
		{false, true, []int{4, 4, 2, 4, 4, 2}},
	} {
		bs := collect(t, src, LoaderOptions{BatchSize: 4, ImageSize: 4, DropLast: tt.dropLast, Shuffle: tt.shuffle, Workers: 2}, len(tt.sizes))
		var epochs [2][]int
		for k, b := range bs {
			if b.Rows != tt.sizes[k] || b.GlobalRows != tt.sizes[k] || len(b.Pixels) != b.Rows*3*16 || b.Tokens != nil {
				t.Fatalf("%+v: batch %d has %d rows, %d pixels", tt, k, b.Rows, len(b.Pixels))
			}
			epochs[b.Epoch] = append(epochs[b.Epoch], b.Indices...)
		}
		for e, idx := range epochs {
			sorted := slices.Sorted(slices.Values(idx))
			want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
			if tt.dropLast {
				if len(idx) != 8 || len(slices.Compact(sorted)) != 8 {
					t.Errorf("%+v: epoch %d visits %v", tt, e, idx)
				}
			} else if !slices.Equal(sorted, want) {
				t.Errorf("%+v: epoch %d visits %v", tt, e, idx)
			}
			if !tt.shuffle && !slices.IsSorted(idx) {
				t.Errorf("%+v: epoch %d out of order: %v", tt, e, idx)
			}
		}
		if tt.shuffle && slices.Equal(epochs[0], epochs[1]) {
			t.Errorf("%+v: the same order in epochs 0 and 1", tt)
		}
	}
}

func TestLoaderResume(t *testing.T) {
	shapes, _ := Open(Shapes, OpenOptions{})
	for _, src := range []Source{&memSource{n: 13}, shapes} {
		o := LoaderOptions{BatchSize: 5, ImageSize: 6, TextLen: 8, Tokenizer: testTokenizer(), Seed: 9, Shuffle: true, Augment: true, Workers: 3}
		l, err := NewLoader(src, o)
		if err != nil {
			t.Fatal(err)
		}
		if s := l.State(); s != (LoaderState{Seed: 9}) {
			t.Errorf("initial state %+v", s)
		}
		var states []LoaderState
		var batches []*Batch
		for range 7 { // past two epochs of the finite source
			states = append(states, l.State())
			b, err := l.Next()
			if err != nil {
				t.Fatal(err)
			}
			batches = append(batches, b)
		}
		l.Close()
		for k := range states {
			js, _ := json.Marshal(states[k])
			var s LoaderState
			if err := json.Unmarshal(js, &s); err != nil {
				t.Fatal(err)
			}
			o2 := o
			o2.Seed = 12345 // Restore brings back the seed
			o2.Workers = 1
			l2, _ := NewLoader(src, o2)
			if err := l2.Restore(s); err != nil {
				t.Fatal(err)
			}
			for j := k; j < min(k+2, len(batches)); j++ {
				b, err := l2.Next()
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(b, batches[j]) {
					t.Errorf("%s: restored at %s, batch %d differs", src.Name(), js, j)
				}
			}
			if err := l2.Restore(s); err == nil {
				t.Error("Restore after Next: no error")
			}
			l2.Close()
		}
		if src.Len() > 0 {
			if want := (LoaderState{Epoch: 2, Position: 0, Seed: 9}); states[6] != want {
				t.Errorf("state before batch 6: %+v, want %+v", states[6], want)
			}
			l3, _ := NewLoader(src, o)
			if err := l3.Restore(LoaderState{Position: 3}); err == nil {
				t.Error("Restore past the epoch: no error")
			}
		}
	}
}

func TestLoaderRanks(t *testing.T) {
	shapes, _ := Open(Shapes, OpenOptions{})
	for _, src := range []Source{&memSource{n: 17}, shapes} {
		for _, w := range []int{2, 3, 4} {
			o := LoaderOptions{BatchSize: 10, ImageSize: 5, TextLen: 6, Tokenizer: testTokenizer(), Seed: 2, Shuffle: true, Augment: true, Workers: 2}
			ref := collect(t, src, o, 3)
			parts := make([][]*Batch, w)
			for r := range w {
				o.Rank, o.WorldSize = r, w
				parts[r] = collect(t, src, o, 3)
			}
			for k := range ref {
				var cat Batch
				for r := range w {
					b := parts[r][k]
					if b.GlobalRows != ref[k].GlobalRows {
						t.Fatalf("rank %d global rows %d, want %d", r, b.GlobalRows, ref[k].GlobalRows)
					}
					if lo, hi := r*b.GlobalRows/w, (r+1)*b.GlobalRows/w; b.Rows != hi-lo {
						t.Fatalf("rank %d of %d: %d rows, want %d", r, w, b.Rows, hi-lo)
					}
					cat.Rows += b.Rows
					cat.Pixels = append(cat.Pixels, b.Pixels...)
					cat.Tokens = append(cat.Tokens, b.Tokens...)
					cat.Captions = append(cat.Captions, b.Captions...)
					cat.CaptionIDs = append(cat.CaptionIDs, b.CaptionIDs...)
					cat.Classes = append(cat.Classes, b.Classes...)
					cat.Keys = append(cat.Keys, b.Keys...)
					cat.Indices = append(cat.Indices, b.Indices...)
				}
				want := *ref[k]
				cat.GlobalRows, cat.Epoch, cat.Position, cat.ImageSize, cat.TextLen = want.GlobalRows, want.Epoch, want.Position, want.ImageSize, want.TextLen
				if !reflect.DeepEqual(&cat, &want) {
					t.Errorf("%s: %d ranks: batch %d concatenated differs from the 1-rank batch", src.Name(), w, k)
				}
			}
		}
	}
}

func TestLoaderCaptionIDs(t *testing.T) {
	shapes, _ := Open(Shapes, OpenOptions{})
	b := collect(t, shapes, LoaderOptions{BatchSize: 256, ImageSize: 8, TextLen: 16, Tokenizer: testTokenizer()}, 1)[0]
	if b.Rows != 256 || len(b.Tokens) != 256*16 {
		t.Fatalf("%d rows, %d tokens", b.Rows, len(b.Tokens))
	}
	equalPairs := 0
	for i := range b.Rows {
		if b.CaptionIDs[i] < 0 {
			t.Fatalf("negative id %d", b.CaptionIDs[i])
		}
		for j := range i {
			if (b.CaptionIDs[i] == b.CaptionIDs[j]) != (b.Captions[i] == b.Captions[j]) {
				t.Errorf("rows %d %d: captions %q %q, ids %d %d", i, j, b.Captions[i], b.Captions[j], b.CaptionIDs[i], b.CaptionIDs[j])
			}
			if b.Captions[i] == b.Captions[j] {
				equalPairs++
			}
		}
		if got := b.Tokens[i*16 : (i+1)*16]; got[15] != EOSID || slices.Contains(got, UnkID) {
			t.Errorf("row %d tokens %v", i, got)
		}
	}
	if equalPairs == 0 {
		t.Error("no repeated caption in 256 scenes: the test proves nothing")
	}
	// Without a tokenizer, and with class labels.
	b = collect(t, &memSource{n: 20}, LoaderOptions{BatchSize: 20, ImageSize: 2}, 1)[0]
	for i := range b.Rows {
		for j := range i {
			if (b.CaptionIDs[i] == b.CaptionIDs[j]) != (b.Captions[i] == b.Captions[j]) {
				t.Errorf("no tokenizer: rows %d %d: captions %q %q, ids %d %d", i, j, b.Captions[i], b.Captions[j], b.CaptionIDs[i], b.CaptionIDs[j])
			}
		}
	}
	b = collect(t, &memSource{n: 20}, LoaderOptions{BatchSize: 20, ImageSize: 2, ClassLabels: true}, 1)[0]
	for i := range b.Rows {
		if b.CaptionIDs[i] != int64(b.Classes[i]) {
			t.Errorf("class labels: row %d id %d class %d", i, b.CaptionIDs[i], b.Classes[i])
		}
	}
}

func TestLoaderPixels(t *testing.T) {
	src := &memSource{n: 4}
	b := collect(t, src, LoaderOptions{BatchSize: 4, ImageSize: 3}, 1)[0]
	for i := range 4 {
		ex, _ := src.Example(i)
		want := make([]float32, 27)
		Preprocess(ex.Image, 3, want)
		if !slices.Equal(b.Pixels[i*27:(i+1)*27], want) {
			t.Errorf("row %d: pixels differ from Preprocess", i)
		}
		if b.Keys[i] != ex.Key || b.Captions[i] != ex.Caption || b.Classes[i] != ex.Class || b.Indices[i] != i {
			t.Errorf("row %d: %q %q %d %d", i, b.Keys[i], b.Captions[i], b.Classes[i], b.Indices[i])
		}
	}
}

func TestLoaderErrors(t *testing.T) {
	src := &memSource{n: 12, bad: map[int]bool{5: true}}
	l, err := NewLoader(src, LoaderOptions{BatchSize: 4, ImageSize: 2, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Next(); err != nil {
		t.Fatal(err)
	}
	_, err = l.Next()
	if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "mem-5.png: corrupt image") || !strings.Contains(err.Error(), "example 5") {
		t.Fatalf("bad example: error %v", err)
	}
	if b, err := l.Next(); err != nil || b.Indices[0] != 8 {
		t.Fatalf("after the error: %v, %v", b, err)
	}

	empty := &captionSource{memSource{n: 3}, map[int]string{1: "  "}}
	l2, _ := NewLoader(empty, LoaderOptions{BatchSize: 3, ImageSize: 2})
	defer l2.Close()
	if _, err := l2.Next(); err == nil || !strings.Contains(err.Error(), "empty caption") || !strings.Contains(err.Error(), "mem-1") {
		t.Errorf("empty caption: error %v", err)
	}

	for _, o := range []LoaderOptions{
		{BatchSize: 0, ImageSize: 2},
		{BatchSize: 4, ImageSize: 0},
		{BatchSize: 4, ImageSize: 2, Rank: 2, WorldSize: 2},
		{BatchSize: 2, ImageSize: 2, WorldSize: 3},
		{BatchSize: 4, ImageSize: 2, Tokenizer: testTokenizer()},
		{BatchSize: 4, ImageSize: 2, Prefetch: -1},
		{BatchSize: 20, ImageSize: 2, DropLast: true},
	} {
		if _, err := NewLoader(src, o); err == nil || !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: error %v", o, err)
		}
	}
	if _, err := NewLoader(&memSource{}, LoaderOptions{BatchSize: 1, ImageSize: 1}); err == nil {
		t.Error("empty source: no error")
	}
}

type captionSource struct {
	memSource
	captions map[int]string
}

func (c *captionSource) Example(i int) (Example, error) {
	ex, err := c.memSource.Example(i)
	if s, ok := c.captions[i]; ok {
		ex.Caption = s
	}
	return ex, err
}

func TestLoaderClose(t *testing.T) {
	before := runtime.NumGoroutine()
	shapes, _ := Open(Shapes, OpenOptions{})
	for range 3 {
		l, _ := NewLoader(shapes, LoaderOptions{BatchSize: 16, ImageSize: 8, Workers: 4, Prefetch: 4})
		if _, err := l.Next(); err != nil {
			t.Fatal(err)
		}
		l.Close()
		l.Close()
		if _, err := l.Next(); !errors.Is(err, ErrClosed) {
			t.Errorf("Next after Close: %v", err)
		}
	}
	l, _ := NewLoader(shapes, LoaderOptions{BatchSize: 16, ImageSize: 8})
	l.Close() // never started
	for range 50 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d goroutines after Close, %d before", runtime.NumGoroutine(), before)
}

// TestLoaderReleaseReusesBuffers: batches built in released (dirty) buffers
// are identical to batches built in fresh ones, and the buffers are reused.
func TestLoaderReleaseReusesBuffers(t *testing.T) {
	shapes, _ := Open(Shapes, OpenOptions{Seed: 1})
	for _, src := range []Source{&memSource{n: 23}, shapes} {
		o := LoaderOptions{BatchSize: 8, ImageSize: 8, TextLen: 16, Tokenizer: testTokenizer(), Seed: 5,
			Shuffle: true, Augment: true, Workers: 2, Prefetch: 1}
		ref := collect(t, src, o, 12)
		l, err := NewLoader(src, o)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[*float32]bool{}
		reused := 0
		for i := range ref {
			b, err := l.Next()
			if err != nil {
				t.Fatal(err)
			}
			if seen[&b.Pixels[0]] {
				reused++
			}
			seen[&b.Pixels[0]] = true
			// Compare, then dirty the buffers before handing them back, so a
			// loader that forgot to overwrite a value would be caught.
			if !reflect.DeepEqual(b, ref[i]) {
				t.Fatalf("%s: batch %d built in a released buffer differs from a fresh one", src.Name(), i)
			}
			for k := range b.Pixels {
				b.Pixels[k] = float32(math.NaN())
			}
			for k := range b.Tokens {
				b.Tokens[k] = -7
			}
			l.Release(b)
			if b.Pixels != nil || b.Tokens != nil {
				t.Fatalf("Release left the buffers in the batch")
			}
		}
		l.Close()
		if reused == 0 {
			t.Errorf("%s: no pixel buffer was reused in %d batches", src.Name(), len(ref))
		}
	}
}

// hiddenSource hides every method but Source's: a loader of it takes the
// general path (Example, then Preprocess) even for the scenes.
type hiddenSource struct{ Source }

// TestLoaderDirectPixelsMatchExamples checks that the scenes' direct path
// (pixelSource) gives the loader exactly the batches of the general path,
// at the scenes' own size (direct) and at another (general on both sides).
func TestLoaderDirectPixelsMatchExamples(t *testing.T) {
	src, err := Open(Shapes, OpenOptions{Seed: 3, ImageSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(pixelSource); !ok {
		t.Fatal("the scenes no longer implement pixelSource: the loader takes the slow path")
	}
	for _, size := range []int{32, 24} {
		o := LoaderOptions{BatchSize: 16, ImageSize: size, TextLen: 16, Tokenizer: testTokenizer(), Workers: 2}
		got := collect(t, src, o, 3)
		want := collect(t, hiddenSource{src}, o, 3)
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("size %d: batch %d of the direct path differs from the general path's", size, i)
			}
		}
	}
}

// TestLoaderBytes checks the batches of 8-bit pixels: at the scenes' own
// size their bytes, looked up in ByteValues, are the float batches'
// pixels, everything else equal; where bytes are impossible (another size,
// augmentation, a source of images) the batches hold floats as usual.
func TestLoaderBytes(t *testing.T) {
	shapes, _ := Open(Shapes, OpenOptions{Seed: 6, ImageSize: 32})
	o := LoaderOptions{BatchSize: 16, ImageSize: 32, TextLen: 16, Tokenizer: testTokenizer(), Workers: 2}
	want := collect(t, shapes, o, 4)
	o.Bytes = true
	got := collect(t, shapes, o, 4)
	for i, b := range got {
		if b.Pixels != nil || len(b.Bytes) != len(want[i].Pixels) || b.ByteValues == nil {
			t.Fatalf("batch %d: Pixels %d, Bytes %d, want %d bytes only", i, len(b.Pixels), len(b.Bytes), len(want[i].Pixels))
		}
		for k, u := range b.Bytes {
			if v := b.ByteValues[u]; math.Float32bits(v) != math.Float32bits(want[i].Pixels[k]) {
				t.Fatalf("batch %d value %d: byte %d stands for %v, the float batch has %v", i, k, u, v, want[i].Pixels[k])
			}
		}
		c := *b
		c.Bytes, c.ByteValues, c.Pixels = nil, nil, want[i].Pixels
		if !reflect.DeepEqual(&c, want[i]) {
			t.Fatalf("batch %d: fields other than the pixels differ", i)
		}
	}
	for _, tc := range []struct {
		name string
		src  Source
		o    LoaderOptions
	}{
		{"other size", shapes, LoaderOptions{BatchSize: 4, ImageSize: 24, Bytes: true}},
		{"augment", shapes, LoaderOptions{BatchSize: 4, ImageSize: 32, Bytes: true, Augment: true}},
		{"images", &memSource{n: 8}, LoaderOptions{BatchSize: 4, ImageSize: 8, Bytes: true}},
	} {
		b := collect(t, tc.src, tc.o, 1)[0]
		if b.Bytes != nil || len(b.Pixels) != 4*3*tc.o.ImageSize*tc.o.ImageSize {
			t.Errorf("%s: Bytes %d, Pixels %d: want floats", tc.name, len(b.Bytes), len(b.Pixels))
		}
	}
}
