// Smoke test of the installed npm packages (`qayd` + `@qayd/linux-x64-gnu`), run by
// `bindings-node/test.sh --package` from a scratch project it created outside the repository:
//
//   node smoke.mjs <repository> <gateway binary>
//
// It must be copied into that project first, so `qayd` resolves to its node_modules. Checks that
// the addon loaded is the platform package's, stamps and verifies the shared 5-line invoice, and
// clears an engine document through the local gateway (`<gateway binary> gateway --port 0`).
// Prints "N passed, 0 failed" and exits non-zero on the first failure.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'

const [repo, gatewayBinary] = process.argv.slice(2)
if (!repo || !gatewayBinary) throw new Error('usage: node smoke.mjs <repository> <gateway binary>')
const require = createRequire(path.join(process.cwd(), 'package.json'))
let passed = 0
const check = async (name, body) => {
  try {
    await body()
  } catch (error) {
    console.error(`not ok ${passed + 1} - ${name}\n`, error)
    console.log(`${passed} passed, 1 failed`)
    process.exit(1)
  }
  passed += 1
  console.log(`ok ${passed} - ${name}`)
}

const qayd = require('qayd')

await check('qayd and its addon come from this project, not the repository', () => {
  const project = realpathSync(process.cwd())
  const entry = realpathSync(require.resolve('qayd'))
  assert.ok(entry.startsWith(path.join(project, 'node_modules', 'qayd') + path.sep), entry)
  const addons = process.report.getReport().sharedObjects.filter((f) => f.endsWith('.node'))
  assert.deepEqual(addons, [path.join(project, 'node_modules/@qayd/linux-x64-gnu/qayd.linux-x64-gnu.node')])
  assert.equal(qayd.version, require('qayd/package.json').version)
})

const certs = path.join(repo, 'tests/vectors/sdk-R3.4.8/Data/Certificates')
await check('stamp + verify the shared 5-line invoice', () => {
  const signer = new qayd.Signer(readFileSync(path.join(certs, 'cert.pem')), readFileSync(path.join(certs, 'ec-secp256k1-priv-key.pem')))
  const stamped = signer.stamp(readFileSync(path.join(repo, 'tests/bench/simplified-5-lines.xml')), { signingTime: '2025-07-22T15:51:28' })
  assert.ok(Buffer.isBuffer(stamped.xml))
  assert.equal(qayd.invoiceHash(stamped.xml), stamped.invoiceHash)
  const report = qayd.verify(stamped.xml)
  assert.equal(report.valid, true, JSON.stringify(report.failures))
  assert.equal(report.invoiceHash, stamped.invoiceHash)
  assert.ok(qayd.qrDecode(stamped.qr).length >= 8)
})

await check('errors are the package classes', () => {
  assert.throws(() => qayd.invoiceHash('<not-an-invoice'), qayd.InvalidInputError)
})

await check('engine: a standard invoice cleared through the local gateway', async () => {
  const gateway = spawn(gatewayBinary, ['gateway', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise((resolve) => gateway.once('exit', resolve))
  const dir = mkdtempSync(path.join(tmpdir(), 'qayd-node-smoke-'))
  try {
    const url = await Promise.race([
      new Promise((resolve) => createInterface({ input: gateway.stdout }).once('line', resolve)),
      new Promise((_, reject) => gateway.once('error', reject)),
      exited.then((code) => Promise.reject(new Error(`the gateway exited with ${code}`))),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the gateway printed no URL in 20 s')), 20_000).unref()),
    ])
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
    const identity = qayd.identityFromText(
      readFileSync(path.join(repo, 'tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties'), 'utf8'),
    )
    const credentials = await qayd.onboard(identity, '123456', url)
    const engine = qayd.Engine.open({ store: path.join(dir, 'qayd.db'), environment: url, masterKey: randomBytes(32).toString('base64') })
    try {
      engine.setCredentials('till-1', credentials)
      const issued = engine.issue('till-1', qayd.sampleInvoiceJson(identity, 'simplified', 'invoice'))
      assert.equal(issued.info.icv, 1)
      const cleared = await engine.clear('till-1', qayd.sampleInvoiceJson(identity, 'standard', 'invoice'))
      assert.equal(cleared.outcome, 'cleared')
      assert.equal(cleared.document.info.icv, 2)
      assert.equal(cleared.document.info.pih, issued.info.invoiceHash)
      assert.ok(Buffer.isBuffer(cleared.document.clearedXml))
      assert.equal(qayd.invoiceHash(cleared.document.clearedXml), cleared.document.info.invoiceHash)
      assert.equal(engine.verifyAudit().intact, true)
    } finally {
      await engine.close()
    }
  } finally {
    gateway.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
})

console.log(`${passed} passed, 0 failed`)
