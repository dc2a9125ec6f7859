//! The PostgreSQL schema, versioned: `qayd_schema_version` holds the number of migrations
//! applied, and opening a store applies the missing ones in one transaction under an advisory
//! lock (keyed on the schema), so two processes opening a fresh database at once do not race.
//! Tables are created in the connection's current schema (the first of `search_path`).

use super::postgres_pool::storage;
use crate::error::{Error, Result};
use postgres::Client;

/// Migration `i` takes the schema from version `i` to `i + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE egs (
    id          TEXT PRIMARY KEY,
    next_icv    BIGINT NOT NULL,
    last_hash   TEXT NOT NULL,
    stopped     TEXT
);
CREATE TABLE documents (
    egs_id          TEXT NOT NULL REFERENCES egs(id),
    icv             BIGINT NOT NULL,
    uuid            TEXT NOT NULL UNIQUE,
    invoice_hash    TEXT NOT NULL,
    pih             TEXT NOT NULL,
    simplified      BOOLEAN NOT NULL,
    xml             BYTEA NOT NULL,
    issued_at       BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'submitting', 'cleared', 'reported',
                        'accepted_with_warnings', 'rejected', 'retry_scheduled', 'dead')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    last_error      TEXT,
    messages        TEXT,
    cleared_xml     BYTEA,
    finished_at     BIGINT,
    lease_owner     TEXT,
    lease_until     BIGINT,
    PRIMARY KEY (egs_id, icv)
);
CREATE INDEX documents_by_status ON documents (status, next_attempt_at);
-- The outbox head of a unit: its open documents in chain order.
CREATE INDEX documents_open ON documents (egs_id, icv)
    WHERE status IN ('pending', 'submitting', 'retry_scheduled');
CREATE TABLE credentials (
    egs_id                TEXT PRIMARY KEY REFERENCES egs(id),
    environment           TEXT NOT NULL,
    binary_security_token TEXT NOT NULL,
    sealed_private_key    BYTEA NOT NULL,
    sealed_secret         BYTEA NOT NULL,
    not_after             BIGINT NOT NULL
);
CREATE TABLE events (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    egs_id    TEXT NOT NULL,
    icv       BIGINT,
    data      TEXT NOT NULL,
    dedup_key TEXT UNIQUE
);
CREATE TABLE audit (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    content   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE FUNCTION qayd_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION qayd_audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION qayd_audit_append_only();
",
    "
-- 2: the unit's identity (the CSR values, JSON) kept with its credentials, for renewal.
ALTER TABLE credentials ADD COLUMN identity TEXT;
",
    "
-- 3: the outbox's due times and leases in milliseconds since the epoch (were whole seconds),
-- so a Retry-After is honoured to the millisecond. Each keeps its instant.
UPDATE documents SET next_attempt_at = next_attempt_at * 1000, lease_until = lease_until * 1000
    WHERE next_attempt_at IS NOT NULL OR lease_until IS NOT NULL;
COMMENT ON COLUMN documents.next_attempt_at IS 'milliseconds since the Unix epoch';
COMMENT ON COLUMN documents.lease_until IS 'milliseconds since the Unix epoch';
",
];

/// Brings the current schema up to the latest version (idempotent; safe from many processes).
pub(super) fn migrate(client: &mut Client) -> Result<()> {
    let mut transaction = client.transaction().map_err(storage)?;
    let schema: Option<String> =
        transaction.query_one("SELECT current_schema()", &[]).map_err(storage)?.get(0);
    let schema = schema.ok_or_else(|| {
        Error::Storage("PostgreSQL: no schema to create the tables in (check search_path)".into())
    })?;
    transaction
        .execute("SELECT pg_advisory_xact_lock(hashtextextended('qayd.schema:' || $1, 0))", &[&schema])
        .map_err(storage)?;
    transaction
        .batch_execute("CREATE TABLE IF NOT EXISTS qayd_schema_version (version INTEGER NOT NULL)")
        .map_err(storage)?;
    let version: Option<i32> = transaction
        .query_opt("SELECT version FROM qayd_schema_version", &[])
        .map_err(storage)?
        .map(|row| row.get(0));
    let current = version.unwrap_or(0).max(0) as usize;
    if current > MIGRATIONS.len() {
        return Err(Error::Storage(format!(
            "PostgreSQL: schema version {current} was written by a newer qayd (this one knows {})",
            MIGRATIONS.len()
        )));
    }
    for migration in &MIGRATIONS[current..] {
        transaction.batch_execute(migration).map_err(storage)?;
    }
    let latest = MIGRATIONS.len() as i32;
    if version.is_none() {
        transaction.execute("INSERT INTO qayd_schema_version (version) VALUES ($1)", &[&latest])
    } else {
        transaction.execute("UPDATE qayd_schema_version SET version = $1", &[&latest])
    }
    .map_err(storage)?;
    transaction.commit().map_err(storage)
}
