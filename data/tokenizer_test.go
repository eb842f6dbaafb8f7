package data

import (
	"errors"
	"hash/fnv"
	"slices"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"A Red Circle", []string{"a", "red", "circle"}},
		{"two  small\tred\ncircles.", []string{"two", "small", "red", "circles", "."}},
		{"it's 7-up!", []string{"it", "'", "s", "7", "-", "up", "!"}},
		{"Café ÉCLAIR", []string{"café", "éclair"}},
		{"smileys & emotion", []string{"smileys", "&", "emotion"}},
	}
	for _, tt := range tests {
		if got := Words(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBuildVocab(t *testing.T) {
	tok := BuildVocab([]string{"b a a", "c b a", "rare"}, VocabOptions{})
	want := []string{PadToken, UnkToken, EOSToken, "a", "b", "c", "rare"}
	if got := tok.Vocab(); !slices.Equal(got, want) {
		t.Fatalf("vocab %q, want %q", got, want)
	}
	if got := BuildVocab([]string{"b a a", "c b a", "rare"}, VocabOptions{MinCount: 2}).Vocab(); !slices.Equal(got, want[:5]) {
		t.Errorf("MinCount 2: vocab %q, want %q", got, want[:5])
	}
	if got := BuildVocab([]string{"b a a", "c b a", "rare"}, VocabOptions{MaxSize: 4}).Vocab(); !slices.Equal(got, want[:4]) {
		t.Errorf("MaxSize 4: vocab %q, want %q", got, want[:4])
	}
	// Special tokens in the text are not words of the vocabulary.
	if got := BuildVocab([]string{"<pad>"}, VocabOptions{}).Vocab(); !slices.Equal(got, []string{PadToken, UnkToken, EOSToken, "<", ">", "pad"}) {
		t.Errorf("vocab of <pad>: %q", got)
	}
}

func TestEncode(t *testing.T) {
	tok := BuildVocab([]string{"a red circle", "a blue square"}, VocabOptions{})
	id := func(w string) int32 { return tok.ID(w) }
	a, red, circle, blue := id("a"), id("red"), id("circle"), id("blue")
	if a < 3 || red < 3 || circle < 3 || blue < 3 {
		t.Fatalf("ids %d %d %d %d", a, red, circle, blue)
	}
	tests := []struct {
		text   string
		length int
		want   []int32
	}{
		{"a red circle", 6, []int32{PadID, PadID, a, red, circle, EOSID}},
		{"A  RED Circle", 6, []int32{PadID, PadID, a, red, circle, EOSID}},
		{"a red circle", 4, []int32{a, red, circle, EOSID}},
		{"a red circle", 3, []int32{a, red, EOSID}}, // truncated: the first tokens stay
		{"a red circle", 1, []int32{EOSID}},
		{"a red circle", 0, []int32{}},
		{"", 3, []int32{PadID, PadID, EOSID}},
		{"a green circle", 5, []int32{PadID, a, UnkID, circle, EOSID}},
		{"blue", 2, []int32{blue, EOSID}},
	}
	for _, tt := range tests {
		got := tok.Encode(tt.text, tt.length)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Encode(%q, %d) = %v, want %v", tt.text, tt.length, got, tt.want)
		}
	}
	if got := tok.Decode(tok.Encode("A Red circle", 8)); got != "a red circle" {
		t.Errorf("Decode = %q", got)
	}
	if got := tok.Decode(tok.Encode("a purple circle", 8)); got != "a <unk> circle" {
		t.Errorf("Decode of an unknown word = %q", got)
	}
	if got, want := tok.Normalize("A  purple Circle"), "a <unk> circle"; got != want {
		t.Errorf("Normalize = %q, want %q", got, want)
	}
}

func TestTokenizerRoundTrip(t *testing.T) {
	texts := []string{"a large red circle left of a small blue square", "two small green triangles", "a photo of a yellow cross.", "Émoji: café & crème"}
	tok := BuildVocab(texts, VocabOptions{})
	b, err := tok.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := LoadTokenizer(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Kind() != WordKind || back.VocabSize() != tok.VocabSize() || back.PadID() != tok.PadID() {
		t.Fatalf("loaded %s/%d/%d, want %s/%d/%d", back.Kind(), back.VocabSize(), back.PadID(), tok.Kind(), tok.VocabSize(), tok.PadID())
	}
	b2, _ := back.MarshalJSON()
	if string(b) != string(b2) {
		t.Errorf("JSON changed over a round trip:\n%s\n%s", b, b2)
	}
	for _, text := range append(texts, "an unseen text", "") {
		for _, n := range []int{1, 4, 16} {
			if x, y := tok.Encode(text, n), back.Encode(text, n); !slices.Equal(x, y) || len(x) != n {
				t.Errorf("Encode(%q, %d): %v before, %v after", text, n, x, y)
			}
		}
	}
}

func TestLoadTokenizerErrors(t *testing.T) {
	for _, in := range []string{
		``, `{`, `{"kind":"sentencepiece"}`, `{"kind":"word","lower":true,"vocab":["a","b"]}`,
		`{"kind":"word","lower":true,"vocab":["<pad>","<unk>","</s>","x","x"]}`,
		`{"kind":"word","lower":false,"vocab":["<pad>","<unk>","</s>"]}`,
	} {
		if _, err := LoadTokenizer([]byte(in)); err == nil || !errors.Is(err, ErrInvalid) {
			t.Errorf("LoadTokenizer(%q): error %v, want one wrapping ErrInvalid", in, err)
		}
	}
}

type fakeTok struct{ *WordTokenizer }

func (fakeTok) Kind() string { return "fake-test" }

func TestRegisterTokenizer(t *testing.T) {
	RegisterTokenizer("fake-test", func(b []byte) (Tokenizer, error) {
		return fakeTok{BuildVocab([]string{"x"}, VocabOptions{})}, nil
	})
	tok, err := LoadTokenizer([]byte(`{"kind":"fake-test"}`))
	if err != nil || tok.Kind() != "fake-test" {
		t.Fatalf("got %v, %v", tok, err)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a kind twice did not panic")
		}
	}()
	RegisterTokenizer("fake-test", nil)
}

func TestCaptionID(t *testing.T) {
	tok := BuildVocab([]string{"a red circle", "a blue square"}, VocabOptions{})
	tests := []struct {
		a, b  string
		equal bool
	}{
		{"a red circle", "a red circle", true},
		{"a red circle", "A RED  circle", true},
		{"a red circle", "a blue circle", false},
		{"a red circle", "a red circle.", false},
		{"a purple circle", "a green circle", true}, // both "a <unk> circle"
	}
	for _, tt := range tests {
		x, y := CaptionID(tt.a, tok, 8), CaptionID(tt.b, tok, 8)
		if (x == y) != tt.equal || x < 0 || y < 0 {
			t.Errorf("CaptionID(%q) = %d, CaptionID(%q) = %d, want equal %v", tt.a, x, tt.b, y, tt.equal)
		}
	}
	if CaptionID("A red  circle", nil, 0) != CaptionID("a red circle", nil, 0) || CaptionID("a red circle", nil, 0) == CaptionID("a blue circle", nil, 0) {
		t.Error("CaptionID without tokenizer")
	}
}

// TestASCIITokensMatchWords checks the tokenizer's ASCII fast path against
// the general one (Words, then ID) on random ASCII texts of vocabulary
// words, other words, upper case, digits, punctuation, spaces and control
// bytes, and that non-ASCII texts take the general path.
func TestASCIITokensMatchWords(t *testing.T) {
	tok := BuildVocab([]string{"a large red circle left of two small squares", "photo 7 of the number seven, x!"}, VocabOptions{})
	pieces := []string{"a", "large", "Red", "CIRCLE", "left", "of", "photo", "7", "seven", "unknownword", "x2y",
		" ", "  ", "\t", "\n", "\x00", "\x7f", "\x1f", ",", "!", ".", "'", "-", "~", "(", ")"}
	r := newRNG(7)
	for n := range 2000 {
		var b strings.Builder
		for range r.intn(12) {
			b.WriteString(pieces[r.intn(len(pieces))])
		}
		text := b.String()
		got, ok := tok.appendASCIITokens(nil, text)
		if !ok {
			t.Fatalf("text %d %q: the ASCII path refused an ASCII text", n, text)
		}
		var want []int32
		for _, w := range Words(text) {
			want = append(want, tok.ID(w))
		}
		if len(got) != len(want) || (len(want) > 0 && !slices.Equal(got, want)) {
			t.Fatalf("text %d %q: ASCII path %v, Words path %v", n, text, got, want)
		}
	}
	for _, text := range []string{"café au lait", "naïve", "a\u00a0b"} {
		if _, ok := tok.appendASCIITokens(nil, text); ok {
			t.Errorf("%q: the ASCII path took a non-ASCII text", text)
		}
	}
}

// TestIDsHashIsFNV1a checks the written-out hash of token ids against
// hash/fnv's FNV-1a over their little-endian bytes.
func TestIDsHashIsFNV1a(t *testing.T) {
	r := newRNG(11)
	for n := range 50 {
		ids := make([]int32, n)
		for i := range ids {
			ids[i] = int32(r.next())
		}
		h := fnv.New64a()
		for _, id := range ids {
			h.Write([]byte{byte(id), byte(id >> 8), byte(id >> 16), byte(id >> 24)})
		}
		if got, want := idsHash(ids), int64(h.Sum64()>>1); got != want {
			t.Fatalf("%d ids: idsHash %d, FNV-1a %d", n, got, want)
		}
	}
}
