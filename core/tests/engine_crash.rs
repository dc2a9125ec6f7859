//! The crash tests of the durable engine, one harness for both stores. The parent starts the
//! local gateway (with injected faults), onboards the EGS units and stores their sealed
//! credentials; then child processes (this test binary again, `crash_child`) issue the workload
//! and submit it with the background runner while the parent SIGKILLs them at random moments,
//! restarting each, and finally lets them finish. Then it checks: every document accepted exactly
//! once by the gateway, ICVs contiguous per unit, the PIH chain valid end to end, nothing lost,
//! the audit log intact and holding every request the gateway received, and every request a
//! kill cut off (a document the killed sender left `submitting`) sent again within 10 s of the
//! restart (see [`CutOff`]).
//!
//! * **SQLite** (`crash_kill_restart_exactly_once`): one child that issues and sends, killed at
//!   least `QAYD_CRASH_KILLS` (default 20) times; `QAYD_CRASH_DOCS` (default 2000) documents over
//!   `QAYD_CRASH_UNITS` (default 20) units.
//! * **PostgreSQL** (`crash_on_postgres_with_the_database_killed`): a private server
//!   (`scripts/postgres.sh` in a temporary folder), two workers and two issuers (each issuing
//!   for half of the units) on one database; the workers SIGKILLed at least
//!   `QAYD_CRASH_PG_KILLS` (default 10) times and the server's postmaster SIGKILLed
//!   `QAYD_CRASH_PG_DB_KILLS` (default 2) times, down 2–3 s each, then started again on the same
//!   data and port. No worker or issuer may exit while the database is away (they retry on
//!   storage errors). `QAYD_CRASH_PG_DOCS` (default 240) over `QAYD_CRASH_PG_UNITS` (default 8).
//!   Runs where the PostgreSQL tests run (`QAYD_TEST_POSTGRES_URL` set), skipped with a line
//!   otherwise (a failure under `QAYD_REQUIRE_POSTGRES=1`).
//!
//! `QAYD_CRASH_SEED` replays a run's random choices.

mod engine_support;
mod store_support;

use engine_support::*;
use qayd::engine::{Engine, EngineConfig, RetryPolicy};
use qayd::secrets::MasterKey;
use qayd::store::{Store, SubmissionStatus};
use qayd::{Environment, GENESIS_PIH};
use qayd_gateway::{Fault, Gateway};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const STORE: &str = "QAYD_CRASH_STORE";
const KEY: &str = "QAYD_CRASH_KEY";
const URL: &str = "QAYD_CRASH_URL";
const PER_UNIT: &str = "QAYD_CRASH_PER_UNIT";
const ROLE: &str = "QAYD_CRASH_ROLE";
const SHARE: &str = "QAYD_CRASH_SHARE";
const LEASE_SECS: &str = "QAYD_CRASH_LEASE_SECS";
const PACE_MS: &str = "QAYD_CRASH_PACE_MS";

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn unit_name(i: u64) -> String {
    format!("egs-{i:02}")
}

fn seed() -> u64 {
    setting(
        "QAYD_CRASH_SEED",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1,
    )
}

/// xorshift64*: reproducible randomness from a seed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn worker_config(lease: Duration) -> EngineConfig {
    EngineConfig {
        // Never dead in this test: every document must end accepted.
        retry: RetryPolicy {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(2),
            max_attempts: 10_000,
            jitter: true,
        },
        client: qayd::api::ClientConfig { timeout: Duration::from_secs(2), ..Default::default() },
        lease,
        poll_interval: Duration::from_millis(200),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------------
// The child process.

/// What a child does: issue (its share of the units), send, or both.
#[derive(Clone, Copy, Debug)]
enum Role {
    Both,
    Worker,
    /// Issues for the units whose index is `share` modulo `of`.
    Issuer {
        share: usize,
        of: usize,
    },
}

impl Role {
    fn sends(self) -> bool {
        !matches!(self, Role::Issuer { .. })
    }
    fn issues(self) -> bool {
        !matches!(self, Role::Worker)
    }
    fn env(self) -> (&'static str, String) {
        match self {
            Role::Both => ("both", "0/1".into()),
            Role::Worker => ("worker", "0/1".into()),
            Role::Issuer { share, of } => ("issuer", format!("{share}/{of}")),
        }
    }
    fn from_env() -> Role {
        let share = std::env::var(SHARE).unwrap_or_else(|_| "0/1".into());
        let (share, of) = share.split_once('/').unwrap();
        match std::env::var(ROLE).as_deref() {
            Ok("worker") => Role::Worker,
            Ok("issuer") => Role::Issuer { share: share.parse().unwrap(), of: of.parse().unwrap() },
            _ => Role::Both,
        }
    }
}

/// Retries `attempt` while the store is unavailable (the database restarting), with a short
/// backoff; any other error, or an outage of more than a minute, fails the child.
fn patiently<T>(what: &str, mut attempt: impl FnMut() -> qayd::Result<T>) -> T {
    let started = Instant::now();
    let mut pause = Duration::from_millis(50);
    loop {
        match attempt() {
            Ok(value) => return value,
            Err(error) if error.code() == "STORAGE" && started.elapsed() < Duration::from_secs(60) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(500));
            }
            Err(error) => panic!("{what}: {error}"),
        }
    }
}

/// Issues the rest of the workload for this issuer's units (every 10th document B2B), round
/// robin. A storage error (the database away) is waited out: whether the document was stored
/// or not, the chain head read on the next round says.
fn issue_share(engine: &Engine, share: usize, of: usize, per_unit: u64, pace: Duration) {
    let units: Vec<String> = patiently("units", || engine.store().egs_ids())
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % of == share)
        .map(|(_, unit)| unit)
        .collect();
    loop {
        let mut issued_any = false;
        for unit in &units {
            let issued = patiently("chain head", || engine.store().chain_head(unit)).next_icv - 1;
            if issued >= per_unit {
                continue;
            }
            issued_any = true;
            let invoice = if (issued + 1) % 10 == 0 { standard() } else { simplified() };
            match engine.issue_invoice(unit, &invoice) {
                Ok(_) => std::thread::sleep(pace),
                Err(error) if error.code() == "STORAGE" => std::thread::sleep(Duration::from_millis(100)),
                Err(error) => panic!("issuing for {unit}: {error}"),
            }
        }
        if !issued_any {
            break;
        }
    }
}

/// Whether every unit has its whole workload issued and nothing is left to send. `false` while
/// the store is away.
fn everything_final(store: &dyn Store, per_unit: u64) -> bool {
    let Ok(units) = store.egs_ids() else { return false };
    let issued = units.iter().all(|unit| store.chain_head(unit).is_ok_and(|head| head.next_icv > per_unit));
    issued
        && store
            .status_counts()
            .is_ok_and(|counts| counts.iter().all(|(status, n)| status.is_final() || *n == 0))
}

/// The child: issue and/or submit with the runner (see [`Role`]); a sender exits when the whole
/// workload is issued and final. Does nothing when run directly.
#[test]
#[ignore = "a crash test's child process, started by the crash tests"]
fn crash_child() {
    let Ok(location) = std::env::var(STORE) else { return };
    let role = Role::from_env();
    let key = MasterKey::from_base64(&std::env::var(KEY).unwrap()).unwrap();
    let url = std::env::var(URL).unwrap();
    let per_unit = setting(PER_UNIT, 100);
    let lease = Duration::from_secs(setting(LEASE_SECS, 10));
    let pace = Duration::from_millis(setting(PACE_MS, 0));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async move {
        let store = patiently("opening the store", || qayd::store::open(&location));
        let engine = Engine::new(store)
            .with_config(worker_config(lease))
            .with_master_key(key)
            .connect(Environment::Custom(url))
            .unwrap();
        let runner = role.sends().then(|| {
            // Whatever a killed sender left `submitting` has an unknown fate; a live sender's
            // lease is left alone.
            patiently("recovering", || engine.recover());
            let (trigger, signal) = qayd::engine::shutdown_signal();
            let engine = engine.clone();
            (trigger, tokio::spawn(async move { engine.run(signal).await }))
        });
        if role.issues() {
            let (share, of) = match role {
                Role::Issuer { share, of } => (share, of),
                _ => (0, 1),
            };
            let engine = engine.clone();
            tokio::task::spawn_blocking(move || issue_share(&engine, share, of, per_unit, pace))
                .await
                .unwrap();
        }
        if let Some((trigger, runner)) = runner {
            while !everything_final(engine.store().as_ref(), per_unit) {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            trigger.trigger();
            runner.await.unwrap().unwrap();
        }
    });
}

// ---------------------------------------------------------------------------------------------
// The parent's side, shared by both stores.

/// The time now in the gateway's terms (`ReceivedRequest::received_at_ms`).
fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

/// The requests one SIGKILL cut off: the documents the killed sender held `submitting`.
struct CutOff {
    uuids: Vec<String>,
    killed_ms: u64,
    /// When a sender was started again (the killed one's replacement).
    restarted_ms: u64,
}

/// A database outage: SIGKILLed at `down_ms`, accepting connections again at `up_ms`.
struct Outage {
    down_ms: u64,
    up_ms: u64,
}

/// How soon after a restart a cut-off request must have been sent again. A killed sender's
/// lease (the default 8 s; 3 s in the PostgreSQL test) runs out at most one lease after the
/// kill, and the next pass of any live worker takes the document over.
const RESEND_WITHIN_MS: u64 = 10_000;

/// What every child of one run is given.
struct Run {
    location: String,
    key: MasterKey,
    gateway: Gateway,
    units: u64,
    per_unit: u64,
    lease: Duration,
    pace: Duration,
}

impl Run {
    /// The gateway and `units` units onboarded into the store at `location`.
    async fn start(location: String, units: u64, per_unit: u64, lease: Duration, pace: Duration) -> Run {
        let gateway = gateway().await;
        let key = MasterKey::generate().unwrap();
        let store = qayd::store::open(&location).unwrap();
        let names: Vec<String> = (0..units).map(unit_name).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        engine_with(&gateway, store, &key, worker_config(lease), &names).await;
        gateway.clear_received();
        Run { location, key, gateway, units, per_unit, lease, pace }
    }

    fn spawn(&self, role: Role) -> Child {
        let (role_name, share) = role.env();
        Command::new(std::env::current_exe().unwrap())
            .args(["crash_child", "--exact", "--ignored", "--test-threads=1", "--quiet"])
            .env(STORE, &self.location)
            .env(KEY, self.key.to_base64())
            .env(URL, self.gateway.base_url())
            .env(PER_UNIT, self.per_unit.to_string())
            .env(ROLE, role_name)
            .env(SHARE, share)
            .env(LEASE_SECS, self.lease.as_secs().to_string())
            .env(PACE_MS, self.pace.as_millis().to_string())
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// When the gateway received each document's requests (ms since the Unix epoch), by UUID.
    fn arrivals(&self) -> HashMap<String, Vec<u64>> {
        let mut arrivals: HashMap<String, Vec<u64>> = HashMap::new();
        for request in self.gateway.received().iter().filter(|r| r.path.contains("/invoices/")) {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            arrivals
                .entry(body["uuid"].as_str().unwrap().to_owned())
                .or_default()
                .push(request.received_at_ms);
        }
        arrivals
    }

    /// Every request a kill cut off was sent again within [`RESEND_WITHIN_MS`] of the restart,
    /// or of the database's return when it went down before then. Returns how many were
    /// checked and the longest wait after a restart, in ms.
    fn assert_cut_offs_resent(&self, cut_offs: &[CutOff], outages: &[Outage]) -> (usize, u64) {
        let arrivals = self.arrivals();
        // When each request left (the audit row written before it goes): a kill's own request
        // left before the kill, a resend after it.
        let mut sends: HashMap<String, Vec<u64>> = HashMap::new();
        let store = qayd::store::open(&self.location).unwrap();
        for entry in audit_entries(store.as_ref()) {
            if entry.phase.as_deref().is_none_or(|phase| phase == qayd::engine::PHASE_SENT)
                && let Some(uuid) = entry.uuid
            {
                sends.entry(uuid).or_default().push(entry.started_ms as u64);
            }
        }
        let (mut checked, mut longest) = (0, 0);
        for cut_off in cut_offs {
            let mut restart = cut_off.restarted_ms;
            for outage in outages {
                if outage.down_ms < restart + RESEND_WITHIN_MS && outage.up_ms > cut_off.killed_ms {
                    restart = restart.max(outage.up_ms);
                }
            }
            for uuid in &cut_off.uuids {
                let after = |times: Option<&Vec<u64>>, from: u64| {
                    times.and_then(|times| times.iter().copied().filter(|&t| t >= from).min())
                };
                let explain = || {
                    let from_kill = |t: &u64| *t as i64 - cut_off.killed_ms as i64;
                    format!(
                        "restarted {} ms after the kill; requests arrived at {:?} ms from the kill; \
                         the audit log's attempts: {:?}",
                        restart - cut_off.killed_ms,
                        arrivals.get(uuid).into_iter().flatten().map(from_kill).collect::<Vec<_>>(),
                        self.attempts(uuid, cut_off.killed_ms)
                    )
                };
                let Some(resent) = after(sends.get(uuid), cut_off.killed_ms) else {
                    panic!("{uuid}: cut off by a kill and never sent again ({})", explain())
                };
                assert!(
                    after(arrivals.get(uuid), resent).is_some(),
                    "{uuid}: sent again, but the gateway never received it ({})",
                    explain()
                );
                let waited = resent.saturating_sub(restart);
                assert!(
                    waited <= RESEND_WITHIN_MS,
                    "{uuid}: cut off by a kill, sent again {waited} ms after the restart ({})",
                    explain()
                );
                checked += 1;
                longest = longest.max(waited);
            }
        }
        (checked, longest)
    }

    /// The audit log's rows for a document: (ms from `from_ms`, phase, outcome or error), to
    /// explain a late resend.
    fn attempts(&self, uuid: &str, from_ms: u64) -> Vec<(i64, String, String)> {
        let store = qayd::store::open(&self.location).unwrap();
        audit_entries(store.as_ref())
            .into_iter()
            .filter(|entry| entry.uuid.as_deref() == Some(uuid))
            .map(|entry| {
                let what = entry.error.unwrap_or(entry.outcome);
                (entry.started_ms - from_ms as i64, entry.phase.unwrap_or_default(), what)
            })
            .collect()
    }

    /// "issued/final" now, or `?` when the store cannot say (the database away).
    fn progress(&self) -> String {
        let counts = qayd::store::open(&self.location).and_then(|store| store.status_counts());
        match counts {
            Ok(counts) => {
                let issued: u64 = counts.iter().map(|(_, n)| n).sum();
                let done: u64 = counts.iter().filter(|(s, _)| s.is_final()).map(|(_, n)| n).sum();
                format!("{issued}/{done}")
            }
            Err(_) => "?".into(),
        }
    }

    /// The checks, once every child has finished; the number of documents.
    fn assert_exactly_once(&self) -> u64 {
        let store = qayd::store::open(&self.location).unwrap();
        let engine = Engine::new(store.clone()).with_master_key(self.key.clone());
        let acceptances = self.gateway.acceptances();
        let mut documents = 0;
        for unit in (0..self.units).map(unit_name) {
            let chain = store.documents(&unit).unwrap();
            assert_eq!(chain.len() as u64, self.per_unit, "{unit}: nothing lost, nothing extra");
            let mut previous = GENESIS_PIH.to_owned();
            for (i, document) in chain.iter().enumerate() {
                assert_eq!(document.icv, i as u64 + 1, "{unit}: ICVs contiguous");
                assert_eq!(document.pih, previous, "{unit}/{}: PIH chains", document.icv);
                assert_eq!(qayd::invoice_hash(&document.xml).unwrap(), document.invoice_hash);
                let expected =
                    if document.simplified { SubmissionStatus::Reported } else { SubmissionStatus::Cleared };
                assert_eq!(document.status, expected, "{unit}/{}: {:?}", document.icv, document.last_error);
                assert_eq!(
                    acceptances.get(&document.uuid).copied(),
                    Some(1),
                    "{unit}/{}: accepted exactly once by the gateway",
                    document.icv
                );
                previous = document.invoice_hash.clone();
                documents += 1;
            }
        }
        assert_eq!(acceptances.len() as u64, documents, "the gateway accepted nothing we do not have");
        assert!(engine.verify_audit().unwrap().is_intact());
        self.assert_audit_holds_every_request(store.as_ref());
        documents
    }

    /// Every request the gateway received for a document is in the audit log: a request is
    /// recorded before it leaves, so a kill or an outage leaves a row too many, never one short.
    fn assert_audit_holds_every_request(&self, store: &dyn Store) {
        let mut recorded: HashMap<String, usize> = HashMap::new();
        for entry in audit_entries(store) {
            // A whole exchange (no phase) or the row written before the request left.
            if entry.phase.as_deref().is_none_or(|phase| phase == qayd::engine::PHASE_SENT)
                && let Some(uuid) = entry.uuid
            {
                *recorded.entry(uuid).or_default() += 1;
            }
        }
        for (uuid, arrived) in self.arrivals() {
            let count = arrived.len();
            let logged = recorded.get(&uuid).copied().unwrap_or(0);
            assert!(
                logged >= count,
                "{uuid}: the gateway received {count} requests, the audit log has {logged}"
            );
        }
    }
}

/// The whole audit log, oldest first.
fn audit_entries(store: &dyn Store) -> Vec<qayd::engine::AuditEntry> {
    let (mut entries, mut after) = (Vec::new(), 0);
    loop {
        let rows = store.audit_rows(after, 1000).unwrap();
        let Some(last) = rows.last() else { return entries };
        after = last.seq;
        entries.extend(rows.iter().map(|row| serde_json::from_str(&row.content).unwrap()));
    }
}

/// The documents whose lease the killed process `pid` still holds in the store at `location`:
/// its requests in flight. Waits for a database that is away (up to 30 s).
fn leases_of(location: &str, pid: u32) -> Vec<String> {
    const HELD: &str = "SELECT uuid FROM documents WHERE status = 'submitting' AND lease_owner LIKE ";
    // A lease's owner is the engine's worker id, `<pid>-<random>`.
    let owner = format!("{pid}-%");
    if !location.starts_with("postgres") {
        let connection = rusqlite::Connection::open(location).unwrap();
        let mut statement = connection.prepare(&format!("{HELD}?1")).unwrap();
        let uuids = statement.query_map([owner], |row| row.get(0)).unwrap();
        return uuids.collect::<Result<_, _>>().unwrap();
    }
    let started = Instant::now();
    loop {
        let (query, owner) = (format!("{HELD}$1"), owner.clone());
        match store_support::postgres_raw(location, move |client| {
            Ok(client.query(&query, &[&owner])?.iter().map(|row| row.get(0)).collect())
        }) {
            Ok(uuids) => return uuids,
            Err(error) => {
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "reading the killed worker's leases: {error}"
                );
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
}

/// A random fault or two for the next requests.
fn inject_faults(gateway: &Gateway, random: &mut Random) {
    let fault = match random.below(6) {
        0 => Fault { status: Some(503), count: Some(1 + random.below(3) as u32), ..Default::default() },
        1 => Fault { status: Some(504), ..Default::default() },
        2 => Fault { status: Some(429), retry_after: Some(1), ..Default::default() },
        3 => Fault { drop_connection: true, ..Default::default() },
        // Accepted, then the client times out (2 s) or loses the connection.
        4 => Fault { after_processing: true, delay_ms: Some(2_500), ..Default::default() },
        _ => Fault { after_processing: true, drop_connection: true, ..Default::default() },
    };
    gateway.inject(fault);
}

/// A run's child processes, killed if the test ends early (a failed assertion) so that none
/// outlives it.
struct Fleet(Vec<(&'static str, Child)>);

impl Fleet {
    /// No worker has exited (the workload is not done), and any issuer that has, finished its
    /// share successfully: nobody gave up on a storage error.
    fn assert_none_gave_up(&mut self, when: &str) {
        for (name, child) in &mut self.0 {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(*name != "worker", "a worker exited {when}: {status:?}");
                assert!(status.success(), "an {name} failed {when}: {status:?}");
            }
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for (_, child) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// SIGKILL, and reap.
fn kill(child: &mut Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Waits (up to `limit`) for every child to finish, each successfully.
async fn wait_all(children: &mut [(&'static str, Child)], limit: Duration) {
    let deadline = Instant::now() + limit;
    for (name, child) in children.iter_mut() {
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "the {name} failed: {status:?}");
                break;
            }
            assert!(Instant::now() < deadline, "the {name} did not finish within {limit:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SQLite: one process issues and sends, killed again and again.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_kill_restart_exactly_once() {
    let started = Instant::now();
    let total = setting("QAYD_CRASH_DOCS", 2000);
    let units = setting("QAYD_CRASH_UNITS", 20);
    let min_kills = setting("QAYD_CRASH_KILLS", 20);
    let seed = seed();
    let mut random = Random(seed);
    eprintln!("crash test: {total} documents over {units} units, seed {seed}");

    let dir = tempfile::tempdir().unwrap();
    let location = dir.path().join("engine.sqlite").to_str().unwrap().to_owned();
    let lease = EngineConfig::default().lease;
    let run = Run::start(location, units, total / units, lease, Duration::ZERO).await;

    let mut kills = 0;
    let mut runs = 0;
    // Documents issued / final at each kill.
    let mut progress = Vec::new();
    let mut cut_offs: Vec<CutOff> = Vec::new();
    let finished = 'runs: loop {
        runs += 1;
        inject_faults(&run.gateway, &mut random);
        let mut fleet = Fleet(vec![("worker", run.spawn(Role::Both))]);
        if let Some(cut_off) = cut_offs.last_mut().filter(|c| c.restarted_ms == 0) {
            cut_off.restarted_ms = now_ms();
        }
        let child = &mut fleet.0[0].1;
        if kills >= min_kills {
            // Let it finish.
            let deadline = Instant::now() + Duration::from_secs(300);
            loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break 'runs status;
                }
                assert!(Instant::now() < deadline, "the last run did not finish");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        } else {
            tokio::time::sleep(Duration::from_millis(30 + random.below(370))).await;
            match child.try_wait().unwrap() {
                Some(status) => break status, // done before the kill
                None => {
                    let pid = child.id();
                    kill(child);
                    let killed_ms = now_ms();
                    cut_offs.push(CutOff {
                        uuids: leases_of(&run.location, pid),
                        killed_ms,
                        restarted_ms: 0,
                    });
                    kills += 1;
                    progress.push(run.progress());
                }
            }
        }
    };
    assert!(finished.success(), "the worker failed: {finished:?}");
    assert!(kills >= min_kills, "only {kills} kills: the workload finished too early (seed {seed})");

    let documents = run.assert_exactly_once();
    let (cut, longest) = run.assert_cut_offs_resent(&cut_offs, &[]);
    assert!(cut > 0, "no kill cut a request off, so nothing was checked (seed {seed})");
    eprintln!("crash test: issued/final at each kill: {}", progress.join(" "));
    let resent = run.gateway.received().iter().filter(|r| matches!(r.status, Some(208 | 409))).count();
    eprintln!(
        "crash test: {documents} documents over {units} units, {kills} SIGKILLs in {runs} runs, \
         {cut} requests cut off and sent again at most {longest} ms after the restart, \
         {resent} duplicates answered, {:.1} s (seed {seed})",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: two workers and two issuers on one database; workers and the database killed.

/// A PostgreSQL server of this test's own (`scripts/postgres.sh` in a temporary folder), so it
/// can be killed; stopped on drop.
#[cfg(feature = "postgres")]
struct PrivateServer {
    dir: tempfile::TempDir,
    port: u16,
    url: String,
}

#[cfg(feature = "postgres")]
impl PrivateServer {
    fn script(action: &str, dir: &std::path::Path, port: u16) -> Result<String, String> {
        let output = Command::new(repo("scripts/postgres.sh"))
            .args([action, dir.to_str().unwrap()])
            .env("QAYD_POSTGRES_PORT", port.to_string())
            .output()
            .map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    fn start() -> PrivateServer {
        let dir = tempfile::tempdir().unwrap();
        let wanted = 57_000 + (std::process::id() % 1000) as u16;
        let started = Self::script("start", dir.path(), wanted).expect("a private PostgreSQL server");
        let url = started.trim_start_matches("export QAYD_TEST_POSTGRES_URL=").to_owned();
        let port = std::fs::read_to_string(dir.path().join("port")).unwrap().trim().parse().unwrap();
        PrivateServer { dir, port, url }
    }

    /// SIGKILL to the postmaster: a crash, no shutdown.
    fn kill(&self) {
        Self::script("kill", self.dir.path(), self.port).expect("killing the server");
    }

    /// Started again on the same data and port (crash recovery); retried while the killed
    /// server's processes are still going away.
    fn restart(&self) {
        let started = Instant::now();
        loop {
            match Self::script("start", self.dir.path(), self.port) {
                Ok(url) => {
                    assert!(url.ends_with(&self.url), "came back elsewhere: {url}, not {}", self.url);
                    return;
                }
                Err(why) => {
                    assert!(
                        started.elapsed() < Duration::from_secs(30),
                        "the server did not come back: {why}"
                    );
                    std::thread::sleep(Duration::from_millis(300));
                }
            }
        }
    }
}

#[cfg(feature = "postgres")]
impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = Self::script("stop", self.dir.path(), self.port);
    }
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_on_postgres_with_the_database_killed() {
    if store_support::postgres_server("crash_on_postgres_with_the_database_killed").is_none() {
        return;
    }
    let started = Instant::now();
    let total = setting("QAYD_CRASH_PG_DOCS", 240);
    let units = setting("QAYD_CRASH_PG_UNITS", 8);
    let min_kills = setting("QAYD_CRASH_PG_KILLS", 10);
    let db_kills_wanted = setting("QAYD_CRASH_PG_DB_KILLS", 2);
    let seed = seed();
    let mut random = Random(seed);
    eprintln!("PostgreSQL crash test: {total} documents over {units} units, seed {seed}");

    let server = PrivateServer::start();
    // A 3 s lease: a killed worker's document is taken over 3 s later, not 10.
    let run = Run::start(
        server.url.clone(),
        units,
        total / units,
        Duration::from_secs(3),
        Duration::from_millis(10),
    )
    .await;
    // Two issuers (half of the units each), then two workers.
    let mut fleet = Fleet(Vec::new());
    for share in 0..2 {
        fleet.0.push(("issuer", run.spawn(Role::Issuer { share, of: 2 })));
    }
    for _ in 0..2 {
        fleet.0.push(("worker", run.spawn(Role::Worker)));
    }

    // The database goes down after these worker kills, spread over the run (the first at once,
    // while the issuers are issuing).
    let db_kill_at: Vec<u64> =
        (0..db_kills_wanted).map(|k| 1 + k * min_kills / db_kills_wanted.max(1)).collect();
    let (mut kills, mut db_kills, mut outage) = (0, 0, Duration::ZERO);
    let mut progress = Vec::new();
    let (mut cut_offs, mut outages) = (Vec::new(), Vec::new());
    while kills < min_kills || db_kills < db_kills_wanted {
        tokio::time::sleep(Duration::from_millis(150 + random.below(450))).await;
        fleet.assert_none_gave_up("before the workload was done");
        let victim = 2 + random.below(2) as usize;
        let pid = fleet.0[victim].1.id();
        kill(&mut fleet.0[victim].1);
        let killed_ms = now_ms();
        kills += 1;
        inject_faults(&run.gateway, &mut random);
        fleet.0[victim].1 = run.spawn(Role::Worker);
        let restarted_ms = now_ms();
        // A statement the killed worker sent before it died (recording an answer, say) is still
        // carried out by its server process: its leases are read once that has landed.
        let location = run.location.clone();
        let leases = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            tokio::task::spawn_blocking(move || leases_of(&location, pid)).await.unwrap()
        });
        cut_offs.push((leases, killed_ms, restarted_ms));
        progress.push(run.progress());

        if db_kill_at.get(db_kills as usize) == Some(&kills) {
            if db_kills == 0 {
                for (_, issuer) in &mut fleet.0[..2] {
                    assert!(issuer.try_wait().unwrap().is_none(), "the issuers finished before the outage");
                }
            }
            let down_ms = now_ms();
            server.kill();
            db_kills += 1;
            let down = Duration::from_millis(2_000 + random.below(1_000));
            tokio::time::sleep(down).await;
            outage += down;
            fleet.assert_none_gave_up("while the database was away");
            server.restart();
            outages.push(Outage { down_ms, up_ms: now_ms() });
            progress.push("db".into());
        }
    }
    wait_all(&mut fleet.0, Duration::from_secs(60)).await;
    let mut cut_off_by_kills = Vec::new();
    for (leases, killed_ms, restarted_ms) in cut_offs {
        cut_off_by_kills.push(CutOff { uuids: leases.await.unwrap(), killed_ms, restarted_ms });
    }

    let documents = run.assert_exactly_once();
    let (cut, longest) = run.assert_cut_offs_resent(&cut_off_by_kills, &outages);
    assert!(cut > 0, "no kill cut a request off, so nothing was checked (seed {seed})");
    let resent = run.gateway.received().iter().filter(|r| matches!(r.status, Some(208 | 409))).count();
    eprintln!("PostgreSQL crash test: issued/final at each kill: {}", progress.join(" "));
    eprintln!(
        "PostgreSQL crash test: {documents} documents over {units} units, 2 workers and 2 issuers, \
         {kills} worker SIGKILLs, {db_kills} database SIGKILLs ({:.1} s down), {cut} requests cut \
         off and sent again at most {longest} ms after the restart, {resent} duplicates \
         answered, {:.1} s (seed {seed})",
        outage.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
