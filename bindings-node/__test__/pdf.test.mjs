// The readable PDF/A-3b of a stamped document through Node: bytes, options, error codes.
import test from 'node:test'
import assert from 'node:assert/strict'
import { qayd, stamped, conformanceFile } from './helpers.mjs'

// The document's cbc:ID, after the stamp's own IDs (the embedded file is named after it).
const number = stamped.xml.toString('utf8').match(/<cbc:ProfileID>[\s\S]*?<cbc:ID>([^<]*)<\/cbc:ID>/)[1]

test('a stamped invoice becomes a PDF/A-3 with the XML embedded', () => {
  const pdf = qayd.pdf(stamped.xml)
  assert.ok(Buffer.isBuffer(pdf))
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-')
  assert.ok(pdf.includes('/AFRelationship'), 'no associated file')
  assert.ok(pdf.includes(`${number}.xml`), `no embedded ${number}.xml`)
  assert.deepEqual(qayd.pdf(stamped.xml), pdf, 'same document, same PDF')
  assert.deepEqual(qayd.pdf(stamped.xml.toString('utf8'), {}), pdf, 'a string is UTF-8')
})

test('logo and footer change the page', () => {
  const plain = qayd.pdf(stamped.xml)
  const logo = qayd.qrPng('logo', 4)
  const withLogo = qayd.pdf(stamped.xml, { logo })
  const withFooter = qayd.pdf(stamped.xml, { footer: 'IBAN SA03 8000 0000 6080 1016 7519' })
  const both = qayd.pdf(new Uint8Array(stamped.xml), { logo: new Uint8Array(logo), footer: 'شكراً لتعاملكم' })
  const distinct = new Set([plain, withLogo, withFooter, both].map((b) => b.toString('base64')))
  assert.equal(distinct.size, 4)
  assert.deepEqual(qayd.pdf(stamped.xml, { logo: null, footer: undefined }), plain)
})

test('bad input throws the core codes', () => {
  assert.throws(() => qayd.pdf('not xml'), (e) => e instanceof qayd.InvalidXmlError && e.code === 'INVALID_XML')
  assert.throws(
    () => qayd.pdf(conformanceFile('inputs/not-an-invoice.xml')),
    (e) => e instanceof qayd.InvalidDocumentError && e.code === 'INVALID_DOCUMENT',
  )
  assert.throws(
    () => qayd.pdf(conformanceFile('inputs/simplified-invoice.unsigned.xml')),
    (e) => e instanceof qayd.InvalidDocumentError && /no QR code/.test(e.message),
  )
  assert.throws(
    () => qayd.pdf(stamped.xml, { logo: Buffer.from('GIF89a') }),
    (e) => e instanceof qayd.InvalidInputError && e.code === 'INVALID_INPUT' && /logo/.test(e.message),
  )
})

test('wrong argument types are TypeErrors', () => {
  assert.throws(() => qayd.pdf(42), TypeError)
  assert.throws(() => qayd.pdf(stamped.xml, 'footer'), TypeError)
  assert.throws(() => qayd.pdf(stamped.xml, { logo: 'logo.png' }), TypeError)
  assert.throws(() => qayd.pdf(stamped.xml, { footer: 42 }), TypeError)
})
