//! The durable engine (`qayd::embed::EngineHandle`) as a JS class. Network work (`clear`,
//! `drain`, `renew_egs`, `stop`) returns Promises; the store calls are sync (SQLite, local, short).

use crate::onboarding::EgsCredentials;
use crate::{OrThrow, non_negative};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use qayd::embed;
use std::collections::HashMap;

/// A stored document without its bytes. Times are seconds since the Unix epoch.
#[napi(object, use_nullable = true)]
pub struct DocumentInfo {
    pub egs_id: String,
    pub icv: i64,
    pub uuid: String,
    pub invoice_hash: String,
    pub pih: String,
    pub simplified: bool,
    /// `pending`, `submitting`, `cleared`, `reported`, `accepted_with_warnings`, `rejected`,
    /// `retry_scheduled` or `dead`.
    pub status: String,
    pub issued_at: i64,
    pub attempts: u32,
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    /// ZATCA's validation messages of the last answer, as sent.
    pub messages: Option<serde_json::Value>,
    pub finished_at: Option<i64>,
}

/// One entry of `issueMany`: the document, or the error that refused its model (`index.js`
/// turns it into the error class of its code).
#[napi(object, use_nullable = true)]
pub struct IssueEntry {
    pub document: Option<Document>,
    pub error: Option<EntryError>,
}

/// A core error as data: its stable code, message, rule and HTTP status.
#[napi(object, use_nullable = true)]
pub struct EntryError {
    pub code: String,
    pub message: String,
    pub rule: Option<String>,
    pub status: Option<u32>,
}

impl From<qayd::Result<embed::Document>> for IssueEntry {
    fn from(result: qayd::Result<embed::Document>) -> Self {
        match result {
            Ok(document) => IssueEntry { document: Some(document.into()), error: None },
            Err(error) => IssueEntry {
                document: None,
                error: Some(EntryError {
                    code: error.code().to_owned(),
                    message: error.to_string(),
                    rule: error.rule().map(str::to_owned),
                    status: error.status().map(u32::from),
                }),
            },
        }
    }
}

/// ICVs count documents: far below 2^53.
fn number(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl From<embed::DocumentInfo> for DocumentInfo {
    fn from(d: embed::DocumentInfo) -> Self {
        DocumentInfo {
            egs_id: d.egs_id,
            icv: number(d.icv),
            uuid: d.uuid,
            invoice_hash: d.invoice_hash,
            pih: d.pih,
            simplified: d.simplified,
            status: d.status.as_str().to_owned(),
            issued_at: d.issued_at,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error,
            messages: d.messages,
            finished_at: d.finished_at,
        }
    }
}

/// A document with its stamped XML and, once cleared, ZATCA's cleared XML.
#[napi(object, use_nullable = true)]
pub struct Document {
    pub info: DocumentInfo,
    pub xml: crate::Bytes,
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

/// What `clear` ended in: `cleared`, `cleared_with_warnings`, `pending`, `rejected` or `dead`.
#[napi(object)]
pub struct ClearResult {
    pub outcome: String,
    pub document: Document,
}

/// A unit a drain pass could not process.
#[napi(object)]
pub struct UnitError {
    pub egs_id: String,
    /// The core's error code, like the `code` of a thrown error.
    pub code: String,
    pub message: String,
}

/// What one drain pass did.
#[napi(object)]
pub struct DrainReport {
    pub sent: i64,
    pub cleared: i64,
    pub reported: i64,
    pub accepted_with_warnings: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub retry_scheduled: i64,
    pub dead: i64,
    pub stopped_units: Vec<String>,
    /// Units left alone: their credentials belong to another environment than the engine's.
    pub other_environment_units: Vec<String>,
    pub errors: Vec<UnitError>,
}

impl From<embed::DrainReport> for DrainReport {
    fn from(r: embed::DrainReport) -> Self {
        DrainReport {
            sent: number(r.sent),
            cleared: number(r.cleared),
            reported: number(r.reported),
            accepted_with_warnings: number(r.accepted_with_warnings),
            duplicates: number(r.duplicates),
            rejected: number(r.rejected),
            retry_scheduled: number(r.retry_scheduled),
            dead: number(r.dead),
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
#[napi(object)]
pub struct RenewalOutcome {
    pub egs_id: String,
    /// The new certificate's end of validity (seconds since the Unix epoch).
    pub not_after: i64,
    pub previous_not_after: i64,
    /// The new certificate's serial number (decimal).
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
            not_after: r.not_after,
            previous_not_after: r.previous_not_after,
            certificate_serial: r.certificate_serial,
            compliance_samples: number(r.compliance_samples),
            sent_before_renewal: number(r.sent_before_renewal),
            unsent_with_previous_certificate: number(r.unsent_with_previous_certificate),
        }
    }
}

/// One engine event.
#[napi(object, use_nullable = true)]
pub struct Event {
    /// Increasing: pass the last one seen as the next cursor.
    pub seq: i64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub kind: String,
    pub egs_id: String,
    pub icv: Option<i64>,
    pub data: serde_json::Value,
}

/// An EGS unit (no secrets).
#[napi(object, use_nullable = true)]
pub struct EgsInfo {
    pub egs_id: String,
    pub next_icv: i64,
    pub last_hash: String,
    pub has_credentials: bool,
    pub environment: Option<String>,
    /// Seconds since the Unix epoch.
    pub certificate_expiry: Option<i64>,
    /// Why sending is stopped, if it is.
    pub stopped: Option<String>,
}

/// The audit log's integrity.
#[napi(object, use_nullable = true)]
pub struct AuditCheck {
    pub intact: bool,
    pub rows: i64,
    pub head: String,
    pub broken_at: Option<i64>,
    pub broken_reason: Option<String>,
}

/// One error the background worker met (`code`: the core's error code, as a thrown error's).
#[napi(object, use_nullable = true)]
pub struct WorkerError {
    pub at: i64,
    pub code: String,
    pub message: String,
    pub egs_id: Option<String>,
}

/// What the background worker has been doing.
#[napi(object, use_nullable = true)]
pub struct WorkerHealth {
    pub passes: i64,
    pub last_pass_at: Option<i64>,
    pub consecutive_failures: i64,
    pub last_error: Option<WorkerError>,
}

/// The durable engine behind one store, with its optional background worker.
#[napi]
pub struct Engine {
    inner: embed::EngineHandle,
}

#[napi]
impl Engine {
    /// Opens the store (the JSON form of `qayd::embed::EngineOptions`).
    #[napi(factory)]
    pub fn open(env: Env, options: String) -> Result<Self> {
        embed::EngineHandle::open_json(&options).map(|inner| Engine { inner }).or_throw(&env)
    }

    #[napi]
    pub fn register_egs(&self, env: Env, egs_id: String) -> Result<()> {
        self.inner.register_egs(&egs_id).or_throw(&env)
    }

    /// Stores the unit's production credentials (sealed) and its identity (for `renew_egs`).
    #[napi]
    pub fn set_credentials(&self, env: Env, egs_id: String, credentials: &EgsCredentials) -> Result<()> {
        self.inner.set_credentials(&egs_id, &credentials.inner).or_throw(&env)
    }

    /// Issues (stamps and stores) an invoice given in the model's JSON form; never waits for
    /// the network.
    #[napi]
    pub fn issue(&self, env: Env, egs_id: String, invoice: String) -> Result<Document> {
        self.inner.issue(&egs_id, &invoice).map(Document::from).or_throw(&env)
    }

    /// Issues a batch (models' JSON texts) in one transaction, in order: per model its document,
    /// or the error that refused that model alone (the others are issued without it).
    #[napi]
    pub fn issue_many(&self, env: Env, egs_id: String, invoices: Vec<String>) -> Result<Vec<IssueEntry>> {
        let models: Vec<&str> = invoices.iter().map(String::as_str).collect();
        let results = self.inner.issue_many(&egs_id, &models).or_throw(&env)?;
        Ok(results.into_iter().map(IssueEntry::from).collect())
    }

    /// Issues a standard invoice and waits (up to `clearWaitMs`) for its clearance.
    #[napi]
    pub async fn clear(&self, egs_id: String, invoice: String) -> Result<ClearResult> {
        let result = self.inner.clear(&egs_id, &invoice).await.or_reject()?;
        Ok(ClearResult { outcome: result.outcome.as_str().to_owned(), document: result.document.into() })
    }

    /// One pass over the outbox.
    #[napi]
    pub async fn drain(&self) -> Result<DrainReport> {
        self.inner.drain().await.map(DrainReport::from).or_reject()
    }

    /// Renews the unit's production CSID with a new OTP from what the store holds.
    #[napi]
    pub async fn renew_egs(&self, egs_id: String, otp: String) -> Result<RenewalOutcome> {
        self.inner.renew_egs(&egs_id, &otp).await.map(RenewalOutcome::from).or_reject()
    }

    /// Starts the background worker (a no-op when it runs).
    #[napi]
    pub fn start(&self, env: Env) -> Result<()> {
        self.inner.start().or_throw(&env)
    }

    #[napi(getter)]
    pub fn is_running(&self) -> bool {
        self.inner.is_running()
    }

    /// Stops the background worker gracefully and waits for it.
    #[napi]
    pub async fn stop(&self) -> Result<()> {
        self.inner.stop().await.or_reject()
    }

    /// Events after `cursor` (0: from the start), oldest first, at most `limit`.
    #[napi]
    pub fn events(&self, env: Env, cursor: i64, limit: u32) -> Result<Vec<Event>> {
        let events = self.inner.events(cursor, limit as usize).or_throw(&env)?;
        Ok(events
            .into_iter()
            .map(|e| Event {
                seq: e.seq,
                at: e.at,
                kind: e.kind.as_str().to_owned(),
                egs_id: e.egs_id,
                icv: e.icv.map(number),
                data: e.data,
            })
            .collect())
    }

    #[napi]
    pub fn document(&self, env: Env, egs_id: String, icv: i64) -> Result<Option<Document>> {
        let icv = non_negative(icv, "icv").or_throw(&env)?;
        Ok(self.inner.document(&egs_id, icv).or_throw(&env)?.map(Document::from))
    }

    /// The QR payload to print for a stored document (from the cleared XML once cleared).
    #[napi]
    pub fn document_qr(&self, env: Env, egs_id: String, icv: i64) -> Result<Option<String>> {
        let icv = non_negative(icv, "icv").or_throw(&env)?;
        self.inner.document_qr(&egs_id, icv).or_throw(&env)
    }

    #[napi]
    pub fn document_by_uuid(&self, env: Env, uuid: String) -> Result<Option<Document>> {
        Ok(self.inner.document_by_uuid(&uuid).or_throw(&env)?.map(Document::from))
    }

    #[napi]
    pub fn documents(&self, env: Env, egs_id: String) -> Result<Vec<DocumentInfo>> {
        Ok(self.inner.documents(&egs_id).or_throw(&env)?.into_iter().map(DocumentInfo::from).collect())
    }

    #[napi]
    pub fn documents_by_status(&self, env: Env, status: String, limit: u32) -> Result<Vec<DocumentInfo>> {
        let documents = self.inner.documents_by_status(&status, limit as usize).or_throw(&env)?;
        Ok(documents.into_iter().map(DocumentInfo::from).collect())
    }

    #[napi]
    pub fn status_counts(&self, env: Env) -> Result<HashMap<String, i64>> {
        let counts = self.inner.status_counts().or_throw(&env)?;
        Ok(counts.into_iter().map(|(status, n)| (status.as_str().to_owned(), number(n))).collect())
    }

    #[napi]
    pub fn egs_units(&self, env: Env) -> Result<Vec<EgsInfo>> {
        let units = self.inner.egs_units().or_throw(&env)?;
        Ok(units
            .into_iter()
            .map(|u| EgsInfo {
                egs_id: u.egs_id,
                next_icv: number(u.next_icv),
                last_hash: u.last_hash,
                has_credentials: u.has_credentials,
                environment: u.environment,
                certificate_expiry: u.certificate_expiry,
                stopped: u.stopped,
            })
            .collect())
    }

    /// Sends a dead document again; `false` if it is not dead.
    #[napi]
    pub fn requeue(&self, env: Env, egs_id: String, icv: i64) -> Result<bool> {
        let icv = non_negative(icv, "icv").or_throw(&env)?;
        self.inner.requeue(&egs_id, icv).or_throw(&env)
    }

    #[napi]
    pub fn resume_egs(&self, env: Env, egs_id: String) -> Result<()> {
        self.inner.resume_egs(&egs_id).or_throw(&env)
    }

    /// Documents a killed process left `submitting` become due again; how many.
    #[napi]
    pub fn recover(&self, env: Env) -> Result<i64> {
        self.inner.recover().map(|n| number(n as u64)).or_throw(&env)
    }

    /// The audit log as JSON lines.
    /// The store's and the worker's metrics in the Prometheus text format.
    #[napi]
    pub fn metrics(&self) -> String {
        self.inner.metrics()
    }

    #[napi]
    pub fn export_audit(&self, env: Env) -> Result<String> {
        self.inner.export_audit().or_throw(&env)
    }

    #[napi]
    pub fn worker_health(&self) -> WorkerHealth {
        let health = self.inner.worker_health();
        WorkerHealth {
            passes: number(health.passes),
            last_pass_at: health.last_pass_at,
            consecutive_failures: number(health.consecutive_failures),
            last_error: health.last_error.map(|e| WorkerError {
                at: e.at,
                code: e.code,
                message: e.message,
                egs_id: e.egs_id,
            }),
        }
    }

    #[napi]
    pub fn verify_audit(&self, env: Env) -> Result<AuditCheck> {
        let check = self.inner.verify_audit().or_throw(&env)?;
        Ok(AuditCheck {
            intact: check.intact,
            rows: number(check.rows),
            head: check.head,
            broken_at: check.broken_at,
            broken_reason: check.broken_reason,
        })
    }
}
