//! Seller and buyer: names, VAT numbers, other identifiers, national addresses and field lengths.
//!
//! The conditions follow ZATCA's R3.4.8 Schematron to the letter, XPath semantics included: a
//! value is an element's string value as written (a rule that trims says so), comparisons over
//! several elements are existential, `string-length` counts characters, and several rules depend
//! not on the document's own type (KSA-2) but on whether any element anywhere carries a `name`
//! attribute containing `01` and five digits (see [`Flags`]).

use super::index::{Anywhere, Index};
use super::xpath::{normalize, string_length as len, sv};
use super::{Cx, path_of, path_under, rule, vat_number_ok};
use crate::xml::Node;
use crate::xml::{NS_CAC, NS_CBC};
use std::borrow::Cow;

pub(super) fn check(cx: &mut Cx<'_, '_>) {
    let flags = Flags::scan(cx.root);
    seller(cx);
    buyer(cx, &flags);
    for (wrapper, supplier) in [("AccountingSupplierParty", true), ("AccountingCustomerParty", false)] {
        let ix = cx.ix;
        for w in ix.children(cx.root, NS_CAC, wrapper) {
            party_ids(cx, w, supplier);
        }
    }
    country_codes(cx);
}

// ---- XPath helpers --------------------------------------------------------------------------------

/// Exactly `n` ASCII digits (XSD `^[0-9]{n}$` on the value as written).
fn ascii_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Splits `cac:Name` into its namespace and local name.
fn step(s: &str) -> (&'static str, &str) {
    match s.split_once(':') {
        Some(("cac", local)) => (NS_CAC, local),
        Some((_, local)) => (NS_CBC, local),
        None => (NS_CBC, s),
    }
}

/// Visits, in document order, every element reached from `node` by `steps`
/// ("cac:Party/cbc:Name": all children at each step, as an XPath path does) until `f` says stop.
fn visit<'a, 'i>(
    ix: &Index<'a, 'i>,
    node: Node<'a, 'i>,
    steps: &str,
    f: &mut dyn FnMut(Node<'a, 'i>) -> bool,
) -> bool {
    let (head, rest) = match steps.split_once('/') {
        Some((h, r)) => (h, Some(r)),
        None => (steps, None),
    };
    let (ns, local) = step(head);
    for child in ix.children(node, ns, local) {
        let stop = match rest {
            Some(r) => visit(ix, child, r, f),
            None => f(child),
        };
        if stop {
            return true;
        }
    }
    false
}

/// The first element of the path (what XPath takes where it expects one item).
fn first<'a, 'i>(ix: &Index<'a, 'i>, node: Node<'a, 'i>, steps: &str) -> Option<Node<'a, 'i>> {
    let mut found = None;
    visit(ix, node, steps, &mut |n| {
        found = Some(n);
        true
    });
    found
}

/// Whether some element of the path satisfies `pred` (an XPath general comparison).
fn any<'a, 'i>(
    ix: &Index<'a, 'i>,
    node: Node<'a, 'i>,
    steps: &str,
    pred: impl Fn(Node<'a, 'i>) -> bool,
) -> bool {
    visit(ix, node, steps, &mut |n| pred(n))
}

/// Every element of the path.
fn all<'a, 'i>(ix: &Index<'a, 'i>, node: Node<'a, 'i>, steps: &str) -> Vec<Node<'a, 'i>> {
    let mut out = Vec::new();
    visit(ix, node, steps, &mut |n| {
        out.push(n);
        false
    });
    out
}

/// [`first`] over the elements of `nodes` in turn (a path's first steps taken once: the same
/// elements in the same order as the whole path from the root).
fn first_of<'a, 'i>(ix: &Index<'a, 'i>, nodes: &[Node<'a, 'i>], steps: &str) -> Option<Node<'a, 'i>> {
    nodes.iter().find_map(|&n| first(ix, n, steps))
}

/// [`any`] over the elements of `nodes` (see [`first_of`]).
fn any_of<'a, 'i>(
    ix: &Index<'a, 'i>,
    nodes: &[Node<'a, 'i>],
    steps: &str,
    pred: impl Fn(Node<'a, 'i>) -> bool,
) -> bool {
    nodes.iter().any(|&n| visit(ix, n, steps, &mut |m| pred(m)))
}

/// [`all`] over the elements of `nodes` (see [`first_of`]).
fn all_of<'a, 'i>(ix: &Index<'a, 'i>, nodes: &[Node<'a, 'i>], steps: &str) -> Vec<Node<'a, 'i>> {
    nodes.iter().flat_map(|&n| all(ix, n, steps)).collect()
}

/// Path of the first element of `steps` under `node`, or of where it would be.
fn where_is(ix: &Index<'_, '_>, node: Node<'_, '_>, steps: &str) -> String {
    first(ix, node, steps).map(path_of).unwrap_or_else(|| path_under(node, steps))
}

/// `\d` of XPath regular expressions: any Unicode decimal digit (category Nd).
fn is_digit(c: char) -> bool {
    /// The first code point of each run of Nd digits (ten each, the last run fifty).
    const STARTS: [u32; 61] = [
        0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50,
        0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40,
        0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066,
        0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950,
        0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0, 0x1D7CE,
    ];
    let c = c as u32;
    if c < 0x80 {
        return (0x30..=0x39).contains(&c);
    }
    if (0x1D7CE..=0x1D7FF).contains(&c) {
        return true;
    }
    STARTS[..60].iter().any(|&s| (s..s + 10).contains(&c))
}

/// A piece of the few regular expressions the flags use: a character or `\d`.
#[derive(Clone, Copy)]
enum Pat {
    C(char),
    D,
}

/// Whether `s` contains a match of `pattern` (unanchored, as XPath `matches`).
fn contains_pattern(s: &str, pattern: &[Pat]) -> bool {
    s.char_indices().any(|(i, _)| {
        let mut rest = s[i..].chars();
        pattern.iter().all(|p| match (p, rest.next()) {
            (Pat::C(c), Some(x)) => *c == x,
            (Pat::D, Some(x)) => is_digit(x),
            _ => false,
        })
    })
}

/// Document-wide conditions several rules depend on.
struct Flags {
    /// Some element anywhere has a `name` attribute containing `01` and five digits (ZATCA's
    /// test for "standard document").
    standard: bool,
    /// Some element's `name` contains `02`, three digits, `1`, a digit (simplified summary).
    summary: bool,
    /// Some `cbc:InvoiceTypeCode` has a `name` containing `02` and five digits.
    simplified_code: bool,
    /// Some `cbc:InvoiceTypeCode` has a `name` starting with `01` or `02` (as written).
    typed: bool,
    /// Some `cbc:InvoiceTypeCode` has a `name` starting with `02` (as written).
    typed_02: bool,
}

impl Flags {
    fn scan(root: Node<'_, '_>) -> Flags {
        use Pat::{C, D};
        const STANDARD: [Pat; 7] = [C('0'), C('1'), D, D, D, D, D];
        const SIMPLIFIED: [Pat; 7] = [C('0'), C('2'), D, D, D, D, D];
        const SUMMARY: [Pat; 7] = [C('0'), C('2'), D, D, D, C('1'), D];
        let mut f =
            Flags { standard: false, summary: false, simplified_code: false, typed: false, typed_02: false };
        for n in root.descendants() {
            let Some(name) = n.attribute("name") else { continue };
            if !f.standard && name.contains("01") && contains_pattern(name, &STANDARD) {
                f.standard = true;
            }
            if name.contains("02") {
                f.summary = f.summary || contains_pattern(name, &SUMMARY);
            }
            if n.tag_name().name() == "InvoiceTypeCode" && n.tag_name().namespace() == Some(NS_CBC) {
                f.typed |= name.starts_with("01") || name.starts_with("02");
                f.typed_02 |= name.starts_with("02");
                f.simplified_code =
                    f.simplified_code || (name.contains("02") && contains_pattern(name, &SIMPLIFIED));
            }
        }
        f
    }
}

// ---- Seller ---------------------------------------------------------------------------------------

const SELLER: &str = "cac:AccountingSupplierParty/cac:Party";

fn seller(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let at = |steps: &str| format!("{SELLER}/{steps}");
    let party = all(ix, root, SELLER);
    // BR-06: some registration name with a value.
    if !any_of(ix, &party, "cac:PartyLegalEntity/cbc:RegistrationName", |n| !ix.sv(n).is_empty()) {
        let path = where_is(ix, root, &at("cac:PartyLegalEntity/cbc:RegistrationName"));
        cx.report(rule::BR_06, path, "give the seller's registered name".into());
    }
    if let Some(name) = first_of(ix, &party, "cac:PartyLegalEntity/cbc:RegistrationName") {
        let n = len(&ix.sv(name));
        if !(1..=1000).contains(&n) {
            cx.report(rule::BR_KSA_F_06_C10, path_of(name), format!("give 1 to 1000 characters (found {n})"));
        }
    }
    if first_of(ix, &party, "cac:PostalAddress").is_none() {
        cx.report(
            rule::BR_08,
            path_under(root, &at("cac:PostalAddress")),
            "add the seller's national address".into(),
        );
    }
    if let Some(n) = first_of(ix, &party, "cac:PostalAddress/cbc:CountrySubentity") {
        let n_len = len(&ix.sv(n));
        if n_len > 127 {
            cx.report(
                rule::BR_KSA_F_06_C8,
                path_of(n),
                format!("give at most 127 characters (found {n_len})"),
            );
        }
    }
    // BR-KSA-39: a VAT number with a value, and a tax scheme VAT.
    let has_number = any_of(ix, &party, "cac:PartyTaxScheme/cbc:CompanyID", |n| !ix.sv(n).is_empty());
    let has_vat_scheme = any_of(ix, &party, "cac:PartyTaxScheme/cac:TaxScheme", |s| {
        ix.child(s, NS_CBC, "ID").is_some_and(|id| normalize(&ix.sv(id)) == "VAT")
    });
    if !(has_number && has_vat_scheme) {
        cx.report(
            rule::BR_KSA_39,
            where_is(ix, root, &at("cac:PartyTaxScheme/cbc:CompanyID")),
            "add the seller's 15-digit VAT number under a tax scheme with ID VAT".into(),
        );
    }
    // BR-KSA-40: the number's form, judged wherever a tax scheme VAT sits beside a number.
    let number = first_of(ix, &party, "cac:PartyTaxScheme/cbc:CompanyID");
    if let Some(number) = number {
        let vat_scheme = any_of(ix, &party, "cac:PartyTaxScheme/cac:TaxScheme", |s| {
            ix.children(s, NS_CBC, "ID").any(|id| ix.sv(id) == "VAT")
        });
        let v = ix.sv(number);
        if vat_scheme && !(vat_number_ok(&v)) {
            cx.report(
                rule::BR_KSA_40,
                path_of(number),
                format!("the VAT number has 15 digits, starting and ending with 3, e.g. 300000000000003 (found \"{v}\")"),
            );
        }
    }
    // BR-KSA-08: one identifier with a known scheme.
    match first_of(ix, &party, "cac:PartyIdentification/cbc:ID") {
        None => cx.report(
            rule::BR_KSA_08,
            path_under(root, &at("cac:PartyIdentification/cbc:ID")),
            "add the seller's identifier (e.g. the commercial registration, schemeID=\"CRN\")".into(),
        ),
        Some(id) => {
            let scheme = normalize(id.attribute("schemeID").unwrap_or(""));
            if !(len(&scheme) > 2 && "CRN MOM MLS SAG OTH 700".contains(scheme.as_ref())) {
                cx.report(
                    rule::BR_KSA_08,
                    path_of(id),
                    format!("use schemeID CRN, MOM, MLS, SAG, OTH or 700 (found \"{scheme}\")"),
                );
            }
        }
    }
    // BR-CUSTOM-VALIDATION-01: the buyer's VAT number is not the seller's.
    let sellers: Vec<Cow<'_, str>> =
        all_of(ix, &party, "cac:PartyTaxScheme/cbc:CompanyID").into_iter().map(|n| ix.sv(n)).collect();
    let buyer_numbers =
        all(ix, root, "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID");
    if sellers.iter().any(|s| !s.is_empty())
        && buyer_numbers.iter().any(|b| !ix.sv(*b).is_empty())
        && let Some(same) = buyer_numbers.iter().find(|b| sellers.contains(&ix.sv(**b)))
    {
        cx.report(
            rule::BR_CUSTOM_VALIDATION_01,
            path_of(*same),
            "the buyer's VAT number is the seller's; give the buyer's own number".into(),
        );
    }
    for party in all(ix, root, SELLER) {
        // BR-KSA-37: the building number, 4 digits (absent counts as wrong).
        let building = first(ix, party, "cac:PostalAddress/cbc:BuildingNumber");
        let v = building.map(|n| ix.sv(n)).unwrap_or_default();
        if !ascii_digits(&v, 4) {
            cx.report(
                rule::BR_KSA_37,
                where_is(ix, party, "cac:PostalAddress/cbc:BuildingNumber"),
                format!("the building number of a national address is 4 digits, e.g. 2322 (found \"{v}\")"),
            );
        }
        for address in ix.children(party, NS_CAC, "PostalAddress") {
            seller_address(cx, address);
        }
    }
}

fn seller_address(cx: &mut Cx<'_, '_>, address: Node<'_, '_>) {
    let ix = cx.ix;
    if !any(ix, address, "cac:Country/cbc:IdentificationCode", |n| !ix.sv(n).is_empty()) {
        cx.report(
            rule::BR_09,
            where_is(ix, address, "cac:Country/cbc:IdentificationCode"),
            "add the seller's country code, e.g. SA".into(),
        );
    }
    let required = [
        ("cbc:StreetName", "street"),
        ("cbc:BuildingNumber", "building number"),
        ("cbc:CityName", "city"),
        ("cbc:PostalZone", "postal code"),
        ("cbc:CitySubdivisionName", "district"),
        ("cac:Country/cbc:IdentificationCode", "country code"),
    ];
    let missing: Vec<&str> =
        required.iter().filter(|(s, _)| first(ix, address, s).is_none()).map(|(_, n)| *n).collect();
    if !missing.is_empty() {
        cx.report(
            rule::BR_KSA_09,
            path_of(address),
            format!("add the seller's {} (Saudi national address)", missing.join(", ")),
        );
    }
    let zone = ix.child(address, NS_CBC, "PostalZone");
    let v = zone.map(|n| ix.sv(n)).unwrap_or_default();
    if !ascii_digits(&v, 5) {
        cx.report(
            rule::BR_KSA_66,
            where_is(ix, address, "cbc:PostalZone"),
            format!("the postal code is 5 digits, e.g. 12214 (found \"{v}\")"),
        );
    }
    let lengths = [
        ("cbc:StreetName", rule::BR_KSA_F_06_C4, 1, 1000),
        ("cbc:AdditionalStreetName", rule::BR_KSA_F_06_C6, 0, 127),
        ("cbc:CityName", rule::BR_KSA_F_06_C7, 1, 127),
    ];
    for (steps, rule, min, max) in lengths {
        if let Some(n) = ix.at(address, steps) {
            let found = len(&ix.sv(n));
            if found < min || found > max {
                cx.report(rule, path_of(n), format!("give {min} to {max} characters (found {found})"));
            }
        }
    }
    // BR-KSA-F-06-C11 is judged here, in the seller's address, although it is about the buyer's.
    if let Some(n) =
        first(ix, cx.root, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:AdditionalStreetName")
    {
        let found = len(&ix.sv(n));
        if found > 127 {
            cx.report(
                rule::BR_KSA_F_06_C11,
                path_of(n),
                format!("give at most 127 characters (found {found})"),
            );
        }
    }
}

// ---- Buyer ----------------------------------------------------------------------------------------

const BUYER: &str = "cac:AccountingCustomerParty/cac:Party";

fn buyer(cx: &mut Cx<'_, '_>, flags: &Flags) {
    let ix = cx.ix;
    let root = cx.root;
    let at = |steps: &str| format!("{BUYER}/{steps}");
    let party = all(ix, root, BUYER);
    let field = |steps: &str| first_of(ix, &party, steps);
    let length = |n: Option<Node<'_, '_>>| n.map(|n| len(&ix.sv(n)));
    let name = field("cac:PartyLegalEntity/cbc:RegistrationName");
    let name_len = length(name);
    let has_name = any_of(ix, &party, "cac:PartyLegalEntity/cbc:RegistrationName", |n| !ix.sv(n).is_empty());
    let name_path = || where_is(ix, root, &at("cac:PartyLegalEntity/cbc:RegistrationName"));

    // BR-KSA-42, for each buyer party of a "standard" document.
    if flags.standard {
        for party in all(ix, root, BUYER) {
            if !any(ix, party, "cac:PartyLegalEntity/cbc:RegistrationName", |n| !ix.sv(n).is_empty()) {
                cx.report(
                    rule::BR_KSA_42,
                    where_is(ix, party, "cac:PartyLegalEntity/cbc:RegistrationName"),
                    "add the buyer's name".into(),
                );
            }
        }
    }

    // Rules judged on an InvoiceTypeCode whose name starts with 01 or 02.
    if flags.typed {
        let street = field("cac:PostalAddress/cbc:StreetName");
        let city = field("cac:PostalAddress/cbc:CityName");
        let country = field("cac:PostalAddress/cac:Country/cbc:IdentificationCode");
        let (street_len, city_len) = (length(street), length(city));
        if flags.standard {
            let missing: Vec<&str> =
                [(street_len, "street"), (city_len, "city"), (length(country), "country code")]
                    .iter()
                    .filter(|(l, _)| l.unwrap_or(0) == 0)
                    .map(|(_, n)| *n)
                    .collect();
            if !missing.is_empty() {
                cx.report(
                    rule::BR_KSA_10,
                    where_is(ix, root, &at("cac:PostalAddress")),
                    format!("add the buyer's {}", missing.join(", ")),
                );
            }
            if let Some(n) = name_len
                && !(1..=1000).contains(&n)
            {
                cx.report(
                    rule::BR_KSA_F_06_C12,
                    name_path(),
                    format!("give 1 to 1000 characters (found {n})"),
                );
            }
            if !street_len.is_some_and(|n| (1..=1000).contains(&n)) {
                cx.report(
                    rule::BR_KSA_F_06_C23,
                    where_is(ix, root, &at("cac:PostalAddress/cbc:StreetName")),
                    format!(
                        "give the buyer's street, 1 to 1000 characters (found {})",
                        street_len.unwrap_or(0)
                    ),
                );
            }
            if city_len.is_none_or(|n| n < 1) {
                cx.report(
                    rule::BR_KSA_F_06_C25,
                    where_is(ix, root, &at("cac:PostalAddress/cbc:CityName")),
                    "give the buyer's city".into(),
                );
            }
        }
        if flags.simplified_code {
            if let Some(n) = street_len.filter(|&n| n > 1000) {
                cx.report(
                    rule::BR_KSA_F_06_C24,
                    where_is(ix, root, &at("cac:PostalAddress/cbc:StreetName")),
                    format!("give at most 1000 characters (found {n})"),
                );
            }
            if let Some(n) = name_len.filter(|&n| n > 1000) {
                cx.report(
                    rule::BR_KSA_F_06_C32,
                    name_path(),
                    format!("give at most 1000 characters (found {n})"),
                );
            }
        }
        if let Some(n) = city_len.filter(|&n| n > 127) {
            cx.report(
                rule::BR_KSA_F_06_C26,
                where_is(ix, root, &at("cac:PostalAddress/cbc:CityName")),
                format!("give at most 127 characters (found {n})"),
            );
        }
    }

    // Rules judged on an InvoiceTypeCode whose name starts with 02.
    if flags.typed_02 {
        // BR-KSA-25: when every exemption reason code is one of education / healthcare (as a
        // substring test: an empty code counts), the buyer is named.
        let codes: Vec<Node<'_, '_>> =
            ix.anywhere(Anywhere::TaxExemptionReasonCode).filter(|&n| under_tax_total(ix, n)).collect();
        if !codes.is_empty()
            && codes.iter().all(|&c| " VATEX-SA-HEA VATEX-SA-EDU ".contains(ix.sv(c).as_ref()))
            && !has_name
        {
            cx.report(
                rule::BR_KSA_25,
                name_path(),
                "add the buyer's name (education/healthcare to citizens)".into(),
            );
        }
        if flags.summary {
            let named = all(ix, root, BUYER)
                .into_iter()
                .flat_map(|p| p.descendants())
                .find(|n| {
                    ix.is(*n, NS_CAC, "PartyLegalEntity")
                        && ix.child(*n, NS_CBC, "RegistrationName").is_some()
                })
                .and_then(|e| ix.child(e, NS_CBC, "RegistrationName"));
            if named.is_none_or(|n| normalize(&ix.sv(n)).is_empty()) {
                cx.report(rule::BR_KSA_71, name_path(), "add the buyer's name to the summary invoice".into());
            }
        }
    }

    // BR-KSA-49: each tax category exempted for education or healthcare needs a buyer NAT ID.
    let nat =
        any_of(ix, &party, "cac:PartyIdentification/cbc:ID", |id| id.attribute("schemeID") == Some("NAT"));
    if !nat {
        let exempted = ix.anywhere(Anywhere::TaxExemptionReasonCode).find(|&n| {
            under_tax_total(ix, n) && matches!(ix.sv(n).as_ref(), "VATEX-SA-EDU" | "VATEX-SA-HEA")
        });
        if exempted.is_some() {
            cx.report(
                rule::BR_KSA_49,
                where_is(ix, root, &at("cac:PartyIdentification/cbc:ID")),
                "add the buyer's national ID with schemeID=\"NAT\"".into(),
            );
        }
    }

    // Each buyer identifier.
    for id in all_of(ix, &party, "cac:PartyIdentification/cbc:ID") {
        buyer_id(cx, id);
    }

    // VAT number.
    let numbers = all_of(ix, &party, "cac:PartyTaxScheme/cbc:CompanyID");
    if let Some(&number) = numbers.first() {
        let v = ix.sv(number);
        if flags.standard && normalize(&v).is_empty() {
            cx.report(
                rule::BR_KSA_99,
                path_of(number),
                "fill in the buyer's VAT number or remove the empty element".into(),
            );
        }
        if !v.is_empty() && !vat_number_ok(&v) {
            cx.report(
                rule::BR_KSA_44,
                path_of(number),
                format!("the buyer VAT number has 15 digits, starting and ending with 3 (found \"{v}\")"),
            );
        }
    }
    // BR-KSA-81: without a VAT number element, another identifier with a value.
    if flags.standard
        && numbers.is_empty()
        && field("cac:PartyIdentification/cbc:ID").is_none_or(|id| normalize(&ix.sv(id)).is_empty())
    {
        cx.report(
            rule::BR_KSA_81,
            where_is(ix, root, &at("cac:PartyIdentification/cbc:ID")),
            "add the buyer's VAT number or another ID (CRN, NAT, PAS…)".into(),
        );
    }

    if let Some(n) = field("cac:PostalAddress/cbc:CountrySubentity") {
        let found = len(&ix.sv(n));
        if found > 127 {
            cx.report(
                rule::BR_KSA_F_06_C27,
                path_of(n),
                format!("give at most 127 characters (found {found})"),
            );
        }
    }

    // Rules judged on each buyer country whose code is SA.
    let saudi = all_of(ix, &party, "cac:PostalAddress/cac:Country")
        .into_iter()
        .find(|c| ix.children(*c, NS_CBC, "IdentificationCode").any(|i| ix.sv(i) == "SA"));
    if let Some(country) = saudi {
        saudi_buyer(cx, flags, country);
    }

    // Contact.
    if first_of(ix, &party, "cac:Contact").is_some() {
        if let Some(phone) = field("cac:Contact/cbc:Telephone") {
            let v = ix.sv(phone);
            let rest = v.strip_prefix('+').or_else(|| v.strip_prefix('0'));
            if !v.is_empty()
                && !rest.is_some_and(|r| (4..=15).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_digit()))
            {
                cx.report(
                    rule::BR_KSA_85,
                    path_of(phone),
                    format!("write the phone as 0… or +… followed by 4 to 15 digits (found \"{v}\")"),
                );
            }
        }
        for (steps, rule) in
            [("cac:Contact/cbc:Name", rule::BR_KSA_F_06_C37), ("cac:Contact/cbc:Note", rule::BR_KSA_F_06_C38)]
        {
            if let Some(n) = field(steps) {
                let found = len(&ix.sv(n));
                if found > 1000 {
                    cx.report(rule, path_of(n), format!("shorten to 1000 characters (it has {found})"));
                }
            }
        }
    }
}

/// Whether an element sits in `cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory`.
fn under_tax_total(ix: &Index<'_, '_>, n: Node<'_, '_>) -> bool {
    let category = n.parent_element();
    let subtotal = category.and_then(|c| c.parent_element());
    let total = subtotal.and_then(|s| s.parent_element());
    category.is_some_and(|c| ix.is(c, NS_CAC, "TaxCategory"))
        && subtotal.is_some_and(|s| ix.is(s, NS_CAC, "TaxSubtotal"))
        && total.is_some_and(|t| ix.is(t, NS_CAC, "TaxTotal"))
}

/// The rules ZATCA judges on a buyer country whose code is SA (`country`).
fn saudi_buyer(cx: &mut Cx<'_, '_>, flags: &Flags, country: Node<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let address = all(ix, root, &format!("{BUYER}/cac:PostalAddress"));
    let field = |steps: &str| first_of(ix, &address, steps);
    // BR-KSA-F-06-C9 is judged here, on the buyer's country, although it is about the seller.
    if let Some(n) = first(ix, root, &format!("{SELLER}/cac:PostalAddress/cbc:CitySubdivisionName")) {
        let found = len(&ix.sv(n));
        if !(1..=127).contains(&found) {
            cx.report(rule::BR_KSA_F_06_C9, path_of(n), format!("give 1 to 127 characters (found {found})"));
        }
    }
    if !flags.standard {
        return;
    }
    let required = [
        ("cbc:StreetName", "street"),
        ("cbc:BuildingNumber", "building number"),
        ("cbc:PostalZone", "postal code"),
        ("cbc:CityName", "city"),
        ("cbc:CitySubdivisionName", "district"),
        ("cac:Country/cbc:IdentificationCode", "country code"),
    ];
    let missing: Vec<&str> = required
        .iter()
        .filter(|(s, _)| field(s).is_none_or(|n| normalize(&ix.sv(n)).is_empty()))
        .map(|(_, n)| *n)
        .collect();
    let address = country.parent_element().unwrap_or(country);
    if !missing.is_empty() {
        cx.report(
            rule::BR_KSA_63,
            path_of(address),
            format!("add the buyer's {} (Saudi national address)", missing.join(", ")),
        );
    }
    let district = field("cbc:CitySubdivisionName");
    match district.map(|n| (n, len(&ix.sv(n)))) {
        None | Some((_, 0)) => cx.report(
            rule::BR_KSA_F_06_C28,
            where_is(ix, address, "cbc:CitySubdivisionName"),
            "give the buyer's district".into(),
        ),
        Some((n, found)) if found > 127 => cx.report(
            rule::BR_KSA_F_06_C29,
            path_of(n),
            format!("give at most 127 characters (found {found})"),
        ),
        Some(_) => {}
    }
    let zone = field("cbc:PostalZone");
    let v = zone.map(|n| ix.sv(n)).unwrap_or_default();
    if !ascii_digits(&v, 5) {
        cx.report(
            rule::BR_KSA_67,
            where_is(ix, address, "cbc:PostalZone"),
            format!("a Saudi postal code is 5 digits (found \"{v}\")"),
        );
    }
}

/// BR-KSA-14, F-07, F-10, F-11: one buyer identifier.
fn buyer_id(cx: &mut Cx<'_, '_>, id: Node<'_, '_>) {
    let scheme = normalize(id.attribute("schemeID").unwrap_or(""));
    if !(len(&scheme) > 2 && "TIN NAT IQA PAS CRN MOM MLS 700 SAG GCC OTH".contains(scheme.as_ref())) {
        cx.report(
            rule::BR_KSA_14,
            path_of(id),
            format!(
                "use schemeID TIN, CRN, MOM, MLS, 700, SAG, NAT, GCC, IQA, PAS or OTH (found \"{scheme}\")"
            ),
        );
    }
    let check = match scheme.as_ref() {
        "TIN" => Some((rule::BR_KSA_F_07, b'3')),
        "NAT" => Some((rule::BR_KSA_F_10, b'1')),
        "IQA" => Some((rule::BR_KSA_F_11, b'2')),
        _ => None,
    };
    if let Some((rule, lead)) = check {
        let v = sv(id);
        if !(ascii_digits(&v, 10) && v.as_bytes()[0] == lead) {
            cx.report(
                rule,
                path_of(id),
                format!("a {scheme} number is 10 digits starting with {}; check \"{v}\"", lead as char),
            );
        }
    }
}

// ---- Identifiers of either party ------------------------------------------------------------------

/// BR-KSA-F-08, F-09, F-12, F-13, judged on `cac:AccountingSupplierParty` or
/// `cac:AccountingCustomerParty` (`wrapper`).
fn party_ids(cx: &mut Cx<'_, '_>, wrapper: Node<'_, '_>, supplier: bool) {
    const SELLER_SCHEMES: &[&str] = &["CRN", "MOM", "MLS", "700", "SAG", "OTH"];
    const BUYER_SCHEMES: &[&str] =
        &["TIN", "CRN", "MOM", "MLS", "700", "SAG", "NAT", "GCC", "IQA", "OTH", "PAS"];
    let ix = cx.ix;
    let ids = all(ix, wrapper, "cac:Party/cac:PartyIdentification/cbc:ID");
    let Some(&id) = ids.first() else { return };
    let allowed = if supplier { SELLER_SCHEMES } else { BUYER_SCHEMES };
    let raw_scheme = ids.iter().find_map(|i| i.attribute("schemeID")).unwrap_or("");
    let scheme = normalize(raw_scheme);
    let value = ix.sv(id);
    let ten = ascii_digits(&value, 10);
    if scheme == "CRN" && !ten {
        cx.report(rule::BR_KSA_F_08, path_of(id), format!("a CRN number is 10 digits; check \"{value}\""));
    }
    if scheme == "700" && !(ten && value.starts_with('7')) {
        cx.report(
            rule::BR_KSA_F_09,
            path_of(id),
            format!("a 700 number is 10 digits starting with 7; check \"{value}\""),
        );
    }
    let upper = |s: &str| if s.is_ascii() { s.to_ascii_uppercase() } else { s.to_uppercase() };
    if !raw_scheme.is_empty() && allowed.contains(&upper(&scheme).as_str()) && raw_scheme != scheme {
        cx.report(
            rule::BR_KSA_F_12,
            format!("{}/@schemeID", path_of(id)),
            format!("remove the spaces from schemeID \"{raw_scheme}\""),
        );
    }
    for i in &ids {
        let s = normalize(i.attribute("schemeID").unwrap_or(""));
        if !allowed.contains(&upper(&s).as_str()) {
            continue;
        }
        let v = ix.sv(*i);
        if let Some(pattern) = placeholder_pattern(&normalize(&v)) {
            cx.report(
                rule::BR_KSA_F_13,
                path_of(*i),
                format!(
                    "\"{v}\" contains {pattern}, a test or dummy value; give the party's real identifier"
                ),
            );
            break;
        }
    }
}

/// BR-KSA-F-13: an identifier made of digits only that contains a run of eight ascending
/// (`01234567`, `12345678`, `23456789`) or descending digits (`76543210`, `87654321`, `98765432`)
/// or one digit eight times.
fn placeholder_pattern(value: &str) -> Option<&'static str> {
    if value.is_empty() || !value.chars().all(is_digit) {
        return None;
    }
    const ASCENDING: [&str; 3] = ["01234567", "12345678", "23456789"];
    const DESCENDING: [&str; 3] = ["76543210", "87654321", "98765432"];
    if ASCENDING.iter().any(|r| value.contains(r)) {
        return Some("a run of ascending digits");
    }
    if DESCENDING.iter().any(|r| value.contains(r)) {
        return Some("a run of descending digits");
    }
    let bytes = value.as_bytes();
    bytes
        .windows(8)
        .any(|w| w[0].is_ascii_digit() && w.iter().all(|&b| b == w[0]))
        .then_some("one digit repeated 8 times")
}

// ---- Country codes --------------------------------------------------------------------------------

/// ISO 3166-1 alpha-2, plus `1A` (Kosovo) and `XI` (Northern Ireland), as EN 16931 lists them.
const COUNTRIES: &str = "1A AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XI YE YT ZA ZM ZW";

fn country_codes(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let nodes: Vec<Node<'_, '_>> = ix
        .anywhere(Anywhere::IdentificationCode)
        .filter(|&n| n.parent_element().is_some_and(|p| ix.is(p, NS_CAC, "Country")))
        .collect();
    for n in nodes {
        let v = normalize(&ix.sv(n)).into_owned();
        if !(v.len() == 2 && COUNTRIES.split(' ').any(|c| c == v)) {
            cx.report(
                rule::BR_CL_14,
                path_of(n),
                format!("\"{v}\" is not an ISO 3166-1 alpha-2 country code; use e.g. SA"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xpath_helpers() {
        assert_eq!(normalize("  a \t b\n"), "a b");
        assert_eq!(normalize("ab"), "ab");
        assert_eq!(normalize("\u{a0}x"), "\u{a0}x", "NBSP is not XML whitespace");
        assert!(is_digit('٣') && is_digit('7') && is_digit('\u{1D7CE}') && !is_digit('²') && !is_digit('a'));
        use Pat::{C, D};
        let standard = [C('0'), C('1'), D, D, D, D, D];
        assert!(contains_pattern("0100000", &standard));
        assert!(contains_pattern("x01٠٠٠٠٠y", &standard));
        assert!(!contains_pattern("010000", &standard));
        assert!(!contains_pattern("0200000", &standard));
    }

    #[test]
    fn dummy_identifiers() {
        assert!(placeholder_pattern("1234567890").is_some());
        assert!(placeholder_pattern("9876543210").is_some());
        assert!(placeholder_pattern("0000000000").is_some());
        assert!(placeholder_pattern("١12345678").is_some(), "any decimal digits around the run");
        assert!(placeholder_pattern("US12345678").is_none(), "letters: not a number");
        assert!(placeholder_pattern("1010101010").is_none());
        assert!(placeholder_pattern("").is_none());
    }
}
