//! Renewal answers 428 `NOT_COMPLIANT` (with a new compliance CSID, shaped as ZATCA's renewal
//! example) when the new CSR enables a document family whose compliance check the EGS has not
//! passed, or always with `renewal_requires_compliance`; the core's renewal then redoes the
//! compliance steps with that CSID and obtains the production CSID.

mod common;

use common::{OTP, basic, config, raw};
use qayd::onboarding;
use qayd_gateway::{Gateway, GatewayConfig};

async fn onboarded(gateway: &Gateway, invoice_type: &str) -> (qayd::api::Client, onboarding::EgsCredentials) {
    let client = common::client(gateway);
    let mut identity = config();
    identity.invoice_type = invoice_type.into();
    let credentials =
        onboarding::onboard(&client, client.environment(), &identity, OTP, &mut |_| {}).await.unwrap();
    (client, credentials)
}

fn calls(gateway: &Gateway) -> Vec<(String, String, Option<u16>)> {
    gateway.received().into_iter().map(|r| (r.method, r.path, r.status)).collect()
}

#[tokio::test]
async fn a_renewal_that_enables_unchecked_families_is_not_compliant() {
    let gateway = common::gateway().await;
    // Standard documents only: three compliance checks passed.
    let (client, mut credentials) = onboarded(&gateway, "1000").await;
    assert_eq!(credentials.samples.len(), 3);

    // The same families again: renewed at once (200).
    gateway.clear_received();
    let renewed = onboarding::renew(&client, &credentials, OTP, &mut |_| {}).await.unwrap();
    assert!(renewed.samples.is_empty());
    assert_eq!(calls(&gateway), [("PATCH".into(), "/production/csids".into(), Some(200))]);

    // Simplified documents too: 428 with a new compliance CSID, the six checks, then 200.
    credentials = renewed;
    credentials.identity.invoice_type = "1100".into();
    gateway.clear_received();
    let renewed = onboarding::renew(&client, &credentials, OTP, &mut |_| {}).await.unwrap();
    let calls = calls(&gateway);
    assert_eq!(calls.first().unwrap(), &("PATCH".into(), "/production/csids".into(), Some(428)));
    assert_eq!(calls.iter().filter(|(_, p, s)| p == "/compliance/invoices" && *s == Some(200)).count(), 6);
    assert_eq!(calls.last().unwrap(), &("POST".into(), "/production/csids".into(), Some(200)));
    assert_eq!(renewed.samples.len(), 6);
    assert_ne!(renewed.compliance.request_id, credentials.compliance.request_id);
    assert!(renewed.signer().is_ok());
}

#[tokio::test]
async fn the_428_answer_has_zatcas_shape() {
    let gateway = Gateway::start(GatewayConfig { renewal_requires_compliance: true, ..Default::default() })
        .await
        .unwrap();
    let (_, credentials) = onboarded(&gateway, "1100").await;
    let key = qayd::generate_private_key().unwrap();
    let csr = qayd::build_csr(&credentials.identity, &key, &credentials.environment).unwrap();
    let authorization = basic(&credentials.production_credentials());
    let body = serde_json::json!({ "csr": csr.to_api_base64() }).to_string();
    let (status, content_type, text) = raw(
        &gateway,
        "PATCH",
        "/production/csids",
        &[
            ("Accept-Version", "V2"),
            ("OTP", OTP),
            ("Authorization", &authorization),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
    .await;
    assert_eq!(status, 428, "{text}");
    assert!(content_type.starts_with("application/json"), "{content_type}");
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = answer.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected =
        vec!["binarySecurityToken", "dispositionMessage", "errors", "requestID", "secret", "tokenType"];
    expected.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(answer["dispositionMessage"], "NOT_COMPLIANT");
    assert!(answer["tokenType"].is_null() && answer["errors"].is_null());
    assert!(answer["requestID"].is_u64());
    // The token is a compliance CSID for the new key: it passes compliance checks, not clearance.
    let token = answer["binarySecurityToken"].as_str().unwrap();
    let certificate = qayd::Certificate::from_bytes(token.as_bytes()).unwrap();
    assert!(certificate.matches(&key));

    // The core's renewal follows it through to a production CSID.
    let client = common::client(&gateway);
    let renewed = onboarding::renew(&client, &credentials, OTP, &mut |_| {}).await.unwrap();
    assert_eq!(renewed.samples.len(), 6);
}

#[tokio::test]
async fn a_production_csid_before_the_compliance_steps_is_missing_compliance_steps() {
    let gateway = common::gateway().await;
    let client = common::client(&gateway);
    let egs = common::compliance_egs(&client).await;
    let id = egs.compliance.request_id().unwrap().to_owned();
    let error = client.production_csid(&egs.compliance, &id).await.unwrap_err();
    assert_eq!(error.status(), Some(400), "{error}");
    assert!(error.to_string().contains("Missing-ComplianceSteps"), "{error}");
}
