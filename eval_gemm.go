package siglip

// #include "siglip.h"
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// similarities returns the n x m matrix of dot products a b^T of the rows of
// a (n x d) and b (m x d), on the kernel core's pool (siglip_similarities):
// the score matrices of evaluation. The training loop never stores one.
func similarities(a, b Matrix) (Matrix, error) {
	if a.Cols != b.Cols {
		return Matrix{}, fmt.Errorf("siglip: %w: similarities of %d- and %d-dimensional embeddings", ErrInvalidInput, a.Cols, b.Cols)
	}
	out := NewMatrix(a.Rows, b.Rows)
	if a.Rows == 0 || b.Rows == 0 || a.Cols == 0 {
		return out, nil
	}
	if len(a.Data) != a.Rows*a.Cols || len(b.Data) != b.Rows*b.Cols {
		return Matrix{}, fmt.Errorf("siglip: %w: similarities: data lengths %d and %d for %d x %d and %d x %d",
			ErrInvalidInput, len(a.Data), len(b.Data), a.Rows, a.Cols, b.Rows, b.Cols)
	}
	pool, err := getPool(0)
	if err != nil {
		return Matrix{}, err
	}
	errBuf := make([]byte, errBufLen)
	// The data slices hold no Go pointers, so passing them needs no pinning.
	status := C.siglip_similarities(pool, C.SIGLIP_F32, C.int64_t(a.Rows), C.int64_t(b.Rows), C.int64_t(a.Cols),
		unsafe.Pointer(&a.Data[0]), unsafe.Pointer(&b.Data[0]), unsafe.Pointer(&out.Data[0]),
		(*C.char)(unsafe.Pointer(&errBuf[0])), errBufLen)
	runtime.KeepAlive(a.Data)
	runtime.KeepAlive(b.Data)
	if status != C.SIGLIP_OK {
		return Matrix{}, statusError("similarities", status, errBuf)
	}
	return out, nil
}
