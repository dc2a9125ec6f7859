//! Any bytes through the PDF renderer: a typed error or a PDF, never a panic (layout, bidi and
//! shaping of whatever text a foreign document carries included).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(pdf) = qayd::pdf::render(data, &qayd::pdf::PdfOptions::default()) {
        assert!(pdf.starts_with(b"%PDF-1.7"));
        assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
    }
});
