// Hand-written companions of the generated bindings: conversions only, no behaviour.
package sa.qayd

/**
 * The stable, language-neutral code of any [QaydException] (`INVALID_XML`, `KEY_MISMATCH`, …),
 * so callers can log or switch on it without matching every subclass. Each subclass also has
 * its own `code` property; this one works on the sealed base type.
 */
val QaydException.code: String
    get() = when (this) {
        is QaydException.InvalidXml -> this.code
        is QaydException.InvalidDocument -> this.code
        is QaydException.InvalidModel -> this.code
        is QaydException.InvalidKey -> this.code
        is QaydException.InvalidCertificate -> this.code
        is QaydException.KeyMismatch -> this.code
        is QaydException.InvalidQr -> this.code
        is QaydException.InvalidInput -> this.code
        is QaydException.Network -> this.code
        is QaydException.Http -> this.code
        is QaydException.Unauthorized -> this.code
        is QaydException.ApiRejected -> this.code
        is QaydException.EnvironmentMismatch -> this.code
        is QaydException.UnexpectedResponse -> this.code
        is QaydException.Storage -> this.code
        is QaydException.Secret -> this.code
        is QaydException.Other -> this.code
    }

/** The human-readable message of any [QaydException]. */
val QaydException.reason: String
    get() = when (this) {
        is QaydException.InvalidXml -> this.reason
        is QaydException.InvalidDocument -> this.reason
        is QaydException.InvalidModel -> this.reason
        is QaydException.InvalidKey -> this.reason
        is QaydException.InvalidCertificate -> this.reason
        is QaydException.KeyMismatch -> this.reason
        is QaydException.InvalidQr -> this.reason
        is QaydException.InvalidInput -> this.reason
        is QaydException.Network -> this.reason
        is QaydException.Http -> this.reason
        is QaydException.Unauthorized -> this.reason
        is QaydException.ApiRejected -> this.reason
        is QaydException.EnvironmentMismatch -> this.reason
        is QaydException.UnexpectedResponse -> this.reason
        is QaydException.Storage -> this.reason
        is QaydException.Secret -> this.reason
        is QaydException.Other -> this.reason
    }

/**
 * The family of any [QaydException]: [ErrorKind.INPUT] errors are the caller's to fix (bad XML, a
 * model ZATCA's rules refuse, a wrong key, bad arguments), [ErrorKind.API] ones come from talking
 * to Fatoora, [ErrorKind.STORAGE] and [ErrorKind.SECRET] are local faults. The core decides it.
 */
val QaydException.kind: ErrorKind
    get() = when (this) {
        is QaydException.InvalidXml -> this.kind
        is QaydException.InvalidDocument -> this.kind
        is QaydException.InvalidModel -> this.kind
        is QaydException.InvalidKey -> this.kind
        is QaydException.InvalidCertificate -> this.kind
        is QaydException.KeyMismatch -> this.kind
        is QaydException.InvalidQr -> this.kind
        is QaydException.InvalidInput -> this.kind
        is QaydException.Network -> this.kind
        is QaydException.Http -> this.kind
        is QaydException.Unauthorized -> this.kind
        is QaydException.ApiRejected -> this.kind
        is QaydException.EnvironmentMismatch -> this.kind
        is QaydException.UnexpectedResponse -> this.kind
        is QaydException.Storage -> this.kind
        is QaydException.Secret -> this.kind
        is QaydException.Other -> this.kind
    }
