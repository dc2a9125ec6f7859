#!/usr/bin/env bash
# Builds the npm packages of the Node binding into dist/node/ (napi-rs's platform-package layout):
#
#   dist/node/qayd-<version>.tgz                     `qayd`: index.js (loader + API), index.d.ts,
#                                                    README.md; optionalDependency below
#   dist/node/qayd-linux-x64-gnu-<version>.tgz       `@qayd/linux-x64-gnu`: the stripped release
#                                                    addon qayd.linux-x64-gnu.node (os/cpu/libc set)
#
# Neither has an install script; installing them needs no Rust toolchain. Other platforms'
# packages (npm/<platform>/) are built the same way on their own machines.
#
#   bindings-node/package.sh                  cargo build --release -p qayd-node, then assemble + npm pack
#   QAYD_NODE_REUSE_RELEASE=1 bindings-node/package.sh   reuse target/release/libqayd_node.so as it is
#   (not QAYD_SKIP_CARGO_BUILD, which scripts/test-all.sh exports for the debug test builds)
#
# Test what it built: bindings-node/test.sh --package
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-target}
[[ $target = /* ]] || target=$root/$target
out=$root/dist/node
step() { printf '\n=== node package: %s ===\n' "$*"; }

# One version everywhere: the workspace, `qayd`, `@qayd/linux-x64-gnu` and the optional dependency.
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
node -e '
  const [version, ...files] = process.argv.slice(1)
  const main = require(files[0]), platform = require(files[1])
  const seen = { qayd: main.version, [platform.name]: platform.version, optionalDependency: main.optionalDependencies[platform.name] }
  for (const [what, v] of Object.entries(seen)) {
    if (v !== version) { console.error(`version mismatch: ${what} is ${v}, the workspace is ${version}`); process.exit(1) }
  }' "$version" "$root/bindings-node/package.json" "$root/bindings-node/npm/linux-x64-gnu/package.json"

if [[ -z "${QAYD_NODE_REUSE_RELEASE:-}" ]]; then
  step "cargo build --release -p qayd-node"
  t0=$SECONDS; cargo build --release -p qayd-node; echo "(cargo build --release -p qayd-node: $((SECONDS - t0)) s)"
fi
lib=$target/release/libqayd_node.so
[[ -f $lib ]] || { echo "$lib is missing: run cargo build --release -p qayd-node" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

step "@qayd/linux-x64-gnu"
mkdir -p "$stage/platform"
cp bindings-node/npm/linux-x64-gnu/package.json bindings-node/npm/linux-x64-gnu/README.md "$stage/platform/"
cp "$lib" "$stage/platform/qayd.linux-x64-gnu.node"
strip --strip-unneeded "$stage/platform/qayd.linux-x64-gnu.node"
echo "addon: $(stat -c %s "$lib") bytes -> $(stat -c %s "$stage/platform/qayd.linux-x64-gnu.node") bytes stripped"
# The stripped addon still loads and answers.
node -e 'const a = require(process.argv[1]); if (a.VERSION !== process.argv[2]) { console.error(`addon VERSION ${a.VERSION}`); process.exit(1) }' \
  "$stage/platform/qayd.linux-x64-gnu.node" "$version"

step "qayd"
mkdir -p "$stage/main"
cp bindings-node/index.js bindings-node/index.d.ts bindings-node/README.md "$stage/main/"
# The published manifest has no scripts: `npm run build` only makes sense in a clone.
node -e '
  const fs = require("node:fs"); const [from, to] = process.argv.slice(1)
  const manifest = JSON.parse(fs.readFileSync(from, "utf8")); delete manifest.scripts
  fs.writeFileSync(to, JSON.stringify(manifest, null, 2) + "\n")' bindings-node/package.json "$stage/main/package.json"

step "npm pack -> dist/node/"
mkdir -p "$out"
rm -f "$out/qayd-$version.tgz" "$out/qayd-linux-x64-gnu-$version.tgz"
(cd "$stage/platform" && npm pack --silent --pack-destination "$out" >/dev/null)
(cd "$stage/main" && npm pack --silent --pack-destination "$out" >/dev/null)
for f in "$out/qayd-linux-x64-gnu-$version.tgz" "$out/qayd-$version.tgz"; do
  [[ -f $f ]] || { echo "npm pack did not write $f" >&2; exit 1; }
  printf '%s  %s bytes\n' "${f#"$root"/}" "$(stat -c %s "$f")"
  tar -tzf "$f" | sed 's/^/    /'
done
