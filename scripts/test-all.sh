#!/usr/bin/env bash
# The whole test suite, every language. Installs what it needs (Debian packages, pip/npm/Maven
# packages) when it is missing, so it runs on a fresh machine of this project's kind.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n=== %s ===\n' "$*"; }

# Debian packages the tests use, installed when missing (CI and developers run as root).
apt_updated=
need_deb() { # need_deb COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ]; then echo "missing: $1 (apt-get install $2)" >&2; exit 1; fi
  [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

step "Tools"
need_deb xmllint libxml2-utils

step "Rust: format, lint, build"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo build --workspace

step "Rust: tests"
cargo test --workspace

echo
echo "all test suites passed"
