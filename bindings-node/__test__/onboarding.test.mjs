// Keys, identities, CSRs, sample invoices and credentials: no network.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { qayd, CONFORMANCE, SDK } from './helpers.mjs'
import { identity, identityText } from './gateway.mjs'

const sdkKey = readFileSync(path.join(SDK, 'Certificates/ec-secp256k1-priv-key.pem'))
const csrCase = (name) => JSON.parse(readFileSync(path.join(CONFORMANCE, 'cases', `${name}.json`), 'utf8'))

test('generatePrivateKeyPem: a fresh secp256k1 key each time, usable for a CSR', () => {
  const a = qayd.generatePrivateKeyPem()
  const b = qayd.generatePrivateKeyPem()
  assert.match(a, /^-----BEGIN EC PRIVATE KEY-----\n/)
  assert.notEqual(a, b)
  assert.match(qayd.buildCsr(identity(), a, 'core').pem, /^-----BEGIN CERTIFICATE REQUEST-----\n/)
})

test('identityFromText reads the properties file and the JSON form alike', () => {
  const id = identity()
  assert.equal(id.commonName, 'TST-886431145-399999999900003')
  assert.equal(id.organizationIdentifier, '399999999900003')
  assert.deepEqual(Object.keys(id).sort(), [
    'commonName', 'countryName', 'industryBusinessCategory', 'invoiceType', 'locationAddress',
    'organizationIdentifier', 'organizationName', 'organizationUnitName', 'serialNumber',
  ])
  const snake = Object.fromEntries(Object.entries(id).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]))
  assert.deepEqual(qayd.identityFromText(JSON.stringify(snake)), id)
  assert.throws(() => qayd.identityFromText('{"common_name": 1}'), qayd.InvalidInputError)
  assert.throws(() => qayd.identityFromText('csr.common.name=x'), qayd.InvalidInputError)
  assert.throws(() => qayd.identityFromText(42), { code: 'ERR_INVALID_ARG_TYPE' })
})

test('buildCsr gives the conformance bytes, from an object, snake_case keys or the text', () => {
  const expected = csrCase('csr-en-core').expected
  const id = identity()
  assert.deepEqual(qayd.buildCsr(id, sdkKey, 'core'), expected)
  assert.deepEqual(qayd.buildCsr(identityText, sdkKey.toString('utf8'), 'core'), expected)
  const snake = Object.fromEntries(Object.entries(id).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]))
  assert.deepEqual(qayd.buildCsr(snake, sdkKey, 'core'), expected)
  assert.equal(Buffer.from(expected.base64, 'base64').toString('utf8'), expected.pem)
  assert.deepEqual(qayd.buildCsr(id, sdkKey, 'simulation'), csrCase('csr-en-simulation').expected)
})

test('buildCsr: bad input is a typed error', () => {
  const id = identity()
  assert.throws(() => qayd.buildCsr(id, 'not a key', 'core'), qayd.InvalidKeyError)
  assert.throws(() => qayd.buildCsr(id, sdkKey, 'mars'), (e) => e instanceof qayd.InvalidInputError && /mars/.test(e.message))
  assert.throws(() => qayd.buildCsr({ ...id, organizationIdentifier: '12345' }, sdkKey, 'core'), qayd.InvalidInputError)
  const { commonName, ...missing } = id
  assert.throws(() => qayd.buildCsr(missing, sdkKey, 'core'), (e) => e instanceof TypeError && /commonName/.test(e.message))
  assert.throws(() => qayd.buildCsr({ ...id, invoiceType: 1100 }, sdkKey, 'core'), TypeError)
  assert.throws(() => qayd.buildCsr(null, sdkKey, 'core'), TypeError)
  assert.throws(() => qayd.buildCsr(id, 42, 'core'), TypeError)
  assert.throws(() => qayd.buildCsr(id, sdkKey, undefined), TypeError)
})

test('sampleInvoiceJson: a valid model of the identity for each kind and type', () => {
  const id = identity()
  for (const kind of ['simplified', 'standard']) {
    for (const type of ['invoice', 'credit_note', 'debit_note']) {
      const json = qayd.sampleInvoiceJson(id, kind, type)
      const model = JSON.parse(json)
      assert.equal(model.kind, kind)
      assert.equal(model.document_type, type)
      assert.equal(model.seller.vat_number, id.organizationIdentifier)
      const xml = qayd.generate(json)
      assert.equal(qayd.validate(xml).errors.length, 0, `${kind} ${type}`)
    }
  }
  assert.equal(JSON.parse(qayd.sampleInvoiceJson(id)).kind, 'simplified')
  assert.throws(() => qayd.sampleInvoiceJson(id, 'weird', 'invoice'), qayd.InvalidInputError)
  assert.throws(() => qayd.sampleInvoiceJson(id, 'standard', 'receipt'), qayd.InvalidInputError)
  assert.throws(() => qayd.sampleInvoiceJson(id, 1, 'invoice'), TypeError)
})

test('EgsCredentials: only onboard and fromJson make them; bad JSON is an InvalidInputError', () => {
  assert.throws(() => new qayd.EgsCredentials(), TypeError)
  assert.throws(() => qayd.EgsCredentials.fromJson('{'), qayd.InvalidInputError)
  assert.throws(() => qayd.EgsCredentials.fromJson('{"environment": "core"}'), qayd.InvalidInputError)
  assert.throws(() => qayd.EgsCredentials.fromJson(Buffer.from([0xff, 0xfe])), qayd.InvalidInputError)
  assert.throws(() => qayd.EgsCredentials.fromJson(7), TypeError)
})

test('onboard and renew reject (never throw) with typed errors', async () => {
  const id = identity()
  const pending = qayd.onboard(id, '123456', 'mars')
  assert.ok(pending instanceof Promise)
  await assert.rejects(pending, (e) => e instanceof qayd.InvalidInputError && e.code === 'INVALID_INPUT' && /mars/.test(e.message))
  await assert.rejects(qayd.onboard(id, 123456, 'core'), TypeError)
  await assert.rejects(qayd.onboard(null, '123456', 'core'), TypeError)
  await assert.rejects(qayd.onboard(id, '123456', 'core', { timeoutMs: 'soon' }), qayd.InvalidInputError)
  await assert.rejects(qayd.onboard(id, '123456', 'core', { colour: 'red' }), (e) => e instanceof qayd.InvalidInputError && /colour/.test(e.message))
  await assert.rejects(qayd.onboard(id, '123456', 'core', {}, 'not a function'), TypeError)
  await assert.rejects(qayd.renew('{', '123456'), qayd.InvalidInputError)
})

test('onboard: an unreachable platform is a NetworkError (retryable), with the progress seen so far', async () => {
  const steps = []
  const error = await qayd
    .onboard(identity(), '123456', 'http://127.0.0.1:9', { timeoutMs: 2000, connectTimeoutMs: 1000 }, (p) => steps.push(p))
    .then(() => assert.fail('onboarded without a platform'), (e) => e)
  assert.equal(error.constructor, qayd.NetworkError)
  assert.equal(error.code, 'NETWORK')
  assert.equal(error.status, null)
  assert.ok(error instanceof qayd.ApiError)
  assert.deepEqual(steps.map((s) => s.step).slice(0, 2), ['generate key', 'build CSR'])
  assert.equal(steps[0].index, 1)
  assert.ok(steps[0].total >= 4)
})
