// cgo wrapper: compiles csrc/model/adamw.cc into package siglip (see cgo_flags.go).
#include "csrc/model/adamw.cc"
