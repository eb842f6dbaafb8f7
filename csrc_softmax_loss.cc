// cgo wrapper: compiles csrc/softmax_loss.cc into package siglip (see cgo_flags.go).
#include "csrc/softmax_loss.cc"
