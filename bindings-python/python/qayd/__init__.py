"""qayd — ZATCA Phase 2 (Fatoora) e-invoicing: invoice hash, XAdES stamp, QR code, verification,
onboarding, the Fatoora API and the durable engine.

A thin face over the Rust engine: every function here is the engine's, with Python types::

    import qayd
    signer = qayd.Signer(open("cert.pem", "rb").read(), open("key.pem", "rb").read())
    stamped = signer.stamp(open("invoice.xml", "rb").read())
    report = qayd.verify(stamped.xml)
    assert report.valid, report.failures

Documents, certificates and keys are ``bytes`` (or ``str``, taken as UTF-8). Stamping, hashing
and verifying release the GIL, so threads stamp in parallel.

Network calls come in two forms with one naming rule: ``engine.drain()`` blocks (GIL released),
``await engine.drain_async()`` is its asyncio form (likewise ``onboard``/``onboard_async``,
``renew``, ``ApiClient.reporting`` …, ``Engine.clear``, ``Engine.stop``)::

    credentials = qayd.onboard(identity, "123456", "simulation", progress=print)
    with qayd.Engine(store="qayd.db", environment="simulation") as engine:   # QAYD_MASTER_KEY
        engine.set_credentials("till-1", credentials)
        engine.issue("till-1", invoice_dict)
        report = engine.drain()
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
    ApiClient,
    Certificate,
    Check,
    Credentials,
    Engine,
    Finding,
    QrField,
    Signer,
    StampedInvoice,
    ValidationReport,
    VerificationReport,
    __version__,
    build_csr,
    generate,
    generate_master_key,
    generate_private_key_pem,
    identity_from_text,
    invoice_hash,
    onboard,
    onboard_async,
    pdf,
    qr_decode,
    qr_png,
    qr_svg,
    qr_text,
    renew,
    renew_async,
    sample_invoice,
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
    "pdf",
    "qr_decode",
    "qr_svg",
    "qr_png",
    "qr_text",
    "QrField",
    "generate_master_key",
    "generate_private_key_pem",
    "identity_from_text",
    "build_csr",
    "sample_invoice",
    "onboard",
    "onboard_async",
    "renew",
    "renew_async",
    "Credentials",
    "ApiClient",
    "Engine",
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
