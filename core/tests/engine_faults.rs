//! Faults of the store itself (SQLite): a corrupted row is a clear `STORAGE` error for the unit it
//! belongs to — never a panic — while every other unit goes on; the damaged unit goes on issuing
//! from an intact chain head, and sends again once the row is repaired.

mod engine_support;

use engine_support::{engine_with, fast_config, gateway, simplified};
use qayd::secrets::MasterKey;
use qayd::store::{SqliteStore, Store, SubmissionStatus};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_row_stops_only_its_unit_with_a_storage_error() {
    let gateway = gateway().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qayd.db");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
    let engine =
        engine_with(&gateway, store, &MasterKey::generate().unwrap(), fast_config(), &["pos-a", "pos-b"])
            .await;
    let a = engine.issue_invoice("pos-a", &simplified()).unwrap();
    let b = engine.issue_invoice("pos-b", &simplified()).unwrap();

    // Someone (a bad migration, a disk error, a person with a shell) damages pos-a's row.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute("UPDATE documents SET status = 'bogus' WHERE egs_id = 'pos-a' AND icv = ?1", [a.icv as i64])
        .unwrap();
    drop(raw);

    let listed = engine.store().documents("pos-a").unwrap_err();
    assert_eq!(listed.code(), "STORAGE");
    assert!(listed.to_string().contains("bogus"), "the error names what is wrong: {listed}");

    let pass = engine.drain().await.unwrap();
    assert_eq!(pass.reported, 1, "the other unit is sent: {pass:?}");
    assert_eq!(pass.errors.len(), 1, "{pass:?}");
    assert_eq!((pass.errors[0].0.as_str(), pass.errors[0].1.code()), ("pos-a", "STORAGE"));
    let stored_b = engine.store().document("pos-b", b.icv).unwrap().unwrap();
    assert_eq!(stored_b.status, SubmissionStatus::Reported);

    // The damaged unit still issues from its intact chain head: no gap, no fork.
    let next = engine.issue_invoice("pos-a", &simplified()).unwrap();
    assert_eq!((next.icv, next.pih.as_str()), (a.icv + 1, a.invoice_hash.as_str()));

    // Repaired, the unit sends both documents in chain order.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "UPDATE documents SET status = 'pending' WHERE egs_id = 'pos-a' AND icv = ?1",
        [a.icv as i64],
    )
    .unwrap();
    drop(raw);
    let pass = engine.drain().await.unwrap();
    assert_eq!((pass.reported, pass.errors.len()), (2, 0), "{pass:?}");
    let acceptances = gateway.acceptances();
    assert_eq!((acceptances[&a.uuid], acceptances[&next.uuid], acceptances[&b.uuid]), (1, 1, 1));
}
