//! The submission worker: [`Engine::drain`] (one pass, cron-style) and [`Engine::run`] (in the
//! background until shut down).
//!
//! **Order.** Per EGS unit, documents are sent strictly in chain order, one at a time: the
//! lowest-ICV document not yet final is the only one sent; while it waits for a retry, later
//! documents stay `pending` (they are already stamped, stored and chained — issuing never waits
//! for the network). ZATCA accepts out-of-order submission, but the platform (and the local
//! gateway) checks that each examined document's PIH is the previous examined one's hash, and a
//! strict order keeps the platform's view of the chain identical to ours; documents that are
//! final (accepted, rejected, dead) no longer hold the line. Units run concurrently.
//!
//! **Resends** are the identical request: the body is rebuilt from the stored hash, UUID and XML
//! bytes, so it is byte-for-byte the same.

use super::Engine;
use crate::api::{Client, InvoiceSubmission};
use crate::error::{Error, Result};
use crate::store::{Lease, SubmissionStatus};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use std::time::Duration;
use tokio::sync::watch;

/// What a drain pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DrainSummary {
    /// Requests sent.
    pub sent: u64,
    pub cleared: u64,
    pub reported: u64,
    pub accepted_with_warnings: u64,
    /// Of the accepted ones, how many were answered "duplicate" (sent before).
    pub duplicates: u64,
    pub rejected: u64,
    pub retry_scheduled: u64,
    pub dead: u64,
    /// Units skipped because they are stopped (unauthorized).
    pub stopped_units: Vec<String>,
    /// Units skipped because their credentials belong to another environment than the
    /// engine's (another engine, connected there, sends them).
    pub other_environment_units: Vec<String>,
    /// Units that could not be processed (e.g. `SECRET`: wrong master key); nothing changed.
    pub errors: Vec<(String, Error)>,
}

impl DrainSummary {
    /// Adds another pass's counts (several passes, several environments).
    pub fn add(&mut self, other: DrainSummary) {
        self.sent += other.sent;
        self.cleared += other.cleared;
        self.reported += other.reported;
        self.accepted_with_warnings += other.accepted_with_warnings;
        self.duplicates += other.duplicates;
        self.rejected += other.rejected;
        self.retry_scheduled += other.retry_scheduled;
        self.dead += other.dead;
        self.stopped_units.extend(other.stopped_units);
        self.other_environment_units.extend(other.other_environment_units);
        self.errors.extend(other.errors);
    }

    /// Adds one unit's drain: its counts, or its error.
    fn add_unit(&mut self, egs_id: String, result: Result<DrainSummary>) {
        match result {
            Ok(unit) => self.add(unit),
            Err(error) => self.errors.push((egs_id, error)),
        }
    }

    fn count(&mut self, status: SubmissionStatus, duplicate: bool) {
        match status {
            SubmissionStatus::Cleared => self.cleared += 1,
            SubmissionStatus::Reported => self.reported += 1,
            SubmissionStatus::AcceptedWithWarnings => self.accepted_with_warnings += 1,
            SubmissionStatus::Rejected => self.rejected += 1,
            SubmissionStatus::RetryScheduled => self.retry_scheduled += 1,
            SubmissionStatus::Dead => self.dead += 1,
            SubmissionStatus::Pending | SubmissionStatus::Submitting => {}
        }
        if duplicate {
            self.duplicates += 1;
        }
    }
}

/// Writes an accepted document into the delivery folder as `NNNNNN-<uuid>.xml` (and, when
/// asked, its PDF beside it), whole or not at all: written under a temporary name, then renamed,
/// so a program watching the folder (an ERP's pickup) never reads half a file. The PDF comes
/// first, so the XML's arrival means both are there.
fn deliver(
    dir: &std::path::Path,
    document: &crate::store::StoredDocument,
    xml: &[u8],
    with_pdf: bool,
) -> Result<()> {
    let stem = format!("{:06}-{}", document.icv, document.uuid);
    if with_pdf {
        deliver_file(dir, &format!("{stem}.pdf"), &readable(xml)?)?;
    }
    deliver_file(dir, &format!("{stem}.xml"), xml)
}

fn deliver_file(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Result<()> {
    let failed = |e: std::io::Error| Error::Storage(format!("delivering {name} to {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(failed)?;
    let partial = dir.join(format!(".{name}.part"));
    std::fs::write(&partial, bytes).map_err(failed)?;
    std::fs::rename(&partial, dir.join(name)).map_err(failed)
}

#[cfg(feature = "pdf")]
fn readable(xml: &[u8]) -> Result<Vec<u8>> {
    crate::pdf::render(xml, &crate::pdf::PdfOptions::default())
}

#[cfg(not(feature = "pdf"))]
fn readable(_xml: &[u8]) -> Result<Vec<u8>> {
    Err(Error::InvalidInput("deliver_pdf needs a build with the `pdf` feature".into()))
}

/// A lease's length in the store's milliseconds: at least a second (a shorter one would expire
/// before the sender's first heartbeat).
fn lease_ms(lease: Duration) -> i64 {
    i64::try_from(lease.max(Duration::from_secs(1)).as_millis()).unwrap_or(i64::MAX / 2)
}

/// What [`Engine::run`] has been doing: errors of a pass do not stop the worker (they are
/// retried on the next pass), so they are kept here for the caller to watch.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct WorkerHealth {
    /// Passes completed since the engine was created.
    pub passes: u64,
    /// When the last pass ended (seconds since the Unix epoch).
    pub last_pass_at: Option<i64>,
    /// Passes in a row that ended with an error (0 when the last one was clean).
    pub consecutive_failures: u64,
    /// The last error: (`code`, message, unit if it concerned one).
    pub last_error: Option<WorkerError>,
    /// Since the engine was created: requests sent (every attempt), answers that scheduled a
    /// retry, documents accepted (cleared, reported, with warnings, duplicates), rejected, dead.
    pub requests_sent: u64,
    pub retries_scheduled: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub dead_letters: u64,
}

/// One error the worker met.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct WorkerError {
    pub at: i64,
    pub code: String,
    pub message: String,
    pub egs_id: Option<String>,
}

/// Stops [`Engine::run`] gracefully: in-flight requests finish and are recorded, nothing new
/// is claimed.
#[derive(Clone, Debug)]
pub struct ShutdownTrigger(watch::Sender<bool>);

impl ShutdownTrigger {
    pub fn trigger(&self) {
        let _ = self.0.send(true);
    }
}

/// The receiving side of a [`ShutdownTrigger`].
#[derive(Clone, Debug)]
pub struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    pub fn is_triggered(&self) -> bool {
        *self.0.borrow()
    }
    async fn triggered(&mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}

/// A trigger and the signal it sets.
pub fn shutdown_signal() -> (ShutdownTrigger, Shutdown) {
    let (sender, receiver) = watch::channel(false);
    (ShutdownTrigger(sender), Shutdown(receiver))
}

impl Engine {
    /// Connects the engine to `environment` (the API client, with the audit log as its
    /// exchange hook). Stored credentials of another environment are refused per request.
    pub fn connect(mut self, environment: crate::csr::Environment) -> Result<Self> {
        let hook = super::audit_log::AuditHook::new(self.store.clone(), self.clock.clone());
        let client = Client::with_config(environment, self.config.client.clone())?.with_hook(hook);
        self.client = Some(client);
        Ok(self)
    }

    pub fn client(&self) -> Result<&Client> {
        self.client
            .as_ref()
            .ok_or_else(|| Error::InvalidInput("the engine is not connected (Engine::connect)".into()))
    }

    /// One pass: raises due deadline/certificate events, then submits everything due now for
    /// every unit (units concurrently, each in chain order) and returns what happened.
    pub async fn drain(&self) -> Result<DrainSummary> {
        self.drain_with(None).await
    }

    async fn drain_with(&self, shutdown: Option<Shutdown>) -> Result<DrainSummary> {
        self.client()?;
        let mut units = Units::default();
        self.start_units(&mut units, self.store.egs_ids()?, shutdown.as_ref())?;
        let mut summary = DrainSummary::default();
        while let Some((_, egs_id, result)) = units.next_done().await {
            summary.add_unit(egs_id, result);
        }
        Ok(summary)
    }

    /// Raises due deadline/certificate events (every pass of [`Engine::drain`]; at most once
    /// per [`sweep_interval`](super::EngineConfig::sweep_interval) in the background), then
    /// starts draining each of `egs_ids` that is not draining already.
    fn start_units(
        &self,
        units: &mut Units,
        egs_ids: Vec<String>,
        shutdown: Option<&Shutdown>,
    ) -> Result<u64> {
        let now = self.clock.now_unix();
        let last = self.last_sweep.load(std::sync::atomic::Ordering::Relaxed);
        if shutdown.is_none() || now.saturating_sub(last) >= self.config.sweep_interval.as_secs() as i64 {
            self.last_sweep.store(now, std::sync::atomic::Ordering::Relaxed);
            self.sweep()?;
        }
        units.round += 1;
        let mut started = 0;
        for egs_id in egs_ids {
            if units.draining.values().any(|(_, unit)| *unit == egs_id) {
                continue;
            }
            let engine = self.clone();
            let shutdown = shutdown.cloned();
            let unit = egs_id.clone();
            let task = units.tasks.spawn(async move { engine.drain_egs(&unit, shutdown.as_ref()).await });
            units.draining.insert(task.id(), (units.round, egs_id));
            started += 1;
        }
        Ok(started)
    }

    /// Submits the unit's due documents in chain order until one must wait (retry scheduled,
    /// unit stopped) or none is left.
    pub async fn drain_egs(&self, egs_id: &str, shutdown: Option<&Shutdown>) -> Result<DrainSummary> {
        let mut summary = DrainSummary::default();
        if self.store.stopped(egs_id)?.is_some() {
            summary.stopped_units.push(egs_id.to_owned());
            return Ok(summary);
        }
        if self.store.credentials(egs_id)?.is_none() {
            return Ok(summary);
        }
        let unlocked = self.unlock(egs_id)?;
        let client = self.client()?;
        if &unlocked.environment != client.environment() {
            // A store may hold units of several environments (simulation and core, say); each
            // engine sends only its own environment's units and leaves the others untouched.
            summary.other_environment_units.push(egs_id.to_owned());
            return Ok(summary);
        }
        loop {
            if shutdown.is_some_and(Shutdown::is_triggered) {
                break;
            }
            // Milliseconds: a retry is claimed the moment it falls due, not a second later.
            let now_ms = self.clock.now_millis();
            let lease = Lease {
                owner: self.worker_id.to_string(),
                until_ms: now_ms.saturating_add(lease_ms(self.config.lease)),
            };
            let Some(document) = self.store.claim_next(egs_id, now_ms, &lease)? else { break };
            let submission = InvoiceSubmission {
                invoice_hash: document.invoice_hash.clone(),
                uuid: document.uuid.clone(),
                invoice: B64.encode(&document.xml),
            };
            let send = async {
                if document.simplified {
                    client.reporting(&unlocked.credentials, &submission).await
                } else {
                    client.clearance(&unlocked.credentials, &submission).await
                }
            };
            let answer = self.with_heartbeat(egs_id, document.icv, &lease.owner, send).await;
            summary.sent += 1;
            let classified = self.classify(&document, answer);
            let status = classified.record.status;
            let recorded =
                self.store.record_attempt(egs_id, document.icv, &lease.owner, &classified.record)?;
            if !recorded {
                // Another worker took the document over (our lease expired); its answer counts.
                break;
            }
            summary.count(status, classified.duplicate);
            if let Some(dir) = &self.config.deliver_dir
                && matches!(
                    status,
                    SubmissionStatus::Cleared
                        | SubmissionStatus::Reported
                        | SubmissionStatus::AcceptedWithWarnings
                )
            {
                // The document to hand on: ZATCA's cleared XML for B2B, the stamped one for B2C.
                let xml = classified.record.cleared_xml.as_deref().unwrap_or(&document.xml);
                if let Err(error) = deliver(dir, &document, xml, self.config.deliver_pdf) {
                    // Accepted all the same; `documents export` hands it out again.
                    summary.errors.push((egs_id.to_owned(), error));
                }
            }
            if let Some(reason) = &classified.stop_unit {
                self.store.set_stopped(egs_id, Some(reason))?;
            }
            if let Some((kind, data)) = classified.event {
                self.emit(kind, egs_id, Some(document.icv), data, None)?;
            }
            if classified.stop_unit.is_some() {
                summary.stopped_units.push(egs_id.to_owned());
                break;
            }
            if status == SubmissionStatus::RetryScheduled {
                break;
            }
        }
        Ok(summary)
    }

    /// Runs `send` while renewing the lease on the document every third of a lease: a live
    /// sender's lease never runs out however long the platform takes, and a killed sender's
    /// runs out within one lease, after which any worker takes the document over
    /// ([`EngineConfig::lease`](super::EngineConfig::lease)).
    async fn with_heartbeat<T>(
        &self,
        egs_id: &str,
        icv: u64,
        owner: &str,
        send: impl Future<Output = T>,
    ) -> T {
        let lease = self.config.lease.max(Duration::from_secs(1));
        let beat = lease / 3;
        tokio::pin!(send);
        loop {
            tokio::select! {
                answer = &mut send => return answer,
                _ = tokio::time::sleep(beat) => {
                    let until = self.clock.now_millis().saturating_add(lease_ms(lease));
                    // A failed renewal (the database away) is not fatal: the answer is
                    // recorded only if this sender still holds the lease.
                    let _ = self.store.renew_lease(egs_id, icv, owner, until);
                }
            }
        }
    }

    /// What the background worker has been doing (its passes and the last error).
    pub fn worker_health(&self) -> WorkerHealth {
        self.health.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn record_pass(&self, pass: Result<DrainSummary>) {
        let at = self.clock.now_unix();
        let error = match &pass {
            Err(e) => Some(WorkerError { at, code: e.code().into(), message: e.to_string(), egs_id: None }),
            Ok(summary) => summary.errors.first().map(|(egs_id, e)| WorkerError {
                at,
                code: e.code().into(),
                message: e.to_string(),
                egs_id: Some(egs_id.clone()),
            }),
        };
        let mut health = self.health.lock().unwrap_or_else(|e| e.into_inner());
        if let Ok(summary) = &pass {
            health.requests_sent += summary.sent;
            health.retries_scheduled += summary.retry_scheduled;
            health.accepted += summary.cleared + summary.reported + summary.accepted_with_warnings;
            health.rejected += summary.rejected;
            health.dead_letters += summary.dead;
        }
        health.passes += 1;
        health.last_pass_at = Some(at);
        match error {
            Some(error) => {
                health.consecutive_failures += 1;
                health.last_error = Some(error);
            }
            None => health.consecutive_failures = 0,
        }
    }

    /// Runs until `shutdown` is triggered. Each unit drains on its own, so a unit whose next
    /// document falls due (a retry, a killed sender's lease running out) is sent at once, not
    /// after the busiest unit's backlog. The units are looked at again when a document is
    /// issued, when the next retry or lease falls due (to the millisecond), or after the poll
    /// interval; a unit still draining is left to its task. The units started together make a
    /// pass, recorded in [`Engine::worker_health`] when the last of them is done. Errors (a
    /// storage hiccup, a locked secret) do not stop the loop; the units are tried again at the
    /// next look, and the errors kept in the health for the caller to watch.
    pub async fn run(&self, mut shutdown: Shutdown) -> Result<()> {
        self.client()?;
        let mut units = Units::default();
        let mut passes: std::collections::HashMap<u64, (u64, DrainSummary)> = Default::default();
        let mut look = true;
        while !shutdown.is_triggered() {
            if look {
                look = false;
                let started =
                    self.store.egs_ids().and_then(|ids| self.start_units(&mut units, ids, Some(&shutdown)));
                match started {
                    Ok(0) => {}
                    Ok(count) => {
                        passes.insert(units.round, (count, DrainSummary::default()));
                    }
                    Err(error) => self.record_pass(Err(error)),
                }
            }
            let mut wait = self.config.poll_interval;
            if let Ok(Some(due)) = self.store.next_due_ms() {
                // To the millisecond: waking a whole second late (or early, to spin) would not do.
                wait = wait.min(super::retry::until(due, self.clock.now_millis()));
            }
            if wait.is_zero() {
                wait = Duration::from_millis(50);
            }
            tokio::select! {
                _ = shutdown.triggered() => break,
                Some((round, egs_id, result)) = units.next_done() => {
                    self.unit_done(&mut passes, round, egs_id, result);
                }
                _ = self.wake.notified() => look = true,
                _ = tokio::time::sleep(wait) => look = true,
            }
        }
        // In-flight requests finish and are recorded; nothing new is claimed.
        while let Some((round, egs_id, result)) = units.next_done().await {
            self.unit_done(&mut passes, round, egs_id, result);
        }
        Ok(())
    }

    /// Adds a unit's drain to its pass, and records the pass once its last unit is done.
    fn unit_done(
        &self,
        passes: &mut std::collections::HashMap<u64, (u64, DrainSummary)>,
        round: u64,
        egs_id: String,
        result: Result<DrainSummary>,
    ) {
        let Some((left, summary)) = passes.get_mut(&round) else { return };
        summary.add_unit(egs_id, result);
        *left -= 1;
        if *left == 0
            && let Some((_, summary)) = passes.remove(&round)
        {
            self.record_pass(Ok(summary));
        }
    }
}

/// The units being drained: one task each, never two for one unit.
#[derive(Default)]
struct Units {
    tasks: tokio::task::JoinSet<Result<DrainSummary>>,
    /// Each task's pass (the round that started it) and unit.
    draining: std::collections::HashMap<tokio::task::Id, (u64, String)>,
    round: u64,
}

impl Units {
    /// The next unit done: its pass, its name and what it did (a panic as an error). `None`
    /// when none is draining.
    async fn next_done(&mut self) -> Option<(u64, String, Result<DrainSummary>)> {
        let (id, result) = match self.tasks.join_next_with_id().await? {
            Ok((id, result)) => (id, result),
            Err(failure) => (failure.id(), Err(Error::Storage(format!("worker task failed: {failure}")))),
        };
        let (round, egs_id) = self.draining.remove(&id).unwrap_or_default();
        Some((round, egs_id, result))
    }
}
