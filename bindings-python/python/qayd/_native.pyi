"""Type stubs of the native module (Rust, PyO3). Import from ``qayd``, not from here."""

from datetime import datetime
from typing import Any, Awaitable, Callable, Dict, Final, List, Literal, Mapping, Optional, Union, final
from ._errors import QaydError

_Data = Union[bytes, bytearray, str]

__all__ = [
    "ApiClient",
    "Certificate",
    "Check",
    "Credentials",
    "ERROR_CODES",
    "Engine",
    "Finding",
    "GENESIS_PIH",
    "QrField",
    "Signer",
    "StampedInvoice",
    "ValidationReport",
    "VerificationReport",
    "__version__",
    "build_csr",
    "generate",
    "generate_master_key",
    "generate_private_key_pem",
    "identity_from_text",
    "invoice_hash",
    "onboard",
    "onboard_async",
    "pdf",
    "qr_decode",
    "qr_png",
    "qr_svg",
    "qr_text",
    "renew",
    "renew_async",
    "sample_invoice",
    "validate",
    "verify",
]
__version__: Final[str]
GENESIS_PIH: Final[str]
ERROR_CODES: Final[List[str]]

def invoice_hash(xml: _Data) -> str:
    """The invoice hash: base64 SHA-256 of the C14N 1.1 invoice without its stamp."""

def generate(model: Union[_Data, Mapping[str, Any]]) -> bytes:
    """The unsigned UBL 2.1 document of an invoice model (its JSON form, or a dict of it):
    validated against ZATCA's rules, totals computed, written in the SDK's layout.
    Raises InvalidModelError (with ``.rule``) or InvalidInputError (malformed JSON)."""

@final
class Certificate:
    """A signing certificate (compliance or production CSID)."""

    def __new__(cls, certificate: _Data) -> Certificate: ...
    @property
    def issuer_name(self) -> str: ...
    @property
    def serial_number(self) -> str:
        """Decimal; it exceeds 64 bits."""
    @property
    def not_before(self) -> datetime:
        """Timezone-aware (UTC)."""
    @property
    def not_after(self) -> datetime:
        """Timezone-aware (UTC)."""
    @property
    def not_before_unix(self) -> int: ...
    @property
    def not_after_unix(self) -> int: ...
    @property
    def der(self) -> bytes: ...
    @property
    def base64(self) -> str: ...
    @property
    def public_key(self) -> bytes:
        """DER SubjectPublicKeyInfo (QR tag 8)."""

@final
class StampedInvoice:
    @property
    def xml(self) -> bytes: ...
    @property
    def invoice_hash(self) -> str: ...
    @property
    def uuid(self) -> str: ...
    @property
    def signature(self) -> str: ...
    @property
    def qr(self) -> str: ...
    @property
    def signing_time(self) -> str: ...

@final
class Signer:
    """A certificate and its private key, checked to belong together.

    Both accept PEM, DER or the SDK's bare base64; the certificate also a binarySecurityToken.
    Raises InvalidCertificateError, InvalidKeyError or KeyMismatchError.
    """

    def __new__(cls, certificate: _Data, private_key: _Data) -> Signer: ...
    def stamp(self, xml: _Data, signing_time: Optional[str] = None) -> StampedInvoice:
        """Stamps an invoice (hash, XAdES signature, QR). ``signing_time``: ``YYYY-MM-DDTHH:MM:SS``
        Riyadh time; ``None`` = now. Releases the GIL."""
    def stamp_invoice(
        self, model: Union[_Data, Mapping[str, Any]], signing_time: Optional[str] = None
    ) -> StampedInvoice:
        """Generates and stamps an invoice model in one call (no re-parse): the same bytes as
        ``stamp(generate(model))``, faster. Raises InvalidModelError (with ``.rule``)."""
    @property
    def certificate(self) -> Certificate: ...

@final
class Check:
    @property
    def name(self) -> str: ...
    @property
    def passed(self) -> bool: ...
    @property
    def message(self) -> str: ...

@final
class VerificationReport:
    @property
    def valid(self) -> bool: ...
    @property
    def invoice_hash(self) -> str: ...
    @property
    def checks(self) -> List[Check]: ...
    @property
    def failures(self) -> List[Check]: ...
    def __bool__(self) -> bool: ...

def verify(xml: _Data) -> VerificationReport:
    """Verifies a stamped invoice check by check; raises only when the input is not an invoice."""

@final
class Finding:
    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> Severity:
        """``Severity.ERROR`` or ``Severity.WARNING`` (equal to ``"error"``, ``"warning"``)."""
    @property
    def path(self) -> str: ...
    @property
    def message_en(self) -> str: ...
    @property
    def message_ar(self) -> str: ...
    @property
    def fix(self) -> str: ...

@final
class ValidationReport:
    @property
    def valid(self) -> bool: ...
    @property
    def findings(self) -> List[Finding]: ...
    def __bool__(self) -> bool: ...

def validate(xml: _Data) -> ValidationReport:
    """Validates an invoice against the UBL structure and ZATCA's business rules (KSA and
    EN 16931); raises only when the input is not an invoice."""

def pdf(
    xml: _Data, *, logo: Optional[Union[bytes, bytearray]] = None, footer: Optional[str] = None
) -> bytes:
    """A stamped document as a bilingual (Arabic and English) PDF/A-3b page with its QR code
    and the signed XML embedded unchanged (``AFRelationship /Source``). ``logo`` is a PNG shown
    at the top (scaled to at most 150 x 48 pt), ``footer`` a line or two at the foot.
    Raises InvalidXmlError / InvalidDocumentError when the input is not a stamped invoice
    (InvalidDocumentError: no QR code), InvalidInputError when ``logo`` is not a PNG."""

@final
class QrField:
    @property
    def tag(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> str:
        """Text for tags 1-7; base64 of the raw bytes for tags 8 and 9."""
    @property
    def raw(self) -> bytes: ...

def qr_decode(text: str) -> List[QrField]: ...
def qr_svg(text: str) -> str: ...
def qr_png(text: str, scale: int = 8) -> bytes: ...
def qr_text(text: str) -> str: ...

# ---------------------------------------------------------------------------------------------
# Onboarding, the Fatoora API and the engine (qayd::embed). Results are plain dicts of the
# core's serde form (the TypedDicts below); XML is bytes. Every network call has a blocking form
# (GIL released) and an asyncio form named ``*_async`` that returns an awaitable and must be
# called with an event loop running.
# ---------------------------------------------------------------------------------------------

#: JSON text, or a mapping of it (a dict, or one of the TypedDicts of ``qayd._types``).
_Json = Union[str, bytes, bytearray, Mapping[str, Any]]
#: ``progress(step, index, total)``; an exception it raises goes to ``sys.unraisablehook``.
_Progress = Optional[Callable[[str, int, int], object]]

from ._types import (
    DocumentStatus as DocumentStatus,
    ClearOutcome as ClearOutcome,
    ApiOutcome as ApiOutcome,
    EventKind as EventKind,
    Severity as Severity,
    Progress as Progress,
    Identity as Identity,
    Csr as Csr,
    ClientOptions as ClientOptions,
    EngineOptions as EngineOptions,
    ApiMessage as ApiMessage,
    ApiAnswer as ApiAnswer,
    DocumentInfo as DocumentInfo,
    Document as Document,
    ClearResult as ClearResult,
    UnitError as UnitError,
    DrainReport as DrainReport,
    RenewalOutcome as RenewalOutcome,
    Event as Event,
    EgsInfo as EgsInfo,
    WorkerError as WorkerError,
    WorkerHealth as WorkerHealth,
    AuditCheck as AuditCheck,
)

def generate_private_key_pem() -> str:
    """A new secp256k1 private key, SEC1 PEM."""

def generate_master_key() -> str:
    """A new random master key, base64 (for ``QAYD_MASTER_KEY`` / ``Engine(master_key=...)``)."""

def identity_from_text(text: _Json) -> Identity:
    """An identity from the SDK's ``.properties`` text or its JSON form."""

def build_csr(identity: _Json, private_key: _Data, environment: str) -> Csr:
    """The CSR of ``identity`` for ``environment`` (``developer-portal``, ``simulation``,
    ``core`` or a URL), signed with ``private_key`` (PEM, DER, base64)."""

def sample_invoice(
    identity: _Json,
    kind: Literal["standard", "simplified"] = "simplified",
    document_type: str = "invoice",
) -> Dict[str, Any]:
    """A sample invoice model for ``identity`` (its seller), issued now; ``document_type``:
    ``invoice``, ``credit_note``, ``debit_note`` (or 388/381/383)."""

def onboard(
    identity: _Json,
    otp: str,
    environment: str,
    options: Optional[Union[ClientOptions, str]] = None,
    progress: _Progress = None,
) -> Credentials:
    """Key → CSR → compliance CSID (``otp``) → compliance samples → production CSID. Blocks
    with the GIL released; ``progress`` is called with the GIL on the calling thread."""

def onboard_async(
    identity: _Json,
    otp: str,
    environment: str,
    options: Optional[Union[ClientOptions, str]] = None,
    progress: _Progress = None,
) -> Awaitable[Credentials]:
    """``onboard`` for asyncio; ``progress`` runs on a runtime thread (with the GIL)."""

def renew(
    credentials: Credentials,
    otp: str,
    options: Optional[Union[ClientOptions, str]] = None,
    progress: _Progress = None,
) -> Credentials:
    """Renews the production CSID with a new OTP."""

def renew_async(
    credentials: Credentials,
    otp: str,
    options: Optional[Union[ClientOptions, str]] = None,
    progress: _Progress = None,
) -> Awaitable[Credentials]: ...

@final
class Credentials:
    """An onboarded EGS unit: identity, key, both CSIDs. Holds secrets: ``repr`` shows none."""

    @staticmethod
    def from_json(text: _Json) -> Credentials: ...
    def to_json(self) -> str:
        """The JSON form, key and secrets included: store it sealed."""
    def summary(self) -> Dict[str, Any]:
        """What may be logged: no key, secret or token."""
    def signer(self) -> Signer:
        """The production certificate with the key."""
    @property
    def environment(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def identity(self) -> Identity: ...
    @property
    def common_name(self) -> str: ...
    @property
    def vat_number(self) -> str: ...
    @property
    def certificate_expiry(self) -> datetime:
        """The production certificate's end of validity (UTC)."""
    @property
    def certificate_expiry_unix(self) -> int:
        """The same, seconds since the Unix epoch."""
    @property
    def issued_at(self) -> datetime:
        """When onboarding (or the last renewal) finished (UTC)."""
    @property
    def issued_at_unix(self) -> int: ...
    @property
    def compliance_request_id(self) -> Optional[str]: ...
    @property
    def production_request_id(self) -> Optional[str]: ...
    @property
    def token(self) -> str:
        """The production ``binarySecurityToken``."""
    @property
    def secret(self) -> str:
        """The production secret; never log it."""

@final
class ApiClient:
    """The six Fatoora calls. Answers classify the platform's reply (``outcome``); errors the
    call cannot classify raise ``ApiError`` (with ``.status``)."""

    def __new__(cls, environment: str, options: Optional[Union[ClientOptions, str]] = None) -> ApiClient: ...
    def compliance_csid(self, csr: str, otp: str) -> ApiAnswer: ...
    def compliance_csid_async(self, csr: str, otp: str) -> Awaitable[ApiAnswer]: ...
    def compliance_invoice(self, token: str, secret: str, signed_xml: _Data) -> ApiAnswer: ...
    def compliance_invoice_async(self, token: str, secret: str, signed_xml: _Data) -> Awaitable[ApiAnswer]: ...
    def production_csid(self, token: str, secret: str, compliance_request_id: str) -> ApiAnswer: ...
    def production_csid_async(
        self, token: str, secret: str, compliance_request_id: str
    ) -> Awaitable[ApiAnswer]: ...
    def renew_production_csid(self, token: str, secret: str, csr: str, otp: str) -> ApiAnswer: ...
    def renew_production_csid_async(
        self, token: str, secret: str, csr: str, otp: str
    ) -> Awaitable[ApiAnswer]: ...
    def clearance(self, token: str, secret: str, signed_xml: _Data) -> ApiAnswer: ...
    def clearance_async(self, token: str, secret: str, signed_xml: _Data) -> Awaitable[ApiAnswer]: ...
    def reporting(self, token: str, secret: str, signed_xml: _Data) -> ApiAnswer: ...
    def reporting_async(self, token: str, secret: str, signed_xml: _Data) -> Awaitable[ApiAnswer]: ...

@final
class Engine:
    """The durable engine behind one store; one object may be shared by many threads.

    ``with Engine(...) as engine:`` (or ``async with``) stops the background worker on exit.
    The master key comes from ``master_key`` or ``QAYD_MASTER_KEY`` (base64 of 32 bytes).
    """

    def __new__(cls, options: Optional[Union[EngineOptions, str]] = None, **kwargs: Any) -> Engine: ...
    def register_egs(self, egs_id: str) -> None: ...
    def set_credentials(self, egs_id: str, credentials: Credentials) -> None: ...
    def issue(self, egs_id: str, invoice: _Json) -> Document:
        """Next ICV, PIH, stamp, stored as pending; never waits for the network."""
    def issue_many(self, egs_id: str, invoices: List[_Json]) -> List[Union[Document, QaydError]]:
        """A batch in one transaction, in list order: per model its document, or the error that
        refused that model alone (the others are issued and chained without it)."""
    def clear(self, egs_id: str, invoice: _Json) -> ClearResult:
        """Issues a standard invoice and waits up to ``clear_wait_ms`` for its clearance."""
    def clear_async(self, egs_id: str, invoice: _Json) -> Awaitable[ClearResult]: ...
    def drain(self) -> DrainReport:
        """One pass over the outbox."""
    def drain_async(self) -> Awaitable[DrainReport]: ...
    def renew_egs(self, egs_id: str, otp: str) -> RenewalOutcome:
        """Renews the unit's production CSID with a new OTP (raises ``certificate_renewed``)."""
    def renew_egs_async(self, egs_id: str, otp: str) -> Awaitable[RenewalOutcome]: ...
    def start(self) -> None:
        """Starts the background worker (recovering in-flight documents first)."""
    def stop(self) -> None:
        """Stops the background worker gracefully and waits for it."""
    def stop_async(self) -> Awaitable[None]: ...
    def close(self) -> None:
        """``stop()``."""
    @property
    def is_running(self) -> bool: ...
    def events(self, cursor: int = 0, limit: int = 100) -> List[Event]: ...
    def document(self, egs_id: str, icv: int) -> Optional[Document]: ...
    def document_by_uuid(self, uuid: str) -> Optional[Document]: ...
    def document_qr(self, egs_id: str, icv: int) -> Optional[str]:
        """The QR payload to print for a stored document (the cleared XML's once cleared)."""
    def documents(self, egs_id: str) -> List[DocumentInfo]: ...
    def documents_by_status(self, status: str, limit: int = 100) -> List[DocumentInfo]: ...
    def status_counts(self) -> Dict[DocumentStatus, int]:
        """Documents per status, for the statuses that have any (keys equal the strings too)."""
    def egs_units(self) -> List[EgsInfo]: ...
    def requeue(self, egs_id: str, icv: int) -> bool: ...
    def resume_egs(self, egs_id: str) -> None: ...
    def recover(self) -> int: ...
    def metrics(self) -> str:
        """The store's and the worker's metrics in the Prometheus text format, for the
        application's web server to serve at ``/metrics``."""
    def export_audit(self) -> str:
        """The audit log as JSON lines (Authorization redacted)."""
    def verify_audit(self) -> AuditCheck: ...
    def worker_health(self) -> WorkerHealth: ...
    def __enter__(self) -> Engine: ...
    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> bool: ...
    async def __aenter__(self) -> Engine: ...
    async def __aexit__(self, exc_type: Any, exc: Any, traceback: Any) -> bool: ...
