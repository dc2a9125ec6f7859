#!/usr/bin/env bash
# Builds the release artifacts of the Kotlin/JVM package (sa.qayd:qayd) into dist/kotlin/:
#
#   dist/kotlin/qayd-VERSION.jar           classes + linux-x86-64/libqayd_uniffi.so (release, stripped)
#   dist/kotlin/qayd-VERSION-sources.jar   the generated bindings and the hand-written Kotlin
#   dist/kotlin/qayd-VERSION-javadoc.jar   API documentation (Dokka)
#   dist/kotlin/qayd-VERSION.pom           the published pom (name, licences, developers, scm…)
#   dist/kotlin/m2/                        the same as a Maven repository (with checksums and
#                                          maven-metadata.xml), for <repository><url>file://…/m2
#
# Steps: `cargo build --release -p qayd-kotlin`, then `mvn deploy` of bindings-kotlin/pom.xml
# into dist/kotlin/m2 (tests skipped: test.sh runs them on the debug build, and
# `test.sh --package` tests these artifacts from a fresh Maven project). Nothing is installed
# into ~/.m2. Set QAYD_SKIP_CARGO=1 to reuse an existing target/release/libqayd_uniffi.so.
# Installs a JDK and Maven with apt-get when they are missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
dist="$root/dist/kotlin"
cd "$root"

packages=()
command -v javac >/dev/null 2>&1 || packages+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || packages+=(maven)
command -v strip >/dev/null 2>&1 || packages+=(binutils)
if ((${#packages[@]})); then
    echo "installing ${packages[*]}"
    sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update
    "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
fi

# The pom's version is the crate's (workspace) version.
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$here/pom.xml" | head -n1)"
crate_version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml")"
if [ -z "$version" ] || [ "$version" != "$crate_version" ]; then
    echo "bindings-kotlin/pom.xml version '$version' differs from the workspace version '$crate_version'" >&2
    exit 1
fi

start=$SECONDS
if [ "${QAYD_SKIP_CARGO:-0}" != 1 ]; then
    cargo build --release -p qayd-kotlin
fi
lib="$target/release/libqayd_uniffi.so"
[ -f "$lib" ] || { echo "$lib is missing: cargo build --release -p qayd-kotlin" >&2; exit 1; }
echo "native library: $lib ($(du -h "$lib" | cut -f1), stripped in the jar)"

rm -rf "$dist"
mkdir -p "$dist/m2"
mvn -B -ntp -f "$here/pom.xml" \
    -Dqayd.native.dir="$target/release" \
    -DskipTests -Dmaven.install.skip=true \
    -DaltDeploymentRepository="qayd-dist::file://$dist/m2" \
    clean deploy

published="$dist/m2/sa/qayd/qayd/$version"
for file in "qayd-$version.jar" "qayd-$version-sources.jar" "qayd-$version-javadoc.jar" "qayd-$version.pom"; do
    [ -f "$published/$file" ] || { echo "$published/$file is missing" >&2; exit 1; }
    cp "$published/$file" "$dist/"
done
(cd "$dist" && sha256sum qayd-"$version"*.jar qayd-"$version".pom > SHA256SUMS)

echo "dist/kotlin ($((SECONDS - start)) s):"
(cd "$dist" && ls -l qayd-"$version"* SHA256SUMS | awk '{printf "  %-32s %10d bytes\n", $9, $5}')
jar tvf "$dist/qayd-$version.jar" | awk '$NF == "linux-x86-64/libqayd_uniffi.so" {printf "  linux-x86-64/libqayd_uniffi.so  %10d bytes (in the jar)\n", $1}'
