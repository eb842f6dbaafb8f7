package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fixture builds a file from a header string (used verbatim, no padding) and
// a data section.
func fixture(header string, data []byte) []byte {
	b := make([]byte, 8, 8+len(header)+len(data))
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

func f32bytes(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// parseBoth parses b with Parse and with Read and checks they agree.
func parseBoth(t *testing.T, b []byte) (*File, error) {
	t.Helper()
	f1, err1 := Parse(b)
	f2, err2 := Read(bytes.NewReader(b), int64(len(b)))
	if (err1 == nil) != (err2 == nil) {
		t.Fatalf("Parse err %v, Read err %v", err1, err2)
	}
	if err1 != nil {
		if err1.Error() != err2.Error() {
			t.Fatalf("Parse err %q, Read err %q", err1, err2)
		}
		return nil, err1
	}
	if diff := cmp.Diff(f1, f2); diff != "" {
		t.Fatalf("Parse and Read differ (-Parse +Read):\n%s", diff)
	}
	return f1, nil
}

func TestRoundTrip(t *testing.T) {
	raw := func(dtype string, shape []int) Tensor {
		n := 1
		for _, d := range shape {
			n *= d
		}
		size, _ := ItemSize(dtype)
		data := make([]byte, n*size)
		for i := range data {
			data[i] = byte(i*7 + len(dtype))
		}
		return Tensor{Name: "t_" + dtype, DType: dtype, Shape: shape, Data: data}
	}
	var allDTypes []Tensor
	for _, d := range DTypes() {
		allDTypes = append(allDTypes, raw(d, []int{2, 3}))
	}
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
	}{
		{"no tensors", nil, nil},
		{"no tensors with metadata", nil, map[string]string{"format": "pt"}},
		{"typed helpers", []Tensor{
			F32("vision_model.embeddings.patch_embedding.weight", []int{2, 3}, []float32{1, -2, 3.5, float32(math.Inf(1)), float32(math.Copysign(0, -1)), 1e-38}),
			F64("logit_scale", nil, []float64{math.Log(10)}),
			I64("position_ids", []int{1, 4}, []int64{0, 1, math.MaxInt64, math.MinInt64}),
			I32("labels", []int{3}, []int32{-1, 0, math.MaxInt32}),
		}, map[string]string{"format": "pt", "step": "123"}},
		{"all dtypes", allDTypes, nil},
		{"0-d scalars", []Tensor{
			F32("logit_bias", []int{}, []float32{-10}),
			I64("step", nil, []int64{42}),
		}, nil},
		{"empty tensors", []Tensor{
			F32("a", []int{0}, nil),
			F32("b", []int{3, 0, 2}, []float32{}),
			F64("c", []int{2}, []float64{1, 2}),
			I32("d", []int{0}, nil),
		}, nil},
		{"metadata needing escapes", []Tensor{F32("x<&>", []int{1}, []float32{1})},
			map[string]string{"json": `{"a": [1, "<b>"]}`, "ünï": "☃\n\t\"\\", "": "empty key"}},
		{"unaligned order", []Tensor{
			raw("U8", []int{3}), raw("F64", []int{2}), raw("BOOL", []int{1}), raw("I16", []int{5}),
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Marshal(tc.tensors, tc.meta)
			if err != nil {
				t.Fatal(err)
			}
			hlen := binary.LittleEndian.Uint64(b)
			if hlen%8 != 0 {
				t.Errorf("header length %d not a multiple of 8", hlen)
			}
			if size, err := Size(tc.tensors, tc.meta); err != nil || size != int64(len(b)) {
				t.Errorf("Size = %d, %v; Marshal wrote %d", size, err, len(b))
			}
			f, err := parseBoth(t, b)
			if err != nil {
				t.Fatal(err)
			}
			want := &File{Metadata: tc.meta, Tensors: []Tensor{}}
			for _, x := range tc.tensors {
				if x.Shape == nil {
					x.Shape = []int{}
				}
				if x.Data == nil {
					x.Data = []byte{}
				}
				want.Tensors = append(want.Tensors, x)
			}
			if diff := cmp.Diff(want, f); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
			for _, x := range tc.tensors {
				got, ok := f.Get(x.Name)
				if !ok || !bytes.Equal(got.Data, x.Data) {
					t.Errorf("Get(%q) = %v, %v", x.Name, got, ok)
				}
			}
			if _, ok := f.Get("missing"); ok {
				t.Error("Get(missing) found something")
			}
			// The same through the file API.
			path := filepath.Join(t.TempDir(), "m.safetensors")
			if err := WriteFile(path, tc.tensors, tc.meta); err != nil {
				t.Fatal(err)
			}
			onDisk, _ := os.ReadFile(path)
			if !bytes.Equal(onDisk, b) {
				t.Error("WriteFile bytes differ from Marshal")
			}
			f2, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(f, f2); diff != "" {
				t.Errorf("ReadFile differs (-Parse +ReadFile):\n%s", diff)
			}
		})
	}
}

func TestTypedAccessors(t *testing.T) {
	f32 := []float32{1, -2.5, float32(math.NaN()), float32(math.Inf(-1)), math.SmallestNonzeroFloat32}
	f64 := []float64{math.Pi, -0.0, math.MaxFloat64}
	i64 := []int64{math.MinInt64, -1, 0, math.MaxInt64}
	i32 := []int32{math.MinInt32, 7, math.MaxInt32}
	b, err := Marshal([]Tensor{
		F32("f32", []int{5}, f32), F64("f64", []int{3, 1}, f64),
		I64("i64", []int{2, 2}, i64), I32("i32", []int{3}, i32),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) Tensor { x, _ := f.Get(name); return x }
	gf32, err := get("f32").Float32s()
	if err != nil {
		t.Fatal(err)
	}
	for i := range f32 {
		if math.Float32bits(gf32[i]) != math.Float32bits(f32[i]) {
			t.Errorf("f32[%d] = %v, want %v (bit-identical)", i, gf32[i], f32[i])
		}
	}
	gf64, _ := get("f64").Float64s()
	for i := range f64 {
		if math.Float64bits(gf64[i]) != math.Float64bits(f64[i]) {
			t.Errorf("f64[%d] = %v, want %v", i, gf64[i], f64[i])
		}
	}
	if gi64, _ := get("i64").Int64s(); !cmp.Equal(gi64, i64) {
		t.Errorf("i64 = %v, want %v", gi64, i64)
	}
	if gi32, _ := get("i32").Int32s(); !cmp.Equal(gi32, i32) {
		t.Errorf("i32 = %v, want %v", gi32, i32)
	}
	// Known little-endian bytes.
	if got := F32("x", []int{1}, []float32{1}).Data; !bytes.Equal(got, []byte{0, 0, 0x80, 0x3f}) {
		t.Errorf("F32(1) bytes = %v", got)
	}
	if got := I64("x", []int{1}, []int64{-2}).Data; !bytes.Equal(got, []byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) {
		t.Errorf("I64(-2) bytes = %v", got)
	}
	// Wrong dtype or inconsistent data is an error, not garbage.
	if _, err := get("i64").Float32s(); err == nil || !strings.Contains(err.Error(), `"i64" is I64, not F32`) {
		t.Errorf("Float32s on I64: %v", err)
	}
	if _, err := get("f32").Int64s(); err == nil {
		t.Error("Int64s on F32: no error")
	}
	bad := Tensor{Name: "bad", DType: "F32", Shape: []int{3}, Data: make([]byte, 8)}
	if _, err := bad.Float32s(); err == nil || !strings.Contains(err.Error(), "needs 3 elements (12 bytes), data has 8") {
		t.Errorf("Float32s on short data: %v", err)
	}
}

// The byte vectors of the reference implementation's own tests.
func TestReferenceVectors(t *testing.T) {
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    []byte
	}{
		{"serialization", []Tensor{F32("attn.0", []int{1, 2, 3}, []float32{0, 1, 2, 3, 4, 5})}, nil, []byte{
			64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
			116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
			58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
			101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
			0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64}},
		{"empty", nil, nil, []byte{8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32}},
		{"empty with metadata", nil, map[string]string{"framework": "pt"}, []byte{
			40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
			95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
			116, 34, 125, 125, 32, 32, 32, 32, 32}},
		{"forced alignment", []Tensor{F32("attn0", []int{1, 1, 2, 3}, []float32{0, 1, 2, 3, 4, 5})}, nil, []byte{
			72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
			121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
			91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
			115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
			32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
			160, 64}},
		{"python I32", []Tensor{I32("test", []int{2, 2}, []int32{1, 2, 3, 4})}, nil,
			fixture(`{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}    `,
				[]byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Marshal(tc.tensors, tc.meta)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("Marshal =\n%q\nwant\n%q", got, tc.want)
			}
			if _, err := parseBoth(t, tc.want); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Files as other writers lay them out: the spec allows any key order,
// unpadded headers, trailing spaces, and metadata anywhere.
func TestHandBuiltFixtures(t *testing.T) {
	d := f32bytes(1, 2, 3, 4)
	tests := []struct {
		name  string
		file  []byte
		names []string
		meta  map[string]string
	}{
		{"python vector, zero data",
			fixture(`{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}`, make([]byte, 16)),
			[]string{"test"}, nil},
		{"metadata after tensors, unpadded",
			fixture(`{"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]},"__metadata__":{"framework":"pt"}}`, make([]byte, 16)),
			[]string{"test1"}, map[string]string{"framework": "pt"}},
		{"header order differs from offset order",
			fixture(`{"b":{"data_offsets":[8,16],"shape":[2],"dtype":"F32"}, "a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, d),
			[]string{"a", "b"}, nil},
		{"whitespace and padding",
			fixture("{\n  \"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}\n}\n   ", d),
			[]string{"a"}, nil},
		{"empty tensor between others",
			fixture(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F64","shape":[0,5],"data_offsets":[8,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}`, d),
			[]string{"a", "e", "b"}, nil},
		{"empty metadata", fixture(`{"__metadata__":{}}`, nil), []string{}, map[string]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseBoth(t, tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.names, f.Names()); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.meta, f.Metadata); diff != "" {
				t.Errorf("metadata (-want +got):\n%s", diff)
			}
		})
	}
	f, _ := Parse(tests[2].file)
	if v, _ := f.Tensors[1].Float32s(); !cmp.Equal(v, []float32{3, 4}) {
		t.Errorf("b = %v, want [3 4]", v)
	}
}

func TestCorruptFiles(t *testing.T) {
	d8, d16 := f32bytes(1, 2), f32bytes(1, 2, 3, 4)
	entry := func(name, dtype, shape, offs string) string {
		return `"` + name + `":{"dtype":"` + dtype + `","shape":` + shape + `,"data_offsets":` + offs + `}`
	}
	withLen := func(n uint64, rest string) []byte {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint64(b, n)
		return append(b, rest...)
	}
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"empty file", nil, "truncated: file is 0 bytes, shorter than the 8-byte header length"},
		{"short length", []byte{8, 0, 0}, "truncated: file is 3 bytes"},
		{"header length beyond file", withLen(100, `{"a":1}`), "truncated: header length says 100 bytes, but only 7 bytes follow"},
		{"header length huge", withLen(math.MaxUint64, `{}`), "truncated: header length says 18446744073709551615 bytes"},
		{"header length zero", withLen(0, ""), "header length 0 is too small"},
		{"truncated header JSON", fixture(`{"a":{"dtype":"F32",`, nil), "header is not valid JSON"},
		{"bad JSON", fixture(`{"a":{"dtype":"F32" "shape":[2]}}`, nil), "header is not valid JSON at offset"},
		{"not an object", fixture(`[1,2]`, nil), "header does not start with '{'"},
		{"leading space", fixture(` {}`, nil), "header does not start with '{'"},
		{"garbage after object", fixture(`{}x`, nil), "unexpected bytes after the JSON object at offset 2"},
		{"NUL padding", fixture("{}\x00\x00", nil), "unexpected bytes after the JSON object"},
		{"invalid UTF-8", fixture("{\"\xff\":1}", nil), "header is not valid UTF-8"},
		{"bad dtype", fixture(`{`+entry("a", "Q8", "[2]", "[0,8]")+`}`, d8), `tensor "a": unsupported dtype "Q8" (supported: BF16, BOOL,`},
		{"lower-case dtype", fixture(`{`+entry("a", "f32", "[2]", "[0,8]")+`}`, d8), `unsupported dtype "f32"`},
		{"sub-byte dtype", fixture(`{`+entry("a", "F4", "[2]", "[0,1]")+`}`, d8[:1]), `unsupported dtype "F4"`},
		{"dtype not a string", fixture(`{"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}`, d8), `tensor "a": dtype must be a string, found 4`},
		{"dtype null", fixture(`{"a":{"dtype":null,"shape":[2],"data_offsets":[0,8]}}`, d8), `dtype must be a string, found null`},
		{"missing dtype", fixture(`{"a":{"shape":[2],"data_offsets":[0,8]}}`, d8), `tensor "a": missing dtype`},
		{"missing shape", fixture(`{"a":{"dtype":"F32","data_offsets":[0,8]}}`, d8), `tensor "a": missing shape`},
		{"missing offsets", fixture(`{"a":{"dtype":"F32","shape":[2]}}`, d8), `tensor "a": missing data_offsets`},
		{"unknown field", fixture(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"stride":[1]}}`, d8), `tensor "a": unknown field "stride"`},
		{"duplicate field", fixture(`{"a":{"dtype":"F32","dtype":"F64","shape":[2],"data_offsets":[0,8]}}`, d8), `tensor "a": duplicate key "dtype"`},
		{"entry not an object", fixture(`{"a":5}`, nil), `tensor "a": expected a JSON object, found number 5`},
		{"negative dim", fixture(`{`+entry("a", "F32", "[-2]", "[0,8]")+`}`, d8), "shape must be an array of non-negative integers, found [-2]"},
		{"fractional dim", fixture(`{`+entry("a", "F32", "[2.0]", "[0,8]")+`}`, d8), "shape must be an array of non-negative integers"},
		{"shape not array", fixture(`{`+entry("a", "F32", `"2"`, "[0,8]")+`}`, d8), "shape must be an array"},
		{"shape overflow", fixture(`{`+entry("a", "F32", "[4294967296,4294967296,16]", "[0,8]")+`}`, d8), "overflows"},
		{"byte size overflow", fixture(`{`+entry("a", "F64", "[4294967296,536870912]", "[0,8]")+`}`, d8), "byte size overflows"},
		{"three offsets", fixture(`{`+entry("a", "F32", "[2]", "[0,8,9]")+`}`, d8), "data_offsets must be [begin, end], found [0,8,9]"},
		{"negative offset", fixture(`{`+entry("a", "F32", "[2]", "[-8,0]")+`}`, d8), "data_offsets must be an array of non-negative integers"},
		{"end before begin", fixture(`{`+entry("a", "F32", "[0]", "[8,0]")+`}`, d8), "data_offsets [8, 0]: end before begin"},
		{"data length mismatch", fixture(`{`+entry("a", "F32", "[2,2]", "[0,12]")+`}`, d16[:12]), `tensor "a": F32 shape [2 2] needs 16 bytes, data_offsets [0, 12] span 12`},
		{"overlap", fixture(`{`+entry("a", "F32", "[2]", "[0,8]")+`,`+entry("b", "F32", "[2]", "[4,12]")+`}`, d16[:12]), `tensor "b": data_offsets [4, 12] overlap tensor "a", which ends at 8`},
		{"same offsets", fixture(`{`+entry("a", "F32", "[2]", "[0,8]")+`,`+entry("b", "F32", "[2]", "[0,8]")+`}`, d8), `data_offsets [0, 8] overlap tensor "a"`},
		{"gap", fixture(`{`+entry("a", "F32", "[1]", "[0,4]")+`,`+entry("b", "F32", "[2]", "[8,16]")+`}`, d16), `tensor "b": data_offsets [8, 16] leave a gap of 4 bytes after tensor "a"`},
		{"first not at 0", fixture(`{`+entry("a", "F32", "[2]", "[8,16]")+`}`, d16), "the first tensor must begin at 0"},
		{"offsets out of range", fixture(`{`+entry("a", "F32", "[4]", "[0,16]")+`}`, d8), `truncated: header says 16 bytes of data, file has 8 (tensor "a" data_offsets [0, 16] out of range)`},
		{"offsets far out of range", fixture(`{`+entry("a", "U8", "[1000000000000]", "[0,1000000000000]")+`}`, d8), "truncated: header says 1000000000000 bytes of data, file has 8"},
		{"trailing bytes", fixture(`{`+entry("a", "F32", "[2]", "[0,8]")+`}`, d16[:12]), "4 trailing bytes: data section is 12 bytes but the tensors cover 8"},
		{"data without tensors", fixture(`{}`, d8), "8 trailing bytes"},
		{"duplicate tensor", fixture(`{`+entry("a", "F32", "[2]", "[0,8]")+`,`+entry("a", "F32", "[2]", "[8,16]")+`}`, d16), `duplicate key "a"`},
		{"metadata value not string", fixture(`{"__metadata__":{"step":5}}`, nil), `__metadata__: value of "step" must be a string, found number 5`},
		{"metadata value object", fixture(`{"__metadata__":{"x":{}}}`, nil), `__metadata__: value of "x" must be a string, found "{"`},
		{"metadata not object", fixture(`{"__metadata__":"pt"}`, nil), `__metadata__: expected a JSON object, found string "pt"`},
		{"metadata duplicate key", fixture(`{"__metadata__":{"a":"1","a":"2"}}`, nil), `__metadata__: duplicate key "a"`},
		{"metadata twice", fixture(`{"__metadata__":{},"__metadata__":{}}`, nil), `duplicate key "__metadata__"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseBoth(t, tc.file)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tc.want)
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %q is not ErrFormat", err)
			}
		})
	}
}

// sizedReader claims a large size but holds only a header length.
type sizedReader struct{ b []byte }

func (r sizedReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(r.b)) {
		return 0, io.EOF
	}
	n := copy(p, r.b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func TestHeaderTooLarge(t *testing.T) {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, MaxHeaderSize+1)
	_, err := Read(sizedReader{b}, 2*MaxHeaderSize)
	if err == nil || !strings.Contains(err.Error(), "header length 100000001 exceeds the 100000000-byte limit") {
		t.Fatalf("err = %v", err)
	}
}

// Every proper prefix of a valid file is rejected as truncated, and no
// single-byte change anywhere makes Parse panic or return inconsistent data.
func TestTruncationAndBitFlips(t *testing.T) {
	b, err := Marshal([]Tensor{
		F32("a", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}),
		I64("b", nil, []int64{7}),
		F64("c", []int{0}, nil),
	}, map[string]string{"format": "pt"})
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(b); n++ {
		_, err := parseBoth(t, b[:n])
		if err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Fatalf("prefix of %d/%d bytes: err = %v, want truncated", n, len(b), err)
		}
	}
	for i := range b {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			c := bytes.Clone(b)
			c[i] ^= x
			f, err := parseBoth(t, c)
			if err != nil {
				continue
			}
			for _, tn := range f.Tensors {
				if err := tn.Validate(); err != nil {
					t.Fatalf("flip %d^%#x parsed but tensor invalid: %v", i, x, err)
				}
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	b, _ := Marshal([]Tensor{F32("a", []int{2}, []float32{1, 2}), I32("b", []int{1}, []int32{3})}, map[string]string{"k": "v"})
	f.Add(b)
	f.Add(fixture(`{}`, nil))
	f.Add(fixture(`{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`, f32bytes(1)))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse(b)
		if err != nil {
			return
		}
		// Whatever parses must re-serialize to something that parses to
		// the same tensors.
		out, err := Marshal(file.Tensors, file.Metadata)
		if err != nil {
			t.Fatalf("re-marshal: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if !cmp.Equal(file.Tensors, again.Tensors) {
			t.Fatal("tensors changed on round trip")
		}
	})
}

func TestWriteRejectsInvalid(t *testing.T) {
	ok := F32("ok", []int{1}, []float32{1})
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    string
	}{
		{"duplicate", []Tensor{ok, ok}, nil, `duplicate tensor name "ok"`},
		{"bad dtype", []Tensor{{Name: "x", DType: "F128", Shape: []int{1}, Data: make([]byte, 16)}}, nil, `tensor "x": unsupported dtype "F128"`},
		{"short data", []Tensor{F32("x", []int{2, 2}, []float32{1, 2, 3})}, nil, `tensor "x": F32 shape [2 2] needs 4 elements (16 bytes), data has 12 bytes`},
		{"scalar with many values", []Tensor{F32("x", nil, []float32{1, 2})}, nil, `shape [] needs 1 elements (4 bytes), data has 8 bytes`},
		{"negative dim", []Tensor{{Name: "x", DType: "F32", Shape: []int{-1}}}, nil, "dimension 0 is negative"},
		{"empty name", []Tensor{F32("", []int{1}, []float32{1})}, nil, "empty name"},
		{"reserved name", []Tensor{F32(MetadataKey, []int{1}, []float32{1})}, nil, "reserved"},
		{"invalid UTF-8 name", []Tensor{F32("a\xff", []int{1}, []float32{1})}, nil, "not valid UTF-8"},
		{"invalid UTF-8 metadata", []Tensor{ok}, map[string]string{"k": "\xff"}, "not valid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, tc.tensors, tc.meta)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	old := []Tensor{F32("w", []int{2}, []float32{1, 2})}
	if err := WriteFile(path, old, nil); err != nil {
		t.Fatal(err)
	}
	// A failing write leaves the old file and no temporary behind.
	if err := WriteFile(path, []Tensor{F32("w", []int{3}, []float32{1})}, nil); err == nil {
		t.Fatal("invalid write succeeded")
	}
	f, err := ReadFile(path)
	if err != nil || !cmp.Equal(f.Tensors, old) {
		t.Fatalf("old file damaged: %v %v", f, err)
	}
	// Overwrite.
	nw := []Tensor{F32("w", []int{3}, []float32{4, 5, 6})}
	if err := WriteFile(path, nw, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	if f, err := ReadFile(path); err != nil || !cmp.Equal(f.Tensors, nw) {
		t.Fatalf("after overwrite: %v %v", f, err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only model.safetensors", names)
	}
	// Errors from ReadFile name the file.
	os.WriteFile(path, []byte("nonsense"), 0o644)
	if _, err := ReadFile(path); err == nil || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("ReadFile error %v does not name the path", err)
	}
}
