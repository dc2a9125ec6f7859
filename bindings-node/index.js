'use strict'
// qayd for Node.js: the public API over the native addon (qayd.node, built from src/lib.rs).
//
// This file only checks argument types, converts values (seconds -> Date) and turns native
// errors into the error classes below. Every rule lives in the Rust core.

const path = require('node:path')

function loadNative() {
  const file = process.env.QAYD_NODE_NATIVE || path.join(__dirname, 'qayd.node')
  try {
    return require(file)
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND') {
      throw new Error(
        `qayd: the native addon ${file} is missing. Build it with \`npm run build\` in ` +
          `${__dirname} (needs a Rust toolchain), or point QAYD_NODE_NATIVE at a built addon.`,
        { cause: error },
      )
    }
    throw error
  }
}

const native = loadNative()

// ------------------------------------------------------------------------------------------------
// Errors: one class per stable core code; `code` is `QAYD_<CODE>`.
// ------------------------------------------------------------------------------------------------

class QaydError extends Error {
  /** @param {string} message @param {{code?: string, rule?: string|null, cause?: unknown}} [options] */
  constructor(message, options = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = options.code ?? new.target.code
    this.rule = options.rule ?? null
  }
}
QaydError.code = 'QAYD_ERROR'

/** Every problem with the caller's input; the parent of all classes below. */
class InvalidInputError extends QaydError {}
InvalidInputError.code = 'QAYD_INVALID_INPUT'
class InvalidXmlError extends InvalidInputError {}
InvalidXmlError.code = 'QAYD_INVALID_XML'
class InvalidDocumentError extends InvalidInputError {}
InvalidDocumentError.code = 'QAYD_INVALID_DOCUMENT'
class InvalidModelError extends InvalidInputError {}
InvalidModelError.code = 'QAYD_INVALID_MODEL'
class InvalidKeyError extends InvalidInputError {}
InvalidKeyError.code = 'QAYD_INVALID_KEY'
class InvalidCertificateError extends InvalidInputError {}
InvalidCertificateError.code = 'QAYD_INVALID_CERTIFICATE'
class KeyMismatchError extends InvalidInputError {}
KeyMismatchError.code = 'QAYD_KEY_MISMATCH'
class InvalidQrError extends InvalidInputError {}
InvalidQrError.code = 'QAYD_INVALID_QR'

/** A problem talking to the Fatoora platform (or the gateway); the parent of the classes below. */
class ApiError extends QaydError {}
ApiError.code = 'QAYD_API_ERROR'
/** Fatoora could not be reached or did not answer in time; sending again later is safe. */
class NetworkError extends ApiError {}
NetworkError.code = 'QAYD_NETWORK'
/** Fatoora answered with an HTTP status the call does not expect. */
class HttpError extends ApiError {}
HttpError.code = 'QAYD_HTTP'
/** Fatoora refused the credentials (HTTP 401). */
class UnauthorizedError extends ApiError {}
UnauthorizedError.code = 'QAYD_UNAUTHORIZED'
/** Fatoora examined the request and refused it (HTTP 400 with its error codes). */
class ApiRejectedError extends ApiError {}
ApiRejectedError.code = 'QAYD_API_REJECTED'
/** Credentials issued in one environment were about to be sent to another. */
class EnvironmentMismatchError extends ApiError {}
EnvironmentMismatchError.code = 'QAYD_ENVIRONMENT_MISMATCH'
/** The answer is not what Fatoora sends (HTML, garbage, missing fields). */
class UnexpectedResponseError extends ApiError {}
UnexpectedResponseError.code = 'QAYD_UNEXPECTED_RESPONSE'

/** The invoice store (SQLite or PostgreSQL) failed; the transaction was rolled back. */
class StorageError extends QaydError {}
StorageError.code = 'QAYD_STORAGE'
/** Sealed secrets could not be opened (wrong master key, tampered data) or no key is set. */
class SecretError extends QaydError {}
SecretError.code = 'QAYD_SECRET'

const ERROR_CLASSES = Object.freeze(
  Object.fromEntries(
    [
      InvalidInputError,
      InvalidXmlError,
      InvalidDocumentError,
      InvalidModelError,
      InvalidKeyError,
      InvalidCertificateError,
      KeyMismatchError,
      InvalidQrError,
      NetworkError,
      HttpError,
      UnauthorizedError,
      ApiRejectedError,
      EnvironmentMismatchError,
      UnexpectedResponseError,
      StorageError,
      SecretError,
    ].map((cls) => [cls.code, cls]),
  ),
)

// napi-rs statuses for a JS value of the wrong type.
const NAPI_TYPE_STATUSES = new Set([
  'InvalidArg',
  'ObjectExpected',
  'StringExpected',
  'NumberExpected',
  'BooleanExpected',
  'ArrayExpected',
  'BigintExpected',
])

function convertError(error) {
  const code = error && error.code
  if (typeof code === 'string' && code.startsWith('QAYD_')) {
    const cls = ERROR_CLASSES[code] || QaydError
    return new cls(error.message, { code, rule: error.rule ?? null })
  }
  if (NAPI_TYPE_STATUSES.has(code)) {
    const typeError = new TypeError(error.message)
    typeError.code = 'ERR_INVALID_ARG_TYPE'
    return typeError
  }
  return error
}

function call(fn) {
  try {
    return fn()
  } catch (error) {
    throw convertError(error)
  }
}

// ------------------------------------------------------------------------------------------------
// Argument checks (clear TypeErrors before crossing into native code)
// ------------------------------------------------------------------------------------------------

function describe(value) {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
}

function data(value, name) {
  if (typeof value === 'string' || value instanceof Uint8Array) return value
  const error = new TypeError(`${name} must be a Buffer, Uint8Array or string, not ${describe(value)}`)
  error.code = 'ERR_INVALID_ARG_TYPE'
  throw error
}

function text(value, name) {
  if (typeof value === 'string') return value
  const error = new TypeError(`${name} must be a string, not ${describe(value)}`)
  error.code = 'ERR_INVALID_ARG_TYPE'
  throw error
}

// ------------------------------------------------------------------------------------------------
// API
// ------------------------------------------------------------------------------------------------

/** The invoice hash: base64 SHA-256 of the C14N 1.1 invoice without its stamp. */
function invoiceHash(xml) {
  data(xml, 'xml')
  return call(() => native.invoiceHash(xml))
}

/**
 * The unsigned UBL 2.1 document of an invoice model: its JSON text (string or bytes) or a plain
 * object (serialised with JSON.stringify). Validated, totals computed, SDK layout.
 */
function generate(model) {
  const json =
    model !== null && typeof model === 'object' && !(model instanceof Uint8Array) && !Array.isArray(model)
      ? JSON.stringify(model)
      : data(model, 'model')
  return call(() => native.generate(json))
}

function certificateInfo(info) {
  return {
    ...info,
    notBefore: new Date(info.notBeforeUnix * 1000),
    notAfter: new Date(info.notAfterUnix * 1000),
  }
}

/** A certificate and the private key that signs with it, checked to belong together. */
class Signer {
  #native

  constructor(certificate, privateKey) {
    data(certificate, 'certificate')
    data(privateKey, 'privateKey')
    this.#native = call(() => new native.Signer(certificate, privateKey))
  }

  /** Stamps an invoice: hash, XAdES signature, QR code, spliced into the caller's bytes. */
  stamp(xml, options) {
    data(xml, 'xml')
    if (options !== undefined && options !== null && typeof options !== 'object') {
      throw Object.assign(new TypeError(`options must be an object, not ${describe(options)}`), {
        code: 'ERR_INVALID_ARG_TYPE',
      })
    }
    const signingTime = options ? options.signingTime : undefined
    if (signingTime !== undefined && signingTime !== null) text(signingTime, 'options.signingTime')
    return call(() => this.#native.stamp(xml, signingTime == null ? {} : { signingTime }))
  }

  /** The signing certificate: issuer, serial, validity. */
  get certificate() {
    return certificateInfo(this.#native.certificate)
  }
}

/** Verifies a stamped invoice check by check; throws only when the input is not an invoice. */
function verify(xml) {
  data(xml, 'xml')
  const report = call(() => native.verify(xml))
  report.failures = report.checks.filter((check) => !check.passed)
  return report
}

/** Validates an invoice against the UBL structure and ZATCA's business rules; throws only when the input is not an invoice. */
function validate(xml) {
  data(xml, 'xml')
  const report = call(() => native.validate(xml))
  report.errors = report.findings.filter((f) => f.severity === 'error')
  report.warnings = report.findings.filter((f) => f.severity === 'warning')
  return report
}

/** Decodes a base64 TLV QR payload into its fields. */
function qrDecode(qr) {
  text(qr, 'qr')
  return call(() => native.qrDecode(qr))
}

/** An SVG image of the QR code carrying `qr`. */
function qrSvg(qr) {
  text(qr, 'qr')
  return call(() => native.qrSvg(qr))
}

/** A PNG image of the QR code carrying `qr`, `scale` pixels per module (default 8). */
function qrPng(qr, scale) {
  text(qr, 'qr')
  if (scale !== undefined && !(Number.isInteger(scale) && scale >= 0)) {
    throw Object.assign(new TypeError(`scale must be a non-negative integer, not ${scale}`), {
      code: 'ERR_INVALID_ARG_TYPE',
    })
  }
  return call(() => native.qrPng(qr, scale))
}

/** The QR code drawn with Unicode half blocks, for a terminal. */
function qrText(qr) {
  text(qr, 'qr')
  return call(() => native.qrText(qr))
}

const GENESIS_PIH = native.GENESIS_PIH
const version = native.VERSION
/** Every core error code (without the QAYD_ prefix). */
const ERROR_CODES = Object.freeze(native.errorCodes())

module.exports = {
  invoiceHash,
  generate,
  Signer,
  verify,
  validate,
  qrDecode,
  qrSvg,
  qrPng,
  qrText,
  GENESIS_PIH,
  version,
  ERROR_CODES,
  ERROR_CLASSES,
  QaydError,
  InvalidInputError,
  InvalidXmlError,
  InvalidDocumentError,
  InvalidModelError,
  InvalidKeyError,
  InvalidCertificateError,
  KeyMismatchError,
  InvalidQrError,
  ApiError,
  NetworkError,
  HttpError,
  UnauthorizedError,
  ApiRejectedError,
  EnvironmentMismatchError,
  UnexpectedResponseError,
  StorageError,
  SecretError,
}
