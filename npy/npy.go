// Package npy reads and writes arrays in NumPy's .npy format, the exchange
// format of the siglip command line.
//
// The format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
// the magic string "\x93NUMPY", a major and a minor version byte, the header
// length (2 bytes little-endian in version 1.0, 4 bytes in 2.0 and 3.0), then
// an ASCII header that is a Python dict literal such as
//
//	{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//
// padded with spaces and a final '\n' so that the data starts at a multiple
// of 64 bytes, then the raw elements in C (row-major) order.
//
// This package supports what siglip exchanges: the little-endian dtypes <f4
// (float32), <f8 (float64) and <i8 (int64), C order, and 0-d (scalar), 1-d
// and 2-d shapes. Anything else is rejected with an error that names the
// file and the problem. Writes are atomic (a temporary file in the same
// directory, fsync, rename), and WriteFiles writes a set of files all or
// nothing.
package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrFormat is wrapped by every error about the content of a file: a bad
// magic string or header, an unsupported dtype, order or rank, a size that
// does not match the shape, or a dtype other than the one asked for.
var ErrFormat = errors.New("bad .npy file")

// DType is a NumPy type string (the header's 'descr').
type DType string

// The supported dtypes.
const (
	Float32 DType = "<f4"
	Float64 DType = "<f8"
	Int64   DType = "<i8"
)

// size returns the element size in bytes, or 0 for an unsupported dtype.
func (t DType) size() int {
	switch t {
	case Float32, Float64, Int64:
		return int(t[2] - '0')
	}
	return 0
}

// goName returns the Go element type of a supported dtype.
func (t DType) goName() string {
	switch t {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	case Int64:
		return "int64"
	}
	return "unsupported"
}

// Elem is the set of Go element types that map to a supported dtype.
type Elem interface {
	float32 | float64 | int64
}

// DTypeOf returns the dtype of the element type T.
func DTypeOf[T Elem]() DType {
	var z T
	switch any(z).(type) {
	case float32:
		return Float32
	case float64:
		return Float64
	default:
		return Int64
	}
}

// Array is an array held in memory.
type Array struct {
	// Shape is the array's shape: empty for a 0-d scalar, at most 2 entries.
	Shape []int
	// Data holds the elements in row-major order: a []float32, []float64 or
	// []int64 of length product(Shape) (1 for a scalar).
	Data any
}

// New returns an array of the given shape that shares data; it panics if
// len(data) does not match the shape. Scalars have no shape: New(x[:1]).
func New[T Elem](data []T, shape ...int) *Array {
	n := 1
	for _, s := range shape {
		n *= s
	}
	if n != len(data) {
		panic(fmt.Sprintf("npy.New: %d elements for shape %v", len(data), shape))
	}
	return &Array{Shape: append([]int(nil), shape...), Data: data}
}

// Scalar returns a 0-d array holding v.
func Scalar[T Elem](v T) *Array { return &Array{Data: []T{v}} }

// DType returns the dtype of a's data, or "" if Data is of another type.
func (a *Array) DType() DType {
	switch a.Data.(type) {
	case []float32:
		return Float32
	case []float64:
		return Float64
	case []int64:
		return Int64
	}
	return ""
}

// Len returns the number of elements of a's data.
func (a *Array) Len() int {
	switch d := a.Data.(type) {
	case []float32:
		return len(d)
	case []float64:
		return len(d)
	case []int64:
		return len(d)
	}
	return 0
}

// check reports whether a can be written.
func (a *Array) check() error {
	if a == nil {
		return errors.New("nil array")
	}
	if a.DType() == "" {
		return fmt.Errorf("unsupported data type %T (want []float32, []float64 or []int64)", a.Data)
	}
	if len(a.Shape) > 2 {
		return fmt.Errorf("%d-d shape %v: only 0-d, 1-d and 2-d arrays are supported", len(a.Shape), a.Shape)
	}
	n := 1
	for _, s := range a.Shape {
		if s < 0 {
			return fmt.Errorf("negative dimension in shape %v", a.Shape)
		}
		n *= s
	}
	if n != a.Len() {
		return fmt.Errorf("shape %v needs %d elements, data has %d", a.Shape, n, a.Len())
	}
	return nil
}

// headerAlign is the alignment of the data in a file that NumPy >= 1.14 writes.
const headerAlign = 64

var magic = []byte("\x93NUMPY")

// formatShape writes a shape as a Python tuple: (), (3,), (3, 4).
func formatShape(shape []int) string {
	switch len(shape) {
	case 0:
		return "()"
	case 1:
		return "(" + strconv.Itoa(shape[0]) + ",)"
	}
	parts := make([]string, len(shape))
	for i, s := range shape {
		parts[i] = strconv.Itoa(s)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Encode returns a in .npy format.
func (a *Array) Encode() ([]byte, error) {
	if err := a.check(); err != nil {
		return nil, fmt.Errorf("npy: encode: %w", err)
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", a.DType(), formatShape(a.Shape))
	// Version 1.0 unless the header needs more than 2 length bytes.
	prefix := len(magic) + 2 + 2
	if len(dict)+1+prefix+headerAlign > math.MaxUint16 {
		prefix = len(magic) + 2 + 4
	}
	total := prefix + len(dict) + 1
	pad := (headerAlign - total%headerAlign) % headerAlign
	hlen := len(dict) + pad + 1

	size := a.DType().size()
	buf := make([]byte, 0, prefix+hlen+a.Len()*size)
	buf = append(buf, magic...)
	if prefix == len(magic)+4 {
		buf = append(buf, 1, 0)
		buf = binary.LittleEndian.AppendUint16(buf, uint16(hlen))
	} else {
		buf = append(buf, 2, 0)
		buf = binary.LittleEndian.AppendUint32(buf, uint32(hlen))
	}
	buf = append(buf, dict...)
	buf = append(buf, bytes.Repeat([]byte{' '}, pad)...)
	buf = append(buf, '\n')

	switch d := a.Data.(type) {
	case []float32:
		for _, v := range d {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	case []float64:
		for _, v := range d {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
	case []int64:
		for _, v := range d {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
		}
	}
	return buf, nil
}

// Decode parses a .npy file held in memory. name is used in error messages
// (usually the file's path).
func Decode(name string, b []byte) (*Array, error) {
	a, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return a, nil
}

// formatErr returns an error that wraps ErrFormat.
func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

func decode(b []byte) (*Array, error) {
	if len(b) < len(magic)+2 || !bytes.Equal(b[:len(magic)], magic) {
		if len(b) < len(magic)+2 && bytes.HasPrefix(magic, b) {
			return nil, formatErr("truncated: %d bytes, shorter than the .npy preamble", len(b))
		}
		return nil, formatErr("not a .npy file (no \\x93NUMPY magic string)")
	}
	major, minor := b[len(magic)], b[len(magic)+1]
	var hlen, off int
	switch major {
	case 1:
		off = len(magic) + 2 + 2
		if len(b) < off {
			return nil, formatErr("truncated: the header length is cut off")
		}
		hlen = int(binary.LittleEndian.Uint16(b[len(magic)+2:]))
	case 2, 3:
		off = len(magic) + 2 + 4
		if len(b) < off {
			return nil, formatErr("truncated: the header length is cut off")
		}
		h := binary.LittleEndian.Uint32(b[len(magic)+2:])
		if uint64(h) > uint64(len(b)) {
			return nil, formatErr("truncated: header of %d bytes, file has %d", h, len(b))
		}
		hlen = int(h)
	default:
		return nil, formatErr("unsupported format version %d.%d (want 1.0, 2.0 or 3.0)", major, minor)
	}
	if len(b)-off < hlen {
		return nil, formatErr("truncated: header of %d bytes, file has %d after the preamble", hlen, len(b)-off)
	}
	h, err := parseHeader(string(b[off : off+hlen]))
	if err != nil {
		return nil, err
	}
	data := b[off+hlen:]

	size := h.descr.size()
	n := 1
	for _, s := range h.shape {
		if s != 0 && n > math.MaxInt/s/size {
			return nil, formatErr("shape %s is too large", formatShape(h.shape))
		}
		n *= s
	}
	if len(data) < n*size {
		return nil, formatErr("truncated: shape %s of %s needs %d bytes of data, file has %d",
			formatShape(h.shape), h.descr, n*size, len(data))
	}
	if len(data) > n*size {
		return nil, formatErr("%d unexpected bytes after the data of shape %s of %s",
			len(data)-n*size, formatShape(h.shape), h.descr)
	}

	a := &Array{Shape: h.shape}
	switch h.descr {
	case Float32:
		d := make([]float32, n)
		for i := range d {
			d[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		a.Data = d
	case Float64:
		d := make([]float64, n)
		for i := range d {
			d[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		a.Data = d
	case Int64:
		d := make([]int64, n)
		for i := range d {
			d[i] = int64(binary.LittleEndian.Uint64(data[8*i:]))
		}
		a.Data = d
	}
	return a, nil
}

// Read reads a whole .npy file. Errors name the file; errors about its
// content wrap ErrFormat.
func Read(path string) (*Array, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	return Decode(path, b)
}

// ReadAs reads a .npy file whose dtype must be that of T, and returns its
// shape and data. A file of another dtype is an error that names both.
func ReadAs[T Elem](path string) (shape []int, data []T, err error) {
	a, err := Read(path)
	if err != nil {
		return nil, nil, err
	}
	d, ok := a.Data.([]T)
	if !ok {
		want := DTypeOf[T]()
		return nil, nil, fmt.Errorf("%s: %w: dtype %s (%s), want %s (%s)",
			path, ErrFormat, a.DType(), a.DType().goName(), want, want.goName())
	}
	return a.Shape, d, nil
}

// Write writes a to path atomically: to a temporary file in the same
// directory, synced, then renamed over path. On error path is untouched.
func Write(path string, a *Array) error {
	return WriteFiles(File{Path: path, Array: a})
}

// File is one file of WriteFiles.
type File struct {
	Path  string
	Array *Array
}

// WriteFiles writes several files all or nothing: every array is encoded and
// written to a synced temporary file next to its destination first; only if
// all of that succeeds are the temporaries renamed into place. If a rename
// fails, the files already renamed are rolled back (a destination that
// existed before gets its old content back; a new one is removed), so on
// error none of the destinations has changed, barring a failure of the
// rollback itself, which the error then reports. On error no temporary file
// is left behind.
func WriteFiles(files ...File) (err error) {
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		abs, err := filepath.Abs(f.Path)
		if err != nil {
			return fmt.Errorf("npy: %s: %w", f.Path, err)
		}
		if seen[abs] {
			return fmt.Errorf("npy: %s: given twice", f.Path)
		}
		seen[abs] = true
		if err := f.Array.check(); err != nil {
			return fmt.Errorf("npy: %s: %w", f.Path, err)
		}
		if fi, err := os.Lstat(f.Path); err == nil && !fi.Mode().IsRegular() {
			return fmt.Errorf("npy: %s: exists and is not a regular file", f.Path)
		}
	}

	// Phase 1: temporaries.
	temps := make([]string, 0, len(files))
	defer func() {
		if err != nil {
			for _, t := range temps {
				os.Remove(t)
			}
		}
	}()
	for _, f := range files {
		b, err := f.Array.Encode()
		if err != nil {
			return fmt.Errorf("npy: %s: %w", f.Path, err)
		}
		t, err := writeTemp(f.Path, b)
		if err != nil {
			return fmt.Errorf("npy: %s: %w", f.Path, err)
		}
		temps = append(temps, t)
	}

	// Phase 2: renames, each with a backup of what it replaces.
	type done struct{ path, backup string }
	var renamed []done
	rollback := func(cause error) error {
		errs := []error{cause}
		for i := len(renamed) - 1; i >= 0; i-- {
			r := renamed[i]
			var e error
			if r.backup != "" {
				e = os.Rename(r.backup, r.path)
			} else {
				e = os.Remove(r.path)
			}
			if e != nil {
				errs = append(errs, fmt.Errorf("npy: rolling back %s: %w", r.path, e))
			}
		}
		return errors.Join(errs...)
	}
	for i, f := range files {
		backup := ""
		if _, e := os.Lstat(f.Path); e == nil {
			backup = temps[i] + ".old"
			if e := os.Link(f.Path, backup); e != nil {
				// No hard links here: keep the old file under the backup name.
				if e := rename(f.Path, backup); e != nil {
					return rollback(fmt.Errorf("npy: %s: keeping the old file: %w", f.Path, e))
				}
			}
		}
		if e := rename(temps[i], f.Path); e != nil {
			if backup != "" {
				if _, statErr := os.Lstat(f.Path); statErr != nil {
					os.Rename(backup, f.Path)
				} else {
					os.Remove(backup)
				}
			}
			return rollback(fmt.Errorf("npy: %s: %w", f.Path, e))
		}
		renamed = append(renamed, done{f.Path, backup})
	}
	for _, r := range renamed {
		if r.backup != "" {
			os.Remove(r.backup)
		}
	}
	dirs := map[string]bool{}
	for _, f := range files {
		dirs[filepath.Dir(f.Path)] = true
	}
	for d := range dirs {
		syncDir(d)
	}
	return nil
}

// rename is os.Rename; tests replace it to make a rename fail.
var rename = os.Rename

// writeTemp writes b to a new, synced temporary file in the directory of
// path and returns its name.
func writeTemp(path string, b []byte) (name string, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(b); err != nil {
		return "", err
	}
	if err := f.Chmod(0o644); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// syncDir makes renames in dir durable where the system supports it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
