#!/usr/bin/env bash
# Builds and tests the C bindings from a clean clone, after `cargo build --workspace`:
# the header drift check, the unit test (static and shared, then under valgrind), every
# conformance case (also under valgrind) and the example. Installs gcc, make and valgrind with
# apt-get when they are missing. Set CARGO_BUILD=: to skip the (normally no-op) cargo step.
# This mode tests the debug build (PROFILE=debug, what CI has just built); PROFILE=release
# tests the release one.
#
#   bindings-c/test.sh --package   tests what bindings-c/package.sh put in dist/c/, from
#                                  scratch projects outside the repository with no Rust
#                                  toolchain on PATH (see package_test below)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"

packages=()
command -v gcc >/dev/null 2>&1 || packages+=(gcc libc6-dev)
command -v make >/dev/null 2>&1 || packages+=(make)
command -v valgrind >/dev/null 2>&1 || packages+=(valgrind)
command -v git >/dev/null 2>&1 || packages+=(git)
if [ "${1:-}" = --package ]; then
    command -v pkg-config >/dev/null 2>&1 || packages+=(pkg-config)
    command -v cmake >/dev/null 2>&1 || packages+=(cmake)
fi
if ((${#packages[@]})); then
    echo "installing ${packages[*]}"
    sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
fi

# The package test: dist/c/prefix (what `make install PREFIX=…` wrote) and the relocatable
# tar.gz unpacked elsewhere, each used the way a C user would:
#   * pkg-config: the .pc files name the right prefix, version, SONAME links;
#   * `cc smoke.c $(pkg-config --cflags --libs qayd)` (shared) and `… qayd-static` (static);
#   * a fresh CMake project: find_package(qayd CONFIG), qayd::qayd and qayd::qayd_static;
# and every program built runs tests/packaging/c/smoke.c (stamp + verify of the 5-line invoice,
# onboarding and an engine issue/report/clear through a fresh `qayd gateway --port 0`), those
# built against dist/c/prefix under valgrind with leak errors "definite,possible" and no
# suppressions. The builds and runs see no cargo/rustc on PATH.
package_test() {
    local version dist prefix tarball gateway_bin scratch clean_path d passes=0 failures=0 started=$SECONDS
    version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n 1)"
    dist="$repo/dist/c"
    prefix="$dist/prefix"
    tarball="$(ls "$dist"/qayd-c-"$version"-*.tar.gz 2>/dev/null | head -n 1 || true)"
    if [ ! -f "$prefix/lib/pkgconfig/qayd.pc" ] || [ -z "$tarball" ]; then
        echo "no C package in $dist: run bindings-c/package.sh first" >&2
        return 1
    fi
    # The gateway: $QAYD_BIN, else the newer of target/release/qayd and target/debug/qayd.
    gateway_bin="${QAYD_BIN:-}"
    if [ -z "$gateway_bin" ]; then
        gateway_bin="$repo/target/debug/qayd"
        [ "$repo/target/release/qayd" -nt "$gateway_bin" ] && gateway_bin="$repo/target/release/qayd"
    fi
    [ -x "$gateway_bin" ] || { echo "no qayd binary for the gateway (cargo build -p qayd-cli)" >&2; return 1; }
    echo "gateway: $gateway_bin"

    # PATH without the directories that hold cargo or rustc.
    clean_path=
    while IFS= read -r d; do
        [ -z "$d" ] || [ -e "$d/cargo" ] || [ -e "$d/rustc" ] && continue
        clean_path="${clean_path:+$clean_path:}$d"
    done < <(tr ':' '\n' <<<"$PATH")
    scratch="$(mktemp -d)"
    # shellcheck disable=SC2064
    trap "rm -rf '$scratch'" EXIT

    check() { # check DESCRIPTION COMMAND...
        if "${@:2}"; then echo "ok   $1"; passes=$((passes + 1)); else echo "FAIL $1"; failures=$((failures + 1)); fi
    }
    # Runs a command with the clean PATH, from the scratch directory.
    clean() { (cd "$scratch" && env PATH="$clean_path" "$@"); }

    check "no cargo or rustc on the clean PATH" clean sh -c '! command -v cargo >/dev/null && ! command -v rustc >/dev/null'

    # --- the installed prefix, as pkg-config and the loader see it
    local pc="PKG_CONFIG_PATH=$prefix/lib/pkgconfig"
    check "qayd.pc: prefix $prefix" test "$(clean env "$pc" pkg-config --variable=prefix qayd)" = "$prefix"
    check "qayd.pc: version $version" test "$(clean env "$pc" pkg-config --modversion qayd)" = "$version"
    check "qayd-static.pc: links libqayd.a by path" \
        grep -q -- "$prefix/lib/libqayd.a" <(clean env "$pc" pkg-config --static --libs qayd-static)
    check "SONAME libqayd.so.${version%%.*}" \
        grep -q "SONAME.*\[libqayd.so.${version%%.*}\]" <(readelf -d "$prefix/lib/libqayd.so.$version")
    check "libqayd.so -> libqayd.so.${version%%.*} -> libqayd.so.$version" \
        test "$(readlink "$prefix/lib/libqayd.so")" = "libqayd.so.${version%%.*}" -a \
        "$(readlink "$prefix/lib/libqayd.so.${version%%.*}")" = "libqayd.so.$version"

    # --- builds: plain cc with pkg-config, and a fresh CMake project
    cp "$repo/tests/packaging/c/smoke.c" "$repo/tests/packaging/c/CMakeLists.txt" "$scratch/"
    local cflags="-std=c11 -Wall -Wextra -Werror -pedantic -O1"
    # shellcheck disable=SC2016
    check "cc smoke.c \$(pkg-config --cflags --libs qayd)" clean env "$pc" sh -c \
        'cc '"$cflags"' smoke.c $(pkg-config --cflags --libs qayd) -Wl,-rpath,$(pkg-config --variable=libdir qayd) -o pc_shared'
    # shellcheck disable=SC2016
    check "cc smoke.c \$(pkg-config --static --cflags --libs qayd-static)" clean env "$pc" sh -c \
        'cc '"$cflags"' smoke.c $(pkg-config --static --cflags --libs qayd-static) -o pc_static'
    check "cmake: find_package(qayd $version CONFIG), qayd::qayd and qayd::qayd_static" clean sh -c \
        "cmake -S . -B cmake-build -DCMAKE_PREFIX_PATH='$prefix' -DQAYD_VERSION='$version' >cmake.log 2>&1 \
         && cmake --build cmake-build >>cmake.log 2>&1 || { cat cmake.log; exit 1; }"
    grep -h "qayd $version from" "$scratch/cmake.log" | sed 's/^-- /     /' || true
    check "pc_shared loads libqayd.so.${version%%.*} from the prefix" \
        grep -q "libqayd.so.${version%%.*} => $prefix/lib/libqayd.so.${version%%.*}" <(clean ldd pc_shared)
    check "cmake smoke_shared loads libqayd.so.${version%%.*} from the prefix" \
        grep -q "libqayd.so.${version%%.*} => $prefix/lib/libqayd.so.${version%%.*}" <(clean ldd cmake-build/smoke_shared)
    check "pc_static and cmake smoke_static need no libqayd.so" \
        sh -c "! readelf -d '$scratch/pc_static' '$scratch/cmake-build/smoke_static' | grep -q 'NEEDED.*libqayd'"

    # --- the relocatable tar.gz, unpacked somewhere else
    mkdir "$scratch/unpacked"
    tar -C "$scratch/unpacked" -xzf "$tarball"
    local moved
    moved="$(echo "$scratch"/unpacked/*)"
    local pcm="PKG_CONFIG_PATH=$moved/lib/pkgconfig"
    # shellcheck disable=SC2016
    check "tar.gz unpacked elsewhere: cc with its pkg-config files, shared and static" clean env "$pcm" sh -c \
        'cc '"$cflags"' smoke.c $(pkg-config --cflags --libs qayd) -Wl,-rpath,$(pkg-config --variable=libdir qayd) -o tar_shared \
         && cc '"$cflags"' smoke.c $(pkg-config --cflags --libs qayd-static) -o tar_static'
    check "tar.gz unpacked elsewhere: cmake" clean sh -c \
        "cmake -S . -B cmake-moved -DCMAKE_PREFIX_PATH='$moved' -DQAYD_VERSION='$version' >cmake-moved.log 2>&1 \
         && cmake --build cmake-moved >>cmake-moved.log 2>&1 || { cat cmake-moved.log; exit 1; }"
    check "tar_shared loads libqayd.so.${version%%.*} from the unpacked tree" \
        grep -q "libqayd.so.${version%%.*} => $moved/lib/" <(clean ldd tar_shared)

    # --- the smoke program, each against a fresh gateway on 127.0.0.1
    local valgrind=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible
                    --show-leak-kinds=definite,possible --quiet)
    smoke() { # smoke NAME [valgrind] PROGRAM
        local name=$1 gw_out="$scratch/gateway-$1.out" gw_pid url="" i rc=0 t0=$SECONDS
        shift
        "$gateway_bin" gateway --port 0 >"$gw_out" 2>/dev/null &
        gw_pid=$!
        for i in $(seq 100); do
            url="$(head -n 1 "$gw_out" 2>/dev/null || true)"
            [[ "$url" == http://127.0.0.1:* ]] && break
            sleep 0.1
        done
        if [[ "$url" != http://127.0.0.1:* ]]; then
            echo "FAIL $name: the gateway did not start"
            failures=$((failures + 1))
        else
            clean "$@" "$repo" "$url" >"$scratch/$name.log" 2>&1 || rc=$?
            if [ "$rc" -eq 0 ] && tail -n 1 "$scratch/$name.log" | grep -q '^[0-9]* passed, 0 failed$'; then
                echo "ok   smoke $name: $(tail -n 1 "$scratch/$name.log") ($((SECONDS - t0)) s)"
                passes=$((passes + 1))
            else
                echo "FAIL smoke $name (exit $rc):"
                sed 's/^/     /' "$scratch/$name.log"
                failures=$((failures + 1))
            fi
        fi
        kill "$gw_pid" 2>/dev/null || true
        wait "$gw_pid" 2>/dev/null || true
    }
    smoke pc-shared "${valgrind[@]}" ./pc_shared
    smoke pc-static "${valgrind[@]}" ./pc_static
    smoke cmake-shared "${valgrind[@]}" ./cmake-build/smoke_shared
    smoke cmake-static "${valgrind[@]}" ./cmake-build/smoke_static
    smoke tar-shared ./tar_shared
    smoke tar-static ./tar_static
    smoke cmake-moved-static ./cmake-moved/smoke_static

    echo "C package test: $((SECONDS - started)) s"
    echo "C-package: $passes passed, $failures failed"
    [ "$failures" -eq 0 ]
}

if [ "${1:-}" = --package ]; then
    package_test
    exit
fi

make -C "$here" test example PROFILE="${PROFILE:-debug}"
