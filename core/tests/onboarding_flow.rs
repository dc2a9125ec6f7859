//! Onboarding and renewal against the local gateway on loopback.

use qayd::api::{Client, InvoiceSubmission, Outcome};
use qayd::onboarding::{self, EgsCredentials, Progress};
use qayd::{CsrConfig, Environment, ErrorKind};
use qayd_gateway::{Fault, Gateway, GatewayConfig};
use std::path::Path;
use std::sync::{Arc, Mutex};

const OTP: &str = "123456";

fn identity(invoice_type: &str) -> CsrConfig {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties"),
    )
    .unwrap();
    let mut config = CsrConfig::from_properties(&text).unwrap();
    config.invoice_type = invoice_type.to_owned();
    config
}

async fn setup() -> (Gateway, Client, Environment) {
    let gateway = Gateway::start(GatewayConfig::default()).await.unwrap();
    let environment = Environment::Custom(gateway.base_url());
    let client = Client::new(environment.clone()).unwrap();
    (gateway, client, environment)
}

fn recorder() -> (Arc<Mutex<Vec<Progress>>>, impl FnMut(Progress) + Send) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    (seen, move |p: Progress| sink.lock().unwrap().push(p))
}

/// The type codes and kinds of the compliance documents the gateway received, in order.
fn submitted_samples(gateway: &Gateway) -> Vec<(bool, String)> {
    gateway
        .received()
        .iter()
        .filter(|r| r.path == "/compliance/invoices")
        .map(|r| {
            let body: InvoiceSubmission = serde_json::from_slice(&r.body).unwrap();
            let xml = String::from_utf8(body.xml().unwrap()).unwrap();
            let code = xml.split("<cbc:InvoiceTypeCode name=\"").nth(1).unwrap();
            let simplified = code.starts_with("02");
            let type_code = code.split('>').nth(1).unwrap().split('<').next().unwrap().to_owned();
            (simplified, type_code)
        })
        .collect()
}

async fn onboard(client: &Client, environment: &Environment, invoice_type: &str) -> EgsCredentials {
    let (seen, mut progress) = recorder();
    let credentials =
        onboarding::onboard(client, environment, &identity(invoice_type), OTP, &mut progress).await.unwrap();
    let seen = seen.lock().unwrap();
    let total = seen[0].total;
    assert_eq!(seen.len(), total, "{seen:?}");
    assert!(seen.iter().enumerate().all(|(i, p)| p.index == i + 1 && p.total == total));
    assert_eq!(seen[0].step, "generate key");
    assert_eq!(seen.last().unwrap().step, "production CSID");
    credentials
}

#[tokio::test]
async fn onboard_1100_submits_all_six_samples_and_gets_a_production_csid() {
    let (gateway, client, environment) = setup().await;
    let credentials = onboard(&client, &environment, "1100").await;
    let expected: Vec<(bool, String)> =
        [false, true].into_iter().flat_map(|s| ["388", "381", "383"].map(|c| (s, c.to_owned()))).collect();
    assert_eq!(submitted_samples(&gateway), expected);
    assert_eq!(credentials.samples.len(), 6);
    assert!(credentials.samples.iter().all(|s| s.status == "accepted"), "{:?}", credentials.samples);
    // ICV 1…6, each PIH the previous hash (the gateway would not check it; we do).
    assert_eq!(credentials.samples.iter().map(|s| s.icv).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(credentials.environment, environment);
    assert!(credentials.certificate_expiry > credentials.issued_at);

    // The production CSID stamps documents the platform clears.
    let signer = credentials.signer().unwrap();
    let invoice = onboarding::sample_invoice(
        &credentials.identity,
        onboarding::SampleKind {
            kind: qayd::model::InvoiceKind::Standard,
            document_type: qayd::model::DocumentType::Invoice,
        },
        1,
        time::OffsetDateTime::now_utc().unix_timestamp(),
    )
    .unwrap();
    let stamped = invoice.stamp(&signer, &Default::default()).unwrap();
    let outcome = client
        .clearance(&credentials.production_credentials(), &InvoiceSubmission::from(&stamped))
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Accepted(_)), "{outcome:?}");

    // The JSON form round-trips; Debug and the summary show no secret.
    let back = EgsCredentials::from_json(&credentials.to_json().unwrap()).unwrap();
    assert_eq!(back, credentials);
    let debug = format!("{credentials:?}");
    let summary = credentials.summary().to_string();
    for secret in [&credentials.production.secret, &credentials.compliance.secret] {
        assert!(!debug.contains(secret.as_str()) && !summary.contains(secret.as_str()));
    }
    assert!(!debug.contains("PRIVATE KEY") && !summary.contains("PRIVATE KEY"));
}

#[tokio::test]
async fn onboard_1000_and_0100_submit_only_their_family() {
    let (gateway, client, environment) = setup().await;
    let credentials = onboard(&client, &environment, "1000").await;
    let standard = ["388", "381", "383"].map(|c| (false, c.to_owned())).to_vec();
    assert_eq!(submitted_samples(&gateway), standard);
    assert_eq!(credentials.samples.len(), 3);

    gateway.clear_received();
    let credentials = onboard(&client, &environment, "0100").await;
    let simplified = ["388", "381", "383"].map(|c| (true, c.to_owned())).to_vec();
    assert_eq!(submitted_samples(&gateway), simplified);
    assert!(credentials.samples.iter().all(|s| s.document.starts_with("simplified")));
}

#[tokio::test]
async fn wrong_otp_is_a_clear_error_without_the_otp() {
    let (gateway, client, environment) = setup().await;
    let error = onboarding::onboard(&client, &environment, &identity("1100"), "654321", &mut |_| {})
        .await
        .unwrap_err();
    let message = error.to_string();
    assert_eq!(error.code(), "API_REJECTED", "{message}");
    assert!(message.contains("Invalid-OTP") && message.contains("Fatoora portal"), "{message}");
    assert!(message.contains("compliance CSID"), "{message}");
    assert!(!message.contains("654321"), "{message}");
    // Nothing after the compliance CSID was attempted.
    assert!(gateway.received().iter().all(|r| r.path == "/compliance"));
}

#[tokio::test]
async fn environment_mismatches_are_refused_locally() {
    let (gateway, client, environment) = setup().await;
    let error = onboarding::onboard(&client, &Environment::Simulation, &identity("1100"), OTP, &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(error.code(), "ENVIRONMENT_MISMATCH");
    assert!(gateway.received().is_empty());

    let credentials = onboard(&client, &environment, "0100").await;
    let other = Client::new(Environment::Custom("http://127.0.0.1:9".into())).unwrap();
    let error = onboarding::renew(&other, &credentials, OTP, &mut |_| {}).await.unwrap_err();
    assert_eq!(error.code(), "ENVIRONMENT_MISMATCH");
    assert_eq!(error.kind(), ErrorKind::Api);
    assert!(credentials.check_environment(&Environment::Core).is_err());
}

#[tokio::test]
async fn invalid_identity_fails_before_any_request() {
    let (gateway, client, environment) = setup().await;
    let mut bad = identity("1100");
    bad.organization_identifier = "123".into();
    let error = onboarding::onboard(&client, &environment, &bad, OTP, &mut |_| {}).await.unwrap_err();
    assert_eq!(error.code(), "INVALID_INPUT");
    assert!(error.to_string().contains("csr.organization.identifier"));
    assert!(gateway.received().is_empty());
}

#[tokio::test]
async fn renewal_issues_a_new_production_csid_for_a_new_key() {
    let (gateway, client, environment) = setup().await;
    let credentials = onboard(&client, &environment, "1100").await;
    let (seen, mut progress) = recorder();
    let renewed = onboarding::renew(&client, &credentials, OTP, &mut progress).await.unwrap();
    assert_ne!(renewed.private_key, credentials.private_key);
    assert_ne!(renewed.production.binary_security_token, credentials.production.binary_security_token);
    assert!(renewed.samples.is_empty());
    assert!(renewed.signer().is_ok());
    let patch = gateway.received().into_iter().filter(|r| r.method == "PATCH").count();
    assert_eq!(patch, 1);
    assert_eq!(seen.lock().unwrap().last().unwrap().index, 3);

    // A wrong OTP on renewal is the same clear error.
    let error = onboarding::renew(&client, &renewed, "000000", &mut |_| {}).await.unwrap_err();
    assert!(error.to_string().contains("Invalid-OTP"), "{error}");
    assert!(error.to_string().contains("renewal"), "{error}");

    // An expired CSID cannot be renewed.
    let mut expired = renewed.clone();
    expired.certificate_expiry = 1;
    let error = onboarding::renew(&client, &expired, OTP, &mut |_| {}).await.unwrap_err();
    assert!(error.to_string().contains("onboard again"), "{error}");
}

#[tokio::test]
async fn renewal_428_not_compliant_redoes_the_compliance_steps() {
    let (gateway, client, environment) = setup().await;
    let credentials = onboard(&client, &environment, "1100").await;
    // The gateway never answers 428 by itself: obtain a real compliance CSID for the new key and
    // have the gateway hand it back as ZATCA's NOT_COMPLIANT answer to the PATCH.
    let key = qayd::generate_private_key().unwrap();
    let csr = qayd::build_csr(&credentials.identity, &key, &environment).unwrap();
    let outcome = client.compliance_csid(&csr.to_api_base64(), OTP).await.unwrap();
    let Outcome::Accepted(compliance) = outcome else { panic!("{outcome:?}") };
    let body = serde_json::json!({
        "requestID": compliance.request_id.clone().unwrap().parse::<u64>().unwrap(),
        "tokenType": null,
        "dispositionMessage": "NOT_COMPLIANT",
        "binarySecurityToken": compliance.binary_security_token,
        "secret": compliance.secret,
        "errors": null,
    });
    gateway.inject(Fault {
        status: Some(428),
        body: Some(body.to_string()),
        content_type: Some("application/json".into()),
        path: Some("/production/csids".into()),
        ..Fault::default()
    });
    gateway.clear_received();
    let (seen, mut progress) = recorder();
    let renewed = onboarding::renew_with_key(&client, &credentials, OTP, key, &mut progress).await.unwrap();
    assert_eq!(renewed.samples.len(), 6);
    assert_eq!(renewed.compliance.request_id, compliance.request_id);
    assert!(renewed.signer().is_ok());
    let calls: Vec<(String, String)> = gateway.received().into_iter().map(|r| (r.method, r.path)).collect();
    assert_eq!(calls.first().unwrap(), &("PATCH".to_owned(), "/production/csids".to_owned()));
    assert_eq!(calls.iter().filter(|(_, p)| p == "/compliance/invoices").count(), 6);
    assert_eq!(calls.last().unwrap(), &("POST".to_owned(), "/production/csids".to_owned()));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.last().unwrap().index, seen.last().unwrap().total);
}

#[tokio::test]
async fn platform_outage_during_compliance_is_a_retryable_error_naming_the_step() {
    let (gateway, client, environment) = setup().await;
    gateway.inject(Fault {
        status: Some(503),
        count: Some(1),
        path: Some("/compliance/invoices".into()),
        ..Fault::default()
    });
    let error =
        onboarding::onboard(&client, &environment, &identity("1100"), OTP, &mut |_| {}).await.unwrap_err();
    assert_eq!(error.status(), Some(503), "{error}");
    assert!(error.is_retryable(), "{error}");
    assert!(error.to_string().contains("standard invoice"), "{error}");
}

#[tokio::test]
async fn garbage_from_the_platform_is_an_unexpected_response() {
    let (gateway, client, environment) = setup().await;
    gateway.inject(Fault {
        status: Some(200),
        body: Some("<html>captive portal</html>".into()),
        content_type: Some("text/html".into()),
        path: Some("/compliance".into()),
        ..Fault::default()
    });
    let error =
        onboarding::onboard(&client, &environment, &identity("0100"), OTP, &mut |_| {}).await.unwrap_err();
    assert_eq!(error.code(), "UNEXPECTED_RESPONSE", "{error}");
    assert!(error.to_string().contains("compliance CSID"), "{error}");
}

#[tokio::test]
async fn every_sdk_example_config_onboards() {
    let (_gateway, client, environment) = setup().await;
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/sdk-R3.4.8/Data/Input");
    for name in [
        "csr-config-example-AR.properties",
        "csr-config-example-AR-VAT-Group.properties",
        "csr-config-example-EN.properties",
        "csr-config-example-EN-VAT-group.properties",
    ] {
        let text = std::fs::read_to_string(input.join(name)).unwrap();
        let config = CsrConfig::from_properties(&text).unwrap();
        let credentials = onboarding::onboard(&client, &environment, &config, OTP, &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(credentials.identity, config, "{name}");
        assert_eq!(credentials.samples.len(), 6, "{name}");
    }
}
