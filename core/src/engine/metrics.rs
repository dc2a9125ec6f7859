//! What monitoring sees of an engine: the Prometheus exposition (the Prometheus project's
//! `prometheus-client` crate), built from the store and the worker's health at each call —
//! documents by status, open documents per unit and status, the age of each unit's oldest open
//! document, the B2C 24-hour deadline margin, certificate days left, the worker's passes,
//! requests, retries, outcomes and last error, whether the store answers — and a health verdict.
//! The CLI serves both over HTTP (`qayd submit --watch --metrics ADDR`); the bindings hand the
//! text to the application's own web server (`Engine.metrics()`).

use super::Engine;
use crate::store::SubmissionStatus;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;

/// Failed passes in a row after which [`health`] says unhealthy.
pub(crate) const UNHEALTHY_AFTER: u64 = 3;

type Labels = Vec<(String, String)>;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// Healthy while the store answers and the worker's last passes succeeded; with the JSON a
/// probe shows (`status`, `store`, `worker`).
pub fn health(engine: &Engine) -> (bool, String) {
    let worker = engine.worker_health();
    let store = engine.store().status_counts().map(|_| ()).map_err(|e| e.to_string());
    let healthy = store.is_ok() && worker.consecutive_failures < UNHEALTHY_AFTER;
    let body = serde_json::json!({
        "status": if healthy { "ok" } else { "unhealthy" },
        "store": match &store { Ok(()) => serde_json::json!({"up": true}), Err(e) => serde_json::json!({"up": false, "error": e}) },
        "worker": worker,
    });
    (healthy, body.to_string())
}

/// The Prometheus text for the store and worker as they are at `now`.
pub fn exposition(engine: &Engine, now: i64) -> String {
    let mut registry = Registry::with_prefix("qayd");
    let store = engine.store();
    let store_up = Gauge::<i64>::default();
    registry.register("store_up", "1 when the store answers, 0 during an outage", store_up.clone());

    let documents = Family::<Labels, Gauge>::default();
    let open = Family::<Labels, Gauge>::default();
    let oldest = Family::<Labels, Gauge>::default();
    let margin = Family::<Labels, Gauge<f64, AtomicU64>>::default();
    let certificate = Family::<Labels, Gauge>::default();
    let answered = (|| -> crate::Result<()> {
        for (status, count) in store.status_counts()? {
            documents.get_or_create(&labels(&[("status", status.as_str())])).set(count as i64);
        }
        let deadline = engine.config().reporting_deadline.as_secs() as i64;
        let mut oldest_by_unit: BTreeMap<String, i64> = BTreeMap::new();
        for status in
            [SubmissionStatus::Pending, SubmissionStatus::Submitting, SubmissionStatus::RetryScheduled]
        {
            for document in store.documents_by_status(status, usize::MAX >> 1)? {
                open.get_or_create(&labels(&[("egs_id", &document.egs_id), ("status", status.as_str())]))
                    .inc();
                let first = oldest_by_unit.entry(document.egs_id.clone()).or_insert(document.issued_at);
                *first = (*first).min(document.issued_at);
                if document.simplified {
                    let left = (document.issued_at + deadline - now) as f64;
                    let gauge = margin.get_or_create(&labels(&[("egs_id", &document.egs_id)]));
                    if gauge.get() == 0.0 || left < gauge.get() {
                        gauge.set(left);
                    }
                }
            }
        }
        for (unit, issued_at) in oldest_by_unit {
            oldest.get_or_create(&labels(&[("egs_id", &unit)])).set(now - issued_at);
        }
        for unit in store.egs_ids()? {
            if let Some(sealed) = store.credentials(&unit)? {
                certificate
                    .get_or_create(&labels(&[("egs_id", &unit)]))
                    .set((sealed.not_after - now).div_euclid(86_400));
            }
        }
        Ok(())
    })();
    store_up.set(i64::from(answered.is_ok()));
    registry.register("documents", "Documents in the store by submission status", documents);
    registry.register("open_documents", "Documents not yet final, per unit and status", open);
    registry.register(
        "oldest_open_document_age_seconds",
        "Age of each unit's oldest document not yet final",
        oldest,
    );
    registry.register(
        "b2c_deadline_margin_seconds",
        "Time left before the 24-hour reporting deadline of each unit's most urgent unreported simplified document (negative: missed)",
        margin,
    );
    registry.register("certificate_days_left", "Days until each unit's production CSID expires", certificate);

    let worker = engine.worker_health();
    let counter = |value: u64| {
        let counter = Counter::<u64>::default();
        counter.inc_by(value);
        counter
    };
    registry.register("worker_passes", "Passes of the worker over the outbox", counter(worker.passes));
    registry.register(
        "worker_requests",
        "Submission requests sent (every attempt)",
        counter(worker.requests_sent),
    );
    registry.register("worker_retries", "Answers that scheduled a retry", counter(worker.retries_scheduled));
    registry.register(
        "worker_accepted",
        "Documents accepted (cleared, reported, with warnings, duplicates)",
        counter(worker.accepted),
    );
    registry.register("worker_rejected", "Documents rejected by the platform", counter(worker.rejected));
    registry.register(
        "worker_dead_letters",
        "Documents whose attempts ran out",
        counter(worker.dead_letters),
    );
    let failures = Gauge::<i64>::default();
    failures.set(worker.consecutive_failures as i64);
    registry.register("worker_consecutive_failures", "Passes in a row that ended with an error", failures);
    let last_error = Family::<Labels, Gauge>::default();
    if let Some(error) = &worker.last_error {
        last_error
            .get_or_create(&labels(&[
                ("code", &error.code),
                ("egs_id", error.egs_id.as_deref().unwrap_or("")),
            ]))
            .set(error.at);
    }
    registry.register(
        "worker_last_error_timestamp_seconds",
        "When the worker last met an error, by error code (the message is in /health)",
        last_error,
    );
    let mut text = String::new();
    let _ = encode(&mut text, &registry);
    text
}
