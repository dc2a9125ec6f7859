//! # Qayd — a ZATCA Phase 2 (Fatoora) e-invoicing engine
//!
//! The pure part: a typed invoice model, the UBL 2.1 writer in the official SDK's layout, the
//! invoice hash (C14N 1.1 + SHA-256), the XAdES stamp (ECDSA on secp256k1), the TLV QR code, and
//! verification. It does no I/O and needs no runtime.
//!
//! ```text
//! model ──► write ──► hash ──► stamp ──► QR ──► stamped document ──► verify
//! caller's UBL ─────► hash ──► stamp ─┘
//! ```

#[cfg(feature = "api")]
pub mod api;
pub mod base_url;
pub mod clock;
pub mod crypto;
pub mod csr;
#[cfg(all(feature = "api", feature = "store"))]
pub mod embed;
#[cfg(feature = "store")]
pub mod engine;
pub mod error;
pub mod model;
#[cfg(feature = "api")]
pub mod onboarding;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod qr;
pub mod secrets;
pub mod stamp;
#[cfg(feature = "store")]
pub mod store;
pub mod validate;
pub mod xml;

pub use crypto::{Certificate, PrivateKey, Signer};
pub use csr::{Csr, CsrConfig, Environment, build_csr, generate_private_key, parse_csr};
pub use error::{ERROR_CODES, Error, ErrorKind, Result};
pub use stamp::verify::{Check, VerificationReport, verify};
pub use stamp::{GENESIS_PIH, StampOptions, StampedInvoice, invoice_hash, qr_of_document, stamp};
pub use validate::{Finding, Severity, ValidationReport, validate};

/// Writes the unsigned UBL document for an invoice given in its JSON form (see
/// [`model::Invoice`]): the one call the bindings and the CLI need.
pub fn generate(invoice_json: &[u8]) -> Result<Vec<u8>> {
    let text = std::str::from_utf8(invoice_json)
        .map_err(|e| Error::InvalidInput(format!("invoice JSON is not UTF-8 ({e})")))?;
    model::Invoice::from_json(text)?.to_xml()
}

/// The engine's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
