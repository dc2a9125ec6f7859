//! Keys, EGS identities, CSRs and sample invoices (`qayd::embed`, first part).

use crate::{ByteArray, Result};
use qayd::embed;

/// An EGS unit's identity: the nine values of the SDK's `csr-config-*.properties` files, which
/// the CSR carries (the core's `CsrConfig`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Identity {
    /// `csr.common.name`: the EGS unit name or asset tracking number.
    pub common_name: String,
    /// `csr.serial.number`: `1-<solution>|2-<model>|3-<serial>`.
    pub serial_number: String,
    /// `csr.organization.identifier`: the VAT number (15 digits, first and last `3`).
    pub organization_identifier: String,
    /// `csr.organization.unit.name`: the branch (for a VAT group: the member's 10-digit TIN).
    pub organization_unit_name: String,
    /// `csr.organization.name`: the taxpayer's name.
    pub organization_name: String,
    /// `csr.country.name`: ISO 3166 alpha-2 (`SA`).
    pub country_name: String,
    /// `csr.invoice.type`: four 0/1 flags `TSCZ` (`1100` = standard and simplified).
    pub invoice_type: String,
    /// `csr.location.address`: the branch address.
    pub location_address: String,
    /// `csr.industry.business.category`.
    pub industry_business_category: String,
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

/// A CSR in both of its forms.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CsrOutput {
    /// `-----BEGIN CERTIFICATE REQUEST-----` text.
    pub pem: String,
    /// Base64 of the PEM text: the `csr` field of `POST /compliance`.
    pub base64: String,
}

/// A new secp256k1 private key, SEC1 PEM (what the SDK's `-csr` writes). It is a secret.
#[uniffi::export]
pub fn generate_private_key_pem() -> Result<String> {
    Ok(embed::generate_private_key_pem()?)
}

/// Reads an identity from the SDK's `.properties` text or from its JSON form (snake_case keys).
#[uniffi::export]
pub fn identity_from_text(text: String) -> Result<Identity> {
    Ok(embed::identity_from_text(&text)?.into())
}

/// The CSR of `identity` for `environment` (`developer-portal`, `simulation`, `core` or an
/// `http(s)://` base URL), signed with `privateKey` (PEM, DER or the SDK's bare base64).
#[uniffi::export]
pub fn build_csr(identity: Identity, private_key: ByteArray, environment: String) -> Result<CsrOutput> {
    let csr = embed::build_csr(&identity.into(), &private_key.0, &environment)?;
    Ok(CsrOutput { pem: csr.pem, base64: csr.base64 })
}

/// A sample document for `identity` (seller = its organisation and VAT number), issued now, in
/// the invoice model's JSON form: `kind` is `standard` or `simplified`, `documentType` is
/// `invoice`, `credit_note` or `debit_note` (or 388/381/383).
#[uniffi::export]
pub fn sample_invoice(identity: Identity, kind: String, document_type: String) -> Result<String> {
    Ok(embed::sample_invoice_json(&identity.into(), &kind, &document_type)?)
}

/// A new random master key (base64 of 32 bytes) for sealing credentials in an engine's store.
/// It is a secret: keep it outside the store (`QAYD_MASTER_KEY`, a secrets manager).
#[uniffi::export]
pub fn generate_master_key() -> Result<String> {
    Ok(embed::generate_master_key()?)
}
