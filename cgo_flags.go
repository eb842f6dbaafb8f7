package siglip

// The kernel core in csrc/ is compiled by cgo from the same sources that
// Bazel builds: each csrc_*.cc file next to this one is a one-line wrapper
// that #includes one translation unit of csrc/ (cgo compiles only the C++
// files of the package directory). Nothing prebuilt is linked in; the system
// libraries come from Debian packages (scripts/setup.sh installs them).
//
// -O3 and the absence of -march flags are deliberate: Highway picks the SIMD
// target at run time (dynamic dispatch) and OpenBLAS picks its kernels at run
// time, so one binary runs at full speed on any x86-64 or arm64 machine.

// #cgo CXXFLAGS: -std=c++17 -O3 -DNDEBUG -I${SRCDIR}/csrc -I${SRCDIR} -Wall -Wno-unused-function
// #cgo CFLAGS: -I${SRCDIR}/csrc
// #cgo LDFLAGS: -lopenblas -lhwy -lgloo -lstdc++ -lm -pthread
import "C"
