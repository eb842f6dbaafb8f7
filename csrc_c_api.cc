// cgo wrapper: compiles csrc/c_api.cc into package siglip (see cgo_flags.go).
#include "csrc/c_api.cc"
