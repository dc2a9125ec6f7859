//! The embedded default store: one SQLite file in WAL mode. Issuing stamps against the chain head
//! as read, then — under `BEGIN IMMEDIATE`, the write lock — checks that the head has not moved
//! and stores the document and the new head in the same transaction (else it stamps again; after
//! a few lost races it stamps inside the transaction). That serialises the chain across threads
//! and processes sharing the file while letting different units stamp in parallel; the busy
//! timeout makes a second process wait instead of failing.

use super::{Chain, ChainHead, NewDocument, StoredDocument, SubmissionStatus};
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
    next_attempt_at INTEGER, -- milliseconds since the Unix epoch (schema version 1)
    last_error      TEXT,
    PRIMARY KEY (egs_id, icv)
);
CREATE INDEX IF NOT EXISTS documents_by_status ON documents(status, next_attempt_at);
CREATE TABLE IF NOT EXISTS credentials (
    egs_id                TEXT PRIMARY KEY REFERENCES egs(id),
    environment           TEXT NOT NULL,
    binary_security_token TEXT NOT NULL,
    sealed_private_key    BLOB NOT NULL,
    sealed_secret         BLOB NOT NULL,
    not_after             INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    egs_id    TEXT NOT NULL,
    icv       INTEGER,
    data      TEXT NOT NULL,
    dedup_key TEXT UNIQUE
);
CREATE TABLE IF NOT EXISTS audit (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    content   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

/// Columns added after the first schema: (table, column, declaration). Added when missing.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("egs", "stopped", "TEXT"),
    ("documents", "lease_owner", "TEXT"),
    ("documents", "lease_until", "INTEGER"), // milliseconds (schema version 1)
    ("documents", "messages", "TEXT"),
    ("documents", "cleared_xml", "BLOB"),
    ("documents", "finished_at", "INTEGER"),
    ("credentials", "identity", "TEXT"),
];

/// `PRAGMA user_version` of the current schema. 0: the first schemas (the outbox's due times
/// and leases in whole seconds); 1: those times in milliseconds.
const SCHEMA_VERSION: i64 = 1;

fn migrate(connection: &Connection) -> Result<()> {
    for (table, column, declaration) in ADDED_COLUMNS {
        let present: bool = connection
            .query_row(
                &format!("SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = ?1"),
                [column],
                |row| row.get::<_, i64>(0),
            )
            .map_err(storage)?
            > 0;
        if !present {
            connection
                .execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {declaration}"))
                .map_err(storage)?;
        }
    }
    connection
        .execute_batch("CREATE INDEX IF NOT EXISTS documents_by_egs_status ON documents(egs_id, status, icv)")
        .map_err(storage)?;
    migrate_versions(connection)
}

fn schema_version(connection: &Connection) -> Result<i64> {
    connection.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(storage)
}

/// A store written by a newer qayd (a higher `user_version`) is left alone: its times or tables
/// may mean something this version does not know.
fn refuse_newer(connection: &Connection) -> Result<()> {
    let current = schema_version(connection)?;
    if current > SCHEMA_VERSION {
        return Err(Error::Storage(format!(
            "SQLite: store schema version {current} was written by a newer qayd (this one knows {SCHEMA_VERSION})"
        )));
    }
    Ok(())
}

/// Applies the versioned steps (see [`SCHEMA_VERSION`]) in one write transaction that reads the
/// version again under the lock, so two processes opening an old file at once convert it once.
fn migrate_versions(connection: &Connection) -> Result<()> {
    if schema_version(connection)? == SCHEMA_VERSION {
        return Ok(());
    }
    connection.execute_batch("BEGIN IMMEDIATE").map_err(storage)?;
    let applied = (|| {
        refuse_newer(connection)?;
        if schema_version(connection)? < 1 {
            // Whole seconds to milliseconds: the due time and the lease expiry keep their
            // instant.
            connection
                .execute(
                    "UPDATE documents SET next_attempt_at = next_attempt_at * ?1, lease_until = lease_until * ?1
                     WHERE next_attempt_at IS NOT NULL OR lease_until IS NOT NULL",
                    [super::MILLIS_PER_SECOND],
                )
                .map_err(storage)?;
        }
        connection.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}")).map_err(storage)
    })();
    match applied {
        Ok(()) => connection.execute_batch("COMMIT").map_err(storage),
        Err(error) => {
            let _ = connection.execute_batch("ROLLBACK");
            Err(error)
        }
    }
}

pub(super) fn storage(e: rusqlite::Error) -> Error {
    Error::Storage(e.to_string())
}

/// SQLite-backed [`Store`](super::Store).
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

    /// Opens an existing Qayd store; never creates or changes a file that is not one (see
    /// [`super::open_existing`]).
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let not_a_store = |why: &str| {
            Error::Storage(format!(
                "{} is not a Qayd store ({why}); `qayd store init` or `qayd egs add` creates one",
                path.display()
            ))
        };
        if !path.is_file() {
            return Err(if path.exists() {
                not_a_store("not a file")
            } else {
                Error::Storage(format!(
                    "no store at {}: `qayd store init` or `qayd egs add` creates one",
                    path.display()
                ))
            });
        }
        // No CREATE flag: SQLite must not make the file; and nothing is written (WAL mode,
        // schema) before the file is known to hold Qayd's tables.
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags).map_err(storage)?;
        connection.busy_timeout(Duration::from_secs(30)).map_err(storage)?;
        let tables: i64 = connection
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'
                 AND name IN ('egs', 'documents', 'credentials', 'events', 'audit')",
                [],
                |row| row.get(0),
            )
            .map_err(|e| not_a_store(&e.to_string()))?;
        if tables != 5 {
            return Err(not_a_store("it does not hold Qayd's tables"));
        }
        Self::with_connection(connection)
    }

    /// A private in-memory database (tests, demos).
    pub fn in_memory() -> Result<Self> {
        Self::with_connection(Connection::open_in_memory().map_err(storage)?)
    }

    fn with_connection(connection: Connection) -> Result<Self> {
        connection.busy_timeout(Duration::from_secs(30)).map_err(storage)?;
        refuse_newer(&connection)?;
        // WAL: readers never block the writer; NORMAL sync is durable across process crashes
        // (a power cut may lose the last transactions, never corrupt the file).
        connection.pragma_update(None, "journal_mode", "WAL").map_err(storage)?;
        connection.pragma_update(None, "synchronous", "NORMAL").map_err(storage)?;
        // Checkpoint (the one fsync of NORMAL mode) every 8192 pages (≈32 MiB of WAL) rather
        // than every 1000: a stamped document is ~10 KiB, and per-checkpoint syncs dominated.
        connection.pragma_update(None, "wal_autocheckpoint", 8192).map_err(storage)?;
        connection.pragma_update(None, "foreign_keys", "ON").map_err(storage)?;
        connection.execute_batch(SCHEMA).map_err(storage)?;
        migrate(&connection)?;
        Ok(SqliteStore { connection: Mutex::new(connection) })
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The document columns without the XML (listings).
pub(super) const LIGHT_COLUMNS: &str = "egs_id, icv, uuid, invoice_hash, pih, simplified, X'' AS xml, issued_at, \
     status, attempts, next_attempt_at, last_error, messages, NULL AS cleared_xml, finished_at";

pub(super) fn row_to_document(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDocument> {
    let status: String = row.get("status")?;
    let next_attempt_at_ms: Option<i64> = row.get("next_attempt_at")?;
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
        next_attempt_at: next_attempt_at_ms.map(super::seconds_rounded_up),
        next_attempt_at_ms,
        last_error: row.get("last_error")?,
        messages: row.get("messages")?,
        cleared_xml: row.get("cleared_xml")?,
        finished_at: row.get("finished_at")?,
    })
}

/// Optimistic issue attempts before stamping under the write lock.
const OPTIMISTIC_TRIES: usize = 3;

fn read_head(connection: &Connection, egs_id: &str) -> Result<ChainHead> {
    connection
        .prepare_cached("SELECT next_icv, last_hash FROM egs WHERE id = ?1")
        .map_err(storage)?
        .query_row([egs_id], |row| {
            Ok(ChainHead { next_icv: row.get::<_, i64>(0)? as u64, last_hash: row.get(1)? })
        })
        .optional()
        .map_err(storage)?
        .ok_or_else(|| Error::InvalidInput(format!("unknown EGS unit '{egs_id}'; register it first")))
}

/// Stores the stamped document as pending and advances the head, then commits.
fn insert_issued(
    transaction: rusqlite::Transaction<'_>,
    egs_id: &str,
    now: i64,
    head: ChainHead,
    new: NewDocument,
) -> Result<StoredDocument> {
    let stored = insert_document(&transaction, egs_id, now, head, new)?;
    advance_head(&transaction, egs_id, &stored.invoice_hash)?;
    transaction.commit().map_err(storage)?;
    Ok(stored)
}

/// Inserts the stamped document as pending at `head` (the head itself is not moved).
fn insert_document(
    connection: &Connection,
    egs_id: &str,
    now: i64,
    head: ChainHead,
    new: NewDocument,
) -> Result<StoredDocument> {
    connection
        .prepare_cached(
            "INSERT INTO documents (egs_id, icv, uuid, invoice_hash, pih, simplified, xml, issued_at, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')",
        )
        .map_err(storage)?
        .execute(params![
            egs_id,
            head.next_icv as i64,
            new.uuid,
            new.invoice_hash,
            head.last_hash,
            new.simplified,
            new.xml,
            now
        ])
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                Error::InvalidInput(format!("a document with UUID {} was already issued", new.uuid))
            }
            other => storage(other),
        })?;
    Ok(StoredDocument::pending(egs_id, head, new, now))
}

/// Moves the unit's head one document on, to `last_hash`.
fn advance_head(connection: &Connection, egs_id: &str, last_hash: &str) -> Result<()> {
    connection
        .prepare_cached("UPDATE egs SET next_icv = next_icv + 1, last_hash = ?2 WHERE id = ?1")
        .map_err(storage)?
        .execute(params![egs_id, last_hash])
        .map_err(storage)?;
    Ok(())
}

/// Stores a stamped batch and moves the head past it, then commits. `None` (and nothing stored)
/// when an insert is refused.
fn commit_batch(
    transaction: rusqlite::Transaction<'_>,
    egs_id: &str,
    now: i64,
    batch: Vec<Result<(ChainHead, NewDocument)>>,
) -> Result<Option<Vec<Result<StoredDocument>>>> {
    let mut stored = Vec::with_capacity(batch.len());
    let mut issued = 0i64;
    let mut last_hash = None;
    for entry in batch {
        match entry {
            Ok((head, new)) => {
                let Ok(document) = insert_document(&transaction, egs_id, now, head, new) else {
                    return Ok(None);
                };
                issued += 1;
                last_hash = Some(document.invoice_hash.clone());
                stored.push(Ok(document));
            }
            Err(e) => stored.push(Err(e)),
        }
    }
    if let Some(last_hash) = last_hash {
        transaction
            .prepare_cached("UPDATE egs SET next_icv = next_icv + ?2, last_hash = ?3 WHERE id = ?1")
            .map_err(storage)?
            .execute(params![egs_id, issued, last_hash])
            .map_err(storage)?;
    }
    transaction.commit().map_err(storage)?;
    Ok(Some(stored))
}

impl Chain for SqliteStore {
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
        // Optimistic first: stamp against the head as read, without holding any lock (so other
        // units — and other threads — go on), then commit only if the head has not moved in
        // the meantime; the check and the insert are one IMMEDIATE transaction, so this is as
        // safe across processes as stamping inside it. After a few lost races (a busy unit),
        // stamp inside the transaction.
        for _ in 0..OPTIMISTIC_TRIES {
            let head = read_head(&self.lock(), egs_id)?;
            let new = stamp(head.next_icv, &head.last_hash)?;
            let mut connection = self.lock();
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
            if read_head(&transaction, egs_id)? == head {
                return insert_issued(transaction, egs_id, now, head, new);
            }
        }
        let mut connection = self.lock();
        let transaction =
            connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
        let head = read_head(&transaction, egs_id)?;
        // Any error here drops the transaction: nothing is reserved, nothing is stored.
        let new = stamp(head.next_icv, &head.last_hash)?;
        insert_issued(transaction, egs_id, now, head, new)
    }

    fn issue_many(
        &self,
        egs_id: &str,
        now: i64,
        count: usize,
        stamp: &mut dyn FnMut(usize, u64, &str) -> Result<NewDocument>,
    ) -> Result<Vec<Result<StoredDocument>>> {
        // As `issue`: stamp the whole batch against the head as read, then store it in one
        // IMMEDIATE transaction if the head has not moved (else stamp again; in the end, inside
        // the transaction). One commit, so one durable write, per batch.
        for attempt in 0..=OPTIMISTIC_TRIES {
            let inside = attempt == OPTIMISTIC_TRIES;
            let mut connection;
            let (transaction, batch) = if inside {
                connection = self.lock();
                let transaction =
                    connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
                let head = read_head(&transaction, egs_id)?;
                let batch = super::stamp_batch(&head, count, stamp);
                (transaction, batch)
            } else {
                let head = read_head(&self.lock(), egs_id)?;
                let batch = super::stamp_batch(&head, count, stamp);
                connection = self.lock();
                let transaction =
                    connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
                if read_head(&transaction, egs_id)? != head {
                    continue;
                }
                (transaction, batch)
            };
            match commit_batch(transaction, egs_id, now, batch)? {
                Some(stored) => return Ok(stored),
                None => break,
            }
        }
        // An insert was refused (a UUID issued before), which would break the chain of the
        // entries stamped after it: issue them one by one instead.
        Ok((0..count).map(|i| self.issue(egs_id, now, &mut |icv, pih| stamp(i, icv, pih))).collect())
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

    fn document_by_uuid(&self, uuid: &str) -> Result<Option<StoredDocument>> {
        self.lock()
            .query_row("SELECT * FROM documents WHERE uuid = ?1", [uuid], row_to_document)
            .optional()
            .map_err(storage)
    }

    fn egs_ids(&self) -> Result<Vec<String>> {
        let connection = self.lock();
        let mut statement = connection.prepare("SELECT id FROM egs ORDER BY id").map_err(storage)?;
        let rows = statement.query_map([], |row| row.get(0)).map_err(storage)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(storage)
    }
}
