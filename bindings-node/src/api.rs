//! The six Fatoora calls (`qayd::embed::ApiClient`), each a Promise of one flat answer.

use crate::{OrThrow, client_options};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use qayd::embed;

/// A message of ZATCA's validation results.
#[napi(object, use_nullable = true)]
pub struct ApiMessage {
    /// `INFO`, `WARNING` or `ERROR`.
    #[napi(js_name = "type")]
    pub kind: Option<String>,
    /// A rule id (`BR-KSA-37`) or an error code.
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

/// One answer, the same shape for every call.
#[napi(object, use_nullable = true)]
pub struct ApiAnswer {
    /// `accepted`, `accepted_with_warnings`, `rejected`, `duplicate`, `retryable`,
    /// `unauthorized` or `compliance_required`.
    pub outcome: String,
    pub http_status: Option<u32>,
    /// The platform's JSON answer, as sent.
    pub response: Option<serde_json::Value>,
    pub messages: Vec<ApiMessage>,
    pub reason: Option<String>,
    pub retry_after_ms: Option<i64>,
    /// Clearance: the cleared document ZATCA returned.
    pub cleared_xml: Option<crate::Bytes>,
}

impl From<embed::ApiAnswer> for ApiAnswer {
    fn from(a: embed::ApiAnswer) -> Self {
        ApiAnswer {
            outcome: a.outcome.as_str().to_owned(),
            http_status: a.http_status.map(u32::from),
            response: a.response,
            messages: a.messages.into_iter().map(ApiMessage::from).collect(),
            reason: a.reason,
            retry_after_ms: a.retry_after_ms.map(|ms| i64::try_from(ms).unwrap_or(i64::MAX)),
            cleared_xml: a.cleared_xml.map(crate::Bytes),
        }
    }
}

/// A Fatoora API client for one environment.
#[napi]
pub struct ApiClient {
    inner: embed::ApiClient,
}

#[napi]
impl ApiClient {
    #[napi(constructor)]
    pub fn new(env: Env, environment: String, options: Option<String>) -> Result<Self> {
        let options = client_options(options).or_throw(&env)?;
        let inner = embed::ApiClient::new(&environment, &options).or_throw(&env)?;
        Ok(ApiClient { inner })
    }

    #[napi]
    pub async fn compliance_csid(&self, csr: String, otp: String) -> Result<ApiAnswer> {
        self.inner.compliance_csid(&csr, &otp).await.map(ApiAnswer::from).or_reject()
    }

    #[napi]
    pub async fn compliance_invoice(
        &self,
        token: String,
        secret: String,
        signed_xml: Buffer,
    ) -> Result<ApiAnswer> {
        let answer = self.inner.compliance_invoice(&token, &secret, &signed_xml).await;
        answer.map(ApiAnswer::from).or_reject()
    }

    #[napi]
    pub async fn production_csid(
        &self,
        token: String,
        secret: String,
        compliance_request_id: String,
    ) -> Result<ApiAnswer> {
        let answer = self.inner.production_csid(&token, &secret, &compliance_request_id).await;
        answer.map(ApiAnswer::from).or_reject()
    }

    #[napi]
    pub async fn renew_production_csid(
        &self,
        token: String,
        secret: String,
        csr: String,
        otp: String,
    ) -> Result<ApiAnswer> {
        let answer = self.inner.renew_production_csid(&token, &secret, &csr, &otp).await;
        answer.map(ApiAnswer::from).or_reject()
    }

    #[napi]
    pub async fn clearance(&self, token: String, secret: String, signed_xml: Buffer) -> Result<ApiAnswer> {
        self.inner.clearance(&token, &secret, &signed_xml).await.map(ApiAnswer::from).or_reject()
    }

    #[napi]
    pub async fn reporting(&self, token: String, secret: String, signed_xml: Buffer) -> Result<ApiAnswer> {
        self.inner.reporting(&token, &secret, &signed_xml).await.map(ApiAnswer::from).or_reject()
    }
}
