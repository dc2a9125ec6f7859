//! Credentials per EGS unit at rest: the private key and the CSID secret sealed with the
//! engine's [`MasterKey`] (bound to the unit and to what they are), the `binarySecurityToken`,
//! the environment and the identity (the CSR values, for renewal) in clear. Opened on demand,
//! cached in memory, never logged.

use super::Engine;
use crate::crypto::{PrivateKey, Signer};
use crate::error::{Error, Result};
use std::sync::Arc;

/// A unit's opened credentials.
pub struct Unlocked {
    #[cfg(feature = "api")]
    pub credentials: crate::api::Credentials,
    pub signer: Signer,
    pub environment: crate::csr::Environment,
}

impl std::fmt::Debug for Unlocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unlocked").field("environment", &self.environment).finish_non_exhaustive()
    }
}

fn key_context(egs_id: &str) -> Vec<u8> {
    format!("qayd:egs:{egs_id}:private-key").into_bytes()
}

fn secret_context(egs_id: &str) -> Vec<u8> {
    format!("qayd:egs:{egs_id}:csid-secret").into_bytes()
}

impl Engine {
    fn master_key(&self) -> Result<&crate::secrets::MasterKey> {
        self.master_key.as_deref().ok_or_else(|| {
            Error::Secret("no master key configured for the engine (Engine::with_master_key)".into())
        })
    }

    /// Stores the unit's production CSID and private key (sealed). The key must belong to the
    /// certificate. Resumes a unit stopped by an `unauthorized` answer. An identity stored
    /// earlier ([`Engine::set_onboarded`]) is kept.
    #[cfg(feature = "api")]
    pub fn set_credentials(
        &self,
        egs_id: &str,
        credentials: &crate::api::Credentials,
        private_key: &PrivateKey,
    ) -> Result<()> {
        let identity = self.store.credentials(egs_id)?.and_then(|stored| stored.identity);
        self.store_credentials(egs_id, credentials, private_key, identity)
    }

    /// Stores an onboarded (or renewed) unit: its production CSID and key sealed, and its
    /// identity (the CSR values) in clear, so that [`Engine::renew`] needs nothing but an OTP.
    /// Resumes a unit stopped by an `unauthorized` answer.
    #[cfg(feature = "api")]
    pub fn set_onboarded(&self, egs_id: &str, onboarded: &crate::onboarding::EgsCredentials) -> Result<()> {
        let identity = serde_json::to_string(&onboarded.identity)
            .map_err(|e| Error::InvalidInput(format!("identity: {e}")))?;
        self.store_credentials(
            egs_id,
            &onboarded.production_credentials(),
            &onboarded.private_key()?,
            Some(identity),
        )
    }

    /// Seals and stores in one write (the previous credentials stay until it succeeds), then
    /// drops the cached opened form and resumes the unit.
    #[cfg(feature = "api")]
    fn store_credentials(
        &self,
        egs_id: &str,
        credentials: &crate::api::Credentials,
        private_key: &PrivateKey,
        identity: Option<String>,
    ) -> Result<()> {
        let certificate = credentials.certificate()?;
        let not_after = certificate.not_after_unix();
        Signer::new(certificate, private_key.clone())?;
        let key = self.master_key()?;
        let sealed = crate::store::SealedCredentials {
            environment: serde_json::to_string(credentials.environment())
                .map_err(|e| Error::InvalidInput(format!("environment: {e}")))?,
            binary_security_token: credentials.binary_security_token().to_owned(),
            sealed_private_key: key.seal(private_key.to_sec1_pem()?.as_bytes(), &key_context(egs_id))?,
            sealed_secret: key.seal(credentials.secret().as_bytes(), &secret_context(egs_id))?,
            not_after,
            identity,
        };
        self.store.register_egs(egs_id)?;
        self.store.put_credentials(egs_id, &sealed)?;
        self.unlocked.lock().unwrap_or_else(|e| e.into_inner()).remove(egs_id);
        self.resume_egs(egs_id)
    }

    /// The unit's stored identity (the CSR values it was onboarded with), if the store has it.
    pub fn identity(&self, egs_id: &str) -> Result<Option<crate::csr::CsrConfig>> {
        let Some(text) = self.store.credentials(egs_id)?.and_then(|stored| stored.identity) else {
            return Ok(None);
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::Storage(format!("EGS unit '{egs_id}': unreadable identity ({e})")))
    }

    /// Whether the unit has stored credentials.
    pub fn has_credentials(&self, egs_id: &str) -> Result<bool> {
        Ok(self.store.credentials(egs_id)?.is_some())
    }

    /// Opens the unit's credentials (cached). `SECRET` when the master key is missing or wrong;
    /// nothing stored is touched.
    pub fn unlock(&self, egs_id: &str) -> Result<Arc<Unlocked>> {
        if let Some(found) = self.unlocked.lock().unwrap_or_else(|e| e.into_inner()).get(egs_id) {
            return Ok(found.clone());
        }
        let sealed = self.store.credentials(egs_id)?.ok_or_else(|| {
            Error::InvalidInput(format!("EGS unit '{egs_id}' has no stored credentials (set_credentials)"))
        })?;
        let key = self.master_key()?;
        let pem = key.open(&sealed.sealed_private_key, &key_context(egs_id))?;
        let secret = key.open(&sealed.sealed_secret, &secret_context(egs_id))?;
        let secret = String::from_utf8(secret)
            .map_err(|_| Error::Secret(format!("EGS unit '{egs_id}': the CSID secret is not text")))?;
        let environment: crate::csr::Environment = serde_json::from_str(&sealed.environment)
            .map_err(|e| Error::Storage(format!("EGS unit '{egs_id}': unreadable environment ({e})")))?;
        let private_key = PrivateKey::from_bytes(&pem)?;
        let certificate = crate::crypto::Certificate::from_bytes(sealed.binary_security_token.as_bytes())?;
        #[cfg(not(feature = "api"))]
        let _ = secret;
        let unlocked = Arc::new(Unlocked {
            #[cfg(feature = "api")]
            credentials: crate::api::Credentials::new(
                environment.clone(),
                sealed.binary_security_token.clone(),
                secret,
            ),
            signer: Signer::new(certificate, private_key)?,
            environment,
        });
        self.unlocked.lock().unwrap_or_else(|e| e.into_inner()).insert(egs_id.to_owned(), unlocked.clone());
        Ok(unlocked)
    }
}
