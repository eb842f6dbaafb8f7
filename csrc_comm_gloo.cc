// cgo wrapper: compiles csrc/comm_gloo.cc into package siglip (see cgo_flags.go).
#include "csrc/comm_gloo.cc"
