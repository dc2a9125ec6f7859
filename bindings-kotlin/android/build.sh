#!/usr/bin/env bash
# Builds the Android library (AAR) of Qayd:
#   1. cargo-ndk builds libqayd_uniffi.so (release profile, then the NDK's llvm-strip) for arm64-v8a,
#      armeabi-v7a and x86_64 into src/main/jniLibs/<abi>/ (API level 24, 16 KB page alignment for
#      the 64-bit ABIs as Google Play asks of apps targeting Android 15 and later);
#   2. Gradle (9.1 or newer, with the Android SDK) runs assembleRelease: the AAR has classes.jar
#      (the generated Kotlin of ../generated and ../src/main/kotlin) and jni/<abi>/libqayd_uniffi.so;
#   3. the AAR is copied to dist/kotlin/android/qayd-android-VERSION.aar and its layout checked.
#
#   bindings-kotlin/android/build.sh                 all three steps
#   bindings-kotlin/android/build.sh --native-only   step 1 only (no Gradle, no SDK needed)
#   bindings-kotlin/android/build.sh --check         only says what is missing (exit 1 if anything)
#
# Before doing anything it checks everything it needs and names each missing piece with how to
# get it: cargo-ndk, the three Rust targets, the Android NDK (r25 or newer: ANDROID_NDK_HOME,
# ANDROID_NDK_ROOT, or the newest under $ANDROID_HOME/ndk), Gradle and the Android SDK.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
mode="${1:-all}"
case "$mode" in
    all | --native-only | --check) ;;
    *) echo "usage: $0 [--native-only | --check]" >&2; exit 2 ;;
esac

abis=(arm64-v8a armeabi-v7a x86_64)
triples=(aarch64-linux-android armv7-linux-androideabi x86_64-linux-android)
machines=(AArch64 ARM "Advanced Micro Devices X86-64")
api_level=24
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$here/../pom.xml" | head -n1)"

missing=()

# Rust: cargo, cargo-ndk, the Android targets of the standard library.
if ! command -v cargo >/dev/null 2>&1; then
    missing+=("cargo (Rust): install Rust with rustup")
else
    cargo ndk --version >/dev/null 2>&1 \
        || missing+=("cargo-ndk: cargo install cargo-ndk --locked")
    if command -v rustup >/dev/null 2>&1; then
        installed="$(rustup target list --installed)"
    else
        installed="$(ls "$(rustc --print sysroot)/lib/rustlib")"
    fi
    for triple in "${triples[@]}"; do
        grep -qx "$triple" <<<"$installed" \
            || missing+=("the Rust target $triple: rustup target add $triple")
    done
fi

# The Android NDK.
ndk=""
for candidate in "${ANDROID_NDK_HOME:-}" "${ANDROID_NDK_ROOT:-}"; do
    if [ -n "$candidate" ] && [ -f "$candidate/source.properties" ]; then ndk="$candidate"; break; fi
done
if [ -z "$ndk" ]; then
    for sdk in "${ANDROID_HOME:-}" "${ANDROID_SDK_ROOT:-}" "$HOME/Android/Sdk"; do
        [ -n "$sdk" ] && [ -d "$sdk/ndk" ] || continue
        newest="$(ls -1 "$sdk/ndk" | sort -V | tail -n1)"
        if [ -n "$newest" ] && [ -f "$sdk/ndk/$newest/source.properties" ]; then ndk="$sdk/ndk/$newest"; break; fi
    done
fi
if [ -z "$ndk" ]; then
    missing+=("the Android NDK (r25 or newer): install it with the SDK manager (sdkmanager 'ndk;28.2.13676358') and set ANDROID_NDK_HOME to it (ANDROID_NDK_HOME='${ANDROID_NDK_HOME:-}', ANDROID_HOME='${ANDROID_HOME:-}')")
else
    revision="$(sed -n 's/^Pkg.Revision *= *\([0-9]*\).*/\1/p' "$ndk/source.properties")"
    if [ -z "$revision" ] || [ "$revision" -lt 25 ]; then
        missing+=("an Android NDK r25 or newer ($ndk is r${revision:-?})")
    fi
    strip_tools=("$ndk"/toolchains/llvm/prebuilt/*/bin/llvm-strip)
    strip_tool="${strip_tools[0]}"
    [ -x "$strip_tool" ] || missing+=("llvm-strip in $ndk/toolchains/llvm/prebuilt/*/bin (an incomplete NDK?)")
fi

# Gradle and the Android SDK (not for --native-only).
if [ "$mode" != --native-only ]; then
    gradle=""
    if [ -x "$here/gradlew" ]; then gradle="$here/gradlew"; elif command -v gradle >/dev/null 2>&1; then gradle="gradle"; fi
    if [ -z "$gradle" ]; then
        missing+=("Gradle 9.1 or newer (the Android Gradle plugin 9.0 needs it): install it, or add a Gradle wrapper here")
    else
        gradle_version="$("$gradle" --version 2>/dev/null | sed -n 's/^Gradle \([0-9][0-9.]*\).*/\1/p')"
        if [ "$(printf '%s\n9.1\n' "${gradle_version:-0}" | sort -V | head -n1)" != 9.1 ]; then
            missing+=("Gradle 9.1 or newer ($gradle is ${gradle_version:-of unknown version})")
        fi
    fi
    sdk_dir="${ANDROID_HOME:-${ANDROID_SDK_ROOT:-}}"
    if [ -z "$sdk_dir" ] && [ -f "$here/local.properties" ]; then
        sdk_dir="$(sed -n 's/^sdk.dir=//p' "$here/local.properties")"
    fi
    if [ -z "$sdk_dir" ] || [ ! -d "$sdk_dir/platforms" ]; then
        missing+=("the Android SDK with platform 36: set ANDROID_HOME (or sdk.dir in android/local.properties)")
    fi
fi

if ((${#missing[@]})); then
    echo "bindings-kotlin/android/build.sh cannot build the Android library; missing:" >&2
    for item in "${missing[@]}"; do echo "  - $item" >&2; done
    exit 1
fi
echo "Android toolchain: NDK $ndk (r$revision), targets ${triples[*]}, $(cargo ndk --version)"
[ "$mode" = --check ] && exit 0

# 1. The native libraries.
jni="$here/src/main/jniLibs"
rm -rf "$jni"
targs=()
for abi in "${abis[@]}"; do targs+=(-t "$abi"); done
export ANDROID_NDK_HOME="$ndk"
# 16 KB pages (Android 15+ devices, required by Google Play for apps targeting API 35 and later).
export CARGO_TARGET_AARCH64_LINUX_ANDROID_RUSTFLAGS="-C link-arg=-Wl,-z,max-page-size=16384"
export CARGO_TARGET_X86_64_LINUX_ANDROID_RUSTFLAGS="-C link-arg=-Wl,-z,max-page-size=16384"
(cd "$root" && cargo ndk "${targs[@]}" --platform "$api_level" -o "$jni" build --release -p qayd-kotlin)
for i in "${!abis[@]}"; do
    so="$jni/${abis[$i]}/libqayd_uniffi.so"
    [ -f "$so" ] || { echo "$so was not built" >&2; exit 1; }
    "$strip_tool" --strip-all "$so"
    header="$(readelf -h "$so")"
    sections="$(readelf -S -W "$so")"
    grep -q "Machine: *${machines[$i]}" <<<"$header" || { echo "$so is not ${machines[$i]}" >&2; exit 1; }
    if grep -q -E '\.debug_' <<<"$sections"; then echo "$so is not stripped" >&2; exit 1; fi
    echo "  ${abis[$i]}/libqayd_uniffi.so  $(stat -c %s "$so") bytes"
done
[ "$mode" = --native-only ] && exit 0

# 2. The AAR.
(cd "$here" && "$gradle" --no-daemon assembleRelease)
aar="$here/build/outputs/aar/qayd-android-release.aar"
[ -f "$aar" ] || { echo "$aar was not built" >&2; exit 1; }

# 3. Into dist/, checked.
out="$root/dist/kotlin/android"
mkdir -p "$out"
cp "$aar" "$out/qayd-android-$version.aar"
listing="$(unzip -l "$out/qayd-android-$version.aar")"
for abi in "${abis[@]}"; do
    grep -q " jni/$abi/libqayd_uniffi.so\$" <<<"$listing" || { echo "the AAR lacks jni/$abi/libqayd_uniffi.so" >&2; exit 1; }
done
for entry in AndroidManifest.xml classes.jar proguard.txt; do
    grep -q " $entry\$" <<<"$listing" || { echo "the AAR lacks $entry" >&2; exit 1; }
done
echo "dist/kotlin/android/qayd-android-$version.aar ($(stat -c %s "$out/qayd-android-$version.aar") bytes)"
