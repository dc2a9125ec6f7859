// Stamps one document N times through the public API: the Node driver for instruction-count
// comparisons with the core's `stamp_loop` example (`valgrind --tool=callgrind`, see README).
//
//   node bindings-node/bench/stamp_loop.mjs [N] [SOURCE]
//
// SOURCE as in the core's example: the shared 5-line invoice as XML by default (`stamp`), or
// `json:FILE` for an invoice model's JSON text (`stampInvoice`). Run from the repository root.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const qayd = require('../index.js')
const n = Number(process.argv[2] ?? 100)
const source = process.argv[3] ?? 'tests/bench/simplified-5-lines.xml'
const certs = 'tests/vectors/sdk-R3.4.8/Data/Certificates'
const signer = new qayd.Signer(readFileSync(`${certs}/cert.pem`), readFileSync(`${certs}/ec-secp256k1-priv-key.pem`))
const options = { signingTime: '2025-07-22T15:51:28' }
const model = source.startsWith('json:') ? readFileSync(source.slice(5), 'utf8') : null
const xml = model == null ? readFileSync(source) : null

let total = 0
for (let i = 0; i < n; i++) {
  const stamped = model == null ? signer.stamp(xml, options) : signer.stampInvoice(model, options)
  total += stamped.xml.length
}
console.log(total)
