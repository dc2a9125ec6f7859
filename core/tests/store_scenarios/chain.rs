//! The chain invariant on any store, under concurrency: contiguous ICVs, every PIH the hash of
//! the previous document, nothing lost or duplicated — with many threads on one store, a store
//! per thread (separate connections) and two processes on one database.

use crate::store_support::Db;
use qayd::engine::Engine;
use qayd::model::Invoice;
use qayd::store::{StoredDocument, SubmissionStatus};
use qayd::{GENESIS_PIH, Signer, StampOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

pub(crate) fn signer() -> Signer {
    Signer::from_bytes(
        &std::fs::read(repo("tests/vectors/sdk-R3.4.8/Data/Certificates/cert.pem")).unwrap(),
        &std::fs::read(repo("tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem")).unwrap(),
    )
    .unwrap()
}

pub(crate) fn invoice() -> Invoice {
    let json = std::fs::read_to_string(repo("core/tests/fixtures/models/simplified_invoice.json")).unwrap();
    let mut invoice = Invoice::from_json(&json).unwrap();
    invoice.uuid = uuid::Uuid::new_v4();
    invoice
}

pub(crate) fn options() -> StampOptions {
    StampOptions { signing_time: Some("2025-03-14T19:42:06".into()) }
}

/// Checks the whole chain of one unit: ICVs 1..=n, PIH links, stored hashes and signatures.
pub(crate) fn assert_chain(documents: &[StoredDocument], expected: usize) {
    assert_eq!(documents.len(), expected);
    let mut previous = GENESIS_PIH.to_owned();
    for (i, document) in documents.iter().enumerate() {
        assert_eq!(document.icv, i as u64 + 1, "ICVs are contiguous");
        assert_eq!(document.pih, previous, "ICV {} chains to its predecessor", document.icv);
        assert_eq!(qayd::invoice_hash(&document.xml).unwrap(), document.invoice_hash);
        let xml = String::from_utf8_lossy(&document.xml);
        assert!(xml.contains(&format!("<cbc:UUID>{}</cbc:UUID>", document.icv)), "ICV is in the XML");
        assert!(xml.contains(&previous), "PIH is in the XML");
        previous = document.invoice_hash.clone();
    }
    let mut uuids: Vec<_> = documents.iter().map(|d| d.uuid.clone()).collect();
    uuids.sort();
    uuids.dedup();
    assert_eq!(uuids.len(), expected, "no document stored twice");
}

pub(crate) fn sequential_issue_builds_a_valid_chain(db: &Db) {
    let engine = Engine::new(db.open());
    engine.register_egs("pos-1").unwrap();
    let signer = signer();
    for _ in 0..20 {
        let document = engine.issue("pos-1", &signer, &invoice(), &options()).unwrap();
        assert_eq!(document.status, SubmissionStatus::Pending);
        assert!(qayd::verify(&document.xml).unwrap().valid);
    }
    assert_chain(&engine.store().documents("pos-1").unwrap(), 20);
    assert_eq!(engine.store().chain_head("pos-1").unwrap().next_icv, 21);
}

pub(crate) fn a_failed_stamp_reserves_nothing(db: &Db) {
    let engine = Engine::new(db.open());
    engine.register_egs("pos-1").unwrap();
    let signer = signer();
    let first = engine.issue("pos-1", &signer, &invoice(), &options()).unwrap();
    let mut broken = invoice();
    broken.seller.vat_number = Some("123".into());
    assert_eq!(engine.issue("pos-1", &signer, &broken, &options()).unwrap_err().code(), "INVALID_MODEL");
    let duplicate = {
        let mut again = invoice();
        again.uuid = first.uuid.parse().unwrap();
        engine.issue("pos-1", &signer, &again, &options()).unwrap_err()
    };
    assert!(duplicate.to_string().contains("already issued"), "{duplicate}");
    let head = engine.store().chain_head("pos-1").unwrap();
    assert_eq!(head.next_icv, 2);
    assert_eq!(head.last_hash, first.invoice_hash);
    engine.issue("pos-1", &signer, &invoice(), &options()).unwrap();
    assert_chain(&engine.store().documents("pos-1").unwrap(), 2);
    assert_eq!(engine.issue("unknown", &signer, &invoice(), &options()).unwrap_err().code(), "INVALID_INPUT");
}

/// A batch gives the same documents, byte for byte, as issuing them one by one would (each
/// the invoice stamped with the next ICV and the previous document's hash), and the same chain.
pub(crate) fn a_batch_issues_what_one_by_one_would(db: &Db) {
    let signer = signer();
    let invoices: Vec<Invoice> = (0..12).map(|_| invoice()).collect();
    let engine = Engine::new(db.open());
    engine.register_egs("batch").unwrap();
    let issued = engine.issue_many("batch", &signer, &invoices, &options()).unwrap();
    assert_eq!(issued.len(), invoices.len());
    let mut pih = GENESIS_PIH.to_owned();
    for (i, (source, issued)) in invoices.iter().zip(&issued).enumerate() {
        let document = &issued.as_ref().unwrap().document;
        let mut alone = source.clone();
        alone.icv = i as u64 + 1;
        alone.pih = pih.clone();
        assert_eq!(document.xml, alone.stamp(&signer, &options()).unwrap().xml, "document {}", i + 1);
        pih = document.invoice_hash.clone();
    }
    assert_chain(&engine.store().documents("batch").unwrap(), 12);
    let head = engine.store().chain_head("batch").unwrap();
    assert_eq!((head.next_icv, head.last_hash), (13, pih));
    // A second batch goes on from the head the first one left.
    engine.issue_many("batch", &signer, &[invoice(), invoice()], &options()).unwrap();
    assert_chain(&engine.store().documents("batch").unwrap(), 14);
}

/// A refused invoice of a batch is its own entry's error and takes no ICV; a UUID issued twice
/// is refused without breaking the chain of the entries after it; an unknown unit fails the call.
pub(crate) fn a_batch_entry_refused_takes_no_icv(db: &Db) {
    let engine = Engine::new(db.open());
    engine.register_egs("pos-1").unwrap();
    let signer = signer();
    let mut broken = invoice();
    broken.seller.vat_number = Some("123".into());
    let batch = [invoice(), broken, invoice()];
    let issued = engine.issue_many("pos-1", &signer, &batch, &options()).unwrap();
    assert_eq!(issued[1].as_ref().unwrap_err().code(), "INVALID_MODEL");
    let icvs: Vec<u64> = [&issued[0], &issued[2]].iter().map(|i| i.as_ref().unwrap().document.icv).collect();
    assert_eq!(icvs, [1, 2]);
    assert_chain(&engine.store().documents("pos-1").unwrap(), 2);

    let first = invoice();
    let mut again = invoice();
    again.uuid = first.uuid;
    let issued = engine.issue_many("pos-1", &signer, &[first, again, invoice()], &options()).unwrap();
    let error = issued[1].as_ref().unwrap_err();
    assert!(error.to_string().contains("already issued"), "{error}");
    assert!(issued[0].is_ok() && issued[2].is_ok());
    assert_chain(&engine.store().documents("pos-1").unwrap(), 4);

    let error = engine.issue_many("unknown", &signer, &[invoice()], &options());
    let failed = match error {
        Err(e) => e.code().to_string(),
        Ok(entries) => entries[0].as_ref().unwrap_err().code().to_string(),
    };
    assert_eq!(failed, "INVALID_INPUT");
    assert_chain(&engine.store().documents("pos-1").unwrap(), 4);
}

/// Each thread opens its own store on the database, like separate workers would.
pub(crate) fn eight_threads_one_unit_no_fork_no_gap(db: &Db) {
    let signer = Arc::new(signer());
    db.open().register_egs("pos-1").unwrap();
    std::thread::scope(|scope| {
        for _ in 0..8 {
            let signer = signer.clone();
            scope.spawn(move || {
                let engine = Engine::new(db.open());
                for _ in 0..15 {
                    engine.issue("pos-1", &signer, &invoice(), &options()).unwrap();
                }
            });
        }
    });
    assert_chain(&db.open().documents("pos-1").unwrap(), 120);
}

pub(crate) fn eight_threads_share_one_engine_across_units(db: &Db) {
    let engine = Arc::new(Engine::new(db.open()));
    let signer = Arc::new(signer());
    for unit in ["a", "b"] {
        engine.register_egs(unit).unwrap();
    }
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let (engine, signer) = (engine.clone(), signer.clone());
            std::thread::spawn(move || {
                for _ in 0..10 {
                    engine
                        .issue(if i % 2 == 0 { "a" } else { "b" }, &signer, &invoice(), &options())
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_chain(&engine.store().documents("a").unwrap(), 40);
    assert_chain(&engine.store().documents("b").unwrap(), 40);
}

/// Where the worker process finds its store (`qayd::store::open`'s location).
pub(crate) const WORKER_STORE: &str = "QAYD_TEST_WORKER_STORE";

/// The body of the `worker_process` test that `two_processes_one_database` runs in children;
/// does nothing when the variable is not set.
pub(crate) fn worker_process() {
    let Ok(location) = std::env::var(WORKER_STORE) else { return };
    let engine = Engine::new(qayd::store::open(&location).unwrap());
    let signer = signer();
    for _ in 0..40 {
        engine.issue("pos-1", &signer, &invoice(), &options()).unwrap();
    }
}

/// Two processes (this test binary run again, its ignored `worker_process` test) issue for the
/// same unit on one database.
pub(crate) fn two_processes_one_database(db: &Db) {
    db.open().register_egs("pos-1").unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["worker_process", "--exact", "--ignored", "--test-threads=1"])
                .env(WORKER_STORE, db.location())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a worker process failed");
    }
    assert_chain(&db.open().documents("pos-1").unwrap(), 80);
}

pub(crate) fn issue_dates_follow_riyadh_time(db: &Db) {
    use qayd::clock::FixedClock;
    // 2025-03-14 22:30 UTC = 2025-03-15 01:30 in Riyadh: a document dated the 15th is not in the
    // future (a UTC-based check would say it is), one dated the 16th is.
    let clock = Arc::new(FixedClock::at(1_741_991_400));
    let engine = Engine::with_clock(db.open(), clock.clone());
    engine.register_egs("pos-1").unwrap();
    let mut today = invoice();
    today.set_issued_at(clock.0.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!((today.issue_date.as_str(), today.issue_time.as_str()), ("2025-03-15", "01:30:00"));
    engine.issue("pos-1", &signer(), &today, &options()).unwrap();
    let mut tomorrow = invoice();
    tomorrow.issue_date = "2025-03-16".into();
    let error = engine.issue("pos-1", &signer(), &tomorrow, &options()).unwrap_err();
    assert_eq!(error.rule(), Some("BR-KSA-04"));
    assert_eq!(engine.store().chain_head("pos-1").unwrap().next_icv, 2);
}
