// Stamping the shared 5-line invoice (tests/bench/) from Node, to compare with the Rust core's
// `stamp/bench-5-lines-xml` criterion figure (`cargo bench -p qayd --bench engine -- bench-5-lines`).
// Run against a release build of the addon: `node bindings-node/scripts/build.mjs --release`, then
//   node bindings-node/bench/stamp.mjs
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const require = createRequire(import.meta.url)
const qayd = require('../index.js')
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const certs = path.join(root, 'tests/vectors/sdk-R3.4.8/Data/Certificates')
const signer = new qayd.Signer(readFileSync(path.join(certs, 'cert.pem')), readFileSync(path.join(certs, 'ec-secp256k1-priv-key.pem')))
const xml = readFileSync(path.join(root, 'tests/bench/simplified-5-lines.xml'))
const options = { signingTime: '2025-07-22T15:51:28' }

signer.stamp(xml, options) // warm up
const rounds = 5
const n = 2000
let best = Infinity
for (let r = 0; r < rounds; r++) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) signer.stamp(xml, options)
  best = Math.min(best, Number(process.hrtime.bigint() - start) / n / 1000)
}
console.log(`node stamp/bench-5-lines-xml: ${best.toFixed(1)} µs per document (best of ${rounds} × ${n})`)
