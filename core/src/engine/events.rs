//! One durable stream of typed events that callers (and the bindings) poll with a cursor:
//! [`crate::engine::Engine::events_since`]. Events that must be raised once (a deadline
//! threshold, a certificate warning) carry a de-duplication key.

use super::Engine;
use crate::error::{Error, Result};
use crate::store::EventRow;
use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// A simplified document is still unreported at a warning age (default 12 h, 20 h).
    DeadlineAtRisk,
    /// A simplified document was not reported within 24 h of its issue.
    DeadlineMissed,
    /// `clear` gave up waiting; the engine keeps trying.
    ClearanceDelayed,
    /// The unit's certificate expires within a warning window (default 30 and 7 days).
    CertificateExpiring,
    /// The unit's production CSID was renewed; the new expiry is in `data`.
    CertificateRenewed,
    /// ZATCA accepted a simplified document's report (`data`: UUID, whether it was a duplicate).
    DocumentReported,
    /// ZATCA cleared a standard document; the cleared XML is stored with it.
    DocumentCleared,
    /// ZATCA accepted a document with warnings (HTTP 202); its messages are in `data`.
    DocumentAcceptedWithWarnings,
    /// ZATCA rejected a document (it stays in the chain); its messages are in `data`.
    DocumentRejected,
    /// Attempts exhausted (or an answer that cannot be retried): needs a person.
    DeadLetter,
    /// ZATCA refused the unit's credentials: its sending is stopped until resumed.
    Unauthorized,
}

impl EventKind {
    pub const ALL: [EventKind; 11] = [
        EventKind::DeadlineAtRisk,
        EventKind::DeadlineMissed,
        EventKind::ClearanceDelayed,
        EventKind::CertificateExpiring,
        EventKind::CertificateRenewed,
        EventKind::DocumentReported,
        EventKind::DocumentCleared,
        EventKind::DocumentAcceptedWithWarnings,
        EventKind::DocumentRejected,
        EventKind::DeadLetter,
        EventKind::Unauthorized,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::DeadlineAtRisk => "deadline_at_risk",
            EventKind::DeadlineMissed => "deadline_missed",
            EventKind::ClearanceDelayed => "clearance_delayed",
            EventKind::CertificateExpiring => "certificate_expiring",
            EventKind::CertificateRenewed => "certificate_renewed",
            EventKind::DocumentReported => "document_reported",
            EventKind::DocumentCleared => "document_cleared",
            EventKind::DocumentAcceptedWithWarnings => "document_accepted_with_warnings",
            EventKind::DocumentRejected => "document_rejected",
            EventKind::DeadLetter => "dead_letter",
            EventKind::Unauthorized => "unauthorized",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "deadline_at_risk" => EventKind::DeadlineAtRisk,
            "deadline_missed" => EventKind::DeadlineMissed,
            "clearance_delayed" => EventKind::ClearanceDelayed,
            "certificate_expiring" => EventKind::CertificateExpiring,
            "certificate_renewed" => EventKind::CertificateRenewed,
            "document_reported" => EventKind::DocumentReported,
            "document_cleared" => EventKind::DocumentCleared,
            "document_accepted_with_warnings" => EventKind::DocumentAcceptedWithWarnings,
            "document_rejected" => EventKind::DocumentRejected,
            "dead_letter" => EventKind::DeadLetter,
            "unauthorized" => EventKind::Unauthorized,
            _ => return None,
        })
    }
}

/// One event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Increasing; pass the last one seen to [`Engine::events_since`].
    pub seq: i64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub kind: EventKind,
    pub egs_id: String,
    /// The document concerned, if any.
    pub icv: Option<u64>,
    /// Details (UUID, messages, thresholds, expiry…).
    pub data: serde_json::Value,
}

impl TryFrom<EventRow> for Event {
    type Error = Error;
    fn try_from(row: EventRow) -> Result<Self> {
        Ok(Event {
            seq: row.seq,
            at: row.at,
            kind: EventKind::parse(&row.kind)
                .ok_or_else(|| Error::Storage(format!("event {}: unknown kind '{}'", row.seq, row.kind)))?,
            egs_id: row.egs_id,
            icv: row.icv,
            data: serde_json::from_str(&row.data)
                .map_err(|e| Error::Storage(format!("event {}: data is not JSON ({e})", row.seq)))?,
        })
    }
}

impl Engine {
    /// Events after `cursor` (0 = from the start), oldest first, at most `limit`.
    pub fn events_since(&self, cursor: i64, limit: usize) -> Result<Vec<Event>> {
        self.store.events_since(cursor, limit)?.into_iter().map(Event::try_from).collect()
    }

    /// Appends an event (once per `dedup_key`); its sequence number if it was new.
    pub(crate) fn emit(
        &self,
        kind: EventKind,
        egs_id: &str,
        icv: Option<u64>,
        data: serde_json::Value,
        dedup_key: Option<String>,
    ) -> Result<Option<i64>> {
        self.store.push_event(
            self.clock.now_unix(),
            kind.as_str(),
            egs_id,
            icv,
            &data.to_string(),
            dedup_key.as_deref(),
        )
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
