#!/usr/bin/env bash
# Build and test the Python binding from a clean clone, on top of `cargo build --workspace`.
#
#   bindings-python/test.sh             reuse target/debug/lib_native.so from the workspace build:
#                                       no second compile of anything
#   bindings-python/test.sh --maturin   build with `maturin develop` instead (checks the packaging
#                                       path; PyO3 env + `-p` feature graph cost about 1-2 min more)
#   bindings-python/test.sh --wheel     also `pip install ./bindings-python` into a scratch venv
#                                       (a release build of everything: several minutes)
#   bindings-python/test.sh --package   test the release artifacts bindings-python/package.sh put in
#                                       dist/python/: the wheel installed into fresh venvs (Python
#                                       3.9 and the newest 3.x here) outside the repository with no
#                                       Rust toolchain on PATH, a smoke program (stamp + verify of
#                                       the 5-line invoice, an engine through the local gateway),
#                                       the pytest suite against the installed wheel, the sdist's
#                                       contents. Builds nothing but the gateway if it is missing.
#
#   QAYD_PYTHONS="/path/python3.9 …"   --package: the interpreters to test (default: the oldest
#                                       supported and the newest found in pyenv and /usr/bin)
#   QAYD_PACKAGE_SDIST=1                --package: also pip install the sdist (a release build
#                                       from source in target/release) and run the smoke program
#
#   QAYD_SKIP_CARGO_BUILD=1   skip `cargo build --workspace` (CI already ran it)
#
# Python: a venv at .venv in the repository root (gitignored) with maturin and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-reuse}"
step() { printf '\n=== python: %s ===\n' "$*"; }
timed() { local t0=$SECONDS; "$@"; echo "(${*:1:3}: $((SECONDS - t0)) s)"; }

# --package: the release artifacts in dist/python/, installed as a user installs them.
package_test() {
  local repo="$PWD" dist="$PWD/dist/python" target="${CARGO_TARGET_DIR:-$PWD/target}"
  local wheels=("$dist"/qayd-*.whl) sdists=("$dist"/qayd-*.tar.gz)
  [[ -f "${wheels[0]}" && -f "${sdists[0]}" ]] \
    || { echo "no wheel or sdist in $dist: run bindings-python/package.sh first" >&2; exit 1; }
  (( ${#wheels[@]} == 1 )) || { echo "more than one wheel in $dist: ${wheels[*]}" >&2; exit 1; }
  local wheel="${wheels[0]}" sdist="${sdists[0]}"
  step "artifacts"
  ls -l "$wheel" "$sdist" | awk '{printf "%6.1f MB  %s\n", $5 / 1048576, $NF}'
  case "$(basename "$wheel")" in
    qayd-*-cp39-abi3-*manylinux_2_17_x86_64*.whl) ;;
    *) echo "unexpected wheel tag (want cp39-abi3 manylinux2014): $(basename "$wheel")" >&2; exit 1 ;;
  esac

  # The local gateway for the engine part: the release CLI if built, else the debug one.
  local gateway="$target/release/qayd"
  [[ -x "$gateway" ]] || gateway="$target/debug/qayd"
  if [[ ! -x "$gateway" ]]; then
    step "cargo build -p qayd-cli (the local gateway)"
    timed cargo build -p qayd-cli
  fi

  # No Rust toolchain from here on: PATH without any directory holding cargo, rustc or rustup.
  local dir clean_path=""
  IFS=: read -ra dirs <<< "$PATH"
  for dir in "${dirs[@]}"; do
    [[ -z "$dir" || -x "$dir/cargo" || -x "$dir/rustc" || -x "$dir/rustup" ]] && continue
    clean_path="${clean_path:+$clean_path:}$dir"
  done
  if PATH="$clean_path" command -v cargo rustc >/dev/null 2>&1; then
    echo "a Rust toolchain is still on the cleaned PATH" >&2; exit 1
  fi

  # Interpreters: the oldest supported (3.9) and the newest 3.x found (pyenv, /usr/bin).
  local pythons=()
  if [[ -n "${QAYD_PYTHONS:-}" ]]; then
    read -ra pythons <<< "$QAYD_PYTHONS"
  else
    local roots=() candidate
    command -v pyenv >/dev/null 2>&1 && roots+=("$(pyenv root)/versions/"*/bin)
    roots+=(/usr/bin /usr/local/bin)
    local found=()
    for dir in "${roots[@]}"; do
      for candidate in "$dir"/python3.[0-9]*; do
        [[ "$candidate" =~ /python3\.[0-9]+$ && -x "$candidate" ]] && found+=("$candidate")
      done
    done
    # minor version, path; keep the supported (>= 3.9) ones.
    mapfile -t found < <(for candidate in "${found[@]}"; do
      minor="${candidate##*python3.}"; (( minor >= 9 )) && echo "$minor $candidate"; done | sort -n -k1,1 -u)
    (( ${#found[@]} )) || { echo "no Python >= 3.9 found" >&2; exit 1; }
    [[ "${found[0]%% *}" == 9 ]] || echo "NOTE: no Python 3.9 here; oldest tested: 3.${found[0]%% *}"
    pythons=("${found[0]#* }")
    [[ "${found[-1]}" != "${found[0]}" ]] && pythons+=("${found[-1]#* }")
  fi

  local python venv
  scratch="$(mktemp -d)"  # global: the EXIT trap runs after the function returns
  trap 'rm -rf "$scratch"' EXIT
  for python in "${pythons[@]}"; do
    venv="$scratch/venv-$(basename "$python")"
    step "fresh venv, $("$python" --version 2>&1), pip install the wheel (no Rust on PATH)"
    (cd "$scratch" && env -u PYTHONPATH PATH="$clean_path" "$python" -m venv "$venv")
    local t0=$SECONDS
    (cd "$scratch" && env -u PYTHONPATH PATH="$clean_path" "$venv/bin/python" -m pip install -q \
      --disable-pip-version-check --no-index "$wheel")
    echo "(pip install: $((SECONDS - t0)) s)"
    step "smoke program ($(basename "$python"))"
    (cd "$scratch" && env -u PYTHONPATH PATH="$clean_path" "$venv/bin/python" \
      "$repo/tests/packaging/python/smoke.py" "$repo" "$gateway")
  done

  # The whole binding suite against the installed wheel (newest interpreter; pytest from PyPI).
  # conftest.py starts the debug gateway of the workspace build.
  if [[ -x "$target/debug/qayd" ]]; then
    step "pytest: binding tests + conformance cases against the installed wheel ($(basename "$python"))"
    (cd "$scratch" && env -u PYTHONPATH PATH="$clean_path" "$venv/bin/python" -m pip install -q \
      --disable-pip-version-check 'pytest>=7')
    (cd "$scratch" && env -u PYTHONPATH PATH="$clean_path" "$venv/bin/python" -m pytest -q \
      -p no:cacheprovider "$repo/bindings-python/tests" "$repo/tests/conformance/run_python.py")
  else
    echo "NOTE: $target/debug/qayd missing: the pytest suite against the wheel was skipped"
  fi

  step "sdist contents"
  local listing
  listing="$(tar -tzf "$sdist")"
  for member in Cargo.toml Cargo.lock pyproject.toml PKG-INFO bindings-python/Cargo.toml \
    bindings-python/src/lib.rs python/qayd/__init__.py python/qayd/_native.pyi \
    python/qayd/py.typed core/Cargo.toml core/src/lib.rs; do
    grep -qx "[^/]*/$member" <<< "$listing" || { echo "sdist lacks $member" >&2; exit 1; }
  done
  if grep -q '\.so$' <<< "$listing"; then echo "sdist carries a native library" >&2; exit 1; fi
  echo "sdist: $(wc -l <<< "$listing") files, the workspace manifest, the lock file, the binding and the core"

  if [[ -n "${QAYD_PACKAGE_SDIST:-}" ]]; then
    step "pip install the sdist (a release build from source with the Rust toolchain, in $target)"
    venv="$scratch/venv-sdist"
    python3 -m venv "$venv"
    (cd "$scratch" && CARGO_TARGET_DIR="$target" timed "$venv/bin/python" -m pip install -q \
      --disable-pip-version-check "$sdist")
    (cd "$scratch" && env -u PYTHONPATH PATH="$clean_path" "$venv/bin/python" \
      "$repo/tests/packaging/python/smoke.py" "$repo" "$gateway")
  fi
  echo "python package: all tests passed"
}

if [[ "$mode" == --package ]]; then
  package_test
  exit 0
fi

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
  *) echo "usage: $0 [--maturin|--wheel|--package]" >&2; exit 2 ;;
esac

step "pytest: binding tests + conformance cases"
$PY -m pytest -q -p no:cacheprovider bindings-python/tests tests/conformance/run_python.py

step "types: mypy --strict over the README snippets, stubtest of the native module's stub"
$PY -c 'import mypy' 2>/dev/null || $PY -m pip install -q 'mypy>=1.15,<3'
$PY bindings-python/typecheck.py

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
