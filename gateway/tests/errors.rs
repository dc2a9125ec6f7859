//! Every error class, as the gateway answers it and as the client classifies it.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::*;
use qayd::api::{Credentials, InvoiceSubmission, Outcome};
use qayd::{Environment, Error, Signer};
use qayd_gateway::{Fault, Gateway, GatewayConfig};

fn csr_body(csr: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "csr": csr })).unwrap()
}

#[tokio::test]
async fn otp_missing_wrong_and_configured() {
    let gateway = Gateway::start(GatewayConfig { valid_otps: vec!["654321".into()], ..Default::default() })
        .await
        .unwrap();
    let client = client(&gateway);
    let key = qayd::generate_private_key().unwrap();
    let csr = qayd::build_csr(&config(), &key, client.environment()).unwrap().to_api_base64();

    // "123456" is not valid on this gateway.
    let error = client.compliance_csid(&csr, "123456").await.unwrap_err();
    assert!(
        matches!(&error, Error::ApiRejected { status: 400, message } if message.contains("Invalid-OTP")),
        "{error:?}"
    );
    assert!(!error.to_string().contains("123456"), "the OTP must not appear in errors: {error}");
    assert!(client.compliance_csid(&csr, "654321").await.unwrap().is_accepted());

    // The client refuses an empty OTP locally; by hand, the gateway answers Missing-OTP.
    assert_eq!(client.compliance_csid(&csr, "").await.unwrap_err().code(), "INVALID_INPUT");
    let (status, _, body) =
        raw(&gateway, "POST", "/compliance", &[("Accept-Version", "V2")], &csr_body(&csr)).await;
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        serde_json::json!({"errors":[{"code":"Missing-OTP","message":"OTP is required field"}]})
    );
}

#[tokio::test]
async fn bad_csrs() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let key = qayd::generate_private_key().unwrap();
    let good = qayd::build_csr(&config(), &key, client.environment()).unwrap();

    let mut tampered = good.der().to_vec();
    let at = tampered.len() - 5;
    tampered[at] ^= 0x40;
    let tampered = B64.encode(qayd::csr::pem("CERTIFICATE REQUEST", &tampered));
    // ZATCA's own example CSR is fine (production template, signature valid).
    let example = B64.encode(
        std::fs::read(samples().join("../../../fatoora-api/extracted/compliance_request_csr.pem")).unwrap(),
    );
    assert!(client.compliance_csid(&example, OTP).await.unwrap().is_accepted());

    for (what, csr) in [
        ("not base64", "%%%".to_owned()),
        ("base64 of garbage", B64.encode("hello")),
        ("signature broken", tampered),
        ("a certificate, not a CSR", B64.encode(gateway.ca_certificate_pem())),
    ] {
        let error = client.compliance_csid(&csr, OTP).await.unwrap_err();
        assert!(
            matches!(&error, Error::ApiRejected { status: 400, message } if message.contains("Invalid-CSR")),
            "{what}: {error:?}"
        );
    }
    let (status, _, body) =
        raw(&gateway, "POST", "/compliance", &[("Accept-Version", "V2"), ("OTP", OTP)], b"{}").await;
    assert_eq!(status, 400);
    assert!(body.contains("Missing-CSR"), "{body}");
}

#[tokio::test]
async fn accept_version_is_required_everywhere() {
    let gateway = gateway().await;
    for (method, path) in [
        ("POST", "/compliance"),
        ("POST", "/compliance/invoices"),
        ("POST", "/production/csids"),
        ("PATCH", "/production/csids"),
        ("POST", "/invoices/clearance/single"),
        ("POST", "/invoices/reporting/single"),
    ] {
        for headers in [&[][..], &[("Accept-Version", "V1")][..]] {
            let (status, content_type, body) = raw(&gateway, method, path, headers, b"{}").await;
            assert_eq!(status, 406, "{method} {path}");
            assert!(content_type.starts_with("text/plain"), "{content_type}");
            assert_eq!(body, "This Version is not supported or not provided in the header.");
        }
    }
    // The client classifies a 406 as an HTTP error naming the version.
    let client = client(&gateway);
    gateway.inject(Fault {
        status: Some(406),
        body: Some("This Version is not supported or not provided in the header.".into()),
        content_type: Some("text/plain;charset=UTF-8".into()),
        ..Default::default()
    });
    let error = client.compliance_csid("x", OTP).await.unwrap_err();
    assert!(
        matches!(&error, Error::Http { status: 406, message } if message.contains("Accept-Version")),
        "{error:?}"
    );
}

#[tokio::test]
async fn wrong_credentials_are_unauthorized() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let (_egs, production, signer) = production_egs(&client).await;
    let mut chain = Chain::default();
    let stamped = document(false, 388, &signer, &mut chain);
    let submission = InvoiceSubmission::from(&stamped);

    let wrong_secret =
        Credentials::new(client.environment().clone(), production.binary_security_token(), "nope");
    assert_eq!(client.clearance(&wrong_secret, &submission).await.unwrap(), Outcome::Unauthorized);
    let unknown =
        Credentials::new(client.environment().clone(), B64.encode("MIIunknown"), production.secret());
    assert_eq!(client.reporting(&unknown, &submission).await.unwrap(), Outcome::Unauthorized);
    let error = client.production_csid(&wrong_secret, "1").await.unwrap().into_result().unwrap_err();
    assert_eq!(error.code(), "UNAUTHORIZED");

    // No Authorization at all: ZATCA's 401 body.
    let (status, _, body) =
        raw(&gateway, "POST", "/invoices/clearance/single", &[("Accept-Version", "V2")], b"{}").await;
    assert_eq!(status, 401);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (body["status"].as_u64(), body["error"].as_str(), body["message"].as_str()),
        (Some(401), Some("Unauthorized"), Some(""))
    );
    assert!(body["timestamp"].is_i64());
}

#[tokio::test]
async fn credentials_of_another_environment_are_refused_locally() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let (_egs, production, signer) = production_egs(&client).await;
    let before = gateway.received().len();
    let elsewhere =
        Credentials::new(Environment::Simulation, production.binary_security_token(), production.secret());
    let mut chain = Chain::default();
    let stamped = document(false, 388, &signer, &mut chain);
    let error = client.clearance(&elsewhere, &InvoiceSubmission::from(&stamped)).await.unwrap_err();
    assert_eq!(error.code(), "ENVIRONMENT_MISMATCH");
    assert!(error.to_string().contains("simulation"), "{error}");
    assert!(!error.to_string().contains(production.secret()));
    assert_eq!(gateway.received().len(), before, "nothing was sent");
    // And the secret never shows in Debug.
    let debug = format!("{production:?} {elsewhere:?}");
    assert!(!debug.contains(production.secret()) && debug.contains("<redacted>"), "{debug}");
}

#[tokio::test]
async fn document_errors() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let (egs, production, signer) = production_egs(&client).await;
    let mut chain = Chain::default();

    // Hash in the body does not match the document.
    let stamped = document(false, 388, &signer, &mut chain);
    let mut submission = InvoiceSubmission::from(&stamped);
    submission.invoice_hash = B64.encode([7u8; 32]);
    let outcome = client.clearance(&production, &submission).await.unwrap();
    assert_eq!(codes(&outcome), ["invalid-invoice-hash"]);
    let Outcome::Rejected { status: 400, response: Some(response), .. } = &outcome else { panic!() };
    assert_eq!(response.clearance_status.as_deref(), Some("NOT_CLEARED"));
    assert_eq!(response.cleared_invoice, None);
    assert_eq!(response.errors()[0].category.as_deref(), Some("INVOICE_HASHING_ERRORS"));

    // Hash not a hash; hash missing; UUID different.
    let stamped = document(false, 388, &signer, &mut chain);
    let mut submission = InvoiceSubmission::from(&stamped);
    submission.invoice_hash = "abc".into();
    assert_eq!(codes(&client.clearance(&production, &submission).await.unwrap()), ["InvoiceHash-Errors"]);
    submission.invoice_hash = String::new();
    let outcome = client.clearance(&production, &submission).await.unwrap();
    let Outcome::Rejected { messages, .. } = &outcome else { panic!() };
    assert_eq!(messages[0].message.as_deref(), Some("Document hash is not present in the API body"));
    // (those two were refused before the document was read: the chain did not move.)
    let mut submission = InvoiceSubmission::from(&stamped);
    submission.uuid = uuid::Uuid::new_v4().to_string();
    assert_eq!(codes(&client.clearance(&production, &submission).await.unwrap()), ["invalid-uuid"]);

    // Not base64 / not XML.
    let mut submission = InvoiceSubmission::from(&stamped);
    submission.invoice = "!!!".into();
    assert_eq!(codes(&client.clearance(&production, &submission).await.unwrap()), ["XSD_ZATCA_INVALID"]);
    submission.invoice = B64.encode("<Invoice");
    assert_eq!(codes(&client.clearance(&production, &submission).await.unwrap()), ["XSD_ZATCA_INVALID"]);

    // Tampered after stamping: the signature no longer covers it.
    let stamped = document(false, 388, &signer, &mut chain);
    let text = String::from_utf8(stamped.xml.clone()).unwrap();
    let tampered = text.replacen("<cbc:ID>SME00023</cbc:ID>", "<cbc:ID>SME00099</cbc:ID>", 1);
    assert_ne!(tampered, text);
    let submission = InvoiceSubmission::from_signed_xml(tampered.as_bytes()).unwrap();
    let found = codes(&client.clearance(&production, &submission).await.unwrap());
    assert!(found.contains(&"invalid-digital-signature".to_owned()), "{found:?}");
    chain.pih = submission.invoice_hash.clone(); // the rejected document joined the chain

    // A flipped SignatureValue.
    let stamped = document(false, 388, &signer, &mut chain);
    let text = String::from_utf8(stamped.xml.clone()).unwrap();
    let value = &stamped.signature;
    let mut flipped: Vec<u8> = B64.decode(value).unwrap();
    let last = flipped.len() - 2;
    flipped[last] ^= 1;
    let tampered = text.replacen(value.as_str(), &B64.encode(flipped), 1);
    let submission = InvoiceSubmission::from_signed_xml(tampered.as_bytes()).unwrap();
    let found = codes(&client.clearance(&production, &submission).await.unwrap());
    assert!(found.contains(&"invalid-digital-signature".to_owned()), "{found:?}");

    // Signed with another certificate (this EGS unit's compliance CSID).
    let other = document(false, 388, &egs.compliance_signer, &mut chain);
    let found = codes(&client.clearance(&production, &InvoiceSubmission::from(&other)).await.unwrap());
    assert_eq!(found, ["invalid-certificate"]);

    // Wrong endpoint for the family.
    let simplified = document(true, 388, &signer, &mut chain);
    assert_eq!(
        codes(&client.clearance(&production, &InvoiceSubmission::from(&simplified)).await.unwrap()),
        ["invalid-invoice-type"]
    );
    let standard = document(false, 388, &signer, &mut chain);
    assert_eq!(
        codes(&client.reporting(&production, &InvoiceSubmission::from(&standard)).await.unwrap()),
        ["invalid-invoice-type"]
    );

    // Chain: a document with a stale PIH, then an ICV gap. The platform accepts both with a
    // warning (202): KSA-13 "PIH is inValid"; the gap with this gateway's own code.
    let warnings = |outcome: &qayd::api::Outcome<qayd::api::SubmissionResponse>| -> Vec<String> {
        assert!(matches!(outcome, qayd::api::Outcome::AcceptedWithWarnings(_)), "{outcome:?}");
        outcome.response().unwrap().warnings().iter().filter_map(|m| m.code.clone()).collect()
    };
    let mut stale = chain.clone();
    stale.pih = qayd::GENESIS_PIH.into();
    let broken = document(false, 388, &signer, &mut stale);
    let outcome = client.clearance(&production, &InvoiceSubmission::from(&broken)).await.unwrap();
    assert_eq!(warnings(&outcome), ["KSA-13"]);
    let text = &outcome.response().unwrap().warnings()[0].message;
    assert_eq!(text.as_deref(), Some("PIH is inValid"));
    chain = Chain { icv: stale.icv + 5, pih: broken.invoice_hash.clone() };
    let gap = document(false, 388, &signer, &mut chain);
    let outcome = client.clearance(&production, &InvoiceSubmission::from(&gap)).await.unwrap();
    assert_eq!(warnings(&outcome), ["invalid-icv"]);
    // Back on the chain: accepted, no warning.
    let good = document(false, 388, &signer, &mut chain);
    let outcome = client.clearance(&production, &InvoiceSubmission::from(&good)).await.unwrap();
    assert!(outcome.is_accepted(), "{outcome:?}");

    // Clearance switched off (Clearance-Status: 0) → 303.
    let body = serde_json::to_vec(&InvoiceSubmission::from(&good)).unwrap();
    let (status, _, text) = raw(
        &gateway,
        "POST",
        "/invoices/clearance/single",
        &[("Accept-Version", "V2"), ("Authorization", &basic(&production)), ("Clearance-Status", "0")],
        &body,
    )
    .await;
    assert_eq!(status, 303, "{text}");
    assert!(text.contains("Clearance is deactiviated"));
}

#[tokio::test]
async fn seller_vat_must_be_the_certificates() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let key = qayd::generate_private_key().unwrap();
    let mut other = config();
    other.organization_identifier = "311111111100003".into();
    let csr = qayd::build_csr(&other, &key, client.environment()).unwrap();
    let Outcome::Accepted(response) = client.compliance_csid(&csr.to_api_base64(), OTP).await.unwrap() else {
        panic!()
    };
    let credentials = Credentials::from_csid(client.environment().clone(), &response).unwrap();
    let signer = Signer::new(credentials.certificate().unwrap(), key).unwrap();
    let stamped = document(true, 388, &signer, &mut Chain::default());
    let outcome = client.compliance_invoice(&credentials, &InvoiceSubmission::from(&stamped)).await.unwrap();
    assert_eq!(codes(&outcome), ["certificate-permissions"]);
    let Outcome::Rejected { response: Some(response), .. } = outcome else { panic!() };
    assert_eq!(response.reporting_status.as_deref(), Some("NOT_REPORTED"));
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let gateway = Gateway::start(GatewayConfig { body_limit: 4096, ..Default::default() }).await.unwrap();
    let client = client(&gateway);
    let key = qayd::generate_private_key().unwrap();
    let csr = qayd::build_csr(&config(), &key, client.environment()).unwrap().to_api_base64();
    // A CSR fits…
    let Outcome::Accepted(response) = client.compliance_csid(&csr, OTP).await.unwrap() else { panic!() };
    let credentials = Credentials::from_csid(client.environment().clone(), &response).unwrap();
    let signer = Signer::new(credentials.certificate().unwrap(), key).unwrap();
    // …an invoice of ~10 kB does not.
    let stamped = document(true, 388, &signer, &mut Chain::default());
    let error =
        client.compliance_invoice(&credentials, &InvoiceSubmission::from(&stamped)).await.unwrap_err();
    assert!(matches!(&error, Error::Http { status: 413, .. }), "{error:?}");
    assert_eq!(error.code(), "HTTP");
    assert_eq!(gateway.received().last().unwrap().status, Some(413));
}

#[tokio::test]
async fn html_and_garbage_are_unexpected_responses() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let (_egs, production, signer) = production_egs(&client).await;
    let stamped = document(false, 388, &signer, &mut Chain::default());
    let submission = InvoiceSubmission::from(&stamped);
    for (status, content_type, body) in [
        (200, "text/html", "<html><body>Captive portal: please log in</body></html>"),
        (200, "application/json", "{\"unrelated\": true}"),
        (400, "application/json", "not json at all"),
        (200, "application/octet-stream", "\u{0}\u{1}garbage"),
    ] {
        gateway.inject(Fault {
            status: Some(status),
            body: Some(body.into()),
            content_type: Some(content_type.into()),
            ..Default::default()
        });
        let error = client.clearance(&production, &submission).await.unwrap_err();
        assert_eq!(error.code(), "UNEXPECTED_RESPONSE", "{body}: {error:?}");
        assert!(matches!(&error, Error::UnexpectedResponse { status: s, .. } if *s == status));
    }
    // CSID call answered with HTML.
    gateway.inject(Fault {
        status: Some(200),
        body: Some("<html/>".into()),
        content_type: Some("text/html".into()),
        ..Default::default()
    });
    let error = client.compliance_csid("x", OTP).await.unwrap_err();
    assert_eq!(error.code(), "UNEXPECTED_RESPONSE");
    // The real gateway answers correctly afterwards.
    assert!(client.clearance(&production, &submission).await.unwrap().is_accepted());
}

#[tokio::test]
async fn single_use_otps_and_renewal_with_a_new_otp() {
    let gateway = Gateway::start(GatewayConfig {
        valid_otps: vec!["246810".into(), "135791".into(), "975310".into()],
        single_use_otps: true,
        require_compliance_steps: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = client(&gateway);
    let key = qayd::generate_private_key().unwrap();
    let csr = qayd::build_csr(&config(), &key, client.environment()).unwrap().to_api_base64();
    let Outcome::Accepted(response) = client.compliance_csid(&csr, "246810").await.unwrap() else { panic!() };
    let compliance = Credentials::from_csid(client.environment().clone(), &response).unwrap();
    // The same OTP again is refused.
    let error = client.compliance_csid(&csr, "246810").await.unwrap_err();
    assert!(error.to_string().contains("Invalid-OTP"), "{error}");
    let id = compliance.request_id().unwrap().to_owned();
    let Outcome::Accepted(response) = client.production_csid(&compliance, &id).await.unwrap() else {
        panic!()
    };
    let production = Credentials::from_csid(client.environment().clone(), &response).unwrap();
    // Renewal needs a fresh OTP too.
    let error = client.renew_production_csid(&production, &csr, "246810").await.unwrap_err();
    assert!(error.to_string().contains("Invalid-OTP"), "{error}");
    assert!(client.renew_production_csid(&production, &csr, "135791").await.unwrap().is_accepted());
    // A CSR for another VAT number cannot renew this CSID.
    let mut other = config();
    other.organization_identifier = "311111111100003".into();
    let other = qayd::build_csr(&other, &key, client.environment()).unwrap().to_api_base64();
    let error = client.renew_production_csid(&production, &other, "975310").await.unwrap_err();
    assert!(error.to_string().contains("Invalid-CSR"), "{error}");
}
