//! Issued + stamped + persisted documents per second on SQLite (a WAL file in a temporary
//! directory) and, with the `postgres` feature and `QAYD_TEST_POSTGRES_URL` set, on PostgreSQL
//! (a fresh schema, dropped afterwards): one EGS unit, and 20 units issued round-robin from one
//! thread and from two threads sharing one engine. Each element is one document: next ICV/PIH
//! reserved, the model written and stamped (XAdES + QR), the document stored, in one transaction
//! (or, for `issue_many`, the batch of 200 in one transaction).
//!
//! Run: `cargo bench -p qayd --bench engine_store`; with PostgreSQL:
//! `eval "$(scripts/postgres.sh start)"; cargo bench -p qayd --features postgres --bench engine_store`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use qayd::engine::Engine;
use qayd::model::Invoice;
use qayd::store::{SqliteStore, Store};
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

    {
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
        let open = |name: &str| -> Arc<dyn Store> {
            Arc::new(SqliteStore::open(dir.path().join(format!("{name}.sqlite"))).unwrap())
        };
        bench_issue(&mut group, &open, &signer, &template, &options);
        group.finish();
    }

    #[cfg(feature = "postgres")]
    if let Ok(url) = std::env::var("QAYD_TEST_POSTGRES_URL") {
        let schemas = postgres_schemas::Schemas::new(&url);
        let mut group = c.benchmark_group("issue+stamp+persist/postgres");
        group.throughput(Throughput::Elements(BATCH));
        group.sample_size(10);
        let open = |name: &str| -> Arc<dyn Store> { qayd::store::open(&schemas.location(name)).unwrap() };
        bench_issue(&mut group, &open, &signer, &template, &options);
        group.finish();
    }
}

/// One EGS, and 20 EGS from one and from two threads, each on a fresh store from `open`.
fn bench_issue(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    open: &dyn Fn(&str) -> Arc<dyn Store>,
    signer: &Signer,
    template: &Invoice,
    options: &StampOptions,
) {
    let engine = Engine::new(open("one"));
    engine.register_egs("pos-1").unwrap();
    group.bench_function("1 EGS", |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                engine.issue("pos-1", signer, &invoice(template), options).unwrap();
            }
        })
    });

    // The same documents through `issue_many`: one transaction (one durable commit) per batch.
    let engine = Engine::new(open("batched"));
    engine.register_egs("pos-1").unwrap();
    group.bench_function("1 EGS, issue_many", |b| {
        b.iter(|| {
            let invoices: Vec<Invoice> = (0..BATCH).map(|_| invoice(template)).collect();
            for issued in engine.issue_many("pos-1", signer, &invoices, options).unwrap() {
                issued.unwrap();
            }
        })
    });

    let units: Vec<String> = (0..20).map(|i| format!("pos-{i:02}")).collect();
    // One engine (one store) shared by the threads, as in a server process.
    let engine = Engine::new(open("twenty"));
    for unit in &units {
        engine.register_egs(unit).unwrap();
    }
    group.bench_function("20 EGS, 1 thread", |b| {
        b.iter(|| {
            for i in 0..BATCH as usize {
                engine.issue(&units[i % units.len()], signer, &invoice(template), options).unwrap();
            }
        })
    });
    group.bench_function("20 EGS, 2 threads", |b| {
        b.iter(|| {
            std::thread::scope(|scope| {
                for t in 0..2 {
                    let (engine, units) = (&engine, &units);
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
}

/// Fresh schemas on the benchmark's server, dropped at the end.
#[cfg(feature = "postgres")]
mod postgres_schemas {
    use std::sync::Mutex;

    pub(crate) struct Schemas {
        url: String,
        created: Mutex<Vec<String>>,
    }

    /// Runs SQL on its own thread (the synchronous client is kept off any runtime).
    fn execute(url: &str, sql: String) {
        let url = url.to_owned();
        std::thread::spawn(move || {
            postgres::Client::connect(&url, postgres::NoTls).unwrap().batch_execute(&sql).unwrap()
        })
        .join()
        .unwrap();
    }

    impl Schemas {
        pub(crate) fn new(url: &str) -> Self {
            Schemas { url: url.to_owned(), created: Mutex::default() }
        }

        /// The location of a new schema `name` (unique to this run).
        pub(crate) fn location(&self, name: &str) -> String {
            let schema = format!("qayd_bench_{}_{name}", std::process::id());
            execute(&self.url, format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"));
            self.created.lock().unwrap().push(schema.clone());
            let separator = if self.url.contains('?') { '&' } else { '?' };
            format!("{}{separator}options=-c%20search_path%3D{schema}", self.url)
        }
    }

    impl Drop for Schemas {
        fn drop(&mut self) {
            for schema in self.created.lock().unwrap().drain(..) {
                execute(&self.url, format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

criterion_group!(benches, engine_store);
criterion_main!(benches);
