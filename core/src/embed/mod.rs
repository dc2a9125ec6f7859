//! The engine as the bindings embed it: the one surface that Python, Node, Kotlin and C expose
//! for onboarding, the Fatoora API and the durable engine.
//!
//! Everything here takes and returns owned, plain values — strings, bytes, and structs whose
//! serde form is the JSON (or dict, or JS object) a binding hands to its caller — so a binding
//! only converts types and maps errors, and a capability added here reaches all four languages
//! at once. Async functions need a tokio context (reqwest); bindings that block (Python's
//! synchronous forms, C) run them with [`block_on`] on one shared runtime.

pub mod surface;

use crate::api::{Client, ClientConfig, Credentials, InvoiceSubmission, Outcome, ValidationMessage};
use crate::clock::Clock as _;
use crate::csr::{CsrConfig, Environment};
use crate::engine::{Engine, EngineConfig, RetryPolicy};
pub use crate::engine::{Event, EventKind};
use crate::engine::{Shutdown, ShutdownTrigger, shutdown_signal};
use crate::error::{Error, Result};
use crate::model::Invoice;
use crate::onboarding::{EgsCredentials, Progress};
use crate::secrets::MasterKey;
use crate::store::StoredDocument;
/// Where a document stands with ZATCA (the store's status, under the name bindings use).
pub use crate::store::SubmissionStatus as DocumentStatus;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// The shared runtime
// ---------------------------------------------------------------------------------------------

/// The shared runtime's state: not started yet, running, or shut down for good.
enum Shared {
    Idle,
    /// `lent`: the `&'static` reference [`runtime`] handed out, if it did (the runtime then
    /// lives until the process exits).
    Running {
        runtime: Arc<tokio::runtime::Runtime>,
        lent: Option<&'static tokio::runtime::Runtime>,
    },
    ShutDown,
}

static SHARED: Mutex<Shared> = Mutex::new(Shared::Idle);

fn shut_down_error() -> Error {
    Error::InvalidInput("the shared runtime has been shut down (shutdown_runtime); no further network or engine call can run in this process".into())
}

/// Runs `f` on the running runtime, starting it on first use (two worker threads: network
/// waits, not CPU, dominate). Fails once [`shutdown_runtime`] has run.
fn with_runtime<T>(
    f: impl FnOnce(&Arc<tokio::runtime::Runtime>, &mut Option<&'static tokio::runtime::Runtime>) -> T,
) -> Result<T> {
    let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
    if matches!(*shared, Shared::Idle) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("qayd-runtime")
            .enable_all()
            .build()
            .map_err(|e| Error::InvalidInput(format!("cannot start the async runtime: {e}")))?;
        *shared = Shared::Running { runtime: Arc::new(runtime), lent: None };
    }
    match &mut *shared {
        Shared::Running { runtime, lent } => Ok(f(runtime, lent)),
        Shared::Idle | Shared::ShutDown => Err(shut_down_error()),
    }
}

/// The process-wide runtime the blocking forms and background workers use. The reference is
/// lent for the life of the process: once it has been taken, [`shutdown_runtime`] refuses.
pub fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    with_runtime(|runtime, lent| *lent.get_or_insert_with(|| &**Box::leak(Box::new(Arc::clone(runtime)))))
}

/// A counted reference to the shared runtime: [`shutdown_runtime`] waits until it is dropped.
fn lease() -> Result<Arc<tokio::runtime::Runtime>> {
    with_runtime(|runtime, _| Arc::clone(runtime))
}

/// Runs `future` to completion on the shared runtime, blocking the calling thread. Refused
/// (not a panic) when called from inside an async runtime: use the async form there.
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::InvalidInput(
            "a blocking call was made from inside an async runtime; use the async form".into(),
        ));
    }
    Ok(lease()?.block_on(future))
}

/// Shuts the shared runtime down for good and waits until its threads have exited, so that a
/// process can end with none of the library's threads or their memory left (what leak checkers
/// such as valgrind look at). Idempotent. Afterwards every call that needs the runtime
/// (blocking calls, [`runtime`], [`EngineHandle::start`]) fails with an error; none starts a new
/// runtime. Blocking calls in flight on other threads are waited for; tasks still on the runtime
/// (a background worker that was not stopped) are cancelled. Refused from inside an async
/// runtime, and when [`runtime`] has lent the runtime out for the life of the process.
pub fn shutdown_runtime() -> Result<()> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::InvalidInput(
            "the shared runtime cannot be shut down from inside an async runtime".into(),
        ));
    }
    let mut runtime = {
        let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Shared::Running { lent: Some(_), .. } = *shared {
            return Err(Error::InvalidInput(
                "the shared runtime is lent for the life of the process (runtime()) and cannot be shut down"
                    .into(),
            ));
        }
        match std::mem::replace(&mut *shared, Shared::ShutDown) {
            Shared::Running { runtime, .. } => runtime,
            Shared::Idle | Shared::ShutDown => return Ok(()),
        }
    };
    // Blocking calls in flight hold a lease; dropping the last reference joins every thread.
    loop {
        match Arc::try_unwrap(runtime) {
            Ok(owned) => {
                drop(owned);
                return Ok(());
            }
            Err(shared) => {
                runtime = shared;
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Documents without a store
// ---------------------------------------------------------------------------------------------

/// The unsigned UBL 2.1 document of an invoice model (its JSON form): judged by ZATCA's rules,
/// totals computed, written in the SDK's layout.
pub fn generate(model_json: &str) -> Result<Vec<u8>> {
    Invoice::from_json(model_json)?.to_xml()
}

/// The fast path from a model to a stamped document: written, judged and stamped in one call,
/// without parsing the written document back (the bytes equal `stamp(generate(model))`).
/// `signing_time`: `YYYY-MM-DDTHH:MM:SS` Riyadh time, or `None` for now.
pub fn stamp_invoice(
    signer: &crate::Signer,
    model_json: &str,
    signing_time: Option<&str>,
) -> Result<crate::StampedInvoice> {
    let options = crate::StampOptions { signing_time: signing_time.map(str::to_owned) };
    Invoice::from_json(model_json)?.stamp(signer, &options)
}

/// Stamps a document written elsewhere (see [`crate::stamp`]).
pub fn stamp(
    signer: &crate::Signer,
    xml: &[u8],
    signing_time: Option<&str>,
) -> Result<crate::StampedInvoice> {
    let options = crate::StampOptions { signing_time: signing_time.map(str::to_owned) };
    crate::stamp(xml, signer, &options)
}

// ---------------------------------------------------------------------------------------------
// Keys and CSRs
// ---------------------------------------------------------------------------------------------

/// A new secp256k1 private key, SEC1 PEM (what the SDK's `-csr` writes).
pub fn generate_private_key_pem() -> Result<String> {
    crate::csr::generate_private_key()?.to_sec1_pem()
}

/// A new random master key, base64 (what `QAYD_MASTER_KEY` and [`EngineOptions::master_key`]
/// take). Keep it outside the store: without it the sealed credentials cannot be opened.
pub fn generate_master_key() -> Result<String> {
    Ok(MasterKey::generate()?.to_base64())
}

/// A CSR in both of its forms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsrOutput {
    pub pem: String,
    /// Base64 of the PEM text: the `csr` field of `POST /compliance`.
    pub base64: String,
}

/// Reads an EGS identity from the SDK's `csr-config` `.properties` text or from its JSON form.
pub fn identity_from_text(text: &str) -> Result<CsrConfig> {
    if text.trim_start().starts_with('{') {
        parse_json(text, "identity")
    } else {
        CsrConfig::from_properties(text)
    }
}

/// Builds the CSR of `identity` for `environment`, signed with `private_key` (PEM/DER/…).
pub fn build_csr(identity: &CsrConfig, private_key: &[u8], environment: &str) -> Result<CsrOutput> {
    let key = crate::PrivateKey::from_bytes(private_key)?;
    let environment: Environment = environment.parse()?;
    let csr = crate::csr::build_csr(identity, &key, &environment)?;
    Ok(CsrOutput { pem: csr.to_pem(), base64: csr.to_api_base64() })
}

/// A sample document for `identity` (seller = its organisation and VAT number), issued now, in
/// the model's JSON form: what onboarding submits as a compliance sample, and a ready-made
/// invoice for trying the engine. `kind`: `standard` or `simplified`; `document_type`:
/// `invoice`, `credit_note` or `debit_note` (or 388/381/383).
pub fn sample_invoice_json(identity: &CsrConfig, kind: &str, document_type: &str) -> Result<String> {
    let kind: crate::model::InvoiceKind = parse_json(&format!("{:?}", kind.trim()), "kind")?;
    let document_type: crate::model::DocumentType =
        parse_json(&format!("{:?}", document_type.trim()), "document type")?;
    let sample = crate::onboarding::SampleKind { kind, document_type };
    let now = crate::clock::SystemClock.now_unix();
    let invoice = crate::onboarding::sample_invoice(identity, sample, 1, now)?;
    serde_json::to_string(&invoice).map_err(|e| Error::InvalidInput(format!("sample invoice: {e}")))
}

// ---------------------------------------------------------------------------------------------
// Onboarding
// ---------------------------------------------------------------------------------------------

/// Client settings a binding may pass (all optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientOptions {
    /// Whole-exchange timeout in milliseconds (default 30 000).
    pub timeout_ms: Option<u64>,
    /// Connect timeout in milliseconds (default 10 000).
    pub connect_timeout_ms: Option<u64>,
    /// Allow plain `http://` to a host that is not loopback: credentials and OTPs cross the
    /// network unencrypted (default false; loopback hosts need no opt-in).
    pub allow_insecure_http: Option<bool>,
}

impl ClientOptions {
    fn apply(&self, mut config: ClientConfig) -> ClientConfig {
        if let Some(ms) = self.timeout_ms {
            config.timeout = Duration::from_millis(ms.max(1));
        }
        if let Some(ms) = self.connect_timeout_ms {
            config.connect_timeout = Duration::from_millis(ms.max(1));
        }
        if let Some(allow) = self.allow_insecure_http {
            config.allow_insecure_http = allow;
        }
        config
    }
}

/// Onboards an EGS unit (key → CSR → compliance CSID with `otp` → compliance samples →
/// production CSID) and returns its credentials; the JSON form ([`EgsCredentials::to_json`])
/// holds secrets — store it sealed ([`EngineHandle::set_credentials`]).
pub async fn onboard(
    identity: &CsrConfig,
    otp: &str,
    environment: &str,
    options: &ClientOptions,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<EgsCredentials> {
    let environment: Environment = environment.parse()?;
    let client = Client::with_config(environment.clone(), options.apply(ClientConfig::default()))?;
    crate::onboarding::onboard(&client, &environment, identity, otp, progress).await
}

/// Renews the production CSID of `current` with a new OTP (see [`crate::onboarding::renew`]).
pub async fn renew(
    current: &EgsCredentials,
    otp: &str,
    options: &ClientOptions,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<EgsCredentials> {
    let client = Client::with_config(current.environment.clone(), options.apply(ClientConfig::default()))?;
    crate::onboarding::renew(&client, current, otp, progress).await
}

// ---------------------------------------------------------------------------------------------
// The API client, flattened
// ---------------------------------------------------------------------------------------------

/// How the platform answered one API call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApiOutcome {
    Accepted,
    AcceptedWithWarnings,
    Rejected,
    /// Submitted before (HTTP 208/409); counts as accepted.
    Duplicate,
    /// Worth sending again later (5xx, 429, timeouts): see `reason` and `retry_after_ms`.
    Retryable,
    Unauthorized,
    ComplianceRequired,
}

impl ApiOutcome {
    pub const ALL: [ApiOutcome; 7] = [
        ApiOutcome::Accepted,
        ApiOutcome::AcceptedWithWarnings,
        ApiOutcome::Rejected,
        ApiOutcome::Duplicate,
        ApiOutcome::Retryable,
        ApiOutcome::Unauthorized,
        ApiOutcome::ComplianceRequired,
    ];

    fn of<T>(outcome: &Outcome<T>) -> Self {
        match outcome {
            Outcome::Accepted(_) => ApiOutcome::Accepted,
            Outcome::AcceptedWithWarnings(_) => ApiOutcome::AcceptedWithWarnings,
            Outcome::Rejected { .. } => ApiOutcome::Rejected,
            Outcome::Duplicate { .. } => ApiOutcome::Duplicate,
            Outcome::Retryable { .. } => ApiOutcome::Retryable,
            Outcome::Unauthorized => ApiOutcome::Unauthorized,
            Outcome::ComplianceRequired(_) => ApiOutcome::ComplianceRequired,
        }
    }

    /// The snake_case name every binding uses for it.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiOutcome::Accepted => "accepted",
            ApiOutcome::AcceptedWithWarnings => "accepted_with_warnings",
            ApiOutcome::Rejected => "rejected",
            ApiOutcome::Duplicate => "duplicate",
            ApiOutcome::Retryable => "retryable",
            ApiOutcome::Unauthorized => "unauthorized",
            ApiOutcome::ComplianceRequired => "compliance_required",
        }
    }
}

/// One API answer in a single flat shape for every call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiAnswer {
    pub outcome: ApiOutcome,
    /// The HTTP status, when an answer arrived.
    pub http_status: Option<u16>,
    /// The platform's JSON answer, when there is one (a CSID answer's `secret` included: it
    /// is the caller's).
    pub response: Option<serde_json::Value>,
    /// Error and warning messages (rule ids in `code`).
    pub messages: Vec<ValidationMessage>,
    /// Retryable: why, and the `Retry-After` the platform asked for (milliseconds).
    pub reason: Option<String>,
    pub retry_after_ms: Option<u64>,
    /// Clearance: the cleared document ZATCA returned, decoded and checked.
    #[serde(skip)]
    pub cleared_xml: Option<Vec<u8>>,
}

fn status_of(outcome: ApiOutcome) -> Option<u16> {
    match outcome {
        ApiOutcome::Accepted => Some(200),
        ApiOutcome::AcceptedWithWarnings => Some(202),
        ApiOutcome::Unauthorized => Some(401),
        ApiOutcome::ComplianceRequired => Some(428),
        _ => None,
    }
}

fn answer<T: Serialize>(
    outcome: Outcome<T>,
    messages_of: impl Fn(&T) -> Vec<ValidationMessage>,
) -> ApiAnswer {
    let kind = ApiOutcome::of(&outcome);
    let mut answer = ApiAnswer {
        http_status: status_of(kind),
        outcome: kind,
        response: outcome.response().and_then(|r| serde_json::to_value(r).ok()),
        messages: outcome.response().map(&messages_of).unwrap_or_default(),
        reason: None,
        retry_after_ms: None,
        cleared_xml: None,
    };
    match outcome {
        Outcome::Rejected { status, messages, .. } => {
            answer.http_status = Some(status);
            answer.messages = messages;
        }
        Outcome::Duplicate { status, .. } => answer.http_status = Some(status),
        Outcome::Retryable { status, reason, retry_after } => {
            answer.http_status = status;
            answer.reason = Some(reason);
            answer.retry_after_ms = retry_after.map(|d| d.as_millis() as u64);
        }
        _ => {}
    }
    answer
}

fn submission_answer(outcome: Outcome<crate::api::SubmissionResponse>) -> ApiAnswer {
    let cleared = outcome.response().and_then(|r| r.cleared_invoice_xml.clone());
    let mut answer = answer(outcome, |r| r.errors().iter().chain(r.warnings()).cloned().collect());
    answer.cleared_xml = cleared;
    answer
}

fn csid_answer(outcome: Outcome<crate::api::CsidResponse>) -> ApiAnswer {
    answer(outcome, |_| Vec::new())
}

/// The six Fatoora calls with plain arguments: credentials as (token, secret) of the client's
/// environment, documents as signed XML bytes.
#[derive(Clone, Debug)]
pub struct ApiClient {
    client: Client,
}

impl ApiClient {
    pub fn new(environment: &str, options: &ClientOptions) -> Result<Self> {
        let environment: Environment = environment.parse()?;
        Ok(ApiClient { client: Client::with_config(environment, options.apply(ClientConfig::default()))? })
    }

    /// The environment's short name (`core`, `custom(http://…)`, …).
    pub fn environment(&self) -> String {
        self.client.environment().name()
    }

    /// The API base URL calls go to.
    pub fn base_url(&self) -> String {
        self.client.environment().base_url().to_owned()
    }

    fn credentials(&self, token: &str, secret: &str) -> Credentials {
        Credentials::new(self.client.environment().clone(), token.to_owned(), secret.to_owned())
    }

    /// `POST /compliance` (`csr`: the base64 API form).
    pub async fn compliance_csid(&self, csr: &str, otp: &str) -> Result<ApiAnswer> {
        Ok(csid_answer(self.client.compliance_csid(csr, otp).await?))
    }

    /// `POST /compliance/invoices`.
    pub async fn compliance_invoice(
        &self,
        token: &str,
        secret: &str,
        signed_xml: &[u8],
    ) -> Result<ApiAnswer> {
        let submission = InvoiceSubmission::from_signed_xml(signed_xml)?;
        let outcome = self.client.compliance_invoice(&self.credentials(token, secret), &submission).await?;
        Ok(submission_answer(outcome))
    }

    /// `POST /production/csids`.
    pub async fn production_csid(
        &self,
        token: &str,
        secret: &str,
        compliance_request_id: &str,
    ) -> Result<ApiAnswer> {
        let outcome =
            self.client.production_csid(&self.credentials(token, secret), compliance_request_id).await?;
        Ok(csid_answer(outcome))
    }

    /// `PATCH /production/csids` (renewal).
    pub async fn renew_production_csid(
        &self,
        token: &str,
        secret: &str,
        csr: &str,
        otp: &str,
    ) -> Result<ApiAnswer> {
        let outcome = self.client.renew_production_csid(&self.credentials(token, secret), csr, otp).await?;
        Ok(csid_answer(outcome))
    }

    /// `POST /invoices/clearance/single`.
    pub async fn clearance(&self, token: &str, secret: &str, signed_xml: &[u8]) -> Result<ApiAnswer> {
        let submission = InvoiceSubmission::from_signed_xml(signed_xml)?;
        Ok(submission_answer(self.client.clearance(&self.credentials(token, secret), &submission).await?))
    }

    /// `POST /invoices/reporting/single`.
    pub async fn reporting(&self, token: &str, secret: &str, signed_xml: &[u8]) -> Result<ApiAnswer> {
        let submission = InvoiceSubmission::from_signed_xml(signed_xml)?;
        Ok(submission_answer(self.client.reporting(&self.credentials(token, secret), &submission).await?))
    }
}

// ---------------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------------

/// How to open an engine. The serde form is what bindings accept as a dict / object / JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineOptions {
    /// An SQLite file path, `:memory:`, or a `postgres://` URL. Required.
    pub store: String,
    /// The environment to submit to (`developer-portal`, `simulation`, `core`, or a URL).
    /// Without it the engine issues but cannot submit.
    pub environment: Option<String>,
    /// The master key, base64 of 32 bytes. Without it: `QAYD_MASTER_KEY`. Without either, the
    /// engine cannot store or open credentials.
    pub master_key: Option<String>,
    /// Retry policy: first delay, longest delay (ms) and attempts.
    pub retry_base_ms: Option<u64>,
    pub retry_cap_ms: Option<u64>,
    pub max_attempts: Option<u32>,
    /// How long `clear` waits for clearance before answering `pending` (ms, default 10 000).
    pub clear_wait_ms: Option<u64>,
    /// The worker's longest sleep between passes (ms, default 5 000).
    pub poll_interval_ms: Option<u64>,
    /// Local validation of every issued document: `refuse_on_errors` (the default),
    /// `refuse_on_warnings`, `warn_only` or `off`.
    pub validation: Option<crate::engine::ValidationPolicy>,
    /// The largest submission request (bytes) a document may need; larger ones are refused at
    /// issue, before they take an ICV (default 2 MiB: ZATCA states no limit).
    pub max_submission_bytes: Option<u64>,
    /// A folder the worker writes each accepted document into (`NNNNNN-<uuid>.xml`: the cleared
    /// XML for B2B, the stamped XML for B2C).
    pub deliver_dir: Option<String>,
    /// With `deliver_dir`: a PDF/A-3 of each delivered document beside it (`NNNNNN-<uuid>.pdf`).
    pub deliver_pdf: Option<bool>,
    #[serde(flatten)]
    pub client: ClientOptions,
}

impl EngineOptions {
    /// The engine's configuration these options describe (the store, key and environment
    /// aside): what every binding and the CLI run with, built in one place.
    pub fn engine_config(&self) -> EngineConfig {
        let mut config = EngineConfig::default();
        let ms = Duration::from_millis;
        let defaults = RetryPolicy::default();
        config.retry = RetryPolicy {
            base: self.retry_base_ms.map(ms).unwrap_or(defaults.base),
            cap: self.retry_cap_ms.map(ms).unwrap_or(defaults.cap),
            max_attempts: self.max_attempts.unwrap_or(defaults.max_attempts).max(1),
            jitter: defaults.jitter,
        };
        if let Some(wait) = self.clear_wait_ms {
            config.clear_wait = ms(wait);
        }
        if let Some(poll) = self.poll_interval_ms {
            config.poll_interval = ms(poll.max(10));
        }
        if let Some(validation) = self.validation {
            config.validation = validation;
        }
        if let Some(dir) = &self.deliver_dir {
            config.deliver_dir = Some(dir.into());
        }
        config.deliver_pdf = self.deliver_pdf.unwrap_or(false);
        if let Some(bytes) = self.max_submission_bytes {
            config.max_submission_bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
        }
        config.client = self.client.apply(config.client);
        config
    }
}

/// A stored document without its bytes, as bindings list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInfo {
    pub egs_id: String,
    pub icv: u64,
    pub uuid: String,
    pub invoice_hash: String,
    pub pih: String,
    pub simplified: bool,
    pub status: DocumentStatus,
    pub issued_at: i64,
    pub attempts: u32,
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    /// ZATCA's validation messages of the last answer, if any.
    pub messages: Option<serde_json::Value>,
    pub finished_at: Option<i64>,
}

impl From<&StoredDocument> for DocumentInfo {
    fn from(d: &StoredDocument) -> Self {
        DocumentInfo {
            egs_id: d.egs_id.clone(),
            icv: d.icv,
            uuid: d.uuid.clone(),
            invoice_hash: d.invoice_hash.clone(),
            pih: d.pih.clone(),
            simplified: d.simplified,
            status: d.status,
            issued_at: d.issued_at,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error.clone(),
            messages: d.messages.as_deref().and_then(|m| serde_json::from_str(m).ok()),
            finished_at: d.finished_at,
        }
    }
}

/// A document with its bytes: the stamped XML and, once cleared, ZATCA's cleared XML (the
/// one to deliver to the buyer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub info: DocumentInfo,
    pub xml: Vec<u8>,
    pub cleared_xml: Option<Vec<u8>>,
    /// What local validation said when the document was issued (warnings; with `warn_only`
    /// also errors). Empty for documents read back from the store.
    pub findings: Vec<crate::validate::Finding>,
}

impl From<StoredDocument> for Document {
    fn from(d: StoredDocument) -> Self {
        Document {
            info: DocumentInfo::from(&d),
            xml: d.xml,
            cleared_xml: d.cleared_xml,
            findings: Vec::new(),
        }
    }
}

/// What `clear` ended in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClearOutcome {
    /// Cleared: `document.cleared_xml` is the document to deliver.
    Cleared,
    /// Cleared with warnings to fix in future documents.
    ClearedWithWarnings,
    /// No answer within `clear_wait_ms`; the engine keeps trying (watch the events).
    Pending,
    /// ZATCA refused it; it stays in the chain, issue a corrected document.
    Rejected,
    /// Attempts exhausted or an answer that cannot be retried: needs a person.
    Dead,
}

impl ClearOutcome {
    pub const ALL: [ClearOutcome; 5] = [
        ClearOutcome::Cleared,
        ClearOutcome::ClearedWithWarnings,
        ClearOutcome::Pending,
        ClearOutcome::Rejected,
        ClearOutcome::Dead,
    ];

    /// The snake_case name every binding uses for it.
    pub fn as_str(self) -> &'static str {
        match self {
            ClearOutcome::Cleared => "cleared",
            ClearOutcome::ClearedWithWarnings => "cleared_with_warnings",
            ClearOutcome::Pending => "pending",
            ClearOutcome::Rejected => "rejected",
            ClearOutcome::Dead => "dead",
        }
    }
}

/// What `clear` ended in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClearResult {
    pub outcome: ClearOutcome,
    pub document: Document,
}

/// What one drain pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrainReport {
    pub sent: u64,
    pub cleared: u64,
    pub reported: u64,
    pub accepted_with_warnings: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub retry_scheduled: u64,
    pub dead: u64,
    pub stopped_units: Vec<String>,
    /// Units left alone because their credentials belong to another environment.
    pub other_environment_units: Vec<String>,
    /// Units that could not be processed, with the error code and message.
    pub errors: Vec<UnitError>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitError {
    pub egs_id: String,
    pub code: String,
    pub message: String,
}

/// An EGS unit as bindings list it (no secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgsInfo {
    pub egs_id: String,
    pub next_icv: u64,
    pub last_hash: String,
    pub has_credentials: bool,
    pub environment: Option<String>,
    /// The certificate's end of validity (seconds since the Unix epoch).
    pub certificate_expiry: Option<i64>,
    /// Why sending is stopped (an `unauthorized` answer), if it is.
    pub stopped: Option<String>,
}

/// The audit log's integrity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCheck {
    pub intact: bool,
    pub rows: u64,
    /// The hash of the last row (keep it elsewhere to detect truncation).
    pub head: String,
    /// The first row whose link does not hold, and why.
    pub broken_at: Option<i64>,
    pub broken_reason: Option<String>,
}

/// The durable engine behind one store, with its optional background worker.
pub struct EngineHandle {
    engine: Engine,
    worker: Mutex<Option<(ShutdownTrigger, tokio::task::JoinHandle<Result<()>>)>>,
}

impl std::fmt::Debug for EngineHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineHandle").field("engine", &self.engine).finish_non_exhaustive()
    }
}

impl EngineHandle {
    /// Opens the store and builds the engine (connected when `environment` is given).
    pub fn open(options: &EngineOptions) -> Result<Self> {
        let store = crate::store::open(&options.store)?;
        let mut engine = Engine::new(store).with_config(options.engine_config());
        let key = match &options.master_key {
            Some(text) => Some(MasterKey::from_base64(text)?),
            None => match std::env::var(crate::secrets::MASTER_KEY_VARIABLE) {
                Ok(text) if !text.trim().is_empty() => Some(MasterKey::from_base64(&text)?),
                _ => None,
            },
        };
        if let Some(key) = key {
            engine = engine.with_master_key(key);
        }
        if let Some(environment) = &options.environment {
            engine = engine.connect(environment.parse()?)?;
        }
        Ok(EngineHandle { engine, worker: Mutex::new(None) })
    }

    /// Opens from the JSON form of [`EngineOptions`].
    pub fn open_json(options: &str) -> Result<Self> {
        Self::open(&parse_json(options, "engine options")?)
    }

    /// The engine, for Rust callers.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn register_egs(&self, egs_id: &str) -> Result<()> {
        self.engine.register_egs(egs_id)
    }

    /// Stores an onboarded unit's production credentials, sealed with the master key, and its
    /// identity (the CSR values), which [`EngineHandle::renew_egs`] needs.
    pub fn set_credentials(&self, egs_id: &str, credentials: &EgsCredentials) -> Result<()> {
        self.engine.set_onboarded(egs_id, credentials)
    }

    /// Renews the unit's production CSID with a new OTP from what the store holds (see
    /// [`Engine::renew`]); the stored credentials are replaced only once the platform issued
    /// the new certificate.
    pub async fn renew_egs(&self, egs_id: &str, otp: &str) -> Result<crate::engine::RenewalOutcome> {
        self.engine.renew(egs_id, otp).await
    }

    /// Issues the invoice (the model's JSON form) with the unit's stored credentials: next ICV,
    /// PIH, stamp, stored as pending — never waits for the network.
    pub fn issue(&self, egs_id: &str, invoice_json: &str) -> Result<Document> {
        let invoice = Invoice::from_json(invoice_json)?;
        let issued = self.engine.issue_invoice_checked(egs_id, &invoice)?;
        Ok(Document { findings: issued.findings, ..issued.document.into() })
    }

    /// Issues several invoices of one unit in chain order, in one transaction where the store
    /// allows (see [`Engine::issue_many`]). Each entry is judged on its own: a refused one
    /// takes no ICV and is that entry's error, the others are issued. An error of the store
    /// fails the whole call.
    pub fn issue_many(&self, egs_id: &str, invoices_json: &[&str]) -> Result<Vec<Result<Document>>> {
        // An entry that is not a valid model is refused alone, like a refused document.
        let mut valid = Vec::with_capacity(invoices_json.len());
        let mut entries: Vec<Option<Error>> = Vec::with_capacity(invoices_json.len());
        for json in invoices_json {
            match Invoice::from_json(json) {
                Ok(invoice) => {
                    valid.push(invoice);
                    entries.push(None);
                }
                Err(error) => entries.push(Some(error)),
            }
        }
        let mut issued = self.engine.issue_invoices(egs_id, &valid)?.into_iter();
        Ok(entries
            .into_iter()
            .map(|refused| match refused {
                Some(error) => Err(error),
                None => match issued.next() {
                    Some(entry) => entry.map(|i| Document { findings: i.findings, ..i.document.into() }),
                    None => Err(Error::Storage("the store answered fewer entries than it was given".into())),
                },
            })
            .collect())
    }

    /// The QR payload (base64 TLV) to print for a stored document: from ZATCA's cleared XML
    /// once a standard document is cleared, else from the stamped XML. `None` when there is
    /// no such document (or, for a standard document not yet cleared, when it carries none).
    pub fn document_qr(&self, egs_id: &str, icv: u64) -> Result<Option<String>> {
        let Some(document) = self.engine.store().document(egs_id, icv)? else {
            return Ok(None);
        };
        crate::stamp::qr_of_document(document.cleared_xml.as_deref().unwrap_or(&document.xml))
    }

    /// Issues a standard invoice and waits (up to `clear_wait_ms`) for its clearance.
    pub async fn clear(&self, egs_id: &str, invoice_json: &str) -> Result<ClearResult> {
        use crate::engine::ClearOutcome as Cleared;
        let invoice = Invoice::from_json(invoice_json)?;
        Ok(match self.engine.clear(egs_id, &invoice).await? {
            Cleared::Cleared { document, cleared_xml, with_warnings } => {
                let mut document = Document::from(document);
                document.cleared_xml = Some(cleared_xml);
                let outcome =
                    if with_warnings { ClearOutcome::ClearedWithWarnings } else { ClearOutcome::Cleared };
                ClearResult { outcome, document }
            }
            Cleared::Pending { document } => {
                ClearResult { outcome: ClearOutcome::Pending, document: document.into() }
            }
            Cleared::Rejected { document } => {
                ClearResult { outcome: ClearOutcome::Rejected, document: document.into() }
            }
            Cleared::Dead { document } => {
                ClearResult { outcome: ClearOutcome::Dead, document: document.into() }
            }
        })
    }

    /// One pass over the outbox: sends everything due, raises deadline/certificate events.
    pub async fn drain(&self) -> Result<DrainReport> {
        let s = self.engine.drain().await?;
        Ok(DrainReport {
            sent: s.sent,
            cleared: s.cleared,
            reported: s.reported,
            accepted_with_warnings: s.accepted_with_warnings,
            duplicates: s.duplicates,
            rejected: s.rejected,
            retry_scheduled: s.retry_scheduled,
            dead: s.dead,
            stopped_units: s.stopped_units,
            other_environment_units: s.other_environment_units,
            errors: s
                .errors
                .into_iter()
                .map(|(egs_id, e)| UnitError { egs_id, code: e.code().to_owned(), message: e.to_string() })
                .collect(),
        })
    }

    /// Starts the background worker on the shared runtime (recovering documents a killed
    /// process left in flight first). Starting twice is a no-op.
    pub fn start(&self) -> Result<()> {
        let mut worker = self.worker.lock().unwrap_or_else(|e| e.into_inner());
        if worker.as_ref().is_some_and(|(_, task)| !task.is_finished()) {
            return Ok(());
        }
        self.engine.client()?;
        self.engine.recover()?;
        let (trigger, shutdown): (ShutdownTrigger, Shutdown) = shutdown_signal();
        let engine = self.engine.clone();
        let task = lease()?.spawn(async move { engine.run(shutdown).await });
        *worker = Some((trigger, task));
        Ok(())
    }

    /// Whether the background worker runs.
    pub fn is_running(&self) -> bool {
        self.worker.lock().unwrap_or_else(|e| e.into_inner()).as_ref().is_some_and(|(_, t)| !t.is_finished())
    }

    /// Stops the background worker gracefully (in-flight requests finish and are recorded)
    /// and waits for it. A no-op when it is not running.
    pub async fn stop(&self) -> Result<()> {
        let taken = self.worker.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some((trigger, task)) = taken {
            trigger.trigger();
            return match task.await {
                Ok(result) => result,
                Err(e) => Err(Error::Storage(format!("the worker task failed: {e}"))),
            };
        }
        Ok(())
    }

    /// What the background worker has been doing: passes, consecutive failures, last error
    /// (a wrong master key, an unreachable database — the worker keeps retrying them).
    pub fn worker_health(&self) -> crate::engine::WorkerHealth {
        self.engine.worker_health()
    }

    /// The Prometheus exposition of the store and the worker, now (what `qayd submit --watch
    /// --metrics` serves at `/metrics`): for the application's own web server to serve.
    pub fn metrics(&self) -> String {
        crate::engine::metrics::exposition(&self.engine, self.engine.now())
    }

    /// Events after `cursor` (0: from the start), oldest first.
    pub fn events(&self, cursor: i64, limit: usize) -> Result<Vec<Event>> {
        self.engine.events_since(cursor, limit)
    }

    /// One document with its bytes.
    pub fn document(&self, egs_id: &str, icv: u64) -> Result<Option<Document>> {
        Ok(self.engine.store().document(egs_id, icv)?.map(Document::from))
    }

    pub fn document_by_uuid(&self, uuid: &str) -> Result<Option<Document>> {
        Ok(self.engine.store().document_by_uuid(uuid)?.map(Document::from))
    }

    /// A unit's documents in chain order, without their bytes.
    pub fn documents(&self, egs_id: &str) -> Result<Vec<DocumentInfo>> {
        Ok(self.engine.store().documents(egs_id)?.iter().map(DocumentInfo::from).collect())
    }

    /// Documents in `status` (all units), oldest first.
    pub fn documents_by_status(&self, status: &str, limit: usize) -> Result<Vec<DocumentInfo>> {
        let status = DocumentStatus::parse(status)
            .ok_or_else(|| Error::InvalidInput(format!("unknown document status '{status}'")))?;
        Ok(self.engine.store().documents_by_status(status, limit)?.iter().map(DocumentInfo::from).collect())
    }

    /// How many documents are in each status (the statuses that have any).
    pub fn status_counts(&self) -> Result<std::collections::BTreeMap<DocumentStatus, u64>> {
        Ok(self.engine.store().status_counts()?.into_iter().collect())
    }

    /// Every unit with its chain head and credential summary.
    pub fn egs_units(&self) -> Result<Vec<EgsInfo>> {
        let store = self.engine.store();
        store
            .egs_ids()?
            .into_iter()
            .map(|egs_id| {
                let head = store.chain_head(&egs_id)?;
                let credentials = store.credentials(&egs_id)?;
                let environment = credentials
                    .as_ref()
                    .and_then(|c| serde_json::from_str::<Environment>(&c.environment).ok())
                    .map(|e| e.name());
                Ok(EgsInfo {
                    next_icv: head.next_icv,
                    last_hash: head.last_hash,
                    has_credentials: credentials.is_some(),
                    environment,
                    certificate_expiry: credentials.map(|c| c.not_after),
                    stopped: store.stopped(&egs_id)?,
                    egs_id,
                })
            })
            .collect()
    }

    /// Sends a dead document again; `false` if it is not dead.
    pub fn requeue(&self, egs_id: &str, icv: u64) -> Result<bool> {
        self.engine.requeue(egs_id, icv)
    }

    /// Lets a unit stopped by an `unauthorized` answer send again.
    pub fn resume_egs(&self, egs_id: &str) -> Result<()> {
        self.engine.resume_egs(egs_id)
    }

    /// Documents left `submitting` by a killed process become due again. Call at start-up when
    /// no other worker is live on this store (`start` does it).
    pub fn recover(&self) -> Result<usize> {
        self.engine.recover()
    }

    /// The audit log as JSON lines.
    pub fn export_audit(&self) -> Result<String> {
        let mut out = Vec::new();
        self.engine.export_audit(&mut out)?;
        String::from_utf8(out).map_err(|e| Error::Storage(format!("audit export is not UTF-8 ({e})")))
    }

    /// Whether the hash-linked audit log is intact.
    pub fn verify_audit(&self) -> Result<AuditCheck> {
        let v = self.engine.verify_audit()?;
        let intact = v.is_intact();
        let (broken_at, broken_reason) = v.broken.map_or((None, None), |(at, why)| (Some(at), Some(why)));
        Ok(AuditCheck { intact, rows: v.rows, head: v.head, broken_at, broken_reason })
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        // A dropped handle stops its worker (without waiting: drop may run on any thread).
        if let Some((trigger, _)) = self.worker.get_mut().unwrap_or_else(|e| e.into_inner()).take() {
            trigger.trigger();
        }
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| Error::InvalidInput(format!("{what}: {} at {}", e.inner(), e.path())))?;
    // Text after the JSON value is a mistake, not something to ignore.
    deserializer.end().map_err(|e| Error::InvalidInput(format!("{what}: {e}")))?;
    Ok(value)
}

impl std::fmt::Display for ApiOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for ClearOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
