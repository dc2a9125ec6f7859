//! The core's typed enums as Kotlin enum classes: where a document stands, what `clear` ended in,
//! how the platform answered, what an event says, a finding's severity and an error's family.
//!
//! Each is the core's own type (`#[uniffi::remote]`), declared again only so UniFFI can see its
//! variants. The core's enums are `#[non_exhaustive]` (a variant may be added without a breaking
//! release), so the declarations here are too, and the compiler no longer checks the list: the
//! test below does, lowering every variant of the core's `ALL` list (itself checked complete in
//! the core), so a variant added there fails this crate's tests instead of reaching Kotlin. Kotlin names them in upper snake case
//! (`DocumentStatus.ACCEPTED_WITH_WARNINGS`); `name.lowercase()` is the core's `as_str()`.

use qayd::embed::{ApiOutcome, ClearOutcome, DocumentStatus, EventKind};
use qayd::{ErrorKind, Severity};

/// Where a stored document stands with ZATCA.
#[uniffi::remote(Enum)]
#[non_exhaustive]
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
#[non_exhaustive]
pub enum ClearOutcome {
    Cleared,
    ClearedWithWarnings,
    Pending,
    Rejected,
    Dead,
}

/// How the platform answered one API call.
#[uniffi::remote(Enum)]
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
pub enum Severity {
    Error,
    Warning,
}

/// The family of an error (`QaydException.kind`): `INPUT` errors are the caller's to fix, `API`
/// errors come from talking to Fatoora, `STORAGE` and `SECRET` are local faults.
#[uniffi::remote(Enum)]
#[non_exhaustive]
pub enum ErrorKind {
    Input,
    Api,
    Storage,
    Secret,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lowers every variant the core lists: a variant missing above panics here ("Unexpected
    /// variant in non-exhaustive enum").
    fn lowers_all<T: Copy + std::fmt::Debug + uniffi::Lower<crate::UniFfiTag>>(all: &[T]) {
        for variant in all {
            let mut buffer = Vec::new();
            <T as uniffi::Lower<crate::UniFfiTag>>::write(*variant, &mut buffer);
            assert!(!buffer.is_empty(), "{variant:?} lowered to nothing");
        }
    }

    #[test]
    fn every_variant_of_the_core_is_declared() {
        lowers_all(&DocumentStatus::ALL);
        lowers_all(&ClearOutcome::ALL);
        lowers_all(&ApiOutcome::ALL);
        lowers_all(&EventKind::ALL);
        lowers_all(&Severity::ALL);
        lowers_all(&ErrorKind::ALL);
    }
}
