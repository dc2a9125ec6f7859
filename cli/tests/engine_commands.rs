//! The engine commands — `egs`, `issue`, `submit`, `queue`, `events`, `audit` — run as an
//! operator would, against a `qayd gateway` child process on loopback: the gateway checks every
//! document (signature, chain, seller VAT) and counts acceptances, so the tests see what the
//! platform saw.

mod common;

use assert_cmd::Command;
use common::{GatewayProcess, json_of, properties, qayd, repo};
use predicates::prelude::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The VAT number of the invoice fixtures; the units are onboarded with it.
const VAT: &str = "300075588700003";

/// A gateway, a folder, a store and a master key file.
struct Setup {
    gateway: GatewayProcess,
    dir: tempfile::TempDir,
    store: PathBuf,
    key_file: PathBuf,
}

impl Setup {
    fn new() -> Self {
        let gateway = GatewayProcess::start();
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("qayd.db");
        let key_file = dir.path().join("master.key");
        qayd()
            .arg("master-key")
            .arg(&key_file)
            .assert()
            .success()
            .stdout(predicate::str::contains("keep a copy"));
        Setup { gateway, dir, store, key_file }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `qayd` with this store and key.
    fn cmd(&self) -> Command {
        let mut command = qayd();
        command.env("QAYD_STORE", &self.store).env("QAYD_MASTER_KEY_FILE", &self.key_file);
        command
    }

    /// A CSR config (JSON) for unit number `n`: its own EGS serial, so the gateway keeps a
    /// separate chain for it.
    fn csr_config(&self, n: u32) -> PathBuf {
        let text = std::fs::read_to_string(properties()).unwrap();
        let mut config = qayd::CsrConfig::from_properties(&text).unwrap();
        config.organization_identifier = VAT.into();
        config.serial_number = format!("1-Qayd|2-test|3-unit-{n}");
        let path = self.path(&format!("csr-{n}.json"));
        std::fs::write(&path, serde_json::to_string(&config).unwrap()).unwrap();
        path
    }

    /// `qayd egs add ID` onboarding now, the OTP on standard input.
    fn add_unit(&self, id: &str, n: u32) -> Value {
        let output = self
            .cmd()
            .args(["--json", "egs", "add", id, "--otp-file", "-", "--env", &self.gateway.url, "--config"])
            .arg(self.csr_config(n))
            .write_stdin("123456\n")
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        json_of(&output)
    }

    /// An invoice JSON from a fixture (`standard_invoice`, `simplified_invoice`,
    /// `standard_credit_note`) with a fresh UUID, written as `name`.
    fn invoice(&self, fixture: &str, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
        let path = repo().join(format!("core/tests/fixtures/models/{fixture}.json"));
        let mut value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        value["uuid"] = json!(uuid::Uuid::new_v4().to_string());
        value["seller"]["vat_number"] = json!(VAT);
        edit(&mut value);
        let out = self.path(name);
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        std::fs::write(&out, serde_json::to_string_pretty(&value).unwrap()).unwrap();
        out
    }

    fn json(&self, args: &[&str]) -> (Option<i32>, Value) {
        let output = self.cmd().arg("--json").args(args).output().unwrap();
        assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
        (output.status.code(), json_of(&output))
    }

    fn counts(&self) -> Value {
        let (code, value) = self.json(&["queue", "status"]);
        assert_eq!(code, Some(0));
        value["counts"].clone()
    }
}

fn no_panic(output: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// The audit log's rows, in order.
fn audit_rows(setup: &Setup) -> Vec<Value> {
    let output = setup.cmd().args(["audit", "export"]).output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["exchange"].clone())
        .collect()
}

/// The audit log's finished exchanges (`answered` rows), in order; each follows its `sent` row.
fn exchanges(setup: &Setup) -> Vec<Value> {
    let rows = audit_rows(setup);
    for (n, row) in rows.iter().enumerate().filter(|(_, r)| r["phase"] == "answered") {
        let sent = rows[..n].iter().rev().find(|r| r["exchange_id"] == row["exchange_id"]);
        assert_eq!(sent.map(|r| r["phase"].clone()), Some(json!("sent")), "{row}");
    }
    rows.into_iter().filter(|r| r["phase"] == "answered").collect()
}

// ---- the whole path ---------------------------------------------------------------------------

#[test]
fn add_issue_submit_status_and_audit_end_to_end() {
    let setup = Setup::new();
    let added = setup.add_unit("pos-1", 1);
    assert_eq!(added["added"]["egs_id"], "pos-1");
    assert_eq!(added["added"]["next_icv"], 1);
    assert!(added["added"]["environment"].as_str().unwrap().contains(&setup.gateway.url));
    assert!(added["added"]["days_left"].as_i64().unwrap() > 30);

    // A folder of three invoices, issued in name order; a QR image for each.
    setup.invoice("standard_invoice", "batch/a-standard.json", |_| {});
    setup.invoice("simplified_invoice", "batch/b-simplified.json", |_| {});
    setup.invoice("standard_credit_note", "batch/c-credit.json", |_| {});
    let out = setup.path("out");
    let output = setup
        .cmd()
        .args(["--json", "issue", "--egs", "pos-1", "--qr", "--out"])
        .arg(&out)
        .arg(setup.path("batch"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", no_panic(&output));
    let issued = json_of(&output)["documents"].as_array().unwrap().clone();
    assert_eq!(issued.iter().map(|d| d["icv"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(issued.iter().all(|d| d["status"] == "pending"));
    assert_eq!(issued[0]["pih"], qayd::GENESIS_PIH);
    assert_eq!(issued[1]["pih"], issued[0]["invoice_hash"]);
    assert_eq!(issued[2]["pih"], issued[1]["invoice_hash"]);
    for document in &issued {
        let xml = std::fs::read(document["out"].as_str().unwrap()).unwrap();
        let report = qayd::verify(&xml).unwrap();
        assert!(report.valid, "{:?}", report.checks);
        assert_eq!(qayd::invoice_hash(&xml).unwrap(), document["invoice_hash"].as_str().unwrap());
        assert!(std::fs::read(document["qr_png"].as_str().unwrap()).unwrap().starts_with(b"\x89PNG"));
    }
    assert_eq!(Path::new(issued[1]["out"].as_str().unwrap()), out.join("000002-SIMP-2025-000101.xml"));

    let (_, shown) = setup.json(&["egs", "show", "pos-1"]);
    assert_eq!(shown["unit"]["next_icv"], 4);
    assert_eq!(shown["unit"]["last_hash"], issued[2]["invoice_hash"]);
    assert_eq!(shown["unit"]["queue"]["pending"], 3);

    let (code, summary) = setup.json(&["submit"]);
    assert_eq!(code, Some(0), "{summary}");
    assert_eq!((summary["sent"].as_u64(), summary["cleared"].as_u64()), (Some(3), Some(2)));
    assert_eq!(summary["reported"], 1);
    let counts = setup.counts();
    assert_eq!((counts["cleared"].as_u64(), counts["reported"].as_u64()), (Some(2), Some(1)));
    assert_eq!(counts["pending"], 0);
    // The platform accepted each document exactly once.
    let accepted = setup.gateway.acceptances();
    for document in &issued {
        assert_eq!(accepted[document["uuid"].as_str().unwrap()], 1, "{accepted:?}");
    }
    // A second pass has nothing to send.
    let (code, again) = setup.json(&["submit"]);
    assert_eq!((code, again["sent"].as_u64()), (Some(0), Some(0)));

    // Text forms.
    setup.cmd().args(["queue", "status"]).assert().success().stdout(predicate::str::contains("cleared"));
    setup.cmd().args(["egs", "list"]).assert().success().stdout(predicate::str::contains("pos-1"));
    setup
        .cmd()
        .args(["egs", "show", "pos-1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("reported 1"));

    // The audit log: onboarding (1 + 6 + 1 calls) and the three submissions, each exchange as
    // its request (before it left) and its answer; intact, nothing unanswered.
    let (code, verified) = setup.json(&["audit", "verify"]);
    assert_eq!(code, Some(0));
    assert_eq!(verified["intact"], true);
    assert_eq!(verified["rows"], 22);
    assert_eq!(verified["unanswered"], json!([]));
    assert_eq!(exchanges(&setup).len(), 11);
    let export = setup.path("audit.jsonl");
    let (code, exported) = setup.json(&["audit", "export", "--out", export.to_str().unwrap()]);
    assert_eq!((code, exported["rows"].as_u64()), (Some(0), Some(22)));
    let lines = std::fs::read_to_string(&export).unwrap();
    let calls: Vec<String> = lines
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["exchange"].clone())
        .filter(|e| e["phase"] == "answered")
        .map(|e| e["call"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(calls.iter().filter(|c| c.as_str() == "clearance").count(), 2, "{calls:?}");
    assert_eq!(calls.iter().filter(|c| c.as_str() == "reporting").count(), 1, "{calls:?}");
    // The OTP is redacted in the audit log.
    let first: Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(first["exchange"]["call"], "compliance_csid");
    let headers = first["exchange"]["request_headers"].as_array().unwrap();
    assert!(headers.contains(&json!(["OTP", "REDACTED"])), "{headers:?}");
    let authorizations: Vec<Value> = lines
        .lines()
        .flat_map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["exchange"]["request_headers"]
                .as_array()
                .unwrap()
                .clone()
        })
        .filter(|h| h[0] == "Authorization")
        .map(|h| h[1].clone())
        .collect();
    assert_eq!(
        authorizations.len(),
        20,
        "6 compliance samples, production CSID, 3 submissions: sent and answered"
    );
    assert!(authorizations.iter().all(|a| a == "REDACTED"), "{authorizations:?}");
    #[cfg(unix)]
    assert_eq!(common::mode(&export), 0o600);
    setup
        .cmd()
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains("intact: 22 rows"));
}

#[test]
fn an_outage_is_retried_by_the_next_submit() {
    let setup = Setup::new();
    // Onboarded by `qayd onboard`, then imported from its credentials file.
    let egs_dir = setup.path("egs-1");
    qayd()
        .args(["onboard", "--otp-env", "OTP_FOR_TEST", "--env", &setup.gateway.url, "--config"])
        .arg(setup.csr_config(1))
        .arg("--out")
        .arg(&egs_dir)
        .env("OTP_FOR_TEST", "123456")
        .assert()
        .success();
    // Credentials are refused for another environment.
    let output = setup
        .cmd()
        .args(["--json", "egs", "add", "pos-1", "--env", "simulation", "--credentials"])
        .arg(&egs_dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(json_of(&output)["error"]["code"], "ENVIRONMENT_MISMATCH");
    setup
        .cmd()
        .args(["egs", "add", "pos-1", "--credentials"])
        .arg(egs_dir.join("credentials.json"))
        .assert()
        .success();

    setup.gateway.inject(json!({"status": 503, "count": 1, "path": "/invoices/reporting/single"}));
    let invoice = setup.invoice("simplified_invoice", "simplified.json", |_| {});
    let output = setup
        .cmd()
        .args(["--json", "issue", "--egs", "pos-1", "--submit", "--out"])
        .arg(setup.path("out"))
        .arg(&invoice)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "try again later: {}", no_panic(&output));
    let document = json_of(&output)["documents"][0].clone();
    assert_eq!(document["status"], "retry_scheduled");
    assert!(document["last_error"].as_str().unwrap().contains("503"), "{document}");
    assert_eq!(setup.counts()["retry_scheduled"], 1);
    let (_, listed) = setup.json(&["queue", "list", "retry_scheduled"]);
    assert_eq!(listed["documents"][0]["attempts"], 1);
    assert!(listed["documents"][0]["next_attempt_at"].as_i64().is_some());

    // Not due yet: nothing is sent. Once due, the next pass sends the identical document.
    std::thread::sleep(Duration::from_millis(2200));
    let (code, summary) = setup.json(&["submit"]);
    assert_eq!(code, Some(0), "{summary}");
    assert_eq!(summary["reported"], 1);
    let counts = setup.counts();
    assert_eq!((counts["reported"].as_u64(), counts["retry_scheduled"].as_u64()), (Some(1), Some(0)));
    let uuid = document["uuid"].as_str().unwrap();
    let statuses: Vec<Value> =
        exchanges(&setup).into_iter().filter(|e| e["uuid"] == uuid).map(|e| e["status"].clone()).collect();
    assert_eq!(statuses, [json!(503), json!(200)]);
    let bodies: Vec<Value> = exchanges(&setup)
        .into_iter()
        .filter(|e| e["uuid"] == uuid)
        .map(|e| e["request_body"].clone())
        .collect();
    assert_eq!(bodies[0], bodies[1], "a resend is the identical request");
    assert_eq!(setup.gateway.acceptances()[uuid], 1);
}

#[test]
fn a_tampered_audit_row_fails_verify() {
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    setup.cmd().args(["audit", "verify"]).assert().success();
    {
        let raw = rusqlite::Connection::open(&setup.store).unwrap();
        // Append-only is enforced by triggers; someone with the file can still drop them.
        raw.execute_batch(
            "DROP TRIGGER audit_no_update;
             UPDATE audit SET content = replace(content, 'compliance', 'COMPLIANCE') WHERE seq = 2;",
        )
        .unwrap();
    }
    let output = setup.cmd().args(["--json", "audit", "verify"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let value = json_of(&output);
    assert_eq!(value["intact"], false);
    assert_eq!(value["broken_at"], 2);
    assert!(value["broken_reason"].as_str().unwrap().contains("edited"));
    setup
        .cmd()
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("BROKEN at row 2"));
}

// ---- dead letters, rejections, events, retry policy from the settings -----------------------

#[test]
fn dead_letters_rejections_requeue_and_events() {
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    // 413: resending the same bytes cannot help, so the document is dead at once.
    setup.gateway.inject(json!({"status": 413, "count": 1, "path": "/invoices/reporting/single"}));
    let first = setup.invoice("simplified_invoice", "first.json", |_| {});
    let output = setup
        .cmd()
        .args(["--json", "issue", "--egs", "pos-1", "--submit", "--out"])
        .arg(setup.path("out"))
        .arg(&first)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", no_panic(&output));
    assert_eq!(json_of(&output)["documents"][0]["status"], "dead");
    let (_, dead) = setup.json(&["queue", "dead"]);
    assert_eq!(dead["documents"].as_array().unwrap().len(), 1);
    assert!(dead["documents"][0]["last_error"].as_str().unwrap().contains("413"), "{dead}");
    setup.cmd().args(["queue", "dead"]).assert().success().stdout(predicate::str::contains("last error"));
    let output = setup.cmd().args(["--json", "events"]).output().unwrap();
    let kinds: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["dead_letter"]);

    // Only dead documents are requeued; the requeued one goes through on the next pass.
    setup.cmd().args(["queue", "retry", "pos-1", "1"]).assert().success();
    setup
        .cmd()
        .args(["queue", "retry", "pos-1", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not dead"));
    setup.cmd().args(["queue", "retry", "pos-1"]).assert().code(2);
    let (code, summary) = setup.json(&["submit"]);
    assert_eq!((code, summary["reported"].as_u64()), (Some(0), Some(1)), "{summary}");

    // A seller VAT number that is not the certificate's: ZATCA's messages are kept.
    let foreign = setup.invoice("simplified_invoice", "foreign.json", |v| {
        v["seller"]["vat_number"] = json!("311111111100003")
    });
    let output = setup
        .cmd()
        .args(["--json", "issue", "--egs", "pos-1", "--submit", "--out"])
        .arg(setup.path("out"))
        .arg(&foreign)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json_of(&output)["documents"][0]["status"], "rejected");
    let (_, rejected) = setup.json(&["queue", "list", "rejected", "--egs", "pos-1"]);
    assert!(
        rejected["documents"][0]["messages"].to_string().contains("certificate-permissions"),
        "{rejected}"
    );
    setup
        .cmd()
        .args(["queue", "list", "rejected"])
        .assert()
        .success()
        .stdout(predicate::str::contains("certificate-permissions"));
    // After the dead letter: the requeued document's report, then the rejection.
    let output = setup.cmd().args(["--json", "events", "--since", "1"]).output().unwrap();
    let kinds: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["document_reported", "document_rejected"]);
    // A rejected document stays in the chain: the next one is accepted after it.
    let next = setup.invoice("simplified_invoice", "next.json", |_| {});
    let output = setup
        .cmd()
        .args(["--json", "issue", "--egs", "pos-1", "--submit", "--out"])
        .arg(setup.path("out"))
        .arg(&next)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", no_panic(&output));

    // The retry policy from the settings file: one attempt, so a 503 makes a dead letter.
    let settings = setup.path("settings.json");
    std::fs::write(&settings, json!({"max_attempts": 1, "retry_base_ms": 100}).to_string()).unwrap();
    setup.gateway.inject(json!({"status": 503, "count": 1, "path": "/invoices/reporting/single"}));
    let last = setup.invoice("simplified_invoice", "last.json", |_| {});
    let output = setup
        .cmd()
        .args([
            "--json",
            "--settings",
            settings.to_str().unwrap(),
            "issue",
            "--egs",
            "pos-1",
            "--submit",
            "--out",
        ])
        .arg(setup.path("out"))
        .arg(&last)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json_of(&output)["documents"][0]["status"], "dead");
    setup
        .cmd()
        .args(["queue", "retry", "--all"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 document"));
    let (code, _) = setup.json(&["submit"]);
    assert_eq!(code, Some(0));
    assert_eq!(setup.counts()["dead"], 0);
}

// ---- B2B clearance ----------------------------------------------------------------------------

#[test]
fn clear_waits_for_clearance_or_answers_pending() {
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    let out = setup.path("out");
    let standard = setup.invoice("standard_invoice", "standard.json", |_| {});
    let output = setup
        .cmd()
        .args(["--json", "issue", "--egs", "pos-1", "--clear", "--out"])
        .arg(&out)
        .arg(&standard)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", no_panic(&output));
    let document = json_of(&output)["documents"][0].clone();
    assert_eq!(document["status"], "cleared");
    let cleared = std::fs::read(document["cleared_out"].as_str().unwrap()).unwrap();
    assert_eq!(qayd::invoice_hash(&cleared).unwrap(), document["invoice_hash"].as_str().unwrap());

    // Simplified documents are not cleared: refused before anything is issued.
    let simplified = setup.invoice("simplified_invoice", "simplified.json", |_| {});
    setup
        .cmd()
        .args(["issue", "--egs", "pos-1", "--clear"])
        .arg(&standard)
        .arg(&simplified)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--submit"));
    assert_eq!(setup.json(&["egs", "show", "pos-1"]).1["unit"]["next_icv"], 2);

    // ZATCA down: --clear answers pending (exit 3) after --wait; the queue keeps it.
    setup.gateway.inject(json!({"status": 503, "count": 100, "path": "/invoices/clearance/single"}));
    let second = setup.invoice("standard_invoice", "second.json", |_| {});
    let started = Instant::now();
    let output = setup
        .cmd()
        .args(["--json", "issue", "--egs", "pos-1", "--clear", "--wait", "1", "--out"])
        .arg(&out)
        .arg(&second)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", no_panic(&output));
    assert!(started.elapsed() < Duration::from_secs(8));
    let document = json_of(&output)["documents"][0].clone();
    assert_eq!(document["status"], "retry_scheduled");
    assert!(document.get("cleared_out").is_none());
    let output = setup.cmd().args(["--json", "events"]).output().unwrap();
    assert!(String::from_utf8(output.stdout).unwrap().contains("clearance_delayed"));
    setup.gateway.request("DELETE", "/__qayd/faults", "");
    std::thread::sleep(Duration::from_millis(2200));
    let (code, summary) = setup.json(&["submit"]);
    assert_eq!((code, summary["cleared"].as_u64()), (Some(0), Some(1)), "{summary}");
}

// ---- renewal and expiry -----------------------------------------------------------------------

#[test]
fn renew_replaces_the_stored_credentials_and_expiry_warns() {
    let setup = Setup::new();
    let added = setup.add_unit("pos-1", 1);
    let serial = added["added"]["certificate_serial"].as_str().unwrap().to_owned();
    // Queued before the renewal: sent first, under the CSID that signed it.
    let queued = setup.invoice("simplified_invoice", "before-renewal.json", |_| {});
    setup
        .cmd()
        .args(["--json", "issue", "--egs", "pos-1", "--out"])
        .arg(setup.path("out"))
        .arg(&queued)
        .assert()
        .success();
    // No --config: the store holds the CSR values `egs add` onboarded with.
    let output = setup
        .cmd()
        .env_remove("QAYD_CSR_CONFIG")
        .args(["--json", "egs", "renew", "pos-1", "--otp-file", "-"])
        .write_stdin("123456")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", no_panic(&output));
    let renewed = json_of(&output);
    let new_serial = renewed["renewed"]["certificate_serial"].as_str().unwrap().to_owned();
    assert_ne!(new_serial, serial);
    assert_eq!(renewed["renewal"]["sent_before_renewal"], 1, "{renewed}");
    assert_eq!(renewed["renewal"]["certificate_serial"].as_str(), Some(new_serial.as_str()));
    assert_eq!(renewed["renewal"]["not_after"], renewed["renewed"]["certificate_expiry"]);
    // The new credentials sign and authenticate; the chain continues.
    let invoice = setup.invoice("simplified_invoice", "after-renewal.json", |_| {});
    let output = setup
        .cmd()
        .args(["--json", "issue", "--egs", "pos-1", "--submit", "--out"])
        .arg(setup.path("out"))
        .arg(&invoice)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", no_panic(&output));
    let issued = json_of(&output);
    assert_eq!(issued["documents"][0]["icv"], 2, "{issued}");
    let xml = std::fs::read(issued["documents"][0]["out"].as_str().unwrap()).unwrap();
    assert!(
        String::from_utf8_lossy(&xml)
            .contains(&format!("<ds:X509SerialNumber>{new_serial}</ds:X509SerialNumber>"))
    );
    assert_eq!(setup.counts()["reported"], 2);
    // The renewal's exchanges are in the audit log; its event in the stream.
    assert!(exchanges(&setup).iter().any(|e| e["call"] == "renew_production_csid"));
    let events = setup.cmd().args(["--json", "events"]).output().unwrap();
    assert!(String::from_utf8_lossy(&events.stdout).contains("\"certificate_renewed\""));
    // --config still overrides the stored values (a unit added before they were kept needs it
    // once): here a store whose unit lost them.
    rusqlite::Connection::open(&setup.store)
        .unwrap()
        .execute("UPDATE credentials SET identity = NULL", [])
        .unwrap();
    setup
        .cmd()
        .env_remove("QAYD_CSR_CONFIG")
        .args(["egs", "renew", "pos-1", "--otp-file", "-"])
        .write_stdin("123456")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--config"));
    let output = setup
        .cmd()
        .args(["--json", "egs", "renew", "pos-1", "--otp-file", "-", "--config"])
        .arg(setup.csr_config(1))
        .write_stdin("123456")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", no_panic(&output));
    assert_ne!(json_of(&output)["renewed"]["certificate_serial"].as_str(), Some(new_serial.as_str()));
    let stored: Option<String> = rusqlite::Connection::open(&setup.store)
        .unwrap()
        .query_row("SELECT identity FROM credentials", [], |row| row.get(0))
        .unwrap();
    assert!(stored.is_some_and(|identity| identity.contains("1-Qayd|2-test|3-unit-1")), "stored again");

    // Expiry: the gateway's certificates run for two years.
    let (code, value) = setup.json(&["egs", "expiry"]);
    assert_eq!(code, Some(0));
    assert_eq!(value["units"][0]["state"], "ok");
    let (code, value) = setup.json(&["egs", "expiry", "--days", "1000"]);
    assert_eq!(code, Some(5));
    assert_eq!(value["units"][0]["state"], "expiring");
    setup
        .cmd()
        .args(["egs", "expiry", "--days", "1000"])
        .assert()
        .code(5)
        .stdout(predicate::str::contains("qayd egs renew"));
    // No OTP: refused before anything is sent.
    let before = exchanges(&setup).len();
    setup.cmd().args(["egs", "renew", "pos-1"]).assert().code(2).stderr(predicate::str::contains("OTP"));
    assert_eq!(exchanges(&setup).len(), before);
}

// ---- the worker ---------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn submit_watch_sends_until_ctrl_c() {
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    let a = setup.invoice("standard_invoice", "w/a.json", |_| {});
    let b = setup.invoice("simplified_invoice", "w/b.json", |_| {});
    setup
        .cmd()
        .args(["issue", "--egs", "pos-1", "--out"])
        .arg(setup.path("out"))
        .arg(&a)
        .arg(&b)
        .assert()
        .success();
    let mut watcher = std::process::Command::new(assert_cmd::cargo::cargo_bin("qayd"))
        .args(["submit", "--watch"])
        .env("QAYD_STORE", &setup.store)
        .env("QAYD_MASTER_KEY_FILE", &setup.key_file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let counts = setup.counts();
        if counts["cleared"] == 1 && counts["reported"] == 1 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{counts}");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A document issued while the worker runs is sent too.
    let c = setup.invoice("simplified_invoice", "w/c.json", |_| {});
    setup.cmd().args(["issue", "--egs", "pos-1", "--out"]).arg(setup.path("out")).arg(&c).assert().success();
    loop {
        if setup.counts()["reported"] == 2 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(100));
    }
    let pid = watcher.id().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let stopped = Instant::now();
    loop {
        if let Some(status) = watcher.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(stopped.elapsed() < Duration::from_secs(10), "still running after SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn units_in_two_environments_are_each_sent_to_their_own() {
    let setup = Setup::new();
    let other = GatewayProcess::start();
    setup.add_unit("pos-a", 1);
    setup
        .cmd()
        .args(["egs", "add", "pos-b", "--otp-file", "-", "--env", &other.url, "--config"])
        .arg(setup.csr_config(2))
        .write_stdin("123456")
        .assert()
        .success();
    for (unit, name) in [("pos-a", "a.json"), ("pos-b", "b.json")] {
        let invoice = setup.invoice("simplified_invoice", name, |_| {});
        setup
            .cmd()
            .args(["issue", "--egs", unit, "--out"])
            .arg(setup.path("out"))
            .arg(&invoice)
            .assert()
            .success();
    }
    let (code, summary) = setup.json(&["submit"]);
    assert_eq!((code, summary["reported"].as_u64()), (Some(0), Some(2)), "{summary}");
    assert_eq!(setup.gateway.acceptances().len(), 1);
    assert_eq!(other.acceptances().len(), 1);

    // The worker runs one engine per environment: new documents of both units are sent.
    #[cfg(unix)]
    {
        for (unit, name) in [("pos-a", "a2.json"), ("pos-b", "b2.json")] {
            let invoice = setup.invoice("simplified_invoice", name, |_| {});
            setup
                .cmd()
                .args(["issue", "--egs", unit, "--out"])
                .arg(setup.path("out"))
                .arg(&invoice)
                .assert()
                .success();
        }
        let mut watcher = std::process::Command::new(assert_cmd::cargo::cargo_bin("qayd"))
            .args(["submit", "--watch"])
            .env("QAYD_STORE", &setup.store)
            .env("QAYD_MASTER_KEY_FILE", &setup.key_file)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while setup.counts()["reported"] != 4 {
            assert!(started.elapsed() < Duration::from_secs(20), "{}", setup.counts());
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!((setup.gateway.acceptances().len(), other.acceptances().len()), (2, 2));
        let pid = watcher.id().to_string();
        assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
        assert!(watcher.wait().unwrap().success());
    }
}

// ---- bad input ----------------------------------------------------------------------------------

fn failure(output: std::process::Output) -> (Option<i32>, Value) {
    no_panic(&output);
    (output.status.code(), json_of(&output)["error"].clone())
}

#[test]
fn only_an_explicit_create_makes_a_store() {
    let setup = Setup::new();
    let empty = setup.path("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let text = setup.path("notes.db");
    std::fs::write(&text, "not a database at all, just some text").unwrap();
    let foreign = setup.path("foreign.db");
    rusqlite::Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    let missing = setup.path("missing.db");
    let sizes = |paths: &[&PathBuf]| {
        paths.iter().map(|p| std::fs::metadata(p).map(|m| m.len()).ok()).collect::<Vec<_>>()
    };
    let before = sizes(&[&empty, &text, &foreign, &missing]);
    for path in [&empty, &text, &foreign, &missing] {
        for args in
            [&["egs", "list"][..], &["audit", "verify"], &["queue", "status"], &["events"], &["submit"]]
        {
            let output = setup.cmd().arg("--json").args(args).arg("--store").arg(path).output().unwrap();
            let (code, error) = failure(output);
            assert_eq!(
                (code, error["code"].as_str()),
                (Some(4), Some("STORAGE")),
                "{args:?} {path:?}: {error}"
            );
            let message = error["message"].as_str().unwrap();
            assert!(message.contains("store init"), "{message}");
        }
    }
    assert_eq!(sizes(&[&empty, &text, &foreign, &missing]), before, "nothing was created or written");
    // `store init` creates one (and refuses to take over another application's database).
    let (code, error) =
        failure(setup.cmd().args(["--json", "store", "init", "--store"]).arg(&foreign).output().unwrap());
    assert_eq!((code, error["code"].as_str()), (Some(4), Some("STORAGE")), "{error}");
    let output = setup.cmd().args(["--json", "store", "init", "--store"]).arg(&missing).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", no_panic(&output));
    assert_eq!(json_of(&output)["created"], true);
    let output = setup.cmd().args(["--json", "store", "init", "--store"]).arg(&missing).output().unwrap();
    assert_eq!(json_of(&output)["created"], false);
    let output = setup.cmd().args(["--json", "audit", "verify", "--store"]).arg(&missing).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", no_panic(&output));
    assert_eq!(json_of(&output)["rows"], 0);
}

#[test]
fn bad_input_missing_store_wrong_key_unknown_unit() {
    let setup = Setup::new();
    // No store configured; a store that does not exist (and is not created); not a database.
    qayd().args(["egs", "list"]).assert().code(2).stderr(predicate::str::contains("--store"));
    let missing = setup.path("missing.db");
    let (code, error) =
        failure(qayd().args(["--json", "queue", "status", "--store"]).arg(&missing).output().unwrap());
    assert_eq!((code, error["code"].as_str()), (Some(4), Some("STORAGE")));
    assert!(!missing.exists());
    let garbage = setup.path("garbage.db");
    std::fs::write(&garbage, "this is not a database, just text long enough to be a header").unwrap();
    let (code, error) =
        failure(qayd().args(["--json", "audit", "verify", "--store"]).arg(&garbage).output().unwrap());
    assert_eq!((code, error["code"].as_str()), (Some(4), Some("STORAGE")), "{error}");

    setup.add_unit("pos-1", 1);
    let invoice = setup.invoice("simplified_invoice", "ok.json", |_| {});
    let issue = |command: &mut Command| {
        command
            .args(["--json", "issue", "--egs", "pos-1", "--out"])
            .arg(setup.path("out"))
            .arg(&invoice)
            .output()
            .unwrap()
    };
    // No master key; a wrong one (from the variable); a key file that is not one.
    let (code, error) = failure(issue(qayd().env("QAYD_STORE", &setup.store)));
    assert_eq!((code, error["code"].as_str()), (Some(4), Some("SECRET")));
    assert!(error["message"].as_str().unwrap().contains("QAYD_MASTER_KEY"));
    let other_key = qayd::secrets::MasterKey::generate().unwrap().to_base64();
    let (code, error) =
        failure(issue(qayd().env("QAYD_STORE", &setup.store).env("QAYD_MASTER_KEY", &other_key)));
    assert_eq!((code, error["code"].as_str()), (Some(4), Some("SECRET")));
    assert!(error["message"].as_str().unwrap().contains("configured key"), "{error}");
    assert!(!error["message"].as_str().unwrap().contains(&other_key));
    let bad_key_file = setup.path("bad.key");
    std::fs::write(&bad_key_file, "c2hvcnQ=").unwrap();
    let (code, error) =
        failure(issue(qayd().env("QAYD_STORE", &setup.store).env("QAYD_MASTER_KEY_FILE", &bad_key_file)));
    assert_eq!((code, error["code"].as_str()), (Some(4), Some("SECRET")));
    // Adding a unit under another key would mix keys in one store: refused before onboarding.
    let (code, error) = failure(
        qayd()
            .env("QAYD_STORE", &setup.store)
            .env("QAYD_MASTER_KEY", &other_key)
            .args([
                "--json",
                "egs",
                "add",
                "pos-2",
                "--otp-file",
                "-",
                "--env",
                &setup.gateway.url,
                "--config",
            ])
            .arg(setup.csr_config(2))
            .write_stdin("123456")
            .output()
            .unwrap(),
    );
    assert_eq!((code, error["code"].as_str()), (Some(4), Some("SECRET")), "{error}");
    assert!(error["message"].as_str().unwrap().contains("another master key"));
    assert_eq!(setup.json(&["egs", "list"]).1["units"].as_array().unwrap().len(), 1);
    setup
        .cmd()
        .args(["egs", "add", "pos-2", "--credentials", "/nonexistent/credentials.json"])
        .assert()
        .code(2);
    // Nothing was issued by any of these.
    assert_eq!(setup.json(&["egs", "show", "pos-1"]).1["unit"]["next_icv"], 1);

    // Unknown unit.
    let output = setup
        .cmd()
        .args(["issue", "--egs", "nope", "--out"])
        .arg(setup.path("out"))
        .arg(&invoice)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(no_panic(&output).contains("unknown EGS unit 'nope'"));
    setup
        .cmd()
        .args(["egs", "show", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown EGS unit"));
    setup.cmd().args(["egs", "renew", "nope", "--otp-file", "-"]).write_stdin("123456").assert().code(2);

    // Bad invoice JSON: the file is named, and a batch with one bad file issues nothing.
    let broken = setup.path("broken.json");
    std::fs::write(&broken, r#"{"kind": 3}"#).unwrap();
    let (code, error) =
        failure(setup.cmd().args(["--json", "issue", "--egs", "pos-1"]).arg(&broken).output().unwrap());
    assert_eq!(code, Some(2));
    assert!(error["message"].as_str().unwrap().contains("broken.json"), "{error}");
    let wrong_totals = setup
        .invoice("standard_invoice", "wrong-totals.json", |v| v["totals"]["payable_amount"] = json!("1.00"));
    let output = setup
        .cmd()
        .args(["issue", "--egs", "pos-1", "--out"])
        .arg(setup.path("out"))
        .arg(&invoice)
        .arg(&wrong_totals)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(no_panic(&output).contains("wrong-totals.json"));
    assert_eq!(setup.json(&["egs", "show", "pos-1"]).1["unit"]["next_icv"], 1);
    let future =
        setup.invoice("simplified_invoice", "future.json", |v| v["issue_date"] = json!("2099-01-01"));
    let output = setup
        .cmd()
        .args(["issue", "--egs", "pos-1", "--out"])
        .arg(setup.path("out"))
        .arg(&invoice)
        .arg(&future)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = no_panic(&output);
    assert!(stderr.contains("future.json") && stderr.contains("BR-KSA-04"), "{stderr}");
    assert_eq!(setup.json(&["egs", "show", "pos-1"]).1["unit"]["next_icv"], 1);
    setup.cmd().args(["issue", "--egs", "pos-1", "/nonexistent/invoice.json"]).assert().code(2);
    setup
        .cmd()
        .args(["issue", "--egs", "pos-1"])
        .arg(setup.path("out-empty-dir-does-not-exist"))
        .assert()
        .code(2);

    // The same UUID twice.
    setup
        .cmd()
        .args(["issue", "--egs", "pos-1", "--out"])
        .arg(setup.path("out"))
        .arg(&invoice)
        .assert()
        .success();
    setup
        .cmd()
        .args(["issue", "--egs", "pos-1", "--out"])
        .arg(setup.path("out"))
        .arg(&invoice)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already issued"));
    assert_eq!(setup.json(&["egs", "show", "pos-1"]).1["unit"]["next_icv"], 2);

    // Queue and unit commands with bad arguments.
    setup
        .cmd()
        .args(["queue", "list", "lost"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown status"));
    setup
        .cmd()
        .args(["queue", "retry", "pos-1", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not dead"));
    setup
        .cmd()
        .args(["queue", "retry", "pos-1", "99"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not issued"));
    setup
        .cmd()
        .args(["egs", "add", "pos-1", "--otp-file", "-"])
        .write_stdin("123456")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already has credentials"));
    setup
        .cmd()
        .args(["egs", "add", "bad id", "--credentials", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("EGS id"));
    setup.cmd().args(["egs", "expiry", "--days", "-1"]).assert().code(2);
    setup.cmd().args(["issue", "--egs", "pos-1", "--submit", "--clear"]).arg(&invoice).assert().code(2);
}

#[test]
fn the_master_key_is_never_a_command_line_value_and_never_printed() {
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    qayd().args(["egs", "list", "--master-key", "abc"]).assert().code(2);
    let key = std::fs::read_to_string(&setup.key_file).unwrap();
    for args in [&["egs", "list"][..], &["egs", "show", "pos-1"], &["audit", "export"], &["queue", "status"]]
    {
        for json_flag in [true, false] {
            let mut command = setup.cmd();
            if json_flag {
                command.arg("--json");
            }
            let output = command.args(args).output().unwrap();
            assert!(output.status.success());
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(!text.contains(key.trim()) && !text.contains("PRIVATE KEY"), "{args:?}");
        }
    }
}

#[test]
fn master_key_file_is_made_once_and_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("k");
    let output = qayd().args(["--json", "master-key"]).arg(&file).output().unwrap();
    assert!(output.status.success());
    let id = json_of(&output)["key_id"].as_str().unwrap().to_owned();
    let key = qayd::secrets::MasterKey::from_base64(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(id, key.id().iter().map(|b| format!("{b:02x}")).collect::<String>());
    assert!(!String::from_utf8_lossy(&output.stdout).contains(&key.to_base64()));
    #[cfg(unix)]
    assert_eq!(common::mode(&file), 0o600);
    qayd().arg("master-key").arg(&file).assert().code(2).stderr(predicate::str::contains("never replaced"));
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), key.to_base64());
    // A named key file that does not exist: a clear error that says how to make one.
    qayd()
        .args(["egs", "add", "pos-1", "--credentials", "x", "--store"])
        .arg(dir.path().join("s.db"))
        .arg("--master-key-file")
        .arg(dir.path().join("nope.key"))
        .assert()
        .code(4)
        .stderr(predicate::str::contains("qayd master-key"));
}

#[cfg(unix)]
#[test]
fn events_follow_prints_new_events_until_ctrl_c() {
    use std::io::{BufRead, BufReader};
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    let mut follower = std::process::Command::new(assert_cmd::cargo::cargo_bin("qayd"))
        .args(["--json", "events", "--follow"])
        .env("QAYD_STORE", &setup.store)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let foreign = setup.invoice("simplified_invoice", "foreign.json", |v| {
        v["seller"]["vat_number"] = json!("311111111100003")
    });
    setup
        .cmd()
        .args(["issue", "--egs", "pos-1", "--submit", "--out"])
        .arg(setup.path("out"))
        .arg(&foreign)
        .assert()
        .code(1);
    let mut line = String::new();
    BufReader::new(follower.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let event: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        (event["kind"].as_str(), event["egs_id"].as_str(), event["icv"].as_u64()),
        (Some("document_rejected"), Some("pos-1"), Some(1))
    );
    let pid = follower.id().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let started = Instant::now();
    loop {
        if let Some(status) = follower.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still following after SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_unauthorized_unit_stops_until_resumed() {
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    setup.gateway.inject(json!({"status": 401, "count": 1, "path": "/invoices/reporting/single"}));
    let invoice = setup.invoice("simplified_invoice", "s.json", |_| {});
    let output = setup
        .cmd()
        .args(["--json", "issue", "--egs", "pos-1", "--submit", "--out"])
        .arg(setup.path("out"))
        .arg(&invoice)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", no_panic(&output));
    let value = json_of(&output);
    assert!(value["stopped"].as_str().unwrap().contains("401"), "{value}");
    let (_, shown) = setup.json(&["egs", "show", "pos-1"]);
    assert!(shown["unit"]["stopped"].as_str().unwrap().contains("401"));
    // Stopped: nothing is sent, exit 1.
    let (code, summary) = setup.json(&["submit"]);
    assert_eq!((code, summary["sent"].as_u64()), (Some(1), Some(0)), "{summary}");
    assert_eq!(summary["stopped_units"], json!(["pos-1"]));
    setup
        .cmd()
        .args(["egs", "resume", "pos-1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("resumed"));
    setup
        .cmd()
        .args(["egs", "resume", "pos-1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("was not stopped"));
    setup.cmd().args(["egs", "resume", "nope"]).assert().code(2);
    let (code, summary) = setup.json(&["submit"]);
    assert_eq!((code, summary["reported"].as_u64()), (Some(0), Some(1)), "{summary}");
    assert_eq!(setup.json(&["egs", "show", "pos-1"]).1["unit"]["stopped"], Value::Null);
}

/// `qayd submit` killed (SIGKILL) while the platform holds its request: the audit log still has
/// the request — "sent, outcome unknown" — and holds exactly as many requests as the platform
/// received (before the split it had one fewer: the one in flight).
#[test]
fn a_request_cut_off_by_a_kill_is_in_the_audit_log() {
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    let invoice = setup.invoice("simplified_invoice", "one.json", |_| {});
    let (code, issued) = setup.json(&[
        "issue",
        "--egs",
        "pos-1",
        "--out",
        setup.path("out").to_str().unwrap(),
        invoice.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{issued}");
    let uuid = issued["documents"][0]["uuid"].as_str().unwrap().to_owned();
    // The platform takes the report, then holds the answer for a minute.
    setup.gateway.inject(json!({
        "after_processing": true, "delay_ms": 60_000, "path": "/invoices/reporting/single"
    }));
    let mut submit = std::process::Command::new(assert_cmd::cargo::cargo_bin("qayd"))
        .arg("submit")
        .env("QAYD_STORE", &setup.store)
        .env("QAYD_MASTER_KEY_FILE", &setup.key_file)
        .env_remove("QAYD_SETTINGS")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !setup.gateway.acceptances().contains_key(&uuid) {
        assert!(started.elapsed() < Duration::from_secs(20), "the report never arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    submit.kill().unwrap();
    submit.wait().unwrap();
    let killed = Instant::now();

    let (code, verified) = setup.json(&["audit", "verify"]);
    assert_eq!((code, verified["intact"].clone()), (Some(0), json!(true)), "{verified}");
    let unanswered = verified["unanswered"].as_array().unwrap().clone();
    assert_eq!(unanswered.len(), 1, "{verified}");
    let rows = audit_rows(&setup);
    let last = rows.last().unwrap();
    assert_eq!((last["phase"].as_str(), last["outcome"].as_str()), (Some("sent"), Some("unknown")), "{last}");
    assert_eq!((last["call"].as_str(), last["uuid"].as_str()), (Some("reporting"), Some(uuid.as_str())));
    assert!(last["request_body"].as_str().unwrap().contains(&uuid));
    assert!(last["status"].is_null());
    // Every request the platform received is in the log (onboarding included): those it
    // answered and the one it still holds (listed with no status once the gateway sees the
    // client gone, which may take a moment).
    let (_, answered) = setup.gateway.get("/__qayd/requests");
    let answered = serde_json::from_str::<Value>(&answered)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["status"].is_null())
        .count();
    let sent = rows.iter().filter(|r| r["phase"] == "sent").count();
    assert_eq!(sent, answered + 1);
    assert_eq!(rows.iter().filter(|r| r["phase"] == "answered").count(), answered);
    let text = setup.cmd().args(["audit", "verify"]).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("outcome unknown"));

    // A new `submit` (cron's next run) resends it as soon as the killed sender's lease has run
    // out — within 8 s, the default lease — and the platform's duplicate answer settles it.
    loop {
        let (_, summary) = setup.json(&["submit"]);
        if summary["reported"] == 1 {
            break;
        }
        assert_eq!(summary["sent"], 0, "{summary}");
        assert!(
            killed.elapsed() < Duration::from_secs(12),
            "not resent {:?} after the kill",
            killed.elapsed()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(killed.elapsed() < Duration::from_secs(11), "resent {:?} after the kill", killed.elapsed());
    assert_eq!(setup.gateway.acceptances()[&uuid], 1, "accepted once");
    let (_, verified) = setup.json(&["audit", "verify"]);
    assert_eq!(verified["unanswered"].as_array().unwrap().len(), 1, "the cut-off request stays unanswered");
}

/// A document larger than the platform takes (`max_submission_bytes`) is refused by `issue`
/// with exit 2 before it takes an ICV; the next one takes ICV 1.
#[test]
fn a_document_too_large_to_submit_takes_no_icv() {
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    let settings = setup.path("small.json");
    std::fs::write(&settings, r#"{"max_submission_bytes": 4000}"#).unwrap();
    let big = setup.invoice("simplified_invoice", "big.json", |_| {});
    let output = setup
        .cmd()
        .arg("--settings")
        .arg(&settings)
        .args(["--json", "issue", "--egs", "pos-1", "--out"])
        .arg(setup.path("out"))
        .arg(&big)
        .output()
        .unwrap();
    let (code, error) = failure(output);
    assert_eq!(code, Some(2), "{error}");
    assert!(error["message"].as_str().unwrap().contains("too large"), "{error}");
    assert_eq!(setup.json(&["egs", "show", "pos-1"]).1["unit"]["next_icv"], 1);
    let (code, issued) = setup.json(&[
        "issue",
        "--egs",
        "pos-1",
        "--out",
        setup.path("out").to_str().unwrap(),
        big.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{issued}");
    assert_eq!(issued["documents"][0]["icv"], 1);
}

/// `documents list|show|export` hand back what the store holds — the stamped XML, the cleared
/// XML, the QR code and the state — chosen by unit, ICV, UUID, status or day; `issue` has
/// written each document's file already.
#[test]
fn documents_are_handed_back_by_unit_icv_uuid_status_and_day() {
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    setup.add_unit("pos-2", 2);
    let b2b = setup.invoice("standard_invoice", "b2b.json", |_| {});
    let b2c = setup.invoice("simplified_invoice", "b2c.json", |_| {});
    let out = setup.path("issued");
    let (code, cleared) = setup.json(&[
        "issue",
        "--egs",
        "pos-1",
        "--clear",
        "--out",
        out.to_str().unwrap(),
        b2b.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{cleared}");
    let (code, issued) =
        setup.json(&["issue", "--egs", "pos-2", "--out", out.to_str().unwrap(), b2c.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{issued}");
    let b2b_uuid = cleared["documents"][0]["uuid"].as_str().unwrap().to_owned();
    let b2c_uuid = issued["documents"][0]["uuid"].as_str().unwrap().to_owned();

    let (code, listed) = setup.json(&["documents", "list"]);
    assert_eq!(code, Some(0));
    let uuids: Vec<&str> =
        listed["documents"].as_array().unwrap().iter().map(|d| d["uuid"].as_str().unwrap()).collect();
    assert_eq!(uuids, [b2b_uuid.as_str(), b2c_uuid.as_str()]);
    let (_, listed) = setup.json(&["documents", "list", "--status", "pending"]);
    assert_eq!(listed["documents"].as_array().unwrap().len(), 1);
    assert_eq!(listed["documents"][0]["egs_id"], "pos-2");
    let (_, listed) = setup.json(&["documents", "list", "--egs", "pos-1", "--icv", "1"]);
    assert_eq!(listed["documents"][0]["status"], "cleared");
    let (_, listed) = setup.json(&["documents", "list", "--to", "2000-01-01"]);
    assert_eq!(listed["documents"].as_array().unwrap().len(), 0);
    let today = qayd::clock::riyadh_date_time(time::OffsetDateTime::now_utc().unix_timestamp()).0;
    let issue_day = qayd::clock::riyadh_date_time(listed_issued_at(&setup, &b2c_uuid)).0;
    let (_, listed) = setup.json(&["documents", "list", "--from", &issue_day, "--to", &today]);
    assert_eq!(listed["documents"].as_array().unwrap().len(), 2);

    let (code, shown) = setup.json(&["documents", "show", "--uuid", &b2b_uuid]);
    assert_eq!(code, Some(0));
    assert_eq!((shown["document"]["icv"].as_u64(), shown["cleared"].as_bool()), (Some(1), Some(true)));
    assert!(shown["qr"].as_str().is_some());

    let export = setup.path("export");
    let (code, summary) = setup.json(&["documents", "export", "--out", export.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{summary}");
    // Standard: xml, cleared, png, svg, json; simplified: all but cleared.
    assert_eq!((summary["documents"].as_u64(), summary["files"].as_u64()), (Some(2), Some(9)));
    let stamped = std::fs::read(export.join(format!("000001-{b2b_uuid}.xml"))).unwrap();
    assert_eq!(
        stamped,
        std::fs::read(cleared["documents"][0]["out"].as_str().unwrap()).unwrap(),
        "what issue wrote"
    );
    let cleared_xml = std::fs::read(export.join(format!("000001-{b2b_uuid}.cleared.xml"))).unwrap();
    assert_ne!(cleared_xml, stamped);
    assert_eq!(
        qayd::invoice_hash(&cleared_xml).unwrap(),
        cleared["documents"][0]["invoice_hash"].as_str().unwrap()
    );
    assert!(std::fs::read(export.join(format!("000001-{b2c_uuid}.qr.png"))).unwrap().starts_with(b"\x89PNG"));
    assert!(
        std::fs::read_to_string(export.join(format!("000001-{b2c_uuid}.qr.svg"))).unwrap().contains("<svg")
    );
    assert!(!export.join(format!("000001-{b2c_uuid}.cleared.xml")).exists());
    let only_png = setup.path("png");
    let (_, summary) = setup.json(&[
        "documents",
        "export",
        "--png",
        "--uuid",
        &b2c_uuid,
        "--out",
        only_png.to_str().unwrap(),
    ]);
    assert_eq!(summary["files"], 1);

    // Bad selections are usage errors.
    for args in [
        &["documents", "list", "--status", "lost"][..],
        &["documents", "list", "--from", "yesterday"],
        &["documents", "list", "--egs", "nope"],
        &["documents", "show"],
        &["documents", "show", "--uuid", "00000000-0000-0000-0000-000000000000"],
    ] {
        let (code, error) = failure(setup.cmd().arg("--json").args(args).output().unwrap());
        assert_eq!(code, Some(2), "{args:?}: {error}");
    }
}

fn listed_issued_at(setup: &Setup, uuid: &str) -> i64 {
    let (_, shown) = setup.json(&["documents", "show", "--uuid", uuid]);
    shown["document"]["issued_at"].as_i64().unwrap()
}

/// A plain HTTP/1.1 GET; (status code, body).
fn http_get(address: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

/// The value of one sample (`name{labels} value`) in a Prometheus exposition.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

/// `submit --watch --metrics ADDR`: Prometheus metrics and a health check while the worker runs.
#[test]
fn submit_watch_serves_metrics_and_health() {
    use std::io::BufRead;
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    let mut watcher = std::process::Command::new(assert_cmd::cargo::cargo_bin("qayd"))
        .args(["--json", "submit", "--watch", "--metrics", "127.0.0.1:0"])
        .env("QAYD_STORE", &setup.store)
        .env("QAYD_MASTER_KEY_FILE", &setup.key_file)
        .env_remove("QAYD_SETTINGS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(watcher.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let announced: Value = serde_json::from_str(&line).unwrap();
    let metrics_url = announced["metrics"].as_str().unwrap().to_owned();
    let address = metrics_url.trim_start_matches("http://").trim_end_matches("/metrics").to_owned();

    // One document reported; the next one meets an outage and waits for its retry.
    let a = setup.invoice("simplified_invoice", "m/a.json", |_| {});
    setup.cmd().args(["issue", "--egs", "pos-1", "--out"]).arg(setup.path("out")).arg(&a).assert().success();
    // Generous limits: a liveness wait, on a machine that may be busy.
    let started = Instant::now();
    loop {
        let counts = setup.counts();
        if counts["reported"] == 1 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{counts}");
        std::thread::sleep(Duration::from_millis(100));
    }
    setup.gateway.inject(json!({"status": 503, "count": 50}));
    let b = setup.invoice("simplified_invoice", "m/b.json", |_| {});
    setup.cmd().args(["issue", "--egs", "pos-1", "--out"]).arg(setup.path("out")).arg(&b).assert().success();
    let text = loop {
        let (status, text) = http_get(&address, "/metrics");
        assert_eq!(status, 200);
        if sample(&text, "qayd_worker_retries_total").is_some_and(|n| n >= 1.0) {
            break text;
        }
        assert!(started.elapsed() < Duration::from_secs(90), "{text}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(sample(&text, "qayd_store_up"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "qayd_documents{status=\"reported\"}"), Some(1.0), "{text}");
    assert_eq!(
        sample(&text, "qayd_open_documents{egs_id=\"pos-1\",status=\"retry_scheduled\"}"),
        Some(1.0),
        "{text}"
    );
    let margin = sample(&text, "qayd_b2c_deadline_margin_seconds{egs_id=\"pos-1\"}").unwrap();
    assert!(margin > 0.0 && margin <= 86_400.0, "{margin}");
    assert!(sample(&text, "qayd_oldest_open_document_age_seconds{egs_id=\"pos-1\"}").is_some(), "{text}");
    assert!(sample(&text, "qayd_certificate_days_left{egs_id=\"pos-1\"}").unwrap() > 30.0, "{text}");
    assert!(sample(&text, "qayd_worker_requests_total").unwrap() >= 2.0, "{text}");
    assert!(sample(&text, "qayd_worker_accepted_total").unwrap() >= 1.0, "{text}");
    assert!(sample(&text, "qayd_worker_passes_total").unwrap() >= 1.0, "{text}");
    assert!(text.contains("# TYPE qayd_worker_requests counter") && text.ends_with("# EOF\n"), "{text}");
    let (status, health) = http_get(&address, "/health");
    assert_eq!(status, 200, "{health}");
    let health: Value = serde_json::from_str(&health).unwrap();
    assert_eq!((health["status"].as_str(), health["store"]["up"].as_bool()), (Some("ok"), Some(true)));
    assert!(health["worker"]["passes"].as_u64().unwrap() >= 1);
    assert_eq!(http_get(&address, "/nope").0, 404);

    let pid = watcher.id().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let stopping = Instant::now();
    loop {
        if let Some(status) = watcher.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(stopping.elapsed() < Duration::from_secs(10), "still running after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    }
    // A bad address is a usage error.
    setup.cmd().args(["submit", "--watch", "--metrics", "not-an-address"]).assert().code(2);
    setup.cmd().args(["submit", "--metrics", "127.0.0.1:0"]).assert().code(2);
}

/// `submit --deliver DIR`: each document lands in the folder the moment it is accepted — ZATCA's
/// cleared XML for B2B, the stamped XML for B2C — whole (no partial file left behind).
#[test]
fn submit_delivers_accepted_documents_to_a_folder() {
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    let b2b = setup.invoice("standard_invoice", "d/a.json", |_| {});
    let b2c = setup.invoice("simplified_invoice", "d/b.json", |_| {});
    let (code, issued) = setup.json(&[
        "issue",
        "--egs",
        "pos-1",
        "--out",
        setup.path("out").to_str().unwrap(),
        b2b.to_str().unwrap(),
        b2c.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{issued}");
    let delivery = setup.path("pickup");
    let (code, summary) = setup.json(&["submit", "--deliver", delivery.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{summary}");
    assert_eq!((summary["cleared"].as_u64(), summary["reported"].as_u64()), (Some(1), Some(1)));
    let mut names: Vec<String> = std::fs::read_dir(&delivery)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let documents = issued["documents"].as_array().unwrap();
    let expected: Vec<String> = documents
        .iter()
        .map(|d| format!("{:06}-{}.xml", d["icv"].as_u64().unwrap(), d["uuid"].as_str().unwrap()))
        .collect();
    assert_eq!(names, expected, "only whole files, one per accepted document");
    let stamped = |n: usize| std::fs::read(documents[n]["out"].as_str().unwrap()).unwrap();
    let delivered = |n: usize| std::fs::read(delivery.join(&expected[n])).unwrap();
    assert_ne!(delivered(0), stamped(0), "B2B: ZATCA's cleared document");
    assert_eq!(qayd::invoice_hash(&delivered(0)).unwrap(), documents[0]["invoice_hash"].as_str().unwrap());
    assert_eq!(delivered(1), stamped(1), "B2C: the stamped document");
}

/// `submit --deliver DIR --deliver-pdf`: beside each delivered document its PDF/A-3 — the same
/// bytes `qayd::pdf::render` makes of the delivered XML (rendering is deterministic), which it
/// embeds.
#[test]
fn submit_delivers_a_pdf_beside_each_document() {
    let setup = Setup::new();
    setup.add_unit("pos-1", 1);
    let b2b = setup.invoice("standard_invoice", "d/a.json", |_| {});
    let b2c = setup.invoice("simplified_invoice", "d/b.json", |_| {});
    // Issued files go to a folder of the test, never the working directory.
    let out = setup.path("out");
    let (code, issued) = setup.json(&[
        "issue",
        "--egs",
        "pos-1",
        "--out",
        out.to_str().unwrap(),
        b2b.to_str().unwrap(),
        b2c.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{issued}");
    let delivery = setup.path("pickup");
    let (code, summary) = setup.json(&["submit", "--deliver", delivery.to_str().unwrap(), "--deliver-pdf"]);
    assert_eq!(code, Some(0), "{summary}");
    for document in issued["documents"].as_array().unwrap() {
        let stem = format!("{:06}-{}", document["icv"].as_u64().unwrap(), document["uuid"].as_str().unwrap());
        let xml = std::fs::read(delivery.join(format!("{stem}.xml"))).unwrap();
        let pdf = std::fs::read(delivery.join(format!("{stem}.pdf"))).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{stem}");
        assert_eq!(
            pdf,
            qayd::pdf::render(&xml, &Default::default()).unwrap(),
            "{stem}: the PDF of the delivered XML"
        );
    }
    let names = std::fs::read_dir(&delivery).unwrap().count();
    assert_eq!(names, 4, "an XML and a PDF per document, no partial files");
}
