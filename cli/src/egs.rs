//! `qayd egs add|list|show|renew|expiry`: the EGS units of a store. Credentials go into the
//! store sealed with the master key (never into a plain file here); onboarding and renewal
//! exchanges go to the store's audit log.

use crate::onboard::{Bar, OtpArgs, read_csr_config};
use crate::open::{self, Create, EngineArgs, ensure_unit, local_failure, utc};
use crate::settings::{Settings, parse_environment};
use crate::{Failure, OtpFlags, io_failure, print_json};
use qayd::embed::DocumentInfo;
use qayd::onboarding::EgsCredentials;
use qayd::store::{Store, SubmissionStatus};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Exit code of `egs expiry` when a certificate is within the warning window (or expired).
pub(crate) const EXIT_EXPIRING: u8 = 5;

#[derive(clap::Subcommand)]
pub(crate) enum EgsCommand {
    /// Register a unit and store its credentials sealed with the master key: from the
    /// credentials.json `qayd onboard` wrote (--credentials), or by onboarding now (--config,
    /// --env and an OTP: --otp-env VAR, --otp-file FILE, --otp-file - for standard input).
    Add {
        /// The unit's id in this store (e.g. riyadh-pos-1).
        id: String,
        /// The credentials.json `qayd onboard --out DIR` wrote (or DIR itself).
        #[arg(long, value_name = "FILE|DIR")]
        credentials: Option<PathBuf>,
        /// Onboarding: the CSR values (the SDK's .properties file, or JSON).
        #[arg(long, env = "QAYD_CSR_CONFIG", value_name = "FILE")]
        config: Option<PathBuf>,
        /// Onboarding: developer-portal, simulation, core or a base URL. With --credentials:
        /// must be theirs.
        #[arg(long, env = "QAYD_ENV")]
        env: Option<String>,
        #[command(flatten)]
        otp: OtpFlags,
        /// Replace credentials the unit already has.
        #[arg(long)]
        force: bool,
    },
    /// Every unit: chain head, environment, certificate expiry, queue counts.
    List,
    /// One unit in detail, with its latest documents.
    Show {
        id: String,
        /// How many of the latest documents to show.
        #[arg(long, default_value_t = 10)]
        last: usize,
    },
    /// Renew the unit's production CSID with a new OTP (new key) from what the store holds; the
    /// unit's queued documents are sent first, then the new credentials replace the stored ones.
    Renew {
        id: String,
        /// The CSR values to renew with, instead of the stored ones (needed once for units added
        /// before the store kept them).
        #[arg(long, env = "QAYD_CSR_CONFIG", value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        otp: OtpFlags,
    },
    /// Let a unit stopped by an `unauthorized` answer send again (after fixing the cause;
    /// `renew` and `add --force` resume it too).
    Resume { id: String },
    /// Days left on each unit's certificate; exit 5 when one is within the warning window.
    Expiry {
        /// The warning window in days.
        #[arg(long, default_value_t = 30)]
        days: i64,
    },
}

/// What `list`, `show` and `add` print about a unit (no secrets).
#[derive(Serialize)]
pub(crate) struct UnitInfo {
    pub egs_id: String,
    pub next_icv: u64,
    pub last_hash: String,
    pub environment: Option<String>,
    pub certificate_serial: Option<String>,
    pub certificate_expiry: Option<i64>,
    pub certificate_expiry_utc: Option<String>,
    /// Whole days until the certificate expires (negative: expired).
    pub days_left: Option<i64>,
    pub stopped: Option<String>,
    pub documents: u64,
    /// Documents per status.
    pub queue: BTreeMap<&'static str, u64>,
}

const STATUSES: [SubmissionStatus; 8] = [
    SubmissionStatus::Pending,
    SubmissionStatus::Submitting,
    SubmissionStatus::RetryScheduled,
    SubmissionStatus::Cleared,
    SubmissionStatus::Reported,
    SubmissionStatus::AcceptedWithWarnings,
    SubmissionStatus::Rejected,
    SubmissionStatus::Dead,
];

/// Every status with a count (zeros included, a stable shape for scripts).
pub(crate) fn count_statuses(
    statuses: impl IntoIterator<Item = (SubmissionStatus, u64)>,
) -> BTreeMap<&'static str, u64> {
    let mut counts: BTreeMap<&'static str, u64> = STATUSES.iter().map(|s| (s.as_str(), 0)).collect();
    for (status, n) in statuses {
        *counts.entry(status.as_str()).or_default() += n;
    }
    counts
}

fn unit_info(store: &dyn Store, egs_id: &str, now: i64) -> Result<(UnitInfo, Vec<DocumentInfo>), Failure> {
    let head = store.chain_head(egs_id)?;
    let sealed = store.credentials(egs_id)?;
    let environment = open::unit_environment(store, egs_id)?.map(|e| e.name());
    let certificate =
        sealed.as_ref().and_then(|s| qayd::Certificate::from_bytes(s.binary_security_token.as_bytes()).ok());
    let documents: Vec<DocumentInfo> = store.documents(egs_id)?.iter().map(DocumentInfo::from).collect();
    let queue = count_statuses(documents.iter().map(|d| d.status).map(|status| (status, 1)));
    let not_after = sealed.as_ref().map(|s| s.not_after);
    let info = UnitInfo {
        egs_id: egs_id.to_owned(),
        next_icv: head.next_icv,
        last_hash: head.last_hash,
        environment,
        certificate_serial: certificate.map(|c| c.serial_decimal().to_owned()),
        certificate_expiry: not_after,
        certificate_expiry_utc: not_after.map(utc),
        days_left: not_after.map(|at| (at - now).div_euclid(86_400)),
        stopped: store.stopped(egs_id)?,
        documents: documents.len() as u64,
        queue,
    };
    Ok((info, documents))
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub(crate) fn run(
    command: EgsCommand,
    args: &EngineArgs,
    settings: &Settings,
    json_output: bool,
) -> Result<u8, Failure> {
    match command {
        EgsCommand::Add { id, credentials, config, env, otp, force } => {
            add(AddArgs { id, credentials, config, env, otp: otp.into(), force }, args, settings, json_output)
        }
        EgsCommand::List => list(args, settings, json_output),
        EgsCommand::Show { id, last } => show(&id, last, args, settings, json_output),
        EgsCommand::Renew { id, config, otp } => renew(&id, config, otp.into(), args, settings, json_output),
        EgsCommand::Expiry { days } => expiry(days, args, settings, json_output),
        EgsCommand::Resume { id } => {
            let store = open::open_store(args, settings, Create::No)?;
            ensure_unit(store.as_ref(), &id)?;
            let was = store.stopped(&id)?;
            qayd::engine::Engine::new(store).resume_egs(&id)?;
            if json_output {
                print_json(json!({ "egs_id": id, "was_stopped": was }));
            } else {
                match was {
                    Some(reason) => {
                        say!("{id} resumed (it was stopped: {reason}); `qayd submit` sends its queue")
                    }
                    None => say!("{id} was not stopped"),
                }
            }
            Ok(0)
        }
    }
}

struct AddArgs {
    id: String,
    credentials: Option<PathBuf>,
    config: Option<PathBuf>,
    env: Option<String>,
    otp: OtpArgs,
    force: bool,
}

fn check_id(id: &str) -> Result<(), Failure> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        return Ok(());
    }
    Err(Failure::input(format!("EGS id '{id}': use 1 to 64 letters, digits, '-', '_' or '.'")))
}

fn add(
    args: AddArgs,
    engine_args: &EngineArgs,
    settings: &Settings,
    json_output: bool,
) -> Result<u8, Failure> {
    check_id(&args.id)?;
    // The key first: nothing is created or sent without one.
    let key = open::master_key(engine_args, settings)?;
    let imported = match &args.credentials {
        Some(path) => {
            let file = if path.is_dir() { path.join("credentials.json") } else { path.clone() };
            let text = std::fs::read_to_string(&file).map_err(|e| io_failure(&file, e))?;
            let credentials = EgsCredentials::from_json(&text)?;
            if let Some(env) = args.env.as_deref().or(settings.env.as_deref()) {
                credentials.check_environment(&parse_environment(env)?)?;
            }
            Some(credentials)
        }
        None => None,
    };
    let store = open::open_store(engine_args, settings, Create::Yes)?;
    let engine = qayd::engine::Engine::new(store.clone())
        .with_config(open::engine_config(settings)?)
        .with_master_key(key);
    if store.credentials(&args.id)?.is_some() && !args.force {
        return Err(Failure::input(format!(
            "EGS unit '{}' already has credentials; `qayd egs renew {}` renews them, --force replaces them",
            args.id, args.id
        )));
    }
    // One master key per store: a unit already sealed must open with this key.
    for other in store.egs_ids()? {
        if other != args.id && store.credentials(&other)?.is_some() {
            engine.unlock(&other).map_err(|e| {
                local_failure("SECRET", format!("this store's units are sealed with another master key: {e}"))
            })?;
            break;
        }
    }
    let credentials = match imported {
        Some(credentials) => credentials,
        None => onboard(&args, &store, settings, json_output)?,
    };
    engine.set_onboarded(&args.id, &credentials)?;
    let (info, _) = unit_info(store.as_ref(), &args.id, now())?;
    if json_output {
        print_json(json!({ "added": info }));
    } else {
        say!(
            "added EGS unit {} ({}, certificate expires {}); credentials sealed in the store",
            info.egs_id,
            info.environment.as_deref().unwrap_or("?"),
            info.certificate_expiry_utc.as_deref().unwrap_or("?")
        );
    }
    Ok(0)
}

/// Onboards a unit now (key, CSR, compliance CSID, samples, production CSID).
fn onboard(
    args: &AddArgs,
    store: &std::sync::Arc<dyn Store>,
    settings: &Settings,
    json_output: bool,
) -> Result<EgsCredentials, Failure> {
    let config = args.config.clone().or_else(|| settings.csr_config.clone()).ok_or_else(|| {
        Failure::input(
            "give --credentials FILE (from `qayd onboard`) or onboard now with --config FILE --env ENV and an OTP"
                .into(),
        )
    })?;
    let env = args.env.clone().or_else(|| settings.env.clone()).ok_or_else(|| {
        Failure::input("no environment: give --env developer-portal|simulation|core|URL (or QAYD_ENV)".into())
    })?;
    let environment = parse_environment(&env)?;
    let identity = read_csr_config(&config)?;
    identity.validate()?;
    let otp = args.otp.resolve(settings)?;
    let client = open::audited_client(store, &environment, settings)?;
    let bar = Bar::new(json_output);
    let mut progress = bar.callback();
    let result = open::runtime()?.block_on(qayd::onboarding::onboard(
        &client,
        &environment,
        &identity,
        &otp,
        &mut progress,
    ));
    bar.finish();
    Ok(result?)
}

fn list(args: &EngineArgs, settings: &Settings, json_output: bool) -> Result<u8, Failure> {
    let store = open::open_store(args, settings, Create::No)?;
    let now = now();
    let units = store
        .egs_ids()?
        .iter()
        .map(|id| unit_info(store.as_ref(), id, now).map(|(info, _)| info))
        .collect::<Result<Vec<_>, _>>()?;
    if json_output {
        print_json(json!({ "units": units }));
        return Ok(0);
    }
    if units.is_empty() {
        say!("no EGS units (add one with `qayd egs add`)");
        return Ok(0);
    }
    say!(
        "{:<20} {:<34} {:>8}  {:<14} {:<11} {:>5} {:>5} {:>5} {:>5}  stopped",
        "EGS",
        "environment",
        "next ICV",
        "last hash",
        "expires",
        "days",
        "open",
        "final",
        "dead"
    );
    for u in &units {
        let open: u64 = ["pending", "submitting", "retry_scheduled"].iter().map(|s| u.queue[s]).sum();
        let done: u64 =
            ["cleared", "reported", "accepted_with_warnings", "rejected"].iter().map(|s| u.queue[s]).sum();
        say!(
            "{:<20} {:<34} {:>8}  {:<14} {:<11} {:>5} {:>5} {:>5} {:>5}  {}",
            u.egs_id,
            u.environment.as_deref().unwrap_or("(no credentials)"),
            u.next_icv,
            format!("{}…", u.last_hash.chars().take(12).collect::<String>()),
            u.certificate_expiry_utc.as_deref().map(|t| t.get(..10).unwrap_or(t)).unwrap_or("-"),
            u.days_left.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
            open,
            done,
            u.queue["dead"],
            u.stopped.as_deref().unwrap_or("-"),
        );
    }
    Ok(0)
}

fn show(
    id: &str,
    last: usize,
    args: &EngineArgs,
    settings: &Settings,
    json_output: bool,
) -> Result<u8, Failure> {
    let store = open::open_store(args, settings, Create::No)?;
    ensure_unit(store.as_ref(), id)?;
    let (info, documents) = unit_info(store.as_ref(), id, now())?;
    let recent = &documents[documents.len().saturating_sub(last)..];
    if json_output {
        print_json(json!({ "unit": info, "recent_documents": recent }));
        return Ok(0);
    }
    say!("EGS unit      {}", info.egs_id);
    say!("environment   {}", info.environment.as_deref().unwrap_or("(no credentials)"));
    say!("next ICV      {}", info.next_icv);
    say!("last hash     {}", info.last_hash);
    if let (Some(serial), Some(expiry), Some(days)) =
        (&info.certificate_serial, &info.certificate_expiry_utc, info.days_left)
    {
        say!("certificate   serial {serial}, expires {expiry} ({days} days)");
    }
    say!("stopped       {}", info.stopped.as_deref().unwrap_or("no"));
    let counts: Vec<String> =
        info.queue.iter().filter(|(_, n)| **n > 0).map(|(s, n)| format!("{s} {n}")).collect();
    say!(
        "documents     {} ({})",
        info.documents,
        if counts.is_empty() { "none".into() } else { counts.join(", ") }
    );
    for d in recent {
        say!(
            "  ICV {:>6}  {}  {:<22} attempts {}{}",
            d.icv,
            d.uuid,
            d.status,
            d.attempts,
            d.last_error.as_deref().map(|e| format!("  ({e})")).unwrap_or_default()
        );
    }
    Ok(0)
}

fn renew(
    id: &str,
    config: Option<PathBuf>,
    otp: OtpArgs,
    args: &EngineArgs,
    settings: &Settings,
    json_output: bool,
) -> Result<u8, Failure> {
    let store = open::open_store(args, settings, Create::No)?;
    ensure_unit(store.as_ref(), id)?;
    let engine = open::engine(args, settings, store.clone(), true)?;
    let environment = open::unit_environment(store.as_ref(), id)?.ok_or_else(|| {
        Failure::input(format!("EGS unit '{id}' has no credentials to renew (`qayd egs add {id}`)"))
    })?;
    // The store keeps the CSR values the unit was onboarded with; --config overrides them (and
    // is stored with the new credentials).
    let identity = match config.or_else(|| settings.csr_config.clone()) {
        Some(path) => {
            let identity = read_csr_config(&path)?;
            identity.validate()?;
            Some(identity)
        }
        None if engine.identity(id)?.is_some() => None,
        None => {
            return Err(Failure::input(format!(
                "EGS unit '{id}' was stored without its CSR values: give --config FILE (the values it was onboarded with) once"
            )));
        }
    };
    // Opens the sealed credentials (a wrong key fails here, before anything is sent).
    engine.unlock(id)?;
    let otp = otp.resolve(settings)?;
    let engine = open::connect(&engine, &environment)?;
    let bar = Bar::new(json_output);
    let mut progress = bar.callback();
    let result = open::runtime()?.block_on(engine.renew_with(id, &otp, identity.as_ref(), &mut progress));
    bar.finish();
    let outcome = result?;
    let (info, _) = unit_info(store.as_ref(), id, now())?;
    if json_output {
        print_json(json!({ "renewed": info, "renewal": outcome }));
    } else {
        say!(
            "renewed EGS unit {}: certificate serial {}, expires {}",
            info.egs_id,
            info.certificate_serial.as_deref().unwrap_or("?"),
            info.certificate_expiry_utc.as_deref().unwrap_or("?")
        );
        if outcome.sent_before_renewal > 0 {
            say!(
                "{} queued document(s) were sent under the previous CSID first",
                outcome.sent_before_renewal
            );
        }
        if outcome.unsent_with_previous_certificate > 0 {
            say!(
                "{} document(s) signed by the previous certificate are still queued (`qayd queue status`)",
                outcome.unsent_with_previous_certificate
            );
        }
    }
    Ok(0)
}

fn expiry(days: i64, args: &EngineArgs, settings: &Settings, json_output: bool) -> Result<u8, Failure> {
    if days < 0 {
        return Err(Failure::input("--days must be 0 or more".into()));
    }
    let store = open::open_store(args, settings, Create::No)?;
    let now = now();
    let mut units = Vec::new();
    for id in store.egs_ids()? {
        let Some(sealed) = store.credentials(&id)? else { continue };
        let left = sealed.not_after - now;
        let state = if left <= 0 {
            "expired"
        } else if left <= days * 86_400 {
            "expiring"
        } else {
            "ok"
        };
        units.push(json!({
            "egs_id": id,
            "certificate_expiry": sealed.not_after,
            "certificate_expiry_utc": utc(sealed.not_after),
            "days_left": left.div_euclid(86_400),
            "state": state,
        }));
    }
    let attention = units.iter().filter(|u| u["state"] != "ok").count();
    if json_output {
        print_json(json!({ "window_days": days, "units": units, "attention": attention }));
    } else {
        for u in &units {
            say!(
                "{:<20} {:<21} {:>6} days  {}",
                u["egs_id"].as_str().unwrap_or(""),
                u["certificate_expiry_utc"].as_str().unwrap_or(""),
                u["days_left"],
                u["state"].as_str().unwrap_or("")
            );
        }
        if units.is_empty() {
            say!("no unit has credentials");
        } else if attention > 0 {
            say!("{attention} certificate(s) expire within {days} days: `qayd egs renew ID` with a new OTP");
        }
    }
    Ok(if attention > 0 { EXIT_EXPIRING } else { 0 })
}
