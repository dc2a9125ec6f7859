//! The chain invariant on SQLite under concurrency (the scenarios are in
//! `store_scenarios/chain.rs`, shared with the PostgreSQL store): contiguous ICVs, every PIH the
//! hash of the previous document, nothing lost or duplicated — with many threads, many
//! connections and two processes on one SQLite file.

mod engine_support;
mod store_scenarios;
mod store_support;

use qayd::store::SqliteStore;
use store_scenarios::scenario_tests;

scenario_tests!(sync chain::{
    sequential_issue_builds_a_valid_chain,
    a_failed_stamp_reserves_nothing,
    a_batch_issues_what_one_by_one_would,
    a_batch_entry_refused_takes_no_icv,
    eight_threads_share_one_engine_across_units,
    issue_dates_follow_riyadh_time,
} on store_support::memory);

// A connection per thread, and a process each: on one file.
scenario_tests!(sync chain::{eight_threads_one_unit_no_fork_no_gap, two_processes_one_database} on store_support::file);

/// Run by `two_processes_one_database` in child processes; does nothing when run directly.
#[test]
#[ignore = "a worker for two_processes_one_database, started in a child process"]
fn worker_process() {
    store_scenarios::chain::worker_process();
}

#[cfg(unix)]
#[test]
fn database_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("egs.sqlite");
    SqliteStore::open(&path).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}
