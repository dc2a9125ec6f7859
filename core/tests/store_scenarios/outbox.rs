//! The durable outbox against the local gateway on 127.0.0.1, on any store: happy paths (B2C
//! reported, B2B cleared), faults retried with the identical bytes, a timeout after acceptance
//! resolved as a duplicate, rejection kept in the chain, dead letters, unauthorised units, the
//! background runner and its shutdown.

use super::engine_on;
use crate::engine_support::*;
use crate::store_support::Db;
use qayd::engine::ClearOutcome;
use qayd::engine::shutdown_signal;
use qayd::engine::{EventKind, RetryPolicy};
use qayd::store::SubmissionStatus;
use qayd_gateway::Fault;
use std::time::{Duration, Instant};

const REPORTING: &str = "/invoices/reporting/single";
const CLEARANCE: &str = "/invoices/clearance/single";

/// Drains until the document is final (or panics after `limit`).
pub(crate) async fn drain_until_final(
    engine: &qayd::engine::Engine,
    unit: &str,
    icv: u64,
    limit: Duration,
) -> SubmissionStatus {
    let started = Instant::now();
    loop {
        engine.drain().await.unwrap();
        let document = engine.store().document(unit, icv).unwrap().unwrap();
        if document.status.is_final() {
            return document.status;
        }
        assert!(started.elapsed() < limit, "document {unit}/{icv} still {:?}", document.status);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub(crate) async fn happy_path_b2c_reported_and_b2b_cleared(db: &Db) {
    let gateway = gateway().await;
    let engine = engine_on(db, &gateway, &["pos-1"]).await;
    let mut issued = Vec::new();
    for _ in 0..3 {
        issued.push(engine.issue_invoice("pos-1", &simplified()).unwrap());
    }
    assert!(issued.iter().all(|d| d.status == SubmissionStatus::Pending));
    // clear() sends the unit's earlier documents first (chain order), then the B2B one.
    let outcome = engine.clear("pos-1", &standard()).await.unwrap();
    let ClearOutcome::Cleared { document, cleared_xml, with_warnings } = outcome else {
        panic!("not cleared: {outcome:?}")
    };
    assert!(!with_warnings);
    assert_eq!(document.status, SubmissionStatus::Cleared);
    assert_eq!(document.icv, 4);
    // The platform returns the document with its own stamp: same UUID and invoice hash, other bytes.
    assert_ne!(cleared_xml, document.xml, "the cleared document carries the platform's stamp");
    assert_eq!(qayd::invoice_hash(&cleared_xml).unwrap(), document.invoice_hash);
    assert!(String::from_utf8_lossy(&cleared_xml).contains(&document.uuid));
    assert_eq!(document.pih, issued[2].invoice_hash);
    for d in &issued {
        let stored = engine.store().document("pos-1", d.icv).unwrap().unwrap();
        assert_eq!(stored.status, SubmissionStatus::Reported);
        assert_eq!(stored.attempts, 1);
        assert!(stored.messages.as_deref().unwrap().contains("PASS"), "{:?}", stored.messages);
    }
    let summary = engine.drain().await.unwrap();
    assert_eq!(summary.sent, 0, "nothing left to send");
    let acceptances = gateway.acceptances();
    assert_eq!(acceptances.len(), 4);
    assert!(acceptances.values().all(|&n| n == 1));
    let requests = gateway.received();
    let clearance = requests.iter().find(|r| r.path.ends_with(CLEARANCE)).unwrap();
    assert_eq!(clearance.header("clearance-status"), Some("1"));
    let reporting = requests.iter().find(|r| r.path.ends_with(REPORTING)).unwrap();
    assert_eq!(reporting.header("clearance-status"), Some("0"));
    let counts = engine.store().status_counts().unwrap();
    assert!(
        counts.contains(&(SubmissionStatus::Reported, 3)) && counts.contains(&(SubmissionStatus::Cleared, 1))
    );
    assert_eq!(engine.store().documents_by_status(SubmissionStatus::Reported, 10).unwrap().len(), 3);
}

pub(crate) async fn faults_are_retried_with_the_identical_bytes(db: &Db) {
    let gateway = gateway().await;
    let engine = engine_on(db, &gateway, &["pos-1"]).await;
    let document = engine.issue_invoice("pos-1", &simplified()).unwrap();
    let path = Some(REPORTING.to_owned());
    for fault in [
        Fault { status: Some(503), ..Default::default() },
        Fault { status: Some(504), ..Default::default() },
        Fault { status: Some(429), retry_after: Some(2), ..Default::default() },
        Fault { drop_connection: true, ..Default::default() },
        Fault { delay_ms: Some(1_000), status: Some(500), ..Default::default() },
        // Slower than the client's 3 s timeout.
        Fault { delay_ms: Some(4_000), ..Default::default() },
    ] {
        gateway.inject(Fault { path: path.clone(), ..fault });
    }
    let started = Instant::now();
    let status = drain_until_final(&engine, "pos-1", document.icv, Duration::from_secs(90)).await;
    assert_eq!(status, SubmissionStatus::Reported);
    let stored = engine.store().document("pos-1", document.icv).unwrap().unwrap();
    assert_eq!(stored.attempts, 7, "six faults, then accepted");
    // What reached the gateway (the timed-out request is cut off before it is recorded).
    let bodies = bodies_for(&gateway, &document.uuid);
    assert!(bodies.len() >= 6, "{} requests", bodies.len());
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "every resend is byte-identical");
    assert_eq!(gateway.acceptances()[&document.uuid], 1);
    // Retry-After 2 s was honoured as a floor: the 429 and the next request are ≥ 2 s apart
    // (checked loosely through the total time: 1 + 1 + 2 + … seconds of backoff at least).
    assert!(started.elapsed() >= Duration::from_secs(5), "{:?}", started.elapsed());
    let verification = engine.verify_audit().unwrap();
    assert!(verification.is_intact());
    assert!(verification.rows >= 6);
}

pub(crate) async fn a_timeout_after_acceptance_is_resolved_as_a_duplicate_exactly_once(db: &Db) {
    let gateway = gateway().await;
    let engine = engine_on(db, &gateway, &["pos-1"]).await;
    // B2C: the gateway accepts, then the client times out (3 s) → resend → 409 → reported.
    let b2c = engine.issue_invoice("pos-1", &simplified()).unwrap();
    gateway.inject(Fault {
        after_processing: true,
        delay_ms: Some(4_000),
        path: Some(REPORTING.into()),
        ..Default::default()
    });
    let first = engine.drain().await.unwrap();
    assert_eq!(first.retry_scheduled, 1);
    assert_eq!(gateway.acceptances()[&b2c.uuid], 1, "the gateway did accept it");
    assert_eq!(
        drain_until_final(&engine, "pos-1", b2c.icv, Duration::from_secs(30)).await,
        SubmissionStatus::Reported
    );
    // B2B: accepted, then a 504 → resend → 208 with the cleared invoice → cleared.
    let b2b = engine.issue_invoice("pos-1", &standard()).unwrap();
    gateway.inject(Fault {
        after_processing: true,
        status: Some(504),
        path: Some(CLEARANCE.into()),
        ..Default::default()
    });
    assert_eq!(
        drain_until_final(&engine, "pos-1", b2b.icv, Duration::from_secs(30)).await,
        SubmissionStatus::Cleared
    );
    let stored = engine.store().document("pos-1", b2b.icv).unwrap().unwrap();
    let cleared = stored.cleared_xml.as_deref().expect("the cleared document is stored");
    assert_eq!(qayd::invoice_hash(cleared).unwrap(), stored.invoice_hash);
    assert_eq!(stored.attempts, 2);
    let acceptances = gateway.acceptances();
    assert_eq!((acceptances[&b2c.uuid], acceptances[&b2b.uuid]), (1, 1), "accepted exactly once each");
    let statuses: Vec<_> = gateway.received().iter().filter_map(|r| r.status).collect();
    assert!(statuses.contains(&409) && statuses.contains(&208), "{statuses:?}");
}

pub(crate) async fn a_rejected_document_stays_in_the_chain(db: &Db) {
    let gateway = gateway().await;
    let engine = engine_on(db, &gateway, &["pos-1"]).await;
    let mut wrong = simplified();
    wrong.seller.vat_number = Some("300075588700003".into()); // not the CSID's VAT number
    let rejected = engine.issue_invoice("pos-1", &wrong).unwrap();
    let next = engine.issue_invoice("pos-1", &simplified()).unwrap();
    assert_eq!(next.pih, rejected.invoice_hash, "the next PIH is the rejected document's hash");
    let summary = engine.drain().await.unwrap();
    assert_eq!((summary.rejected, summary.reported), (1, 1), "{summary:?}");
    let stored = engine.store().document("pos-1", rejected.icv).unwrap().unwrap();
    assert_eq!(stored.status, SubmissionStatus::Rejected);
    assert!(stored.messages.as_deref().unwrap().contains("certificate-permissions"), "{:?}", stored.messages);
    assert_eq!(stored.attempts, 1);
    // One lifecycle event per document, in sending order.
    let events = engine.events_since(0, 100).unwrap();
    let kinds: Vec<_> = events.iter().map(|e| (e.kind, e.icv)).collect();
    assert_eq!(
        kinds,
        [(EventKind::DocumentRejected, Some(rejected.icv)), (EventKind::DocumentReported, Some(next.icv))]
    );
    assert!(events[0].data.to_string().contains("certificate-permissions"));
    assert_eq!(events[1].data["uuid"], next.uuid.as_str());
    // Never resent.
    engine.drain().await.unwrap();
    assert_eq!(bodies_for(&gateway, &rejected.uuid).len(), 1);
}

pub(crate) async fn attempts_exhausted_make_a_dead_letter(db: &Db) {
    let gateway = gateway().await;
    let mut config = fast_config();
    config.retry = RetryPolicy {
        base: Duration::from_secs(1),
        cap: Duration::from_secs(1),
        max_attempts: 3,
        jitter: false,
    };
    let store = db.open();
    let engine =
        engine_with(&gateway, store, &qayd::secrets::MasterKey::generate().unwrap(), config, &["pos-1"])
            .await;
    let document = engine.issue_invoice("pos-1", &simplified()).unwrap();
    gateway.inject(Fault {
        status: Some(503),
        count: Some(3),
        path: Some(REPORTING.into()),
        ..Default::default()
    });
    assert_eq!(
        drain_until_final(&engine, "pos-1", document.icv, Duration::from_secs(20)).await,
        SubmissionStatus::Dead
    );
    let stored = engine.store().document("pos-1", document.icv).unwrap().unwrap();
    assert_eq!(stored.attempts, 3);
    assert!(stored.last_error.as_deref().unwrap().contains("503"), "{:?}", stored.last_error);
    let events = engine.events_since(0, 10).unwrap();
    assert_eq!(events.iter().map(|e| e.kind).collect::<Vec<_>>(), [EventKind::DeadLetter]);
    assert_eq!(bodies_for(&gateway, &document.uuid).len(), 3);
    // A person requeues it; the gateway is back.
    assert!(engine.requeue("pos-1", document.icv).unwrap());
    assert_eq!(
        drain_until_final(&engine, "pos-1", document.icv, Duration::from_secs(10)).await,
        SubmissionStatus::Reported
    );
}

pub(crate) async fn unauthorized_stops_the_unit_until_resumed(db: &Db) {
    let gateway = gateway().await;
    let engine = engine_on(db, &gateway, &["pos-1", "pos-2"]).await;
    let a = engine.issue_invoice("pos-1", &simplified()).unwrap();
    gateway.inject(Fault { status: Some(401), body: Some("{}".into()), ..Default::default() });
    let summary = engine.drain().await.unwrap();
    let stored = engine.store().document("pos-1", a.icv).unwrap().unwrap();
    assert_eq!(stored.status, SubmissionStatus::RetryScheduled);
    assert_eq!(stored.attempts, 0, "not the document's fault");
    assert_eq!(summary.stopped_units, ["pos-1"]);
    let events = engine.events_since(0, 10).unwrap();
    assert_eq!(events.iter().map(|e| e.kind).collect::<Vec<_>>(), [EventKind::Unauthorized]);
    // Stopped: nothing is sent for pos-1, pos-2 goes on.
    let b = engine.issue_invoice("pos-2", &simplified()).unwrap();
    let summary = engine.drain().await.unwrap();
    assert_eq!((summary.sent, summary.reported), (1, 1));
    assert_eq!(summary.stopped_units, ["pos-1"]);
    assert_eq!(engine.store().document("pos-2", b.icv).unwrap().unwrap().status, SubmissionStatus::Reported);
    engine.resume_egs("pos-1").unwrap();
    assert_eq!(
        drain_until_final(&engine, "pos-1", a.icv, Duration::from_secs(10)).await,
        SubmissionStatus::Reported
    );
}

pub(crate) async fn clear_returns_pending_when_zatca_is_down_and_the_engine_keeps_trying(db: &Db) {
    let gateway = gateway().await;
    let mut config = fast_config();
    config.clear_wait = Duration::from_millis(1_500);
    config.retry.jitter = false;
    let store = db.open();
    let engine =
        engine_with(&gateway, store, &qayd::secrets::MasterKey::generate().unwrap(), config, &["pos-1"])
            .await;
    gateway.inject(Fault {
        status: Some(503),
        count: Some(3),
        path: Some(CLEARANCE.into()),
        ..Default::default()
    });
    let outcome = engine.clear("pos-1", &standard()).await.unwrap();
    let ClearOutcome::Pending { document } = outcome else { panic!("expected pending: {outcome:?}") };
    let events = engine.events_since(0, 10).unwrap();
    assert_eq!(events.iter().map(|e| e.kind).collect::<Vec<_>>(), [EventKind::ClearanceDelayed]);
    // The background runner finishes the job; shutdown is graceful.
    let (trigger, signal) = shutdown_signal();
    let runner = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.run(signal).await })
    };
    let started = Instant::now();
    loop {
        let stored = engine.store().document("pos-1", document.icv).unwrap().unwrap();
        if stored.status == SubmissionStatus::Cleared {
            assert!(stored.cleared_xml.is_some());
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "still {:?}", stored.status);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Documents issued while the runner is up are picked up at once.
    let later = engine.issue_invoice("pos-1", &simplified()).unwrap();
    let started = Instant::now();
    while engine.store().document("pos-1", later.icv).unwrap().unwrap().status != SubmissionStatus::Reported {
        assert!(started.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    trigger.trigger();
    tokio::time::timeout(Duration::from_secs(10), runner).await.unwrap().unwrap().unwrap();
    assert_eq!(gateway.acceptances().len(), 2);
}

pub(crate) async fn issuing_never_waits_for_a_document_with_an_unknown_fate(db: &Db) {
    let gateway = gateway().await;
    let engine = engine_on(db, &gateway, &["pos-1"]).await;
    let first = engine.issue_invoice("pos-1", &simplified()).unwrap();
    gateway.inject(Fault { status: Some(503), path: Some(REPORTING.into()), ..Default::default() });
    let summary = engine.drain().await.unwrap();
    assert_eq!(summary.retry_scheduled, 1);
    // The head waits for its retry; later documents are stored and signed meanwhile, and sent
    // after it, in chain order.
    let later: Vec<_> = (0..3).map(|_| engine.issue_invoice("pos-1", &simplified()).unwrap()).collect();
    assert_eq!(later[0].pih, first.invoice_hash);
    let summary = engine.drain().await.unwrap();
    assert_eq!(summary.sent, 0, "chain order: nothing overtakes the head");
    drain_until_final(&engine, "pos-1", 4, Duration::from_secs(20)).await;
    let order: Vec<String> = gateway
        .received()
        .iter()
        .filter(|r| r.status == Some(200) && r.path.ends_with(REPORTING))
        .map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["uuid"].as_str().unwrap().to_owned()
        })
        .collect();
    let expected: Vec<String> = std::iter::once(&first).chain(&later).map(|d| d.uuid.clone()).collect();
    assert_eq!(order, expected);
}

pub(crate) async fn a_cleared_document_that_is_not_ours_is_refused_and_a_413_is_not_resent(db: &Db) {
    use base64::Engine as _;
    let gateway = gateway().await;
    let engine = engine_on(db, &gateway, &["pos-1"]).await;
    let ours = engine.issue_invoice("pos-1", &standard()).unwrap();
    // Another stamped document of the same unit stands in for ZATCA's cleared one.
    let other = {
        let other = engine_with(
            &gateway,
            std::sync::Arc::new(qayd::store::SqliteStore::in_memory().unwrap()),
            &qayd::secrets::MasterKey::generate().unwrap(),
            fast_config(),
            &["other"],
        )
        .await;
        other.issue_invoice("other", &standard()).unwrap()
    };
    let body = serde_json::json!({
        "validationResults": {"infoMessages": [], "warningMessages": [], "errorMessages": [], "status": "PASS"},
        "clearanceStatus": "CLEARED",
        "clearedInvoice": base64::engine::general_purpose::STANDARD.encode(&other.xml),
    });
    gateway.inject(Fault {
        status: Some(200),
        body: Some(body.to_string()),
        path: Some(CLEARANCE.into()),
        ..Default::default()
    });
    let summary = engine.drain().await.unwrap();
    assert_eq!(summary.dead, 1, "{summary:?}");
    let stored = engine.store().document("pos-1", ours.icv).unwrap().unwrap();
    assert_eq!(stored.status, SubmissionStatus::Dead);
    assert!(stored.last_error.as_deref().unwrap().contains("UUID"), "{:?}", stored.last_error);
    assert!(stored.cleared_xml.is_none());
    let events = engine.events_since(0, 10).unwrap();
    assert_eq!(events.iter().map(|e| e.kind).collect::<Vec<_>>(), [EventKind::DeadLetter]);

    // 413: the same bytes cannot get through; dead at once, not retried.
    let large = engine.issue_invoice("pos-1", &simplified()).unwrap();
    gateway.inject(Fault { status: Some(413), path: Some(REPORTING.into()), ..Default::default() });
    let summary = engine.drain().await.unwrap();
    assert_eq!(summary.dead, 1, "{summary:?}");
    let stored = engine.store().document("pos-1", large.icv).unwrap().unwrap();
    assert_eq!((stored.status, stored.attempts), (SubmissionStatus::Dead, 1));
    assert!(stored.last_error.as_deref().unwrap().contains("413"), "{:?}", stored.last_error);
    assert_eq!(engine.store().documents_by_status(SubmissionStatus::Dead, 10).unwrap().len(), 2);
}

/// The audit log's exchanges that got an answer (a status), oldest first.
fn answered_exchanges(engine: &qayd::engine::Engine) -> Vec<qayd::engine::AuditEntry> {
    let rows = engine.store().audit_rows(0, 1000).unwrap();
    let entries =
        rows.iter().map(|row| serde_json::from_str::<qayd::engine::AuditEntry>(&row.content).unwrap());
    entries.filter(|e| e.status.is_some()).collect()
}

/// `Retry-After: 1`, three times, to the background worker: every resend leaves at least 1000 ms
/// after the answer that asked for the wait (measured from the audit log's wall-clock times),
/// whatever fraction of a second the answer came at — and not much later either.
pub(crate) async fn retry_after_is_never_early(db: &Db) {
    let gateway = gateway().await;
    let mut config = fast_config();
    // Backoff far below Retry-After: the header alone decides the wait.
    config.retry =
        RetryPolicy { base: Duration::from_millis(10), cap: Duration::from_millis(10), ..config.retry };
    config.retry.jitter = false;
    let engine =
        engine_with(&gateway, db.open(), &qayd::secrets::MasterKey::generate().unwrap(), config, &["pos-1"])
            .await;
    let document = engine.issue_invoice("pos-1", &simplified()).unwrap();
    gateway.inject(Fault {
        status: Some(429),
        retry_after: Some(1),
        count: Some(3),
        path: Some(REPORTING.into()),
        ..Default::default()
    });
    let (trigger, signal) = shutdown_signal();
    let runner = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.run(signal).await })
    };
    let started = Instant::now();
    while engine.store().document("pos-1", document.icv).unwrap().unwrap().status
        != SubmissionStatus::Reported
    {
        assert!(started.elapsed() < Duration::from_secs(20), "not reported");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    trigger.trigger();
    runner.await.unwrap().unwrap();
    let exchanges: Vec<_> = answered_exchanges(&engine)
        .into_iter()
        .filter(|e| e.uuid.as_deref() == Some(document.uuid.as_str()))
        .collect();
    let statuses: Vec<_> = exchanges.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(429), Some(429), Some(429), Some(200)]);
    for pair in exchanges.windows(2) {
        let gap = pair[1].started_ms - pair[0].finished_ms;
        assert!(gap >= 1000, "resent {gap} ms after Retry-After: 1");
        // Due to the millisecond: only the worker's wake-up and the claim lie in between.
        assert!(gap < 1250, "resent only {gap} ms after Retry-After: 1");
    }
}

/// Units drain independently in the background worker: while one unit's request is held by the
/// platform for 2.5 s, another unit's `Retry-After: 1` is resent when it falls due, not after the
/// held request.
pub(crate) async fn a_due_retry_does_not_wait_for_another_units_request(db: &Db) {
    let gateway = gateway().await;
    let mut config = fast_config();
    config.retry =
        RetryPolicy { base: Duration::from_millis(10), cap: Duration::from_millis(10), ..config.retry };
    config.retry.jitter = false;
    let engine = engine_with(
        &gateway,
        db.open(),
        &qayd::secrets::MasterKey::generate().unwrap(),
        config,
        &["pos-1", "pos-2"],
    )
    .await;
    let documents = [
        engine.issue_invoice("pos-1", &simplified()).unwrap(),
        engine.issue_invoice("pos-2", &simplified()).unwrap(),
    ];
    // The first request to arrive (either unit's) is told to wait a second; the other is held.
    gateway.inject(Fault {
        status: Some(429),
        retry_after: Some(1),
        path: Some(REPORTING.into()),
        ..Default::default()
    });
    gateway.inject(Fault { delay_ms: Some(2_500), path: Some(REPORTING.into()), ..Default::default() });
    let (trigger, signal) = shutdown_signal();
    let runner = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.run(signal).await })
    };
    let started = Instant::now();
    let reported = |document: &qayd::store::StoredDocument| {
        engine.store().document(&document.egs_id, document.icv).unwrap().unwrap().status
            == SubmissionStatus::Reported
    };
    while !documents.iter().all(reported) {
        assert!(started.elapsed() < Duration::from_secs(20), "not reported");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    trigger.trigger();
    runner.await.unwrap().unwrap();
    let exchanges: Vec<_> =
        answered_exchanges(&engine).into_iter().filter(|e| e.call == "reporting").collect();
    let told_to_wait = exchanges.iter().find(|e| e.status == Some(429)).expect("a 429");
    let resent =
        exchanges.iter().find(|e| e.uuid == told_to_wait.uuid && e.status == Some(200)).expect("the resend");
    let held = exchanges.iter().find(|e| e.uuid != told_to_wait.uuid).expect("the held request");
    assert!(held.finished_ms - held.started_ms >= 2_500, "the other unit's request was held");
    let gap = resent.started_ms - told_to_wait.finished_ms;
    assert!((1000..1250).contains(&gap), "resent {gap} ms after Retry-After: 1");
    assert!(resent.started_ms < held.finished_ms, "the resend waited for the held request");
}

/// A sender's lease is its heartbeat: while its request is in flight (here 6 s, twice the
/// 3 s lease) it keeps the lease, and neither another worker's passes nor its `recover()` take
/// the document; a sender that claimed and died (no renewals) loses it within one lease, and
/// another worker resends it then.
pub(crate) async fn a_dead_senders_lease_is_taken_over_in_seconds_and_a_live_ones_never(db: &Db) {
    let gateway = gateway().await;
    let mut config = fast_config();
    config.lease = Duration::from_secs(3);
    config.client.timeout = Duration::from_secs(10);
    let key = qayd::secrets::MasterKey::generate().unwrap();
    let store = db.open();
    let live = engine_with(&gateway, store.clone(), &key, config.clone(), &["pos-1"]).await;
    let other = qayd::engine::Engine::new(store.clone())
        .with_config(config)
        .with_master_key(key)
        .connect(environment(&gateway))
        .unwrap();
    let slow = live.issue_invoice("pos-1", &simplified()).unwrap();
    gateway.inject(Fault { delay_ms: Some(6_000), path: Some(REPORTING.into()), ..Default::default() });
    let sending = {
        let live = live.clone();
        tokio::spawn(async move { live.drain().await })
    };
    let started = Instant::now();
    while store.document("pos-1", slow.icv).unwrap().unwrap().status != SubmissionStatus::Submitting {
        assert!(started.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    while !sending.is_finished() {
        assert_eq!(other.recover().unwrap(), 0, "a live sender's lease is never recovered");
        assert_eq!(other.drain().await.unwrap().sent, 0, "nor claimed");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(started.elapsed() >= Duration::from_secs(5), "the request outlived its first lease");
    assert_eq!(sending.await.unwrap().unwrap().reported, 1);
    assert_eq!(gateway.received().iter().filter(|r| r.path.ends_with(REPORTING)).count(), 1);

    // A sender that claimed the next document and died: no heartbeat, its lease runs out.
    let orphan = live.issue_invoice("pos-1", &simplified()).unwrap();
    let now_ms = qayd::clock::Clock::now_millis(&qayd::clock::SystemClock);
    let dead = qayd::store::Lease { owner: "killed-worker".into(), until_ms: now_ms + 3_000 };
    assert_eq!(store.claim_next("pos-1", now_ms, &dead).unwrap().unwrap().icv, orphan.icv);
    let started = Instant::now();
    let mut taken_over = None;
    loop {
        let document = store.document("pos-1", orphan.icv).unwrap().unwrap();
        if document.attempts > 0 || document.status == SubmissionStatus::Reported {
            taken_over.get_or_insert(started.elapsed());
        }
        if document.status == SubmissionStatus::Reported {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "not reported: {document:?}");
        let pass = other.drain().await.unwrap();
        assert!(pass.errors.is_empty(), "{pass:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Taken over (sent, its answer recorded) once the 3 s lease ran out — not before, and
    // within a few seconds after (the pass that finds it, the request and its answer).
    let taken_over = taken_over.unwrap();
    // The lease is kept to the millisecond: not a moment before its 3 s are up.
    assert!(taken_over >= Duration::from_millis(2_900), "taken over {taken_over:?} into a 3 s lease");
    assert!(taken_over < Duration::from_secs(6), "taken over only {taken_over:?} into a 3 s lease");
    assert_eq!(gateway.acceptances()[&orphan.uuid], 1);
}
