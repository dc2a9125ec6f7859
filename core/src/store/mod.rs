//! Durable state of the EGS units: each unit's chain head (next ICV, hash of the last document)
//! and every document it issued with its submission state. The one rule every backend keeps:
//! reserving the next ICV/PIH, stamping and storing the stamped document happen in a single
//! transaction, so there is never a gap, a reused counter or a forked chain.

pub mod sqlite;

use crate::error::Result;
use serde::{Deserialize, Serialize};

pub use sqlite::SqliteStore;

/// Where a document stands with ZATCA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    /// Stamped and stored, not yet sent.
    Pending,
    /// A request is in flight (or was, when the process died: its fate is unknown).
    Submitting,
    /// B2B: ZATCA cleared it; the cleared document is stored.
    Cleared,
    /// B2C: ZATCA accepted the report.
    Reported,
    /// Accepted, with warnings to fix in future documents (HTTP 202). Never resend.
    AcceptedWithWarnings,
    /// ZATCA refused it. It stays in the chain; issue a corrected document.
    Rejected,
    /// The last attempt failed in a way worth retrying; `next_attempt_at` says when.
    RetryScheduled,
    /// Attempts exhausted; needs a person.
    Dead,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Pending => "pending",
            SubmissionStatus::Submitting => "submitting",
            SubmissionStatus::Cleared => "cleared",
            SubmissionStatus::Reported => "reported",
            SubmissionStatus::AcceptedWithWarnings => "accepted_with_warnings",
            SubmissionStatus::Rejected => "rejected",
            SubmissionStatus::RetryScheduled => "retry_scheduled",
            SubmissionStatus::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => SubmissionStatus::Pending,
            "submitting" => SubmissionStatus::Submitting,
            "cleared" => SubmissionStatus::Cleared,
            "reported" => SubmissionStatus::Reported,
            "accepted_with_warnings" => SubmissionStatus::AcceptedWithWarnings,
            "rejected" => SubmissionStatus::Rejected,
            "retry_scheduled" => SubmissionStatus::RetryScheduled,
            "dead" => SubmissionStatus::Dead,
            _ => return None,
        })
    }

    /// Whether ZATCA's answer is final (nothing more will be sent).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            SubmissionStatus::Cleared
                | SubmissionStatus::Reported
                | SubmissionStatus::AcceptedWithWarnings
                | SubmissionStatus::Rejected
                | SubmissionStatus::Dead
        )
    }
}

/// The position of an EGS unit's chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// The ICV the next document gets.
    pub next_icv: u64,
    /// The invoice hash of the last document (the genesis PIH before the first).
    pub last_hash: String,
}

/// What the stamping step hands back to the store inside the transaction.
#[derive(Clone, Debug)]
pub struct NewDocument {
    pub uuid: String,
    pub invoice_hash: String,
    /// B2C (reported within 24 h) rather than B2B (cleared before delivery).
    pub simplified: bool,
    pub xml: Vec<u8>,
}

/// A stored document.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredDocument {
    pub egs_id: String,
    pub icv: u64,
    pub uuid: String,
    pub invoice_hash: String,
    pub pih: String,
    pub simplified: bool,
    #[serde(skip)]
    pub xml: Vec<u8>,
    /// Seconds since the Unix epoch.
    pub issued_at: i64,
    pub status: SubmissionStatus,
    pub attempts: u32,
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
}

/// A backend for EGS state. Implementations must make [`Store::issue`] atomic across threads,
/// processes and (for shared databases) machines.
pub trait Store: Send + Sync {
    /// Creates the EGS unit's chain (ICV 1, genesis PIH) if it does not exist yet.
    fn register_egs(&self, egs_id: &str) -> Result<()>;
    /// The unit's chain head.
    fn chain_head(&self, egs_id: &str) -> Result<ChainHead>;
    /// Reserves the next ICV and PIH, calls `stamp(icv, pih)` to build the stamped document,
    /// stores it as pending and advances the head — all or nothing.
    fn issue(
        &self,
        egs_id: &str,
        now: i64,
        stamp: &mut dyn FnMut(u64, &str) -> Result<NewDocument>,
    ) -> Result<StoredDocument>;
    /// One document by its ICV.
    fn document(&self, egs_id: &str, icv: u64) -> Result<Option<StoredDocument>>;
    /// All documents of a unit in chain order.
    fn documents(&self, egs_id: &str) -> Result<Vec<StoredDocument>>;
}
