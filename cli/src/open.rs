//! Opening the durable engine for the engine commands (`egs`, `issue`, `submit`, `queue`,
//! `events`, `audit`): where the store is (`--store`, `QAYD_STORE`, settings `store`), where the
//! master key comes from (`--master-key-file`, `QAYD_MASTER_KEY_FILE`, settings
//! `master_key_file`; otherwise `QAYD_MASTER_KEY`), and the engine's settings. The key itself is
//! never a command-line value.

use crate::Failure;
use crate::settings::Settings;
use qayd::engine::{Engine, EngineConfig};
use qayd::secrets::{EnvKeyProvider, FileKeyProvider, KeyProvider, MASTER_KEY_VARIABLE, MasterKey};
use qayd::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The options every engine command takes (also after its sub-subcommand).
#[derive(clap::Args, Clone, Debug, Default)]
pub(crate) struct EngineArgs {
    /// The store: an SQLite file, `:memory:`, or a postgres:// URL.
    #[arg(long, global = true, env = "QAYD_STORE", value_name = "LOCATION")]
    pub store: Option<String>,
    /// A file holding the master key (base64 of 32 random bytes, mode 0600). Without it the
    /// key is read from QAYD_MASTER_KEY.
    #[arg(long, global = true, env = "QAYD_MASTER_KEY_FILE", value_name = "FILE")]
    pub master_key_file: Option<PathBuf>,
}

/// Whether a command may create the store.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Create {
    Yes,
    No,
}

/// A failure of the store or the secrets: exit 4.
pub(crate) fn local_failure(error_code: &'static str, message: String) -> Failure {
    Failure { code: 4, message, error_code }
}

/// Opens the store. Only `Create::Yes` (`egs add`, `store init`) may make one; every other
/// command refuses a location that is not a Qayd store already — no file, an empty file,
/// another file or database (exit 4) — and leaves it untouched.
pub(crate) fn open_store(
    args: &EngineArgs,
    settings: &Settings,
    create: Create,
) -> Result<Arc<dyn Store>, Failure> {
    let location = args.store.clone().or_else(|| settings.store.clone()).ok_or_else(|| {
        Failure::input(
            "no store: give --store FILE.db (or QAYD_STORE, or \"store\" in the settings file)".into(),
        )
    })?;
    let trimmed = location.trim();
    Ok(match create {
        // An existing file with content must already be a Qayd store: an explicit create never
        // adds Qayd's tables to another application's database.
        Create::Yes if is_non_empty_file(trimmed) => qayd::store::open_existing(trimmed)?,
        Create::Yes => qayd::store::open(trimmed)?,
        Create::No => qayd::store::open_existing(trimmed)?,
    })
}

fn is_non_empty_file(location: &str) -> bool {
    std::fs::metadata(location).is_ok_and(|m| m.len() > 0)
}

/// `qayd store init`: creates the store (an SQLite file, or the schema in a PostgreSQL
/// database), or checks that the one there is a Qayd store. Nothing else creates one but
/// `egs add`.
pub(crate) fn init_store(args: &EngineArgs, settings: &Settings, json_output: bool) -> Result<u8, Failure> {
    let location = args.store.clone().or_else(|| settings.store.clone()).unwrap_or_default();
    let existed = qayd::store::open_existing(location.trim()).is_ok();
    let store = open_store(args, settings, Create::Yes)?;
    let units = store.egs_ids()?.len();
    let shown = redact_location(location.trim());
    if json_output {
        crate::print_json(serde_json::json!({ "store": shown, "created": !existed, "units": units }));
    } else if existed {
        say!("{shown} is a Qayd store already ({units} units)");
    } else {
        say!("store created at {shown}");
    }
    Ok(0)
}

/// A store location fit to print: a PostgreSQL URL without its password.
pub(crate) fn redact_location(location: &str) -> String {
    let Some((scheme, rest)) = location.split_once("://") else { return location.to_owned() };
    match rest.split_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        None => location.to_owned(),
    }
}

/// The master key, from the named file or `QAYD_MASTER_KEY`.
pub(crate) fn master_key(args: &EngineArgs, settings: &Settings) -> Result<MasterKey, Failure> {
    if let Some(path) = args.master_key_file.clone().or_else(|| settings.master_key_file.clone()) {
        if !path.exists() {
            return Err(local_failure(
                "SECRET",
                format!(
                    "no master key file at {}: create one with `qayd master-key {}` (keep a copy somewhere safe: without it the stored credentials cannot be opened)",
                    path.display(),
                    path.display()
                ),
            ));
        }
        return Ok(FileKeyProvider { path }.master_key()?);
    }
    if std::env::var_os(MASTER_KEY_VARIABLE).is_none() {
        return Err(local_failure(
            "SECRET",
            format!(
                "no master key: set {MASTER_KEY_VARIABLE} to base64 of 32 random bytes (e.g. `openssl rand -base64 32`) or name a key file with --master-key-file (or QAYD_MASTER_KEY_FILE)"
            ),
        ));
    }
    Ok(EnvKeyProvider::default().master_key()?)
}

/// The engine's configuration, built by the same code as every binding's
/// (`embed::EngineOptions::engine_config`); the API client's settings are the CLI's own
/// (`--env`, timeouts, `QAYD_INSECURE_HTTP`).
pub(crate) fn engine_config(settings: &Settings) -> Result<EngineConfig, Failure> {
    let options = qayd::embed::EngineOptions {
        retry_base_ms: settings.retry_base_ms,
        retry_cap_ms: settings.retry_cap_ms,
        max_attempts: settings.max_attempts,
        max_submission_bytes: settings.max_submission_bytes.map(|bytes| bytes as u64),
        deliver_pdf: settings.deliver_pdf,
        ..qayd::embed::EngineOptions::default()
    };
    let mut config = options.engine_config();
    config.deliver_dir = settings.deliver_dir.clone(); // a path, kept exact (not UTF-8 text)
    config.client = settings.client_config()?;
    Ok(config)
}

/// `qayd master-key FILE`: a new random master key in a new owner-only file.
pub(crate) fn new_master_key(path: &Path, json_output: bool) -> Result<u8, Failure> {
    if path.exists() {
        return Err(Failure::input(format!(
            "{} exists; a master key is never replaced (the credentials sealed with it would be lost)",
            path.display()
        )));
    }
    let key = FileKeyProvider::create(path)?.master_key()?;
    let id = key.id().iter().map(|b| format!("{b:02x}")).collect::<String>();
    if json_output {
        crate::print_json(serde_json::json!({ "master_key_file": path, "key_id": id }));
    } else {
        say!("master key written to {} (id {id}); keep a copy somewhere safe", path.display());
    }
    Ok(0)
}

/// An engine on `store`, with the master key when `with_key`.
pub(crate) fn engine(
    args: &EngineArgs,
    settings: &Settings,
    store: Arc<dyn Store>,
    with_key: bool,
) -> Result<Engine, Failure> {
    let mut engine = Engine::new(store).with_config(engine_config(settings)?);
    if with_key {
        engine = engine.with_master_key(master_key(args, settings)?);
    }
    Ok(engine)
}

/// Fails clearly when `egs_id` is not a unit of the store.
pub(crate) fn ensure_unit(store: &dyn Store, egs_id: &str) -> Result<(), Failure> {
    if store.egs_ids()?.iter().any(|id| id == egs_id) {
        return Ok(());
    }
    Err(Failure::input(format!(
        "unknown EGS unit '{egs_id}' (`qayd egs list` shows the units of this store)"
    )))
}

/// The environment a unit's stored credentials belong to.
pub(crate) fn unit_environment(
    store: &dyn Store,
    egs_id: &str,
) -> Result<Option<qayd::Environment>, Failure> {
    let Some(sealed) = store.credentials(egs_id)? else { return Ok(None) };
    let environment = serde_json::from_str(&sealed.environment).map_err(|e| {
        local_failure("STORAGE", format!("EGS unit '{egs_id}': unreadable environment in the store ({e})"))
    })?;
    Ok(Some(environment))
}

/// A copy of `engine` connected to `environment` (its API exchanges go to the audit log).
pub(crate) fn connect(engine: &Engine, environment: &qayd::Environment) -> Result<Engine, Failure> {
    Ok(engine.clone().connect(environment.clone())?)
}

/// An API client for onboarding and renewal whose exchanges also go to the store's audit log.
pub(crate) fn audited_client(
    store: &Arc<dyn Store>,
    environment: &qayd::Environment,
    settings: &Settings,
) -> Result<qayd::api::Client, Failure> {
    let config = settings.client_config()?;
    let hook = qayd::engine::AuditHook::new(store.clone(), Arc::new(qayd::clock::SystemClock));
    Ok(qayd::api::Client::with_config(environment.clone(), config)?.with_hook(hook))
}

/// A multi-threaded runtime for the commands that talk to the platform.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))
}

/// Ctrl-C (SIGINT), listened to from this call on: a signal that arrives before the first
/// await is neither lost nor fatal. Call inside the runtime.
pub(crate) fn interrupt() -> Result<impl std::future::Future<Output = ()>, Failure> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| Failure {
            code: 2,
            message: format!("cannot wait for Ctrl-C: {e}"),
            error_code: "IO",
        })?;
        Ok(async move {
            interrupt.recv().await;
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn utc(unix: i64) -> String {
    qayd::onboarding::utc_text(unix)
}
