//! The crash test of the durable engine. The parent starts the local gateway (with injected
//! faults), onboards N EGS units and stores their sealed credentials in a SQLite file; then it
//! runs a child process (this test binary again, `crash_worker`) that issues a workload over the
//! units and submits it with the background runner, SIGKILLs it at random moments at least 20
//! times, restarting it each time, and finally lets it finish. Then it checks: every document
//! accepted exactly once by the gateway, ICVs contiguous per unit, the PIH chain valid end to
//! end, nothing lost, the audit log intact.
//!
//! Size: `QAYD_CRASH_DOCS` (default 2000) over `QAYD_CRASH_UNITS` (default 20), at least
//! `QAYD_CRASH_KILLS` (default 20) kills; `QAYD_CRASH_SEED` replays a run.

mod engine_support;

use engine_support::*;
use qayd::engine::{Engine, EngineConfig, RetryPolicy};
use qayd::secrets::MasterKey;
use qayd::store::{Outbox, SqliteStore, Store, SubmissionStatus};
use qayd::{Environment, GENESIS_PIH};
use qayd_gateway::Fault;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DB: &str = "QAYD_CRASH_DB";
const KEY: &str = "QAYD_CRASH_KEY";
const URL: &str = "QAYD_CRASH_URL";
const PER_UNIT: &str = "QAYD_CRASH_PER_UNIT";

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn unit_name(i: u64) -> String {
    format!("egs-{i:02}")
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

fn worker_config() -> EngineConfig {
    EngineConfig {
        // Never dead in this test: every document must end accepted.
        retry: RetryPolicy {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(2),
            max_attempts: 10_000,
            jitter: true,
        },
        client: qayd::api::ClientConfig { timeout: Duration::from_secs(2), ..Default::default() },
        lease: Duration::from_secs(10),
        poll_interval: Duration::from_millis(200),
        ..Default::default()
    }
}

/// The child: issue the rest of the workload (every 10th document B2B), submit everything
/// with the runner, exit when all is final. Does nothing when run directly.
#[test]
#[ignore = "the crash test's child process, started by crash_kill_restart_exactly_once"]
fn crash_worker() {
    let Some(db) = std::env::var_os(DB) else { return };
    let key = MasterKey::from_base64(&std::env::var(KEY).unwrap()).unwrap();
    let url = std::env::var(URL).unwrap();
    let per_unit = setting(PER_UNIT, 100);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async move {
        let engine = Engine::new(Arc::new(SqliteStore::open(&db).unwrap()))
            .with_config(worker_config())
            .with_master_key(key)
            .connect(Environment::Custom(url))
            .unwrap();
        // Whatever the previous (killed) process left `submitting` has an unknown fate.
        engine.recover().unwrap();
        let (trigger, signal) = qayd::engine::worker::shutdown_signal();
        let runner = {
            let engine = engine.clone();
            tokio::spawn(async move { engine.run(signal).await })
        };
        let issuer = {
            let engine = engine.clone();
            tokio::task::spawn_blocking(move || {
                let units = engine.store().egs_ids().unwrap();
                loop {
                    let mut issued_any = false;
                    for unit in &units {
                        let issued = engine.store().chain_head(unit).unwrap().next_icv - 1;
                        if issued < per_unit {
                            let invoice = if (issued + 1) % 10 == 0 { standard() } else { simplified() };
                            engine.issue_invoice(unit, &invoice).unwrap();
                            issued_any = true;
                        }
                    }
                    if !issued_any {
                        break;
                    }
                }
            })
        };
        issuer.await.unwrap();
        loop {
            let open = engine
                .store()
                .status_counts()
                .unwrap()
                .iter()
                .filter(|(s, _)| !s.is_final())
                .map(|(_, n)| n)
                .sum::<u64>();
            if open == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        trigger.trigger();
        runner.await.unwrap().unwrap();
    });
}

fn spawn_child(db: &std::path::Path, key: &MasterKey, url: &str, per_unit: u64) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["crash_worker", "--exact", "--ignored", "--test-threads=1", "--quiet"])
        .env(DB, db)
        .env(KEY, key.to_base64())
        .env(URL, url)
        .env(PER_UNIT, per_unit.to_string())
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// A random fault or two for the next requests.
fn inject_faults(gateway: &qayd_gateway::Gateway, random: &mut Random) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_kill_restart_exactly_once() {
    let started = Instant::now();
    let total = setting("QAYD_CRASH_DOCS", 2000);
    let units = setting("QAYD_CRASH_UNITS", 20);
    let min_kills = setting("QAYD_CRASH_KILLS", 20);
    let seed = setting(
        "QAYD_CRASH_SEED",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1,
    );
    let per_unit = total / units;
    let mut random = Random(seed);
    eprintln!("crash test: {total} documents over {units} units, seed {seed}");

    let gateway = gateway().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("engine.sqlite");
    let key = MasterKey::generate().unwrap();
    {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db).unwrap());
        let names: Vec<String> = (0..units).map(unit_name).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        engine_with(&gateway, store, &key, worker_config(), &names).await;
    }
    gateway.clear_received();

    let mut kills = 0;
    let mut runs = 0;
    // Documents issued / final at each kill.
    let mut progress = Vec::new();
    let finished = 'runs: loop {
        runs += 1;
        inject_faults(&gateway, &mut random);
        let mut child = spawn_child(&db, &key, &gateway.base_url(), per_unit);
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
                    child.kill().unwrap(); // SIGKILL
                    child.wait().unwrap();
                    kills += 1;
                    let counts = SqliteStore::open(&db).unwrap().status_counts().unwrap();
                    let issued: u64 = counts.iter().map(|(_, n)| n).sum();
                    let done: u64 = counts.iter().filter(|(s, _)| s.is_final()).map(|(_, n)| n).sum();
                    progress.push(format!("{issued}/{done}"));
                }
            }
        }
    };
    assert!(finished.success(), "the worker failed: {finished:?}");
    assert!(kills >= min_kills, "only {kills} kills: the workload finished too early (seed {seed})");

    // The checks.
    let engine = Engine::new(Arc::new(SqliteStore::open(&db).unwrap())).with_master_key(key);
    let acceptances = gateway.acceptances();
    let mut documents = 0;
    for unit in (0..units).map(unit_name) {
        let chain = engine.store().documents(&unit).unwrap();
        assert_eq!(chain.len() as u64, per_unit, "{unit}: nothing lost, nothing extra");
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
    eprintln!("crash test: issued/final at each kill: {}", progress.join(" "));
    let resent = gateway.received().iter().filter(|r| matches!(r.status, Some(208 | 409))).count();
    eprintln!(
        "crash test: {documents} documents over {units} units, {kills} SIGKILLs in {runs} runs, \
         {resent} duplicates answered, {:.1} s (seed {seed})",
        started.elapsed().as_secs_f64()
    );
}
