#!/usr/bin/env bash
# Prints the fingerprint of everything the generated Kotlin depends on: the exported Rust API (every file under src/ that is Rust),
# the UniFFI configuration and the locked uniffi version. test.sh compares it with
# generated/SOURCE_SHA256 to detect stale generated code without building the generator.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
{
    # Every Rust source of the crate, in a stable order.
    find "$here/src" -name '*.rs' -print0 | LC_ALL=C sort -z | xargs -0 cat
    cat "$here/uniffi.toml"
    grep -A1 '^name = "uniffi"$' "$here/../Cargo.lock"
} | sha256sum | cut -d' ' -f1
