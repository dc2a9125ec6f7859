//! Engine state beyond submission, on SQLite (the scenarios are in `store_scenarios/state.rs`,
//! shared with the PostgreSQL store): sealed credentials (wrong master key → `SECRET`, nothing
//! lost), the hash-linked audit log (verifies; an edited row is detected; JSON-lines export),
//! B2C deadlines and certificate expiry events on a fixed clock, crash recovery of documents
//! left `submitting`, and leases.

mod engine_support;
mod store_scenarios;
mod store_support;

use store_scenarios::scenario_tests;

// These two look at the database file itself.
scenario_tests!(async state::{
    the_wrong_master_key_is_a_clear_secret_error_and_nothing_is_lost,
    the_audit_log_is_complete_redacted_and_tamper_evident,
} on store_support::file);

scenario_tests!(async state::{
    certificate_expiry_events_at_30_and_7_days_once_each,
    credentials_of_another_environment_are_never_sent,
} on store_support::memory);

scenario_tests!(sync state::{b2c_deadline_events_on_a_fixed_clock, leases_and_recovery} on store_support::memory);
