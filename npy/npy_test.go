package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// handBuilt returns a .npy file built byte by byte per the format spec:
// magic, version, header length (2 bytes for 1.x, 4 bytes for 2.x/3.x),
// the header padded with spaces to align the data to `align` bytes, '\n',
// then data.
func handBuilt(major byte, dict string, align int, data []byte) []byte {
	prefix := 10
	if major >= 2 {
		prefix = 12
	}
	total := prefix + len(dict) + 1
	pad := (align - total%align) % align
	hdr := dict + strings.Repeat(" ", pad) + "\n"
	var b []byte
	b = append(b, "\x93NUMPY"...)
	b = append(b, major, 0)
	if major >= 2 {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(hdr)))
	} else {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(hdr)))
	}
	b = append(b, hdr...)
	return append(b, data...)
}

func f32bytes(v ...float32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

func f64bytes(v ...float64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

func i64bytes(v ...int64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, uint64(x))
	}
	return b
}

// TestEncodeExactBytes checks the encoder byte for byte against the spec:
// the header NumPy itself writes, padded to 64 bytes.
func TestEncodeExactBytes(t *testing.T) {
	tests := []struct {
		name string
		a    *Array
		dict string
		data []byte
	}{
		{"f4 2-d", New([]float32{1, 2, 3, 4, 5, 6}, 2, 3),
			"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f32bytes(1, 2, 3, 4, 5, 6)},
		{"f8 scalar", Scalar(2.5),
			"{'descr': '<f8', 'fortran_order': False, 'shape': (), }", f64bytes(2.5)},
		{"i8 1-d", New([]int64{-1, 0, 1 << 40}, 3),
			"{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", i64bytes(-1, 0, 1<<40)},
		{"f4 empty", New([]float32{}, 0, 5),
			"{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.a.Encode()
			if err != nil {
				t.Fatal(err)
			}
			want := handBuilt(1, tc.dict, 64, tc.data)
			if !bytes.Equal(got, want) {
				t.Errorf("Encode =\n%q\nwant\n%q", got, want)
			}
			if (len(got)-len(tc.data))%64 != 0 {
				t.Errorf("data starts at %d, not a multiple of 64", len(got)-len(tc.data))
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	arrays := map[string]*Array{
		"f4_2d":    New([]float32{1.5, -2, float32(math.Inf(1)), math.SmallestNonzeroFloat32, math.MaxFloat32, 0}, 3, 2),
		"f4_1d":    New([]float32{7, 8, 9}, 3),
		"f4_empty": New([]float32{}, 0),
		"f8_0d":    Scalar(math.Pi),
		"f8_2d":    New([]float64{1, 2, 3, 4}, 1, 4),
		"i8_1d":    New([]int64{math.MinInt64, -1, 0, math.MaxInt64}, 4),
		"i8_0d":    Scalar[int64](42),
		"f4_col":   New([]float32{1, 2}, 2, 1),
		"f4_big":   New(make([]float32, 300*7), 300, 7),
	}
	for name, a := range arrays {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".npy")
			if err := Write(path, a); err != nil {
				t.Fatal(err)
			}
			got, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			// Shapes compare as slices: () and nil are both a scalar.
			if diff := cmp.Diff(a, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
	// NaN payloads survive bit for bit.
	nan := math.Float32frombits(0x7fc00123)
	path := filepath.Join(dir, "nan.npy")
	if err := Write(path, New([]float32{nan}, 1)); err != nil {
		t.Fatal(err)
	}
	_, d, err := ReadAs[float32](path)
	if err != nil {
		t.Fatal(err)
	}
	if math.Float32bits(d[0]) != 0x7fc00123 {
		t.Errorf("NaN bits %#x, want 0x7fc00123", math.Float32bits(d[0]))
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestDecodeHandBuilt decodes headers written the ways the spec and the
// NumPy versions in the wild allow.
func TestDecodeHandBuilt(t *testing.T) {
	tests := []struct {
		name  string
		file  []byte
		shape []int
		data  any
	}{
		{"v1.0 64-aligned", handBuilt(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 64, f32bytes(1, 2, 3, 4)),
			[]int{2, 2}, []float32{1, 2, 3, 4}},
		{"v1.0 16-aligned (NumPy < 1.14)", handBuilt(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 16, f64bytes(1, 2, 3)),
			[]int{3}, []float64{1, 2, 3}},
		{"v2.0", handBuilt(2, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", 64, i64bytes(5, -6)),
			[]int{2}, []int64{5, -6}},
		{"v3.0", handBuilt(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 64, f32bytes(9)),
			[]int{}, []float32{9}},
		{"double quotes, other key order, no trailing comma", handBuilt(1, `{"shape": (1, 1), "fortran_order": False, "descr": "<f4"}`, 64, f32bytes(3)),
			[]int{1, 1}, []float32{3}},
		{"Python 2 longs", handBuilt(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1L, 2L), }", 64, i64bytes(1, 2)),
			[]int{1, 2}, []int64{1, 2}},
		{"extra spaces", handBuilt(1, "{ 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 2 , ) , }", 64, f32bytes(1, 2)),
			[]int{2}, []float32{1, 2}},
		{"zero rows", handBuilt(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", 64, nil),
			[]int{0, 3}, []float32{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Decode("x.npy", tc.file)
			if err != nil {
				t.Fatal(err)
			}
			want := &Array{Shape: tc.shape, Data: tc.data}
			if diff := cmp.Diff(want, a, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Decode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	good := handBuilt(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 64, f32bytes(1, 2, 3, 4, 5, 6))
	dict := func(descr, order, shape string) string {
		return fmt.Sprintf("{'descr': %s, 'fortran_order': %s, 'shape': %s, }", descr, order, shape)
	}
	tests := []struct {
		name string
		file []byte
		want string // in the error text
	}{
		{"empty file", nil, "truncated"},
		{"not npy", []byte("PK\x03\x04 this is a zip file"), "not a .npy file"},
		{"bad version", append([]byte("\x93NUMPY\x04\x00"), good[8:]...), "unsupported format version 4.0"},
		{"big-endian f4", handBuilt(1, dict("'>f4'", "False", "(2,)"), 64, make([]byte, 8)), `unsupported dtype ">f4"`},
		{"f2", handBuilt(1, dict("'<f2'", "False", "(2,)"), 64, make([]byte, 4)), `unsupported dtype "<f2"`},
		{"i4", handBuilt(1, dict("'<i4'", "False", "(2,)"), 64, make([]byte, 8)), `unsupported dtype "<i4"`},
		{"u1", handBuilt(1, dict("'|u1'", "False", "(2,)"), 64, make([]byte, 2)), `unsupported dtype "|u1"`},
		{"object", handBuilt(1, dict("'|O'", "False", "(2,)"), 64, make([]byte, 16)), `unsupported dtype "|O"`},
		{"complex", handBuilt(1, dict("'<c8'", "False", "(1,)"), 64, make([]byte, 8)), `unsupported dtype "<c8"`},
		{"structured", handBuilt(1, dict("[('a', '<f4')]", "False", "(1,)"), 64, make([]byte, 4)), "structured dtypes"},
		{"fortran order", handBuilt(1, dict("'<f4'", "True", "(2, 2)"), 64, make([]byte, 16)), "fortran_order True"},
		{"3-d", handBuilt(1, dict("'<f4'", "False", "(1, 1, 1)"), 64, make([]byte, 4)), "3-d shape (1, 1, 1) is not supported"},
		{"negative dim", handBuilt(1, dict("'<f4'", "False", "(-1,)"), 64, nil), `bad dimension "-1"`},
		{"(3) is no tuple", handBuilt(1, dict("'<f4'", "False", "(3)"), 64, make([]byte, 12)), "is not a tuple"},
		{"missing key", handBuilt(1, "{'descr': '<f4', 'shape': (1,), }", 64, make([]byte, 4)), `missing key "fortran_order"`},
		{"extra key", handBuilt(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", 64, make([]byte, 4)), `unexpected key "x"`},
		{"duplicate key", handBuilt(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 64, make([]byte, 4)), "given twice"},
		{"not a dict", handBuilt(1, "['<f4']", 64, nil), "expected '{'"},
		{"bad fortran_order", handBuilt(1, dict("'<f4'", "0", "(1,)"), 64, make([]byte, 4)), "want True or False"},
		{"truncated data", good[:len(good)-1], "truncated: shape (2, 3) of <f4 needs 24 bytes of data, file has 23"},
		{"trailing data", append(append([]byte{}, good...), 0), "1 unexpected bytes after the data"},
		{"header length past end", append([]byte("\x93NUMPY\x01\x00\xff\x7f"), good[10:40]...), "truncated: header of 32767 bytes"},
		{"v2 header length past end", []byte("\x93NUMPY\x02\x00\xff\xff\xff\xff{"), "truncated: header of 4294967295 bytes"},
		{"huge shape", handBuilt(1, dict("'<f8'", "False", "(4611686018427387904, 4)"), 64, nil), "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode("bad.npy", tc.file)
			if err == nil {
				t.Fatal("Decode succeeded, want an error")
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %q does not wrap ErrFormat", err)
			}
			if !strings.HasPrefix(err.Error(), "bad.npy: ") {
				t.Errorf("error %q does not start with the file name", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// TestTruncatedEverywhere cuts a valid file at every length: each cut must be
// an error (never a panic, never a silent success).
func TestTruncatedEverywhere(t *testing.T) {
	for _, a := range []*Array{New([]float32{1, 2, 3, 4, 5, 6}, 2, 3), Scalar(1.0), New([]int64{1}, 1)} {
		b, err := a.Encode()
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < len(b); n++ {
			if _, err := Decode("cut.npy", b[:n]); !errors.Is(err, ErrFormat) {
				t.Fatalf("%v cut to %d of %d bytes: err = %v, want ErrFormat", a.Shape, n, len(b), err)
			}
		}
		if _, err := Decode("whole.npy", b); err != nil {
			t.Fatalf("whole file: %v", err)
		}
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.npy")
	_, err := Read(missing)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Read(missing) = %v, want a not-exist error naming the file", err)
	}

	f8 := filepath.Join(dir, "f8.npy")
	if err := Write(f8, New([]float64{1, 2}, 2)); err != nil {
		t.Fatal(err)
	}
	_, _, err = ReadAs[float32](f8)
	if err == nil || !errors.Is(err, ErrFormat) {
		t.Fatalf("ReadAs[float32](f8) = %v, want ErrFormat", err)
	}
	for _, want := range []string{f8, "dtype <f8 (float64), want <f4 (float32)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	_, d, err := ReadAs[float64](f8)
	if err != nil || !cmp.Equal(d, []float64{1, 2}) {
		t.Errorf("ReadAs[float64] = %v, %v", d, err)
	}

	bad := filepath.Join(dir, "bad.npy")
	os.WriteFile(bad, handBuilt(1, "{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }", 64, []byte{0, 0}), 0o644)
	_, err = Read(bad)
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), `"<u2"`) {
		t.Errorf("Read(<u2 file) = %v, want an error naming the file and dtype", err)
	}
}

func TestEncodeErrors(t *testing.T) {
	for name, a := range map[string]*Array{
		"shape mismatch": {Shape: []int{2, 2}, Data: []float32{1}},
		"3-d":            {Shape: []int{1, 1, 1}, Data: []float32{1}},
		"bad type":       {Shape: []int{1}, Data: []int32{1}},
		"negative":       {Shape: []int{-1}, Data: []float32{}},
	} {
		if _, err := a.Encode(); err == nil {
			t.Errorf("%s: Encode succeeded", name)
		}
		if err := Write(filepath.Join(t.TempDir(), "x.npy"), a); err == nil {
			t.Errorf("%s: Write succeeded", name)
		}
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFilesAllOrNothing(t *testing.T) {
	t.Run("success", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "a.npy"), []byte("old"), 0o644)
		err := WriteFiles(
			File{filepath.Join(dir, "a.npy"), Scalar(1.0)},
			File{filepath.Join(dir, "b.npy"), New([]float32{1, 2}, 1, 2)},
		)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"a.npy", "b.npy"}, listDir(t, dir)); diff != "" {
			t.Errorf("files (-want +got):\n%s", diff)
		}
		if _, d, err := ReadAs[float64](filepath.Join(dir, "a.npy")); err != nil || d[0] != 1 {
			t.Errorf("a.npy = %v, %v", d, err)
		}
	})
	t.Run("bad array writes nothing", func(t *testing.T) {
		dir := t.TempDir()
		err := WriteFiles(
			File{filepath.Join(dir, "a.npy"), Scalar(1.0)},
			File{filepath.Join(dir, "b.npy"), &Array{Shape: []int{3}, Data: []float32{1}}},
		)
		if err == nil {
			t.Fatal("WriteFiles succeeded")
		}
		if names := listDir(t, dir); len(names) != 0 {
			t.Errorf("files left: %v", names)
		}
	})
	t.Run("missing directory writes nothing", func(t *testing.T) {
		dir := t.TempDir()
		err := WriteFiles(
			File{filepath.Join(dir, "a.npy"), Scalar(1.0)},
			File{filepath.Join(dir, "nodir", "b.npy"), Scalar(2.0)},
		)
		if err == nil {
			t.Fatal("WriteFiles succeeded")
		}
		if names := listDir(t, dir); len(names) != 0 {
			t.Errorf("files left: %v", names)
		}
	})
	t.Run("duplicate path", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "a.npy")
		if err := WriteFiles(File{p, Scalar(1.0)}, File{p, Scalar(2.0)}); err == nil || !strings.Contains(err.Error(), "given twice") {
			t.Errorf("err = %v, want 'given twice'", err)
		}
	})
	t.Run("directory in the way", func(t *testing.T) {
		dir := t.TempDir()
		os.Mkdir(filepath.Join(dir, "a.npy"), 0o755)
		if err := WriteFiles(File{filepath.Join(dir, "a.npy"), Scalar(1.0)}); err == nil {
			t.Error("WriteFiles over a directory succeeded")
		}
		if diff := cmp.Diff([]string{"a.npy"}, listDir(t, dir)); diff != "" {
			t.Errorf("files (-want +got):\n%s", diff)
		}
	})
	t.Run("failed rename rolls back", func(t *testing.T) {
		dir := t.TempDir()
		old := filepath.Join(dir, "old.npy")
		if err := Write(old, Scalar(7.0)); err != nil {
			t.Fatal(err)
		}
		calls := 0
		rename = func(from, to string) error {
			calls++
			if strings.HasSuffix(to, "c.npy") {
				return fmt.Errorf("injected failure")
			}
			return os.Rename(from, to)
		}
		defer func() { rename = os.Rename }()
		err := WriteFiles(
			File{old, Scalar(1.0)},
			File{filepath.Join(dir, "b.npy"), Scalar(2.0)},
			File{filepath.Join(dir, "c.npy"), Scalar(3.0)},
		)
		if err == nil || !strings.Contains(err.Error(), "injected failure") {
			t.Fatalf("err = %v, want the injected failure", err)
		}
		if diff := cmp.Diff([]string{"old.npy"}, listDir(t, dir)); diff != "" {
			t.Errorf("files after rollback (-want +got):\n%s", diff)
		}
		if _, d, err := ReadAs[float64](old); err != nil || d[0] != 7 {
			t.Errorf("old.npy after rollback = %v, %v; want its old value 7", d, err)
		}
	})
}

// TestNumPyCrossCheck checks files against NumPy itself where Debian's
// python3-numpy is installed; it skips otherwise.
func TestNumPyCrossCheck(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import numpy").Run(); err != nil {
		t.Skipf("%s with numpy not available: %v", python, err)
	}
	dir := t.TempDir()
	// Go writes, NumPy reads and writes back; Go reads NumPy's files.
	if err := WriteFiles(
		File{filepath.Join(dir, "a.npy"), New([]float32{1, 2.5, -3, 4, 5, 6}, 2, 3)},
		File{filepath.Join(dir, "b.npy"), Scalar(math.Pi)},
		File{filepath.Join(dir, "c.npy"), New([]int64{-5, 1 << 50}, 2)},
	); err != nil {
		t.Fatal(err)
	}
	script := `
import numpy as np, sys
d = sys.argv[1]
a = np.load(d + '/a.npy'); b = np.load(d + '/b.npy'); c = np.load(d + '/c.npy')
assert a.dtype == np.float32 and a.shape == (2, 3) and a.tolist() == [[1, 2.5, -3], [4, 5, 6]], a
assert b.dtype == np.float64 and b.shape == () and float(b) == np.pi, b
assert c.dtype == np.int64 and c.tolist() == [-5, 1 << 50], c
np.save(d + '/np_a.npy', a.T.copy())
np.save(d + '/np_b.npy', np.float64(-0.5))
np.save(d + '/np_c.npy', np.arange(3, dtype=np.int64))
np.save(d + '/np_f.npy', np.asfortranarray(np.ones((2, 2), np.float32)))
np.save(d + '/np_i4.npy', np.arange(3, dtype=np.int32))
`
	if out, err := exec.Command(python, "-c", script, dir).CombinedOutput(); err != nil {
		t.Fatalf("numpy: %v\n%s", err, out)
	}
	check := func(name string, want *Array) {
		got, err := Read(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	check("np_a.npy", New([]float32{1, 4, 2.5, 5, -3, 6}, 3, 2))
	check("np_b.npy", Scalar(-0.5))
	check("np_c.npy", New([]int64{0, 1, 2}, 3))
	if _, err := Read(filepath.Join(dir, "np_f.npy")); err == nil || !strings.Contains(err.Error(), "fortran_order") {
		t.Errorf("Fortran-order file: err = %v", err)
	}
	if _, err := Read(filepath.Join(dir, "np_i4.npy")); err == nil || !strings.Contains(err.Error(), "<i4") {
		t.Errorf("int32 file: err = %v", err)
	}
}
