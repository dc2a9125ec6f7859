//! Renewing a unit's production CSID from what the engine stores, with nothing but a new OTP.
//!
//! ```text
//! unlock (sealed CSID) + stored identity ──► same environment as the engine's client?
//!   ──► drain the unit (documents signed by the current certificate go out under its CSID)
//!   ──► onboarding::renew_with_key (new key, CSR, PATCH /production/csids; on 428 the
//!       compliance samples, then POST /production/csids)
//!   ──► new CSID + key sealed in one write ──► unit resumed ──► `certificate_renewed`
//! ```
//!
//! The new key is generated here and stored only once the platform has issued its certificate:
//! any failure before that leaves the stored credentials as they were, and usable (the queued
//! documents the first step sent stay sent: that is what the worker would have done). The
//! chain (ICV, PIH) belongs to the unit, not to the certificate, so it continues across the
//! renewal.
//!
//! Why drain first: the platform checks that a document's signing certificate is the CSID that
//! sends it, so a document signed by the old certificate must go out under the old CSID. One
//! still queued after the switch (platform unreachable, unit stopped) is counted in
//! [`RenewalOutcome::unsent_with_previous_certificate`] and in the event.

use super::{Engine, EventKind};
use crate::csr::CsrConfig;
use crate::error::{Error, Result};
use crate::onboarding::{Csid, EgsCredentials, Progress};
use crate::store::SubmissionStatus;
use serde::{Deserialize, Serialize};

/// What [`Engine::renew`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalOutcome {
    pub egs_id: String,
    /// The new certificate's end of validity (seconds since the Unix epoch).
    pub not_after: i64,
    /// The replaced certificate's end of validity.
    pub previous_not_after: i64,
    /// The new certificate's serial number (decimal), as documents carry it.
    pub certificate_serial: String,
    /// Compliance samples run again because the platform answered 428 `NOT_COMPLIANT` (0 when
    /// it renewed directly).
    pub compliance_samples: u64,
    /// Documents sent under the previous CSID just before the switch.
    pub sent_before_renewal: u64,
    /// Documents signed by the previous certificate still waiting to be sent (the platform was
    /// unreachable, or the unit was stopped): they will be sent under the new CSID.
    pub unsent_with_previous_certificate: u64,
}

impl Engine {
    /// Renews the unit's production CSID with `otp` (see the module docs), using the identity
    /// stored by [`Engine::set_onboarded`]. The engine must be connected to the unit's
    /// environment. Returns the new expiry; raises `certificate_renewed`.
    pub async fn renew(&self, egs_id: &str, otp: &str) -> Result<RenewalOutcome> {
        self.renew_with(egs_id, otp, None, &mut |_| {}).await
    }

    /// [`Engine::renew`] with the CSR values given by the caller (units stored without their
    /// identity, or a corrected one: it is stored with the new credentials) and progress
    /// reports.
    pub async fn renew_with(
        &self,
        egs_id: &str,
        otp: &str,
        identity: Option<&CsrConfig>,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<RenewalOutcome> {
        if otp.trim().is_empty() {
            return Err(Error::InvalidInput("renewal needs an OTP from the Fatoora portal".into()));
        }
        let client = self.client()?;
        let sealed = self.store.credentials(egs_id)?.ok_or_else(|| {
            Error::InvalidInput(format!("EGS unit '{egs_id}' has no stored credentials to renew"))
        })?;
        let unlocked = self.unlock(egs_id)?;
        if &unlocked.environment != client.environment() {
            return Err(Error::EnvironmentMismatch(format!(
                "EGS unit '{egs_id}' holds credentials of {} and must not be renewed through {}",
                unlocked.environment,
                client.environment()
            )));
        }
        let identity = match identity {
            Some(identity) => identity.clone(),
            None => self.identity(egs_id)?.ok_or_else(|| {
                Error::InvalidInput(format!(
                    "EGS unit '{egs_id}' was stored without its identity: give the CSR values it was onboarded with"
                ))
            })?,
        };
        identity.validate()?;

        let sent_before_renewal =
            if self.store.stopped(egs_id)?.is_none() { self.drain_egs(egs_id, None).await?.sent } else { 0 };

        let previous_certificate = unlocked.signer.certificate().clone();
        let production = Csid {
            binary_security_token: unlocked.credentials.binary_security_token().to_owned(),
            secret: unlocked.credentials.secret().to_owned(),
            request_id: None,
            not_after: sealed.not_after,
        };
        // What the renewal reads: the environment, the identity and the production CSID. The
        // engine keeps no compliance CSID or CSR (a 428 brings a new compliance CSID), and the
        // current key is not needed: these fields are placeholders that are never sent.
        let current = EgsCredentials {
            environment: unlocked.environment.clone(),
            identity,
            private_key: String::new(),
            csr: String::new(),
            compliance: Csid {
                binary_security_token: String::new(),
                secret: String::new(),
                ..production.clone()
            },
            production,
            certificate_expiry: sealed.not_after,
            issued_at: 0,
            samples: Vec::new(),
        };
        let key = crate::csr::generate_private_key()?;
        let renewed = crate::onboarding::renew_with_key(client, &current, otp, key, progress).await?;
        self.set_onboarded(egs_id, &renewed)?;

        let certificate = renewed.production.certificate()?;
        let unsent = self.unsent_signed_by(egs_id, previous_certificate.base64())?;
        let outcome = RenewalOutcome {
            egs_id: egs_id.to_owned(),
            not_after: renewed.certificate_expiry,
            previous_not_after: sealed.not_after,
            certificate_serial: certificate.serial_decimal().to_owned(),
            compliance_samples: renewed.samples.len() as u64,
            sent_before_renewal,
            unsent_with_previous_certificate: unsent,
        };
        let data = serde_json::json!({
            "not_after": outcome.not_after,
            "previous_not_after": outcome.previous_not_after,
            "certificate_serial": outcome.certificate_serial,
            "compliance_samples": outcome.compliance_samples,
            "unsent_with_previous_certificate": outcome.unsent_with_previous_certificate,
        });
        self.emit(EventKind::CertificateRenewed, egs_id, None, data, None)?;
        Ok(outcome)
    }

    /// Open documents of the unit whose stamp embeds `certificate_base64`.
    fn unsent_signed_by(&self, egs_id: &str, certificate_base64: &str) -> Result<u64> {
        let needle = format!("<ds:X509Certificate>{certificate_base64}</ds:X509Certificate>");
        let mut count = 0;
        for status in
            [SubmissionStatus::Pending, SubmissionStatus::Submitting, SubmissionStatus::RetryScheduled]
        {
            for document in self.store.documents_by_status(status, usize::MAX)? {
                if document.egs_id == egs_id
                    && document.xml.windows(needle.len()).any(|window| window == needle.as_bytes())
                {
                    count += 1;
                }
            }
        }
        Ok(count)
    }
}
