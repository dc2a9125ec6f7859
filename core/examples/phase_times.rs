//! Times each phase of issuing one invoice (JSON read, totals, writing, parsing, validation,
//! stamping), best of 10 batches: where the time of `stamp_invoice` goes, on a quiet machine.
//!
//! `phase_times [LINES] [N] [FIXTURE]` — the fixture model (default `standard_invoice`) grown to
//! LINES lines (default 500), N calls per batch (default 50). Run from the repository root:
//! `cargo run --release -p qayd --example phase_times -- 5 2000 simplified_invoice`.
#[path = "../benches/support/mod.rs"]
mod support;

use std::time::Instant;
fn main() {
    let lines: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(500);
    let n: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let fixture = std::env::args().nth(3).unwrap_or("standard_invoice".into());
    let invoice = support::grown(&fixture, lines);
    let json = invoice.to_json().unwrap();
    let read = |p: &str| std::fs::read(p).unwrap();
    let signer = support::signer();
    let options = qayd::StampOptions { signing_time: Some("2025-07-22T15:51:28".into()) };
    let xml = qayd::__internal::model::to_xml_unjudged(&invoice).unwrap();
    println!("xml {} bytes", xml.len());
    macro_rules! t {
        ($name:expr, $e:expr) => {{
            let mut best = f64::MAX;
            for _ in 0..10 {
                let s = Instant::now();
                for _ in 0..n {
                    std::hint::black_box($e);
                }
                best = best.min(s.elapsed().as_secs_f64() * 1e6 / n as f64);
            }
            println!("{:<28} {:>9.1} µs", $name, best);
        }};
    }
    t!("from_json", qayd::model::Invoice::from_json(&json).unwrap());
    t!("totals", invoice.totals().unwrap());
    t!("to_xml_unjudged", qayd::__internal::model::to_xml_unjudged(&invoice).unwrap());
    t!("parse", qayd::__internal::xml::parse(&xml).unwrap().descendants().count());
    t!("validate_at", qayd::validate::validate_at(&xml, 253_000_000_000).unwrap());
    let sdk = read("tests/vectors/sdk-R3.4.8/Data/Samples/Simplified/Invoice/Simplified_Invoice.xml");
    t!("validate SDK sample", qayd::validate::validate_at(&sdk, 253_000_000_000).unwrap());
    t!("stamp foreign xml", qayd::stamp(&xml, &signer, &options).unwrap());
    t!("hash foreign", qayd::invoice_hash(&xml).unwrap());
    t!("model stamp (judged)", invoice.stamp(&signer, &options).unwrap());
    t!(
        "stamp_invoice json",
        qayd::embed::stamp_invoice(&signer, &json, Some("2025-07-22T15:51:28")).unwrap()
    );
}
