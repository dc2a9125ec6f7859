//! Readable invoices: any stamped document — ours or a foreign ERP's UBL — as a bilingual
//! (Arabic and English) PDF/A-3b page with its QR code, and with the signed XML itself embedded
//! as the PDF's source file, so the one file serves the buyer's eyes and the auditor's tools.
//!
//! ```text
//! stamped XML ──► facts (what the document says) ──► layout (ops per page) ──► render (krilla)
//! ```

mod facts;
mod labels;
mod layout;
mod render;
mod text;

use crate::error::Result;
use crate::stamp::hash::hash_document;
use crate::stamp::view::InvoiceView;
use base64::Engine;

/// What the caller adds to the page.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// A PNG shown at the top left (scaled to at most 150 × 48 pt).
    pub logo_png: Option<Vec<u8>>,
    /// A line or two at the foot of the document (bank details, a thank-you).
    pub footer: Option<String>,
}

/// Renders a stamped document as PDF/A-3b with the document's bytes embedded unchanged.
pub fn render(document: &[u8], options: &PdfOptions) -> Result<Vec<u8>> {
    let parsed = crate::xml::parse(document)?;
    let view = InvoiceView::new(&parsed)?;
    let facts = facts::read(&view)?;
    let invoice_hash = base64::engine::general_purpose::STANDARD.encode(hash_document(&parsed));
    let logo = options.logo_png.as_deref().map(render::logo).transpose()?;
    let pages =
        layout::compose(&facts, &invoice_hash, logo.as_ref().map(|l| l.size()), options.footer.as_deref());
    render::write(pages, &facts, logo, document)
}
