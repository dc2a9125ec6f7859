//! Shared by the gateway tests: an EGS unit (key, CSR config), onboarding, and SDK sample
//! documents re-identified (UUID, ICV, PIH) and re-stamped with the EGS unit's own certificate.
#![allow(dead_code)]

use qayd::api::{Client, ClientConfig, Credentials, Exchange, InvoiceSubmission, Outcome};
use qayd::{CsrConfig, Environment, PrivateKey, Signer, StampOptions, StampedInvoice};
use qayd_gateway::{Gateway, GatewayConfig};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub(crate) const OTP: &str = "123456";

pub(crate) fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/sdk-R3.4.8/Data/Samples")
}

/// The six SDK documents, by (simplified, type code).
pub(crate) fn sample(simplified: bool, type_code: u16) -> Vec<u8> {
    let path = match (simplified, type_code) {
        (false, 388) => "Standard/Invoice/Standard_Invoice.xml",
        (false, 381) => "Standard/Credit/Standard_Credit_Note.xml",
        (false, 383) => "Standard/Debit/Standard_Debit_Note.xml",
        (true, 388) => "Simplified/Invoice/Simplified_Invoice.xml",
        (true, 381) => "Simplified/Credit/Simplified_Credit_Note.xml",
        (true, 383) => "Simplified/Debit/Simplified_Debit_Note.xml",
        _ => panic!("no such sample"),
    };
    std::fs::read(samples().join(path)).unwrap()
}

pub(crate) fn config() -> CsrConfig {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties"),
    )
    .unwrap();
    CsrConfig::from_properties(&text).unwrap()
}

/// Replaces the text content of the first element `<tag>` after `anchor`.
fn replace_after(xml: &str, anchor: &str, open: &str, close: &str, value: &str) -> String {
    let at = xml.find(anchor).unwrap_or_else(|| panic!("{anchor} not found"));
    let start = at + xml[at..].find(open).unwrap() + open.len();
    let start = start + xml[start..].find('>').map(|i| i + 1).unwrap_or(0);
    let end = start + xml[start..].find(close).unwrap();
    format!("{}{}{}", &xml[..start], value, &xml[end..])
}

/// The EGS unit's chain as the client keeps it: next ICV and PIH.
#[derive(Clone, Debug)]
pub(crate) struct Chain {
    pub icv: u64,
    pub pih: String,
}

impl Default for Chain {
    fn default() -> Self {
        Chain { icv: 1, pih: qayd::GENESIS_PIH.to_owned() }
    }
}

/// A sample, given a fresh UUID and the chain's ICV/PIH, stamped with `signer`. Advances the
/// chain (every examined document joins the platform's chain, accepted or not).
pub(crate) fn document(
    simplified: bool,
    type_code: u16,
    signer: &Signer,
    chain: &mut Chain,
) -> StampedInvoice {
    document_edited(simplified, type_code, signer, chain, &[])
}

/// [`document`] with `(find, replace)` edits applied to the sample first (each must match).
pub(crate) fn document_edited(
    simplified: bool,
    type_code: u16,
    signer: &Signer,
    chain: &mut Chain,
    edits: &[(&str, &str)],
) -> StampedInvoice {
    let mut xml = String::from_utf8(sample(simplified, type_code)).unwrap();
    for (find, replace) in edits {
        assert!(xml.contains(find), "{find} not in the sample");
        xml = xml.replacen(find, replace, 1);
    }
    let uuid = uuid::Uuid::new_v4().to_string();
    let xml = {
        let at = xml.find("<cbc:UUID>").unwrap() + "<cbc:UUID>".len();
        let end = at + xml[at..].find("</cbc:UUID>").unwrap();
        format!("{}{}{}", &xml[..at], uuid, &xml[end..])
    };
    let xml = replace_after(&xml, "<cbc:ID>ICV</cbc:ID>", "<cbc:UUID", "</cbc:UUID>", &chain.icv.to_string());
    let xml = replace_after(
        &xml,
        "<cbc:ID>PIH</cbc:ID>",
        "<cbc:EmbeddedDocumentBinaryObject",
        "</cbc:EmbeddedDocumentBinaryObject>",
        &chain.pih,
    );
    let stamped = qayd::stamp(
        xml.as_bytes(),
        signer,
        &StampOptions { signing_time: Some("2024-01-14T10:26:49".into()) },
    )
    .unwrap();
    assert_eq!(stamped.uuid, uuid);
    chain.icv += 1;
    chain.pih = stamped.invoice_hash.clone();
    stamped
}

pub(crate) async fn gateway() -> Gateway {
    Gateway::start(GatewayConfig::default()).await.unwrap()
}

pub(crate) fn client(gateway: &Gateway) -> Client {
    Client::new(Environment::Custom(gateway.base_url())).unwrap()
}

pub(crate) fn client_with(gateway: &Gateway, config: ClientConfig) -> Client {
    Client::with_config(Environment::Custom(gateway.base_url()), config).unwrap()
}

/// A client whose exchanges are collected.
pub(crate) fn audited_client(gateway: &Gateway) -> (Client, Arc<Mutex<Vec<Exchange>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let client = client(gateway).with_hook(move |e: &Exchange| sink.lock().unwrap().push(e.clone()));
    (client, log)
}

/// An onboarded EGS unit.
pub(crate) struct Egs {
    pub key: PrivateKey,
    pub compliance: Credentials,
    pub compliance_signer: Signer,
}

/// Key → CSR → compliance CSID.
pub(crate) async fn compliance_egs(client: &Client) -> Egs {
    compliance_egs_for(client, &config()).await
}

/// Key → CSR (for `config`) → compliance CSID.
pub(crate) async fn compliance_egs_for(client: &Client, config: &CsrConfig) -> Egs {
    let key = qayd::generate_private_key().unwrap();
    let csr = qayd::build_csr(config, &key, client.environment()).unwrap();
    let outcome = client.compliance_csid(&csr.to_api_base64(), OTP).await.unwrap();
    let Outcome::Accepted(response) = outcome else { panic!("compliance CSID: {outcome:?}") };
    let compliance = Credentials::from_csid(client.environment().clone(), &response).unwrap();
    let compliance_signer = Signer::new(compliance.certificate().unwrap(), key.clone()).unwrap();
    Egs { key, compliance, compliance_signer }
}

/// Passes the six compliance checks.
pub(crate) async fn pass_compliance(client: &Client, egs: &Egs) {
    let mut chain = Chain::default();
    for simplified in [false, true] {
        for type_code in [388, 381, 383] {
            let stamped = document(simplified, type_code, &egs.compliance_signer, &mut chain);
            let outcome =
                client.compliance_invoice(&egs.compliance, &InvoiceSubmission::from(&stamped)).await.unwrap();
            assert!(
                matches!(outcome, Outcome::Accepted(_)),
                "compliance {simplified} {type_code}: {outcome:?}"
            );
        }
    }
}

/// All the way to a production CSID.
pub(crate) async fn production_egs(client: &Client) -> (Egs, Credentials, Signer) {
    let egs = compliance_egs(client).await;
    pass_compliance(client, &egs).await;
    let id = egs.compliance.request_id().unwrap().to_owned();
    let outcome = client.production_csid(&egs.compliance, &id).await.unwrap();
    let Outcome::Accepted(response) = outcome else { panic!("production CSID: {outcome:?}") };
    let production = Credentials::from_csid(client.environment().clone(), &response).unwrap();
    let signer = Signer::new(production.certificate().unwrap(), egs.key.clone()).unwrap();
    (egs, production, signer)
}

/// An HTTP/1.1 request by hand (for what the client never sends: wrong versions, missing
/// headers). Returns (status, content-type, body).
pub(crate) async fn raw(
    gateway: &Gateway,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(gateway.addr()).await.unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let content_type = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default();
    (status, content_type, body.to_owned())
}

/// `Authorization` for credentials.
pub(crate) fn basic(credentials: &Credentials) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            credentials.binary_security_token(),
            credentials.secret()
        ))
    )
}

/// The error codes of a rejection.
pub(crate) fn codes<T>(outcome: &Outcome<T>) -> Vec<String> {
    match outcome {
        Outcome::Rejected { messages, .. } => {
            messages.iter().map(|m| m.code.clone().unwrap_or_default()).collect()
        }
        other => panic!("expected a rejection, got {}", other.kind()),
    }
}
