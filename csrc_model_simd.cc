// cgo wrapper: compiles csrc/model/simd.cc into package siglip (see cgo_flags.go).
#include "csrc/model/simd.cc"
