// Package safetensors reads and writes the safetensors tensor file format of
// Hugging Face (https://huggingface.co/docs/safetensors), implemented from its
// documented specification with no dependency outside the standard library.
//
// A file is
//
//	8 bytes      N, the length of the header, unsigned 64-bit little-endian
//	N bytes      the header: a UTF-8 JSON object, optionally padded with
//	             spaces (the writers of the reference library pad to a
//	             multiple of 8 so that the data starts aligned)
//	rest         the data section: the raw little-endian, C-order bytes of
//	             every tensor, back to back
//
// The header maps each tensor name to {"dtype", "shape", "data_offsets"}
// (offsets [begin, end) relative to the start of the data section) and may
// hold "__metadata__", a map from string to string. Sorted by offset, the
// tensors must tile the data section exactly: the first begins at 0, each
// begins where the previous ends, and the last ends at the end of the file.
//
// Read validates all of it (header length against the file size, UTF-8, JSON,
// duplicate names, dtypes, shape times item size against the byte length,
// offsets in range, gaps, overlaps, truncation and trailing bytes) and says in
// the error what is wrong and where. Write keeps the caller's tensor order
// and otherwise produces the bytes of the reference serializer (compact JSON,
// "__metadata__" first, header padded with spaces to 8 bytes; the tests check
// the reference implementation's own byte vectors), so its files are meant to
// load with the Python safetensors library, and, given {"format": "pt"}
// metadata, with transformers' from_pretrained.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxHeaderSize is the largest header Read accepts, the limit of the
// reference implementation (100 MB).
const MaxHeaderSize = 100_000_000

// MetadataKey is the reserved header key that holds the string metadata.
const MetadataKey = "__metadata__"

// ErrFormat is wrapped by every error that reports a malformed file, so
// callers can tell corrupt data (errors.Is(err, ErrFormat)) from I/O errors.
var ErrFormat = errors.New("invalid safetensors file")

// formatError is a validation failure; its message says what is wrong.
type formatError struct{ msg string }

func (e *formatError) Error() string        { return e.msg }
func (e *formatError) Is(target error) bool { return target == ErrFormat }

func errorf(format string, args ...any) error {
	return &formatError{msg: fmt.Sprintf(format, args...)}
}

// dtypeSizes lists every dtype the format defines with a whole number of
// bytes per element, and that size.
var dtypeSizes = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// DTypes returns the dtypes this package reads and writes, sorted.
func DTypes() []string {
	out := make([]string, 0, len(dtypeSizes))
	for k := range dtypeSizes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ItemSize returns the size in bytes of one element of dtype, and whether the
// dtype is supported.
func ItemSize(dtype string) (int, bool) {
	n, ok := dtypeSizes[dtype]
	return n, ok
}

func unsupportedDType(dtype string) error {
	return errorf("unsupported dtype %q (supported: %s)", dtype, strings.Join(DTypes(), ", "))
}

// Tensor is one named tensor: its dtype, its shape (empty for a 0-d scalar)
// and its raw little-endian C-order bytes.
type Tensor struct {
	Name  string
	DType string // "F32", "F64", "I64", "I32", ... (see DTypes)
	Shape []int
	Data  []byte
}

// NumElements returns the product of the shape (1 for a 0-d scalar), or an
// error if a dimension is negative or the product overflows.
func (t Tensor) NumElements() (int, error) {
	n, err := numElements(t.Shape)
	if err != nil {
		return 0, err
	}
	if n > uint64(maxInt) {
		return 0, errorf("shape %v: element count overflows", t.Shape)
	}
	return int(n), nil
}

const maxInt = int(^uint(0) >> 1)

func numElements(shape []int) (uint64, error) {
	n := uint64(1)
	for i, d := range shape {
		if d < 0 {
			return 0, errorf("shape %v: dimension %d is negative", shape, i)
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 {
			return 0, errorf("shape %v: element count overflows", shape)
		}
		n = lo
	}
	return n, nil
}

// Validate checks the name, dtype, shape and that len(Data) is the number of
// elements times the item size.
func (t Tensor) Validate() error {
	if t.Name == "" {
		return errorf("tensor with empty name")
	}
	if t.Name == MetadataKey {
		return errorf("tensor name %q is reserved", MetadataKey)
	}
	if !utf8.ValidString(t.Name) {
		return errorf("tensor name %q is not valid UTF-8", t.Name)
	}
	size, ok := dtypeSizes[t.DType]
	if !ok {
		return fmt.Errorf("tensor %q: %w", t.Name, unsupportedDType(t.DType))
	}
	n, err := numElements(t.Shape)
	if err != nil {
		return fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	hi, want := bits.Mul64(n, uint64(size))
	if hi != 0 {
		return errorf("tensor %q: shape %v: byte size overflows", t.Name, t.Shape)
	}
	if uint64(len(t.Data)) != want {
		return errorf("tensor %q: %s shape %v needs %d elements (%d bytes), data has %d bytes",
			t.Name, t.DType, t.Shape, n, want, len(t.Data))
	}
	return nil
}

// File is a parsed safetensors file.
type File struct {
	// Metadata is the header's "__metadata__", nil when absent.
	Metadata map[string]string
	// Tensors in file order (ascending data offsets).
	Tensors []Tensor
}

// Get returns the tensor called name.
func (f *File) Get(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// Names returns the tensor names in file order.
func (f *File) Names() []string {
	out := make([]string, len(f.Tensors))
	for i, t := range f.Tensors {
		out[i] = t.Name
	}
	return out
}

// ---------------------------------------------------------------- writing

type headerEntry struct {
	DType       string    `json:"dtype"`
	Shape       []int     `json:"shape"`
	DataOffsets [2]uint64 `json:"data_offsets"`
}

// appendJSONString appends s as a JSON string without Go's HTML escaping
// (serde_json, the reference, does not escape <, > or &).
func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a valid UTF-8 string always encodes
	return append(b, bytes.TrimRight(buf.Bytes(), "\n")...)
}

// Header returns the padded header (without the 8-byte length) that Write
// writes for tensors and metadata, after validating them.
func Header(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	seen := make(map[string]bool, len(tensors))
	for _, t := range tensors {
		if err := t.Validate(); err != nil {
			return nil, err
		}
		if seen[t.Name] {
			return nil, errorf("duplicate tensor name %q", t.Name)
		}
		seen[t.Name] = true
	}
	b := []byte{'{'}
	first := true
	if len(metadata) > 0 {
		keys := make([]string, 0, len(metadata))
		for k, v := range metadata {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, errorf("metadata %q: key or value is not valid UTF-8", k)
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = appendJSONString(b, MetadataKey)
		b = append(b, ':', '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, metadata[k])
		}
		b = append(b, '}')
		first = false
	}
	var off uint64
	for _, t := range tensors {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, t.Name)
		b = append(b, `:{"dtype":`...)
		b = appendJSONString(b, t.DType)
		b = append(b, `,"shape":[`...)
		for i, d := range t.Shape {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(d), 10)
		}
		end := off + uint64(len(t.Data))
		b = append(b, `],"data_offsets":[`...)
		b = strconv.AppendUint(b, off, 10)
		b = append(b, ',')
		b = strconv.AppendUint(b, end, 10)
		b = append(b, ']', '}')
		off = end
	}
	b = append(b, '}')
	for len(b)%8 != 0 {
		b = append(b, ' ')
	}
	if len(b) > MaxHeaderSize {
		return nil, errorf("header is %d bytes, more than the %d-byte limit", len(b), MaxHeaderSize)
	}
	return b, nil
}

// Size returns the number of bytes Write writes for tensors and metadata.
func Size(tensors []Tensor, metadata map[string]string) (int64, error) {
	h, err := Header(tensors, metadata)
	if err != nil {
		return 0, err
	}
	n := int64(8 + len(h))
	for _, t := range tensors {
		n += int64(len(t.Data))
	}
	return n, nil
}

// Write writes tensors, in the given order, and metadata (may be nil) to w in
// the safetensors format. It validates every tensor first and writes nothing
// if one is invalid.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	h, err := Header(tensors, metadata)
	if err != nil {
		return err
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(h)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(h); err != nil {
		return err
	}
	for _, t := range tensors {
		if len(t.Data) == 0 {
			continue
		}
		if _, err := w.Write(t.Data); err != nil {
			return err
		}
	}
	return nil
}

// Marshal returns the bytes Write would write.
func Marshal(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	if err := Write(&buf, tensors, metadata); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteFile writes the file atomically: into a temporary file in the same
// directory, fsynced, then renamed over path, then the directory fsynced. A
// crash leaves either the old file or the new one, never a partial one.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) (err error) {
	if _, err := Header(tensors, metadata); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = Write(f, tensors, metadata); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ---------------------------------------------------------------- reading

// ReadFile reads and validates the file at path. Errors name the path.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	out, err := Read(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// Read reads and validates a safetensors file of size bytes from r. The
// header is checked before the data section is read, so a corrupt length
// never causes a large allocation. The tensors' Data share one buffer.
func Read(r io.ReaderAt, size int64) (*File, error) {
	if size < 8 {
		return nil, errorf("truncated: file is %d bytes, shorter than the 8-byte header length", size)
	}
	var nb [8]byte
	if err := readAt(r, nb[:], 0); err != nil {
		return nil, fmt.Errorf("reading header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(nb[:])
	if err := checkHeaderLen(n, uint64(size)); err != nil {
		return nil, err
	}
	header := make([]byte, n)
	if err := readAt(r, header, 8); err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	dataLen := uint64(size) - 8 - n
	meta, entries, err := parseHeader(header, dataLen)
	if err != nil {
		return nil, err
	}
	data := make([]byte, dataLen)
	if dataLen > 0 {
		if err := readAt(r, data, int64(8+n)); err != nil {
			return nil, fmt.Errorf("reading data section: %w", err)
		}
	}
	return build(meta, entries, data), nil
}

// Parse validates and parses a whole file held in memory. The tensors' Data
// alias b (no copy).
func Parse(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, errorf("truncated: file is %d bytes, shorter than the 8-byte header length", len(b))
	}
	n := binary.LittleEndian.Uint64(b[:8])
	if err := checkHeaderLen(n, uint64(len(b))); err != nil {
		return nil, err
	}
	meta, entries, err := parseHeader(b[8:8+n], uint64(len(b))-8-n)
	if err != nil {
		return nil, err
	}
	return build(meta, entries, b[8+n:]), nil
}

// readAt fills p from off; io.ReaderAt may report io.EOF with a full read.
func readAt(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func checkHeaderLen(n, size uint64) error {
	if n > size-8 {
		return errorf("truncated: header length says %d bytes, but only %d bytes follow", n, size-8)
	}
	if n > MaxHeaderSize {
		return errorf("header length %d exceeds the %d-byte limit", n, MaxHeaderSize)
	}
	if n < 2 {
		return errorf("header length %d is too small for a JSON object", n)
	}
	return nil
}

type entry struct {
	name       string
	dtype      string
	shape      []int
	begin, end uint64
}

func build(meta map[string]string, entries []entry, data []byte) *File {
	f := &File{Metadata: meta, Tensors: make([]Tensor, len(entries))}
	for i, e := range entries {
		f.Tensors[i] = Tensor{Name: e.name, DType: e.dtype, Shape: e.shape, Data: data[e.begin:e.end:e.end]}
	}
	return f
}

// parseHeader parses and validates the header against a data section of
// dataLen bytes; it returns the entries sorted by offset.
func parseHeader(h []byte, dataLen uint64) (map[string]string, []entry, error) {
	if !utf8.Valid(h) {
		return nil, nil, errorf("header is not valid UTF-8")
	}
	if h[0] != '{' {
		return nil, nil, errorf("header does not start with '{' (first byte %q)", h[0])
	}
	dec := json.NewDecoder(bytes.NewReader(h))
	dec.UseNumber()
	var meta map[string]string
	var entries []entry
	err := walkObject(dec, func(key string) error {
		if key == MetadataKey {
			m, err := parseMetadata(dec)
			if err != nil {
				return fmt.Errorf("%s: %w", MetadataKey, err)
			}
			meta = m
			return nil
		}
		e, err := parseEntry(dec, key)
		if err != nil {
			return fmt.Errorf("tensor %q: %w", key, err)
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, nil, headerErr(err)
	}
	// Nothing but whitespace may follow the object (padding).
	if rest := bytes.TrimLeft(h[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, nil, errorf("header: unexpected bytes after the JSON object at offset %d: %q",
			len(h)-len(rest), clip(rest))
	}
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].begin != entries[j].begin {
			return entries[i].begin < entries[j].begin
		}
		return entries[i].end < entries[j].end
	})
	var pos uint64
	prev := ""
	for _, e := range entries {
		switch {
		case e.begin < pos:
			return nil, nil, errorf("tensor %q: data_offsets [%d, %d] overlap tensor %q, which ends at %d",
				e.name, e.begin, e.end, prev, pos)
		case e.begin > pos && pos == 0 && prev == "":
			return nil, nil, errorf("tensor %q: data_offsets [%d, %d] leave a gap: the first tensor must begin at 0",
				e.name, e.begin, e.end)
		case e.begin > pos:
			return nil, nil, errorf("tensor %q: data_offsets [%d, %d] leave a gap of %d bytes after tensor %q, which ends at %d",
				e.name, e.begin, e.end, e.begin-pos, prev, pos)
		}
		pos, prev = e.end, e.name
	}
	if pos > dataLen {
		last := entries[len(entries)-1]
		return nil, nil, errorf("truncated: header says %d bytes of data, file has %d (tensor %q data_offsets [%d, %d] out of range)",
			pos, dataLen, last.name, last.begin, last.end)
	}
	if pos < dataLen {
		return nil, nil, errorf("%d trailing bytes: data section is %d bytes but the tensors cover %d",
			dataLen-pos, dataLen, pos)
	}
	return meta, entries, nil
}

func clip(b []byte) []byte {
	if len(b) > 32 {
		return b[:32]
	}
	return b
}

// headerErr turns a JSON syntax error into a format error with a clear
// prefix, and passes validation errors through.
func headerErr(err error) error {
	var fe *formatError
	if errors.As(err, &fe) {
		return err
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return errorf("header is not valid JSON at offset %d: %v", se.Offset, se)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errorf("header is not valid JSON: unexpected end")
	}
	return errorf("header: %v", err)
}

// walkObject reads a JSON object from dec, calling fn for each key with the
// decoder positioned before the value; fn must consume the value. Duplicate
// keys are an error.
func walkObject(dec *json.Decoder, fn func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errorf("expected a JSON object, found %s", describe(tok))
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return errorf("expected an object key, found %s", describe(tok))
		}
		if seen[key] {
			return errorf("duplicate key %q", key)
		}
		seen[key] = true
		if err := fn(key); err != nil {
			return err
		}
	}
	tok, err = dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '}' {
		return errorf("expected '}', found %s", describe(tok))
	}
	return nil
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(v))
	case string:
		return fmt.Sprintf("string %q", v)
	case json.Number:
		return "number " + v.String()
	case bool:
		return fmt.Sprintf("%v", v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

func parseMetadata(dec *json.Decoder) (map[string]string, error) {
	m := map[string]string{}
	err := walkObject(dec, func(key string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		s, ok := tok.(string)
		if !ok {
			return errorf("value of %q must be a string, found %s", key, describe(tok))
		}
		m[key] = s
		return nil
	})
	return m, err
}

func parseEntry(dec *json.Decoder, name string) (entry, error) {
	e := entry{name: name}
	var haveDType, haveShape, haveOffsets bool
	err := walkObject(dec, func(key string) error {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		switch key {
		case "dtype":
			var s string
			if err := json.Unmarshal(raw, &s); err != nil || bytes.Equal(raw, []byte("null")) {
				return errorf("dtype must be a string, found %s", clip(raw))
			}
			if _, ok := dtypeSizes[s]; !ok {
				return unsupportedDType(s)
			}
			e.dtype, haveDType = s, true
		case "shape":
			dims, err := uintArray(raw, "shape")
			if err != nil {
				return err
			}
			e.shape = make([]int, len(dims))
			for i, d := range dims {
				if d > uint64(maxInt) {
					return errorf("shape %s: dimension %d too large", raw, i)
				}
				e.shape[i] = int(d)
			}
			haveShape = true
		case "data_offsets":
			offs, err := uintArray(raw, "data_offsets")
			if err != nil {
				return err
			}
			if len(offs) != 2 {
				return errorf("data_offsets must be [begin, end], found %s", raw)
			}
			e.begin, e.end, haveOffsets = offs[0], offs[1], true
		default:
			return errorf("unknown field %q", key)
		}
		return nil
	})
	if err != nil {
		return e, err
	}
	switch {
	case !haveDType:
		return e, errorf("missing dtype")
	case !haveShape:
		return e, errorf("missing shape")
	case !haveOffsets:
		return e, errorf("missing data_offsets")
	}
	if e.end < e.begin {
		return e, errorf("data_offsets [%d, %d]: end before begin", e.begin, e.end)
	}
	n, err := numElements(e.shape)
	if err != nil {
		return e, err
	}
	hi, want := bits.Mul64(n, uint64(dtypeSizes[e.dtype]))
	if hi != 0 {
		return e, errorf("shape %v: byte size overflows", e.shape)
	}
	if got := e.end - e.begin; got != want {
		return e, errorf("%s shape %v needs %d bytes, data_offsets [%d, %d] span %d",
			e.dtype, e.shape, want, e.begin, e.end, got)
	}
	return e, nil
}

func uintArray(raw json.RawMessage, what string) ([]uint64, error) {
	var nums []json.Number
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&nums); err != nil || bytes.Equal(raw, []byte("null")) {
		return nil, errorf("%s must be an array of non-negative integers, found %s", what, clip(raw))
	}
	out := make([]uint64, len(nums))
	for i, n := range nums {
		v, err := strconv.ParseUint(n.String(), 10, 64)
		if err != nil {
			return nil, errorf("%s must be an array of non-negative integers, found %s", what, clip(raw))
		}
		out[i] = v
	}
	return out, nil
}
