"""The records and enums of the engine's surface (core/src/embed/surface.rs), as Python types.

Records are ``TypedDict``s: what the engine returns are plain dicts of these shapes, their times
timezone-aware UTC ``datetime``s (as ``Certificate.not_after`` and ``Credentials.issued_at``). The enums
are ``str`` enums whose values are the core's strings, so ``info["status"] == "reported"`` and
``info["status"] is DocumentStatus.REPORTED`` both hold; a test checks their values against the
core's (tests/conformance/surface.json).
"""

from __future__ import annotations

import datetime
import decimal
import enum
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, TypedDict

from ._native import Finding


class _StrEnum(str, enum.Enum):
    """A ``str`` enum that prints as its value (what ``enum.StrEnum`` does from 3.11)."""

    def __str__(self) -> str:
        return str(self.value)


class DocumentStatus(_StrEnum):
    """Where a stored document stands."""

    PENDING = "pending"
    SUBMITTING = "submitting"
    CLEARED = "cleared"
    REPORTED = "reported"
    ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"
    REJECTED = "rejected"
    RETRY_SCHEDULED = "retry_scheduled"
    DEAD = "dead"


class ClearOutcome(_StrEnum):
    """What ``Engine.clear`` ended in."""

    CLEARED = "cleared"
    CLEARED_WITH_WARNINGS = "cleared_with_warnings"
    PENDING = "pending"
    REJECTED = "rejected"
    DEAD = "dead"


class ApiOutcome(_StrEnum):
    """How the platform answered one call."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    RETRYABLE = "retryable"
    UNAUTHORIZED = "unauthorized"
    COMPLIANCE_REQUIRED = "compliance_required"


class EventKind(_StrEnum):
    """What an engine event says."""

    DEADLINE_AT_RISK = "deadline_at_risk"
    DEADLINE_MISSED = "deadline_missed"
    CLEARANCE_DELAYED = "clearance_delayed"
    CERTIFICATE_EXPIRING = "certificate_expiring"
    CERTIFICATE_RENEWED = "certificate_renewed"
    DOCUMENT_REPORTED = "document_reported"
    DOCUMENT_CLEARED = "document_cleared"
    DOCUMENT_ACCEPTED_WITH_WARNINGS = "document_accepted_with_warnings"
    DOCUMENT_REJECTED = "document_rejected"
    DEAD_LETTER = "dead_letter"
    UNAUTHORIZED = "unauthorized"


class Severity(_StrEnum):
    """A validation finding's severity."""

    ERROR = "error"
    WARNING = "warning"


def _json_value(value: object) -> object:
    """``json.dumps``' ``default`` for invoice models: a ``Decimal`` exactly (as a string, which
    the core reads as a decimal: no float rounding), ``date``/``time`` in ISO form, any other
    mapping as a dict."""
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not an amount")
        return format(value, "f")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


#: Onboarding progress: ``progress(step, index, total)``; what it raises goes to
#: ``sys.unraisablehook``, never into the onboarding.
Progress = Callable[[str, int, int], object]


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
    #: Local validation of every issued document (default ``refuse_on_errors``).
    validation: Literal["refuse_on_errors", "refuse_on_warnings", "warn_only", "off"]
    #: The largest submission request a document may need (bytes, default 2 MiB).
    max_submission_bytes: int
    #: A folder the worker writes each accepted document into; ``deliver_pdf``: a PDF beside it.
    deliver_dir: str
    deliver_pdf: bool


class ApiMessage(TypedDict):
    type: Optional[str]
    code: Optional[str]
    category: Optional[str]
    message: Optional[str]
    status: Optional[str]


class ApiAnswer(TypedDict):
    outcome: ApiOutcome
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
    status: DocumentStatus
    issued_at: datetime.datetime
    attempts: int
    next_attempt_at: Optional[datetime.datetime]
    last_error: Optional[str]
    messages: Optional[Any]
    finished_at: Optional[datetime.datetime]


class Document(TypedDict):
    info: DocumentInfo
    xml: bytes
    cleared_xml: Optional[bytes]
    findings: List[Finding]
    """What local validation said when the document was issued (warnings); empty when read back."""


class ClearResult(TypedDict):
    outcome: ClearOutcome
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
    not_after: datetime.datetime
    previous_not_after: datetime.datetime
    certificate_serial: str
    compliance_samples: int
    sent_before_renewal: int
    unsent_with_previous_certificate: int


class Event(TypedDict):
    seq: int
    at: datetime.datetime
    kind: EventKind
    egs_id: str
    icv: Optional[int]
    data: Any


class EgsInfo(TypedDict):
    egs_id: str
    next_icv: int
    last_hash: str
    has_credentials: bool
    environment: Optional[str]
    certificate_expiry: Optional[datetime.datetime]
    stopped: Optional[str]


class WorkerError(TypedDict):
    at: datetime.datetime
    code: str
    message: str
    egs_id: Optional[str]


class WorkerHealth(TypedDict):
    passes: int
    last_pass_at: Optional[datetime.datetime]
    consecutive_failures: int
    last_error: Optional[WorkerError]


class AuditCheck(TypedDict):
    intact: bool
    rows: int
    head: str
    broken_at: Optional[int]
    broken_reason: Optional[str]
