//! # qayd-gateway — a local stand-in for ZATCA's Fatoora platform
//!
//! An HTTP/1.1 server on loopback with the six endpoints of the Fatoora API and their contract
//! (headers, JSON bodies, status codes as in ZATCA's OpenAPI examples), a secp256k1 test CA
//! issuing compliance and production CSIDs, validation of every submitted document with the
//! `qayd` engine, and fault injection (by configuration and at runtime) so that retry logic can be
//! tested against real sockets.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let gateway = qayd_gateway::Gateway::start(qayd_gateway::GatewayConfig::default()).await?;
//! println!("Fatoora stand-in at {}", gateway.base_url());
//! # Ok(()) }
//! ```
//!
//! What it checks is listed in [`platform`]; the admin endpoints are under `/__qayd/`:
//! `POST /__qayd/faults` (a [`Fault`] or a list of them), `DELETE /__qayd/faults`,
//! `GET /__qayd/requests` (what was received, `Authorization` redacted), `GET /__qayd/ca` (the
//! CA certificate, PEM).

mod ca;
pub mod platform;

pub use ca::CsidKind;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

/// How the gateway behaves.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatewayConfig {
    /// Where to listen; port 0 = any free port (read it back with [`Gateway::addr`]).
    pub bind: SocketAddr,
    /// The OTPs `POST /compliance` and `PATCH /production/csids` accept (default `123456`, as
    /// the developer portal). Anything else is `Invalid-OTP`.
    pub valid_otps: Vec<String>,
    /// Each OTP works once (as the portal's do); default false (the developer portal's `123456`
    /// works every time).
    pub single_use_otps: bool,
    /// Largest request body accepted; larger ones get 413. Default 2 MiB.
    pub body_limit: usize,
    /// The CA's private key (PEM/DER/base64); `None` = a fresh key at start-up.
    #[serde(skip_serializing)]
    pub ca_key: Option<String>,
    /// Faults to apply from the start (see [`Fault`]).
    pub faults: Vec<Fault>,
    /// Require the compliance checks before `POST /production/csids` (default true); a
    /// renewal whose CSR enables a family not yet checked then answers 428 `NOT_COMPLIANT`.
    pub require_compliance_steps: bool,
    /// Every renewal answers 428 `NOT_COMPLIANT` with a new compliance CSID (default false), to
    /// exercise a client's handling of it.
    pub renewal_requires_compliance: bool,
    /// Warn (`BR-KSA-98`, HTTP 202) when a simplified document is reported more than 24 hours
    /// after its issue date and time (Riyadh time). Default false: the SDK samples are old.
    pub warn_late_reporting: bool,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            valid_otps: vec!["123456".into()],
            single_use_otps: false,
            body_limit: 2 * 1024 * 1024,
            ca_key: None,
            faults: Vec::new(),
            require_compliance_steps: true,
            renewal_requires_compliance: false,
            warn_late_reporting: false,
        }
    }
}

/// A fault to inject into the next `count` API requests (admin requests are never affected).
///
/// `delay_ms` waits before answering; `drop_connection` closes the connection without an answer;
/// `status` answers with that status at once (with `body`/`content_type`, or the platform's body
/// for that status), adding `Retry-After: <retry_after>` when given. With only `delay_ms`, the
/// request is then processed normally.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fault {
    pub status: Option<u16>,
    /// How many requests it applies to (default 1).
    pub count: Option<u32>,
    pub delay_ms: Option<u64>,
    pub drop_connection: bool,
    pub retry_after: Option<u64>,
    pub body: Option<String>,
    pub content_type: Option<String>,
    /// Only requests whose path ends with this (e.g. `/invoices/reporting/single`).
    pub path: Option<String>,
    /// Process the request first (the platform examines and may accept it), then apply the
    /// fault: a client that sees a timeout, a dropped connection or a 5xx although the
    /// document was accepted.
    pub after_processing: bool,
}

/// A request as the gateway received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReceivedRequest {
    pub method: String,
    pub path: String,
    /// Header names lowercase, in arrival order.
    pub headers: Vec<(String, String)>,
    #[serde(serialize_with = "as_text")]
    pub body: Vec<u8>,
    /// The status the gateway answered with (`None`: the connection dropped by a fault, or
    /// the client gone before the answer).
    pub status: Option<u16>,
    /// When the whole request had arrived, in milliseconds since the Unix epoch: tests time
    /// resends with it (e.g. a killed sender's request sent again after a restart).
    pub received_at_ms: u64,
}

fn as_text<S: serde::Serializer>(body: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(body))
}

impl ReceivedRequest {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub(crate) struct Shared {
    pub(crate) config: GatewayConfig,
    pub(crate) platform: platform::Platform,
    faults: Mutex<VecDeque<(Fault, u32)>>,
    received: Mutex<Vec<ReceivedRequest>>,
    /// Document UUID → how many times clearance/reporting accepted it (200/202, not duplicates).
    acceptances: Mutex<HashMap<String, u32>>,
}

impl Shared {
    fn take_fault(&self, path: &str) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        let index = faults
            .iter()
            .position(|(f, left)| *left > 0 && f.path.as_deref().is_none_or(|p| path.ends_with(p)))?;
        let (fault, left) = &mut faults[index];
        *left -= 1;
        let fault = fault.clone();
        if *left == 0 {
            faults.remove(index);
        }
        Some(fault)
    }

    fn add_fault(&self, fault: Fault) {
        let count = fault.count.unwrap_or(1);
        self.faults.lock().unwrap_or_else(|e| e.into_inner()).push_back((fault, count));
    }

    fn count_acceptance(&self, request: &ReceivedRequest, status: u16) {
        let document_call = request.path.ends_with("/invoices/clearance/single")
            || request.path.ends_with("/invoices/reporting/single");
        if !document_call || !matches!(status, 200 | 202) {
            return;
        }
        let uuid = serde_json::from_slice::<serde_json::Value>(&request.body)
            .ok()
            .and_then(|v| v.get("uuid").and_then(|u| u.as_str()).map(str::to_owned))
            .unwrap_or_default();
        *self.acceptances.lock().unwrap_or_else(|e| e.into_inner()).entry(uuid).or_default() += 1;
    }

    fn record(&self, request: ReceivedRequest) {
        self.received.lock().unwrap_or_else(|e| e.into_inner()).push(request);
    }
}

/// A running gateway; dropped or [`Gateway::shutdown`] → it stops.
pub struct Gateway {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway").field("addr", &self.addr).finish()
    }
}

impl Gateway {
    /// Binds and starts serving in the background (on the current tokio runtime).
    pub async fn start(config: GatewayConfig) -> std::io::Result<Gateway> {
        let ca_key = match &config.ca_key {
            Some(text) => qayd::PrivateKey::from_bytes(text.as_bytes())
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?,
            None => qayd::generate_private_key().map_err(|e| std::io::Error::other(e.to_string()))?,
        };
        let listener = TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        let faults = config.faults.iter().map(|f| (f.clone(), f.count.unwrap_or(1))).collect();
        let shared = Arc::new(Shared {
            platform: platform::Platform::new(ca::Ca::new(ca_key), &config),
            config,
            faults: Mutex::new(faults),
            received: Mutex::new(Vec::new()),
            acceptances: Mutex::new(HashMap::new()),
        });
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let shared = serving.clone();
                        tokio::spawn(async move {
                            let service = hyper::service::service_fn(move |request| {
                                let shared = shared.clone();
                                async move { handle(shared, request).await }
                            });
                            // `Content-Type`, `Retry-After`…: the spelling HTTP/1 servers
                            // conventionally send (hyper would write them lowercase).
                            let _ = hyper::server::conn::http1::Builder::new()
                                .title_case_headers(true)
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                }
            }
        });
        Ok(Gateway { addr, shared, stop: Some(stop), task: Some(task) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>` — the base URL for `qayd::Environment::Custom`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every API request received so far (admin requests excluded).
    pub fn received(&self) -> Vec<ReceivedRequest> {
        self.shared.received.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How many times each document (by UUID) was accepted by clearance or reporting (HTTP 200
    /// or 202; duplicates answered 208/409 are not counted). Also `GET /__qayd/acceptances`.
    pub fn acceptances(&self) -> HashMap<String, u32> {
        self.shared.acceptances.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Forgets the received requests.
    pub fn clear_received(&self) {
        self.shared.received.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Queues a fault (same as `POST /__qayd/faults`).
    pub fn inject(&self, fault: Fault) {
        self.shared.add_fault(fault);
    }

    /// The CA certificate, PEM.
    pub fn ca_certificate_pem(&self) -> String {
        qayd::csr::pem("CERTIFICATE", &self.shared.platform.ca_certificate_der())
    }

    /// Stops accepting connections and waits for the accept loop to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Runs a gateway until Ctrl-C: what `qayd gateway` calls. Prints the base URL on stdout.
pub async fn run(config: GatewayConfig) -> std::io::Result<()> {
    let gateway = Gateway::start(config).await?;
    println!("qayd gateway (local Fatoora stand-in) listening on {}", gateway.base_url());
    tokio::signal::ctrl_c().await?;
    gateway.shutdown().await;
    Ok(())
}

/// [`run`] on a fresh multi-threaded tokio runtime, for callers without one (the CLI).
pub fn run_blocking(config: GatewayConfig) -> std::io::Result<()> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?.block_on(run(config))
}

impl GatewayConfig {
    /// Reads a configuration from JSON (every field optional, unknown fields refused), e.g.
    /// `{"bind":"127.0.0.1:8443","valid_otps":["123456","654321"],"faults":[{"status":503,"count":2}]}`.
    pub fn from_json(text: &str) -> std::io::Result<Self> {
        serde_json::from_str(text)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))
    }
}

/// Dropping the connection is signalled to hyper as a service error.
#[derive(Debug)]
struct Drop_;

impl std::fmt::Display for Drop_ {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Drop_ {}

pub(crate) type Answer = Response<Full<Bytes>>;

pub(crate) fn answer(status: u16, content_type: &str, body: impl Into<Bytes>) -> Answer {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        response.headers_mut().insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

pub(crate) fn json(status: u16, value: &serde_json::Value) -> Answer {
    answer(status, "application/json", serde_json::to_vec(value).unwrap_or_default())
}

/// Hard cap on what is read at all (beyond the configured limit the body is read and dropped so
/// that the client sees the 413 rather than a reset).
const READ_CAP: usize = 64 * 1024 * 1024;

async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Answer, Drop_> {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let body = match http_body_util::Limited::new(request.into_body(), READ_CAP).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => return Err(Drop_),
    };

    if let Some(admin) = path.strip_prefix("/__qayd/") {
        return Ok(admin_request(&shared, &method, admin, &body));
    }

    let received_at_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64);
    let received = ReceivedRequest { method, path, headers, body, status: None, received_at_ms };
    let mut arrival = Arrival { shared: shared.clone(), request: Some(received) };
    let (status, outcome) = respond(&shared, arrival.request()).await;
    arrival.answered(status);
    outcome
}

/// A request on its way through [`respond`]: recorded (`Gateway::received`) when it is
/// answered, when a fault drops its connection, and also when the client gives up first —
/// hyper then drops the handler mid-delay — so every request that arrived is listed.
struct Arrival {
    shared: Arc<Shared>,
    request: Option<ReceivedRequest>,
}

impl Arrival {
    fn request(&self) -> &ReceivedRequest {
        self.request.as_ref().expect("recorded only at the end")
    }

    fn answered(&mut self, status: Option<u16>) {
        if let Some(mut request) = self.request.take() {
            request.status = status;
            self.shared.record(request);
        }
    }
}

impl Drop for Arrival {
    fn drop(&mut self) {
        self.answered(None);
    }
}

/// The answer to a document or onboarding request, with its status (`None`: the connection is
/// dropped), faults applied.
async fn respond(shared: &Shared, received: &ReceivedRequest) -> (Option<u16>, Result<Answer, Drop_>) {
    let fault = shared.take_fault(&received.path);
    if let Some(fault) = fault.as_ref().filter(|f| f.after_processing) {
        let response = shared.platform.handle(received);
        let status = response.status().as_u16();
        shared.count_acceptance(received, status);
        if let Some(ms) = fault.delay_ms {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        if fault.drop_connection {
            return (None, Err(Drop_));
        }
        let response = match fault.status {
            Some(faulted_status) => faulted(fault, faulted_status, &received.path),
            None => response,
        };
        return (Some(response.status().as_u16()), Ok(response));
    }
    if let Some(fault) = &fault {
        if let Some(ms) = fault.delay_ms {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        if fault.drop_connection {
            return (None, Err(Drop_));
        }
    }
    let response = match fault.as_ref().and_then(|f| f.status.map(|s| (f, s))) {
        Some((fault, status)) => faulted(fault, status, &received.path),
        None if received.body.len() > shared.config.body_limit => {
            answer(413, "text/plain", "Request Entity Too Large")
        }
        None => {
            let response = shared.platform.handle(received);
            shared.count_acceptance(received, response.status().as_u16());
            response
        }
    };
    (Some(response.status().as_u16()), Ok(response))
}

fn faulted(fault: &Fault, status: u16, path: &str) -> Answer {
    let csid_call = path.ends_with("/compliance") || path.ends_with("/production/csids");
    let mut response = match (&fault.body, status) {
        (Some(body), _) => {
            answer(status, fault.content_type.as_deref().unwrap_or("application/json"), body.clone())
        }
        (None, 500) if csid_call => json(
            500,
            &serde_json::json!({"code":"Invalid-Request","message":"System failed to process your request"}),
        ),
        (None, 500) => json(
            500,
            &serde_json::json!({"category":"HTTP-Errors","code":"500","message":"Something went wrong and caused an Internal Server Error."}),
        ),
        (None, 429) => answer(429, "text/plain", "Too Many Requests"),
        (None, 503) => answer(503, "text/plain", "Service Unavailable"),
        (None, 504) => answer(504, "text/plain", "Gateway Timeout"),
        (None, _) => answer(status, "text/plain", ""),
    };
    if let Some(seconds) = fault.retry_after {
        response.headers_mut().insert(hyper::header::RETRY_AFTER, seconds.into());
    }
    response
}

fn admin_request(shared: &Shared, method: &str, path: &str, body: &[u8]) -> Answer {
    match (method, path) {
        ("POST", "faults") => {
            let faults: Vec<Fault> = match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(value @ serde_json::Value::Array(_)) => match serde_json::from_value(value) {
                    Ok(list) => list,
                    Err(e) => return json(400, &serde_json::json!({"error": e.to_string()})),
                },
                Ok(value) => match serde_json::from_value(value) {
                    Ok(one) => vec![one],
                    Err(e) => return json(400, &serde_json::json!({"error": e.to_string()})),
                },
                Err(e) => return json(400, &serde_json::json!({"error": e.to_string()})),
            };
            let queued = faults.len();
            for fault in faults {
                shared.add_fault(fault);
            }
            json(200, &serde_json::json!({ "queued": queued }))
        }
        ("DELETE", "faults") => {
            shared.faults.lock().unwrap_or_else(|e| e.into_inner()).clear();
            json(200, &serde_json::json!({ "cleared": true }))
        }
        ("GET", "requests") => {
            let mut list = shared.received.lock().unwrap_or_else(|e| e.into_inner()).clone();
            for request in &mut list {
                for (name, value) in &mut request.headers {
                    if name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("otp") {
                        *value = "REDACTED".into();
                    }
                }
            }
            json(200, &serde_json::to_value(&list).unwrap_or_default())
        }
        ("GET", "acceptances") => {
            let counts = shared.acceptances.lock().unwrap_or_else(|e| e.into_inner()).clone();
            json(200, &serde_json::to_value(&counts).unwrap_or_default())
        }
        ("GET", "ca") => answer(
            200,
            "application/x-pem-file",
            qayd::csr::pem("CERTIFICATE", &shared.platform.ca_certificate_der()),
        ),
        _ => answer(404, "text/plain", "unknown admin endpoint"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_from_json() {
        let config = GatewayConfig::from_json(
            r#"{"bind":"127.0.0.1:0","valid_otps":["111222"],"faults":[{"status":503,"count":2}]}"#,
        )
        .unwrap();
        assert_eq!(config.valid_otps, ["111222"]);
        assert_eq!(config.faults[0], Fault { status: Some(503), count: Some(2), ..Default::default() });
        assert!(config.require_compliance_steps);
        assert!(GatewayConfig::from_json(r#"{"otps":[]}"#).is_err());
    }
}
