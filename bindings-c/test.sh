#!/usr/bin/env bash
# Builds and tests the C bindings from a clean clone, after `cargo build --workspace`:
# the header drift check, the unit test (static and shared, then under valgrind), every
# conformance case (also under valgrind) and the example. Installs gcc, make and valgrind with
# apt-get when they are missing. Set CARGO_BUILD=: to skip the (normally no-op) cargo step.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

packages=()
command -v gcc >/dev/null 2>&1 || packages+=(gcc libc6-dev)
command -v make >/dev/null 2>&1 || packages+=(make)
command -v valgrind >/dev/null 2>&1 || packages+=(valgrind)
command -v git >/dev/null 2>&1 || packages+=(git)
if ((${#packages[@]})); then
    echo "installing ${packages[*]}"
    sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update
    "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
fi

make -C "$here" test example
