// cgo wrapper: compiles csrc/threadpool.cc into package siglip (see cgo_flags.go).
#include "csrc/threadpool.cc"
