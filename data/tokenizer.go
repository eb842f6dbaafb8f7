package data

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// Tokenizer turns texts into fixed-length sequences of token ids for the
// text tower. It is saved with a checkpoint (MarshalJSON) and restored with
// LoadTokenizer, which dispatches on Kind.
type Tokenizer interface {
	// Encode returns exactly length ids: the text's tokens, truncated or
	// padded with PadID to length (see WordTokenizer.Encode for where the
	// pads and the end-of-text go).
	Encode(text string, length int) []int32
	// VocabSize is the number of ids, which lie in [0, VocabSize).
	VocabSize() int
	// PadID is the id of padding, which the text tower masks.
	PadID() int32
	// Kind names the implementation, e.g. "word"; LoadTokenizer dispatches
	// on it.
	Kind() string
	// MarshalJSON serialises the tokenizer, Kind included.
	MarshalJSON() ([]byte, error)
}

// Normalizer is implemented by tokenizers that can say which texts they
// cannot tell apart: Normalize(a) == Normalize(b) implies equal encodings.
type Normalizer interface {
	Normalize(text string) string
}

// Special ids of the WordTokenizer.
const (
	PadID int32 = 0 // padding, masked by the text tower
	UnkID int32 = 1 // a word outside the vocabulary
	EOSID int32 = 2 // end of text, appended to every text
)

// Special tokens as they appear in the vocabulary and in Decode's output.
const (
	PadToken = "<pad>"
	UnkToken = "<unk>"
	EOSToken = "</s>"
)

// WordKind is the Kind of the WordTokenizer.
const WordKind = "word"

// VocabOptions configure BuildVocab.
type VocabOptions struct {
	// MinCount drops words seen fewer times (default 1: keep every word).
	MinCount int
	// MaxSize caps the vocabulary, the three special ids included (0: no
	// cap); the most frequent words are kept.
	MaxSize int
}

// WordTokenizer is a word-level tokenizer with a vocabulary built from
// training texts (BuildVocab). It lower-cases the text and splits it into
// words (runs of letters, digits and combining marks) and punctuation (every
// other non-space character is a token by itself). Ids: 0 = <pad>, 1 = <unk>,
// 2 = </s> (end of text), then the words by decreasing count (ties in
// lexical order).
//
// Encoding is LEFT-padded: pads first, then the tokens, then </s> at the last
// position. The text tower pools the LAST position (as SigLIP does) and masks
// pads as attention keys, so the last position always holds a real token
// that can attend to the whole text, whatever its length. A text longer than
// length-1 tokens keeps its first length-1 tokens.
type WordTokenizer struct {
	words []string
	ids   map[string]int32
}

var _ Tokenizer = (*WordTokenizer)(nil)
var _ Normalizer = (*WordTokenizer)(nil)

// Words splits a text as the WordTokenizer does: lower-cased words and
// punctuation marks.
func Words(text string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r):
			cur.WriteRune(r)
		case unicode.IsSpace(r) || unicode.IsControl(r):
			flush()
		default:
			flush()
			out = append(out, string(r))
		}
	}
	flush()
	return out
}

// BuildVocab builds a WordTokenizer from texts. Include the zero-shot class
// prompts in texts, or their words will be unknown (see CollectTexts).
func BuildVocab(texts []string, o VocabOptions) *WordTokenizer {
	counts := map[string]int{}
	for _, t := range texts {
		for _, w := range Words(t) {
			counts[w]++
		}
	}
	type wc struct {
		w string
		n int
	}
	list := make([]wc, 0, len(counts))
	for w, n := range counts {
		if n >= max(o.MinCount, 1) && w != PadToken && w != UnkToken && w != EOSToken {
			list = append(list, wc{w, n})
		}
	}
	slices.SortFunc(list, func(a, b wc) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return strings.Compare(a.w, b.w)
	})
	words := []string{PadToken, UnkToken, EOSToken}
	for _, e := range list {
		if o.MaxSize > 0 && len(words) >= o.MaxSize {
			break
		}
		words = append(words, e.w)
	}
	t, _ := newWordTokenizer(words)
	return t
}

func newWordTokenizer(words []string) (*WordTokenizer, error) {
	if len(words) < 3 || words[0] != PadToken || words[1] != UnkToken || words[2] != EOSToken {
		return nil, invalidf("word tokenizer: the vocabulary must start with %s, %s, %s", PadToken, UnkToken, EOSToken)
	}
	ids := make(map[string]int32, len(words))
	for i, w := range words {
		if w == "" {
			return nil, invalidf("word tokenizer: empty word at id %d", i)
		}
		if _, dup := ids[w]; dup {
			return nil, invalidf("word tokenizer: duplicate word %q at id %d", w, i)
		}
		ids[w] = int32(i)
	}
	return &WordTokenizer{words: slices.Clone(words), ids: ids}, nil
}

// Kind returns "word".
func (t *WordTokenizer) Kind() string { return WordKind }

// VocabSize is the number of ids, specials included.
func (t *WordTokenizer) VocabSize() int { return len(t.words) }

// PadID returns 0.
func (t *WordTokenizer) PadID() int32 { return PadID }

// Vocab returns the words by id (ids 0-2 are the special tokens).
func (t *WordTokenizer) Vocab() []string { return slices.Clone(t.words) }

// ID returns the id of a word, or UnkID.
func (t *WordTokenizer) ID(word string) int32 {
	if id, ok := t.ids[word]; ok {
		return id
	}
	return UnkID
}

// Tokens returns the ids of the text's words, without padding or </s>.
func (t *WordTokenizer) Tokens(text string) []int32 {
	if ids, ok := t.appendASCIITokens(make([]int32, 0, 16), text); ok {
		return ids
	}
	ws := Words(text)
	ids := make([]int32, len(ws))
	for i, w := range ws {
		ids[i] = t.ID(w)
	}
	return ids
}

// appendASCIITokens appends Tokens(text) to ids for a text of ASCII bytes
// only (false otherwise), without building the words: the loader tokenizes
// every caption of every batch. For ASCII, Words' classes are: letters and
// digits make words; the spaces and control characters (bytes <= 0x20 and
// 0x7f) separate them; every other byte is a word of its own.
func (t *WordTokenizer) appendASCIITokens(ids []int32, text string) ([]int32, bool) {
	upper := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= 0x80 {
			return nil, false
		}
		upper = upper || 'A' <= c && c <= 'Z'
	}
	if upper {
		text = strings.ToLower(text)
	}
	start := -1 // start of the current word
	for i := 0; i <= len(text); i++ {
		var c byte = ' '
		if i < len(text) {
			c = text[i]
		}
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			ids = append(ids, t.ID(text[start:i]))
			start = -1
		}
		if c > 0x20 && c != 0x7f {
			ids = append(ids, t.ID(text[i:i+1]))
		}
	}
	return ids, true
}

// Encode returns exactly length ids (none when length <= 0): pads, then the
// first length-1 tokens of the text, then </s> at position length-1.
func (t *WordTokenizer) Encode(text string, length int) []int32 {
	if length <= 0 {
		return []int32{}
	}
	out := make([]int32, length)
	t.encodeInto(out, text)
	return out
}

// encodeInto writes Encode(text, len(dst)) into dst (len(dst) >= 1), for
// an ASCII text without allocating: the loader encodes straight into the
// batch.
func (t *WordTokenizer) encodeInto(dst []int32, text string) {
	var buf [32]int32
	toks, ok := t.appendASCIITokens(buf[:0], text)
	if !ok {
		toks = t.Tokens(text)
	}
	length := len(dst)
	if len(toks) > length-1 {
		toks = toks[:length-1]
	}
	start := length - 1 - len(toks)
	for i := range start {
		dst[i] = PadID
	}
	copy(dst[start:], toks)
	dst[length-1] = EOSID
}

// Decode turns ids back into text: words joined by spaces, pads skipped,
// stopping at </s>; unknown ids read as <unk>.
func (t *WordTokenizer) Decode(ids []int32) string {
	var ws []string
	for _, id := range ids {
		switch {
		case id == PadID:
			continue
		case id == EOSID:
			return strings.Join(ws, " ")
		case id >= 0 && int(id) < len(t.words):
			ws = append(ws, t.words[id])
		default:
			ws = append(ws, UnkToken)
		}
	}
	return strings.Join(ws, " ")
}

// Normalize returns the text as the tokenizer sees it: its words and marks,
// lower-cased, with unknown words replaced by <unk>, joined by single spaces.
func (t *WordTokenizer) Normalize(text string) string {
	ws := Words(text)
	for i, w := range ws {
		if _, ok := t.ids[w]; !ok {
			ws[i] = UnkToken
		}
	}
	return strings.Join(ws, " ")
}

type wordJSON struct {
	Kind  string   `json:"kind"`
	Lower bool     `json:"lower"`
	Vocab []string `json:"vocab"`
}

// MarshalJSON writes {"kind":"word","lower":true,"vocab":[...]}.
func (t *WordTokenizer) MarshalJSON() ([]byte, error) {
	return json.Marshal(wordJSON{Kind: WordKind, Lower: true, Vocab: t.words})
}

func loadWord(b []byte) (Tokenizer, error) {
	var j wordJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, invalidf("word tokenizer: %v", err)
	}
	if !j.Lower {
		return nil, invalidf("word tokenizer: only lower-casing tokenizers are supported")
	}
	return newWordTokenizer(j.Vocab)
}

var (
	tokMu      sync.RWMutex
	tokLoaders = map[string]func([]byte) (Tokenizer, error){WordKind: loadWord}
)

// RegisterTokenizer makes LoadTokenizer restore tokenizers of a kind (e.g. a
// SentencePiece model) with load, which receives the whole MarshalJSON
// output. It panics if the kind is registered already.
func RegisterTokenizer(kind string, load func(b []byte) (Tokenizer, error)) {
	tokMu.Lock()
	defer tokMu.Unlock()
	if _, dup := tokLoaders[kind]; dup {
		panic(fmt.Sprintf("data: tokenizer kind %q registered twice", kind))
	}
	tokLoaders[kind] = load
}

// LoadTokenizer restores a tokenizer from its MarshalJSON output.
func LoadTokenizer(b []byte) (Tokenizer, error) {
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, invalidf("tokenizer: %v", err)
	}
	tokMu.RLock()
	load, ok := tokLoaders[head.Kind]
	kinds := make([]string, 0, len(tokLoaders))
	for k := range tokLoaders {
		kinds = append(kinds, k)
	}
	tokMu.RUnlock()
	if !ok {
		slices.Sort(kinds)
		return nil, invalidf("tokenizer: unknown kind %q (known: %s)", head.Kind, strings.Join(kinds, ", "))
	}
	return load(b)
}

// CaptionID is the label id of a caption for the loss: a 63-bit FNV-1a hash
// (non-negative) of the caption's token ids when tok is not nil, so that
// texts the model cannot tell apart (equal after lower-casing, unknown words
// and truncation) are positives of each other; without a tokenizer, of the
// lower-cased caption with its white space collapsed. It is the same on
// every machine and rank.
func CaptionID(caption string, tok Tokenizer, length int) int64 {
	if tok != nil {
		return idsHash(tok.Encode(caption, length))
	}
	h := fnv.New64a()
	h.Write([]byte(strings.Join(strings.Fields(strings.ToLower(caption)), " ")))
	return int64(h.Sum64() >> 1)
}

// idsHash is the 63-bit FNV-1a hash of token ids (little-endian int32s).
func idsHash(ids []int32) int64 {
	// FNV-1a written out (hash/fnv's, without its allocation).
	const offset64, prime64 = 14695981039346656037, 1099511628211
	h := uint64(offset64)
	for _, id := range ids {
		for _, c := range [4]byte{byte(id), byte(id >> 8), byte(id >> 16), byte(id >> 24)} {
			h ^= uint64(c)
			h *= prime64
		}
	}
	return int64(h >> 1)
}
