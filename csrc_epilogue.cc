// cgo wrapper: compiles csrc/epilogue.cc into package siglip (see cgo_flags.go).
#include "csrc/epilogue.cc"
