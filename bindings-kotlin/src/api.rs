//! The six Fatoora calls, each answering one flat `ApiAnswer`.

use crate::onboarding::{ClientOptions, client_options};
use crate::{ByteArray, Result, long, shared_runtime};
use qayd::embed;
use std::sync::Arc;

/// One validation message of an answer (rule id or error code in `code`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ApiMessage {
    /// `INFO`, `WARNING` or `ERROR`.
    pub kind: Option<String>,
    pub code: Option<String>,
    pub category: Option<String>,
    pub message: Option<String>,
    /// `PASS`, `WARNING` or `ERROR`.
    pub status: Option<String>,
}

impl From<qayd::api::ValidationMessage> for ApiMessage {
    fn from(m: qayd::api::ValidationMessage) -> Self {
        ApiMessage { kind: m.kind, code: m.code, category: m.category, message: m.message, status: m.status }
    }
}

/// The platform's JSON answer. A CSID answer holds the CSID's secret, so `toString()` shows only
/// its size; `json()` returns the text.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Display)]
pub struct ApiResponse {
    json: String,
}

impl std::fmt::Display for ApiResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiResponse({} bytes of JSON)", self.json.len())
    }
}

#[uniffi::export]
impl ApiResponse {
    /// The JSON text, as the platform sent it (re-serialised).
    pub fn json(&self) -> String {
        self.json.clone()
    }
}

/// One API answer, the same shape for every call.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ApiAnswer {
    /// How the platform answered (`ACCEPTED`, `DUPLICATE`, `RETRYABLE`, …).
    pub outcome: embed::ApiOutcome,
    /// The HTTP status, when an answer arrived.
    pub http_status: Option<i32>,
    /// The platform's JSON answer, when there is one.
    pub response: Option<Arc<ApiResponse>>,
    /// Error and warning messages.
    pub messages: Vec<ApiMessage>,
    /// Retryable: why.
    pub reason: Option<String>,
    /// Retryable: the `Retry-After` the platform asked for, in milliseconds.
    pub retry_after_ms: Option<i64>,
    /// Clearance: the cleared document ZATCA returned, decoded and checked.
    pub cleared_xml: Option<crate::Bytes>,
}

impl From<embed::ApiAnswer> for ApiAnswer {
    fn from(a: embed::ApiAnswer) -> Self {
        ApiAnswer {
            outcome: a.outcome,
            http_status: a.http_status.map(i32::from),
            response: a.response.map(|r| Arc::new(ApiResponse { json: r.to_string() })),
            messages: a.messages.into_iter().map(ApiMessage::from).collect(),
            reason: a.reason,
            retry_after_ms: a.retry_after_ms.map(long),
            cleared_xml: a.cleared_xml.map(crate::Bytes),
        }
    }
}

/// A client of one Fatoora environment. Credentials are passed per call as (token, secret):
/// `Credentials.productionToken()` / `productionSecret()` of an onboarded unit. Answers the
/// platform gives (rejected, duplicate, 401, 429, 5xx) are outcomes, not exceptions; a
/// `QaydException` means the call could not be made or understood.
#[derive(uniffi::Object)]
pub struct ApiClient {
    inner: Arc<embed::ApiClient>,
}

#[uniffi::export]
impl ApiClient {
    /// `environment`: `developer-portal`, `simulation`, `core` or an `http(s)://` base URL.
    #[uniffi::constructor(default(options = None))]
    pub fn new(environment: String, options: Option<ClientOptions>) -> Result<Arc<Self>> {
        let inner = embed::ApiClient::new(&environment, &client_options(options)?)?;
        Ok(Arc::new(ApiClient { inner: Arc::new(inner) }))
    }

    /// `POST /compliance`: a compliance CSID for `csr` (its base64 form) and `otp`.
    pub async fn compliance_csid(&self, csr: String, otp: String) -> Result<ApiAnswer> {
        let client = self.inner.clone();
        Ok(shared_runtime::run(async move { client.compliance_csid(&csr, &otp).await }).await?.into())
    }

    /// `POST /compliance/invoices`: a compliance sample, with the compliance CSID.
    pub async fn compliance_invoice(
        &self,
        token: String,
        secret: String,
        signed_xml: ByteArray,
    ) -> Result<ApiAnswer> {
        let client = self.inner.clone();
        let call = async move { client.compliance_invoice(&token, &secret, &signed_xml.0).await };
        Ok(shared_runtime::run(call).await?.into())
    }

    /// `POST /production/csids`: the production CSID, with the compliance CSID.
    pub async fn production_csid(
        &self,
        token: String,
        secret: String,
        compliance_request_id: String,
    ) -> Result<ApiAnswer> {
        let client = self.inner.clone();
        let call = async move { client.production_csid(&token, &secret, &compliance_request_id).await };
        Ok(shared_runtime::run(call).await?.into())
    }

    /// `PATCH /production/csids`: renews the production CSID (`csr` base64, new `otp`).
    pub async fn renew_production_csid(
        &self,
        token: String,
        secret: String,
        csr: String,
        otp: String,
    ) -> Result<ApiAnswer> {
        let client = self.inner.clone();
        let call = async move { client.renew_production_csid(&token, &secret, &csr, &otp).await };
        Ok(shared_runtime::run(call).await?.into())
    }

    /// `POST /invoices/clearance/single`: a standard document.
    pub async fn clearance(&self, token: String, secret: String, signed_xml: ByteArray) -> Result<ApiAnswer> {
        let client = self.inner.clone();
        let call = async move { client.clearance(&token, &secret, &signed_xml.0).await };
        Ok(shared_runtime::run(call).await?.into())
    }

    /// `POST /invoices/reporting/single`: a simplified document.
    pub async fn reporting(&self, token: String, secret: String, signed_xml: ByteArray) -> Result<ApiAnswer> {
        let client = self.inner.clone();
        let call = async move { client.reporting(&token, &secret, &signed_xml.0).await };
        Ok(shared_runtime::run(call).await?.into())
    }
}
