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

export interface Finding {
  /** The rule id (`BR-KSA-37`) or, for schema checks, `XSD-…`. */
  rule: string
  severity: 'error' | 'warning'
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

export type ErrorCode =
  | 'QAYD_INVALID_INPUT'
  | 'QAYD_INVALID_XML'
  | 'QAYD_INVALID_DOCUMENT'
  | 'QAYD_INVALID_MODEL'
  | 'QAYD_INVALID_KEY'
  | 'QAYD_INVALID_CERTIFICATE'
  | 'QAYD_KEY_MISMATCH'
  | 'QAYD_INVALID_QR'
  | 'QAYD_NETWORK'
  | 'QAYD_HTTP'
  | 'QAYD_UNAUTHORIZED'
  | 'QAYD_API_REJECTED'
  | 'QAYD_ENVIRONMENT_MISMATCH'
  | 'QAYD_UNEXPECTED_RESPONSE'
  | 'QAYD_STORAGE'
  | 'QAYD_SECRET'

/** Base class of every error qayd throws. */
export class QaydError extends Error {
  constructor(message: string, options?: { code?: string; rule?: string | null; cause?: unknown })
  /** `QAYD_<CODE>`: the core's stable code with a prefix. */
  code: string
  /** The business rule concerned (e.g. `BR-KSA-40`), for `InvalidModelError`; otherwise null. */
  rule: string | null
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
