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
        "stamp_invoice" => {
            let signer = qayd::Signer::from_bytes(&read(&s("certificate")), &read(&s("private_key")))?;
            let model = String::from_utf8(read(&s("input"))).unwrap();
            let stamped = qayd::embed::stamp_invoice(&signer, &model, Some(&s("signing_time")))?;
            json!({
                "invoice_hash": stamped.invoice_hash, "uuid": stamped.uuid, "signature": stamped.signature,
                "qr": stamped.qr, "xml_bytes": String::from_utf8(stamped.xml).unwrap(),
            })
        }
        "engine" => engine_case(case),
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

/// An error as the engine case records it: its code.
fn code(error: &qayd::Error) -> Value {
    json!({ "error": error.code() })
}

/// The `engine` case: a unit onboarded at the local gateway, the case's steps, then what the
/// store holds. Only values that do not depend on the clock are recorded (see make_cases.py).
fn engine_case(case: &Value) -> Value {
    use qayd::embed::{self, ClientOptions, EngineHandle, EngineOptions};
    let gateway = embed::block_on(qayd_gateway::Gateway::start(qayd_gateway::GatewayConfig::default()))
        .unwrap()
        .unwrap();
    let url = gateway.base_url();
    let identity =
        embed::identity_from_text(&String::from_utf8(read(case["identity"].as_str().unwrap())).unwrap())
            .unwrap();
    let credentials = embed::block_on(embed::onboard(
        &identity,
        case["otp"].as_str().unwrap(),
        &url,
        &ClientOptions::default(),
        &mut |_| {},
    ))
    .unwrap()
    .unwrap();
    let engine = EngineHandle::open(&EngineOptions {
        store: ":memory:".into(),
        environment: Some(url),
        master_key: Some(embed::generate_master_key().unwrap()),
        ..EngineOptions::default()
    })
    .unwrap();
    let model = |entry: &Value| -> String {
        match (entry["sample"].as_array(), entry["model"].as_str()) {
            (Some(sample), _) => embed::sample_invoice_json(
                &identity,
                sample[0].as_str().unwrap(),
                sample[1].as_str().unwrap(),
            )
            .unwrap(),
            (None, Some(path)) => String::from_utf8(read(path)).unwrap(),
            _ => panic!("an entry needs `sample` or `model`: {entry}"),
        }
    };
    let issued = |result: qayd::Result<embed::Document>| match result {
        Ok(d) => json!({ "icv": d.info.icv, "status": d.info.status }),
        Err(e) => code(&e),
    };
    let mut units: Vec<String> = Vec::new();
    let mut steps = Vec::new();
    for step in case["steps"].as_array().unwrap() {
        let egs = step["egs"].as_str().unwrap_or_default();
        if !egs.is_empty() && !units.iter().any(|u| u == egs) {
            units.push(egs.to_owned());
        }
        // The first unit is the onboarded one; any other has no credentials.
        if units.len() == 1 && egs == units[0] && engine.egs_units().unwrap().is_empty() {
            engine.set_credentials(egs, &credentials).unwrap();
        }
        steps.push(match step["do"].as_str().unwrap() {
            "issue" => issued(engine.issue(egs, &model(step))),
            "issue_many" => {
                let models: Vec<String> = step["entries"].as_array().unwrap().iter().map(model).collect();
                let models: Vec<&str> = models.iter().map(String::as_str).collect();
                match engine.issue_many(egs, &models) {
                    Ok(entries) => Value::Array(entries.into_iter().map(issued).collect()),
                    Err(e) => code(&e),
                }
            }
            "drain" => match embed::block_on(engine.drain()).unwrap() {
                Ok(r) => json!({
                    "sent": r.sent, "reported": r.reported, "cleared": r.cleared,
                    "accepted_with_warnings": r.accepted_with_warnings, "rejected": r.rejected, "dead": r.dead,
                }),
                Err(e) => code(&e),
            },
            "clear" => match embed::block_on(engine.clear(egs, &model(step))).unwrap() {
                Ok(r) => json!({
                    "outcome": r.outcome, "icv": r.document.info.icv,
                    "has_cleared_xml": r.document.cleared_xml.is_some(),
                }),
                Err(e) => code(&e),
            },
            other => panic!("unknown engine step {other}"),
        });
    }
    let mut documents = serde_json::Map::new();
    for egs in &units {
        let mut previous = qayd::GENESIS_PIH.to_owned();
        let mut listed = Vec::new();
        for info in engine.documents(egs).unwrap() {
            let qr = engine.document_qr(egs, info.icv).unwrap().unwrap();
            let fields = qayd::qr::decode(&qr).unwrap();
            let tag = |t: u8| fields.iter().find(|f| f.tag == t).map(|f| f.value.clone());
            listed.push(json!({
                "icv": info.icv,
                "status": info.status,
                "chained": info.pih == previous,
                "qr_tags": fields.iter().map(|f| f.tag).collect::<Vec<_>>(),
                "qr_hash_matches": tag(6).as_deref() == Some(info.invoice_hash.as_str()),
            }));
            previous = info.invoice_hash;
        }
        documents.insert(egs.clone(), Value::Array(listed));
    }
    let lifecycle = |kind: &str| kind.starts_with("document_") || kind == "dead_letter";
    let events: Vec<Value> = engine
        .events(0, 1000)
        .unwrap()
        .into_iter()
        .filter(|e| lifecycle(e.kind.as_str()))
        .map(|e| json!([e.kind, e.egs_id, e.icv]))
        .collect();
    json!({
        "steps": steps,
        "documents": documents,
        "events": events,
        "status_counts": engine.status_counts().unwrap(),
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
                    && (expected.get("bless").is_some()
                        || case["operation"] == "stamp"
                        || case["operation"] == "stamp_invoice")
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
