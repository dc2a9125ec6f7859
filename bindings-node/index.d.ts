// Type definitions of qayd for Node.js (the API of index.js over the native addon).

/// <reference types="node" />

/** A document, certificate or key: bytes, or a string taken as UTF-8. */
export type Data = Buffer | Uint8Array | string

/** The engine's version. */
export const version: string
/** The PIH of the first document of every EGS unit. */
export const GENESIS_PIH: string
/** Every core error code, without the `QAYD_` prefix (e.g. `INVALID_XML`). */
export const ERROR_CODES: readonly string[]

/** The invoice hash: base64 SHA-256 of the C14N 1.1 canonical invoice without its stamp. */
export function invoiceHash(xml: Data): string

/**
 * The unsigned UBL 2.1 document of an invoice model (its JSON text, or an object that
 * JSON.stringify turns into it): validated against ZATCA's rules, totals computed, SDK layout.
 * @throws {InvalidModelError} a broken rule (`rule` names it) @throws {InvalidInputError} bad JSON
 */
export function generate(model: Data | Record<string, unknown>): Buffer

export interface StampOptions {
  /** `xades:SigningTime` as `YYYY-MM-DDTHH:MM:SS` (Riyadh time); omitted = now. */
  signingTime?: string | null
}

/** A stamped document and the values the Fatoora API call and the chain need. */
export interface StampedInvoice {
  /** The stamped XML bytes (base64 them for the API's `invoice` field). */
  xml: Buffer
  /** Base64 invoice hash: the API's `invoiceHash` and the next document's PIH. */
  invoiceHash: string
  /** `cbc:UUID`, the API's `uuid`. */
  uuid: string
  /** `ds:SignatureValue`, base64 DER. */
  signature: string
  /** The QR payload (base64 TLV). */
  qr: string
  /** `xades:SigningTime` as written. */
  signingTime: string
}

export interface CertificateInfo {
  /** `ds:X509IssuerName`: RDNs most specific first, joined by ", ". */
  issuerName: string
  /** `ds:X509SerialNumber`, decimal (it exceeds 2^53). */
  serialNumber: string
  notBefore: Date
  notAfter: Date
  notBeforeUnix: number
  notAfterUnix: number
  /** One-line base64 of the DER. */
  base64: string
  /** QR tag 8: the DER SubjectPublicKeyInfo. */
  publicKey: Buffer
}

/** A certificate and the private key that signs with it, checked to belong together. */
export class Signer {
  /**
   * Both accept PEM, DER or the SDK's bare base64; the certificate also a Fatoora
   * `binarySecurityToken`.
   * @throws {InvalidCertificateError | InvalidKeyError | KeyMismatchError}
   */
  constructor(certificate: Data, privateKey: Data)
  /**
   * Stamps an invoice: hash, XAdES signature, QR code, spliced into the caller's bytes.
   * @throws {InvalidXmlError | InvalidDocumentError | InvalidQrError | InvalidInputError}
   */
  stamp(xml: Data, options?: StampOptions): StampedInvoice
  /**
   * Stamps an invoice model in one call (no re-parse): the bytes of `stamp(generate(model))`.
   * @throws {InvalidModelError | InvalidInputError}
   */
  stampInvoice(model: InvoiceInput, options?: StampOptions): StampedInvoice
  /** The signing certificate. */
  readonly certificate: CertificateInfo
}

export interface Check {
  /** Stable identifier: `invoice_hash`, `signature`, `qr`, `pih`, … */
  name: string
  passed: boolean
  message: string
}

export interface VerificationReport {
  /** True when every check passed. */
  valid: boolean
  /** The invoice hash recomputed from the document. */
  invoiceHash: string
  checks: Check[]
  /** The checks that failed. */
  failures: Check[]
}

/**
 * Verifies a stamped invoice check by check.
 * @throws {InvalidXmlError | InvalidDocumentError} only when the input is not an invoice
 */
export function verify(xml: Data): VerificationReport

/** A validation finding's severity. The values are the core's strings, the same in every language. */
export const Severity: {
  readonly ERROR: 'error'
  readonly WARNING: 'warning'
}
export type Severity = (typeof Severity)[keyof typeof Severity]

export interface Finding {
  /** The rule id (`BR-KSA-37`) or, for schema checks, `XSD-…`. */
  rule: string
  severity: Severity
  /** Where, XPath-like: `/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount`. */
  path: string
  messageEn: string
  messageAr: string
  /** What to change, with the values found and expected. */
  fix: string
}

export interface ValidationReport {
  /** True when there is no error (warnings allowed). */
  valid: boolean
  findings: Finding[]
  errors: Finding[]
  warnings: Finding[]
}

/**
 * Validates an invoice against the UBL structure and ZATCA's business rules (KSA and EN 16931).
 * @throws {InvalidXmlError | InvalidDocumentError} only when the input is not an invoice
 */
export function validate(xml: Data): ValidationReport

export interface PdfOptions {
  /** A PNG shown at the top of the page (scaled to at most 150 × 48 pt). */
  logo?: Buffer | Uint8Array | null
  /** A line or two at the foot of the document (bank details, a thank-you). */
  footer?: string | null
}

/**
 * A stamped document as a bilingual (Arabic and English) PDF/A-3b page with its QR code and the
 * signed XML embedded unchanged (`AFRelationship /Source`), as PDF bytes.
 * @throws {InvalidXmlError | InvalidDocumentError} the input is not a stamped invoice
 * @throws {InvalidInputError} `options.logo` is not a PNG
 */
export function pdf(xml: Data, options?: PdfOptions): Buffer

export interface QrField {
  tag: number
  /** What the tag means (`seller_name`, `vat_number`, …). */
  name: string
  /** Text for tags 1–7, base64 of the raw bytes for tags 8 and 9. */
  value: string
  raw: Buffer
}

/** @throws {InvalidQrError} */
export function qrDecode(qr: string): QrField[]
/** An SVG image of the QR code. */
export function qrSvg(qr: string): string
/** A PNG image of the QR code, `scale` pixels per module (default 8, clamped to 1..64). */
export function qrPng(qr: string, scale?: number): Buffer
/** The QR code drawn with Unicode half blocks, for a terminal. */
export function qrText(qr: string): string

// ------------------------------------------------------------------------------------------------
// Keys, identities, CSRs
// ------------------------------------------------------------------------------------------------

/** `developer-portal`, `simulation`, `core`, or an `http(s)://` base URL (e.g. the local gateway). */
export type Environment = 'developer-portal' | 'simulation' | 'core' | (string & {})

/** An EGS unit's identity: the nine values of the SDK's `csr-config` properties. */
export interface Identity {
  /** `csr.common.name`: the EGS unit name or asset tracking number. */
  commonName: string
  /** `csr.serial.number`: `1-<solution>|2-<model>|3-<serial>`. */
  serialNumber: string
  /** `csr.organization.identifier`: the VAT number (15 digits, first and last `3`). */
  organizationIdentifier: string
  /** `csr.organization.unit.name`: the branch (for a VAT group: the member's 10-digit TIN). */
  organizationUnitName: string
  /** `csr.organization.name`: the taxpayer's name. */
  organizationName: string
  /** `csr.country.name`: ISO 3166 alpha-2 (`SA`). */
  countryName: string
  /** `csr.invoice.type`: four 0/1 flags `TSCZ` (`1100` = standard and simplified). */
  invoiceType: string
  /** `csr.location.address`: the branch's short address. */
  locationAddress: string
  /** `csr.industry.business.category`. */
  industryBusinessCategory: string
}

/**
 * An identity: the object (camelCase, or the JSON form's snake_case keys), or its text (the SDK's
 * `.properties` file or the JSON form).
 */
export type IdentityInput = Identity | Record<string, string> | string

/** A new secp256k1 private key, SEC1 PEM. */
export function generatePrivateKeyPem(): string
/** A new random master key, base64: what `QAYD_MASTER_KEY` and `Engine.open({ masterKey })` take. */
export function generateMasterKey(): string
/**
 * An identity read from the SDK's `csr-config` `.properties` text or its JSON form.
 * @throws {InvalidInputError} a missing or invalid value
 */
export function identityFromText(text: string): Identity

export interface Csr {
  /** `-----BEGIN CERTIFICATE REQUEST-----`… */
  pem: string
  /** Base64 of the PEM text: the `csr` field of `POST /compliance`. */
  base64: string
}

/**
 * The CSR of an identity for an environment, signed with the private key (PEM, DER or base64).
 * @throws {InvalidKeyError | InvalidInputError}
 */
export function buildCsr(identity: IdentityInput, privateKey: Data, environment: Environment): Csr

export type InvoiceKind = 'simplified' | 'standard'
export type DocumentType = 'invoice' | 'credit_note' | 'debit_note' | '388' | '381' | '383'

/**
 * A sample invoice of the identity (seller = its organisation and VAT number), issued now, in the
 * model's JSON form: for trying the engine. Defaults: `simplified`, `invoice`.
 * @throws {InvalidInputError} an unknown kind or document type
 */
export function sampleInvoice(
  identity: IdentityInput,
  kind?: InvoiceKind,
  documentType?: DocumentType,
): Record<string, unknown>
/** The same sample as JSON text. */
export function sampleInvoiceJson(identity: IdentityInput, kind?: InvoiceKind, documentType?: DocumentType): string

// ------------------------------------------------------------------------------------------------
// Onboarding
// ------------------------------------------------------------------------------------------------

/** HTTP client settings. */
export interface ClientOptions {
  /** Whole-exchange timeout in milliseconds (default 30 000). */
  timeoutMs?: number
  /** Connect timeout in milliseconds (default 10 000). */
  connectTimeoutMs?: number
}

/** One onboarding step starting: step `index` of `total` (1-based). */
export interface Progress {
  /** `generate key`, `build CSR`, `compliance CSID`, `compliance: standard invoice`, …, `production CSID`. */
  step: string
  index: number
  total: number
}

/**
 * Called as each step starts, on the event loop, before the Promise settles. A throw is reported
 * with `process.emitWarning` and onboarding goes on.
 */
export type ProgressCallback = (progress: Progress) => void

/**
 * An onboarded EGS unit's credentials. They hold the private key and the CSID secrets: only
 * `toSecretJson()` returns them; `toString()`, `toJSON()` (so `JSON.stringify`) and
 * `util.inspect` show none.
 */
export class EgsCredentials {
  private constructor()
  /**
   * Reads the JSON form (what `toSecretJson()` and the CLI's `onboard` write).
   * @throws {InvalidInputError}
   */
  static fromJson(json: string | Buffer | Uint8Array): EgsCredentials
  /** The JSON form, private key and secrets included: store it sealed or owner-readable only. */
  toSecretJson(): string
  /** The JSON form, secrets included (the same as `toSecretJson()`). */
  toJson(): string
  /** `developer-portal`, `simulation`, `core` or `custom(<url>)`. */
  readonly environment: string
  readonly identity: Identity
  /** The production certificate's end of validity. */
  readonly certificateExpiry: Date
  readonly certificateExpiryUnix: number
  /** When onboarding (or the last renewal) finished. */
  readonly issuedAt: Date
  readonly issuedAtUnix: number
  readonly complianceRequestId: string | null
  readonly productionRequestId: string | null
  /** Renews the production CSID with a new OTP (new key and CSR); resolves to the new credentials. */
  renew(otp: string, options?: ClientOptions, onProgress?: ProgressCallback): Promise<EgsCredentials>
  /** What may be logged: no key, no secret, no token. */
  toJSON(): {
    environment: string
    commonName: string
    vatNumber: string
    invoiceType: string
    complianceRequestId: string | null
    productionRequestId: string | null
    certificateExpiry: string
    issuedAt: string
  }
  toString(): string
}
/** The name every language uses for `EgsCredentials` (the same class). */
export { EgsCredentials as Credentials }

/**
 * Onboards an EGS unit: key, CSR, compliance CSID with the OTP, compliance samples, production
 * CSID. Rejects with `ApiRejectedError` (e.g. a wrong OTP; `status` 400), `NetworkError`, …
 */
export function onboard(
  identity: IdentityInput,
  otp: string,
  environment: Environment,
  options?: ClientOptions,
  onProgress?: ProgressCallback,
): Promise<EgsCredentials>

/** Renews the production CSID of `credentials` (or their JSON text) with a new OTP. */
export function renew(
  credentials: EgsCredentials | string,
  otp: string,
  options?: ClientOptions,
  onProgress?: ProgressCallback,
): Promise<EgsCredentials>

// ------------------------------------------------------------------------------------------------
// The Fatoora API client
// ------------------------------------------------------------------------------------------------

/** A message of ZATCA's validation results. */
export interface ApiMessage {
  /** `INFO`, `WARNING` or `ERROR`. */
  type: string | null
  /** A rule id (`BR-KSA-37`) or an error code (`invalid-invoice-hash`). */
  code: string | null
  category: string | null
  message: string | null
  /** `PASS`, `WARNING` or `ERROR`. */
  status: string | null
}

/** How the platform answered one call. The values are the core's strings, the same in every language. */
export const ApiOutcome: {
  readonly ACCEPTED: 'accepted'
  readonly ACCEPTED_WITH_WARNINGS: 'accepted_with_warnings'
  readonly REJECTED: 'rejected'
  readonly DUPLICATE: 'duplicate'
  readonly RETRYABLE: 'retryable'
  readonly UNAUTHORIZED: 'unauthorized'
  readonly COMPLIANCE_REQUIRED: 'compliance_required'
}
export type ApiOutcome = (typeof ApiOutcome)[keyof typeof ApiOutcome]

/** One answer, the same shape for every call. */
export interface ApiAnswer {
  outcome: ApiOutcome
  /** The HTTP status, when an answer arrived. */
  httpStatus: number | null
  /** The platform's JSON answer as sent (a CSID answer's `secret` included: it is yours). */
  response: Record<string, any> | null
  /** Error and warning messages. */
  messages: ApiMessage[]
  /** `retryable`: why. */
  reason: string | null
  /** `retryable`: the `Retry-After` the platform asked for, in milliseconds. */
  retryAfterMs: number | null
  /** Clearance: the cleared document ZATCA returned, decoded and checked. */
  clearedXml: Buffer | null
}

/**
 * The six Fatoora calls of one environment. Each resolves to an `ApiAnswer` for every answer the
 * platform gives (rejections, 401 and 429 included) and rejects with a `QaydError` otherwise
 * (network, unexpected answer, bad input).
 */
export class ApiClient {
  /** @throws {InvalidInputError} an unknown environment or option */
  constructor(environment: Environment, options?: ClientOptions)
  /** `POST /compliance` (`csr`: the base64 form). */
  complianceCsid(csr: string, otp: string): Promise<ApiAnswer>
  /** `POST /compliance/invoices` with the compliance CSID. */
  complianceInvoice(token: string, secret: string, signedXml: Data): Promise<ApiAnswer>
  /** `POST /production/csids`. */
  productionCsid(token: string, secret: string, complianceRequestId: string): Promise<ApiAnswer>
  /** `PATCH /production/csids` (renewal). */
  renewProductionCsid(token: string, secret: string, csr: string, otp: string): Promise<ApiAnswer>
  /** `POST /invoices/clearance/single`. */
  clearance(token: string, secret: string, signedXml: Data): Promise<ApiAnswer>
  /** `POST /invoices/reporting/single`. */
  reporting(token: string, secret: string, signedXml: Data): Promise<ApiAnswer>
}

// ------------------------------------------------------------------------------------------------
// The durable engine
// ------------------------------------------------------------------------------------------------

export interface EngineOptions extends ClientOptions {
  /** An SQLite file path or `:memory:`. */
  store: string
  /** Where to submit. Without it the engine issues but cannot submit. */
  environment?: Environment
  /** Base64 of 32 bytes; default `QAYD_MASTER_KEY`. Without either, credentials cannot be stored. */
  masterKey?: string
  /** Retry policy: first delay, longest delay (ms), attempts. */
  retryBaseMs?: number
  retryCapMs?: number
  maxAttempts?: number
  /** How long `clear` waits before answering `pending` (ms, default 10 000). */
  clearWaitMs?: number
  /** The worker's longest sleep between passes (ms, default 5 000). */
  pollIntervalMs?: number
  /** Local validation of every issued document (default `refuse_on_errors`). */
  validation?: 'refuse_on_errors' | 'refuse_on_warnings' | 'warn_only' | 'off'
  /** The largest submission request a document may need (bytes, default 2 MiB); larger ones are refused at issue, before they take an ICV. */
  maxSubmissionBytes?: number
  /** A folder the worker writes each accepted document into (`NNNNNN-<uuid>.xml`). */
  deliverDir?: string
  /** With `deliverDir`: a PDF/A-3 of each delivered document beside it. */
  deliverPdf?: boolean
}

/** Where a stored document stands. The values are the core's strings, the same in every language. */
export const DocumentStatus: {
  readonly PENDING: 'pending'
  readonly SUBMITTING: 'submitting'
  readonly CLEARED: 'cleared'
  readonly REPORTED: 'reported'
  readonly ACCEPTED_WITH_WARNINGS: 'accepted_with_warnings'
  readonly REJECTED: 'rejected'
  readonly RETRY_SCHEDULED: 'retry_scheduled'
  readonly DEAD: 'dead'
}
export type DocumentStatus = (typeof DocumentStatus)[keyof typeof DocumentStatus]

/** A stored document without its bytes. Times are `Date`s, as in every engine record. */
export interface DocumentInfo {
  egsId: string
  icv: number
  uuid: string
  invoiceHash: string
  pih: string
  simplified: boolean
  status: DocumentStatus
  issuedAt: Date
  attempts: number
  nextAttemptAt: Date | null
  lastError: string | null
  /** ZATCA's validation results of the last answer, as sent. */
  messages: Record<string, any> | null
  finishedAt: Date | null
}

/** A document: the stamped XML and, once cleared, ZATCA's cleared XML (the one to deliver). */
export interface Document {
  info: DocumentInfo
  xml: Buffer
  clearedXml: Buffer | null
  /** What local validation said when the document was issued (warnings); empty when read back. */
  findings: Finding[]
}

/** What `Engine.clear` ended in. The values are the core's strings, the same in every language. */
export const ClearOutcome: {
  readonly CLEARED: 'cleared'
  readonly CLEARED_WITH_WARNINGS: 'cleared_with_warnings'
  readonly PENDING: 'pending'
  readonly REJECTED: 'rejected'
  readonly DEAD: 'dead'
}
export type ClearOutcome = (typeof ClearOutcome)[keyof typeof ClearOutcome]

export interface ClearResult {
  outcome: ClearOutcome
  document: Document
}

export interface DrainReport {
  sent: number
  cleared: number
  reported: number
  acceptedWithWarnings: number
  duplicates: number
  rejected: number
  retryScheduled: number
  dead: number
  stoppedUnits: string[]
  /** Units left alone: their credentials belong to another environment than the engine's. */
  otherEnvironmentUnits: string[]
  /** Units that could not be processed; `code` is the core's error code, like a thrown error's. */
  errors: { egsId: string; code: string; message: string }[]
}

export interface RenewalOutcome {
  egsId: string
  /** The new certificate's end of validity. */
  notAfter: Date
  previousNotAfter: Date
  /** The new certificate's serial number (decimal), as documents carry it. */
  certificateSerial: string
  /** Compliance samples run again after a 428 `NOT_COMPLIANT` (0: renewed directly). */
  complianceSamples: number
  /** Documents sent under the previous CSID just before the switch. */
  sentBeforeRenewal: number
  /** Documents signed by the previous certificate still waiting to be sent. */
  unsentWithPreviousCertificate: number
}

/** What an engine event says. The values are the core's strings, the same in every language. */
export const EventKind: {
  readonly DEADLINE_AT_RISK: 'deadline_at_risk'
  readonly DEADLINE_MISSED: 'deadline_missed'
  readonly CLEARANCE_DELAYED: 'clearance_delayed'
  readonly CERTIFICATE_EXPIRING: 'certificate_expiring'
  readonly CERTIFICATE_RENEWED: 'certificate_renewed'
  readonly DOCUMENT_REPORTED: 'document_reported'
  readonly DOCUMENT_CLEARED: 'document_cleared'
  readonly DOCUMENT_ACCEPTED_WITH_WARNINGS: 'document_accepted_with_warnings'
  readonly DOCUMENT_REJECTED: 'document_rejected'
  readonly DEAD_LETTER: 'dead_letter'
  readonly UNAUTHORIZED: 'unauthorized'
}
export type EventKind = (typeof EventKind)[keyof typeof EventKind]

export interface EngineEvent {
  /** Increasing: pass the last one seen as the next cursor. */
  seq: number
  at: Date
  kind: EventKind
  egsId: string
  icv: number | null
  /** Details (UUID, messages, thresholds, expiry…). */
  data: Record<string, any>
}

/** An EGS unit (no secrets). */
export interface EgsInfo {
  egsId: string
  nextIcv: number
  lastHash: string
  hasCredentials: boolean
  environment: string | null
  certificateExpiry: Date | null
  /** Why sending is stopped (an `unauthorized` answer), if it is. */
  stopped: string | null
}

export interface WorkerError {
  at: Date
  code: ErrorCode
  message: string
  egsId: string | null
}

export interface WorkerHealth {
  passes: number
  lastPassAt: Date | null
  consecutiveFailures: number
  lastError: WorkerError | null
}

export interface AuditCheck {
  intact: boolean
  rows: number
  /** The hash of the last row (keep it elsewhere to detect truncation). */
  head: string
  brokenAt: number | null
  brokenReason: string | null
}

/** An invoice model: a plain object, its JSON text, or that text's bytes. */
export type InvoiceInput = Record<string, unknown> | Data

/**
 * The durable engine behind one store. Store calls are synchronous (local SQLite, well under a
 * millisecond to a few ms); network work (`clear`, `drain`, `renewEgs`, `stop`) returns Promises. The
 * background worker runs on the core's threads and never keeps the process alive; `stop()` or
 * `close()` before exit lets in-flight requests finish (a killed request is recovered at the
 * next `start()`).
 */
export class Engine {
  /** Opens the store, as `Engine.open(options)`. @throws {InvalidInputError | SecretError | StorageError} */
  constructor(options: EngineOptions)
  /** @throws {InvalidInputError | SecretError | StorageError} */
  static open(options: EngineOptions): Engine
  registerEgs(egsId: string): void
  /**
   * Stores the unit's production credentials, sealed with the master key, and its identity (the
   * CSR values `renewEgs` needs). @throws {SecretError} no master key
   */
  setCredentials(egsId: string, credentials: EgsCredentials | string): void
  /**
   * Issues an invoice now: next ICV, PIH, stamp, stored as `pending`. Never waits for the network.
   * @throws {InvalidModelError | InvalidInputError | SecretError | StorageError}
   */
  issue(egsId: string, invoice: InvoiceInput): Document
  /**
   * A batch in one transaction, in order: per model its document, or the error that refused that
   * model alone (the others are issued and chained without it).
   */
  issueMany(egsId: string, invoices: InvoiceInput[]): Array<Document | QaydError>
  /** Issues a standard invoice and waits (up to `clearWaitMs`) for its clearance. */
  clear(egsId: string, invoice: InvoiceInput): Promise<ClearResult>
  /** One pass over the outbox: sends everything due. */
  drain(): Promise<DrainReport>
  /**
   * Renews the unit's production CSID with a new OTP from what the store holds (its identity
   * and current CSID); raises `certificate_renewed`. A failure leaves the stored credentials as
   * they were. @throws {ApiRejectedError | EnvironmentMismatchError | InvalidInputError}
   */
  renewEgs(egsId: string, otp: string): Promise<RenewalOutcome>
  /** Starts the background worker (a no-op when it runs). @throws {InvalidInputError} no environment */
  start(): void
  readonly isRunning: boolean
  /** Stops the background worker gracefully and waits for it (a no-op when it does not run). */
  stop(): Promise<void>
  /** Stops the worker and releases the engine; later calls throw `InvalidInputError`. */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
  /** Events after `cursor` (default 0: from the start), oldest first, at most `limit` (default 100). */
  events(cursor?: number, limit?: number): EngineEvent[]
  document(egsId: string, icv: number): Document | null
  documentByUuid(uuid: string): Document | null
  /** The QR payload to print for a stored document (the cleared XML's once cleared), or null. */
  documentQr(egsId: string, icv: number): string | null
  /** A unit's documents in chain order. */
  documents(egsId: string): DocumentInfo[]
  /** Documents in `status` (all units), oldest first, at most `limit` (default 100). */
  documentsByStatus(status: DocumentStatus, limit?: number): DocumentInfo[]
  statusCounts(): Partial<Record<DocumentStatus, number>>
  egsUnits(): EgsInfo[]
  /** Sends a dead document again; false if it is not dead. */
  requeue(egsId: string, icv: number): boolean
  /** Lets a unit stopped by an `unauthorized` answer send again. */
  resumeEgs(egsId: string): void
  /** Documents a killed process left in flight become due again; how many. */
  recover(): number
  /** The store's and the worker's metrics in the Prometheus text format, for the application's web server to serve at /metrics. */
  metrics(): string
  /** The audit log as JSON lines. */
  exportAudit(): string
  verifyAudit(): AuditCheck
  /** What the background worker has been doing (it keeps retrying failed passes). */
  workerHealth(): WorkerHealth
}

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_XML'
  | 'INVALID_DOCUMENT'
  | 'INVALID_MODEL'
  | 'INVALID_KEY'
  | 'INVALID_CERTIFICATE'
  | 'KEY_MISMATCH'
  | 'INVALID_QR'
  | 'NETWORK'
  | 'HTTP'
  | 'UNAUTHORIZED'
  | 'API_REJECTED'
  | 'ENVIRONMENT_MISMATCH'
  | 'UNEXPECTED_RESPONSE'
  | 'STORAGE'
  | 'SECRET'

/** Base class of every error qayd throws. */
export class QaydError extends Error {
  constructor(message: string, options?: { code?: string; rule?: string | null; status?: number | null; cause?: unknown })
  /** The core's stable error code (`API_REJECTED`), the same in every language. */
  code: ErrorCode | string
  /** The business rule concerned (e.g. `BR-KSA-40`), for `InvalidModelError`; otherwise null. */
  rule: string | null
  /** The HTTP status Fatoora answered with, for API errors that had one; otherwise null. */
  status: number | null
  static code: string
}
/** Any problem with the caller's input; the parent of all classes below. */
export class InvalidInputError extends QaydError {}
export class InvalidXmlError extends InvalidInputError {}
export class InvalidDocumentError extends InvalidInputError {}
export class InvalidModelError extends InvalidInputError {}
export class InvalidKeyError extends InvalidInputError {}
export class InvalidCertificateError extends InvalidInputError {}
export class KeyMismatchError extends InvalidInputError {}
export class InvalidQrError extends InvalidInputError {}
/** A problem talking to the Fatoora platform (or the gateway); the parent of the classes below. */
export class ApiError extends QaydError {}
/** Unreachable or timed out; sending again later is safe. */
export class NetworkError extends ApiError {}
/** An HTTP status the call does not expect. */
export class HttpError extends ApiError {}
/** HTTP 401: wrong or expired CSID. */
export class UnauthorizedError extends ApiError {}
/** HTTP 400: Fatoora refused the request. */
export class ApiRejectedError extends ApiError {}
/** Credentials of one environment about to be sent to another. */
export class EnvironmentMismatchError extends ApiError {}
/** Not what Fatoora sends (HTML, garbage, missing fields). */
export class UnexpectedResponseError extends ApiError {}
/** The invoice store failed; the transaction was rolled back. */
export class StorageError extends QaydError {}
/** Sealed secrets could not be opened (wrong master key, tampered data) or no key is set. */
export class SecretError extends QaydError {}

/** The class of each code. */
export const ERROR_CLASSES: Readonly<Record<ErrorCode, typeof QaydError>>
