//! Rendering a stamped document as PDF/A-3b: a one-page invoice (the SDK's standard sample), and
//! invoices of 10, 40 and 160 lines to show the cost grows with the lines, not faster.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use qayd::pdf::{PdfOptions, render};
use std::hint::black_box;
use std::path::Path;

fn sample() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors/sdk-R3.4.8/Data/Samples/Standard/Invoice/Standard_Invoice.xml");
    std::fs::read(path).unwrap()
}

/// The sample with its one line repeated `n` times (the stamp no longer verifies, which the
/// renderer does not check: it prints what the document says).
fn with_lines(xml: &[u8], n: usize) -> Vec<u8> {
    let text = std::str::from_utf8(xml).unwrap();
    let start = text.find("<cac:InvoiceLine>").unwrap();
    let end = text.rfind("</cac:InvoiceLine>").unwrap() + "</cac:InvoiceLine>".len();
    let line = &text[start..end];
    format!("{}{}{}", &text[..start], line.repeat(n), &text[end..]).into_bytes()
}

fn bench(c: &mut Criterion) {
    let xml = sample();
    let options = PdfOptions::default();
    render(&xml, &options).unwrap();
    c.bench_function("pdf/one-page invoice", |b| b.iter(|| render(black_box(&xml), &options).unwrap()));
    let mut group = c.benchmark_group("pdf/lines");
    for n in [10, 40, 160] {
        let doc = with_lines(&xml, n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &doc, |b, doc| {
            b.iter(|| render(black_box(doc), &options).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
