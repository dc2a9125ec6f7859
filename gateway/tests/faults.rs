//! Fault injection: the client classifies 500/503/504/429/timeouts/dropped and refused
//! connections as retryable, and sending the same submission again sends the same bytes.

mod common;

use common::*;
use qayd::api::{ClientConfig, InvoiceSubmission, Outcome};
use qayd_gateway::{Fault, Gateway, GatewayConfig};
use std::time::Duration;

#[tokio::test]
async fn server_errors_and_throttling_are_retryable_and_retries_are_byte_identical() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let (_egs, production, signer) = production_egs(&client).await;
    let mut chain = Chain::default();

    for (fault, expected_status, expected_retry_after) in [
        (Fault { status: Some(500), ..Default::default() }, 500, None),
        (Fault { status: Some(503), ..Default::default() }, 503, None),
        (Fault { status: Some(504), ..Default::default() }, 504, None),
        (
            Fault { status: Some(429), retry_after: Some(1), ..Default::default() },
            429,
            Some(Duration::from_secs(1)),
        ),
        (
            Fault { status: Some(503), retry_after: Some(30), ..Default::default() },
            503,
            Some(Duration::from_secs(30)),
        ),
    ] {
        let simplified = document(true, 388, &signer, &mut chain);
        let submission = InvoiceSubmission::from(&simplified);
        gateway.clear_received();
        gateway.inject(fault);
        let outcome = client.reporting(&production, &submission).await.unwrap();
        let Outcome::Retryable { status, retry_after, reason } = &outcome else { panic!("{outcome:?}") };
        assert_eq!(*status, Some(expected_status), "{reason}");
        assert_eq!(*retry_after, expected_retry_after);
        // The caller retries the same submission: accepted (the faulted request was not
        // processed, so the chain did not move), and the bytes on the wire are identical.
        let outcome = client.reporting(&production, &submission).await.unwrap();
        assert!(matches!(outcome, Outcome::Accepted(_)), "{outcome:?}");
        let received = gateway.received();
        assert_eq!(received.len(), 2);
        assert_eq!(received[0].body, received[1].body);
        assert_eq!(received[0].headers, received[1].headers);
        assert_eq!((received[0].status, received[1].status), (Some(expected_status), Some(200)));
    }
}

#[tokio::test]
async fn csid_calls_classify_the_same_way() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let key = qayd::generate_private_key().unwrap();
    let csr = qayd::build_csr(&config(), &key, client.environment()).unwrap().to_api_base64();
    gateway.inject(Fault { status: Some(500), path: Some("/compliance".into()), ..Default::default() });
    let outcome = client.compliance_csid(&csr, OTP).await.unwrap();
    assert!(matches!(outcome, Outcome::Retryable { status: Some(500), .. }), "{outcome:?}");
    assert!(client.compliance_csid(&csr, OTP).await.unwrap().is_accepted());
    let received = gateway.received();
    assert_eq!(received[0].body, received[1].body);
}

#[tokio::test]
async fn timeouts_are_retryable() {
    let gateway = gateway().await;
    let client =
        client_with(&gateway, ClientConfig { timeout: Duration::from_millis(300), ..Default::default() });
    let key = qayd::generate_private_key().unwrap();
    let csr = qayd::build_csr(&config(), &key, client.environment()).unwrap().to_api_base64();
    gateway.inject(Fault { delay_ms: Some(1500), ..Default::default() });
    let started = std::time::Instant::now();
    let outcome = client.compliance_csid(&csr, OTP).await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(1400));
    let Outcome::Retryable { status: None, reason, .. } = &outcome else { panic!("{outcome:?}") };
    assert!(reason.contains("timed out"), "{reason}");
    assert_eq!(outcome.clone().into_result().unwrap_err().code(), "NETWORK");
    // A short delay within the timeout is just slow.
    gateway.inject(Fault { delay_ms: Some(50), ..Default::default() });
    assert!(client.compliance_csid(&csr, OTP).await.unwrap().is_accepted());
}

#[tokio::test]
async fn dropped_and_refused_connections_are_retryable() {
    let gateway = gateway().await;
    let (client, audit) = audited_client(&gateway);
    let key = qayd::generate_private_key().unwrap();
    let csr = qayd::build_csr(&config(), &key, client.environment()).unwrap().to_api_base64();
    gateway.inject(Fault { drop_connection: true, ..Default::default() });
    let outcome = client.compliance_csid(&csr, OTP).await.unwrap();
    assert!(matches!(outcome, Outcome::Retryable { status: None, .. }), "{outcome:?}");
    assert_eq!(gateway.received()[0].status, None, "the gateway read the request, then hung up");
    // The audit hook saw the failed exchange too: no status, the transport error, latency.
    {
        let audit = audit.lock().unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].status, None);
        assert!(audit[0].error.is_some());
        assert_eq!(audit[0].request_body, gateway.received()[0].body);
        assert!(audit[0].request_headers.iter().any(|(n, v)| n == "OTP" && v == "REDACTED"));
    }
    assert!(client.compliance_csid(&csr, OTP).await.unwrap().is_accepted());

    // Nothing listening any more.
    let client = qayd::api::Client::new(qayd::Environment::Custom(gateway.base_url())).unwrap();
    gateway.shutdown().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let outcome = client.compliance_csid(&csr, OTP).await.unwrap();
    let Outcome::Retryable { status: None, reason, .. } = &outcome else { panic!("{outcome:?}") };
    assert!(reason.contains("connect"), "{reason}");
}

#[tokio::test]
async fn faults_from_configuration_and_the_admin_endpoint() {
    // Configured at start-up: the first two requests get 503.
    let gateway = Gateway::start(GatewayConfig {
        faults: vec![Fault { status: Some(503), count: Some(2), ..Default::default() }],
        ..Default::default()
    })
    .await
    .unwrap();
    let client = client(&gateway);
    let key = qayd::generate_private_key().unwrap();
    let csr = qayd::build_csr(&config(), &key, client.environment()).unwrap().to_api_base64();
    for _ in 0..2 {
        assert!(matches!(
            client.compliance_csid(&csr, OTP).await.unwrap(),
            Outcome::Retryable { status: Some(503), .. }
        ));
    }
    assert!(client.compliance_csid(&csr, OTP).await.unwrap().is_accepted());

    // At runtime over HTTP: {"status":429,"retry_after":1}, then {"drop_connection":true}.
    let (status, _, body) = raw(
        &gateway,
        "POST",
        "/__qayd/faults",
        &[("Content-Type", "application/json")],
        br#"[{"status":429,"retry_after":1},{"drop_connection":true},{"delay_ms":10,"status":504}]"#,
    )
    .await;
    assert_eq!((status, body.as_str()), (200, r#"{"queued":3}"#));
    let outcome = client.compliance_csid(&csr, OTP).await.unwrap();
    assert!(
        matches!(outcome, Outcome::Retryable { status: Some(429), retry_after: Some(d), .. } if d == Duration::from_secs(1))
    );
    assert!(matches!(
        client.compliance_csid(&csr, OTP).await.unwrap(),
        Outcome::Retryable { status: None, .. }
    ));
    assert!(matches!(
        client.compliance_csid(&csr, OTP).await.unwrap(),
        Outcome::Retryable { status: Some(504), .. }
    ));
    assert!(client.compliance_csid(&csr, OTP).await.unwrap().is_accepted());

    // Queued faults can be cleared; the request log is readable with secrets redacted.
    raw(&gateway, "POST", "/__qayd/faults", &[], br#"{"status":500,"count":5}"#).await;
    let (status, _, _) = raw(&gateway, "DELETE", "/__qayd/faults", &[], b"").await;
    assert_eq!(status, 200);
    assert!(client.compliance_csid(&csr, OTP).await.unwrap().is_accepted());
    let (status, _, log) = raw(&gateway, "GET", "/__qayd/requests", &[], b"").await;
    assert_eq!(status, 200);
    let log: serde_json::Value = serde_json::from_str(&log).unwrap();
    assert_eq!(log.as_array().unwrap().len(), gateway.received().len());
    assert!(log.to_string().contains("\"REDACTED\""));
    assert!(!log.to_string().contains(&format!("\"{OTP}\"")));
    // A bad fault is refused.
    let (status, _, _) = raw(&gateway, "POST", "/__qayd/faults", &[], br#"{"stauts":500}"#).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn faults_can_target_one_endpoint() {
    let gateway = gateway().await;
    let client = client(&gateway);
    let (_egs, production, signer) = production_egs(&client).await;
    let mut chain = Chain::default();
    gateway.inject(Fault {
        status: Some(503),
        path: Some("/invoices/reporting/single".into()),
        ..Default::default()
    });
    let standard = document(false, 388, &signer, &mut chain);
    assert!(client.clearance(&production, &InvoiceSubmission::from(&standard)).await.unwrap().is_accepted());
    let simplified = document(true, 388, &signer, &mut chain);
    let submission = InvoiceSubmission::from(&simplified);
    assert!(client.reporting(&production, &submission).await.unwrap().is_retryable());
    assert!(client.reporting(&production, &submission).await.unwrap().is_accepted());
}
