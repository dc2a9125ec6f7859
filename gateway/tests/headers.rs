//! Header names as they go over the wire (HTTP/1.1), read from raw sockets.
//!
//! Requests: the client sends title-cased names, which are ZATCA's spellings (`Accept-Version`,
//! `Clearance-Status`, `Authorization`, `Content-Type`, `Accept-Language`) except `OTP`, which
//! goes out as `Otp`: reqwest cannot send a mixed-case name (hyper keeps the original case only
//! for names it parsed itself; its case map is private). Header names are case-insensitive
//! (RFC 9110 §5.1) and HTTP/2 sends them all lowercase, so the platform cannot depend on it.
//! Responses: the gateway title-cases its names too (`Content-Type`, `Retry-After`).

mod common;

use qayd::Environment;
use qayd::api::{Client, ClientConfig, Credentials, InvoiceSubmission};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves one request on a raw socket, answers 500, and returns the request head.
async fn capture(listener: TcpListener) -> String {
    let (mut stream, _) = listener.accept().await.unwrap();
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buffer).await.unwrap();
        assert!(n > 0, "connection closed before the head ended");
        head.extend_from_slice(&buffer[..n]);
    }
    let body = br#"{"category":"HTTP-Errors","code":"500","message":"x"}"#;
    let answer = format!(
        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(answer.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let text = String::from_utf8_lossy(&head).into_owned();
    text[..text.find("\r\n\r\n").unwrap()].to_owned()
}

fn names(head: &str) -> Vec<&str> {
    head.lines().skip(1).filter_map(|l| l.split_once(':').map(|(n, _)| n)).collect()
}

#[tokio::test]
async fn request_header_names_on_the_wire() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(capture(listener));
    let environment = Environment::Custom(base.clone());
    let client = Client::with_config(environment.clone(), ClientConfig::default()).unwrap();
    let credentials = Credentials::new(environment.clone(), "VE9LRU4=", "c2VjcmV0");
    let _ = client.renew_production_csid(&credentials, "Q1NS", "123456").await;
    let head = server.await.unwrap();
    let names = names(&head);
    for expected in ["Accept-Version", "Accept-Language", "Authorization", "Content-Type", "Accept"] {
        assert!(names.contains(&expected), "{expected} not in {names:?}");
    }
    // ZATCA writes `OTP`; over HTTP/1 with reqwest it is `Otp` (see the module docs).
    assert!(names.contains(&"Otp"), "{names:?}");
    assert!(head.contains("\r\nAccept-Version: V2\r\n"), "{head}");

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let environment = Environment::Custom(format!("http://{}", listener.local_addr().unwrap()));
    let server = tokio::spawn(capture(listener));
    let client = Client::new(environment.clone()).unwrap();
    let credentials = Credentials::new(environment, "VE9LRU4=", "c2VjcmV0");
    let submission = InvoiceSubmission { invoice_hash: "h".into(), uuid: "u".into(), invoice: "i".into() };
    let _ = client.clearance(&credentials, &submission).await;
    let head = server.await.unwrap();
    assert!(head.contains("\r\nClearance-Status: 1\r\n"), "{head}");
}

#[tokio::test]
async fn response_header_names_on_the_wire() {
    let gateway = common::gateway().await;
    let mut stream = tokio::net::TcpStream::connect(gateway.addr()).await.unwrap();
    stream
        .write_all(b"POST /compliance HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")
        .await
        .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response);
    let head = &text[..text.find("\r\n\r\n").unwrap()];
    assert!(head.starts_with("HTTP/1.1 406"), "{head}");
    assert!(names(head).contains(&"Content-Type"), "{head}");
}
