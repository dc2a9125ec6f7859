"""qayd — ZATCA Phase 2 (Fatoora) e-invoicing: invoice hash, XAdES stamp, QR code, verification.

A thin face over the Rust engine: every function here is the engine's, with Python types::

    import qayd
    signer = qayd.Signer(open("cert.pem", "rb").read(), open("key.pem", "rb").read())
    stamped = signer.stamp(open("invoice.xml", "rb").read())
    report = qayd.verify(stamped.xml)
    assert report.valid, report.failures

Documents, certificates and keys are ``bytes`` (or ``str``, taken as UTF-8). Stamping, hashing
and verifying release the GIL, so threads stamp in parallel.
"""

from __future__ import annotations

from ._errors import (
    ApiError,
    ApiRejectedError,
    EnvironmentMismatchError,
    HttpError,
    InvalidCertificateError,
    InvalidDocumentError,
    InvalidInputError,
    InvalidKeyError,
    InvalidModelError,
    InvalidQrError,
    InvalidXmlError,
    KeyMismatchError,
    NetworkError,
    QaydError,
    SecretError,
    StorageError,
    UnauthorizedError,
    UnexpectedResponseError,
)
from ._native import (
    ERROR_CODES,
    GENESIS_PIH,
    Certificate,
    Check,
    Finding,
    QrField,
    Signer,
    StampedInvoice,
    ValidationReport,
    VerificationReport,
    __version__,
    generate,
    invoice_hash,
    qr_decode,
    qr_png,
    qr_svg,
    qr_text,
    validate,
    verify,
)

__all__ = [
    "__version__",
    "GENESIS_PIH",
    "ERROR_CODES",
    "generate",
    "invoice_hash",
    "Signer",
    "Certificate",
    "StampedInvoice",
    "verify",
    "VerificationReport",
    "Check",
    "validate",
    "ValidationReport",
    "Finding",
    "qr_decode",
    "qr_svg",
    "qr_png",
    "qr_text",
    "QrField",
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
