//! B2B clearance with a wait: [`Engine::clear`] issues a standard document, submits it at once
//! and waits (up to `EngineConfig::clear_wait`) for ZATCA's cleared document. If ZATCA does not
//! answer in time it returns [`ClearOutcome::Pending`], raises `clearance_delayed`, and the
//! engine (a running worker or the next drain) keeps trying.

use super::{Engine, EventKind};
use crate::error::{Error, Result};
use crate::model::{Invoice, InvoiceKind};
use crate::store::{StoredDocument, SubmissionStatus};
use std::time::{Duration, Instant};

/// The least wait left for which [`Engine::wait_for_clearance`] still starts a sending pass.
const LAST_PASS_MARGIN: Duration = Duration::from_millis(250);

/// What [`Engine::clear`] got.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ClearOutcome {
    /// Cleared (possibly with warnings): `cleared_xml` is the official document to hand over.
    Cleared { document: StoredDocument, cleared_xml: Vec<u8>, with_warnings: bool },
    /// Not cleared yet (ZATCA down or slow); the engine keeps trying.
    Pending { document: StoredDocument },
    /// ZATCA rejected it (it stays in the chain); `document.messages` has ZATCA's messages.
    /// Issue a corrected document.
    Rejected { document: StoredDocument },
    /// Attempts exhausted or an answer that cannot be retried: `document.last_error` says why.
    Dead { document: StoredDocument },
}

impl ClearOutcome {
    /// The stored document, whatever the outcome (every outcome, present and future, has one).
    pub fn into_document(self) -> StoredDocument {
        match self {
            ClearOutcome::Cleared { document, .. }
            | ClearOutcome::Pending { document }
            | ClearOutcome::Rejected { document }
            | ClearOutcome::Dead { document } => document,
        }
    }
}

impl Engine {
    /// Issues the standard `invoice` for `egs_id` and waits for its clearance.
    pub async fn clear(&self, egs_id: &str, invoice: &Invoice) -> Result<ClearOutcome> {
        if invoice.kind != InvoiceKind::Standard {
            return Err(Error::InvalidInput(
                "only standard (B2B) documents are cleared; report simplified ones".into(),
            ));
        }
        self.client()?;
        let issued = self.issue_invoice(egs_id, invoice)?;
        self.wait_for_clearance(egs_id, issued.icv).await
    }

    /// Waits (up to `clear_wait`) for an issued standard document's clearance, sending it
    /// (and any earlier documents of the unit) meanwhile.
    pub async fn wait_for_clearance(&self, egs_id: &str, icv: u64) -> Result<ClearOutcome> {
        let deadline = Instant::now() + self.config.clear_wait;
        let mut first = true;
        loop {
            // The pass runs as its own task: if the wait ends mid-request, the answer is still
            // recorded. After the first, no pass starts in the last moments of the wait: it
            // would claim the document after `Pending` was answered, and a caller about to exit
            // (the CLI) would leave it `submitting` until its lease expires.
            let left = deadline.saturating_duration_since(Instant::now());
            if first || left >= LAST_PASS_MARGIN {
                first = false;
                let engine = self.clone();
                let unit = egs_id.to_owned();
                let pass = tokio::spawn(async move { engine.drain_egs(&unit, None).await });
                if let Ok(Ok(Err(error))) = tokio::time::timeout(left, pass).await {
                    return Err(error);
                }
            }
            let document = self
                .store
                .document(egs_id, icv)?
                .ok_or_else(|| Error::Storage(format!("document {egs_id}/{icv} vanished")))?;
            match document.status {
                SubmissionStatus::Cleared | SubmissionStatus::AcceptedWithWarnings => {
                    let with_warnings = document.status == SubmissionStatus::AcceptedWithWarnings;
                    let cleared_xml = document.cleared_xml.clone().unwrap_or_else(|| document.xml.clone());
                    return Ok(ClearOutcome::Cleared { document, cleared_xml, with_warnings });
                }
                SubmissionStatus::Rejected => return Ok(ClearOutcome::Rejected { document }),
                SubmissionStatus::Dead => return Ok(ClearOutcome::Dead { document }),
                _ => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left < LAST_PASS_MARGIN {
                let data = serde_json::json!({
                    "uuid": document.uuid,
                    "waited_ms": self.config.clear_wait.as_millis() as u64,
                    "status": document.status.as_str(),
                    "last_error": document.last_error,
                });
                self.emit(EventKind::ClearanceDelayed, egs_id, Some(icv), data, None)?;
                return Ok(ClearOutcome::Pending { document });
            }
            let until_due = document
                .next_attempt_at_ms
                .map(|at| super::retry::until(at, self.clock.now_millis()))
                .unwrap_or(Duration::from_millis(100));
            tokio::time::sleep(until_due.max(Duration::from_millis(50)).min(left)).await;
        }
    }
}
