#!/usr/bin/env bash
# The whole test suite, every language: Rust (core, CLI, gateway), Python, Node, Kotlin, C.
# Installs what it needs when it is missing (Debian packages as root; pip/npm/Maven packages),
# so it runs on a fresh machine of this project's kind. Exits non-zero if any test fails.
#
#   QAYD_QUICK=1   skip the packaging checks: scripts/package.sh (the release artifacts of every
#                  language into dist/) and each binding's `test.sh --package`, which installs its
#                  artifact into a fresh project with no Rust toolchain on PATH and runs a smoke
#                  program (stamp + verify, an engine issue cleared through the local gateway)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
started=$SECONDS

step() { printf '\n=== %s (%d s) ===\n' "$*" "$((SECONDS - started))"; }

# Debian packages the tests use, installed when missing.
apt_updated=
need_deb() { # need_deb COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ]; then echo "missing: $1 (apt-get install $2)" >&2; exit 1; fi
  [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}

step "tools"
need_deb xmllint libxml2-utils
need_deb valgrind valgrind
need_deb gcc gcc
need_deb make make
need_deb javac openjdk-17-jdk-headless
need_deb mvn maven
need_deb node nodejs
need_deb cmake cmake
need_deb pkg-config pkg-config
# The PDF tests: poppler reads the PDFs back (pdfdetach, pdftotext, pdftoppm), zbarimg scans the
# QR off the page; veraPDF comes from Maven Central through tests/verapdf/pom.xml.
need_deb pdftoppm poppler-utils
need_deb zbarimg zbar-tools
command -v cargo >/dev/null || { echo "missing: a Rust toolchain (rustup)" >&2; exit 1; }

step "Rust: format and lint"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

step "Rust: build"
cargo build --workspace

step "PostgreSQL test server (loopback)"
eval "$(scripts/postgres.sh start)"
export QAYD_REQUIRE_POSTGRES=1
trap 'scripts/postgres.sh stop >/dev/null 2>&1 || true' EXIT

step "Rule parity oracle: ZATCA's Schematron (saxonche), read from ../shared"
[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -c 'import saxonche' 2>/dev/null || .venv/bin/python -m pip install -q 'saxonche==13.1.1'
export QAYD_PARITY_PYTHON="$PWD/.venv/bin/python" QAYD_REQUIRE_PARITY=1

step "Rust: tests"
cargo test --workspace

export QAYD_SKIP_CARGO_BUILD=1
node_mode=--install
[ -n "${QAYD_QUICK:-}" ] && node_mode=

step "Python binding"
bindings-python/test.sh

step "Node binding"
bindings-node/test.sh $node_mode

step "C binding"
bindings-c/test.sh

step "Kotlin binding"
bindings-kotlin/test.sh

if [ -z "${QAYD_QUICK:-}" ]; then
  step "Release artifacts into dist/ (scripts/package.sh)"
  scripts/package.sh
  for lang in python node c kotlin; do
    step "$lang: installed from dist/ into a fresh project, no Rust toolchain on PATH"
    "bindings-$lang/test.sh" --package
  done
fi

step "done"
echo "all test suites passed in $((SECONDS - started)) s"
