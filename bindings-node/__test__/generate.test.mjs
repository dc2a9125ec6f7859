import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { qayd, REPO, signer, SIGNING_TIME } from './helpers.mjs'

const DIR = path.join(REPO, 'core/tests/fixtures/models')
const MODELS = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()

test('the example models are there', () => {
  assert.ok(MODELS.length >= 3)
})

for (const name of MODELS) {
  const file = path.join(DIR, name)
  test(`${name}: generated document stamps and verifies`, () => {
    const xml = qayd.generate(readFileSync(file))
    assert.ok(Buffer.isBuffer(xml) && xml.toString('utf8').startsWith('<?xml'))
    const stamped = signer.stamp(xml, { signingTime: SIGNING_TIME })
    assert.equal(stamped.invoiceHash, qayd.invoiceHash(xml))
    const report = qayd.verify(stamped.xml)
    assert.ok(report.valid, JSON.stringify(report.failures))
  })
  test(`${name}: Buffer, string and object give the same document`, () => {
    const xml = qayd.generate(readFileSync(file))
    assert.ok(qayd.generate(readFileSync(file, 'utf8')).equals(xml))
    assert.ok(qayd.generate(JSON.parse(readFileSync(file, 'utf8'))).equals(xml))
  })
}

const model = () => JSON.parse(readFileSync(path.join(DIR, MODELS[0]), 'utf8'))

test('a broken rule throws InvalidModelError with the rule', () => {
  const m = model()
  m.seller.vat_number = '12345'
  assert.throws(
    () => qayd.generate(m),
    (e) =>
      e.constructor === qayd.InvalidModelError &&
      e.code === 'INVALID_MODEL' &&
      e.rule === 'BR-KSA-40' &&
      e.message.startsWith('[BR-KSA-40]'),
  )
})

test('malformed JSON is InvalidInputError', () => {
  for (const bad of ['{', Buffer.from([0xff, 0xfe]), { ...model(), no_such_field: 1 }]) {
    assert.throws(() => qayd.generate(bad), (e) => e.constructor === qayd.InvalidInputError && e.code === 'INVALID_INPUT')
  }
})

test('wrong types throw TypeError', () => {
  for (const bad of [undefined, null, 5, ['{}']]) assert.throws(() => qayd.generate(bad), TypeError)
})
