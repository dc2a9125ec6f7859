//! The JSON bodies of the Fatoora API, as ZATCA's OpenAPI *examples* show them (the schema
//! components in those files are stale). Reading is lenient (unknown fields ignored, missing ones
//! `None`, `infoMessages` as an object or a list) because the platform's answers vary.

use crate::error::{Error, Result};
use crate::stamp::StampedInvoice;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Deserializer, Serialize};

/// The body of `POST /compliance/invoices`, `/invoices/clearance/single` and
/// `/invoices/reporting/single`: `{"invoiceHash","uuid","invoice"}` in that order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceSubmission {
    /// The invoice hash, base64 (§a).
    #[serde(rename = "invoiceHash")]
    pub invoice_hash: String,
    /// `cbc:UUID`.
    pub uuid: String,
    /// Base64 of the exact signed XML bytes.
    pub invoice: String,
}

impl InvoiceSubmission {
    /// Builds the body from a signed document, recomputing its hash and reading its UUID.
    pub fn from_signed_xml(xml: &[u8]) -> Result<Self> {
        let invoice_hash = crate::stamp::invoice_hash(xml)?;
        let document = crate::xml::parse(xml)?;
        let view = crate::stamp::view::InvoiceView::new(&document)?;
        let uuid = view.required("UUID", "KSA-1")?.trim().to_owned();
        Ok(InvoiceSubmission { invoice_hash, uuid, invoice: B64.encode(xml) })
    }

    /// The signed XML bytes this body carries.
    pub fn xml(&self) -> Result<Vec<u8>> {
        B64.decode(&self.invoice).map_err(|e| Error::InvalidInput(format!("invoice is not base64 ({e})")))
    }
}

impl From<&StampedInvoice> for InvoiceSubmission {
    fn from(stamped: &StampedInvoice) -> Self {
        InvoiceSubmission {
            invoice_hash: stamped.invoice_hash.clone(),
            uuid: stamped.uuid.clone(),
            invoice: B64.encode(&stamped.xml),
        }
    }
}

/// One validation message: `{"type","code","category","message","status"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationMessage {
    /// `INFO`, `WARNING` or `ERROR`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// A rule id (`BR-KSA-37`) or an error code (`invalid-invoice-hash`); `null` in some answers.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// `PASS`, `WARNING` or `ERROR`.
    #[serde(default)]
    pub status: Option<String>,
}

impl std::fmt::Display for ValidationMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.code {
            Some(code) => write!(f, "[{code}] {}", self.message.as_deref().unwrap_or("")),
            None => f.write_str(self.message.as_deref().unwrap_or("")),
        }
    }
}

/// `validationResults`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationResults {
    #[serde(default, deserialize_with = "one_or_many")]
    pub info_messages: Vec<ValidationMessage>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub warning_messages: Vec<ValidationMessage>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub error_messages: Vec<ValidationMessage>,
    /// `PASS`, `WARNING` or `ERROR`.
    #[serde(default)]
    pub status: Option<String>,
}

/// ZATCA's own compliance example has `"infoMessages": {…}` (an object, not a list).
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<ValidationMessage>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<ValidationMessage>),
        One(ValidationMessage),
        Null(()),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::Many(v) => v,
        OneOrMany::One(m) => vec![m],
        OneOrMany::Null(()) => Vec::new(),
    })
}

/// The answer to a document submission (compliance check, clearance or reporting).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionResponse {
    #[serde(default)]
    pub validation_results: Option<ValidationResults>,
    /// `REPORTED` / `NOT_REPORTED` (reporting, compliance of simplified documents).
    #[serde(default)]
    pub reporting_status: Option<String>,
    /// `CLEARED` / `NOT_CLEARED` (clearance, compliance of standard documents).
    #[serde(default)]
    pub clearance_status: Option<String>,
    /// Base64 of the cleared XML (clearance only).
    #[serde(default)]
    pub cleared_invoice: Option<String>,
    /// Compliance check only (ZATCA's spelling).
    #[serde(default, rename = "qrSellertStatus", skip_serializing_if = "Option::is_none")]
    pub qr_seller_status: Option<String>,
    #[serde(default, rename = "qrBuyertStatus", skip_serializing_if = "Option::is_none")]
    pub qr_buyer_status: Option<String>,
    /// The decoded `clearedInvoice` (filled in by the client; not part of the JSON).
    #[serde(skip)]
    pub cleared_invoice_xml: Option<Vec<u8>>,
}

impl SubmissionResponse {
    pub fn errors(&self) -> &[ValidationMessage] {
        self.validation_results.as_ref().map(|v| v.error_messages.as_slice()).unwrap_or_default()
    }
    pub fn warnings(&self) -> &[ValidationMessage] {
        self.validation_results.as_ref().map(|v| v.warning_messages.as_slice()).unwrap_or_default()
    }
    /// The validation status (`PASS`, `WARNING`, `ERROR`), if stated.
    pub fn status(&self) -> Option<&str> {
        self.validation_results.as_ref().and_then(|v| v.status.as_deref())
    }
}

/// One entry of a CSID call's `{"errors":[{"code","message"}]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorEntry {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// The answer of `POST /compliance`, `POST /production/csids` and `PATCH /production/csids`.
/// `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CsidResponse {
    /// `requestID` — a number in ZATCA's examples; kept as text.
    #[serde(rename = "requestID", default, deserialize_with = "number_or_string")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// `ISSUED`, or `NOT_COMPLIANT` (renewal, HTTP 428).
    #[serde(default)]
    pub disposition_message: Option<String>,
    /// Base64 of the base64 DER certificate text.
    #[serde(default)]
    pub binary_security_token: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<serde_json::Value>,
}

impl std::fmt::Debug for CsidResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsidResponse")
            .field("request_id", &self.request_id)
            .field("token_type", &self.token_type)
            .field("disposition_message", &self.disposition_message)
            .field("binary_security_token", &self.binary_security_token.as_ref().map(|t| t.len()))
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl CsidResponse {
    /// The issued certificate.
    pub fn certificate(&self) -> Result<crate::Certificate> {
        let token = self
            .binary_security_token
            .as_deref()
            .ok_or_else(|| Error::InvalidCertificate("the answer carries no binarySecurityToken".into()))?;
        crate::Certificate::from_bytes(token.as_bytes())
    }
}

fn number_or_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}
