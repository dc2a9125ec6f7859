#!/usr/bin/env bash
# Build and test the Node binding from a clean clone, on top of `cargo build --workspace`.
#
#   bindings-node/test.sh              copy target/debug/libqayd_node.so to bindings-node/qayd.node
#                                      (no second compile; the napi CLI is not used because it
#                                      builds a separate --target tree)
#   bindings-node/test.sh --install    also check `npm install ./bindings-node` in a scratch project
#                                      (its install script runs `cargo build -p qayd-node`)
#
#   QAYD_SKIP_CARGO_BUILD=1   skip `cargo build --workspace` (CI already ran it)
#
# No npm dependencies: tests use node:test (Node >= 18).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n=== node: %s ===\n' "$*"; }

if [[ -z "${QAYD_SKIP_CARGO_BUILD:-}" ]]; then
  step "cargo build --workspace"
  t0=$SECONDS; cargo build --workspace; echo "(cargo build --workspace: $((SECONDS - t0)) s)"
fi

step "native addon from the workspace build"
node bindings-node/scripts/build.mjs --copy-only

# The end-to-end tests and the engine example run the local gateway (`qayd gateway --port 0`).
if [[ ! -x "${CARGO_TARGET_DIR:-target}/debug/qayd" ]]; then
  step "cargo build -p qayd-cli (the local gateway for the end-to-end tests)"
  cargo build -p qayd-cli
fi

step "node --test: binding tests + conformance cases"
node --test bindings-node/__test__/ tests/conformance/run_node.mjs

step "examples"
node examples/node/stamp_invoice.mjs | tail -1
node examples/node/engine.mjs | tail -3

if [[ "${1:-}" == --install ]]; then
  step "npm install ./bindings-node (scratch project)"
  scratch="$(mktemp -d)"
  (cd "$scratch" && npm init -y >/dev/null && npm install --foreground-scripts "$OLDPWD/bindings-node" \
    && node -e "const q = require('qayd'); if (q.invoiceHash(require('fs').readFileSync('$OLDPWD/tests/conformance/inputs/simplified-invoice.unsigned.xml')) !== 'z5F9qsS6oWyDhehD8u8S0DaxV+2CUiUz9Y+UsR61JgQ=') process.exit(1); console.log('installed package works')")
  rm -rf "$scratch"
fi
echo "node binding: all tests passed"
