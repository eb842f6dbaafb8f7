// cgo wrapper: compiles csrc/model/towers.cc into package siglip (see cgo_flags.go).
#include "csrc/model/towers.cc"
