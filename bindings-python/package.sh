#!/usr/bin/env bash
# Release artifacts of the Python binding, into dist/python/ at the repository root:
#
#   qayd-<version>-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
#       one abi3 wheel for CPython >= 3.9 on any glibc >= 2.17 (x86_64), native module stripped;
#       linked by zig against glibc 2.17 (maturin --zig; `ziglang` from PyPI), checked with
#       `auditwheel show`
#   qayd-<version>.tar.gz
#       the sdist (`maturin sdist`): the workspace manifest and lock, the binding and the core, for
#       `pip install` on platforms without a wheel (needs a Rust toolchain there)
#
# Test them as a user installs them: bindings-python/test.sh --package.
#
# Cost: `--zig` makes maturin pass `--target x86_64-unknown-linux-gnu`, so the release build
# lives in target/x86_64-unknown-linux-gnu/release (its own tree, cached there between runs; build
# scripts and proc macros stay in target/release).
#
# Python tools: the venv at .venv in the repository root (gitignored): maturin, ziglang, auditwheel.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n=== python package: %s ===\n' "$*"; }
timed() { local t0=$SECONDS; "$@"; echo "(${*:1:3}: $((SECONDS - t0)) s)"; }
out="$PWD/dist/python"

step "venv (.venv): maturin, ziglang, auditwheel"
[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -c 'import maturin, ziglang, auditwheel' 2>/dev/null \
  || .venv/bin/python -m pip install -q 'maturin>=1.16,<2' 'ziglang>=0.13' 'auditwheel>=6'
# maturin finds zig as `python -m ziglang` of the venv's python, and auditwheel on PATH.
export PATH="$PWD/.venv/bin:$PATH"

mkdir -p "$out"
rm -f "$out"/qayd-*.whl "$out"/qayd-*.tar.gz

step "wheel: maturin build --release --strip --zig --compatibility manylinux2014"
(cd bindings-python && timed maturin build --release --strip --zig --compatibility manylinux2014 \
  --auditwheel check --out "$out")

step "sdist: maturin sdist"
(cd bindings-python && timed maturin sdist --out "$out")

step "auditwheel show"
wheel="$(ls "$out"/qayd-*.whl)"
report="$(auditwheel show "$wheel")"
echo "$report"
grep -q 'manylinux_2_17_x86_64' <<< "$report" \
  || { echo "the wheel is not manylinux_2_17 (manylinux2014) compliant" >&2; exit 1; }

step "dist/python"
ls -l "$out" | awk 'NR > 1 {printf "%6.1f MB  %s\n", $5 / 1048576, $NF}'
