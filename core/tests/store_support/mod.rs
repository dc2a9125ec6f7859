//! A database for one store test, whatever the backend: an SQLite file or in-memory database, or
//! a PostgreSQL schema of its own (created fresh, dropped afterwards) on the server named by
//! `QAYD_TEST_POSTGRES_URL` — so the same scenarios run on both and tests run in parallel.
//! Without that variable the PostgreSQL tests print a skip line and pass, unless
//! `QAYD_REQUIRE_POSTGRES=1` (CI), where they fail.
#![allow(dead_code)]

use qayd::store::{SqliteStore, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

pub(crate) const POSTGRES_URL: &str = "QAYD_TEST_POSTGRES_URL";
pub(crate) const REQUIRE_POSTGRES: &str = "QAYD_REQUIRE_POSTGRES";

enum Backend {
    /// One in-memory store: every `open` is the same store.
    Memory(Arc<dyn Store>),
    Sqlite(tempfile::TempDir),
    /// The server's URL and this test's schema.
    Postgres {
        server: String,
        schema: String,
    },
}

/// One test's database; [`Db::open`] gives a new store (connection) on it each time.
pub(crate) struct Db {
    location: String,
    backend: Backend,
}

impl Db {
    pub(crate) fn sqlite_memory() -> Db {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().unwrap());
        Db { location: ":memory:".into(), backend: Backend::Memory(store) }
    }

    pub(crate) fn sqlite_file() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let location = dir.path().join("engine.sqlite").to_str().unwrap().to_owned();
        Db { location, backend: Backend::Sqlite(dir) }
    }

    /// A fresh schema on the test server, or `None` (after a skip line) when there is none.
    pub(crate) fn postgres(test: &str) -> Option<Db> {
        let server = postgres_server(test)?;
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let mut random = [0u8; 4];
        getrandom::fill(&mut random).unwrap();
        let schema = format!(
            "qayd_test_{}_{}_{:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            u32::from_le_bytes(random)
        );
        let create = format!("CREATE SCHEMA {schema}");
        postgres_raw(&server, move |client| client.batch_execute(&create)).unwrap();
        let separator = if server.contains('?') { '&' } else { '?' };
        let location = format!("{server}{separator}options=-c%20search_path%3D{schema}");
        Some(Db { location, backend: Backend::Postgres { server, schema } })
    }

    /// The location `qayd::store::open` takes (a file path, `:memory:` or a URL).
    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres { .. })
    }

    /// A new store on this database (the same one for in-memory SQLite).
    pub(crate) fn open(&self) -> Arc<dyn Store> {
        match &self.backend {
            Backend::Memory(store) => store.clone(),
            _ => qayd::store::open(&self.location).unwrap(),
        }
    }

    /// Runs raw SQL on the database, outside the store (to play an attacker or an operator).
    pub(crate) fn execute(&self, sql: &str) -> Result<(), String> {
        match &self.backend {
            Backend::Memory(_) => panic!("no raw access to an in-memory store"),
            Backend::Sqlite(_) => rusqlite::Connection::open(&self.location)
                .and_then(|c| c.execute_batch(sql))
                .map_err(|e| e.to_string()),
            Backend::Postgres { .. } => {
                let sql = sql.to_owned();
                postgres_raw(&self.location, move |client| client.batch_execute(&sql)).map_err(|e| {
                    e.as_db_error().map(|d| d.message().to_owned()).unwrap_or_else(|| e.to_string())
                })
            }
        }
    }

    /// Every byte the database holds about credentials, as stored (to look for secrets in clear).
    pub(crate) fn stored_bytes(&self) -> Vec<u8> {
        match &self.backend {
            Backend::Memory(_) => panic!("no raw access to an in-memory store"),
            Backend::Sqlite(dir) => {
                let mut bytes = std::fs::read(&self.location).unwrap();
                bytes.extend(std::fs::read(dir.path().join("engine.sqlite-wal")).unwrap_or_default());
                bytes
            }
            Backend::Postgres { .. } => postgres_raw(&self.location, |client| {
                let mut bytes = Vec::new();
                for row in client.query("SELECT * FROM credentials", &[])? {
                    for i in 0..row.len() {
                        if let Ok(Some(b)) = row.try_get::<_, Option<Vec<u8>>>(i) {
                            bytes.extend(b);
                        } else if let Ok(Some(t)) = row.try_get::<_, Option<String>>(i) {
                            bytes.extend(t.into_bytes());
                        }
                    }
                }
                Ok(bytes)
            })
            .unwrap(),
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Backend::Postgres { server, schema } = &self.backend {
            let drop = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
            let _ = postgres_raw(server, move |client| client.batch_execute(&drop));
        }
    }
}

/// The test server's URL; `None` after a skip line when it is not configured (a panic when
/// `QAYD_REQUIRE_POSTGRES=1`).
pub(crate) fn postgres_server(test: &str) -> Option<String> {
    match std::env::var(POSTGRES_URL) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_owned()),
        _ => {
            assert!(
                std::env::var(REQUIRE_POSTGRES).as_deref() != Ok("1"),
                "{REQUIRE_POSTGRES}=1 but {POSTGRES_URL} is not set: start a server with \
                 `eval \"$(scripts/postgres.sh start)\"`"
            );
            eprintln!("SKIPPED {test}: {POSTGRES_URL} is not set (eval \"$(scripts/postgres.sh start)\")");
            None
        }
    }
}

/// Runs `f` on a plain connection, on a thread of its own (the synchronous client must not run
/// inside the tests' tokio runtime).
pub(crate) fn postgres_raw<R: Send + 'static>(
    url: &str,
    f: impl FnOnce(&mut postgres::Client) -> Result<R, postgres::Error> + Send + 'static,
) -> Result<R, postgres::Error> {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls)?;
        f(&mut client)
    })
    .join()
    .unwrap()
}

/// Databases by test name, for `scenario_tests!`.
pub(crate) fn memory(_test: &str) -> Option<Db> {
    Some(Db::sqlite_memory())
}

pub(crate) fn file(_test: &str) -> Option<Db> {
    Some(Db::sqlite_file())
}

pub(crate) fn postgres(test: &str) -> Option<Db> {
    Db::postgres(test)
}
