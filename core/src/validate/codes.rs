//! Identifiers and codes, dates and times, currencies, the chain fields (ICV, PIH), QR and stamp,
//! payment means and the header field lengths.
//!
//! The conditions follow ZATCA's R3.4.8 Schematron to the letter, XPath semantics included: raw
//! (untrimmed) values where the official test compares the string value, `normalize-space` where
//! it normalizes, contexts anywhere in the document where the rule's context is a relative pattern
//! (`cbc:InvoiceTypeCode` is every such element), and existential comparisons over sequences.

use super::xpath::{is_xml_ws as is_xml_space, normalize, sv, xtrim};
use super::{Cx, RuleInfo, path_of, path_under, rule};
use crate::xml::Node;
use crate::xml::{NS_CAC, NS_CBC, NS_EXT, NS_SAC, NS_SIG, is};
use std::borrow::Cow;

const NS_SBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2";

pub(super) fn check(cx: &mut Cx<'_, '_>) {
    let scan = Scan::new(cx);
    profile_and_ids(cx);
    type_code(cx, &scan);
    dates(cx, &scan);
    currencies(cx, &scan);
    chain(cx, &scan);
    payment_means(cx, &scan);
    header_lengths(cx);
}

/// ISO 4217 alpha-3 codes as ZATCA's Schematron lists them (BR-CL-03/04/05, BR-KSA-CL-01): the
/// list of its EN 16931 edition, with MRO, STD and VEF and without the newer codes.
pub(super) const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRO MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLL SOS SRD SSP STD SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UZS VEF VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWL";

pub(super) fn is_currency(code: &str) -> bool {
    // Nearly every amount of a ZATCA document is in SAR: answer that before any search. The list
    // is sorted, so the rest is a binary search over its fixed-width entries.
    if code == "SAR" {
        return true;
    }
    let list = ISO_4217.as_bytes();
    let (mut low, mut high) = (0, list.len().div_ceil(4));
    while code.len() == 3 && low < high {
        let middle = (low + high) / 2;
        match list[middle * 4..middle * 4 + 3].cmp(code.as_bytes()) {
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Whether `code` is one of the space-separated tokens of `list` (an empty code never is).
fn in_token_list(list: &str, code: &str) -> bool {
    !code.is_empty() && list.split(' ').any(|t| t == code)
}

/// UNTDID 1001 invoice codes of BR-CL-01 (for `cbc:InvoiceTypeCode`).
const UNTDID_1001_INVOICE: &str = "80 82 84 130 202 203 204 211 295 325 326 380 381 383 384 385 386 387 388 389 390 393 394 395 456 457 527 575 623 633 751 780 935";

/// UNCL 4461 payment means codes of BR-CL-16.
const UNCL_4461: &str = "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 74 75 76 77 78 91 92 93 94 95 96 97 ZZZ";

/// The payment means codes of BR-KSA-16 (ZATCA's copy of UNCL 4461, without 69).
const KSA_4461: &str = "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 70 74 75 76 77 78 91 92 93 94 95 96 97 ZZZ";

/// The attachment mime codes of BR-KSA-CL-03.
const MIME_CODES: &[&str] = &[
    "text/csv",
    "text/plain",
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/tiff",
    "application/acad",
    "application/dwg",
    "drawing/dwg",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
];

const SIG_INFO_ID: &str = "urn:oasis:names:specification:ubl:signature:1";
const SIG_INVOICE: &str = "urn:oasis:names:specification:ubl:signature:Invoice";
const SIG_METHOD: &str = "urn:oasis:names:specification:ubl:dsig:enveloped:xades";

// ---- XPath helpers ----------------------------------------------------------------------------

/// `normalize-space` of an optional node (of "" when absent).
fn nsv<'a>(n: Option<Node<'a, '_>>) -> Cow<'a, str> {
    match n.map(sv) {
        None => Cow::Borrowed(""),
        Some(Cow::Borrowed(s)) => normalize(s),
        Some(Cow::Owned(s)) => Cow::Owned(normalize(&s).into_owned()),
    }
}

/// XPath `string-length` of an optional node.
fn len(n: Option<Node<'_, '_>>) -> usize {
    n.map(|n| sv(n).chars().count()).unwrap_or(0)
}

/// The child elements `{ns}local` of `node` (any namespace number the index does not know).
pub(super) fn kids<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &'static str,
    local: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| is(*c, ns, local))
}

fn kid<'a, 'i>(node: Node<'a, 'i>, ns: &'static str, local: &'static str) -> Option<Node<'a, 'i>> {
    kids(node, ns, local).next()
}

fn parent_is(n: Node<'_, '_>, ns: &str, local: &str) -> bool {
    n.parent_element().is_some_and(|p| is(p, ns, local))
}

/// A Unicode decimal digit (`\d` of XML Schema regular expressions): ASCII and the common
/// scripts' digit blocks.
fn is_nd(c: char) -> bool {
    if c.is_ascii_digit() {
        return true;
    }
    const STARTS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
        0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
        0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    ];
    let u = c as u32;
    STARTS.iter().any(|&s| (s..s + 10).contains(&u))
}

/// `\w` of XML Schema regular expressions: every character but punctuation, separators and
/// "other" (controls, format, private use); exact for ASCII, close elsewhere.
fn is_xsd_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || "$+<=>^`|~".contains(c);
    }
    if c.is_alphanumeric() {
        return true;
    }
    if c.is_whitespace() || c.is_control() {
        return false;
    }
    !matches!(c as u32,
        0xA1 | 0xA7 | 0xAB | 0xAD | 0xB6 | 0xB7 | 0xBB | 0xBF | 0x37E | 0x387 | 0x55A..=0x55F
        | 0x589 | 0x60C | 0x60D | 0x61B | 0x61E | 0x61F | 0x66A..=0x66D | 0x6D4 | 0x2000..=0x206F
        | 0x3000..=0x3003 | 0x3008..=0x3011 | 0xE000..=0xF8FF | 0xFD3E | 0xFD3F | 0xFE10..=0xFE19
        | 0xFE30..=0xFE4F | 0xFEFF | 0xFF01..=0xFF03 | 0xFF05..=0xFF0A | 0xFF0C..=0xFF0F)
}

/// Whether `s` contains `0`, `d1` and five more characters whose 6th (1-based from `0`) is
/// `flag6` if given, the others decimal digits: `matches(@name, '0<d1>\d{5}')` and
/// `'02\d{3}1\d'` (unanchored).
fn name_has(s: &str, d1: char, flag6: Option<char>) -> bool {
    let c: Vec<char> = s.chars().collect();
    c.windows(7).any(|w| {
        w[0] == '0'
            && w[1] == d1
            && (2..7).all(|i| match (i, flag6) {
                (5, Some(f)) => w[i] == f,
                _ => is_nd(w[i]),
            })
    })
}

/// XPath `matches(input, pattern)` for the patterns the currency rules take from the document
/// (a currencyID or a currency code used as a regular expression). Without metacharacters it is
/// a substring test; otherwise a small backtracking matcher handles `.`, escapes, character
/// classes, the quantifiers `? * + {n,m}` and the anchors `^ $`. Groups and alternation are not
/// handled: such a pattern counts as not matching (no ISO 4217 code has them, so BR-CL-03
/// rejects the value anyway).
fn xpath_matches(input: &str, pattern: &str) -> bool {
    const META: &[char] = &['.', '\\', '?', '*', '+', '{', '}', '(', ')', '[', ']', '^', '$', '|'];
    if !pattern.contains(META) {
        return input.contains(pattern);
    }
    let Some(atoms) = regex::parse(pattern) else { return false };
    let text: Vec<char> = input.chars().collect();
    (0..=text.len()).any(|start| regex::at(&atoms, &text, start))
}

mod regex {
    //! The small regular-expression subset of [`super::xpath_matches`].

    pub(super) enum Set {
        Any,
        Char(char),
        Class { negated: bool, ranges: Vec<(char, char)>, escapes: Vec<char> },
        Escape(char),
        Start,
        End,
    }

    pub(super) struct Atom {
        set: Set,
        min: usize,
        max: usize,
    }

    fn escape_matches(e: char, c: char) -> bool {
        match e {
            'd' => super::is_nd(c),
            'D' => !super::is_nd(c),
            'w' => super::is_xsd_word(c),
            'W' => !super::is_xsd_word(c),
            's' => super::is_xml_space(c),
            'S' => !super::is_xml_space(c),
            'n' => c == '\n',
            'r' => c == '\r',
            't' => c == '\t',
            other => other == c,
        }
    }

    impl Set {
        fn matches(&self, c: char) -> bool {
            match self {
                Set::Any => c != '\n' && c != '\r',
                Set::Char(x) => *x == c,
                Set::Escape(e) => escape_matches(*e, c),
                Set::Class { negated, ranges, escapes } => {
                    let inside = ranges.iter().any(|(a, b)| (*a..=*b).contains(&c))
                        || escapes.iter().any(|e| escape_matches(*e, c));
                    inside != *negated
                }
                Set::Start | Set::End => false,
            }
        }
    }

    fn escape(c: char) -> Option<char> {
        ("dDwWsSnrt\\|.-^?*+{}()[]$".contains(c)).then_some(c)
    }

    pub(super) fn parse(p: &str) -> Option<Vec<Atom>> {
        let c: Vec<char> = p.chars().collect();
        let mut i = 0;
        let mut atoms: Vec<Atom> = Vec::new();
        while i < c.len() {
            let set = match c[i] {
                '(' | ')' | '|' | '{' | '}' | ']' | '?' | '*' | '+' => return None,
                '.' => Set::Any,
                '^' => Set::Start,
                '$' => Set::End,
                '\\' => {
                    i += 1;
                    Set::Escape(escape(*c.get(i)?)?)
                }
                '[' => {
                    i += 1;
                    let negated = c.get(i) == Some(&'^');
                    if negated {
                        i += 1;
                    }
                    let (mut ranges, mut escapes) = (Vec::new(), Vec::new());
                    let mut first = true;
                    while *c.get(i)? != ']' || first {
                        first = false;
                        let lo = if c[i] == '\\' {
                            i += 1;
                            let e = escape(*c.get(i)?)?;
                            if "dDwWsS".contains(e) {
                                escapes.push(e);
                                i += 1;
                                continue;
                            }
                            match e {
                                'n' => '\n',
                                'r' => '\r',
                                't' => '\t',
                                e => e,
                            }
                        } else if "[]".contains(c[i]) {
                            return None;
                        } else {
                            c[i]
                        };
                        if c.get(i + 1) == Some(&'-') && c.get(i + 2).is_some_and(|n| *n != ']') {
                            let hi = c[i + 2];
                            if hi == '\\' || hi == '[' || hi < lo {
                                return None;
                            }
                            ranges.push((lo, hi));
                            i += 3;
                        } else {
                            ranges.push((lo, lo));
                            i += 1;
                        }
                    }
                    Set::Class { negated, ranges, escapes }
                }
                ch => Set::Char(ch),
            };
            i += 1;
            let (mut min, mut max) = (1, 1);
            match c.get(i) {
                Some('?') => (min, max, i) = (0, 1, i + 1),
                Some('*') => (min, max, i) = (0, usize::MAX, i + 1),
                Some('+') => (min, max, i) = (1, usize::MAX, i + 1),
                Some('{') => {
                    let close = i + c[i..].iter().position(|&x| x == '}')?;
                    let body: String = c[i + 1..close].iter().collect();
                    let (a, b) = match body.split_once(',') {
                        None => (body.clone(), body),
                        Some((a, "")) => (a.to_string(), usize::MAX.to_string()),
                        Some((a, b)) => (a.to_string(), b.to_string()),
                    };
                    (min, max) = (a.parse().ok()?, b.parse().ok()?);
                    if min > max {
                        return None;
                    }
                    i = close + 1;
                }
                _ => {}
            }
            if matches!(c.get(i), Some('?' | '*' | '+' | '{')) {
                // Lazy or stacked quantifiers: not in this subset.
                return None;
            }
            if matches!(set, Set::Start | Set::End) && (min, max) != (1, 1) {
                return None;
            }
            atoms.push(Atom { set, min, max });
        }
        Some(atoms)
    }

    /// Whether `atoms` match `text` from `pos` (greedy, backtracking).
    pub(super) fn at(atoms: &[Atom], text: &[char], pos: usize) -> bool {
        let Some((a, rest)) = atoms.split_first() else { return true };
        match a.set {
            Set::Start => return pos == 0 && at(rest, text, pos),
            Set::End => return pos == text.len() && at(rest, text, pos),
            _ => {}
        }
        let mut n = 0;
        while n < a.max && pos + n < text.len() && a.set.matches(text[pos + n]) {
            n += 1;
        }
        if n < a.min {
            return false;
        }
        (a.min..=n).rev().any(|k| at(rest, text, pos + k))
    }
}

// ---- one pass over the document ---------------------------------------------------------------

/// The elements the rules of this module look at, collected in one pass.
struct Scan<'a, 'i> {
    type_codes: Vec<Node<'a, 'i>>,
    /// Some element's `@name` matches `01\d{5}`, `02\d{5}`, `02\d{3}1\d` (anywhere).
    name01: bool,
    name02: bool,
    name02_summary: bool,
    issue_dates: Vec<Node<'a, 'i>>,
    /// The contexts of BR-KSA-F-01.
    format_dates: Vec<Node<'a, 'i>>,
    latest_delivery: Vec<Node<'a, 'i>>,
    any_actual_delivery: bool,
    any_latest_delivery: bool,
    actual_delivery_in_delivery: Vec<Node<'a, 'i>>,
    customer_countries: Vec<Node<'a, 'i>>,
    document_currencies: Vec<Node<'a, 'i>>,
    tax_currencies: Vec<Node<'a, 'i>>,
    /// Elements named in BR-CL-03's context.
    cl03: Vec<Node<'a, 'i>>,
    /// Elements of BR-KSA-CL-02's context.
    cl02: Vec<Node<'a, 'i>>,
    /// currencyID attributes of BR-KSA-CL-01's context (their elements).
    cl01_attrs: Vec<Node<'a, 'i>>,
    additional_refs: Vec<Node<'a, 'i>>,
    payment_means: Vec<Node<'a, 'i>>,
    signatures: Vec<Node<'a, 'i>>,
}

const CL03: &[&str] = &[
    "Amount",
    "BaseAmount",
    "PriceAmount",
    "TaxAmount",
    "TaxableAmount",
    "LineExtensionAmount",
    "TaxExclusiveAmount",
    "TaxInclusiveAmount",
    "AllowanceTotalAmount",
    "ChargeTotalAmount",
    "PrepaidAmount",
    "PayableRoundingAmount",
    "PayableAmount",
];

impl<'a, 'i> Scan<'a, 'i> {
    fn new(cx: &Cx<'a, 'i>) -> Self {
        let ix = cx.ix;
        let root = cx.root;
        let mut s = Scan {
            type_codes: Vec::new(),
            name01: false,
            name02: false,
            name02_summary: false,
            issue_dates: Vec::new(),
            format_dates: Vec::new(),
            latest_delivery: Vec::new(),
            any_actual_delivery: false,
            any_latest_delivery: false,
            actual_delivery_in_delivery: Vec::new(),
            customer_countries: Vec::new(),
            document_currencies: Vec::new(),
            tax_currencies: Vec::new(),
            cl03: Vec::new(),
            cl02: Vec::new(),
            cl01_attrs: Vec::new(),
            additional_refs: Vec::new(),
            payment_means: Vec::new(),
            signatures: Vec::new(),
        };
        for &n in cx.elements {
            if let Some(name) = n.attribute("name") {
                s.name01 |= name_has(name, '1', None);
                s.name02 |= name_has(name, '2', None);
                s.name02_summary |= name_has(name, '2', Some('1'));
            }
            let local = ix.local(n);
            if ix.in_ns(n, NS_CAC) {
                match local {
                    "AdditionalDocumentReference" => s.additional_refs.push(n),
                    "PaymentMeans" => s.payment_means.push(n),
                    "Signature" => s.signatures.push(n),
                    "Country" => {
                        let path = n.parent_element().filter(|p| is(*p, NS_CAC, "PostalAddress"));
                        let party = path.and_then(|p| p.parent_element()).filter(|p| is(*p, NS_CAC, "Party"));
                        if party.is_some_and(|p| parent_is(p, NS_CAC, "AccountingCustomerParty")) {
                            s.customer_countries.push(n);
                        }
                    }
                    _ => {}
                }
                continue;
            }
            if !ix.in_ns(n, NS_CBC) {
                continue;
            }
            // Every name of the list ends so: most elements are ruled out by one comparison.
            if local.ends_with("Amount") && CL03.contains(&local) {
                s.cl03.push(n);
            }
            match local {
                "InvoiceTypeCode" => s.type_codes.push(n),
                "IssueDate" => {
                    s.issue_dates.push(n);
                    s.format_dates.push(n);
                }
                "DueDate" | "TaxPointDate" => s.format_dates.push(n),
                "ActualDeliveryDate" | "LatestDeliveryDate" => {
                    let latest = local == "LatestDeliveryDate";
                    s.any_actual_delivery |= !latest;
                    s.any_latest_delivery |= latest;
                    if n.parent_element().is_some_and(|p| ix.is(p, NS_CAC, "Delivery")) {
                        s.format_dates.push(n);
                        if latest {
                            s.latest_delivery.push(n);
                        } else {
                            s.actual_delivery_in_delivery.push(n);
                        }
                    }
                }
                "DocumentCurrencyCode" => s.document_currencies.push(n),
                "TaxCurrencyCode" => s.tax_currencies.push(n),
                _ => {}
            }
            // BR-KSA-CL-02 and BR-KSA-CL-01 (attribute) contexts; the ancestors are looked at only
            // for the names whose context depends on them.
            let under =
                |node: Option<Node<'_, '_>>, local: &str| node.is_some_and(|p| ix.is(p, NS_CAC, local));
            let (cl02, cl01) = match local {
                "Amount"
                | "BaseAmount"
                | "LineExtensionAmount"
                | "PriceAmount"
                | "TaxExclusiveAmount"
                | "TaxInclusiveAmount"
                | "AllowanceTotalAmount"
                | "ChargeTotalAmount"
                | "PrepaidAmount"
                | "PayableAmount" => (true, false),
                "PayableRoundingAmount" => (true, under(n.parent_element(), "LegalMonetaryTotal")),
                "TaxAmount" | "TaxableAmount" | "RoundingAmount" => {
                    let parent = n.parent_element();
                    let grand = parent.and_then(|p| p.parent_element());
                    if local == "RoundingAmount" {
                        (under(parent, "TaxTotal") && under(grand, "InvoiceLine"), false)
                    } else {
                        let great = grand.and_then(|g| g.parent_element());
                        let line_subtotal = under(parent, "TaxSubtotal")
                            && under(grand, "TaxTotal")
                            && under(great, "InvoiceLine");
                        let header =
                            under(parent, "TaxSubtotal") && under(grand, "TaxTotal") && great == Some(root);
                        let line_total =
                            local == "TaxAmount" && under(parent, "TaxTotal") && under(grand, "InvoiceLine");
                        (header || line_total || line_subtotal, line_subtotal)
                    }
                }
                _ => (false, false),
            };
            if cl02 {
                s.cl02.push(n);
            }
            if cl01 && n.has_attribute("currencyID") {
                s.cl01_attrs.push(n);
            }
        }
        s
    }
}

// ---- the rules --------------------------------------------------------------------------------

fn profile_and_ids(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let profile = ix.child(root, NS_CBC, "ProfileID");
    if profile.is_none() || nsv(profile) != "reporting:1.0" {
        let found = nsv(profile);
        cx.report(
            rule::BR_KSA_EN16931_01,
            profile.map(path_of).unwrap_or_else(|| path_under(root, "cbc:ProfileID")),
            format!("set cbc:ProfileID to \"reporting:1.0\" (found \"{found}\")"),
        );
    }
    let id = ix.child(root, NS_CBC, "ID");
    if !ix.children(root, NS_CBC, "ID").any(|n| !sv(n).is_empty()) {
        let path = id.map(path_of).unwrap_or_else(|| path_under(root, "cbc:ID"));
        cx.report(rule::BR_02, path, "give the invoice number in cbc:ID".into());
    }
    if let Some(id) = id {
        let n = len(Some(id));
        if n > 127 {
            cx.report(
                rule::BR_KSA_F_06_C1,
                path_of(id),
                format!("shorten the invoice number to 127 characters (it has {n})"),
            );
        }
    }
    let uuid = ix.child(root, NS_CBC, "UUID");
    let non_empty = ix.children(root, NS_CBC, "UUID").any(|n| !sv(n).is_empty());
    let starts_well =
        uuid.and_then(|u| sv(u).chars().next()).is_some_and(|c| c == '.' || c == '-' || is_xsd_word(c));
    if !(non_empty && starts_well) {
        cx.report(
            rule::BR_KSA_03,
            uuid.map(path_of).unwrap_or_else(|| path_under(root, "cbc:UUID")),
            format!(
                "give a UUID made of letters, digits and dashes, e.g. 8e6000cf-1a98-4174-b3e7-b5d5954bc10d (found \"{}\")",
                uuid.map(sv).unwrap_or(Cow::Borrowed("(missing)"))
            ),
        );
    }
}

/// The characters of `@name` (raw: `substring` and `string-length` do not trim).
fn name_chars(n: Node<'_, '_>) -> Vec<char> {
    n.attribute("name").unwrap_or("").chars().collect()
}

fn type_code(cx: &mut Cx<'_, '_>, scan: &Scan<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let root_codes = || ix.children(root, NS_CBC, "InvoiceTypeCode");
    if !root_codes().any(|n| !sv(n).is_empty()) {
        cx.report(
            rule::BR_04,
            path_under(root, "cbc:InvoiceTypeCode"),
            "give the invoice type code: 388 invoice, 381 credit note, 383 debit note".into(),
        );
    }
    let mut standard_or_simplified = false;
    let mut standard_388 = false;
    let mut simplified = false;
    let invoice_388 = root_codes().any(|n| sv(n) == "388");
    let mut b2g = false;
    for &node in &scan.type_codes {
        // Only written for a finding (this runs for every document).
        let path = || path_of(node);
        let code = nsv(Some(node));
        if !in_token_list(UNTDID_1001_INVOICE, &code) {
            cx.report(
                rule::BR_CL_01,
                path(),
                format!("\"{code}\" is not a UNTDID 1001 invoice code; use 388, 381 or 383"),
            );
        }
        if !(code.is_empty() || ["388", "383", "381", "386"].contains(&&*code)) {
            cx.report(
                rule::BR_KSA_05,
                path(),
                format!("use 388 (invoice), 381 (credit note) or 383 (debit note), not \"{code}\""),
            );
        }
        let name = name_chars(node);
        let shown: String = name.iter().collect();
        let at = |pos: usize| name.get(pos - 1).copied();
        let flag01 = |pos: usize| matches!(at(pos), Some('0' | '1'));
        let head = (at(1), at(2));
        let prefix_ok = matches!(head, (Some('0'), Some('1' | '2')));
        if !((7..=9).contains(&name.len()) && prefix_ok && (3..=name.len()).all(flag01)) {
            cx.report(
                rule::BR_KSA_06,
                format!("{}/@name", path()),
                format!("set @name to 01 (standard) or 02 (simplified) followed by five to seven 0/1 flags, e.g. 0100000 or 0200000 (found \"{shown}\")"),
            );
        }
        if !(7..=9).contains(&name.len()) {
            cx.report(
                rule::BR_KSA_F_06_C40,
                format!("{}/@name", path()),
                format!("the transaction code has {} characters; give 7 to 9", name.len()),
            );
        }
        if at(5) == Some('1') && at(7) == Some('1') {
            cx.report(
                rule::BR_KSA_07,
                format!("{}/@name", path()),
                format!("clear position 7 (self-billing) or position 5 (export) in \"{shown}\""),
            );
        }
        let is01 = head == (Some('0'), Some('1'));
        let is02 = head == (Some('0'), Some('2'));
        standard_or_simplified |= is01 || is02;
        standard_388 |= is01 && invoice_388;
        simplified |= is02;
        if is02 && !((3..=6).all(flag01) && at(7) == Some('0')) {
            cx.report(
                rule::BR_KSA_31,
                format!("{}/@name", path()),
                format!(
                    "give 0 or 1 in positions 3 to 6 and 0 in position 7 (self-billing) of \"{shown}\"; simplified documents cannot be self-billed"
                ),
            );
        }
        b2g |= name.len() == 9 && (is01 || is02) && at(9) == Some('1');
    }
    if b2g {
        let id = ix.at(root, "cac:ContractDocumentReference/cbc:ID");
        if id.is_none() || nsv(id).is_empty() {
            cx.report(
                rule::BR_KSA_92,
                path_under(root, "cac:ContractDocumentReference/cbc:ID"),
                "add cac:ContractDocumentReference/cbc:ID with the government contract number".into(),
            );
        }
    }
    if simplified && !scan.signatures.iter().any(|s| !sv(*s).is_empty()) {
        cx.report(
            rule::BR_KSA_60,
            path_under(root, "cac:Signature"),
            "stamp the document (ext:UBLExtensions with the XAdES signature and cac:Signature)".into(),
        );
    }
    if standard_388 {
        let actual = scan.any_delivery_actual();
        if actual.is_none() || nsv(actual).is_empty() {
            cx.report(
                rule::BR_KSA_15,
                path_under(root, "cac:Delivery/cbc:ActualDeliveryDate"),
                "add the supply date in cac:Delivery/cbc:ActualDeliveryDate".into(),
            );
        }
    }
    if standard_or_simplified {
        payment_code_lists(cx, scan);
    }
}

impl<'a, 'i> Scan<'a, 'i> {
    /// The first `//cac:Delivery/cbc:ActualDeliveryDate`.
    fn any_delivery_actual(&self) -> Option<Node<'a, 'i>> {
        self.actual_delivery_in_delivery.first().copied()
    }
}

/// BR-KSA-16, BR-KSA-F-06-C14 and C15: on documents with a KSA-2 starting 01 or 02.
fn payment_code_lists(cx: &mut Cx<'_, '_>, scan: &Scan<'_, '_>) {
    for &pm in &scan.payment_means {
        for code in kids(pm, NS_CBC, "PaymentMeansCode") {
            let c = nsv(Some(code));
            if !in_token_list(KSA_4461, &c) {
                cx.report(
                    rule::BR_KSA_16,
                    path_of(code),
                    format!("\"{c}\" is not a payment means code of ZATCA's UNCL 4461 list; use e.g. 10 (cash), 30 (credit), 42 (bank account), 48 (card) or 1 (other)"),
                );
            }
        }
    }
    let accounts = || scan.payment_means.iter().flat_map(|pm| kids(*pm, NS_CAC, "PayeeFinancialAccount"));
    if let Some(note) = accounts().flat_map(|a| kids(a, NS_CBC, "PaymentNote")).next() {
        let n = len(Some(note));
        if !(1..=1000).contains(&n) {
            cx.report(
                rule::BR_KSA_F_06_C14,
                path_of(note),
                format!("the payment note has {n} characters; give 1 to 1000"),
            );
        }
    }
    if let Some(id) = accounts().flat_map(|a| kids(a, NS_CBC, "ID")).next() {
        let n = len(Some(id));
        if n > 127 {
            cx.report(
                rule::BR_KSA_F_06_C15,
                path_of(id),
                format!("shorten the account identifier to 127 characters (it has {n})"),
            );
        }
    }
}

/// BR-KSA-F-01's date form: ten characters, years 2000–9999, a real month and day (29 February
/// in years whose last two digits are a multiple of 4).
fn is_zatca_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    if !(b'2'..=b'9').contains(&b[0]) || ![1, 2, 3, 5, 6, 8, 9].iter().all(|&i| b[i].is_ascii_digit()) {
        return false;
    }
    let yy = (b[2] - b'0') * 10 + (b[3] - b'0');
    let month = (b[5] - b'0') * 10 + (b[6] - b'0');
    let day = (b[8] - b'0') * 10 + (b[9] - b'0');
    let max = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if yy.is_multiple_of(4) => 29,
        2 => 28,
        _ => 0,
    };
    (1..=max).contains(&day)
}

/// BR-KSA-36's date form: ten characters, years 1800–2099, real calendar dates (Gregorian
/// leap years).
fn is_ksa36_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || ![0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&i| b[i].is_ascii_digit())
    {
        return false;
    }
    let century = &s[0..2];
    if !["18", "19", "20"].contains(&century) {
        return false;
    }
    let yy: u8 = s[2..4].parse().unwrap_or(0);
    let month: u8 = s[5..7].parse().unwrap_or(0);
    let day: u8 = s[8..10].parse().unwrap_or(0);
    let leap = (yy != 0 && yy.is_multiple_of(4)) || &s[0..4] == "2000";
    let max = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    (1..=max).contains(&day)
}

/// `hh:mm:ss` or `hh:mm:ssZ` (ZATCA's KSA-25 and KSA-29 forms).
pub(super) fn is_ksa_time(s: &str) -> bool {
    let body = s.strip_suffix('Z').unwrap_or(s);
    let b = body.as_bytes();
    b.len() == 8
        && b[2] == b':'
        && b[5] == b':'
        && [0, 1, 3, 4, 6, 7].iter().all(|&i| b[i].is_ascii_digit())
        && body[0..2].parse::<u8>().is_ok_and(|h| h < 24)
        && body[3..5].parse::<u8>().is_ok_and(|m| m < 60)
        && body[6..8].parse::<u8>().is_ok_and(|s| s < 60)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An `xs:date` lexical value (`-?YYYY-MM-DD` and an optional timezone): its day number and its
/// timezone offset in seconds (`None` when it has none).
fn xs_date(s: &str) -> Option<(i64, Option<i64>)> {
    let s = xtrim(s);
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let dash = body.find('-')?;
    let year_text = &body[..dash];
    if year_text.len() < 4
        || !year_text.bytes().all(|b| b.is_ascii_digit())
        || (year_text.len() > 4 && year_text.starts_with('0'))
    {
        return None;
    }
    let rest = &body[dash..];
    if rest.len() < 6 || !rest.is_char_boundary(6) {
        return None;
    }
    let (md, tz) = rest.split_at(6);
    let b = md.as_bytes();
    if b[0] != b'-' || b[3] != b'-' || ![1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    let year: i64 = year_text.parse().ok()?;
    let year = if neg { -year } else { year };
    let month: u32 = md[1..3].parse().ok()?;
    let day: u32 = md[4..6].parse().ok()?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let max = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=max).contains(&day) {
        return None;
    }
    Some((days_from_civil(year, month, day), timezone(tz)?))
}

/// An optional `Z` or `±hh:mm` timezone: `Some(None)` when absent, `None` when malformed.
fn timezone(tz: &str) -> Option<Option<i64>> {
    if tz.is_empty() {
        return Some(None);
    }
    if tz == "Z" {
        return Some(Some(0));
    }
    let b = tz.as_bytes();
    if b.len() != 6 || !matches!(b[0], b'+' | b'-') || b[3] != b':' {
        return None;
    }
    let h: i64 = tz[1..3].parse().ok()?;
    let m: i64 = tz[4..6].parse().ok()?;
    if !tz[1..3].bytes().all(|c| c.is_ascii_digit()) || !tz[4..6].bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if m > 59 || h > 14 || (h == 14 && m > 0) {
        return None;
    }
    let secs = h * 3600 + m * 60;
    Some(Some(if b[0] == b'-' { -secs } else { secs }))
}

/// Riyadh's offset: the implicit timezone of ZATCA's validation.
const RIYADH: i64 = 3 * 3600;

/// `xs:dateTime(concat(date, 'T', time))` as Unix milliseconds.
fn xs_date_time_ms(date: &str, time: &str) -> Option<i64> {
    let whole = format!("{date}T{time}");
    let whole = xtrim(&whole);
    let (d, t) = whole.split_once('T')?;
    let (day, tz_in_date) = xs_date(d)?;
    if tz_in_date.is_some() || xtrim(d) != d {
        return None;
    }
    let b = t.as_bytes();
    if b.len() < 8
        || b[2] != b':'
        || b[5] != b':'
        || ![0, 1, 3, 4, 6, 7].iter().all(|&i| b[i].is_ascii_digit())
    {
        return None;
    }
    let h: i64 = t[0..2].parse().ok()?;
    let mi: i64 = t[3..5].parse().ok()?;
    let s: i64 = t[6..8].parse().ok()?;
    let mut rest = &t[8..];
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let f = &frac[..digits];
        millis = format!("{:0<3}", &f[..digits.min(3)]).parse().ok()?;
        rest = &frac[digits..];
    }
    let tz = timezone(rest)?;
    if mi > 59 || s > 59 || h > 24 || (h == 24 && (mi, s, millis) != (0, 0, 0)) {
        return None;
    }
    let local = ((day * 86_400) + h * 3600 + mi * 60 + s) * 1000 + millis;
    Some(local - tz.unwrap_or(RIYADH) * 1000)
}

fn dates(cx: &mut Cx<'_, '_>, scan: &Scan<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    for &n in &scan.format_dates {
        if !is_zatca_date(&sv(n)) {
            cx.report(
                rule::BR_KSA_F_01,
                path_of(n),
                format!("write the date as YYYY-MM-DD (found \"{}\")", sv(n)),
            );
        }
    }
    if !ix.children(root, NS_CBC, "IssueDate").any(|n| !sv(n).is_empty()) {
        cx.report(rule::BR_03, path_under(root, "cbc:IssueDate"), "give the issue date as YYYY-MM-DD".into());
    }
    // BR-KSA-04: every cbc:IssueDate, compared with today in Riyadh by their starting instants.
    let today = (cx.now_unix + RIYADH).div_euclid(86_400);
    let today_start = today * 86_400 - RIYADH;
    for &n in &scan.issue_dates {
        if let Some((day, tz)) = xs_date(&sv(n))
            && day * 86_400 - tz.unwrap_or(RIYADH) > today_start
        {
            cx.report(
                rule::BR_KSA_04,
                path_of(n),
                format!("the issue date {} is in the future; use today's date or earlier", sv(n)),
            );
        }
    }
    let time_node = ix.child(root, NS_CBC, "IssueTime");
    let time_ok = ix.children(root, NS_CBC, "IssueTime").any(|n| !sv(n).is_empty())
        && time_node.is_some_and(|t| is_ksa_time(&sv(t)));
    if !time_ok {
        cx.report(
            rule::BR_KSA_70,
            time_node.map(path_of).unwrap_or_else(|| path_under(root, "cbc:IssueTime")),
            format!(
                "give the issue time as hh:mm:ss, e.g. 14:30:00 (found \"{}\")",
                time_node.map(sv).unwrap_or(Cow::Borrowed("(missing)"))
            ),
        );
    }
    // Supply dates.
    for &latest in &scan.latest_delivery {
        let actual = latest.parent_element().and_then(|d| kid(d, NS_CBC, "ActualDeliveryDate"));
        if actual.is_none() || nsv(actual).is_empty() {
            cx.report(
                rule::BR_KSA_35,
                path_of(latest),
                "add the supply date (cbc:ActualDeliveryDate) before the supply end date".into(),
            );
            continue;
        }
        let (a, l) = (sv(actual.expect("actual")), sv(latest));
        if is_ksa36_date(&a) && is_ksa36_date(&l) && *l < *a {
            cx.report(
                rule::BR_KSA_36,
                path_of(latest),
                format!("the supply end date {l} is before the supply date {a}"),
            );
        }
    }
    if scan.name02_summary && !(scan.any_actual_delivery && scan.any_latest_delivery) {
        let saudi = scan
            .customer_countries
            .iter()
            .any(|c| kids(*c, NS_CBC, "IdentificationCode").any(|i| sv(i) == "SA"));
        if saudi {
            cx.report(
                rule::BR_KSA_72,
                path_under(root, "cac:Delivery"),
                "add cbc:ActualDeliveryDate and cbc:LatestDeliveryDate (the period the summary covers)"
                    .into(),
            );
        }
    }
    // BR-KSA-98: simplified documents should be reported within 24 hours.
    let simplified = ix
        .children(root, NS_CBC, "InvoiceTypeCode")
        .any(|n| n.attribute("name").is_some_and(|v| v.starts_with("02")));
    let issue = ix.child(root, NS_CBC, "IssueDate");
    if simplified
        && let (Some(d), Some(t)) = (issue, time_node)
        && let Some(issued) = xs_date_time_ms(&sv(d), &sv(t))
    {
        let age = cx.now_unix * 1000 - issued;
        if age > 86_400_000 {
            cx.report(
                rule::BR_KSA_98,
                path_of(d),
                format!(
                    "issued {} hours ago; report simplified documents within 24 hours of issue",
                    age / 3_600_000
                ),
            );
        }
    }
}

fn currencies(cx: &mut Cx<'_, '_>, scan: &Scan<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    if !ix.children(root, NS_CBC, "DocumentCurrencyCode").any(|n| !sv(n).is_empty()) {
        cx.report(
            rule::BR_05,
            path_under(root, "cbc:DocumentCurrencyCode"),
            "give the invoice currency, e.g. SAR".into(),
        );
    }
    for &n in &scan.document_currencies {
        let code = nsv(Some(n));
        if !is_currency(&code) {
            let fix = format!("\"{code}\" is not an ISO 4217 code; use e.g. SAR, USD, EUR");
            cx.report(rule::BR_CL_04, path_of(n), fix.clone());
            cx.report(rule::BR_KSA_CL_01, path_of(n), fix);
        }
    }
    for &n in &scan.cl01_attrs {
        let id = normalize(n.attribute("currencyID").unwrap_or(""));
        if !is_currency(&id) {
            cx.report(
                rule::BR_KSA_CL_01,
                format!("{}/@currencyID", path_of(n)),
                format!("\"{id}\" is not an ISO 4217 code; use e.g. SAR"),
            );
        }
    }
    for &n in &scan.tax_currencies {
        let code = nsv(Some(n));
        if !is_currency(&code) {
            cx.report(rule::BR_CL_05, path_of(n), format!("\"{code}\" is not an ISO 4217 code; use SAR"));
        }
        if normalize(&sv(n).to_uppercase()) != "SAR" {
            cx.report(
                rule::BR_KSA_EN16931_02,
                path_of(n),
                format!("set the tax currency to SAR (found \"{code}\")"),
            );
        }
    }
    if !ix.children(root, NS_CBC, "TaxCurrencyCode").any(|n| !sv(n).is_empty()) {
        cx.report(
            rule::BR_KSA_68,
            path_under(root, "cbc:TaxCurrencyCode"),
            "add <cbc:TaxCurrencyCode>SAR</cbc:TaxCurrencyCode>".into(),
        );
    }
    for &n in &scan.cl03 {
        let raw = n.attribute("currencyID").unwrap_or("");
        if !raw.is_empty() && !is_currency(&normalize(raw)) {
            cx.report(
                rule::BR_CL_03,
                format!("{}/@currencyID", path_of(n)),
                format!("\"{raw}\" is not an ISO 4217 code"),
            );
        }
    }
    // BR-KSA-CL-02: the currencyID, used as a regular expression, must match the invoice currency.
    let document_currency = nsv(scan.document_currencies.first().copied());
    for &n in &scan.cl02 {
        let ok = n
            .attribute("currencyID")
            .is_some_and(|id| !id.is_empty() && xpath_matches(&document_currency, id));
        if !ok {
            cx.report(
                rule::BR_KSA_CL_02,
                format!("{}/@currencyID", path_of(n)),
                format!(
                    "set currencyID to the invoice currency \"{document_currency}\" (found \"{}\")",
                    n.attribute("currencyID").unwrap_or("(missing)")
                ),
            );
        }
    }
    // Tax exchange rate (KSA-36..39).
    let rates: Vec<Node<'_, '_>> = ix.children(root, NS_CAC, "TaxExchangeRate").collect();
    if rates.is_empty() {
        return;
    }
    let field = |local: &'static str| rates.iter().flat_map(move |r| kids(*r, NS_CBC, local));
    let present = |local: &'static str| field(local).any(|n| !sv(n).is_empty());
    let path = path_of(rates[0]);
    if !(present("SourceCurrencyCode") && present("TargetCurrencyCode") && present("CalculationRate")) {
        cx.report(
            rule::BR_KSA_87,
            path.clone(),
            "give cbc:SourceCurrencyCode, cbc:TargetCurrencyCode and cbc:CalculationRate".into(),
        );
    }
    if present("SourceCurrencyCode")
        && let Some(s) = field("SourceCurrencyCode").next()
        && !xpath_matches(&document_currency, &sv(s))
    {
        cx.report(
            rule::BR_KSA_88,
            path_of(s),
            format!("set the source currency to the invoice currency \"{document_currency}\""),
        );
    }
    if present("TargetCurrencyCode")
        && let Some(t) = field("TargetCurrencyCode").next()
    {
        let tax_currency = nsv(scan.tax_currencies.first().copied());
        if !xpath_matches(&tax_currency, &sv(t)) {
            cx.report(
                rule::BR_KSA_89,
                path_of(t),
                format!("set the target currency to the tax currency \"{tax_currency}\""),
            );
        }
    }
    if present("CalculationRate")
        && let Some(v) = field("CalculationRate").next()
        && nsv(Some(v)).chars().count() >= 15
    {
        cx.report(rule::BR_KSA_90, path_of(v), "give the exchange rate in at most 14 characters".into());
    }
}

/// The additional document references with `normalize-space(cbc:ID) = id`.
fn normalized_id_is(r: Node<'_, '_>, id: &str) -> bool {
    nsv(kid(r, NS_CBC, "ID")) == id
}

fn attachments_objects<'a, 'i>(r: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    kids(r, NS_CAC, "Attachment").flat_map(|a| kids(a, NS_CBC, "EmbeddedDocumentBinaryObject"))
}

fn text_plain(o: Node<'_, '_>) -> bool {
    normalize(o.attribute("mimeCode").unwrap_or("")) == "text/plain"
}

fn chain(cx: &mut Cx<'_, '_>, scan: &Scan<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let mut other_attachments = Vec::new();
    for &reference in &scan.additional_refs {
        if !kids(reference, NS_CBC, "ID").any(|i| !sv(i).is_empty()) {
            cx.report(
                rule::BR_52,
                path_under(reference, "cbc:ID"),
                "give the supporting document reference in cbc:ID".into(),
            );
        }
        let pih = normalized_id_is(reference, "PIH");
        for attachment in kids(reference, NS_CAC, "Attachment") {
            let objects: Vec<Node<'_, '_>> =
                kids(attachment, NS_CBC, "EmbeddedDocumentBinaryObject").collect();
            for &object in &objects {
                let mime = normalize(object.attribute("mimeCode").unwrap_or(""));
                if !MIME_CODES.contains(&&*mime) {
                    cx.report(
                        rule::BR_KSA_CL_03,
                        format!("{}/@mimeCode", path_of(object)),
                        format!("use an allowed mime code such as text/plain or application/pdf (found \"{mime}\")"),
                    );
                }
            }
            if pih {
                let ok = objects.iter().any(|o| !sv(*o).is_empty()) && objects.iter().any(|o| text_plain(*o));
                if !ok {
                    cx.report(
                        rule::BR_KSA_26,
                        objects
                            .first()
                            .map(|o| path_of(*o))
                            .unwrap_or_else(|| path_under(attachment, "cbc:EmbeddedDocumentBinaryObject")),
                        "give the previous invoice hash in base64 with mimeCode=\"text/plain\"".into(),
                    );
                }
            } else {
                other_attachments.push((attachment, objects.iter().any(|o| !sv(*o).is_empty())));
            }
        }
    }
    let root_refs = || ix.children(root, NS_CAC, "AdditionalDocumentReference");
    // BR-KSA-33 and 34: the invoice counter.
    let icv = root_refs().any(|r| normalized_id_is(r, "ICV"));
    let uuids: Vec<Node<'_, '_>> = root_refs().flat_map(|r| kids(r, NS_CBC, "UUID")).collect();
    if !(icv && uuids.iter().any(|u| !sv(*u).is_empty())) {
        cx.report(
            rule::BR_KSA_33,
            path_under(root, "cac:AdditionalDocumentReference"),
            "add cac:AdditionalDocumentReference with cbc:ID ICV and the counter in cbc:UUID".into(),
        );
    }
    if let Some(&u) = uuids.first()
        && !sv(u).bytes().all(|b| b.is_ascii_digit())
    {
        cx.report(
            rule::BR_KSA_34,
            path_of(u),
            format!("the invoice counter must be digits only, e.g. 10 (found \"{}\")", sv(u)),
        );
    }
    // BR-KSA-61: the previous invoice hash.
    let pih: Vec<Node<'_, '_>> = root_refs().filter(|r| normalized_id_is(*r, "PIH")).collect();
    let pih_objects: Vec<Node<'_, '_>> = pih.iter().flat_map(|r| attachments_objects(*r)).collect();
    if !(pih_objects.iter().any(|o| !sv(*o).is_empty()) && pih_objects.iter().any(|o| text_plain(*o))) {
        cx.report(
            rule::BR_KSA_61,
            path_under(root, "cac:AdditionalDocumentReference"),
            "add cac:AdditionalDocumentReference with cbc:ID PIH and the previous invoice hash (mimeCode text/plain)".into(),
        );
    }
    // The QR code.
    let qr_objects: Vec<Node<'_, '_>> =
        root_refs().filter(|r| normalized_id_is(*r, "QR")).flat_map(|r| attachments_objects(r)).collect();
    if let Some(&o) = qr_objects.first() {
        let n = len(Some(o));
        if !(1..=1000).contains(&n) {
            cx.report(
                rule::BR_CL_KSA_14,
                path_of(o),
                format!("the QR code has {n} characters; give 1 to 1000 (shorter seller name or fewer tags)"),
            );
        }
    }
    if scan.name02 {
        let exact: Vec<Node<'_, '_>> = root_refs()
            .filter(|r| kids(*r, NS_CBC, "ID").any(|i| sv(i) == "QR"))
            .flat_map(|r| attachments_objects(r))
            .collect();
        let ok = !qr_objects.is_empty()
            && !nsv(exact.first().copied()).is_empty()
            && exact.iter().any(|o| text_plain(*o));
        if !ok {
            cx.report(
                rule::BR_KSA_27,
                qr_objects.first().map(|o| path_of(*o)).unwrap_or_else(|| path_under(root, "cac:AdditionalDocumentReference")),
                "add the base64 QR code in cac:AdditionalDocumentReference[cbc:ID='QR'] with mimeCode=\"text/plain\"".into(),
            );
        }
        if !other_attachments.is_empty() {
            stamp(cx, scan, &other_attachments);
        }
    }
}

/// BR-KSA-28, 29 and 30, on each attachment but the PIH's of a simplified document.
fn stamp(cx: &mut Cx<'_, '_>, scan: &Scan<'_, '_>, attachments: &[(Node<'_, '_>, bool)]) {
    let root = cx.root;
    let infos: Vec<Node<'_, '_>> = root
        .descendants()
        .filter(|n| is(*n, NS_EXT, "UBLExtensions"))
        .flat_map(|e| kids(e, NS_EXT, "UBLExtension"))
        .flat_map(|e| kids(e, NS_EXT, "ExtensionContent"))
        .flat_map(|e| kids(e, NS_SIG, "UBLDocumentSignatures"))
        .flat_map(|e| kids(e, NS_SAC, "SignatureInformation"))
        .collect();
    let info_id_ok = infos.iter().flat_map(|i| kids(*i, NS_CBC, "ID")).any(|i| sv(i) == SIG_INFO_ID);
    let referenced = infos.iter().flat_map(|i| kids(*i, NS_SBC, "ReferencedSignatureID")).next();
    let signature_id_ok =
        scan.signatures.iter().flat_map(|s| kids(*s, NS_CBC, "ID")).any(|i| sv(i) == SIG_INVOICE);
    let method_ok =
        scan.signatures.iter().flat_map(|s| kids(*s, NS_CBC, "SignatureMethod")).any(|m| sv(m) == SIG_METHOD);
    let referenced_ok = nsv(referenced) == SIG_INVOICE;
    for &(attachment, has_object) in attachments {
        if !(has_object && info_id_ok) {
            cx.report(
                rule::BR_KSA_28,
                path_of(attachment),
                format!(
                    "give the attachment's content and set the signature information cbc:ID to {SIG_INFO_ID}"
                ),
            );
        }
        if !(signature_id_ok && referenced_ok) {
            cx.report(
                rule::BR_KSA_29,
                path_under(root, "cac:Signature/cbc:ID"),
                format!("set cac:Signature/cbc:ID and sbc:ReferencedSignatureID to {SIG_INVOICE}"),
            );
        }
        if !(has_object && method_ok) {
            cx.report(
                rule::BR_KSA_30,
                path_under(root, "cac:Signature/cbc:SignatureMethod"),
                format!("give the attachment's content and set cbc:SignatureMethod to {SIG_METHOD}"),
            );
        }
    }
}

fn payment_means(cx: &mut Cx<'_, '_>, scan: &Scan<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    for &pm in &scan.payment_means {
        let code = kid(pm, NS_CBC, "PaymentMeansCode");
        if scan.name01 && code.is_none() {
            cx.report(
                rule::BR_49,
                path_under(pm, "cbc:PaymentMeansCode"),
                "give the payment means code: 10 cash, 30 credit, 42 bank account, 48 card, 1 other".into(),
            );
        }
        for code in kids(pm, NS_CBC, "PaymentMeansCode") {
            let c = nsv(Some(code));
            if !in_token_list(UNCL_4461, &c) {
                cx.report(rule::BR_CL_16, path_of(code), format!("\"{c}\" is not a UNCL 4461 code"));
            }
        }
    }
    let note = ix.children(root, NS_CBC, "InvoiceTypeCode").any(|n| matches!(&*sv(n), "381" | "383"));
    if note {
        for &pm in &scan.payment_means {
            for reason in kids(pm, NS_CBC, "InstructionNote") {
                let n = len(Some(reason));
                if !(1..=1000).contains(&n) {
                    cx.report(
                        rule::BR_KSA_F_06_C13,
                        path_of(reason),
                        format!("the reason has {n} characters; give 1 to 1000"),
                    );
                }
            }
        }
    }
}

fn header_lengths(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    for note in ix.children(root, NS_CBC, "Note") {
        if let Some(n) = note
            .children()
            .filter(|t| t.is_text())
            .map(|t| t.text().unwrap_or("").chars().count())
            .find(|&n| n > 1000)
        {
            cx.report(
                rule::BR_KSA_F_06_C2,
                path_of(note),
                format!("shorten the note to 1000 characters (it has {n})"),
            );
        }
    }
    let limits: [(&str, &'static RuleInfo, usize); 2] = [
        ("cac:OrderReference/cbc:ID", rule::BR_KSA_F_06_C3, 127),
        ("cac:ContractDocumentReference/cbc:ID", rule::BR_KSA_F_06_C5, 127),
    ];
    for (steps, id, max) in limits {
        if let Some(node) = ix.at(root, steps) {
            let n = len(Some(node));
            if n > max {
                cx.report(id, path_of(node), format!("shorten to {max} characters (it has {n})"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_currency_list_is_sorted_for_its_binary_search() {
        let codes: Vec<&str> = super::ISO_4217.split(' ').collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        assert!(codes.iter().all(|c| super::is_currency(c)));
        for absent in ["", "SA", "SARR", "AAA", "ZZZ", "sar", "EUR "] {
            assert!(!super::is_currency(absent), "{absent}");
        }
    }

    use super::*;

    #[test]
    fn xpath_matches_is_unanchored_and_literal_without_metacharacters() {
        assert!(xpath_matches("SAR", "SAR"));
        assert!(xpath_matches("SAR", "SA"));
        assert!(xpath_matches("SAR", "AR"));
        assert!(!xpath_matches("SAR", " SAR"));
        assert!(!xpath_matches("SAR", "sar"));
        assert!(!xpath_matches("", "SAR"));
        assert!(xpath_matches("SAR", "S.R"));
        assert!(xpath_matches("SAR", "^S[A-Z]+$"));
        assert!(!xpath_matches("SAR", "^A"));
        assert!(xpath_matches("SAR", "X*"));
        assert!(xpath_matches("SAR", "\\w{3}"));
        assert!(!xpath_matches("SAR", "(SAR)"), "groups are outside the subset");
    }

    #[test]
    fn transaction_flags_are_found_anywhere_in_a_name() {
        assert!(name_has("0100000", '1', None));
        assert!(name_has("x0200000y", '2', None));
        assert!(!name_has("010000", '1', None));
        assert!(name_has("0200010", '2', Some('1')));
        assert!(!name_has("0200100", '2', Some('1')));
        assert!(name_has("02٠٠٠٠٠", '2', None));
    }

    #[test]
    fn dates_and_times() {
        assert!(is_zatca_date("2024-02-29"));
        assert!(is_zatca_date("2100-02-29"), "ZATCA's leap test looks at the last two digits");
        assert!(!is_zatca_date("1999-01-01"));
        assert!(!is_zatca_date(" 2024-01-01"));
        assert!(is_ksa36_date("1900-02-28") && !is_ksa36_date("1900-02-29"));
        assert_eq!(xs_date("2024-05-02Z").map(|d| d.1), Some(Some(0)));
        assert_eq!(xs_date(" 2024-05-02 ").map(|d| d.1), Some(None));
        assert_eq!(xs_date("2024-5-02"), None);
        assert_eq!(xs_date_time_ms("1970-01-01", "03:00:00"), Some(0));
        assert_eq!(xs_date_time_ms("1970-01-01", "00:00:00Z"), Some(0));
        assert_eq!(xs_date_time_ms("1970-01-01", "00:00:00.5Z"), Some(500));
        assert_eq!(xs_date_time_ms("1970-01-01", "25:00:00"), None);
    }
}
