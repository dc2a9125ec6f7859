"""Type stubs of the native module (Rust, PyO3). Import from ``qayd``, not from here."""

from datetime import datetime
from typing import Any, Awaitable, Callable, Dict, Final, List, Literal, Optional, TypedDict, Union

_Data = Union[bytes, bytearray, str]

__version__: Final[str]
GENESIS_PIH: Final[str]
ERROR_CODES: Final[List[str]]

def invoice_hash(xml: _Data) -> str:
    """The invoice hash: base64 SHA-256 of the C14N 1.1 invoice without its stamp."""

def generate(model: Union[_Data, Dict[str, Any]]) -> bytes:
    """The unsigned UBL 2.1 document of an invoice model (its JSON form, or a dict of it):
    validated against ZATCA's rules, totals computed, written in the SDK's layout.
    Raises InvalidModelError (with ``.rule``) or InvalidInputError (malformed JSON)."""

class Certificate:
    """A signing certificate (compliance or production CSID)."""

    def __init__(self, certificate: _Data) -> None: ...
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

class Signer:
    """A certificate and its private key, checked to belong together.

    Both accept PEM, DER or the SDK's bare base64; the certificate also a binarySecurityToken.
    Raises InvalidCertificateError, InvalidKeyError or KeyMismatchError.
    """

    def __init__(self, certificate: _Data, private_key: _Data) -> None: ...
    def stamp(self, xml: _Data, signing_time: Optional[str] = None) -> StampedInvoice:
        """Stamps an invoice (hash, XAdES signature, QR). ``signing_time``: ``YYYY-MM-DDTHH:MM:SS``
        Riyadh time; ``None`` = now. Releases the GIL."""
    @property
    def certificate(self) -> Certificate: ...

class Check:
    @property
    def name(self) -> str: ...
    @property
    def passed(self) -> bool: ...
    @property
    def message(self) -> str: ...

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

class Finding:
    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def message_en(self) -> str: ...
    @property
    def message_ar(self) -> str: ...
    @property
    def fix(self) -> str: ...

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

_Json = Union[str, bytes, bytearray, Dict[str, Any]]
#: ``progress(step, index, total)``; an exception it raises goes to ``sys.unraisablehook``.
_Progress = Optional[Callable[[str, int, int], object]]

class Identity(TypedDict):
    """The nine values of the SDK's ``csr-config`` ``.properties`` file."""

    common_name: str
    serial_number: str
    organization_identifier: str
    organization_unit_name: str
    organization_name: str
    country_name: str
    invoice_type: str
    location_address: str
    industry_business_category: str

class Csr(TypedDict):
    pem: str
    base64: str
    """Base64 of the PEM text: the ``csr`` field of ``POST /compliance``."""

class ClientOptions(TypedDict, total=False):
    timeout_ms: int
    connect_timeout_ms: int

class EngineOptions(TypedDict, total=False):
    store: str
    environment: str
    master_key: str
    retry_base_ms: int
    retry_cap_ms: int
    max_attempts: int
    clear_wait_ms: int
    poll_interval_ms: int
    timeout_ms: int
    connect_timeout_ms: int

class ApiMessage(TypedDict):
    type: Optional[str]
    code: Optional[str]
    category: Optional[str]
    message: Optional[str]
    status: Optional[str]

class ApiAnswer(TypedDict):
    outcome: Literal[
        "accepted", "accepted_with_warnings", "rejected", "duplicate", "retryable",
        "unauthorized", "compliance_required",
    ]
    http_status: Optional[int]
    response: Optional[Dict[str, Any]]
    messages: List[ApiMessage]
    reason: Optional[str]
    retry_after_ms: Optional[int]
    cleared_xml: Optional[bytes]

class DocumentInfo(TypedDict):
    egs_id: str
    icv: int
    uuid: str
    invoice_hash: str
    pih: str
    simplified: bool
    status: Literal[
        "pending", "submitting", "cleared", "reported", "accepted_with_warnings", "rejected",
        "retry_scheduled", "dead",
    ]
    issued_at: int
    attempts: int
    next_attempt_at: Optional[int]
    last_error: Optional[str]
    messages: Optional[Any]
    finished_at: Optional[int]

class Document(TypedDict):
    info: DocumentInfo
    xml: bytes
    cleared_xml: Optional[bytes]
    findings: List[Finding]
    """What local validation said when the document was issued (warnings); empty when read back."""

class ClearResult(TypedDict):
    outcome: Literal["cleared", "cleared_with_warnings", "pending", "rejected", "dead"]
    document: Document

class UnitError(TypedDict):
    egs_id: str
    code: str
    message: str

class DrainReport(TypedDict):
    sent: int
    cleared: int
    reported: int
    accepted_with_warnings: int
    duplicates: int
    rejected: int
    retry_scheduled: int
    dead: int
    stopped_units: List[str]
    other_environment_units: List[str]
    errors: List[UnitError]

class RenewalOutcome(TypedDict):
    egs_id: str
    not_after: int
    previous_not_after: int
    certificate_serial: str
    compliance_samples: int
    sent_before_renewal: int
    unsent_with_previous_certificate: int

class Event(TypedDict):
    seq: int
    at: int
    kind: str
    egs_id: str
    icv: Optional[int]
    data: Any

class EgsInfo(TypedDict):
    egs_id: str
    next_icv: int
    last_hash: str
    has_credentials: bool
    environment: Optional[str]
    certificate_expiry: Optional[int]
    stopped: Optional[str]

class WorkerError(TypedDict):
    at: int
    code: str
    message: str
    egs_id: Optional[str]

class WorkerHealth(TypedDict):
    passes: int
    last_pass_at: Optional[int]
    consecutive_failures: int
    last_error: Optional[WorkerError]

class AuditCheck(TypedDict):
    intact: bool
    rows: int
    head: str
    broken_at: Optional[int]
    broken_reason: Optional[str]

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
    def certificate_expiry(self) -> int:
        """Seconds since the Unix epoch."""
    @property
    def issued_at(self) -> int: ...
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

class ApiClient:
    """The six Fatoora calls. Answers classify the platform's reply (``outcome``); errors the
    call cannot classify raise ``ApiError`` (with ``.status``)."""

    def __init__(self, environment: str, options: Optional[Union[ClientOptions, str]] = None) -> None: ...
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

class Engine:
    """The durable engine behind one store; one object may be shared by many threads.

    ``with Engine(...) as engine:`` (or ``async with``) stops the background worker on exit.
    The master key comes from ``master_key`` or ``QAYD_MASTER_KEY`` (base64 of 32 bytes).
    """

    def __init__(self, options: Optional[Union[EngineOptions, str]] = None, **kwargs: Any) -> None: ...
    def register_egs(self, egs_id: str) -> None: ...
    def set_credentials(self, egs_id: str, credentials: Credentials) -> None: ...
    def issue(self, egs_id: str, invoice: _Json) -> Document:
        """Next ICV, PIH, stamp, stored as pending; never waits for the network."""
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
    def documents(self, egs_id: str) -> List[DocumentInfo]: ...
    def documents_by_status(self, status: str, limit: int = 100) -> List[DocumentInfo]: ...
    def status_counts(self) -> Dict[str, int]: ...
    def egs_units(self) -> List[EgsInfo]: ...
    def requeue(self, egs_id: str, icv: int) -> bool: ...
    def resume_egs(self, egs_id: str) -> None: ...
    def recover(self) -> int: ...
    def export_audit(self) -> str:
        """The audit log as JSON lines (Authorization redacted)."""
    def verify_audit(self) -> AuditCheck: ...
    def worker_health(self) -> WorkerHealth: ...
    def __enter__(self) -> Engine: ...
    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> bool: ...
    async def __aenter__(self) -> Engine: ...
    async def __aexit__(self, exc_type: Any, exc: Any, traceback: Any) -> bool: ...
