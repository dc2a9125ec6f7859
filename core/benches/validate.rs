//! Validation speed. Run: `cargo bench -p qayd --bench validate`.
//! Target (issue 16): 50 µs for the SDK's simplified sample on one core.

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use support::read;

/// The simplified example model with `lines` lines, written by the model (unsigned).
fn generated(lines: usize) -> Vec<u8> {
    support::grown("simplified_invoice", lines).to_xml().unwrap()
}

fn validate(c: &mut Criterion) {
    let sample = read("tests/vectors/sdk-R3.4.8/Data/Samples/Simplified/Invoice/Simplified_Invoice.xml");
    let now = 1_700_000_000;
    c.bench_function("validate SDK simplified sample (signed, 2 lines)", |b| {
        b.iter(|| qayd::validate::validate_at(black_box(&sample), now).unwrap())
    });
    // For reference: parsing alone (with our safety limits), the floor of any validator.
    c.bench_function("parse only: SDK simplified sample", |b| {
        b.iter(|| qayd::__internal::xml::parse(black_box(&sample)).unwrap().len())
    });
    let five = generated(5);
    c.bench_function("validate generated simplified invoice (5 lines)", |b| {
        b.iter(|| qayd::validate::validate_at(black_box(&five), now).unwrap())
    });
    let hundred = generated(100);
    c.bench_function("parse only: generated simplified invoice (100 lines)", |b| {
        b.iter(|| qayd::__internal::xml::parse(black_box(&hundred)).unwrap().len())
    });
    c.bench_function("validate generated simplified invoice (100 lines)", |b| {
        b.iter(|| qayd::validate::validate_at(black_box(&hundred), now).unwrap())
    });
}

criterion_group!(benches, validate);
criterion_main!(benches);
