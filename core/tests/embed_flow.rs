//! The embedding surface the bindings expose (`qayd::embed`), end to end against the local
//! gateway on loopback: onboarding, the engine (issue, drain, clear, worker), events, audit,
//! the flat API client, and the blocking forms.

use qayd::CsrConfig;
use qayd::embed::{
    self, ApiClient, ApiOutcome, ClearOutcome, ClientOptions, DocumentStatus, EngineHandle, EngineOptions,
};
use qayd::onboarding::EgsCredentials;
use qayd_gateway::{Fault, Gateway, GatewayConfig};
use std::path::Path;

fn identity() -> CsrConfig {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties"),
    )
    .unwrap();
    embed::identity_from_text(&text).unwrap()
}

async fn onboarded() -> (Gateway, String, EgsCredentials) {
    let gateway = Gateway::start(GatewayConfig::default()).await.unwrap();
    let url = gateway.base_url();
    let mut steps = Vec::new();
    let credentials =
        embed::onboard(&identity(), "123456", &url, &ClientOptions::default(), &mut |p| steps.push(p.step))
            .await
            .unwrap();
    assert_eq!(steps.first().map(String::as_str), Some("generate key"));
    assert_eq!(steps.last().map(String::as_str), Some("production CSID"));
    (gateway, url, credentials)
}

fn engine(url: &str, store: &str) -> EngineHandle {
    let options = EngineOptions {
        store: store.into(),
        environment: Some(url.into()),
        master_key: Some(qayd::secrets::MasterKey::generate().unwrap().to_base64()),
        retry_base_ms: Some(10),
        retry_cap_ms: Some(20),
        clear_wait_ms: Some(5_000),
        ..EngineOptions::default()
    };
    EngineHandle::open(&options).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboard_issue_report_clear_and_audit() {
    let (gateway, url, credentials) = onboarded().await;
    let engine = engine(&url, ":memory:");
    engine.set_credentials("till-1", &credentials).unwrap();

    let simplified = embed::sample_invoice_json(&credentials.identity, "simplified", "invoice").unwrap();
    let issued = engine.issue("till-1", &simplified).unwrap();
    assert_eq!(issued.info.icv, 1);
    assert_eq!(issued.info.pih, qayd::GENESIS_PIH);
    assert_eq!(issued.info.status, DocumentStatus::Pending);
    assert!(qayd::verify(&issued.xml).unwrap().valid);

    // An outage on the first report: retried by the next pass, then reported.
    gateway.inject(Fault { status: Some(503), ..Fault::default() });
    let first = engine.drain().await.unwrap();
    assert_eq!((first.sent, first.retry_scheduled), (1, 1), "{first:?}");
    // Retry times are whole seconds: the next pass that finds it due reports it.
    let started = std::time::Instant::now();
    let second = loop {
        let pass = engine.drain().await.unwrap();
        if pass.sent > 0 {
            break pass;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "the retry never came due");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!((second.sent, second.reported), (1, 1), "{second:?}");

    let standard = embed::sample_invoice_json(&credentials.identity, "standard", "invoice").unwrap();
    let cleared = engine.clear("till-1", &standard).await.unwrap();
    assert_eq!(cleared.outcome, ClearOutcome::Cleared);
    assert_eq!(cleared.document.info.icv, 2);
    assert_eq!(cleared.document.info.pih, issued.info.invoice_hash);
    let cleared_xml = cleared.document.cleared_xml.expect("the cleared document");
    assert_eq!(qayd::invoice_hash(&cleared_xml).unwrap(), cleared.document.info.invoice_hash);

    let counts = engine.status_counts().unwrap();
    assert_eq!(counts.get(&qayd::embed::DocumentStatus::Reported), Some(&1));
    assert_eq!(counts.get(&qayd::embed::DocumentStatus::Cleared), Some(&1));
    let units = engine.egs_units().unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!((units[0].next_icv, units[0].has_credentials), (3, true));
    assert_eq!(units[0].certificate_expiry, Some(credentials.certificate_expiry));
    assert_eq!(units[0].last_hash, cleared.document.info.invoice_hash);
    let listed = engine.documents("till-1").unwrap();
    assert_eq!(listed.iter().map(|d| d.status.as_str()).collect::<Vec<_>>(), ["reported", "cleared"]);
    let by_uuid = engine.document_by_uuid(&issued.info.uuid).unwrap().unwrap();
    assert_eq!(by_uuid.xml, issued.xml);

    let audit = engine.verify_audit().unwrap();
    assert!(audit.intact, "{audit:?}");
    assert_eq!(audit.rows, 6, "503, report, clearance: each sent, then answered");
    let lines = engine.export_audit().unwrap();
    assert_eq!(lines.lines().count(), 6);
    assert!(!lines.contains(&credentials.production.secret), "the audit log never holds the secret");

    // A simplified document cannot be cleared; an unknown status is a clear error.
    let error = engine.clear("till-1", &simplified).await.unwrap_err();
    assert_eq!(error.code(), "INVALID_INPUT");
    assert_eq!(engine.documents_by_status("lost", 10).unwrap_err().code(), "INVALID_INPUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_worker_reports_and_stops_gracefully() {
    let (_gateway, url, credentials) = onboarded().await;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("qayd.db");
    let engine = engine(&url, store.to_str().unwrap());
    engine.set_credentials("till-1", &credentials).unwrap();
    engine.start().unwrap();
    engine.start().unwrap();
    assert!(engine.is_running());
    let simplified = embed::sample_invoice_json(&credentials.identity, "simplified", "credit_note").unwrap();
    let issued = engine.issue("till-1", &simplified).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let document = engine.document("till-1", issued.info.icv).unwrap().unwrap();
        if document.info.status == DocumentStatus::Reported {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not reported: {:?}", document.info);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    engine.stop().await.unwrap();
    assert!(!engine.is_running());
    engine.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flat_api_client_classifies_answers() {
    let (gateway, url, credentials) = onboarded().await;
    let client =
        ApiClient::new(&url, &ClientOptions { timeout_ms: Some(2_000), ..Default::default() }).unwrap();
    let signer = credentials.signer().unwrap();
    let json = embed::sample_invoice_json(&credentials.identity, "simplified", "invoice").unwrap();
    let invoice = qayd::model::Invoice::from_json(&json).unwrap();
    let stamped = invoice.stamp(&signer, &qayd::StampOptions::default()).unwrap();
    let (token, secret) = (&credentials.production.binary_security_token, &credentials.production.secret);

    gateway.inject(Fault { status: Some(429), retry_after: Some(7), ..Fault::default() });
    let limited = client.reporting(token, secret, &stamped.xml).await.unwrap();
    assert_eq!(limited.outcome, ApiOutcome::Retryable);
    assert_eq!((limited.http_status, limited.retry_after_ms), (Some(429), Some(7_000)));

    let reported = client.reporting(token, secret, &stamped.xml).await.unwrap();
    assert_eq!(reported.outcome, ApiOutcome::Accepted, "{reported:?}");
    assert_eq!(reported.http_status, Some(200));
    let again = client.reporting(token, secret, &stamped.xml).await.unwrap();
    assert_eq!(again.outcome, ApiOutcome::Duplicate);

    let refused = client.reporting(token, "wrong secret", &stamped.xml).await.unwrap();
    assert_eq!((refused.outcome.as_str(), refused.http_status), ("unauthorized", Some(401)));

    let wrong_otp = client.compliance_csid("bm90IGEgQ1NS", "000000").await.unwrap_err();
    assert_eq!((wrong_otp.code(), wrong_otp.status()), ("API_REJECTED", Some(400)));
    assert!(wrong_otp.to_string().contains("Invalid-OTP"), "{wrong_otp}");

    // A CSR built through the embedding surface is accepted with the right OTP.
    let key = embed::generate_private_key_pem().unwrap();
    let csr = embed::build_csr(&credentials.identity, key.as_bytes(), &url).unwrap();
    assert!(csr.pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    let issued = client.compliance_csid(&csr.base64, "123456").await.unwrap();
    assert_eq!(issued.outcome, ApiOutcome::Accepted, "{issued:?}");
    let response = issued.response.unwrap();
    assert!(response["binarySecurityToken"].is_string());
}

#[test]
fn blocking_forms_run_on_the_shared_runtime_and_refuse_nesting() {
    // The gateway runs on a runtime of its own thread; the caller blocks like C or Python do.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let gateway = Gateway::start(GatewayConfig::default()).await.unwrap();
            ready_tx.send(gateway.base_url()).unwrap();
            let _ = stop_rx.await;
        });
    });
    let url = ready_rx.recv().unwrap();
    let credentials =
        embed::block_on(embed::onboard(&identity(), "123456", &url, &ClientOptions::default(), &mut |_| {}))
            .unwrap()
            .unwrap();
    let engine = engine(&url, ":memory:");
    engine.set_credentials("till-9", &credentials).unwrap();
    let json = embed::sample_invoice_json(&credentials.identity, "simplified", "debit_note").unwrap();
    engine.issue("till-9", &json).unwrap();
    let report = embed::block_on(engine.drain()).unwrap().unwrap();
    assert_eq!(report.reported, 1, "{report:?}");

    let nested = embed::runtime().unwrap().block_on(async { embed::block_on(async { 1 }) });
    assert_eq!(nested.unwrap_err().code(), "INVALID_INPUT");
    stop_tx.send(()).unwrap();
    server.join().unwrap();
}

#[test]
fn bad_options_are_clear_errors() {
    let bad = EngineHandle::open_json(r#"{"store": ":memory:", "colour": "red"}"#).unwrap_err();
    assert_eq!(bad.code(), "INVALID_INPUT");
    assert!(bad.to_string().contains("colour"), "{bad}");
    let trailing = EngineHandle::open_json(r#"{"store": ":memory:"} junk"#).unwrap_err();
    assert_eq!(trailing.code(), "INVALID_INPUT", "{trailing}");
    let bad = EngineHandle::open_json(r#"{"store": ":memory:", "environment": "mars"}"#).unwrap_err();
    assert!(bad.to_string().contains("mars"), "{bad}");
    let bad = EngineHandle::open_json(r#"{"store": ":memory:", "master_key": "short"}"#).unwrap_err();
    assert_eq!(bad.code(), "SECRET");
    let no_key = EngineHandle::open_json(r#"{"store": ":memory:"}"#);
    // Without a master key (unless QAYD_MASTER_KEY is set) credentials cannot be stored.
    if std::env::var("QAYD_MASTER_KEY").is_err() {
        let engine = no_key.unwrap();
        let identity = identity();
        let json = embed::sample_invoice_json(&identity, "standard", "invoice").unwrap();
        assert_eq!(engine.issue("nobody", &json).unwrap_err().code(), "INVALID_INPUT");
        assert!(engine.start().is_err(), "no environment: no worker");
    }
    assert_eq!(
        embed::sample_invoice_json(&identity(), "weird", "invoice").unwrap_err().code(),
        "INVALID_INPUT"
    );
    assert_eq!(embed::build_csr(&identity(), b"not a key", "core").unwrap_err().code(), "INVALID_KEY");
    assert_eq!(ApiClient::new("ftp://x", &ClientOptions::default()).unwrap_err().code(), "INVALID_INPUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_keeps_running_and_reports_a_wrong_master_key_in_its_health() {
    let (_gateway, url, credentials) = onboarded().await;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("qayd.db");
    let store = store.to_str().unwrap();
    engine(&url, store).set_credentials("till-1", &credentials).unwrap();
    // Another process opens the same store with another master key.
    let mut options: EngineOptions = serde_json::from_value(
        serde_json::json!({ "store": store, "environment": url, "poll_interval_ms": 20 }),
    )
    .unwrap();
    options.master_key = Some(qayd::secrets::MasterKey::generate().unwrap().to_base64());
    let wrong = EngineHandle::open(&options).unwrap();
    assert_eq!(wrong.worker_health(), Default::default());
    wrong.start().unwrap();
    let started = std::time::Instant::now();
    let health = loop {
        let health = wrong.worker_health();
        if health.consecutive_failures >= 2 {
            break health;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{health:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(wrong.is_running(), "an error of a pass does not stop the worker");
    let error = health.last_error.unwrap();
    assert_eq!((error.code.as_str(), error.egs_id.as_deref()), ("SECRET", Some("till-1")));
    assert!(!error.message.contains(&credentials.production.secret));
    wrong.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_leaves_units_of_another_environment_alone() {
    let (_gateway, url, credentials) = onboarded().await;
    let other = Gateway::start(GatewayConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("two-environments.db");
    let store = store.to_str().unwrap();
    let key = qayd::secrets::MasterKey::generate().unwrap().to_base64();
    let open = |environment: &str| {
        EngineHandle::open(&EngineOptions {
            store: store.into(),
            environment: Some(environment.into()),
            master_key: Some(key.clone()),
            ..EngineOptions::default()
        })
        .unwrap()
    };
    let ours = open(&url);
    ours.set_credentials("till-1", &credentials).unwrap();
    let json = embed::sample_invoice_json(&credentials.identity, "simplified", "invoice").unwrap();
    let issued = ours.issue("till-1", &json).unwrap();

    let theirs = open(&other.base_url());
    let pass = theirs.drain().await.unwrap();
    assert_eq!((pass.sent, pass.other_environment_units.clone()), (0, vec!["till-1".to_owned()]), "{pass:?}");
    let unit = &theirs.egs_units().unwrap()[0];
    assert_eq!(unit.stopped, None, "the unit is not stopped by an engine of another environment");
    assert!(other.received().is_empty(), "nothing went to the other environment");

    let pass = ours.drain().await.unwrap();
    assert_eq!((pass.sent, pass.reported), (1, 1), "{pass:?}");
    assert_eq!(
        ours.document("till-1", issued.info.icv).unwrap().unwrap().info.status,
        DocumentStatus::Reported
    );
}

#[test]
fn issued_documents_carry_their_warnings_and_the_policy_is_an_option() {
    let identity = identity();
    let mut invoice: serde_json::Value =
        serde_json::from_str(&embed::sample_invoice_json(&identity, "simplified", "invoice").unwrap())
            .unwrap();
    // Issued three days ago: a simplified invoice reported that late breaks BR-KSA-98 (a warning).
    let three_days_ago = time::OffsetDateTime::now_utc() - time::Duration::days(3);
    invoice["issue_date"] = serde_json::json!(three_days_ago.date().to_string());
    let invoice = invoice.to_string();
    let certificates =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/sdk-R3.4.8/Data/Certificates");
    let certificate = std::fs::read_to_string(certificates.join("cert.pem")).unwrap();
    let key =
        qayd::PrivateKey::from_bytes(&std::fs::read(certificates.join("ec-secp256k1-priv-key.pem")).unwrap())
            .unwrap();
    let open = |validation: Option<&str>| {
        let mut options = serde_json::json!({
            "store": ":memory:",
            "master_key": qayd::secrets::MasterKey::generate().unwrap().to_base64(),
        });
        if let Some(validation) = validation {
            options["validation"] = serde_json::json!(validation);
        }
        let engine = EngineHandle::open_json(&options.to_string()).unwrap();
        let credentials =
            qayd::api::Credentials::new(qayd::Environment::Simulation, certificate.clone(), "secret");
        engine.engine().set_credentials("till-1", &credentials, &key).unwrap();
        engine
    };
    let rules =
        |document: &embed::Document| document.findings.iter().map(|f| f.rule.clone()).collect::<Vec<_>>();

    let default = open(None).issue("till-1", &invoice).unwrap();
    assert_eq!(rules(&default), ["BR-KSA-98"], "a warning does not refuse, and is handed back");
    assert_eq!(open(Some("off")).issue("till-1", &invoice).unwrap().findings.len(), 0);
    let strict = open(Some("refuse_on_warnings"));
    let refused = strict.issue("till-1", &invoice).unwrap_err();
    assert_eq!((refused.code(), refused.rule()), ("INVALID_MODEL", Some("BR-KSA-98")));
    assert_eq!(strict.egs_units().unwrap()[0].next_icv, 1, "a refused document uses no ICV");
    let stored = strict.documents("till-1").unwrap();
    assert!(stored.is_empty());
    let bad = EngineHandle::open_json(r#"{"store": ":memory:", "validation": "sometimes"}"#).unwrap_err();
    assert!(bad.to_string().contains("sometimes"), "{bad}");
}
