//! Time-driven checks, run by every drain pass (or [`Engine::sweep`] on its own): the B2C
//! reporting deadline (24 h after issue; warnings at 12 h and 20 h by default; missed) and the
//! certificate expiry warnings (30 and 7 days by default). Each event is raised once.

use super::{Engine, EventKind};
use crate::error::Result;
use serde_json::json;

/// What a sweep raised.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepSummary {
    pub at_risk: usize,
    pub missed: usize,
    pub certificates: usize,
}

impl Engine {
    /// Raises the deadline and certificate events that are due now.
    pub fn sweep(&self) -> Result<SweepSummary> {
        let now = self.clock.now_unix();
        let mut summary = SweepSummary::default();
        let deadline = self.config.reporting_deadline.as_secs() as i64;
        for threshold in &self.config.deadline_warnings {
            let age = threshold.as_secs() as i64;
            if age >= deadline {
                continue;
            }
            for document in self.store.unreported_simplified(now - age)? {
                let key = format!("deadline_at_risk:{}:{}:{age}", document.egs_id, document.icv);
                let data = json!({
                    "uuid": document.uuid,
                    "issued_at": document.issued_at,
                    "age_hours": age as f64 / 3600.0,
                    "deadline_at": document.issued_at + deadline,
                    "status": document.status.as_str(),
                });
                if self
                    .emit(EventKind::DeadlineAtRisk, &document.egs_id, Some(document.icv), data, Some(key))?
                    .is_some()
                {
                    summary.at_risk += 1;
                }
            }
        }
        for document in self.store.unreported_simplified(now - deadline)? {
            let key = format!("deadline_missed:{}:{}", document.egs_id, document.icv);
            let data = json!({
                "uuid": document.uuid,
                "issued_at": document.issued_at,
                "deadline_at": document.issued_at + deadline,
                "status": document.status.as_str(),
            });
            if self
                .emit(EventKind::DeadlineMissed, &document.egs_id, Some(document.icv), data, Some(key))?
                .is_some()
            {
                summary.missed += 1;
            }
        }
        for egs_id in self.store.egs_ids()? {
            let Some(credentials) = self.store.credentials(&egs_id)? else { continue };
            for days in &self.config.certificate_warnings_days {
                if credentials.not_after - now <= days * 86_400 {
                    let key = format!("certificate_expiring:{egs_id}:{}:{days}", credentials.not_after);
                    let data = json!({
                        "not_after": credentials.not_after,
                        "days_left": (credentials.not_after - now) as f64 / 86_400.0,
                        "threshold_days": days,
                    });
                    if self.emit(EventKind::CertificateExpiring, &egs_id, None, data, Some(key))?.is_some() {
                        summary.certificates += 1;
                    }
                }
            }
        }
        Ok(summary)
    }
}
