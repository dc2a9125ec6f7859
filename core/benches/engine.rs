//! Criterion benchmarks of the hot path. Run: `cargo bench -p qayd --bench engine`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

fn vectors(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests").join(path)).unwrap()
}

fn engine(c: &mut Criterion) {
    let signed = vectors("vectors/sdk-R3.4.8/Data/Samples/Simplified/Invoice/Simplified_Invoice.xml");
    let unsigned = vectors("conformance/inputs/simplified-invoice.unsigned.xml");
    let signer = qayd::Signer::from_bytes(
        &vectors("vectors/sdk-R3.4.8/Data/Certificates/cert.pem"),
        &vectors("vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem"),
    )
    .unwrap();
    let options = qayd::StampOptions { signing_time: Some("2025-07-22T15:51:28".into()) };

    c.bench_function("hash/sdk-simplified", |b| b.iter(|| qayd::invoice_hash(black_box(&signed)).unwrap()));
    c.bench_function("stamp/sdk-simplified", |b| {
        b.iter(|| qayd::stamp(black_box(&unsigned), &signer, &options).unwrap())
    });
    c.bench_function("verify/sdk-simplified", |b| b.iter(|| qayd::verify(black_box(&signed)).unwrap()));
    c.bench_function("qr-decode/sdk-simplified", |b| {
        let qr = qayd::qr_of_document(&signed).unwrap().unwrap();
        b.iter(|| qayd::qr::decode(black_box(&qr)).unwrap())
    });
}

criterion_group!(benches, engine);
criterion_main!(benches);
