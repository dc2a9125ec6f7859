//! The PostgreSQL store (`postgres` feature) against a real server (`QAYD_TEST_POSTGRES_URL`, see
//! `scripts/postgres.sh`; each test in a schema of its own): every scenario the SQLite store
//! passes (`store_scenarios/`), then what fleets add — one store shared by 8 threads, two stores
//! and two processes issuing for the same units, two engines draining one outbox against the
//! local gateway (each document accepted exactly once), recovery by another engine, the audit
//! chain and the event cursor under concurrent appends, and calls from inside tokio.

mod engine_support;
mod store_scenarios;
mod store_support;

use engine_support::*;
use qayd::engine::Engine;
use qayd::secrets::MasterKey;
use qayd::store::{Lease, PostgresStore, Store, SubmissionStatus};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use store_scenarios::chain::{assert_chain, invoice, options, signer};
use store_scenarios::scenario_tests;
use store_support::Db;

scenario_tests!(async outbox::{
    happy_path_b2c_reported_and_b2b_cleared,
    faults_are_retried_with_the_identical_bytes,
    a_timeout_after_acceptance_is_resolved_as_a_duplicate_exactly_once,
    a_rejected_document_stays_in_the_chain,
    attempts_exhausted_make_a_dead_letter,
    unauthorized_stops_the_unit_until_resumed,
    clear_returns_pending_when_zatca_is_down_and_the_engine_keeps_trying,
    issuing_never_waits_for_a_document_with_an_unknown_fate,
    a_cleared_document_that_is_not_ours_is_refused_and_a_413_is_not_resent,
    retry_after_is_never_early,
    a_due_retry_does_not_wait_for_another_units_request,
    a_dead_senders_lease_is_taken_over_in_seconds_and_a_live_ones_never,
} on store_support::postgres);

scenario_tests!(async state::{
    the_wrong_master_key_is_a_clear_secret_error_and_nothing_is_lost,
    the_audit_log_is_complete_redacted_and_tamper_evident,
    certificate_expiry_events_at_30_and_7_days_once_each,
    credentials_of_another_environment_are_never_sent,
} on store_support::postgres);

scenario_tests!(sync state::{b2c_deadline_events_on_a_fixed_clock, leases_and_recovery} on store_support::postgres);

scenario_tests!(async timing::{retry_after_is_due_to_the_millisecond_on_a_manual_clock} on store_support::postgres);

scenario_tests!(sync timing::{a_store_written_in_seconds_keeps_its_due_times} on store_support::postgres);

scenario_tests!(async renewal::{
    the_identity_is_kept_with_the_credentials_and_renewal_replaces_them,
} on store_support::postgres);

scenario_tests!(sync renewal::{credentials_written_by_the_previous_schema_upgrade_in_place} on store_support::postgres);

scenario_tests!(sync chain::{
    sequential_issue_builds_a_valid_chain,
    a_failed_stamp_reserves_nothing,
    a_batch_issues_what_one_by_one_would,
    a_batch_entry_refused_takes_no_icv,
    eight_threads_share_one_engine_across_units,
    issue_dates_follow_riyadh_time,
    eight_threads_one_unit_no_fork_no_gap,
    two_processes_one_database,
} on store_support::postgres);

/// Run by `two_processes_one_database` in child processes; does nothing when run directly.
#[test]
#[ignore = "a worker for two_processes_one_database, started in a child process"]
fn worker_process() {
    store_scenarios::chain::worker_process();
}

#[test]
fn open_creates_a_versioned_schema_once_even_when_raced() {
    let Some(db) = Db::postgres("open_creates_a_versioned_schema_once_even_when_raced") else { return };
    // Four processes' worth of first opens at once on an empty schema.
    let versions: Vec<i32> = std::thread::scope(|scope| {
        let opens: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| PostgresStore::open(db.location()).unwrap().schema_version().unwrap()))
            .collect();
        opens.into_iter().map(|open| open.join().unwrap()).collect()
    });
    assert_eq!(versions, [3, 3, 3, 3]);
    // Through the one dispatch callers use; the data is there for the next opener.
    let store = qayd::store::open(db.location()).unwrap();
    store.register_egs("pos-1").unwrap();
    assert_eq!(qayd::store::open(db.location()).unwrap().chain_head("pos-1").unwrap().next_icv, 1);
    // A database written by a newer build is refused, not misread.
    db.execute("UPDATE qayd_schema_version SET version = 99").unwrap();
    let error = PostgresStore::open(db.location()).unwrap_err();
    assert_eq!(error.code(), "STORAGE");
    assert!(error.to_string().contains("newer"), "{error}");
}

#[test]
fn open_existing_refuses_a_database_without_the_schema_and_leaves_it_untouched() {
    let Some(db) = Db::postgres("open_existing_refuses_a_database_without_the_schema") else { return };
    let Err(error) = qayd::store::open_existing(db.location()) else { panic!("an empty schema was taken") };
    assert_eq!(error.code(), "STORAGE");
    assert!(error.to_string().contains("not a Qayd store"), "{error}");
    // Nothing was created: a plain open still creates the schema from scratch (version 3).
    assert_eq!(PostgresStore::open(db.location()).unwrap().schema_version().unwrap(), 3);
    let store = qayd::store::open_existing(db.location()).unwrap();
    store.register_egs("pos-1").unwrap();
    assert_eq!(store.egs_ids().unwrap(), ["pos-1"]);
}

#[test]
fn bad_locations_are_typed_errors_without_the_password() {
    let Some(_) = store_support::postgres_server("bad_locations_are_typed_errors_without_the_password")
    else {
        return;
    };
    let Err(error) = qayd::store::open("postgres://u:pw@127.0.0.1:5432/db?nonsense=1") else { panic!() };
    assert_eq!(error.code(), "INVALID_INPUT", "{error}");
    // Port 9 (discard) is closed on loopback: refused at once.
    let Err(error) = qayd::store::open("postgresql://qayd:s3cr3t-pw@127.0.0.1:9/qayd") else { panic!() };
    assert_eq!(error.code(), "STORAGE");
    let text = error.to_string();
    assert!(!text.contains("s3cr3t-pw"), "{text}");
    // The reason and the place, not just "error connecting to server".
    assert!(text.contains("127.0.0.1:9/qayd as qayd") && text.to_lowercase().contains("refused"), "{text}");
    // A database that does not exist: the server's own words.
    let url = std::env::var("QAYD_TEST_POSTGRES_URL").unwrap();
    let (server, _) = url.rsplit_once('/').unwrap();
    let Err(error) = qayd::store::open(&format!("{server}/no_such_database_here")) else { panic!() };
    let text = error.to_string();
    assert!(text.contains("\"no_such_database_here\" does not exist") && text.contains("3D000"), "{text}");
}

#[test]
fn eight_threads_on_one_store_one_unit_no_fork_no_gap() {
    let Some(db) = Db::postgres("eight_threads_on_one_store_one_unit_no_fork_no_gap") else { return };
    let engine = Engine::new(db.open());
    engine.register_egs("pos-1").unwrap();
    let signer = signer();
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..15 {
                    engine.issue("pos-1", &signer, &invoice(), &options()).unwrap();
                }
            });
        }
    });
    assert_chain(&engine.store().documents("pos-1").unwrap(), 120);
    assert_eq!(engine.store().chain_head("pos-1").unwrap().next_icv, 121);
}

#[test]
fn two_stores_issue_for_the_same_units_at_once() {
    let Some(db) = Db::postgres("two_stores_issue_for_the_same_units_at_once") else { return };
    // Two "engines": separate stores, separate connections, 3 threads each, two shared units.
    let engines = [Engine::new(db.open()), Engine::new(db.open())];
    for unit in ["a", "b"] {
        engines[0].register_egs(unit).unwrap();
        engines[1].register_egs(unit).unwrap(); // idempotent from the other engine
    }
    let signer = signer();
    std::thread::scope(|scope| {
        for engine in &engines {
            for t in 0..3 {
                let signer = &signer;
                scope.spawn(move || {
                    for i in 0..10 {
                        let unit = if (i + t) % 2 == 0 { "a" } else { "b" };
                        engine.issue(unit, signer, &invoice(), &options()).unwrap();
                    }
                });
            }
        }
    });
    assert_chain(&engines[1].store().documents("a").unwrap(), 30);
    assert_chain(&engines[0].store().documents("b").unwrap(), 30);
}

/// Drains both engines at once until every document is final; what each sent.
async fn drain_both(engines: &[Engine; 2], total: usize) -> [u64; 2] {
    let started = Instant::now();
    let mut sent = [0; 2];
    loop {
        let (a, b) = tokio::join!(engines[0].drain(), engines[1].drain());
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a.errors.is_empty() && b.errors.is_empty(), "{a:?} {b:?}");
        sent[0] += a.sent;
        sent[1] += b.sent;
        let finals: u64 = engines[0]
            .store()
            .status_counts()
            .unwrap()
            .iter()
            .filter(|(status, _)| status.is_final())
            .map(|(_, count)| count)
            .sum();
        if finals as usize == total {
            return sent;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "only {finals} of {total} final");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_engines_drain_one_outbox_each_document_accepted_once() {
    let Some(db) = Db::postgres("two_engines_drain_one_outbox_each_document_accepted_once") else { return };
    let gateway = gateway().await;
    let key = MasterKey::generate().unwrap();
    let units = ["pos-1", "pos-2", "pos-3"];
    let first = engine_with(&gateway, db.open(), &key, fast_config(), &units).await;
    // The second engine finds the sealed credentials in the database.
    let second = engine_with(&gateway, db.open(), &key, fast_config(), &[]).await;
    let engines = [first, second];
    let mut issued = Vec::new();
    for i in 0..36 {
        let unit = units[i % units.len()];
        let engine = &engines[i % 2];
        let invoice = if i % 4 == 0 { standard() } else { simplified() };
        issued.push(engine.issue_invoice(unit, &invoice).unwrap());
    }
    let sent = drain_both(&engines, issued.len()).await;
    assert_eq!(sent[0] + sent[1], issued.len() as u64, "no document sent twice: {sent:?}");
    let acceptances = gateway.acceptances();
    for document in &issued {
        assert_eq!(acceptances.get(&document.uuid), Some(&1), "ICV {} of {}", document.icv, document.egs_id);
        assert_eq!(bodies_for(&gateway, &document.uuid).len(), 1);
        let stored = engines[1].store().document(&document.egs_id, document.icv).unwrap().unwrap();
        let expected =
            if document.simplified { SubmissionStatus::Reported } else { SubmissionStatus::Cleared };
        assert_eq!((stored.status, stored.attempts), (expected, 1));
    }
    // Both engines appended every exchange to one audit chain.
    let verification = engines[0].verify_audit().unwrap();
    assert!(verification.is_intact(), "{verification:?}");
    assert!(verification.rows >= issued.len() as u64, "{verification:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_left_submitting_by_a_dead_engine_is_sent_once_after_recovery() {
    let Some(db) = Db::postgres("a_document_left_submitting_by_a_dead_engine_is_sent_once_after_recovery")
    else {
        return;
    };
    let gateway = gateway().await;
    let key = MasterKey::generate().unwrap();
    let engine = engine_with(&gateway, db.open(), &key, fast_config(), &["pos-1"]).await;
    let documents: Vec<_> = (0..3).map(|_| engine.issue_invoice("pos-1", &simplified()).unwrap()).collect();
    {
        // An engine claims the head (a 2 s lease, never renewed), then its process dies.
        let dead = db.open();
        let now_ms = engine.now() * 1000;
        let lease = Lease { owner: "dead".into(), until_ms: now_ms + 2_000 };
        assert_eq!(dead.claim_next("pos-1", now_ms, &lease).unwrap().unwrap().icv, 1);
    }
    assert_eq!(engine.drain().await.unwrap().sent, 0, "the lease holds the chain");
    let restarted = engine_with(&gateway, db.open(), &key, fast_config(), &[]).await;
    // Until the lease runs out its holder may be alive: recovery leaves it alone.
    assert_eq!(restarted.recover().unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    assert_eq!(restarted.recover().unwrap(), 1);
    let recovered = restarted.store().document("pos-1", 1).unwrap().unwrap();
    assert_eq!(recovered.status, SubmissionStatus::RetryScheduled);
    // Due at the millisecond of recovery (the seconds field is that instant rounded up).
    let now_ms =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let due_ms = recovered.next_attempt_at_ms.expect("a due time");
    assert!(due_ms <= now_ms && due_ms > now_ms - 3_000, "due now: {due_ms} at {now_ms}");
    assert_eq!(recovered.next_attempt_at, Some((due_ms + 999).div_euclid(1000)));
    let summary = restarted.drain().await.unwrap();
    assert_eq!((summary.sent, summary.reported), (3, 3), "{summary:?}");
    for document in &documents {
        assert_eq!(gateway.acceptances()[&document.uuid], 1);
    }
}

#[test]
fn audit_appends_from_two_stores_form_one_chain() {
    let Some(db) = Db::postgres("audit_appends_from_two_stores_form_one_chain") else { return };
    let stores = [db.open(), db.open()];
    std::thread::scope(|scope| {
        for (s, store) in stores.iter().enumerate() {
            for t in 0..3 {
                scope.spawn(move || {
                    for i in 0..40 {
                        store.append_audit(&format!("{{\"store\":{s},\"thread\":{t},\"i\":{i}}}")).unwrap();
                    }
                });
            }
        }
    });
    let verification = Engine::new(db.open()).verify_audit().unwrap();
    assert!(verification.is_intact(), "{verification:?}");
    assert_eq!(verification.rows, 240);
}

#[test]
fn the_event_cursor_never_skips_an_event_appended_concurrently() {
    let Some(db) = Db::postgres("the_event_cursor_never_skips_an_event_appended_concurrently") else {
        return;
    };
    let stores = [db.open(), db.open()];
    let reader = db.open();
    let done = std::sync::atomic::AtomicBool::new(false);
    let seen = std::thread::scope(|scope| {
        for (s, store) in stores.iter().enumerate() {
            for t in 0..2 {
                scope.spawn(move || {
                    for i in 0..50 {
                        let data = format!("{{\"s\":{s},\"t\":{t},\"i\":{i}}}");
                        store.push_event(i, "deadline_at_risk", "pos-1", None, &data, None).unwrap();
                    }
                });
            }
        }
        // A consumer polls with its cursor while they append.
        let consumer = scope.spawn(|| {
            let mut cursor = 0;
            let mut seen: HashMap<String, usize> = HashMap::new();
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                for event in reader.events_since(cursor, 7).unwrap() {
                    cursor = event.seq;
                    *seen.entry(event.data).or_default() += 1;
                }
                if finished && reader.events_since(cursor, 1).unwrap().is_empty() {
                    return seen;
                }
            }
        });
        let started = Instant::now();
        while stores[0].events_since(0, 1000).unwrap().len() < 200 {
            assert!(started.elapsed() < Duration::from_secs(60), "appenders stalled");
            std::thread::sleep(Duration::from_millis(5));
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        consumer.join().unwrap()
    });
    assert_eq!(seen.len(), 200, "every event seen");
    assert!(seen.values().all(|&n| n == 1), "each once");
    // A de-duplication key wins once, whichever store raises it.
    let raised: Vec<_> = std::thread::scope(|scope| {
        let raises: Vec<_> = stores
            .iter()
            .map(|store| {
                scope.spawn(move || store.push_event(1, "dead_letter", "pos-1", Some(1), "{}", Some("k")))
            })
            .collect();
        raises.into_iter().map(|r| r.join().unwrap().unwrap()).collect()
    });
    assert_eq!(raised.iter().filter(|r| r.is_some()).count(), 1, "{raised:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn the_store_works_from_inside_a_single_threaded_runtime() {
    let Some(db) = Db::postgres("the_store_works_from_inside_a_single_threaded_runtime") else { return };
    // Opening, issuing (its transaction spans the stamping on this thread) and dropping, all
    // inside the runtime: the driver runs on the store's own threads.
    let store: Arc<dyn Store> = qayd::store::open(db.location()).unwrap();
    let engine = Engine::new(store);
    engine.register_egs("pos-1").unwrap();
    let signer = signer();
    for _ in 0..3 {
        engine.issue("pos-1", &signer, &invoice(), &options()).unwrap();
        tokio::task::yield_now().await;
    }
    assert_chain(&engine.store().documents("pos-1").unwrap(), 3);
    drop(engine);
}
