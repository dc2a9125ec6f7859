//! Issued + stamped + persisted documents per second on SQLite (a WAL file in a temporary
//! directory): one EGS unit, and 20 units issued round-robin from one thread and from two threads
//! sharing one engine. Each element is one document: next ICV/PIH reserved,
//! the model written and stamped (XAdES + QR), the document stored, in one transaction.
//!
//! Run: `cargo bench -p qayd --bench engine_store`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use qayd::engine::Engine;
use qayd::model::Invoice;
use qayd::store::SqliteStore;
use qayd::{Signer, StampOptions};
use std::path::Path;
use std::sync::Arc;

const BATCH: u64 = 200;

fn read(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)).unwrap()
}

fn invoice(template: &Invoice) -> Invoice {
    let mut invoice = template.clone();
    invoice.uuid = uuid::Uuid::new_v4();
    invoice
}

fn engine_store(c: &mut Criterion) {
    let signer = Arc::new(
        Signer::from_bytes(
            &read("tests/vectors/sdk-R3.4.8/Data/Certificates/cert.pem"),
            &read("tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem"),
        )
        .unwrap(),
    );
    let template = Arc::new(
        Invoice::from_json(
            &String::from_utf8(read("core/tests/fixtures/models/simplified_invoice.json")).unwrap(),
        )
        .unwrap(),
    );
    let options = StampOptions { signing_time: Some("2025-03-14T19:42:06".into()) };
    let dir = tempfile::tempdir().unwrap();

    let mut group = c.benchmark_group("issue+stamp+persist/sqlite");
    group.throughput(Throughput::Elements(BATCH));
    group.sample_size(10);

    // The baseline: the same documents written and stamped, not stored.
    group.bench_function("stamp only (no store)", |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                std::hint::black_box(invoice(&template).stamp(&signer, &options).unwrap());
            }
        })
    });

    let path = dir.path().join("one.sqlite");
    let engine = Engine::new(Arc::new(SqliteStore::open(&path).unwrap()));
    engine.register_egs("pos-1").unwrap();
    group.bench_function("1 EGS", |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                engine.issue("pos-1", &signer, &invoice(&template), &options).unwrap();
            }
        })
    });

    let path = dir.path().join("twenty.sqlite");
    let units: Vec<String> = (0..20).map(|i| format!("pos-{i:02}")).collect();
    // One engine (one store, one connection) shared by the threads, as in a server process.
    let engine = Engine::new(Arc::new(SqliteStore::open(&path).unwrap()));
    for unit in &units {
        engine.register_egs(unit).unwrap();
    }
    group.bench_function("20 EGS, 1 thread", |b| {
        b.iter(|| {
            for i in 0..BATCH as usize {
                engine.issue(&units[i % units.len()], &signer, &invoice(&template), &options).unwrap();
            }
        })
    });
    group.bench_function("20 EGS, 2 threads", |b| {
        b.iter(|| {
            std::thread::scope(|scope| {
                for t in 0..2 {
                    let (engine, signer, template, options, units) =
                        (&engine, &signer, &template, &options, &units);
                    scope.spawn(move || {
                        for i in 0..BATCH as usize / 2 {
                            let unit = &units[(i * 2 + t) % units.len()];
                            engine.issue(unit, signer, &invoice(template), options).unwrap();
                        }
                    });
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, engine_store);
criterion_main!(benches);
