//! Verification of a stamped document: every digest, the signature, the QR code and the chain
//! fields, reported check by check so a person can see exactly what is wrong.

use super::QrFacts;
use super::hash::hash_document;
use super::view::InvoiceView;
use crate::crypto::{Certificate, hex};
use crate::error::Result;
use crate::qr;
use crate::xml::Node;
use crate::xml::{self, NS_CBC, NS_DS, NS_XADES, c14n, is};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Stable identifier: `invoice_hash`, `signed_properties_digest`, `certificate_digest`,
    /// `issuer_serial`, `signature`, `qr`, `icv`, `pih`, `signature_references`.
    pub name: String,
    pub passed: bool,
    pub message: String,
}

/// Everything `verify` found.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VerificationReport {
    /// True when every check passed.
    pub valid: bool,
    /// The invoice hash recomputed from the document.
    pub invoice_hash: String,
    pub checks: Vec<Check>,
}

impl VerificationReport {
    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.passed)
    }
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }
}

struct Checks(Vec<Check>);

impl Checks {
    fn add(&mut self, name: &str, passed: bool, message: impl Into<String>) {
        self.0.push(Check { name: name.into(), passed, message: message.into() });
    }
}

fn descendant<'a, 'i>(node: Node<'a, 'i>, namespace: &str, local: &str) -> Option<Node<'a, 'i>> {
    node.descendants().find(|n| is(*n, namespace, local))
}

fn text_of<'a>(node: Option<Node<'a, '_>>) -> &'a str {
    node.and_then(|n| n.text()).map(str::trim).unwrap_or("")
}

/// Verifies a stamped invoice. Fails with an error only when the input is not an invoice at all;
/// everything else is reported in the checks.
pub fn verify(xml_bytes: &[u8]) -> Result<VerificationReport> {
    let document = xml::parse(xml_bytes)?;
    let view = InvoiceView::new(&document)?;
    let digest = hash_document(&document);
    let invoice_hash = B64.encode(digest);
    let mut checks = Checks(Vec::new());

    let signature_node = view.ubl_extensions().and_then(|e| descendant(e, NS_DS, "Signature"));
    let Some(signature_node) = signature_node else {
        checks.add(
            "stamp",
            false,
            "the document carries no XAdES signature (ext:UBLExtensions/ds:Signature)",
        );
        if view.qr().is_none() {
            checks.add("qr", false, "the QR reference (KSA-14) is missing");
        }
        check_chain(&view, &mut checks);
        return Ok(finish(invoice_hash, checks));
    };

    // Reference 1: the invoice hash.
    let references: Vec<Node<'_, '_>> =
        signature_node.descendants().filter(|n| is(*n, NS_DS, "Reference")).collect();
    let invoice_reference = references.iter().find(|r| r.attribute("Id") == Some("invoiceSignedData"));
    let properties_reference =
        references.iter().find(|r| r.attribute("URI") == Some("#xadesSignedProperties"));
    let declared_hash = text_of(invoice_reference.and_then(|r| descendant(*r, NS_DS, "DigestValue")));
    checks.add(
        "invoice_hash",
        declared_hash == invoice_hash,
        if declared_hash == invoice_hash {
            format!("the invoice hash {invoice_hash} matches the document")
        } else {
            format!("the stamp declares invoice hash '{declared_hash}' but the document hashes to {invoice_hash}: the document was changed after stamping")
        },
    );
    checks.add(
        "signature_references",
        invoice_reference.is_some() && properties_reference.is_some(),
        if invoice_reference.is_some() && properties_reference.is_some() {
            "both references (invoiceSignedData, #xadesSignedProperties) are present".to_owned()
        } else {
            "a ds:Reference (invoiceSignedData or #xadesSignedProperties) is missing".to_owned()
        },
    );

    // Reference 2: the SignedProperties digest.
    let properties = descendant(signature_node, NS_XADES, "SignedProperties");
    let declared_properties =
        text_of(properties_reference.and_then(|r| descendant(*r, NS_DS, "DigestValue")));
    match properties {
        Some(p) => {
            let computed = signed_properties_digest_of(p);
            checks.add(
                "signed_properties_digest",
                computed == declared_properties,
                if computed == declared_properties {
                    "the SignedProperties digest matches".to_owned()
                } else {
                    format!("SignedProperties digest is '{declared_properties}' but the element digests to {computed}")
                },
            );
        }
        None => checks.add("signed_properties_digest", false, "xades:SignedProperties is missing"),
    }

    // The certificate and what refers to it.
    let certificate_text = text_of(descendant(signature_node, NS_DS, "X509Certificate"));
    let certificate = Certificate::from_bytes(certificate_text.as_bytes());
    let certificate = match certificate {
        Ok(c) => c,
        Err(e) => {
            checks.add("certificate", false, e.to_string());
            check_chain(&view, &mut checks);
            return Ok(finish(invoice_hash, checks));
        }
    };
    let properties_node = properties.unwrap_or(signature_node);
    let declared_cert_digest = text_of(
        descendant(properties_node, NS_XADES, "CertDigest").and_then(|n| descendant(n, NS_DS, "DigestValue")),
    );
    let cert_digest = B64.encode(hex(&Sha256::digest(certificate_text.as_bytes())));
    checks.add(
        "certificate_digest",
        declared_cert_digest == cert_digest,
        if declared_cert_digest == cert_digest {
            "the certificate digest matches the embedded certificate".to_owned()
        } else {
            format!(
                "CertDigest is '{declared_cert_digest}' but the embedded certificate digests to {cert_digest}"
            )
        },
    );
    let issuer = text_of(descendant(properties_node, NS_DS, "X509IssuerName"));
    let serial = text_of(descendant(properties_node, NS_DS, "X509SerialNumber"));
    let issuer_ok = issuer == certificate.issuer_name() && serial == certificate.serial_decimal();
    checks.add(
        "issuer_serial",
        issuer_ok,
        if issuer_ok {
            "issuer name and serial number match the certificate".to_owned()
        } else {
            format!(
                "IssuerSerial says '{issuer}' / {serial}; the certificate has '{}' / {}",
                certificate.issuer_name(),
                certificate.serial_decimal()
            )
        },
    );

    // The signature: ECDSA-SHA256 over the 32 raw bytes of the invoice hash as declared.
    let signature_value = text_of(descendant(signature_node, NS_DS, "SignatureValue"));
    let declared_digest = B64.decode(declared_hash).unwrap_or_default();
    let signature_ok =
        B64.decode(signature_value).map(|der| certificate.verify(&declared_digest, &der)).unwrap_or(false);
    checks.add(
        "signature",
        signature_ok,
        if signature_ok {
            "the ECDSA signature verifies with the embedded certificate".to_owned()
        } else {
            "the ECDSA signature does not verify with the embedded certificate".to_owned()
        },
    );

    check_qr(&view, &invoice_hash, signature_value, &certificate, &mut checks);
    check_signature_element(&view, &mut checks);
    check_chain(&view, &mut checks);
    Ok(finish(invoice_hash, checks))
}

fn finish(invoice_hash: String, checks: Checks) -> VerificationReport {
    let valid = checks.0.iter().all(|c| c.passed);
    VerificationReport { valid, invoice_hash, checks: checks.0 }
}

/// SignedProperties digest rule (SPEC §b): exclusive C14N of the element as it stands, with the
/// empty `ds:DigestMethod` turned back into a self-closing tag; SHA-256; hex; base64.
pub(crate) fn signed_properties_digest_of(properties: Node<'_, '_>) -> String {
    let mut bytes = Vec::with_capacity(2048);
    c14n::canonicalize(properties, c14n::Mode::Exclusive, &|_| false, &mut bytes);
    let text = String::from_utf8_lossy(&bytes).replace("></ds:DigestMethod>", "/>");
    B64.encode(hex(&Sha256::digest(text.as_bytes())))
}

fn check_qr(
    view: &InvoiceView<'_, '_>,
    invoice_hash: &str,
    signature_value: &str,
    certificate: &Certificate,
    checks: &mut Checks,
) {
    let Some(qr_text) = view.qr() else {
        checks.add("qr", false, "the QR reference (KSA-14) is missing");
        return;
    };
    let fields = match qr::decode(qr_text) {
        Ok(f) => f,
        Err(e) => return checks.add("qr", false, e.to_string()),
    };
    let facts = match QrFacts::of(view) {
        Ok(f) => f,
        Err(e) => return checks.add("qr", false, e.to_string()),
    };
    let expected = facts.fields(invoice_hash, signature_value, certificate);
    let mut problems = Vec::new();
    for (tag, want) in &expected {
        match fields.iter().find(|f| f.tag == *tag) {
            None => problems.push(format!("tag {tag} ({}) is missing", qr::tag_name(*tag))),
            Some(f) if f.raw.as_slice() != *want => {
                // Tag 3 may carry a trailing Z (older SDKs); that is not a mismatch.
                let tolerated = *tag == 3 && f.raw.strip_suffix(b"Z") == Some(*want);
                if !tolerated {
                    problems.push(format!("tag {tag} ({}) does not match the document", qr::tag_name(*tag)));
                }
            }
            Some(_) => {}
        }
    }
    checks.add(
        "qr",
        problems.is_empty(),
        if problems.is_empty() {
            "the QR code matches the document and its stamp".to_owned()
        } else {
            problems.join("; ")
        },
    );
}

fn check_signature_element(view: &InvoiceView<'_, '_>, checks: &mut Checks) {
    let element = view.signature_element();
    let id = text_of(element.and_then(|e| xml::child(e, NS_CBC, "ID")));
    let method = text_of(element.and_then(|e| xml::child(e, NS_CBC, "SignatureMethod")));
    let ok = id == "urn:oasis:names:specification:ubl:signature:Invoice"
        && method == "urn:oasis:names:specification:ubl:dsig:enveloped:xades";
    checks.add(
        "cac_signature",
        ok,
        if ok {
            "cac:Signature is present and correct (BR-KSA-29, BR-KSA-30)"
        } else {
            "cac:Signature is missing or has the wrong ID or SignatureMethod (BR-KSA-29, BR-KSA-30)"
        },
    );
}

fn check_chain(view: &InvoiceView<'_, '_>, checks: &mut Checks) {
    match view.checked_icv() {
        Ok(v) => checks.add("icv", true, format!("invoice counter value {v}")),
        Err(why) => checks.add("icv", false, why),
    }
    match view.checked_pih() {
        Ok(_) => checks.add("pih", true, "the previous invoice hash is well-formed"),
        Err(why) => checks.add("pih", false, why),
    }
}
