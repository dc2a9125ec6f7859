//! One error type for the whole engine. Every binding maps from [`Error::code`], so the codes are
//! a stable public contract: add new ones, never rename.

use crate::validate::RuleInfo;

/// Everything that can go wrong in Qayd, with a message a person can act on. Non-exhaustive:
/// new kinds of failure come as new variants (and new codes); match on [`Error::code`] or
/// [`Error::kind`] with a fallback.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not well-formed XML, or uses a feature we refuse (DTD, entities), or is too
    /// large or too deeply nested.
    #[error("malformed XML: {0}")]
    InvalidXml(String),
    /// Well-formed XML that is not a usable ZATCA invoice (wrong root, namespace, missing element).
    #[error("invalid invoice document: {0}")]
    InvalidDocument(String),
    /// The invoice model breaks a rule; `rule` names the ZATCA/EN 16931 rule where one applies.
    #[error("{}{message}", rule.as_deref().map(|r| format!("[{r}] ")).unwrap_or_default())]
    InvalidModel { rule: Option<String>, message: String },
    /// A private key that cannot be read or is not on secp256k1.
    #[error("invalid private key: {0}")]
    InvalidKey(String),
    /// A certificate that cannot be read or does not carry a secp256k1 key.
    #[error("invalid certificate: {0}")]
    InvalidCertificate(String),
    /// The private key does not belong to the certificate's public key.
    #[error("the private key does not match the certificate's public key")]
    KeyMismatch,
    /// A QR payload that cannot be encoded or decoded.
    #[error("invalid QR code: {0}")]
    InvalidQr(String),
    /// Any other malformed argument (bad JSON, base64, time format, …).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The Fatoora platform (or the gateway) could not be reached or did not answer in time:
    /// connection refused or reset, DNS, TLS, timeout. Sending again later is safe.
    #[error("network error: {0}")]
    Network(String),
    /// Fatoora answered with an HTTP status the call does not expect (406 wrong Accept-Version,
    /// 303 clearance switched off, 413 too large, 5xx, …).
    #[error("HTTP {status}: {message}")]
    Http { status: u16, message: String },
    /// Fatoora refused the credentials (HTTP 401): wrong or expired CSID, wrong secret, or a
    /// compliance CSID used where a production CSID is needed.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Fatoora examined the request and refused it (HTTP 400 with its error codes, e.g.
    /// `Invalid-OTP`, `Invalid-CSR`, `Missing-ComplianceSteps`, or a rejected invoice).
    #[error("rejected by Fatoora (HTTP {status}): {message}")]
    ApiRejected { status: u16, message: String },
    /// Credentials issued in one environment were about to be sent to another.
    #[error("environment mismatch: {0}")]
    EnvironmentMismatch(String),
    /// The answer is not what Fatoora sends (HTML, garbage, missing fields): a proxy, a captive
    /// portal or a wrong base URL is in the way.
    #[error("unexpected response (HTTP {status}): {message}")]
    UnexpectedResponse { status: u16, message: String },
    /// The store (SQLite or PostgreSQL) failed: disk full, locked too long, corrupted row.
    /// Nothing was half-written: the transaction was rolled back.
    #[error("storage error: {0}")]
    Storage(String),
    /// Sealed secrets could not be opened (wrong master key, tampered data) or no master key is
    /// configured. The data is untouched; supply the right key.
    #[error("secret store: {0}")]
    Secret(String),
}

impl Error {
    /// The stable, language-neutral code of this error (`SCREAMING_SNAKE`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidXml(_) => "INVALID_XML",
            Error::InvalidDocument(_) => "INVALID_DOCUMENT",
            Error::InvalidModel { .. } => "INVALID_MODEL",
            Error::InvalidKey(_) => "INVALID_KEY",
            Error::InvalidCertificate(_) => "INVALID_CERTIFICATE",
            Error::KeyMismatch => "KEY_MISMATCH",
            Error::InvalidQr(_) => "INVALID_QR",
            Error::InvalidInput(_) => "INVALID_INPUT",
            Error::Network(_) => "NETWORK",
            Error::Http { .. } => "HTTP",
            Error::Unauthorized(_) => "UNAUTHORIZED",
            Error::ApiRejected { .. } => "API_REJECTED",
            Error::EnvironmentMismatch(_) => "ENVIRONMENT_MISMATCH",
            Error::UnexpectedResponse { .. } => "UNEXPECTED_RESPONSE",
            Error::Storage(_) => "STORAGE",
            Error::Secret(_) => "SECRET",
        }
    }

    /// The family of the error, for bindings that group them (`Input` errors are the caller's to
    /// fix; `Api` errors come from talking to Fatoora; the rest are local faults).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidXml(_)
            | Error::InvalidDocument(_)
            | Error::InvalidModel { .. }
            | Error::InvalidKey(_)
            | Error::InvalidCertificate(_)
            | Error::KeyMismatch
            | Error::InvalidQr(_)
            | Error::InvalidInput(_) => ErrorKind::Input,
            Error::Network(_)
            | Error::Http { .. }
            | Error::Unauthorized(_)
            | Error::ApiRejected { .. }
            | Error::EnvironmentMismatch(_)
            | Error::UnexpectedResponse { .. } => ErrorKind::Api,
            Error::Storage(_) => ErrorKind::Storage,
            Error::Secret(_) => ErrorKind::Secret,
        }
    }

    /// The HTTP status Fatoora answered with, where there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. }
            | Error::ApiRejected { status, .. }
            | Error::UnexpectedResponse { status, .. } => Some(*status),
            Error::Unauthorized(_) => Some(401),
            _ => None,
        }
    }

    /// Whether sending the same request again later may succeed (network faults, 5xx, 429).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Network(_) => true,
            Error::Http { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    /// The business rule this error is about, if any (e.g. `BR-KSA-40`).
    pub fn rule(&self) -> Option<&str> {
        match self {
            Error::InvalidModel { rule, .. } => rule.as_deref(),
            _ => None,
        }
    }

    /// An [`Error::InvalidModel`] about `rule`, typed so that only rules in the table can be named.
    pub fn model(rule: &'static RuleInfo, message: impl Into<String>) -> Self {
        Error::InvalidModel { rule: Some(rule.id.to_owned()), message: message.into() }
    }
}

/// Every error code, for bindings that must prove their mapping is complete.
pub const ERROR_CODES: &[&str] = &[
    "INVALID_XML",
    "INVALID_DOCUMENT",
    "INVALID_MODEL",
    "INVALID_KEY",
    "INVALID_CERTIFICATE",
    "KEY_MISMATCH",
    "INVALID_QR",
    "INVALID_INPUT",
    "NETWORK",
    "HTTP",
    "UNAUTHORIZED",
    "API_REJECTED",
    "ENVIRONMENT_MISMATCH",
    "UNEXPECTED_RESPONSE",
    "STORAGE",
    "SECRET",
];

/// Families of [`Error`] (see [`Error::kind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    Input,
    Api,
    Storage,
    Secret,
}

impl ErrorKind {
    /// Every family, in declaration order (the bindings check their own lists against it).
    pub const ALL: [ErrorKind; 4] = [ErrorKind::Input, ErrorKind::Api, ErrorKind::Storage, ErrorKind::Secret];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Input => "input",
            ErrorKind::Api => "api",
            ErrorKind::Storage => "storage",
            ErrorKind::Secret => "secret",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
