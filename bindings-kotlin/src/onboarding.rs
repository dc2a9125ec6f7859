//! Onboarding and renewal of an EGS unit, and the credentials they produce.

use crate::identity::Identity;
use crate::{Result, instant, shared_runtime, unsigned};
use qayd::embed;
use qayd::onboarding::EgsCredentials;
use std::sync::Arc;
use std::time::SystemTime;

/// Settings of the HTTP client (all optional: 30 s per exchange, 10 s to connect).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ClientOptions {
    /// Whole-exchange timeout in milliseconds.
    #[uniffi(default = None)]
    pub timeout_ms: Option<i64>,
    /// Connect timeout in milliseconds.
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<i64>,
}

/// The core's client options (a negative timeout is refused).
pub(crate) fn client_options(options: Option<ClientOptions>) -> Result<embed::ClientOptions> {
    let o = options.unwrap_or_default();
    Ok(embed::ClientOptions {
        timeout_ms: o.timeout_ms.map(|ms| unsigned(ms, "timeoutMs")).transpose()?,
        connect_timeout_ms: o.connect_timeout_ms.map(|ms| unsigned(ms, "connectTimeoutMs")).transpose()?,
        ..Default::default()
    })
}

/// One onboarding (or renewal) step, as it starts.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Progress {
    /// `generate key`, `build CSR`, `compliance CSID`, `compliance: standard invoice`, …,
    /// `production CSID` (renewal: `renew production CSID`).
    pub step: String,
    /// Counts from 1 to `total`.
    pub index: i32,
    pub total: i32,
}

impl From<qayd::onboarding::Progress> for Progress {
    fn from(p: qayd::onboarding::Progress) -> Self {
        let int = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Progress { index: int(p.index), total: int(p.total), step: p.step }
    }
}

/// Told about each onboarding step as it starts. Called on a runtime thread; an exception
/// thrown here aborts the onboarding. `onboardingProgress { p -> … }` makes one from a lambda.
#[uniffi::export(callback_interface)]
pub trait OnboardingProgress: Send + Sync {
    fn on_step(&self, progress: Progress);
}

fn reporter(listener: Option<Box<dyn OnboardingProgress>>) -> impl FnMut(qayd::onboarding::Progress) + Send {
    move |p: qayd::onboarding::Progress| {
        if let Some(listener) = &listener {
            listener.on_step(p.into());
        }
    }
}

/// An onboarded EGS unit's credentials: identity, private key, compliance and production CSIDs.
/// They hold secrets: `toString()` shows none of them; `toJson()` has them all (store it
/// sealed, e.g. with `Engine.setCredentials`, or readable by its owner only).
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct Credentials {
    pub(crate) inner: EgsCredentials,
}

impl std::fmt::Display for Credentials {
    /// Kotlin's own `Name(field=value, …)` form, with what identifies the unit and nothing secret:
    /// no private key, no CSID secret, no token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.inner;
        write!(
            f,
            "Credentials(environment={}, commonName={}, vatNumber={}, certificateExpiry={}, issuedAt={}, \
             privateKey=<redacted>, productionSecret=<redacted>, complianceSecret=<redacted>)",
            c.environment.name(),
            c.identity.common_name,
            c.identity.organization_identifier,
            c.certificate_expiry,
            c.issued_at,
        )
    }
}

#[uniffi::export]
impl Credentials {
    /// Reads the JSON form (the credentials file `toJson()` writes).
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Credentials { inner: EgsCredentials::from_json(&json)? }))
    }

    /// The JSON form, with the private key and the secrets.
    pub fn to_json(&self) -> Result<String> {
        Ok(self.inner.to_json()?)
    }

    /// The environment that issued them (`developer-portal`, `simulation`, `core` or
    /// `custom(<url>)`).
    pub fn environment(&self) -> String {
        self.inner.environment.name()
    }

    /// The identity the CSR carried.
    pub fn identity(&self) -> Identity {
        self.inner.identity.clone().into()
    }

    /// The production certificate's end of validity.
    pub fn certificate_expiry(&self) -> SystemTime {
        instant(self.inner.certificate_expiry)
    }

    /// When onboarding (or the last renewal) finished.
    pub fn issued_at(&self) -> SystemTime {
        instant(self.inner.issued_at)
    }

    /// The production CSID's `binarySecurityToken` (the certificate; for `ApiClient` calls).
    pub fn production_token(&self) -> String {
        self.inner.production.binary_security_token.clone()
    }

    /// The production CSID's secret (for `ApiClient` calls; never log it).
    pub fn production_secret(&self) -> String {
        self.inner.production.secret.clone()
    }

    /// What may be printed or logged, as JSON: no key, no secret, no token.
    pub fn summary_json(&self) -> String {
        self.inner.summary().to_string()
    }
}

/// Onboards an EGS unit: key, CSR, compliance CSID with `otp`, the compliance samples,
/// production CSID. `environment`: `developer-portal`, `simulation`, `core` or a base URL.
#[uniffi::export(default(options = None, progress = None))]
pub async fn onboard(
    identity: Identity,
    otp: String,
    environment: String,
    options: Option<ClientOptions>,
    progress: Option<Box<dyn OnboardingProgress>>,
) -> Result<Arc<Credentials>> {
    let options = client_options(options)?;
    let inner = shared_runtime::run(async move {
        let mut report = reporter(progress);
        embed::onboard(&identity.into(), &otp, &environment, &options, &mut report).await
    })
    .await?;
    Ok(Arc::new(Credentials { inner }))
}

/// Renews the production CSID of `current` with a new OTP, in the environment that issued it.
#[uniffi::export(default(options = None, progress = None))]
pub async fn renew(
    current: Arc<Credentials>,
    otp: String,
    options: Option<ClientOptions>,
    progress: Option<Box<dyn OnboardingProgress>>,
) -> Result<Arc<Credentials>> {
    let options = client_options(options)?;
    let inner = shared_runtime::run(async move {
        let mut report = reporter(progress);
        embed::renew(&current.inner, &otp, &options, &mut report).await
    })
    .await?;
    Ok(Arc::new(Credentials { inner }))
}
