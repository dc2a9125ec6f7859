//! The six endpoints and what they check.
//!
//! Every endpoint:
//! * `Accept-Version` must be `V2`, else **406** with ZATCA's plain-text body;
//! * authenticated endpoints need `Authorization: Basic base64(binarySecurityToken:secret)` of a
//!   CSID of the right kind (compliance CSID for `/compliance/invoices` and
//!   `POST /production/csids`; production CSID for clearance, reporting and renewal), else
//!   **401** `{"timestamp","status":401,"error":"Unauthorized","message":""}`.
//!
//! CSID endpoints (`POST /compliance`, `POST /production/csids`, `PATCH /production/csids`), 400
//! bodies `{"errors":[{"code","message"}]}`:
//! * `OTP` header present (`Missing-OTP`) and one of the configured OTPs (`Invalid-OTP`);
//! * `csr` present (`Missing-CSR`), base64 of a PEM (or DER) PKCS#10 request on secp256k1 signed
//!   ecdsa-with-SHA256 whose signature verifies, with a known template name and every subject/SAN
//!   field valid per `qayd::CsrConfig::validate` (`Invalid-CSR`); on renewal the VAT number must
//!   be the current CSID's;
//! * `compliance_request_id` equal to the caller's compliance CSID's `requestID`
//!   (`Invalid-Request`), and the compliance checks done for every document family the CSR's
//!   invoice type enables (`Missing-ComplianceSteps`): type `1xxx` → standard invoice, credit
//!   note and debit note; `x1xx` → the three simplified ones.
//!
//! Document endpoints (`{"invoiceHash","uuid","invoice"}`), answers shaped as in the OpenAPI
//! examples:
//! * fields present (`InvoiceHash-Errors` "Document hash is not present in the API body", …),
//!   `invoiceHash` a base64 SHA-256, `invoice` base64 of well-formed XML (`XSD_ZATCA_INVALID`);
//! * `uuid` equals `cbc:UUID` (`invalid-uuid`), `invoiceHash` equals the recomputed hash
//!   (`invalid-invoice-hash`, `INVOICE_HASHING_ERRORS`);
//! * `qayd::verify`: signature (`invalid-digital-signature`), SignedProperties digest
//!   (`signed-properties-hashing`), certificate digest (`certificate-hashing`), issuer/serial,
//!   QR (`QRCODE_INVALID`), ICV/PIH format (`BR-KSA-33/34/26/61`);
//! * the signing certificate is the caller's CSID (`invalid-certificate`) and the seller VAT is
//!   the CSID's (`certificate-permissions`);
//! * clearance takes standard documents only, reporting simplified only
//!   (`invalid-invoice-type`); `Clearance-Status: 0` on clearance → 303 as the platform does when
//!   clearance is switched off;
//! * production only: ICV/PIH continuity per EGS unit (VAT number + EGS serial of the
//!   certificate): the PIH should be the hash of the previous document of that EGS, accepted or
//!   rejected (the first one: the genesis PIH), and the ICV one more than the previous one. As
//!   on the platform a break is a warning, not a rejection: `KSA-13` "PIH is inValid" (ZATCA's
//!   code and words), `invalid-icv` (this gateway's own code: ZATCA states none); the document
//!   is accepted with 202;
//! * the schema and every business rule of `qayd::validate` (ZATCA's R3.4.8 rule set): an error
//!   is reported with the rule id as `code` (category `KSA` or `EN_16931`; schema findings as
//!   `XSD_ZATCA_INVALID`) and rejects the document (**400**); warnings alone accept it with
//!   **202** (compliance checks: 200 with status `WARNING`, as ZATCA documents only 200/400
//!   there). `BR-KSA-98` comes only from `warn_late_reporting`;
//! * duplicates (same invoice hash again for the same EGS): clearance **208** with the cleared
//!   invoice, reporting **409** "Invoice was already Reported successfully earlier.".
//!
//! A cleared invoice is stamped again by the platform, as ZATCA's are: new `SigningTime`,
//! SignedProperties digest, `SignatureValue` and QR (tags 1–8); the invoice part, and so its hash
//! and the UUID, are untouched. ZATCA's cleared examples keep the taxpayer's certificate and carry
//! a signature that certificate does not verify (who signs is UNCONFIRMED, SPEC §b); this gateway
//! signs with its CA key and embeds the CA certificate instead, so its stamp can be checked.
//!
//! Renewal (`PATCH /production/csids`) answers **428** `NOT_COMPLIANT` with a new *compliance*
//! CSID when the compliance steps are required and the new CSR enables a document family whose
//! compliance check this EGS has not passed (or always, with `renewal_requires_compliance`); the
//! caller then redoes the checks with it and asks `POST /production/csids` again. A production
//! CSID asked before the compliance steps is **400** `Missing-ComplianceSteps`, as ZATCA's
//! documentation of that call shows.

use crate::ca::{Ca, CsidKind};
use crate::{Answer, GatewayConfig, ReceivedRequest, answer, json};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use qayd::csr::ParsedCsr;
use serde_json::{Value, json as j};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

const NOT_ACCEPTABLE: &str = "This Version is not supported or not provided in the header.";
const TOKEN_TYPE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";

/// A document family for the compliance steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Family {
    simplified: bool,
    /// 388, 381 or 383.
    type_code: u16,
}

struct Csid {
    kind: CsidKind,
    secret: String,
    certificate_base64: String,
    request_id: String,
    csr: ParsedCsr,
    /// Families whose compliance check passed (compliance CSIDs; production CSIDs inherit them).
    compliance_done: HashSet<Family>,
}

#[derive(Default)]
struct Chain {
    last_hash: Option<String>,
    last_icv: Option<u64>,
    /// invoice hash → the cleared XML (clearance) or nothing (reporting).
    accepted: HashMap<String, Option<Vec<u8>>>,
}

#[derive(Default)]
struct State {
    /// binarySecurityToken → CSID.
    csids: HashMap<String, Csid>,
    /// (VAT, EGS serial) → chain of production documents.
    chains: HashMap<(String, String), Chain>,
    next_request_id: u64,
    /// OTPs already used (with `single_use_otps`).
    used_otps: HashSet<String>,
}

/// The platform's state: CSIDs issued, compliance progress, chains.
pub struct Platform {
    ca: Ca,
    /// The CA's self-signed certificate, made once at start-up.
    ca_certificate: Vec<u8>,
    valid_otps: Vec<String>,
    single_use_otps: bool,
    require_compliance_steps: bool,
    renewal_requires_compliance: bool,
    warn_late_reporting: bool,
    /// Stamps cleared invoices (`None` only if the CA key cannot make a certificate).
    stamper: Option<qayd::Signer>,
    state: Mutex<State>,
}

struct Validation {
    info: Vec<Value>,
    warnings: Vec<Value>,
    errors: Vec<Value>,
}

fn message(kind: &str, code: &str, category: &str, text: &str) -> Value {
    let status = match kind {
        "INFO" => "PASS",
        "WARNING" => "WARNING",
        _ => "ERROR",
    };
    j!({"type": kind, "code": code, "category": category, "message": text, "status": status})
}

impl Validation {
    fn new() -> Self {
        Validation { info: Vec::new(), warnings: Vec::new(), errors: Vec::new() }
    }
    fn error(&mut self, code: &str, category: &str, text: &str) {
        self.errors.push(message("ERROR", code, category, text));
    }
    fn warning(&mut self, code: &str, category: &str, text: &str) {
        self.warnings.push(message("WARNING", code, category, text));
    }
    /// `qayd::validate`'s findings as the platform words them: one message per rule id and text,
    /// none for a code already reported by the earlier checks.
    fn add_findings(&mut self, report: &qayd::ValidationReport) {
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let known: HashSet<String> = self
            .errors
            .iter()
            .filter_map(|m| m.get("code").and_then(Value::as_str).map(str::to_owned))
            .collect();
        for finding in &report.findings {
            // Reported from `warn_late_reporting`, with the gateway's own clock and time zone.
            if finding.rule == "BR-KSA-98" || known.contains(&finding.rule) {
                continue;
            }
            let schema = qayd::validate::rule_info(&finding.rule).is_none();
            let (code, category, text) = if schema {
                let text = format!(
                    "Schema validation failed; XML does not comply with UBL 2.1 standards in line with ZATCA specifications. ERROR: {} ({})",
                    finding.message_en, finding.path
                );
                ("XSD_ZATCA_INVALID".to_owned(), "XSD validation", text)
            } else {
                let category = if finding.rule.starts_with("BR-KSA") { "KSA" } else { "EN_16931" };
                (finding.rule.clone(), category, finding.message_en.clone())
            };
            if !seen.insert((code.clone(), text.clone())) {
                continue;
            }
            match finding.severity {
                qayd::Severity::Error => self.error(&code, category, &text),
                qayd::Severity::Warning => self.warning(&code, category, &text),
                // `Severity` is non-exhaustive: a severity a later rule set adds is answered as
                // an error, the verdict that never lets a document through unjudged.
                _ => self.error(&code, category, &text),
            }
        }
        if self.errors.iter().any(|m| m.get("code").and_then(Value::as_str) == Some("XSD_ZATCA_INVALID")) {
            self.info.retain(|m| m.get("code").and_then(Value::as_str) != Some("XSD_ZATCA_VALID"));
        }
    }
    fn to_json(&self) -> Value {
        let status = if !self.errors.is_empty() {
            "ERROR"
        } else if !self.warnings.is_empty() {
            "WARNING"
        } else {
            "PASS"
        };
        j!({"infoMessages": self.info, "warningMessages": self.warnings, "errorMessages": self.errors, "status": status})
    }
}

fn unauthorized() -> Answer {
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    json(401, &j!({"timestamp": now as i64, "status": 401, "error": "Unauthorized", "message": ""}))
}

fn csid_error(code: &str, text: &str) -> Answer {
    json(400, &j!({"errors": [{"code": code, "message": text}]}))
}

fn random_base64(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    let _ = getrandom::fill(&mut bytes);
    B64.encode(bytes)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Compliance,
    Clearance,
    Reporting,
}

impl Platform {
    pub(crate) fn new(ca: Ca, config: &GatewayConfig) -> Self {
        let ca_certificate = ca.certificate_der();
        Platform {
            stamper: ca.stamper(&ca_certificate),
            ca_certificate,
            ca,
            valid_otps: config.valid_otps.clone(),
            single_use_otps: config.single_use_otps,
            require_compliance_steps: config.require_compliance_steps,
            renewal_requires_compliance: config.renewal_requires_compliance,
            warn_late_reporting: config.warn_late_reporting,
            state: Mutex::new(State { next_request_id: 1_234_567_890_123, ..Default::default() }),
        }
    }

    pub(crate) fn ca_certificate_der(&self) -> Vec<u8> {
        self.ca_certificate.clone()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn handle(&self, request: &ReceivedRequest) -> Answer {
        // Any prefix before the API path is accepted (`/e-invoicing/developer-portal/...`).
        let path = request.path.trim_end_matches('/');
        let route = [
            "/compliance/invoices",
            "/invoices/clearance/single",
            "/invoices/reporting/single",
            "/production/csids",
            "/compliance",
        ]
        .into_iter()
        .find(|r| path.ends_with(r));
        let Some(route) = route else {
            return answer(404, "text/plain", "Not Found");
        };
        if request.header("accept-version") != Some("V2") {
            return answer(406, "text/plain;charset=UTF-8", NOT_ACCEPTABLE);
        }
        match (request.method.as_str(), route) {
            ("POST", "/compliance") => self.compliance_csid(request),
            ("POST", "/compliance/invoices") => self.document(request, Endpoint::Compliance),
            ("POST", "/production/csids") => self.production_csid(request),
            ("PATCH", "/production/csids") => self.renew(request),
            ("POST", "/invoices/clearance/single") => self.document(request, Endpoint::Clearance),
            ("POST", "/invoices/reporting/single") => self.document(request, Endpoint::Reporting),
            _ => answer(405, "text/plain", "Method Not Allowed"),
        }
    }

    /// The caller's CSID token if `Authorization` names a CSID of `kind` with the right secret.
    fn authenticate(&self, request: &ReceivedRequest, kind: CsidKind) -> Option<String> {
        let header = request.header("authorization")?;
        let encoded = header.strip_prefix("Basic ")?.trim();
        let decoded = String::from_utf8(B64.decode(encoded).ok()?).ok()?;
        let (token, secret) = decoded.split_once(':')?;
        let state = self.state();
        let csid = state.csids.get(token)?;
        // Compare secrets without an early exit.
        let equal = csid.secret.len() == secret.len()
            && csid.secret.bytes().zip(secret.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        (equal && csid.kind == kind).then(|| token.to_owned())
    }

    fn check_otp(&self, request: &ReceivedRequest) -> Result<(), Box<Answer>> {
        match request.header("otp") {
            None | Some("") => Err(Box::new(csid_error("Missing-OTP", "OTP is required field"))),
            Some(otp) if self.valid_otps.iter().any(|v| v == otp) => {
                if self.single_use_otps && !self.state().used_otps.insert(otp.to_owned()) {
                    return Err(Box::new(csid_error("Invalid-OTP", "The provided OTP is invalid")));
                }
                Ok(())
            }
            Some(_) => Err(Box::new(csid_error("Invalid-OTP", "The provided OTP is invalid"))),
        }
    }

    fn read_csr(&self, request: &ReceivedRequest) -> Result<ParsedCsr, Box<Answer>> {
        let body: Value = serde_json::from_slice(&request.body)
            .map_err(|_| Box::new(csid_error("Invalid-Request", "The request body is not valid JSON")))?;
        let csr = match body.get("csr").and_then(Value::as_str) {
            None | Some("") => return Err(Box::new(csid_error("Missing-CSR", "CSR is required field"))),
            Some(csr) => csr,
        };
        let invalid = || Box::new(csid_error("Invalid-CSR", "The provided CSR is invalid"));
        let decoded = B64.decode(csr.trim()).map_err(|_| invalid())?;
        let parsed = qayd::parse_csr(&decoded).map_err(|_| invalid())?;
        if !parsed.signature_valid
            || parsed.config.validate().is_err()
            || parsed.subject_alt_name_der.is_none()
        {
            return Err(invalid());
        }
        let template_ok = matches!(
            parsed.template_name.as_deref(),
            Some("ZATCA-Code-Signing" | "PREZATCA-Code-Signing" | "TSTZATCA-Code-Signing")
        );
        if !template_ok {
            return Err(invalid());
        }
        Ok(parsed)
    }

    fn issue(&self, state: &mut State, csr: ParsedCsr, kind: CsidKind) -> (String, String, String) {
        self.issue_with(state, csr, kind, HashSet::new())
    }

    /// [`Platform::issue`] for a CSID that inherits the compliance checks already passed.
    fn issue_with(
        &self,
        state: &mut State,
        csr: ParsedCsr,
        kind: CsidKind,
        compliance_done: HashSet<Family>,
    ) -> (String, String, String) {
        let der = self.ca.issue(&csr, kind);
        let certificate_base64 = B64.encode(&der);
        let token = B64.encode(&certificate_base64);
        let secret = random_base64(32);
        state.next_request_id += 1;
        let request_id = state.next_request_id.to_string();
        state.csids.insert(
            token.clone(),
            Csid {
                kind,
                secret: secret.clone(),
                certificate_base64,
                request_id: request_id.clone(),
                csr,
                compliance_done,
            },
        );
        (request_id, token, secret)
    }

    fn compliance_csid(&self, request: &ReceivedRequest) -> Answer {
        if let Err(answer) = self.check_otp(request) {
            return *answer;
        }
        let csr = match self.read_csr(request) {
            Ok(csr) => csr,
            Err(answer) => return *answer,
        };
        let mut state = self.state();
        let (request_id, token, secret) = self.issue(&mut state, csr, CsidKind::Compliance);
        let id: u64 = request_id.parse().unwrap_or_default();
        json(
            200,
            &j!({"requestID": id, "dispositionMessage": "ISSUED", "binarySecurityToken": token, "secret": secret}),
        )
    }

    fn production_csid(&self, request: &ReceivedRequest) -> Answer {
        let Some(caller) = self.authenticate(request, CsidKind::Compliance) else {
            return unauthorized();
        };
        let body: Value = match serde_json::from_slice(&request.body) {
            Ok(v) => v,
            Err(_) => return csid_error("Invalid-Request", "The request body is not valid JSON"),
        };
        let asked = match body.get("compliance_request_id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return csid_error("Missing-ComplianceRequestId", "compliance_request_id is required field"),
        };
        let mut state = self.state();
        let Some(csid) = state.csids.get(&caller) else { return unauthorized() };
        if csid.request_id != asked {
            return csid_error("Invalid-Request", "compliance_request_id does not belong to this CSID");
        }
        if self.require_compliance_steps && !families_done(&csid.csr, &csid.compliance_done) {
            return csid_error(
                "Missing-ComplianceSteps",
                "Compliance steps for this CSID are not yet complete",
            );
        }
        let (csr, done) = (csid.csr.clone(), csid.compliance_done.clone());
        let (request_id, token, secret) = self.issue_with(&mut state, csr, CsidKind::Production, done);
        let id: u64 = request_id.parse().unwrap_or_default();
        json(
            200,
            &j!({"requestID": id, "tokenType": TOKEN_TYPE, "dispositionMessage": "ISSUED", "binarySecurityToken": token, "secret": secret}),
        )
    }

    fn renew(&self, request: &ReceivedRequest) -> Answer {
        let Some(caller) = self.authenticate(request, CsidKind::Production) else {
            return unauthorized();
        };
        if let Err(answer) = self.check_otp(request) {
            return *answer;
        }
        let csr = match self.read_csr(request) {
            Ok(csr) => csr,
            Err(answer) => return *answer,
        };
        let mut state = self.state();
        let Some(current) = state.csids.get(&caller) else { return unauthorized() };
        if current.csr.config.organization_identifier != csr.config.organization_identifier {
            return csid_error("Invalid-CSR", "The provided CSR is invalid");
        }
        let done = current.compliance_done.clone();
        let not_compliant = self.renewal_requires_compliance
            || (self.require_compliance_steps && !families_done(&csr, &done));
        if not_compliant {
            // ZATCA's 428: a new compliance CSID for the new CSR; the checks start over with it.
            let (request_id, token, secret) = self.issue(&mut state, csr, CsidKind::Compliance);
            let id: u64 = request_id.parse().unwrap_or_default();
            return json(
                428,
                &j!({"requestID": id, "tokenType": Value::Null, "dispositionMessage": "NOT_COMPLIANT", "binarySecurityToken": token, "secret": secret, "errors": Value::Null}),
            );
        }
        let (request_id, token, secret) = self.issue_with(&mut state, csr, CsidKind::Production, done);
        let id: u64 = request_id.parse().unwrap_or_default();
        json(
            200,
            &j!({"requestID": id, "tokenType": TOKEN_TYPE, "dispositionMessage": "ISSUED", "binarySecurityToken": token, "secret": secret}),
        )
    }

    fn document(&self, request: &ReceivedRequest, endpoint: Endpoint) -> Answer {
        let kind = if endpoint == Endpoint::Compliance { CsidKind::Compliance } else { CsidKind::Production };
        let Some(caller) = self.authenticate(request, kind) else {
            return unauthorized();
        };
        if endpoint == Endpoint::Clearance && request.header("clearance-status") == Some("0") {
            return json(
                303,
                &j!({"message": "Clearance is deactiviated. Please use the /invoices/reporting/single endpoint instead."}),
            );
        }
        let mut validation = Validation::new();
        let reply = |validation: &Validation, status: u16, accepted: bool, cleared: Option<&[u8]>| {
            let results = validation.to_json();
            let body = match endpoint {
                Endpoint::Clearance => j!({
                    "validationResults": results,
                    "clearanceStatus": if accepted { "CLEARED" } else { "NOT_CLEARED" },
                    "clearedInvoice": cleared.map(|x| B64.encode(x)),
                }),
                Endpoint::Reporting => j!({
                    "validationResults": results,
                    "reportingStatus": if accepted { "REPORTED" } else { "NOT_REPORTED" },
                }),
                Endpoint::Compliance => j!({
                    "validationResults": results,
                    "reportingStatus": Value::Null,
                    "clearanceStatus": Value::Null,
                    "qrSellertStatus": Value::Null,
                    "qrBuyertStatus": Value::Null,
                }),
            };
            json(status, &body)
        };

        // 1. The body.
        let body: Value = match serde_json::from_slice(&request.body) {
            Ok(v @ Value::Object(_)) => v,
            _ => {
                validation.error("Invalid-Request", "HTTP-Errors", "The request body is not a JSON object");
                return reply(&validation, 400, false, None);
            }
        };
        let field =
            |name: &str| body.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let Some(declared_hash) = field("invoiceHash") else {
            validation.error(
                "InvoiceHash-Errors",
                "Invalid-InvoiceHash",
                "Document hash is not present in the API body",
            );
            return reply(&validation, 400, false, None);
        };
        if B64.decode(declared_hash).map(|b| b.len()) != Ok(32) {
            validation.error(
                "InvoiceHash-Errors",
                "Invalid-InvoiceHash",
                "Document hash format in the API body is not valid",
            );
            return reply(&validation, 400, false, None);
        }
        let Some(declared_uuid) = field("uuid") else {
            validation.error("invalid-uuid", "UUID_ERRORS", "Document UUID is not present in the API body");
            return reply(&validation, 400, false, None);
        };
        let xml = match field("invoice").map(|s| B64.decode(s)) {
            Some(Ok(xml)) => xml,
            _ => {
                validation.error(
                    "XSD_ZATCA_INVALID",
                    "XSD validation",
                    "Schema validation failed; XML does not comply with UBL 2.1 standards in line with ZATCA specifications",
                );
                return reply(&validation, 400, false, None);
            }
        };
        // 2. The document.
        let document = match qayd::__internal::xml::parse(&xml) {
            Ok(d) => d,
            Err(e) => {
                validation.error(
                    "XSD_ZATCA_INVALID",
                    "XSD validation",
                    &format!("Schema validation failed; XML does not comply with UBL 2.1 standards in line with ZATCA specifications. ERROR: {e}"),
                );
                return reply(&validation, 400, false, None);
            }
        };
        let view = match qayd::__internal::stamp::InvoiceView::new(&document) {
            Ok(v) => v,
            Err(e) => {
                validation.error(
                    "XSD_ZATCA_INVALID",
                    "XSD validation",
                    &format!("Schema validation failed; XML does not comply with UBL 2.1 standards in line with ZATCA specifications. ERROR: {e}"),
                );
                return reply(&validation, 400, false, None);
            }
        };
        validation.info.push(message(
            "INFO",
            "XSD_ZATCA_VALID",
            "XSD validation",
            "Complied with UBL 2.1 standards in line with ZATCA specifications",
        ));
        let computed_hash = B64.encode(qayd::__internal::stamp::hash_document(&document));
        let uuid = view.cbc("UUID").map(str::trim).unwrap_or("").to_owned();
        let simplified = view.is_simplified();
        let type_code: u16 = view.cbc("InvoiceTypeCode").and_then(|t| t.trim().parse().ok()).unwrap_or(0);
        let seller_vat = view.seller_vat().map(str::trim).unwrap_or("").to_owned();
        let icv: Option<u64> = view.icv().and_then(|v| v.trim().parse().ok());
        let pih = view.pih().map(str::trim).unwrap_or("").to_owned();
        let issued = issued_at(view.cbc("IssueDate"), view.cbc("IssueTime"));

        let mut state = self.state();
        let Some(csid) = state.csids.get(&caller) else { return unauthorized() };
        let egs = (csid.csr.config.organization_identifier.clone(), csid.csr.config.serial_number.clone());
        let csid_vat = egs.0.clone();
        let csid_certificate = csid.certificate_base64.clone();

        // 3. Duplicates (production): the same hash again for this EGS.
        if endpoint != Endpoint::Compliance
            && let Some(previous) = state.chains.get(&egs).and_then(|c| c.accepted.get(&computed_hash))
        {
            return match endpoint {
                Endpoint::Clearance => reply(&validation, 208, true, previous.as_deref()),
                _ => {
                    let mut duplicate = Validation::new();
                    duplicate.errors.push(j!({
                        "type": "ERROR", "code": Value::Null, "category": Value::Null,
                        "message": "Invoice was already Reported successfully earlier.", "status": "ERROR"
                    }));
                    reply(&duplicate, 409, false, None)
                }
            };
        }

        // 4. The body against the document.
        if uuid != declared_uuid {
            validation.error(
                "invalid-uuid",
                "UUID_ERRORS",
                "The UUID in the API body does not match the UUID of the XML",
            );
        }
        if computed_hash != declared_hash {
            validation.error(
                "invalid-invoice-hash",
                "INVOICE_HASHING_ERRORS",
                "The invoice hash API body does not match the (calculated) Hash of the XML",
            );
        }
        if !matches!(type_code, 388 | 381 | 383) {
            validation.error("BR-KSA-05", "KSA", "The invoice type code (BT-3) must be 388, 383 or 381.");
        }
        match endpoint {
            Endpoint::Clearance if simplified => validation.error(
                "invalid-invoice-type",
                "KSA",
                "Simplified documents must be reported (/invoices/reporting/single), not cleared",
            ),
            Endpoint::Reporting if !simplified => validation.error(
                "invalid-invoice-type",
                "KSA",
                "Standard documents must be cleared (/invoices/clearance/single), not reported",
            ),
            _ => {}
        }

        // 5. The stamp.
        match qayd::verify(&xml) {
            Ok(report) => {
                for check in report.failures() {
                    let (code, category) = match check.name.as_str() {
                        "signature" | "stamp" | "invoice_hash" | "signature_references" | "cac_signature" => {
                            ("invalid-digital-signature", "SIGNATURE_ERRORS")
                        }
                        "signed_properties_digest" => ("signed-properties-hashing", "CERTIFICATE_ERRORS"),
                        "certificate_digest" => ("certificate-hashing", "CERTIFICATE_ERRORS"),
                        "certificate" | "issuer_serial" => ("invalid-certificate", "CERTIFICATE_ERRORS"),
                        "qr" => ("QRCODE_INVALID", "QRCODE_VALIDATION"),
                        "icv" => ("BR-KSA-33", "KSA"),
                        "pih" => ("BR-KSA-26", "KSA"),
                        _ => ("invalid-document", "KSA"),
                    };
                    validation.error(code, category, &check.message);
                }
            }
            Err(e) => validation.error("invalid-digital-signature", "SIGNATURE_ERRORS", &e.to_string()),
        }
        let embedded = embedded_certificate(&xml);
        if embedded.as_deref() != Some(csid_certificate.as_str()) {
            validation.error(
                "invalid-certificate",
                "CERTIFICATE_ERRORS",
                "The certificate that signed the document is not the CSID used to authenticate",
            );
        }
        if seller_vat != csid_vat {
            validation.error(
                "certificate-permissions",
                "CERTIFICATE_ERRORS",
                "User only allowed to use the VAT number that exists in the authentication certificate",
            );
        }
        // 5b. The schema and the business rules (EN 16931 and KSA), as the platform's validator.
        match qayd::validate(&xml) {
            Ok(report) => validation.add_findings(&report),
            Err(e) => validation.error(
                "XSD_ZATCA_INVALID",
                "XSD validation",
                &format!("Schema validation failed; XML does not comply with UBL 2.1 standards in line with ZATCA specifications. ERROR: {e}"),
            ),
        }

        // 6. The chain (production only), then record.
        if endpoint == Endpoint::Compliance {
            let accepted = validation.errors.is_empty();
            if accepted && let Some(csid) = state.csids.get_mut(&caller) {
                csid.compliance_done.insert(Family { simplified, type_code });
            }
            // The compliance answer states the status of the family it checked.
            let (field, value) = match (simplified, accepted) {
                (true, true) => ("reportingStatus", "REPORTED"),
                (true, false) => ("reportingStatus", "NOT_REPORTED"),
                (false, true) => ("clearanceStatus", "CLEARED"),
                (false, false) => ("clearanceStatus", "NOT_CLEARED"),
            };
            let mut object = j!({
                "validationResults": validation.to_json(),
                "reportingStatus": Value::Null,
                "clearanceStatus": Value::Null,
                "qrSellertStatus": Value::Null,
                "qrBuyertStatus": Value::Null,
            });
            object[field] = Value::String(value.into());
            return json(if accepted { 200 } else { 400 }, &object);
        }
        let chain = state.chains.entry(egs).or_default();
        let expected_pih = chain.last_hash.clone().unwrap_or_else(|| qayd::GENESIS_PIH.to_owned());
        // A broken chain does not stop a document on the platform: it is accepted with the
        // warning KSA-13 "PIH is inValid" (202), and ZATCA's answer to a broken sequence is a
        // failure notification, not a resubmission. The ICV gap has no ZATCA code: ours.
        if pih != expected_pih {
            validation.warning("KSA-13", "KSA", "PIH is inValid");
        }
        if let (Some(last), Some(icv)) = (chain.last_icv, icv)
            && icv != last + 1
        {
            validation.warning(
                "invalid-icv",
                "KSA",
                &format!("The invoice counter value (KSA-16) should follow this EGS unit's previous one ({last}); got {icv}"),
            );
        }
        // Every examined document, accepted or rejected, joins the chain.
        chain.last_hash = Some(computed_hash.clone());
        if icv.is_some() {
            chain.last_icv = icv;
        }
        if !validation.errors.is_empty() {
            return reply(&validation, 400, false, None);
        }
        if endpoint == Endpoint::Reporting
            && self.warn_late_reporting
            && issued.is_some_and(|at| time::OffsetDateTime::now_utc() - at > time::Duration::hours(24))
        {
            validation.warnings.push(message(
                "WARNING",
                "BR-KSA-98",
                "KSA",
                "[BR-KSA-98] - The simplified invoice should be submitted within 24 hours of issuing the invoice.",
            ));
        }
        let cleared = (endpoint == Endpoint::Clearance).then(|| self.clear(&xml));
        chain.accepted.insert(computed_hash, cleared.clone());
        let status = if validation.warnings.is_empty() { 200 } else { 202 };
        reply(&validation, status, true, cleared.as_deref())
    }
}

impl Platform {
    /// The cleared invoice: the submitted one stamped again by the platform (new signing time,
    /// signature and QR; the invoice part untouched). The submitted bytes if that fails.
    fn clear(&self, xml: &[u8]) -> Vec<u8> {
        let Some(stamper) = &self.stamper else { return xml.to_vec() };
        let options = qayd::StampOptions { signing_time: Some(qayd::__internal::stamp::riyadh_now()) };
        qayd::stamp(xml, stamper, &options).map(|s| s.xml).unwrap_or_else(|_| xml.to_vec())
    }
}

/// Whether every document family the CSR's invoice type enables passed its compliance check:
/// type `1xxx` → standard invoice, credit note and debit note; `x1xx` → the simplified ones.
fn families_done(csr: &ParsedCsr, done: &HashSet<Family>) -> bool {
    let (standard, simplified) = csr.config.invoice_families();
    [(standard, false), (simplified, true)]
        .into_iter()
        .filter(|(enabled, _)| *enabled)
        .flat_map(|(_, simplified)| [388, 381, 383].map(|type_code| Family { simplified, type_code }))
        .all(|family| done.contains(&family))
}

/// `cbc:IssueDate` + `cbc:IssueTime` (Riyadh time, UTC+3; a trailing `Z` means UTC).
fn issued_at(date: Option<&str>, time_of_day: Option<&str>) -> Option<time::OffsetDateTime> {
    let date =
        time::Date::parse(date?.trim(), time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    let text = time_of_day?.trim();
    let (text, offset) = match text.strip_suffix('Z') {
        Some(utc) => (utc, time::UtcOffset::UTC),
        None => (text, time::macros::offset!(+3)),
    };
    let at = time::Time::parse(text, time::macros::format_description!("[hour]:[minute]:[second]")).ok()?;
    Some(time::PrimitiveDateTime::new(date, at).assume_offset(offset))
}

/// The text of `ds:X509Certificate` in the document's stamp.
fn embedded_certificate(xml: &[u8]) -> Option<String> {
    let document = qayd::__internal::xml::parse(xml).ok()?;
    let node = document.descendants().find(|n| {
        n.tag_name().name() == "X509Certificate"
            && n.tag_name().namespace() == Some(qayd::__internal::xml::NS_DS)
    })?;
    Some(node.text()?.split_whitespace().collect())
}
