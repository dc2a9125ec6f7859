//! The core's typed enums as Kotlin enum classes: where a document stands, what `clear` ended in,
//! how the platform answered, what an event says, a finding's severity and an error's family.
//!
//! Each is the core's own type (`#[uniffi::remote]`), declared again only so UniFFI can see its
//! variants: the compiler checks the list against the core, so a variant added there fails this
//! build instead of reaching Kotlin as an unknown string. Kotlin names them in upper snake case
//! (`DocumentStatus.ACCEPTED_WITH_WARNINGS`); `name.lowercase()` is the core's `as_str()`.

use qayd::embed::{ApiOutcome, ClearOutcome, DocumentStatus, EventKind};
use qayd::{ErrorKind, Severity};

/// Where a stored document stands with ZATCA.
#[uniffi::remote(Enum)]
pub enum DocumentStatus {
    Pending,
    Submitting,
    Cleared,
    Reported,
    AcceptedWithWarnings,
    Rejected,
    RetryScheduled,
    Dead,
}

/// What `Engine.clear` ended in.
#[uniffi::remote(Enum)]
pub enum ClearOutcome {
    Cleared,
    ClearedWithWarnings,
    Pending,
    Rejected,
    Dead,
}

/// How the platform answered one API call.
#[uniffi::remote(Enum)]
pub enum ApiOutcome {
    Accepted,
    AcceptedWithWarnings,
    Rejected,
    Duplicate,
    Retryable,
    Unauthorized,
    ComplianceRequired,
}

/// What an engine event says.
#[uniffi::remote(Enum)]
pub enum EventKind {
    DeadlineAtRisk,
    DeadlineMissed,
    ClearanceDelayed,
    CertificateExpiring,
    CertificateRenewed,
    DocumentReported,
    DocumentCleared,
    DocumentAcceptedWithWarnings,
    DocumentRejected,
    DeadLetter,
    Unauthorized,
}

/// A finding's severity: an error refuses the document, a warning does not.
#[uniffi::remote(Enum)]
pub enum Severity {
    Error,
    Warning,
}

/// The family of an error (`QaydException.kind`): `INPUT` errors are the caller's to fix, `API`
/// errors come from talking to Fatoora, `STORAGE` and `SECRET` are local faults.
#[uniffi::remote(Enum)]
pub enum ErrorKind {
    Input,
    Api,
    Storage,
    Secret,
}
