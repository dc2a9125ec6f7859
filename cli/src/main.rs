//! `qayd`: the command line over the engine. Thin by design: parse arguments, read files, call
//! the core, print. Exit codes: 0 ok; 1 the document is invalid or the platform refused it (or
//! the credentials), a document was rejected or is dead, the audit log is broken; 2 bad input
//! or usage; 3 the platform could not be reached or failed (try again later; queued documents
//! are retried); 4 the store or the master key (no store, not a Qayd store, unreadable store,
//! missing or wrong key);
//! 5 a certificate expires within the warning window (`egs expiry`).

/// `println!` that does not panic when standard output is closed (`qayd … | head`): the rest
/// of the output is dropped, the command still finishes and exits with its code.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that does not panic when standard error is closed (`qayd … 2>&-`): the message
/// is lost, the exit code still tells what happened.
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod audit;
mod demo;
mod documents;
mod egs;
mod issue;
mod metrics;
mod onboard;
mod open;
mod queue;
mod sdk;
mod settings;

use clap::{Parser, Subcommand};
use serde_json::json;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Exit codes: 0 ok; 1 invalid document, the platform refused it or the credentials, a document
rejected or dead, a broken audit log; 2 bad input or usage (a malformed --env URL included);
3 the platform could not be reached or failed (try again later: queued documents are retried);
4 the store or the master key (no store there, a file or database that is not a Qayd store,
unreadable store, missing or wrong key); 5 a certificate expires soon (egs expiry).

Only `store init` and `egs add` create a store.

The engine commands (egs, issue, submit, queue, events, audit) take --store LOCATION (or
QAYD_STORE) and the master key from --master-key-file FILE (or QAYD_MASTER_KEY_FILE) or from
QAYD_MASTER_KEY (base64 of 32 random bytes; never on the command line). `qayd master-key FILE`
makes a key file.

The SDK's spellings work too (fatoora -> qayd):
  -csr -csrConfig F [-privateKey K] [-generatedCsr C] [-pem] [-nonprod|-sim]
        -> csr --config F [--key-out K] [--csr-out C] [--pem] --env core|developer-portal|simulation
  -invoice F -invoiceRequest [-apiRequest O]   -> invoice-request F [--out O]
  -invoice F -generateHash                     -> hash F
  -invoice F -qr                               -> qr F
  -invoice F -validate                         -> validate F
  -invoice F -sign [-signedInvoice O]          -> sign F [--out O] --cert C --key K

Settings: --settings FILE or QAYD_SETTINGS (JSON: env, csr_config, out, otp_env, otp_file,
gateway_port, demo_dir, timeout_secs, store, master_key_file, retry_base_ms, retry_cap_ms,
max_attempts, allow_insecure_http, max_submission_bytes); variables QAYD_ENV, QAYD_CSR_CONFIG, QAYD_OUT, QAYD_OTP_ENV,
QAYD_OTP_FILE, QAYD_GATEWAY_PORT, QAYD_DEMO_DIR, QAYD_TIMEOUT, QAYD_NO_PROGRESS, QAYD_STORE,
QAYD_MASTER_KEY_FILE, QAYD_MASTER_KEY, QAYD_INSECURE_HTTP.
A plain http:// --env URL is accepted for loopback hosts only (localhost, 127.0.0.0/8, [::1]);
--insecure-http allows it elsewhere (credentials and OTPs in clear text).
Precedence: flag > variable > settings file > default.

Try it: qayd demo";

const ONBOARD_EXAMPLES: &str = "\
Examples:
  read -rs FATOORA_OTP && export FATOORA_OTP     # paste the OTP from the Fatoora portal
  qayd onboard --config egs.properties --env simulation --otp-env FATOORA_OTP --out egs-1
  qayd onboard --config egs.json --env http://127.0.0.1:8443 --otp-file otp.txt --out egs-local";

#[derive(Parser)]
#[command(
    name = "qayd",
    version,
    about = "ZATCA Phase 2 e-invoicing: CSR, onboarding, hash, stamp, QR, verify, the durable engine, local gateway",
    after_help = AFTER_HELP
)]
struct Cli {
    /// Print machine-readable JSON instead of text (never progress bars, never secrets).
    #[arg(long, global = true)]
    json: bool,
    /// A JSON settings file with defaults for the common options.
    #[arg(long, global = true, env = "QAYD_SETTINGS", value_name = "FILE")]
    settings: Option<PathBuf>,
    /// DANGEROUS: allow a plain http:// --env URL to a host that is not loopback. Credentials
    /// and OTPs then cross the network unencrypted (only behind a TLS proxy you control).
    #[arg(long, global = true, env = "QAYD_INSECURE_HTTP")]
    insecure_http: bool,
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
    /// Validate an invoice against the UBL 2.1 structure and ZATCA's business rules (KSA and
    /// EN 16931), with fixes in English and Arabic. Exit 0 when there is no error (warnings are
    /// printed), 1 when there are errors.
    Validate {
        file: PathBuf,
        /// Print the Arabic messages too.
        #[arg(long)]
        arabic: bool,
    },
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
    /// Render a stamped invoice as a bilingual PDF/A-3b for the buyer: the QR code on the page and
    /// the signed XML embedded unchanged.
    Pdf {
        /// The stamped (or cleared) invoice XML ("-" reads standard input).
        file: PathBuf,
        /// Where to write the PDF (default: FILE with the extension .pdf; standard output for "-").
        #[arg(long)]
        out: Option<PathBuf>,
        /// A PNG logo for the top of the page.
        #[arg(long, value_name = "PNG")]
        logo: Option<PathBuf>,
        /// A line of text for the foot of the document (bank details, a thank-you).
        #[arg(long)]
        footer: Option<String>,
    },
    /// Generate a key and a CSR (the SDK's -csr). Without --pem, as the SDK: the key file holds
    /// the bare base64 body and the CSR file the base64 form the API takes.
    Csr {
        /// The CSR values: the SDK's .properties file, or JSON.
        #[arg(long, env = "QAYD_CSR_CONFIG", value_name = "FILE")]
        config: Option<PathBuf>,
        /// developer-portal (default), simulation, core, or a base URL (developer-portal template).
        #[arg(long, env = "QAYD_ENV")]
        env: Option<String>,
        /// The private key file (default generated-private-key-<timestamp>.key; written 0600).
        #[arg(long, value_name = "FILE")]
        key_out: Option<PathBuf>,
        /// The CSR file (default generated-csr-<timestamp>.csr).
        #[arg(long, value_name = "FILE")]
        csr_out: Option<PathBuf>,
        /// Write both as PEM.
        #[arg(long)]
        pem: bool,
    },
    /// The API request body {invoiceHash, uuid, invoice} of a stamped invoice (the SDK's
    /// -invoiceRequest).
    InvoiceRequest {
        /// The stamped invoice XML ("-" reads standard input).
        file: PathBuf,
        /// Where to write the JSON (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run the local Fatoora gateway (the six endpoints, a test CA, fault injection) until Ctrl-C.
    Gateway {
        /// The port on 127.0.0.1 (0: any free port; the base URL is printed).
        #[arg(long, env = "QAYD_GATEWAY_PORT")]
        port: Option<u16>,
        /// The gateway's JSON configuration (see gateway/README.md).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Onboard an EGS unit: key, CSR, compliance CSID, compliance samples, production CSID.
    ///
    /// The OTP comes from --otp-env VAR or --otp-file FILE (or QAYD_OTP); --otp puts it on the
    /// command line, where other users and the shell history can read it: scripts only.
    #[command(after_help = ONBOARD_EXAMPLES)]
    Onboard {
        /// The CSR values: the SDK's .properties file, or JSON.
        #[arg(long, env = "QAYD_CSR_CONFIG", value_name = "FILE")]
        config: Option<PathBuf>,
        /// developer-portal, simulation, core, or a base URL (e.g. a `qayd gateway`).
        #[arg(long, env = "QAYD_ENV")]
        env: Option<String>,
        /// The folder for the key, certificates and credentials.json (secrets: written 0600).
        #[arg(long, env = "QAYD_OUT", value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        otp: OtpFlags,
        /// Replace credentials already in --out.
        #[arg(long)]
        force: bool,
    },
    /// Renew the production CSID of an onboarded EGS unit (new key, new OTP) before it expires.
    Renew {
        /// The folder `qayd onboard --out` wrote.
        #[arg(long, env = "QAYD_OUT", value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Must be the credentials' environment (default: theirs).
        #[arg(long, env = "QAYD_ENV")]
        env: Option<String>,
        #[command(flatten)]
        otp: OtpFlags,
    },
    /// Everything on loopback in seconds: local gateway, onboarding, the engine on an SQLite
    /// store, a standard invoice, a simplified invoice and a credit note cleared/reported by the
    /// engine's queue (one through an outage and its retries).
    Demo {
        /// Where to leave the files (default: a new temporary folder).
        #[arg(long, env = "QAYD_DEMO_DIR", value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// The EGS units of a store: add (credentials or onboarding), list, show, renew, expiry.
    Egs {
        #[command(flatten)]
        engine: open::EngineArgs,
        #[command(subcommand)]
        command: egs::EgsCommand,
    },
    /// Generate and stamp invoices (the model's JSON, or a folder of them) through the engine:
    /// next ICV and PIH from the store; --submit sends them, --clear (B2B) waits for clearance.
    Issue {
        #[command(flatten)]
        engine: open::EngineArgs,
        /// The EGS unit that issues them.
        #[arg(long)]
        egs: String,
        /// Invoice JSON files or folders of them ("-" reads standard input).
        #[arg(required = true, value_name = "INVOICE.json|DIR")]
        inputs: Vec<PathBuf>,
        /// Where to write the stamped XML (default: the current folder).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Also write each document's QR code as a PNG.
        #[arg(long)]
        qr: bool,
        /// Send them now (one pass for this unit); exit 3 when one must wait for a retry.
        #[arg(long)]
        submit: bool,
        /// Standard (B2B) documents: send each and wait for clearance; writes the cleared XML.
        #[arg(long)]
        clear: bool,
        /// How long --clear waits per document, in seconds (default 10).
        #[arg(long, value_name = "SECONDS", requires = "clear")]
        wait: Option<u64>,
        /// Set each document's issue date and time to now (Riyadh).
        #[arg(long)]
        now: bool,
    },
    /// Send what is due in the outbox (one pass, with a summary), or --watch: run the worker
    /// until Ctrl-C.
    Submit {
        #[command(flatten)]
        engine: open::EngineArgs,
        /// Keep sending (retries as they fall due) until Ctrl-C; prints events.
        #[arg(long)]
        watch: bool,
        /// With --watch: serve Prometheus metrics (GET /metrics) and a health check
        /// (GET /health) on this address, e.g. 127.0.0.1:9464.
        #[arg(long, value_name = "ADDR", requires = "watch")]
        metrics: Option<String>,
        /// Write each document into this folder the moment it is accepted (NNNNNN-<uuid>.xml:
        /// ZATCA's cleared XML for B2B, the stamped XML for B2C), for an ERP's pickup.
        #[arg(long, value_name = "DIR")]
        deliver: Option<PathBuf>,
        /// With --deliver: a readable PDF/A-3 beside each delivered document (NNNNNN-<uuid>.pdf,
        /// that XML embedded, its QR on the page), written before the XML.
        #[arg(long)]
        deliver_pdf: bool,
    },
    /// The outbox: counts per status, documents in a status, requeue dead letters, list them.
    Queue {
        #[command(flatten)]
        engine: open::EngineArgs,
        #[command(subcommand)]
        command: queue::QueueCommand,
    },
    /// The engine's events (deadline at risk, clearance delayed, certificate expiring or
    /// renewed, rejected, dead letter, unauthorized) after a cursor.
    Events {
        #[command(flatten)]
        engine: open::EngineArgs,
        /// Only events after this sequence number.
        #[arg(long, default_value_t = 0)]
        since: i64,
        /// Keep printing new events until Ctrl-C.
        #[arg(long)]
        follow: bool,
        #[arg(long, default_value_t = 1000)]
        limit: usize,
    },
    /// Create a master key file for the engine commands (32 random bytes, base64, mode 0600);
    /// never replaces one.
    MasterKey {
        /// The file to create.
        file: PathBuf,
    },
    /// The documents of the store handed back: list, show, export (stamped XML, cleared XML,
    /// QR as PNG/SVG, state), by unit, ICV, UUID, status or issue date.
    Documents {
        #[command(flatten)]
        engine: open::EngineArgs,
        #[command(subcommand)]
        command: documents::DocumentsCommand,
    },
    /// The store itself: `store init` creates it (an SQLite file or the schema in a PostgreSQL
    /// database); every other engine command but `egs add` refuses a location that is not a
    /// Qayd store.
    Store {
        #[command(flatten)]
        engine: open::EngineArgs,
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// The hash-linked audit log of every API exchange: export (JSON lines), verify.
    Audit {
        #[command(flatten)]
        engine: open::EngineArgs,
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Create the store (or check that the one there is a Qayd store).
    Init,
}

#[derive(clap::Args)]
pub(crate) struct OtpFlags {
    /// The name of an environment variable holding the OTP.
    #[arg(long, env = "QAYD_OTP_ENV", value_name = "VAR")]
    otp_env: Option<String>,
    /// A file holding the OTP.
    #[arg(long, env = "QAYD_OTP_FILE", value_name = "FILE")]
    otp_file: Option<PathBuf>,
    /// The OTP itself (visible to other users and in shell history: prefer --otp-env).
    #[arg(long, value_name = "OTP")]
    otp: Option<String>,
}

impl From<OtpFlags> for onboard::OtpArgs {
    fn from(f: OtpFlags) -> Self {
        onboard::OtpArgs { otp_env: f.otp_env, otp_file: f.otp_file, otp: f.otp }
    }
}

/// A failure with its exit code.
struct Failure {
    code: u8,
    message: String,
    error_code: &'static str,
}

impl Failure {
    fn input(message: String) -> Self {
        Failure { code: 2, message, error_code: "INVALID_INPUT" }
    }
}

impl From<qayd::Error> for Failure {
    fn from(e: qayd::Error) -> Self {
        use qayd::Error as E;
        let code = match &e {
            E::ApiRejected { .. } | E::Unauthorized(_) => 1,
            E::Network(_) | E::Http { .. } | E::UnexpectedResponse { .. } => 3,
            E::Storage(_) | E::Secret(_) => 4,
            _ => 2,
        };
        Failure { code, message: e.to_string(), error_code: e.code() }
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
    let cli = Cli::parse_from(sdk::translate(std::env::args().collect()));
    let json_output = cli.json;
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            if json_output {
                let error = json!({ "error": { "code": failure.error_code, "message": failure.message } });
                say!("{error}");
            } else {
                tell!("qayd: {}", failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}

/// Prints a JSON value; a closed standard output (`| head`) is not an error worth a panic.
fn print_json(value: serde_json::Value) {
    let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&value).unwrap_or_default());
}

fn run(cli: Cli) -> Result<u8, Failure> {
    let mut settings = settings::Settings::load(cli.settings.as_deref())?;
    if cli.insecure_http {
        settings.allow_insecure_http = Some(true);
    }
    match cli.command {
        Command::Csr { config, env, key_out, csr_out, pem } => {
            onboard::csr(onboard::CsrArgs { config, env, key_out, csr_out, pem }, &settings, cli.json)
        }
        Command::InvoiceRequest { file, out } => invoice_request(&file, out.as_deref(), cli.json),
        Command::Gateway { port, config } => {
            gateway(port.or(settings.gateway_port), config.as_deref(), cli.json)
        }
        Command::Onboard { config, env, out, otp, force } => onboard::onboard(
            onboard::OnboardArgs { config, env, out, otp: otp.into(), force },
            &settings,
            cli.json,
        ),
        Command::Renew { dir, env, otp } => {
            onboard::renew(onboard::RenewArgs { dir, env, otp: otp.into() }, &settings, cli.json)
        }
        Command::Demo { dir } => demo::run(dir.or(settings.demo_dir.clone()), cli.json),
        Command::Egs { engine, command } => egs::run(command, &engine, &settings, cli.json),
        Command::Issue { engine, egs, inputs, out, qr, submit, clear, wait, now } => issue::run(
            issue::IssueArgs { egs, inputs, out, qr, submit, clear, wait, now },
            &engine,
            &settings,
            cli.json,
        ),
        Command::Submit { engine, watch, metrics, deliver, deliver_pdf } => {
            settings.deliver_dir = deliver.or(settings.deliver_dir.take());
            settings.deliver_pdf = Some(deliver_pdf || settings.deliver_pdf.unwrap_or(false));
            queue::submit(watch, metrics.as_deref(), &engine, &settings, cli.json)
        }
        Command::Queue { engine, command } => queue::queue(command, &engine, &settings, cli.json),
        Command::Events { engine, since, follow, limit } => {
            queue::events(since, follow, limit, &engine, &settings, cli.json)
        }
        Command::Audit { engine, command } => audit::run(command, &engine, &settings, cli.json),
        Command::Documents { engine, command } => documents::run(command, &engine, &settings, cli.json),
        Command::Store { engine, command: StoreCommand::Init } => {
            open::init_store(&engine, &settings, cli.json)
        }
        Command::MasterKey { file } => open::new_master_key(&file, cli.json),
        Command::Hash { file } => {
            let hash = qayd::invoice_hash(&read_input(&file)?)?;
            if cli.json {
                print_json(json!({ "invoice_hash": hash }));
            } else {
                say!("{hash}");
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
        Command::Validate { file, arabic } => {
            let report = qayd::validate(&read_input(&file)?)?;
            if cli.json {
                print_json(serde_json::to_value(&report).unwrap_or_default());
            } else {
                for finding in &report.findings {
                    say!(
                        "{:<7} {:<16} {}",
                        format!("{:?}", finding.severity).to_uppercase(),
                        finding.rule,
                        finding.path
                    );
                    say!("        {}", finding.message_en);
                    if arabic {
                        say!("        {}", finding.message_ar);
                    }
                    if !finding.fix.is_empty() {
                        say!("        fix: {}", finding.fix);
                    }
                }
                let (errors, warnings) = (report.errors().count(), report.warnings().count());
                say!(
                    "{} ({errors} errors, {warnings} warnings)",
                    if report.valid { "VALID" } else { "INVALID" }
                );
            }
            Ok(if report.valid { 0 } else { 1 })
        }
        Command::Verify { file } => {
            let report = qayd::verify(&read_input(&file)?)?;
            if cli.json {
                print_json(serde_json::to_value(&report).unwrap_or_default());
            } else {
                for check in &report.checks {
                    say!(
                        "{} {:<26} {}",
                        if check.passed { "ok  " } else { "FAIL" },
                        check.name,
                        check.message
                    );
                }
                say!("{}", if report.valid { "VALID" } else { "INVALID" });
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
                    say!("{:>2} {:<22} {}", field.tag, field.name, field.value);
                }
            } else if !terminal {
                say!("{text}");
            }
            if terminal && !cli.json {
                say!("{}", qayd::qr::render_text(&text)?);
            }
            Ok(0)
        }
        Command::Pdf { file, out, logo, footer } => {
            let xml = read_input(&file)?;
            let logo_png = logo.as_deref().map(read_input).transpose()?;
            let pdf = qayd::pdf::render(&xml, &qayd::pdf::PdfOptions { logo_png, footer })?;
            let out = out.or_else(|| (file != Path::new("-")).then(|| file.with_extension("pdf")));
            match &out {
                Some(path) => write_output(path, &pdf)?,
                None => std::io::stdout().write_all(&pdf).map_err(|e| io_failure(Path::new("-"), e))?,
            }
            if cli.json {
                print_json(json!({ "out": out, "bytes": pdf.len() }));
            } else if let Some(path) = &out {
                say!("wrote {} ({} bytes)", path.display(), pdf.len());
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
        say!("invoice hash: {hash}");
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

/// `qayd invoice-request`.
fn invoice_request(file: &Path, out: Option<&Path>, json_output: bool) -> Result<u8, Failure> {
    let xml = read_input(file)?;
    qr_of(&xml)?;
    let body = qayd::api::InvoiceSubmission::from_signed_xml(&xml)?;
    let text = serde_json::to_string_pretty(&body).unwrap_or_default();
    match out {
        Some(out) => {
            write_output(out, text.as_bytes())?;
            if json_output {
                print_json(json!({ "out": out, "uuid": body.uuid, "invoiceHash": body.invoice_hash }));
            } else {
                say!("API request: {}", out.display());
            }
        }
        None => say!("{text}"),
    }
    Ok(0)
}

/// `qayd gateway`: serves until Ctrl-C.
fn gateway(port: Option<u16>, config: Option<&Path>, json_output: bool) -> Result<u8, Failure> {
    let mut gateway_config = match config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| io_failure(path, e))?;
            qayd_gateway::GatewayConfig::from_json(&text)
                .map_err(|e| Failure::input(format!("gateway config {}: {e}", path.display())))?
        }
        None => qayd_gateway::GatewayConfig::default(),
    };
    if let Some(port) = port {
        gateway_config.bind = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        // Listen before the URL is printed: whoever reads it may interrupt at once.
        let interrupted = open::interrupt()?;
        let bind = gateway_config.bind;
        let gateway = qayd_gateway::Gateway::start(gateway_config)
            .await
            .map_err(|e| Failure { code: 2, message: format!("cannot listen on {bind}: {e}"), error_code: "IO" })?;
        if json_output {
            say!("{}", json!({ "base_url": gateway.base_url() }));
        } else {
            say!("{}", gateway.base_url());
            tell!(
                "qayd gateway: local Fatoora stand-in on {} (use --env {} with qayd onboard; Ctrl-C stops it)",
                gateway.base_url(),
                gateway.base_url()
            );
        }
        let _ = std::io::stdout().flush();
        interrupted.await;
        gateway.shutdown().await;
        Ok(0)
    })
}
