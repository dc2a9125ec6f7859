//! Criterion benchmarks of the hot path. Run: `cargo bench -p qayd --bench engine`.

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use support::{grown as invoice, read};

fn engine(c: &mut Criterion) {
    let signed = read("tests/vectors/sdk-R3.4.8/Data/Samples/Simplified/Invoice/Simplified_Invoice.xml");
    let unsigned = read("tests/conformance/inputs/simplified-invoice.unsigned.xml");
    let signer = support::signer();
    let options = qayd::StampOptions { signing_time: Some("2025-07-22T15:51:28".into()) };

    c.bench_function("hash/sdk-simplified", |b| b.iter(|| qayd::invoice_hash(black_box(&signed)).unwrap()));
    c.bench_function("stamp/sdk-simplified", |b| {
        b.iter(|| qayd::stamp(black_box(&unsigned), &signer, &options).unwrap())
    });
    c.bench_function("verify/sdk-simplified", |b| b.iter(|| qayd::verify(black_box(&signed)).unwrap()));

    // The shared 5-line invoice every binding's benchmark stamps (tests/bench/): the bindings'
    // overhead is their time over this one.
    let five_xml = read("tests/bench/simplified-5-lines.xml");
    c.bench_function("stamp/bench-5-lines-xml", |b| {
        b.iter(|| qayd::stamp(black_box(&five_xml), &signer, &options).unwrap())
    });

    let small = invoice("simplified_invoice", 5);
    c.bench_function("generate+stamp+qr/simplified-5-lines", |b| {
        b.iter(|| black_box(&small).stamp(&signer, &options).unwrap())
    });
    let large = invoice("standard_invoice", 500);
    // The same 500 lines as a foreign document (issue #16's target: ≤ 2 ms).
    let large_xml = large.to_xml().unwrap();
    c.bench_function("stamp/standard-500-lines-xml", |b| {
        b.iter(|| qayd::stamp(black_box(&large_xml), &signer, &options).unwrap())
    });
    c.bench_function("generate+stamp+qr/standard-500-lines", |b| {
        b.iter(|| black_box(&large).stamp(&signer, &options).unwrap())
    });

    // What a binding's `stamp_invoice` does: from the model's JSON text (the bindings' baseline:
    // their overhead is their time over these).
    let time = Some("2025-07-22T15:51:28");
    let five_json = String::from_utf8(read("tests/bench/simplified-5-lines.json")).unwrap();
    c.bench_function("stamp_invoice/bench-5-lines-json", |b| {
        b.iter(|| qayd::embed::stamp_invoice(&signer, black_box(&five_json), time).unwrap())
    });
    let large_json = large.to_json().unwrap();
    c.bench_function("stamp_invoice/standard-500-lines-json", |b| {
        b.iter(|| qayd::embed::stamp_invoice(&signer, black_box(&large_json), time).unwrap())
    });
}

criterion_group!(benches, engine);
criterion_main!(benches);
