//! `qayd submit --watch --metrics ADDR`: what monitoring scrapes while the worker runs.
//!
//! * `GET /metrics` — the Prometheus exposition (the Prometheus project's `prometheus-client`
//!   crate), built from the store and the worker's health at each scrape: documents by status,
//!   open documents per unit and status, the age of each unit's oldest open document, the B2C
//!   24-hour deadline margin, certificate days left, the worker's passes, requests, retries,
//!   outcomes and last error, and whether the store answers.
//! * `GET /health` — JSON; 200 while the store answers and the worker's passes succeed, 503
//!   otherwise (a load balancer or a supervisor's probe).

use crate::Failure;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use qayd::engine::Engine;
use qayd::store::SubmissionStatus;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;

/// Failed passes in a row after which `/health` answers 503.
const UNHEALTHY_AFTER: u64 = 3;

type Labels = Vec<(String, String)>;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// Binds `addr` now (a taken port is a usage error before the worker starts) and serves until
/// the task is dropped.
pub async fn serve(addr: &str, engine: Engine) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), Failure> {
    let addr: SocketAddr = addr.parse().map_err(|_| {
        Failure::input(format!("--metrics {addr}: give an address and port, e.g. 127.0.0.1:9464"))
    })?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| Failure {
        code: 2,
        message: format!("--metrics: cannot listen on {addr}: {e}"),
        error_code: "IO",
    })?;
    let bound = listener.local_addr().map_err(|e| Failure::input(format!("--metrics: {e}")))?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let engine = engine.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let engine = engine.clone();
                    async move { Ok::<_, std::convert::Infallible>(answer(&engine, &request)) }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
            });
        }
    });
    Ok((bound, task))
}

fn answer<B>(engine: &Engine, request: &Request<B>) -> Response<Full<Bytes>> {
    let (status, content_type, body) = match (request.method().as_str(), request.uri().path()) {
        ("GET", "/metrics") => (
            StatusCode::OK,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            exposition(engine, time::OffsetDateTime::now_utc().unix_timestamp()),
        ),
        ("GET", "/health") => {
            let (healthy, body) = health(engine);
            let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
            (status, "application/json", body)
        }
        _ => (StatusCode::NOT_FOUND, "text/plain", "GET /metrics or /health\n".to_owned()),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        response.headers_mut().insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

/// `/health`: the store answers and the worker's last passes succeeded.
fn health(engine: &Engine) -> (bool, String) {
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
    let answered = (|| -> qayd::Result<()> {
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
