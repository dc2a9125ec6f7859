//! Hostile and broken input: every failure is a typed error with a useful message, never a panic.

use qayd::{Certificate, Error, PrivateKey, Signer, StampOptions, qr};
use std::path::{Path, PathBuf};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}
fn read(path: &str) -> Vec<u8> {
    std::fs::read(repo(path)).unwrap()
}
fn sample() -> Vec<u8> {
    read("tests/vectors/sdk-R3.4.8/Data/Samples/Simplified/Invoice/Simplified_Invoice.xml")
}
fn sdk_signer() -> Signer {
    Signer::from_bytes(
        &read("tests/vectors/sdk-R3.4.8/Data/Certificates/cert.pem"),
        &read("tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem"),
    )
    .unwrap()
}

/// A small deterministic PRNG (xorshift64*), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn mutated_samples_never_panic() {
    let original = sample();
    let signer = sdk_signer();
    let options = StampOptions { signing_time: Some("2025-01-01T00:00:00".into()) };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet = b"<>/=\"'&;:#x \n\t\rabcQR\xd8\xa7\xff\x00";
    for _ in 0..1500 {
        let mut doc = original.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(doc.len());
            match rng.below(4) {
                0 => doc[at] = alphabet[rng.below(alphabet.len())],
                1 => {
                    doc.remove(at);
                }
                2 => doc.insert(at, alphabet[rng.below(alphabet.len())]),
                _ => doc.truncate(at),
            }
        }
        let _ = qayd::invoice_hash(&doc);
        let _ = qayd::verify(&doc);
        if let Ok(stamped) = qayd::stamp(&doc, &signer, &options) {
            // Whatever we accept and stamp must verify.
            let report = qayd::verify(&stamped.xml).unwrap();
            assert!(report.valid, "{:?}", report.failures().collect::<Vec<_>>());
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    for len in 0..400 {
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = qayd::invoice_hash(&bytes);
        let _ = qayd::verify(&bytes);
        let _ = qr::decode(&text);
        let _ = PrivateKey::from_bytes(&bytes);
        let _ = Certificate::from_bytes(&bytes);
        let _ = qr::decode(&base64_of(&bytes));
    }
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn code_of(result: Result<impl std::fmt::Debug, Error>) -> &'static str {
    result.expect_err("an error was expected").code()
}

#[test]
fn dangerous_xml_is_refused() {
    let laughs = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><Invoice>&lol3;</Invoice>"#;
    let error = qayd::invoice_hash(laughs).unwrap_err();
    assert_eq!(error.code(), "INVALID_XML");
    assert!(error.to_string().contains("DTD"), "{error}");
    let external = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Invoice>&xxe;</Invoice>"#;
    assert_eq!(code_of(qayd::invoice_hash(external)), "INVALID_XML");

    let deep = format!(
        "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">{}{}</Invoice>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    let error = qayd::invoice_hash(deep.as_bytes()).unwrap_err();
    assert_eq!(error.code(), "INVALID_XML");
    assert!(error.to_string().contains("nested"), "{error}");

    let huge = vec![b' '; qayd::__internal::xml::MAX_DOCUMENT_BYTES + 1];
    assert!(qayd::invoice_hash(&huge).unwrap_err().to_string().contains("limit"));
    assert_eq!(code_of(qayd::invoice_hash(b"\xff\xfe<Invoice/>")), "INVALID_XML");
    assert_eq!(code_of(qayd::invoice_hash(b"")), "INVALID_XML");
}

#[test]
fn wrong_documents_are_named() {
    let error = qayd::invoice_hash(b"<CreditNote/>").unwrap_err();
    assert_eq!(error.code(), "INVALID_DOCUMENT");
    assert!(error.to_string().contains("<Invoice>"));
    let error = qayd::invoice_hash(b"<Invoice xmlns=\"urn:example\"/>").unwrap_err();
    assert!(error.to_string().contains("namespace"));

    let signer = sdk_signer();
    let options = StampOptions::default();
    let without_uuid = String::from_utf8(sample())
        .unwrap()
        .replace("<cbc:UUID>8e6000cf-1a98-4174-b3e7-b5d5954bc10d</cbc:UUID>", "");
    let error = qayd::stamp(without_uuid.as_bytes(), &signer, &options).unwrap_err();
    assert!(error.to_string().contains("KSA-1"), "{error}");
    let without_seller = String::from_utf8(sample())
        .unwrap()
        .replace("cac:AccountingSupplierParty>", "cac:SellerSupplierParty>");
    let error = qayd::stamp(without_seller.as_bytes(), &signer, &options).unwrap_err();
    assert!(error.to_string().contains("AccountingSupplierParty"), "{error}");
}

#[test]
fn keys_and_certificates_in_every_encoding() {
    let cert = read("tests/vectors/sdk-R3.4.8/Data/Certificates/cert.pem");
    let key = read("tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem");
    let certificate = Certificate::from_bytes(&cert).unwrap();
    // PEM armour, DER, and the API's binarySecurityToken (base64 of the base64 text).
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        String::from_utf8_lossy(&cert).trim()
    );
    assert_eq!(Certificate::from_bytes(pem.as_bytes()).unwrap().der(), certificate.der());
    assert_eq!(Certificate::from_bytes(certificate.der()).unwrap().der(), certificate.der());
    let token = base64_of(certificate.base64().as_bytes());
    assert_eq!(Certificate::from_bytes(token.as_bytes()).unwrap().der(), certificate.der());
    assert_eq!(certificate.issuer_name(), "CN=PRZEINVOICESCA4-CA, DC=extgazt, DC=gov, DC=local");
    assert_eq!(certificate.serial_decimal(), "379112742831380471835263969587287663520528387");

    let private = PrivateKey::from_bytes(&key).unwrap();
    let sec1_pem = private.to_sec1_pem().unwrap();
    assert!(Signer::new(certificate.clone(), PrivateKey::from_bytes(sec1_pem.as_bytes()).unwrap()).is_ok());
    let pkcs8 = read("tests/conformance/keys/other-secp256k1-pkcs8.pem");
    assert!(PrivateKey::from_bytes(&pkcs8).is_ok());
    assert_eq!(
        Signer::new(certificate, PrivateKey::from_bytes(&pkcs8).unwrap()).unwrap_err(),
        Error::KeyMismatch
    );
    assert!(format!("{private:?}").contains("redacted"));
}

#[test]
fn non_secp256k1_material_is_refused_with_the_reason() {
    let error = PrivateKey::from_bytes(&read("tests/conformance/keys/p256.pem")).unwrap_err();
    assert_eq!(error.code(), "INVALID_KEY");
    assert!(error.to_string().contains("secp256k1"), "{error}");
    let error = Certificate::from_bytes(&read("tests/conformance/keys/p256-cert.pem")).unwrap_err();
    assert_eq!(error.code(), "INVALID_CERTIFICATE");
    assert!(error.to_string().contains("secp256k1"), "{error}");
    assert_eq!(code_of(Certificate::from_bytes(b"hello world")), "INVALID_CERTIFICATE");
    assert_eq!(code_of(PrivateKey::from_bytes(b"")), "INVALID_KEY");
}

#[test]
fn signing_time_is_checked() {
    let signer = sdk_signer();
    let bad = StampOptions { signing_time: Some("tomorrow".into()) };
    assert_eq!(code_of(qayd::stamp(&sample(), &signer, &bad)), "INVALID_INPUT");
    let stamped = qayd::stamp(&sample(), &signer, &StampOptions::default()).unwrap();
    assert_eq!(stamped.signing_time.len(), 19);
}
