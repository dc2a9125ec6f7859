// End to end against the local gateway (`qayd gateway --port 0`, a child process on 127.0.0.1):
// onboarding, the engine (issue, outage and retry, clear, worker), the API client, secrets.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { inspect } from 'node:util'
import { fileURLToPath } from 'node:url'
import { declaredFields, qayd } from './helpers.mjs'
import { identity, startGateway } from './gateway.mjs'

const masterKey = () => randomBytes(32).toString('base64')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const dir = mkdtempSync(path.join(tmpdir(), 'qayd-node-flow-'))
let gateway
let credentials
const steps = []

before(async () => {
  gateway = await startGateway()
  credentials = await qayd.onboard(identity(), '123456', gateway.url, { timeoutMs: 10_000 }, (p) => steps.push(p))
})

after(async () => {
  await gateway?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The gateway checks each unit's chain (ICV, PIH; keyed by VAT number and EGS serial): a test
 * that submits onboards a unit of its own. */
const freshCredentials = () =>
  qayd.onboard({ ...identity(), serialNumber: `1-TST|2-TST|3-${randomUUID()}` }, '123456', gateway.url)

const engineOptions = (store, extra = {}) => ({
  store,
  environment: gateway.url,
  masterKey: masterKey(),
  retryBaseMs: 10,
  retryCapMs: 20,
  clearWaitMs: 5_000,
  ...extra,
})

test('onboarding reports every step and yields credentials that show no secret', () => {
  assert.equal(steps[0].step, 'generate key')
  assert.equal(steps.at(-1).step, 'production CSID')
  assert.deepEqual(steps.map((s) => s.index), steps.map((_, i) => i + 1))
  assert.ok(steps.every((s) => s.total === steps.length))

  assert.ok(credentials instanceof qayd.EgsCredentials)
  assert.equal(credentials.environment, `custom(${gateway.url})`)
  assert.equal(credentials.identity.organizationIdentifier, '399999999900003')
  assert.ok(credentials.certificateExpiry > new Date())
  assert.equal(credentials.certificateExpiry.getTime(), credentials.certificateExpiryUnix * 1000)
  assert.ok(Math.abs(credentials.issuedAt - Date.now()) < 120_000)
  assert.equal(typeof credentials.productionRequestId, 'string')

  const secretJson = JSON.parse(credentials.toSecretJson())
  const secrets = [secretJson.private_key, secretJson.production.secret, secretJson.compliance.secret, secretJson.production.binary_security_token]
  assert.match(secretJson.private_key, /PRIVATE KEY/)
  for (const shown of [String(credentials), inspect(credentials), JSON.stringify(credentials), JSON.stringify({ credentials }), `${credentials}`]) {
    for (const secret of secrets) assert.ok(!shown.includes(secret), `a secret in ${shown}`)
    assert.match(shown, /399999999900003/)
  }
  const again = qayd.EgsCredentials.fromJson(credentials.toSecretJson())
  assert.equal(again.toSecretJson(), credentials.toSecretJson())
})

test('engine: issue, report through an outage, clear, counts, events, audit', async () => {
  const credentials = await freshCredentials()
  const engine = qayd.Engine.open(engineOptions(path.join(dir, 'flow.db')))
  engine.setCredentials('till-1', credentials)
  const id = credentials.identity

  const issued = engine.issue('till-1', JSON.parse(qayd.sampleInvoiceJson(id, 'simplified', 'invoice')))
  assert.equal(issued.info.icv, 1)
  assert.equal(issued.info.pih, qayd.GENESIS_PIH)
  assert.equal(issued.info.status, 'pending')
  assert.equal(issued.info.egsId, 'till-1')
  assert.ok(Buffer.isBuffer(issued.xml))
  assert.equal(issued.clearedXml, null)
  // What arrives is what index.d.ts declares, field for field.
  assert.deepEqual(Object.keys(issued).sort(), declaredFields('Document'))
  assert.deepEqual(Object.keys(issued.info).sort(), declaredFields('DocumentInfo'))
  assert.equal(qayd.verify(issued.xml).valid, true)
  assert.equal(qayd.invoiceHash(issued.xml), issued.info.invoiceHash)

  await gateway.inject({ status: 503 })
  const first = await engine.drain()
  assert.equal(first.sent, 1)
  assert.equal(first.retryScheduled, 1)
  assert.equal(engine.document('till-1', 1).info.status, 'retry_scheduled')
  const started = Date.now()
  let second
  for (;;) {
    second = await engine.drain()
    if (second.sent > 0) break
    assert.ok(Date.now() - started < 5_000, 'the retry never came due')
    await sleep(50)
  }
  assert.equal(second.reported, 1)
  assert.deepEqual(second.errors, [])

  const cleared = await engine.clear('till-1', qayd.sampleInvoiceJson(id, 'standard', 'invoice'))
  assert.equal(cleared.outcome, 'cleared')
  assert.equal(cleared.document.info.icv, 2)
  assert.equal(cleared.document.info.pih, issued.info.invoiceHash)
  assert.ok(Buffer.isBuffer(cleared.document.clearedXml))
  assert.equal(qayd.invoiceHash(cleared.document.clearedXml), cleared.document.info.invoiceHash)

  assert.deepEqual(engine.statusCounts(), { reported: 1, cleared: 1 })
  const [unit] = engine.egsUnits()
  assert.equal(unit.nextIcv, 3)
  assert.equal(unit.hasCredentials, true)
  assert.deepEqual(unit.certificateExpiry, credentials.certificateExpiry)
  assert.equal(unit.lastHash, cleared.document.info.invoiceHash)
  assert.deepEqual(engine.documents('till-1').map((d) => d.status), ['reported', 'cleared'])
  assert.deepEqual(engine.documentsByStatus('cleared', 10).map((d) => d.icv), [2])
  assert.ok(engine.documentByUuid(issued.info.uuid).xml.equals(issued.xml))

  // A retried outage is no event (events are for people); each final outcome is one.
  assert.deepEqual(
    engine.events().map((e) => [e.kind, e.icv]),
    [
      [qayd.EventKind.DOCUMENT_REPORTED, 1],
      [qayd.EventKind.DOCUMENT_CLEARED, 2],
    ],
  )
  // Times are Dates in every record.
  assert.ok(engine.events().every((e) => e.at instanceof Date))
  assert.ok(engine.documents('till-1').every((d) => d.issuedAt instanceof Date && d.finishedAt instanceof Date))
  assert.ok(Math.abs(issued.info.issuedAt - Date.now()) < 120_000)
  // What monitoring scrapes (the CLI's /metrics text).
  assert.match(engine.metrics(), /^qayd_documents\{status="cleared"\} 1$/m)
  // The QR to print: the cleared document's comes from ZATCA's cleared XML.
  const tags = Object.fromEntries(qayd.qrDecode(engine.documentQr('till-1', 2)).map((f) => [f.tag, f.value]))
  assert.equal(tags[6], cleared.document.info.invoiceHash)
  assert.equal(engine.documentQr('till-1', 99), null)
  const audit = engine.verifyAudit()
  assert.equal(audit.intact, true)
  assert.equal(audit.rows, 6, '503, report, clearance: each sent, then answered')
  const lines = engine.exportAudit()
  assert.equal(lines.trim().split('\n').length, 6)
  assert.ok(!lines.includes(JSON.parse(credentials.toSecretJson()).production.secret))

  await assert.rejects(engine.clear('till-1', qayd.sampleInvoiceJson(id, 'simplified', 'invoice')), qayd.InvalidInputError)
  await engine.close()

  // A second store for the same unit starts its chain again. As on the platform, the broken chain
  // does not reject the document: it is accepted with warnings (KSA-13 "PIH is inValid", and the
  // gateway's own `invalid-icv`), and the event says so.
  const stray = qayd.Engine.open(engineOptions(':memory:'))
  stray.setCredentials('till-1', credentials)
  stray.issue('till-1', qayd.sampleInvoiceJson(id, 'simplified', 'invoice'))
  const pass = await stray.drain()
  assert.equal(pass.acceptedWithWarnings, 1)
  const warned = stray.document('till-1', 1).info
  assert.equal(warned.status, qayd.DocumentStatus.ACCEPTED_WITH_WARNINGS)
  assert.equal(warned.messages.status, 'WARNING')
  assert.deepEqual(warned.messages.warningMessages.map((m) => m.code).sort(), ['KSA-13', 'invalid-icv'])
  const events = stray.events()
  assert.equal(events.length, 1)
  assert.equal(events[0].kind, qayd.EventKind.DOCUMENT_ACCEPTED_WITH_WARNINGS)
  assert.equal(events[0].egsId, 'till-1')
  assert.equal(events[0].icv, 1)
  assert.equal(events[0].data.uuid, warned.uuid)
  assert.deepEqual(stray.events(events[0].seq), [])
  assert.deepEqual(stray.documentsByStatus('accepted_with_warnings').map((d) => d.uuid), [warned.uuid])
  await stray.close()
})

test('the background worker reports, stops gracefully and does not keep the process alive', async () => {
  const credentials = await freshCredentials()
  const engine = qayd.Engine.open(engineOptions(path.join(dir, 'worker.db')))
  engine.setCredentials('till-1', credentials)
  engine.start()
  engine.start()
  assert.equal(engine.isRunning, true)
  const issued = engine.issue('till-1', qayd.sampleInvoiceJson(credentials.identity, 'simplified', 'credit_note'))
  const deadline = Date.now() + 10_000
  while (engine.document('till-1', issued.info.icv).info.status !== 'reported') {
    assert.ok(Date.now() < deadline, `not reported: ${engine.document('till-1', issued.info.icv).info.status}`)
    await sleep(20)
  }
  await engine.stop()
  assert.equal(engine.isRunning, false)
  await engine.stop()

  // A process that starts a worker ends on its own, stopped or not.
  const index = fileURLToPath(new URL('../index.js', import.meta.url))
  for (const stop of [true, false]) {
    const script = `
      const qayd = require(${JSON.stringify(index)})
      const engine = qayd.Engine.open(${JSON.stringify(engineOptions(':memory:'))})
      engine.setCredentials('till-1', qayd.EgsCredentials.fromJson(process.env.CREDENTIALS))
      engine.start()
      engine.issue('till-1', qayd.sampleInvoiceJson(${JSON.stringify(credentials.identity)}))
      if (${stop}) engine.stop().then(() => console.log('stopped', engine.isRunning))
      else console.log('left running', engine.isRunning)`
    const t0 = Date.now()
    const child = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, CREDENTIALS: credentials.toSecretJson() }, encoding: 'utf8', timeout: 15_000 })
    assert.equal(child.status, 0, child.stderr)
    assert.equal(child.stdout.trim(), stop ? 'stopped false' : 'left running true')
    assert.ok(Date.now() - t0 < 10_000, `the process took ${Date.now() - t0} ms to end`)
  }
})

test('master key: a wrong key is a SecretError, no key cannot store credentials', async () => {
  const store = path.join(dir, 'keys.db')
  const right = qayd.Engine.open(engineOptions(store))
  right.setCredentials('till-1', credentials)
  await right.close()
  const wrong = qayd.Engine.open(engineOptions(store))
  const invoice = qayd.sampleInvoiceJson(credentials.identity, 'simplified', 'invoice')
  assert.throws(() => wrong.issue('till-1', invoice), (e) => e.constructor === qayd.SecretError && e.code === 'SECRET')
  await wrong.close()

  const saved = process.env.QAYD_MASTER_KEY
  delete process.env.QAYD_MASTER_KEY
  try {
    const none = qayd.Engine.open({ store: ':memory:', environment: gateway.url })
    assert.throws(() => none.setCredentials('till-1', credentials), qayd.SecretError)
    await none.close()
    process.env.QAYD_MASTER_KEY = masterKey()
    const fromEnv = qayd.Engine.open({ store: ':memory:', environment: gateway.url })
    fromEnv.setCredentials('till-1', credentials)
    assert.equal(fromEnv.issue('till-1', invoice).info.icv, 1)
    await fromEnv.close()
  } finally {
    if (saved === undefined) delete process.env.QAYD_MASTER_KEY
    else process.env.QAYD_MASTER_KEY = saved
  }
})

test('the worker health reports a wrong master key while the worker keeps running', async () => {
  const store = path.join(dir, 'health.db')
  const right = qayd.Engine.open(engineOptions(store))
  right.setCredentials('till-1', credentials)
  await right.close()
  const key = qayd.generateMasterKey()
  assert.notEqual(key, qayd.generateMasterKey())
  const wrong = qayd.Engine.open(engineOptions(store, { masterKey: key, pollIntervalMs: 20 }))
  assert.equal(wrong.workerHealth().passes, 0)
  wrong.start()
  const deadline = Date.now() + 10_000
  while (wrong.workerHealth().consecutiveFailures < 2) {
    assert.ok(Date.now() < deadline, JSON.stringify(wrong.workerHealth()))
    await sleep(20)
  }
  assert.equal(wrong.isRunning, true, 'a failed pass does not stop the worker')
  const error = wrong.workerHealth().lastError
  assert.deepEqual([error.code, error.egsId], ['SECRET', 'till-1'])
  assert.ok(!error.message.includes(JSON.parse(credentials.toSecretJson()).production.secret))
  await wrong.close()
})

test('issued documents carry their validation warnings; the policy is an option', async () => {
  const invoice = JSON.parse(qayd.sampleInvoiceJson(credentials.identity, 'simplified', 'invoice'))
  // Issued three days ago: reporting it now breaks BR-KSA-98 (a warning, not an error).
  invoice.issue_date = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10)
  const engine = qayd.Engine.open(engineOptions(':memory:'))
  engine.setCredentials('till-1', credentials)
  const issued = engine.issue('till-1', JSON.stringify(invoice))
  assert.deepEqual(issued.findings.map((f) => [f.rule, f.severity]), [['BR-KSA-98', 'warning']])
  assert.deepEqual(engine.document('till-1', issued.info.icv).findings, [])
  await engine.close()
  const strict = qayd.Engine.open(engineOptions(':memory:', { validation: 'refuse_on_warnings' }))
  strict.setCredentials('till-1', credentials)
  assert.throws(() => strict.issue('till-1', JSON.stringify(invoice)), (e) => e instanceof qayd.InvalidModelError && e.rule === 'BR-KSA-98')
  assert.deepEqual(strict.documents('till-1'), [])
  await strict.close()
  assert.throws(() => qayd.Engine.open(engineOptions(':memory:', { validation: 'sometimes' })), qayd.InvalidInputError)
})

test('ApiClient classifies answers: 429 with Retry-After, accepted, duplicate, 401, rejected OTP', async () => {
  const credentials = await freshCredentials()
  const client = new qayd.ApiClient(gateway.url, { timeoutMs: 5_000 })
  const secret = JSON.parse(credentials.toSecretJson())
  const { binary_security_token: token, secret: csidSecret } = secret.production
  const signer = new qayd.Signer(Buffer.from(token, 'base64'), secret.private_key)
  const stamped = signer.stamp(qayd.generate(qayd.sampleInvoiceJson(credentials.identity, 'simplified', 'invoice')))

  await gateway.inject({ status: 429, retry_after: 7 })
  const limited = await client.reporting(token, csidSecret, stamped.xml)
  assert.equal(limited.outcome, 'retryable')
  assert.equal(limited.httpStatus, 429)
  assert.equal(limited.retryAfterMs, 7_000)
  assert.equal(typeof limited.reason, 'string')

  const reported = await client.reporting(token, csidSecret, stamped.xml)
  assert.deepEqual(Object.keys(reported).sort(), declaredFields('ApiAnswer'))
  assert.equal(reported.outcome, 'accepted')
  assert.equal(reported.httpStatus, 200)
  assert.equal(reported.response.reportingStatus, 'REPORTED')
  assert.equal(reported.clearedXml, null)
  assert.ok(Array.isArray(reported.messages))
  const again = await client.reporting(token, csidSecret, new Uint8Array(stamped.xml))
  assert.equal(again.outcome, 'duplicate')

  const refused = await client.reporting(token, 'wrong secret', stamped.xml)
  assert.equal(refused.outcome, 'unauthorized')
  assert.equal(refused.httpStatus, 401)

  const wrongOtp = await client.complianceCsid('bm90IGEgQ1NS', '000000').then(assert.fail, (e) => e)
  assert.equal(wrongOtp.constructor, qayd.ApiRejectedError)
  assert.equal(wrongOtp.code, 'API_REJECTED')
  assert.equal(wrongOtp.status, 400)
  assert.match(wrongOtp.message, /Invalid-OTP/)

  const csr = qayd.buildCsr(credentials.identity, qayd.generatePrivateKeyPem(), gateway.url)
  const issued = await client.complianceCsid(csr.base64, '123456')
  assert.equal(issued.outcome, 'accepted')
  assert.equal(typeof issued.response.binarySecurityToken, 'string')

  // The next document of the unit's chain: ICV 2, PIH = the reported document's hash.
  const model = { ...JSON.parse(qayd.sampleInvoiceJson(credentials.identity, 'standard', 'invoice')), icv: 2, pih: stamped.invoiceHash }
  const standard = signer.stamp(qayd.generate(model))
  const cleared = await client.clearance(token, csidSecret, standard.xml)
  assert.equal(cleared.outcome, 'accepted')
  assert.ok(Buffer.isBuffer(cleared.clearedXml))
  assert.equal(qayd.verify(cleared.clearedXml).valid, true)

  await assert.rejects(client.reporting(token, csidSecret, 'not xml'), qayd.InvalidXmlError)
  await assert.rejects(client.reporting(token, 42, stamped.xml), TypeError)
  assert.throws(() => new qayd.ApiClient('ftp://x'), qayd.InvalidInputError)
  assert.throws(() => new qayd.ApiClient(gateway.url, { retries: 3 }), qayd.InvalidInputError)
})

test('engine.renewEgs renews a stored unit with only an OTP and the chain continues', async () => {
  const credentials = await freshCredentials()
  const engine = qayd.Engine.open(engineOptions(path.join(dir, 'renew.db')))
  engine.setCredentials('till-1', credentials)
  const id = credentials.identity
  await assert.rejects(engine.renewEgs('till-1', '000000'), qayd.ApiRejectedError)
  assert.deepEqual(engine.egsUnits()[0].certificateExpiry, credentials.certificateExpiry, 'untouched')
  const first = engine.issue('till-1', qayd.sampleInvoiceJson(id, 'simplified', 'invoice'))

  const outcome = await engine.renewEgs('till-1', '123456')
  assert.equal(outcome.egsId, 'till-1')
  assert.equal(outcome.sentBeforeRenewal, 1, 'the queued document went out under the old CSID')
  assert.deepEqual(outcome.previousNotAfter, credentials.certificateExpiry)
  assert.deepEqual(engine.egsUnits()[0].certificateExpiry, outcome.notAfter)
  assert.ok(outcome.notAfter instanceof Date && outcome.notAfter > new Date())
  const renewed = engine.events().filter((e) => e.kind === 'certificate_renewed')
  assert.equal(renewed.length, 1)
  assert.equal(renewed[0].data.certificate_serial, outcome.certificateSerial)

  const next = engine.issue('till-1', qayd.sampleInvoiceJson(id, 'simplified', 'invoice'))
  assert.equal(next.info.icv, 2)
  assert.equal(next.info.pih, first.info.invoiceHash)
  assert.ok(next.xml.toString().includes(`<ds:X509SerialNumber>${outcome.certificateSerial}<`))
  assert.equal((await engine.drain()).reported, 1)
  assert.deepEqual(engine.statusCounts(), { reported: 2 })
  await assert.rejects(engine.renewEgs('till-1', 123456), TypeError)
  await engine.close()
})

test('renew: new key and production CSID for the same identity and environment', async () => {
  const seen = []
  const renewed = await credentials.renew('123456', undefined, (p) => seen.push(p.step))
  assert.ok(renewed instanceof qayd.EgsCredentials)
  assert.ok(seen.length > 0)
  const before = JSON.parse(credentials.toSecretJson())
  const now = JSON.parse(renewed.toSecretJson())
  assert.notEqual(now.private_key, before.private_key)
  assert.equal(renewed.environment, credentials.environment)
  assert.notEqual(now.production.binary_security_token, before.production.binary_security_token)
  assert.deepEqual(renewed.identity, credentials.identity)
  await assert.rejects(qayd.renew(credentials, '000000'), qayd.ApiRejectedError)
})
