//! Invoice lines, allowances and charges, and prepayment lines.
//!
//! The conditions follow ZATCA's R3.4.8 Schematron to the letter, with XPath 2.0 semantics:
//! string lengths and comparisons use the untrimmed string value, general comparisons hold when
//! ANY of the compared nodes satisfies them, and a rule context reaches only the nodes its match
//! pattern (and schxslt's rule shadowing) lets through. Notable consequences:
//! - BR-41 (line allowance without amount) never fires on a line of the invoice itself: in the
//!   EN 16931 pattern an earlier, empty rule for `/ubl:Invoice/cac:InvoiceLine/cac:AllowanceCharge`
//!   claims those allowances first; it fires only for a `cac:InvoiceLine` nested elsewhere.
//! - BR-KSA-F-02 fires only for a `cbc:ChargeIndicator` that is present and not a boolean.
//! - BR-KSA-79 applies to every line's VAT breakdown, prepayment line or not.
//! - BR-KSA-93..96, BR-KSA-CL-07 and BR-KSA-F-06-C39 judge every line's VAT breakdown, once the
//!   document has any standard-rated (S) VAT category.

use super::index::Anywhere;
use super::xpath::{is_xml_ws as is_ws, sv, xtrim};
use super::{Cx, chars, decimal, path_of, path_under, rule};
use crate::xml::Node;
use crate::xml::{NS_CAC, NS_CBC};
use rust_decimal::Decimal;

pub(super) fn check(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    // `/ubl:Invoice/cac:InvoiceLine` contexts see the lines of the invoice; `cac:InvoiceLine` and
    // `//cac:InvoiceLine` ones also see a line nested anywhere else (never in a valid document).
    let lines: Vec<Node<'_, '_>> = ix.children(root, NS_CAC, "InvoiceLine").collect();
    let mut all_lines = lines.clone();
    all_lines.extend(ix.anywhere(Anywhere::InvoiceLine).filter(|n| n.parent() != Some(root)));
    if lines.is_empty() {
        cx.report(
            rule::BR_16,
            path_under(root, "cac:InvoiceLine"),
            "add at least one cac:InvoiceLine".into(),
        );
    }
    for &line in &all_lines {
        line_fields(cx, line);
        let nested = line.parent() != Some(root);
        for ac in ix.children(line, NS_CAC, "AllowanceCharge") {
            line_allowance_charge(cx, ac, nested);
        }
        for price in ix.children(line, NS_CAC, "Price") {
            for ac in ix.children(price, NS_CAC, "AllowanceCharge") {
                charge_indicator_format(cx, ac);
                if indicator(cx, ac).charge {
                    cx.report(
                        rule::BR_KSA_EN16931_06,
                        path_under(ac, "cbc:ChargeIndicator"),
                        "a price may only carry a discount: set cbc:ChargeIndicator to false".into(),
                    );
                }
            }
        }
        for reference in ix.children(line, NS_CAC, "DocumentReference") {
            for t in ix.children(reference, NS_CBC, "IssueTime") {
                if !is_xs_time(&ix.sv(t)) {
                    cx.report(
                        rule::BR_KSA_F_05,
                        path_of(t),
                        format!("write the prepayment issue time as hh:mm:ss (found \"{}\")", ix.sv(t)),
                    );
                }
            }
        }
    }
    for ac in ix.children(root, NS_CAC, "AllowanceCharge") {
        document_allowance_charge(cx, ac);
    }
    line_tax_amounts(cx, &all_lines);
    prepayments(cx, &lines);
    exemption_reasons(cx, &lines, &all_lines);
}

// ---- XPath 2.0 helpers ------------------------------------------------------------------------

/// `normalize-space(s) = target` for a target without spaces.
fn norm_is(s: &str, target: &str) -> bool {
    xtrim(s) == target
}

/// `string-length(node)`.
fn len(node: Node<'_, '_>) -> usize {
    chars(&sv(node))
}

/// The `xs:boolean` cast of a text (`None` when it is not a boolean).
fn xs_bool(s: &str) -> Option<bool> {
    match xtrim(s) {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// The `xs:double` cast of a text (`number()`, and a text compared with a number).
fn xs_double(s: &str) -> Option<f64> {
    super::arith::dbl(s)
}

/// `node = 0` for a text node compared with a number (compared as `xs:double`). Saxon orders
/// the doubles as Java's `Double.compare` does here, so "-0.00" is not equal to 0.
fn is_zero(node: Node<'_, '_>) -> bool {
    xs_double(&sv(node)).is_some_and(|d| d == 0.0 && d.is_sign_positive())
}

/// `format-number(x, '#.00')` of a plain decimal numeral (no exponent): half to even, no
/// leading zero, a minus sign kept even when the value rounds to zero.
fn fmt00(numeral: &str) -> String {
    let (negative, body) = match numeral.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, numeral),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let frac = frac.as_bytes();
    let digit = |i: usize| frac.get(i).map(|b| b - b'0').unwrap_or(0);
    // The value in hundredths, truncated, then rounded half to even.
    let mut hundredths: Vec<u8> = int.bytes().map(|b| b - b'0').chain([digit(0), digit(1)]).collect();
    let rest_above_half = digit(2) > 5 || (digit(2) == 5 && frac.iter().skip(3).any(|&b| b != b'0'));
    let half = digit(2) == 5 && !rest_above_half;
    let odd = hundredths.last().is_some_and(|d| d % 2 == 1);
    if rest_above_half || (half && odd) {
        let mut i = hundredths.len();
        loop {
            if i == 0 {
                hundredths.insert(0, 1);
                break;
            }
            i -= 1;
            if hundredths[i] == 9 {
                hundredths[i] = 0;
            } else {
                hundredths[i] += 1;
                break;
            }
        }
    }
    let split = hundredths.len() - 2;
    let int: String = hundredths[..split].iter().map(|d| char::from(b'0' + d)).collect();
    let int = int.trim_start_matches('0');
    let sign = if negative { "-" } else { "" };
    format!("{sign}{int}.{}{}", hundredths[split], hundredths[split + 1])
}

fn fmt00_double(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else {
        fmt00(&format!("{x}"))
    }
}

fn fmt00_decimal(d: Decimal) -> String {
    if d.is_zero() { fmt00("0") } else { fmt00(&d.to_string()) }
}

/// XPath `round()` of a double: to the nearest integer, halves toward positive infinity.
fn round_double(x: f64) -> f64 {
    let f = x.floor();
    if x - f >= 0.5 { f + 1.0 } else { f }
}

/// XPath `round(x, 2)` of a decimal: halves toward positive infinity.
fn round2_up(d: Decimal) -> Option<Decimal> {
    let scaled = d.checked_mul(Decimal::ONE_HUNDRED)?.checked_add(Decimal::new(5, 1))?.floor();
    scaled.checked_div(Decimal::ONE_HUNDRED)
}

/// A Unicode decimal digit (general category Nd, XPath's `\d`): Nd digits come in runs of ten
/// from each script's zero.
fn is_nd(c: char) -> bool {
    const ZEROS: [u32; 66] = [
        0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
        0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0,
        0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30,
        0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0,
        0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC,
        0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
    ];
    let c = c as u32;
    if c < 0x80 {
        return (0x30..0x3A).contains(&c);
    }
    let i = ZEROS.partition_point(|&z| z <= c);
    i > 0 && c - ZEROS[i - 1] < 10
}

/// `string(.) castable as xs:time`: hh:mm:ss, optional fraction, optional time zone.
fn is_xs_time(s: &str) -> bool {
    let s = xtrim(s);
    let (body, zone) = if let Some(b) = s.strip_suffix('Z') {
        (b, "")
    } else if s.len() > 6
        && matches!(s.as_bytes()[s.len() - 6], b'+' | b'-')
        && s.is_char_boundary(s.len() - 6)
    {
        (&s[..s.len() - 6], &s[s.len() - 5..])
    } else {
        (s, "")
    };
    let two = |t: &str| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit());
    if !zone.is_empty() {
        let ok = zone.len() == 5 && zone.as_bytes()[2] == b':' && two(&zone[..2]) && two(&zone[3..]) && {
            let (h, m): (u8, u8) = (zone[..2].parse().unwrap_or(99), zone[3..].parse().unwrap_or(99));
            m < 60 && (h < 14 || (h == 14 && m == 0))
        };
        if !ok {
            return false;
        }
    }
    let b = body.as_bytes();
    if b.len() < 8
        || b[2] != b':'
        || b[5] != b':'
        || !two(&body[..2])
        || !two(&body[3..5])
        || !two(&body[6..8])
    {
        return false;
    }
    let fraction = &body[8..];
    let fraction_ok = fraction.is_empty()
        || (fraction.len() > 1
            && fraction.starts_with('.')
            && fraction[1..].bytes().all(|c| c.is_ascii_digit()));
    if !fraction_ok {
        return false;
    }
    let (h, m, sec): (u8, u8, u8) =
        (body[..2].parse().unwrap_or(99), body[3..5].parse().unwrap_or(99), body[6..8].parse().unwrap_or(99));
    let zero_fraction = fraction.bytes().all(|c| c == b'.' || c == b'0');
    (h < 24 && m < 60 && sec < 60) || (h == 24 && m == 0 && sec == 0 && zero_fraction)
}

/// Which of `cbc:ChargeIndicator = true()` and `= false()` hold (any of its indicators).
#[derive(Clone, Copy)]
struct Indicator {
    charge: bool,
    allowance: bool,
}

fn indicator(cx: &Cx<'_, '_>, ac: Node<'_, '_>) -> Indicator {
    let mut out = Indicator { charge: false, allowance: false };
    for c in cx.ix.children(ac, NS_CBC, "ChargeIndicator") {
        match xs_bool(&cx.ix.sv(c)) {
            Some(true) => out.charge = true,
            Some(false) => out.allowance = true,
            None => {}
        }
    }
    out
}

/// `normalize-space(cbc:ID) = id` and a `cac:TaxScheme` whose `cbc:ID` is VAT in any case.
fn is_vat_category(cx: &Cx<'_, '_>, cat: Node<'_, '_>, id: &str) -> bool {
    let ix = cx.ix;
    ix.child(cat, NS_CBC, "ID").is_some_and(|n| norm_is(&ix.sv(n), id)) && is_vat_scheme(cx, cat)
}

fn is_vat_scheme(cx: &Cx<'_, '_>, cat: Node<'_, '_>) -> bool {
    let ix = cx.ix;
    ix.children(cat, NS_CAC, "TaxScheme")
        .any(|s| ix.child(s, NS_CBC, "ID").is_some_and(|n| xtrim(&ix.sv(n)).eq_ignore_ascii_case("VAT")))
}

// ---- the line itself --------------------------------------------------------------------------

fn line_fields(cx: &mut Cx<'_, '_>, line: Node<'_, '_>) {
    let ix = cx.ix;
    let ids: Vec<Node<'_, '_>> = ix.children(line, NS_CBC, "ID").collect();
    if !ids.iter().any(|n| !ix.sv(*n).is_empty()) {
        cx.report(
            rule::BR_21,
            ids.first().map(|n| path_of(*n)).unwrap_or_else(|| path_under(line, "cbc:ID")),
            "give the line number in cbc:ID, e.g. 1".into(),
        );
    }
    if let Some(&n) = ids.first() {
        let n_len = len(n);
        if !(1..=6).contains(&n_len) {
            cx.report(
                rule::BR_KSA_F_06_C17,
                path_of(n),
                format!("the line identifier has {n_len} characters; give 1 to 6, e.g. the line number"),
            );
        }
    }
    let qty = ix.child(line, NS_CBC, "InvoicedQuantity");
    let zero_quantity = ix
        .children(line, NS_CBC, "InvoicedQuantity")
        .any(|q| q.children().any(|t| t.is_text() && t.text() == Some("0")));
    if qty.is_none() || zero_quantity {
        cx.report(
            rule::BR_22,
            qty.map(path_of).unwrap_or_else(|| path_under(line, "cbc:InvoicedQuantity")),
            "give the quantity with its unit, e.g. <cbc:InvoicedQuantity unitCode=\"PCE\">1</cbc:InvoicedQuantity>"
                .into(),
        );
    }
    if let Some(q) = qty
        && let Some(unit) = q.attribute("unitCode")
        && chars(unit) > 127
    {
        cx.report(
            rule::BR_KSA_F_06_C18,
            format!("{}/@unitCode", path_of(q)),
            "shorten the unit code to 127 characters".into(),
        );
    }
    if ix.child(line, NS_CBC, "LineExtensionAmount").is_none() {
        cx.report(
            rule::BR_24,
            path_under(line, "cbc:LineExtensionAmount"),
            "give the line net amount (quantity × price + charges − allowances)".into(),
        );
    }
    item_name(cx, line);
    if !ix.children(line, NS_CAC, "Price").any(|p| ix.child(p, NS_CBC, "PriceAmount").is_some()) {
        cx.report(
            rule::BR_26,
            path_under(line, "cac:Price/cbc:PriceAmount"),
            "give the item's net unit price".into(),
        );
    }
    for price in ix.children(line, NS_CAC, "Price") {
        for b in ix.children(price, NS_CBC, "BaseQuantity") {
            let value = ix.sv(b);
            if !value.is_empty() && !xs_double(&value).is_some_and(|d| d > 0.0) {
                cx.report(
                    rule::BR_KSA_EN16931_12,
                    path_of(b),
                    format!("the base quantity must be above zero, e.g. 1 (found \"{value}\")"),
                );
            }
        }
    }
    if let Some(b) = ix.at(line, "cac:Price/cbc:BaseQuantity")
        && let Some(unit) = b.attribute("unitCode")
        && chars(unit) > 127
    {
        cx.report(
            rule::BR_KSA_F_06_C21,
            format!("{}/@unitCode", path_of(b)),
            "shorten the unit code to 127 characters".into(),
        );
    }
    if let Some(item) = ix.child(line, NS_CAC, "Item") {
        for (steps, rule) in [
            ("cac:StandardItemIdentification/cbc:ID", rule::BR_KSA_F_06_C20),
            ("cac:BuyersItemIdentification/cbc:ID", rule::BR_KSA_F_06_C30),
            ("cac:SellersItemIdentification/cbc:ID", rule::BR_KSA_F_06_C31),
        ] {
            if let Some(n) = ix.at(item, steps)
                && len(n) > 127
            {
                cx.report(rule, path_of(n), format!("shorten to 127 characters (found {})", len(n)));
            }
        }
    }
    for item in ix.children(line, NS_CAC, "Item") {
        for property in ix.children(item, NS_CAC, "AdditionalItemProperty") {
            if ix.child(property, NS_CBC, "Name").is_none() || ix.child(property, NS_CBC, "Value").is_none() {
                cx.report(
                    rule::BR_54,
                    path_of(property),
                    "give both cbc:Name and cbc:Value of the item attribute".into(),
                );
            }
        }
    }
}

/// BR-25, BR-KSA-F-06-C19 and BR-KSA-F-C-01 on the item name.
fn item_name(cx: &mut Cx<'_, '_>, line: Node<'_, '_>) {
    let ix = cx.ix;
    let mut first = None;
    let mut any_text = false;
    for item in ix.children(line, NS_CAC, "Item") {
        for name in ix.children(item, NS_CBC, "Name") {
            first = first.or(Some(name));
            any_text |= !ix.sv(name).is_empty();
        }
    }
    if !any_text {
        cx.report(
            rule::BR_25,
            first.map(path_of).unwrap_or_else(|| path_under(line, "cac:Item/cbc:Name")),
            "give the item name".into(),
        );
    }
    let Some(name) = first else { return };
    let value = ix.sv(name);
    let n = chars(&value);
    if !(3..=1000).contains(&n) {
        cx.report(
            rule::BR_KSA_F_06_C19,
            path_of(name),
            format!(
                "give 3 to 1000 characters (found {n}: \"{}\")",
                value.chars().take(40).collect::<String>()
            ),
        );
    }
    if !value.is_empty() && value.chars().all(is_nd) {
        cx.report(
            rule::BR_KSA_F_C_01,
            path_of(name),
            format!("name the goods or services, e.g. \"Laptop computer\" (found \"{}\")", value),
        );
    }
}

// ---- allowances and charges -------------------------------------------------------------------

/// BR-KSA-F-02: a `cbc:ChargeIndicator` that is not a boolean.
fn charge_indicator_format(cx: &mut Cx<'_, '_>, ac: Node<'_, '_>) {
    for c in cx.ix.children(ac, NS_CBC, "ChargeIndicator") {
        if xs_bool(&cx.ix.sv(c)).is_none() {
            cx.report(
                rule::BR_KSA_F_02,
                path_of(c),
                format!(
                    "write cbc:ChargeIndicator as false (allowance) or true (charge) (found \"{}\")",
                    cx.ix.sv(c)
                ),
            );
        }
    }
}

/// `normalize-space(x) != ''` for the first child `local` (absent counts as empty).
fn has_text(cx: &Cx<'_, '_>, ac: Node<'_, '_>, local: &str) -> bool {
    cx.ix.child(ac, NS_CBC, local).is_some_and(|n| !xtrim(&cx.ix.sv(n)).is_empty())
}

/// BR-KSA-F-06-C33..C36: a reason, when given, has 1 to 1000 characters.
fn reason_length(cx: &mut Cx<'_, '_>, ac: Node<'_, '_>, rule: &'static super::RuleInfo) {
    if let Some(r) = cx.ix.child(ac, NS_CBC, "AllowanceChargeReason") {
        let n = len(r);
        if !(1..=1000).contains(&n) {
            cx.report(rule, path_of(r), format!("give 1 to 1000 characters (found {n})"));
        }
    }
}

/// The reason codes ZATCA's BR-KSA-CL-06 accepts: its list is matched as one string with
/// `contains`, so any part of it passes (an empty code, "C", "AAA AAC"), and its gaps and run-ons
/// ("CAPCAQ", "AB" for IAB, "AC" for TAC, no CAX..CAZ, DAC, DAF..DAQ) are ZATCA's.
const CL_06_CODES: &str = " AA AAA AAC AAD AAE AAF AAH AAI AAS AAT AAV AAY AAZ ABA ABB ABC ABD ABF ABK ABL ABN ABR ABS ABT ABU ACF ACG ACH ACI ACJ ACK ACL ACM ACS ADC ADE ADJ ADK ADL ADM ADN ADO ADP ADQ ADR ADT ADW ADY ADZ AEA AEB AEC AED AEF AEH AEI AEJ AEK AEL AEM AEN AEO AEP AES AET AEU AEV AEW AEX AEY AEZ AJ AU CA CAB CAD CAE CAF CAI CAJ CAK CAL CAM CAN CAO CAPCAQ CAR CAS CAT CAU CAV CAW CD CG CS CT DAB DAD DL EG EP ER FAA FAB FAC FC FH FI GAA HAA HD HH IAA AB ID IF IR IS KO L1 LA LAA LAB LF MAE MI ML NAA OA PA PAA PC PL RAB RAC RAD RAF RE RF RH RV SA SAA SAD SAE SAI SG SH SM SU TAB AC TT TV V1 V2 WH XAA YY ZZZ ";

/// BR-KSA-CL-06 on a charge outside a price.
fn charge_code(cx: &mut Cx<'_, '_>, ac: Node<'_, '_>) {
    if let Some(c) = cx.ix.child(ac, NS_CBC, "AllowanceChargeReasonCode")
        && !CL_06_CODES.contains(cx.ix.sv(c).as_ref())
    {
        cx.report(
            rule::BR_KSA_CL_06,
            path_of(c),
            format!(
                "\"{}\" is not a UNTDID 7161 code; e.g. FC freight, PC packing, SAA shipping",
                cx.ix.sv(c)
            ),
        );
    }
}

fn document_allowance_charge(cx: &mut Cx<'_, '_>, ac: Node<'_, '_>) {
    let ix = cx.ix;
    charge_indicator_format(cx, ac);
    let ind = indicator(cx, ac);
    let has_amount = ix.child(ac, NS_CBC, "Amount").is_some();
    if ind.charge {
        if !has_amount {
            cx.report(rule::BR_36, path_under(ac, "cbc:Amount"), "give the charge amount".into());
        }
        if !ix.children(ac, NS_CAC, "TaxCategory").any(|c| ix.child(c, NS_CBC, "ID").is_some()) {
            cx.report(
                rule::BR_37,
                path_under(ac, "cac:TaxCategory/cbc:ID"),
                "give the charge's VAT category".into(),
            );
        }
        if !has_text(cx, ac, "AllowanceChargeReasonCode") {
            cx.report(
                rule::BR_KSA_19,
                path_under(ac, "cbc:AllowanceChargeReasonCode"),
                "give the charge reason code from UNTDID 7161, e.g. FC (freight)".into(),
            );
        }
        if !has_text(cx, ac, "AllowanceChargeReason") {
            cx.report(
                rule::BR_KSA_21,
                path_under(ac, "cbc:AllowanceChargeReason"),
                "give the charge reason text, e.g. Freight".into(),
            );
        }
        reason_length(cx, ac, rule::BR_KSA_F_06_C33);
        charge_code(cx, ac);
    } else if ind.allowance {
        // The EN 16931 allowance rules (BR-31, BR-32) yield to the charge rules when an
        // allowance also says it is a charge.
        if !has_amount {
            cx.report(rule::BR_31, path_under(ac, "cbc:Amount"), "give the allowance amount".into());
        }
        let vat_ids = ix
            .children(ac, NS_CAC, "TaxCategory")
            .filter(|c| is_vat_scheme(cx, *c))
            .flat_map(|c| ix.children(c, NS_CBC, "ID"));
        let mut any_id = false;
        let mut any_text = false;
        for id in vat_ids {
            any_id = true;
            any_text |= !ix.sv(id).is_empty();
        }
        if !(any_id && any_text) {
            cx.report(
                rule::BR_32,
                path_under(ac, "cac:TaxCategory/cbc:ID"),
                "give the allowance's VAT category, with cac:TaxScheme/cbc:ID VAT".into(),
            );
        }
    }
    if ind.allowance {
        reason_length(cx, ac, rule::BR_KSA_F_06_C35);
    }
}

fn line_allowance_charge(cx: &mut Cx<'_, '_>, ac: Node<'_, '_>, nested: bool) {
    let ix = cx.ix;
    charge_indicator_format(cx, ac);
    let ind = indicator(cx, ac);
    let has_amount = ix.child(ac, NS_CBC, "Amount").is_some();
    if ind.charge {
        if !has_amount {
            cx.report(rule::BR_43, path_under(ac, "cbc:Amount"), "give the line charge amount".into());
        }
        charge_code(cx, ac);
        if !nested {
            if !has_text(cx, ac, "AllowanceChargeReasonCode") {
                cx.report(
                    rule::BR_KSA_20,
                    path_under(ac, "cbc:AllowanceChargeReasonCode"),
                    "give the charge reason code from UNTDID 7161".into(),
                );
            }
            if !has_text(cx, ac, "AllowanceChargeReason") {
                cx.report(
                    rule::BR_KSA_22,
                    path_under(ac, "cbc:AllowanceChargeReason"),
                    "give the charge reason text".into(),
                );
            }
            reason_length(cx, ac, rule::BR_KSA_F_06_C34);
        }
    } else if ind.allowance && nested && !has_amount {
        cx.report(rule::BR_41, path_under(ac, "cbc:Amount"), "give the line allowance amount".into());
    }
    if ind.allowance && !nested {
        reason_length(cx, ac, rule::BR_KSA_F_06_C36);
    }
}

// ---- line VAT amounts -------------------------------------------------------------------------

/// BR-KSA-52 and BR-KSA-53: on a standard document (some `@name` holds `01` and five digits),
/// every line carries its VAT amount and its amount with VAT.
fn line_tax_amounts(cx: &mut Cx<'_, '_>, lines: &[Node<'_, '_>]) {
    let ix = cx.ix;
    let root = cx.root;
    let context = ix.children(root, NS_CBC, "InvoiceTypeCode").any(|t| {
        t.attribute("name").is_some_and(|n| {
            let two: String = n.chars().take(2).collect();
            two == "01" || two == "02"
        })
    });
    if !context {
        return;
    }
    let standard_name = |n: &str| {
        let chars: Vec<char> = n.chars().collect();
        chars.windows(7).any(|w| w[0] == '0' && w[1] == '1' && w[2..].iter().all(|c| is_nd(*c)))
    };
    let standard = ix
        .children(root, NS_CBC, "InvoiceTypeCode")
        .chain(cx.elements.iter().copied())
        .any(|e| e.attribute("name").is_some_and(standard_name));
    if !standard {
        return;
    }
    for &line in lines {
        let amounts = |local: &'static str| {
            ix.children(line, NS_CAC, "TaxTotal").flat_map(move |t| ix.children(t, NS_CBC, local))
        };
        if !amounts("TaxAmount").any(|a| !ix.sv(a).is_empty()) {
            cx.report(
                rule::BR_KSA_52,
                path_under(line, "cac:TaxTotal/cbc:TaxAmount"),
                "add the line VAT amount (net amount × rate / 100)".into(),
            );
        }
        if !amounts("RoundingAmount").any(|a| !ix.sv(a).is_empty()) {
            cx.report(
                rule::BR_KSA_53,
                path_under(line, "cac:TaxTotal/cbc:RoundingAmount"),
                "add the line amount with VAT (net amount + line VAT)".into(),
            );
        }
    }
}

// ---- prepayments ------------------------------------------------------------------------------

fn prepayments(cx: &mut Cx<'_, '_>, lines: &[Node<'_, '_>]) {
    let ix = cx.ix;
    let root = cx.root;
    let prepaid = ix
        .children(root, NS_CAC, "LegalMonetaryTotal")
        .flat_map(|t| ix.children(t, NS_CBC, "PrepaidAmount"))
        .any(|p| xs_double(&ix.sv(p)).is_some_and(|d| d > 0.0));
    let any_reference = lines.iter().any(|l| ix.child(*l, NS_CAC, "DocumentReference").is_some());
    for &line in lines {
        for sub in ix.children(line, NS_CAC, "TaxTotal").flat_map(|t| ix.children(t, NS_CAC, "TaxSubtotal")) {
            prepayment_vat(cx, sub);
        }
        if !prepaid {
            continue;
        }
        if !any_reference {
            cx.report(
                rule::BR_KSA_73,
                path_of(line),
                "add a prepayment line (cac:InvoiceLine with cac:DocumentReference: ID, issue date and time, type 386) per prepayment invoice".into(),
            );
        }
        for reference in ix.children(line, NS_CAC, "DocumentReference") {
            prepayment_reference(cx, line, reference);
        }
        for sub in ix.children(line, NS_CAC, "TaxTotal").flat_map(|t| ix.children(t, NS_CAC, "TaxSubtotal")) {
            prepayment_rate(cx, sub);
        }
    }
}

fn prepayment_reference(cx: &mut Cx<'_, '_>, line: Node<'_, '_>, reference: Node<'_, '_>) {
    let ix = cx.ix;
    let codes: Vec<Node<'_, '_>> = ix.children(reference, NS_CBC, "DocumentTypeCode").collect();
    if codes.iter().any(|c| ix.sv(*c) != "386") {
        if let Some(&code) = codes.first()
            && !norm_is(&ix.sv(code), "386")
        {
            cx.report(
                rule::BR_KSA_74,
                path_of(code),
                format!("the prepayment document type code is 386 (found \"{}\")", ix.sv(code)),
            );
        }
    } else {
        // BR-KSA-82: the amounts of a prepayment line are all zero (and present).
        let zero = |steps: &[&str]| -> bool {
            let mut nodes = vec![line];
            for (i, step) in steps.iter().enumerate() {
                let ns = if i + 1 == steps.len() { NS_CBC } else { NS_CAC };
                nodes = nodes.into_iter().flat_map(|n| ix.children(n, ns, step)).collect();
            }
            nodes.into_iter().any(is_zero)
        };
        let mut wrong: Vec<&str> = Vec::new();
        for (steps, name) in [
            (&["LineExtensionAmount"][..], "cbc:LineExtensionAmount"),
            (&["TaxTotal", "TaxAmount"][..], "cac:TaxTotal/cbc:TaxAmount"),
            (&["TaxTotal", "RoundingAmount"][..], "cac:TaxTotal/cbc:RoundingAmount"),
            (&["Price", "PriceAmount"][..], "cac:Price/cbc:PriceAmount"),
        ] {
            if !zero(steps) {
                wrong.push(name);
            }
        }
        if ix.child(line, NS_CAC, "AllowanceCharge").is_some() && !zero(&["AllowanceCharge", "Amount"]) {
            wrong.push("cac:AllowanceCharge/cbc:Amount");
        }
        if !wrong.is_empty() {
            cx.report(
                rule::BR_KSA_82,
                path_of(line),
                format!("give a prepayment line these amounts as 0.00: {}", wrong.join(", ")),
            );
        }
    }
    let missing: Vec<&str> = [
        ("ID", "ID"),
        ("IssueDate", "issue date"),
        ("IssueTime", "issue time"),
        ("DocumentTypeCode", "type code 386"),
    ]
    .iter()
    .filter(|(local, _)| ix.child(reference, NS_CBC, local).is_none())
    .map(|(_, n)| *n)
    .collect();
    if !missing.is_empty() {
        cx.report(
            rule::BR_KSA_73,
            path_of(reference),
            format!("give the prepayment invoice's {}", missing.join(", ")),
        );
    }
    // BR-KSA-75: the breakdown of the prepayment (KSA-31, KSA-32) in the line's subtotals.
    let subs: Vec<Node<'_, '_>> =
        ix.children(line, NS_CAC, "TaxTotal").flat_map(|t| ix.children(t, NS_CAC, "TaxSubtotal")).collect();
    let cats = || subs.iter().flat_map(|s| ix.children(*s, NS_CAC, "TaxCategory"));
    let complete = subs.iter().any(|s| ix.child(*s, NS_CBC, "TaxAmount").is_some())
        && subs.iter().any(|s| ix.child(*s, NS_CBC, "TaxableAmount").is_some())
        && cats().any(|c| ix.child(c, NS_CBC, "Percent").is_some())
        && cats().any(|c| ix.child(c, NS_CBC, "ID").is_some());
    if !complete {
        cx.report(
            rule::BR_KSA_75,
            path_under(line, "cac:TaxTotal/cac:TaxSubtotal"),
            "give the prepayment's taxable amount (KSA-31), VAT (KSA-32), VAT category and rate in cac:TaxSubtotal"
                .into(),
        );
    }
}

/// BR-KSA-76..78: a zero-rated, exempt or out-of-scope breakdown of a line (of a document with a
/// prepaid amount) has the rate 0, given.
fn prepayment_rate(cx: &mut Cx<'_, '_>, sub: Node<'_, '_>) {
    let ix = cx.ix;
    let cats: Vec<Node<'_, '_>> = ix.children(sub, NS_CAC, "TaxCategory").collect();
    let percents: Vec<Node<'_, '_>> = cats.iter().flat_map(|c| ix.children(*c, NS_CBC, "Percent")).collect();
    let zero_rate = percents.len() == 1 && decimal(xtrim(&ix.sv(percents[0]))).is_some_and(|d| d.is_zero());
    for (code, rate_rule) in [("Z", rule::BR_KSA_76), ("E", rule::BR_KSA_77), ("O", rule::BR_KSA_78)] {
        if cats.iter().any(|c| is_vat_category(cx, *c, code)) && !zero_rate {
            let at = percents
                .first()
                .map(|p| path_of(*p))
                .unwrap_or_else(|| path_under(sub, "cac:TaxCategory/cbc:Percent"));
            cx.report(rate_rule, at, format!("set the VAT rate of category {code} to 0"));
        }
    }
}

/// BR-KSA-79: the VAT amount of a line's VAT breakdown (KSA-32) against its taxable amount and
/// rate, with ZATCA's rounding and format (`format-number(…, '#.00')`).
fn prepayment_vat(cx: &mut Cx<'_, '_>, sub: Node<'_, '_>) {
    let ix = cx.ix;
    let cats: Vec<Node<'_, '_>> = ix.children(sub, NS_CAC, "TaxCategory").collect();
    let category_is = |id: &str| {
        cats.iter().any(|c| norm_is(&ix.child(*c, NS_CBC, "ID").map(|n| ix.sv(n)).unwrap_or_default(), id))
    };
    let percents: Vec<Node<'_, '_>> = cats.iter().flat_map(|c| ix.children(*c, NS_CBC, "Percent")).collect();
    if percents.len() > 1 {
        return; // ZATCA's XSL stops on this document
    }
    let percent = percents.first().map(|p| ix.sv(*p));
    let percent_blank = percent.as_deref().is_none_or(|p| xtrim(p).is_empty());
    let tax = match ix.children(sub, NS_CBC, "TaxAmount").collect::<Vec<_>>()[..] {
        [] => None,
        [t] => Some(t),
        _ => return,
    };
    let taxable = ix.child(sub, NS_CBC, "TaxableAmount");
    let Some(shown) = (match tax {
        None => Some("NaN".to_string()),
        Some(t) => xs_double(&ix.sv(t)).map(fmt00_double),
    }) else {
        return;
    };
    let special = !category_is("S")
        && ((category_is("O") && percents.is_empty())
            || category_is("E")
            || category_is("Z")
            || percent_blank);
    let fires = if special {
        // Zero VAT, and a rate that gives zero VAT on the taxable amount.
        let taxable_value = match taxable {
            None => None,
            Some(t) => match decimal(xtrim(&ix.sv(t))) {
                Some(d) => Some(d),
                None => return,
            },
        };
        let zero = if taxable_value.is_some() { fmt00("0") } else { "NaN".into() };
        if shown != zero {
            true
        } else {
            let expected = match (taxable_value, percent.as_deref()) {
                (Some(t), Some(p)) => {
                    let Some(p) = decimal(xtrim(p)) else { return };
                    match t
                        .checked_mul(p)
                        .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
                        .and_then(round2_up)
                    {
                        Some(v) => fmt00_decimal(v),
                        None => return,
                    }
                }
                _ => "NaN".into(),
            };
            shown != expected
        }
    } else if percent_blank {
        true
    } else {
        // taxable × rate / 100 (in doubles), rounded up from a hundredth, within ±0.01.
        let vat_percents: Vec<Node<'_, '_>> = cats
            .iter()
            .filter(|c| is_vat_scheme(cx, **c))
            .flat_map(|c| ix.children(*c, NS_CBC, "Percent"))
            .collect();
        let rate = match vat_percents[..] {
            [] => f64::NAN,
            [p] => {
                let text = ix.sv(p);
                if decimal(xtrim(&text)).is_none() {
                    return;
                }
                xtrim(&text).parse::<f64>().unwrap_or(f64::NAN)
            }
            _ => return,
        };
        let base = match taxable {
            None => f64::NAN,
            Some(t) => match xs_double(&ix.sv(t)) {
                Some(v) => v,
                None => return,
            },
        };
        let rounded = round_double((base * rate) / 100.0 * 100.0 + 0.01) / 100.0;
        ![rounded - 0.01, rounded + 0.01, rounded].iter().any(|v| fmt00_double(*v) == shown)
    };
    if fires {
        cx.report(
            rule::BR_KSA_79,
            tax.map(path_of).unwrap_or_else(|| path_under(sub, "cbc:TaxAmount")),
            format!(
                "KSA-32 must be the taxable amount × the rate / 100, rounded to 2 decimals (found {})",
                tax.map(|n| ix.sv(n)).unwrap_or_default()
            ),
        );
    }
}

// ---- exemption reasons of line VAT breakdowns -------------------------------------------------

/// `cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory` under `parent`.
fn subtotal_cats<'a, 'i: 'a>(
    cx: &Cx<'a, 'i>,
    parent: Node<'a, 'i>,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    let ix = cx.ix;
    ix.children(parent, NS_CAC, "TaxTotal")
        .flat_map(move |t| ix.children(t, NS_CAC, "TaxSubtotal"))
        .flat_map(move |s| ix.children(s, NS_CAC, "TaxCategory"))
}

/// `cac:AllowanceCharge[cbc:ChargeIndicator=false() or cbc:ChargeIndicator=true()]/cac:TaxCategory`
/// under `parent`.
fn allowance_cats<'a, 'i: 'a>(
    cx: &Cx<'a, 'i>,
    parent: Node<'a, 'i>,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    let ix = cx.ix;
    ix.children(parent, NS_CAC, "AllowanceCharge")
        .filter(move |ac| ix.children(*ac, NS_CBC, "ChargeIndicator").any(|c| xs_bool(&ix.sv(c)).is_some()))
        .flat_map(move |ac| ix.children(ac, NS_CAC, "TaxCategory"))
}

const ZERO_RATED_CODES: &[&str] = &[
    "VATEX-SA-32",
    "VATEX-SA-33",
    "VATEX-SA-34-1",
    "VATEX-SA-34-2",
    "VATEX-SA-34-3",
    "VATEX-SA-34-4",
    "VATEX-SA-34-5",
    "VATEX-SA-35",
    "VATEX-SA-36",
    "VATEX-SA-EDU",
    "VATEX-SA-HEA",
    "VATEX-SA-MLTRY",
    "VATEX-SA-DIPLOMAT",
    "VATEX-SA-DUTYFREE",
];
const EXEMPT_CODES: &[&str] = &["VATEX-SA-29", "VATEX-SA-29-7", "VATEX-SA-30"];
const OUT_OF_SCOPE_CODES: &[&str] = &["VATEX-SA-OOS"];

/// BR-KSA-93..96, BR-KSA-CL-07 and BR-KSA-F-06-C39 on the Z, E and O breakdowns of the lines;
/// ZATCA checks them only from a standard-rated (S) VAT category of the document.
fn exemption_reasons(cx: &mut Cx<'_, '_>, lines: &[Node<'_, '_>], all_lines: &[Node<'_, '_>]) {
    let ix = cx.ix;
    let root = cx.root;
    let standard_rated = |cat: Node<'_, '_>| is_vat_category(cx, cat, "S");
    let line_cats: Vec<Node<'_, '_>> = lines
        .iter()
        .flat_map(|l| ix.children(*l, NS_CAC, "TaxTotal"))
        .flat_map(|t| ix.children(t, NS_CAC, "TaxSubtotal"))
        .flat_map(|s| ix.children(s, NS_CAC, "TaxCategory"))
        .filter(|c| ["Z", "E", "O"].iter().any(|id| is_vat_category(cx, *c, id)))
        .collect();
    if line_cats.is_empty() {
        return;
    }
    let gate = subtotal_cats(cx, root).any(standard_rated)
        || allowance_cats(cx, root).any(standard_rated)
        || all_lines.iter().any(|l| {
            subtotal_cats(cx, *l).any(standard_rated)
                || allowance_cats(cx, *l).any(standard_rated)
                || ix.children(*l, NS_CAC, "Price").any(|p| allowance_cats(cx, p).any(standard_rated))
                || ix
                    .children(*l, NS_CAC, "Item")
                    .flat_map(|i| ix.children(i, NS_CAC, "ClassifiedTaxCategory"))
                    .any(standard_rated)
        });
    if !gate {
        return;
    }
    for cat in line_cats {
        let id = ix.child(cat, NS_CBC, "ID").map(|n| ix.sv(n)).unwrap_or_default();
        let id = xtrim(&id);
        let (code_rule, list) = match id {
            "Z" => (rule::BR_KSA_93, ZERO_RATED_CODES),
            "E" => (rule::BR_KSA_94, EXEMPT_CODES),
            _ => (rule::BR_KSA_95, OUT_OF_SCOPE_CODES),
        };
        let code = ix.child(cat, NS_CBC, "TaxExemptionReasonCode");
        let code_text = code.map(|n| ix.sv(n)).unwrap_or_default();
        let code_norm: String =
            code_text.split(is_ws).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
        let listed = list.join(", ");
        if code_norm.is_empty() {
            cx.report(
                code_rule,
                path_under(cat, "cbc:TaxExemptionReasonCode"),
                format!("add the reason code: one of {listed}"),
            );
        }
        // BR-KSA-CL-07: ZATCA's test is `not(exists(code) and Z-list or E-list or O-list or
        // normalize-space(code) = '')`, `and` binding first: an absent or blank code passes.
        if let Some(c) = code
            && !code_norm.is_empty()
            && !list.contains(&code_norm.as_str())
        {
            cx.report(
                rule::BR_KSA_CL_07,
                path_of(c),
                format!("\"{code_norm}\" is not a reason code of category {id}; use one of {listed}"),
            );
        }
        let reason = ix.child(cat, NS_CBC, "TaxExemptionReason");
        if code.is_some() && reason.is_none_or(|r| xtrim(&ix.sv(r)).is_empty()) {
            cx.report(
                rule::BR_KSA_96,
                reason.map(path_of).unwrap_or_else(|| path_under(cat, "cbc:TaxExemptionReason")),
                "add the reason text of §11.2.4".into(),
            );
        }
        if let Some(r) = reason
            && !(1..=1000).contains(&len(r))
        {
            cx.report(
                rule::BR_KSA_F_06_C39,
                path_of(r),
                format!("give 1 to 1000 characters (found {})", len(r)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_number_rounds_half_to_even_on_the_shortest_form() {
        for (x, shown) in [
            (0.015, ".02"),
            (0.125, ".12"),
            (0.135, ".14"),
            (-0.001, "-.00"),
            (2.675, "2.68"),
            (1.005, "1.00"),
            (12.0, "12.00"),
            (-0.0, "-.00"),
            (9.995, "10.00"),
            (10.145, "10.14"),
        ] {
            assert_eq!(fmt00_double(x), shown, "{x}");
        }
        assert_eq!(fmt00_decimal(Decimal::ZERO), ".00");
        assert_eq!(fmt00_decimal(Decimal::new(-4, 3)), "-.00");
        assert_eq!(round2_up(Decimal::new(-125, 3)), Some(Decimal::new(-12, 2)));
        assert_eq!(round_double(-2.5), -2.0);
    }

    #[test]
    fn xpath_digits_times_and_numbers() {
        assert!(
            "١٢٣".chars().all(is_nd) && "0123".chars().all(is_nd) && !'x'.is_ascii_digit() && !is_nd('½')
        );
        assert!(is_xs_time("12:30:00") && is_xs_time(" 12:30:00Z ") && is_xs_time("12:30:00.5+03:00"));
        assert!(
            is_xs_time("24:00:00") && !is_xs_time("24:00:01") && !is_xs_time("1:30:00") && !is_xs_time("")
        );
        assert_eq!(xs_double(" 5 "), Some(5.0));
        assert_eq!(xs_double("1e3"), Some(1000.0));
        assert_eq!(xs_double("abc"), None);
        assert_eq!(xs_bool(" true "), Some(true));
        assert_eq!(xs_bool("TRUE"), None);
    }
}
