//! Runs the language-neutral conformance cases (tests/conformance/cases) through the core.
//! Every binding runs the same cases and must produce the same bytes.
//!
//! `QAYD_BLESS=1` writes the core's results into cases that expect `{"bless": true}` or a stamped
//! XML file that does not exist yet; the sample-derived expectations are never overwritten.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance")
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// What the core produces for a case, in the case's `expected` shape.
fn run(case: &Value) -> Result<Value, qayd::Error> {
    let s = |k: &str| case[k].as_str().unwrap_or_default().to_owned();
    Ok(match s("operation").as_str() {
        "hash" => json!({ "invoice_hash": qayd::invoice_hash(&read(&s("input")))? }),
        "verify" => {
            let report = qayd::verify(&read(&s("input")))?;
            let mut failed: Vec<String> = report.failures().map(|c| c.name.clone()).collect();
            failed.sort();
            json!({ "valid": report.valid, "failed_checks": failed })
        }
        "stamp" => {
            let signer = qayd::Signer::from_bytes(&read(&s("certificate")), &read(&s("private_key")))?;
            let options = qayd::StampOptions { signing_time: Some(s("signing_time")) };
            let stamped = qayd::stamp(&read(&s("input")), &signer, &options)?;
            json!({
                "invoice_hash": stamped.invoice_hash, "uuid": stamped.uuid, "signature": stamped.signature,
                "qr": stamped.qr, "xml_bytes": String::from_utf8(stamped.xml).unwrap(),
            })
        }
        "validate" => {
            let report = qayd::validate(&read(&s("input")))?;
            let ids = |severity: qayd::Severity| {
                let mut ids: Vec<String> = report
                    .findings
                    .iter()
                    .filter(|f| f.severity == severity)
                    .map(|f| f.rule.clone())
                    .collect();
                ids.sort();
                ids.dedup();
                ids
            };
            json!({ "valid": report.valid, "errors": ids(qayd::Severity::Error), "warnings": ids(qayd::Severity::Warning) })
        }
        "generate" => json!({ "xml_bytes": String::from_utf8(qayd::generate(&read(&s("input")))?).unwrap() }),
        "qr_decode" => {
            let fields = qayd::qr::decode(&s("qr"))?;
            json!({ "fields": fields })
        }
        "csr" => {
            let text = String::from_utf8(read(&s("identity"))).unwrap();
            let identity = qayd::embed::identity_from_text(&text)?;
            let csr = qayd::embed::build_csr(&identity, &read(&s("private_key")), &s("environment"))?;
            json!({ "pem": csr.pem, "base64": csr.base64 })
        }
        other => panic!("operation {other} is not supported by the core runner"),
    })
}

#[test]
fn every_conformance_case() {
    let bless = std::env::var_os("QAYD_BLESS").is_some();
    let mut paths: Vec<_> =
        std::fs::read_dir(root().join("cases")).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    assert!(paths.len() >= 50, "the conformance suite went missing");
    let mut failures = Vec::new();
    for path in &paths {
        let mut case: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let expected = case["expected"].clone();
        let outcome = run(&case);
        let name = case["name"].as_str().unwrap().to_owned();
        match (outcome, expected.get("error").and_then(Value::as_str)) {
            (Err(e), Some(code)) if e.code() == code => {}
            (Err(e), _) => failures.push(format!("{name}: error {} ({e}), expected {expected}", e.code())),
            (Ok(got), Some(code)) => failures.push(format!("{name}: expected error {code}, got {got}")),
            (Ok(mut got), None) => {
                if let Some(xml) = got.as_object_mut().and_then(|o| o.remove("xml_bytes")) {
                    let file = expected["xml"].as_str().unwrap();
                    let target = root().join(file);
                    if bless && !target.exists() {
                        std::fs::write(&target, xml.as_str().unwrap()).unwrap();
                    }
                    if std::fs::read_to_string(&target).ok().as_deref() != xml.as_str() {
                        failures.push(format!("{name}: stamped bytes differ from {file}"));
                    }
                    got["xml"] = json!(file);
                }
                if bless
                    && (expected.get("bless").is_some() || case["operation"] == "stamp")
                    && expected != got
                {
                    case["expected"] = got.clone();
                    std::fs::write(path, serde_json::to_string_pretty(&case).unwrap() + "\n").unwrap();
                    continue;
                }
                if got != expected {
                    failures.push(format!("{name}: got {got}, expected {expected}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
