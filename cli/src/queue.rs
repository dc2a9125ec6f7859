//! `qayd submit` (one pass over the outbox, or the worker until Ctrl-C), `qayd queue
//! status|list|retry|dead` and `qayd events`. Sending is the engine's: chain order per unit,
//! backoff, dead letters; this module only chooses the environment and prints.

use crate::egs::count_statuses;
use crate::open::{self, Create, EngineArgs, ensure_unit, local_failure, utc};
use crate::settings::Settings;
use crate::{Failure, print_json};
use qayd::embed::DocumentInfo;
use qayd::engine::Engine;
use qayd::engine::{DrainSummary, shutdown_signal};
use qayd::store::{Store, SubmissionStatus};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(clap::Subcommand)]
pub(crate) enum QueueCommand {
    /// How many documents are in each status.
    Status,
    /// The documents in one status (oldest first).
    List {
        /// pending, submitting, retry_scheduled, cleared, reported, accepted_with_warnings,
        /// rejected or dead.
        status: String,
        /// Only this unit's documents.
        #[arg(long)]
        egs: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Send dead documents again (attempts reset): EGS ICV..., or --all.
    Retry {
        egs: Option<String>,
        icv: Vec<u64>,
        /// Every dead document of every unit.
        #[arg(long)]
        all: bool,
    },
    /// The dead letters, with the last error and ZATCA's messages.
    Dead {
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

/// The units with credentials, grouped by their environment: each group needs its own client
/// (credentials are refused by any other environment).
fn units_by_environment(
    store: &dyn Store,
) -> Result<BTreeMap<String, (qayd::Environment, Vec<String>)>, Failure> {
    let mut groups: BTreeMap<String, (qayd::Environment, Vec<String>)> = BTreeMap::new();
    for id in store.egs_ids()? {
        if let Some(environment) = open::unit_environment(store, &id)? {
            groups.entry(environment.name()).or_insert_with(|| (environment, Vec::new())).1.push(id);
        }
    }
    Ok(groups)
}

/// One pass per environment the store's units belong to: an engine connected to one
/// environment leaves the other environments' units alone, so the passes never overlap.
async fn drain(
    engine: &Engine,
    groups: &BTreeMap<String, (qayd::Environment, Vec<String>)>,
) -> Result<DrainSummary, Failure> {
    let mut total = DrainSummary::default();
    for (environment, _) in groups.values() {
        let pass = open::connect(engine, environment)?.drain().await?;
        total.add(pass);
    }
    // Every environment had its pass: no unit was left out.
    total.other_environment_units.clear();
    Ok(total)
}

fn summary_json(summary: &DrainSummary) -> serde_json::Value {
    json!({
        "sent": summary.sent,
        "cleared": summary.cleared,
        "reported": summary.reported,
        "accepted_with_warnings": summary.accepted_with_warnings,
        "duplicates": summary.duplicates,
        "rejected": summary.rejected,
        "retry_scheduled": summary.retry_scheduled,
        "dead": summary.dead,
        "stopped_units": summary.stopped_units,
        "errors": summary.errors.iter().map(|(id, e)| json!({"egs_id": id, "code": e.code(), "message": e.to_string()})).collect::<Vec<_>>(),
    })
}

/// A spinner with the number of documents still owed an answer, while a pass runs.
fn spinner(
    json_output: bool,
    store: std::sync::Arc<dyn Store>,
) -> Option<(indicatif::ProgressBar, tokio::task::JoinHandle<()>)> {
    use std::io::IsTerminal;
    if json_output || !std::io::stderr().is_terminal() || std::env::var_os("QAYD_NO_PROGRESS").is_some() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    let shown = bar.clone();
    let task = tokio::spawn(async move {
        loop {
            let open: u64 = store
                .status_counts()
                .map(|c| c.into_iter().filter(|(s, _)| !s.is_final()).map(|(_, n)| n).sum())
                .unwrap_or(0);
            shown.set_message(format!("submitting… {open} document(s) in the outbox"));
            shown.tick();
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    });
    Some((bar, task))
}

/// `qayd submit`.
pub(crate) fn submit(
    watch: bool,
    metrics: Option<&str>,
    args: &EngineArgs,
    settings: &Settings,
    json_output: bool,
) -> Result<u8, Failure> {
    let store = open::open_store(args, settings, Create::No)?;
    let groups = units_by_environment(store.as_ref())?;
    if groups.is_empty() {
        if json_output {
            print_json(json!({ "sent": 0, "message": "no unit has credentials" }));
        } else {
            say!("nothing to submit: no unit has credentials (`qayd egs add`)");
        }
        return Ok(0);
    }
    let engine = open::engine(args, settings, store.clone(), true)?;
    let runtime = open::runtime()?;
    if watch {
        return runtime.block_on(watch_until_ctrl_c(&engine, &groups, metrics, json_output));
    }
    let summary = runtime.block_on(async {
        let progress = spinner(json_output, store.clone());
        let summary = drain(&engine, &groups).await;
        if let Some((bar, task)) = progress {
            task.abort();
            bar.finish_and_clear();
        }
        summary
    })?;
    let counts = count_statuses(store.status_counts()?);
    if json_output {
        let mut value = summary_json(&summary);
        value["queue"] = json!(counts);
        print_json(value);
    } else {
        say!(
            "sent {}: cleared {}, reported {}, accepted with warnings {}, rejected {}, retry scheduled {}, dead {}{}",
            summary.sent,
            summary.cleared,
            summary.reported,
            summary.accepted_with_warnings,
            summary.rejected,
            summary.retry_scheduled,
            summary.dead,
            if summary.duplicates > 0 {
                format!(" ({} answered as duplicates)", summary.duplicates)
            } else {
                String::new()
            }
        );
        for id in &summary.stopped_units {
            say!("stopped: {id} ({})", store.stopped(id)?.unwrap_or_default());
        }
        for (id, error) in &summary.errors {
            say!("error: {id}: {error}");
        }
        print_counts(&counts);
    }
    if let Some((_, error)) =
        summary.errors.iter().find(|(_, e)| matches!(e, qayd::Error::Secret(_) | qayd::Error::Storage(_)))
    {
        return Err(local_failure(error.code(), error.to_string()));
    }
    if let Some((_, error)) = summary.errors.first() {
        return Err(error.clone().into());
    }
    Ok(if summary.rejected > 0 || summary.dead > 0 || !summary.stopped_units.is_empty() {
        1
    } else if summary.retry_scheduled > 0 {
        3
    } else {
        0
    })
}

/// The worker (`Engine::run`) until Ctrl-C, printing events as they come; graceful: the
/// in-flight request finishes and is recorded.
async fn watch_until_ctrl_c(
    engine: &Engine,
    groups: &BTreeMap<String, (qayd::Environment, Vec<String>)>,
    metrics: Option<&str>,
    json_output: bool,
) -> Result<u8, Failure> {
    // Fail now (wrong or missing key) rather than in every pass.
    for (_, units) in groups.values() {
        for id in units {
            engine.unlock(id)?;
        }
    }
    // Bound before the worker starts: a taken port fails at once. Its workers share the
    // engine's health, so the endpoint sees their passes.
    let exporter = match metrics {
        Some(addr) => Some(crate::metrics::serve(addr, engine.clone()).await?),
        None => None,
    };
    if let Some((bound, _)) = &exporter {
        if json_output {
            say!(
                "{}",
                json!({ "metrics": format!("http://{bound}/metrics"), "health": format!("http://{bound}/health") })
            );
        } else {
            tell!("qayd submit --watch: metrics on http://{bound}/metrics, health on http://{bound}/health");
        }
    }
    let interrupted = open::interrupt()?;
    tokio::pin!(interrupted);
    let (trigger, shutdown) = shutdown_signal();
    // One worker per environment: each sends its own environment's units only.
    let mut workers = tokio::task::JoinSet::new();
    for (environment, _) in groups.values() {
        let connected = open::connect(engine, environment)?;
        let shutdown = shutdown.clone();
        workers.spawn(async move { connected.run(shutdown).await });
    }
    if !json_output {
        let units: usize = groups.values().map(|(_, units)| units.len()).sum();
        let environments: Vec<&String> = groups.keys().collect();
        tell!("qayd submit --watch: sending for {units} unit(s) to {environments:?}; Ctrl-C stops");
    }
    let mut cursor = engine.events_since(0, usize::MAX)?.last().map(|e| e.seq).unwrap_or(0);
    // The store may go away (a database restart): the workers retry on their next pass, and
    // this loop reports the outage once and carries on, rather than ending the watch.
    let mut outage: Option<String> = None;
    loop {
        tokio::select! {
            _ = &mut interrupted => break,
            _ = tokio::time::sleep(Duration::from_millis(500)) => {
                match engine.events_since(cursor, 1000) {
                    Ok(events) => {
                        if let Some(reason) = outage.take() {
                            report_store(json_output, true, &reason);
                        }
                        for event in events {
                            cursor = event.seq;
                            print_event(&event, json_output);
                        }
                    }
                    Err(error) => {
                        let reason = error.to_string();
                        if outage.is_none() {
                            report_store(json_output, false, &reason);
                        }
                        outage = Some(reason);
                    }
                }
            }
        }
    }
    trigger.trigger();
    if let Some((_, task)) = exporter {
        task.abort();
    }
    let mut stopped = Ok(Ok(()));
    while let Some(joined) = workers.join_next().await {
        if !matches!(joined, Ok(Ok(()))) {
            stopped = joined;
        }
    }
    // Best effort: the store may still be away at Ctrl-C.
    let counts = engine.store().status_counts().map(count_statuses).unwrap_or_default();
    if json_output {
        say!("{}", json!({ "stopped": true, "queue": counts }));
    } else {
        tell!("stopped");
        print_counts(&counts);
    }
    match stopped {
        Ok(result) => result?,
        Err(e) => return Err(qayd::Error::Storage(format!("the worker failed: {e}")).into()),
    }
    Ok(0)
}

/// Tells that the store went away (with the database's reason) or came back.
fn report_store(json_output: bool, back: bool, reason: &str) {
    if json_output {
        let event = if back { "store_back" } else { "store_unavailable" };
        say!("{}", json!({ "event": event, "reason": reason }));
    } else if back {
        tell!("qayd submit --watch: the store is back (it was: {reason}); sending resumes");
    } else {
        tell!("qayd submit --watch: the store is unavailable ({reason}); still running, retrying");
    }
}

fn print_counts(counts: &BTreeMap<&'static str, u64>) {
    let shown: Vec<String> =
        counts.iter().filter(|(_, n)| **n > 0).map(|(s, n)| format!("{s} {n}")).collect();
    say!("queue: {}", if shown.is_empty() { "empty".to_owned() } else { shown.join(", ") });
}

fn parse_status(text: &str) -> Result<SubmissionStatus, Failure> {
    SubmissionStatus::parse(text.trim()).ok_or_else(|| {
        Failure::input(format!(
            "unknown status '{text}': pending, submitting, retry_scheduled, cleared, reported, accepted_with_warnings, rejected or dead"
        ))
    })
}

fn print_documents(documents: &[DocumentInfo]) {
    if documents.is_empty() {
        say!("(none)");
    }
    for d in documents {
        let due = d
            .next_attempt_at
            .filter(|_| d.status == qayd::embed::DocumentStatus::RetryScheduled)
            .map(|at| format!(", next attempt {}", utc(at)));
        say!(
            "{:<20} ICV {:<6} {}  {:<22} attempts {}{}",
            d.egs_id,
            d.icv,
            d.uuid,
            d.status,
            d.attempts,
            due.unwrap_or_default()
        );
        if let Some(error) = &d.last_error {
            say!("    last error: {error}");
        }
        if let Some(messages) = &d.messages {
            for m in zatca_messages(messages) {
                say!("    {m}");
            }
        }
    }
}

/// ZATCA's messages (`validationResults` or `errorMessages`) as `[STATUS] code: message` lines.
fn zatca_messages(value: &serde_json::Value) -> Vec<String> {
    let mut lines = Vec::new();
    let mut push = |list: Option<&Vec<serde_json::Value>>| {
        for m in list.into_iter().flatten() {
            let field = |k: &str| m.get(k).and_then(|v| v.as_str()).unwrap_or("");
            lines.push(format!("[{}] {}: {}", field("status"), field("code"), field("message")));
        }
    };
    push(value.get("errorMessages").and_then(|v| v.as_array()));
    push(value.get("warningMessages").and_then(|v| v.as_array()));
    lines
}

/// `qayd queue …`.
pub(crate) fn queue(
    command: QueueCommand,
    args: &EngineArgs,
    settings: &Settings,
    json_output: bool,
) -> Result<u8, Failure> {
    let store = open::open_store(args, settings, Create::No)?;
    match command {
        QueueCommand::Status => {
            let counts = count_statuses(store.status_counts()?);
            let total: u64 = counts.values().sum();
            // The outbox keeps milliseconds; shown (and in JSON) as whole seconds, rounded up.
            let next_due = store.next_due_ms()?.map(qayd::store::seconds_rounded_up);
            if json_output {
                print_json(json!({ "counts": counts, "total": total, "next_due": next_due }));
            } else {
                for (status, n) in &counts {
                    say!("{status:<24} {n:>8}");
                }
                say!("{:<24} {total:>8}", "total");
                if let Some(at) = next_due {
                    say!("next retry due {}", utc(at));
                }
            }
            Ok(0)
        }
        QueueCommand::List { status, egs, limit } => {
            let status = parse_status(&status)?;
            if let Some(id) = &egs {
                ensure_unit(store.as_ref(), id)?;
            }
            let documents: Vec<DocumentInfo> = match &egs {
                Some(id) => store
                    .documents(id)?
                    .iter()
                    .filter(|d| d.status == status)
                    .take(limit)
                    .map(DocumentInfo::from)
                    .collect(),
                None => store.documents_by_status(status, limit)?.iter().map(DocumentInfo::from).collect(),
            };
            if json_output {
                print_json(json!({ "status": status.as_str(), "documents": documents }));
            } else {
                print_documents(&documents);
            }
            Ok(0)
        }
        QueueCommand::Dead { limit } => {
            let documents: Vec<DocumentInfo> = store
                .documents_by_status(SubmissionStatus::Dead, limit)?
                .iter()
                .map(DocumentInfo::from)
                .collect();
            if json_output {
                print_json(json!({ "documents": documents }));
            } else {
                print_documents(&documents);
            }
            Ok(0)
        }
        QueueCommand::Retry { egs, icv, all } => {
            let engine = Engine::new(store.clone());
            let targets: Vec<(String, u64)> = if all {
                if egs.is_some() {
                    return Err(Failure::input("--all takes no EGS or ICV".into()));
                }
                store
                    .documents_by_status(SubmissionStatus::Dead, usize::MAX)?
                    .into_iter()
                    .map(|d| (d.egs_id, d.icv))
                    .collect()
            } else {
                let id = egs.ok_or_else(|| Failure::input("give EGS ICV... (or --all)".into()))?;
                ensure_unit(store.as_ref(), &id)?;
                if icv.is_empty() {
                    return Err(Failure::input("give the ICV of each dead document to send again".into()));
                }
                icv.iter().map(|n| (id.clone(), *n)).collect()
            };
            let mut requeued = Vec::new();
            for (id, n) in &targets {
                if !engine.requeue(id, *n)? {
                    let status = store.document(id, *n)?.map(|d| d.status.as_str()).unwrap_or("not issued");
                    return Err(Failure::input(format!(
                        "{id} ICV {n} is not dead ({status}); only dead documents are sent again{}",
                        if requeued.is_empty() {
                            String::new()
                        } else {
                            format!(" ({} requeued before it)", requeued.len())
                        }
                    )));
                }
                requeued.push(json!({ "egs_id": id, "icv": n }));
            }
            if json_output {
                print_json(json!({ "requeued": requeued }));
            } else {
                say!("{} document(s) requeued; `qayd submit` sends them", requeued.len());
            }
            Ok(0)
        }
    }
}

fn print_event(event: &qayd::engine::Event, json_output: bool) {
    if json_output {
        say!("{}", serde_json::to_string(event).unwrap_or_default());
    } else {
        say!(
            "{:>6}  {}  {:<22} {}{}  {}",
            event.seq,
            utc(event.at),
            event.kind.as_str(),
            event.egs_id,
            event.icv.map(|n| format!(" ICV {n}")).unwrap_or_default(),
            event.data
        );
    }
}

/// `qayd events`: the engine's event stream after a cursor; `--follow` polls until Ctrl-C.
/// With `--json`: one JSON object per line.
pub(crate) fn events(
    since: i64,
    follow: bool,
    limit: usize,
    args: &EngineArgs,
    settings: &Settings,
    json_output: bool,
) -> Result<u8, Failure> {
    let store = open::open_store(args, settings, Create::No)?;
    let engine = Engine::new(store);
    open::runtime()?.block_on(async {
        let interrupted = open::interrupt()?;
        tokio::pin!(interrupted);
        let mut cursor = since;
        loop {
            for event in engine.events_since(cursor, if follow { 1000 } else { limit })? {
                cursor = event.seq;
                print_event(&event, json_output);
            }
            if !follow {
                return Ok(0);
            }
            tokio::select! {
                _ = &mut interrupted => return Ok(0),
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    })
}
