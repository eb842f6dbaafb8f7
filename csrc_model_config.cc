// cgo wrapper: compiles csrc/model/config.cc into package siglip (see cgo_flags.go).
#include "csrc/model/config.cc"
