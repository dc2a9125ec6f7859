#!/usr/bin/env node
// Builds the native addon with cargo and copies it to bindings-node/qayd.node.
//
//   node scripts/build.mjs               cargo build -p qayd-node (debug), then copy
//   node scripts/build.mjs --release     the same with --release
//   node scripts/build.mjs --copy-only   only copy target/<profile>/<lib>; for CI right after
//                                        `cargo build --workspace` (no second cargo invocation)
//
// Runs as the package's `install` script, so `npm install ./bindings-node` (or `npm install` in
// this folder) builds the addon from a clone. Needs a Rust toolchain. QAYD_NODE_SKIP_BUILD=1
// skips it (e.g. when QAYD_NODE_NATIVE points at a prebuilt addon).
//
// The napi CLI is not used: it builds with --target <host>, a second dependency tree.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, renameSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const workspace = path.dirname(here)
const destination = path.join(here, 'qayd.node')
const args = process.argv.slice(2)
const release = args.includes('--release')
const copyOnly = args.includes('--copy-only')

if (process.env.QAYD_NODE_SKIP_BUILD) {
  console.log('qayd: QAYD_NODE_SKIP_BUILD is set; not building the native addon')
  process.exit(0)
}

const libraryName = {
  darwin: 'libqayd_node.dylib',
  win32: 'qayd_node.dll',
}[process.platform] ?? 'libqayd_node.so'

function install(source) {
  // Copy next to the destination and rename, so a loaded addon is never overwritten in place.
  const temporary = `${destination}.tmp-${process.pid}`
  copyFileSync(source, temporary)
  renameSync(temporary, destination)
  console.log(`qayd: ${path.relative(workspace, source)} -> ${path.relative(workspace, destination)}`)
}

if (copyOnly) {
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(workspace, process.env.CARGO_TARGET_DIR)
    : path.join(workspace, 'target')
  const source = path.join(targetDir, release ? 'release' : 'debug', libraryName)
  if (!existsSync(source)) {
    console.error(`qayd: ${source} does not exist; run \`cargo build --workspace${release ? ' --release' : ''}\` first`)
    process.exit(1)
  }
  install(source)
  process.exit(0)
}

const cargo = process.env.CARGO || 'cargo'
const cargoArgs = ['build', '-p', 'qayd-node', '--message-format=json-render-diagnostics']
if (release) cargoArgs.push('--release')
console.log(`qayd: ${cargo} ${cargoArgs.join(' ')} (in ${workspace})`)
const result = spawnSync(cargo, cargoArgs, {
  cwd: workspace,
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
})
if (result.error) {
  console.error(`qayd: cannot run ${cargo} (${result.error.message}); a Rust toolchain is needed to build the addon`)
  process.exit(1)
}
if (result.status !== 0) {
  console.error(`qayd: cargo failed with status ${result.status}`)
  process.exit(result.status ?? 1)
}
// The artifact's path, as cargo reports it (honours CARGO_TARGET_DIR and profiles).
let source
for (const line of result.stdout.split('\n')) {
  if (!line.startsWith('{')) continue
  const message = JSON.parse(line)
  if (message.reason === 'compiler-artifact' && message.target?.name === 'qayd_node') {
    source = message.filenames.find((f) => /\.(so|dylib|dll)$/.test(f)) ?? source
  }
}
if (!source) {
  console.error('qayd: cargo did not report the qayd_node library')
  process.exit(1)
}
install(source)
