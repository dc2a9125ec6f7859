//! Onboarding an EGS unit with Fatoora in one call, and renewing its production CSID.
//!
//! ```text
//! key ──► CSR ──► POST /compliance (OTP) ──► compliance CSID
//!     ──► every compliance sample the CSR's invoice type needs, generated from the model,
//!         stamped with the new key and the compliance certificate, POST /compliance/invoices
//!     ──► POST /production/csids ──► production CSID ──► EgsCredentials
//! ```
//!
//! The samples: the CSR title (`csr.invoice.type`, four flags `TSCZ`) enables standard documents
//! (`1xxx`) and/or simplified documents (`x1xx`); for each enabled family the invoice, the credit
//! note and the debit note are checked, in that order, standard before simplified. Each sample is
//! a fresh document of the model (seller VAT = the CSR's UID, seller name = the CSR's O), issued
//! now, chained from the genesis PIH with ICV 1, 2, … (compliance checks do not join the
//! production chain).
//!
//! Renewal ([`renew`]): a new key and CSR, `PATCH /production/csids` with the current production
//! CSID and a new OTP, before the certificate expires. When the platform answers 428
//! `NOT_COMPLIANT` it has issued a new *compliance* CSID: the compliance samples are run again
//! with it and the production CSID is then requested with `POST /production/csids`.
//!
//! [`EgsCredentials`] carry the environment that issued them; every call refuses credentials of
//! another environment before anything is sent. Their `Debug` form never shows the private key or
//! the secrets; [`EgsCredentials::summary`] is the form to print or log.

use crate::api::{Client, Credentials, CsidResponse, InvoiceSubmission, Outcome};
use crate::clock::{Clock, SystemClock};
use crate::crypto::{Certificate, PrivateKey, Signer};
use crate::csr::{CsrConfig, Environment, build_csr, generate_private_key};
use crate::error::{Error, Result};
use crate::model::{Address, DocumentType, IdScheme, Invoice, InvoiceKind, Line, Party, PaymentMeans, Vat};
use crate::stamp::{GENESIS_PIH, StampOptions};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One compliance sample family: standard or simplified × invoice, credit note, debit note.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SampleKind {
    pub kind: InvoiceKind,
    pub document_type: DocumentType,
}

impl SampleKind {
    /// `standard invoice`, `simplified credit note`, …
    pub fn label(&self) -> String {
        let kind = match self.kind {
            InvoiceKind::Standard => "standard",
            InvoiceKind::Simplified => "simplified",
        };
        let document = match self.document_type {
            DocumentType::Invoice => "invoice",
            DocumentType::CreditNote => "credit note",
            DocumentType::DebitNote => "debit note",
            DocumentType::Prepayment => "prepayment invoice",
        };
        format!("{kind} {document}")
    }
}

/// The compliance samples an EGS unit with this identity must pass, in submission order.
pub fn required_samples(identity: &CsrConfig) -> Vec<SampleKind> {
    let (standard, simplified) = identity.invoice_families();
    let mut out = Vec::new();
    for (enabled, kind) in [(standard, InvoiceKind::Standard), (simplified, InvoiceKind::Simplified)] {
        if enabled {
            for document_type in [DocumentType::Invoice, DocumentType::CreditNote, DocumentType::DebitNote] {
                out.push(SampleKind { kind, document_type });
            }
        }
    }
    out
}

/// A progress report: step `index` of `total` (1-based) is starting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// `generate key`, `build CSR`, `compliance CSID`, `compliance: standard invoice`, …,
    /// `production CSID` (renewal: `renew production CSID`).
    pub step: String,
    pub index: usize,
    pub total: usize,
}

/// A CSID as stored: token, secret, request id, certificate validity. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Csid {
    /// `binarySecurityToken` (base64 of the base64 DER certificate text).
    pub binary_security_token: String,
    /// The secret (never log it).
    pub secret: String,
    /// `requestID` of the answer that issued it.
    pub request_id: Option<String>,
    /// The certificate's notAfter, seconds since the Unix epoch.
    pub not_after: i64,
}

impl std::fmt::Debug for Csid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Csid")
            .field("binary_security_token", &format!("({} chars)", self.binary_security_token.len()))
            .field("secret", &"<redacted>")
            .field("request_id", &self.request_id)
            .field("not_after", &self.not_after)
            .finish()
    }
}

impl Csid {
    fn from_response(response: &CsidResponse) -> Result<Self> {
        let missing = |field: &str| Error::UnexpectedResponse {
            status: 200,
            message: format!("the CSID answer has no {field}"),
        };
        let binary_security_token =
            response.binary_security_token.clone().ok_or_else(|| missing("binarySecurityToken"))?;
        let secret = response.secret.clone().ok_or_else(|| missing("secret"))?;
        let certificate = response.certificate()?;
        Ok(Csid {
            binary_security_token,
            secret,
            request_id: response.request_id.clone(),
            not_after: certificate.not_after_unix(),
        })
    }

    /// API credentials for `environment`.
    pub fn credentials(&self, environment: &Environment) -> Credentials {
        let response = CsidResponse {
            request_id: self.request_id.clone(),
            token_type: None,
            disposition_message: None,
            binary_security_token: Some(self.binary_security_token.clone()),
            secret: Some(self.secret.clone()),
            errors: None,
        };
        // Both fields are present, so this cannot fail; fall back to the plain constructor anyway.
        Credentials::from_csid(environment.clone(), &response).unwrap_or_else(|_| {
            Credentials::new(environment.clone(), &self.binary_security_token, &self.secret)
        })
    }

    /// The certificate the token carries.
    pub fn certificate(&self) -> Result<Certificate> {
        Certificate::from_bytes(self.binary_security_token.as_bytes())
    }
}

/// The outcome of one compliance sample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleResult {
    /// `standard invoice`, `simplified debit note`, …
    pub document: String,
    pub sample: SampleKind,
    pub icv: u64,
    pub uuid: String,
    pub invoice_hash: String,
    /// `accepted` or `accepted_with_warnings` ([`Outcome::kind`]).
    pub status: String,
    /// The platform's warnings, if any (`[code] message`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Everything an onboarded EGS unit needs: its identity, key, both CSIDs and the environment that
/// issued them. Serde form = the credentials file (it holds secrets: store it readable by its
/// owner only, or sealed with [`crate::secrets`]). `Debug` redacts the key and the secrets.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgsCredentials {
    pub environment: Environment,
    /// The identity the CSR carried (the SDK's nine CSR values).
    pub identity: CsrConfig,
    /// The private key, SEC1 PEM (secret).
    pub private_key: String,
    /// The CSR that was certified, PEM.
    pub csr: String,
    pub compliance: Csid,
    pub production: Csid,
    /// The production certificate's notAfter, seconds since the Unix epoch.
    pub certificate_expiry: i64,
    /// When onboarding (or the last renewal) finished, seconds since the Unix epoch.
    pub issued_at: i64,
    /// The compliance samples submitted for this CSID (empty after a renewal the platform
    /// granted without new compliance checks).
    pub samples: Vec<SampleResult>,
}

impl std::fmt::Debug for EgsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EgsCredentials")
            .field("environment", &self.environment)
            .field("common_name", &self.identity.common_name)
            .field("vat_number", &self.identity.organization_identifier)
            .field("private_key", &"<redacted>")
            .field("compliance", &self.compliance)
            .field("production", &self.production)
            .field("certificate_expiry", &self.certificate_expiry)
            .field("samples", &self.samples.len())
            .finish()
    }
}

impl EgsCredentials {
    /// Reads the JSON form.
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::InvalidInput(format!("credentials JSON: {e}")))
    }

    /// The JSON form (holds secrets).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::InvalidInput(format!("credentials JSON: {e}")))
    }

    /// Refuses use against another environment than the one that issued the credentials.
    pub fn check_environment(&self, environment: &Environment) -> Result<()> {
        if &self.environment != environment {
            return Err(Error::EnvironmentMismatch(format!(
                "these credentials were issued by {} and must not be used with {environment}",
                self.environment
            )));
        }
        Ok(())
    }

    /// The production CSID as API credentials.
    pub fn production_credentials(&self) -> Credentials {
        self.production.credentials(&self.environment)
    }

    /// The compliance CSID as API credentials.
    pub fn compliance_credentials(&self) -> Credentials {
        self.compliance.credentials(&self.environment)
    }

    pub fn private_key(&self) -> Result<PrivateKey> {
        PrivateKey::from_bytes(self.private_key.as_bytes())
    }

    /// The production certificate with the key: what stamps production documents.
    pub fn signer(&self) -> Result<Signer> {
        Signer::new(self.production.certificate()?, self.private_key()?)
    }

    /// Seconds until the production certificate expires (negative: expired).
    pub fn expires_in(&self, now_unix: i64) -> i64 {
        // Saturating: the expiry comes from a file the user may edit.
        self.certificate_expiry.saturating_sub(now_unix)
    }

    /// What may be printed or logged: no key, no secret, no token.
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "environment": self.environment.name(),
            "common_name": self.identity.common_name,
            "vat_number": self.identity.organization_identifier,
            "invoice_type": self.identity.invoice_type,
            "compliance_request_id": self.compliance.request_id,
            "production_request_id": self.production.request_id,
            "certificate_expiry": self.certificate_expiry,
            "certificate_expiry_utc": utc_text(self.certificate_expiry),
            "samples": self.samples,
        })
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_text(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")).ok()
        })
        .unwrap_or_default()
}

fn check_client(client: &Client, environment: &Environment) -> Result<()> {
    if client.environment() != environment {
        return Err(Error::EnvironmentMismatch(format!(
            "onboarding for {environment} was asked of a client for {}",
            client.environment()
        )));
    }
    Ok(())
}

/// Puts the step into a platform error's message, with a hint for the usual causes. Never
/// includes the OTP or a secret.
fn in_step(step: &str, error: Error) -> Error {
    let hint = |message: &str| {
        if message.contains("Invalid-OTP") {
            " (the OTP is wrong or has expired: generate a new one in the Fatoora portal; it is valid for one hour)"
        } else if message.contains("Missing-OTP") {
            " (no OTP was given)"
        } else if message.contains("Invalid-CSR") {
            " (check the CSR values: VAT number, serial number 1-…|2-…|3-…, invoice type)"
        } else if message.contains("Missing-ComplianceSteps") {
            " (a compliance sample is missing)"
        } else {
            ""
        }
    };
    match error {
        Error::ApiRejected { status, message } => {
            let hint = hint(&message);
            Error::ApiRejected { status, message: format!("{step}: {message}{hint}") }
        }
        Error::Http { status, message } => Error::Http { status, message: format!("{step}: {message}") },
        Error::Network(message) => Error::Network(format!("{step}: {message}")),
        Error::Unauthorized(message) => Error::Unauthorized(format!("{step}: {message}")),
        Error::UnexpectedResponse { status, message } => {
            Error::UnexpectedResponse { status, message: format!("{step}: {message}") }
        }
        other => other,
    }
}

struct Steps<'p> {
    index: usize,
    total: usize,
    progress: &'p mut (dyn FnMut(Progress) + Send),
}

impl Steps<'_> {
    fn next(&mut self, step: impl Into<String>) {
        self.index += 1;
        (self.progress)(Progress { step: step.into(), index: self.index, total: self.total });
    }
}

/// Onboards an EGS unit: key → CSR → compliance CSID (with `otp`) → every compliance sample the
/// identity's invoice type needs → production CSID. `client` must be for `environment`.
/// `progress` is called as each step starts.
pub async fn onboard(
    client: &Client,
    environment: &Environment,
    identity: &CsrConfig,
    otp: &str,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<EgsCredentials> {
    check_client(client, environment)?;
    identity.validate()?;
    let samples = required_samples(identity);
    let mut steps = Steps { index: 0, total: 4 + samples.len(), progress };

    steps.next("generate key");
    let key = generate_private_key()?;
    steps.next("build CSR");
    let csr = build_csr(identity, &key, environment)?;

    steps.next("compliance CSID");
    let step = "compliance CSID (POST /compliance)";
    let outcome = client.compliance_csid(&csr.to_api_base64(), otp).await.map_err(|e| in_step(step, e))?;
    let response = outcome.into_result().map_err(|e| in_step(step, e))?;
    let compliance = Csid::from_response(&response)?;

    let results =
        run_compliance(client, environment, &compliance, &key, identity, &samples, &mut steps).await?;

    steps.next("production CSID");
    let production = production_csid(client, environment, &compliance, &key).await?;
    finish(environment, identity, &key, csr.to_pem(), compliance, production, results)
}

/// Renews the production CSID of `current` with a new OTP, before it expires: a new key and CSR,
/// `PATCH /production/csids`; on 428 `NOT_COMPLIANT`, the compliance samples again with the
/// compliance CSID the platform returned, then `POST /production/csids`.
pub async fn renew(
    client: &Client,
    current: &EgsCredentials,
    otp: &str,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<EgsCredentials> {
    renew_with_key(client, current, otp, generate_private_key()?, progress).await
}

/// [`renew`] with a key the caller generated (an HSM export, a test).
pub async fn renew_with_key(
    client: &Client,
    current: &EgsCredentials,
    otp: &str,
    key: PrivateKey,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<EgsCredentials> {
    current.check_environment(client.environment())?;
    let environment = &current.environment;
    let now = SystemClock.now_unix();
    if current.expires_in(now) <= 0 {
        return Err(Error::Unauthorized(format!(
            "the production CSID expired at {}; renewal needs a valid CSID: onboard again with a new OTP",
            utc_text(current.certificate_expiry)
        )));
    }
    let identity = &current.identity;
    let samples = required_samples(identity);
    // Without a 428 the compliance steps are skipped; the total then shrinks.
    let mut steps = Steps { index: 0, total: 3, progress };

    steps.next("build CSR");
    let csr = build_csr(identity, &key, environment)?;

    steps.next("renew production CSID");
    let step = "renewal (PATCH /production/csids)";
    let outcome = client
        .renew_production_csid(&current.production_credentials(), &csr.to_api_base64(), otp)
        .await
        .map_err(|e| in_step(step, e))?;
    match outcome {
        Outcome::ComplianceRequired(response) => {
            steps.total = steps.index + samples.len() + 1;
            let compliance = Csid::from_response(&response)?;
            let results =
                run_compliance(client, environment, &compliance, &key, identity, &samples, &mut steps)
                    .await?;
            steps.next("production CSID");
            let production = production_csid(client, environment, &compliance, &key).await?;
            finish(environment, identity, &key, csr.to_pem(), compliance, production, results)
        }
        other => {
            let response = other.into_result().map_err(|e| in_step(step, e))?;
            let production = Csid::from_response(&response)?;
            steps.next("check certificate");
            if !production.certificate()?.matches(&key) {
                return Err(Error::UnexpectedResponse {
                    status: 200,
                    message: "the renewed certificate is not for the new key".into(),
                });
            }
            finish(
                environment,
                identity,
                &key,
                csr.to_pem(),
                current.compliance.clone(),
                production,
                Vec::new(),
            )
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn finish(
    environment: &Environment,
    identity: &CsrConfig,
    key: &PrivateKey,
    csr_pem: String,
    compliance: Csid,
    production: Csid,
    samples: Vec<SampleResult>,
) -> Result<EgsCredentials> {
    Ok(EgsCredentials {
        environment: environment.clone(),
        identity: identity.clone(),
        private_key: key.to_sec1_pem()?,
        csr: csr_pem,
        certificate_expiry: production.not_after,
        compliance,
        production,
        issued_at: SystemClock.now_unix(),
        samples,
    })
}

async fn production_csid(
    client: &Client,
    environment: &Environment,
    compliance: &Csid,
    key: &PrivateKey,
) -> Result<Csid> {
    let step = "production CSID (POST /production/csids)";
    let request_id = compliance.request_id.clone().ok_or_else(|| Error::UnexpectedResponse {
        status: 200,
        message: "the compliance CSID answer had no requestID".into(),
    })?;
    let outcome = client
        .production_csid(&compliance.credentials(environment), &request_id)
        .await
        .map_err(|e| in_step(step, e))?;
    let production = Csid::from_response(&outcome.into_result().map_err(|e| in_step(step, e))?)?;
    if !production.certificate()?.matches(key) {
        return Err(Error::UnexpectedResponse {
            status: 200,
            message: "the production certificate is not for this EGS unit's key".into(),
        });
    }
    Ok(production)
}

async fn run_compliance(
    client: &Client,
    environment: &Environment,
    compliance: &Csid,
    key: &PrivateKey,
    identity: &CsrConfig,
    samples: &[SampleKind],
    steps: &mut Steps<'_>,
) -> Result<Vec<SampleResult>> {
    let credentials = compliance.credentials(environment);
    let signer = Signer::new(compliance.certificate()?, key.clone())?;
    let now = SystemClock.now_unix();
    let mut pih = GENESIS_PIH.to_owned();
    let mut results = Vec::with_capacity(samples.len());
    for (index, sample) in samples.iter().enumerate() {
        let label = sample.label();
        steps.next(format!("compliance: {label}"));
        let icv = index as u64 + 1;
        let mut invoice = sample_invoice(identity, *sample, icv, now)?;
        invoice.pih = pih.clone();
        let stamped = invoice.stamp(&signer, &StampOptions::default())?;
        let step = format!("compliance check of the {label} (POST /compliance/invoices)");
        let outcome = client
            .compliance_invoice(&credentials, &InvoiceSubmission::from(&stamped))
            .await
            .map_err(|e| in_step(&step, e))?;
        let status = outcome.kind().to_owned();
        let warnings = outcome
            .response()
            .map(|r| r.warnings().iter().map(|m| m.to_string()).collect())
            .unwrap_or_default();
        if !outcome.is_accepted() {
            return Err(in_step(
                &step,
                outcome
                    .into_result()
                    .err()
                    .unwrap_or_else(|| Error::ApiRejected { status: 400, message: "not accepted".into() }),
            ));
        }
        pih = stamped.invoice_hash.clone();
        results.push(SampleResult {
            document: label,
            sample: *sample,
            icv,
            uuid: stamped.uuid,
            invoice_hash: stamped.invoice_hash,
            status,
            warnings,
        });
    }
    Ok(results)
}

/// A seller address for generated samples (the CSR carries only a short address).
fn sample_address() -> Address {
    let mut address = Address::saudi("King Fahd Road", "2322", "Al Olaya", "Riyadh", "12214");
    address.additional_number = Some("8228".into());
    address
}

/// The compliance sample of `kind` for `identity`: seller = the CSR's organisation and VAT
/// number, issued at `now_unix`, ICV `icv`, genesis PIH (the caller chains it).
pub fn sample_invoice(identity: &CsrConfig, kind: SampleKind, icv: u64, now_unix: i64) -> Result<Invoice> {
    let seller = Party::new(
        &identity.organization_name,
        Some(&identity.organization_identifier),
        Some(sample_address()),
    )
    .with_id(IdScheme::Crn, "1010010000");
    let prefix = match (kind.kind, kind.document_type) {
        (InvoiceKind::Standard, _) => "STD",
        (InvoiceKind::Simplified, _) => "SMP",
    };
    let code = kind.document_type.code();
    let mut invoice = Invoice::new(
        kind.kind,
        kind.document_type,
        &format!("{prefix}-{code}-{icv}"),
        uuid::Uuid::new_v4(),
        "2000-01-01",
        "00:00:00",
        icv,
        seller,
    );
    invoice.set_issued_at(now_unix);
    let date = invoice.issue_date.clone();
    invoice = invoice.with_payment_means(PaymentMeans::new("10")).with_line(Line::new(
        "Compliance sample item",
        Decimal::from(2),
        Decimal::new(10000, 2),
        Vat::standard(15),
    ));
    if kind.kind == InvoiceKind::Standard {
        let buyer = Party::new(
            "Compliance Sample Buyer Co.",
            Some("399999999800003"),
            Some(Address::saudi("Prince Sultan Street", "3301", "Al Rawdah", "Jeddah", "23435")),
        );
        invoice = invoice.with_buyer(buyer).with_supply_dates(&date, None);
    }
    if kind.document_type.is_note() {
        invoice = invoice
            .correcting(&format!("{prefix}-388-1"), "Compliance sample: correction of a previous invoice");
    }
    // Fail here, with the rule, rather than at the platform.
    invoice.totals()?;
    Ok(invoice)
}
