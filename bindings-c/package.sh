#!/usr/bin/env bash
# Builds the release C package of Qayd into dist/c/ at the repository root:
#
#   dist/c/prefix/                       `make install PREFIX=<repo>/dist/c/prefix` (release):
#     include/qayd.h
#     lib/libqayd.a, lib/libqayd.so.X.Y.Z (+ libqayd.so.X, libqayd.so links)
#     lib/pkgconfig/qayd.pc, qayd-static.pc
#     lib/cmake/qayd/qaydConfig.cmake, qaydConfigVersion.cmake
#   dist/c/qayd-c-X.Y.Z-<arch>-linux.tar.gz   the same tree, relocatable (its .pc files find
#                                        their prefix from where they are unpacked)
#
# `bindings-c/test.sh --package` tests both. Set CARGO_BUILD=: to skip the cargo step when
# `cargo build --release -p qayd-c` has just run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n 1)"
name="qayd-c-$version-$(uname -m)-linux"
dist="$repo/dist/c"
started=$SECONDS

rm -rf "$dist"
mkdir -p "$dist"
make -C "$here" --no-print-directory PROFILE=release all
make -C "$here" --no-print-directory PROFILE=release CARGO_BUILD=: install PREFIX="$dist/prefix"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
make -C "$here" --no-print-directory PROFILE=release CARGO_BUILD=: install PREFIX="$stage/$name" RELOCATABLE=1
tar -C "$stage" --owner=0 --group=0 --numeric-owner -czf "$dist/$name.tar.gz" "$name"
# build/*.pc back to the plain form.
make -C "$here" --no-print-directory PROFILE=release CARGO_BUILD=: all >/dev/null

echo "dist/c ($((SECONDS - started)) s):"
(cd "$dist" && find prefix -type f -o -type l | sort | while read -r f; do
    if [ -L "$f" ]; then printf '  %-42s -> %s\n' "$f" "$(readlink "$f")"
    else printf '  %-42s %10d bytes\n' "$f" "$(stat -c %s "$f")"; fi
done)
printf '  %-42s %10d bytes\n' "$name.tar.gz" "$(stat -c %s "$dist/$name.tar.gz")"
