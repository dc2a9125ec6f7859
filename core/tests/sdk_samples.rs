//! The official SDK R3.4.8 samples are the oracle: hash, verify, re-stamp, tamper.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use qayd::{Signer, StampOptions, qr, stamp, verify};
use std::path::{Path, PathBuf};

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn samples() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "xml") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&vectors().join("sdk-R3.4.8/Data/Samples"), &mut out);
    out.sort();
    assert_eq!(out.len(), 19, "all 19 tier-1 R3.4.8 samples are expected");
    out
}

fn sdk_signer() -> Signer {
    let certs = vectors().join("sdk-R3.4.8/Data/Certificates");
    Signer::from_bytes(
        &std::fs::read(certs.join("cert.pem")).unwrap(),
        &std::fs::read(certs.join("ec-secp256k1-priv-key.pem")).unwrap(),
    )
    .unwrap()
}

/// The text between `<tag>` and `</tag>` (first occurrence).
fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).unwrap() + open.len();
    let end = text[start..].find(close).unwrap() + start;
    &text[start..end]
}

fn declared_hash(xml: &str) -> &str {
    let reference = between(xml, "<ds:Reference Id=\"invoiceSignedData\"", "</ds:Reference>");
    between(reference, "<ds:DigestValue>", "</ds:DigestValue>")
}

/// Removes the three stamp-owned elements, giving the document as it was before the SDK stamped it.
fn unsign(xml: &str) -> String {
    let mut s = xml.to_owned();
    for (open, close) in
        [("<ext:UBLExtensions>", "</ext:UBLExtensions>"), ("<cac:Signature>", "</cac:Signature>")]
    {
        let a = s.find(open).unwrap();
        let b = s.find(close).unwrap() + close.len();
        s.replace_range(a..b, "");
    }
    let qr_at = s.find("<cbc:ID>QR</cbc:ID>").unwrap();
    let a = s[..qr_at].rfind("<cac:AdditionalDocumentReference>").unwrap();
    let close = "</cac:AdditionalDocumentReference>";
    let b = s[qr_at..].find(close).unwrap() + qr_at + close.len();
    s.replace_range(a..b, "");
    s
}

#[test]
fn every_sample_hashes_to_its_digest_value() {
    for path in samples() {
        let xml = std::fs::read_to_string(&path).unwrap();
        let hash = qayd::invoice_hash(xml.as_bytes()).unwrap();
        assert_eq!(hash, declared_hash(&xml), "{}", path.display());
    }
}

#[test]
fn every_sample_verifies() {
    for path in samples() {
        let report = verify(&std::fs::read(&path).unwrap()).unwrap();
        let failures: Vec<_> = report.failures().collect();
        assert!(report.valid, "{}: {failures:?}", path.display());
        assert!(report.checks.len() >= 10);
    }
}

#[test]
fn unsigned_samples_restamped_keep_their_hash_and_layout() {
    let signer = sdk_signer();
    for path in samples() {
        let original = std::fs::read_to_string(&path).unwrap();
        let unsigned = unsign(&original);
        let signing_time = between(&original, "<xades:SigningTime>", "</xades:SigningTime>");
        let options = StampOptions { signing_time: Some(signing_time.to_owned()) };
        let stamped = stamp(unsigned.as_bytes(), &signer, &options).unwrap();
        let text = String::from_utf8(stamped.xml.clone()).unwrap();

        // Same hash before and after, and the same as ZATCA's sample.
        assert_eq!(stamped.invoice_hash, declared_hash(&original), "{}", path.display());
        assert_eq!(qayd::invoice_hash(&stamped.xml).unwrap(), stamped.invoice_hash);

        // Byte-identical to the SDK's output except for the randomised ECDSA signature and the
        // QR that carries it.
        let mask = |s: &str| {
            let sig = between(s, "<ds:SignatureValue>", "</ds:SignatureValue>").to_owned();
            let qr = between(s, "<cbc:ID>QR</cbc:ID>", "</cbc:EmbeddedDocumentBinaryObject>").to_owned();
            s.replace(&sig, "SIG").replace(&qr, "QR")
        };
        assert_eq!(mask(&text), mask(&original), "{}", path.display());

        // It verifies, and its QR carries the right tags.
        let report = verify(&stamped.xml).unwrap();
        assert!(report.valid, "{}: {:?}", path.display(), report.failures().collect::<Vec<_>>());
        let ours = qr::decode(&stamped.qr).unwrap();
        let simplified = original.contains("name=\"02");
        let tags: Vec<u8> = ours.iter().map(|f| f.tag).collect();
        assert_eq!(tags, if simplified { (1..=9).collect::<Vec<_>>() } else { (1..=8).collect() });
        let sample_qr = qr::decode(between(
            &original[original.find("<cbc:ID>QR</cbc:ID>").unwrap()..],
            "mimeCode=\"text/plain\">",
            "<",
        ))
        .unwrap();
        for (a, b) in ours.iter().zip(sample_qr.iter()) {
            if a.tag != 7 {
                assert_eq!(a, b, "{} QR tag {}", path.display(), a.tag);
            }
        }
        let hash_bytes = B64.decode(&stamped.invoice_hash).unwrap();
        let signature = B64.decode(&stamped.signature).unwrap();
        assert!(signer.certificate().verify(&hash_bytes, &signature));
    }
}

#[test]
fn stamping_twice_gives_identical_bytes() {
    let signer = sdk_signer();
    let xml = std::fs::read(&samples()[0]).unwrap();
    let options = StampOptions { signing_time: Some("2025-01-01T10:00:00".into()) };
    let a = stamp(&xml, &signer, &options).unwrap();
    let b = stamp(&a.xml, &signer, &options).unwrap();
    assert_eq!(a.xml, b.xml, "deterministic signing and in-place replacement");
}

#[test]
fn tampering_is_reported() {
    let path = samples().into_iter().find(|p| p.ends_with("Simplified_Invoice.xml")).unwrap();
    let xml = std::fs::read_to_string(path).unwrap();

    let amount = xml.replacen(
        "<cbc:PayableAmount currencyID=\"SAR\">231.15",
        "<cbc:PayableAmount currencyID=\"SAR\">231.16",
        1,
    );
    let report = verify(amount.as_bytes()).unwrap();
    assert!(!report.valid);
    assert!(!report.check("invoice_hash").unwrap().passed);
    assert!(!report.check("qr").unwrap().passed);

    let sig = between(&xml, "<ds:SignatureValue>", "</ds:SignatureValue>");
    let mut bytes = B64.decode(sig).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let signature = xml.replace(sig, &B64.encode(bytes));
    let report = verify(signature.as_bytes()).unwrap();
    assert!(!report.check("signature").unwrap().passed);
    assert!(report.check("invoice_hash").unwrap().passed);

    let cert = between(&xml, "<ds:X509Certificate>", "</ds:X509Certificate>");
    let other = std::fs::read_to_string(
        vectors()
            .join("fatoora-api/extracted/compliance_response_200_binarySecurityToken_decoded.b64cert.txt"),
    )
    .unwrap();
    let certificate = xml.replace(cert, other.trim());
    let report = verify(certificate.as_bytes()).unwrap();
    assert!(!report.valid);
    assert!(!report.check("certificate_digest").unwrap().passed);
    assert!(!report.check("issuer_serial").unwrap().passed);

    let time =
        xml.replace("<xades:SigningTime>2025-07-22T15:51:28", "<xades:SigningTime>2025-07-22T15:51:29");
    let report = verify(time.as_bytes()).unwrap();
    assert!(!report.check("signed_properties_digest").unwrap().passed);
}

#[test]
fn api_reporting_example_is_consistent() {
    let dir = vectors().join("fatoora-api/extracted");
    let body: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("reporting_request.json")).unwrap()).unwrap();
    let invoice = B64.decode(body["invoice"].as_str().unwrap()).unwrap();
    assert_eq!(qayd::invoice_hash(&invoice).unwrap(), body["invoiceHash"].as_str().unwrap());
    assert!(verify(&invoice).unwrap().valid);
    let clearance: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("clearance_request.json")).unwrap()).unwrap();
    let invoice = B64.decode(clearance["invoice"].as_str().unwrap()).unwrap();
    assert_eq!(qayd::invoice_hash(&invoice).unwrap(), clearance["invoiceHash"].as_str().unwrap());
    // This documentation example has a signature spliced from another document (VERIFIED.md).
    assert!(!verify(&invoice).unwrap().check("signature").unwrap().passed);
}
