import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import path from 'node:path'
import { qayd, SAMPLES, declaredHash, simplified } from './helpers.mjs'
import { readFileSync } from 'node:fs'

test('all 19 SDK samples are present', () => {
  assert.equal(SAMPLES.length, 19)
})

for (const file of SAMPLES) {
  test(`hash of ${path.basename(file)} equals its ds:DigestValue`, () => {
    const xml = readFileSync(file)
    assert.equal(qayd.invoiceHash(xml), declaredHash(xml))
  })
}

test('Buffer, Uint8Array and string give the same hash', () => {
  const expected = qayd.invoiceHash(simplified)
  assert.equal(qayd.invoiceHash(simplified.toString('utf8')), expected)
  assert.equal(qayd.invoiceHash(new Uint8Array(simplified)), expected)
})

test('GENESIS_PIH and version', () => {
  const genesis = Buffer.from(createHash('sha256').update('0').digest('hex')).toString('base64')
  assert.equal(qayd.GENESIS_PIH, genesis)
  assert.match(qayd.version, /^\d+\.\d+\.\d+/)
})

test('wrong types throw TypeError', () => {
  for (const bad of [undefined, null, 42, ['<Invoice/>'], {}, new ArrayBuffer(4)]) {
    assert.throws(() => qayd.invoiceHash(bad), (e) => e instanceof TypeError && /xml must be/.test(e.message))
  }
})
