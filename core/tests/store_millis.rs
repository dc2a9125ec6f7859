//! The outbox's times in milliseconds (issue #14: `Retry-After` to the millisecond, never
//! early) on SQLite: a retry due exactly `Retry-After` after the answer on a clock the test moves,
//! and stores written when due times and leases were whole seconds — one downgraded in place, one
//! built from scratch with the old schema's SQL — keeping every due time once opened.
//! `store_postgres.rs` runs the same scenarios on PostgreSQL.

mod engine_support;
mod store_scenarios;
mod store_support;

use qayd::store::{Lease, SubmissionStatus};
use store_scenarios::scenario_tests;

scenario_tests!(async timing::{retry_after_is_due_to_the_millisecond_on_a_manual_clock} on store_support::file);

scenario_tests!(sync timing::{a_store_written_in_seconds_keeps_its_due_times} on store_support::file);

/// The schema as the stores written before the change hold it (the first schema plus the
/// columns added since), with times in whole seconds and `user_version` 0.
const OLD_SCHEMA: &str = "
CREATE TABLE egs (id TEXT PRIMARY KEY, next_icv INTEGER NOT NULL, last_hash TEXT NOT NULL, stopped TEXT);
CREATE TABLE documents (
    egs_id TEXT NOT NULL REFERENCES egs(id), icv INTEGER NOT NULL, uuid TEXT NOT NULL UNIQUE,
    invoice_hash TEXT NOT NULL, pih TEXT NOT NULL, simplified INTEGER NOT NULL, xml BLOB NOT NULL,
    issued_at INTEGER NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER, last_error TEXT, lease_owner TEXT, lease_until INTEGER, messages TEXT,
    cleared_xml BLOB, finished_at INTEGER,
    PRIMARY KEY (egs_id, icv)
);
CREATE INDEX documents_by_status ON documents(status, next_attempt_at);
CREATE TABLE credentials (
    egs_id TEXT PRIMARY KEY REFERENCES egs(id), environment TEXT NOT NULL,
    binary_security_token TEXT NOT NULL, sealed_private_key BLOB NOT NULL, sealed_secret BLOB NOT NULL,
    not_after INTEGER NOT NULL, identity TEXT
);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL, egs_id TEXT NOT NULL,
    icv INTEGER, data TEXT NOT NULL, dedup_key TEXT UNIQUE
);
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, content TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
INSERT INTO egs (id, next_icv, last_hash) VALUES ('pos-1', 4, 'h3');
INSERT INTO documents (egs_id, icv, uuid, invoice_hash, pih, simplified, xml, issued_at, status, attempts,
    next_attempt_at, finished_at)
VALUES ('pos-1', 1, 'u1', 'h1', 'p0', 1, X'3c612f3e', 1899999000, 'reported', 1, NULL, 1899999001),
       ('pos-1', 2, 'u2', 'h2', 'h1', 1, X'3c612f3e', 1899999000, 'retry_scheduled', 2, 1900000123, NULL),
       ('pos-1', 3, 'u3', 'h3', 'h2', 1, X'3c612f3e', 1899999000, 'pending', 0, NULL, NULL);
";

#[test]
fn an_sqlite_store_built_with_the_old_schema_opens_with_its_due_times_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    rusqlite::Connection::open(&path).unwrap().execute_batch(OLD_SCHEMA).unwrap();
    let location = path.to_str().unwrap();

    // Opened as an existing store (it is one), twice: converted once.
    drop(qayd::store::open_existing(location).unwrap());
    let store = qayd::store::open_existing(location).unwrap();
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 1);
    let due_ms = 1_900_000_123_000;
    let waiting = store.document("pos-1", 2).unwrap().unwrap();
    assert_eq!(
        (waiting.status, waiting.next_attempt_at_ms),
        (SubmissionStatus::RetryScheduled, Some(due_ms))
    );
    assert_eq!(waiting.next_attempt_at, Some(1_900_000_123));
    let untouched = store.document("pos-1", 1).unwrap().unwrap();
    assert_eq!((untouched.issued_at, untouched.finished_at), (1_899_999_000, Some(1_899_999_001)));

    // Chain order: the retry holds the unit until its due millisecond, then goes first.
    let lease = Lease { owner: "w".into(), until_ms: due_ms + 10_000 };
    assert!(store.claim_next("pos-1", due_ms - 1, &lease).unwrap().is_none());
    assert_eq!(store.claim_next("pos-1", due_ms, &lease).unwrap().unwrap().icv, 2);
}

#[test]
fn a_store_from_a_newer_qayd_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.sqlite");
    let location = path.to_str().unwrap().to_owned();
    drop(qayd::store::open(&location).unwrap());
    rusqlite::Connection::open(&path).unwrap().execute_batch("PRAGMA user_version = 99").unwrap();
    let error = qayd::store::open(&location).err().expect("refused");
    assert_eq!(error.code(), "STORAGE");
    assert!(error.to_string().contains("newer qayd"), "{error}");
}
