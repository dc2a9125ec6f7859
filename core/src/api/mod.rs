//! The Fatoora REST API client: the six calls, their exact headers and bodies, and one
//! [`Outcome`] for every answer.
//!
//! * Async (tokio + reqwest over rustls with the *ring* provider; plain `http://` only for a
//!   loopback host such as the local gateway, unless [`ClientConfig::allow_insecure_http`]).
//! * No retries here: an answer that may be sent again unchanged is
//!   [`Outcome::Retryable`]; the caller's retry policy decides. A request body is serialised once,
//!   so sending the same [`InvoiceSubmission`] again sends the same bytes.
//! * Every request/response exchange is shown to an optional [`ExchangeHook`] (audit log), with
//!   `Authorization` and `OTP` redacted and the `secret` of CSID answers blanked.
//! * [`Credentials`] know their environment; sending them to another one is refused locally.

mod types;

pub use types::{
    ApiErrorEntry, CsidResponse, InvoiceSubmission, SubmissionResponse, ValidationMessage, ValidationResults,
};

use crate::csr::Environment;
use crate::error::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The value of the `Accept-Version` header every call sends.
pub(crate) const ACCEPT_VERSION: &str = "V2";

/// What the platform said, classified. `T` is the call's typed answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome<T> {
    /// HTTP 200: done.
    Accepted(T),
    /// HTTP 202 (or 200 with warnings): done — do not resend; fix future documents.
    AcceptedWithWarnings(T),
    /// HTTP 400 (or another refusal) with the platform's error messages. Do not resend unchanged.
    Rejected { status: u16, messages: Vec<ValidationMessage>, response: Option<T> },
    /// The document was submitted before: 208 (clearance, with the cleared invoice), 409
    /// (reporting), or a 400 saying it was "reported earlier".
    Duplicate { status: u16, response: Option<T> },
    /// Not processed; sending the same bytes again later is right: 5xx, 429, timeouts, refused or
    /// dropped connections. `retry_after` comes from the `Retry-After` header when present.
    Retryable { status: Option<u16>, reason: String, retry_after: Option<Duration> },
    /// HTTP 401: the credentials were refused.
    Unauthorized,
    /// HTTP 428 on renewal: a new *compliance* CSID was issued (`NOT_COMPLIANT`); redo the
    /// compliance checks with it, then request a production CSID.
    ComplianceRequired(T),
}

impl<T> Outcome<T> {
    /// Whether the platform accepted (with or without warnings).
    pub fn is_accepted(&self) -> bool {
        matches!(self, Outcome::Accepted(_) | Outcome::AcceptedWithWarnings(_))
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, Outcome::Retryable { .. })
    }

    /// The typed answer, when there is one.
    pub fn response(&self) -> Option<&T> {
        match self {
            Outcome::Accepted(t) | Outcome::AcceptedWithWarnings(t) | Outcome::ComplianceRequired(t) => {
                Some(t)
            }
            Outcome::Rejected { response, .. } | Outcome::Duplicate { response, .. } => response.as_ref(),
            Outcome::Retryable { .. } | Outcome::Unauthorized => None,
        }
    }

    /// A short stable name: `accepted`, `accepted_with_warnings`, `rejected`, `duplicate`,
    /// `retryable`, `unauthorized`, `compliance_required`.
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Accepted(_) => "accepted",
            Outcome::AcceptedWithWarnings(_) => "accepted_with_warnings",
            Outcome::Rejected { .. } => "rejected",
            Outcome::Duplicate { .. } => "duplicate",
            Outcome::Retryable { .. } => "retryable",
            Outcome::Unauthorized => "unauthorized",
            Outcome::ComplianceRequired(_) => "compliance_required",
        }
    }

    /// The answer of an accepted call; every other outcome as an [`Error`] (`API_REJECTED`,
    /// `UNAUTHORIZED`, `NETWORK`, `HTTP`). A duplicate with an answer (208) counts as accepted.
    pub fn into_result(self) -> Result<T> {
        match self {
            Outcome::Accepted(t) | Outcome::AcceptedWithWarnings(t) => Ok(t),
            Outcome::Duplicate { response: Some(t), .. } => Ok(t),
            Outcome::Duplicate { status, response: None } => {
                Err(Error::ApiRejected { status, message: "the document was submitted before".into() })
            }
            Outcome::Rejected { status, messages, .. } => Err(Error::ApiRejected {
                status,
                message: messages.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("; "),
            }),
            Outcome::Unauthorized => {
                Err(Error::Unauthorized("the platform refused the credentials (HTTP 401)".into()))
            }
            Outcome::Retryable { status: None, reason, .. } => Err(Error::Network(reason)),
            Outcome::Retryable { status: Some(status), reason, .. } => {
                Err(Error::Http { status, message: reason })
            }
            Outcome::ComplianceRequired(_) => Err(Error::ApiRejected {
                status: 428,
                message: "a new compliance CSID was issued (NOT_COMPLIANT): redo the compliance checks"
                    .into(),
            }),
        }
    }
}

/// A CSID (compliance or production): the `binarySecurityToken` and its secret, and the
/// environment that issued them. `Debug` never prints the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    environment: Environment,
    binary_security_token: String,
    secret: String,
    request_id: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let token = &self.binary_security_token;
        let shown: String = token.chars().take(12).collect();
        f.debug_struct("Credentials")
            .field("environment", &self.environment)
            .field("binary_security_token", &format!("{shown}… ({} chars)", token.len()))
            .field("secret", &"<redacted>")
            .field("request_id", &self.request_id)
            .finish()
    }
}

impl Credentials {
    pub fn new(
        environment: Environment,
        binary_security_token: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        Credentials {
            environment,
            binary_security_token: binary_security_token.into().trim().to_owned(),
            secret: secret.into(),
            request_id: None,
        }
    }

    /// From a CSID answer (`binarySecurityToken`, `secret`, `requestID`).
    pub fn from_csid(environment: Environment, response: &CsidResponse) -> Result<Self> {
        let missing = |field: &str| Error::UnexpectedResponse {
            status: 200,
            message: format!("the CSID answer has no {field}"),
        };
        let token = response.binary_security_token.clone().ok_or_else(|| missing("binarySecurityToken"))?;
        let secret = response.secret.clone().ok_or_else(|| missing("secret"))?;
        let mut credentials = Credentials::new(environment, token, secret);
        credentials.request_id = response.request_id.clone();
        Ok(credentials)
    }

    pub fn environment(&self) -> &Environment {
        &self.environment
    }
    pub fn binary_security_token(&self) -> &str {
        &self.binary_security_token
    }
    /// The secret (handle with care: never log it).
    pub fn secret(&self) -> &str {
        &self.secret
    }
    /// The `requestID` of the CSID answer (a compliance CSID's is what `POST /production/csids`
    /// needs).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// The certificate the token carries.
    pub fn certificate(&self) -> Result<crate::Certificate> {
        crate::Certificate::from_bytes(self.binary_security_token.as_bytes())
    }
    /// `Basic base64(token ":" secret)`.
    fn authorization(&self) -> String {
        format!("Basic {}", B64.encode(format!("{}:{}", self.binary_security_token, self.secret)))
    }
}

/// The response language (`Accept-Language`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Language {
    #[default]
    En,
    Ar,
}

impl Language {
    fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ar => "ar",
        }
    }
}

/// Client settings.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The whole exchange (connect, send, wait, read). Default 30 s.
    pub timeout: Duration,
    /// Connecting alone. Default 10 s.
    pub connect_timeout: Duration,
    pub language: Language,
    /// Use the `HTTP(S)_PROXY` environment variables (never for loopback URLs). Default true.
    pub use_system_proxy: bool,
    /// Allow a plain `http://` base URL to a host that is not loopback. Credentials and OTPs
    /// then cross the network unencrypted: only behind a TLS-terminating proxy you control.
    /// Default false (plain `http://` to a loopback host is always allowed: the local gateway).
    pub allow_insecure_http: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            language: Language::En,
            use_system_proxy: true,
            allow_insecure_http: false,
        }
    }
}

/// One request/response exchange, as the audit log sees it. `Authorization` and `OTP` are
/// `REDACTED`; a CSID answer's `secret` is `REDACTED`.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// Unique per exchange: pairs the record made before sending ([`ExchangeHook::before_send`])
    /// with the one made after ([`ExchangeHook::on_exchange`]).
    pub id: String,
    /// The call: `compliance_csid`, `compliance_invoice`, `production_csid`,
    /// `renew_production_csid`, `clearance`, `reporting`.
    pub call: &'static str,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Vec<u8>,
    /// `None` when no answer came (network error, timeout).
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Vec<u8>,
    pub latency: Duration,
    /// The transport error, when there was one.
    pub error: Option<String>,
}

/// Sees every exchange (audit log, metrics). Closures `Fn(&Exchange)` implement it (they see
/// only the finished exchange).
pub trait ExchangeHook: Send + Sync {
    /// Called with the request (no status, no answer) just before it leaves. An error stops
    /// the request from being sent: a record that must exist before the platform can see the
    /// request (the audit log) could not be made.
    fn before_send(&self, _request: &Exchange) -> Result<()> {
        Ok(())
    }
    /// Called with the finished exchange: the answer, or the transport error.
    fn on_exchange(&self, exchange: &Exchange);
}

impl<F: Fn(&Exchange) + Send + Sync> ExchangeHook for F {
    fn on_exchange(&self, exchange: &Exchange) {
        self(exchange)
    }
}

/// The Fatoora API client for one environment.
#[derive(Clone)]
pub struct Client {
    environment: Environment,
    http: reqwest::Client,
    config: ClientConfig,
    hook: Option<Arc<dyn ExchangeHook>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("environment", &self.environment)
            .field("config", &self.config)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

enum Auth<'a> {
    None,
    Basic(&'a Credentials),
}

/// A raw answer before classification.
struct Raw {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Client {
    pub fn new(environment: Environment) -> Result<Self> {
        Self::with_config(environment, ClientConfig::default())
    }

    pub fn with_config(environment: Environment, config: ClientConfig) -> Result<Self> {
        // reqwest is built with `rustls-no-provider`: install ring unless a provider is already
        // installed (by us or by the host application).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .http1_title_case_headers()
            .user_agent(concat!("qayd/", env!("CARGO_PKG_VERSION")));
        let base = crate::base_url::BaseUrl::parse(environment.base_url())?;
        base.check_transport(config.allow_insecure_http)?;
        if !config.use_system_proxy || base.is_loopback() {
            builder = builder.no_proxy();
        }
        let http =
            builder.build().map_err(|e| Error::Network(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Client { environment, http, config, hook: None })
    }

    /// Shows every exchange to `hook`.
    pub fn with_hook(mut self, hook: impl ExchangeHook + 'static) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// `POST /compliance`: a compliance CSID for `csr` (the API form, base64 of the PEM text —
    /// [`crate::Csr::to_api_base64`]). `otp` comes from the Fatoora portal.
    pub async fn compliance_csid(&self, csr: &str, otp: &str) -> Result<Outcome<CsidResponse>> {
        let body = json_body(&serde_json::json!({ "csr": csr }))?;
        let raw = self
            .send("compliance_csid", reqwest::Method::POST, "/compliance", Auth::None, Some(otp), None, body)
            .await?;
        csid_outcome(raw)
    }

    /// `POST /compliance/invoices` with the compliance CSID.
    pub async fn compliance_invoice(
        &self,
        credentials: &Credentials,
        submission: &InvoiceSubmission,
    ) -> Result<Outcome<SubmissionResponse>> {
        let body = json_body(submission)?;
        let raw = self
            .send(
                "compliance_invoice",
                reqwest::Method::POST,
                "/compliance/invoices",
                Auth::Basic(credentials),
                None,
                None,
                body,
            )
            .await?;
        submission_outcome(raw)
    }

    /// `POST /production/csids` with the compliance CSID: the production CSID.
    /// `compliance_request_id` is the compliance CSID's `requestID`.
    pub async fn production_csid(
        &self,
        compliance: &Credentials,
        compliance_request_id: &str,
    ) -> Result<Outcome<CsidResponse>> {
        let body = json_body(&serde_json::json!({ "compliance_request_id": compliance_request_id }))?;
        let raw = self
            .send(
                "production_csid",
                reqwest::Method::POST,
                "/production/csids",
                Auth::Basic(compliance),
                None,
                None,
                body,
            )
            .await?;
        csid_outcome(raw)
    }

    /// `PATCH /production/csids` with the current production CSID: renewal for a new CSR.
    pub async fn renew_production_csid(
        &self,
        current: &Credentials,
        csr: &str,
        otp: &str,
    ) -> Result<Outcome<CsidResponse>> {
        let body = json_body(&serde_json::json!({ "csr": csr }))?;
        let raw = self
            .send(
                "renew_production_csid",
                reqwest::Method::PATCH,
                "/production/csids",
                Auth::Basic(current),
                Some(otp),
                None,
                body,
            )
            .await?;
        csid_outcome(raw)
    }

    /// `POST /invoices/clearance/single` (standard documents), `Clearance-Status: 1`.
    pub async fn clearance(
        &self,
        credentials: &Credentials,
        submission: &InvoiceSubmission,
    ) -> Result<Outcome<SubmissionResponse>> {
        let body = json_body(submission)?;
        let raw = self
            .send(
                "clearance",
                reqwest::Method::POST,
                "/invoices/clearance/single",
                Auth::Basic(credentials),
                None,
                Some("1"),
                body,
            )
            .await?;
        submission_outcome(raw)
    }

    /// `POST /invoices/reporting/single` (simplified documents), `Clearance-Status: 0`.
    pub async fn reporting(
        &self,
        credentials: &Credentials,
        submission: &InvoiceSubmission,
    ) -> Result<Outcome<SubmissionResponse>> {
        let body = json_body(submission)?;
        let raw = self
            .send(
                "reporting",
                reqwest::Method::POST,
                "/invoices/reporting/single",
                Auth::Basic(credentials),
                None,
                Some("0"),
                body,
            )
            .await?;
        submission_outcome(raw)
    }

    #[allow(clippy::too_many_arguments)]
    async fn send(
        &self,
        call: &'static str,
        method: reqwest::Method,
        path: &str,
        auth: Auth<'_>,
        otp: Option<&str>,
        clearance_status: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Result<Raw, Outcome<std::convert::Infallible>>> {
        if let Auth::Basic(credentials) = &auth
            && credentials.environment != self.environment
        {
            return Err(Error::EnvironmentMismatch(format!(
                "these credentials were issued by {} and must not be sent to {}",
                credentials.environment, self.environment
            )));
        }
        if let Some(otp) = otp
            && (otp.is_empty() || !otp.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(Error::InvalidInput("the OTP must be the digits shown in the Fatoora portal".into()));
        }
        let url = format!("{}{}", self.environment.base_url(), path);
        let mut headers: Vec<(&'static str, String)> = vec![
            ("Accept", "application/json".into()),
            ("Accept-Language", self.config.language.as_str().into()),
            ("Accept-Version", ACCEPT_VERSION.into()),
            ("Content-Type", "application/json".into()),
        ];
        if let Some(otp) = otp {
            headers.push(("OTP", otp.to_owned()));
        }
        if let Some(value) = clearance_status {
            headers.push(("Clearance-Status", value.to_owned()));
        }
        if let Auth::Basic(credentials) = &auth {
            headers.push(("Authorization", credentials.authorization()));
        }
        let mut header_map = HeaderMap::new();
        for (name, value) in &headers {
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidInput(format!("the {name} header value is not valid header text"))
            })?;
            header_map.insert(HeaderName::from_static(lowercase_static(name)), value);
        }
        let redacted_headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| {
                let redacted = matches!(*n, "Authorization" | "OTP");
                ((*n).to_owned(), if redacted { "REDACTED".to_owned() } else { v.clone() })
            })
            .collect();
        let mut exchange = Exchange {
            id: uuid::Uuid::new_v4().to_string(),
            call,
            method: method.to_string(),
            url: url.clone(),
            request_headers: redacted_headers,
            request_body: body,
            status: None,
            response_headers: Vec::new(),
            response_body: Vec::new(),
            latency: Duration::ZERO,
            error: None,
        };
        if let Some(hook) = &self.hook {
            hook.before_send(&exchange)?;
        }
        let started = Instant::now();
        let result = self
            .http
            .request(method.clone(), &url)
            .headers(header_map)
            .body(exchange.request_body.clone())
            .send()
            .await;
        let outcome = match result {
            Ok(response) => {
                let status = response.status().as_u16();
                let response_headers = response.headers().clone();
                match response.bytes().await {
                    Ok(bytes) => Ok(Raw { status, headers: response_headers, body: bytes.to_vec() }),
                    Err(e) => Err((Some(status), response_headers, e)),
                }
            }
            Err(e) => Err((None, HeaderMap::new(), e)),
        };
        let latency = started.elapsed();
        if let Some(hook) = &self.hook {
            let (status, response_headers, response_body, error) = match &outcome {
                Ok(raw) => (Some(raw.status), header_list(&raw.headers), redact_secret(&raw.body), None),
                Err((status, h, e)) => (*status, header_list(h), Vec::new(), Some(describe(e))),
            };
            exchange.status = status;
            exchange.response_headers = response_headers;
            exchange.response_body = response_body;
            exchange.latency = latency;
            exchange.error = error;
            hook.on_exchange(&exchange);
        }
        Ok(outcome.map_err(|(status, _, e)| Outcome::Retryable {
            status,
            reason: describe(&e),
            retry_after: None,
        }))
    }
}

fn lowercase_static(name: &'static str) -> &'static str {
    match name {
        "Accept" => "accept",
        "Accept-Language" => "accept-language",
        "Accept-Version" => "accept-version",
        "Content-Type" => "content-type",
        "OTP" => "otp",
        "Clearance-Status" => "clearance-status",
        _ => "authorization",
    }
}

fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect()
}

/// A CSID answer's `secret` must not reach the audit log.
fn redact_secret(body: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut map)) if map.contains_key("secret") => {
            map.insert("secret".into(), serde_json::Value::String("REDACTED".into()));
            serde_json::to_vec(&map).unwrap_or_default()
        }
        _ => body.to_vec(),
    }
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off"
    } else {
        "the exchange failed"
    };
    // reqwest's Display leaves out the cause ("error sending request"); add the chain.
    let mut message = format!("{kind}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    message
}

fn json_body<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value)
        .map_err(|e| Error::InvalidInput(format!("cannot serialise the request body: {e}")))
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, time::OffsetDateTime::now_utc())
}

/// `Retry-After`: delay-seconds, or an HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`) turned into a
/// delay from `now` (zero when already past).
fn parse_retry_after(value: &str, now: time::OffsetDateTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    // Not RFC 9110's form, but a fraction ("1.5") must not be read as "no delay".
    if value.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && let Ok(seconds) = value.parse::<f64>()
        && seconds.is_finite()
    {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::PrimitiveDateTime::parse(value, &format).ok()?.assume_utc();
    Some(Duration::try_from(at - now).unwrap_or(Duration::ZERO))
}

fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let excerpt: String = text.chars().take(200).collect();
    if excerpt.len() < text.len() { format!("{excerpt}…") } else { excerpt }
}

/// The classifications every call shares; `None` = the call classifies it.
fn common_outcome<T>(raw: &Raw) -> Option<Result<Outcome<T>>> {
    let status = raw.status;
    Some(match status {
        401 => Ok(Outcome::Unauthorized),
        429 => Ok(Outcome::Retryable {
            status: Some(status),
            reason: "too many requests (HTTP 429)".into(),
            retry_after: retry_after(&raw.headers),
        }),
        500..=599 => Ok(Outcome::Retryable {
            status: Some(status),
            reason: format!("the platform failed (HTTP {status}): {}", body_excerpt(&raw.body)),
            retry_after: retry_after(&raw.headers),
        }),
        406 => Err(Error::Http {
            status,
            message: format!(
                "the platform refused the API version (Accept-Version {ACCEPT_VERSION}): {}",
                body_excerpt(&raw.body)
            ),
        }),
        // Sending the same bytes again cannot help: the document must shrink.
        413 => Err(Error::Http {
            status,
            message: "the request is too large; the platform did not receive it".into(),
        }),
        303 => Err(Error::Http {
            status,
            message: format!("clearance is switched off; use reporting instead: {}", body_excerpt(&raw.body)),
        }),
        _ => return None,
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(raw: &Raw) -> Result<T> {
    serde_json::from_slice(&raw.body).map_err(|e| Error::UnexpectedResponse {
        status: raw.status,
        message: format!(
            "not Fatoora's JSON ({e}); content-type {:?}; body starts: {}",
            raw.headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or(""),
            body_excerpt(&raw.body)
        ),
    })
}

fn submission_outcome(
    sent: Result<Raw, Outcome<std::convert::Infallible>>,
) -> Result<Outcome<SubmissionResponse>> {
    let raw = match sent {
        Ok(raw) => raw,
        Err(outcome) => return Ok(retype(outcome)),
    };
    if let Some(outcome) = common_outcome(&raw) {
        return outcome;
    }
    let status = raw.status;
    match status {
        200 | 202 | 208 | 400 | 409 => {}
        _ => {
            return Err(Error::Http {
                status,
                message: format!("unexpected status for a document submission: {}", body_excerpt(&raw.body)),
            });
        }
    }
    let mut response: SubmissionResponse = parse_json(&raw)?;
    if response.validation_results.is_none()
        && response.clearance_status.is_none()
        && response.reporting_status.is_none()
    {
        return Err(Error::UnexpectedResponse {
            status,
            message: format!(
                "the answer has none of validationResults, clearanceStatus, reportingStatus: {}",
                body_excerpt(&raw.body)
            ),
        });
    }
    if let Some(cleared) = &response.cleared_invoice {
        let xml = B64.decode(cleared.trim()).map_err(|e| Error::UnexpectedResponse {
            status,
            message: format!("clearedInvoice is not base64 ({e})"),
        })?;
        response.cleared_invoice_xml = Some(xml);
    }
    let earlier = response.errors().iter().any(|m| {
        let text = m.message.as_deref().unwrap_or("").to_ascii_lowercase();
        text.contains("reported earlier")
            || text.contains("previously submitted")
            || text.contains("already reported")
    });
    Ok(match status {
        208 | 409 => Outcome::Duplicate { status, response: Some(response) },
        400 if earlier => Outcome::Duplicate { status, response: Some(response) },
        400 => Outcome::Rejected { status, messages: response.errors().to_vec(), response: Some(response) },
        202 => Outcome::AcceptedWithWarnings(response),
        _ => {
            if !response.errors().is_empty() || response.status() == Some("ERROR") {
                Outcome::Rejected { status, messages: response.errors().to_vec(), response: Some(response) }
            } else if !response.warnings().is_empty() || response.status() == Some("WARNING") {
                Outcome::AcceptedWithWarnings(response)
            } else {
                Outcome::Accepted(response)
            }
        }
    })
}

fn csid_outcome(sent: Result<Raw, Outcome<std::convert::Infallible>>) -> Result<Outcome<CsidResponse>> {
    let raw = match sent {
        Ok(raw) => raw,
        Err(outcome) => return Ok(retype(outcome)),
    };
    if let Some(outcome) = common_outcome(&raw) {
        return outcome;
    }
    let status = raw.status;
    match status {
        200 | 428 => {
            let response: CsidResponse = parse_json(&raw)?;
            if response.binary_security_token.is_none() || response.secret.is_none() {
                return Err(Error::UnexpectedResponse {
                    status,
                    message: "the CSID answer lacks binarySecurityToken or secret".into(),
                });
            }
            Ok(if status == 428 {
                Outcome::ComplianceRequired(response)
            } else {
                Outcome::Accepted(response)
            })
        }
        400 => {
            #[derive(serde::Deserialize)]
            struct Errors {
                #[serde(default)]
                errors: Vec<ApiErrorEntry>,
                #[serde(default)]
                code: Option<String>,
                #[serde(default)]
                message: Option<String>,
            }
            let errors: Errors = parse_json(&raw)?;
            let mut entries = errors.errors;
            if entries.is_empty() && (errors.code.is_some() || errors.message.is_some()) {
                entries.push(ApiErrorEntry { code: errors.code, message: errors.message, category: None });
            }
            if entries.is_empty() {
                return Err(Error::UnexpectedResponse {
                    status,
                    message: format!("HTTP 400 without an error list: {}", body_excerpt(&raw.body)),
                });
            }
            let message = entries
                .iter()
                .map(|e| {
                    format!("{}: {}", e.code.as_deref().unwrap_or("?"), e.message.as_deref().unwrap_or(""))
                })
                .collect::<Vec<_>>()
                .join("; ");
            Err(Error::ApiRejected { status, message })
        }
        _ => Err(Error::Http {
            status,
            message: format!("unexpected status for a CSID call: {}", body_excerpt(&raw.body)),
        }),
    }
}

fn retype<T>(outcome: Outcome<std::convert::Infallible>) -> Outcome<T> {
    match outcome {
        Outcome::Retryable { status, reason, retry_after } => {
            Outcome::Retryable { status, reason, retry_after }
        }
        Outcome::Unauthorized => Outcome::Unauthorized,
        Outcome::Accepted(never)
        | Outcome::AcceptedWithWarnings(never)
        | Outcome::ComplianceRequired(never) => match never {},
        Outcome::Rejected { status, messages, .. } => Outcome::Rejected { status, messages, response: None },
        Outcome::Duplicate { status, .. } => Outcome::Duplicate { status, response: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = time::macros::datetime!(1994-11-06 08:49:00 UTC);
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), Some(Duration::from_secs(37)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:48:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("1.5", now), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after("-1", now), None);
        let precise = time::macros::datetime!(1994-11-06 08:49:36.250 UTC);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", precise),
            Some(Duration::from_millis(750))
        );
    }

    #[test]
    fn plain_http_carries_credentials_only_to_loopback() {
        let custom = |url: &str| Environment::Custom(url.into());
        for url in ["http://127.0.0.1:8443", "http://localhost:1", "http://[::1]:2", "https://example.com"] {
            Client::new(custom(url)).expect(url);
        }
        for url in ["http://example.com", "http://10.0.0.7:8080", "http://192.168.1.2"] {
            let error = Client::new(custom(url)).expect_err(url);
            assert_eq!(error.code(), "INVALID_INPUT");
            assert!(error.to_string().contains("unencrypted"), "{error}");
            let opted_in = ClientConfig { allow_insecure_http: true, ..Default::default() };
            Client::with_config(custom(url), opted_in).expect(url);
        }
        // Built directly (not parsed), a malformed URL is still refused before any request.
        assert_eq!(Client::new(custom("http://[::1")).unwrap_err().code(), "INVALID_INPUT");
    }

    #[test]
    fn authorization_is_basic_token_colon_secret() {
        let credentials = Credentials::new(Environment::Core, "VE9LRU4=", "c2VjcmV0");
        assert_eq!(credentials.authorization(), format!("Basic {}", B64.encode("VE9LRU4=:c2VjcmV0")));
        assert!(!format!("{credentials:?}").contains("c2VjcmV0"));
    }

    #[test]
    fn csid_secrets_are_blanked_for_the_audit_log() {
        let body = br#"{"requestID":1,"binarySecurityToken":"T","secret":"hunter2"}"#;
        let redacted = String::from_utf8(redact_secret(body)).unwrap();
        assert!(!redacted.contains("hunter2") && redacted.contains("\"secret\":\"REDACTED\""), "{redacted}");
        assert_eq!(redact_secret(b"<html>"), b"<html>");
    }
}
