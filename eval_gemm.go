package siglip

// #include <cblas.h>
import "C"

import (
	"fmt"
	"unsafe"
)

// similarities returns the n x m matrix of dot products a b^T of the rows
// of a (n x d) and b (m x d): one OpenBLAS sgemm (evaluation's score
// matrices; the training loop never stores one).
func similarities(a, b Matrix) (Matrix, error) {
	if a.Cols != b.Cols {
		return Matrix{}, fmt.Errorf("siglip: %w: similarities of %d- and %d-dimensional embeddings", ErrInvalidInput, a.Cols, b.Cols)
	}
	out := NewMatrix(a.Rows, b.Rows)
	if a.Rows == 0 || b.Rows == 0 || a.Cols == 0 {
		return out, nil
	}
	C.cblas_sgemm(C.CblasRowMajor, C.CblasNoTrans, C.CblasTrans,
		C.int(a.Rows), C.int(b.Rows), C.int(a.Cols),
		1, (*C.float)(unsafe.Pointer(&a.Data[0])), C.int(a.Cols),
		(*C.float)(unsafe.Pointer(&b.Data[0])), C.int(b.Cols),
		0, (*C.float)(unsafe.Pointer(&out.Data[0])), C.int(out.Cols))
	return out, nil
}
