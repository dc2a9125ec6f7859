//! The SQLite outbox, credentials, events and audit log (the [`super::Store`] methods beyond
//! issuing). Every state change is one statement or one `BEGIN IMMEDIATE` transaction, so
//! several processes on one file see each other's claims.

use super::sqlite::{LIGHT_COLUMNS, SqliteStore, row_to_document, storage};
use super::{
    AUDIT_GENESIS, AttemptRecord, AuditLog, AuditRow, CredentialStore, EventLog, EventRow, Lease, Outbox,
    SealedCredentials, StoredDocument, SubmissionStatus, audit_link_hash,
};
use crate::error::Result;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

/// Statuses still owed an answer by ZATCA.
/// The statuses after which nothing more is sent. The claim takes the first document *not* in
/// one of them, so a row whose status is damaged (unknown) becomes the unit's head and surfaces
/// as a `STORAGE` error for that unit, instead of being skipped and never sent.
const FINAL: &str = "('cleared', 'reported', 'accepted_with_warnings', 'rejected', 'dead')";

impl Outbox for SqliteStore {
    fn claim_next(&self, egs_id: &str, now_ms: i64, lease: &Lease) -> Result<Option<StoredDocument>> {
        let mut connection = self.lock();
        let transaction =
            connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
        let head = transaction
            .query_row(
                &format!(
                    "SELECT *, lease_until FROM documents WHERE egs_id = ?1 AND status NOT IN {FINAL} ORDER BY icv LIMIT 1"
                ),
                [egs_id],
                |row| Ok((row_to_document(row)?, row.get::<_, Option<i64>>("lease_until")?)),
            )
            .optional()
            .map_err(storage)?;
        let Some((mut document, lease_until)) = head else { return Ok(None) };
        if !super::is_due(&document, lease_until, now_ms) {
            return Ok(None);
        }
        transaction
            .execute(
                "UPDATE documents SET status = 'submitting', lease_owner = ?3, lease_until = ?4
                 WHERE egs_id = ?1 AND icv = ?2",
                params![egs_id, document.icv as i64, lease.owner, lease.until_ms],
            )
            .map_err(storage)?;
        transaction.commit().map_err(storage)?;
        document.status = SubmissionStatus::Submitting;
        Ok(Some(document))
    }

    fn record_attempt(&self, egs_id: &str, icv: u64, owner: &str, record: &AttemptRecord) -> Result<bool> {
        let finished = record.status.is_final().then_some(record.now);
        let changed = self
            .lock()
            .execute(
                "UPDATE documents SET status = ?4, attempts = attempts + ?5, next_attempt_at = ?6,
                     last_error = ?7, messages = COALESCE(?8, messages),
                     cleared_xml = COALESCE(?9, cleared_xml), finished_at = ?10,
                     lease_owner = NULL, lease_until = NULL
                 WHERE egs_id = ?1 AND icv = ?2 AND status = 'submitting' AND lease_owner = ?3",
                params![
                    egs_id,
                    icv as i64,
                    owner,
                    record.status.as_str(),
                    i64::from(record.count_attempt),
                    record.next_attempt_at_ms,
                    record.last_error,
                    record.messages,
                    record.cleared_xml,
                    finished
                ],
            )
            .map_err(storage)?;
        Ok(changed > 0)
    }

    fn renew_lease(&self, egs_id: &str, icv: u64, owner: &str, until_ms: i64) -> Result<bool> {
        let changed = self
            .lock()
            .execute(
                "UPDATE documents SET lease_until = MAX(COALESCE(lease_until, 0), ?4)
                 WHERE egs_id = ?1 AND icv = ?2 AND status = 'submitting' AND lease_owner = ?3",
                params![egs_id, icv as i64, owner, until_ms],
            )
            .map_err(storage)?;
        Ok(changed > 0)
    }

    fn recover(&self, now_ms: i64) -> Result<usize> {
        self.lock()
            .execute(
                "UPDATE documents SET status = 'retry_scheduled', next_attempt_at = ?1,
                     last_error = COALESCE(last_error, 'the sender stopped during the exchange; fate unknown'),
                     lease_owner = NULL, lease_until = NULL
                 WHERE status = 'submitting' AND (lease_until IS NULL OR lease_until <= ?1)",
                [now_ms],
            )
            .map_err(storage)
    }

    fn documents_by_status(&self, status: SubmissionStatus, limit: usize) -> Result<Vec<StoredDocument>> {
        let connection = self.lock();
        let mut statement = connection
            .prepare("SELECT * FROM documents WHERE status = ?1 ORDER BY issued_at, egs_id, icv LIMIT ?2")
            .map_err(storage)?;
        let rows = statement
            .query_map(params![status.as_str(), limit.min(i64::MAX as usize) as i64], row_to_document)
            .map_err(storage)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(storage)
    }

    fn status_counts(&self) -> Result<Vec<(SubmissionStatus, u64)>> {
        let connection = self.lock();
        let mut statement = connection
            .prepare("SELECT status, COUNT(*) FROM documents GROUP BY status ORDER BY status")
            .map_err(storage)?;
        let rows = statement
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64)))
            .map_err(storage)?;
        let mut counts = Vec::new();
        for row in rows {
            let (status, count) = row.map_err(storage)?;
            if let Some(status) = SubmissionStatus::parse(&status) {
                counts.push((status, count));
            }
        }
        Ok(counts)
    }

    fn next_due_ms(&self) -> Result<Option<i64>> {
        self.lock()
            .query_row(
                "SELECT MIN(at) FROM (
                     SELECT MIN(next_attempt_at) AS at FROM documents WHERE status = 'retry_scheduled'
                     UNION ALL SELECT MIN(lease_until) FROM documents WHERE status = 'submitting')",
                [],
                |row| row.get(0),
            )
            .map_err(storage)
    }

    fn unreported_simplified(&self, issued_before: i64) -> Result<Vec<StoredDocument>> {
        let connection = self.lock();
        let mut statement = connection
            .prepare(&format!(
                "SELECT {LIGHT_COLUMNS} FROM documents
                 WHERE status IN ('pending', 'submitting', 'retry_scheduled', 'dead')
                   AND simplified = 1 AND issued_at <= ?1
                 ORDER BY issued_at, egs_id, icv"
            ))
            .map_err(storage)?;
        let rows = statement.query_map([issued_before], row_to_document).map_err(storage)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(storage)
    }

    fn requeue(&self, egs_id: &str, icv: u64, now_ms: i64) -> Result<bool> {
        let changed = self
            .lock()
            .execute(
                "UPDATE documents SET status = 'retry_scheduled', attempts = 0, next_attempt_at = ?3,
                     finished_at = NULL
                 WHERE egs_id = ?1 AND icv = ?2 AND status = 'dead'",
                params![egs_id, icv as i64, now_ms],
            )
            .map_err(storage)?;
        Ok(changed > 0)
    }

    fn set_stopped(&self, egs_id: &str, reason: Option<&str>) -> Result<()> {
        self.lock()
            .execute("UPDATE egs SET stopped = ?2 WHERE id = ?1", params![egs_id, reason])
            .map_err(storage)?;
        Ok(())
    }

    fn stopped(&self, egs_id: &str) -> Result<Option<String>> {
        Ok(self
            .lock()
            .query_row("SELECT stopped FROM egs WHERE id = ?1", [egs_id], |row| row.get(0))
            .optional()
            .map_err(storage)?
            .flatten())
    }
}

impl CredentialStore for SqliteStore {
    fn put_credentials(&self, egs_id: &str, credentials: &SealedCredentials) -> Result<()> {
        self.lock()
            .execute(
                "INSERT OR REPLACE INTO credentials
                     (egs_id, environment, binary_security_token, sealed_private_key, sealed_secret,
                      not_after, identity)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    egs_id,
                    credentials.environment,
                    credentials.binary_security_token,
                    credentials.sealed_private_key,
                    credentials.sealed_secret,
                    credentials.not_after,
                    credentials.identity
                ],
            )
            .map_err(storage)?;
        Ok(())
    }

    fn credentials(&self, egs_id: &str) -> Result<Option<SealedCredentials>> {
        self.lock()
            .query_row(
                "SELECT environment, binary_security_token, sealed_private_key, sealed_secret, not_after,
                        identity
                 FROM credentials WHERE egs_id = ?1",
                [egs_id],
                |row| {
                    Ok(SealedCredentials {
                        environment: row.get(0)?,
                        binary_security_token: row.get(1)?,
                        sealed_private_key: row.get(2)?,
                        sealed_secret: row.get(3)?,
                        not_after: row.get(4)?,
                        identity: row.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(storage)
    }
}

impl EventLog for SqliteStore {
    fn push_event(
        &self,
        at: i64,
        kind: &str,
        egs_id: &str,
        icv: Option<u64>,
        data: &str,
        dedup_key: Option<&str>,
    ) -> Result<Option<i64>> {
        let connection = self.lock();
        let changed = connection
            .execute(
                "INSERT OR IGNORE INTO events (at, kind, egs_id, icv, data, dedup_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![at, kind, egs_id, icv.map(|i| i as i64), data, dedup_key],
            )
            .map_err(storage)?;
        Ok((changed > 0).then(|| connection.last_insert_rowid()))
    }

    fn events_since(&self, cursor: i64, limit: usize) -> Result<Vec<EventRow>> {
        let connection = self.lock();
        let mut statement = connection
            .prepare(
                "SELECT seq, at, kind, egs_id, icv, data FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(storage)?;
        let rows = statement
            .query_map(params![cursor, limit.min(i64::MAX as usize) as i64], |row| {
                Ok(EventRow {
                    seq: row.get(0)?,
                    at: row.get(1)?,
                    kind: row.get(2)?,
                    egs_id: row.get(3)?,
                    icv: row.get::<_, Option<i64>>(4)?.map(|i| i as u64),
                    data: row.get(5)?,
                })
            })
            .map_err(storage)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(storage)
    }
}

impl AuditLog for SqliteStore {
    fn append_audit(&self, content: &str) -> Result<AuditRow> {
        let mut connection = self.lock();
        let transaction =
            connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
        let prev_hash: String = transaction
            .query_row("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1", [], |row| row.get(0))
            .optional()
            .map_err(storage)?
            .unwrap_or_else(|| AUDIT_GENESIS.to_owned());
        let hash = audit_link_hash(&prev_hash, content);
        transaction
            .execute(
                "INSERT INTO audit (content, prev_hash, hash) VALUES (?1, ?2, ?3)",
                params![content, prev_hash, hash],
            )
            .map_err(storage)?;
        let seq = transaction.last_insert_rowid();
        transaction.commit().map_err(storage)?;
        Ok(AuditRow { seq, content: content.to_owned(), prev_hash, hash })
    }

    fn audit_rows(&self, after: i64, limit: usize) -> Result<Vec<AuditRow>> {
        let connection = self.lock();
        let mut statement = connection
            .prepare("SELECT seq, content, prev_hash, hash FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2")
            .map_err(storage)?;
        let rows = statement
            .query_map(params![after, limit.min(i64::MAX as usize) as i64], |row| {
                Ok(AuditRow {
                    seq: row.get(0)?,
                    content: row.get(1)?,
                    prev_hash: row.get(2)?,
                    hash: row.get(3)?,
                })
            })
            .map_err(storage)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(storage)
    }
}
