//! Rule parity with ZATCA: `qayd::validate` and ZATCA's official R3.4.8 Schematron judge the same
//! documents, and the sets of (rule id, severity) they report must be equal, both ways.
//!
//! The oracle is the SDK's compiled Schematron (two XSL files), run by `tests/parity/schematron.py`
//! with Saxon (`saxonche`, PyPI). ZATCA's XSL is read where it lies, in `../shared` (never copied
//! into the project; `QAYD_ZATCA_XSL_DIR` overrides the path). Without it or without saxonche the
//! test says so loudly and passes, unless `QAYD_REQUIRE_PARITY=1` (set by `scripts/test-all.sh`),
//! when it fails.
//!
//! Corpus: the SDK samples of every release in `../shared`, the mutation corpus, documents built
//! from the model across the flag × type × VAT-category matrix, and seeded random mutations of
//! samples and model output (`QAYD_PARITY_MUTATIONS`, default 2,000; `QAYD_PARITY_SEED`).
//! Disagreements are written to `target/parity/NAME/` (`QAYD_PARITY_OUT` overrides
//! `target/parity`): each document and a `summary.txt` with both verdicts. `QAYD_PARITY_RULES`
//! (comma-separated ids) limits the comparison to those rules, to work on a few at a time.
//!
//! Only business-rule ids are compared (schema findings `XSD-…` have no Schematron twin).
//! Documented differences (README, "Rule parity") are recognised by [`documented`].

mod model_support;
mod validation_support;

use model_support::*;
use qayd::model::*;
use qayd::validate::{Severity, validate_at};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use validation_support::{Doc, Mutator};

/// A (rule id, severity) pair as both sides report it.
type Verdict = BTreeSet<(String, &'static str)>;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shared() -> PathBuf {
    std::env::var_os("QAYD_SHARED").map(PathBuf::from).unwrap_or_else(|| repo().join("../shared"))
}

fn xsl_dir() -> PathBuf {
    std::env::var_os("QAYD_ZATCA_XSL_DIR").map(PathBuf::from).unwrap_or_else(|| {
        shared().join("zatca/vectors/zatca-sdk-238-R3.4.8__aashahin_zatca-sdk/Data/Rules/Schematrons")
    })
}

fn python() -> String {
    if let Ok(p) = std::env::var("QAYD_PARITY_PYTHON") {
        return p;
    }
    let venv = repo().join(".venv/bin/python");
    if venv.exists() { venv.display().to_string() } else { "python3".into() }
}

/// The oracle's prerequisites, or why they are missing.
fn oracle_ready() -> Result<(), String> {
    let xsl = xsl_dir();
    if !xsl.join("20210819_ZATCA_E-invoice_Validation_Rules.xsl").exists() {
        return Err(format!("ZATCA's Schematron XSL is not at {}", xsl.display()));
    }
    let ok = Command::new(python())
        .args(["-c", "import saxonche"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return Err(format!("{} cannot import saxonche (pip install saxonche)", python()));
    }
    Ok(())
}

/// Skips loudly, or fails when parity is required.
fn ready_or_skip() -> bool {
    match oracle_ready() {
        Ok(()) => true,
        Err(why) if std::env::var_os("QAYD_REQUIRE_PARITY").is_some() => {
            panic!("rule parity is required (QAYD_REQUIRE_PARITY) but {why}")
        }
        Err(why) => {
            eprintln!("\n*** RULE PARITY NOT CHECKED: {why} ***\n");
            false
        }
    }
}

/// ZATCA's verdicts, by file: `Ok(findings)` or `Err(abort message)`.
fn run_oracle(docs: &[Doc], dir: &Path) -> Vec<Result<Verdict, String>> {
    let mut jobs = String::new();
    for (i, doc) in docs.iter().enumerate() {
        let file = dir.join(format!("{i:05}.xml"));
        std::fs::write(&file, &doc.xml).unwrap();
        jobs.push_str(&format!("{}\t{}\n", doc.now, file.display()));
    }
    let mut child = Command::new(python())
        .arg(repo().join("tests/parity/schematron.py"))
        .arg("--xsl-dir")
        .arg(xsl_dir())
        .env("TZ", "Asia/Riyadh")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the Schematron runner");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(jobs.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success(), "the Schematron runner failed");
    let lines: Vec<serde_json::Value> =
        String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), docs.len(), "one answer per document");
    lines
        .into_iter()
        .map(|v| match v.get("abort") {
            Some(a) => Err(a.as_str().unwrap_or_default().to_string()),
            None => Ok(v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    let flag = if f[1] == "warning" { "warning" } else { "error" };
                    (f[0].as_str().unwrap().to_string(), flag)
                })
                .collect()),
        })
        .collect()
}

fn qayd_verdict(doc: &Doc, business_rules: &BTreeSet<String>) -> Result<Verdict, String> {
    let report = validate_at(doc.xml.as_bytes(), doc.now).map_err(|e| e.to_string())?;
    Ok(report
        .findings
        .iter()
        .filter(|f| business_rules.contains(&f.rule))
        .map(|f| (f.rule.clone(), if f.severity == Severity::Warning { "warning" } else { "error" }))
        .collect())
}

/// Every business-rule id of R3.4.8 (the rules TSV).
fn business_rules() -> BTreeSet<String> {
    std::fs::read_to_string(repo().join("tests/validation/rules-R3.4.8.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').nth(1).unwrap().to_string())
        .collect()
}

/// Where Qayd knowingly differs from ZATCA's XSL (README, "Rule parity"): a tax category with
/// two `cbc:ID` elements (schema-invalid). ZATCA's rule contexts that read
/// `normalize-space(cbc:ID)` fail on two values and so do not match it, while its expressions
/// over `cbc:ID[...]` do; Qayd reads such a category by any of its IDs, everywhere.
fn documented(rule: &str, xml: &str) -> bool {
    let category_rule = ["BR-S-", "BR-Z-", "BR-E-", "BR-O-"].iter().any(|p| rule.starts_with(p));
    category_rule && category_with_two_ids(xml)
}

fn category_with_two_ids(xml: &str) -> bool {
    let Ok(doc) = roxmltree::Document::parse(xml) else { return false };
    doc.descendants()
        .filter(|n| n.has_tag_name("TaxCategory") || n.has_tag_name("ClassifiedTaxCategory"))
        .any(|c| c.children().filter(|n| n.has_tag_name("ID")).count() > 1)
}

/// Compares both sides on `docs`; panics with a summary (and leaves the cases in
/// `target/parity/NAME`) when they disagree outside [`DOCUMENTED`].
fn compare(name: &str, docs: &[Doc]) {
    let scratch = std::env::temp_dir().join(format!("qayd-parity-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let zatca = run_oracle(docs, &scratch);
    std::fs::remove_dir_all(&scratch).ok();
    let mut rules = business_rules();
    if let Ok(only) = std::env::var("QAYD_PARITY_RULES") {
        let only: BTreeSet<String> = only.split(',').map(|r| r.trim().to_string()).collect();
        rules.retain(|r| only.contains(r));
    }
    let out = std::env::var_os("QAYD_PARITY_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/parity"))
        .join(name);
    std::fs::remove_dir_all(&out).ok();
    let mut disagreements = Vec::new();
    let mut tally: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut aborts = 0;
    let mut same = 0;
    let mut known = 0;
    for (doc, zatca) in docs.iter().zip(zatca) {
        let ours = qayd_verdict(doc, &rules);
        let (zatca, ours) = match (zatca, ours) {
            (Ok(mut z), Ok(o)) => {
                z.retain(|(r, _)| rules.contains(r));
                (z, o)
            }
            (Err(abort), _) => {
                // Saxon stopped on the document: ZATCA's XSL gives no verdict to compare with.
                aborts += 1;
                eprintln!("parity {name}: ZATCA's XSL aborts on {}: {abort}", doc.label);
                continue;
            }
            (Ok(z), Err(e)) => {
                disagreements.push((doc, format!("qayd refused to validate: {e}; ZATCA: {z:?}")));
                continue;
            }
        };
        let missed: Vec<_> = zatca.difference(&ours).filter(|(r, _)| !documented(r, &doc.xml)).collect();
        let extra: Vec<_> = ours.difference(&zatca).filter(|(r, _)| !documented(r, &doc.xml)).collect();
        if zatca != ours {
            known += 1;
        }
        for (r, _) in &missed {
            tally.entry(r.clone()).or_default().0 += 1;
        }
        for (r, _) in &extra {
            tally.entry(r.clone()).or_default().1 += 1;
        }
        if missed.is_empty() && extra.is_empty() {
            same += 1;
        } else {
            known -= 1;
            disagreements.push((doc, format!("missed {missed:?}, extra {extra:?}")));
        }
    }
    eprintln!(
        "parity {name}: {} documents, {same} agree ({known} of them through a documented difference), {} disagree, \
         {aborts} aborted by ZATCA's XSL",
        docs.len(),
        disagreements.len()
    );
    if disagreements.is_empty() {
        return;
    }
    std::fs::create_dir_all(&out).unwrap();
    let mut summary = String::new();
    for (i, (doc, what)) in disagreements.iter().enumerate() {
        std::fs::write(out.join(format!("{i:04}.xml")), &doc.xml).unwrap();
        summary.push_str(&format!("{i:04} now={} {}: {what}\n", doc.now, doc.label));
    }
    std::fs::write(out.join("summary.txt"), &summary).unwrap();
    let by_rule: Vec<String> =
        tally.iter().map(|(r, (m, e))| format!("{r}: missed {m}, extra {e}")).collect();
    let first: Vec<&str> = summary.lines().take(40).collect();
    panic!(
        "{} of {} documents disagree with ZATCA's Schematron ({}):\n  {}\nfirst cases:\n{}",
        disagreements.len(),
        docs.len(),
        out.display(),
        by_rule.join("\n  "),
        first.join("\n")
    );
}

/// The signed samples of every SDK release in `../shared` and the API documentation examples.
fn sdk_samples() -> Vec<Doc> {
    let mut files = Vec::new();
    let vectors = shared().join("zatca/vectors");
    collect_xml(&vectors, &mut files);
    files.retain(|f| {
        let s = f.display().to_string();
        (s.contains("/Data/Samples/") || s.contains("fatoora-api-docs")) && !s.contains("/Schemas/")
    });
    files.sort();
    files
        .into_iter()
        .filter_map(|f| {
            let xml = std::fs::read_to_string(&f).ok()?;
            xml.contains("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2").then(|| Doc {
                now: validation_support::shortly_after(&xml),
                label: f.strip_prefix(&vectors).unwrap().display().to_string(),
                xml,
            })
        })
        .collect()
}

fn collect_xml(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_xml(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
}

/// The model's documents across kinds × types × transaction flags × VAT categories, stamped.
fn model_documents() -> Vec<Doc> {
    let signer = sdk_signer();
    let options = qayd::StampOptions { signing_time: Some("2025-01-15T09:30:05".into()) };
    let kinds = [InvoiceKind::Standard, InvoiceKind::Simplified];
    let types =
        [DocumentType::Invoice, DocumentType::CreditNote, DocumentType::DebitNote, DocumentType::Prepayment];
    use VatCategory::*;
    let category_sets: [&[VatCategory]; 5] =
        [&[Standard], &[ZeroRated], &[Exempt], &[OutOfScope], &[Standard, ZeroRated, Exempt, OutOfScope]];
    let mut docs = Vec::new();
    let mut n = 0;
    for kind in kinds {
        for document_type in types {
            for flags in flag_sets() {
                for categories in category_sets {
                    n += 1;
                    let inv = build(n, kind, document_type, flags, categories);
                    let label =
                        format!("model {kind:?} {document_type:?} {} {categories:?}", inv.transaction_code());
                    let Ok(xml) = inv.to_xml() else { continue };
                    let stamped = qayd::stamp(&xml, &signer, &options).unwrap();
                    let xml = String::from_utf8(stamped.xml).unwrap();
                    docs.push(Doc { now: validation_support::shortly_after(&xml), label, xml });
                }
            }
        }
    }
    docs
}

#[test]
fn sdk_samples_agree_with_zatca() {
    if !ready_or_skip() {
        return;
    }
    let docs = sdk_samples();
    assert!(docs.len() >= 50, "the SDK samples in ../shared are missing: {}", docs.len());
    compare("sdk-samples", &docs);
}

#[test]
fn mutation_corpus_agrees_with_zatca() {
    if !ready_or_skip() {
        return;
    }
    let docs = validation_support::mutation_corpus(&repo());
    compare("mutation-corpus", &docs);
}

#[test]
fn model_documents_agree_with_zatca() {
    if !ready_or_skip() {
        return;
    }
    let docs = model_documents();
    assert!(docs.len() >= 640, "{}", docs.len());
    compare("model", &docs);
}

#[test]
fn random_mutations_agree_with_zatca() {
    if !ready_or_skip() {
        return;
    }
    let count: usize =
        std::env::var("QAYD_PARITY_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let seed: u64 = std::env::var("QAYD_PARITY_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x51a7);
    let mut bases: Vec<Doc> = sdk_samples().into_iter().filter(|d| d.label.contains("R3.4.8")).collect();
    bases.extend(model_documents().into_iter().step_by(16));
    let mut mutator = Mutator::new(seed);
    let docs: Vec<Doc> = (0..count).map(|_| mutator.mutate(&bases)).collect();
    eprintln!("parity random: seed {seed}, {count} mutations of {} bases", bases.len());
    compare("random", &docs);
}

/// One random edit of a model invoice: the inputs a caller gets wrong (VAT numbers, addresses,
/// IDs, names, dates and times, currencies, VAT categories and rates, amounts, flags, notes).
fn edit_model(inv: &mut Invoice, r: &mut validation_support::Rng) -> String {
    fn pick<'a>(r: &mut validation_support::Rng, items: &[&'a str]) -> &'a str {
        items[r.below(items.len())]
    }
    let text = |r: &mut validation_support::Rng| {
        pick(r, &["", " ", "ab", "12345678", "١٢٣٤", "Name", "x"]).to_string()
    };
    match r.below(24) {
        0 => {
            let v = pick(r, &["30000000000003", "300000000000004", "3000000000000O3", "", "311111111111113"]);
            inv.seller.vat_number = (!v.is_empty()).then(|| v.into());
            format!("seller VAT '{v}'")
        }
        1 => {
            inv.seller.registration_name = if r.chance(50) { None } else { Some(text(r)) };
            "seller name".into()
        }
        2 => {
            let a = inv.seller.address.as_mut().unwrap();
            match r.below(5) {
                0 => a.building_number = Some(pick(r, &["123", "12a4", "١٢٣٤", ""]).into()),
                1 => a.postal_code = Some(pick(r, &["1234", "١٢٣٤٥", "123456"]).into()),
                2 => a.district = None,
                3 => a.street = Some(text(r)),
                _ => a.country = pick(r, &["Saudi", "sa", "US", "XX"]).into(),
            }
            "seller address".into()
        }
        3 => {
            match r.below(3) {
                0 => inv.seller.ids.clear(),
                1 => inv.seller.ids = vec![PartyId { scheme: IdScheme::Nat, value: "1010101010".into() }],
                _ => inv.seller.ids[0].value = pick(r, &["10-10", "12345678", "1111111111", ""]).into(),
            }
            "seller ids".into()
        }
        4 => {
            match inv.buyer.as_mut() {
                None => inv.buyer = Some(saudi_buyer()),
                Some(b) => match r.below(6) {
                    0 => b.registration_name = None,
                    1 => b.vat_number = Some(pick(r, &["12345", "300000000000003", ""]).into()),
                    2 => b.vat_number = None,
                    3 => b.address = None,
                    4 => {
                        b.ids = vec![PartyId {
                            scheme: IdScheme::Nat,
                            value: pick(r, &["1 2", "1234567890", "2123456789"]).into(),
                        }]
                    }
                    _ => {
                        if let Some(a) = b.address.as_mut() {
                            a.postal_code = Some("123".into());
                            a.building_number = None;
                        }
                    }
                },
            }
            "buyer".into()
        }
        5 => {
            inv.buyer = None;
            "no buyer".into()
        }
        6 => {
            inv.id = pick(r, &["", " ", "INV 1"]).into();
            if r.chance(20) {
                inv.id = "I".repeat(128);
            }
            "invoice number".into()
        }
        7 => {
            inv.issue_date = pick(r, &["2025-13-01", "15/01/2025", "2025-01-15"]).into();
            "issue date".into()
        }
        8 => {
            inv.issue_time = pick(r, &["25:00:00", "9:30", "09:30:00Z"]).into();
            "issue time".into()
        }
        9 => {
            match r.below(3) {
                0 => inv.supply_date = None,
                1 => inv.supply_end_date = Some("2024-12-01".into()),
                _ => inv.supply_date = Some("2025-1-1".into()),
            }
            "supply dates".into()
        }
        10 => {
            inv.flags.third_party = r.chance(30);
            inv.flags.nominal = r.chance(30);
            inv.flags.export = r.chance(30);
            inv.flags.summary = r.chance(30);
            inv.flags.self_billed = r.chance(30);
            format!("flags {}", inv.transaction_code())
        }
        11 => {
            inv.kind = if inv.kind == InvoiceKind::Standard {
                InvoiceKind::Simplified
            } else {
                InvoiceKind::Standard
            };
            "kind".into()
        }
        12 => {
            inv.currency = pick(r, &["usd", "XXX", "USD", "SAR"]).into();
            if r.chance(50) {
                inv.exchange_rate = None;
            }
            format!("currency {}", inv.currency)
        }
        13 | 14 => {
            let n = r.below(inv.lines.len());
            let vat = &mut inv.lines[n].vat;
            match r.below(6) {
                0 => vat.rate = d(pick(r, &["5", "7", "0", "15", "100.001"])),
                1 => vat.exemption_reason_code = None,
                2 => {
                    vat.exemption_reason_code = Some(
                        pick(r, &["VATEX-SA-35", "VATEX-SA-29", "VATEX-SA-OOS", "VATEX-XX", "VATEX-SA-EDU"])
                            .into(),
                    )
                }
                3 => vat.exemption_reason = Some(text(r)),
                4 => {
                    vat.category = [
                        VatCategory::Standard,
                        VatCategory::ZeroRated,
                        VatCategory::Exempt,
                        VatCategory::OutOfScope,
                    ][r.below(4)]
                }
                _ => *vat = vat_for(VatCategory::Exempt, 0),
            }
            format!("line {} VAT", n + 1)
        }
        15 => {
            let n = r.below(inv.lines.len());
            let line = &mut inv.lines[n];
            match r.below(6) {
                0 => line.name = text(r),
                1 => line.quantity = d("-1"),
                2 => line.price = d(pick(r, &["-1", "0", "0.001"])),
                3 => line.unit_code = pick(r, &["", "X"]).into(),
                4 => line.id = Some(pick(r, &["1234567", "", "A"]).into()),
                _ => line.gross_price = Some(line.price - d("1")),
            }
            "line".into()
        }
        16 => {
            if let Some(a) = inv.allowances.first_mut() {
                match r.below(3) {
                    0 => a.amount = d("-0.50"),
                    1 => a.reason = None,
                    _ => a.amount = d("0.505"),
                }
            }
            "document allowance".into()
        }
        17 => {
            if let Some(c) = inv.charges.first_mut() {
                match r.below(3) {
                    0 => c.reason_code = None,
                    1 => c.reason_code = Some(pick(r, &["ZZZ", "95", ""]).into()),
                    _ => c.reason = None,
                }
            }
            "document charge".into()
        }
        18 => {
            inv.notes =
                vec![Note::new(pick(r, &["", "x"]).repeat(if r.chance(50) { 1 } else { 1001 }), None)];
            "note".into()
        }
        19 => {
            inv.billing_reference = if r.chance(50) { None } else { Some(String::new()) };
            "billing reference".into()
        }
        20 => {
            for p in &mut inv.payment_means {
                if r.chance(50) {
                    p.code = pick(r, &["99", "ZZZ", "1"]).into();
                } else {
                    p.instruction_note = None;
                }
            }
            "payment means".into()
        }
        21 => {
            if let Some(p) = inv.prepayments.first_mut() {
                match r.below(3) {
                    0 => p.vat = vat_for(VatCategory::ZeroRated, 0),
                    1 => p.id = String::new(),
                    _ => p.issue_time = "10:00".into(),
                }
            }
            "prepayment".into()
        }
        22 => {
            inv.purchase_order_id = Some("P".repeat(128));
            "purchase order".into()
        }
        _ => {
            let line = &mut inv.lines[0];
            line.allowances.push(LineAllowanceCharge {
                amount: d(pick(r, &["1.00", "-1.00", "0.001"])),
                reason: None,
                reason_code: None,
                base_amount: Some(d("10.00")),
                percent: Some(d(pick(r, &["10", "150", "12.345"]))),
            });
            "line allowance".into()
        }
    }
}

/// The model refuses exactly what ZATCA's rules reject: random edits of model invoices are
/// written without a verdict, judged by ZATCA's Schematron, and compared with the model's own
/// verdict. A refusal must name an error ZATCA reports; an accepted document must have none.
/// Refusals of the model's own input checks (no rule) and schema refusals (XSD, which the
/// Schematron does not run) are counted apart.
#[test]
fn model_refuses_only_what_zatca_rejects() {
    if !ready_or_skip() {
        return;
    }
    let count: usize =
        std::env::var("QAYD_PARITY_MODEL_EDITS").ok().and_then(|v| v.parse().ok()).unwrap_or(600);
    let mut rng = validation_support::Rng::new(0x0de1);
    use VatCategory::*;
    let categories: [&[VatCategory]; 3] = [&[Standard], &[ZeroRated, Exempt], &[Standard, OutOfScope]];
    let (mut docs, mut verdicts) = (Vec::new(), Vec::new());
    let (mut own, mut schema) = (0, 0);
    for n in 0..count {
        let kind = if rng.chance(60) { InvoiceKind::Standard } else { InvoiceKind::Simplified };
        let types = [
            DocumentType::Invoice,
            DocumentType::CreditNote,
            DocumentType::DebitNote,
            DocumentType::Prepayment,
        ];
        let mut inv =
            build(n, kind, types[rng.below(4)], TransactionFlags::default(), categories[rng.below(3)]);
        let mut what = Vec::new();
        for _ in 0..1 + rng.below(2) {
            what.push(edit_model(&mut inv, &mut rng));
        }
        let verdict = inv.to_xml();
        let Ok(xml) = qayd::__internal::model::to_xml_unjudged(&inv) else {
            own += 1;
            continue;
        };
        match verdict.as_ref().err().map(|e| e.rule()) {
            Some(None) => own += 1,
            Some(Some(r)) if r.starts_with("XSD-") => schema += 1,
            _ => {
                let xml = String::from_utf8(xml).unwrap();
                let label = format!("model #{n} {kind:?} {}: {}", inv.transaction_code(), what.join("; "));
                docs.push(Doc { now: validation_support::shortly_after(&xml), label, xml });
                verdicts.push(verdict.err().and_then(|e| e.rule().map(str::to_string)));
            }
        }
    }
    let scratch = std::env::temp_dir().join(format!("qayd-parity-model-edits-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let zatca = run_oracle(&docs, &scratch);
    std::fs::remove_dir_all(&scratch).ok();
    let mut wrong = Vec::new();
    let (mut refused, mut accepted) = (0, 0);
    for ((doc, verdict), zatca) in docs.iter().zip(&verdicts).zip(zatca) {
        let Ok(zatca) = zatca else { continue };
        let errors: BTreeSet<&str> =
            zatca.iter().filter(|(_, s)| *s == "error").map(|(r, _)| r.as_str()).collect();
        match verdict {
            Some(rule) if errors.contains(rule.as_str()) => refused += 1,
            None if errors.is_empty() => accepted += 1,
            Some(rule) => {
                wrong.push(format!("{}: refused with {rule}, ZATCA's errors {errors:?}", doc.label))
            }
            None => wrong.push(format!("{}: accepted, ZATCA's errors {errors:?}", doc.label)),
        }
    }
    eprintln!(
        "model verdicts: {refused} refused as ZATCA does, {accepted} accepted as ZATCA does, {own} refused by the \
         model's own input checks, {schema} refused by the schema, {} wrong",
        wrong.len()
    );
    assert!(refused > 50 && accepted > 50, "the edits should both break and keep documents");
    assert!(wrong.is_empty(), "{} model verdicts differ from ZATCA's:\n{}", wrong.len(), wrong.join("\n"));
}
