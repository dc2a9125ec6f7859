//! Durable state of the EGS units: each unit's chain head (next ICV, hash of the last document)
//! and every document it issued with its submission state, plus the outbox (leases, attempts),
//! sealed credentials, events and the hash-linked audit log. The one rule every backend keeps: a
//! stamped document is stored, and the head advanced, in a single transaction that also checks
//! the head is the one it was stamped against (or holds the lock while stamping), so there is
//! never a gap, a reused counter or a forked chain. The trait is backend-neutral: SQLite by
//! default, PostgreSQL for fleets (`postgres` feature: `SELECT … FOR UPDATE` and table locks).

#[cfg(feature = "postgres")]
mod postgres;
mod sqlite;
mod sqlite_outbox;

use crate::error::Result;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Opens the store at `location`: a `postgres://` or `postgresql://` URL (fleets), `:memory:`
/// (a private in-memory database), or a path to an SQLite file (created if missing). The one
/// place callers — CLI, bindings — turn a configured location into a store.
pub fn open(location: &str) -> Result<std::sync::Arc<dyn Store>> {
    let location = location.trim();
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return Ok(std::sync::Arc::new(PostgresStore::open(location)?));
        #[cfg(not(feature = "postgres"))]
        return Err(crate::error::Error::InvalidInput(
            "PostgreSQL stores are not available in this build".into(),
        ));
    }
    if location.is_empty() {
        return Err(crate::error::Error::InvalidInput("empty store location".into()));
    }
    if location == ":memory:" {
        return Ok(std::sync::Arc::new(SqliteStore::in_memory()?));
    }
    Ok(std::sync::Arc::new(SqliteStore::open(location)?))
}

/// Opens a store that must exist already and be a Qayd store: an SQLite file holding Qayd's
/// tables, or a PostgreSQL database holding Qayd's schema. A missing file, an empty (0-byte) file,
/// any other file or another application's database is refused with [`Error::Storage`] and left
/// untouched — only an explicit create ([`open`]) makes a store, so a typo in a path never
/// becomes a new, empty store that silently "has nothing to send".
///
/// [`Error::Storage`]: crate::error::Error::Storage
pub fn open_existing(location: &str) -> Result<std::sync::Arc<dyn Store>> {
    let location = location.trim();
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return Ok(std::sync::Arc::new(PostgresStore::open_existing(location)?));
        #[cfg(not(feature = "postgres"))]
        return Err(crate::error::Error::InvalidInput(
            "PostgreSQL stores are not available in this build".into(),
        ));
    }
    if location.is_empty() || location == ":memory:" {
        return open(location);
    }
    Ok(std::sync::Arc::new(SqliteStore::open_existing(location)?))
}

/// Where a document stands with ZATCA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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
    pub const ALL: [SubmissionStatus; 8] = [
        SubmissionStatus::Pending,
        SubmissionStatus::Submitting,
        SubmissionStatus::Cleared,
        SubmissionStatus::Reported,
        SubmissionStatus::AcceptedWithWarnings,
        SubmissionStatus::Rejected,
        SubmissionStatus::RetryScheduled,
        SubmissionStatus::Dead,
    ];

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
    /// When the next attempt is due, in whole seconds since the Unix epoch rounded up (never
    /// before the due time): the form records and displays show.
    pub next_attempt_at: Option<i64>,
    /// When the next attempt is due, in milliseconds since the Unix epoch: what the outbox
    /// compares, so a `Retry-After` is honoured to the millisecond.
    #[serde(default)]
    pub next_attempt_at_ms: Option<i64>,
    pub last_error: Option<String>,
    /// ZATCA's validation messages of the last answer (JSON: `validationResults`), if any.
    pub messages: Option<String>,
    /// B2B: the cleared document ZATCA returned (checked: same UUID and invoice hash).
    #[serde(skip)]
    pub cleared_xml: Option<Vec<u8>>,
    /// When ZATCA's final answer was recorded.
    pub finished_at: Option<i64>,
}

/// What one submission attempt ended in, as recorded by [`Store::record_attempt`].
#[derive(Clone, Debug)]
pub struct AttemptRecord {
    pub status: SubmissionStatus,
    /// Whether this attempt counts towards the maximum (an unauthorised EGS does not).
    pub count_attempt: bool,
    /// When a retry falls due, in milliseconds since the Unix epoch.
    pub next_attempt_at_ms: Option<i64>,
    pub last_error: Option<String>,
    pub messages: Option<String>,
    pub cleared_xml: Option<Vec<u8>>,
    /// When the answer was recorded (seconds since the Unix epoch: `finished_at`).
    pub now: i64,
}

/// Whether the unit's first open document is due to be sent at `now_ms` — the one rule of
/// [`Outbox::claim_next`] that every backend applies: pending now; a scheduled retry when its
/// time has come; a claim whose lease expired (its sender died). Times in milliseconds.
pub(crate) fn is_due(document: &StoredDocument, lease_until_ms: Option<i64>, now_ms: i64) -> bool {
    match document.status {
        SubmissionStatus::Pending => true,
        SubmissionStatus::RetryScheduled => document.next_attempt_at_ms.is_none_or(|at| at <= now_ms),
        SubmissionStatus::Submitting => lease_until_ms.is_none_or(|until| until <= now_ms),
        _ => false,
    }
}

/// Whole seconds from milliseconds since the epoch, rounded up: a due time shown in seconds is
/// never earlier than the real one.
pub fn seconds_rounded_up(ms: i64) -> i64 {
    ms.div_euclid(1000) + i64::from(ms.rem_euclid(1000) > 0)
}

/// The outbox keeps milliseconds; `recover` and `requeue` take seconds, and stores written
/// before kept whole seconds (their migration multiplies those once).
pub(crate) const MILLIS_PER_SECOND: i64 = 1000;

/// A claim on a document (a lease): only its owner may record the attempt; a crashed owner's
/// lease expires at `until_ms` (milliseconds since the Unix epoch) and another worker may take
/// the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub owner: String,
    pub until_ms: i64,
}

/// An EGS unit's credentials at rest: the private key and CSID secret sealed (see
/// [`crate::secrets::MasterKey`]), the token, environment and identity in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedCredentials {
    /// The environment, as JSON (`"core"`, `{"custom":"http://…"}`).
    pub environment: String,
    pub binary_security_token: String,
    pub sealed_private_key: Vec<u8>,
    pub sealed_secret: Vec<u8>,
    /// The certificate's end of validity (seconds since the Unix epoch).
    pub not_after: i64,
    /// The unit's identity, the CSR values it was onboarded with ([`crate::csr::CsrConfig`] as
    /// JSON; not secret): what renewal needs to build the new CSR. `None` for units stored
    /// before it was kept.
    pub identity: Option<String>,
}

impl std::fmt::Debug for SealedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedCredentials")
            .field("environment", &self.environment)
            .field("not_after", &self.not_after)
            .field("identity", &self.identity.is_some())
            .finish_non_exhaustive()
    }
}

/// A stored event (see `engine::events`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    /// Increasing; the cursor for [`Store::events_since`].
    pub seq: i64,
    pub at: i64,
    pub kind: String,
    pub egs_id: String,
    pub icv: Option<u64>,
    /// JSON details.
    pub data: String,
}

/// One row of the hash-linked audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq: i64,
    /// The exchange, as JSON.
    pub content: String,
    /// `hash` of the previous row (64 zeros for the first).
    pub prev_hash: String,
    /// [`audit_link_hash`]`(prev_hash, content)`.
    pub hash: String,
}

/// The `prev_hash` of the first audit row.
pub const AUDIT_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Lowercase hex SHA-256 of `prev_hash ‖ "\n" ‖ content`: each audit row commits to its whole
/// history.
pub fn audit_link_hash(prev_hash: &str, content: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(content.as_bytes());
    crate::crypto::hex(&hasher.finalize())
}

/// The batch stamped against `head`: each entry the document or why it could not be built,
/// chained one after the other (a failed entry takes no ICV).
pub(crate) fn stamp_batch(
    head: &ChainHead,
    count: usize,
    stamp: &mut dyn FnMut(usize, u64, &str) -> Result<NewDocument>,
) -> Vec<Result<(ChainHead, NewDocument)>> {
    let mut at = head.clone();
    (0..count)
        .map(|i| {
            let new = stamp(i, at.next_icv, &at.last_hash)?;
            let this = at.clone();
            at = ChainHead { next_icv: at.next_icv + 1, last_hash: new.invoice_hash.clone() };
            Ok((this, new))
        })
        .collect()
}

impl StoredDocument {
    /// The document `new` as just stored at `head`: pending, never sent.
    pub(crate) fn pending(egs_id: &str, head: ChainHead, new: NewDocument, now: i64) -> Self {
        StoredDocument {
            egs_id: egs_id.to_owned(),
            icv: head.next_icv,
            uuid: new.uuid,
            invoice_hash: new.invoice_hash,
            pih: head.last_hash,
            simplified: new.simplified,
            xml: new.xml,
            issued_at: now,
            status: SubmissionStatus::Pending,
            attempts: 0,
            next_attempt_at: None,
            next_attempt_at_ms: None,
            last_error: None,
            messages: None,
            cleared_xml: None,
            finished_at: None,
        }
    }
}

/// A backend for EGS state: every role below, shareable across threads. Implementations must
/// make [`Chain::issue`] atomic across threads, processes and (for shared databases) machines.
pub trait Store: Chain + Outbox + CredentialStore + EventLog + AuditLog + Send + Sync {}

impl<T: Chain + Outbox + CredentialStore + EventLog + AuditLog + Send + Sync> Store for T {}

/// The chain of each EGS unit: heads, issuing and the stored documents.
pub trait Chain {
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
    /// Issues `count` documents of one unit in chain order: for each, `stamp(index, icv, pih)`
    /// builds it against the head left by the ones before. A document whose stamp fails takes
    /// no ICV and the next one goes on from the same head; its error is its entry. Backends
    /// that can store the whole batch in one transaction do (one durable commit per batch); an
    /// error of the store itself fails the call, and then nothing of the batch is stored.
    fn issue_many(
        &self,
        egs_id: &str,
        now: i64,
        count: usize,
        stamp: &mut dyn FnMut(usize, u64, &str) -> Result<NewDocument>,
    ) -> Result<Vec<Result<StoredDocument>>> {
        Ok((0..count).map(|i| self.issue(egs_id, now, &mut |icv, pih| stamp(i, icv, pih))).collect())
    }
    /// One document by its ICV.
    fn document(&self, egs_id: &str, icv: u64) -> Result<Option<StoredDocument>>;
    /// All documents of a unit in chain order.
    fn documents(&self, egs_id: &str) -> Result<Vec<StoredDocument>>;
    /// One document by its UUID.
    fn document_by_uuid(&self, uuid: &str) -> Result<Option<StoredDocument>>;
    /// Every registered EGS unit.
    fn egs_ids(&self) -> Result<Vec<String>>;
}

/// The outbox: what is due, leases on documents in flight, their outcomes, units stopped.
pub trait Outbox {
    /// Claims the unit's next document to send, in chain order: the lowest-ICV document not in a
    /// final state, if it is due at `now_ms` (milliseconds since the Unix epoch): pending, a
    /// scheduled retry whose time has come, or a claim whose lease ran out.
    /// It becomes `submitting` under `lease`. `None` when nothing is due (a document ahead of
    /// the rest waits for its retry: chain order).
    fn claim_next(&self, egs_id: &str, now_ms: i64, lease: &Lease) -> Result<Option<StoredDocument>>;
    /// Records an attempt's outcome if `owner` still holds the lease; `false` when it does not
    /// (another worker took the document over; its answer will be recorded instead).
    fn record_attempt(&self, egs_id: &str, icv: u64, owner: &str, record: &AttemptRecord) -> Result<bool>;
    /// Extends `owner`'s lease on a document it is sending to `until_ms` (milliseconds; the
    /// sender's heartbeat: a live sender keeps its lease, a dead one's runs out within one
    /// lease). `false` when `owner` no longer holds it.
    fn renew_lease(&self, egs_id: &str, icv: u64, owner: &str, until_ms: i64) -> Result<bool>;
    /// Crash recovery: every `submitting` document whose lease had run out by `now_ms`
    /// (milliseconds since the Unix epoch; its sender died: a live sender renews its lease)
    /// becomes `retry_scheduled`, due at once. Returns how many. A live sender's lease is never
    /// taken.
    fn recover(&self, now_ms: i64) -> Result<usize>;
    /// Documents in `status` (all units), oldest first, at most `limit`.
    fn documents_by_status(&self, status: SubmissionStatus, limit: usize) -> Result<Vec<StoredDocument>>;
    /// Count of documents per status.
    fn status_counts(&self) -> Result<Vec<(SubmissionStatus, u64)>>;
    /// The earliest due time of a `retry_scheduled` document, or of a lease expiry, in
    /// milliseconds since the Unix epoch.
    fn next_due_ms(&self) -> Result<Option<i64>>;
    /// Simplified documents issued at or before `issued_before` that ZATCA has not accepted
    /// (pending, submitting, retry scheduled, dead). No XML.
    fn unreported_simplified(&self, issued_before: i64) -> Result<Vec<StoredDocument>>;
    /// Stops (`Some(reason)`) or resumes (`None`) sending for a unit.
    fn set_stopped(&self, egs_id: &str, reason: Option<&str>) -> Result<()>;
    /// Why a unit is stopped, if it is.
    fn stopped(&self, egs_id: &str) -> Result<Option<String>>;
    /// Sends a dead document again (`retry_scheduled`, due at `now_ms` — milliseconds since the
    /// Unix epoch — attempts reset).
    fn requeue(&self, egs_id: &str, icv: u64, now_ms: i64) -> Result<bool>;
}

/// The units' sealed credentials.
pub trait CredentialStore {
    fn put_credentials(&self, egs_id: &str, credentials: &SealedCredentials) -> Result<()>;
    fn credentials(&self, egs_id: &str) -> Result<Option<SealedCredentials>>;
}

/// The durable event stream callers poll with a cursor.
pub trait EventLog {
    /// Appends an event unless one with the same `dedup_key` exists; its `seq` when appended.
    fn push_event(
        &self,
        at: i64,
        kind: &str,
        egs_id: &str,
        icv: Option<u64>,
        data: &str,
        dedup_key: Option<&str>,
    ) -> Result<Option<i64>>;
    /// Events with `seq > cursor`, oldest first, at most `limit`.
    fn events_since(&self, cursor: i64, limit: usize) -> Result<Vec<EventRow>>;
}

/// The hash-linked audit log of every exchange.
pub trait AuditLog {
    /// Appends `content` to the audit log, linked to the last row, atomically.
    fn append_audit(&self, content: &str) -> Result<AuditRow>;
    /// Audit rows with `seq > after`, in order, at most `limit`.
    fn audit_rows(&self, after: i64, limit: usize) -> Result<Vec<AuditRow>>;
}

impl std::fmt::Display for SubmissionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
