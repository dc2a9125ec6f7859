//! What the benchmarks, the profiling examples and the schema differential test share: the
//! repository's files, and the fixture models grown to any number of lines (copies of their own
//! lines, awkward prices kept, every amount left to the model to compute).
// Each benchmark and example takes what it needs of this module.
#![allow(dead_code)]

use qayd::model::Invoice;
use std::path::Path;

/// A file of the repository, by its path from the repository root.
pub(crate) fn read(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)).unwrap()
}

/// `core/tests/fixtures/models/{fixture}.json` with `lines` lines.
pub(crate) fn grown(fixture: &str, lines: usize) -> Invoice {
    let json = String::from_utf8(read(&format!("core/tests/fixtures/models/{fixture}.json"))).unwrap();
    let mut invoice = Invoice::from_json(&json).unwrap();
    invoice.totals = None;
    let template = invoice.lines.clone();
    invoice.lines = (0..lines).map(|i| template[i % template.len()].clone()).collect();
    for line in &mut invoice.lines {
        line.net_amount = None;
        line.vat_amount = None;
        line.amount_with_vat = None;
    }
    invoice
}

/// A signer with the SDK's dummy test certificate and key.
pub(crate) fn signer() -> qayd::Signer {
    let certificates = "tests/vectors/sdk-R3.4.8/Data/Certificates";
    qayd::Signer::from_bytes(
        &read(&format!("{certificates}/cert.pem")),
        &read(&format!("{certificates}/ec-secp256k1-priv-key.pem")),
    )
    .unwrap()
}
