//! Local validation of any UBL 2.1 ZATCA document (not only the ones the model writes): a native
//! check of the schema constraints that matter most and of the business rules of the ZATCA SDK
//! R3.4.8 Schematrons (KSA rules and the EN 16931 rules ZATCA applies), each reported with its
//! rule id, severity, the element's path, a message in English and Arabic and a concrete fix.
//!
//! ```text
//! bytes ──parse once──► schema (the UBL 2.1 XSDs) ──► business rules by family
//!                                                     └─► ValidationReport
//! ```
//!
//! The rule conditions were written from the Schematron assertions of the SDK (read, not copied);
//! [`IMPLEMENTED_RULES`] lists the rule ids covered, `tests/validation/rules-R3.4.8.tsv` all of
//! them. Time-dependent rules (BR-KSA-04 issue date not in the future, BR-KSA-98 simplified
//! documents reported within 24 hours) use the clock given to [`validate_at`] (`validate` uses
//! the system clock).
//!
//! # Schema coverage (see `schema.rs`)
//! The whole UBL 2.1 XSD set ZATCA ships, signature included (tables generated from the XSDs):
//! content models (order, cardinality, unknown elements), attributes and the lexical form of
//! every simple type; `core/tests/validate_schema_differential.rs` checks it against xmllint.

mod arith;
mod codes;
mod docs;
mod index;
mod lines;
mod parties;
mod rules;
pub(crate) mod schema;
mod vat;
mod xpath;

use crate::error::{Error, Result};
use crate::xml::Node;
use crate::xml::{self, NS_CAC, NS_CBC, NS_EXT, NS_INVOICE};
use index::Index;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

pub use rules::{IMPLEMENTED_RULES, RuleInfo, rule, rule_info};
pub use schema::SCHEMA_CHECKS;

/// How serious a finding is, as the Schematron flags it: errors reject the document, warnings
/// are accepted by Fatoora and returned with the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub const ALL: [Severity; 2] = [Severity::Error, Severity::Warning];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The ZATCA / EN 16931 rule id (`BR-KSA-37`) or, for schema checks, `XSD-…`.
    pub rule: String,
    pub severity: Severity,
    /// XPath-like location of the element (or of where it should be), e.g.
    /// `/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount`.
    pub path: String,
    /// What the rule requires, in English.
    pub message_en: String,
    /// What the rule requires, in Arabic.
    pub message_ar: String,
    /// What to change, with the values found and expected.
    pub fix: String,
}

/// Everything `validate` found.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ValidationReport {
    /// True when there is no error (warnings allowed).
    pub valid: bool,
    pub findings: Vec<Finding>,
}

impl ValidationReport {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Error)
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Warning)
    }
    /// The distinct rule ids found, sorted.
    pub fn rule_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.findings.iter().map(|f| f.rule.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// Validates a document against the schema constraints and business rules, using the system
/// clock for the time-dependent rules. `Err` only when the input is not XML or not an `Invoice`.
pub fn validate(xml: &[u8]) -> Result<ValidationReport> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    validate_at(xml, now)
}

/// [`validate`] with the current time given as Unix seconds (for BR-KSA-04 and BR-KSA-98).
pub fn validate_at(xml_bytes: &[u8], now_unix: i64) -> Result<ValidationReport> {
    validate_document(&xml::parse(xml_bytes)?, now_unix)
}

/// [`validate_at`] of a document already parsed (or built by its writer).
pub(crate) fn validate_document(document: &xml::Document<'_>, now_unix: i64) -> Result<ValidationReport> {
    validate_document_and(document, now_unix, || ()).map(|(report, ())| report)
}

/// [`validate_document`], and `also` done meanwhile: on a large document it runs on the second
/// thread after the schema walk (the stamp hashes the document there), else after the rules.
pub(crate) fn validate_document_and<T: Send>(
    document: &xml::Document<'_>,
    now_unix: i64,
    also: impl FnOnce() -> T + Send,
) -> Result<(ValidationReport, T)> {
    let root = document.root_element();
    if root.tag_name().name() != "Invoice" || root.tag_name().namespace() != Some(NS_INVOICE) {
        return Err(Error::InvalidDocument(format!(
            "the root element is <{}> in namespace '{}'; ZATCA documents use <Invoice> in '{NS_INVOICE}'",
            root.tag_name().name(),
            root.tag_name().namespace().unwrap_or("")
        )));
    }
    let (findings, also) = if document.len() >= BESIDE_FROM_NODES && several_cores() {
        judge_on_two_threads(document, root, now_unix, also)
    } else {
        let mut findings = schema::check(root);
        findings.append(&mut business_rules(document, root, now_unix));
        (findings, also())
    };
    let valid = !findings.iter().any(|f| f.severity == Severity::Error);
    Ok((ValidationReport { valid, findings }, also))
}

/// Documents from this many nodes up (about 150 invoice lines) are checked against the schemas
/// on a second thread while the business rules run on this one. The two only read the tree;
/// on a large document the schema walk is a third of the validation, and below this size
/// starting a thread costs more than it saves.
pub(crate) const BESIDE_FROM_NODES: usize = 10_000;

/// Whether this machine runs two threads at once (never a second thread on one core).
fn several_cores() -> bool {
    static SEVERAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SEVERAL.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
}

/// The schema check, then `also`, on a scoped thread beside the business rules: the same
/// findings in the same order as one after the other (all on this thread when no thread starts).
fn judge_on_two_threads<T: Send>(
    document: &xml::Document<'_>,
    root: Node<'_, '_>,
    now_unix: i64,
    also: impl FnOnce() -> T + Send,
) -> (Vec<Finding>, T) {
    // Taken by whichever thread runs it: here when the second thread cannot start.
    let also = std::sync::Mutex::new(Some(also));
    let take = || also.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    std::thread::scope(|scope| {
        let beside = std::thread::Builder::new().name("qayd-schema".into()).spawn_scoped(scope, || {
            let findings = schema::check(root);
            (findings, take().map(|also| also()))
        });
        let mut rules = business_rules(document, root, now_unix);
        let (mut findings, done) = match beside {
            Ok(thread) => thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => (schema::check(root), None),
        };
        findings.append(&mut rules);
        let done = done.unwrap_or_else(|| take().expect("run here when not beside")());
        (findings, done)
    })
}

/// The business rules' findings, family by family.
fn business_rules(document: &xml::Document<'_>, root: Node<'_, '_>, now_unix: i64) -> Vec<Finding> {
    let index = Index::new(document);
    let mut cx = Cx::new(root, &index, now_unix);
    codes::check(&mut cx);
    parties::check(&mut cx);
    vat::check(&mut cx);
    arith::check(&mut cx);
    lines::check(&mut cx);
    docs::check(&mut cx);
    cx.findings
}

/// The validation context: the root, facts every family needs, and the findings.
pub(crate) struct Cx<'a, 'i> {
    pub root: Node<'a, 'i>,
    /// The document indexed for child lookups (copy it out: `let ix = cx.ix;`).
    pub ix: &'a Index<'a, 'i>,
    pub now_unix: i64,
    /// Every element outside `ext:UBLExtensions`, in document order (collected once).
    pub elements: &'a [Node<'a, 'i>],
    pub findings: Vec<Finding>,
}

impl<'a, 'i> Cx<'a, 'i> {
    fn new(root: Node<'a, 'i>, ix: &'a Index<'a, 'i>, now_unix: i64) -> Self {
        Cx { root, ix, now_unix, elements: &ix.elements, findings: Vec::new() }
    }

    /// Records a finding of `rule` at `path`.
    pub(crate) fn report(&mut self, info: &'static RuleInfo, path: String, fix: String) {
        self.findings.push(Finding {
            rule: info.id.into(),
            severity: info.severity,
            path,
            message_en: info.en.into(),
            message_ar: info.ar.into(),
            fix,
        });
    }
}

// ---- small helpers shared by the families -------------------------------------------------------

fn prefix_of(ns: Option<&str>) -> &'static str {
    match ns {
        Some(NS_CAC) => "cac:",
        Some(NS_CBC) => "cbc:",
        Some(NS_EXT) => "ext:",
        Some(xml::NS_SIG) => "sig:",
        Some(xml::NS_SAC) => "sac:",
        Some("urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2") => "sbc:",
        Some(xml::NS_DS) => "ds:",
        Some(xml::NS_XADES) => "xades:",
        _ => "",
    }
}

/// BR-KSA-40/44: 15 digits, the first and the last `3`. The model checks its input with this too,
/// so what it accepts the validator accepts.
pub(crate) fn vat_number_ok(v: &str) -> bool {
    v.len() == 15 && v.bytes().all(|b| b.is_ascii_digit()) && v.starts_with('3') && v.ends_with('3')
}

/// XPath-like path of an element; a position is given when a sibling has the same name.
pub(crate) fn path_of(node: Node<'_, '_>) -> String {
    let mut parts = Vec::new();
    let mut current = Some(node);
    while let Some(n) = current {
        if !n.is_element() {
            break;
        }
        let name = n.tag_name();
        let same = |c: &Node<'_, '_>| c.is_element() && c.tag_name() == name;
        let step = format!("{}{}", prefix_of(name.namespace()), name.name());
        let position = n.prev_siblings().skip(1).filter(same).count();
        let total = position + 1 + n.next_siblings().skip(1).filter(same).count();
        if total > 1 && n.parent().is_some_and(|p| p.is_element()) {
            parts.push(format!("{step}[{}]", position + 1));
        } else {
            parts.push(step);
        }
        current = n.parent();
    }
    parts.reverse();
    format!("/{}", parts.join("/"))
}

/// Path of a child that should exist under `node`, e.g. `…/cac:PostalAddress/cbc:BuildingNumber`.
pub(crate) fn path_under(node: Node<'_, '_>, steps: &str) -> String {
    format!("{}/{steps}", path_of(node))
}

/// Whether the text is in `xs:decimal` lexical form (optional sign, digits, optional fraction).
pub(crate) fn is_xs_decimal(s: &str) -> bool {
    let s = s.trim();
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    !body.is_empty()
        && body != "."
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && body.bytes().filter(|&b| b == b'.').count() <= 1
}

/// The value of an `xs:decimal` for the arithmetic rules; `None` when the text is not a decimal
/// or is too large to compute with safely (more than 18 integer digits: no real amount is).
pub(crate) fn decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if let Some(d) = short_decimal(s) {
        return Some(d);
    }
    if !is_xs_decimal(s) {
        return None;
    }
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let integer_digits = body.split('.').next().unwrap_or("").trim_start_matches('0').len();
    if integer_digits > 18 {
        return None;
    }
    let unsigned = s.strip_prefix('+').unwrap_or(s);
    Decimal::from_str(unsigned).ok().or_else(|| {
        // More fraction digits than a Decimal holds: keep 20.
        let (int, frac) = unsigned.split_once('.')?;
        Decimal::from_str(&format!("{int}.{}", &frac[..frac.len().min(20)])).ok()
    })
}

/// A number written plainly, `[+-]?\d*(\.\d*)?`, read in one pass: what [`short_decimal`] and
/// the arithmetic's reading of doubles share (amounts are read hundreds of times per document).
pub(super) struct Plain {
    pub negative: bool,
    /// The digits as one integer, the point ignored.
    pub mantissa: u64,
    pub digits: u32,
    /// Digits after the point (`None`: no point).
    pub after_point: Option<u32>,
}

/// [`Plain`] of `s`; `None` for any other text or more than 19 digits.
pub(super) fn plain_number(s: &str) -> Option<Plain> {
    let bytes = s.as_bytes();
    let (negative, body) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        b'+' => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let mut plain = Plain { negative, mantissa: 0, digits: 0, after_point: None };
    for &b in body {
        match b {
            b'0'..=b'9' if plain.digits < 19 => {
                plain.mantissa = plain.mantissa * 10 + u64::from(b - b'0');
                plain.digits += 1;
                if let Some(after) = &mut plain.after_point {
                    *after += 1;
                }
            }
            b'.' if plain.after_point.is_none() => plain.after_point = Some(0),
            _ => return None,
        }
    }
    Some(plain)
}

/// [`decimal`] of the common shape, `[+-]?\d+(\.\d+)?` with at most 18 digits: the same value,
/// scale and sign as `Decimal::from_str` gives. `None` for any other text, which takes the
/// general path.
fn short_decimal(s: &str) -> Option<Decimal> {
    let p = plain_number(s)?;
    let before_point = p.digits - p.after_point.unwrap_or(0);
    if before_point == 0 || p.after_point == Some(0) || p.digits > 18 {
        return None;
    }
    let (low, high) = (p.mantissa as u32, (p.mantissa >> 32) as u32);
    Some(Decimal::from_parts(low, high, 0, p.negative, p.after_point.unwrap_or(0)))
}

/// Number of characters (not bytes) in a string.
pub(crate) fn chars(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A large document is judged with the schema walk on a second thread: the findings are
    /// those of the walk and the rules one after the other, in that order (schema ones first).
    #[test]
    fn a_large_document_judged_on_two_threads_gets_the_findings_of_one() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/vectors/sdk-R3.4.8/Data/Samples/Standard/Invoice/Standard_Invoice.xml"
        );
        let sample = std::fs::read_to_string(path).unwrap();
        let (start, end) =
            (sample.find("<cac:InvoiceLine>").unwrap(), sample.find("</cac:InvoiceLine>").unwrap());
        let line = &sample[start..end + "</cac:InvoiceLine>".len()];
        let mut lines = String::new();
        for i in 0..400 {
            lines.push_str(&match i {
                // An element the schema does not allow, and a line amount the arithmetic refuses.
                7 => line.replacen("<cbc:ID>", "<cbc:Unknown/><cbc:ID>", 1),
                9 => line.replacen(
                    "<cbc:LineExtensionAmount currencyID=\"SAR\">",
                    "<cbc:LineExtensionAmount currencyID=\"SAR\">9",
                    1,
                ),
                _ => line.to_string(),
            });
        }
        let big = format!("{}{lines}{}", &sample[..start], &sample[end + "</cac:InvoiceLine>".len()..]);
        let document = xml::parse(big.as_bytes()).unwrap();
        assert!(document.len() >= BESIDE_FROM_NODES, "large enough for two threads");
        let root = document.root_element();
        let mut one_thread = schema::check(root);
        let schema_findings = one_thread.len();
        one_thread.append(&mut business_rules(&document, root, 1_700_000_000));
        let (two_threads, ()) = judge_on_two_threads(&document, root, 1_700_000_000, || ());
        let ids = |f: &[Finding]| f.iter().map(|f| (f.rule.clone(), f.path.clone())).collect::<Vec<_>>();
        assert_eq!(ids(&two_threads), ids(&one_thread));
        assert!(schema_findings > 0 && two_threads.iter().any(|f| f.rule.starts_with("XSD-")));
        assert!(two_threads.len() > schema_findings, "the rules found something too");
        let report = validate_document(&document, 1_700_000_000).unwrap();
        assert_eq!(ids(&report.findings), ids(&one_thread));
    }

    #[test]
    fn decimals_are_read_strictly_and_safely() {
        assert_eq!(decimal("12.50"), Some(Decimal::new(1250, 2)));
        assert_eq!(decimal(" +3 "), Some(Decimal::from(3)));
        assert_eq!(decimal("-0.5"), Some(Decimal::new(-5, 1)));
        for bad in ["", ".", "1e5", "1.2.3", "15%", "١٢", "NaN", "1,5"] {
            assert_eq!(decimal(bad), None, "{bad}");
        }
        assert!(is_xs_decimal("1234567890123456789012345"));
        assert_eq!(decimal("1234567890123456789012345"), None, "too large to compute with");
    }

    #[test]
    fn short_decimals_are_exactly_what_from_str_gives() {
        let cases = [
            "0",
            "-0",
            "+0",
            "-0.00",
            "0.0",
            "12.50",
            "+3",
            "-0.5",
            "007.100",
            "100.00",
            "15",
            "999999999999999999",
            "-99999999999999999.9",
            "0.00000000000000001",
            "1234567.891",
        ];
        for s in cases {
            let fast = short_decimal(s).unwrap_or_else(|| panic!("{s} takes the short path"));
            let slow = Decimal::from_str(s.strip_prefix('+').unwrap_or(s)).unwrap();
            let parts = |d: Decimal| (d.mantissa(), d.scale(), d.is_sign_negative(), d.to_string());
            assert_eq!(parts(fast), parts(slow), "{s}");
        }
        for other in [
            "",
            "-",
            ".5",
            "5.",
            "1.2.3",
            "1e5",
            "1234567890123456789",
            "0.000000000000000001",
            "١٢",
            " 1",
            "1,5",
        ] {
            assert_eq!(short_decimal(other), None, "{other}");
        }
    }

    #[test]
    fn paths_name_positions_only_among_same_named_siblings() {
        let xml = format!(
            "<Invoice xmlns=\"{NS_INVOICE}\" xmlns:cac=\"{NS_CAC}\" xmlns:cbc=\"{NS_CBC}\"><cbc:ID>1</cbc:ID>\
             <cac:InvoiceLine><cbc:ID>1</cbc:ID></cac:InvoiceLine>\
             <cac:InvoiceLine><cbc:ID>2</cbc:ID><cbc:LineExtensionAmount>1</cbc:LineExtensionAmount></cac:InvoiceLine></Invoice>"
        );
        let doc = crate::xml::parse(xml.as_bytes()).unwrap();
        let amount = doc.descendants().find(|n| n.tag_name().name() == "LineExtensionAmount").unwrap();
        assert_eq!(path_of(amount), "/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount");
        let id = doc.root_element().first_element_child().unwrap();
        assert_eq!(path_of(id), "/Invoice/cbc:ID");
        assert_eq!(path_under(doc.root_element(), "cbc:UUID"), "/Invoice/cbc:UUID");
    }

    #[test]
    fn rule_constants_carry_their_ids_and_are_found_by_id() {
        assert_eq!(rule::BR_KSA_F_06_C40.id, "BR-KSA-F-06-C40");
        assert_eq!(rule::BR_CUSTOM_VALIDATION_01.id, "BR-CUSTOM-VALIDATION-01");
        for info in IMPLEMENTED_RULES {
            assert_eq!(rule_info(info.id).map(|r| r.id), Some(info.id));
        }
    }

    #[test]
    fn every_rule_in_the_table_is_unique_and_worded_in_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for rule in IMPLEMENTED_RULES {
            assert!(seen.insert(rule.id), "{} twice", rule.id);
            assert!(rule.en.ends_with('.') && rule.ar.ends_with('.'), "{}", rule.id);
            assert!(rule.ar.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)), "{}", rule.id);
        }
    }
}
