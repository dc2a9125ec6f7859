//! Onboarding material: a fresh secp256k1 key and the PKCS#10 certificate signing request (CSR)
//! Fatoora issues a CSID for.
//!
//! The CSR follows the one in ZATCA's OpenAPI example (and the SDK's `-csr` output) exactly:
//!
//! * subject `C` (PrintableString), `OU`, `O`, `CN` (UTF8String), in that DER order;
//! * one `extensionRequest` attribute with exactly two extensions: the Microsoft certificate
//!   template name `1.3.6.1.4.1.311.20.2` (UTF8String) and a subjectAltName holding one
//!   `directoryName` with `SN`, `UID`, `title`, `registeredAddress`, `businessCategory`
//!   (UTF8String, in that order);
//! * signed ecdsa-with-SHA256, version 0.
//!
//! The template name depends on the environment. The mapping below is **community consensus,
//! not an official ZATCA statement** (the SDK's `-nonprod`/`-sim` flags choose it inside a jar that
//! was not available to confirm): developer portal → `TSTZATCA-Code-Signing`, simulation →
//! `PREZATCA-Code-Signing`, core (production) → `ZATCA-Code-Signing`. Note that ZATCA's own OpenAPI
//! examples for the developer portal carry `ZATCA-Code-Signing`.
//!
//! The DER is written by hand (a few lines of TLV below) rather than through x509-cert's builder,
//! so that every string type and every byte is the one ZATCA's example has.

use crate::crypto::PrivateKey;
use crate::error::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Tag, Tagged};
use serde::{Deserialize, Serialize};

/// The certificate template extension (Microsoft `szOID_ENROLL_CERTTYPE_EXTENSION`).
pub const OID_CERTIFICATE_TEMPLATE_NAME: &str = "1.3.6.1.4.1.311.20.2";
const OID_SUBJECT_ALT_NAME: &str = "2.5.29.17";
const OID_EXTENSION_REQUEST: &str = "1.2.840.113549.1.9.14";
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_SECP256K1: &str = "1.3.132.0.10";
const OID_ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";
const OID_C: &str = "2.5.4.6";
const OID_OU: &str = "2.5.4.11";
const OID_O: &str = "2.5.4.10";
const OID_CN: &str = "2.5.4.3";
const OID_SN: &str = "2.5.4.4";
const OID_UID: &str = "0.9.2342.19200300.100.1.1";
const OID_TITLE: &str = "2.5.4.12";
const OID_REGISTERED_ADDRESS: &str = "2.5.4.26";
const OID_BUSINESS_CATEGORY: &str = "2.5.4.15";

/// A Fatoora environment: where the API lives and which certificate template its CSRs name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Environment {
    /// The developer portal (sandbox): anyone can use it, OTP `123456`.
    DeveloperPortal,
    /// Simulation: real taxpayers rehearsing with real onboarding.
    Simulation,
    /// Production ("core").
    Core,
    /// Any other base URL (the local gateway, a proxy). CSRs for it use the developer-portal
    /// template name.
    Custom(String),
}

impl Environment {
    /// The API base URL (no trailing slash). Developer portal: ZATCA's OpenAPI `servers`;
    /// simulation and core: the URL all public clients use (not stated in an official document).
    pub fn base_url(&self) -> &str {
        match self {
            Environment::DeveloperPortal => "https://gw-fatoora.zatca.gov.sa/e-invoicing/developer-portal",
            Environment::Simulation => "https://gw-fatoora.zatca.gov.sa/e-invoicing/simulation",
            Environment::Core => "https://gw-fatoora.zatca.gov.sa/e-invoicing/core",
            Environment::Custom(url) => url.trim_end_matches('/'),
        }
    }

    /// The certificate template name CSRs for this environment carry (community consensus; see
    /// the module documentation).
    pub fn certificate_template_name(&self) -> &'static str {
        match self {
            Environment::DeveloperPortal | Environment::Custom(_) => "TSTZATCA-Code-Signing",
            Environment::Simulation => "PREZATCA-Code-Signing",
            Environment::Core => "ZATCA-Code-Signing",
        }
    }

    /// A short stable name: `developer-portal`, `simulation`, `core`, or `custom(<url>)`.
    pub fn name(&self) -> String {
        match self {
            Environment::DeveloperPortal => "developer-portal".into(),
            Environment::Simulation => "simulation".into(),
            Environment::Core => "core".into(),
            Environment::Custom(url) => format!("custom({url})"),
        }
    }
}

impl std::str::FromStr for Environment {
    type Err = Error;

    /// `developer-portal` (also `sandbox`), `simulation`, `core` (also `production`), or an
    /// `http(s)://` base URL (a custom environment: the local gateway, a proxy), checked for form
    /// here (a host, an optional port, no credentials or query); whether plain `http://` may carry credentials is the client's
    /// decision.
    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        Ok(match text {
            "developer-portal" | "sandbox" => Environment::DeveloperPortal,
            "simulation" => Environment::Simulation,
            "core" | "production" => Environment::Core,
            url if url.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("http")) && url.contains("://") => {
                crate::base_url::BaseUrl::parse(url)?;
                Environment::Custom(url.trim_end_matches('/').to_owned())
            }
            other => {
                return Err(Error::InvalidInput(format!(
                    "unknown environment '{other}': use developer-portal, simulation, core or an http(s):// base URL"
                )));
            }
        })
    }
}

impl std::fmt::Display for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// What goes into the CSR: the nine values of the SDK's `csr-config-*.properties` files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsrConfig {
    /// `csr.common.name` → subject CN: the EGS unit name or asset tracking number.
    pub common_name: String,
    /// `csr.serial.number` → SAN SN: `1-<solution>|2-<model>|3-<serial>`.
    pub serial_number: String,
    /// `csr.organization.identifier` → SAN UID: the VAT number (15 digits, first and last `3`).
    pub organization_identifier: String,
    /// `csr.organization.unit.name` → subject OU: the branch (for a VAT group: the member's
    /// 10-digit TIN).
    pub organization_unit_name: String,
    /// `csr.organization.name` → subject O: the taxpayer's name.
    pub organization_name: String,
    /// `csr.country.name` → subject C: ISO 3166 alpha-2 (`SA`).
    pub country_name: String,
    /// `csr.invoice.type` → SAN title: four 0/1 flags `TSCZ` (`1100` = standard and simplified).
    pub invoice_type: String,
    /// `csr.location.address` → SAN registeredAddress: the branch address (short address).
    pub location_address: String,
    /// `csr.industry.business.category` → SAN businessCategory.
    pub industry_business_category: String,
}

/// The SDK property keys, in the SDK template's order, with the field each one fills.
const PROPERTY_KEYS: [&str; 9] = [
    "csr.common.name",
    "csr.serial.number",
    "csr.organization.identifier",
    "csr.organization.unit.name",
    "csr.organization.name",
    "csr.country.name",
    "csr.invoice.type",
    "csr.location.address",
    "csr.industry.business.category",
];

impl CsrConfig {
    fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "csr.common.name" => &mut self.common_name,
            "csr.serial.number" => &mut self.serial_number,
            "csr.organization.identifier" => &mut self.organization_identifier,
            "csr.organization.unit.name" => &mut self.organization_unit_name,
            "csr.organization.name" => &mut self.organization_name,
            "csr.country.name" => &mut self.country_name,
            "csr.invoice.type" => &mut self.invoice_type,
            "csr.location.address" => &mut self.location_address,
            "csr.industry.business.category" => &mut self.industry_business_category,
            _ => return None,
        })
    }

    fn field(&self, key: &str) -> &str {
        match key {
            "csr.common.name" => &self.common_name,
            "csr.serial.number" => &self.serial_number,
            "csr.organization.identifier" => &self.organization_identifier,
            "csr.organization.unit.name" => &self.organization_unit_name,
            "csr.organization.name" => &self.organization_name,
            "csr.country.name" => &self.country_name,
            "csr.invoice.type" => &self.invoice_type,
            "csr.location.address" => &self.location_address,
            _ => &self.industry_business_category,
        }
    }

    fn empty() -> Self {
        CsrConfig {
            common_name: String::new(),
            serial_number: String::new(),
            organization_identifier: String::new(),
            organization_unit_name: String::new(),
            organization_name: String::new(),
            country_name: String::new(),
            invoice_type: String::new(),
            location_address: String::new(),
            industry_business_category: String::new(),
        }
    }

    /// Reads an SDK `csr-config-*.properties` file (UTF-8; Java `.properties` syntax: `#`/`!`
    /// comments, `=` or `:` separators, backslash escapes and continuation lines, `\uXXXX`).
    ///
    /// Every one of the nine keys must be present; unknown keys are refused (a typo would
    /// otherwise silently leave a field empty). Values are not validated here (the SDK's
    /// template has them all empty): call [`CsrConfig::validate`], which [`build_csr`] does.
    pub fn from_properties(text: &str) -> Result<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut config = CsrConfig::empty();
        let mut seen = [false; 9];
        for (number, line) in logical_lines(text) {
            let (key, value) = split_property(&line);
            let key = unescape(&key)?;
            let value = unescape(&value)?;
            let Some(index) = PROPERTY_KEYS.iter().position(|k| *k == key) else {
                return Err(Error::InvalidInput(format!(
                    "CSR config line {number}: unknown key '{key}' (expected one of {})",
                    PROPERTY_KEYS.join(", ")
                )));
            };
            if seen[index] {
                return Err(Error::InvalidInput(format!("CSR config line {number}: '{key}' appears twice")));
            }
            seen[index] = true;
            if let Some(field) = config.field_mut(&key) {
                *field = value.trim().to_owned();
            }
        }
        let missing: Vec<&str> =
            PROPERTY_KEYS.iter().zip(seen).filter(|(_, seen)| !seen).map(|(k, _)| *k).collect();
        if !missing.is_empty() {
            return Err(Error::InvalidInput(format!("CSR config is missing {}", missing.join(", "))));
        }
        Ok(config)
    }

    /// The SDK `.properties` form (UTF-8, one `key=value` a line, in the SDK template's order).
    pub fn to_properties(&self) -> String {
        let mut out = String::new();
        for key in PROPERTY_KEYS {
            out.push_str(key);
            out.push('=');
            for c in self.field(key).chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    _ => out.push(c),
                }
            }
            out.push('\n');
        }
        out
    }

    /// Checks every value the way Fatoora will; the message names the SDK key.
    pub fn validate(&self) -> Result<()> {
        let bad =
            |key: &str, message: String| Err(Error::InvalidInput(format!("CSR config {key}: {message}")));
        for key in PROPERTY_KEYS {
            let value = self.field(key);
            if value.trim().is_empty() {
                return bad(key, "is empty".into());
            }
            if value.chars().any(char::is_control) {
                return bad(key, "contains a control character".into());
            }
            if value.len() > 200 {
                return bad(key, format!("is {} bytes long; keep it under 200", value.len()));
            }
        }
        let vat = &self.organization_identifier;
        let vat_ok = vat.len() == 15
            && vat.bytes().all(|b| b.is_ascii_digit())
            && vat.starts_with('3')
            && vat.ends_with('3');
        if !vat_ok {
            return bad(
                "csr.organization.identifier",
                format!("'{vat}' is not a VAT number: 15 digits, the first and the last being 3"),
            );
        }
        // A VAT group's number has 1 as its 11th digit; the branch is then the member's TIN.
        let ou = &self.organization_unit_name;
        if vat.as_bytes()[10] == b'1' && !(ou.len() == 10 && ou.bytes().all(|b| b.is_ascii_digit())) {
            return bad(
                "csr.organization.unit.name",
                format!("'{ou}': for a VAT group ({vat}) it must be the member's 10-digit TIN"),
            );
        }
        let serial = &self.serial_number;
        let parts: Vec<&str> = serial.split('|').collect();
        let well_formed = parts.len() == 3
            && parts.iter().zip(["1-", "2-", "3-"]).all(|(p, prefix)| p.len() > 2 && p.starts_with(prefix));
        if !well_formed {
            return bad(
                "csr.serial.number",
                format!(
                    "'{serial}' must read 1-<solution name>|2-<model or version>|3-<serial number>, e.g. 1-TST|2-TST|3-ed22f1d8-e6a2-1118-9b58-d9a8f11e445f"
                ),
            );
        }
        let kind = &self.invoice_type;
        if kind.len() != 4 || !kind.bytes().all(|b| b == b'0' || b == b'1') {
            return bad(
                "csr.invoice.type",
                format!(
                    "'{kind}' must be four 0/1 flags TSCZ (1100 = standard and simplified, 1000 standard only, 0100 simplified only)"
                ),
            );
        }
        if &kind[..2] == "00" {
            return bad(
                "csr.invoice.type",
                format!(
                    "'{kind}' enables neither standard (first flag) nor simplified (second flag) documents"
                ),
            );
        }
        let country = &self.country_name;
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return bad(
                "csr.country.name",
                format!("'{country}' must be an ISO 3166 alpha-2 code such as SA"),
            );
        }
        Ok(())
    }

    /// The invoice-type flags: (standard, simplified).
    pub fn invoice_families(&self) -> (bool, bool) {
        let b = self.invoice_type.as_bytes();
        (b.first() == Some(&b'1'), b.get(1) == Some(&b'1'))
    }
}

/// Splits `.properties` text into logical lines (continuations joined), skipping comments and
/// blank lines; yields the 1-based number of each logical line's first physical line.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let piece = if current.is_some() { line.trim_start() } else { line };
        if current.is_none() {
            let trimmed = piece.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!') {
                continue;
            }
        }
        // An odd number of trailing backslashes continues the line.
        let trailing = piece.chars().rev().take_while(|c| *c == '\\').count();
        let (content, continues) =
            if trailing % 2 == 1 { (&piece[..piece.len() - 1], true) } else { (piece, false) };
        let entry = current.get_or_insert_with(|| (index + 1, String::new()));
        entry.1.push_str(content);
        if !continues {
            out.extend(current.take());
        }
    }
    out.extend(current);
    out
}

/// Splits a logical line at the first unescaped `=`, `:` or whitespace (Java rules).
fn split_property(line: &str) -> (String, String) {
    let line = line.trim_start();
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '=' | ':' => return (line[..i].to_owned(), line[i + 1..].trim_start().to_owned()),
            c if c.is_whitespace() => {
                let rest = line[i..].trim_start();
                let rest = rest.strip_prefix(['=', ':']).unwrap_or(rest).trim_start();
                return (line[..i].to_owned(), rest.to_owned());
            }
            _ => {}
        }
    }
    (line.to_owned(), String::new())
}

fn unescape(text: &str) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 4)
                    .and_then(char::from_u32)
                    .ok_or_else(|| Error::InvalidInput(format!("CSR config: bad escape \\u{hex}")))?;
                out.push(code);
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(out)
}

/// A fresh secp256k1 private key from the operating system's random source.
pub fn generate_private_key() -> Result<PrivateKey> {
    loop {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)
            .map_err(|e| Error::InvalidKey(format!("the operating system's random source failed: {e}")))?;
        // Out of range (zero or ≥ n) has probability ~2⁻¹²⁸; draw again.
        if let Ok(key) = PrivateKey::from_secret_bytes(&secret) {
            return Ok(key);
        }
    }
}

/// A signed PKCS#10 certificate signing request.
#[derive(Clone, PartialEq, Eq)]
pub struct Csr {
    der: Vec<u8>,
}

impl std::fmt::Debug for Csr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Csr").field("der_len", &self.der.len()).finish()
    }
}

impl Csr {
    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// PEM text (`-----BEGIN CERTIFICATE REQUEST-----`, 64-character lines, LF, final newline),
    /// the form `openssl req` and the SDK's `-pem` write.
    pub fn to_pem(&self) -> String {
        pem("CERTIFICATE REQUEST", &self.der)
    }

    /// What the API's `csr` field carries: base64 of the PEM text.
    pub fn to_api_base64(&self) -> String {
        B64.encode(self.to_pem())
    }

    /// Reads the CSR back (see [`parse_csr`]).
    pub fn parse(&self) -> Result<ParsedCsr> {
        parse_csr(&self.der)
    }
}

/// PEM armour with 64-character lines.
pub fn pem(label: &str, der: &[u8]) -> String {
    let body = B64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Builds and signs the CSR for `config` (validated first) with `key`, naming the certificate
/// template of `environment`.
pub fn build_csr(config: &CsrConfig, key: &PrivateKey, environment: &Environment) -> Result<Csr> {
    config.validate()?;
    let subject = seq(&[
        rdn(OID_C, TAG_PRINTABLE, &config.country_name),
        rdn(OID_OU, TAG_UTF8, &config.organization_unit_name),
        rdn(OID_O, TAG_UTF8, &config.organization_name),
        rdn(OID_CN, TAG_UTF8, &config.common_name),
    ]);
    let spki = seq(&[seq(&[oid(OID_EC_PUBLIC_KEY), oid(OID_SECP256K1)]), bit_string(&key.public_key_sec1())]);
    let template = seq(&[
        oid(OID_CERTIFICATE_TEMPLATE_NAME),
        tlv(TAG_OCTET_STRING, &tlv(TAG_UTF8, environment.certificate_template_name().as_bytes())),
    ]);
    let directory_name = seq(&[
        rdn(OID_SN, TAG_UTF8, &config.serial_number),
        rdn(OID_UID, TAG_UTF8, &config.organization_identifier),
        rdn(OID_TITLE, TAG_UTF8, &config.invoice_type),
        rdn(OID_REGISTERED_ADDRESS, TAG_UTF8, &config.location_address),
        rdn(OID_BUSINESS_CATEGORY, TAG_UTF8, &config.industry_business_category),
    ]);
    // GeneralNames ::= SEQUENCE OF GeneralName; directoryName is [4], explicit (Name is a CHOICE).
    let san = seq(&[oid(OID_SUBJECT_ALT_NAME), tlv(TAG_OCTET_STRING, &seq(&[tlv(0xa4, &directory_name)]))]);
    let extension_request = seq(&[oid(OID_EXTENSION_REQUEST), tlv(TAG_SET, &seq(&[template, san]))]);
    let info = seq(&[
        tlv(TAG_INTEGER, &[0]),
        subject,
        spki,
        // attributes [0] IMPLICIT SET OF Attribute
        tlv(0xa0, &extension_request),
    ]);
    let signature = key.sign_der(&info);
    let der = seq(&[info, seq(&[oid(OID_ECDSA_WITH_SHA256)]), bit_string(&signature)]);
    Ok(Csr { der })
}

/// What a CSR says, read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedCsr {
    /// The nine values, read from the subject and the SAN directoryName (empty where absent).
    pub config: CsrConfig,
    /// The certificate template name extension's value, if present.
    pub template_name: Option<String>,
    /// The uncompressed SEC1 public point (65 bytes).
    pub public_key_sec1: Vec<u8>,
    /// The DER SubjectPublicKeyInfo.
    pub public_key_der: Vec<u8>,
    /// The DER subject Name, as in the request.
    pub subject_der: Vec<u8>,
    /// The DER value (the `GeneralNames` SEQUENCE) of the subjectAltName extension, if present.
    pub subject_alt_name_der: Option<Vec<u8>>,
    /// Object identifiers of every requested extension, in order.
    pub extension_oids: Vec<String>,
    /// Whether the request's ecdsa-with-SHA256 signature verifies with its own key.
    pub signature_valid: bool,
    /// The whole request, DER.
    pub der: Vec<u8>,
}

/// Reads a CSR from DER, PEM, base64 DER, or the API's base64-of-PEM form. The key must be on
/// secp256k1 and the signature ecdsa-with-SHA256; whether the signature verifies is reported in
/// [`ParsedCsr::signature_valid`].
pub fn parse_csr(input: &[u8]) -> Result<ParsedCsr> {
    let bad = |m: String| Error::InvalidInput(format!("invalid CSR: {m}"));
    let der = csr_der(input).map_err(bad)?;
    let request = x509_cert::request::CertReq::from_der(&der)
        .map_err(|e| bad(format!("not a PKCS#10 certification request ({e})")))?;
    let info = &request.info;
    let spki = &info.public_key;
    if spki.algorithm.oid.to_string() != OID_EC_PUBLIC_KEY {
        return Err(bad(format!("the key is not an EC key (algorithm {})", spki.algorithm.oid)));
    }
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
        .map(|o| o.to_string())
        .unwrap_or_default();
    if curve != OID_SECP256K1 {
        return Err(bad(format!(
            "the key is on curve '{curve}'; ZATCA requires secp256k1 ({OID_SECP256K1})"
        )));
    }
    if request.algorithm.oid.to_string() != OID_ECDSA_WITH_SHA256 {
        return Err(bad(format!(
            "signed with {}; ecdsa-with-SHA256 ({OID_ECDSA_WITH_SHA256}) is required",
            request.algorithm.oid
        )));
    }
    let point = spki.subject_public_key.raw_bytes().to_vec();
    let verifying_key = k256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
        .map_err(|_| bad("its public key is not a valid secp256k1 point".into()))?;
    let info_der = info.to_der().map_err(|e| bad(e.to_string()))?;
    let signature_valid = k256::ecdsa::Signature::from_der(request.signature.raw_bytes())
        .map(|s| {
            use k256::ecdsa::signature::Verifier;
            verifying_key.verify(&info_der, &s.normalize_s()).is_ok()
        })
        .unwrap_or(false);

    let mut config = CsrConfig::empty();
    for atv in info.subject.iter() {
        let value = any_text(&atv.value);
        match atv.oid.to_string().as_str() {
            OID_C => config.country_name = value,
            OID_OU => config.organization_unit_name = value,
            OID_O => config.organization_name = value,
            OID_CN => config.common_name = value,
            _ => {}
        }
    }
    let mut template_name = None;
    let mut subject_alt_name_der = None;
    let mut extension_oids = Vec::new();
    for attribute in info.attributes.iter() {
        if attribute.oid.to_string() != OID_EXTENSION_REQUEST {
            continue;
        }
        for value in attribute.values.iter() {
            let extensions: Vec<x509_cert::ext::Extension> =
                value.decode_as().map_err(|e| bad(format!("unreadable extensionRequest ({e})")))?;
            for extension in extensions {
                let id = extension.extn_id.to_string();
                let bytes = extension.extn_value.as_bytes();
                if id == OID_CERTIFICATE_TEMPLATE_NAME {
                    template_name = der::Any::from_der(bytes).ok().map(|a| any_text(&a));
                } else if id == OID_SUBJECT_ALT_NAME {
                    subject_alt_name_der = Some(bytes.to_vec());
                    let names = x509_cert::ext::pkix::SubjectAltName::from_der(bytes)
                        .map_err(|e| bad(format!("unreadable subjectAltName ({e})")))?;
                    for name in names.0 {
                        if let x509_cert::ext::pkix::name::GeneralName::DirectoryName(name) = name {
                            for atv in name.iter() {
                                let value = any_text(&atv.value);
                                match atv.oid.to_string().as_str() {
                                    OID_SN => config.serial_number = value,
                                    OID_UID => config.organization_identifier = value,
                                    OID_TITLE => config.invoice_type = value,
                                    OID_REGISTERED_ADDRESS => config.location_address = value,
                                    OID_BUSINESS_CATEGORY => config.industry_business_category = value,
                                    _ => {}
                                }
                            }
                        }
                    }
                }
                extension_oids.push(id);
            }
        }
    }
    Ok(ParsedCsr {
        config,
        template_name,
        public_key_sec1: point,
        public_key_der: spki.to_der().map_err(|e| bad(e.to_string()))?,
        subject_der: info.subject.to_der().map_err(|e| bad(e.to_string()))?,
        subject_alt_name_der,
        extension_oids,
        signature_valid,
        der,
    })
}

/// DER from any of the forms a CSR travels in.
fn csr_der(input: &[u8]) -> Result<Vec<u8>, String> {
    if input.first() == Some(&0x30) {
        return Ok(input.to_vec());
    }
    let text = std::str::from_utf8(input).map_err(|_| "neither DER nor text".to_owned())?.trim();
    if text.is_empty() {
        return Err("it is empty".into());
    }
    if text.contains("-----BEGIN") {
        let body: String = text
            .lines()
            .map(str::trim)
            .skip_while(|l| !l.starts_with("-----BEGIN"))
            .skip(1)
            .take_while(|l| !l.starts_with("-----END"))
            .collect();
        return B64.decode(body).map_err(|e| format!("its PEM body is not base64 ({e})"));
    }
    let compact: String = text.split_ascii_whitespace().collect();
    let decoded = B64.decode(compact).map_err(|e| format!("it is neither PEM nor base64 ({e})"))?;
    if decoded.starts_with(b"-----BEGIN") {
        return csr_der(&decoded);
    }
    if decoded.first() == Some(&0x30) {
        return Ok(decoded);
    }
    Err("base64 that decodes to neither PEM nor DER".into())
}

fn any_text(any: &der::Any) -> String {
    match any.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
            String::from_utf8_lossy(any.value()).into_owned()
        }
        _ => String::new(),
    }
}

// ---- a minimal DER writer -------------------------------------------------------------------

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_UTF8: u8 = 0x0c;
const TAG_PRINTABLE: u8 = 0x13;
const TAG_SEQUENCE: u8 = 0x30;
const TAG_SET: u8 = 0x31;

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
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
    tlv(TAG_SEQUENCE, &parts.concat())
}

fn oid(dotted: &str) -> Vec<u8> {
    // Only constants of this module reach here.
    ObjectIdentifier::new_unwrap(dotted).to_der().unwrap_or_default()
}

fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(bytes.len() + 1);
    content.push(0);
    content.extend_from_slice(bytes);
    tlv(TAG_BIT_STRING, &content)
}

/// One RelativeDistinguishedName: SET { SEQUENCE { type, value } }.
fn rdn(dotted: &str, string_tag: u8, value: &str) -> Vec<u8> {
    tlv(TAG_SET, &seq(&[oid(dotted), tlv(string_tag, value.as_bytes())]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths() {
        assert_eq!(tlv(0x04, &[0; 5])[..2], [0x04, 5]);
        assert_eq!(tlv(0x04, &[0; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(tlv(0x04, &[0; 300])[..4], [0x04, 0x82, 1, 44]);
    }

    #[test]
    fn properties_syntax() {
        let text = "# comment\n! other\ncsr.common.name = a\\\n   b\ncsr.serial.number:1-a|2-b|3-c\n\
            csr.organization.identifier 399999999900003\ncsr.organization.unit.name=\\u0041x\n\
            csr.organization.name=O\ncsr.country.name=SA\ncsr.invoice.type=1100\n\
            csr.location.address=R\ncsr.industry.business.category=B\n";
        let config = CsrConfig::from_properties(text).unwrap();
        assert_eq!(config.common_name, "ab");
        assert_eq!(config.serial_number, "1-a|2-b|3-c");
        assert_eq!(config.organization_identifier, "399999999900003");
        assert_eq!(config.organization_unit_name, "Ax");
        config.validate().unwrap();
        assert_eq!(CsrConfig::from_properties(&config.to_properties()).unwrap(), config);
    }
}
