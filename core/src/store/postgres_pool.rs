//! The PostgreSQL store's connections, each owned by a thread of its own. The synchronous
//! `postgres` client drives a private tokio runtime and panics when it is used from inside
//! another one (an engine task); a plain thread that owns the client never is. The store's
//! methods hand a job to the next free thread and wait for its answer on a channel — a blocking
//! wait, like SQLite's disk I/O, which is allowed anywhere, in or out of a runtime.
//!
//! A thread (re)connects lazily: when it has no client yet or the server closed the one it had,
//! the next job connects first (and prepared statements are prepared again).

use crate::error::{Error, Result};
use postgres::{Client, GenericClient, NoTls, Statement};
use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Maps a driver error to the crate's typed error with the server's own reason (the text
/// never holds the password).
pub(super) fn storage(e: postgres::Error) -> Error {
    Error::Storage(format!("PostgreSQL: {}", reason(&e)))
}

/// The server's message and SQLSTATE for a database error ("database \"x\" does not exist
/// (3D000)"), otherwise the driver's text with its causes ("error connecting to server:
/// Connection refused (os error 111)"): the driver's own `Display` says only "db error".
pub(super) fn reason(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let detail = db.detail().map(|d| format!(": {d}")).unwrap_or_default();
        return format!("{} ({}){detail}", db.message(), db.code().code());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(&format!(": {cause_text}"));
        }
        source = cause.source();
    }
    text
}

/// Where the store is: `host:port/database as user` (never the password).
pub(super) fn place(config: &postgres::Config) -> String {
    use postgres::config::Host;
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = config.get_ports().get(i).or(config.get_ports().first()).copied().unwrap_or(5432);
            match host {
                Host::Tcp(name) => format!("{name}:{port}"),
                #[cfg(unix)]
                Host::Unix(path) => format!("{}:{port}", path.display()),
            }
        })
        .collect();
    let hosts = if hosts.is_empty() { "localhost:5432".to_owned() } else { hosts.join(",") };
    format!(
        "{hosts}/{} as {}",
        config.get_dbname().or(config.get_user()).unwrap_or("?"),
        config.get_user().unwrap_or("?")
    )
}

/// One thread's connection and its prepared statements.
pub(super) struct Connection {
    config: postgres::Config,
    client: Option<Client>,
    statements: Statements,
}

/// Prepared statements of one connection, by their SQL text.
#[derive(Default)]
pub(super) struct Statements(HashMap<&'static str, Statement>);

impl Statements {
    /// The prepared statement for `sql` on `client` (a connection or a transaction on it).
    pub(super) fn get(&mut self, client: &mut impl GenericClient, sql: &'static str) -> Result<Statement> {
        if let Some(statement) = self.0.get(sql) {
            return Ok(statement.clone());
        }
        let statement = client.prepare(sql).map_err(storage)?;
        self.0.insert(sql, statement.clone());
        Ok(statement)
    }
}

impl Connection {
    /// The live client (connecting first if needed) and its statement cache.
    pub(super) fn parts(&mut self) -> Result<(&mut Client, &mut Statements)> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = None;
            self.statements = Statements::default();
            let client = self.config.connect(NoTls).map_err(|e| {
                Error::Storage(format!("PostgreSQL at {}: {}", place(&self.config), reason(&e)))
            })?;
            self.client = Some(client);
        }
        match self.client.as_mut() {
            Some(client) => Ok((client, &mut self.statements)),
            None => Err(Error::Storage("PostgreSQL: not connected".into())),
        }
    }

    /// Forgets the client (after a panic in a job: its state is unknown).
    fn reset(&mut self) {
        self.client = None;
        self.statements = Statements::default();
    }
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// A fixed set of connection threads sharing one job queue.
pub(super) struct Pool {
    jobs: Mutex<Option<Sender<Job>>>,
    threads: Vec<JoinHandle<()>>,
    /// Where the database is ([`place`]), named in every error.
    place: Arc<str>,
}

/// `PostgreSQL: reason` → `PostgreSQL at host:port/db as user: reason`.
fn located(error: Error, place: &str) -> Error {
    match error {
        Error::Storage(message) if message.starts_with("PostgreSQL: ") => {
            Error::Storage(format!("PostgreSQL at {place}: {}", &message["PostgreSQL: ".len()..]))
        }
        other => other,
    }
}

impl Pool {
    pub(super) fn new(config: postgres::Config, connections: usize) -> Result<Self> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let mut threads = Vec::new();
        let place: Arc<str> = place(&config).into();
        for i in 0..connections.max(1) {
            let (config, receiver) = (config.clone(), receiver.clone());
            let thread = std::thread::Builder::new()
                .name(format!("qayd-postgres-{i}"))
                .spawn(move || {
                    serve(Connection { config, client: None, statements: Statements::default() }, &receiver)
                })
                .map_err(|e| Error::Storage(format!("PostgreSQL: cannot start a connection thread: {e}")))?;
            threads.push(thread);
        }
        Ok(Pool { jobs: Mutex::new(Some(sender)), threads, place })
    }

    /// Queues `job` on the next free connection; its answer comes on the returned channel.
    pub(super) fn start<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> Result<R> + Send + 'static,
    ) -> Result<Answer<R>> {
        let (sender, receiver) = mpsc::sync_channel(1);
        let place = self.place.clone();
        let job: Job = Box::new(move |connection| {
            let _ = sender.send(job(connection).map_err(|e| located(e, &place)));
        });
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.as_ref()
            .and_then(|jobs| jobs.send(job).ok())
            .ok_or_else(|| Error::Storage("PostgreSQL: the store is closed".into()))?;
        Ok(Answer(receiver))
    }

    /// Runs `job` on a connection and waits for its answer.
    pub(super) fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        self.start(job)?.wait()
    }
}

/// The pending answer of a queued job.
pub(super) struct Answer<R>(mpsc::Receiver<Result<R>>);

impl<R> Answer<R> {
    pub(super) fn wait(self) -> Result<R> {
        self.0
            .recv()
            .unwrap_or_else(|_| Err(Error::Storage("PostgreSQL: the connection thread failed".into())))
    }
}

fn serve(mut connection: Connection, jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = match jobs.lock().unwrap_or_else(|e| e.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return, // the store was dropped
        };
        // A panicking job loses its answer (its caller gets an error), not the thread.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut connection)));
        if outcome.is_err() {
            connection.reset();
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Closing the queue ends every thread once its current job is done.
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).take();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}
