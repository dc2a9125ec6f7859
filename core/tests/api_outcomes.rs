//! The client's classification of every answer in ZATCA's OpenAPI examples (served verbatim by the
//! local gateway's fault injection on 127.0.0.1), and the client's local guarantees: no secret in
//! `Debug`, environment checks, error codes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use qayd::api::{Client, Credentials, CsidResponse, InvoiceSubmission, Outcome, SubmissionResponse};
use qayd::{Environment, Error};
use qayd_gateway::{Fault, Gateway, GatewayConfig};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn api_vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/fatoora-api")
}

/// (status, content type, example name, body text) of every example of one operation.
fn examples(file: &str, path: &str, method: &str) -> Vec<(u16, String, String, String)> {
    let doc: Value =
        serde_json::from_slice(&std::fs::read(api_vectors().join("zatca_docs").join(file)).unwrap()).unwrap();
    let mut out = Vec::new();
    for (code, response) in doc["paths"][path][method]["responses"].as_object().unwrap() {
        let Some(content) = response["content"].as_object() else { continue };
        for (content_type, media) in content {
            let mut list: Vec<(String, Value)> = match media["examples"].as_object() {
                Some(map) => map.iter().map(|(k, v)| (k.clone(), v["value"].clone())).collect(),
                None => vec![("example".into(), media["example"].clone())],
            };
            for (name, mut value) in list.drain(..) {
                // The 428 renewal example is wrapped once more in {"value": …} in ZATCA's file.
                if value.as_object().is_some_and(|o| o.len() == 1 && o.contains_key("value")) {
                    value = value["value"].clone();
                }
                let body = match value {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                out.push((code.parse().unwrap(), content_type.clone(), name, body));
            }
        }
    }
    assert!(!out.is_empty(), "{file} {method} {path}");
    out
}

async fn setup() -> (Gateway, Client, Credentials, InvoiceSubmission) {
    let gateway = Gateway::start(GatewayConfig::default()).await.unwrap();
    let environment = Environment::Custom(gateway.base_url());
    let client = Client::new(environment.clone()).unwrap();
    let credentials = Credentials::new(environment, "VE9LRU4=", "s3cr3t-value");
    let request: InvoiceSubmission = serde_json::from_slice(
        &std::fs::read(api_vectors().join("extracted/clearance_request.json")).unwrap(),
    )
    .unwrap();
    (gateway, client, credentials, request)
}

fn serve(gateway: &Gateway, status: u16, content_type: &str, body: &str) {
    gateway.inject(Fault {
        status: Some(status),
        body: Some(body.to_owned()),
        content_type: Some(content_type.to_owned()),
        ..Default::default()
    });
}

fn first_code(outcome: &Outcome<SubmissionResponse>) -> String {
    match outcome {
        Outcome::Rejected { messages, .. } => messages[0].code.clone().unwrap_or_default(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn clearance_examples() {
    let (gateway, client, credentials, request) = setup().await;
    let mut seen = Vec::new();
    for (status, content_type, name, body) in
        examples("clearance-api_openapi.json", "/invoices/clearance/single", "post")
    {
        serve(&gateway, status, &content_type, &body);
        let result = client.clearance(&credentials, &request).await;
        match status {
            200 => {
                let Ok(Outcome::Accepted(response)) = result else { panic!("{name}: {result:?}") };
                let expected =
                    std::fs::read(api_vectors().join("extracted/clearance_response_200_clearedInvoice.xml"))
                        .unwrap();
                assert_eq!(response.cleared_invoice_xml.as_deref(), Some(expected.as_slice()));
                assert_eq!(response.clearance_status.as_deref(), Some("CLEARED"));
            }
            202 => {
                let Ok(Outcome::AcceptedWithWarnings(response)) = result else {
                    panic!("{name}: {result:?}")
                };
                assert_eq!(response.warnings()[0].code.as_deref(), Some("BR-KSA-51"));
                assert!(response.cleared_invoice_xml.is_some());
            }
            208 => {
                let Ok(Outcome::Duplicate { status: 208, response: Some(response) }) = result else {
                    panic!("{name}: {result:?}")
                };
                assert!(response.cleared_invoice_xml.is_some());
            }
            303 => assert!(matches!(result, Err(Error::Http { status: 303, .. })), "{name}: {result:?}"),
            400 => {
                let outcome = result.unwrap();
                let code = first_code(&outcome);
                assert!(!code.is_empty(), "{name}");
                let Outcome::Rejected { response: Some(response), .. } = outcome else { panic!() };
                assert_eq!(response.clearance_status.as_deref(), Some("NOT_CLEARED"), "{name}");
            }
            401 => assert_eq!(result.unwrap(), Outcome::Unauthorized),
            500 => assert!(
                matches!(result, Ok(Outcome::Retryable { status: Some(500), .. })),
                "{name}: {result:?}"
            ),
            other => panic!("unplanned example status {other}"),
        }
        seen.push(status);
    }
    seen.dedup();
    assert_eq!(seen, [200, 202, 208, 303, 400, 401, 500]);
}

#[tokio::test]
async fn reporting_examples() {
    let (gateway, client, credentials, request) = setup().await;
    let mut seen = Vec::new();
    for (status, content_type, name, body) in
        examples("reporting-api_openapi.json", "/invoices/reporting/single", "post")
    {
        serve(&gateway, status, &content_type, &body);
        let result = client.reporting(&credentials, &request).await;
        match status {
            200 => assert!(
                matches!(&result, Ok(Outcome::Accepted(r)) if r.reporting_status.as_deref() == Some("REPORTED"))
            ),
            202 => {
                let Ok(Outcome::AcceptedWithWarnings(response)) = result else {
                    panic!("{name}: {result:?}")
                };
                let codes: Vec<_> = response.warnings().iter().filter_map(|w| w.code.as_deref()).collect();
                assert_eq!(codes, ["BR-CO-17", "BR-KSA-98"]);
            }
            400 => {
                let outcome = result.unwrap();
                assert!(!first_code(&outcome).is_empty(), "{name}");
            }
            401 => assert_eq!(result.unwrap(), Outcome::Unauthorized),
            406 => {
                let error = result.unwrap_err();
                assert!(
                    matches!(&error, Error::Http { status: 406, message } if message.contains("This Version is not supported")),
                    "{error:?}"
                );
            }
            409 => {
                let Ok(Outcome::Duplicate { status: 409, response: Some(response) }) = result else {
                    panic!("{name}: {result:?}")
                };
                assert_eq!(response.reporting_status.as_deref(), Some("NOT_REPORTED"));
            }
            500 => assert!(
                matches!(result, Ok(Outcome::Retryable { status: Some(500), .. })),
                "{name}: {result:?}"
            ),
            other => panic!("unplanned example status {other}"),
        }
        seen.push(status);
    }
    seen.dedup();
    assert_eq!(seen, [200, 202, 400, 401, 406, 409, 500]);
}

#[tokio::test]
async fn renewal_examples() {
    let (gateway, client, credentials, _) = setup().await;
    for (status, content_type, name, body) in
        examples("renewal-api_openapi.json", "/production/csids", "patch")
    {
        serve(&gateway, status, &content_type, &body);
        let result = client.renew_production_csid(&credentials, "Q1NS", "123456").await;
        match status {
            200 => {
                let Ok(Outcome::Accepted(response)) = result else { panic!("{name}: {result:?}") };
                assert_eq!(response.request_id.as_deref(), Some("347"));
                assert_eq!(response.disposition_message.as_deref(), Some("ISSUED"));
                let certificate = response.certificate().unwrap();
                assert!(
                    certificate.issuer_name().contains("PRZEINVOICESCA"),
                    "{}",
                    certificate.issuer_name()
                );
                let renewed = Credentials::from_csid(client.environment().clone(), &response).unwrap();
                assert!(!format!("{renewed:?} {response:?}").contains(response.secret.as_deref().unwrap()));
            }
            400 => {
                let error = result.unwrap_err();
                let example: Value = serde_json::from_str(&body).unwrap();
                let code = example["errors"][0]["code"].as_str().unwrap();
                assert!(
                    matches!(&error, Error::ApiRejected { status: 400, message } if message.contains(code)),
                    "{error:?}"
                );
                assert_eq!(error.code(), "API_REJECTED");
            }
            401 => assert_eq!(result.unwrap(), Outcome::Unauthorized),
            406 => assert!(matches!(result, Err(Error::Http { status: 406, .. }))),
            428 => {
                let Ok(Outcome::ComplianceRequired(response)) = result else { panic!("{name}: {result:?}") };
                assert_eq!(response.disposition_message.as_deref(), Some("NOT_COMPLIANT"));
                assert!(response.certificate().unwrap().issuer_name().contains("eInvoicing"));
            }
            500 => assert!(matches!(result, Ok(Outcome::Retryable { status: Some(500), .. }))),
            other => panic!("unplanned example status {other}"),
        }
    }
}

#[tokio::test]
async fn compliance_examples_from_the_markdown_docs() {
    let (gateway, client, credentials, request) = setup().await;
    // complianceCert-api.md 200 (requestID a number, no tokenType).
    let issued = r#"{"requestID":1234567890123,"dispositionMessage":"ISSUED","binarySecurityToken":"TUlJQ1BUQ0NBZU9nQXdJQkFnSUdBWXp6Z0VoTk1Bb0dDQ3FHU000OUJBTUNNQlV4RXpBUkJnTlZCQU1NQ21WSmJuWnZhV05wYm1jd0hoY05NalF3TVRFd01UTXhNVFUwV2hjTk1qa3dNVEE1TWpFd01EQXdXakIxTVFzd0NRWURWUVFHRXdKVFFURVdNQlFHQTFVRUN3d05VbWw1WVdSb0lFSnlZVzVqYURFbU1DUUdBMVVFQ2d3ZFRXRjRhVzExYlNCVGNHVmxaQ0JVWldOb0lGTjFjSEJzZVNCTVZFUXhKakFrQmdOVkJBTU1IVlJUVkMwNE9EWTBNekV4TkRVdE16azVPVGs1T1RrNU9UQXdNREF6TUZZd0VBWUhLb1pJemowQ0FRWUZLNEVFQUFvRFFnQUVvV0NLYTBTYTlGSUVyVE92MHVBa0MxVklLWHhVOW5QcHgydmxmNHloTWVqeThjMDJYSmJsRHE3dFB5ZG84bXEwYWhPTW1Obzhnd25pN1h0MUtUOVVlS09Cd1RDQnZqQU1CZ05WSFJNQkFmOEVBakFBTUlHdEJnTlZIUkVFZ2FVd2dhS2tnWjh3Z1p3eE96QTVCZ05WQkFRTU1qRXRWRk5VZkRJdFZGTlVmRE10WldReU1tWXhaRGd0WlRaaE1pMHhNVEU0TFRsaU5UZ3RaRGxoT0dZeE1XVTBORFZtTVI4d0hRWUtDWkltaVpQeUxHUUJBUXdQTXprNU9UazVPVGs1T1RBd01EQXpNUTB3Q3dZRFZRUU1EQVF4TVRBd01SRXdEd1lEVlFRYURBaFNVbEpFTWpreU9URWFNQmdHQTFVRUR3d1JVM1Z3Y0d4NUlHRmpkR2wyYVhScFpYTXdDZ1lJS29aSXpqMEVBd0lEU0FBd1JRSWhBSUY4akljeHp2Q3lxVURUcDVPbXY3MlVweFBBTG1vUnl0OURZMjRqV21CUUFpQTBiYVo2WXJwcDV5SjRhaG9vb1czK09hOGtrYjMxZXZBb0hkdmdEODA2M3c9PQ==","secret":"Dehvg1fc8GF6Jwt5bOxXwC6enR93VxeNEo2mlUatfgw="}"#;
    serve(&gateway, 200, "application/json", issued);
    let outcome = client.compliance_csid("Q1NS", "123456").await.unwrap();
    let Outcome::Accepted(response) = outcome else { panic!("{outcome:?}") };
    assert_eq!(response.request_id.as_deref(), Some("1234567890123"));
    assert_eq!(response.certificate().unwrap().issuer_name(), "CN=eInvoicing");
    let compliance = Credentials::from_csid(client.environment().clone(), &response).unwrap();
    assert_eq!(compliance.request_id(), Some("1234567890123"));
    assert!(!format!("{compliance:?}").contains("Dehvg1fc8GF6"));

    serve(
        &gateway,
        400,
        "application/json",
        r#"{"errors":[{"code":"Missing-OTP","message":"OTP is required field"}]}"#,
    );
    let error = client.compliance_csid("Q1NS", "123456").await.unwrap_err();
    assert_eq!(error.to_string(), "rejected by Fatoora (HTTP 400): Missing-OTP: OTP is required field");
    serve(
        &gateway,
        500,
        "application/json",
        r#"{"code":"Invalid-Request","message":"System failed to process your request"}"#,
    );
    assert!(client.compliance_csid("Q1NS", "123456").await.unwrap().is_retryable());

    // preInvoice-api.md 200 — malformed in ZATCA's doc (infoMessages an object, the other lists
    // outside validationResults) and still read.
    let odd = r#"{"validationResults":{"infoMessages":{"type":"INFO","code":"XSD_ZATCA_VALID","category":"XSD validation","message":"Complied with UBL 2.1 standards in line with ZATCA specifications","status":"PASS"}},"warningMessages":[],"errorMessages":[],"status":"PASS","reportingStatus":"REPORTED","clearanceStatus":null,"qrSellertStatus":null,"qrBuyertStatus":null}"#;
    serve(&gateway, 200, "application/json", odd);
    let outcome = client.compliance_invoice(&credentials, &request).await.unwrap();
    let Outcome::Accepted(response) = outcome else { panic!("{outcome:?}") };
    assert_eq!(
        response.validation_results.unwrap().info_messages[0].code.as_deref(),
        Some("XSD_ZATCA_VALID")
    );
    // preInvoice-api.md 400.
    let rejected = r#"{"validationResults":{"infoMessages":[],"warningMessages":[],"errorMessages":[{"type":"ERROR","code":"BR-KSA-37","category":"KSA","message":"The seller address building number must contain 4 digits.","status":"ERROR"}],"status":"ERROR"},"reportingStatus":"NOT_REPORTED","clearanceStatus":null,"qrSellertStatus":null,"qrBuyertStatus":null}"#;
    serve(&gateway, 400, "application/json", rejected);
    let outcome = client.compliance_invoice(&credentials, &request).await.unwrap();
    assert_eq!(first_code(&outcome), "BR-KSA-37");
    let error = outcome.into_result().unwrap_err();
    assert_eq!(error.code(), "API_REJECTED");
    assert!(error.to_string().contains("[BR-KSA-37] The seller address building number"), "{error}");
}

#[test]
fn environments_and_their_urls() {
    assert_eq!(
        Environment::DeveloperPortal.base_url(),
        "https://gw-fatoora.zatca.gov.sa/e-invoicing/developer-portal"
    );
    assert_eq!(Environment::Simulation.base_url(), "https://gw-fatoora.zatca.gov.sa/e-invoicing/simulation");
    assert_eq!(Environment::Core.base_url(), "https://gw-fatoora.zatca.gov.sa/e-invoicing/core");
    assert_eq!(Environment::Custom("http://127.0.0.1:9/".into()).base_url(), "http://127.0.0.1:9");
    assert_eq!(serde_json::to_string(&Environment::DeveloperPortal).unwrap(), "\"developer-portal\"");
    assert_eq!(serde_json::from_str::<Environment>("\"core\"").unwrap(), Environment::Core);
    // Building clients for the real hosts works offline (nothing is sent).
    for environment in [Environment::DeveloperPortal, Environment::Simulation, Environment::Core] {
        assert_eq!(Client::new(environment.clone()).unwrap().environment(), &environment);
    }
}

#[tokio::test]
async fn credentials_never_cross_environments() {
    let client = Client::new(Environment::Core).unwrap();
    let sandbox = Credentials::new(Environment::DeveloperPortal, "VE9LRU4=", "top-secret");
    let request =
        InvoiceSubmission { invoice_hash: String::new(), uuid: String::new(), invoice: String::new() };
    // Refused before any connection is attempted (there is no network here anyway).
    for result in [
        client.clearance(&sandbox, &request).await,
        client.reporting(&sandbox, &request).await,
        client.compliance_invoice(&sandbox, &request).await,
    ] {
        let error = result.unwrap_err();
        assert_eq!(error.code(), "ENVIRONMENT_MISMATCH");
        assert_eq!(
            error.to_string(),
            "environment mismatch: these credentials were issued by developer-portal and must not be sent to core"
        );
    }
    let error = client.renew_production_csid(&sandbox, "Q1NS", "123456").await.unwrap_err();
    assert_eq!(error.code(), "ENVIRONMENT_MISMATCH");
    assert!(!format!("{sandbox:?}").contains("top-secret"));
}

#[test]
fn csid_response_debug_hides_the_secret() {
    let response: CsidResponse =
        serde_json::from_str(r#"{"requestID":"12","binarySecurityToken":"VE9LRU4=","secret":"hunter2"}"#)
            .unwrap();
    let debug = format!("{response:?}");
    assert!(!debug.contains("hunter2") && debug.contains("<redacted>"), "{debug}");
    assert_eq!(response.request_id.as_deref(), Some("12"));
}

#[test]
fn error_codes_are_listed_once() {
    for code in
        ["NETWORK", "HTTP", "UNAUTHORIZED", "API_REJECTED", "ENVIRONMENT_MISMATCH", "UNEXPECTED_RESPONSE"]
    {
        assert_eq!(qayd::ERROR_CODES.iter().filter(|c| **c == code).count(), 1, "{code}");
    }
    let samples = [
        Error::Network("x".into()),
        Error::Http { status: 500, message: "x".into() },
        Error::Unauthorized("x".into()),
        Error::ApiRejected { status: 400, message: "x".into() },
        Error::EnvironmentMismatch("x".into()),
        Error::UnexpectedResponse { status: 200, message: "x".into() },
    ];
    for error in samples {
        assert!(qayd::ERROR_CODES.contains(&error.code()));
    }
}

#[test]
fn submission_from_a_signed_document() {
    let request: InvoiceSubmission = serde_json::from_slice(
        &std::fs::read(api_vectors().join("extracted/reporting_request.json")).unwrap(),
    )
    .unwrap();
    let xml = request.xml().unwrap();
    assert_eq!(InvoiceSubmission::from_signed_xml(&xml).unwrap(), request);
    assert_eq!(B64.encode(&xml), request.invoice);
}

#[tokio::test]
async fn tls_is_set_up_and_a_failed_handshake_is_a_transport_error() {
    // The gateway speaks plain HTTP: an https:// client exercises the rustls (ring) set-up and
    // fails the handshake, which is a network failure, not a platform answer.
    let gateway = Gateway::start(GatewayConfig::default()).await.unwrap();
    let url = gateway.base_url().replace("http://", "https://");
    let client = Client::new(Environment::Custom(url)).unwrap();
    let outcome = client.compliance_csid("Q1NS", "123456").await.unwrap();
    let Outcome::Retryable { status: None, reason, .. } = &outcome else { panic!("{outcome:?}") };
    assert!(!reason.is_empty());
    assert_eq!(outcome.into_result().unwrap_err().code(), "NETWORK");
}

/// A hook that records before the request leaves: it sees the request first (no answer), then
/// the finished exchange with the same id; when it cannot record, nothing is sent.
#[tokio::test]
async fn the_hook_records_before_the_request_leaves_and_can_stop_it() {
    struct Recorder {
        seen: std::sync::Mutex<Vec<(String, Option<u16>, usize)>>,
        gateway_received: Box<dyn Fn() -> usize + Send + Sync>,
        fail: bool,
    }
    impl qayd::api::ExchangeHook for Recorder {
        fn before_send(&self, request: &qayd::api::Exchange) -> qayd::Result<()> {
            assert!(request.status.is_none() && request.response_body.is_empty());
            self.seen.lock().unwrap().push((request.id.clone(), None, (self.gateway_received)()));
            if self.fail { Err(Error::Storage("the audit log is unavailable".into())) } else { Ok(()) }
        }
        fn on_exchange(&self, exchange: &qayd::api::Exchange) {
            self.seen.lock().unwrap().push((exchange.id.clone(), exchange.status, (self.gateway_received)()));
        }
    }
    let (gateway, _, credentials, submission) = setup().await;
    let gateway = std::sync::Arc::new(gateway);
    for fail in [false, true] {
        let recorder = std::sync::Arc::new(Recorder {
            seen: Default::default(),
            gateway_received: Box::new({
                let gateway = gateway.clone();
                move || gateway.received().len()
            }),
            fail,
        });
        struct Shared(std::sync::Arc<Recorder>);
        impl qayd::api::ExchangeHook for Shared {
            fn before_send(&self, request: &qayd::api::Exchange) -> qayd::Result<()> {
                self.0.before_send(request)
            }
            fn on_exchange(&self, exchange: &qayd::api::Exchange) {
                self.0.on_exchange(exchange)
            }
        }
        let client =
            Client::new(Environment::Custom(gateway.base_url())).unwrap().with_hook(Shared(recorder.clone()));
        let before = gateway.received().len();
        let answer = client.reporting(&credentials, &submission).await;
        let seen = recorder.seen.lock().unwrap().clone();
        if fail {
            assert_eq!(answer.unwrap_err().code(), "STORAGE");
            assert_eq!(seen.len(), 1, "no finished exchange: nothing was sent");
            assert_eq!(gateway.received().len(), before, "the platform saw nothing");
        } else {
            answer.unwrap();
            assert_eq!(seen.len(), 2);
            assert_eq!(seen[0].0, seen[1].0, "one id for both records");
            assert_eq!((seen[0].1, seen[0].2), (None, before), "recorded before the platform had it");
            assert_eq!((seen[1].1.is_some(), seen[1].2), (true, before + 1));
        }
    }
}
