// cgo wrapper: compiles csrc/ring.cc into package siglip (see cgo_flags.go).
#include "csrc/ring.cc"
