//! Keys and certificates in every form ZATCA material comes in: PEM, DER, PKCS#8, SEC1, the bare
//! base64 bodies of the official SDK (no armour), and the API's `binarySecurityToken` (base64 of
//! the base64 certificate text). Only secp256k1 is accepted, as ZATCA requires.

use crate::error::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use der::{Decode, Encode};
use k256::ecdsa::signature::{Signer as _, Verifier as _};
use k256::ecdsa::{DerSignature, Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use x509_cert::Certificate as X509;

/// id-ecPublicKey and the secp256k1 curve.
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_SECP256K1: &str = "1.3.132.0.10";

/// Reads text or binary key/certificate material into DER bytes.
///
/// PEM armour is stripped when present; otherwise text that is pure base64 is decoded; anything
/// else is taken to be DER already.
fn material_to_der(input: &[u8]) -> Result<Vec<u8>, String> {
    let Ok(text) = std::str::from_utf8(input) else {
        return Ok(input.to_vec());
    };
    let text = text.trim();
    let body: String = if text.contains("-----BEGIN") {
        text.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().concat()
    } else {
        text.split_ascii_whitespace().collect()
    };
    if body.is_empty() {
        return Err("it is empty".into());
    }
    if body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=') {
        B64.decode(body.as_bytes()).map_err(|e| format!("its base64 is invalid ({e})"))
    } else if input.first() == Some(&0x30) {
        Ok(input.to_vec())
    } else {
        Err("it is neither PEM, base64 nor DER".into())
    }
}

/// An EGS unit's secp256k1 private key.
#[derive(Clone)]
pub struct PrivateKey(SigningKey);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

impl PrivateKey {
    /// Reads a key from PEM (SEC1 `EC PRIVATE KEY` or PKCS#8 `PRIVATE KEY`), DER, or the SDK's
    /// bare base64 body.
    pub fn from_bytes(input: &[u8]) -> Result<Self> {
        let der =
            material_to_der(input).map_err(|e| Error::InvalidKey(format!("cannot read the key: {e}")))?;
        if let Ok(secret) = k256::SecretKey::from_sec1_der(&der) {
            return Ok(PrivateKey(SigningKey::from(secret)));
        }
        use k256::pkcs8::DecodePrivateKey;
        match k256::SecretKey::from_pkcs8_der(&der) {
            Ok(secret) => Ok(PrivateKey(SigningKey::from(secret))),
            Err(e) => Err(Error::InvalidKey(match curve_of_key(&der) {
                Some(curve) if curve != OID_SECP256K1 => {
                    format!("the key is on curve {curve}; ZATCA requires secp256k1 ({OID_SECP256K1})")
                }
                _ => format!("not a secp256k1 private key in SEC1 or PKCS#8 form ({e})"),
            })),
        }
    }

    /// Wraps 32 raw secret bytes (used for key generation).
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self> {
        let secret = k256::SecretKey::from_slice(bytes)
            .map_err(|_| Error::InvalidKey("32 secret bytes in the curve's range are required".into()))?;
        Ok(PrivateKey(SigningKey::from(secret)))
    }

    /// The SEC1 PEM form (`-----BEGIN EC PRIVATE KEY-----`).
    pub fn to_sec1_pem(&self) -> Result<String> {
        let secret = k256::SecretKey::from(&self.0);
        secret
            .to_sec1_pem(Default::default())
            .map(|pem| pem.to_string())
            .map_err(|e| Error::InvalidKey(e.to_string()))
    }

    /// The uncompressed SEC1 public point of this key.
    pub fn public_key_sec1(&self) -> Vec<u8> {
        self.0.verifying_key().to_sec1_point(false).as_bytes().to_vec()
    }

    /// ECDSA over SHA-256 of `message`, deterministic per RFC 6979, DER-encoded.
    ///
    /// Deterministic nonces are as secure as random ones and need no RNG; they also make stamped
    /// documents reproducible across the five languages for golden tests.
    pub fn sign_der(&self, message: &[u8]) -> Vec<u8> {
        let signature: Signature = self.0.sign(message);
        let der: DerSignature = signature.to_der();
        der.as_bytes().to_vec()
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.0
    }
}

/// Extracts the named-curve OID of a PKCS#8 or SEC1 key, for a precise error message.
fn curve_of_key(der: &[u8]) -> Option<String> {
    // Look for the first OID after id-ecPublicKey; good enough for an error message.
    let ec = der::asn1::ObjectIdentifier::new_unwrap(OID_EC_PUBLIC_KEY).to_der().ok()?;
    let at = der.windows(ec.len()).position(|w| w == ec.as_slice())? + ec.len();
    let rest = der.get(at..)?;
    if rest.first() != Some(&0x06) {
        return None;
    }
    let len = *rest.get(1)? as usize;
    <der::asn1::ObjectIdentifier>::from_der(rest.get(..2 + len)?).ok().map(|o| o.to_string())
}

/// A signing certificate (compliance or production CSID), with the derived values the XAdES block
/// and the QR code need.
#[derive(Clone, Debug)]
pub struct Certificate {
    der: Vec<u8>,
    base64: String,
    /// `xades:CertDigest`, computed once: it is the same for every document this certificate stamps.
    digest: String,
    verifying_key: VerifyingKey,
    spki_der: Vec<u8>,
    signature: Vec<u8>,
    issuer: String,
    serial: String,
    not_after_unix: i64,
    not_before_unix: i64,
}

impl Certificate {
    /// Reads a certificate from PEM, DER, bare base64 (the SDK's `cert.pem`) or a Fatoora
    /// `binarySecurityToken` (base64 of the base64 text).
    pub fn from_bytes(input: &[u8]) -> Result<Self> {
        let bad = |e: String| Error::InvalidCertificate(format!("cannot read the certificate: {e}"));
        let mut der = material_to_der(input).map_err(bad)?;
        // A binarySecurityToken decodes to the base64 text of the certificate ("MII…").
        if der.starts_with(b"MI") {
            der = material_to_der(&der).map_err(bad)?;
        }
        Self::from_der(der)
    }

    fn from_der(der: Vec<u8>) -> Result<Self> {
        let cert = X509::from_der(&der)
            .map_err(|e| Error::InvalidCertificate(format!("not an X.509 certificate ({e})")))?;
        let tbs = cert.tbs_certificate();
        let spki = tbs.subject_public_key_info();
        if spki.algorithm.oid.to_string() != OID_EC_PUBLIC_KEY {
            return Err(Error::InvalidCertificate(format!(
                "the certificate's key is not an EC key (algorithm {})",
                spki.algorithm.oid
            )));
        }
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
            .map(|o| o.to_string())
            .unwrap_or_default();
        if curve != OID_SECP256K1 {
            return Err(Error::InvalidCertificate(format!(
                "the certificate's key is on curve {curve}; ZATCA requires secp256k1 ({OID_SECP256K1})"
            )));
        }
        let point = spki.subject_public_key.raw_bytes();
        let verifying_key = VerifyingKey::from_sec1_bytes(point)
            .map_err(|_| Error::InvalidCertificate("its public key is not a valid secp256k1 point".into()))?;
        let spki_der = spki
            .to_der()
            .map_err(|e| Error::InvalidCertificate(format!("cannot encode its public key ({e})")))?;
        let validity = tbs.validity();
        let base64 = B64.encode(&der);
        Ok(Certificate {
            digest: B64.encode(hex(&Sha256::digest(base64.as_bytes()))),
            base64,
            verifying_key,
            spki_der,
            signature: cert.signature().raw_bytes().to_vec(),
            issuer: issuer_name(tbs.issuer()),
            serial: bytes_to_decimal(tbs.serial_number().as_bytes()),
            not_after_unix: validity.not_after.to_unix_duration().as_secs() as i64,
            not_before_unix: validity.not_before.to_unix_duration().as_secs() as i64,
            der,
        })
    }

    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
    /// One-line base64 of the DER, the content of `ds:X509Certificate`.
    pub fn base64(&self) -> &str {
        &self.base64
    }
    /// `ds:X509IssuerName`: RDNs most specific first, joined by `", "`.
    pub fn issuer_name(&self) -> &str {
        &self.issuer
    }
    /// `ds:X509SerialNumber`: the serial as a decimal integer.
    pub fn serial_decimal(&self) -> &str {
        &self.serial
    }
    /// QR tag 8: the DER SubjectPublicKeyInfo.
    pub fn public_key_der(&self) -> &[u8] {
        &self.spki_der
    }
    /// QR tag 9: the issuing CA's signature over this certificate, DER.
    pub fn signature_der(&self) -> &[u8] {
        &self.signature
    }
    /// End of validity, seconds since the Unix epoch.
    pub fn not_after_unix(&self) -> i64 {
        self.not_after_unix
    }
    /// Start of validity, seconds since the Unix epoch.
    pub fn not_before_unix(&self) -> i64 {
        self.not_before_unix
    }
    /// `xades:CertDigest`: base64 of the lowercase hex SHA-256 of the base64 certificate text.
    pub fn digest(&self) -> &str {
        &self.digest
    }
    /// Whether `key` is the private half of this certificate's public key.
    pub fn matches(&self, key: &PrivateKey) -> bool {
        key.signing_key().verifying_key() == &self.verifying_key
    }
    /// Verifies a DER ECDSA-SHA256 signature over `message` with this certificate's key.
    pub fn verify(&self, message: &[u8], signature_der: &[u8]) -> bool {
        // ECDSA accepts both s and n - s; k256 insists on the low form, Java's signer does not.
        Signature::from_der(signature_der)
            .map(|s| self.verifying_key.verify(message, &s.normalize_s()).is_ok())
            .unwrap_or(false)
    }
}

fn issuer_name(name: &x509_cert::name::Name) -> String {
    let rdns: Vec<String> = name.iter_rdn().map(|rdn| rdn.to_string()).collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(", ")
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Big-endian unsigned bytes to a decimal string (certificate serials exceed 128 bits).
fn bytes_to_decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = vec![0]; // little-endian base-10 digits
    for &byte in bytes {
        let mut carry = byte as u32;
        for d in digits.iter_mut() {
            let v = *d as u32 * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    digits.iter().rev().map(|d| (b'0' + d) as char).collect()
}

/// A certificate and the private key that signs with it, checked to belong together.
#[derive(Clone, Debug)]
pub struct Signer {
    pub(crate) certificate: Certificate,
    pub(crate) key: PrivateKey,
}

impl Signer {
    pub fn new(certificate: Certificate, key: PrivateKey) -> Result<Self> {
        if !certificate.matches(&key) {
            return Err(Error::KeyMismatch);
        }
        Ok(Signer { certificate, key })
    }

    /// Reads both from any supported encoding (see [`Certificate::from_bytes`],
    /// [`PrivateKey::from_bytes`]).
    pub fn from_bytes(certificate: &[u8], key: &[u8]) -> Result<Self> {
        Self::new(Certificate::from_bytes(certificate)?, PrivateKey::from_bytes(key)?)
    }

    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_of_big_serials() {
        assert_eq!(bytes_to_decimal(&[0]), "0");
        assert_eq!(bytes_to_decimal(&[1, 0]), "256");
        assert_eq!(bytes_to_decimal(&[0xff; 8]), u64::MAX.to_string());
        let v: u128 = 0x1234_5678_9abc_def0_1122_3344_5566_7788;
        assert_eq!(bytes_to_decimal(&v.to_be_bytes()), v.to_string());
    }
}
