import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { readFileSync } from 'node:fs'
import {
  qayd, REPO, SAMPLES, SIGNING_TIME, declaredHash, signer, simplified, stamped, certBytes, keyBytes, conformanceFile,
} from './helpers.mjs'

for (const file of SAMPLES) {
  test(`re-stamped ${path.basename(file)} verifies and keeps its hash`, () => {
    const xml = readFileSync(file)
    const result = signer.stamp(xml, { signingTime: SIGNING_TIME })
    assert.equal(result.invoiceHash, declaredHash(xml))
    const report = qayd.verify(result.xml)
    assert.ok(report.valid, JSON.stringify(report.failures))
    assert.equal(report.invoiceHash, result.invoiceHash)
  })
}

test('stamped invoice fields', () => {
  assert.ok(Buffer.isBuffer(stamped.xml))
  assert.equal(stamped.uuid, simplified.toString().match(/<cbc:UUID>(.*?)<\/cbc:UUID>/)[1])
  assert.equal(stamped.signingTime, SIGNING_TIME)
  const xml = stamped.xml.toString('utf8')
  assert.ok(xml.includes(`<xades:SigningTime>${SIGNING_TIME}</xades:SigningTime>`))
  assert.ok(xml.includes(stamped.signature))
  assert.ok(xml.includes(stamped.qr))
  assert.equal(Buffer.from(stamped.signature, 'base64')[0], 0x30)
  assert.equal(qayd.invoiceHash(stamped.xml), stamped.invoiceHash)
})

test('stamping is deterministic and matches the conformance golden file', () => {
  assert.deepEqual(signer.stamp(simplified, { signingTime: SIGNING_TIME }).xml, stamped.xml)
  const unsigned = conformanceFile('inputs/simplified-invoice.unsigned.xml')
  const golden = conformanceFile('expected/stamp-simplified-invoice.xml')
  assert.ok(signer.stamp(unsigned, { signingTime: SIGNING_TIME }).xml.equals(golden))
})

test('default signing time is now, Riyadh time', () => {
  for (const options of [undefined, {}, { signingTime: undefined }, { signingTime: null }]) {
    const result = signer.stamp(simplified, options)
    assert.match(result.signingTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/)
    const riyadhNow = Date.now() + 3 * 3600 * 1000
    assert.ok(Math.abs(Date.parse(result.signingTime + 'Z') - riyadhNow) < 120_000)
    assert.ok(qayd.verify(result.xml).valid)
  }
})

test('stamp accepts a string', () => {
  assert.ok(signer.stamp(simplified.toString('utf8'), { signingTime: SIGNING_TIME }).xml.equals(stamped.xml))
})

test('strings cross as their UTF-8: non-ASCII text, surrogate pairs, lone surrogates', () => {
  // The addon reads strings through UTF-16 (src/crossing.rs); Node's own encoder is the judge,
  // with the non-ASCII run at every offset within the 16-unit blocks the reader tests at once.
  for (let offset = 0; offset < 17; offset++) {
    const name = `${'x'.repeat(offset)}é شركة 😀 \uD800 ${'y'.repeat(offset)}`
    const text = simplified.toString('utf8').replace('Maximum Speed Tech Supply LTD', name)
    assert.equal(qayd.invoiceHash(text), qayd.invoiceHash(Buffer.from(text, 'utf8')), `offset ${offset}`)
  }
  const text = simplified.toString('utf8').replace('Maximum Speed Tech Supply LTD', 'é 😀 \uD800')
  const fromText = signer.stamp(text, { signingTime: SIGNING_TIME })
  assert.ok(fromText.xml.equals(signer.stamp(Buffer.from(text, 'utf8'), { signingTime: SIGNING_TIME }).xml))
  assert.ok(fromText.xml.toString('utf8').includes('é 😀 \uFFFD'))
})

test("the stamp's values come back as they are, whatever the document's UUID holds", () => {
  // The UUID is the document's own text, whatever it holds.
  for (const uuid of ['معرّف الفاتورة 7', 'a b\tc', '😀']) {
    const text = simplified.toString('utf8').replace('8e6000cf-1a98-4174-b3e7-b5d5954bc10d', uuid)
    const result = signer.stamp(text, { signingTime: SIGNING_TIME })
    assert.equal(result.uuid, uuid)
    assert.equal(result.signingTime, SIGNING_TIME)
    assert.equal(result.invoiceHash, qayd.invoiceHash(result.xml))
    const xml = result.xml.toString('utf8')
    assert.ok(xml.includes(`<ds:SignatureValue>${result.signature}</ds:SignatureValue>`))
    assert.ok(xml.includes(`>${result.qr}</cbc:EmbeddedDocumentBinaryObject>`))
  }
})

test('stampInvoice takes the model as an object, its JSON text or its bytes, alike', () => {
  const json = readFileSync(path.join(REPO, 'tests/bench/simplified-5-lines.json'), 'utf8')
  assert.match(json, /[^\x00-\x7f]/, 'the model holds Arabic text')
  const options = { signingTime: SIGNING_TIME }
  const fromText = signer.stampInvoice(json, options)
  for (const model of [JSON.parse(json), Buffer.from(json, 'utf8')]) {
    const result = signer.stampInvoice(model, options)
    assert.ok(result.xml.equals(fromText.xml))
    assert.deepEqual({ ...result, xml: null }, { ...fromText, xml: null })
  }
  assert.ok(fromText.xml.equals(signer.stamp(qayd.generate(json), options).xml))
})

test('certificate info', () => {
  const cert = signer.certificate
  assert.equal(cert.issuerName, 'CN=PRZEINVOICESCA4-CA, DC=extgazt, DC=gov, DC=local')
  assert.equal(cert.serialNumber, '379112742831380471835263969587287663520528387')
  assert.equal(cert.notAfter.toISOString(), '2029-01-09T09:19:30.000Z')
  assert.equal(cert.notBefore.toISOString(), '2024-01-11T09:19:30.000Z')
  assert.equal(cert.notAfterUnix, cert.notAfter.getTime() / 1000)
  assert.equal(cert.base64, certBytes.toString().trim())
  assert.equal(cert.publicKey[0], 0x30)
})

const pem = (label, body) =>
  [`-----BEGIN ${label}-----`, ...body.match(/.{1,64}/g), `-----END ${label}-----`, ''].join('\n')

test('Signer accepts every encoding', () => {
  const certB64 = certBytes.toString().trim()
  const keyB64 = keyBytes.toString().trim()
  const certificates = [
    certBytes,
    certB64,
    pem('CERTIFICATE', certB64),
    Buffer.from(certB64, 'base64'),
    Buffer.from(certB64).toString('base64'), // Fatoora binarySecurityToken
  ]
  const keys = [keyBytes, keyB64, pem('EC PRIVATE KEY', keyB64), Buffer.from(keyB64, 'base64')]
  for (const certificate of certificates) {
    for (const key of keys) {
      const result = new qayd.Signer(certificate, key).stamp(simplified, { signingTime: SIGNING_TIME })
      assert.ok(result.xml.equals(stamped.xml))
    }
  }
})

test('Signer accepts PKCS#8', () => {
  const other = new qayd.Signer(
    conformanceFile('keys/other-secp256k1-cert.pem'),
    conformanceFile('keys/other-secp256k1-pkcs8.pem'),
  )
  assert.ok(qayd.verify(other.stamp(simplified, { signingTime: SIGNING_TIME }).xml).valid)
})

test('wrong types throw TypeError', () => {
  assert.throws(() => new qayd.Signer(null, keyBytes), TypeError)
  assert.throws(() => new qayd.Signer(certBytes, 1), TypeError)
  assert.throws(() => new qayd.Signer(), TypeError)
  assert.throws(() => signer.stamp(null), TypeError)
  assert.throws(() => signer.stamp(simplified, { signingTime: 20250722 }), TypeError)
  assert.throws(() => signer.stamp(simplified, 'now'), TypeError)
})
