#!/usr/bin/env node
// Builds the native addon from source with cargo and copies it to bindings-node/qayd.node, where
// index.js finds it before any platform package. The fallback for a platform with no prebuilt
// `@qayd/<platform>` package, and the way to work on the binding in a clone; never run on
// install (the published `qayd` has no install script).
//
//   node scripts/build.mjs               cargo build --release -p qayd-node, then copy (npm run build)
//   node scripts/build.mjs --debug       the same in the debug profile (npm run build:debug)
//   node scripts/build.mjs --copy-only [--debug]
//                                        only copy target/<profile>/<lib>; for CI right after
//                                        `cargo build --workspace [--release]` (no second cargo run)
//
// Needs a Rust toolchain. The napi CLI is not used: it builds with --target <host>, a second
// dependency tree. The published packages are assembled by bindings-node/package.sh.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, renameSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const workspace = path.dirname(here)
const destination = path.join(here, 'qayd.node')
const args = process.argv.slice(2)
const release = !args.includes('--debug') // --release is the default (still accepted)
const copyOnly = args.includes('--copy-only')

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
