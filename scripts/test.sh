#!/usr/bin/env bash
# test.sh: everything CI checks, in order, stopping at the first failure.
#
#   bash scripts/test.sh
#
# 1. system packages (scripts/setup.sh), 2. Go modules, 3. the C++ core with
# Bazel (offline): build and tests, 4. go vet and go test, 5. the cgo tests
# again under GOEXPERIMENT=cgocheck2 (the cgo pointer rules), if any exist.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

# CI may run us with a bare environment.
if [[ -z "${HOME:-}" ]]; then
  HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
  export HOME="${HOME:-/root}"
fi
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="$PATH:/usr/local/go/bin"
fi

step "system packages"
bash scripts/setup.sh

# The go command caches a cgo package by the files of its own directory; the
# csrc/ sources that the one-line csrc_*.cc wrappers #include are not part of
# that key, so an edit in csrc/ could test stale objects. A hash of csrc/ in
# CGO_CXXFLAGS (part of the key) rebuilds whenever the C++ changes.
csrc_hash=$(find csrc -type f \( -name '*.cc' -o -name '*.h' \) -print0 | sort -z |
  xargs -0 sha256sum | sha256sum | cut -c1-16)
export CGO_CXXFLAGS="${CGO_CXXFLAGS:--g -O2} -DSIGLIP_CSRC_HASH=$csrc_hash"

step "go $(go env GOVERSION): modules"
go mod download

# In CI, stop the Bazel server when we are done, whatever happens.
if [[ "${CI:-}" == "true" ]]; then
  trap 'bazel shutdown >/dev/null 2>&1 || true' EXIT
fi

step "bazel build //..."
bazel build //...

step "bazel test //..."
bazel test //...

step "go vet ./..."
go vet ./...

step "go test ./..."
go test -timeout 30m ./...

# The cgo pointer rules, checked at run time: tests named *Cgo* (e.g.
# TestLossCgo...) run again with cgocheck2. A no-op when there are none.
if grep -rqsE --include='*_test.go' '^func (Test|Example)[A-Za-z0-9_]*Cgo' .; then
  step "GOEXPERIMENT=cgocheck2 go test -run Cgo ./..."
  GOEXPERIMENT=cgocheck2 go test -timeout 30m -run 'Cgo' ./...
else
  step "no *Cgo* tests: cgocheck2 run skipped"
fi

step "all checks passed"
