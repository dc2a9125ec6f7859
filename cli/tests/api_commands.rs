//! `csr`, `invoice-request`, `gateway`, `onboard`, `renew`, `demo`: run as a user would, against
//! a `qayd gateway` child process on loopback.

mod common;

#[cfg(unix)]
use common::mode;
use common::{GatewayProcess, json_of, properties, qayd, repo, signed_sample};
use predicates::prelude::*;
use std::path::Path;

// ---- csr ----------------------------------------------------------------------------------

#[test]
fn csr_like_the_sdk_bare_base64_key_and_api_csr() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.key");
    let csr = dir.path().join("c.csr");
    qayd()
        .arg("csr")
        .arg("--config")
        .arg(properties())
        .arg("--key-out")
        .arg(&key)
        .arg("--csr-out")
        .arg(&csr)
        .assert()
        .success()
        .stdout(predicate::str::contains("keep it secret"));
    let key_text = std::fs::read_to_string(&key).unwrap();
    assert!(!key_text.contains("-----") && !key_text.contains('\n'), "{key_text}");
    qayd::PrivateKey::from_bytes(key_text.as_bytes()).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&key), 0o600);
    let parsed = qayd::parse_csr(&std::fs::read(&csr).unwrap()).unwrap();
    assert!(parsed.signature_valid);
    assert_eq!(parsed.template_name.as_deref(), Some("TSTZATCA-Code-Signing"));
    assert_eq!(parsed.config.organization_identifier, "399999999900003");
}

#[test]
fn csr_pem_json_and_environments() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem");
    let csr = dir.path().join("c.pem");
    let output = qayd()
        .args(["--json", "csr", "--pem", "--env", "simulation"])
        .arg("--config")
        .arg(properties())
        .arg("--key-out")
        .arg(&key)
        .arg("--csr-out")
        .arg(&csr)
        .output()
        .unwrap();
    assert!(output.status.success());
    let value = json_of(&output);
    assert_eq!(value["template_name"], "PREZATCA-Code-Signing");
    let key_text = std::fs::read_to_string(&key).unwrap();
    assert!(key_text.starts_with("-----BEGIN EC PRIVATE KEY-----"));
    let body: String = key_text.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(!String::from_utf8_lossy(&output.stdout).contains(&body[..40]), "the key leaked into --json");
    assert!(std::fs::read_to_string(&csr).unwrap().starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    assert_eq!(
        qayd::parse_csr(value["csr"].as_str().unwrap().as_bytes()).unwrap().template_name.as_deref(),
        Some("PREZATCA-Code-Signing")
    );
}

#[test]
fn csr_from_json_in_both_spellings_and_from_settings() {
    let dir = tempfile::tempdir().unwrap();
    let config = qayd::CsrConfig::from_properties(&std::fs::read_to_string(properties()).unwrap()).unwrap();
    let ours = dir.path().join("ours.json");
    std::fs::write(&ours, serde_json::to_string(&config).unwrap()).unwrap();
    let sdk = dir.path().join("sdk.json");
    let map: serde_json::Map<String, serde_json::Value> = config
        .to_properties()
        .lines()
        .map(|l| l.split_once('=').unwrap())
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
        .collect();
    std::fs::write(&sdk, serde_json::Value::Object(map).to_string()).unwrap();
    for file in [&ours, &sdk] {
        let csr = dir.path().join("out.csr");
        qayd()
            .current_dir(dir.path())
            .arg("csr")
            .env("QAYD_CSR_CONFIG", file)
            .env("QAYD_ENV", "core")
            .args(["--key-out", "k", "--csr-out", "out.csr"])
            .assert()
            .success();
        let parsed = qayd::parse_csr(&std::fs::read(&csr).unwrap()).unwrap();
        assert_eq!(parsed.config, config);
        assert_eq!(parsed.template_name.as_deref(), Some("ZATCA-Code-Signing"));
    }
    // The settings file names the config; defaults file names are the SDK's.
    let settings = dir.path().join("settings.json");
    std::fs::write(&settings, serde_json::json!({ "csr_config": ours, "env": "simulation" }).to_string())
        .unwrap();
    qayd().current_dir(dir.path()).arg("--settings").arg(&settings).arg("csr").assert().success();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("generated-private-key-") && n.ends_with(".key")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.starts_with("generated-csr-") && n.ends_with(".csr")), "{names:?}");
    // A settings file with an unknown key is refused.
    std::fs::write(&settings, r#"{"otp": "123456"}"#).unwrap();
    qayd()
        .arg("--settings")
        .arg(&settings)
        .arg("csr")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("otp"));
}

#[test]
fn csr_with_the_sdk_flag_spellings() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("sdk.key");
    let csr = dir.path().join("sdk.csr");
    qayd()
        .arg("-csr")
        .arg("-csrConfig")
        .arg(properties())
        .arg("-privateKey")
        .arg(&key)
        .arg("-generatedCsr")
        .arg(&csr)
        .arg("-pem")
        .assert()
        .success();
    let parsed = qayd::parse_csr(&std::fs::read(&csr).unwrap()).unwrap();
    // No -nonprod/-sim: a production CSR, as the SDK makes.
    assert_eq!(parsed.template_name.as_deref(), Some("ZATCA-Code-Signing"));
    qayd()
        .arg("-csr")
        .arg("-nonprod")
        .arg("-csrConfig")
        .arg(properties())
        .arg("-generatedCsr")
        .arg(&csr)
        .arg("-privateKey")
        .arg(&key)
        .assert()
        .success();
    let parsed = qayd::parse_csr(&std::fs::read(&csr).unwrap()).unwrap();
    assert_eq!(parsed.template_name.as_deref(), Some("TSTZATCA-Code-Signing"));
}

#[test]
fn csr_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    qayd().current_dir(dir.path()).arg("csr").assert().code(2).stderr(predicate::str::contains("--config"));
    let bad = dir.path().join("bad.properties");
    let text = std::fs::read_to_string(properties()).unwrap().replace("399999999900003", "12345");
    std::fs::write(&bad, text).unwrap();
    let output =
        qayd().current_dir(dir.path()).args(["--json", "csr", "--config"]).arg(&bad).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let value = json_of(&output);
    assert_eq!(value["error"]["code"], "INVALID_INPUT");
    assert!(value["error"]["message"].as_str().unwrap().contains("csr.organization.identifier"));
    qayd()
        .current_dir(dir.path())
        .args(["csr", "--env", "mars", "--config"])
        .arg(properties())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown environment"));
    qayd().args(["csr", "--config", "/nonexistent.properties"]).assert().code(2);
    let written: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("generated-"))
        .collect();
    assert!(written.is_empty(), "nothing written on failure: {written:?}");
}

// ---- invoice-request ----------------------------------------------------------------------

#[test]
fn invoice_request_body() {
    let xml = std::fs::read(signed_sample()).unwrap();
    let output = qayd().arg("invoice-request").arg(signed_sample()).output().unwrap();
    assert!(output.status.success());
    let body = json_of(&output);
    assert_eq!(body["invoiceHash"], qayd::invoice_hash(&xml).unwrap());
    assert_eq!(body["uuid"], "8e6000cf-1a98-4174-b3e7-b5d5954bc10d");
    // The API's field order: invoiceHash, uuid, invoice.
    let text = String::from_utf8_lossy(&output.stdout);
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(at("invoiceHash") < at("uuid") && text.find("\"invoice\":").unwrap() > at("uuid"));
    assert_eq!(body.as_object().unwrap().len(), 3);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("request.json");
    qayd()
        .arg("-invoice")
        .arg(signed_sample())
        .arg("-invoiceRequest")
        .arg("-apiRequest")
        .arg(&out)
        .assert()
        .success();
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(written, body);
    let output = qayd()
        .args(["--json", "invoice-request"])
        .arg(signed_sample())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(json_of(&output)["uuid"], body["uuid"]);
}

#[test]
fn invoice_request_bad_input() {
    let unsigned = repo().join("tests/conformance/inputs/simplified-invoice.unsigned.xml");
    qayd()
        .arg("invoice-request")
        .arg(unsigned)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("stamp it first"));
    let malformed = repo().join("tests/conformance/inputs/malformed.xml");
    qayd().arg("invoice-request").arg(malformed).assert().code(2);
    qayd().args(["invoice-request", "/nonexistent.xml"]).assert().code(2);
}

// ---- gateway, onboard, renew ----------------------------------------------------------------

#[test]
fn gateway_serves_until_killed_and_refuses_bad_config() {
    let gateway = GatewayProcess::start();
    let (status, body) = gateway.get("/__qayd/ca");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("BEGIN CERTIFICATE"));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gateway.json");
    std::fs::write(&config, r#"{"valid_otps": "not a list"}"#).unwrap();
    qayd()
        .arg("gateway")
        .arg("--config")
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gateway config"));
    std::fs::write(&config, "{}").unwrap();
    // The port is taken by the running gateway.
    let port = gateway.url.rsplit(':').next().unwrap().to_owned();
    qayd().args(["gateway", "--port", &port]).arg("--config").arg(&config).assert().code(2);
}

#[cfg(unix)]
#[test]
fn gateway_stops_on_ctrl_c() {
    let mut gateway = GatewayProcess::start();
    assert!(gateway.get("/__qayd/ca").0.contains("200"));
    let pid = gateway.child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = gateway.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "still running after SIGINT");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn onboard_writes_credentials_and_renew_replaces_them() {
    let gateway = GatewayProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("egs");
    let output = qayd()
        .args(["--json", "onboard", "--otp-env", "FATOORA_OTP", "--env", &gateway.url])
        .env("FATOORA_OTP", "123456")
        .arg("--config")
        .arg(properties())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = json_of(&output);
    assert_eq!(summary["samples"].as_array().unwrap().len(), 6);
    assert!(summary["certificate_expiry"].as_i64().unwrap() > 0);
    assert!(output.stderr.is_empty(), "no progress output in --json mode");
    let credentials_text = std::fs::read_to_string(out.join("credentials.json")).unwrap();
    let credentials = qayd::onboarding::EgsCredentials::from_json(&credentials_text).unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains(&credentials.production.secret) && !stdout.contains("PRIVATE KEY"));
    for name in ["private-key.pem", "csr.pem", "compliance-certificate.pem", "production-certificate.pem"] {
        assert!(out.join(name).exists(), "{name}");
    }
    #[cfg(unix)]
    {
        assert_eq!(mode(&out.join("private-key.pem")), 0o600);
        assert_eq!(mode(&out.join("credentials.json")), 0o600);
    }
    assert!(credentials.signer().is_ok());

    // Not twice into the same folder without --force.
    qayd()
        .args(["onboard", "--otp", "123456", "--env", &gateway.url])
        .arg("--config")
        .arg(properties())
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already holds credentials"));

    // Renewal with the OTP in a file; text output.
    let otp_file = dir.path().join("otp");
    std::fs::write(&otp_file, "123456\n").unwrap();
    qayd()
        .args(["renew", "--dir"])
        .arg(&out)
        .arg("--otp-file")
        .arg(&otp_file)
        .assert()
        .success()
        .stdout(predicate::str::contains("Renewed"));
    let renewed = qayd::onboarding::EgsCredentials::from_json(
        &std::fs::read_to_string(out.join("credentials.json")).unwrap(),
    )
    .unwrap();
    assert_ne!(renewed.private_key, credentials.private_key);
    assert!(out.join("credentials.previous.json").exists());

    // Another environment is refused before anything is sent.
    let output = qayd()
        .args(["--json", "renew", "--env", "simulation", "--otp-file"])
        .arg(&otp_file)
        .arg("--dir")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(json_of(&output)["error"]["code"], "ENVIRONMENT_MISMATCH");
}

#[test]
fn onboard_bad_input_and_platform_errors() {
    let gateway = GatewayProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("egs");
    let onboard = |env: &str| {
        let mut command = qayd();
        command.args(["onboard", "--env", env]).arg("--config").arg(properties()).arg("--out").arg(&out);
        command
    };
    // No OTP at all; a variable that is not set.
    onboard(&gateway.url).assert().code(2).stderr(predicate::str::contains("--otp-env"));
    onboard(&gateway.url)
        .args(["--otp-env", "NOT_SET_ANYWHERE"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not set"));
    // A wrong OTP: the platform refuses (exit 1), the OTP is not echoed.
    let output = onboard(&gateway.url).env("QAYD_OTP", "999999").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Invalid-OTP") && !stderr.contains("999999"), "{stderr}");
    assert!(!out.join("credentials.json").exists());
    // Nobody listening: exit 3 (try again later).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let output = onboard(&closed).args(["--json", "--otp", "123456"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(json_of(&output)["error"]["code"], "NETWORK");
    // An environment that is not one.
    onboard("staging")
        .args(["--otp", "123456"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown environment"));
}

#[test]
fn malformed_urls_are_usage_errors_and_plain_http_stays_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("egs");
    let onboard = |env: &str| {
        let mut command = qayd();
        command
            .args(["--json", "onboard", "--otp", "123456", "--env", env])
            .arg("--config")
            .arg(properties())
            .arg("--out")
            .arg(&out)
            .env("QAYD_TIMEOUT", "3");
        command
    };
    // Malformed: usage (2), never "try again later" (3).
    for (env, why) in [
        ("http://", "no host"),
        ("http://[::1", "'[' without ']'"),
        ("http://127.0.0.1:99999", "port"),
        ("http://127.0.0.1:80x", "port"),
        ("https://user:secret@127.0.0.1:1", "credentials"),
    ] {
        let output = onboard(env).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{env}: {}", String::from_utf8_lossy(&output.stderr));
        let error = json_of(&output)["error"].clone();
        assert_eq!(error["code"], "INVALID_INPUT", "{env}");
        assert!(error["message"].as_str().unwrap().contains(why), "{env}: {error}");
        assert!(!error["message"].as_str().unwrap().contains("secret@"), "{error}");
    }
    // Plain http:// to a host that is not loopback: refused before anything is sent (the OTP
    // would cross the network in clear text)…
    let remote = "http://qayd-test.invalid:8080";
    let output = onboard(remote).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = json_of(&output)["error"].clone();
    assert!(error["message"].as_str().unwrap().contains("unencrypted"), "{error}");
    assert!(!out.exists(), "nothing was written");
    // …unless opted into, loudly: then the request is attempted (and fails to resolve: exit 3).
    for opt_in in [&["--insecure-http"][..], &[]] {
        let mut command = onboard(remote);
        command.args(opt_in);
        if opt_in.is_empty() {
            command.env("QAYD_INSECURE_HTTP", "true");
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(3), "{}", String::from_utf8_lossy(&output.stdout));
        assert_eq!(json_of(&output)["error"]["code"], "NETWORK");
    }
}

// ---- demo ----------------------------------------------------------------------------------

#[test]
fn demo_runs_in_seconds_and_leaves_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let assert = qayd().arg("demo").arg("--dir").arg(dir.path()).assert().success();
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for expected in [
        "document",
        "ICV",
        "attempts",
        "standard invoice",
        "simplified invoice",
        "credit note",
        "cleared",
        "reported",
        "█",
    ] {
        assert!(stdout.contains(expected), "{expected} missing from:\n{stdout}");
    }
    let simplified = stdout.lines().find(|l| l.starts_with("simplified invoice")).unwrap();
    assert!(simplified.trim_end().ends_with('3'), "two 503s then success: {simplified}");
    assert!(!stdout.contains("PRIVATE KEY"));
    // The retry is the engine's: the audit log shows 503, 503, then 200 for the same document.
    for expected in ["attempt 1", "HTTP 503", "attempt 3", "HTTP 200", "hash chain intact"] {
        assert!(stdout.contains(expected), "{expected} missing from:\n{stdout}");
    }
    assert!(dir.path().join("qayd.db").exists());
    // Credentials live in the store, sealed: no plain key file, no key text in the database.
    assert!(!dir.path().join("egs/credentials.json").exists());
    #[cfg(unix)]
    assert_eq!(mode(&dir.path().join("master.key")), 0o600);
    for file in ["qayd.db", "qayd.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(file)) {
            assert!(!bytes.windows(11).any(|w| w == b"PRIVATE KEY"), "{file} holds a plain key");
        }
    }
    // The demo's store is an ordinary store for the engine commands.
    let output = qayd()
        .args(["--json", "egs", "list"])
        .env("QAYD_STORE", dir.path().join("qayd.db"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let units = json_of(&output)["units"].as_array().unwrap().clone();
    assert_eq!(units.len(), 1);
    assert_eq!(units[0]["next_icv"], 4);
    assert_eq!(units[0]["queue"]["cleared"], 2);
    assert_eq!(units[0]["queue"]["reported"], 1);
    qayd()
        .args(["audit", "verify", "--store"])
        .arg(dir.path().join("qayd.db"))
        .assert()
        .success()
        .stdout(predicate::str::contains("intact"));
    assert!(dir.path().join("documents/001-INV-DEMO-0001.cleared.xml").exists());
    let simplified_xml = std::fs::read(dir.path().join("documents/002-SIM-DEMO-0002.xml")).unwrap();
    assert!(qayd::verify(&simplified_xml).unwrap().valid);
    assert!(
        std::fs::read(dir.path().join("documents/simplified-invoice-qr.png"))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
}

#[test]
fn demo_json() {
    let dir = tempfile::tempdir().unwrap();
    let output = qayd().args(["--json", "demo"]).env("QAYD_DEMO_DIR", dir.path()).output().unwrap();
    assert!(output.status.success());
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    let value = json_of(&output);
    let documents = value["documents"].as_array().unwrap();
    let statuses: Vec<&str> = documents.iter().map(|d| d["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["cleared", "reported", "cleared"]);
    let attempts: Vec<u64> = documents.iter().map(|d| d["attempts"].as_u64().unwrap()).collect();
    assert_eq!(attempts, [1, 3, 1]);
    assert_eq!(documents.iter().map(|d| d["icv"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2, 3]);
    let outage: Vec<&str> =
        value["outage"].as_array().unwrap().iter().map(|a| a["answer"].as_str().unwrap()).collect();
    assert_eq!(outage.len(), 3, "{outage:?}");
    assert!(outage[0].starts_with("HTTP 503") && outage[1].starts_with("HTTP 503"), "{outage:?}");
    assert!(outage[2].starts_with("HTTP 200"), "{outage:?}");
    assert_eq!(value["audit"]["intact"], true);
    // Each document chains to the one before it.
    assert_eq!(documents[1]["pih"], documents[0]["invoice_hash"]);
    assert_eq!(documents[2]["pih"], documents[1]["invoice_hash"]);
    assert!(Path::new(value["database"].as_str().unwrap()).starts_with(dir.path()));
}

#[test]
fn demo_bad_dir() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    qayd().arg("demo").arg("--dir").arg(&file).assert().code(2);
}
