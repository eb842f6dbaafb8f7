// cgo wrapper: compiles csrc/model/ops.cc into package siglip (see cgo_flags.go).
#include "csrc/model/ops.cc"
