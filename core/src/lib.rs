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
//!
//! ## The API
//!
//! The items re-exported here (generate, [`stamp()`], [`verify()`], [`validate()`], keys and
//! CSRs, [`Error`]) and the public modules: [`model`] (the typed invoice),
//! [`validate`](mod@validate) (the rule book), [`qr`], [`csr`], [`clock`], [`secrets`] (the
//! master key), and with features `api`/`store`/`pdf`: `api` (the Fatoora client),
//! `onboarding`, `store`, `engine` (the durable engine), `embed` (the one surface the bindings
//! wrap) and `pdf`. Everything else is implementation and private. Public enums that may grow
//! (statuses, kinds, outcomes, severities, environments, [`Error`]) are `#[non_exhaustive]`, so a
//! new variant is not a breaking change. `__internal` is not API.

// The public modules are the API; the private ones are implementation, and what of them is API is
// re-exported below (`Signer`, `stamp`, `verify`, `Error`, …). `__internal` (at the end) is not
// API. `core/tests/public_api.rs` holds this list to an allow-list.
#[cfg(feature = "api")]
pub mod api;
mod base_url;
pub mod clock;
mod crypto;
pub mod csr;
#[cfg(all(feature = "api", feature = "store"))]
pub mod embed;
#[cfg(feature = "store")]
pub mod engine;
mod error;
pub mod model;
#[cfg(feature = "api")]
pub mod onboarding;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod qr;
pub mod secrets;
mod stamp;
#[cfg(feature = "store")]
pub mod store;
pub mod validate;
mod xml;

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

/// **Not API.** The XML parser and C14N engine, the stamp's parts and the model writer's internals,
/// for this repository's own differential tests, benchmarks, examples, fuzz targets and the local
/// gateway (`qayd-gateway`). No stability: anything here may change or vanish in any release,
/// and it is hidden from the documentation. The one way internals leave the crate.
#[doc(hidden)]
pub mod __internal {
    /// The XML parser (a tree over the input's bytes), C14N 1.1 and the namespaces.
    pub mod xml {
        pub use crate::xml::*;
    }

    /// The stamp's parts: the canonical bytes and hash of a parsed document, the document view.
    pub mod stamp {
        pub use crate::stamp::hash::{canonical_bytes, hash_document};
        pub use crate::stamp::view::InvoiceView;
        pub use crate::stamp::{pih_is_well_formed, riyadh_now};
    }

    /// The model writer's internals.
    pub mod model {
        use crate::model::Invoice;

        /// Whether the tree the writer records for `invoice` is the tree the parser builds from
        /// the written document (`Err` names the first difference).
        pub fn recorded_tree_matches_parse(invoice: &Invoice) -> crate::Result<Result<(), String>> {
            crate::model::recorded_tree_matches_parse(invoice)
        }

        /// The document as written, without the rules' verdict (to compare verdicts with ZATCA's
        /// own validator).
        pub fn to_xml_unjudged(invoice: &Invoice) -> crate::Result<Vec<u8>> {
            crate::model::to_xml_unjudged(invoice)
        }
    }
}

/// The `ALL` lists of the non-exhaustive enums the bindings mirror (the bindings cannot match
/// them exhaustively, so they check their own lists against `ALL`): each match below is
/// exhaustive inside the crate, so a new variant fails to compile here, and the assertion fails
/// until `ALL` names it too.
#[cfg(test)]
mod all_variants {
    fn assert_listed<T: Copy>(all: &[T], position: impl Fn(T) -> usize, variants: usize) {
        let positions: Vec<usize> = all.iter().map(|v| position(*v)).collect();
        assert_eq!(
            positions,
            (0..variants).collect::<Vec<_>>(),
            "ALL must list every variant once, in order"
        );
    }

    #[test]
    fn severities() {
        use crate::Severity as S;
        assert_listed(
            &S::ALL,
            |v| match v {
                S::Error => 0,
                S::Warning => 1,
            },
            2,
        );
    }

    #[test]
    fn error_kinds() {
        use crate::ErrorKind as K;
        assert_listed(
            &K::ALL,
            |v| match v {
                K::Input => 0,
                K::Api => 1,
                K::Storage => 2,
                K::Secret => 3,
            },
            4,
        );
    }

    #[cfg(feature = "store")]
    #[test]
    fn submission_statuses() {
        use crate::store::SubmissionStatus as S;
        assert_listed(
            &S::ALL,
            |v| match v {
                S::Pending => 0,
                S::Submitting => 1,
                S::Cleared => 2,
                S::Reported => 3,
                S::AcceptedWithWarnings => 4,
                S::Rejected => 5,
                S::RetryScheduled => 6,
                S::Dead => 7,
            },
            8,
        );
    }

    #[cfg(feature = "store")]
    #[test]
    fn event_kinds() {
        use crate::engine::EventKind as K;
        assert_listed(
            &K::ALL,
            |v| match v {
                K::DeadlineAtRisk => 0,
                K::DeadlineMissed => 1,
                K::ClearanceDelayed => 2,
                K::CertificateExpiring => 3,
                K::CertificateRenewed => 4,
                K::DocumentReported => 5,
                K::DocumentCleared => 6,
                K::DocumentAcceptedWithWarnings => 7,
                K::DocumentRejected => 8,
                K::DeadLetter => 9,
                K::Unauthorized => 10,
            },
            11,
        );
    }

    #[cfg(all(feature = "api", feature = "store"))]
    #[test]
    fn api_outcomes() {
        use crate::embed::ApiOutcome as O;
        assert_listed(
            &O::ALL,
            |v| match v {
                O::Accepted => 0,
                O::AcceptedWithWarnings => 1,
                O::Rejected => 2,
                O::Duplicate => 3,
                O::Retryable => 4,
                O::Unauthorized => 5,
                O::ComplianceRequired => 6,
            },
            7,
        );
    }

    #[cfg(all(feature = "api", feature = "store"))]
    #[test]
    fn clear_outcomes() {
        use crate::embed::ClearOutcome as O;
        assert_listed(
            &O::ALL,
            |v| match v {
                O::Cleared => 0,
                O::ClearedWithWarnings => 1,
                O::Pending => 2,
                O::Rejected => 3,
                O::Dead => 4,
            },
            5,
        );
    }
}
