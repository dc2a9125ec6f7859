// Stamping from Node, to compare with the Rust core's criterion figures (`cargo bench -p qayd
// --bench engine -- "bench-5-lines|500-lines-json"`): the shared 5-line invoice (tests/bench/) as
// XML, the model fast path (JSON → stamped), the two-call path, and a 500-line invoice.
// Run against a release build of the addon: `node bindings-node/scripts/build.mjs --release`, then
//   node bindings-node/bench/stamp.mjs [FILTER] [ROUNDS]
// FILTER: only the rows whose name contains it (e.g. `stamp/bench-5-lines-xml`); ROUNDS (default
// 5): rounds per row, of which the best and the median are printed.
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

const five = readFileSync(path.join(root, 'tests/bench/simplified-5-lines.json'), 'utf8')
// The standard fixture with 500 copies of its lines, totals left to the engine (as the Rust
// bench's `invoice("standard_invoice", 500)`).
const model = JSON.parse(readFileSync(path.join(root, 'core/tests/fixtures/models/standard_invoice.json'), 'utf8'))
delete model.totals
model.lines = Array.from({ length: 500 }, (_, i) => model.lines[i % model.lines.length])
const large = JSON.stringify(model)

const filter = process.argv[2] ?? ''
const rounds = Number(process.argv[3] ?? 5)

function bestOf(name, call, n) {
  if (!name.includes(filter)) return
  call() // warm up
  const times = []
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < n; i++) call()
    times.push(Number(process.hrtime.bigint() - start) / n / 1000)
  }
  times.sort((a, b) => a - b)
  const best = times[0]
  const median = times[Math.floor(rounds / 2)]
  console.log(
    `node ${name}: ${best.toFixed(1)} µs per document, ${Math.round(1e6 / best)}/s (best of ${rounds} × ${n}; median ${median.toFixed(1)} µs)`,
  )
}

bestOf('stamp/bench-5-lines-xml', () => signer.stamp(xml, options), 2000)
bestOf('stamp_invoice/bench-5-lines-json', () => signer.stampInvoice(five, options), 2000)
bestOf('generate+stamp/bench-5-lines-json', () => signer.stamp(qayd.generate(five), options), 2000)
bestOf('stamp_invoice/standard-500-lines-json', () => signer.stampInvoice(large, options), 20)
