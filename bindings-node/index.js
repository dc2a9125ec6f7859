'use strict'
// qayd for Node.js: the public API over the native addon (built from src/lib.rs; see loadNative).
//
// This file only checks argument types, converts values (seconds -> Date, camelCase option keys
// -> the core's snake_case JSON) and turns native errors into the error classes below. Every rule
// lives in the Rust core.

const fs = require('node:fs')
const path = require('node:path')

// ------------------------------------------------------------------------------------------------
// The native addon. Published layout (napi-rs's platform packages): this package holds only
// JavaScript; the prebuilt release addon comes in `@qayd/<platform>` (e.g. `@qayd/linux-x64-gnu`
// with `qayd.linux-x64-gnu.node`), an optional dependency npm installs only on the matching
// os/cpu/libc. Looked for, in order:
//   1. QAYD_NODE_NATIVE: an addon file anywhere (e.g. one built from source);
//   2. a local build next to this file, for working in a clone: `qayd.<platform>.node` (the napi
//      CLI's name) or `qayd.node` (what `npm run build` / scripts/build.mjs writes);
//   3. the platform package `@qayd/<platform>`, whose version must equal this package's.
// ------------------------------------------------------------------------------------------------

/** glibc or musl, for the Linux package names; null elsewhere. */
function linuxLibc() {
  if (process.platform !== 'linux') return null
  try {
    // Node reports the glibc it runs on; a musl build of Node has no such field.
    const header = process.report && process.report.getReport().header
    if (header && header.glibcVersionRuntime) return 'gnu'
  } catch {
    // A report can be disabled or fail; look at the dynamic loader instead.
  }
  try {
    return fs.readdirSync('/lib').some((name) => name.startsWith('ld-musl-')) ? 'musl' : 'gnu'
  } catch {
    return 'gnu'
  }
}

/** The platform part of the package and file names: `linux-x64-gnu`, `darwin-arm64`, … */
function platformName() {
  const parts = [process.platform, process.arch]
  const libc = linuxLibc()
  if (libc) parts.push(process.arch === 'arm' ? `${libc}eabihf` : libc)
  if (process.platform === 'win32') parts.push('msvc')
  return parts.join('-')
}

function packageVersion() {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'package.json'), 'utf8')).version
}

function loadNative() {
  const override = process.env.QAYD_NODE_NATIVE
  if (override) return require(path.resolve(override))

  const platform = platformName()
  for (const name of [`qayd.${platform}.node`, 'qayd.node']) {
    const file = path.join(__dirname, name)
    if (fs.existsSync(file)) return require(file)
  }

  const pkg = `@qayd/${platform}`
  let manifest
  try {
    manifest = require.resolve(`${pkg}/package.json`)
  } catch (error) {
    if (!error || error.code !== 'MODULE_NOT_FOUND') throw error
    throw new Error(
      `qayd: the native addon for this platform (${platform}) is missing: the package ${pkg} is ` +
        `not installed. npm installs it with qayd as an optional dependency; reinstall qayd ` +
        `without --omit=optional / --no-optional (or run \`npm install ${pkg}@${packageVersion()}\`). ` +
        `If no ${pkg} is published for this platform, build the addon from a clone of the ` +
        `repository (\`npm run build\` in bindings-node, needs a Rust toolchain) and set ` +
        `QAYD_NODE_NATIVE to the built file.`,
      { cause: error },
    )
  }
  const found = JSON.parse(fs.readFileSync(manifest, 'utf8')).version
  const wanted = packageVersion()
  if (found !== wanted) {
    throw new Error(
      `qayd: ${pkg} is version ${found} but qayd is ${wanted}; install the matching one ` +
        `(\`npm install ${pkg}@${wanted}\`)`,
    )
  }
  try {
    return require(pkg)
  } catch (error) {
    throw new Error(`qayd: cannot load the native addon of ${pkg} (${error && error.message})`, { cause: error })
  }
}

const native = loadNative()

// ------------------------------------------------------------------------------------------------
// Errors: one class per stable core code; `code` is the core's code (`API_REJECTED`), as in every language.
// ------------------------------------------------------------------------------------------------

class QaydError extends Error {
  /** @param {string} message @param {{code?: string, rule?: string|null, status?: number|null, cause?: unknown}} [options] */
  constructor(message, options = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = options.code ?? new.target.code
    this.rule = options.rule ?? null
    this.status = options.status ?? null
  }
}
QaydError.code = 'ERROR'

/** Every problem with the caller's input; the parent of all classes below. */
class InvalidInputError extends QaydError {}
InvalidInputError.code = 'INVALID_INPUT'
class InvalidXmlError extends InvalidInputError {}
InvalidXmlError.code = 'INVALID_XML'
class InvalidDocumentError extends InvalidInputError {}
InvalidDocumentError.code = 'INVALID_DOCUMENT'
class InvalidModelError extends InvalidInputError {}
InvalidModelError.code = 'INVALID_MODEL'
class InvalidKeyError extends InvalidInputError {}
InvalidKeyError.code = 'INVALID_KEY'
class InvalidCertificateError extends InvalidInputError {}
InvalidCertificateError.code = 'INVALID_CERTIFICATE'
class KeyMismatchError extends InvalidInputError {}
KeyMismatchError.code = 'KEY_MISMATCH'
class InvalidQrError extends InvalidInputError {}
InvalidQrError.code = 'INVALID_QR'

/** A problem talking to the Fatoora platform (or the gateway); the parent of the classes below. */
class ApiError extends QaydError {}
ApiError.code = 'API_ERROR'
/** Fatoora could not be reached or did not answer in time; sending again later is safe. */
class NetworkError extends ApiError {}
NetworkError.code = 'NETWORK'
/** Fatoora answered with an HTTP status the call does not expect. */
class HttpError extends ApiError {}
HttpError.code = 'HTTP'
/** Fatoora refused the credentials (HTTP 401). */
class UnauthorizedError extends ApiError {}
UnauthorizedError.code = 'UNAUTHORIZED'
/** Fatoora examined the request and refused it (HTTP 400 with its error codes). */
class ApiRejectedError extends ApiError {}
ApiRejectedError.code = 'API_REJECTED'
/** Credentials issued in one environment were about to be sent to another. */
class EnvironmentMismatchError extends ApiError {}
EnvironmentMismatchError.code = 'ENVIRONMENT_MISMATCH'
/** The answer is not what Fatoora sends (HTML, garbage, missing fields). */
class UnexpectedResponseError extends ApiError {}
UnexpectedResponseError.code = 'UNEXPECTED_RESPONSE'

/** The invoice store (SQLite or PostgreSQL) failed; the transaction was rolled back. */
class StorageError extends QaydError {}
StorageError.code = 'STORAGE'
/** Sealed secrets could not be opened (wrong master key, tampered data) or no key is set. */
class SecretError extends QaydError {}
SecretError.code = 'SECRET'

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

// An async call's rejection: `[QAYD_<CODE> status=401 rule=BR-KSA-40] message` (src/lib.rs).
const ASYNC_PREFIX = /^\[(QAYD_[A-Z_]+)((?: [a-z]+=[^ \]]*)*)\] /

function convertError(error) {
  const code = error && error.code
  // The native side marks its errors `QAYD_<CODE>`; users see the core's code as every language does.
  if (typeof code === 'string' && code.startsWith('QAYD_')) {
    const bare = code.slice('QAYD_'.length)
    const cls = ERROR_CLASSES[bare] || QaydError
    return new cls(error.message, { code: bare, rule: error.rule ?? null, status: error.status ?? null })
  }
  const prefixed = error && typeof error.message === 'string' && ASYNC_PREFIX.exec(error.message)
  if (prefixed) {
    const attributes = Object.fromEntries(prefixed[2].trim().split(' ').filter(Boolean).map((a) => a.split('=')))
    const bare = prefixed[1].slice('QAYD_'.length)
    const cls = ERROR_CLASSES[bare] || QaydError
    return new cls(error.message.slice(prefixed[0].length), {
      code: bare,
      rule: attributes.rule ?? null,
      status: attributes.status === undefined ? null : Number(attributes.status),
    })
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

/** The async form: argument problems and core errors both reject (never a sync throw). */
async function callAsync(fn) {
  try {
    return await fn()
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

function typeError(message) {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' })
}

const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !(value instanceof Uint8Array) && !Array.isArray(value)

/** A whole number in the range the native side takes (ICVs, cursors, limits). */
function integer(value, name, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value
  throw typeError(`${name} must be an integer from ${min} to ${max}, not ${describe(value)} ${String(value)}`)
}

/** Options object -> the core's JSON form: camelCase keys become snake_case, unknown keys are
 * left for the core to refuse (a typo never passes silently). */
function optionsJson(options, name) {
  if (options === undefined || options === null) return undefined
  if (!isPlainObject(options)) throw typeError(`${name} must be an object, not ${describe(options)}`)
  const json = {}
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) json[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = value
  }
  return JSON.stringify(json)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** An invoice model: a plain object (JSON.stringify'd), its JSON text, or that text's bytes. */
function modelJson(model, name) {
  if (isPlainObject(model)) return JSON.stringify(model)
  data(model, name)
  if (typeof model === 'string') return model
  try {
    return utf8.decode(model)
  } catch {
    throw new InvalidInputError(`${name}: the JSON bytes are not UTF-8`)
  }
}

/** Bytes for the native side (a Buffer; strings are UTF-8). */
function buffer(value, name) {
  data(value, name)
  return Buffer.isBuffer(value) ? value : Buffer.from(value)
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

/**
 * A stamp's result from the addon's array `[xml, invoiceHash, uuid, signature, qr, signingTime]`
 * (named here, in one literal, because V8 builds it far faster than the addon can set six
 * properties; see src/crossing.rs).
 */
function stampedInvoice(parts) {
  return {
    xml: parts[0],
    invoiceHash: parts[1],
    uuid: parts[2],
    signature: parts[3],
    qr: parts[4],
    signingTime: parts[5],
  }
}

/** `options.signingTime` of a stamp call, checked. */
function signingTimeOf(options) {
  if (options !== undefined && options !== null && typeof options !== 'object') {
    throw Object.assign(new TypeError(`options must be an object, not ${describe(options)}`), {
      code: 'ERR_INVALID_ARG_TYPE',
    })
  }
  const signingTime = options ? options.signingTime : undefined
  if (signingTime !== undefined && signingTime !== null) text(signingTime, 'options.signingTime')
  return signingTime
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
    const signingTime = signingTimeOf(options)
    return stampedInvoice(call(() => this.#native.stamp(xml, signingTime ?? undefined)))
  }

  /**
   * Stamps an invoice model (a plain object, or its JSON text or bytes) in one call: written,
   * judged by ZATCA's rules and stamped without parsing the XML back — the bytes of
   * `stamp(generate(model))`, faster. `options.signingTime` as in `stamp`.
   */
  stampInvoice(model, options) {
    const json = modelJson(model, 'model')
    const signingTime = signingTimeOf(options)
    return stampedInvoice(call(() => this.#native.stampInvoice(json, signingTime ?? undefined)))
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

/**
 * A stamped document as a bilingual (Arabic and English) PDF/A-3b page with its QR code and the
 * signed XML embedded unchanged. `options.logo`: a PNG shown at the top; `options.footer`: a line
 * or two at the foot.
 */
function pdf(xml, options) {
  data(xml, 'xml')
  if (options !== undefined && options !== null && !isPlainObject(options)) {
    throw typeError(`options must be an object, not ${describe(options)}`)
  }
  const logo = options ? options.logo : undefined
  const footer = options ? options.footer : undefined
  const nativeOptions = {}
  if (logo !== undefined && logo !== null) {
    if (!(logo instanceof Uint8Array)) {
      throw typeError(`options.logo must be a Buffer or Uint8Array, not ${describe(logo)}`)
    }
    nativeOptions.logo = Buffer.isBuffer(logo) ? logo : Buffer.from(logo.buffer, logo.byteOffset, logo.byteLength)
  }
  if (footer !== undefined && footer !== null) nativeOptions.footer = text(footer, 'options.footer')
  return call(() => native.pdf(xml, nativeOptions))
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

// ------------------------------------------------------------------------------------------------
// Keys, identities, CSRs
// ------------------------------------------------------------------------------------------------

const IDENTITY_KEYS = [
  'commonName',
  'serialNumber',
  'organizationIdentifier',
  'organizationUnitName',
  'organizationName',
  'countryName',
  'invoiceType',
  'locationAddress',
  'industryBusinessCategory',
]

/** An identity object (camelCase or the JSON form's snake_case keys) or its text (properties/JSON). */
function identity(value, name = 'identity') {
  if (typeof value === 'string') return identityFromText(value)
  if (!isPlainObject(value)) throw typeError(`${name} must be an object or a string, not ${describe(value)}`)
  const camel = Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), v]),
  )
  for (const key of IDENTITY_KEYS) {
    if (typeof camel[key] !== 'string') throw typeError(`${name}.${key} must be a string, not ${describe(camel[key])}`)
  }
  return Object.fromEntries(IDENTITY_KEYS.map((key) => [key, camel[key]]))
}

/** A new secp256k1 private key, SEC1 PEM. */
/** A new random master key, base64: what `QAYD_MASTER_KEY` and `Engine.open({ masterKey })` take. */
function generateMasterKey() {
  return call(() => native.generateMasterKey())
}

function generatePrivateKeyPem() {
  return call(() => native.generatePrivateKeyPem())
}

/** An EGS identity read from the SDK's csr-config `.properties` text or its JSON form. */
function identityFromText(source) {
  text(source, 'text')
  return call(() => native.identityFromText(source))
}

/** The CSR of an identity for an environment, signed with the private key: `{pem, base64}`. */
function buildCsr(who, privateKey, environment) {
  const id = identity(who)
  data(privateKey, 'privateKey')
  text(environment, 'environment')
  return call(() => native.buildCsr(id, privateKey, environment))
}

/** A sample invoice of the identity, issued now, as a model object (what `generate` and `issue` take). */
function sampleInvoice(who, kind = 'simplified', documentType = 'invoice') {
  return JSON.parse(sampleInvoiceJson(who, kind, documentType))
}

/** The same sample in the model's JSON form (a string). */
function sampleInvoiceJson(who, kind = 'simplified', documentType = 'invoice') {
  const id = identity(who)
  text(kind, 'kind')
  text(documentType, 'documentType')
  return call(() => native.sampleInvoiceJson(id, kind, documentType))
}

// ------------------------------------------------------------------------------------------------
// Onboarding and credentials
// ------------------------------------------------------------------------------------------------

/** The caller's progress function, guarded: a throw there must not end the process. */
function progressCallback(onProgress) {
  if (onProgress === undefined || onProgress === null) return undefined
  if (typeof onProgress !== 'function') throw typeError(`onProgress must be a function, not ${describe(onProgress)}`)
  return (progress) => {
    try {
      onProgress(progress)
    } catch (error) {
      process.emitWarning(`qayd: the onboarding progress callback threw (${error}); onboarding goes on`)
    }
  }
}

/** Progress calls are queued from the core's threads; the Promise settles through another queue.
 * One turn of the event loop delivers any still queued, so every step is seen before it settles. */
async function settled(promise, callback) {
  try {
    return await promise
  } finally {
    if (callback) await new Promise((resolve) => setImmediate(resolve))
  }
}

const INTERNAL = Symbol('qayd.internal')
const credentialsNative = new WeakMap()

/**
 * An onboarded EGS unit's credentials. They hold the private key and the CSID secrets: only
 * `toSecretJson()` returns them; `toString`, `toJSON` and `util.inspect` show no secret.
 */
class EgsCredentials {
  constructor(token, inner) {
    if (token !== INTERNAL) throw new TypeError('use onboard() or EgsCredentials.fromJson() to get credentials')
    credentialsNative.set(this, inner)
  }

  /** Reads the JSON form (the CLI's credentials file; it holds secrets). */
  static fromJson(json) {
    const source = typeof json === 'string' ? json : modelJson(json, 'json')
    return new EgsCredentials(INTERNAL, call(() => native.EgsCredentials.fromJson(source)))
  }

  /** The JSON form, private key and secrets included: store it sealed or owner-readable only. */
  toJson() {
    return call(() => credentialsNative.get(this).toSecretJson())
  }

  /** `toJson()` under a name that says what it holds. */
  toSecretJson() {
    return this.toJson()
  }

  /** `developer-portal`, `simulation`, `core` or `custom(<url>)`. */
  get environment() {
    return credentialsNative.get(this).environment
  }
  get identity() {
    return credentialsNative.get(this).identity
  }
  get certificateExpiryUnix() {
    return credentialsNative.get(this).certificateExpiryUnix
  }
  get certificateExpiry() {
    return new Date(this.certificateExpiryUnix * 1000)
  }
  get issuedAtUnix() {
    return credentialsNative.get(this).issuedAtUnix
  }
  get issuedAt() {
    return new Date(this.issuedAtUnix * 1000)
  }
  get complianceRequestId() {
    return credentialsNative.get(this).complianceRequestId ?? null
  }
  get productionRequestId() {
    return credentialsNative.get(this).productionRequestId ?? null
  }

  /** Renews the production CSID with a new OTP; resolves to the new credentials. */
  renew(otp, options, onProgress) {
    return renew(this, otp, options, onProgress)
  }

  /** What may be logged: no key, no secret, no token. */
  toJSON() {
    const id = this.identity
    return {
      environment: this.environment,
      commonName: id.commonName,
      vatNumber: id.organizationIdentifier,
      invoiceType: id.invoiceType,
      complianceRequestId: this.complianceRequestId,
      productionRequestId: this.productionRequestId,
      certificateExpiry: this.certificateExpiry.toISOString(),
      issuedAt: this.issuedAt.toISOString(),
    }
  }

  toString() {
    const s = this.toJSON()
    return `EgsCredentials(${s.environment}, ${s.commonName}, VAT ${s.vatNumber}, expires ${s.certificateExpiry})`
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString()
  }
}

function credentialsOf(value) {
  if (value instanceof EgsCredentials) return credentialsNative.get(value)
  if (typeof value === 'string') return credentialsNative.get(EgsCredentials.fromJson(value))
  throw typeError(`credentials must be EgsCredentials or their JSON text, not ${describe(value)}`)
}

/**
 * Onboards an EGS unit: key, CSR, compliance CSID with the OTP, compliance samples, production
 * CSID. `onProgress({step, index, total})` is called as each step starts.
 */
function onboard(who, otp, environment, options, onProgress) {
  return callAsync(async () => {
    const id = identity(who)
    text(otp, 'otp')
    text(environment, 'environment')
    const json = optionsJson(options, 'options')
    const callback = progressCallback(onProgress)
    const inner = await settled(native.onboard(id, otp, environment, json, callback), callback)
    return new EgsCredentials(INTERNAL, inner)
  })
}

/** Renews the production CSID of `credentials` with a new OTP. */
function renew(credentials, otp, options, onProgress) {
  return callAsync(async () => {
    const inner = credentialsOf(credentials)
    text(otp, 'otp')
    const json = optionsJson(options, 'options')
    const callback = progressCallback(onProgress)
    return new EgsCredentials(INTERNAL, await settled(inner.renew(otp, json, callback), callback))
  })
}

// ------------------------------------------------------------------------------------------------
// The Fatoora API client
// ------------------------------------------------------------------------------------------------

/** The six Fatoora calls of one environment; each resolves to one flat answer. */
class ApiClient {
  #native

  /** `environment`: `developer-portal`, `simulation`, `core` or a base URL. */
  constructor(environment, options) {
    text(environment, 'environment')
    const json = optionsJson(options, 'options')
    this.#native = call(() => new native.ApiClient(environment, json))
  }

  /** `POST /compliance` (`csr`: the base64 form). */
  complianceCsid(csr, otp) {
    return callAsync(() => this.#native.complianceCsid(text(csr, 'csr'), text(otp, 'otp')))
  }

  /** `POST /compliance/invoices`. */
  complianceInvoice(token, secret, signedXml) {
    return callAsync(() =>
      this.#native.complianceInvoice(text(token, 'token'), text(secret, 'secret'), buffer(signedXml, 'signedXml')),
    )
  }

  /** `POST /production/csids`. */
  productionCsid(token, secret, complianceRequestId) {
    return callAsync(() =>
      this.#native.productionCsid(text(token, 'token'), text(secret, 'secret'), text(complianceRequestId, 'complianceRequestId')),
    )
  }

  /** `PATCH /production/csids` (renewal). */
  renewProductionCsid(token, secret, csr, otp) {
    return callAsync(() =>
      this.#native.renewProductionCsid(text(token, 'token'), text(secret, 'secret'), text(csr, 'csr'), text(otp, 'otp')),
    )
  }

  /** `POST /invoices/clearance/single`. */
  clearance(token, secret, signedXml) {
    return callAsync(() =>
      this.#native.clearance(text(token, 'token'), text(secret, 'secret'), buffer(signedXml, 'signedXml')),
    )
  }

  /** `POST /invoices/reporting/single`. */
  reporting(token, secret, signedXml) {
    return callAsync(() =>
      this.#native.reporting(text(token, 'token'), text(secret, 'secret'), buffer(signedXml, 'signedXml')),
    )
  }
}

// ------------------------------------------------------------------------------------------------
// The durable engine
// ------------------------------------------------------------------------------------------------

const MAX_U32 = 0xffffffff

// The engine records' time fields (seconds since the Unix epoch from the core; the core names
// them), as `Date`s.
const TIME_FIELDS = native.timeFields().map((name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase()))
// Where records nest records; the platform's own JSON (`response`, `messages`, `data`) is never walked.
const NESTED_RECORDS = ['info', 'document', 'lastError']

/** An engine record (or a list of them) with its times as `Date`s, changed in place. */
function dated(value) {
  if (Array.isArray(value)) {
    value.forEach(dated)
  } else if (value !== null && typeof value === 'object' && !(value instanceof Error)) {
    for (const key of TIME_FIELDS) {
      if (typeof value[key] === 'number') value[key] = new Date(value[key] * 1000)
    }
    for (const key of NESTED_RECORDS) dated(value[key])
  }
  return value
}

/**
 * The durable engine behind one store. Store calls are synchronous (local SQLite); network work
 * (`clear`, `drain`, `renewEgs`, `stop`) returns Promises. The background worker runs on the core's own
 * threads and never keeps the process alive.
 */
class Engine {
  #native

  /** `new Engine(options)`: the same as `Engine.open(options)`. */
  constructor(options, inner) {
    if (options === INTERNAL) {
      this.#native = inner
      return
    }
    this.#native = Engine.open(options).#native
  }

  /**
   * Opens the store. Options: `store` (SQLite path or `:memory:`), `environment`, `masterKey`
   * (else QAYD_MASTER_KEY), `retryBaseMs`, `retryCapMs`, `maxAttempts`, `clearWaitMs`,
   * `pollIntervalMs`, `timeoutMs`, `connectTimeoutMs`.
   */
  static open(options) {
    if (!isPlainObject(options)) throw typeError(`options must be an object, not ${describe(options)}`)
    const json = optionsJson(options, 'options')
    return new Engine(INTERNAL, call(() => native.Engine.open(json)))
  }

  get #engine() {
    if (this.#native === null) throw new InvalidInputError('the engine is closed')
    return this.#native
  }

  registerEgs(egsId) {
    text(egsId, 'egsId')
    return call(() => this.#engine.registerEgs(egsId))
  }

  /** Stores the unit's production credentials, sealed with the master key, and its identity. */
  setCredentials(egsId, credentials) {
    text(egsId, 'egsId')
    const inner = credentialsOf(credentials)
    return call(() => this.#engine.setCredentials(egsId, inner))
  }

  /** Issues an invoice now (next ICV, PIH, stamp; stored as pending); never waits for the network. */
  issue(egsId, invoice) {
    text(egsId, 'egsId')
    const json = modelJson(invoice, 'invoice')
    return dated(call(() => this.#engine.issue(egsId, json)))
  }

  /**
   * Issues a batch in one transaction, in order: per model its document, or the `QaydError`
   * that refused that model alone (the others are issued and chained without it).
   */
  issueMany(egsId, invoices) {
    text(egsId, 'egsId')
    if (!Array.isArray(invoices)) throw typeError(`invoices must be an array, not ${describe(invoices)}`)
    const json = invoices.map((invoice, i) => modelJson(invoice, `invoices[${i}]`))
    return call(() => this.#engine.issueMany(egsId, json)).map(({ document, error }) => {
      if (error == null) return dated(document)
      const cls = ERROR_CLASSES[error.code] || QaydError
      return new cls(error.message, { code: error.code, rule: error.rule ?? null, status: error.status ?? null })
    })
  }

  /** Issues a standard invoice and waits (up to `clearWaitMs`) for its clearance. */
  clear(egsId, invoice) {
    return callAsync(() => this.#engine.clear(text(egsId, 'egsId'), modelJson(invoice, 'invoice'))).then(dated)
  }

  /** One pass over the outbox: sends everything due. */
  drain() {
    return callAsync(() => this.#engine.drain())
  }

  /**
   * Renews the unit's production CSID with a new OTP from what the store holds; the stored
   * credentials are replaced only once the platform issued the new certificate.
   */
  renewEgs(egsId, otp) {
    return callAsync(() => this.#engine.renewEgs(text(egsId, 'egsId'), text(otp, 'otp'))).then(dated)
  }

  /** Starts the background worker (a no-op when it runs). */
  start() {
    return call(() => this.#engine.start())
  }

  get isRunning() {
    return this.#native !== null && this.#native.isRunning
  }

  /** Stops the background worker gracefully (in-flight requests finish) and waits for it. */
  stop() {
    return callAsync(() => this.#engine.stop())
  }

  /** Stops the worker and releases the store; later calls throw. Closing twice is a no-op. */
  async close() {
    if (this.#native === null) return
    await this.stop()
    this.#native = null
  }

  [Symbol.asyncDispose]() {
    return this.close()
  }

  /** Events after `cursor` (0: from the start), oldest first. */
  events(cursor = 0, limit = 100) {
    integer(cursor, 'cursor')
    integer(limit, 'limit', { max: MAX_U32 })
    return dated(call(() => this.#engine.events(cursor, limit)))
  }

  /** One document with its bytes, or null. */
  document(egsId, icv) {
    text(egsId, 'egsId')
    integer(icv, 'icv')
    return dated(call(() => this.#engine.document(egsId, icv)) ?? null)
  }

  /** The QR payload to print for a stored document (the cleared XML's once cleared), or null. */
  documentQr(egsId, icv) {
    text(egsId, 'egsId')
    integer(icv, 'icv')
    return call(() => this.#engine.documentQr(egsId, icv)) ?? null
  }

  documentByUuid(uuid) {
    text(uuid, 'uuid')
    return dated(call(() => this.#engine.documentByUuid(uuid)) ?? null)
  }

  /** A unit's documents in chain order, without their bytes. */
  documents(egsId) {
    text(egsId, 'egsId')
    return dated(call(() => this.#engine.documents(egsId)))
  }

  documentsByStatus(status, limit = 100) {
    text(status, 'status')
    integer(limit, 'limit', { max: MAX_U32 })
    return dated(call(() => this.#engine.documentsByStatus(status, limit)))
  }

  /** How many documents are in each status. */
  statusCounts() {
    return call(() => this.#engine.statusCounts())
  }

  egsUnits() {
    return dated(call(() => this.#engine.egsUnits()))
  }

  /** Sends a dead document again; false if it is not dead. */
  requeue(egsId, icv) {
    text(egsId, 'egsId')
    integer(icv, 'icv')
    return call(() => this.#engine.requeue(egsId, icv))
  }

  /** Lets a unit stopped by an `unauthorized` answer send again. */
  resumeEgs(egsId) {
    text(egsId, 'egsId')
    return call(() => this.#engine.resumeEgs(egsId))
  }

  /** Documents a killed process left in flight become due again; how many. */
  recover() {
    return call(() => this.#engine.recover())
  }

  /** The store's and the worker's metrics in the Prometheus text format, for the application's web server to serve at /metrics. */
  metrics() {
    return call(() => this.#engine.metrics())
  }

  /** The audit log as JSON lines. */
  exportAudit() {
    return call(() => this.#engine.exportAudit())
  }

  /**
   * What the background worker has been doing: passes, consecutive failures and the last error
   * of a pass (a wrong master key, an unreachable database: the worker keeps retrying them).
   */
  workerHealth() {
    return dated(call(() => this.#engine.workerHealth()))
  }

  /** Whether the hash-linked audit log is intact. */
  verifyAudit() {
    return call(() => this.#engine.verifyAudit())
  }
}

/** The surface's enums, `{ UPPER_NAME: 'value' }`, from the core's own lists. */
const ENUMS = Object.fromEntries(
  Object.entries(native.enumValues()).map(([name, values]) => [
    name,
    Object.freeze(Object.fromEntries(values.map((value) => [value.toUpperCase(), value]))),
  ]),
)

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
  pdf,
  qrDecode,
  qrSvg,
  qrPng,
  qrText,
  generatePrivateKeyPem,
  generateMasterKey,
  identityFromText,
  buildCsr,
  sampleInvoice,
  sampleInvoiceJson,
  onboard,
  renew,
  Credentials: EgsCredentials,
  EgsCredentials,
  ApiClient,
  Engine,
  DocumentStatus: ENUMS.DocumentStatus,
  ClearOutcome: ENUMS.ClearOutcome,
  ApiOutcome: ENUMS.ApiOutcome,
  EventKind: ENUMS.EventKind,
  Severity: ENUMS.Severity,
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
