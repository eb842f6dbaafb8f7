package dist

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/siglip-go/siglip/npy"
)

// A rank of the distributed loss reads only its rows of the input files, so
// its memory stays O(rows/K * d): this file reads the header of a .npy file
// (the format of package npy: little-endian <f4 or <i8, C order, 1-d or
// 2-d) and then a range of rows. Errors wrap npy.ErrFormat.

// npyInfo is what the header of a .npy file says.
type npyInfo struct {
	path   string
	descr  npy.DType
	shape  []int
	offset int64 // where the data starts
}

// dtypeSize is the element size of the dtypes siglip exchanges (0: other).
func dtypeSize(t npy.DType) int {
	switch t {
	case npy.Float32:
		return 4
	case npy.Float64, npy.Int64:
		return 8
	}
	return 0
}

func (h npyInfo) rowBytes() int64 {
	n := int64(dtypeSize(h.descr))
	for _, s := range h.shape[1:] {
		n *= int64(s)
	}
	return n
}

var (
	descrRe   = regexp.MustCompile(`['"]descr['"]\s*:\s*['"]([^'"]*)['"]`)
	fortranRe = regexp.MustCompile(`['"]fortran_order['"]\s*:\s*(True|False)`)
	shapeRe   = regexp.MustCompile(`['"]shape['"]\s*:\s*\(([^)]*)\)`)
)

func formatErr(path, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", path, npy.ErrFormat, fmt.Sprintf(format, args...))
}

// readNpyInfo reads and checks the header of a .npy file.
func readNpyInfo(path string) (npyInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return npyInfo{}, err
	}
	defer f.Close()
	pre := make([]byte, 12)
	n, _ := io.ReadFull(f, pre)
	pre = pre[:n]
	magic := []byte("\x93NUMPY")
	if len(pre) < 10 || !bytes.Equal(pre[:6], magic) {
		return npyInfo{}, formatErr(path, "not a .npy file (no \\x93NUMPY magic string)")
	}
	var hlen, off int
	switch pre[6] {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(pre[8:10])), 10
	case 2, 3:
		if len(pre) < 12 {
			return npyInfo{}, formatErr(path, "truncated header")
		}
		h := binary.LittleEndian.Uint32(pre[8:12])
		if h > 1<<24 {
			return npyInfo{}, formatErr(path, "header of %d bytes is too long", h)
		}
		hlen, off = int(h), 12
	default:
		return npyInfo{}, formatErr(path, "unsupported format version %d.%d", pre[6], pre[7])
	}
	hdr := make([]byte, hlen)
	if _, err := f.ReadAt(hdr, int64(off)); err != nil {
		return npyInfo{}, formatErr(path, "truncated header")
	}
	s := string(hdr)
	info := npyInfo{path: path, offset: int64(off + hlen)}
	m := descrRe.FindStringSubmatch(s)
	if m == nil {
		return npyInfo{}, formatErr(path, "header has no descr")
	}
	info.descr = npy.DType(m[1])
	if fo := fortranRe.FindStringSubmatch(s); fo == nil || fo[1] != "False" {
		return npyInfo{}, formatErr(path, "only C-order arrays are supported")
	}
	sh := shapeRe.FindStringSubmatch(s)
	if sh == nil {
		return npyInfo{}, formatErr(path, "header has no shape")
	}
	for _, part := range strings.Split(sh[1], ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		v, err := strconv.Atoi(part)
		if err != nil || v < 0 {
			return npyInfo{}, formatErr(path, "bad shape (%s)", sh[1])
		}
		info.shape = append(info.shape, v)
	}
	if len(info.shape) == 0 {
		return npyInfo{}, formatErr(path, "a 0-d array, want 1-d or 2-d")
	}
	// The file must hold all the data the shape says.
	st, err := f.Stat()
	if err != nil {
		return npyInfo{}, err
	}
	if dtypeSize(info.descr) == 0 {
		return info, nil // the caller reports the dtype
	}
	total := info.rowBytes()
	if info.shape[0] > 0 && total > 0 && int64(info.shape[0]) > math.MaxInt64/total {
		return npyInfo{}, formatErr(path, "shape %v is too large", info.shape)
	}
	total *= int64(info.shape[0])
	if got := st.Size() - info.offset; got != total {
		return npyInfo{}, formatErr(path, "shape %v of %s needs %d bytes of data, file has %d", info.shape, info.descr, total, got)
	}
	return info, nil
}

// readRows reads rows [lo, hi) of the array's data.
func (h npyInfo) readRows(lo, hi int) ([]byte, error) {
	rb := h.rowBytes()
	b := make([]byte, int64(hi-lo)*rb)
	if len(b) == 0 {
		return b, nil
	}
	f, err := os.Open(h.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.ReadAt(b, h.offset+int64(lo)*rb); err != nil {
		return nil, fmt.Errorf("%s: reading rows %d to %d: %w", h.path, lo, hi, err)
	}
	return b, nil
}

// float32Rows decodes rows of a 2-d <f4 array.
func (h npyInfo) float32Rows(lo, hi int) ([]float32, error) {
	b, err := h.readRows(lo, hi)
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out, nil
}

// int64Rows decodes entries of a 1-d <i8 array.
func (h npyInfo) int64Rows(lo, hi int) ([]int64, error) {
	b, err := h.readRows(lo, hi)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(b)/8)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out, nil
}
