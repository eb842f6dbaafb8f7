// cgo wrapper: compiles csrc/model/capi.cc into package siglip (see cgo_flags.go).
#include "csrc/model/capi.cc"
