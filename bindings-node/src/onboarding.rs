//! Keys, identities, CSRs, sample invoices, onboarding and the credentials it yields
//! (`qayd::embed`), as plain JS values.

use crate::{Data, OrThrow, bytes, client_options};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use qayd::embed;

/// An EGS unit's identity: the nine values of the SDK's `csr-config` properties.
#[napi(object)]
pub struct Identity {
    pub common_name: String,
    pub serial_number: String,
    pub organization_identifier: String,
    pub organization_unit_name: String,
    pub organization_name: String,
    pub country_name: String,
    pub invoice_type: String,
    pub location_address: String,
    pub industry_business_category: String,
}

impl From<Identity> for qayd::CsrConfig {
    fn from(i: Identity) -> Self {
        qayd::CsrConfig {
            common_name: i.common_name,
            serial_number: i.serial_number,
            organization_identifier: i.organization_identifier,
            organization_unit_name: i.organization_unit_name,
            organization_name: i.organization_name,
            country_name: i.country_name,
            invoice_type: i.invoice_type,
            location_address: i.location_address,
            industry_business_category: i.industry_business_category,
        }
    }
}

impl From<qayd::CsrConfig> for Identity {
    fn from(c: qayd::CsrConfig) -> Self {
        Identity {
            common_name: c.common_name,
            serial_number: c.serial_number,
            organization_identifier: c.organization_identifier,
            organization_unit_name: c.organization_unit_name,
            organization_name: c.organization_name,
            country_name: c.country_name,
            invoice_type: c.invoice_type,
            location_address: c.location_address,
            industry_business_category: c.industry_business_category,
        }
    }
}

/// A new secp256k1 private key, SEC1 PEM.
#[napi]
pub fn generate_private_key_pem(env: Env) -> Result<String> {
    embed::generate_private_key_pem().or_throw(&env)
}

/// A new random master key, base64 (for `QAYD_MASTER_KEY` or the engine's `masterKey`).
#[napi]
pub fn generate_master_key(env: Env) -> Result<String> {
    embed::generate_master_key().or_throw(&env)
}

/// An identity read from the SDK's `.properties` text or its JSON form (snake_case keys).
#[napi]
pub fn identity_from_text(env: Env, text: String) -> Result<Identity> {
    embed::identity_from_text(&text).map(Identity::from).or_throw(&env)
}

/// A CSR in both of its forms.
#[napi(object)]
pub struct Csr {
    pub pem: String,
    /// Base64 of the PEM text: the `csr` field of `POST /compliance`.
    pub base64: String,
}

/// The CSR of `identity` for `environment`, signed with `private_key`.
#[napi]
pub fn build_csr(env: Env, identity: Identity, private_key: Data, environment: String) -> Result<Csr> {
    let csr = embed::build_csr(&identity.into(), bytes(&private_key), &environment).or_throw(&env)?;
    Ok(Csr { pem: csr.pem, base64: csr.base64 })
}

/// A sample invoice of `identity`, issued now, in the model's JSON form.
#[napi]
pub fn sample_invoice_json(
    env: Env,
    identity: Identity,
    kind: String,
    document_type: String,
) -> Result<String> {
    embed::sample_invoice_json(&identity.into(), &kind, &document_type).or_throw(&env)
}

/// One onboarding step starting: step `index` of `total` (1-based).
#[napi(object)]
pub struct Progress {
    pub step: String,
    pub index: u32,
    pub total: u32,
}

/// The progress callback, called from the runtime's threads (`index.js` wraps the caller's
/// function so that it never throws: a throw here would end the process).
pub type ProgressCallback = ThreadsafeFunction<Progress, Unknown<'static>, Progress, Status, false>;

/// Forwards each step to JS without waiting for it (onboarding never blocks on the callback).
fn forward(callback: Option<ProgressCallback>) -> impl FnMut(qayd::onboarding::Progress) + Send {
    move |p| {
        if let Some(callback) = &callback {
            let progress = Progress {
                step: p.step,
                index: u32::try_from(p.index).unwrap_or(u32::MAX),
                total: u32::try_from(p.total).unwrap_or(u32::MAX),
            };
            callback.call(progress, ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}

/// Onboards an EGS unit: key, CSR, compliance CSID with `otp`, compliance samples, production
/// CSID.
#[napi]
pub async fn onboard(
    identity: Identity,
    otp: String,
    environment: String,
    options: Option<String>,
    progress: Option<ProgressCallback>,
) -> Result<EgsCredentials> {
    let options = client_options(options).or_reject()?;
    let mut progress = forward(progress);
    let inner =
        embed::onboard(&identity.into(), &otp, &environment, &options, &mut progress).await.or_reject()?;
    Ok(EgsCredentials { inner })
}

/// An onboarded unit's credentials. They hold the private key and the CSID secrets: only
/// `toSecretJson` returns them.
#[napi]
pub struct EgsCredentials {
    pub(crate) inner: qayd::onboarding::EgsCredentials,
}

#[napi]
impl EgsCredentials {
    /// Reads the JSON form (the CLI's credentials file).
    #[napi(factory)]
    pub fn from_json(env: Env, text: String) -> Result<Self> {
        qayd::onboarding::EgsCredentials::from_json(&text)
            .map(|inner| EgsCredentials { inner })
            .or_throw(&env)
    }

    /// The JSON form, secrets included.
    #[napi]
    pub fn to_secret_json(&self, env: Env) -> Result<String> {
        self.inner.to_json().or_throw(&env)
    }

    /// `developer-portal`, `simulation`, `core` or `custom(<url>)`.
    #[napi(getter)]
    pub fn environment(&self) -> String {
        self.inner.environment.name()
    }

    #[napi(getter)]
    pub fn identity(&self) -> Identity {
        self.inner.identity.clone().into()
    }

    /// The production certificate's notAfter, seconds since the Unix epoch.
    #[napi(getter)]
    pub fn certificate_expiry_unix(&self) -> i64 {
        self.inner.certificate_expiry
    }

    /// When onboarding (or the last renewal) finished, seconds since the Unix epoch.
    #[napi(getter)]
    pub fn issued_at_unix(&self) -> i64 {
        self.inner.issued_at
    }

    #[napi(getter)]
    pub fn compliance_request_id(&self) -> Option<String> {
        self.inner.compliance.request_id.clone()
    }

    #[napi(getter)]
    pub fn production_request_id(&self) -> Option<String> {
        self.inner.production.request_id.clone()
    }

    /// Renews the production CSID with a new OTP; the result replaces these credentials.
    #[napi]
    pub async fn renew(
        &self,
        otp: String,
        options: Option<String>,
        progress: Option<ProgressCallback>,
    ) -> Result<EgsCredentials> {
        let options = client_options(options).or_reject()?;
        let mut progress = forward(progress);
        let inner = embed::renew(&self.inner, &otp, &options, &mut progress).await.or_reject()?;
        Ok(EgsCredentials { inner })
    }
}
