//! The embedded default store: one SQLite file in WAL mode. `BEGIN IMMEDIATE` takes the write lock
//! before the chain head is read, which serialises issuing across threads and processes sharing
//! the file; the busy timeout makes a second process wait instead of failing.

use super::{ChainHead, NewDocument, Store, StoredDocument, SubmissionStatus};
use crate::error::{Error, Result};
use crate::stamp::GENESIS_PIH;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS egs (
    id          TEXT PRIMARY KEY,
    next_icv    INTEGER NOT NULL,
    last_hash   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    egs_id          TEXT NOT NULL REFERENCES egs(id),
    icv             INTEGER NOT NULL,
    uuid            TEXT NOT NULL UNIQUE,
    invoice_hash    TEXT NOT NULL,
    pih             TEXT NOT NULL,
    simplified      INTEGER NOT NULL,
    xml             BLOB NOT NULL,
    issued_at       INTEGER NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error      TEXT,
    PRIMARY KEY (egs_id, icv)
);
CREATE INDEX IF NOT EXISTS documents_by_status ON documents(status, next_attempt_at);
";

fn storage(e: rusqlite::Error) -> Error {
    Error::Storage(e.to_string())
}

/// SQLite-backed [`Store`].
pub struct SqliteStore {
    connection: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (or creates) the database file; the file is created readable by its owner only.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        #[cfg(unix)]
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| Error::Storage(format!("{}: {e}", path.display())))?;
        }
        Self::with_connection(Connection::open(path).map_err(storage)?)
    }

    /// A private in-memory database (tests, demos).
    pub fn in_memory() -> Result<Self> {
        Self::with_connection(Connection::open_in_memory().map_err(storage)?)
    }

    fn with_connection(connection: Connection) -> Result<Self> {
        connection.busy_timeout(Duration::from_secs(30)).map_err(storage)?;
        // WAL: readers never block the writer; NORMAL sync is durable across process crashes
        // (a power cut may lose the last transactions, never corrupt the file).
        connection.pragma_update(None, "journal_mode", "WAL").map_err(storage)?;
        connection.pragma_update(None, "synchronous", "NORMAL").map_err(storage)?;
        connection.pragma_update(None, "foreign_keys", "ON").map_err(storage)?;
        connection.execute_batch(SCHEMA).map_err(storage)?;
        Ok(SqliteStore { connection: Mutex::new(connection) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn row_to_document(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDocument> {
    let status: String = row.get("status")?;
    Ok(StoredDocument {
        egs_id: row.get("egs_id")?,
        icv: row.get::<_, i64>("icv")? as u64,
        uuid: row.get("uuid")?,
        invoice_hash: row.get("invoice_hash")?,
        pih: row.get("pih")?,
        simplified: row.get("simplified")?,
        xml: row.get("xml")?,
        issued_at: row.get("issued_at")?,
        status: SubmissionStatus::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("unknown submission status '{status}'").into(),
            )
        })?,
        attempts: row.get::<_, i64>("attempts")? as u32,
        next_attempt_at: row.get("next_attempt_at")?,
        last_error: row.get("last_error")?,
    })
}

impl Store for SqliteStore {
    fn register_egs(&self, egs_id: &str) -> Result<()> {
        self.lock()
            .execute(
                "INSERT OR IGNORE INTO egs (id, next_icv, last_hash) VALUES (?1, 1, ?2)",
                params![egs_id, GENESIS_PIH],
            )
            .map_err(storage)?;
        Ok(())
    }

    fn chain_head(&self, egs_id: &str) -> Result<ChainHead> {
        self.lock()
            .query_row("SELECT next_icv, last_hash FROM egs WHERE id = ?1", [egs_id], |row| {
                Ok(ChainHead { next_icv: row.get::<_, i64>(0)? as u64, last_hash: row.get(1)? })
            })
            .optional()
            .map_err(storage)?
            .ok_or_else(|| Error::InvalidInput(format!("unknown EGS unit '{egs_id}'; register it first")))
    }

    fn issue(
        &self,
        egs_id: &str,
        now: i64,
        stamp: &mut dyn FnMut(u64, &str) -> Result<NewDocument>,
    ) -> Result<StoredDocument> {
        let mut connection = self.lock();
        let transaction =
            connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
        let head = transaction
            .query_row("SELECT next_icv, last_hash FROM egs WHERE id = ?1", [egs_id], |row| {
                Ok(ChainHead { next_icv: row.get::<_, i64>(0)? as u64, last_hash: row.get(1)? })
            })
            .optional()
            .map_err(storage)?
            .ok_or_else(|| Error::InvalidInput(format!("unknown EGS unit '{egs_id}'; register it first")))?;
        // Any error here drops the transaction: nothing is reserved, nothing is stored.
        let new = stamp(head.next_icv, &head.last_hash)?;
        transaction
            .execute(
                "INSERT INTO documents (egs_id, icv, uuid, invoice_hash, pih, simplified, xml, issued_at, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')",
                params![
                    egs_id,
                    head.next_icv as i64,
                    new.uuid,
                    new.invoice_hash,
                    head.last_hash,
                    new.simplified,
                    new.xml,
                    now
                ],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                    Error::InvalidInput(format!("a document with UUID {} was already issued", new.uuid))
                }
                other => storage(other),
            })?;
        transaction
            .execute(
                "UPDATE egs SET next_icv = next_icv + 1, last_hash = ?2 WHERE id = ?1",
                params![egs_id, new.invoice_hash],
            )
            .map_err(storage)?;
        transaction.commit().map_err(storage)?;
        Ok(StoredDocument {
            egs_id: egs_id.to_owned(),
            icv: head.next_icv,
            uuid: new.uuid,
            invoice_hash: new.invoice_hash,
            pih: head.last_hash,
            simplified: new.simplified,
            xml: new.xml,
            issued_at: now,
            status: SubmissionStatus::Pending,
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
        })
    }

    fn document(&self, egs_id: &str, icv: u64) -> Result<Option<StoredDocument>> {
        self.lock()
            .query_row(
                "SELECT * FROM documents WHERE egs_id = ?1 AND icv = ?2",
                params![egs_id, icv as i64],
                row_to_document,
            )
            .optional()
            .map_err(storage)
    }

    fn documents(&self, egs_id: &str) -> Result<Vec<StoredDocument>> {
        let connection = self.lock();
        let mut statement =
            connection.prepare("SELECT * FROM documents WHERE egs_id = ?1 ORDER BY icv").map_err(storage)?;
        let rows = statement.query_map([egs_id], row_to_document).map_err(storage)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(storage)
    }
}
