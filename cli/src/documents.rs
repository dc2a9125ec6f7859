//! `qayd documents list|show|export`: the documents of a store handed back — the stamped XML,
//! the cleared XML ZATCA returned, the QR code (PNG, SVG) and the document's state — chosen by
//! unit, ICV, UUID, status or issue date (Riyadh). Read-only: needs no master key.

use crate::open::{self, Create, EngineArgs, ensure_unit};
use crate::settings::Settings;
use crate::{Failure, print_json, write_output};
use qayd::embed::DocumentInfo;
use qayd::store::{Store, StoredDocument, SubmissionStatus};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Which documents.
#[derive(clap::Args, Clone, Debug, Default)]
pub(crate) struct Selection {
    /// Only this unit's documents.
    #[arg(long)]
    egs: Option<String>,
    /// Only this ICV (with --egs).
    #[arg(long, requires = "egs")]
    icv: Option<u64>,
    /// Only the document with this UUID.
    #[arg(long)]
    uuid: Option<String>,
    /// Only documents in this status (pending, submitting, retry_scheduled, cleared, reported,
    /// accepted_with_warnings, rejected, dead).
    #[arg(long)]
    status: Option<String>,
    /// Issued on or after this day (YYYY-MM-DD, Riyadh).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Issued on or before this day (YYYY-MM-DD, Riyadh).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// At most this many (oldest first).
    #[arg(long, default_value_t = 1000)]
    limit: usize,
}

#[derive(clap::Subcommand)]
pub(crate) enum DocumentsCommand {
    /// The documents chosen, one line each (ICV, UUID, status, issue time).
    List {
        #[command(flatten)]
        selection: Selection,
    },
    /// One document's state: --uuid U, or --egs ID --icv N.
    Show {
        #[command(flatten)]
        selection: Selection,
    },
    /// Writes the documents chosen into a folder: NNNNNN-<uuid>.xml (stamped), .cleared.xml
    /// (ZATCA's, once cleared), .qr.png, .qr.svg and .json (the state). Without a --xml,
    /// --cleared, --png, --svg or --info flag, all of them.
    Export {
        #[command(flatten)]
        selection: Selection,
        /// The folder (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long)]
        xml: bool,
        #[arg(long)]
        cleared: bool,
        #[arg(long)]
        png: bool,
        #[arg(long)]
        svg: bool,
        #[arg(long)]
        info: bool,
    },
}

pub(crate) fn run(
    command: DocumentsCommand,
    args: &EngineArgs,
    settings: &Settings,
    json_output: bool,
) -> Result<u8, Failure> {
    let store = open::open_store(args, settings, Create::No)?;
    match command {
        DocumentsCommand::List { selection } => {
            let documents = select(store.as_ref(), &selection)?;
            if json_output {
                let infos: Vec<DocumentInfo> = documents.iter().map(DocumentInfo::from).collect();
                print_json(json!({ "documents": infos }));
            } else if documents.is_empty() {
                say!("no document matches");
            } else {
                for d in &documents {
                    say!(
                        "{:<12} ICV {:<6} {}  {:<22} {}",
                        d.egs_id,
                        d.icv,
                        d.uuid,
                        d.status.as_str(),
                        riyadh(d.issued_at)
                    );
                }
            }
            Ok(0)
        }
        DocumentsCommand::Show { selection } => {
            if selection.uuid.is_none() && selection.icv.is_none() {
                return Err(Failure::input("documents show needs --uuid U, or --egs ID --icv N".into()));
            }
            let Some(document) = select(store.as_ref(), &selection)?.into_iter().next() else {
                return Err(Failure::input("no document matches".into()));
            };
            let document = full(store.as_ref(), &document)?;
            let qr = qayd::qr_of_document(&document.xml)?;
            let info = DocumentInfo::from(&document);
            if json_output {
                print_json(json!({
                    "document": info,
                    "qr": qr,
                    "xml_bytes": document.xml.len(),
                    "cleared": document.cleared_xml.is_some(),
                }));
            } else {
                say!("EGS {} ICV {}  UUID {}", info.egs_id, info.icv, info.uuid);
                say!("  status       {}  ({} attempts)", info.status, info.attempts);
                say!("  issued       {}", riyadh(info.issued_at));
                say!("  invoice hash {}", info.invoice_hash);
                say!("  PIH          {}", info.pih);
                say!(
                    "  kind         {}",
                    if info.simplified { "simplified (reported)" } else { "standard (cleared)" }
                );
                say!("  cleared XML  {}", if document.cleared_xml.is_some() { "yes" } else { "no" });
                if let Some(error) = &info.last_error {
                    say!("  last error   {error}");
                }
            }
            Ok(0)
        }
        DocumentsCommand::Export { selection, out, xml, cleared, png, svg, info } => {
            let all = !(xml || cleared || png || svg || info);
            let what = Parts {
                xml: all || xml,
                cleared: all || cleared,
                png: all || png,
                svg: all || svg,
                info: all || info,
            };
            std::fs::create_dir_all(&out).map_err(|e| crate::io_failure(&out, e))?;
            let documents = select(store.as_ref(), &selection)?;
            let mut files = 0;
            for light in &documents {
                files += export(&full(store.as_ref(), light)?, &out, &what)?;
            }
            if json_output {
                print_json(json!({ "documents": documents.len(), "files": files, "out": out }));
            } else {
                say!("{} documents, {files} files written to {}", documents.len(), out.display());
            }
            Ok(0)
        }
    }
}

struct Parts {
    xml: bool,
    cleared: bool,
    png: bool,
    svg: bool,
    info: bool,
}

/// The documents chosen, oldest first (issue time, then unit and ICV).
fn select(store: &dyn Store, selection: &Selection) -> Result<Vec<StoredDocument>, Failure> {
    let status = match &selection.status {
        Some(text) => Some(SubmissionStatus::parse(text.trim()).ok_or_else(|| {
            Failure::input(format!(
                "unknown status '{text}': pending, submitting, retry_scheduled, cleared, reported, accepted_with_warnings, rejected or dead"
            ))
        })?),
        None => None,
    };
    let from = selection.from.as_deref().map(day).transpose()?;
    let to = selection.to.as_deref().map(day).transpose()?;
    let mut documents = match (&selection.uuid, &selection.egs, selection.icv) {
        (Some(uuid), _, _) => store.document_by_uuid(uuid.trim())?.into_iter().collect(),
        (None, Some(egs), Some(icv)) => {
            ensure_unit(store, egs)?;
            store.document(egs, icv)?.into_iter().collect()
        }
        (None, Some(egs), None) => {
            ensure_unit(store, egs)?;
            store.documents(egs)?
        }
        (None, None, _) => {
            let mut all = Vec::new();
            for egs in store.egs_ids()? {
                all.extend(store.documents(&egs)?);
            }
            all
        }
    };
    documents.retain(|d| {
        let date = qayd::clock::riyadh_date_time(d.issued_at).0;
        selection.egs.as_ref().is_none_or(|egs| &d.egs_id == egs)
            && selection.icv.is_none_or(|icv| d.icv == icv)
            && status.is_none_or(|s| d.status == s)
            && from.as_ref().is_none_or(|from| &date >= from)
            && to.as_ref().is_none_or(|to| &date <= to)
    });
    documents.sort_by(|a, b| (a.issued_at, &a.egs_id, a.icv).cmp(&(b.issued_at, &b.egs_id, b.icv)));
    documents.truncate(selection.limit);
    Ok(documents)
}

/// A day as `YYYY-MM-DD`, checked.
fn day(text: &str) -> Result<String, Failure> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format)
        .map(|_| text.trim().to_owned())
        .map_err(|_| Failure::input(format!("'{text}' is not a day: use YYYY-MM-DD (Riyadh)")))
}

/// The document with its XML and cleared XML (listings may leave them out).
fn full(store: &dyn Store, document: &StoredDocument) -> Result<StoredDocument, Failure> {
    Ok(store.document(&document.egs_id, document.icv)?.unwrap_or_else(|| document.clone()))
}

fn riyadh(unix: i64) -> String {
    let (date, time) = qayd::clock::riyadh_date_time(unix);
    format!("{date} {time}")
}

/// Writes one document's files; returns how many.
fn export(document: &StoredDocument, out: &Path, what: &Parts) -> Result<usize, Failure> {
    let base = out.join(format!("{:06}-{}", document.icv, document.uuid));
    let path = |suffix: &str| PathBuf::from(format!("{}{suffix}", base.display()));
    let mut files = 0;
    if what.xml {
        write_output(&path(".xml"), &document.xml)?;
        files += 1;
    }
    if what.cleared
        && let Some(cleared) = &document.cleared_xml
    {
        write_output(&path(".cleared.xml"), cleared)?;
        files += 1;
    }
    let qr = qayd::qr_of_document(&document.xml)?;
    if let Some(text) = &qr {
        if what.png {
            write_output(&path(".qr.png"), &qayd::qr::render_png(text, 6)?)?;
            files += 1;
        }
        if what.svg {
            write_output(&path(".qr.svg"), qayd::qr::render_svg(text)?.as_bytes())?;
            files += 1;
        }
    }
    if what.info {
        let info = json!({ "document": DocumentInfo::from(document), "qr": qr });
        write_output(&path(".json"), serde_json::to_string_pretty(&info).unwrap_or_default().as_bytes())?;
        files += 1;
    }
    Ok(files)
}
