import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { qayd, REPO, certBytes, keyBytes, signer, simplified, conformanceFile, SIGNING_TIME } from './helpers.mjs'

const INPUT_CLASSES = {
  INVALID_INPUT: qayd.InvalidInputError,
  INVALID_XML: qayd.InvalidXmlError,
  INVALID_DOCUMENT: qayd.InvalidDocumentError,
  INVALID_MODEL: qayd.InvalidModelError,
  INVALID_KEY: qayd.InvalidKeyError,
  INVALID_CERTIFICATE: qayd.InvalidCertificateError,
  KEY_MISMATCH: qayd.KeyMismatchError,
  INVALID_QR: qayd.InvalidQrError,
}
const API_CLASSES = {
  NETWORK: qayd.NetworkError,
  HTTP: qayd.HttpError,
  UNAUTHORIZED: qayd.UnauthorizedError,
  API_REJECTED: qayd.ApiRejectedError,
  ENVIRONMENT_MISMATCH: qayd.EnvironmentMismatchError,
  UNEXPECTED_RESPONSE: qayd.UnexpectedResponseError,
}
const OTHER_CLASSES = { STORAGE: qayd.StorageError, SECRET: qayd.SecretError }
const CLASSES = { ...INPUT_CLASSES, ...API_CLASSES, ...OTHER_CLASSES }

test('every core code has its own class', () => {
  const missing = qayd.ERROR_CODES.filter((code) => !(code in CLASSES))
  assert.deepEqual(missing, [], 'core codes without a JS class')
  for (const code of Object.keys(INPUT_CLASSES)) assert.ok(qayd.ERROR_CODES.includes(code), code)
  assert.equal(new Set(Object.values(CLASSES)).size, Object.keys(CLASSES).length)
  assert.equal(Object.keys(qayd.ERROR_CLASSES).length, Object.keys(CLASSES).length)
  for (const [code, cls] of Object.entries(CLASSES)) {
    assert.equal(cls.code, code)
    assert.equal(qayd.ERROR_CLASSES[code], cls)
    assert.equal(qayd[cls.name], cls)
    assert.ok(cls.prototype instanceof qayd.QaydError)
    assert.ok(cls.prototype instanceof Error)
  }
  for (const cls of Object.values(INPUT_CLASSES)) {
    assert.ok(cls === qayd.InvalidInputError || cls.prototype instanceof qayd.InvalidInputError)
  }
  for (const cls of Object.values(API_CLASSES)) {
    assert.ok(cls.prototype instanceof qayd.ApiError && !(cls.prototype instanceof qayd.InvalidInputError))
  }
  for (const cls of Object.values(OTHER_CLASSES)) {
    assert.ok(!(cls.prototype instanceof qayd.ApiError) && !(cls.prototype instanceof qayd.InvalidInputError))
  }
})

function throwsExactly(cls, fn) {
  let error
  assert.throws(fn, (e) => {
    error = e
    return true
  })
  assert.equal(error.constructor, cls, `${error.constructor.name} (${error.code}: ${error.message}) thrown, ${cls.name} expected`)
  assert.equal(error.code, cls.code)
  assert.equal(error.name, cls.name)
  assert.ok(error.message.length > 0)
  assert.ok(error.stack.includes(cls.name))
  return error
}

test('InvalidXmlError', () => {
  throwsExactly(qayd.InvalidXmlError, () => qayd.invoiceHash('<Invoice'))
  throwsExactly(qayd.InvalidXmlError, () => qayd.invoiceHash(conformanceFile('inputs/doctype.xml')))
  throwsExactly(qayd.InvalidXmlError, () => qayd.invoiceHash(conformanceFile('inputs/not-utf8.xml')))
  throwsExactly(qayd.InvalidXmlError, () => qayd.verify('not xml at all'))
})

test('InvalidDocumentError', () => {
  const notAnInvoice = conformanceFile('inputs/not-an-invoice.xml')
  throwsExactly(qayd.InvalidDocumentError, () => qayd.invoiceHash(notAnInvoice))
  throwsExactly(qayd.InvalidDocumentError, () => qayd.verify(notAnInvoice))
  throwsExactly(qayd.InvalidDocumentError, () => signer.stamp(notAnInvoice, { signingTime: SIGNING_TIME }))
})

test('InvalidKeyError', () => {
  throwsExactly(qayd.InvalidKeyError, () => new qayd.Signer(certBytes, 'not a key'))
  throwsExactly(qayd.InvalidKeyError, () => new qayd.Signer(certBytes, conformanceFile('keys/p256.pem')))
  throwsExactly(qayd.InvalidKeyError, () => new qayd.Signer(certBytes, certBytes))
})

test('InvalidCertificateError', () => {
  throwsExactly(qayd.InvalidCertificateError, () => new qayd.Signer('not a certificate', keyBytes))
  throwsExactly(qayd.InvalidCertificateError, () => new qayd.Signer(conformanceFile('keys/p256-cert.pem'), keyBytes))
})

test('KeyMismatchError', () => {
  throwsExactly(qayd.KeyMismatchError, () => new qayd.Signer(certBytes, conformanceFile('keys/other-secp256k1.pem')))
})

test('InvalidQrError', () => {
  throwsExactly(qayd.InvalidQrError, () => qayd.qrDecode('not base64!'))
  throwsExactly(qayd.InvalidQrError, () => qayd.qrSvg('x'.repeat(4000)))
  throwsExactly(qayd.InvalidQrError, () => qayd.qrPng('x'.repeat(4000)))
})

test('InvalidInputError', () => {
  const error = throwsExactly(qayd.InvalidInputError, () => signer.stamp(simplified, { signingTime: '22/07/2025 15:51' }))
  assert.match(error.message, /YYYY-MM-DDTHH:MM:SS/)
  assert.equal(error.rule, null)
})

test('InvalidModelError carries its rule', () => {
  const model = JSON.parse(readFileSync(path.join(REPO, 'core/tests/fixtures/models/standard_invoice.json'), 'utf8'))
  model.seller.vat_number = '12345'
  const error = throwsExactly(qayd.InvalidModelError, () => qayd.generate(model))
  assert.equal(error.rule, 'BR-KSA-40')
  assert.ok(error instanceof qayd.InvalidInputError)
})

test('one catch for every input problem', () => {
  for (const fn of [() => qayd.invoiceHash('<x'), () => new qayd.Signer(certBytes, 'x'), () => qayd.qrDecode('!')]) {
    assert.throws(fn, qayd.InvalidInputError)
    assert.throws(fn, qayd.QaydError)
  }
})
