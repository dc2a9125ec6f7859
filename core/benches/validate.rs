//! Validation speed. Run: `cargo bench -p qayd --bench validate`.
//! Target (issue 6): under 200 µs for the simplified sample on one core.

use criterion::{Criterion, criterion_group, criterion_main};
use qayd::model::Invoice;
use std::hint::black_box;
use std::path::Path;

fn read(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)).unwrap()
}

/// The simplified example model with `lines` lines, written by the model (unsigned).
fn generated(lines: usize) -> Vec<u8> {
    let json = String::from_utf8(read("core/tests/fixtures/models/simplified_invoice.json")).unwrap();
    let mut invoice = Invoice::from_json(&json).unwrap();
    invoice.totals = None;
    let template = invoice.lines.clone();
    invoice.lines = (0..lines).map(|i| template[i % template.len()].clone()).collect();
    for line in &mut invoice.lines {
        line.net_amount = None;
        line.vat_amount = None;
        line.amount_with_vat = None;
    }
    invoice.to_xml().unwrap()
}

fn validate(c: &mut Criterion) {
    let sample = read("tests/vectors/sdk-R3.4.8/Data/Samples/Simplified/Invoice/Simplified_Invoice.xml");
    let now = 1_700_000_000;
    c.bench_function("validate SDK simplified sample (signed, 2 lines)", |b| {
        b.iter(|| qayd::validate::validate_at(black_box(&sample), now).unwrap())
    });
    // For reference: parsing alone (roxmltree with our safety limits), the floor of any validator.
    c.bench_function("parse only: SDK simplified sample", |b| {
        b.iter(|| qayd::xml::parse(black_box(&sample)).unwrap().len())
    });
    let five = generated(5);
    c.bench_function("validate generated simplified invoice (5 lines)", |b| {
        b.iter(|| qayd::validate::validate_at(black_box(&five), now).unwrap())
    });
    let hundred = generated(100);
    c.bench_function("parse only: generated simplified invoice (100 lines)", |b| {
        b.iter(|| qayd::xml::parse(black_box(&hundred)).unwrap().len())
    });
    c.bench_function("validate generated simplified invoice (100 lines)", |b| {
        b.iter(|| qayd::validate::validate_at(black_box(&hundred), now).unwrap())
    });
}

criterion_group!(benches, validate);
criterion_main!(benches);
