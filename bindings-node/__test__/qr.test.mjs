import { test } from 'node:test'
import assert from 'node:assert/strict'
import { qayd, signer, stamped, standard, SIGNING_TIME } from './helpers.mjs'

test('decode the stamped QR', () => {
  const fields = qayd.qrDecode(stamped.qr)
  assert.deepEqual(fields.map((f) => f.tag), [1, 2, 3, 4, 5, 6, 7, 8, 9])
  const byTag = Object.fromEntries(fields.map((f) => [f.tag, f]))
  assert.equal(byTag[1].name, 'seller_name')
  assert.equal(byTag[2].value, '399999999900003')
  assert.equal(byTag[6].value, stamped.invoiceHash)
  assert.equal(byTag[7].value, stamped.signature)
  assert.ok(byTag[8].raw.equals(signer.certificate.publicKey))
  assert.equal(byTag[8].value, byTag[8].raw.toString('base64'))
  assert.equal(byTag[1].raw.toString('utf8'), byTag[1].value)
})

test('a standard invoice QR has no tag 9', () => {
  const fields = qayd.qrDecode(signer.stamp(standard, { signingTime: SIGNING_TIME }).qr)
  assert.deepEqual(fields.map((f) => f.tag), [1, 2, 3, 4, 5, 6, 7, 8])
})

test('svg, png with scale, text', () => {
  assert.ok(qayd.qrSvg('hello').includes('<svg'))
  const png = qayd.qrPng('hello')
  assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
  assert.equal(png.readUInt32BE(16), 4 * qayd.qrPng('hello', 2).readUInt32BE(16))
  assert.ok(qayd.qrText('hello').trim().length > 0)
})

test('bad payloads throw InvalidQrError', () => {
  for (const bad of ['***', 'AQVhYg==', Buffer.from([1]).toString('base64')]) {
    assert.throws(() => qayd.qrDecode(bad), (e) => e instanceof qayd.InvalidQrError && e.code === 'INVALID_QR')
  }
})

test('wrong types throw TypeError', () => {
  assert.throws(() => qayd.qrDecode(Buffer.from('AQVhYg==')), TypeError)
  assert.throws(() => qayd.qrPng(null), TypeError)
  assert.throws(() => qayd.qrPng('hello', -1), TypeError)
  assert.throws(() => qayd.qrSvg(5), TypeError)
})
