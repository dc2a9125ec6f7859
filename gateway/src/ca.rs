//! The gateway's test certificate authority: secp256k1, issuing compliance CSIDs (issuer
//! `CN=eInvoicing`, as Fatoora's) and production CSIDs (issuer
//! `CN=PRZEINVOICESCA4-CA, DC=extgazt, DC=gov, DC=local`) from a parsed CSR.

use der::Encode;
use der::asn1::ObjectIdentifier;
use qayd::PrivateKey;
use qayd::csr::ParsedCsr;

const OID_ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";
const OID_CN: &str = "2.5.4.3";
const OID_C: &str = "2.5.4.6";
const OID_O: &str = "2.5.4.10";
const OID_OU: &str = "2.5.4.11";
const OID_DC: &str = "0.9.2342.19200300.100.1.25";
const OID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
const OID_KEY_USAGE: &str = "2.5.29.15";
const OID_EXT_KEY_USAGE: &str = "2.5.29.37";
const OID_SUBJECT_ALT_NAME: &str = "2.5.29.17";
const OID_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
const OID_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";

/// Which CSID a certificate is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsidKind {
    Compliance,
    Production,
}

/// The test CA.
pub(crate) struct Ca {
    key: PrivateKey,
}

impl Ca {
    pub(crate) fn new(key: PrivateKey) -> Self {
        Ca { key }
    }

    /// A self-signed certificate of the CA key (`CN=Qayd Test CA`), for reference.
    pub(crate) fn certificate_der(&self) -> Vec<u8> {
        let name = seq(&[rdn(OID_CN, 0x0c, "Qayd Test CA")]);
        let spki = spki_of(&self.key.public_key_sec1());
        let extensions = seq(&[seq(&[
            oid(OID_BASIC_CONSTRAINTS),
            tlv(0x01, &[0xff]),
            tlv(0x04, &seq(&[tlv(0x01, &[0xff])])),
        ])]);
        self.sign(&name, &name, &spki, 3650, &extensions)
    }

    /// The platform's own stamping signer (the CA key and its self-signed certificate, as made
    /// once by [`Ca::certificate_der`]): what
    /// the gateway stamps cleared invoices with. Which key ZATCA stamps with is not published.
    pub(crate) fn stamper(&self, certificate_der: &[u8]) -> Option<qayd::Signer> {
        let certificate = qayd::Certificate::from_bytes(certificate_der).ok()?;
        qayd::Signer::new(certificate, self.key.clone()).ok()
    }

    /// Issues a certificate for the CSR's key, subject and SAN.
    pub(crate) fn issue(&self, csr: &ParsedCsr, kind: CsidKind) -> Vec<u8> {
        let c = &csr.config;
        let san = csr.subject_alt_name_der.clone().unwrap_or_default();
        let san_extension = seq(&[oid(OID_SUBJECT_ALT_NAME), tlv(0x04, &san)]);
        match kind {
            CsidKind::Compliance => {
                let issuer = seq(&[rdn(OID_CN, 0x0c, "eInvoicing")]);
                // The compliance CSID keeps the CSR's subject (C, OU, O, CN).
                let basic = seq(&[oid(OID_BASIC_CONSTRAINTS), tlv(0x01, &[0xff]), tlv(0x04, &seq(&[]))]);
                let extensions = seq(&[basic, san_extension]);
                self.sign(&issuer, &csr.subject_der, &csr.public_key_der, 5 * 365, &extensions)
            }
            CsidKind::Production => {
                let issuer = seq(&[
                    rdn(OID_DC, 0x16, "local"),
                    rdn(OID_DC, 0x16, "gov"),
                    rdn(OID_DC, 0x16, "extgazt"),
                    rdn(OID_CN, 0x0c, "PRZEINVOICESCA4-CA"),
                ]);
                // The production CSID's subject is ordered C, O, OU, CN.
                let subject = seq(&[
                    rdn(OID_C, 0x13, &c.country_name),
                    rdn(OID_O, 0x0c, &c.organization_name),
                    rdn(OID_OU, 0x0c, &c.organization_unit_name),
                    rdn(OID_CN, 0x0c, &c.common_name),
                ]);
                // KeyUsage digitalSignature (critical), EKU codeSigning + clientAuth.
                let key_usage =
                    seq(&[oid(OID_KEY_USAGE), tlv(0x01, &[0xff]), tlv(0x04, &tlv(0x03, &[0x07, 0x80]))]);
                let eku = seq(&[
                    oid(OID_EXT_KEY_USAGE),
                    tlv(0x04, &seq(&[oid(OID_CODE_SIGNING), oid(OID_CLIENT_AUTH)])),
                ]);
                let extensions = seq(&[san_extension, key_usage, eku]);
                self.sign(&issuer, &subject, &csr.public_key_der, 2 * 365, &extensions)
            }
        }
    }

    fn sign(&self, issuer: &[u8], subject: &[u8], spki: &[u8], days: i64, extensions: &[u8]) -> Vec<u8> {
        let now = time::OffsetDateTime::now_utc();
        let not_before = now - time::Duration::minutes(5);
        let not_after = now + time::Duration::days(days);
        let mut serial = [0u8; 8];
        let _ = getrandom::fill(&mut serial);
        serial[0] = (serial[0] & 0x7f) | 0x01;
        let algorithm = seq(&[oid(OID_ECDSA_WITH_SHA256)]);
        let tbs = seq(&[
            tlv(0xa0, &tlv(0x02, &[2])),
            tlv(0x02, &serial),
            algorithm.clone(),
            issuer.to_vec(),
            seq(&[utc_time(not_before), utc_time(not_after)]),
            subject.to_vec(),
            spki.to_vec(),
            tlv(0xa3, extensions),
        ]);
        let signature = self.key.sign_der(&tbs);
        seq(&[tbs, algorithm, bit_string(&signature)])
    }
}

fn utc_time(t: time::OffsetDateTime) -> Vec<u8> {
    let text = format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        t.year() % 100,
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    tlv(0x17, text.as_bytes())
}

fn spki_of(point: &[u8]) -> Vec<u8> {
    seq(&[seq(&[oid("1.2.840.10045.2.1"), oid("1.3.132.0.10")]), bit_string(point)])
}

pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid(dotted: &str) -> Vec<u8> {
    ObjectIdentifier::new_unwrap(dotted).to_der().unwrap_or_default()
}

fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut content = vec![0];
    content.extend_from_slice(bytes);
    tlv(0x03, &content)
}

fn rdn(dotted: &str, string_tag: u8, value: &str) -> Vec<u8> {
    tlv(0x31, &seq(&[oid(dotted), tlv(string_tag, value.as_bytes())]))
}
