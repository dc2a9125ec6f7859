#!/usr/bin/env bash
# `bindings-kotlin/test.sh --package`: tests the release artifacts that package.sh left in
# dist/kotlin/, as a user gets them.
#   1. the jar carries linux-x86-64/libqayd_uniffi.so, stripped, from the release build; the
#      sources jar the Kotlin sources; the javadoc jar the Dokka documentation; the pom the
#      metadata Maven Central asks for (name, description, url, licences, developers, scm);
#   2. a fresh Maven project in a temporary directory (a copy of tests/packaging/kotlin) depends on
#      sa.qayd:qayd:VERSION from the repository dist/kotlin/m2 (file:// URL), and Maven runs its
#      smoke program with no Rust toolchain on PATH: stamp + verify of the shared 5-line invoice
#      (tests/bench), then onboarding, an invoice cleared and one reported by the durable engine
#      through the local gateway (`qayd gateway --port 0` on 127.0.0.1; target/release/qayd, else
#      target/debug/qayd, built with `cargo build -p qayd-cli` if neither exists).
# Exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
dist="$root/dist/kotlin"
start=$SECONDS

fail() { echo "test.sh --package: $*" >&2; exit 1; }

version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$here/pom.xml" | head -n1)"
jar="$dist/qayd-$version.jar"
[ -f "$jar" ] || fail "$jar is missing: run bindings-kotlin/package.sh first"
[ -d "$dist/m2/sa/qayd/qayd/$version" ] || fail "the Maven repository dist/kotlin/m2 has no sa.qayd:qayd:$version"

# 1. The artifacts themselves.
(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "dist/kotlin does not match its SHA256SUMS"
for file in "qayd-$version.jar" "qayd-$version-sources.jar" "qayd-$version-javadoc.jar" "qayd-$version.pom"; do
    [ -f "$dist/$file" ] || fail "dist/kotlin/$file is missing"
    cmp -s "$dist/$file" "$dist/m2/sa/qayd/qayd/$version/$file" || fail "dist/kotlin/$file differs from the one in m2/"
    for sum in md5 sha1; do
        [ -f "$dist/m2/sa/qayd/qayd/$version/$file.$sum" ] || fail "m2/ lacks $file.$sum"
    done
done
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && mkdir lib && cd lib && jar xf "$jar" linux-x86-64/libqayd_uniffi.so)
so="$scratch/lib/linux-x86-64/libqayd_uniffi.so"
[ -f "$so" ] || fail "the jar does not carry linux-x86-64/libqayd_uniffi.so (JNA's resource path)"
sections="$(readelf -S -W "$so")"
if grep -q -E '\.symtab|\.debug_' <<<"$sections"; then fail "the library in the jar is not stripped"; fi
dynamic_symbols="$(readelf --dyn-syms -W "$so")"
grep -q 'uniffi_qayd_uniffi_fn_func_invoice_hash' <<<"$dynamic_symbols" \
    || fail "the library in the jar lacks its exported UniFFI symbols"
# Built from the release profile: the same GNU build-id as target/release's library, when present.
build_id() { readelf -n "$1" | sed -n 's/.*Build ID: //p'; }
if [ -f "$target/release/libqayd_uniffi.so" ]; then
    [ "$(build_id "$so")" = "$(build_id "$target/release/libqayd_uniffi.so")" ] \
        || fail "the library in the jar is not target/release/libqayd_uniffi.so (stale dist? run package.sh)"
fi
so_size=$(stat -c %s "$so")
((so_size < 20000000)) || fail "the library in the jar is $so_size bytes: a debug build?"
sources="$(jar tf "$dist/qayd-$version-sources.jar")"
javadoc="$(jar tf "$dist/qayd-$version-javadoc.jar")"
grep -qx 'sa/qayd/qayd_uniffi.kt' <<<"$sources" || fail "sources jar lacks qayd_uniffi.kt"
for written in "$here"/src/main/kotlin/sa/qayd/*.kt; do
    name="$(basename "$written")"
    grep -qx "sa/qayd/$name" <<<"$sources" || fail "sources jar lacks $name"
done
grep -qx 'index.html' <<<"$javadoc" || fail "javadoc jar has no index.html"
grep -q 'sa.qayd/-signer/index.html' <<<"$javadoc" || fail "javadoc jar does not document Signer"
pom="$dist/qayd-$version.pom"
for element in name description url licenses/license/name developers/developer/name \
    scm/url scm/connection scm/developerConnection; do
    python3 - "$pom" "$element" <<'EOF' || fail "the pom lacks <$element>"
import sys, xml.etree.ElementTree as ET
ns = "{http://maven.apache.org/POM/4.0.0}"
path = "/".join(ns + part for part in sys.argv[2].split("/"))
found = [e.text for e in ET.parse(sys.argv[1]).getroot().findall(path) if e.text and e.text.strip()]
sys.exit(0 if found else 1)
EOF
done
grep -q '<name>Apache-2.0</name>' "$pom" && grep -q '<name>MIT</name>' "$pom" || fail "the pom does not name both licences"
echo "artifacts: OK (library $so_size bytes, stripped, release build)"

# 2. A fresh Maven project, no Rust toolchain on PATH.
gateway="$target/release/qayd"
[ -x "$gateway" ] || gateway="$target/debug/qayd"
if [ ! -x "$gateway" ]; then
    cargo build -p qayd-cli
fi
[ -x "$gateway" ] || fail "no qayd binary (target/release/qayd or target/debug/qayd) for the local gateway"

project="$scratch/project"
cp -r "$root/tests/packaging/kotlin" "$project"
rm -rf "$project/target"
mkdir "$project/data"
cp "$root/tests/bench/simplified-5-lines.xml" \
    "$root/tests/vectors/sdk-R3.4.8/Data/Certificates/cert.pem" \
    "$root/tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem" "$project/data/"

clean_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
    [ -n "$dir" ] || continue
    if [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ] || [ -e "$dir/rustup" ]; then continue; fi
    clean_path="${clean_path:+$clean_path:}$dir"
done
if env PATH="$clean_path" bash -c 'command -v cargo || command -v rustc || command -v rustup' >/dev/null; then
    fail "could not take the Rust toolchain off PATH"
fi
env PATH="$clean_path" bash -c 'command -v mvn && command -v java' >/dev/null || fail "mvn or java is not on PATH without Rust"

# The artifact must come from dist/kotlin/m2, not from a copy that an earlier `mvn install`
# (test.sh, a debug build) left in the local repository: drop that copy first.
env PATH="$clean_path" mvn -B -ntp -q -f "$project/pom.xml" org.apache.maven.plugins:maven-help-plugin:3.5.2:evaluate \
    -Dexpression=settings.localRepository -Doutput="$scratch/local-repository.txt" >/dev/null
local_repo="$(cat "$scratch/local-repository.txt")"
[ -d "$local_repo" ] || fail "cannot find Maven's local repository ('$local_repo')"
rm -rf "$local_repo/sa/qayd/qayd/$version"

echo "fresh project: $project (PATH without Rust: $clean_path)"
(cd "$project" && env PATH="$clean_path" mvn -B -ntp -q \
    -Dqayd.repo="file://$dist/m2" -Dqayd.version="$version" \
    compile exec:java -Dexec.args="$project/data $gateway")

# What Maven resolved is what package.sh published.
resolved="$local_repo/sa/qayd/qayd/$version/qayd-$version.jar"
cmp -s "$resolved" "$jar" || fail "Maven resolved $resolved, which is not dist/kotlin/qayd-$version.jar"
grep -q 'qayd-dist' "$local_repo/sa/qayd/qayd/$version/_remote.repositories" \
    || fail "sa.qayd:qayd was not resolved from dist/kotlin/m2"

# 2b. The same repository from a fresh Gradle project (a Java application): Debian's Gradle 4.4.1,
#     the only Gradle installable here, resolves the pom and runs stamp + verify (it cannot
#     compile Kotlin 2.x; tests/packaging/kotlin-gradle/build.gradle says why Java covers less).
#     Installed with apt-get when missing; QAYD_SKIP_GRADLE=1 skips this step.
if [ "${QAYD_SKIP_GRADLE:-0}" != 1 ]; then
    if ! command -v gradle >/dev/null 2>&1; then
        echo "installing gradle (Debian)"
        sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
        "${sudo_cmd[@]}" apt-get update
        "${sudo_cmd[@]}" apt-get install -y --no-install-recommends gradle
    fi
    gradle_project="$scratch/gradle-project"
    cp -r "$root/tests/packaging/kotlin-gradle" "$gradle_project"
    rm -rf "$gradle_project/build" "$gradle_project/.gradle"
    (cd "$gradle_project" && env PATH="$clean_path" gradle --no-daemon -q \
        -PqaydRepo="file://$dist/m2" -PqaydVersion="$version" -PdataDir="$project/data" run) 2>&1 \
        | grep -v -E '^(openjdk version|OpenJDK (Runtime|64-Bit))'
fi

# 3. Android: the AAR cannot be built here (no NDK, no Android SDK, no Android Rust targets), so
#    only android/build.sh's checks are tested: it must name what is missing before building
#    anything, and accept an NDK r25+ (fake NDK directories stand in for it).
android="$here/android/build.sh"
rust_env=(RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" HOME="$scratch/home")
mkdir -p "$scratch/home" "$scratch/ndk-old" "$scratch/ndk-new"
echo "Pkg.Revision = 23.1.7779620" > "$scratch/ndk-old/source.properties"
echo "Pkg.Revision = 28.2.13676358" > "$scratch/ndk-new/source.properties"
mkdir -p "$scratch/ndk-new/toolchains/llvm/prebuilt/linux-x86_64/bin"
install -m 755 /dev/null "$scratch/ndk-new/toolchains/llvm/prebuilt/linux-x86_64/bin/llvm-strip"
preflight() { # expected exit code, then VAR=value settings; prints stderr
    local want=$1 rc=0; shift
    env -u ANDROID_NDK_HOME -u ANDROID_NDK_ROOT -u ANDROID_HOME -u ANDROID_SDK_ROOT "${rust_env[@]}" "$@" \
        "$android" --native-only 2>&1 >/dev/null || rc=$?
    if [ "$rc" != "$want" ]; then fail "android/build.sh --native-only with $* exited $rc, not $want"; fi
}
out="$(preflight 1)"
grep -q 'the Android NDK (r25 or newer)' <<<"$out" || fail "android/build.sh does not say that the NDK is missing: $out"
out="$(preflight 1 ANDROID_NDK_HOME="$scratch/ndk-old")"
grep -q 'is r23' <<<"$out" || fail "android/build.sh accepts an NDK r23: $out"
installed_targets="$(rustup target list --installed 2>/dev/null || true)"
if grep -qx aarch64-linux-android <<<"$installed_targets" && cargo ndk --version >/dev/null 2>&1; then
    echo "android: Rust targets and cargo-ndk present; not building the AAR here (run android/build.sh)"
else
    out="$(preflight 1 ANDROID_NDK_HOME="$scratch/ndk-new")"
    if grep -q 'Android NDK' <<<"$out"; then fail "android/build.sh refuses an NDK r28: $out"; fi
    grep -q 'rustup target add aarch64-linux-android' <<<"$out" || cargo ndk --version >/dev/null 2>&1 \
        || fail "android/build.sh does not name the missing Rust target or cargo-ndk: $out"
    echo "android: build.sh refuses to start and names what is missing:"
    sed 's/^/    /' <<<"$out"
fi

echo "test.sh --package: OK ($((SECONDS - start)) s)"
