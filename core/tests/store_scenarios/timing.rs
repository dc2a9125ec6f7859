//! The outbox's times to the millisecond, on any store: a `Retry-After` answered at any instant
//! is due exactly that long after the answer (a clock the test moves by hand), and a store
//! written when due times and leases were whole seconds keeps every due time when it is opened
//! (converted once).

use crate::engine_support::*;
use crate::store_support::Db;
use qayd::clock::Clock;
use qayd::engine::{Engine, RetryPolicy};
use qayd::secrets::MasterKey;
use qayd::store::{Lease, SubmissionStatus};
use qayd_gateway::Fault;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

const REPORTING: &str = "/invoices/reporting/single";

/// A clock with milliseconds that stands still until the test moves it.
pub(crate) struct ManualClock(AtomicI64);

impl ManualClock {
    pub(crate) fn at_ms(ms: i64) -> Self {
        ManualClock(AtomicI64::new(ms))
    }
    pub(crate) fn set_ms(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_unix(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }
    fn now_millis(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// "Retry-After: 1" answered at …​.900 s: due at exactly +1000 ms — not at the next whole second
/// (0.1 s early, the old bug) nor at the one after (up to 1 s late, the whole-second store).
/// Nothing is sent 1 ms before, the resend goes at the due millisecond.
pub(crate) async fn retry_after_is_due_to_the_millisecond_on_a_manual_clock(db: &Db) {
    let gateway = gateway().await;
    let answered_ms = (qayd::clock::SystemClock.now_unix() - 5) * 1000 + 900;
    let clock = Arc::new(ManualClock::at_ms(answered_ms));
    let mut config = fast_config();
    // Backoff far below Retry-After: the header alone decides the wait.
    config.retry = RetryPolicy {
        base: Duration::from_millis(10),
        cap: Duration::from_millis(10),
        jitter: false,
        ..config.retry
    };
    let key = MasterKey::generate().unwrap();
    let engine = Engine::with_clock(db.open(), clock.clone())
        .with_config(config)
        .with_master_key(key)
        .connect(environment(&gateway))
        .unwrap();
    let (credentials, private_key) = onboard(&gateway, "pos-ms").await;
    engine.set_credentials("pos-1", &credentials, &private_key).unwrap();
    let document = engine.issue_invoice("pos-1", &simplified()).unwrap();
    gateway.inject(Fault {
        status: Some(429),
        retry_after: Some(1),
        path: Some(REPORTING.into()),
        ..Default::default()
    });

    let first = engine.drain().await.unwrap();
    assert_eq!((first.sent, first.retry_scheduled), (1, 1), "{first:?}");
    let scheduled = engine.store().document("pos-1", document.icv).unwrap().unwrap();
    assert_eq!(scheduled.status, SubmissionStatus::RetryScheduled);
    let due_ms = answered_ms + 1000;
    assert_eq!(scheduled.next_attempt_at_ms, Some(due_ms), "Retry-After: 1 from the answer's millisecond");
    assert_eq!(scheduled.next_attempt_at, Some(due_ms.div_euclid(1000) + 1), "seconds, rounded up");
    assert_eq!(engine.store().next_due_ms().unwrap(), Some(due_ms));

    clock.set_ms(due_ms - 1);
    assert_eq!(engine.drain().await.unwrap().sent, 0, "1 ms before Retry-After has passed");
    clock.set_ms(due_ms);
    let resent = engine.drain().await.unwrap();
    assert_eq!((resent.sent, resent.reported), (1, 1), "{resent:?}");
    let statuses: Vec<_> =
        gateway.received().iter().filter(|r| r.path.ends_with(REPORTING)).map(|r| r.status).collect();
    assert_eq!(statuses, [Some(429), Some(200)]);
    assert_eq!(engine.store().next_due_ms().unwrap(), None);
}

/// A store written by the previous schema (due times and leases in whole seconds): rows put
/// there with raw SQL, the schema marked as that version, then opened — twice, as two processes
/// starting would. Each due time and lease keeps its instant (×1000, once), and the outbox
/// compares them in milliseconds.
pub(crate) fn a_store_written_in_seconds_keeps_its_due_times(db: &Db) {
    let store = db.open();
    store.register_egs("pos-1").unwrap();
    store.register_egs("pos-2").unwrap();
    drop(store);
    let due_s: i64 = 1_900_000_123;
    let lease_s: i64 = 1_900_000_456;
    let (xml, yes) = if db.is_postgres() { ("'\\x3c612f3e'::bytea", "TRUE") } else { ("X'3c612f3e'", "1") };
    let mut old = format!(
        "INSERT INTO documents (egs_id, icv, uuid, invoice_hash, pih, simplified, xml, issued_at, status,
             attempts, next_attempt_at, last_error)
         VALUES ('pos-1', 1, 'u-retry', 'h1', 'p1', {yes}, {xml}, 1899999000, 'retry_scheduled', 1, {due_s},
             'HTTP 429');
         INSERT INTO documents (egs_id, icv, uuid, invoice_hash, pih, simplified, xml, issued_at, status,
             attempts, lease_owner, lease_until)
         VALUES ('pos-2', 1, 'u-leased', 'h2', 'p2', {yes}, {xml}, 1899999000, 'submitting', 0, 'old-worker',
             {lease_s});"
    );
    old.push_str(if db.is_postgres() {
        "UPDATE qayd_schema_version SET version = 2;"
    } else {
        "PRAGMA user_version = 0;"
    });
    db.execute(&old).unwrap();

    let first = db.open();
    let second = db.open();
    #[cfg(feature = "postgres")]
    if db.is_postgres() {
        let version = qayd::store::PostgresStore::open(db.location()).unwrap().schema_version().unwrap();
        assert_eq!(version, 3);
    }
    drop(first);
    let retry = second.document("pos-1", 1).unwrap().unwrap();
    assert_eq!(retry.next_attempt_at_ms, Some(due_s * 1000), "converted once, not twice");
    assert_eq!(retry.next_attempt_at, Some(due_s));
    assert_eq!(second.next_due_ms().unwrap(), Some(due_s * 1000));

    let lease = Lease { owner: "new-worker".into(), until_ms: lease_s * 1000 + 10_000 };
    assert!(second.claim_next("pos-1", due_s * 1000 - 1, &lease).unwrap().is_none(), "not yet due");
    assert_eq!(second.claim_next("pos-1", due_s * 1000, &lease).unwrap().unwrap().uuid, "u-retry");
    assert!(second.claim_next("pos-2", lease_s * 1000 - 1, &lease).unwrap().is_none(), "old lease held");
    assert_eq!(second.claim_next("pos-2", lease_s * 1000, &lease).unwrap().unwrap().uuid, "u-leased");
    assert!(second.renew_lease("pos-2", 1, "new-worker", lease_s * 1000 + 20_000).unwrap());
    assert_eq!(second.next_due_ms().unwrap(), Some(lease_s * 1000 + 10_000), "the earlier of the two leases");
}
