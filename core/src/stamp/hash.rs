//! The invoice hash (SPEC §a): C14N 1.1 of the invoice without its three stamp-owned elements,
//! SHA-256, base64 of the 32 raw bytes. The same value is the `ds:DigestValue`, the API's
//! `invoiceHash`, QR tag 6 and the next document's PIH.

use super::view::is_stamp_owned;
use crate::error::Result;
use crate::xml::Document;
use crate::xml::{self, c14n};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};

/// The PIH of the first document of every EGS unit: base64 of the hex text of SHA-256("0").
pub const GENESIS_PIH: &str =
    "NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ==";

/// The canonical bytes the invoice hash is taken over.
pub fn canonical_bytes(document: &Document<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(document.input_text().len());
    c14n::canonicalize(document.root(), c14n::Mode::Inclusive, &is_stamp_owned, &mut out);
    out
}

/// SHA-256 of the canonical bytes.
pub fn hash_document(document: &Document<'_>) -> [u8; 32] {
    Sha256::digest(canonical_bytes(document)).into()
}

/// The invoice hash of an XML document, base64.
pub fn invoice_hash(xml: &[u8]) -> Result<String> {
    let document = xml::parse(xml)?;
    super::view::InvoiceView::new(&document)?;
    Ok(B64.encode(hash_document(&document)))
}
