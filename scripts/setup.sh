#!/usr/bin/env bash
# setup.sh: installs every system package that siglip needs to build and test
# (Debian 12 / bookworm). Idempotent: when all packages are already installed
# it does not touch apt at all. Runs as root, or with sudo otherwise.
#
#   bash scripts/setup.sh
#
# Go itself is not a Debian package here (bookworm's golang is too old for
# go.mod): it is expected at /usr/local/go or on PATH.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential
  pkg-config
  git
  ca-certificates
  # Bazel 4.2.3, offline (see WORKSPACE and bazel/)
  bazel-bootstrap
  bazel-platforms
  bazel-skylib
  bazel-rules-java
  # libraries of the C++ core (csrc/)
  libopenblas-dev
  libhwy-dev
  libgloo-dev
  # C++ tests and benchmarks
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  # a Redis server for the multi-host rendezvous test of the ring (dist/)
  redis-server
)
# npm fetches the emoji datasets (siglip data fetch); this machine kind ships
# Node.js and npm outside Debian, so Debian's npm only when none is on PATH.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup.sh: installing ${missing[*]}" >&2
  SUDO=()
  if [[ "$(id -u)" != 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "setup.sh: need root or sudo to install: ${missing[*]}" >&2
      exit 1
    fi
    SUDO=(sudo -n)
  fi
  export DEBIAN_FRONTEND=noninteractive
  ${SUDO[@]+"${SUDO[@]}"} apt-get update </dev/null
  ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y \
    "${missing[@]}" </dev/null
else
  echo "setup.sh: all ${#PACKAGES[@]} system packages are installed" >&2
fi

# Go: on PATH, or the toolchain at /usr/local/go.
if ! command -v go >/dev/null 2>&1; then
  if [[ -x /usr/local/go/bin/go ]]; then
    echo "setup.sh: go is not on PATH; use /usr/local/go/bin (export PATH=\$PATH:/usr/local/go/bin)" >&2
  else
    echo "setup.sh: error: the go command was not found on PATH or in /usr/local/go/bin." >&2
    echo "setup.sh: install Go $(sed -n 's/^go //p' "$(dirname "$0")/../go.mod") or newer from https://go.dev/dl/ (Debian's golang is too old)." >&2
    exit 1
  fi
fi
