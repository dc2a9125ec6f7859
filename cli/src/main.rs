//! `qayd`: the command line over the engine. Thin by design: parse arguments, read files, call
//! the core, print. Exit codes: 0 ok, 1 the document is invalid, 2 bad input or usage.

use clap::{Parser, Subcommand};
use serde_json::json;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "qayd", version, about = "ZATCA Phase 2 e-invoicing: hash, stamp, QR, verify")]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the invoice hash (base64 SHA-256 of the canonical invoice), as the SDK's -generateHash.
    Hash {
        /// The invoice XML ("-" reads standard input).
        file: PathBuf,
    },
    /// Stamp an invoice: XAdES signature, QR code, hash (the SDK's -sign).
    Sign {
        file: PathBuf,
        /// The signing certificate (PEM, DER, base64 or a binarySecurityToken).
        #[arg(long)]
        cert: PathBuf,
        /// The private key (SEC1 or PKCS#8 PEM, DER or the SDK's bare base64).
        #[arg(long)]
        key: PathBuf,
        /// Where to write the stamped XML (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// xades:SigningTime as YYYY-MM-DDTHH:MM:SS, Riyadh time (default: now).
        #[arg(long)]
        signing_time: Option<String>,
    },
    /// Write the UBL invoice for a model given as JSON; stamp it too when --cert and --key are given.
    Generate {
        /// The invoice in Qayd's JSON form ("-" reads standard input).
        model: PathBuf,
        #[arg(long, requires = "key")]
        cert: Option<PathBuf>,
        #[arg(long, requires = "cert")]
        key: Option<PathBuf>,
        /// Where to write the XML (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// xades:SigningTime as YYYY-MM-DDTHH:MM:SS, Riyadh time (default: now).
        #[arg(long)]
        signing_time: Option<String>,
    },
    /// Verify a stamped invoice: hash, digests, signature, QR, chain fields.
    Verify { file: PathBuf },
    /// Print, decode or draw the QR code of a stamped invoice.
    Qr {
        file: PathBuf,
        /// Decode the TLV fields.
        #[arg(long)]
        decode: bool,
        /// Write the QR code as a PNG image.
        #[arg(long)]
        png: Option<PathBuf>,
        /// Write the QR code as an SVG image.
        #[arg(long)]
        svg: Option<PathBuf>,
        /// Draw the QR code in the terminal.
        #[arg(long)]
        terminal: bool,
    },
}

/// A failure with its exit code.
struct Failure {
    code: u8,
    message: String,
    error_code: &'static str,
}

impl From<qayd::Error> for Failure {
    fn from(e: qayd::Error) -> Self {
        Failure { code: 2, message: e.to_string(), error_code: e.code() }
    }
}

fn io_failure(path: &Path, e: std::io::Error) -> Failure {
    Failure { code: 2, message: format!("{}: {e}", path.display()), error_code: "IO" }
}

fn read_input(path: &Path) -> Result<Vec<u8>, Failure> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| io_failure(path, e))?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|e| io_failure(path, e))
}

fn write_output(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(|e| io_failure(path, e))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json_output = cli.json;
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            if json_output {
                let error = json!({ "error": { "code": failure.error_code, "message": failure.message } });
                println!("{error}");
            } else {
                eprintln!("qayd: {}", failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}

fn print_json(value: serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
}

fn run(cli: Cli) -> Result<u8, Failure> {
    match cli.command {
        Command::Hash { file } => {
            let hash = qayd::invoice_hash(&read_input(&file)?)?;
            if cli.json {
                print_json(json!({ "invoice_hash": hash }));
            } else {
                println!("{hash}");
            }
            Ok(0)
        }
        Command::Sign { file, cert, key, out, signing_time } => {
            let signer = qayd::Signer::from_bytes(&read_input(&cert)?, &read_input(&key)?)?;
            let stamped = qayd::stamp(&read_input(&file)?, &signer, &qayd::StampOptions { signing_time })?;
            let summary = serde_json::to_value(&stamped).unwrap_or_default();
            emit(&stamped.xml, summary, out.as_deref(), cli.json)?;
            Ok(0)
        }
        Command::Generate { model, cert, key, out, signing_time } => {
            let json = read_input(&model)?;
            let json = std::str::from_utf8(&json)
                .map_err(|_| Failure::from(qayd::Error::InvalidInput("the model is not UTF-8".into())))?;
            let invoice = qayd::model::Invoice::from_json(json)?;
            let (xml, summary) = match (cert, key) {
                (Some(cert), Some(key)) => {
                    let signer = qayd::Signer::from_bytes(&read_input(&cert)?, &read_input(&key)?)?;
                    let stamped = invoice.stamp(&signer, &qayd::StampOptions { signing_time })?;
                    let summary = serde_json::to_value(&stamped).unwrap_or_default();
                    (stamped.xml, summary)
                }
                _ => (invoice.to_xml()?, json!({ "uuid": invoice.uuid.to_string() })),
            };
            emit(&xml, summary, out.as_deref(), cli.json)?;
            Ok(0)
        }
        Command::Verify { file } => {
            let report = qayd::verify(&read_input(&file)?)?;
            if cli.json {
                print_json(serde_json::to_value(&report).unwrap_or_default());
            } else {
                for check in &report.checks {
                    println!(
                        "{} {:<26} {}",
                        if check.passed { "ok  " } else { "FAIL" },
                        check.name,
                        check.message
                    );
                }
                println!("{}", if report.valid { "VALID" } else { "INVALID" });
            }
            Ok(if report.valid { 0 } else { 1 })
        }
        Command::Qr { file, decode, png, svg, terminal } => {
            let xml = read_input(&file)?;
            let text = qr_of(&xml)?;
            if let Some(path) = &png {
                write_output(path, &qayd::qr::render_png(&text, 8)?)?;
            }
            if let Some(path) = &svg {
                write_output(path, qayd::qr::render_svg(&text)?.as_bytes())?;
            }
            if cli.json {
                let fields = if decode { Some(qayd::qr::decode(&text)?) } else { None };
                print_json(json!({ "qr": text, "fields": fields }));
            } else if decode {
                for field in qayd::qr::decode(&text)? {
                    println!("{:>2} {:<22} {}", field.tag, field.name, field.value);
                }
            } else if !terminal {
                println!("{text}");
            }
            if terminal && !cli.json {
                println!("{}", qayd::qr::render_text(&text)?);
            }
            Ok(0)
        }
    }
}

/// Writes a produced document to `out` (or standard output) and reports on it: with `--json` a
/// summary (plus the XML itself when it went nowhere else), otherwise the invoice hash if any.
fn emit(
    xml: &[u8],
    mut summary: serde_json::Value,
    out: Option<&Path>,
    json_output: bool,
) -> Result<(), Failure> {
    if let Some(out) = out {
        write_output(out, xml)?;
    }
    if json_output {
        match out {
            Some(out) => summary["out"] = json!(out),
            None => summary["xml"] = json!(String::from_utf8_lossy(xml)),
        }
        print_json(summary);
    } else if out.is_none() {
        std::io::stdout().write_all(xml).map_err(|e| io_failure(Path::new("-"), e))?;
    } else if let Some(hash) = summary["invoice_hash"].as_str() {
        println!("invoice hash: {hash}");
    }
    Ok(())
}

/// The QR payload of a stamped document, or a clear error when it has none.
fn qr_of(xml: &[u8]) -> Result<String, Failure> {
    qayd::qr_of_document(xml)?.ok_or_else(|| Failure {
        code: 1,
        message: "the document has no QR code (cac:AdditionalDocumentReference[cbc:ID='QR']); stamp it first"
            .into(),
        error_code: "INVALID_DOCUMENT",
    })
}
