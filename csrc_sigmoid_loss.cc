// cgo wrapper: compiles csrc/sigmoid_loss.cc into package siglip (see cgo_flags.go).
#include "csrc/sigmoid_loss.cc"
