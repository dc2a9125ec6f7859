//! The outcome mapping: what each answer of the platform (or failure to get one) makes of the
//! document. Accepted → cleared/reported (the cleared XML checked and kept); 202 →
//! accepted_with_warnings; duplicate (208/409/"reported earlier") → accepted; 400 → rejected
//! (with ZATCA's messages); 5xx/429/timeouts/dropped connections/garbled answers →
//! retry_scheduled with backoff, dead once attempts are exhausted; 401 or credentials of another
//! environment → the unit stops (the document waits, its attempt not counted); 413/303/406 →
//! dead at once (resending the same bytes cannot help).

use super::retry::due_at;
use super::{Engine, EventKind};
use crate::api::{InvoiceSubmission, Outcome, SubmissionResponse};
use crate::error::{Error, Result};
use crate::store::{AttemptRecord, StoredDocument, SubmissionStatus};
use serde_json::json;
use std::time::Duration;

/// The outcome of one attempt, ready to record.
pub(super) struct Classified {
    pub(super) record: AttemptRecord,
    pub(super) duplicate: bool,
    pub(super) event: Option<(EventKind, serde_json::Value)>,
    pub(super) stop_unit: Option<String>,
}

impl Engine {
    /// Maps an answer to the document's next state.
    pub(super) fn classify(
        &self,
        document: &StoredDocument,
        answer: Result<Outcome<SubmissionResponse>>,
    ) -> Classified {
        let now = self.clock.now_unix();
        // Taken after the answer arrived: Retry-After counts from here.
        let now_ms = self.clock.now_millis();
        let base = |status| AttemptRecord {
            status,
            count_attempt: true,
            next_attempt_at_ms: None,
            last_error: None,
            messages: None,
            cleared_xml: None,
            now,
        };
        let messages = |response: Option<&SubmissionResponse>| {
            response.and_then(|r| r.validation_results.as_ref()).and_then(|v| serde_json::to_string(v).ok())
        };
        let accepted = |response: Option<&SubmissionResponse>, warnings: bool, duplicate: bool| {
            let status = match (document.simplified, warnings) {
                (_, true) => SubmissionStatus::AcceptedWithWarnings,
                (true, false) => SubmissionStatus::Reported,
                (false, false) => SubmissionStatus::Cleared,
            };
            let mut record = base(status);
            record.messages = messages(response);
            if !document.simplified
                && let Some(xml) = response.and_then(|r| r.cleared_invoice_xml.as_ref())
            {
                if let Err(problem) = check_cleared(document, xml) {
                    let mut record = base(SubmissionStatus::Dead);
                    record.last_error = Some(problem.clone());
                    record.messages = messages(response);
                    return Classified {
                        record,
                        duplicate,
                        event: Some((
                            EventKind::DeadLetter,
                            json!({"uuid": document.uuid, "error": problem}),
                        )),
                        stop_unit: None,
                    };
                }
                record.cleared_xml = Some(xml.clone());
            }
            let kind = match status {
                SubmissionStatus::AcceptedWithWarnings => EventKind::DocumentAcceptedWithWarnings,
                SubmissionStatus::Reported => EventKind::DocumentReported,
                _ => EventKind::DocumentCleared,
            };
            let mut data = json!({"uuid": document.uuid, "duplicate": duplicate});
            if let Some(list) = response.and_then(|r| r.validation_results.as_ref()) {
                data["messages"] = serde_json::to_value(list).unwrap_or_default();
            }
            Classified { record, duplicate, event: Some((kind, data)), stop_unit: None }
        };
        let retry = |reason: String, retry_after: Option<Duration>| {
            let failed = document.attempts + 1;
            if self.config.retry.allows_another(failed) {
                let mut record = base(SubmissionStatus::RetryScheduled);
                record.next_attempt_at_ms =
                    Some(due_at(now_ms, self.config.retry.delay(failed, retry_after)));
                record.last_error = Some(reason);
                Classified { record, duplicate: false, event: None, stop_unit: None }
            } else {
                let mut record = base(SubmissionStatus::Dead);
                let data = json!({"uuid": document.uuid, "attempts": failed, "error": reason});
                record.last_error = Some(reason);
                Classified {
                    record,
                    duplicate: false,
                    event: Some((EventKind::DeadLetter, data)),
                    stop_unit: None,
                }
            }
        };
        let stop = |reason: String, kind: EventKind| {
            // Not the document's fault: it waits, its attempt not counted, until resumed.
            let mut record = base(SubmissionStatus::RetryScheduled);
            record.count_attempt = false;
            record.next_attempt_at_ms = Some(now_ms);
            record.last_error = Some(reason.clone());
            Classified {
                record,
                duplicate: false,
                event: Some((kind, json!({"uuid": document.uuid, "error": reason}))),
                stop_unit: Some(reason),
            }
        };
        match answer {
            Ok(Outcome::Accepted(response)) => accepted(Some(&response), false, false),
            Ok(Outcome::AcceptedWithWarnings(response)) => accepted(Some(&response), true, false),
            Ok(Outcome::Duplicate { response, .. }) => accepted(response.as_ref(), false, true),
            Ok(Outcome::Rejected { status, messages: list, response }) => {
                let mut record = base(SubmissionStatus::Rejected);
                record.messages = messages(response.as_ref())
                    .or_else(|| serde_json::to_string(&json!({"errorMessages": list})).ok());
                let text = list.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("; ");
                record.last_error = Some(format!("rejected (HTTP {status}): {text}"));
                let data = json!({"uuid": document.uuid, "status": status, "messages": list});
                Classified {
                    record,
                    duplicate: false,
                    event: Some((EventKind::DocumentRejected, data)),
                    stop_unit: None,
                }
            }
            Ok(Outcome::Retryable { reason, retry_after, .. }) => retry(reason, retry_after),
            Ok(Outcome::Unauthorized) => stop(
                "ZATCA refused the unit's credentials (HTTP 401); renew or replace them, then resume".into(),
                EventKind::Unauthorized,
            ),
            Ok(Outcome::ComplianceRequired(_)) => {
                let mut record = base(SubmissionStatus::Dead);
                record.last_error = Some("unexpected answer to a document submission (HTTP 428)".into());
                Classified {
                    record,
                    duplicate: false,
                    event: Some((EventKind::DeadLetter, json!({"uuid": document.uuid, "status": 428}))),
                    stop_unit: None,
                }
            }
            Err(error) if error.is_retryable() || matches!(error, Error::UnexpectedResponse { .. }) => {
                retry(error.to_string(), None)
            }
            Err(error @ Error::EnvironmentMismatch(_)) => stop(error.to_string(), EventKind::Unauthorized),
            Err(error @ Error::Storage(_)) => {
                // The audit record could not be made before sending, so nothing was sent: not
                // the document's fault and not an attempt.
                let mut record = base(SubmissionStatus::RetryScheduled);
                record.count_attempt = false;
                record.next_attempt_at_ms = Some(due_at(now_ms, Duration::from_secs(1)));
                record.last_error = Some(format!("not sent: {error}"));
                Classified { record, duplicate: false, event: None, stop_unit: None }
            }
            Err(error) => {
                // 413, 303, 406, a body we cannot build: resending the same bytes cannot help.
                let mut record = base(SubmissionStatus::Dead);
                let data = json!({"uuid": document.uuid, "error": error.to_string(), "code": error.code()});
                record.last_error = Some(error.to_string());
                Classified {
                    record,
                    duplicate: false,
                    event: Some((EventKind::DeadLetter, data)),
                    stop_unit: None,
                }
            }
        }
    }
}

/// The cleared document ZATCA returned must be ours: same UUID and the same invoice hash (the
/// hash leaves out the stamp and QR that ZATCA adds).
fn check_cleared(document: &StoredDocument, xml: &[u8]) -> std::result::Result<(), String> {
    let returned = InvoiceSubmission::from_signed_xml(xml)
        .map_err(|e| format!("the cleared document ZATCA returned cannot be read: {e}"))?;
    if returned.uuid != document.uuid {
        return Err(format!(
            "the cleared document ZATCA returned has UUID {}, not {}",
            returned.uuid, document.uuid
        ));
    }
    if returned.invoice_hash != document.invoice_hash {
        return Err(format!(
            "the cleared document ZATCA returned has invoice hash {}, not {}",
            returned.invoice_hash, document.invoice_hash
        ));
    }
    Ok(())
}
