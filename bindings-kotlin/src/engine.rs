//! The durable engine (`qayd::embed::EngineHandle`): issue, submit, clear, inspect.

use crate::onboarding::Credentials;
use crate::{QaydError, Result, instant, long, shared_runtime, unsigned};
use qayd::embed::{self, ClearOutcome, DocumentStatus, EventKind};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

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
    pub retry_base_ms: Option<i64>,
    #[uniffi(default = None)]
    pub retry_cap_ms: Option<i64>,
    #[uniffi(default = None)]
    pub max_attempts: Option<i32>,
    /// How long `clear` waits for clearance before answering `pending` (ms, default 10 000).
    #[uniffi(default = None)]
    pub clear_wait_ms: Option<i64>,
    /// The worker's longest sleep between passes (ms, default 5 000).
    #[uniffi(default = None)]
    pub poll_interval_ms: Option<i64>,
    /// HTTP timeouts (ms; defaults 30 000 and 10 000).
    #[uniffi(default = None)]
    pub timeout_ms: Option<i64>,
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<i64>,
    /// Local validation of every issued document: `refuse_on_errors` (default),
    /// `refuse_on_warnings`, `warn_only` or `off`.
    #[uniffi(default = None)]
    pub validation: Option<String>,
    /// The largest submission request a document may need (bytes, default 2 MiB); larger ones
    /// are refused at issue, before they take an ICV.
    #[uniffi(default = None)]
    pub max_submission_bytes: Option<i64>,
    /// A folder the worker writes each accepted document into (`NNNNNN-<uuid>.xml`).
    #[uniffi(default = None)]
    pub deliver_dir: Option<String>,
    /// With `deliverDir`: a PDF/A-3 of each delivered document beside it.
    #[uniffi(default = None)]
    pub deliver_pdf: Option<bool>,
}

/// A stored document without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DocumentInfo {
    pub egs_id: String,
    /// The invoice counter value (ICV) in the unit's chain.
    pub icv: i64,
    pub uuid: String,
    pub invoice_hash: String,
    /// The previous document's hash.
    pub pih: String,
    pub simplified: bool,
    /// Where it stands with ZATCA.
    pub status: DocumentStatus,
    pub issued_at: SystemTime,
    pub attempts: i32,
    pub next_attempt_at: Option<SystemTime>,
    pub last_error: Option<String>,
    /// ZATCA's validation messages of the last answer, as JSON.
    pub messages_json: Option<String>,
    pub finished_at: Option<SystemTime>,
}

impl From<embed::DocumentInfo> for DocumentInfo {
    fn from(d: embed::DocumentInfo) -> Self {
        DocumentInfo {
            egs_id: d.egs_id,
            icv: long(d.icv),
            uuid: d.uuid,
            invoice_hash: d.invoice_hash,
            pih: d.pih,
            simplified: d.simplified,
            status: d.status,
            issued_at: instant(d.issued_at),
            attempts: i32::try_from(d.attempts).unwrap_or(i32::MAX),
            next_attempt_at: d.next_attempt_at.map(instant),
            last_error: d.last_error,
            messages_json: d.messages.map(|m| m.to_string()),
            finished_at: d.finished_at.map(instant),
        }
    }
}

/// A document with its bytes.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Document {
    pub info: DocumentInfo,
    /// The stamped XML as issued (what was sent).
    pub xml: crate::Bytes,
    /// Once cleared: ZATCA's cleared XML, the one to deliver to the buyer.
    pub cleared_xml: Option<crate::Bytes>,
    /// What local validation said when the document was issued (warnings); empty for
    /// documents read back from the store.
    pub findings: Vec<crate::Finding>,
}

impl From<embed::Document> for Document {
    fn from(d: embed::Document) -> Self {
        Document {
            info: d.info.into(),
            xml: d.xml.into(),
            cleared_xml: d.cleared_xml.map(crate::Bytes),
            findings: d.findings.into_iter().map(crate::Finding::from).collect(),
        }
    }
}

/// One entry of `Engine.issueMany`: the document issued, or the error that refused it (the
/// refused entry took no ICV; the others were issued).
// Built once per entry and handed straight to Kotlin: boxing the document would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum IssueResult {
    Issued { document: Document },
    Refused { error: QaydError },
}

impl From<qayd::Result<embed::Document>> for IssueResult {
    fn from(entry: qayd::Result<embed::Document>) -> Self {
        match entry {
            Ok(document) => IssueResult::Issued { document: document.into() },
            Err(error) => IssueResult::Refused { error: error.into() },
        }
    }
}

/// What `clear` ended in.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClearResult {
    /// `CLEARED`, `CLEARED_WITH_WARNINGS`, `PENDING` (the engine keeps trying), `REJECTED` or
    /// `DEAD`.
    pub outcome: ClearOutcome,
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
    pub sent: i64,
    pub cleared: i64,
    pub reported: i64,
    pub accepted_with_warnings: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub retry_scheduled: i64,
    pub dead: i64,
    /// Units whose sending is stopped (an `unauthorized` answer).
    pub stopped_units: Vec<String>,
    /// Units left alone: their credentials belong to another environment than the engine's.
    pub other_environment_units: Vec<String>,
    pub errors: Vec<UnitError>,
}

impl From<embed::DrainReport> for DrainReport {
    fn from(r: embed::DrainReport) -> Self {
        DrainReport {
            sent: long(r.sent),
            cleared: long(r.cleared),
            reported: long(r.reported),
            accepted_with_warnings: long(r.accepted_with_warnings),
            duplicates: long(r.duplicates),
            rejected: long(r.rejected),
            retry_scheduled: long(r.retry_scheduled),
            dead: long(r.dead),
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
    /// The new certificate's end of validity.
    pub not_after: SystemTime,
    pub previous_not_after: SystemTime,
    /// The new certificate's serial number (decimal), as documents carry it.
    pub certificate_serial: String,
    /// Compliance samples run again after a 428 `NOT_COMPLIANT` (0: renewed directly).
    pub compliance_samples: i64,
    /// Documents sent under the previous CSID just before the switch.
    pub sent_before_renewal: i64,
    /// Documents signed by the previous certificate still waiting to be sent.
    pub unsent_with_previous_certificate: i64,
}

impl From<qayd::engine::RenewalOutcome> for RenewalOutcome {
    fn from(r: qayd::engine::RenewalOutcome) -> Self {
        RenewalOutcome {
            egs_id: r.egs_id,
            not_after: instant(r.not_after),
            previous_not_after: instant(r.previous_not_after),
            certificate_serial: r.certificate_serial,
            compliance_samples: long(r.compliance_samples),
            sent_before_renewal: long(r.sent_before_renewal),
            unsent_with_previous_certificate: long(r.unsent_with_previous_certificate),
        }
    }
}

/// One event of the engine's durable stream.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Event {
    /// Increasing: pass the last one seen as the next `events` cursor.
    pub seq: i64,
    pub at: SystemTime,
    /// What happened (`DOCUMENT_REPORTED`, `DEADLINE_AT_RISK`, `DEAD_LETTER`, …).
    pub kind: EventKind,
    pub egs_id: String,
    pub icv: Option<i64>,
    /// Details (UUID, messages, thresholds, expiry…) as JSON.
    pub data_json: String,
}

impl From<qayd::engine::Event> for Event {
    fn from(e: qayd::engine::Event) -> Self {
        Event {
            seq: e.seq,
            at: instant(e.at),
            kind: e.kind,
            egs_id: e.egs_id,
            icv: e.icv.map(long),
            data_json: e.data.to_string(),
        }
    }
}

/// An EGS unit (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EgsInfo {
    pub egs_id: String,
    pub next_icv: i64,
    /// The hash of the unit's last document (the next PIH).
    pub last_hash: String,
    pub has_credentials: bool,
    pub environment: Option<String>,
    /// The certificate's end of validity.
    pub certificate_expiry: Option<SystemTime>,
    /// Why sending is stopped (an `unauthorized` answer), if it is.
    pub stopped: Option<String>,
}

impl From<embed::EgsInfo> for EgsInfo {
    fn from(e: embed::EgsInfo) -> Self {
        EgsInfo {
            egs_id: e.egs_id,
            next_icv: long(e.next_icv),
            last_hash: e.last_hash,
            has_credentials: e.has_credentials,
            environment: e.environment,
            certificate_expiry: e.certificate_expiry.map(instant),
            stopped: e.stopped,
        }
    }
}

/// One error the background worker met.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WorkerError {
    pub at: SystemTime,
    /// The core's stable error code (`SECRET`, `STORAGE`, …).
    pub code: String,
    pub message: String,
    pub egs_id: Option<String>,
}

/// What the background worker has been doing: failed passes do not stop it, so watch this.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WorkerHealth {
    pub passes: i64,
    pub last_pass_at: Option<SystemTime>,
    pub consecutive_failures: i64,
    pub last_error: Option<WorkerError>,
}

impl From<qayd::engine::WorkerHealth> for WorkerHealth {
    fn from(h: qayd::engine::WorkerHealth) -> Self {
        WorkerHealth {
            passes: long(h.passes),
            last_pass_at: h.last_pass_at.map(instant),
            consecutive_failures: long(h.consecutive_failures),
            last_error: h.last_error.map(|e| WorkerError {
                at: instant(e.at),
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
    pub rows: i64,
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
            rows: long(a.rows),
            head: a.head,
            broken_at: a.broken_at,
            broken_reason: a.broken_reason,
        }
    }
}

/// The durable engine behind one store, with its optional background worker. Thread-safe.
/// `close()` it (or `.use {}`): that stops a running worker the way `stop()` does, waiting until
/// its in-flight requests have finished and been recorded.
#[derive(uniffi::Object)]
pub struct Engine {
    inner: Arc<embed::EngineHandle>,
}

impl Drop for Engine {
    fn drop(&mut self) {
        if self.inner.is_running() {
            let engine = Arc::clone(&self.inner);
            // Refused (an error, not a panic) on a thread of the runtime itself, or once the
            // runtime is shut down: the handle's own drop then stops the worker without waiting.
            let _ = embed::block_on(async move { engine.stop().await });
        }
    }
}

#[uniffi::export]
impl Engine {
    /// Opens the store (creating it) and builds the engine. `masterKey` (base64 of 32 bytes)
    /// seals the credentials; without it `QAYD_MASTER_KEY` is used, and without either
    /// credentials can be neither stored nor used.
    #[uniffi::constructor(default(master_key = None))]
    pub fn new(options: EngineOptions, master_key: Option<String>) -> Result<Arc<Self>> {
        let ms = |value: Option<i64>, what: &str| value.map(|v| unsigned::<u64>(v, what)).transpose();
        let options = embed::EngineOptions {
            store: options.store,
            environment: options.environment,
            master_key,
            retry_base_ms: ms(options.retry_base_ms, "retryBaseMs")?,
            retry_cap_ms: ms(options.retry_cap_ms, "retryCapMs")?,
            max_attempts: options.max_attempts.map(|n| unsigned(i64::from(n), "maxAttempts")).transpose()?,
            clear_wait_ms: ms(options.clear_wait_ms, "clearWaitMs")?,
            poll_interval_ms: ms(options.poll_interval_ms, "pollIntervalMs")?,
            validation: options.validation.as_deref().map(str::parse).transpose()?,
            max_submission_bytes: options
                .max_submission_bytes
                .map(|n| unsigned::<u64>(n, "maxSubmissionBytes"))
                .transpose()?,
            deliver_dir: options.deliver_dir,
            deliver_pdf: options.deliver_pdf,
            client: embed::ClientOptions {
                timeout_ms: ms(options.timeout_ms, "timeoutMs")?,
                connect_timeout_ms: ms(options.connect_timeout_ms, "connectTimeoutMs")?,
                ..Default::default()
            },
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

    /// Issues several invoices of one unit in chain order, in one transaction where the store
    /// allows. Each entry is judged on its own: a refused one (an invalid model, a document
    /// ZATCA's rules refuse) takes no ICV and is that entry's `Refused` error, the others are
    /// issued. An error of the store fails the whole call.
    pub fn issue_many(&self, egs_id: String, invoices_json: Vec<String>) -> Result<Vec<IssueResult>> {
        let invoices: Vec<&str> = invoices_json.iter().map(String::as_str).collect();
        Ok(self.inner.issue_many(&egs_id, &invoices)?.into_iter().map(IssueResult::from).collect())
    }

    /// The QR payload (base64 TLV) to print for a stored document: from ZATCA's cleared XML
    /// once a standard document is cleared, else from the stamped XML. Null when there is no
    /// such document (or a standard document not yet cleared carries none).
    pub fn document_qr(&self, egs_id: String, icv: i64) -> Result<Option<String>> {
        Ok(self.inner.document_qr(&egs_id, unsigned(icv, "icv")?)?)
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

    /// Events after `cursor` (0: from the start), oldest first, at most `limit` (100 by default).
    #[uniffi::method(default(cursor = 0, limit = 100))]
    pub fn events(&self, cursor: i64, limit: i32) -> Result<Vec<Event>> {
        let limit = unsigned(i64::from(limit), "limit")?;
        Ok(self.inner.events(cursor, limit)?.into_iter().map(Event::from).collect())
    }

    /// One document with its bytes, or null.
    pub fn document(&self, egs_id: String, icv: i64) -> Result<Option<Document>> {
        Ok(self.inner.document(&egs_id, unsigned(icv, "icv")?)?.map(Document::from))
    }

    pub fn document_by_uuid(&self, uuid: String) -> Result<Option<Document>> {
        Ok(self.inner.document_by_uuid(&uuid)?.map(Document::from))
    }

    /// A unit's documents in chain order, without their bytes.
    pub fn documents(&self, egs_id: String) -> Result<Vec<DocumentInfo>> {
        Ok(self.inner.documents(&egs_id)?.into_iter().map(DocumentInfo::from).collect())
    }

    /// Documents in `status` (all units), oldest first, at most `limit`.
    pub fn documents_by_status(&self, status: DocumentStatus, limit: i32) -> Result<Vec<DocumentInfo>> {
        let limit = unsigned(i64::from(limit), "limit")?;
        Ok(self
            .inner
            .documents_by_status(status.as_str(), limit)?
            .into_iter()
            .map(DocumentInfo::from)
            .collect())
    }

    /// How many documents are in each status (statuses with none are absent).
    pub fn status_counts(&self) -> Result<HashMap<DocumentStatus, i64>> {
        Ok(self.inner.status_counts()?.into_iter().map(|(status, n)| (status, long(n))).collect())
    }

    /// Every unit with its chain head and credential summary.
    pub fn egs_units(&self) -> Result<Vec<EgsInfo>> {
        Ok(self.inner.egs_units()?.into_iter().map(EgsInfo::from).collect())
    }

    /// Sends a dead document again; false if it is not dead.
    pub fn requeue(&self, egs_id: String, icv: i64) -> Result<bool> {
        Ok(self.inner.requeue(&egs_id, unsigned(icv, "icv")?)?)
    }

    /// Lets a unit stopped by an `unauthorized` answer send again.
    pub fn resume_egs(&self, egs_id: String) -> Result<()> {
        Ok(self.inner.resume_egs(&egs_id)?)
    }

    /// Documents left `submitting` by a killed process become due again (how many). Only when
    /// no other worker is live on this store; `start` does it.
    pub fn recover(&self) -> Result<i64> {
        Ok(i64::try_from(self.inner.recover()?).unwrap_or(i64::MAX))
    }

    /// The store's and the worker's metrics in the Prometheus text format, for the
    /// application's web server to serve at /metrics.
    pub fn metrics(&self) -> String {
        self.inner.metrics()
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
