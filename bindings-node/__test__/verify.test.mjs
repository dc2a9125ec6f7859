import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { readFileSync } from 'node:fs'
import { qayd, SAMPLES, stamped, conformanceFile } from './helpers.mjs'

for (const file of SAMPLES) {
  test(`${path.basename(file)} verifies`, () => {
    const report = qayd.verify(readFileSync(file))
    assert.ok(report.valid, JSON.stringify(report.failures))
    assert.deepEqual(report.failures, [])
  })
}

test('report shape', () => {
  const report = qayd.verify(stamped.xml)
  const names = report.checks.map((c) => c.name)
  for (const name of ['invoice_hash', 'signed_properties_digest', 'certificate_digest', 'issuer_serial', 'signature', 'qr', 'icv', 'pih']) {
    assert.ok(names.includes(name), name)
  }
  const [check] = report.checks
  assert.equal(typeof check.name, 'string')
  assert.equal(typeof check.passed, 'boolean')
  assert.equal(typeof check.message, 'string')
})

test('a tampered amount is detected', () => {
  const tampered = Buffer.from(
    stamped.xml.toString('utf8').replace('<cbc:PayableAmount currencyID="SAR">231.15<', '<cbc:PayableAmount currencyID="SAR">131.15<'),
  )
  assert.ok(!tampered.equals(stamped.xml))
  const report = qayd.verify(tampered)
  assert.equal(report.valid, false)
  const failed = report.failures.map((c) => c.name)
  assert.ok(failed.includes('invoice_hash') && failed.includes('qr'), failed.join())
  assert.notEqual(report.invoiceHash, stamped.invoiceHash)
})

test('a tampered signature is detected', () => {
  const sig = stamped.signature
  const forged = sig.slice(0, 20) + (sig[20] === 'A' ? 'B' : 'A') + sig.slice(21)
  const report = qayd.verify(stamped.xml.toString('utf8').replace(sig, forged))
  assert.equal(report.valid, false)
  assert.ok(report.failures.some((c) => c.name === 'signature'))
})

test('an unsigned document reports the missing stamp', () => {
  const report = qayd.verify(conformanceFile('inputs/simplified-invoice.unsigned.xml'))
  assert.equal(report.valid, false)
  assert.deepEqual(report.failures.map((c) => c.name).sort(), ['qr', 'stamp'])
})

test('wrong type throws TypeError', () => {
  assert.throws(() => qayd.verify(123), TypeError)
})
