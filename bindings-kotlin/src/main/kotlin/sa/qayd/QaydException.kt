// The engine's exceptions, grouped by family. Hand-written: UniFFI generates an error enum as flat
// subclasses, so `catch (e: QaydException.InvalidInput)` could not catch `InvalidModel`.
// `uniffi.toml` excludes the Rust `QaydError` from the generated code; this file supplies what
// the generated calls use in its place (`QaydException.ErrorHandler` and
// `FfiConverterTypeQaydError`), reading the one shape the error crosses in (src/lib.rs).
package sa.qayd

import java.nio.ByteBuffer

/**
 * Every error of the engine: one class per stable core error code, grouped by family so one
 * `catch` takes a whole family, as in the Python binding:
 *
 * ```
 * QaydException                 code, kind, reason
 * ├── InvalidInput              INVALID_INPUT; the family INPUT: the caller's to fix
 * │   ├── InvalidXml            INVALID_XML
 * │   ├── InvalidDocument       INVALID_DOCUMENT
 * │   ├── InvalidModel          INVALID_MODEL (+ rule)
 * │   ├── InvalidKey            INVALID_KEY
 * │   ├── InvalidCertificate    INVALID_CERTIFICATE
 * │   ├── KeyMismatch           KEY_MISMATCH
 * │   └── InvalidQr             INVALID_QR
 * ├── Api                       the family API: talking to Fatoora (+ status, where an answer came)
 * │   ├── Network               NETWORK: unreachable or timed out; sending again later is safe
 * │   ├── Http                  HTTP
 * │   ├── Unauthorized          UNAUTHORIZED
 * │   ├── ApiRejected           API_REJECTED
 * │   ├── EnvironmentMismatch   ENVIRONMENT_MISMATCH
 * │   └── UnexpectedResponse    UNEXPECTED_RESPONSE
 * ├── Storage                   STORAGE (the family STORAGE)
 * ├── Secret                    SECRET (the family SECRET)
 * └── Other                     a code this version of the bindings does not know (never in practice)
 * ```
 *
 * The class nested in `QaydException` keeps its own name (`QaydException.InvalidModel`) wherever
 * it sits in the tree. `message` is `"CODE: reason"`.
 */
sealed class QaydException(
    /** The stable, language-neutral code (`INVALID_XML`, `KEY_MISMATCH`, …), the same in every binding. */
    val code: String,
    /** What went wrong, in words a person can act on. */
    val reason: String,
) : Exception("$code: $reason") {

    /**
     * The family, as the core assigns it: [ErrorKind.INPUT] errors are the caller's to fix,
     * [ErrorKind.API] ones come from talking to Fatoora, [ErrorKind.STORAGE] and
     * [ErrorKind.SECRET] are local faults. It is the family class's kind.
     */
    abstract val kind: ErrorKind

    /**
     * A malformed argument (`INVALID_INPUT`: bad JSON, base64, time format, …), and the family of
     * every error that is the caller's to fix: `catch (e: QaydException.InvalidInput)` also
     * catches [InvalidXml], [InvalidDocument], [InvalidModel], [InvalidKey],
     * [InvalidCertificate], [KeyMismatch] and [InvalidQr].
     */
    open class InvalidInput internal constructor(code: String, reason: String) : QaydException(code, reason) {
        constructor(reason: String) : this("INVALID_INPUT", reason)

        final override val kind: ErrorKind get() = ErrorKind.INPUT
    }

    /** Not well-formed XML, or a feature refused (DTD, entities), or too large or too deep. */
    class InvalidXml(reason: String) : InvalidInput("INVALID_XML", reason)

    /** Well-formed XML that is not a usable ZATCA invoice (root, namespace, a missing element). */
    class InvalidDocument(reason: String) : InvalidInput("INVALID_DOCUMENT", reason)

    /** The invoice model breaks a rule; [rule] names the ZATCA/EN 16931 rule where one applies (`BR-KSA-40`). */
    class InvalidModel(reason: String, val rule: String? = null) : InvalidInput("INVALID_MODEL", reason)

    /** A private key that cannot be read or is not on secp256k1. */
    class InvalidKey(reason: String) : InvalidInput("INVALID_KEY", reason)

    /** A certificate that cannot be read or does not carry a secp256k1 key. */
    class InvalidCertificate(reason: String) : InvalidInput("INVALID_CERTIFICATE", reason)

    /** The private key does not belong to the certificate's public key. */
    class KeyMismatch(reason: String) : InvalidInput("KEY_MISMATCH", reason)

    /** A QR payload that cannot be encoded or decoded. */
    class InvalidQr(reason: String) : InvalidInput("INVALID_QR", reason)

    /**
     * The family of errors from talking to Fatoora (or the local gateway). The platform's own
     * answers (rejected, duplicate, 401, 429, 5xx, unreachable) are `ApiAnswer.outcome`s; these
     * mean a call could not be made or understood.
     */
    sealed class Api(code: String, reason: String) : QaydException(code, reason) {
        final override val kind: ErrorKind get() = ErrorKind.API

        /** The HTTP status Fatoora answered with, or null when no answer came. */
        open val status: Int? get() = null
    }

    /** Fatoora could not be reached or did not answer in time; sending again later is safe. */
    class Network(reason: String) : Api("NETWORK", reason)

    /** Fatoora answered with an HTTP status the call does not expect (406, 413, 5xx, …). */
    class Http(reason: String, override val status: Int) : Api("HTTP", reason)

    /** Fatoora refused the credentials (HTTP 401): a wrong or expired CSID, or a wrong secret. */
    class Unauthorized(reason: String, override val status: Int = 401) : Api("UNAUTHORIZED", reason)

    /** Fatoora examined the request and refused it (HTTP 400 with its error codes). */
    class ApiRejected(reason: String, override val status: Int) : Api("API_REJECTED", reason)

    /** Credentials issued in one environment were about to be sent to another. */
    class EnvironmentMismatch(reason: String) : Api("ENVIRONMENT_MISMATCH", reason)

    /** The answer is not what Fatoora sends (a proxy, a captive portal or a wrong base URL). */
    class UnexpectedResponse(reason: String, override val status: Int) : Api("UNEXPECTED_RESPONSE", reason)

    /** The store (SQLite or PostgreSQL) failed; the transaction was rolled back. */
    class Storage(reason: String) : QaydException("STORAGE", reason) {
        override val kind: ErrorKind get() = ErrorKind.STORAGE
    }

    /** Sealed secrets could not be opened (a wrong or missing master key, tampered data). */
    class Secret(reason: String) : QaydException("SECRET", reason) {
        override val kind: ErrorKind get() = ErrorKind.SECRET
    }

    /**
     * A core error code these bindings have no class for. The native library ships inside this
     * jar, so it does not happen; the test suite fails while any core code lands here.
     */
    class Other(code: String, override val kind: ErrorKind, reason: String) : QaydException(code, reason)

    /**
     * Lifts the errors of the generated calls (`uniffiRustCallWithError(QaydException)`).
     * @suppress
     */
    companion object ErrorHandler : UniffiRustCallStatusErrorHandler<QaydException> {
        override fun lift(error_buf: RustBuffer.ByValue): QaydException = FfiConverterTypeQaydError.lift(error_buf)

        /** The class of [code]: the one place the codes meet the classes. */
        internal fun of(code: String, kind: ErrorKind, reason: String, rule: String?, status: Int?): QaydException =
            when (code) {
                "INVALID_INPUT" -> InvalidInput(reason)
                "INVALID_XML" -> InvalidXml(reason)
                "INVALID_DOCUMENT" -> InvalidDocument(reason)
                "INVALID_MODEL" -> InvalidModel(reason, rule)
                "INVALID_KEY" -> InvalidKey(reason)
                "INVALID_CERTIFICATE" -> InvalidCertificate(reason)
                "KEY_MISMATCH" -> KeyMismatch(reason)
                "INVALID_QR" -> InvalidQr(reason)
                "NETWORK" -> Network(reason)
                "HTTP" -> Http(reason, status ?: 0)
                "UNAUTHORIZED" -> Unauthorized(reason, status ?: 401)
                "API_REJECTED" -> ApiRejected(reason, status ?: 0)
                "ENVIRONMENT_MISMATCH" -> EnvironmentMismatch(reason)
                "UNEXPECTED_RESPONSE" -> UnexpectedResponse(reason, status ?: 0)
                "STORAGE" -> Storage(reason)
                "SECRET" -> Secret(reason)
                else -> Other(code, kind, reason)
            }
    }
}

/**
 * Reads and writes the one shape `QaydError` crosses in (src/lib.rs): the variant index 1, then
 * code, kind, reason, rule and status, in the Rust field order.
 * @suppress
 */
public object FfiConverterTypeQaydError : FfiConverterRustBuffer<QaydException> {
    private const val VARIANT = 1

    override fun read(buf: ByteBuffer): QaydException {
        val variant = buf.getInt()
        if (variant != VARIANT) {
            throw RuntimeException("QaydError variant $variant is unknown here: src/lib.rs and QaydException.kt disagree")
        }
        val code = FfiConverterString.read(buf)
        val kind = FfiConverterTypeErrorKind.read(buf)
        val reason = FfiConverterString.read(buf)
        val rule = FfiConverterOptionalString.read(buf)
        val status = FfiConverterOptionalInt.read(buf)
        return QaydException.of(code, kind, reason, rule, status)
    }

    override fun allocationSize(value: QaydException): ULong =
        4UL + FfiConverterString.allocationSize(value.code) + FfiConverterTypeErrorKind.allocationSize(value.kind) +
            FfiConverterString.allocationSize(value.reason) + FfiConverterOptionalString.allocationSize(value.rule()) +
            FfiConverterOptionalInt.allocationSize(value.status())

    override fun write(value: QaydException, buf: ByteBuffer) {
        buf.putInt(VARIANT)
        FfiConverterString.write(value.code, buf)
        FfiConverterTypeErrorKind.write(value.kind, buf)
        FfiConverterString.write(value.reason, buf)
        FfiConverterOptionalString.write(value.rule(), buf)
        FfiConverterOptionalInt.write(value.status(), buf)
    }

    private fun QaydException.rule(): String? = (this as? QaydException.InvalidModel)?.rule

    private fun QaydException.status(): Int? = (this as? QaydException.Api)?.status
}
