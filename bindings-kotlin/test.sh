#!/usr/bin/env bash
# Builds and tests the Kotlin/JVM bindings from a clean clone, after `cargo build --workspace`:
#   1. checks that the committed generated Kotlin matches the exported Rust API
#      (set QAYD_REGENERATE=1 to regenerate it instead of failing; that builds uniffi-bindgen);
#   2. `mvn package`: compiles generated/ + the JUnit 5 tests, runs them (unit, end to end
#      against `qayd gateway` on 127.0.0.1, every conformance case), and builds the jar with
#      linux-x86-64/libqayd_uniffi.so inside;
#   3. installs the jar and runs examples/kotlin against it (the library loads from the jar):
#      StampInvoice.kt, then EngineExample.kt against the local gateway.
# Installs a JDK and Maven with apt-get when they are missing.
#
# `test.sh --package` tests instead the release artifacts that package.sh left in dist/kotlin/:
# the jar (release library, stripped, at JNA's resource path), the sources and javadoc jars and the
# pom's metadata; then a fresh Maven project in a temporary directory (tests/packaging/kotlin)
# depends on sa.qayd:qayd from the repository dist/kotlin/m2 (a file:// URL), with no Rust
# toolchain on PATH, and runs its smoke program: stamp + verify of the shared 5-line invoice, and
# an engine invoice cleared (and one reported) through the local gateway (`qayd gateway`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
cd "$root"

packages=()
command -v javac >/dev/null 2>&1 || packages+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || packages+=(maven)
if ((${#packages[@]})); then
    echo "installing ${packages[*]}"
    sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update
    "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
fi

if [ "${1:-}" = "--package" ]; then
    exec "$here/test-package.sh"
fi

# 1. Drift check of the committed generated code (cheap: no generator build).
want="$(cat "$here/generated/SOURCE_SHA256")"
got="$("$here/source-hash.sh")"
regenerated=0
if [ "$want" != "$got" ]; then
    if [ "${QAYD_REGENERATE:-0}" = 1 ]; then
        "$here/regenerate.sh"
        regenerated=1
    else
        echo "bindings-kotlin/generated is stale: the exported API (src/lib.rs, uniffi.toml or the" >&2
        echo "uniffi version) changed. Run bindings-kotlin/regenerate.sh and commit the result." >&2
        exit 1
    fi
fi
# When this run regenerated, the result must be what is committed (in CI: the committed copy was
# stale). Otherwise the fingerprint above already ties generated/ to the sources, committed or not
# (a working copy with a regenerated, not yet committed generated/ passes).
if [ "$regenerated" = 1 ] \
    && git -C "$root" ls-files --error-unmatch bindings-kotlin/generated/sa/qayd/qayd_uniffi.kt >/dev/null 2>&1; then
    git -C "$root" diff --exit-code -- bindings-kotlin/generated \
        || { echo "bindings-kotlin/generated was regenerated and differs from the committed copy: commit it" >&2; exit 1; }
fi
# (At run time, the generated code also compares UniFFI's per-function API checksums with the
# library and refuses to load a mismatching one.)

[ -f "$target/debug/libqayd_uniffi.so" ] || cargo build --workspace
# The CLI: EngineFlowTest starts the local Fatoora gateway with `qayd gateway --port 0`.
if [ ! -x "$target/debug/qayd" ]; then
    for attempt in 1 2 3; do
        cargo build -p qayd-cli && break
        echo "cargo build -p qayd-cli failed (attempt $attempt of 3); retrying in 60 s" >&2
        sleep 60
    done
    [ -x "$target/debug/qayd" ] || { echo "$target/debug/qayd is missing" >&2; exit 1; }
fi

# 2. Tests and jar.
# (-Ddokka.skip: the API documentation is built by package.sh, not on every test run.)
mvn -B -ntp -f "$here/pom.xml" -Dqayd.native.dir="$target/debug" -Ddokka.skip=true install
jar="$here/target/qayd-0.1.0.jar"
jar tf "$jar" | grep -x 'linux-x86-64/libqayd_uniffi.so' >/dev/null \
    || { echo "$jar does not carry linux-x86-64/libqayd_uniffi.so" >&2; exit 1; }
echo "jar: $jar (with linux-x86-64/libqayd_uniffi.so)"

# 3. The examples, using the installed jar (no jna.library.path): stamping, then the durable
#    engine against a `qayd gateway` it starts on 127.0.0.1.
mvn -B -ntp -q -f "$root/examples/kotlin/pom.xml" compile exec:java
mvn -B -ntp -q -f "$root/examples/kotlin/pom.xml" exec:java@engine -Dexec.args="$target/debug/qayd"
