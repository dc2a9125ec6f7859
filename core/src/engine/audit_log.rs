//! The audit log: every API exchange (through the client's [`ExchangeHook`]) stored in full —
//! `Authorization`/`OTP` already redacted by the client, CSID secrets blanked — with
//! timestamps, latency and outcome.
//!
//! **Before and after.** Each exchange is two rows sharing an `exchange_id`: the request
//! (`phase: "sent"`, `outcome: "unknown"`), appended *before* it leaves — a request whose row
//! cannot be written is not sent — and the whole exchange (`phase: "answered"`: status, answer or
//! transport error) after. A process killed in between leaves the `sent` row alone: the log then
//! says "sent, outcome unknown" (the platform may or may not have the request), never nothing.
//! [`Engine::verify_audit`] counts such rows (`unanswered`); rows written before this split have
//! no phase and are whole exchanges. Append-only (the SQLite store refuses `UPDATE`/`DELETE` on
//! it) and hash-linked: each row carries SHA-256(previous row's hash ‖ its own content), so an
//! edited, removed or reordered row breaks the chain ([`Engine::verify_audit`]). Keep the head
//! hash somewhere else too if the last rows must be protected against truncation.

use super::Engine;
use crate::api::{Exchange, ExchangeHook};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::store::{AUDIT_GENESIS, Store, audit_link_hash};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// One exchange as stored (the `content` of an audit row).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// `sent` (the request, before it left) or `answered` (the whole exchange); absent in rows
    /// written before the split (whole exchanges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Pairs a `sent` row with its `answered` row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_id: Option<String>,
    /// Engine clock, seconds since the Unix epoch, when the answer (or the failure) came (for a
    /// `sent` row: when the request left).
    pub at: i64,
    /// Wall clock, milliseconds since the Unix epoch: start and end of the exchange.
    pub started_ms: i64,
    pub finished_ms: i64,
    pub latency_ms: f64,
    pub call: String,
    pub method: String,
    pub url: String,
    /// The document's UUID, when the request carried one.
    pub uuid: Option<String>,
    pub request_headers: Vec<(String, String)>,
    pub request_body: String,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
    pub error: Option<String>,
    /// `accepted`, `accepted_with_warnings`, `duplicate`, `rejected`, `unauthorized`,
    /// `retryable`, `error`; `unknown` in a `sent` row.
    pub outcome: String,
}

/// `phase` of the row appended before a request leaves.
pub const PHASE_SENT: &str = "sent";
/// `phase` of the row appended once the exchange is over.
pub const PHASE_ANSWERED: &str = "answered";

fn outcome_of(exchange: &Exchange) -> &'static str {
    match exchange.status {
        None => "retryable",
        Some(200) => "accepted",
        Some(202) => "accepted_with_warnings",
        Some(208 | 409) => "duplicate",
        Some(400) => "rejected",
        Some(401) => "unauthorized",
        Some(429 | 500..=599) => "retryable",
        Some(_) => "error",
    }
}

impl AuditEntry {
    pub fn from_exchange(exchange: &Exchange, at: i64) -> Self {
        let finished_ms =
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        let latency_ms = exchange.latency.as_secs_f64() * 1000.0;
        let uuid = serde_json::from_slice::<serde_json::Value>(&exchange.request_body)
            .ok()
            .and_then(|v| v.get("uuid").and_then(|u| u.as_str()).map(str::to_owned));
        AuditEntry {
            phase: Some(PHASE_ANSWERED.into()),
            exchange_id: Some(exchange.id.clone()),
            at,
            started_ms: finished_ms - latency_ms as i64,
            finished_ms,
            latency_ms,
            call: exchange.call.to_owned(),
            method: exchange.method.clone(),
            url: exchange.url.clone(),
            uuid,
            request_headers: exchange.request_headers.clone(),
            request_body: String::from_utf8_lossy(&exchange.request_body).into_owned(),
            status: exchange.status,
            response_headers: exchange.response_headers.clone(),
            response_body: String::from_utf8_lossy(&exchange.response_body).into_owned(),
            error: exchange.error.clone(),
            outcome: outcome_of(exchange).to_owned(),
        }
    }

    /// The row for a request about to leave: no answer yet, outcome unknown.
    pub fn sent(request: &Exchange, at: i64) -> Self {
        let mut entry = AuditEntry::from_exchange(request, at);
        entry.phase = Some(PHASE_SENT.into());
        entry.started_ms = entry.finished_ms;
        entry.latency_ms = 0.0;
        entry.status = None;
        entry.response_headers.clear();
        entry.response_body.clear();
        entry.outcome = "unknown".into();
        entry
    }
}

/// The client hook that appends every exchange to the store's audit log.
pub struct AuditHook {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl AuditHook {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        AuditHook { store, clock }
    }
}

impl ExchangeHook for AuditHook {
    fn before_send(&self, request: &Exchange) -> Result<()> {
        let entry = AuditEntry::sent(request, self.clock.now_unix());
        let content = serde_json::to_string(&entry)
            .map_err(|e| Error::Storage(format!("audit row for {}: {e}", request.call)))?;
        // No row, no request: the log must hold every request the platform may have received.
        self.store.append_audit(&content).map(|_| ())
    }

    fn on_exchange(&self, exchange: &Exchange) {
        let entry = AuditEntry::from_exchange(exchange, self.clock.now_unix());
        if let Ok(content) = serde_json::to_string(&entry) {
            // A hook cannot fail the call; a storage failure here loses this row only.
            let _ = self.store.append_audit(&content);
        }
    }
}

/// The result of [`Engine::verify_audit`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditVerification {
    pub rows: u64,
    /// The hash of the last row (keep it elsewhere to detect truncation).
    pub head: String,
    /// The first row that breaks the chain, and why.
    pub broken: Option<(i64, String)>,
    /// `sent` rows with no `answered` row: requests whose outcome is unknown (the process died
    /// while they were in flight, or they are in flight now).
    pub unanswered: Vec<i64>,
}

impl AuditVerification {
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

const PAGE: usize = 1000;

fn sorted(open: std::collections::HashMap<String, i64>) -> Vec<i64> {
    let mut seqs: Vec<i64> = open.into_values().collect();
    seqs.sort_unstable();
    seqs
}

impl Engine {
    /// Walks the whole audit log and checks every link.
    pub fn verify_audit(&self) -> Result<AuditVerification> {
        let mut previous = AUDIT_GENESIS.to_owned();
        // exchange id → seq of its `sent` row, until its `answered` row is seen.
        let mut open = std::collections::HashMap::<String, i64>::new();
        let mut rows = 0;
        let mut after = 0;
        loop {
            let page = self.store.audit_rows(after, PAGE)?;
            if page.is_empty() {
                break;
            }
            for row in page {
                after = row.seq;
                rows += 1;
                let broken = if row.prev_hash != previous {
                    Some(
                        "its previous-hash does not match the row before it (a row was removed or reordered)",
                    )
                } else if audit_link_hash(&row.prev_hash, &row.content) != row.hash {
                    Some("its hash does not match its content (the row was edited)")
                } else {
                    None
                };
                if let Some(reason) = broken {
                    return Ok(AuditVerification {
                        rows,
                        head: previous,
                        broken: Some((row.seq, reason.to_owned())),
                        unanswered: sorted(open),
                    });
                }
                if let Ok(entry) = serde_json::from_str::<AuditEntry>(&row.content)
                    && let Some(id) = entry.exchange_id
                {
                    match entry.phase.as_deref() {
                        Some(PHASE_SENT) => {
                            open.insert(id, row.seq);
                        }
                        _ => {
                            open.remove(&id);
                        }
                    }
                }
                previous = row.hash;
            }
        }
        Ok(AuditVerification { rows, head: previous, broken: None, unanswered: sorted(open) })
    }

    /// Writes the audit log as JSON lines: `{"seq","prev_hash","hash","exchange":{…}}`.
    pub fn export_audit(&self, out: &mut dyn std::io::Write) -> Result<u64> {
        let mut after = 0;
        let mut count = 0;
        loop {
            let page = self.store.audit_rows(after, PAGE)?;
            if page.is_empty() {
                return Ok(count);
            }
            for row in page {
                after = row.seq;
                let exchange: serde_json::Value = serde_json::from_str(&row.content)
                    .unwrap_or_else(|_| serde_json::Value::String(row.content.clone()));
                let line = serde_json::json!({
                    "seq": row.seq, "prev_hash": row.prev_hash, "hash": row.hash, "exchange": exchange,
                });
                writeln!(out, "{line}").map_err(|e| Error::Storage(format!("audit export: {e}")))?;
                count += 1;
            }
        }
    }
}
