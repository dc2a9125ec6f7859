#!/usr/bin/env bash
# Build and test the Node binding from a clean clone, on top of `cargo build --workspace`.
#
#   bindings-node/test.sh              copy target/debug/libqayd_node.so to bindings-node/qayd.node
#                                      (no second compile; the napi CLI is not used because it
#                                      builds a separate --target tree)
#   bindings-node/test.sh --install    also check `npm install ./bindings-node` in a scratch project
#                                      (a clone's folder: it loads the addon copied above)
#   bindings-node/test.sh --package    only test the npm packages bindings-node/package.sh put in
#                                      dist/node/: install both tarballs into a fresh project with no
#                                      Rust toolchain on PATH and run tests/packaging/node/smoke.mjs
#                                      (needs target/{release,debug}/qayd for the local gateway)
#
#   QAYD_SKIP_CARGO_BUILD=1   skip `cargo build --workspace` (CI already ran it)
#
# No npm dependencies: tests use node:test (Node >= 18).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n=== node: %s ===\n' "$*"; }

if [[ "${1:-}" == --package ]]; then
  t0=$SECONDS
  root=$PWD
  target=${CARGO_TARGET_DIR:-target}
  [[ $target = /* ]] || target=$root/$target
  version=$(node -p 'require("./bindings-node/package.json").version')
  main_tgz=$root/dist/node/qayd-$version.tgz
  platform_tgz=$root/dist/node/qayd-linux-x64-gnu-$version.tgz
  for f in "$main_tgz" "$platform_tgz"; do
    [[ -f $f ]] || { echo "$f is missing: run bindings-node/package.sh first" >&2; exit 1; }
  done
  gateway=$target/release/qayd
  [[ -x $gateway ]] || gateway=$target/debug/qayd
  if [[ ! -x $gateway ]]; then
    step "cargo build -p qayd-cli (the local gateway)"
    cargo build -p qayd-cli
  fi

  # No Rust toolchain: drop every PATH entry that holds cargo or rustc.
  clean_path=
  IFS=: read -ra dirs <<<"$PATH"
  for d in "${dirs[@]}"; do
    [[ -n $d && ! -e $d/cargo && ! -e $d/rustc ]] && clean_path=${clean_path:+$clean_path:}$d
  done
  run_clean() { env -u CARGO -u RUSTC -u RUSTUP_TOOLCHAIN PATH="$clean_path" "$@"; }
  if run_clean bash -c 'command -v cargo || command -v rustc' >/dev/null; then
    echo "a Rust toolchain is still on the cleaned PATH" >&2; exit 1
  fi

  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  step "npm install the two tarballs into $scratch (no cargo/rustc on PATH)"
  cp tests/packaging/node/smoke.mjs "$scratch/"
  (cd "$scratch" && run_clean npm init -y >/dev/null \
    && run_clean npm install --offline --no-audit --no-fund --foreground-scripts "$platform_tgz" "$main_tgz")
  # The platform package came from its tarball and holds the addon; qayd holds none.
  (cd "$scratch" && run_clean node -e '
    const fs = require("node:fs")
    const lock = require("./package-lock.json").packages
    if (!lock["node_modules/@qayd/linux-x64-gnu"]?.resolved?.startsWith("file:")) throw new Error("@qayd/linux-x64-gnu is not the local tarball")
    if (!fs.existsSync("node_modules/@qayd/linux-x64-gnu/qayd.linux-x64-gnu.node")) throw new Error("the addon is missing")
    const extra = fs.readdirSync("node_modules/qayd").filter((f) => f.endsWith(".node"))
    if (extra.length) throw new Error(`qayd holds ${extra}`)')

  step "smoke: stamp + verify, engine clear through the local gateway ($gateway)"
  (cd "$scratch" && run_clean node smoke.mjs "$root" "$gateway")
  echo "node package: install + smoke passed ($((SECONDS - t0)) s)"
  exit 0
fi

if [[ -z "${QAYD_SKIP_CARGO_BUILD:-}" ]]; then
  step "cargo build --workspace"
  t0=$SECONDS; cargo build --workspace; echo "(cargo build --workspace: $((SECONDS - t0)) s)"
fi

step "native addon from the workspace build"
node bindings-node/scripts/build.mjs --copy-only --debug

# The end-to-end tests and the engine example run the local gateway (`qayd gateway --port 0`).
if [[ ! -x "${CARGO_TARGET_DIR:-target}/debug/qayd" ]]; then
  step "cargo build -p qayd-cli (the local gateway for the end-to-end tests)"
  cargo build -p qayd-cli
fi

step "node --test: binding tests + conformance cases"
node --test bindings-node/__test__/ tests/conformance/run_node.mjs

step "types: tsc --strict over the README snippets against index.d.ts"
node bindings-node/scripts/typecheck.mjs

step "examples"
node examples/node/stamp_invoice.mjs | tail -1
node examples/node/engine.mjs | tail -3

if [[ "${1:-}" == --install ]]; then
  step "npm install ./bindings-node (scratch project)"
  scratch="$(mktemp -d)"
  (cd "$scratch" && npm init -y >/dev/null && npm install --no-audit --no-fund --omit=optional "$OLDPWD/bindings-node" \
    && node -e "const q = require('qayd'); if (q.invoiceHash(require('fs').readFileSync('$OLDPWD/tests/conformance/inputs/simplified-invoice.unsigned.xml')) !== 'z5F9qsS6oWyDhehD8u8S0DaxV+2CUiUz9Y+UsR61JgQ=') process.exit(1); console.log('installed package works')")
  rm -rf "$scratch"
fi
echo "node binding: all tests passed"
