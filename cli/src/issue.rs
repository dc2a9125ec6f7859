//! `qayd issue`: invoices in the model's JSON form, generated and stamped through the engine (the
//! next ICV and PIH come from the store, in one transaction), written out as stamped XML; with
//! `--submit` sent at once from the outbox, with `--clear` (B2B) sent and waited for until
//! cleared. Every file is read and checked before the first document is issued, so bad input
//! leaves the chain untouched.

use crate::onboard::Bar;
use crate::open::{self, Create, EngineArgs, ensure_unit};
use crate::settings::Settings;
use crate::{Failure, print_json, write_output};
use qayd::embed::DocumentInfo;
use qayd::engine::ClearOutcome;
use qayd::model::{Invoice, InvoiceKind};
use qayd::store::{StoredDocument, SubmissionStatus};
use serde::Serialize;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) struct IssueArgs {
    pub egs: String,
    pub inputs: Vec<PathBuf>,
    pub out: Option<PathBuf>,
    pub qr: bool,
    pub submit: bool,
    pub clear: bool,
    pub wait: Option<u64>,
    pub now: bool,
}

/// One issued document, as printed.
#[derive(Serialize)]
struct Issued {
    input: PathBuf,
    id: String,
    out: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    cleared_out: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qr_png: Option<PathBuf>,
    #[serde(flatten)]
    document: DocumentInfo,
}

/// The files named, folders expanded to their `*.json` files in name order.
fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .map_err(|e| crate::io_failure(input, e))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Failure::input(format!("{}: no *.json invoice in this folder", input.display())));
            }
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    if files.is_empty() {
        return Err(Failure::input(
            "no invoice given: qayd issue --egs ID INVOICE.json... (or a folder)".into(),
        ));
    }
    Ok(files)
}

/// Reads and checks one invoice; errors name the file.
fn load(path: &Path, issue_now: Option<i64>, clear: bool) -> Result<Invoice, Failure> {
    let named =
        |failure: Failure| Failure { message: format!("{}: {}", path.display(), failure.message), ..failure };
    let bytes = crate::read_input(path)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| named(Failure::input("the invoice JSON is not UTF-8".into())))?;
    let mut invoice = Invoice::from_json(text).map_err(|e| named(e.into()))?;
    if let Some(now) = issue_now {
        invoice.set_issued_at(now);
    }
    if clear && invoice.kind != InvoiceKind::Standard {
        return Err(named(Failure::input(
            "--clear is for standard (B2B) documents; simplified ones are reported: use --submit".into(),
        )));
    }
    // Totals, model rules and the date now, so that a bad file stops the batch before anything
    // is issued.
    invoice.to_xml().map_err(|e| named(e.into()))?;
    invoice
        .check_not_in_future(time::OffsetDateTime::now_utc().unix_timestamp())
        .map_err(|e| named(e.into()))?;
    Ok(invoice)
}

/// A file name from the ICV and the invoice number.
fn base_name(icv: u64, id: &str) -> String {
    let id: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect();
    format!("{icv:06}-{id}")
}

pub(crate) fn run(
    args: IssueArgs,
    engine_args: &EngineArgs,
    settings: &Settings,
    json_output: bool,
) -> Result<u8, Failure> {
    if args.submit && args.clear {
        return Err(Failure::input("--submit and --clear do not go together (--clear submits too)".into()));
    }
    let files = expand(&args.inputs)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut invoices = Vec::with_capacity(files.len());
    let mut uuids = std::collections::HashSet::new();
    for file in &files {
        let invoice = load(file, args.now.then_some(now), args.clear)?;
        if !uuids.insert(invoice.uuid) {
            return Err(Failure::input(format!(
                "{}: UUID {} appears twice in this batch",
                file.display(),
                invoice.uuid
            )));
        }
        invoices.push(invoice);
    }
    let store = open::open_store(engine_args, settings, Create::No)?;
    ensure_unit(store.as_ref(), &args.egs)?;
    for (file, invoice) in files.iter().zip(&invoices) {
        if let Some(found) = store.document_by_uuid(&invoice.uuid.to_string())? {
            return Err(Failure::input(format!(
                "{}: UUID {} was already issued (EGS {}, ICV {}); give the document a new UUID",
                file.display(),
                invoice.uuid,
                found.egs_id,
                found.icv
            )));
        }
    }
    let mut config = open::engine_config(settings)?;
    if let Some(wait) = args.wait {
        config.clear_wait = Duration::from_secs(wait);
    }
    let engine = qayd::engine::Engine::new(store.clone())
        .with_config(config)
        .with_master_key(open::master_key(engine_args, settings)?);
    let unlocked = engine.unlock(&args.egs)?;
    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&out_dir).map_err(|e| crate::io_failure(&out_dir, e))?;

    let bar = Bar::counter(json_output, invoices.len() as u64);
    let mut issued = Vec::with_capacity(invoices.len());
    let mut written = Vec::with_capacity(invoices.len());
    let mut cleared_xml = std::collections::HashMap::new();
    // A document the engine refuses mid-batch (local validation) stops the batch; those issued
    // before it are in the chain, so they are still written out and reported.
    let mut refused: Option<qayd::Error> = None;
    if args.clear {
        let connected = open::connect(&engine, &unlocked.environment)?;
        open::runtime()?.block_on(async {
            let mut waiting = true;
            for invoice in &invoices {
                // Once one is pending, the rest queue behind it (chain order): issue only.
                let result = if waiting {
                    connected.clear(&args.egs, invoice).await.map(|outcome| match outcome {
                        ClearOutcome::Cleared { document, cleared_xml: xml, .. } => {
                            cleared_xml.insert(document.icv, xml);
                            document
                        }
                        ClearOutcome::Pending { document } => {
                            waiting = false;
                            document
                        }
                        // Rejected, dead, and any outcome added later: the document is in the
                        // chain and is written out; its status says what became of it.
                        other => other.into_document(),
                    })
                } else {
                    connected.issue_invoice(&args.egs, invoice)
                };
                match result {
                    Ok(document) => {
                        bar.step(format!("ICV {}", document.icv));
                        written.push(write_stamped(invoice, &document, &out_dir, args.qr)?);
                        issued.push(document);
                    }
                    Err(error) => {
                        refused = Some(error);
                        break;
                    }
                }
            }
            settle(&store, &issued, settings.timeout()?).await
        })?;
    } else {
        for invoice in &invoices {
            match engine.issue_invoice(&args.egs, invoice) {
                Ok(document) => {
                    bar.step(format!("ICV {}", document.icv));
                    // Written as soon as it is stored: a run killed mid-batch leaves a file for
                    // every document in the chain.
                    written.push(write_stamped(invoice, &document, &out_dir, args.qr)?);
                    issued.push(document);
                }
                Err(error) => {
                    refused = Some(error);
                    break;
                }
            }
        }
    }
    bar.finish();
    let mut refused = refused.map(|error| {
        let failure = Failure::from(error);
        let done = if issued.is_empty() {
            String::new()
        } else {
            format!(" ({} document(s) before it were issued and written)", issued.len())
        };
        Failure {
            message: format!("{}: {}{done}", files[issued.len()].display(), failure.message),
            ..failure
        }
    });
    let mut stopped = None;
    if args.submit && !issued.is_empty() {
        let connected = open::connect(&engine, &unlocked.environment)?;
        match open::runtime()?.block_on(connected.drain_egs(&args.egs, None)) {
            Ok(summary) if !summary.stopped_units.is_empty() => {
                stopped = store.stopped(&args.egs).ok().flatten();
            }
            Ok(_) => {}
            // The documents are issued and written; the failed pass (the store gone, say) is
            // reported with them rather than in their place. The next `submit` sends them.
            Err(error) if refused.is_none() => refused = Some(Failure::from(error)),
            Err(_) => {}
        }
    }

    let mut rows = Vec::with_capacity(issued.len());
    for ((file, (invoice, document)), stamped) in files.iter().zip(invoices.iter().zip(&issued)).zip(written)
    {
        rows.push(finish_row(
            file,
            invoice,
            document,
            stamped,
            &out_dir,
            cleared_xml.get(&document.icv),
            &store,
        )?);
    }
    let mut code = exit_code(&rows, args.submit || args.clear, stopped.is_some());
    let error = refused.as_ref().map(|f| json!({ "code": f.error_code, "message": f.message }));
    if json_output {
        print_json(json!({ "egs_id": args.egs, "documents": rows, "stopped": stopped, "error": error }));
    } else {
        for r in &rows {
            let d = &r.document;
            say!("ICV {:<6} {}  {}  {}", d.icv, d.uuid, d.invoice_hash, r.out.display());
            if args.submit || args.clear {
                say!(
                    "           {}{}",
                    d.status,
                    d.last_error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
                );
            }
            if let Some(cleared) = &r.cleared_out {
                say!("           cleared document: {}", cleared.display());
            }
        }
        if let Some(reason) = &stopped {
            say!("sending for {} is stopped: {reason}", args.egs);
        }
        if let Some(failure) = &refused {
            tell!("qayd: {}", failure.message);
        }
    }
    if let Some(failure) = &refused {
        code = failure.code;
    }
    Ok(code)
}

/// After `clear` gave up waiting, its last attempt may still be in flight (a task of this
/// runtime): let it finish and be recorded before the process exits, or the document would stay
/// `submitting` until its lease expires.
async fn settle(
    store: &std::sync::Arc<dyn qayd::store::Store>,
    issued: &[StoredDocument],
    timeout: Duration,
) -> Result<(), Failure> {
    let deadline = std::time::Instant::now() + timeout + Duration::from_secs(1);
    for document in issued {
        while store
            .document(&document.egs_id, document.icv)?
            .is_some_and(|d| d.status == SubmissionStatus::Submitting)
            && std::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Ok(())
}

/// Where a document's stamped XML (and QR image) went.
struct Written {
    out: PathBuf,
    qr_png: Option<PathBuf>,
}

/// Writes the stamped XML (and the QR image): done the moment the document is stored.
fn write_stamped(
    invoice: &Invoice,
    document: &StoredDocument,
    out_dir: &Path,
    qr: bool,
) -> Result<Written, Failure> {
    let base = base_name(document.icv, &invoice.id);
    let out = out_dir.join(format!("{base}.xml"));
    write_output(&out, &document.xml)?;
    let qr_png = match (qr, qayd::qr_of_document(&document.xml)?) {
        (true, Some(text)) => {
            let path = out_dir.join(format!("{base}.qr.png"));
            write_output(&path, &qayd::qr::render_png(&text, 6)?)?;
            Some(path)
        }
        _ => None,
    };
    Ok(Written { out, qr_png })
}

/// Reads the document's state back once the batch is done, writing the cleared XML if the
/// platform returned one.
fn finish_row(
    input: &Path,
    invoice: &Invoice,
    document: &StoredDocument,
    written: Written,
    out_dir: &Path,
    cleared: Option<&Vec<u8>>,
    store: &std::sync::Arc<dyn qayd::store::Store>,
) -> Result<Issued, Failure> {
    let base = base_name(document.icv, &invoice.id);
    // The store may have gone away mid-batch (a database restart): report the document as it
    // was stored rather than lose the report of every document already in the chain.
    let current =
        store.document(&document.egs_id, document.icv).ok().flatten().unwrap_or_else(|| document.clone());
    let cleared = cleared.cloned().or(current.cleared_xml.clone());
    let cleared_out = match cleared {
        Some(xml) => {
            let path = out_dir.join(format!("{base}.cleared.xml"));
            write_output(&path, &xml)?;
            Some(path)
        }
        None => None,
    };
    Ok(Issued {
        input: input.to_path_buf(),
        id: invoice.id.clone(),
        out: written.out,
        cleared_out,
        qr_png: written.qr_png,
        document: DocumentInfo::from(&current),
    })
}

/// 0 all accepted (or not sent); 1 a document was rejected or is dead, or the unit is stopped;
/// 3 a document is still waiting for the platform (retry scheduled, pending).
fn exit_code(rows: &[Issued], sent: bool, stopped: bool) -> u8 {
    if !sent {
        return 0;
    }
    let statuses: Vec<SubmissionStatus> = rows.iter().map(|r| r.document.status).collect();
    if stopped || statuses.iter().any(|s| matches!(s, SubmissionStatus::Rejected | SubmissionStatus::Dead)) {
        1
    } else if statuses.iter().any(|s| !s.is_final()) {
        3
    } else {
        0
    }
}
