//! Every subcommand, its output and its exit codes, run as a user would.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}
fn sample() -> PathBuf {
    repo().join("tests/vectors/sdk-R3.4.8/Data/Samples/Simplified/Invoice/Simplified_Invoice.xml")
}
fn unsigned() -> PathBuf {
    repo().join("tests/conformance/inputs/simplified-invoice.unsigned.xml")
}
fn cert() -> PathBuf {
    repo().join("tests/vectors/sdk-R3.4.8/Data/Certificates/cert.pem")
}
fn key() -> PathBuf {
    repo().join("tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem")
}
fn qayd() -> Command {
    Command::cargo_bin("qayd").unwrap()
}

#[test]
fn hash_prints_the_sample_digest() {
    let xml = std::fs::read_to_string(sample()).unwrap();
    let digest = xml.split("<ds:DigestValue>").nth(1).unwrap().split('<').next().unwrap().to_owned();
    qayd().arg("hash").arg(sample()).assert().success().stdout(format!("{digest}\n"));
    qayd()
        .args(["hash", "-"])
        .write_stdin(xml)
        .assert()
        .success()
        .stdout(predicate::str::contains(digest.as_str()));
}

#[test]
fn sign_then_verify_then_qr() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed.xml");
    qayd()
        .arg("sign")
        .arg(unsigned())
        .arg("--cert")
        .arg(cert())
        .arg("--key")
        .arg(key())
        .arg("--out")
        .arg(&out)
        .args(["--signing-time", "2025-07-22T15:51:28"])
        .assert()
        .success();
    qayd().arg("verify").arg(&out).assert().success().stdout(predicate::str::contains("VALID"));
    let output = qayd().args(["--json", "verify"]).arg(&out).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["valid"], true);

    qayd()
        .args(["qr", "--decode"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("399999999900003"));
    let png = dir.path().join("qr.png");
    let svg = dir.path().join("qr.svg");
    qayd().arg("qr").arg(&out).arg("--png").arg(&png).arg("--svg").arg(&svg).assert().success();
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    qayd().args(["qr", "--terminal"]).arg(&out).assert().success().stdout(predicate::str::contains("█"));
}

#[test]
fn sign_to_stdout_and_json() {
    let assert = qayd()
        .arg("sign")
        .arg(unsigned())
        .arg("--cert")
        .arg(cert())
        .arg("--key")
        .arg(key())
        .assert()
        .success();
    let xml = assert.get_output().stdout.clone();
    assert!(qayd::verify(&xml).unwrap().valid);
    let output = qayd()
        .args(["--json", "sign"])
        .arg(unsigned())
        .arg("--cert")
        .arg(cert())
        .arg("--key")
        .arg(key())
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["uuid"], "8e6000cf-1a98-4174-b3e7-b5d5954bc10d");
    assert!(value["xml"].as_str().unwrap().contains("<ds:SignatureValue>"));
}

#[test]
fn invalid_document_exits_1_and_bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let tampered = dir.path().join("tampered.xml");
    let xml = std::fs::read_to_string(sample()).unwrap().replacen("231.15", "231.16", 1);
    std::fs::write(&tampered, xml).unwrap();
    qayd().arg("verify").arg(&tampered).assert().code(1).stdout(predicate::str::contains("FAIL"));
    qayd().arg("qr").arg(unsigned()).assert().code(1).stderr(predicate::str::contains("stamp it first"));

    let malformed = repo().join("tests/conformance/inputs/malformed.xml");
    qayd().arg("hash").arg(&malformed).assert().code(2).stderr(predicate::str::contains("malformed XML"));
    let output = qayd().args(["--json", "hash"]).arg(&malformed).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["error"]["code"], "INVALID_XML");
    qayd().args(["hash", "/nonexistent/file.xml"]).assert().code(2);
    qayd()
        .arg("sign")
        .arg(unsigned())
        .arg("--cert")
        .arg(cert())
        .arg("--key")
        .arg(repo().join("tests/conformance/keys/other-secp256k1.pem"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not match"));
    qayd().arg("frobnicate").assert().code(2);
}

#[test]
fn generate_unsigned_and_stamped() {
    let model = repo().join("core/tests/fixtures/models/standard_invoice.json");
    let unsigned = qayd().arg("generate").arg(&model).assert().success().get_output().stdout.clone();
    let expected =
        std::fs::read(repo().join("tests/conformance/expected/generate-standard-invoice.xml")).unwrap();
    assert_eq!(unsigned, expected);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed.xml");
    qayd()
        .arg("generate")
        .arg(&model)
        .arg("--cert")
        .arg(cert())
        .arg("--key")
        .arg(key())
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("invoice hash:"));
    assert!(qayd::verify(&std::fs::read(&out).unwrap()).unwrap().valid);
    // Only one of the pair, a broken model, a model that breaks a rule.
    qayd().arg("generate").arg(&model).arg("--cert").arg(cert()).assert().code(2);
    qayd()
        .args(["generate", "-"])
        .write_stdin("{\"kind\": 3}")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("kind"));
    let broken =
        std::fs::read_to_string(&model).unwrap().replacen("\"vat_number\": \"3", "\"vat_number\": \"4", 1);
    let output = qayd().args(["--json", "generate", "-"]).write_stdin(broken).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["error"]["code"], "INVALID_MODEL");
}

#[test]
fn validate_reports_rules_with_fixes() {
    qayd()
        .arg("validate")
        .arg(repo().join("tests/vectors/sdk-R3.4.8/Data/Samples/Standard/Invoice/Standard_Invoice.xml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("VALID"));
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.xml");
    let xml = std::fs::read_to_string(
        repo().join("tests/vectors/sdk-R3.4.8/Data/Samples/Standard/Invoice/Standard_Invoice.xml"),
    )
    .unwrap();
    // A warning (BR-KSA-37 is one in R3.4.8) is printed but the document stays valid.
    let warned = dir.path().join("warned.xml");
    std::fs::write(
        &warned,
        xml.replacen(
            "<cbc:BuildingNumber>2322</cbc:BuildingNumber>",
            "<cbc:BuildingNumber>23</cbc:BuildingNumber>",
            1,
        ),
    )
    .unwrap();
    qayd().arg("validate").arg(&warned).assert().success().stdout(predicate::str::contains("BR-KSA-37"));
    // An error: the seller VAT number is 14 digits (BR-KSA-40).
    std::fs::write(
        &broken,
        xml.replacen(
            "<cbc:CompanyID>399999999900003</cbc:CompanyID>",
            "<cbc:CompanyID>39999999990003</cbc:CompanyID>",
            1,
        ),
    )
    .unwrap();
    qayd()
        .args(["validate", "--arabic"])
        .arg(&broken)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("BR-KSA-40"));
    let output = qayd().args(["--json", "validate"]).arg(&broken).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["valid"], false);
    qayd().arg("validate").arg(repo().join("tests/conformance/inputs/malformed.xml")).assert().code(2);
}

/// A closed standard error or output (`2>&-`, `| head` gone) loses the text, never the exit
/// code: no panic (101).
#[test]
fn closed_stderr_and_stdout_keep_the_exit_code() {
    let bin = assert_cmd::cargo::cargo_bin("qayd");
    let run = |script: &str| {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("sh")
            .arg(&bin)
            .arg(sample())
            .status()
            .unwrap();
        status.code()
    };
    assert_eq!(run(r#""$1" hash /nonexistent/file.xml 2>&-"#), Some(2));
    assert_eq!(run(r#""$1" hash "$2" >&- 2>&-"#), Some(0));
    assert_eq!(run(r#""$1" verify /nonexistent/file.xml >&- 2>&-"#), Some(2));
}

#[test]
fn pdf_writes_a_pdfa_beside_the_input_with_the_xml_inside() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("invoice.xml");
    std::fs::copy(sample(), &xml).unwrap();
    qayd().arg("pdf").arg(&xml).assert().success().stdout(predicate::str::contains("invoice.pdf"));
    let pdf = std::fs::read(dir.path().join("invoice.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    // The same bytes as the library gives, with the logo when asked.
    assert_eq!(pdf, qayd::pdf::render(&std::fs::read(&xml).unwrap(), &Default::default()).unwrap());
    let logo = dir.path().join("logo.png");
    qayd().arg("qr").arg(&xml).arg("--png").arg(&logo).assert().success();
    let out = dir.path().join("with-logo.pdf");
    let output = qayd()
        .args(["--json", "pdf"])
        .arg(&xml)
        .arg("--logo")
        .arg(&logo)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["bytes"].as_u64().unwrap() as usize, std::fs::read(&out).unwrap().len());
    assert_ne!(std::fs::read(&out).unwrap(), pdf);
    // Standard input to standard output.
    let piped = qayd().args(["pdf", "-"]).write_stdin(std::fs::read(&xml).unwrap()).output().unwrap();
    assert_eq!(piped.stdout, pdf);
}

#[test]
fn pdf_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    qayd()
        .arg("pdf")
        .arg(unsigned())
        .arg("--out")
        .arg(dir.path().join("x.pdf"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("no QR code"));
    let bad_logo = dir.path().join("logo.png");
    std::fs::write(&bad_logo, b"not a png").unwrap();
    qayd()
        .arg("pdf")
        .arg(sample())
        .arg("--logo")
        .arg(&bad_logo)
        .arg("--out")
        .arg(dir.path().join("y.pdf"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("logo"));
    assert!(!dir.path().join("y.pdf").exists());
}
