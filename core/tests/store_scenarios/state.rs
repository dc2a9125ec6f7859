//! Engine state beyond submission, on any store: sealed credentials (wrong master key →
//! `SECRET`, nothing lost), the hash-linked audit log (verifies; an edited row is detected;
//! JSON-lines export), B2C deadlines and certificate expiry events on a fixed clock, crash
//! recovery of documents left `submitting`, and leases.

use crate::engine_support::*;
use crate::store_support::Db;
use qayd::clock::FixedClock;
use qayd::engine::{Engine, EventKind};
use qayd::secrets::MasterKey;
use qayd::store::{Lease, SubmissionStatus};
use qayd::{Signer, StampOptions};
use std::sync::Arc;

pub(crate) fn sdk_signer() -> Signer {
    Signer::from_bytes(
        &std::fs::read(repo("tests/vectors/sdk-R3.4.8/Data/Certificates/cert.pem")).unwrap(),
        &std::fs::read(repo("tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem")).unwrap(),
    )
    .unwrap()
}

pub(crate) async fn the_wrong_master_key_is_a_clear_secret_error_and_nothing_is_lost(db: &Db) {
    let gateway = gateway().await;
    let right = MasterKey::generate().unwrap();
    let store = db.open();
    let engine = engine_with(&gateway, store, &right, fast_config(), &["pos-1"]).await;
    let document = engine.issue_invoice("pos-1", &simplified()).unwrap();
    let secret = engine.unlock("pos-1").unwrap().credentials.secret().to_owned();
    drop(engine);

    // The secret and the key are not stored in clear.
    let bytes = db.stored_bytes();
    assert!(bytes.len() > 64, "credentials are stored");
    assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "CSID secret in clear");
    assert!(!bytes.windows(10).any(|w| w == b"BEGIN EC P"), "private key in clear");

    let wrong = Engine::new(db.open())
        .with_config(fast_config())
        .with_master_key(MasterKey::generate().unwrap())
        .connect(environment(&gateway))
        .unwrap();
    let error = wrong.issue_invoice("pos-1", &simplified()).unwrap_err();
    assert_eq!(error.code(), "SECRET");
    assert!(error.to_string().contains("master key"), "{error}");
    let summary = wrong.drain().await.unwrap();
    assert_eq!(summary.sent, 0);
    assert_eq!(summary.errors.len(), 1);
    assert_eq!(summary.errors[0].1.code(), "SECRET");
    let stored = wrong.store().document("pos-1", document.icv).unwrap().unwrap();
    assert_eq!((stored.status, stored.attempts), (SubmissionStatus::Pending, 0), "untouched");
    assert_eq!(wrong.store().chain_head("pos-1").unwrap().next_icv, 2, "nothing reserved");
    let no_key = Engine::new(db.open());
    assert_eq!(no_key.unlock("pos-1").unwrap_err().code(), "SECRET");

    let again = Engine::new(db.open())
        .with_config(fast_config())
        .with_master_key(right)
        .connect(environment(&gateway))
        .unwrap();
    assert_eq!(again.drain().await.unwrap().reported, 1);
    assert_eq!(gateway.acceptances()[&document.uuid], 1);
}

pub(crate) async fn the_audit_log_is_complete_redacted_and_tamper_evident(db: &Db) {
    let gateway = gateway().await;
    let store = db.open();
    let engine =
        engine_with(&gateway, store, &MasterKey::generate().unwrap(), fast_config(), &["pos-1"]).await;
    let secret = engine.unlock("pos-1").unwrap().credentials.secret().to_owned();
    for _ in 0..3 {
        engine.issue_invoice("pos-1", &simplified()).unwrap();
    }
    gateway.inject(qayd_gateway::Fault { status: Some(503), ..Default::default() });
    engine.drain().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    engine.drain().await.unwrap();
    let verification = engine.verify_audit().unwrap();
    assert!(verification.is_intact(), "{verification:?}");
    assert_eq!(verification.rows, 8, "one 503 and three accepted, each sent then answered");
    assert!(verification.unanswered.is_empty(), "{verification:?}");

    let mut export = Vec::new();
    assert_eq!(engine.export_audit(&mut export).unwrap(), 8);
    let text = String::from_utf8(export).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // Each request is recorded before it leaves (no answer yet), then with its answer.
    for pair in lines.chunks(2) {
        let (sent, answered) = (&pair[0]["exchange"], &pair[1]["exchange"]);
        assert_eq!((sent["phase"].as_str(), sent["outcome"].as_str()), (Some("sent"), Some("unknown")));
        assert!(sent["status"].is_null() && sent["response_body"] == "");
        assert_eq!(answered["phase"], "answered");
        assert_eq!(sent["exchange_id"], answered["exchange_id"]);
        assert_eq!(sent["request_body"], answered["request_body"]);
        assert!(sent["finished_ms"].as_i64() <= answered["started_ms"].as_i64().map(|t| t + 1));
    }
    assert_ne!(lines[0]["exchange"]["exchange_id"], lines[2]["exchange"]["exchange_id"]);
    assert_eq!(lines[1]["exchange"]["status"], 503);
    assert_eq!(lines[1]["exchange"]["outcome"], "retryable");
    assert_eq!(lines[3]["exchange"]["outcome"], "accepted");
    assert!(lines[3]["exchange"]["latency_ms"].as_f64().unwrap() > 0.0);
    assert!(lines[3]["exchange"]["response_body"].as_str().unwrap().contains("REPORTED"));
    assert!(lines[2]["exchange"]["request_body"].as_str().unwrap().contains("invoiceHash"));
    assert_eq!(lines[1]["prev_hash"], lines[0]["hash"]);
    assert!(text.contains("\"REDACTED\""));
    assert!(!text.contains(&secret), "the CSID secret never reaches the log");

    // Append-only in SQL; an attacker who drops the guard and edits a row is still caught.
    let refused = db.execute("UPDATE audit SET content = 'x' WHERE seq = 2").unwrap_err();
    assert!(refused.contains("append-only"), "{refused}");
    let refused = db.execute("DELETE FROM audit WHERE seq = 2").unwrap_err();
    assert!(refused.contains("append-only"), "{refused}");
    if db.is_postgres() {
        let refused = db.execute("TRUNCATE audit").unwrap_err();
        assert!(refused.contains("append-only"), "{refused}");
        db.execute("DROP TRIGGER audit_no_update ON audit").unwrap();
    } else {
        db.execute("DROP TRIGGER audit_no_update").unwrap();
    }
    db.execute("UPDATE audit SET content = replace(content, 'REPORTED', 'NOT_REPORTED') WHERE seq = 4")
        .unwrap();
    let verification = engine.verify_audit().unwrap();
    assert_eq!(verification.broken.as_ref().map(|b| b.0), Some(4), "{verification:?}");
    assert!(verification.broken.unwrap().1.contains("edited"));
}

pub(crate) fn b2c_deadline_events_on_a_fixed_clock(db: &Db) {
    // 2025-03-20 01:30 Riyadh.
    let t0 = 1_742_423_400;
    let clock = Arc::new(FixedClock::at(t0));
    let engine = Engine::with_clock(db.open(), clock.clone());
    engine.register_egs("pos-1").unwrap();
    engine.register_egs("pos-2").unwrap();
    let options = StampOptions { signing_time: Some("2025-03-20T01:30:00".into()) };
    let late = engine.issue("pos-1", &sdk_signer(), &simplified(), &options).unwrap();
    // B2B documents have no reporting deadline.
    engine.issue("pos-1", &sdk_signer(), &standard(), &options).unwrap();
    clock.set(t0 + 600);
    let on_time = engine.issue("pos-2", &sdk_signer(), &simplified(), &options).unwrap();
    // pos-2's document is reported an hour later.
    let lease = Lease { owner: "test".into(), until_ms: (t0 + 3600 + 60) * 1000 };
    assert_eq!(
        engine.store().claim_next("pos-2", (t0 + 3600) * 1000, &lease).unwrap().unwrap().icv,
        on_time.icv
    );
    let record = qayd::store::AttemptRecord {
        status: SubmissionStatus::Reported,
        count_attempt: true,
        next_attempt_at_ms: None,
        last_error: None,
        messages: None,
        cleared_xml: None,
        now: t0 + 3600,
    };
    assert!(engine.store().record_attempt("pos-2", on_time.icv, "test", &record).unwrap());

    clock.set(t0 + 12 * 3600 - 1);
    assert_eq!(engine.sweep().unwrap().at_risk, 0);
    clock.set(t0 + 12 * 3600);
    assert_eq!(engine.sweep().unwrap().at_risk, 1, "12 h");
    assert_eq!(engine.sweep().unwrap().at_risk, 0, "raised once");
    clock.set(t0 + 20 * 3600);
    assert_eq!(engine.sweep().unwrap().at_risk, 1, "20 h");
    clock.set(t0 + 24 * 3600 - 1);
    assert_eq!(engine.sweep().unwrap().missed, 0);
    clock.set(t0 + 24 * 3600);
    let swept = engine.sweep().unwrap();
    assert_eq!((swept.at_risk, swept.missed), (0, 1));
    clock.set(t0 + 48 * 3600);
    assert_eq!(engine.sweep().unwrap().missed, 0, "missed once");
    let events = engine.events_since(0, 100).unwrap();
    let kinds: Vec<_> = events.iter().map(|e| (e.kind, e.egs_id.as_str(), e.icv)).collect();
    assert_eq!(
        kinds,
        [
            (EventKind::DeadlineAtRisk, "pos-1", Some(late.icv)),
            (EventKind::DeadlineAtRisk, "pos-1", Some(late.icv)),
            (EventKind::DeadlineMissed, "pos-1", Some(late.icv)),
        ]
    );
    assert_eq!(events[0].data["age_hours"], 12.0);
    assert_eq!(events[1].data["age_hours"], 20.0);
    assert_eq!(events[2].data["uuid"], late.uuid.as_str());
    assert_eq!(events[2].data["deadline_at"], t0 + 24 * 3600);
    assert_eq!(engine.events_since(events[1].seq, 100).unwrap().len(), 1, "cursor");
}

pub(crate) async fn certificate_expiry_events_at_30_and_7_days_once_each(db: &Db) {
    let gateway = gateway().await;
    let (credentials, key) = onboard(&gateway, "cert-unit").await;
    let not_after = credentials.certificate().unwrap().not_after_unix();
    let clock = Arc::new(FixedClock::at(not_after - 31 * 86_400));
    let engine = Engine::with_clock(db.open(), clock.clone()).with_master_key(MasterKey::generate().unwrap());
    engine.set_credentials("pos-1", &credentials, &key).unwrap();
    assert_eq!(engine.sweep().unwrap().certificates, 0);
    clock.set(not_after - 30 * 86_400);
    assert_eq!(engine.sweep().unwrap().certificates, 1);
    clock.set(not_after - 20 * 86_400);
    assert_eq!(engine.sweep().unwrap().certificates, 0);
    clock.set(not_after - 6 * 86_400);
    assert_eq!(engine.sweep().unwrap().certificates, 1);
    assert_eq!(engine.sweep().unwrap().certificates, 0);
    let events = engine.events_since(0, 10).unwrap();
    assert!(events.iter().all(|e| e.kind == EventKind::CertificateExpiring && e.egs_id == "pos-1"));
    assert_eq!(events[0].data["threshold_days"], 30);
    assert_eq!(events[1].data["threshold_days"], 7);
    assert_eq!(events[1].data["not_after"], not_after);
}

pub(crate) fn leases_and_recovery(db: &Db) {
    let clock = Arc::new(FixedClock::at(1_741_991_400));
    let engine = Engine::with_clock(db.open(), clock.clone());
    engine.register_egs("pos-1").unwrap();
    let options = StampOptions { signing_time: Some("2025-03-15T01:30:00".into()) };
    let first = engine.issue("pos-1", &sdk_signer(), &simplified(), &options).unwrap();
    engine.issue("pos-1", &sdk_signer(), &simplified(), &options).unwrap();
    let store = engine.store();
    let now = clock.now();
    // The outbox's times are milliseconds.
    let now_ms = now * 1000;
    let a = Lease { owner: "a".into(), until_ms: now_ms + 60_000 };
    let b = Lease { owner: "b".into(), until_ms: now_ms + 60_000 };
    assert_eq!(store.claim_next("pos-1", now_ms, &a).unwrap().unwrap().icv, first.icv);
    assert!(store.claim_next("pos-1", now_ms, &b).unwrap().is_none(), "leased, and chain order");
    assert!(store.claim_next("pos-1", now_ms + 59_999, &b).unwrap().is_none(), "1 ms before expiry");
    // a dies; its lease expires; b takes the document over; a's late answer is refused.
    let taken = store.claim_next("pos-1", now_ms + 60_000, &b).unwrap().unwrap();
    assert_eq!(taken.icv, first.icv);
    let record = qayd::store::AttemptRecord {
        status: SubmissionStatus::Reported,
        count_attempt: true,
        next_attempt_at_ms: None,
        last_error: None,
        messages: None,
        cleared_xml: None,
        now,
    };
    assert!(!store.record_attempt("pos-1", first.icv, "a", &record).unwrap());
    // b is killed too: recovery at start leaves its lease alone while it may be alive…
    assert_eq!(engine.recover().unwrap(), 0, "a lease that has not run out is never taken");
    assert_eq!(store.document("pos-1", first.icv).unwrap().unwrap().status, SubmissionStatus::Submitting);
    // …and, once it ran out without a renewal, puts the document back, due now, same bytes.
    clock.set(now + 60);
    assert!(!store.renew_lease("pos-1", first.icv, "a", now_ms + 120_000).unwrap(), "a lost its lease");
    assert_eq!(engine.recover().unwrap(), 1);
    let later = now_ms + 60_000;
    let recovered = store.document("pos-1", first.icv).unwrap().unwrap();
    assert_eq!(recovered.status, SubmissionStatus::RetryScheduled);
    assert_eq!((recovered.next_attempt_at_ms, recovered.next_attempt_at), (Some(later), Some(now + 60)));
    assert_eq!(recovered.xml, first.xml);
    assert_eq!(store.claim_next("pos-1", later, &a).unwrap().unwrap().icv, first.icv);
    assert!(store.renew_lease("pos-1", first.icv, "a", later + 60_000).unwrap(), "a holds it again");
    assert!(store.record_attempt("pos-1", first.icv, "a", &record).unwrap());
    assert_eq!(store.claim_next("pos-1", later, &a).unwrap().unwrap().icv, 2, "the next one");
    assert_eq!(store.documents_by_status(SubmissionStatus::Submitting, 10).unwrap().len(), 1);
}

trait Now {
    fn now(&self) -> i64;
}

impl Now for FixedClock {
    fn now(&self) -> i64 {
        qayd::clock::Clock::now_unix(self)
    }
}

pub(crate) async fn credentials_of_another_environment_are_never_sent(db: &Db) {
    let gateway = gateway().await;
    let (credentials, key) = onboard(&gateway, "env-unit").await;
    let simulation = qayd::api::Credentials::new(
        qayd::Environment::Simulation,
        credentials.binary_security_token(),
        credentials.secret(),
    );
    let engine = Engine::new(db.open())
        .with_config(fast_config())
        .with_master_key(MasterKey::generate().unwrap())
        .connect(environment(&gateway))
        .unwrap();
    engine.set_credentials("pos-1", &simulation, &key).unwrap();
    assert_eq!(engine.unlock("pos-1").unwrap().environment, qayd::Environment::Simulation);
    let document = engine.issue_invoice("pos-1", &simplified()).unwrap();
    gateway.clear_received();
    let summary = engine.drain().await.unwrap();
    // The unit belongs to another environment: this engine leaves it alone (an engine connected
    // there sends it) — no request, no attempt counted, the unit not stopped.
    assert_eq!(summary.other_environment_units, ["pos-1"]);
    assert!(summary.stopped_units.is_empty());
    assert!(gateway.received().is_empty(), "nothing left the process");
    let stored = engine.store().document("pos-1", document.icv).unwrap().unwrap();
    assert_eq!((stored.status, stored.attempts), (SubmissionStatus::Pending, 0));
    assert_eq!(engine.store().stopped("pos-1").unwrap(), None);
    // With this environment's credentials the engine sends it.
    engine.set_credentials("pos-1", &credentials, &key).unwrap();
    assert_eq!(engine.drain().await.unwrap().reported, 1);
}
