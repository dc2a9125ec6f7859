//! `qayd demo`: the whole integration on loopback in a few seconds, with nothing to configure.
//!
//! Local gateway (in process, 127.0.0.1:0) → SQLite store and a master key in the demo folder →
//! onboarding of a demo EGS unit (credentials sealed in the store) → through the engine: a
//! standard invoice cleared (`Engine::clear`), a simplified invoice reported by the engine's
//! worker through an injected outage (503 twice; the queue's backoff sends the identical bytes
//! again), a credit note cleared → a summary table, the audit log checked, the QR code in the
//! terminal, the files. The demo has no retry logic of its own.

use crate::onboard::Bar;
use crate::{Failure, io_failure, print_json};
use qayd::engine::ClearOutcome;
use qayd::engine::shutdown_signal;
use qayd::engine::{Engine, EngineConfig, RetryPolicy};
use qayd::model::{Address, DocumentType, IdScheme, Invoice, InvoiceKind, Line, Party, PaymentMeans, Vat};
use qayd::secrets::{FileKeyProvider, KeyProvider};
use qayd::store::SubmissionStatus;
use rust_decimal::Decimal;
use serde_json::json;
use std::path::{Path, PathBuf};
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

/// A document as the summary shows it.
struct Row {
    label: &'static str,
    id: String,
    document: qayd::store::StoredDocument,
    file: PathBuf,
    cleared_file: Option<PathBuf>,
}

/// The engine's settings for the demo: a short retry policy, so the retry after the outage is
/// visible within a second or two.
fn demo_config() -> EngineConfig {
    EngineConfig {
        retry: RetryPolicy {
            base: Duration::from_millis(200),
            cap: Duration::from_secs(1),
            max_attempts: 5,
            jitter: false,
        },
        clear_wait: Duration::from_secs(10),
        poll_interval: Duration::from_millis(200),
        ..Default::default()
    }
}

pub(crate) fn run(dir: Option<PathBuf>, json_output: bool) -> Result<u8, Failure> {
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

/// Writes a document (and its cleared form) into the documents folder.
fn save(
    documents_dir: &Path,
    document: &qayd::store::StoredDocument,
    id: &str,
) -> Result<(PathBuf, Option<PathBuf>), Failure> {
    let file = documents_dir.join(format!("{:03}-{id}.xml", document.icv));
    std::fs::write(&file, &document.xml).map_err(|e| io_failure(&file, e))?;
    let cleared = match &document.cleared_xml {
        Some(xml) => {
            let path = documents_dir.join(format!("{:03}-{id}.cleared.xml", document.icv));
            std::fs::write(&path, xml).map_err(|e| io_failure(&path, e))?;
            Some(path)
        }
        None => None,
    };
    Ok((file, cleared))
}

/// The audit log's exchanges for one document: (HTTP status or error, milliseconds since the
/// first attempt).
fn attempts_of(engine: &Engine, uuid: &str) -> Result<Vec<(String, i64)>, Failure> {
    let mut out = Vec::new();
    let mut first = None;
    for row in engine.store().audit_rows(0, usize::MAX)? {
        let Ok(entry) = serde_json::from_str::<qayd::engine::AuditEntry>(&row.content) else {
            continue;
        };
        // One line per attempt: the answered row (the `sent` row before it says the same request).
        if entry.uuid.as_deref() != Some(uuid) || entry.phase.as_deref() == Some(qayd::engine::PHASE_SENT) {
            continue;
        }
        let start = *first.get_or_insert(entry.started_ms);
        let answer = match entry.status {
            Some(status) => format!("HTTP {status} ({})", entry.outcome),
            None => entry.error.unwrap_or_else(|| "no answer".into()),
        };
        out.push((answer, entry.started_ms - start));
    }
    Ok(out)
}

async fn demo(dir: &Path, documents_dir: &Path, started: Instant, json_output: bool) -> Result<u8, Failure> {
    let say = |text: &str| {
        if !json_output {
            tell!("{text}");
        }
    };
    // 1. The local Fatoora stand-in, the store and the master key that seals the credentials.
    let gateway = qayd_gateway::Gateway::start(qayd_gateway::GatewayConfig::default())
        .await
        .map_err(|e| Failure::input(format!("cannot start the local gateway: {e}")))?;
    let environment = qayd::Environment::Custom(gateway.base_url());
    say(&format!("local Fatoora gateway on {}", gateway.base_url()));
    let database = dir.join("qayd.db");
    let store = qayd::store::open(&database.to_string_lossy())?;
    let key_file = dir.join("master.key");
    let master_key = FileKeyProvider::create(&key_file)?.master_key()?;
    let engine = Engine::new(store.clone())
        .with_config(demo_config())
        .with_master_key(master_key)
        .connect(environment.clone())?;

    // 2. Onboarding (the gateway's test OTP; a real one comes from the Fatoora portal), its
    // exchanges in the store's audit log; the credentials go into the store, sealed.
    let identity = identity();
    let settings = crate::settings::Settings::default();
    let client = crate::open::audited_client(&store, &environment, &settings)?;
    let bar = Bar::new(json_output);
    let mut progress = bar.callback();
    let onboarded =
        qayd::onboarding::onboard(&client, &environment, &identity, "123456", &mut progress).await;
    bar.finish();
    let credentials = onboarded?;
    engine.set_credentials(EGS_ID, &credentials.production_credentials(), &credentials.private_key()?)?;
    say(&format!(
        "onboarded {} ({} compliance samples passed); credentials sealed in the store",
        identity.common_name,
        credentials.samples.len()
    ));

    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut invoices = documents(&identity, now).into_iter();
    let (Some(standard), Some(simplified), Some(credit)) =
        (invoices.next(), invoices.next(), invoices.next())
    else {
        return Err(Failure::input("the demo documents are missing".into()));
    };
    let mut rows = Vec::new();
    let cleared = |label: &'static str, outcome: ClearOutcome, id: &str| -> Result<Row, Failure> {
        let document = outcome.into_document();
        let document = store.document(EGS_ID, document.icv)?.unwrap_or(document);
        let (file, cleared_file) = save(documents_dir, &document, id)?;
        Ok(Row { label, id: id.to_owned(), document, file, cleared_file })
    };

    // 3. B2B: the standard invoice, issued and cleared (Engine::clear waits for it).
    rows.push(cleared("standard invoice", engine.clear(EGS_ID, &standard).await?, &standard.id)?);

    // 4. B2C through an outage: the next two reporting calls get 503. The document is issued
    // and queued; the engine's worker sends it, backs off, and sends the identical bytes again.
    gateway.inject(qayd_gateway::Fault {
        status: Some(503),
        count: Some(2),
        path: Some("/invoices/reporting/single".into()),
        ..Default::default()
    });
    let issued = engine.issue_invoice(EGS_ID, &simplified)?;
    say("simplified invoice queued; the reporting endpoint answers 503 twice, the worker retries");
    let (trigger, shutdown) = shutdown_signal();
    let worker = tokio::spawn({
        let engine = engine.clone();
        async move { engine.run(shutdown).await }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let reported = loop {
        let current = store.document(EGS_ID, issued.icv)?.unwrap_or_else(|| issued.clone());
        if current.status.is_final() || Instant::now() > deadline {
            break current;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    trigger.trigger();
    match worker.await {
        Ok(result) => result?,
        Err(e) => return Err(qayd::Error::Storage(format!("the worker failed: {e}")).into()),
    }
    let qr = qayd::qr_of_document(&reported.xml)?;
    let timeline = attempts_of(&engine, &reported.uuid)?;
    let (file, cleared_file) = save(documents_dir, &reported, &simplified.id)?;
    rows.push(Row {
        label: "simplified invoice",
        id: simplified.id.clone(),
        document: reported,
        file,
        cleared_file,
    });

    // 5. B2B again: the credit note.
    rows.push(cleared("credit note", engine.clear(EGS_ID, &credit).await?, &credit.id)?);

    let qr_png = match &qr {
        Some(text) => {
            let path = documents_dir.join("simplified-invoice-qr.png");
            std::fs::write(&path, qayd::qr::render_png(text, 6)?).map_err(|e| io_failure(&path, e))?;
            Some(path)
        }
        None => None,
    };
    gateway.shutdown().await;
    let audit = engine.verify_audit()?;
    let all_accepted = rows.iter().all(|r| {
        matches!(
            r.document.status,
            SubmissionStatus::Cleared | SubmissionStatus::Reported | SubmissionStatus::AcceptedWithWarnings
        )
    });
    let elapsed = started.elapsed();
    let status_text = |status: SubmissionStatus| status.as_str().replace('_', " ");

    if json_output {
        print_json(json!({
            "dir": dir,
            "database": database,
            "master_key_file": key_file,
            "egs_id": EGS_ID,
            "documents": rows.iter().map(|r| json!({
                "document": r.label, "id": r.id, "icv": r.document.icv, "uuid": r.document.uuid,
                "invoice_hash": r.document.invoice_hash, "pih": r.document.pih,
                "status": r.document.status.as_str(), "attempts": r.document.attempts,
                "file": r.file, "cleared_file": r.cleared_file,
                "messages": r.document.messages.as_deref().and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok()),
            })).collect::<Vec<_>>(),
            "outage": timeline.iter().map(|(answer, ms)| json!({"answer": answer, "after_ms": ms})).collect::<Vec<_>>(),
            "audit": { "rows": audit.rows, "intact": audit.is_intact(), "head": audit.head },
            "qr_png": qr_png,
            "seconds": elapsed.as_secs_f64(),
        }));
    } else {
        say!();
        say!("{:<20} {:>4}  {:<14} {:<24} {:>8}", "document", "ICV", "hash", "status", "attempts");
        say!("{}", "-".repeat(74));
        for r in &rows {
            let prefix: String = r.document.invoice_hash.chars().take(12).collect();
            say!(
                "{:<20} {:>4}  {:<14} {:<24} {:>8}",
                r.label,
                r.document.icv,
                format!("{prefix}…"),
                status_text(r.document.status),
                r.document.attempts
            );
        }
        say!();
        say!("the simplified invoice met an injected outage; the engine's queue retried it:");
        for (n, (answer, ms)) in timeline.iter().enumerate() {
            say!("  attempt {} at +{:.1}s: {answer}", n + 1, *ms as f64 / 1000.0);
        }
        say!(
            "audit log: {} rows (each API exchange twice: its request before it left, then its answer), hash chain {}",
            audit.rows,
            if audit.is_intact() { "intact" } else { "BROKEN" }
        );
        if let Some(text) = &qr {
            say!();
            say!("QR code of the simplified invoice:");
            say!("{}", qayd::qr::render_text(text)?);
        }
        say!("files in {}:", dir.display());
        say!("  store          {}  (credentials sealed, outbox, events, audit log)", database.display());
        say!("  master key     {}  (owner-only; it opens the sealed credentials)", key_file.display());
        for r in &rows {
            say!("  {:<14} {}", r.id, r.file.display());
            if let Some(cleared) = &r.cleared_file {
                say!("  {:<14} {}", "  cleared", cleared.display());
            }
        }
        if let Some(png) = &qr_png {
            say!("  QR image       {}", png.display());
        }
        say!();
        say!("look inside with the engine commands:");
        say!("  export QAYD_STORE={} QAYD_MASTER_KEY_FILE={}", database.display(), key_file.display());
        say!("  qayd egs list; qayd queue status; qayd audit verify");
        say!("done in {:.2}s", elapsed.as_secs_f64());
    }
    Ok(if all_accepted { 0 } else { 1 })
}
