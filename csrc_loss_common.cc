// cgo wrapper: compiles csrc/loss_common.cc into package siglip (see cgo_flags.go).
#include "csrc/loss_common.cc"
