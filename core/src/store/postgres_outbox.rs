//! The PostgreSQL outbox, credentials, events and audit log (the [`crate::store::Store`] methods
//! beyond issuing). Each state change is one statement or one short transaction; the locking
//! rules are in the parent module's documentation.

use super::postgres_pool::storage;
use super::{PostgresStore, params, row_to_document};
use crate::error::Result;
use crate::store::{
    AUDIT_GENESIS, AttemptRecord, AuditLog, AuditRow, CredentialStore, EventLog, EventRow, Lease, Outbox,
    SealedCredentials, StoredDocument, SubmissionStatus, audit_link_hash,
};
use postgres::Row;

const CLAIM_HEAD: &str = "SELECT * FROM documents
    WHERE egs_id = $1 AND status IN ('pending', 'submitting', 'retry_scheduled')
    ORDER BY icv LIMIT 1 FOR UPDATE";
const TAKE_LEASE: &str = "UPDATE documents SET status = 'submitting', lease_owner = $3, lease_until = $4
    WHERE egs_id = $1 AND icv = $2";
const LOCK_EVENTS: &str = "LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE";
const INSERT_EVENT: &str = "INSERT INTO events (at, kind, egs_id, icv, data, dedup_key)
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedup_key) DO NOTHING RETURNING seq";
const LOCK_AUDIT: &str = "LOCK TABLE audit IN SHARE ROW EXCLUSIVE MODE";
const LAST_AUDIT: &str = "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1";
const INSERT_AUDIT: &str = "INSERT INTO audit (content, prev_hash, hash) VALUES ($1, $2, $3) RETURNING seq";

/// Simplified documents still owed a report, without their XML (listings).
const UNREPORTED: &str = "SELECT egs_id, icv, uuid, invoice_hash, pih, simplified, '\\x'::bytea AS xml,
        issued_at, status, attempts, next_attempt_at, last_error, messages, NULL::bytea AS cleared_xml,
        finished_at
    FROM documents
    WHERE status IN ('pending', 'submitting', 'retry_scheduled', 'dead') AND simplified AND issued_at <= $1
    ORDER BY issued_at, egs_id COLLATE \"C\", icv";

fn limit(limit: usize) -> i64 {
    limit.min(i64::MAX as usize) as i64
}

fn event_of(row: &Row) -> Result<EventRow> {
    Ok(EventRow {
        seq: row.try_get(0).map_err(storage)?,
        at: row.try_get(1).map_err(storage)?,
        kind: row.try_get(2).map_err(storage)?,
        egs_id: row.try_get(3).map_err(storage)?,
        icv: row.try_get::<_, Option<i64>>(4).map_err(storage)?.map(|i| i as u64),
        data: row.try_get(5).map_err(storage)?,
    })
}

fn audit_of(row: &Row) -> Result<AuditRow> {
    Ok(AuditRow {
        seq: row.try_get(0).map_err(storage)?,
        content: row.try_get(1).map_err(storage)?,
        prev_hash: row.try_get(2).map_err(storage)?,
        hash: row.try_get(3).map_err(storage)?,
    })
}

impl Outbox for PostgresStore {
    fn claim_next(&self, egs_id: &str, now_ms: i64, lease: &Lease) -> Result<Option<StoredDocument>> {
        let (egs_id, lease) = (egs_id.to_owned(), lease.clone());
        self.pool.run(move |connection| {
            let (client, statements) = connection.parts()?;
            let mut transaction = client.transaction().map_err(storage)?;
            // Waits for a concurrent claim of the same document, then sees its lease.
            let claim = statements.get(&mut transaction, CLAIM_HEAD)?;
            let Some(row) = transaction.query_opt(&claim, &[&egs_id]).map_err(storage)? else {
                return Ok(None);
            };
            let mut document = row_to_document(&row)?;
            let lease_until: Option<i64> = row.try_get("lease_until").map_err(storage)?;
            if !crate::store::is_due(&document, lease_until, now_ms) {
                return Ok(None);
            }
            let take = statements.get(&mut transaction, TAKE_LEASE)?;
            transaction
                .execute(&take, &[&egs_id, &(document.icv as i64), &lease.owner, &lease.until_ms])
                .map_err(storage)?;
            transaction.commit().map_err(storage)?;
            document.status = SubmissionStatus::Submitting;
            Ok(Some(document))
        })
    }

    fn record_attempt(&self, egs_id: &str, icv: u64, owner: &str, record: &AttemptRecord) -> Result<bool> {
        let finished = record.status.is_final().then_some(record.now);
        let changed = self.execute(
            "UPDATE documents SET status = $4, attempts = attempts + $5, next_attempt_at = $6,
                 last_error = $7, messages = COALESCE($8, messages),
                 cleared_xml = COALESCE($9, cleared_xml), finished_at = $10,
                 lease_owner = NULL, lease_until = NULL
             WHERE egs_id = $1 AND icv = $2 AND status = 'submitting' AND lease_owner = $3",
            params![
                egs_id.to_owned(),
                icv as i64,
                owner.to_owned(),
                record.status.as_str(),
                i64::from(record.count_attempt),
                record.next_attempt_at_ms,
                record.last_error.clone(),
                record.messages.clone(),
                record.cleared_xml.clone(),
                finished,
            ],
        )?;
        Ok(changed > 0)
    }

    fn renew_lease(&self, egs_id: &str, icv: u64, owner: &str, until_ms: i64) -> Result<bool> {
        let changed = self.execute(
            "UPDATE documents SET lease_until = GREATEST(COALESCE(lease_until, 0), $4)
             WHERE egs_id = $1 AND icv = $2 AND status = 'submitting' AND lease_owner = $3",
            params![egs_id.to_owned(), icv as i64, owner.to_owned(), until_ms],
        )?;
        Ok(changed > 0)
    }

    fn recover(&self, now_ms: i64) -> Result<usize> {
        let changed = self.execute(
            "UPDATE documents SET status = 'retry_scheduled', next_attempt_at = $1,
                 last_error = COALESCE(last_error, 'the sender stopped during the exchange; fate unknown'),
                 lease_owner = NULL, lease_until = NULL
             WHERE status = 'submitting' AND (lease_until IS NULL OR lease_until <= $1)",
            params![now_ms],
        )?;
        Ok(changed as usize)
    }

    fn documents_by_status(&self, status: SubmissionStatus, count: usize) -> Result<Vec<StoredDocument>> {
        self.query(
            "SELECT * FROM documents WHERE status = $1 ORDER BY issued_at, egs_id COLLATE \"C\", icv LIMIT $2",
            params![status.as_str(), limit(count)],
            row_to_document,
        )
    }

    fn status_counts(&self) -> Result<Vec<(SubmissionStatus, u64)>> {
        let rows = self.query(
            "SELECT status, COUNT(*) FROM documents GROUP BY status ORDER BY status COLLATE \"C\"",
            params![],
            |row| {
                Ok((
                    row.try_get::<_, String>(0).map_err(storage)?,
                    row.try_get::<_, i64>(1).map_err(storage)?,
                ))
            },
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|(status, count)| SubmissionStatus::parse(&status).map(|s| (s, count as u64)))
            .collect())
    }

    fn next_due_ms(&self) -> Result<Option<i64>> {
        let rows = self.query(
            "SELECT MIN(at) FROM (
                 SELECT MIN(next_attempt_at) AS at FROM documents WHERE status = 'retry_scheduled'
                 UNION ALL SELECT MIN(lease_until) FROM documents WHERE status = 'submitting') AS due",
            params![],
            |row| row.try_get::<_, Option<i64>>(0).map_err(storage),
        )?;
        Ok(rows.into_iter().next().flatten())
    }

    fn unreported_simplified(&self, issued_before: i64) -> Result<Vec<StoredDocument>> {
        self.query(UNREPORTED, params![issued_before], row_to_document)
    }

    fn requeue(&self, egs_id: &str, icv: u64, now_ms: i64) -> Result<bool> {
        let changed = self.execute(
            "UPDATE documents SET status = 'retry_scheduled', attempts = 0, next_attempt_at = $3,
                 finished_at = NULL
             WHERE egs_id = $1 AND icv = $2 AND status = 'dead'",
            params![egs_id.to_owned(), icv as i64, now_ms],
        )?;
        Ok(changed > 0)
    }

    fn set_stopped(&self, egs_id: &str, reason: Option<&str>) -> Result<()> {
        self.execute(
            "UPDATE egs SET stopped = $2 WHERE id = $1",
            params![egs_id.to_owned(), reason.map(str::to_owned)],
        )?;
        Ok(())
    }

    fn stopped(&self, egs_id: &str) -> Result<Option<String>> {
        Ok(self
            .query("SELECT stopped FROM egs WHERE id = $1", params![egs_id.to_owned()], |row| {
                row.try_get::<_, Option<String>>(0).map_err(storage)
            })?
            .pop()
            .flatten())
    }
}

impl CredentialStore for PostgresStore {
    fn put_credentials(&self, egs_id: &str, credentials: &SealedCredentials) -> Result<()> {
        self.execute(
            "INSERT INTO credentials
                 (egs_id, environment, binary_security_token, sealed_private_key, sealed_secret, not_after,
                  identity)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (egs_id) DO UPDATE SET environment = EXCLUDED.environment,
                 binary_security_token = EXCLUDED.binary_security_token,
                 sealed_private_key = EXCLUDED.sealed_private_key,
                 sealed_secret = EXCLUDED.sealed_secret, not_after = EXCLUDED.not_after,
                 identity = EXCLUDED.identity",
            params![
                egs_id.to_owned(),
                credentials.environment.clone(),
                credentials.binary_security_token.clone(),
                credentials.sealed_private_key.clone(),
                credentials.sealed_secret.clone(),
                credentials.not_after,
                credentials.identity.clone(),
            ],
        )?;
        Ok(())
    }

    fn credentials(&self, egs_id: &str) -> Result<Option<SealedCredentials>> {
        Ok(self
            .query(
                "SELECT environment, binary_security_token, sealed_private_key, sealed_secret, not_after,
                        identity
                 FROM credentials WHERE egs_id = $1",
                params![egs_id.to_owned()],
                |row| {
                    Ok(SealedCredentials {
                        environment: row.try_get(0).map_err(storage)?,
                        binary_security_token: row.try_get(1).map_err(storage)?,
                        sealed_private_key: row.try_get(2).map_err(storage)?,
                        sealed_secret: row.try_get(3).map_err(storage)?,
                        not_after: row.try_get(4).map_err(storage)?,
                        identity: row.try_get(5).map_err(storage)?,
                    })
                },
            )?
            .pop())
    }
}

impl EventLog for PostgresStore {
    fn push_event(
        &self,
        at: i64,
        kind: &str,
        egs_id: &str,
        icv: Option<u64>,
        data: &str,
        dedup_key: Option<&str>,
    ) -> Result<Option<i64>> {
        let (kind, egs_id, data) = (kind.to_owned(), egs_id.to_owned(), data.to_owned());
        let (icv, dedup_key) = (icv.map(|i| i as i64), dedup_key.map(str::to_owned));
        self.pool.run(move |connection| {
            let (client, statements) = connection.parts()?;
            let mut transaction = client.transaction().map_err(storage)?;
            transaction.batch_execute(LOCK_EVENTS).map_err(storage)?;
            let insert = statements.get(&mut transaction, INSERT_EVENT)?;
            let row = transaction
                .query_opt(&insert, &[&at, &kind, &egs_id, &icv, &data, &dedup_key])
                .map_err(storage)?;
            let seq = row.map(|row| row.try_get::<_, i64>(0)).transpose().map_err(storage)?;
            transaction.commit().map_err(storage)?;
            Ok(seq)
        })
    }

    fn events_since(&self, cursor: i64, count: usize) -> Result<Vec<EventRow>> {
        self.query(
            "SELECT seq, at, kind, egs_id, icv, data FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
            params![cursor, limit(count)],
            event_of,
        )
    }
}

impl AuditLog for PostgresStore {
    fn append_audit(&self, content: &str) -> Result<AuditRow> {
        let content = content.to_owned();
        self.pool.run(move |connection| {
            let (client, statements) = connection.parts()?;
            let mut transaction = client.transaction().map_err(storage)?;
            // One appender at a time: the row read here is the last one when this one commits.
            transaction.batch_execute(LOCK_AUDIT).map_err(storage)?;
            let last = statements.get(&mut transaction, LAST_AUDIT)?;
            let prev_hash = match transaction.query_opt(&last, &[]).map_err(storage)? {
                Some(row) => row.try_get::<_, String>(0).map_err(storage)?,
                None => AUDIT_GENESIS.to_owned(),
            };
            let hash = audit_link_hash(&prev_hash, &content);
            let insert = statements.get(&mut transaction, INSERT_AUDIT)?;
            let seq: i64 = transaction
                .query_one(&insert, &[&content, &prev_hash, &hash])
                .map_err(storage)?
                .try_get(0)
                .map_err(storage)?;
            transaction.commit().map_err(storage)?;
            Ok(AuditRow { seq, content, prev_hash, hash })
        })
    }

    fn audit_rows(&self, after: i64, count: usize) -> Result<Vec<AuditRow>> {
        self.query(
            "SELECT seq, content, prev_hash, hash FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
            params![after, limit(count)],
            audit_of,
        )
    }
}
