//! `qayd audit export|verify`: the engine's hash-linked log of every API exchange, as JSON
//! lines, and the check that no row was edited, removed or reordered.

use crate::open::{self, Create, EngineArgs};
use crate::settings::Settings;
use crate::{Failure, print_json};
use qayd::engine::Engine;
use serde_json::json;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub(crate) enum AuditCommand {
    /// Write the log as JSON lines ({"seq","prev_hash","hash","exchange"}) to --out or
    /// standard output.
    Export {
        /// The file to write (created readable by its owner only).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Check every link of the log; exit 1 when a row was edited, removed or reordered.
    Verify,
}

pub(crate) fn run(
    command: AuditCommand,
    args: &EngineArgs,
    settings: &Settings,
    json_output: bool,
) -> Result<u8, Failure> {
    let engine = Engine::new(open::open_store(args, settings, Create::No)?);
    match command {
        AuditCommand::Export { out: Some(path) } => {
            let mut lines = Vec::new();
            let rows = engine.export_audit(&mut lines)?;
            crate::onboard::write_private(&path, &lines)?;
            if json_output {
                print_json(json!({ "rows": rows, "out": path }));
            } else {
                say!("{rows} audit rows written to {}", path.display());
            }
            Ok(0)
        }
        AuditCommand::Export { out: None } => {
            engine.export_audit(&mut UntilClosed(std::io::stdout().lock()))?;
            Ok(0)
        }
        AuditCommand::Verify => {
            let check = engine.verify_audit()?;
            let (broken_at, reason) =
                check.broken.clone().map_or((None, None), |(at, why)| (Some(at), Some(why)));
            if json_output {
                print_json(json!({
                    "intact": check.is_intact(),
                    "rows": check.rows,
                    "head": check.head,
                    "broken_at": broken_at,
                    "broken_reason": reason,
                    "unanswered": check.unanswered,
                }));
            } else if let (Some(at), Some(reason)) = (broken_at, &reason) {
                say!("BROKEN at row {at}: {reason}");
            } else {
                say!("intact: {} rows, head {}", check.rows, check.head);
            }
            if !json_output && !check.unanswered.is_empty() {
                let rows = check.unanswered.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
                say!(
                    "{} requests sent with no recorded answer (outcome unknown: in flight, or the sender died): rows {rows}",
                    check.unanswered.len()
                );
            }
            Ok(if check.is_intact() { 0 } else { 1 })
        }
    }
}

/// Standard output that stops quietly when the reader goes away (`qayd audit export | head`).
struct UntilClosed<W: std::io::Write>(W);

impl<W: std::io::Write> std::io::Write for UntilClosed<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self.0.write(bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(bytes.len()),
            other => other,
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self.0.flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}
