//! The durable outbox against the local gateway on 127.0.0.1, on SQLite (the scenarios are in
//! `store_scenarios/outbox.rs`, shared with the PostgreSQL store): happy paths (B2C reported, B2B
//! cleared), faults retried with the identical bytes, a timeout after acceptance resolved as a
//! duplicate, rejection kept in the chain, dead letters, unauthorised units, the background
//! runner and its shutdown.

mod engine_support;
mod store_scenarios;
mod store_support;

use store_scenarios::scenario_tests;

scenario_tests!(async outbox::{
    happy_path_b2c_reported_and_b2b_cleared,
    faults_are_retried_with_the_identical_bytes,
    a_timeout_after_acceptance_is_resolved_as_a_duplicate_exactly_once,
    a_rejected_document_stays_in_the_chain,
    attempts_exhausted_make_a_dead_letter,
    unauthorized_stops_the_unit_until_resumed,
    clear_returns_pending_when_zatca_is_down_and_the_engine_keeps_trying,
    issuing_never_waits_for_a_document_with_an_unknown_fate,
    a_cleared_document_that_is_not_ours_is_refused_and_a_413_is_not_resent,
    retry_after_is_never_early,
    a_due_retry_does_not_wait_for_another_units_request,
    a_dead_senders_lease_is_taken_over_in_seconds_and_a_live_ones_never,
} on store_support::memory);
