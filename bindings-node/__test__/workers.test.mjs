// The addon loads in worker_threads, so Node code can stamp on several cores at once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { stamped, simplified, SIGNING_TIME } from './helpers.mjs'

const indexPath = fileURLToPath(new URL('../index.js', import.meta.url))
const SDK = fileURLToPath(new URL('../../tests/vectors/sdk-R3.4.8/Data/Certificates/', import.meta.url))

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads')
const { readFileSync } = require('node:fs')
const qayd = require(workerData.indexPath)
const signer = new qayd.Signer(readFileSync(workerData.sdk + 'cert.pem'), readFileSync(workerData.sdk + 'ec-secp256k1-priv-key.pem'))
const result = signer.stamp(Buffer.from(workerData.xml), { signingTime: workerData.signingTime })
let error
try { qayd.invoiceHash('<x') } catch (e) { error = e.constructor.name + ' ' + e.code }
parentPort.postMessage({ xml: result.xml, valid: qayd.verify(result.xml).valid, error })
`

test('two workers stamp in parallel and get the same bytes', async () => {
  const run = () =>
    new Promise((resolve, reject) => {
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: { indexPath, sdk: SDK, xml: simplified, signingTime: SIGNING_TIME },
      })
      worker.once('message', resolve)
      worker.once('error', reject)
    })
  const results = await Promise.all([run(), run()])
  for (const result of results) {
    assert.ok(Buffer.from(result.xml).equals(stamped.xml))
    assert.equal(result.valid, true)
    assert.equal(result.error, 'InvalidXmlError INVALID_XML')
  }
})
