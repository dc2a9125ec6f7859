//! `qayd demo`: the whole integration on loopback in a few seconds, with nothing to configure.
//!
//! Local gateway (in process, 127.0.0.1:0) → onboarding of a demo EGS unit → SQLite store →
//! standard invoice, simplified invoice, credit note issued through `Engine::issue` → clearance
//! and reporting through the API client (the simplified invoice through an injected outage: 503
//! twice, then a retry) → a summary table, the QR code in the terminal, the files.

use crate::onboard::{Bar, write_credentials};
use crate::{Failure, io_failure, print_json};
use qayd::api::{Client, ClientConfig, InvoiceSubmission, Outcome};
use qayd::model::{Address, DocumentType, IdScheme, Invoice, InvoiceKind, Line, Party, PaymentMeans, Vat};
use rust_decimal::Decimal;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const EGS_ID: &str = "demo-egs-1";

fn identity() -> qayd::CsrConfig {
    qayd::CsrConfig {
        common_name: "QAYD-DEMO-EGS-1".into(),
        serial_number: format!("1-Qayd|2-demo|3-{}", uuid::Uuid::new_v4()),
        organization_identifier: "399999999900003".into(),
        organization_unit_name: "Riyadh Branch".into(),
        organization_name: "شركة قيد التجريبية | Qayd Demo Trading Co.".into(),
        country_name: "SA".into(),
        invoice_type: "1100".into(),
        location_address: "RRRD2929".into(),
        industry_business_category: "Retail".into(),
    }
}

fn seller(identity: &qayd::CsrConfig) -> Party {
    let mut address = Address::saudi(
        "طريق الملك فهد | King Fahd Road",
        "7421",
        "العليا | Al Olaya",
        "الرياض | Riyadh",
        "12214",
    );
    address.additional_number = Some("3184".into());
    Party::new(&identity.organization_name, Some(&identity.organization_identifier), Some(address))
        .with_id(IdScheme::Crn, "1010654321")
}

fn buyer() -> Party {
    Party::new(
        "مؤسسة النخبة للمقاولات | Elite Contracting Est.",
        Some("311111111100003"),
        Some(Address::saudi("Prince Mohammed bin Fahd St", "3301", "Al Faisaliyah", "Dammam", "32272")),
    )
}

fn dec(units: i64, scale: u32) -> Decimal {
    Decimal::new(units, scale)
}

/// The three demo documents (ICV and PIH are the engine's to set).
fn documents(identity: &qayd::CsrConfig, now: i64) -> Vec<Invoice> {
    let new = |kind, document_type, id: &str| {
        let mut invoice = Invoice::new(
            kind,
            document_type,
            id,
            uuid::Uuid::new_v4(),
            "2000-01-01",
            "00:00:00",
            0,
            seller(identity),
        );
        invoice.set_issued_at(now);
        invoice
    };
    let mut standard = new(InvoiceKind::Standard, DocumentType::Invoice, "INV-DEMO-0001");
    let date = standard.issue_date.clone();
    standard = standard
        .with_buyer(buyer())
        .with_supply_dates(&date, None)
        .with_payment_means(PaymentMeans::new("42"))
        .with_line(Line::new("حاسوب محمول | Laptop 14\"", dec(2, 0), dec(389900, 2), Vat::standard(15)))
        .with_line(
            Line::new("تركيب | Installation", dec(3, 0), dec(15000, 2), Vat::standard(15)).with_unit("HUR"),
        );
    let simplified = new(InvoiceKind::Simplified, DocumentType::Invoice, "SIM-DEMO-0002")
        .with_payment_means(PaymentMeans::new("48"))
        .with_line(Line::new("خبز تميس | Tamees bread", dec(4, 0), dec(150, 2), Vat::standard(15)))
        .with_line(
            Line::new("حليب طازج | Fresh milk 1L", dec(2, 0), dec(609, 2), Vat::standard(15))
                .with_unit("LTR"),
        );
    let credit = new(InvoiceKind::Standard, DocumentType::CreditNote, "CN-DEMO-0003")
        .with_buyer(buyer())
        .with_supply_dates(&date, None)
        .with_payment_means(PaymentMeans::new("42"))
        .correcting("INV-DEMO-0001", "Return of one laptop | إرجاع حاسوب")
        .with_line(Line::new("حاسوب محمول | Laptop 14\"", dec(1, 0), dec(389900, 2), Vat::standard(15)));
    vec![standard, simplified, credit]
}

struct Row {
    label: &'static str,
    id: String,
    icv: u64,
    uuid: String,
    hash: String,
    status: String,
    attempts: u32,
    file: PathBuf,
    cleared_file: Option<PathBuf>,
    messages: Vec<String>,
}

/// Sends one document until the platform gives a final answer.
///
/// TODO(queue): this is the demo's own simple retry loop; switch to the engine's submission
/// queue (durable attempts, backoff, dead letters) when it lands in `qayd::engine`.
async fn submit(
    client: &Client,
    credentials: &qayd::api::Credentials,
    simplified: bool,
    submission: &InvoiceSubmission,
) -> Result<(Outcome<qayd::api::SubmissionResponse>, u32), Failure> {
    const MAX_ATTEMPTS: u32 = 5;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let outcome = if simplified {
            client.reporting(credentials, submission).await?
        } else {
            client.clearance(credentials, submission).await?
        };
        match outcome {
            Outcome::Retryable { retry_after, .. } if attempts < MAX_ATTEMPTS => {
                let backoff = Duration::from_millis(100 * 2u64.pow(attempts - 1));
                tokio::time::sleep(retry_after.unwrap_or(backoff).min(Duration::from_secs(2))).await;
            }
            other => return Ok((other, attempts)),
        }
    }
}

fn status_of(outcome: &Outcome<qayd::api::SubmissionResponse>, simplified: bool) -> String {
    match outcome {
        Outcome::Accepted(_) if simplified => "reported".into(),
        Outcome::Accepted(_) => "cleared".into(),
        Outcome::AcceptedWithWarnings(_) => "accepted with warnings".into(),
        other => other.kind().replace('_', " "),
    }
}

pub fn run(dir: Option<PathBuf>, json_output: bool) -> Result<u8, Failure> {
    let started = Instant::now();
    let dir = match dir {
        Some(dir) => dir,
        None => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            std::env::temp_dir().join(format!("qayd-demo-{nanos}"))
        }
    };
    let documents_dir = dir.join("documents");
    std::fs::create_dir_all(&documents_dir).map_err(|e| io_failure(&documents_dir, e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(demo(&dir, &documents_dir, started, json_output))
}

async fn demo(dir: &Path, documents_dir: &Path, started: Instant, json_output: bool) -> Result<u8, Failure> {
    let say = |text: &str| {
        if !json_output {
            eprintln!("{text}");
        }
    };
    // 1. The local Fatoora stand-in.
    let gateway = qayd_gateway::Gateway::start(qayd_gateway::GatewayConfig::default())
        .await
        .map_err(|e| Failure::input(format!("cannot start the local gateway: {e}")))?;
    let environment = qayd::Environment::Custom(gateway.base_url());
    say(&format!("local Fatoora gateway on {}", gateway.base_url()));
    let config = ClientConfig { timeout: Duration::from_secs(10), ..Default::default() };
    let client = Client::with_config(environment.clone(), config)?;

    // 2. Onboarding (the gateway's test OTP; a real one comes from the Fatoora portal).
    let identity = identity();
    let bar = Bar::new(json_output);
    let mut progress = bar.callback();
    let onboarded =
        qayd::onboarding::onboard(&client, &environment, &identity, "123456", &mut progress).await;
    bar.finish();
    let credentials = onboarded?;
    let egs_files = write_credentials(&dir.join("egs"), &credentials)?;
    say(&format!(
        "onboarded {} ({} compliance samples passed, production CSID issued)",
        identity.common_name,
        credentials.samples.len()
    ));

    // 3. The store and the engine.
    let database = dir.join("qayd.db");
    let store = qayd::store::SqliteStore::open(&database)?;
    let engine = qayd::engine::Engine::new(Arc::new(store));
    engine.register_egs(EGS_ID)?;
    let signer = credentials.signer()?;
    let api_credentials = credentials.production_credentials();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();

    // 4. Issue, then clear or report each document in chain order.
    let labels = ["standard invoice", "simplified invoice", "credit note"];
    let mut rows = Vec::new();
    let mut qr = None;
    for (label, invoice) in labels.into_iter().zip(documents(&identity, now)) {
        let stored = engine.issue(EGS_ID, &signer, &invoice, &qayd::StampOptions::default())?;
        let file = documents_dir.join(format!("{:03}-{}.xml", stored.icv, invoice.id));
        std::fs::write(&file, &stored.xml).map_err(|e| io_failure(&file, e))?;
        if stored.simplified {
            qr = qayd::qr_of_document(&stored.xml)?;
            // The outage: the next two reporting calls get 503.
            gateway.inject(qayd_gateway::Fault {
                status: Some(503),
                count: Some(2),
                path: Some("/invoices/reporting/single".into()),
                ..Default::default()
            });
        }
        let submission = InvoiceSubmission::from_signed_xml(&stored.xml)?;
        let (outcome, attempts) = submit(&client, &api_credentials, stored.simplified, &submission).await?;
        let mut cleared_file = None;
        if let Some(xml) = outcome.response().and_then(|r| r.cleared_invoice_xml.as_ref()) {
            let path = documents_dir.join(format!("{:03}-{}.cleared.xml", stored.icv, invoice.id));
            std::fs::write(&path, xml).map_err(|e| io_failure(&path, e))?;
            cleared_file = Some(path);
        }
        let messages = match &outcome {
            Outcome::Rejected { messages, .. } => messages.iter().map(|m| m.to_string()).collect(),
            other => other
                .response()
                .map(|r| r.warnings().iter().map(|m| m.to_string()).collect())
                .unwrap_or_default(),
        };
        rows.push(Row {
            label,
            id: invoice.id.clone(),
            icv: stored.icv,
            uuid: stored.uuid.clone(),
            hash: stored.invoice_hash.clone(),
            status: status_of(&outcome, stored.simplified),
            attempts,
            file,
            cleared_file,
            messages,
        });
    }
    let qr_png = match &qr {
        Some(text) => {
            let path = documents_dir.join("simplified-invoice-qr.png");
            std::fs::write(&path, qayd::qr::render_png(text, 6)?).map_err(|e| io_failure(&path, e))?;
            Some(path)
        }
        None => None,
    };
    gateway.shutdown().await;
    let all_accepted =
        rows.iter().all(|r| matches!(r.status.as_str(), "cleared" | "reported" | "accepted with warnings"));
    let elapsed = started.elapsed();

    if json_output {
        print_json(json!({
            "dir": dir,
            "database": database,
            "egs": egs_files,
            "documents": rows.iter().map(|r| json!({
                "document": r.label, "id": r.id, "icv": r.icv, "uuid": r.uuid, "invoice_hash": r.hash,
                "status": r.status, "attempts": r.attempts, "file": r.file, "cleared_file": r.cleared_file,
                "messages": r.messages,
            })).collect::<Vec<_>>(),
            "qr_png": qr_png,
            "seconds": elapsed.as_secs_f64(),
        }));
    } else {
        println!();
        println!("{:<20} {:>4}  {:<14} {:<24} {:>8}", "document", "ICV", "hash", "status", "attempts");
        println!("{}", "-".repeat(74));
        for r in &rows {
            let prefix: String = r.hash.chars().take(12).collect();
            println!(
                "{:<20} {:>4}  {:<14} {:<24} {:>8}",
                r.label,
                r.icv,
                format!("{prefix}…"),
                r.status,
                r.attempts
            );
            for m in &r.messages {
                println!("    {m}");
            }
        }
        println!();
        println!("(the simplified invoice met an injected outage: HTTP 503 twice, then a retry)");
        if let Some(text) = &qr {
            println!();
            println!("QR code of the simplified invoice:");
            println!("{}", qayd::qr::render_text(text)?);
        }
        println!("files in {}:", dir.display());
        println!("  store          {}", database.display());
        println!("  credentials    {}  (secrets: owner-only files)", dir.join("egs").display());
        for r in &rows {
            println!("  {:<14} {}", r.id, r.file.display());
            if let Some(cleared) = &r.cleared_file {
                println!("  {:<14} {}", "  cleared", cleared.display());
            }
        }
        if let Some(png) = &qr_png {
            println!("  QR image       {}", png.display());
        }
        println!("done in {:.2}s", elapsed.as_secs_f64());
    }
    Ok(if all_accepted { 0 } else { 1 })
}
