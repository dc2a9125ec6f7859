// Validation through Node: rule ids, severities, bilingual messages and fixes.
import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const qayd = require('../index.js')
const sample = new URL('../../tests/vectors/sdk-R3.4.8/Data/Samples/Standard/Invoice/Standard_Invoice.xml', import.meta.url)

test('an SDK sample has no errors', () => {
  const report = qayd.validate(readFileSync(sample))
  assert.equal(report.valid, true)
  assert.deepEqual(report.errors, [])
})

test('an error names its rule in both languages', () => {
  const xml = readFileSync(sample, 'utf8').replace('<cbc:CompanyID>399999999900003</cbc:CompanyID>', '<cbc:CompanyID>39999999990003</cbc:CompanyID>')
  const report = qayd.validate(xml)
  assert.equal(report.valid, false)
  const finding = report.errors.find((f) => f.rule === 'BR-KSA-40')
  assert.ok(finding.messageEn && finding.messageAr && finding.path.startsWith('/Invoice'))
})

test('bad input throws the right errors', () => {
  assert.throws(() => qayd.validate('<Invoice'), (e) => e instanceof qayd.InvalidXmlError && e.code === 'INVALID_XML')
  assert.throws(() => qayd.validate(42), TypeError)
})
