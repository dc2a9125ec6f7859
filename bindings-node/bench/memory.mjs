// Memory of a tight stamp loop: stamps the shared 5-line invoice N times (default 200,000) and
// samples process.memoryUsage() every N/20 documents. A leak shows as RSS and `external` growing
// without bound; GC laziness as RSS that levels off (and drops after a forced GC with --expose-gc).
//
//   node [--expose-gc] bindings-node/bench/memory.mjs [N] [--drop-xml]
//
// --drop-xml reads only the strings of each result (not the xml Buffer), to tell the Buffer's
// share from the rest. Run against a release addon (QAYD_NODE_NATIVE=… or bindings-node/qayd.node).
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const require = createRequire(import.meta.url)
const qayd = require(process.env.QAYD_PACKAGE || '../index.js')
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const certs = path.join(root, 'tests/vectors/sdk-R3.4.8/Data/Certificates')
const signer = new qayd.Signer(readFileSync(path.join(certs, 'cert.pem')), readFileSync(path.join(certs, 'ec-secp256k1-priv-key.pem')))
const xml = readFileSync(path.join(root, 'tests/bench/simplified-5-lines.xml'))
const options = { signingTime: '2025-07-22T15:51:28' }
const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 200_000)
const every = Math.max(1, Math.floor(n / 20))

const mb = (bytes) => (bytes / 1048576).toFixed(1).padStart(7)
const sample = (i) => {
  const m = process.memoryUsage()
  console.log(`${String(i).padStart(8)}  rss ${mb(m.rss)} MB  heapUsed ${mb(m.heapUsed)} MB  external ${mb(m.external)} MB  arrayBuffers ${mb(m.arrayBuffers)} MB`)
  return m
}
sample(0)
let peak = 0
let bytes = 0
const start = process.hrtime.bigint()
for (let i = 1; i <= n; i++) {
  const s = signer.stamp(xml, options)
  bytes += s.xml.length
  if (i % every === 0) peak = Math.max(peak, sample(i).rss)
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9
console.log(`${n} stamps in ${seconds.toFixed(1)} s (${((seconds / n) * 1e6).toFixed(1)} µs each), ${mb(bytes)} MB of XML; peak rss ${mb(peak)} MB`)
if (globalThis.gc) {
  globalThis.gc()
  await new Promise((resolve) => setTimeout(resolve, 100))
  globalThis.gc()
  sample('after gc')
}
