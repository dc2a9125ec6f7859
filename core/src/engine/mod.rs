//! The EGS engine: issues documents through a [`Store`] so that every stamped document takes the
//! next counter value and chains to its predecessor, exactly once, whatever fails — and (with the
//! `api` feature) submits them from the store's durable outbox.
//!
//! ```text
//! issue ──► store (pending) ──► worker claims (submitting, leased) ──► ZATCA
//!                                   │ 200/208/409 ─► cleared | reported
//!                                   │ 202        ─► accepted_with_warnings
//!                                   │ 400        ─► rejected (stays in the chain)
//!                                   │ 5xx/429/timeout/dropped ─► retry_scheduled ─► … ─► dead
//!                                   │ 401        ─► retry_scheduled, EGS stopped (event)
//! killed while submitting ─► recover() ─► retry_scheduled (resend the identical bytes)
//! ```
//!
//! Modules: [`retry`] (backoff), [`events`] (the typed event stream), [`credentials`] (sealed
//! CSIDs and keys), [`deadlines`] (B2C 24 h reporting, certificate expiry), and with `api`:
//! [`worker`] (drain / run), `outcome` (answer → document state), [`clear`] (B2B clearance with
//! a wait), [`audit`] (hash-linked log).

#[cfg(feature = "api")]
pub mod audit;
#[cfg(feature = "api")]
pub mod clear;
pub mod credentials;
pub mod deadlines;
pub mod events;
#[cfg(feature = "api")]
mod outcome;
pub mod retry;
#[cfg(feature = "api")]
pub mod worker;

use crate::clock::{Clock, SystemClock, riyadh_timestamp};
use crate::crypto::Signer;
use crate::error::Result;
use crate::model::Invoice;
use crate::secrets::MasterKey;
use crate::stamp::StampOptions;
use crate::store::{NewDocument, Store, StoredDocument};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use events::{Event, EventKind};
pub use retry::RetryPolicy;

/// How the engine behaves. Every field has a sensible default.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub retry: RetryPolicy,
    /// How long [`Engine::clear`] waits for clearance before answering `Pending`. Default 10 s.
    pub clear_wait: Duration,
    /// B2C reporting deadline after issue. Default 24 h.
    pub reporting_deadline: Duration,
    /// Ages of an unreported simplified document that raise `deadline_at_risk`. Default 12 h
    /// and 20 h.
    pub deadline_warnings: Vec<Duration>,
    /// Days before certificate expiry that raise `certificate_expiring`. Default 30 and 7.
    pub certificate_warnings_days: Vec<i64>,
    /// How long a claim on a document lasts (it must exceed the client timeout). Default 120 s.
    pub lease: Duration,
    /// Longest sleep of [`Engine::run`] between passes. Default 5 s.
    pub poll_interval: Duration,
    /// How often [`Engine::run`] raises deadline and certificate events ([`Engine::sweep`]);
    /// [`Engine::drain`] always does. Default 60 s.
    pub sweep_interval: Duration,
    /// The API client's settings.
    #[cfg(feature = "api")]
    pub client: crate::api::ClientConfig,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            retry: RetryPolicy::default(),
            clear_wait: Duration::from_secs(10),
            reporting_deadline: Duration::from_secs(24 * 3600),
            deadline_warnings: vec![Duration::from_secs(12 * 3600), Duration::from_secs(20 * 3600)],
            certificate_warnings_days: vec![30, 7],
            lease: Duration::from_secs(120),
            poll_interval: Duration::from_secs(5),
            sweep_interval: Duration::from_secs(60),
            #[cfg(feature = "api")]
            client: crate::api::ClientConfig::default(),
        }
    }
}

/// Issues and tracks documents for any number of EGS units on one store. Cheap to clone (the
/// clones share everything).
#[derive(Clone)]
pub struct Engine {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: Arc<EngineConfig>,
    master_key: Option<Arc<MasterKey>>,
    unlocked: Arc<Mutex<HashMap<String, Arc<credentials::Unlocked>>>>,
    #[cfg(feature = "api")]
    client: Option<crate::api::Client>,
    #[cfg(feature = "api")]
    wake: Arc<tokio::sync::Notify>,
    /// This engine's name in leases.
    worker_id: Arc<str>,
    /// When the last sweep ran (engine clock), for [`EngineConfig::sweep_interval`].
    last_sweep: Arc<std::sync::atomic::AtomicI64>,
    /// What the background worker last did (see [`worker::WorkerHealth`]).
    #[cfg(feature = "api")]
    health: Arc<Mutex<worker::WorkerHealth>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("worker_id", &self.worker_id).field("config", &self.config).finish()
    }
}

impl Engine {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_clock(store, Arc::new(SystemClock))
    }

    /// An engine on an injected clock (tests, replays).
    pub fn with_clock(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        let mut id = [0u8; 6];
        let _ = getrandom::fill(&mut id);
        Engine {
            store,
            clock,
            config: Arc::new(EngineConfig::default()),
            master_key: None,
            unlocked: Arc::default(),
            #[cfg(feature = "api")]
            client: None,
            #[cfg(feature = "api")]
            wake: Arc::default(),
            worker_id: format!("{}-{}", std::process::id(), crate::crypto::hex(&id)).into(),
            last_sweep: Arc::new(std::sync::atomic::AtomicI64::new(i64::MIN)),
            #[cfg(feature = "api")]
            health: Arc::default(),
        }
    }

    /// Replaces the configuration (call before [`Engine::connect`]: the client uses it).
    pub fn with_config(mut self, config: EngineConfig) -> Self {
        self.config = Arc::new(config);
        self
    }

    /// The master key that seals and opens the stored credentials.
    pub fn with_master_key(mut self, key: MasterKey) -> Self {
        self.master_key = Some(Arc::new(key));
        self.unlocked.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Seconds since the Unix epoch, by the engine's clock.
    pub fn now(&self) -> i64 {
        self.clock.now_unix()
    }

    /// Creates the EGS unit's chain if it is new.
    pub fn register_egs(&self, egs_id: &str) -> Result<()> {
        self.store.register_egs(egs_id)
    }

    /// Issues `invoice` for `egs_id`: takes the next ICV and the PIH, writes, stamps and stores
    /// the document in one transaction. The invoice's own `icv` and `pih` are replaced. Never
    /// waits for the network: the document is `pending` in the outbox.
    pub fn issue(
        &self,
        egs_id: &str,
        signer: &Signer,
        invoice: &Invoice,
        options: &StampOptions,
    ) -> Result<StoredDocument> {
        let now = self.clock.now_unix();
        invoice.check_not_in_future(now)?;
        let document = self.store.issue(egs_id, now, &mut |icv, pih| {
            let mut invoice = invoice.clone();
            invoice.icv = icv;
            invoice.pih = pih.to_owned();
            let stamped = invoice.stamp(signer, options)?;
            Ok(NewDocument {
                uuid: stamped.uuid,
                invoice_hash: stamped.invoice_hash,
                simplified: invoice.kind == crate::model::InvoiceKind::Simplified,
                xml: stamped.xml,
            })
        })?;
        #[cfg(feature = "api")]
        self.wake.notify_one();
        Ok(document)
    }

    /// Issues `invoice` with the unit's stored credentials (see [`Engine::set_credentials`]),
    /// signing time now (Riyadh).
    pub fn issue_invoice(&self, egs_id: &str, invoice: &Invoice) -> Result<StoredDocument> {
        let unlocked = self.unlock(egs_id)?;
        let options = StampOptions { signing_time: Some(riyadh_timestamp(self.clock.now_unix())) };
        self.issue(egs_id, &unlocked.signer, invoice, &options)
    }

    /// Crash recovery at start-up: documents left `submitting` by a killed process go back to
    /// `retry_scheduled`, due now (their fate is unknown; resending the identical bytes is
    /// safe because a duplicate counts as accepted). Call it when no other worker is live on
    /// this store; otherwise leases expire on their own.
    pub fn recover(&self) -> Result<usize> {
        self.store.recover(self.clock.now_unix())
    }

    /// Sends a dead document again (attempts reset). `false` if it is not dead.
    pub fn requeue(&self, egs_id: &str, icv: u64) -> Result<bool> {
        let requeued = self.store.requeue(egs_id, icv, self.clock.now_unix())?;
        #[cfg(feature = "api")]
        self.wake.notify_one();
        Ok(requeued)
    }

    /// Lets a unit stopped by an `unauthorized` answer send again (also done by
    /// [`Engine::set_credentials`]).
    pub fn resume_egs(&self, egs_id: &str) -> Result<()> {
        self.store.set_stopped(egs_id, None)?;
        #[cfg(feature = "api")]
        self.wake.notify_one();
        Ok(())
    }
}
