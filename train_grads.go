package siglip

// #include "model/siglip_model.h"
import "C"

import (
	"fmt"
	"unsafe"
)

// The data-parallel trainer sums the gradients of every parameter over the
// ranks with one all-reduce of the model's flat gradient vector (the order
// of Params: offsets are those of ParamInfo). The Model's public API copies
// one tensor at a time (Grad); these read and write the whole vector in one
// call each.

// flatGrads copies the whole flat gradient vector into dst (NumParams
// values).
func (m *Model) flatGrads(dst []float32) error {
	return m.flatBuffer(C.SIGLIP_BUF_GRADS, dst, false)
}

// setFlatGrads overwrites the whole flat gradient vector with src.
func (m *Model) setFlatGrads(src []float32) error {
	return m.flatBuffer(C.SIGLIP_BUF_GRADS, src, true)
}

func (m *Model) flatBuffer(which C.siglip_model_buffer, buf []float32, write bool) error {
	n := m.NumParams()
	if len(buf) != n {
		return fmt.Errorf("siglip: %w: flat buffer of %d values, the model has %d parameters", ErrInvalidInput, len(buf), n)
	}
	if n == 0 {
		return nil
	}
	p := unsafe.Pointer(&buf[0])
	if write {
		return m.call("write flat gradients", func(e *C.char) C.int {
			return C.siglip_model_write(m.c, which, 0, C.int64_t(n), p, e, errBufLen)
		})
	}
	return m.call("read flat gradients", func(e *C.char) C.int {
		return C.siglip_model_read(m.c, which, 0, C.int64_t(n), p, e, errBufLen)
	})
}
