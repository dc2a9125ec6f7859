//! The durable engine (`qayd::embed::EngineHandle`): issue, submit, clear, inspect.

use crate::onboarding::Credentials;
use crate::{Result, shared_runtime};
use qayd::embed;
use std::collections::HashMap;
use std::sync::Arc;

/// How to open an engine. The master key is not here (a data class prints every field): pass it
/// to the `Engine` constructor, or set `QAYD_MASTER_KEY`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EngineOptions {
    /// An SQLite file path, `:memory:`, or a `postgres://` URL.
    pub store: String,
    /// The environment to submit to (`developer-portal`, `simulation`, `core`, or a base URL).
    /// Without it the engine issues but cannot submit.
    #[uniffi(default = None)]
    pub environment: Option<String>,
    /// Retry policy: first delay and longest delay (ms), attempts before a document is dead.
    #[uniffi(default = None)]
    pub retry_base_ms: Option<u64>,
    #[uniffi(default = None)]
    pub retry_cap_ms: Option<u64>,
    #[uniffi(default = None)]
    pub max_attempts: Option<u32>,
    /// How long `clear` waits for clearance before answering `pending` (ms, default 10 000).
    #[uniffi(default = None)]
    pub clear_wait_ms: Option<u64>,
    /// The worker's longest sleep between passes (ms, default 5 000).
    #[uniffi(default = None)]
    pub poll_interval_ms: Option<u64>,
    /// HTTP timeouts (ms; defaults 30 000 and 10 000).
    #[uniffi(default = None)]
    pub timeout_ms: Option<u64>,
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<u64>,
    /// Local validation of every issued document: `refuse_on_errors` (default),
    /// `refuse_on_warnings`, `warn_only` or `off`.
    #[uniffi(default = None)]
    pub validation: Option<String>,
}

/// A stored document without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DocumentInfo {
    pub egs_id: String,
    /// The invoice counter value (ICV) in the unit's chain.
    pub icv: u64,
    pub uuid: String,
    pub invoice_hash: String,
    /// The previous document's hash.
    pub pih: String,
    pub simplified: bool,
    /// `pending`, `submitting`, `cleared`, `reported`, `accepted_with_warnings`, `rejected`,
    /// `retry_scheduled` or `dead`.
    pub status: String,
    /// Seconds since the Unix epoch.
    pub issued_at: i64,
    pub attempts: u32,
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    /// ZATCA's validation messages of the last answer, as JSON.
    pub messages_json: Option<String>,
    pub finished_at: Option<i64>,
}

impl From<embed::DocumentInfo> for DocumentInfo {
    fn from(d: embed::DocumentInfo) -> Self {
        DocumentInfo {
            egs_id: d.egs_id,
            icv: d.icv,
            uuid: d.uuid,
            invoice_hash: d.invoice_hash,
            pih: d.pih,
            simplified: d.simplified,
            status: d.status,
            issued_at: d.issued_at,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error,
            messages_json: d.messages.map(|m| m.to_string()),
            finished_at: d.finished_at,
        }
    }
}

/// A document with its bytes.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Document {
    pub info: DocumentInfo,
    /// The stamped XML as issued (what was sent).
    pub xml: Vec<u8>,
    /// Once cleared: ZATCA's cleared XML, the one to deliver to the buyer.
    pub cleared_xml: Option<Vec<u8>>,
    /// What local validation said when the document was issued (warnings); empty for
    /// documents read back from the store.
    pub findings: Vec<crate::Finding>,
}

impl From<embed::Document> for Document {
    fn from(d: embed::Document) -> Self {
        Document {
            info: d.info.into(),
            xml: d.xml,
            cleared_xml: d.cleared_xml,
            findings: d.findings.into_iter().map(crate::Finding::from).collect(),
        }
    }
}

/// What `clear` ended in.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClearResult {
    /// `cleared`, `cleared_with_warnings`, `pending` (the engine keeps trying), `rejected` or
    /// `dead`.
    pub outcome: String,
    pub document: Document,
}

/// A unit the drain pass could not process.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct UnitError {
    pub egs_id: String,
    /// The stable error code (`STORAGE`, `SECRET`, …).
    pub code: String,
    pub message: String,
}

/// What one drain pass did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DrainReport {
    pub sent: u64,
    pub cleared: u64,
    pub reported: u64,
    pub accepted_with_warnings: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub retry_scheduled: u64,
    pub dead: u64,
    /// Units whose sending is stopped (an `unauthorized` answer).
    pub stopped_units: Vec<String>,
    /// Units left alone: their credentials belong to another environment than the engine's.
    pub other_environment_units: Vec<String>,
    pub errors: Vec<UnitError>,
}

impl From<embed::DrainReport> for DrainReport {
    fn from(r: embed::DrainReport) -> Self {
        DrainReport {
            sent: r.sent,
            cleared: r.cleared,
            reported: r.reported,
            accepted_with_warnings: r.accepted_with_warnings,
            duplicates: r.duplicates,
            rejected: r.rejected,
            retry_scheduled: r.retry_scheduled,
            dead: r.dead,
            stopped_units: r.stopped_units,
            other_environment_units: r.other_environment_units,
            errors: r
                .errors
                .into_iter()
                .map(|e| UnitError { egs_id: e.egs_id, code: e.code, message: e.message })
                .collect(),
        }
    }
}

/// What a renewal did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RenewalOutcome {
    pub egs_id: String,
    /// The new certificate's end of validity (seconds since the Unix epoch).
    pub not_after: i64,
    pub previous_not_after: i64,
    /// The new certificate's serial number (decimal), as documents carry it.
    pub certificate_serial: String,
    /// Compliance samples run again after a 428 `NOT_COMPLIANT` (0: renewed directly).
    pub compliance_samples: u64,
    /// Documents sent under the previous CSID just before the switch.
    pub sent_before_renewal: u64,
    /// Documents signed by the previous certificate still waiting to be sent.
    pub unsent_with_previous_certificate: u64,
}

impl From<qayd::engine::renewal::RenewalOutcome> for RenewalOutcome {
    fn from(r: qayd::engine::renewal::RenewalOutcome) -> Self {
        RenewalOutcome {
            egs_id: r.egs_id,
            not_after: r.not_after,
            previous_not_after: r.previous_not_after,
            certificate_serial: r.certificate_serial,
            compliance_samples: r.compliance_samples,
            sent_before_renewal: r.sent_before_renewal,
            unsent_with_previous_certificate: r.unsent_with_previous_certificate,
        }
    }
}

/// One event of the engine's durable stream.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Event {
    /// Increasing: pass the last one seen as the next `events` cursor.
    pub seq: i64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    /// `deadline_at_risk`, `deadline_missed`, `clearance_delayed`, `certificate_expiring`,
    /// `certificate_renewed`, `document_rejected`, `dead_letter` or `unauthorized`.
    pub kind: String,
    pub egs_id: String,
    pub icv: Option<u64>,
    /// Details (UUID, messages, thresholds, expiry…) as JSON.
    pub data_json: String,
}

impl From<qayd::engine::Event> for Event {
    fn from(e: qayd::engine::Event) -> Self {
        Event {
            seq: e.seq,
            at: e.at,
            kind: e.kind.as_str().to_owned(),
            egs_id: e.egs_id,
            icv: e.icv,
            data_json: e.data.to_string(),
        }
    }
}

/// An EGS unit (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EgsInfo {
    pub egs_id: String,
    pub next_icv: u64,
    /// The hash of the unit's last document (the next PIH).
    pub last_hash: String,
    pub has_credentials: bool,
    pub environment: Option<String>,
    /// The certificate's end of validity, seconds since the Unix epoch.
    pub certificate_expiry: Option<i64>,
    /// Why sending is stopped (an `unauthorized` answer), if it is.
    pub stopped: Option<String>,
}

impl From<embed::EgsInfo> for EgsInfo {
    fn from(e: embed::EgsInfo) -> Self {
        EgsInfo {
            egs_id: e.egs_id,
            next_icv: e.next_icv,
            last_hash: e.last_hash,
            has_credentials: e.has_credentials,
            environment: e.environment,
            certificate_expiry: e.certificate_expiry,
            stopped: e.stopped,
        }
    }
}

/// One error the background worker met.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WorkerError {
    /// Seconds since the Unix epoch.
    pub at: i64,
    /// The core's stable error code (`SECRET`, `STORAGE`, …).
    pub code: String,
    pub message: String,
    pub egs_id: Option<String>,
}

/// What the background worker has been doing: failed passes do not stop it, so watch this.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WorkerHealth {
    pub passes: u64,
    pub last_pass_at: Option<i64>,
    pub consecutive_failures: u64,
    pub last_error: Option<WorkerError>,
}

impl From<qayd::engine::worker::WorkerHealth> for WorkerHealth {
    fn from(h: qayd::engine::worker::WorkerHealth) -> Self {
        WorkerHealth {
            passes: h.passes,
            last_pass_at: h.last_pass_at,
            consecutive_failures: h.consecutive_failures,
            last_error: h.last_error.map(|e| WorkerError {
                at: e.at,
                code: e.code,
                message: e.message,
                egs_id: e.egs_id,
            }),
        }
    }
}

/// The audit log's integrity.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditCheck {
    pub intact: bool,
    pub rows: u64,
    /// The hash of the last row (keep it elsewhere to detect truncation).
    pub head: String,
    /// The first row whose link does not hold, and why.
    pub broken_at: Option<i64>,
    pub broken_reason: Option<String>,
}

impl From<embed::AuditCheck> for AuditCheck {
    fn from(a: embed::AuditCheck) -> Self {
        AuditCheck {
            intact: a.intact,
            rows: a.rows,
            head: a.head,
            broken_at: a.broken_at,
            broken_reason: a.broken_reason,
        }
    }
}

/// The durable engine behind one store, with its optional background worker. Thread-safe.
/// `close()` it (or `.use {}`): that also stops a running worker (without waiting; call
/// `stop()` first to let in-flight requests finish).
#[derive(uniffi::Object)]
pub struct Engine {
    inner: Arc<embed::EngineHandle>,
}

#[uniffi::export]
impl Engine {
    /// Opens the store (creating it) and builds the engine. `masterKey` (base64 of 32 bytes)
    /// seals the credentials; without it `QAYD_MASTER_KEY` is used, and without either
    /// credentials can be neither stored nor used.
    #[uniffi::constructor(default(master_key = None))]
    pub fn new(options: EngineOptions, master_key: Option<String>) -> Result<Arc<Self>> {
        let options = embed::EngineOptions {
            store: options.store,
            environment: options.environment,
            master_key,
            retry_base_ms: options.retry_base_ms,
            retry_cap_ms: options.retry_cap_ms,
            max_attempts: options.max_attempts,
            clear_wait_ms: options.clear_wait_ms,
            poll_interval_ms: options.poll_interval_ms,
            validation: options.validation.as_deref().map(str::parse).transpose()?,
            client: embed::ClientOptions {
                timeout_ms: options.timeout_ms,
                connect_timeout_ms: options.connect_timeout_ms,
                ..Default::default()
            },
            ..Default::default()
        };
        Ok(Arc::new(Engine { inner: Arc::new(embed::EngineHandle::open(&options)?) }))
    }

    /// Registers a unit (idempotent); `setCredentials` does it too.
    pub fn register_egs(&self, egs_id: String) -> Result<()> {
        Ok(self.inner.register_egs(&egs_id)?)
    }

    /// Stores an onboarded unit's production credentials, sealed with the master key, and its
    /// identity (the CSR values `renewEgs` needs).
    pub fn set_credentials(&self, egs_id: String, credentials: Arc<Credentials>) -> Result<()> {
        Ok(self.inner.set_credentials(&egs_id, &credentials.inner)?)
    }

    /// Issues an invoice (the model's JSON form): next ICV and PIH, stamped with the unit's
    /// credentials, stored as `pending`. Never waits for the network.
    pub fn issue(&self, egs_id: String, invoice_json: String) -> Result<Document> {
        Ok(self.inner.issue(&egs_id, &invoice_json)?.into())
    }

    /// Issues a standard invoice and waits (up to `clearWaitMs`) for its clearance.
    pub async fn clear(&self, egs_id: String, invoice_json: String) -> Result<ClearResult> {
        let engine = self.inner.clone();
        let result = shared_runtime::run(async move { engine.clear(&egs_id, &invoice_json).await }).await?;
        Ok(ClearResult { outcome: result.outcome, document: result.document.into() })
    }

    /// One pass over the outbox: sends everything due, raises deadline and certificate events.
    pub async fn drain(&self) -> Result<DrainReport> {
        let engine = self.inner.clone();
        Ok(shared_runtime::run(async move { engine.drain().await }).await?.into())
    }

    /// Renews the unit's production CSID with a new OTP from what the store holds; the stored
    /// credentials are replaced only once the platform issued the new certificate.
    pub async fn renew_egs(&self, egs_id: String, otp: String) -> Result<RenewalOutcome> {
        let engine = self.inner.clone();
        Ok(shared_runtime::run(async move { engine.renew_egs(&egs_id, &otp).await }).await?.into())
    }

    /// Starts the background worker (recovering documents a killed process left in flight
    /// first). Starting twice is a no-op.
    pub fn start(&self) -> Result<()> {
        Ok(self.inner.start()?)
    }

    /// Whether the background worker runs.
    pub fn is_running(&self) -> bool {
        self.inner.is_running()
    }

    /// Stops the background worker gracefully (in-flight requests finish and are recorded).
    pub async fn stop(&self) -> Result<()> {
        let engine = self.inner.clone();
        shared_runtime::run(async move { engine.stop().await }).await
    }

    /// Events after `cursor` (0: from the start), oldest first, at most `limit`.
    pub fn events(&self, cursor: i64, limit: u32) -> Result<Vec<Event>> {
        Ok(self.inner.events(cursor, limit as usize)?.into_iter().map(Event::from).collect())
    }

    /// One document with its bytes, or null.
    pub fn document(&self, egs_id: String, icv: u64) -> Result<Option<Document>> {
        Ok(self.inner.document(&egs_id, icv)?.map(Document::from))
    }

    pub fn document_by_uuid(&self, uuid: String) -> Result<Option<Document>> {
        Ok(self.inner.document_by_uuid(&uuid)?.map(Document::from))
    }

    /// A unit's documents in chain order, without their bytes.
    pub fn documents(&self, egs_id: String) -> Result<Vec<DocumentInfo>> {
        Ok(self.inner.documents(&egs_id)?.into_iter().map(DocumentInfo::from).collect())
    }

    /// Documents in `status` (all units), oldest first, at most `limit`.
    pub fn documents_by_status(&self, status: String, limit: u32) -> Result<Vec<DocumentInfo>> {
        Ok(self
            .inner
            .documents_by_status(&status, limit as usize)?
            .into_iter()
            .map(DocumentInfo::from)
            .collect())
    }

    /// How many documents are in each status (statuses with none are absent).
    pub fn status_counts(&self) -> Result<HashMap<String, u64>> {
        Ok(self.inner.status_counts()?.into_iter().collect())
    }

    /// Every unit with its chain head and credential summary.
    pub fn egs_units(&self) -> Result<Vec<EgsInfo>> {
        Ok(self.inner.egs_units()?.into_iter().map(EgsInfo::from).collect())
    }

    /// Sends a dead document again; false if it is not dead.
    pub fn requeue(&self, egs_id: String, icv: u64) -> Result<bool> {
        Ok(self.inner.requeue(&egs_id, icv)?)
    }

    /// Lets a unit stopped by an `unauthorized` answer send again.
    pub fn resume_egs(&self, egs_id: String) -> Result<()> {
        Ok(self.inner.resume_egs(&egs_id)?)
    }

    /// Documents left `submitting` by a killed process become due again (how many). Only when
    /// no other worker is live on this store; `start` does it.
    pub fn recover(&self) -> Result<u64> {
        Ok(self.inner.recover()? as u64)
    }

    /// The audit log (every API exchange, Authorization redacted) as JSON lines.
    pub fn export_audit(&self) -> Result<String> {
        Ok(self.inner.export_audit()?)
    }

    /// Whether the hash-linked audit log is intact.
    pub fn verify_audit(&self) -> Result<AuditCheck> {
        Ok(self.inner.verify_audit()?.into())
    }

    /// What the background worker has been doing (passes, consecutive failures, last error).
    pub fn worker_health(&self) -> WorkerHealth {
        self.inner.worker_health().into()
    }
}
