#!/usr/bin/env bash
# Regenerates the committed Kotlin bindings (generated/sa/qayd/qayd_uniffi.kt) from the exported
# Rust API, and records which sources they were generated from (generated/SOURCE_SHA256).
#
# Run it after changing bindings-kotlin/src/lib.rs (or bumping uniffi). It builds the
# `uniffi-bindgen` binary of this crate (feature `bindgen`), which costs ~160 s of CPU the first
# time; that is why the generated code is committed instead of built on every CI run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
cd "$root"

cargo build -p qayd-kotlin --features bindgen --bin uniffi-bindgen
# The library the generator reads its metadata from (this crate only: nothing else is needed).
cargo build -p qayd-kotlin
"$target/debug/uniffi-bindgen" generate "$target/debug/libqayd_uniffi.so" \
    --language kotlin --no-format --out-dir "$here/generated"
"$here/source-hash.sh" > "$here/generated/SOURCE_SHA256"
echo "regenerated $here/generated/sa/qayd/qayd_uniffi.kt"
