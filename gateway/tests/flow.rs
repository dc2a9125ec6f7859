//! The whole onboarding and submission flow against the gateway on loopback, and what went over
//! the wire compared with ZATCA's OpenAPI examples.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::*;
use qayd::Signer;
use qayd::api::{Credentials, InvoiceSubmission, Outcome};

#[tokio::test]
async fn key_csr_compliance_production_clearance_reporting_duplicate_renewal() {
    let gateway = gateway().await;
    let (client, audit) = audited_client(&gateway);

    // Key → CSR → compliance CSID (OTP).
    let egs = compliance_egs(&client).await;
    let certificate = egs.compliance.certificate().unwrap();
    assert_eq!(certificate.issuer_name(), "CN=eInvoicing");
    assert!(certificate.matches(&egs.key));
    assert!(egs.compliance.request_id().is_some());

    // Production CSID refused until the compliance steps are done.
    let id = egs.compliance.request_id().unwrap().to_owned();
    let early = client.production_csid(&egs.compliance, &id).await.unwrap_err();
    assert_eq!(early.code(), "API_REJECTED");
    assert!(early.to_string().contains("Missing-ComplianceSteps"), "{early}");

    // Five of six compliance checks are still not enough.
    let mut chain = Chain::default();
    for (simplified, type_code) in [(false, 388), (false, 381), (false, 383), (true, 388), (true, 381)] {
        let stamped = document(simplified, type_code, &egs.compliance_signer, &mut chain);
        let outcome =
            client.compliance_invoice(&egs.compliance, &InvoiceSubmission::from(&stamped)).await.unwrap();
        let Outcome::Accepted(response) = outcome else { panic!("{outcome:?}") };
        let expected = if simplified { (Some("REPORTED"), None) } else { (None, Some("CLEARED")) };
        assert_eq!((response.reporting_status.as_deref(), response.clearance_status.as_deref()), expected);
        assert_eq!(response.status(), Some("PASS"));
    }
    let early = client.production_csid(&egs.compliance, &id).await.unwrap_err();
    assert!(early.to_string().contains("Missing-ComplianceSteps"), "{early}");
    let stamped = document(true, 383, &egs.compliance_signer, &mut chain);
    assert!(
        client
            .compliance_invoice(&egs.compliance, &InvoiceSubmission::from(&stamped))
            .await
            .unwrap()
            .is_accepted()
    );

    // Production CSID.
    let outcome = client.production_csid(&egs.compliance, &id).await.unwrap();
    let Outcome::Accepted(response) = outcome else { panic!("{outcome:?}") };
    assert_eq!(response.disposition_message.as_deref(), Some("ISSUED"));
    let production = Credentials::from_csid(client.environment().clone(), &response).unwrap();
    let production_certificate = production.certificate().unwrap();
    assert_eq!(production_certificate.issuer_name(), "CN=PRZEINVOICESCA4-CA, DC=extgazt, DC=gov, DC=local");
    let signer = Signer::new(production_certificate, egs.key.clone()).unwrap();

    // The compliance CSID cannot submit for real, nor the production CSID do compliance checks.
    let mut chain = Chain::default();
    let standard = document(false, 388, &signer, &mut chain);
    let submission = InvoiceSubmission::from(&standard);
    assert_eq!(client.clearance(&egs.compliance, &submission).await.unwrap(), Outcome::Unauthorized);
    assert_eq!(client.compliance_invoice(&production, &submission).await.unwrap(), Outcome::Unauthorized);

    // Clearance of a standard invoice: the cleared invoice comes back decoded.
    let outcome = client.clearance(&production, &submission).await.unwrap();
    let Outcome::Accepted(cleared) = outcome else { panic!("{outcome:?}") };
    assert_eq!(cleared.clearance_status.as_deref(), Some("CLEARED"));
    // Stamped again by the platform (see validation.rs): same UUID and invoice hash.
    let official = cleared.cleared_invoice_xml.as_deref().unwrap();
    assert_ne!(official, standard.xml.as_slice());
    let returned = InvoiceSubmission::from_signed_xml(official).unwrap();
    assert_eq!(
        (returned.uuid, returned.invoice_hash),
        (standard.uuid.clone(), standard.invoice_hash.clone())
    );

    // Reporting of a simplified invoice (the chain goes on).
    let simplified = document(true, 388, &signer, &mut chain);
    let outcome = client.reporting(&production, &InvoiceSubmission::from(&simplified)).await.unwrap();
    let Outcome::Accepted(reported) = outcome else { panic!("{outcome:?}") };
    assert_eq!(reported.reporting_status.as_deref(), Some("REPORTED"));

    // Duplicates: 208 with the cleared invoice; 409 for reporting.
    let outcome = client.clearance(&production, &submission).await.unwrap();
    let Outcome::Duplicate { status: 208, response: Some(again) } = outcome else { panic!("{outcome:?}") };
    assert_eq!(again.cleared_invoice_xml.as_deref(), Some(official));
    let outcome = client.reporting(&production, &InvoiceSubmission::from(&simplified)).await.unwrap();
    let Outcome::Duplicate { status: 409, response: Some(again) } = outcome else { panic!("{outcome:?}") };
    assert_eq!(again.reporting_status.as_deref(), Some("NOT_REPORTED"));
    assert_eq!(
        again.errors()[0].message.as_deref(),
        Some("Invoice was already Reported successfully earlier.")
    );

    // Renewal (PATCH) with a new key, a new CSR and a new OTP.
    let new_key = qayd::generate_private_key().unwrap();
    let csr = qayd::build_csr(&config(), &new_key, client.environment()).unwrap();
    let outcome = client.renew_production_csid(&production, &csr.to_api_base64(), OTP).await.unwrap();
    let Outcome::Accepted(renewed) = outcome else { panic!("{outcome:?}") };
    assert!(renewed.token_type.as_deref().is_some_and(|t| t.ends_with("#X509v3")));
    let renewed = Credentials::from_csid(client.environment().clone(), &renewed).unwrap();
    let renewed_signer = Signer::new(renewed.certificate().unwrap(), new_key).unwrap();
    // The EGS unit's chain continues across the renewal.
    let next = document(false, 381, &renewed_signer, &mut chain);
    let outcome = client.clearance(&renewed, &InvoiceSubmission::from(&next)).await.unwrap();
    assert!(outcome.is_accepted(), "{outcome:?}");

    // The audit hook saw every exchange, secrets redacted.
    let audit = audit.lock().unwrap();
    assert_eq!(audit.len(), gateway.received().len());
    for exchange in audit.iter() {
        let text = format!("{exchange:?}");
        assert!(!text.contains(production.secret()) && !text.contains(egs.compliance.secret()), "{text}");
        assert!(!text.contains(OTP), "{text}");
        if let Some((_, value)) = exchange.request_headers.iter().find(|(n, _)| n == "Authorization") {
            assert_eq!(value, "REDACTED");
        }
    }
    let first = &audit[0];
    assert_eq!((first.call, first.method.as_str(), first.status), ("compliance_csid", "POST", Some(200)));
    assert!(first.url.ends_with("/compliance"));
    assert!(String::from_utf8_lossy(&first.response_body).contains("\"secret\":\"REDACTED\""));
}

#[tokio::test]
async fn requests_match_the_openapi_examples() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let (egs, production, signer) = production_egs(&client).await;
    let mut chain = Chain::default();
    let standard = document(false, 388, &signer, &mut chain);
    let simplified = document(true, 388, &signer, &mut chain);
    client.clearance(&production, &InvoiceSubmission::from(&standard)).await.unwrap();
    client.reporting(&production, &InvoiceSubmission::from(&simplified)).await.unwrap();

    let received = gateway.received();
    let find = |method: &str, path: &str| {
        received
            .iter()
            .find(|r| r.method == method && r.path == path)
            .unwrap_or_else(|| panic!("{method} {path}"))
    };
    let basic = |c: &Credentials| {
        format!("Basic {}", B64.encode(format!("{}:{}", c.binary_security_token(), c.secret())))
    };
    for request in &received {
        assert_eq!(request.header("Accept-Version"), Some("V2"));
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        assert_eq!(request.header("Accept"), Some("application/json"));
        assert_eq!(request.header("Accept-Language"), Some("en"));
    }

    // POST /compliance: OTP, no auth, {"csr": base64(PEM)}.
    let compliance = find("POST", "/compliance");
    assert_eq!(compliance.header("OTP"), Some(OTP));
    assert_eq!(compliance.header("Authorization"), None);
    let body: serde_json::Value = serde_json::from_slice(&compliance.body).unwrap();
    assert_eq!(body.as_object().unwrap().keys().collect::<Vec<_>>(), ["csr"]);
    let pem = String::from_utf8(B64.decode(body["csr"].as_str().unwrap()).unwrap()).unwrap();
    assert!(
        pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\nMII")
            && pem.ends_with("-----END CERTIFICATE REQUEST-----\n")
    );

    // POST /compliance/invoices: Basic CCSID; {"invoiceHash","uuid","invoice"} in that order.
    let check = find("POST", "/compliance/invoices");
    assert_eq!(check.header("Authorization"), Some(basic(&egs.compliance).as_str()));
    let text = String::from_utf8(check.body.clone()).unwrap();
    assert!(
        text.starts_with("{\"invoiceHash\":\"")
            && text.contains("\",\"uuid\":\"")
            && text.contains("\",\"invoice\":\""),
        "{text}"
    );

    // POST /production/csids: {"compliance_request_id": "<requestID>"}.
    let production_request = find("POST", "/production/csids");
    assert_eq!(production_request.header("Authorization"), Some(basic(&egs.compliance).as_str()));
    let body: serde_json::Value = serde_json::from_slice(&production_request.body).unwrap();
    assert_eq!(body, serde_json::json!({"compliance_request_id": egs.compliance.request_id().unwrap()}));

    // Clearance / reporting: PCSID, Clearance-Status 1 / 0, body = the stamped document.
    let clearance = find("POST", "/invoices/clearance/single");
    assert_eq!(clearance.header("Authorization"), Some(basic(&production).as_str()));
    assert_eq!(clearance.header("Clearance-Status"), Some("1"));
    let body: serde_json::Value = serde_json::from_slice(&clearance.body).unwrap();
    assert_eq!(body["invoiceHash"], standard.invoice_hash.as_str());
    assert_eq!(body["uuid"], standard.uuid.as_str());
    assert_eq!(B64.decode(body["invoice"].as_str().unwrap()).unwrap(), standard.xml);
    let reporting = find("POST", "/invoices/reporting/single");
    assert_eq!(reporting.header("Clearance-Status"), Some("0"));

    // The binarySecurityToken is base64 of the base64 DER: decoding once gives "MII…".
    let once = B64.decode(production.binary_security_token()).unwrap();
    assert!(once.starts_with(b"MII"));
    assert_eq!(B64.decode(&once).unwrap(), production.certificate().unwrap().der());

    // The OpenAPI example requests parse as our request type, field for field.
    let vectors =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/fatoora-api/extracted");
    for name in ["clearance_request.json", "reporting_request.json"] {
        let example: serde_json::Value =
            serde_json::from_slice(&std::fs::read(vectors.join(name)).unwrap()).unwrap();
        let typed: InvoiceSubmission = serde_json::from_value(example.clone()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), example);
        // …and our builder computes the same hash and UUID from the example's document.
        let rebuilt = InvoiceSubmission::from_signed_xml(&typed.xml().unwrap()).unwrap();
        assert_eq!(rebuilt, typed, "{name}");
    }
}

#[tokio::test]
async fn compliance_answers_have_the_example_shape() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let egs = compliance_egs(&client).await;
    let mut chain = Chain::default();
    let stamped = document(true, 388, &egs.compliance_signer, &mut chain);
    client.compliance_invoice(&egs.compliance, &InvoiceSubmission::from(&stamped)).await.unwrap();
    // Fetch the raw answer through the admin view of the exchange: re-send by hand.
    let body = serde_json::to_vec(&InvoiceSubmission::from(&stamped)).unwrap();
    let raw = raw_post(&gateway, "/compliance/invoices", &egs.compliance, &body).await;
    let value: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["clearanceStatus", "qrBuyertStatus", "qrSellertStatus", "reportingStatus", "validationResults"]
    );
    assert_eq!(value["validationResults"]["infoMessages"][0]["code"], "XSD_ZATCA_VALID");
    assert_eq!(value["validationResults"]["status"], "PASS");
    assert_eq!(value["reportingStatus"], "REPORTED");
    assert!(value["clearanceStatus"].is_null());
}

/// A POST with the client's headers, by hand over TCP, returning the body text.
async fn raw_post(
    gateway: &qayd_gateway::Gateway,
    path: &str,
    credentials: &Credentials,
    body: &[u8],
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(gateway.addr()).await.unwrap();
    let auth = B64.encode(format!("{}:{}", credentials.binary_security_token(), credentials.secret()));
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Version: V2\r\nContent-Type: application/json\r\nAuthorization: Basic {auth}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8(response).unwrap();
    text.split_once("\r\n\r\n").unwrap().1.to_owned()
}

#[tokio::test]
async fn late_reporting_is_accepted_with_a_warning() {
    let gateway = qayd_gateway::Gateway::start(qayd_gateway::GatewayConfig {
        warn_late_reporting: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = client(&gateway);
    let (_egs, production, signer) = production_egs(&client).await;
    let mut chain = Chain::default();
    // The SDK sample was issued in 2022: far more than 24 hours ago.
    let simplified = document(true, 388, &signer, &mut chain);
    let outcome = client.reporting(&production, &InvoiceSubmission::from(&simplified)).await.unwrap();
    let Outcome::AcceptedWithWarnings(response) = outcome else { panic!("{outcome:?}") };
    assert_eq!(response.reporting_status.as_deref(), Some("REPORTED"));
    assert_eq!(response.status(), Some("WARNING"));
    assert_eq!(response.warnings()[0].code.as_deref(), Some("BR-KSA-98"));
    assert_eq!(gateway.received().last().unwrap().status, Some(202));
    // Standard documents are not concerned.
    let standard = document(false, 388, &signer, &mut chain);
    let outcome = client.clearance(&production, &InvoiceSubmission::from(&standard)).await.unwrap();
    assert!(matches!(outcome, Outcome::Accepted(_)), "{outcome:?}");
}

#[tokio::test]
async fn certificates_are_signed_by_the_configured_ca() {
    use der::{Decode, Encode};
    let ca_key = qayd::generate_private_key().unwrap();
    let gateway = qayd_gateway::Gateway::start(qayd_gateway::GatewayConfig {
        ca_key: Some(ca_key.to_sec1_pem().unwrap()),
        ..Default::default()
    })
    .await
    .unwrap();
    let ca = qayd::Certificate::from_bytes(gateway.ca_certificate_pem().as_bytes()).unwrap();
    assert!(ca.matches(&ca_key));
    let (status, _, pem) = raw(&gateway, "GET", "/__qayd/ca", &[], b"").await;
    assert_eq!((status, pem.as_str()), (200, gateway.ca_certificate_pem().as_str()));

    let client = client(&gateway);
    let (egs, production, _) = production_egs(&client).await;
    for credentials in [&egs.compliance, &production] {
        let certificate = credentials.certificate().unwrap();
        let parsed = x509_cert::Certificate::from_der(certificate.der()).unwrap();
        let tbs = parsed.tbs_certificate().to_der().unwrap();
        assert!(ca.verify(&tbs, certificate.signature_der()), "signed by the CA");
        // Subject and SAN come from the CSR.
        let subject = parsed.tbs_certificate().subject().to_string();
        assert!(subject.contains("CN=TST-886431145-399999999900003"), "{subject}");
        assert!(certificate.not_after_unix() > certificate.not_before_unix() + 365 * 86400);
    }
    // Compliance CSID keeps the CSR's subject order (C, OU, O, CN); production uses C, O, OU, CN.
    let order = |c: &Credentials| {
        let parsed = x509_cert::Certificate::from_der(c.certificate().unwrap().der()).unwrap();
        parsed.tbs_certificate().subject().iter().map(|a| a.oid.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(order(&egs.compliance), ["2.5.4.6", "2.5.4.11", "2.5.4.10", "2.5.4.3"]);
    assert_eq!(order(&production), ["2.5.4.6", "2.5.4.10", "2.5.4.11", "2.5.4.3"]);
}
