//! The store's behaviour, written once and run on every backend: each scenario takes the test's
//! [`Db`] and opens its stores there. `engine_state.rs`, `engine_outbox.rs` and `engine_chain.rs`
//! run them on SQLite, `store_postgres.rs` on PostgreSQL, through [`scenario_tests!`].
#![allow(dead_code)]

pub(crate) mod chain;
pub(crate) mod outbox;
pub(crate) mod renewal;
pub(crate) mod state;
pub(crate) mod timing;

use crate::engine_support::{engine_with, fast_config};
use crate::store_support::Db;
use qayd::engine::Engine;
use qayd::secrets::MasterKey;
use qayd_gateway::Gateway;

/// An engine on a new store of `db`, connected to the gateway, with `units` onboarded.
pub(crate) async fn engine_on(db: &Db, gateway: &Gateway, units: &[&str]) -> Engine {
    engine_with(gateway, db.open(), &MasterKey::generate().unwrap(), fast_config(), units).await
}

/// One `#[test]` (or multi-threaded `#[tokio::test]`) per named scenario, each on the database
/// `$db(test_name)` returns (`None`: skipped).
macro_rules! scenario_tests {
    (sync $module:ident::{$($name:ident),* $(,)?} on $db:path) => {
        $(
            #[test]
            fn $name() {
                let Some(db) = $db(stringify!($name)) else { return };
                store_scenarios::$module::$name(&db);
            }
        )*
    };
    (async $module:ident::{$($name:ident),* $(,)?} on $db:path) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = $db(stringify!($name)) else { return };
                store_scenarios::$module::$name(&db).await;
            }
        )*
    };
}
pub(crate) use scenario_tests;
