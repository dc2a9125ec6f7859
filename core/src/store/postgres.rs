//! The PostgreSQL store, for fleets: many processes or machines issuing and submitting for the
//! same EGS units through one database (`qayd::store::open("postgres://…")`, `postgres` feature).
//!
//! **Threads.** The store's methods are synchronous and are called from plain threads and from
//! engine tasks alike. Each connection is owned by a thread of the store (`postgres_pool.rs`); a
//! method hands its work to a free one and waits for the answer. No runtime is entered by the
//! caller, so nothing panics inside tokio, and a transaction never leaves its thread.
//!
//! **Issue.** A job on a connection thread opens a transaction and locks the unit's head row
//! (`SELECT … FOR UPDATE`), sends the head to the caller, who stamps on its own thread (the
//! stamping closure need not be `Send`) and sends the document back; the job stores it and
//! advances the head, then commits. A stamping error, a panic or a lost connection rolls back:
//! nothing is reserved. Other units are not blocked (row locks), and every engine on the
//! database waits for the same row lock, so there is no gap, reused ICV or fork across machines.
//!
//! **Outbox.** `claim_next` locks the unit's lowest open document (`FOR UPDATE`, not
//! `SKIP LOCKED`: skipping it would claim the next document out of chain order) and re-reads it
//! after a concurrent claim committed, so a document has one live lease. Attempts are recorded
//! by one conditional `UPDATE` (lease owner and `submitting`).
//!
//! **Ordered logs.** Events and audit rows take their `seq` while holding a table lock that only
//! other appenders wait for (`SHARE ROW EXCLUSIVE`; readers go on), so rows commit in `seq`
//! order — a reader's cursor never passes a row that commits later — and each audit row links
//! to the row that really precedes it: the hash chain never forks between engines.
//!
//! Connections use no TLS: run it on loopback or a private network (or behind a TLS proxy).

#[path = "postgres_outbox.rs"]
mod outbox;
#[path = "postgres_pool.rs"]
mod postgres_pool;
#[path = "postgres_schema.rs"]
mod schema;

use super::Chain;
use super::{ChainHead, NewDocument, StoredDocument, SubmissionStatus};
use crate::error::{Error, Result};
use crate::stamp::GENESIS_PIH;
use postgres::Row;
use postgres::error::SqlState;
use postgres_pool::{Pool, storage};
use std::str::FromStr;
use std::sync::mpsc;

/// Connections per store when not given: enough for the engine's concurrent units on a
/// two-core worker plus an issuing thread or two.
pub(crate) const DEFAULT_CONNECTIONS: usize = 4;

/// PostgreSQL-backed [`Store`](super::Store).
pub struct PostgresStore {
    pool: Pool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database?options=…`, as libpq) with
    /// 4 connections (`open_with` chooses), and creates or upgrades the schema.
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, DEFAULT_CONNECTIONS)
    }

    /// As [`PostgresStore::open`], with at most `connections` connections (at least one).
    pub fn open_with(url: &str, connections: usize) -> Result<Self> {
        let config = postgres::Config::from_str(url)
            .map_err(|e| Error::InvalidInput(format!("invalid PostgreSQL URL: {e}")))?;
        let store = PostgresStore { pool: Pool::new(config, connections)? };
        store.pool.run(|connection| {
            let (client, _) = connection.parts()?;
            schema::migrate(client)
        })?;
        Ok(store)
    }

    /// Opens a database that already holds a Qayd schema (see [`super::open_existing`]): an
    /// empty or foreign database is refused and left untouched.
    pub fn open_existing(url: &str) -> Result<Self> {
        let config = postgres::Config::from_str(url)
            .map_err(|e| Error::InvalidInput(format!("invalid PostgreSQL URL: {e}")))?;
        let store = PostgresStore { pool: Pool::new(config, DEFAULT_CONNECTIONS)? };
        store.pool.run(|connection| {
            let (client, _) = connection.parts()?;
            let row = client
                .query_one("SELECT to_regclass('qayd_schema_version') IS NOT NULL", &[])
                .map_err(storage)?;
            if !row.try_get::<_, bool>(0).map_err(storage)? {
                return Err(Error::Storage(
                    "PostgreSQL: this database (in its current schema) is not a Qayd store;                      `qayd store init` or `qayd egs add` creates one"
                        .into(),
                ));
            }
            schema::migrate(client)
        })?;
        Ok(store)
    }

    /// The schema version of the database (see the schema module).
    pub fn schema_version(&self) -> Result<i32> {
        self.pool.run(|connection| {
            let (client, _) = connection.parts()?;
            let row = client.query_one("SELECT version FROM qayd_schema_version", &[]).map_err(storage)?;
            row.try_get(0).map_err(storage)
        })
    }
}

fn row_to_document(row: &Row) -> Result<StoredDocument> {
    let status: String = row.try_get("status").map_err(storage)?;
    let next_attempt_at_ms: Option<i64> = row.try_get("next_attempt_at").map_err(storage)?;
    Ok(StoredDocument {
        egs_id: row.try_get("egs_id").map_err(storage)?,
        icv: row.try_get::<_, i64>("icv").map_err(storage)? as u64,
        uuid: row.try_get("uuid").map_err(storage)?,
        invoice_hash: row.try_get("invoice_hash").map_err(storage)?,
        pih: row.try_get("pih").map_err(storage)?,
        simplified: row.try_get("simplified").map_err(storage)?,
        xml: row.try_get("xml").map_err(storage)?,
        issued_at: row.try_get("issued_at").map_err(storage)?,
        status: SubmissionStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown submission status '{status}'")))?,
        attempts: row.try_get::<_, i64>("attempts").map_err(storage)?.clamp(0, u32::MAX.into()) as u32,
        next_attempt_at: next_attempt_at_ms.map(crate::store::seconds_rounded_up),
        next_attempt_at_ms,
        last_error: row.try_get("last_error").map_err(storage)?,
        messages: row.try_get("messages").map_err(storage)?,
        cleared_xml: row.try_get("cleared_xml").map_err(storage)?,
        finished_at: row.try_get("finished_at").map_err(storage)?,
    })
}

fn unknown_egs(egs_id: &str) -> Error {
    Error::InvalidInput(format!("unknown EGS unit '{egs_id}'; register it first"))
}

fn head_of(row: &Row) -> Result<ChainHead> {
    Ok(ChainHead {
        next_icv: row.try_get::<_, i64>(0).map_err(storage)? as u64,
        last_hash: row.try_get(1).map_err(storage)?,
    })
}

const LOCK_HEAD: &str = "SELECT next_icv, last_hash FROM egs WHERE id = $1 FOR UPDATE";
const INSERT_ISSUED: &str = "WITH stored AS (
        INSERT INTO documents (egs_id, icv, uuid, invoice_hash, pih, simplified, xml, issued_at, status)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending'))
    UPDATE egs SET next_icv = next_icv + 1, last_hash = $4 WHERE id = $1";

/// The connection side of [`Store::issue`]: lock the head, hand it over, wait for the stamped
/// document, store it, advance the head, commit. Returning early drops the transaction, which
/// rolls it back.
fn issue_job(
    connection: &mut postgres_pool::Connection,
    egs_id: &str,
    now: i64,
    heads: mpsc::SyncSender<ChainHead>,
    documents: mpsc::Receiver<NewDocument>,
) -> Result<StoredDocument> {
    let (client, statements) = connection.parts()?;
    let mut transaction = client.transaction().map_err(storage)?;
    let lock = statements.get(&mut transaction, LOCK_HEAD)?;
    let row =
        transaction.query_opt(&lock, &[&egs_id]).map_err(storage)?.ok_or_else(|| unknown_egs(egs_id))?;
    let head = head_of(&row)?;
    heads.send(head.clone()).map_err(|_| Error::Storage("issue abandoned".into()))?;
    // The caller stamps now; a closed channel means it failed (or panicked): roll back.
    let Ok(new) = documents.recv() else { return Err(Error::Storage("stamping failed".into())) };
    let insert = statements.get(&mut transaction, INSERT_ISSUED)?;
    transaction
        .execute(
            &insert,
            &[
                &egs_id,
                &(head.next_icv as i64),
                &new.uuid,
                &new.invoice_hash,
                &head.last_hash,
                &new.simplified,
                &new.xml,
                &now,
            ],
        )
        .map_err(|e| {
            let uuid_taken = e.code() == Some(&SqlState::UNIQUE_VIOLATION)
                && e.as_db_error().and_then(|d| d.constraint()).is_some_and(|c| c.contains("uuid"));
            if uuid_taken {
                Error::InvalidInput(format!("a document with UUID {} was already issued", new.uuid))
            } else {
                storage(e)
            }
        })?;
    transaction.commit().map_err(storage)?;
    Ok(StoredDocument::pending(egs_id, head, new, now))
}

/// A whole chunk in one statement (one round trip), the head moved past it at once.
const INSERT_BATCH: &str = "WITH stored AS (
        INSERT INTO documents (egs_id, icv, uuid, invoice_hash, pih, simplified, xml, issued_at, status)
        SELECT $1, icv, uuid, hash, pih, simplified, xml, $2, 'pending'
        FROM UNNEST($3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::BOOLEAN[], $8::BYTEA[])
            AS batch (icv, uuid, hash, pih, simplified, xml))
    UPDATE egs SET next_icv = next_icv + $9, last_hash = $10 WHERE id = $1";

/// The connection side of [`Store::issue_many`]: lock the head, hand it over, store each chunk
/// of stamped documents as it arrives (one statement a chunk, so storing overlaps stamping),
/// commit at the end marker (`None`). `None` when a UUID was issued before: the transaction is
/// rolled back and the caller goes one by one.
fn issue_many_job(
    connection: &mut postgres_pool::Connection,
    egs_id: &str,
    now: i64,
    heads: mpsc::SyncSender<ChainHead>,
    chunks: mpsc::Receiver<Option<Vec<(ChainHead, NewDocument)>>>,
) -> Result<Option<Vec<StoredDocument>>> {
    let (client, statements) = connection.parts()?;
    let mut transaction = client.transaction().map_err(storage)?;
    let lock = statements.get(&mut transaction, LOCK_HEAD)?;
    let row =
        transaction.query_opt(&lock, &[&egs_id]).map_err(storage)?.ok_or_else(|| unknown_egs(egs_id))?;
    heads.send(head_of(&row)?).map_err(|_| Error::Storage("issue abandoned".into()))?;
    let insert = statements.get(&mut transaction, INSERT_BATCH)?;
    let mut stored = Vec::new();
    loop {
        // A closed channel without the end marker means the caller failed: roll back.
        let Ok(message) = chunks.recv() else { return Err(Error::Storage("stamping failed".into())) };
        let Some(chunk) = message else { break };
        let Some((_, last)) = chunk.last() else { continue };
        let last_hash = last.invoice_hash.clone();
        let icvs: Vec<i64> = chunk.iter().map(|(head, _)| head.next_icv as i64).collect();
        let uuids: Vec<&str> = chunk.iter().map(|(_, new)| new.uuid.as_str()).collect();
        let hashes: Vec<&str> = chunk.iter().map(|(_, new)| new.invoice_hash.as_str()).collect();
        let pihs: Vec<&str> = chunk.iter().map(|(head, _)| head.last_hash.as_str()).collect();
        let simplified: Vec<bool> = chunk.iter().map(|(_, new)| new.simplified).collect();
        let xmls: Vec<&[u8]> = chunk.iter().map(|(_, new)| new.xml.as_slice()).collect();
        let count = chunk.len() as i64;
        let inserted = transaction.execute(
            &insert,
            &[&egs_id, &now, &icvs, &uuids, &hashes, &pihs, &simplified, &xmls, &count, &last_hash],
        );
        match inserted {
            Ok(_) => {}
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => return Ok(None),
            Err(e) => return Err(storage(e)),
        }
        stored.extend(chunk.into_iter().map(|(head, new)| StoredDocument::pending(egs_id, head, new, now)));
    }
    transaction.commit().map_err(storage)?;
    Ok(Some(stored))
}

impl PostgresStore {
    /// Runs one prepared query on a connection and maps its rows.
    fn query<T: Send + 'static>(
        &self,
        sql: &'static str,
        params: Vec<Box<dyn postgres::types::ToSql + Sync + Send>>,
        map: fn(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.pool.run(move |connection| {
            let (client, statements) = connection.parts()?;
            let statement = statements.get(client, sql)?;
            let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                params.iter().map(|p| p.as_ref() as &(dyn postgres::types::ToSql + Sync)).collect();
            client.query(&statement, &params).map_err(storage)?.iter().map(map).collect()
        })
    }

    /// Runs one prepared statement on a connection; the number of rows it changed.
    fn execute(
        &self,
        sql: &'static str,
        params: Vec<Box<dyn postgres::types::ToSql + Sync + Send>>,
    ) -> Result<u64> {
        self.pool.run(move |connection| {
            let (client, statements) = connection.parts()?;
            let statement = statements.get(client, sql)?;
            let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                params.iter().map(|p| p.as_ref() as &(dyn postgres::types::ToSql + Sync)).collect();
            client.execute(&statement, &params).map_err(storage)
        })
    }
}

/// Boxes statement parameters so a job can own them.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        vec![$(Box::new($value) as Box<dyn postgres::types::ToSql + Sync + Send>),*]
    };
}
use params;

impl Chain for PostgresStore {
    fn register_egs(&self, egs_id: &str) -> Result<()> {
        self.execute(
            "INSERT INTO egs (id, next_icv, last_hash) VALUES ($1, 1, $2) ON CONFLICT (id) DO NOTHING",
            params![egs_id.to_owned(), GENESIS_PIH.to_owned()],
        )?;
        Ok(())
    }

    fn chain_head(&self, egs_id: &str) -> Result<ChainHead> {
        self.query("SELECT next_icv, last_hash FROM egs WHERE id = $1", params![egs_id.to_owned()], head_of)?
            .pop()
            .ok_or_else(|| unknown_egs(egs_id))
    }

    fn issue(
        &self,
        egs_id: &str,
        now: i64,
        stamp: &mut dyn FnMut(u64, &str) -> Result<NewDocument>,
    ) -> Result<StoredDocument> {
        let (head_sender, heads) = mpsc::sync_channel(1);
        let (document_sender, documents) = mpsc::sync_channel(1);
        let egs = egs_id.to_owned();
        let answer =
            self.pool.start(move |connection| issue_job(connection, &egs, now, head_sender, documents))?;
        // No head: the job failed before the lock (unknown unit, connection); its answer says why.
        let Ok(head) = heads.recv() else { return answer.wait() };
        match stamp(head.next_icv, &head.last_hash) {
            Ok(new) => {
                let _ = document_sender.send(new);
                answer.wait()
            }
            Err(error) => {
                // Closing the channel rolls the transaction back; wait for it to be released.
                drop(document_sender);
                let _ = answer.wait();
                Err(error)
            }
        }
    }

    fn issue_many(
        &self,
        egs_id: &str,
        now: i64,
        count: usize,
        stamp: &mut dyn FnMut(usize, u64, &str) -> Result<NewDocument>,
    ) -> Result<Vec<Result<StoredDocument>>> {
        // As `issue`, for a whole batch: the head stays locked while the batch is stamped here,
        // chunk by chunk, and the job stores each chunk as it comes, in one transaction.
        const CHUNK: usize = 32;
        let (head_sender, heads) = mpsc::sync_channel(1);
        let (chunk_sender, chunks) = mpsc::sync_channel(4);
        let egs = egs_id.to_owned();
        let answer =
            self.pool.start(move |connection| issue_many_job(connection, &egs, now, head_sender, chunks))?;
        // No head: the job failed before the lock (unknown unit, connection); its answer says why.
        let Ok(mut head) = heads.recv() else {
            return answer.wait().and_then(|_| Err(Error::Storage("the store gave no chain head".into())));
        };
        let mut failures: Vec<Option<Error>> = Vec::with_capacity(count);
        let mut chunk = Vec::with_capacity(CHUNK);
        for i in 0..count {
            match stamp(i, head.next_icv, &head.last_hash) {
                Ok(new) => {
                    let next = ChainHead { next_icv: head.next_icv + 1, last_hash: new.invoice_hash.clone() };
                    chunk.push((std::mem::replace(&mut head, next), new));
                    failures.push(None);
                }
                Err(error) => failures.push(Some(error)),
            }
            if chunk.len() == CHUNK {
                // A send fails only when the job has stopped; its answer says why.
                let _ = chunk_sender.send(Some(std::mem::take(&mut chunk)));
            }
        }
        let _ = chunk_sender.send(Some(chunk));
        let _ = chunk_sender.send(None);
        let Some(stored) = answer.wait()? else {
            // A UUID issued before would break the chain of the entries after it: one by one.
            return Ok((0..count)
                .map(|i| self.issue(egs_id, now, &mut |icv, pih| stamp(i, icv, pih)))
                .collect());
        };
        let mut stored = stored.into_iter();
        Ok(failures
            .into_iter()
            .map(|failure| match failure {
                Some(error) => Err(error),
                None => stored.next().ok_or_else(|| Error::Storage("a stored document went missing".into())),
            })
            .collect())
    }

    fn document(&self, egs_id: &str, icv: u64) -> Result<Option<StoredDocument>> {
        Ok(self
            .query(
                "SELECT * FROM documents WHERE egs_id = $1 AND icv = $2",
                params![egs_id.to_owned(), icv as i64],
                row_to_document,
            )?
            .pop())
    }

    fn documents(&self, egs_id: &str) -> Result<Vec<StoredDocument>> {
        self.query(
            "SELECT * FROM documents WHERE egs_id = $1 ORDER BY icv",
            params![egs_id.to_owned()],
            row_to_document,
        )
    }

    fn document_by_uuid(&self, uuid: &str) -> Result<Option<StoredDocument>> {
        Ok(self
            .query("SELECT * FROM documents WHERE uuid = $1", params![uuid.to_owned()], row_to_document)?
            .pop())
    }

    fn egs_ids(&self) -> Result<Vec<String>> {
        self.query("SELECT id FROM egs ORDER BY id COLLATE \"C\"", params![], |row| {
            row.try_get(0).map_err(storage)
        })
    }
}
