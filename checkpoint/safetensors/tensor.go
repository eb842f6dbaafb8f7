package safetensors

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// littleEndian reports whether the host stores numbers little-endian, in
// which case typed slices convert to and from the file's bytes by copy.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

func copyShape(shape []int) []int {
	if shape == nil {
		return []int{}
	}
	return append([]int{}, shape...)
}

// F32 returns a float32 tensor holding a little-endian copy of v. A nil or
// empty shape is a 0-d scalar (len(v) must then be 1); Write checks that the
// shape matches len(v).
func F32(name string, shape []int, v []float32) Tensor {
	b := make([]byte, 4*len(v))
	if littleEndian && len(v) > 0 {
		copy(b, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(b)))
	} else {
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
		}
	}
	return Tensor{Name: name, DType: "F32", Shape: copyShape(shape), Data: b}
}

// F64 returns a float64 tensor holding a little-endian copy of v.
func F64(name string, shape []int, v []float64) Tensor {
	b := make([]byte, 8*len(v))
	if littleEndian && len(v) > 0 {
		copy(b, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(b)))
	} else {
		for i, x := range v {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
		}
	}
	return Tensor{Name: name, DType: "F64", Shape: copyShape(shape), Data: b}
}

// I64 returns an int64 tensor holding a little-endian copy of v.
func I64(name string, shape []int, v []int64) Tensor {
	b := make([]byte, 8*len(v))
	if littleEndian && len(v) > 0 {
		copy(b, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(b)))
	} else {
		for i, x := range v {
			binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
		}
	}
	return Tensor{Name: name, DType: "I64", Shape: copyShape(shape), Data: b}
}

// I32 returns an int32 tensor holding a little-endian copy of v.
func I32(name string, shape []int, v []int32) Tensor {
	b := make([]byte, 4*len(v))
	if littleEndian && len(v) > 0 {
		copy(b, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(b)))
	} else {
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
		}
	}
	return Tensor{Name: name, DType: "I32", Shape: copyShape(shape), Data: b}
}

// check verifies the dtype is want and that the data matches the shape.
func (t Tensor) check(want string) (int, error) {
	if t.DType != want {
		return 0, errorf("tensor %q is %s, not %s", t.Name, t.DType, want)
	}
	if err := t.Validate(); err != nil {
		return 0, err
	}
	return len(t.Data) / dtypeSizes[want], nil
}

// Float32s returns a copy of the data of an F32 tensor.
func (t Tensor) Float32s() ([]float32, error) {
	n, err := t.check("F32")
	if err != nil {
		return nil, err
	}
	v := make([]float32, n)
	if littleEndian && n > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*n), t.Data)
	} else {
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
	}
	return v, nil
}

// Float64s returns a copy of the data of an F64 tensor.
func (t Tensor) Float64s() ([]float64, error) {
	n, err := t.check("F64")
	if err != nil {
		return nil, err
	}
	v := make([]float64, n)
	if littleEndian && n > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 8*n), t.Data)
	} else {
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:]))
		}
	}
	return v, nil
}

// Int64s returns a copy of the data of an I64 tensor.
func (t Tensor) Int64s() ([]int64, error) {
	n, err := t.check("I64")
	if err != nil {
		return nil, err
	}
	v := make([]int64, n)
	if littleEndian && n > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 8*n), t.Data)
	} else {
		for i := range v {
			v[i] = int64(binary.LittleEndian.Uint64(t.Data[8*i:]))
		}
	}
	return v, nil
}

// Int32s returns a copy of the data of an I32 tensor.
func (t Tensor) Int32s() ([]int32, error) {
	n, err := t.check("I32")
	if err != nil {
		return nil, err
	}
	v := make([]int32, n)
	if littleEndian && n > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*n), t.Data)
	} else {
		for i := range v {
			v[i] = int32(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
	}
	return v, nil
}
