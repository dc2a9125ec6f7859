#!/usr/bin/env bash
# Build and test the Python binding from a clean clone, on top of `cargo build --workspace`.
#
#   bindings-python/test.sh             reuse target/debug/lib_native.so from the workspace build:
#                                       no second compile of anything
#   bindings-python/test.sh --maturin   build with `maturin develop` instead (checks the packaging
#                                       path; PyO3 env + `-p` feature graph cost about 1-2 min more)
#   bindings-python/test.sh --wheel     also `pip install ./bindings-python` into a scratch venv
#                                       (a release build of everything: several minutes)
#
#   QAYD_SKIP_CARGO_BUILD=1   skip `cargo build --workspace` (CI already ran it)
#
# Python: a venv at .venv in the repository root (gitignored) with maturin and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-reuse}"
step() { printf '\n=== python: %s ===\n' "$*"; }
timed() { local t0=$SECONDS; "$@"; echo "(${*:1:3}: $((SECONDS - t0)) s)"; }

if [[ -z "${QAYD_SKIP_CARGO_BUILD:-}" ]]; then
  step "cargo build --workspace"
  timed cargo build --workspace
fi

# The end-to-end tests start `qayd gateway --port 0` (127.0.0.1); the workspace build makes it.
if [[ ! -x "${CARGO_TARGET_DIR:-target}/debug/qayd" ]]; then
  step "cargo build -p qayd-cli (the local gateway for the end-to-end tests)"
  timed cargo build -p qayd-cli
fi

step "venv"
[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -c 'import maturin, pytest' 2>/dev/null \
  || .venv/bin/python -m pip install -q 'maturin>=1.16,<2' 'pytest>=7'
PY=.venv/bin/python

case "$mode" in
  reuse|--wheel)
    step "native module from the workspace build"
    target="${CARGO_TARGET_DIR:-target}"
    cp "$target/debug/lib_native.so" bindings-python/python/qayd/_native.abi3.so
    export PYTHONPATH="$PWD/bindings-python/python${PYTHONPATH:+:$PYTHONPATH}"
    ;;
  --maturin)
    step "maturin develop"
    (. .venv/bin/activate && cd bindings-python && timed maturin develop --quiet)
    ;;
  *) echo "usage: $0 [--maturin|--wheel]" >&2; exit 2 ;;
esac

step "pytest: binding tests + conformance cases"
$PY -m pytest -q -p no:cacheprovider bindings-python/tests tests/conformance/run_python.py

step "conformance (script form)"
$PY tests/conformance/run_python.py | tail -1

step "examples"
$PY examples/python/stamp_invoice.py | tail -1
$PY examples/python/engine_gateway.py | tail -1

if [[ "$mode" == --wheel ]]; then
  step "pip install ./bindings-python (fresh venv, release build)"
  scratch="$(mktemp -d)"
  python3 -m venv "$scratch/venv"
  timed "$scratch/venv/bin/pip" install -q ./bindings-python pytest
  (cd "$scratch" && env -u PYTHONPATH "$scratch/venv/bin/python" -m pytest -q -p no:cacheprovider \
    "$OLDPWD/bindings-python/tests" "$OLDPWD/tests/conformance/run_python.py")
  rm -rf "$scratch"
fi
echo "python binding: all tests passed"
