"""The exception classes of qayd, one per stable core error code.

Hierarchy::

    QaydError (Exception)                    .code, .rule
    ├── InvalidInputError (+ ValueError)      INVALID_INPUT   bad argument: time format, JSON, base64 …
    │   ├── InvalidXmlError                   INVALID_XML     not well-formed, DTD, too large/deep
    │   ├── InvalidDocumentError              INVALID_DOCUMENT well-formed but not a usable invoice
    │   ├── InvalidModelError                 INVALID_MODEL   a business rule is broken (.rule)
    │   ├── InvalidKeyError                   INVALID_KEY     unreadable / not secp256k1
    │   ├── InvalidCertificateError           INVALID_CERTIFICATE
    │   ├── KeyMismatchError                  KEY_MISMATCH    key does not belong to the certificate
    │   └── InvalidQrError                    INVALID_QR
    ├── ApiError                              talking to Fatoora (or the gateway); .status
    │   ├── NetworkError                      NETWORK         unreachable / timeout; safe to retry
    │   ├── HttpError                         HTTP            an HTTP status the call does not expect
    │   ├── UnauthorizedError                 UNAUTHORIZED    HTTP 401: wrong or expired CSID
    │   ├── ApiRejectedError                  API_REJECTED    HTTP 400: Fatoora refused the request
    │   ├── EnvironmentMismatchError          ENVIRONMENT_MISMATCH credentials of another environment
    │   └── UnexpectedResponseError           UNEXPECTED_RESPONSE not what Fatoora sends
    ├── StorageError                          STORAGE         the invoice store failed (rolled back)
    └── SecretError                           SECRET          sealed secrets cannot be opened

A code this package does not know yet (a newer core) is raised as a plain ``QaydError`` whose
``.code`` still carries it.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Type

__all__ = [
    "QaydError",
    "InvalidInputError",
    "InvalidXmlError",
    "InvalidDocumentError",
    "InvalidModelError",
    "InvalidKeyError",
    "InvalidCertificateError",
    "KeyMismatchError",
    "InvalidQrError",
    "ApiError",
    "NetworkError",
    "HttpError",
    "UnauthorizedError",
    "ApiRejectedError",
    "EnvironmentMismatchError",
    "UnexpectedResponseError",
    "StorageError",
    "SecretError",
]


class QaydError(Exception):
    """Base class of every error qayd raises. ``code`` is the core's stable error code."""

    code: Optional[str] = None
    #: The ZATCA / EN 16931 business rule concerned (e.g. ``BR-KSA-40``), where one applies.
    rule: Optional[str] = None
    #: The HTTP status of the answer that caused it (``ApiError``s), where one arrived.
    status: Optional[int] = None

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        rule: Optional[str] = None,
        status: Optional[int] = None,
    ):
        super().__init__(message)
        if code is not None:
            self.code = code
        if rule is not None:
            self.rule = rule
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> Tuple[Any, ...]:  # keep .code/.rule across pickling (multiprocessing pools)
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls: Type[QaydError], message: str, state: Dict[str, Any]) -> QaydError:
    error = cls.__new__(cls)
    QaydError.__init__(error, message)
    error.__dict__.update(state)
    return error


class InvalidInputError(QaydError, ValueError):
    """A malformed argument; the parent of every input problem below."""

    code = "INVALID_INPUT"


class InvalidXmlError(InvalidInputError):
    """Not well-formed XML, or a refused feature (DTD, entities), or too large / too deep."""

    code = "INVALID_XML"


class InvalidDocumentError(InvalidInputError):
    """Well-formed XML that is not a usable ZATCA invoice (root, namespace, missing element)."""

    code = "INVALID_DOCUMENT"


class InvalidModelError(InvalidInputError):
    """The invoice breaks a business rule; ``rule`` names it where one applies."""

    code = "INVALID_MODEL"


class InvalidKeyError(InvalidInputError):
    """A private key that cannot be read or is not on secp256k1."""

    code = "INVALID_KEY"


class InvalidCertificateError(InvalidInputError):
    """A certificate that cannot be read or does not carry a secp256k1 key."""

    code = "INVALID_CERTIFICATE"


class KeyMismatchError(InvalidInputError):
    """The private key does not belong to the certificate's public key."""

    code = "KEY_MISMATCH"


class InvalidQrError(InvalidInputError):
    """A QR payload that cannot be encoded or decoded."""

    code = "INVALID_QR"


class ApiError(QaydError):
    """A problem talking to the Fatoora platform (or the gateway); the parent of the classes below.

    ``status`` is the HTTP status of the answer (400 for ``ApiRejectedError``, 401 for
    ``UnauthorizedError`` …), or None when no answer arrived (``NetworkError``).
    """


class NetworkError(ApiError):
    """Fatoora could not be reached or did not answer in time; sending again later is safe."""

    code = "NETWORK"


class HttpError(ApiError):
    """Fatoora answered with an HTTP status the call does not expect."""

    code = "HTTP"


class UnauthorizedError(ApiError):
    """Fatoora refused the credentials (HTTP 401)."""

    code = "UNAUTHORIZED"


class ApiRejectedError(ApiError):
    """Fatoora examined the request and refused it (HTTP 400 with its error codes)."""

    code = "API_REJECTED"


class EnvironmentMismatchError(ApiError):
    """Credentials issued in one environment were about to be sent to another."""

    code = "ENVIRONMENT_MISMATCH"


class UnexpectedResponseError(ApiError):
    """The answer is not what Fatoora sends (HTML, garbage, missing fields)."""

    code = "UNEXPECTED_RESPONSE"


class StorageError(QaydError):
    """The invoice store (SQLite or PostgreSQL) failed; the transaction was rolled back."""

    code = "STORAGE"


class SecretError(QaydError):
    """Sealed secrets could not be opened (wrong master key, tampered data) or no key is set."""

    code = "SECRET"


_BY_CODE = {
    cls.code: cls
    for cls in (
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
    )
}

for _cls in (QaydError, ApiError, *_BY_CODE.values()):
    _cls.__module__ = "qayd"
del _cls


def _from_core(code: str, message: str, rule: Optional[str], status: Optional[int] = None) -> QaydError:
    """Called by the native module: the exception instance for a core error."""
    cls = _BY_CODE.get(code, QaydError)
    return cls(message, code=code, rule=rule, status=status)
