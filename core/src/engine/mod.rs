//! The EGS engine: issues documents through a [`Store`] so that every stamped document takes the
//! next counter value and chains to its predecessor, exactly once, whatever fails — and (with the
//! `api` feature) submits them from the store's durable outbox.
//!
//! ```text
//! issue ──► store (pending) ──► worker claims (submitting, leased) ──► ZATCA
//!                                   │ 200/208/409 ─► cleared | reported
//!                                   │ 202        ─► accepted_with_warnings
//!                                   │ 400        ─► rejected (stays in the chain)
//!                                   │ 5xx/429/timeout/dropped ─► retry_scheduled ─► … ─► dead
//!                                   │ 401        ─► retry_scheduled, EGS stopped (event)
//! killed while submitting ─► lease runs out (≤ 8 s) ─► claimed again (resend the identical bytes)
//! ```
//!
//! Modules (private; what of them is API is re-exported here): `retry` (backoff), `events` (the
//! typed event stream), `credentials` (sealed CSIDs and keys), `deadlines` (B2C 24 h reporting,
//! certificate expiry), and with `api`: `worker_loop` (drain / run), `outcome` (answer →
//! document state), `clear` (B2B clearance with a wait), `audit_log` (hash-linked log),
//! `renewal` (production CSID renewal from the store), and the public [`metrics`] (the
//! Prometheus exposition and the health verdict).

#[cfg(feature = "api")]
mod audit_log;
#[cfg(feature = "api")]
mod clear;
mod credentials;
mod deadlines;
mod events;
#[cfg(feature = "api")]
pub mod metrics;
#[cfg(feature = "api")]
mod outcome;
#[cfg(feature = "api")]
mod renewal;
mod retry;
#[cfg(feature = "api")]
mod worker_loop;

use crate::clock::{Clock, SystemClock, riyadh_timestamp};
use crate::crypto::Signer;
use crate::error::Result;
use crate::model::Invoice;
use crate::secrets::MasterKey;
use crate::stamp::StampOptions;
use crate::store::{NewDocument, Store, StoredDocument};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[cfg(feature = "api")]
pub use audit_log::{AuditEntry, AuditHook, AuditVerification, PHASE_ANSWERED, PHASE_SENT};
#[cfg(feature = "api")]
pub use clear::ClearOutcome;
pub use credentials::Unlocked;
pub use deadlines::SweepSummary;
pub use events::{Event, EventKind};
#[cfg(feature = "api")]
pub use renewal::RenewalOutcome;
pub use retry::RetryPolicy;
#[cfg(feature = "api")]
pub use worker_loop::{DrainSummary, Shutdown, ShutdownTrigger, WorkerError, WorkerHealth, shutdown_signal};

/// What [`Engine::issue`] does with [`crate::validate`]'s findings on the document it has just
/// stamped, before storing it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ValidationPolicy {
    /// An error refuses the document: nothing is stored and no ICV is used; the error
    /// (`INVALID_MODEL`) names the first rule and lists every error. Warnings are returned by
    /// [`Engine::issue_checked`]. The default.
    #[default]
    RefuseOnErrors,
    /// Any finding refuses the document, warnings included (for issuers who send only documents
    /// ZATCA accepts without remarks).
    RefuseOnWarnings,
    /// Every document is stored; errors and warnings are returned by [`Engine::issue_checked`]
    /// (ZATCA will reject a document with errors).
    WarnOnly,
    /// No local validation (the platform still judges every document).
    Off,
}

impl std::str::FromStr for ValidationPolicy {
    type Err = crate::error::Error;

    /// `refuse_on_errors`, `refuse_on_warnings`, `warn_only` or `off`.
    fn from_str(text: &str) -> Result<Self> {
        Ok(match text.trim() {
            "refuse_on_errors" => ValidationPolicy::RefuseOnErrors,
            "refuse_on_warnings" => ValidationPolicy::RefuseOnWarnings,
            "warn_only" => ValidationPolicy::WarnOnly,
            "off" => ValidationPolicy::Off,
            other => {
                return Err(crate::error::Error::InvalidInput(format!(
                    "unknown validation policy '{other}': refuse_on_errors, refuse_on_warnings, warn_only or off"
                )));
            }
        })
    }
}

/// An issued document and what local validation said about it.
#[derive(Clone, Debug)]
pub struct Issued {
    pub document: StoredDocument,
    /// Warnings (and with [`ValidationPolicy::WarnOnly`] also errors); empty when validation is
    /// off.
    pub findings: Vec<crate::validate::Finding>,
}

/// How the engine behaves. Every field has a sensible default.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub retry: RetryPolicy,
    /// Local validation of every issued document. Default [`ValidationPolicy::RefuseOnErrors`].
    pub validation: ValidationPolicy,
    /// How long [`Engine::clear`] waits for clearance before answering `Pending`. Default 10 s.
    pub clear_wait: Duration,
    /// B2C reporting deadline after issue. Default 24 h.
    pub reporting_deadline: Duration,
    /// Ages of an unreported simplified document that raise `deadline_at_risk`. Default 12 h
    /// and 20 h.
    pub deadline_warnings: Vec<Duration>,
    /// Days before certificate expiry that raise `certificate_expiring`. Default 30 and 7.
    pub certificate_warnings_days: Vec<i64>,
    /// How long a claim on a document lasts without news from its sender. The sender renews
    /// it every third of this while its request is in flight, so a live sender never loses it
    /// and a killed sender's documents are taken over by another (or a restarted) worker within
    /// this time. Default 8 s, so that a request a crash cut off is sent again within 10 s of
    /// the restart with room for a busy machine (at least 1 s; kept to the millisecond).
    pub lease: Duration,
    /// Longest sleep of [`Engine::run`] between passes. Default 5 s.
    pub poll_interval: Duration,
    /// How often [`Engine::run`] raises deadline and certificate events ([`Engine::sweep`]);
    /// [`Engine::drain`] always does. Default 60 s.
    pub sweep_interval: Duration,
    /// The largest submission request body (`{"invoiceHash","uuid","invoice"}`, the document
    /// in base64) a document may need. A larger one is refused at issue, before it takes an ICV:
    /// the platform would answer 413 and the document could never be sent, breaking the chain
    /// for every later one. ZATCA's documentation states no limit; the default, 2 MiB (about
    /// 1.5 MB of XML), is the local gateway's. Configurable.
    pub max_submission_bytes: usize,
    /// A folder the worker writes each accepted document into the moment it is accepted
    /// (`NNNNNN-<uuid>.xml`: ZATCA's cleared XML for B2B, the stamped XML for B2C), for an ERP
    /// that picks documents up from a folder. Default none.
    pub deliver_dir: Option<std::path::PathBuf>,
    /// With `deliver_dir`: also a readable PDF/A-3 of each delivered document beside it
    /// (`NNNNNN-<uuid>.pdf`, that XML embedded, its QR on the page). Needs the `pdf` feature;
    /// a build without it reports each delivery's PDF as an error. Default off.
    pub deliver_pdf: bool,
    /// The API client's settings.
    #[cfg(feature = "api")]
    pub client: crate::api::ClientConfig,
}

/// [`EngineConfig::max_submission_bytes`] by default.
pub const DEFAULT_MAX_SUBMISSION_BYTES: usize = 2 * 1024 * 1024;

/// The size of the submission body for a document: the JSON envelope, the invoice hash and
/// UUID, and the XML in base64 (padded).
pub fn submission_size(xml_len: usize, invoice_hash: &str, uuid: &str) -> usize {
    const ENVELOPE: usize = r#"{"invoiceHash":"","uuid":"","invoice":""}"#.len();
    ENVELOPE + invoice_hash.len() + uuid.len() + xml_len.div_ceil(3) * 4
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            retry: RetryPolicy::default(),
            validation: ValidationPolicy::default(),
            clear_wait: Duration::from_secs(10),
            reporting_deadline: Duration::from_secs(24 * 3600),
            deadline_warnings: vec![Duration::from_secs(12 * 3600), Duration::from_secs(20 * 3600)],
            certificate_warnings_days: vec![30, 7],
            lease: Duration::from_secs(8),
            poll_interval: Duration::from_secs(5),
            sweep_interval: Duration::from_secs(60),
            max_submission_bytes: DEFAULT_MAX_SUBMISSION_BYTES,
            deliver_dir: None,
            deliver_pdf: false,
            #[cfg(feature = "api")]
            client: crate::api::ClientConfig::default(),
        }
    }
}

/// Issues and tracks documents for any number of EGS units on one store. Cheap to clone (the
/// clones share everything).
#[derive(Clone)]
pub struct Engine {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: Arc<EngineConfig>,
    master_key: Option<Arc<MasterKey>>,
    unlocked: Arc<Mutex<HashMap<String, Arc<credentials::Unlocked>>>>,
    #[cfg(feature = "api")]
    client: Option<crate::api::Client>,
    #[cfg(feature = "api")]
    wake: Arc<tokio::sync::Notify>,
    /// This engine's name in leases.
    worker_id: Arc<str>,
    /// When the last sweep ran (engine clock), for [`EngineConfig::sweep_interval`].
    #[cfg(feature = "api")]
    last_sweep: Arc<std::sync::atomic::AtomicI64>,
    /// What the background worker last did (see [`WorkerHealth`]).
    #[cfg(feature = "api")]
    health: Arc<Mutex<worker_loop::WorkerHealth>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("worker_id", &self.worker_id).field("config", &self.config).finish()
    }
}

impl Engine {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_clock(store, Arc::new(SystemClock))
    }

    /// An engine on an injected clock (tests, replays).
    pub fn with_clock(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        let mut id = [0u8; 6];
        let _ = getrandom::fill(&mut id);
        Engine {
            store,
            clock,
            config: Arc::new(EngineConfig::default()),
            master_key: None,
            unlocked: Arc::default(),
            #[cfg(feature = "api")]
            client: None,
            #[cfg(feature = "api")]
            wake: Arc::default(),
            worker_id: format!("{}-{}", std::process::id(), crate::crypto::hex(&id)).into(),
            #[cfg(feature = "api")]
            last_sweep: Arc::new(std::sync::atomic::AtomicI64::new(i64::MIN)),
            #[cfg(feature = "api")]
            health: Arc::default(),
        }
    }

    /// Replaces the configuration (call before [`Engine::connect`]: the client uses it).
    pub fn with_config(mut self, config: EngineConfig) -> Self {
        self.config = Arc::new(config);
        self
    }

    /// The master key that seals and opens the stored credentials.
    pub fn with_master_key(mut self, key: MasterKey) -> Self {
        self.master_key = Some(Arc::new(key));
        self.unlocked.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Seconds since the Unix epoch, by the engine's clock.
    pub fn now(&self) -> i64 {
        self.clock.now_unix()
    }

    /// Creates the EGS unit's chain if it is new.
    pub fn register_egs(&self, egs_id: &str) -> Result<()> {
        self.store.register_egs(egs_id)
    }

    /// Issues `invoice` for `egs_id`: takes the next ICV and the PIH, writes, stamps, validates
    /// (per [`EngineConfig::validation`]) and stores the document in one transaction. The
    /// invoice's own `icv` and `pih` are replaced. Never waits for the network: the document is
    /// `pending` in the outbox. A document refused by validation leaves the chain untouched.
    /// [`Engine::issue_checked`] also returns the warnings.
    pub fn issue(
        &self,
        egs_id: &str,
        signer: &Signer,
        invoice: &Invoice,
        options: &StampOptions,
    ) -> Result<StoredDocument> {
        self.issue_checked(egs_id, signer, invoice, options).map(|issued| issued.document)
    }

    /// [`Engine::issue`], returning the validation findings that did not refuse the document.
    pub fn issue_checked(
        &self,
        egs_id: &str,
        signer: &Signer,
        invoice: &Invoice,
        options: &StampOptions,
    ) -> Result<Issued> {
        let now = self.clock.now_unix();
        invoice.check_not_in_future(now)?;
        let mut findings = Vec::new();
        let document = self.store.issue(egs_id, now, &mut |icv, pih| {
            let (document, kept) = self.document_at(invoice, icv, pih, signer, options, now)?;
            findings = kept;
            Ok(document)
        })?;
        #[cfg(feature = "api")]
        self.wake.notify_one();
        Ok(Issued { document, findings })
    }

    /// The step both issue paths run inside the store's transaction (an error rolls it back: no
    /// ICV used, nothing stored): `invoice` stamped at `icv` after `pih`, refused if it could
    /// never be submitted or if validation refuses it under the engine's policy; the document
    /// to store and the findings kept.
    fn document_at(
        &self,
        invoice: &Invoice,
        icv: u64,
        pih: &str,
        signer: &Signer,
        options: &StampOptions,
        now: i64,
    ) -> Result<(NewDocument, Vec<crate::validate::Finding>)> {
        let mut invoice = invoice.clone();
        invoice.icv = icv;
        invoice.pih = pih.to_owned();
        let stamped = invoice.stamp_unjudged(signer, options)?;
        let limit = self.config.max_submission_bytes;
        let size = submission_size(stamped.xml.len(), &stamped.invoice_hash, &stamped.uuid);
        if size > limit {
            return Err(crate::error::Error::InvalidInput(format!(
                "document {} is too large to submit: {} bytes of XML make a {size}-byte request, over \
                 the limit of {limit} (max_submission_bytes; ZATCA states none, the platform answers \
                 413): split it into smaller documents",
                stamped.uuid,
                stamped.xml.len()
            )));
        }
        let findings = judge(self.config.validation, &stamped.xml, now)?;
        let document = NewDocument {
            uuid: stamped.uuid,
            invoice_hash: stamped.invoice_hash,
            simplified: invoice.kind == crate::model::InvoiceKind::Simplified,
            xml: stamped.xml,
        };
        Ok((document, findings))
    }

    /// Issues several invoices of one unit in chain order, stored in one transaction where the
    /// store allows (SQLite: one durable commit per batch). Each is stamped and judged like
    /// [`Engine::issue_checked`]; one that is refused takes no ICV and is its own entry's error,
    /// the others go on. An error of the store fails the whole call, and nothing is stored.
    pub fn issue_many(
        &self,
        egs_id: &str,
        signer: &Signer,
        invoices: &[Invoice],
        options: &StampOptions,
    ) -> Result<Vec<Result<Issued>>> {
        let now = self.clock.now_unix();
        let mut findings: Vec<Vec<crate::validate::Finding>> = vec![Vec::new(); invoices.len()];
        let documents = self.store.issue_many(egs_id, now, invoices.len(), &mut |i, icv, pih| {
            invoices[i].check_not_in_future(now)?;
            let (document, kept) = self.document_at(&invoices[i], icv, pih, signer, options, now)?;
            findings[i] = kept;
            Ok(document)
        })?;
        #[cfg(feature = "api")]
        self.wake.notify_one();
        Ok(documents
            .into_iter()
            .zip(findings)
            .map(|(document, findings)| document.map(|document| Issued { document, findings }))
            .collect())
    }

    /// [`Engine::issue_many`] with the unit's stored credentials, signing time now (Riyadh).
    pub fn issue_invoices(&self, egs_id: &str, invoices: &[Invoice]) -> Result<Vec<Result<Issued>>> {
        let unlocked = self.unlock(egs_id)?;
        let options = StampOptions { signing_time: Some(riyadh_timestamp(self.clock.now_unix())) };
        self.issue_many(egs_id, &unlocked.signer, invoices, &options)
    }

    /// Issues `invoice` with the unit's stored credentials (see [`Engine::set_credentials`]),
    /// signing time now (Riyadh).
    pub fn issue_invoice(&self, egs_id: &str, invoice: &Invoice) -> Result<StoredDocument> {
        self.issue_invoice_checked(egs_id, invoice).map(|issued| issued.document)
    }

    /// [`Engine::issue_invoice`], returning the validation findings too.
    pub fn issue_invoice_checked(&self, egs_id: &str, invoice: &Invoice) -> Result<Issued> {
        let unlocked = self.unlock(egs_id)?;
        let options = StampOptions { signing_time: Some(riyadh_timestamp(self.clock.now_unix())) };
        self.issue_checked(egs_id, &unlocked.signer, invoice, &options)
    }

    /// Crash recovery at start-up: documents left `submitting` by a killed sender — their lease
    /// ran out, as a live sender renews its lease — go back to `retry_scheduled`, due now
    /// (their fate is unknown; resending the identical bytes is safe because a duplicate counts
    /// as accepted). Safe with other workers live on the store: their leases are never taken.
    pub fn recover(&self) -> Result<usize> {
        self.store.recover(self.clock.now_millis())
    }

    /// Sends a dead document again (attempts reset). `false` if it is not dead.
    pub fn requeue(&self, egs_id: &str, icv: u64) -> Result<bool> {
        let requeued = self.store.requeue(egs_id, icv, self.clock.now_millis())?;
        #[cfg(feature = "api")]
        self.wake.notify_one();
        Ok(requeued)
    }

    /// Lets a unit stopped by an `unauthorized` answer send again (also done by
    /// [`Engine::set_credentials`]).
    pub fn resume_egs(&self, egs_id: &str) -> Result<()> {
        self.store.set_stopped(egs_id, None)?;
        #[cfg(feature = "api")]
        self.wake.notify_one();
        Ok(())
    }
}

/// Validates a freshly stamped document at `now` (the engine's clock) under `policy`: the
/// findings to keep, or the refusal.
fn judge(policy: ValidationPolicy, xml: &[u8], now: i64) -> Result<Vec<crate::validate::Finding>> {
    if policy == ValidationPolicy::Off {
        return Ok(Vec::new());
    }
    let report = crate::validate::validate_at(xml, now)?;
    let refused = match policy {
        ValidationPolicy::RefuseOnErrors => !report.valid,
        ValidationPolicy::RefuseOnWarnings => !report.findings.is_empty(),
        ValidationPolicy::WarnOnly | ValidationPolicy::Off => false,
    };
    if refused {
        return Err(refusal(&report));
    }
    Ok(report.findings)
}

/// `INVALID_MODEL` naming the first broken rule and listing every error (or, with no error, every
/// warning) with its path and fix.
fn refusal(report: &crate::validate::ValidationReport) -> crate::Error {
    let mut errors: Vec<_> = report.errors().collect();
    if errors.is_empty() {
        errors = report.findings.iter().collect();
    }
    let first = errors.first().map(|f| f.rule.clone());
    let list = errors
        .iter()
        .map(|f| format!("[{}] {} at {}: {}", f.rule, f.message_en, f.path, f.fix))
        .collect::<Vec<_>>()
        .join("; ");
    crate::Error::InvalidModel {
        rule: first,
        message: format!(
            "the stamped document breaks {} rule(s) and was not issued (nothing stored, no ICV used): {list}",
            errors.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> String {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/vectors/sdk-R3.4.8/Data/Samples/Standard/Invoice/Standard_Invoice.xml"
        );
        std::fs::read_to_string(path).unwrap()
    }

    /// 2022-10-01: after the sample's issue date.
    const NOW: i64 = 1_664_582_400;

    #[test]
    fn an_error_refuses_under_the_default_policy_only() {
        let broken = sample().replace("reporting:1.0", "reporting:2.0");
        let error = judge(ValidationPolicy::RefuseOnErrors, broken.as_bytes(), NOW).unwrap_err();
        assert_eq!((error.code(), error.rule()), ("INVALID_MODEL", Some("BR-KSA-EN16931-01")));
        assert!(error.to_string().contains("/Invoice/cbc:ProfileID"), "{error}");
        let kept = judge(ValidationPolicy::WarnOnly, broken.as_bytes(), NOW).unwrap();
        assert_eq!(kept.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), ["BR-KSA-EN16931-01"]);
        assert!(judge(ValidationPolicy::Off, broken.as_bytes(), NOW).unwrap().is_empty());
        assert!(judge(ValidationPolicy::RefuseOnErrors, sample().as_bytes(), NOW).unwrap().is_empty());
    }

    #[test]
    fn a_warning_refuses_only_the_strict_policy() {
        let warned = sample().replacen("<cbc:BuildingNumber>2322<", "<cbc:BuildingNumber>232<", 1);
        let kept = judge(ValidationPolicy::RefuseOnErrors, warned.as_bytes(), NOW).unwrap();
        assert_eq!(kept.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), ["BR-KSA-37"]);
        let error = judge(ValidationPolicy::RefuseOnWarnings, warned.as_bytes(), NOW).unwrap_err();
        assert_eq!(error.rule(), Some("BR-KSA-37"));
    }
}
