//! Arithmetic (BR-CO-*, BR-KSA-51, BR-KSA-EN16931-03/-07/-11, prepaid amounts), decimals
//! (BR-DEC-*, BR-KSA-DEC-*), tax totals and non-negative amounts (BR-KSA-F-04).
//!
//! The conditions are ZATCA's (R3.4.8 Schematron), with XPath's arithmetic: `xs:decimal` values
//! are exact, untyped values in arithmetic or `sum()` are `xs:double`, `round()` rounds half
//! toward positive infinity, `format-number()` rounds half to even.

use super::index::{Anywhere, Index};
use super::vat::subtotals;
use super::{Cx, RuleInfo, path_of, path_under, rule};
use crate::xml::Node;
use crate::xml::{NS_CAC, NS_CBC};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};
use std::borrow::Cow;
use std::str::FromStr;

// ---- XPath helpers -----------------------------------------------------------------------------

pub(super) use super::xpath::{normalize as norm, string_length as chars_raw, xtrim};

/// `string-length(substring-after(s, '.'))`: the characters after the first `.`, counted as
/// the bytes that start one (it runs for every amount).
pub(super) fn frac_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    match bytes.iter().position(|&b| b == b'.') {
        Some(dot) => bytes[dot + 1..].iter().filter(|&&b| !is_continuation(b)).count(),
        None => 0,
    }
}

/// A UTF-8 continuation byte (`10xxxxxx`), which never starts a character.
fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// `xs:decimal(node)`: `None` when absent or not a decimal.
pub(super) fn dec<'a>(ix: &Index<'a, '_>, n: Option<Node<'a, '_>>) -> Option<Decimal> {
    n.and_then(|n| super::decimal(xtrim(&ix.sv(n))))
}

/// `xs:double` of a text: `None` when it is not a double.
pub(super) fn dbl(s: &str) -> Option<f64> {
    let t = xtrim(s);
    if let Some(v) = short_double(t) {
        return Some(v);
    }
    match t {
        "INF" | "+INF" => return Some(f64::INFINITY),
        "-INF" => return Some(f64::NEG_INFINITY),
        "NaN" => return Some(f64::NAN),
        _ => {}
    }
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    t.parse::<f64>().ok()
}

/// [`dbl`] of a plain number ([`super::plain_number`]) with 1 to 15 digits, at most 22 of them
/// after the point: the integer of its digits and the power of ten are both exact doubles, so
/// their quotient is the correctly rounded value `str::parse` gives. `None` for any other text,
/// which takes the general path.
fn short_double(t: &str) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
        1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let p = super::plain_number(t)?;
    let scale = *POW10.get(p.after_point.unwrap_or(0) as usize)?;
    if !(1..=15).contains(&p.digits) {
        return None;
    }
    let v = p.mantissa as f64 / scale;
    Some(if p.negative { -v } else { v })
}

fn dbl_node<'a>(ix: &Index<'a, '_>, n: Option<Node<'a, '_>>) -> Option<f64> {
    n.and_then(|n| dbl(&ix.sv(n)))
}

/// XPath `round()` of a decimal: half toward positive infinity.
fn xround(d: Decimal) -> Decimal {
    (d + Decimal::new(5, 1)).floor()
}

/// `round(d * 10 * 10) div 100`.
fn xround2(d: Decimal) -> Option<Decimal> {
    Some(xround(d.checked_mul(Decimal::ONE_HUNDRED)?) / Decimal::ONE_HUNDRED)
}

/// XPath `round()` of a double (half toward positive infinity, keeping −0).
fn dround(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let f = x.floor();
    let r = if x - f >= 0.5 { f + 1.0 } else { f };
    if r == 0.0 && x < 0.0 { -0.0 } else { r }
}

/// The value `format-number(x, '#.00')` (or `'0.00'`) shows: `None` for NaN, else the sign and
/// the magnitude rounded half to even to 2 decimals (doubles are read as their shortest form).
#[derive(PartialEq, Eq, Debug, Clone, Copy)]
enum Shown {
    NaN,
    Num(bool, Decimal),
}

fn shown_dbl(x: Option<f64>) -> Shown {
    let Some(x) = x.filter(|x| !x.is_nan()) else { return Shown::NaN };
    if x.is_infinite() {
        return Shown::Num(x < 0.0, Decimal::MAX);
    }
    let shown = cents_when_plain(x.abs()).unwrap_or_else(|| {
        let d = shortest(x.abs()).or_else(|| Decimal::from_f64(x.abs())).unwrap_or(Decimal::MAX);
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
    });
    Shown::Num(x.is_sign_negative(), shown)
}

/// [`shortest`] of a finite `x ≥ 0` rounded half to even to 2 decimals, when `x` is far enough
/// from a half cent that the answer is plain: the shortest form lies within half a unit in the
/// last place of `x`, so when `100·x` is further than a few such units from a half, both round
/// to the nearest cent alike. This skips formatting through `Display` and parsing back, which
/// runs several times per line; `None` near a half cent or for huge values (the exact path).
fn cents_when_plain(x: f64) -> Option<Decimal> {
    let y = x * 100.0;
    if y >= 1e15 {
        return None;
    }
    let floor = y.floor();
    // Far above the rounding errors of `x`, of its shortest form and of the product.
    let margin = y * 1e-14 + 1e-12;
    if (y - floor - 0.5).abs() <= margin {
        return None;
    }
    let cents = if y - floor > 0.5 { floor + 1.0 } else { floor };
    Some(Decimal::from_i128_with_scale(cents as i128, 2))
}

/// The decimal a double reads as in its shortest form (`Display`), written on the stack: this
/// runs for every line.
fn shortest(x: f64) -> Option<Decimal> {
    struct Stack {
        buf: [u8; 40],
        len: usize,
    }
    impl std::fmt::Write for Stack {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.len + s.len();
            self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?.copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    let mut stack = Stack { buf: [0; 40], len: 0 };
    match std::fmt::Write::write_fmt(&mut stack, format_args!("{x}")) {
        Ok(()) => Decimal::from_str(std::str::from_utf8(&stack.buf[..stack.len]).ok()?).ok(),
        // Longer than the stack holds (a huge or tiny magnitude): the heap.
        Err(_) => Decimal::from_str(&x.to_string()).ok(),
    }
}

fn shown_dec(d: Decimal) -> Shown {
    Shown::Num(d < Decimal::ZERO, d.abs().round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven))
}

/// BR-CO-17 / BR-S-09, as ZATCA computes them in xs:double: the expected VAT is
/// `taxable × rate / 100` shown with 2 decimals; the VAT passes if it equals it or lies within
/// ± 0.01 per invoice line (an xs:float) of it, both limits rounded to 2 decimals.
pub(super) fn within_tolerance(
    tax: Option<f64>,
    taxable: Option<f64>,
    rate: Option<f64>,
    lines: usize,
) -> bool {
    let (Some(tax), Some(taxable), Some(rate)) = (tax, taxable, rate) else { return false };
    let should_be = match shown_dbl(Some(taxable * (rate / 100.0))) {
        Shown::NaN => return false,
        Shown::Num(neg, d) => {
            let v = d.to_f64().unwrap_or(f64::NAN);
            dround((if neg { -v } else { v }) * 100.0) / 100.0
        }
    };
    let tolerance = ((lines as f64) / 100.0) as f32 as f64;
    let upper = dround((should_be + tolerance) * 100.0) / 100.0;
    let lower = dround((should_be - tolerance) * 100.0) / 100.0;
    (tax <= upper && tax >= lower) || tax == should_be
}

/// `untyped >= 0` as Saxon compares an untyped value with the integer 0: −0 is below 0.
pub(super) fn ge_zero(v: f64) -> bool {
    v > 0.0 || (v == 0.0 && !v.is_sign_negative())
}

/// `untyped = 0` as Saxon compares it (−0 differs from 0).
pub(super) fn eq_zero(v: f64) -> bool {
    v == 0.0 && !v.is_sign_negative()
}

/// `cbc:ChargeIndicator = true()` (any indicator child that reads true).
pub(super) fn is_true(ix: &Index<'_, '_>, ac: Node<'_, '_>) -> bool {
    ix.children(ac, NS_CBC, "ChargeIndicator").any(|c| matches!(xtrim(&ix.sv(c)), "true" | "1"))
}

/// `cbc:ChargeIndicator = false()`.
pub(super) fn is_false(ix: &Index<'_, '_>, ac: Node<'_, '_>) -> bool {
    ix.children(ac, NS_CBC, "ChargeIndicator").any(|c| matches!(xtrim(&ix.sv(c)), "false" | "0"))
}

fn show(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_else(|| "nothing".into())
}

pub(super) fn check(cx: &mut Cx<'_, '_>) {
    tax_totals(cx);
    document_totals(cx);
    line_amounts(cx);
    allowance_charge_amounts(cx);
    decimals(cx);
    negatives(cx);
}

/// The document-level tax totals: (with subtotals, without subtotals).
fn tax_total_split<'a, 'i>(ix: &Index<'a, 'i>, root: Node<'a, 'i>) -> (Vec<Node<'a, 'i>>, Vec<Node<'a, 'i>>) {
    ix.children(root, NS_CAC, "TaxTotal").partition(|t| ix.child(*t, NS_CAC, "TaxSubtotal").is_some())
}

fn tax_totals(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let (with, without) = tax_total_split(ix, root);
    if with.len() != 1 {
        cx.report(
            rule::BR_KSA_EN16931_08,
            with.get(1).map(|n| path_of(*n)).unwrap_or_else(|| path_under(root, "cac:TaxTotal")),
            format!("give exactly one cac:TaxTotal with cac:TaxSubtotal elements (found {})", with.len()),
        );
    }
    let tax_currencies: Vec<Cow<'_, str>> =
        ix.children(root, NS_CBC, "TaxCurrencyCode").map(|n| ix.sv(n)).collect();
    if !tax_currencies.is_empty() && without.len() != 1 {
        cx.report(
            rule::BR_KSA_EN16931_09,
            without.get(1).map(|n| path_of(*n)).unwrap_or_else(|| path_under(root, "cac:TaxTotal")),
            format!(
                "give exactly one cac:TaxTotal without subtotals, holding the VAT total in SAR (found {})",
                without.len()
            ),
        );
    }
    // BR-53: every tax total without subtotals has a tax amount, in the tax currency.
    if let Some(tc) = tax_currencies.first() {
        let bad = without.iter().find(|t| {
            ix.child(**t, NS_CBC, "TaxAmount").is_none()
                || ix.children(**t, NS_CBC, "TaxAmount").any(|a| {
                    a.attribute("currencyID").is_some_and(|c| !tax_currencies.iter().any(|tc| tc == c))
                })
        });
        if let Some(t) = bad {
            cx.report(
                rule::BR_53,
                path_under(*t, "cbc:TaxAmount"),
                format!("give this cac:TaxTotal a cbc:TaxAmount with currencyID=\"{tc}\""),
            );
        }
    }
    // BR-CO-14: BT-110 = Σ BT-117, per tax total.
    for t in &with {
        let found = dec(ix, ix.child(*t, NS_CBC, "TaxAmount"));
        let sum: Decimal = ix
            .children(*t, NS_CAC, "TaxSubtotal")
            .filter_map(|s| dec(ix, ix.child(s, NS_CBC, "TaxAmount")))
            .sum();
        let expected = xround2(sum);
        if found.is_none() || found != expected {
            cx.report(
                rule::BR_CO_14,
                path_under(*t, "cbc:TaxAmount"),
                format!(
                    "BT-110 should be {} (Σ VAT breakdown amounts); found {}",
                    show(expected),
                    show(found)
                ),
            );
        }
    }
    // BR-CO-17 on every breakdown.
    let lines = ix.children(root, NS_CAC, "InvoiceLine").count();
    for sub in subtotals(ix, root) {
        let cat = ix.children(sub, NS_CAC, "TaxCategory").find(|c| super::vat::is_vat(ix, *c));
        let tax = dbl_node(ix, ix.child(sub, NS_CBC, "TaxAmount"));
        let taxable = dbl_node(ix, ix.child(sub, NS_CBC, "TaxableAmount"));
        let rate = cat.and_then(|c| dbl_node(ix, ix.child(c, NS_CBC, "Percent")));
        if !within_tolerance(tax, taxable, rate, lines) {
            cx.report(
                rule::BR_CO_17,
                path_under(sub, "cbc:TaxAmount"),
                format!(
                    "BT-117 should be BT-116 × BT-119 / 100 = {} × {} / 100, rounded to 2 decimals (ZATCA tolerates 0.01 per invoice line); found {}",
                    taxable.map(|v| v.to_string()).unwrap_or_else(|| "nothing".into()),
                    rate.map(|v| v.to_string()).unwrap_or_else(|| "nothing".into()),
                    tax.map(|v| v.to_string()).unwrap_or_else(|| "nothing".into()),
                ),
            );
        }
    }
    // BR-KSA-97: foreign currency VAT total must differ from the SAR one.
    let currency = ix.child(root, NS_CBC, "DocumentCurrencyCode").map(|n| ix.sv(n));
    if let Some(c) = currency
        && !c.is_empty()
        && c != "SAR"
        && let (Some(a), Some(b)) = (
            with.first().and_then(|t| dbl_node(ix, ix.child(*t, NS_CBC, "TaxAmount"))),
            without.first().and_then(|t| dbl_node(ix, ix.child(*t, NS_CBC, "TaxAmount"))),
        )
        && a > 0.0
        && b > 0.0
        && dround(a * 100.0) / 100.0 == dround(b * 100.0) / 100.0
    {
        cx.report(
            rule::BR_KSA_97,
            path_of(without[0]),
            format!("convert the VAT total to SAR: BT-111 = BT-110 × exchange rate (both are {a})"),
        );
    }
}

fn document_totals(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let lines: Vec<Node<'_, '_>> = ix.children(root, NS_CAC, "InvoiceLine").collect();
    let sum_lines: Decimal =
        lines.iter().filter_map(|l| dec(ix, ix.child(*l, NS_CBC, "LineExtensionAmount"))).sum();
    // BR-CO-13 sums the line amounts as xs:double.
    let sum_lines_dbl: f64 = lines
        .iter()
        .flat_map(|l| ix.children(*l, NS_CBC, "LineExtensionAmount"))
        .filter_map(|n| dbl(&ix.sv(n)))
        .sum();
    let sum_lines_dbl = Decimal::from_f64_retain(sum_lines_dbl).unwrap_or_default();
    let all_totals: Vec<Node<'_, '_>> = ix.anywhere(Anywhere::LegalMonetaryTotal).collect();
    for totals in all_totals {
        let parent = totals.parent().unwrap_or(root);
        let get = |name: &str| ix.child(totals, NS_CBC, name);
        let val = |name: &str| dec(ix, get(name));
        let path =
            |name: &str| get(name).map(path_of).unwrap_or_else(|| path_under(totals, &format!("cbc:{name}")));
        for (name, rule) in [
            ("TaxExclusiveAmount", rule::BR_13),
            ("TaxInclusiveAmount", rule::BR_14),
            ("PayableAmount", rule::BR_15),
        ] {
            if get(name).is_none() {
                cx.report(rule, path_under(totals, &format!("cbc:{name}")), format!("add cbc:{name}"));
            }
        }
        let (mut allowances, mut charges) = (Decimal::ZERO, Decimal::ZERO);
        let (mut any_allowance, mut any_charge) = (false, false);
        for ac in ix.children(parent, NS_CAC, "AllowanceCharge") {
            let amount = dec(ix, ix.child(ac, NS_CBC, "Amount")).unwrap_or_default();
            if is_true(ix, ac) {
                charges += amount;
                any_charge = true;
            }
            if is_false(ix, ac) {
                allowances += amount;
                any_allowance = true;
            }
        }
        // BR-CO-10
        let expected = xround2(sum_lines);
        if val("LineExtensionAmount").is_none() || val("LineExtensionAmount") != expected {
            cx.report(
                rule::BR_CO_10,
                path("LineExtensionAmount"),
                format!(
                    "BT-106 should be {} = Σ of the {} line net amounts (BT-131); found {}",
                    show(expected),
                    lines.len(),
                    show(val("LineExtensionAmount"))
                ),
            );
        }
        // BR-CO-11
        let ata = get("AllowanceTotalAmount");
        let ok = match ata {
            Some(_) => {
                val("AllowanceTotalAmount").is_some() && val("AllowanceTotalAmount") == xround2(allowances)
            }
            None => !any_allowance,
        };
        if !ok {
            cx.report(
                rule::BR_CO_11,
                path("AllowanceTotalAmount"),
                format!(
                    "BT-107 should be {} = Σ document allowance amounts; found {}",
                    show(xround2(allowances)),
                    show(val("AllowanceTotalAmount"))
                ),
            );
        }
        // BR-CO-12 (an empty BT-108 fails BR-CO-12 and BR-CO-13)
        let cta = get("ChargeTotalAmount");
        let cta_blank = cta.is_some_and(|n| norm(&ix.sv(n)).is_empty());
        let ok = match cta {
            _ if cta_blank => false,
            Some(_) => val("ChargeTotalAmount").is_some() && val("ChargeTotalAmount") == xround2(charges),
            None => !any_charge,
        };
        if !ok {
            cx.report(
                rule::BR_CO_12,
                path("ChargeTotalAmount"),
                format!(
                    "BT-108 should be {} = Σ document charge amounts; found {}",
                    show(xround2(charges)),
                    show(val("ChargeTotalAmount"))
                ),
            );
        }
        // BR-CO-13
        let tea = val("TaxExclusiveAmount");
        let (a, c) = (val("AllowanceTotalAmount"), val("ChargeTotalAmount"));
        let expected = match (cta.is_some(), ata.is_some()) {
            _ if cta_blank => None,
            (true, true) => c.zip(a).and_then(|(c, a)| xround2(sum_lines_dbl + c - a)),
            (false, true) => a.and_then(|a| xround2(sum_lines_dbl - a)),
            (true, false) => c.and_then(|c| xround2(sum_lines_dbl + c)),
            (false, false) => val("LineExtensionAmount"),
        };
        if tea.is_none() || tea != expected {
            cx.report(
                rule::BR_CO_13,
                path("TaxExclusiveAmount"),
                format!(
                    "BT-109 should be {} = Σ line net amounts − BT-107 + BT-108 (or BT-106 when both are absent); found {}",
                    show(expected),
                    show(tea)
                ),
            );
        }
        // BR-CO-16
        let (pa, tia, ppa, pra) = (
            val("PayableAmount"),
            val("TaxInclusiveAmount"),
            val("PrepaidAmount"),
            val("PayableRoundingAmount"),
        );
        let (has_ppa, has_pra) = (get("PrepaidAmount").is_some(), get("PayableRoundingAmount").is_some());
        let eq = |x: Option<Decimal>, y: Option<Decimal>| x.is_some() && x == y;
        let net = tia.zip(ppa).and_then(|(t, p)| xround2(t - p));
        let paid = pa.zip(pra).and_then(|(a, r)| xround2(a - r));
        let ok = (!has_pra && eq(pa, net))
            || (!has_ppa && !has_pra && eq(pa, tia))
            || (has_ppa && has_pra && eq(paid, net))
            || (!has_ppa && has_pra && eq(paid, tia));
        if !ok {
            let expected = if has_ppa { net } else { tia };
            cx.report(
                rule::BR_CO_16,
                path("PayableAmount"),
                format!(
                    "BT-115 − BT-114 should be {} = BT-112 − BT-113; found BT-115 {}",
                    show(expected),
                    show(pa)
                ),
            );
        }
    }
    // BR-CO-15: for the document currency there is a VAT total, and BT-112 = BT-109 + Σ of all
    // breakdown VAT amounts (rounded to 2 decimals).
    let first_totals = ix.child(root, NS_CAC, "LegalMonetaryTotal");
    let tia = dec(ix, first_totals.and_then(|t| ix.child(t, NS_CBC, "TaxInclusiveAmount")));
    let tea = dec(ix, first_totals.and_then(|t| ix.child(t, NS_CBC, "TaxExclusiveAmount")));
    let vat: Decimal =
        subtotals(ix, root).iter().filter_map(|s| dec(ix, ix.child(*s, NS_CBC, "TaxAmount"))).sum();
    let expected = tea.and_then(|t| xround2(t + vat));
    for currency in ix.children(root, NS_CBC, "DocumentCurrencyCode") {
        let c = ix.sv(currency);
        let has_total = ix
            .children(root, NS_CAC, "TaxTotal")
            .flat_map(|t| ix.children(t, NS_CBC, "TaxAmount"))
            .any(|a| a.attribute("currencyID") == Some(c.as_ref()));
        if !has_total {
            cx.report(
                rule::BR_CO_15,
                path_under(root, "cac:TaxTotal/cbc:TaxAmount"),
                format!(
                    "add a cac:TaxTotal whose cbc:TaxAmount has currencyID=\"{c}\" (the document currency)"
                ),
            );
        } else if tia.is_none() || tia != expected {
            cx.report(
                rule::BR_CO_15,
                first_totals
                    .and_then(|t| ix.child(t, NS_CBC, "TaxInclusiveAmount"))
                    .map(path_of)
                    .unwrap_or_else(|| path_under(root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")),
                format!(
                    "BT-112 should be {} = BT-109 ({}) + Σ VAT breakdown amounts ({}); found {}",
                    show(expected),
                    show(tea),
                    vat.normalize(),
                    show(tia)
                ),
            );
        }
    }
    // BR-KSA-80: prepaid amount = Σ (prepayment line taxable + VAT amounts).
    let prepaid_node =
        ix.children(root, NS_CAC, "LegalMonetaryTotal").find_map(|t| ix.child(t, NS_CBC, "PrepaidAmount"));
    let prepaid = if prepaid_node.is_some() { dec(ix, prepaid_node) } else { Some(Decimal::ZERO) };
    if let Some(prepaid) = prepaid {
        let (mut taxable, mut tax) = (0f64, 0f64);
        let (mut taxable_exists, mut tax_exists) = (false, false);
        let mut not_386 = false;
        for line in &lines {
            for sub in
                ix.children(*line, NS_CAC, "TaxTotal").flat_map(|t| ix.children(t, NS_CAC, "TaxSubtotal"))
            {
                for n in ix.children(sub, NS_CBC, "TaxableAmount") {
                    taxable_exists = true;
                    taxable += dbl(&ix.sv(n)).unwrap_or(0.0);
                }
                for n in ix.children(sub, NS_CBC, "TaxAmount") {
                    tax_exists = true;
                    tax += dbl(&ix.sv(n)).unwrap_or(0.0);
                }
            }
            not_386 |= ix
                .children(*line, NS_CAC, "DocumentReference")
                .flat_map(|d| ix.children(d, NS_CBC, "DocumentTypeCode"))
                .any(|c| ix.sv(c) != "386");
        }
        let fire = ((prepaid.is_zero() || prepaid_node.is_none()) && (taxable_exists || tax_exists))
            || (!prepaid.is_zero() && taxable > 0.0 && tax > 0.0 && not_386)
            || shown_dec(prepaid) != shown_dbl(Some(taxable + tax));
        if fire {
            cx.report(
                rule::BR_KSA_80,
                prepaid_node.map(path_of).unwrap_or_else(|| path_under(root, "cac:LegalMonetaryTotal/cbc:PrepaidAmount")),
                format!(
                    "BT-113 should be {} = {taxable} (Σ prepayment taxable amounts) + {tax} (Σ prepayment VAT), the prepayment lines referring to their prepayment invoices (386); found {}",
                    taxable + tax,
                    prepaid.normalize()
                ),
            );
        }
    }
}

fn line_amounts(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let lines: Vec<Node<'_, '_>> = ix.children(root, NS_CAC, "InvoiceLine").collect();
    for line in lines {
        let net_node = ix.child(line, NS_CBC, "LineExtensionAmount");
        // BR-KSA-51: KSA-12 = BT-131 + KSA-11 (as ZATCA shows them, 2 decimals).
        for tt in ix.children(line, NS_CAC, "TaxTotal") {
            let with_node = ix.child(tt, NS_CBC, "RoundingAmount");
            let shown = shown_dbl(with_node.map(|n| dbl(&ix.sv(n)).unwrap_or(f64::NAN)));
            let vat = dbl_node(ix, ix.child(tt, NS_CBC, "TaxAmount"));
            let net = dbl_node(ix, net_node);
            let expected = vat.zip(net).map(|(v, n)| dround((v + n) * 100.0) / 100.0);
            if shown != shown_dbl(expected) {
                cx.report(
                    rule::BR_KSA_51,
                    with_node.map(path_of).unwrap_or_else(|| path_under(tt, "cbc:RoundingAmount")),
                    format!(
                        "KSA-12 should be {} = BT-131 + KSA-11",
                        expected.map(|e| format!("{e:.2}")).unwrap_or_else(|| "BT-131 + KSA-11".into())
                    ),
                );
            }
        }
        // BR-KSA-EN16931-11: BT-131 = qty × price (/ base qty), cut to 3 decimals, + charges −
        // allowances, rounded to 2 decimals, within ± 0.01.
        let qty = dec(ix, ix.child(line, NS_CBC, "InvoicedQuantity"));
        // `cac:Price/cbc:PriceAmount` over every cac:Price of the line (a second Price element
        // without an amount changes nothing; two amounts stop ZATCA's XSL).
        let prices = || ix.children(line, NS_CAC, "Price");
        let price = dec(ix, prices().find_map(|p| ix.child(p, NS_CBC, "PriceAmount")));
        let base_node = prices().find_map(|p| ix.child(p, NS_CBC, "BaseQuantity"));
        let (mut allowances, mut charges) = (Decimal::ZERO, Decimal::ZERO);
        for ac in ix.children(line, NS_CAC, "AllowanceCharge") {
            let amount = dec(ix, ix.child(ac, NS_CBC, "Amount")).unwrap_or_default();
            if is_true(ix, ac) {
                charges += amount;
            }
            if is_false(ix, ac) {
                allowances += amount;
            }
        }
        let unit = match base_node {
            Some(b) => price.zip(dec(ix, Some(b))).and_then(|(p, b)| p.checked_div(b)),
            None => price,
        };
        let thousand = Decimal::ONE_THOUSAND;
        let expected =
            qty.zip(unit).and_then(|(q, u)| q.checked_mul(u)).and_then(|v| v.checked_mul(thousand)).map(
                |v| {
                    let v = (v.floor() / Decimal::TEN + Decimal::new(1, 11)) / Decimal::ONE_HUNDRED + charges
                        - allowances;
                    xround(v * Decimal::ONE_HUNDRED) / Decimal::ONE_HUNDRED
                },
            );
        let net = dec(ix, net_node);
        let cent = Decimal::new(1, 2);
        let ok = match (net, expected) {
            (Some(n), Some(e)) => n == e || n == e + cent || n == e - cent,
            _ => false,
        };
        if !ok {
            cx.report(
                rule::BR_KSA_EN16931_11,
                net_node.map(path_of).unwrap_or_else(|| path_under(line, "cbc:LineExtensionAmount")),
                format!(
                    "BT-131 should be {} = BT-129 × BT-146 (/ BT-149) + charges − allowances (± 0.01); found {}",
                    show(expected),
                    show(net)
                ),
            );
        }
        // BR-KSA-EN16931-07: net price = gross price − price discount.
        for price in ix.children(line, NS_CAC, "Price") {
            let net_price = dec(ix, ix.child(price, NS_CBC, "PriceAmount"));
            for ac in ix.children(price, NS_CAC, "AllowanceCharge") {
                let discount = dec(ix, ix.child(ac, NS_CBC, "Amount"));
                for base in ix.children(ac, NS_CBC, "BaseAmount") {
                    let expected = dec(ix, Some(base)).zip(discount).map(|(g, d)| g - d);
                    if net_price.is_none() || net_price != expected {
                        cx.report(
                            rule::BR_KSA_EN16931_07,
                            path_under(price, "cbc:PriceAmount"),
                            format!(
                                "BT-146 should be {} = gross price − price discount; found {}",
                                show(expected),
                                show(net_price)
                            ),
                        );
                    }
                }
            }
        }
    }
}

fn allowance_charge_amounts(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    // BR-KSA-EN16931-03: document allowances/charges and line ones (not price discounts).
    let doc_acs: Vec<Node<'_, '_>> = ix.children(root, NS_CAC, "AllowanceCharge").collect();
    let line_acs: Vec<Node<'_, '_>> = ix
        .children(root, NS_CAC, "InvoiceLine")
        .flat_map(|l| ix.children(l, NS_CAC, "AllowanceCharge").collect::<Vec<_>>())
        .collect();
    for group in [&doc_acs, &line_acs] {
        if !group.iter().any(|ac| ix.child(*ac, NS_CBC, "Amount").is_some()) {
            continue;
        }
        for ac in group.iter().filter(|ac| ix.child(**ac, NS_CBC, "BaseAmount").is_some()) {
            let amount = ix.child(*ac, NS_CBC, "Amount");
            let base = ix.child(*ac, NS_CBC, "BaseAmount");
            let raw_len = |n: Option<Node<'_, '_>>| n.map(|n| ix.sv(n).len()).unwrap_or(0);
            if raw_len(amount) == 0 || raw_len(base) == 0 {
                continue;
            }
            let b = dbl_node(ix, base);
            let m = dbl_node(ix, ix.child(*ac, NS_CBC, "MultiplierFactorNumeric"));
            let expected = b.zip(m).map(|(b, m)| ((b * m / 100.0) * 100.0 + 0.5).floor() / 100.0);
            let found = dbl_node(ix, amount);
            if shown_dbl(found) != shown_dbl(expected) {
                cx.report(
                    rule::BR_KSA_EN16931_03,
                    path_under(*ac, "cbc:Amount"),
                    format!(
                        "the amount should be {} = base amount × percentage / 100",
                        expected
                            .map(|e| format!("{e:.2}"))
                            .unwrap_or_else(|| "base amount × percentage / 100".into())
                    ),
                );
            }
        }
    }
    // BR-KSA-EN16931-04: a percentage needs a base amount (any allowance/charge).
    let all_acs: Vec<Node<'_, '_>> = ix.anywhere(Anywhere::AllowanceCharge).collect();
    for ac in &all_acs {
        if ix.child(*ac, NS_CBC, "BaseAmount").is_none() {
            for p in ix.children(*ac, NS_CBC, "MultiplierFactorNumeric") {
                cx.report(
                    rule::BR_KSA_EN16931_04,
                    path_of(p),
                    "add cbc:BaseAmount, the amount the percentage applies to".into(),
                );
            }
        }
    }
    // BR-KSA-EN16931-05: a base amount needs a percentage (document and line level).
    for ac in doc_acs.iter().chain(line_acs.iter()) {
        if ix.child(*ac, NS_CBC, "MultiplierFactorNumeric").is_none() {
            for b in ix.children(*ac, NS_CBC, "BaseAmount") {
                cx.report(
                    rule::BR_KSA_EN16931_05,
                    path_of(b),
                    "add cbc:MultiplierFactorNumeric, the percentage applied to the base amount".into(),
                );
            }
        }
    }
    // BR-KSA-DEC-01: allowance percentages (not price discounts).
    for ac in &all_acs {
        if ac.parent().is_some_and(|p| ix.is(p, NS_CAC, "Price")) || !is_false(ix, *ac) {
            continue;
        }
        let Some(p) = ix.child(*ac, NS_CBC, "MultiplierFactorNumeric") else { continue };
        let raw = ix.sv(p);
        if raw.is_empty() {
            continue;
        }
        if !(dec(ix, Some(p)).is_some_and(|d| d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED)
            && frac_len(&raw) <= 2)
        {
            cx.report(rule::BR_KSA_DEC_01, path_of(p), format!("write the percentage from 0.00 to 100.00 with at most 2 decimals, without % (found \"{raw}\")"));
        }
    }
}

fn decimals(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let check = |cx: &mut Cx<'_, '_>, node: Option<Node<'_, '_>>, rule: &'static RuleInfo| {
        if let Some(n) = node {
            let raw = ix.sv(n);
            if frac_len(&raw) > 2 {
                let rounded = dec(ix, Some(n)).and_then(xround2).map(|d| d.to_string()).unwrap_or_default();
                cx.report(rule, path_of(n), format!("round to 2 decimals: {} → {rounded}", xtrim(&raw)));
            }
        }
    };
    let all_totals: Vec<Node<'_, '_>> = ix.anywhere(Anywhere::LegalMonetaryTotal).collect();
    for t in all_totals {
        for (name, rule) in [
            ("LineExtensionAmount", rule::BR_DEC_09),
            ("AllowanceTotalAmount", rule::BR_DEC_10),
            ("ChargeTotalAmount", rule::BR_DEC_11),
            ("TaxExclusiveAmount", rule::BR_DEC_12),
            ("TaxInclusiveAmount", rule::BR_DEC_14),
            ("PrepaidAmount", rule::BR_DEC_16),
            ("PayableRoundingAmount", rule::BR_DEC_17),
            ("PayableAmount", rule::BR_DEC_18),
        ] {
            check(cx, ix.child(t, NS_CBC, name), rule);
        }
    }
    // BR-DEC-13 / -15: the VAT totals in the document currency and in the tax currency.
    let doc_currencies: Vec<Cow<'_, str>> =
        ix.anywhere(Anywhere::DocumentCurrencyCode).map(|n| ix.sv(n)).collect();
    let tax_currencies: Vec<Cow<'_, str>> =
        ix.anywhere(Anywhere::TaxCurrencyCode).map(|n| ix.sv(n)).collect();
    for t in ix.children(root, NS_CAC, "TaxTotal") {
        for a in ix.children(t, NS_CBC, "TaxAmount") {
            let Some(c) = a.attribute("currencyID") else { continue };
            if doc_currencies.iter().any(|d| d == c) {
                check(cx, Some(a), rule::BR_DEC_13);
            }
            if tax_currencies.iter().any(|d| d == c) {
                check(cx, Some(a), rule::BR_DEC_15);
            }
        }
    }
    // BR-DEC-24/-25 only reach line allowances of lines that are not children of the root.
    let nested: Vec<Node<'_, '_>> =
        ix.anywhere(Anywhere::InvoiceLine).filter(|n| n.parent() != Some(root)).collect();
    for line in nested {
        for ac in ix.children(line, NS_CAC, "AllowanceCharge").filter(|ac| is_false(ix, *ac)) {
            check(cx, ix.child(ac, NS_CBC, "Amount"), rule::BR_DEC_24);
            check(cx, ix.child(ac, NS_CBC, "BaseAmount"), rule::BR_DEC_25);
        }
    }
    for sub in subtotals(ix, root) {
        check(cx, ix.child(sub, NS_CBC, "TaxableAmount"), rule::BR_DEC_19);
        check(cx, ix.child(sub, NS_CBC, "TaxAmount"), rule::BR_DEC_20);
    }
    for ac in ix.children(root, NS_CAC, "AllowanceCharge") {
        if is_false(ix, ac) {
            check(cx, ix.child(ac, NS_CBC, "Amount"), rule::BR_DEC_01);
            check(cx, ix.child(ac, NS_CBC, "BaseAmount"), rule::BR_DEC_02);
        }
        if is_true(ix, ac) {
            check(cx, ix.child(ac, NS_CBC, "Amount"), rule::BR_DEC_05);
            check(cx, ix.child(ac, NS_CBC, "BaseAmount"), rule::BR_DEC_06);
        }
    }
    let prepaid = ix
        .children(root, NS_CAC, "LegalMonetaryTotal")
        .flat_map(|t| ix.children(t, NS_CBC, "PrepaidAmount"))
        .any(|p| dbl(&ix.sv(p)).is_some_and(|v| v > 0.0));
    for line in ix.children(root, NS_CAC, "InvoiceLine") {
        check(cx, ix.child(line, NS_CBC, "LineExtensionAmount"), rule::BR_DEC_23);
        // BR-DEC-24/-25 (line allowances) never fire in ZATCA's XSL: an earlier rule of the same
        // pattern takes the line allowances over. Line charges are checked.
        for ac in ix.children(line, NS_CAC, "AllowanceCharge") {
            if is_true(ix, ac) {
                check(cx, ix.child(ac, NS_CBC, "Amount"), rule::BR_DEC_27);
                check(cx, ix.child(ac, NS_CBC, "BaseAmount"), rule::BR_DEC_28);
            }
        }
        let tt = ix.child(line, NS_CAC, "TaxTotal");
        check(cx, tt.and_then(|t| ix.child(t, NS_CBC, "TaxAmount")), rule::BR_KSA_DEC_03);
        check(cx, tt.and_then(|t| ix.child(t, NS_CBC, "RoundingAmount")), rule::BR_KSA_DEC_04);
        if prepaid {
            for sub in
                ix.children(line, NS_CAC, "TaxTotal").flat_map(|t| ix.children(t, NS_CAC, "TaxSubtotal"))
            {
                let long = |name: &str| ix.child(sub, NS_CBC, name).is_some_and(|n| frac_len(&ix.sv(n)) > 2);
                if long("TaxableAmount") || long("TaxAmount") {
                    cx.report(
                        rule::BR_KSA_DEC_06,
                        path_of(sub),
                        "round the prepayment's taxable and VAT amounts to 2 decimals".into(),
                    );
                }
            }
        }
    }
}

/// BR-KSA-F-04: the amounts ZATCA lists are not negative (line net amounts, the payable amount
/// and the rounding amounts are not in its list).
fn negatives(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let mut nodes: Vec<Node<'_, '_>> = Vec::new();
    fn kids<'a, 'i>(ix: &Index<'a, 'i>, n: Node<'a, 'i>, name: &'static str) -> Vec<Node<'a, 'i>> {
        ix.children(n, NS_CBC, name).collect()
    }
    for t in ix.children(root, NS_CAC, "TaxTotal") {
        nodes.extend(kids(ix, t, "TaxAmount"));
        for s in ix.children(t, NS_CAC, "TaxSubtotal") {
            let o =
                ix.child(s, NS_CAC, "TaxCategory").map(|c| super::vat::code_of(ix, c)).unwrap_or_default()
                    == "O";
            if !o {
                nodes.extend(kids(ix, s, "TaxableAmount"));
            }
            nodes.extend(kids(ix, s, "TaxAmount"));
        }
    }
    for ac in ix.children(root, NS_CAC, "AllowanceCharge") {
        nodes.extend(kids(ix, ac, "Amount"));
        nodes.extend(kids(ix, ac, "BaseAmount"));
    }
    for t in ix.children(root, NS_CAC, "LegalMonetaryTotal") {
        for name in [
            "LineExtensionAmount",
            "TaxExclusiveAmount",
            "TaxInclusiveAmount",
            "AllowanceTotalAmount",
            "ChargeTotalAmount",
            "PrepaidAmount",
        ] {
            nodes.extend(kids(ix, t, name));
        }
    }
    for line in ix.children(root, NS_CAC, "InvoiceLine") {
        nodes.extend(kids(ix, line, "InvoicedQuantity"));
        for ac in ix.children(line, NS_CAC, "AllowanceCharge") {
            nodes.extend(kids(ix, ac, "Amount"));
            nodes.extend(kids(ix, ac, "BaseAmount"));
        }
        for t in ix.children(line, NS_CAC, "TaxTotal") {
            nodes.extend(kids(ix, t, "TaxAmount"));
            for s in ix.children(t, NS_CAC, "TaxSubtotal") {
                nodes.extend(kids(ix, s, "TaxableAmount"));
                nodes.extend(kids(ix, s, "TaxAmount"));
            }
        }
        for p in ix.children(line, NS_CAC, "Price") {
            nodes.extend(kids(ix, p, "PriceAmount"));
            for ac in ix.children(p, NS_CAC, "AllowanceCharge") {
                nodes.extend(kids(ix, ac, "Amount"));
                nodes.extend(kids(ix, ac, "BaseAmount"));
            }
        }
    }
    for r in ix.children(root, NS_CAC, "TaxExchangeRate") {
        nodes.extend(kids(ix, r, "CalculationRate"));
    }
    for n in nodes {
        let raw = ix.sv(n);
        if !raw.is_empty()
            && let Some(v) = dbl(&raw)
            && !ge_zero(v)
        {
            cx.report(
                rule::BR_KSA_F_04,
                path_of(n),
                format!(
                    "write {} as a positive value; the document type (credit note) carries the sign",
                    xtrim(&raw)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift): the same values on every run.
    fn numbers(seed: u64, n: usize) -> impl Iterator<Item = u64> {
        let mut state = seed;
        (0..n).map(move |_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        })
    }

    /// Doubles of every kind the rules meet: amounts with cents and ties at half a cent, their
    /// products and quotients, and arbitrary bit patterns of every magnitude.
    fn doubles() -> Vec<f64> {
        let mut all = vec![
            0.0,
            0.005,
            0.015,
            0.025,
            0.125,
            2.675,
            1.005,
            0.045,
            1e-7,
            5e-3,
            4.999999999999999e-3,
            1e15,
            1e16,
            1e17,
            1e20,
            1e21,
            1e22,
            1e28,
            7.9e28,
            8e28,
            1e29,
            1e300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        for (i, r) in numbers(0x9E37_79B9_7F4A_7C15, 200_000).enumerate() {
            let cents = (r % 10_000_000_000) as f64;
            all.push(match i % 4 {
                0 => cents / 100.0,
                1 => (cents / 100.0) * 0.15,
                2 => cents / 1000.0 + 0.005,
                _ => f64::from_bits(r).abs(),
            });
        }
        all.retain(|x| x.is_finite());
        all
    }

    #[test]
    fn plain_cents_are_what_display_and_rounding_give() {
        let all = doubles();
        let mut slow_ones = 0;
        for &x in &all {
            let Some(fast) = cents_when_plain(x) else {
                slow_ones += 1;
                continue;
            };
            let slow = shortest(x)
                .or_else(|| Decimal::from_f64(x))
                .unwrap_or(Decimal::MAX)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
            assert_eq!(fast, slow, "{x:e} ({x})");
        }
        // The ties at half a cent and the huge values take the exact path; most values do not.
        assert!(slow_ones < all.len() / 5, "{slow_ones} of {} took the exact path", all.len());
        for tie in [0.125, 2.675, 0.005, 1.005] {
            assert_eq!(cents_when_plain(tie), None, "{tie}");
        }
        assert_eq!(cents_when_plain(12.34), Some(Decimal::new(1234, 2)));
    }

    #[test]
    fn short_doubles_are_what_parse_gives() {
        let mut texts: Vec<String> =
            ["0", "-0", "+1.5", "1.", ".5", "00012.50", "-0.000", "999999999999999", "0.1234567890123"]
                .into_iter()
                .map(String::from)
                .collect();
        for r in numbers(0x2545_F491_4F6C_DD1D, 50_000) {
            let digits = r % 1_000_000_000_000_000;
            let scale = ((r >> 50) % 16) as usize;
            let s = format!("{digits:0>width$}", width = scale + 1);
            let (int, frac) = s.split_at(s.len() - scale);
            texts.push(if scale == 0 { int.to_string() } else { format!("{int}.{frac}") });
        }
        for t in &texts {
            if let Some(v) = short_double(t) {
                let expected: f64 = t.parse().unwrap();
                assert_eq!(v.to_bits(), expected.to_bits(), "{t}");
            }
        }
        assert!(
            texts.iter().filter(|t| short_double(t).is_some()).count() > 40_000,
            "the fast path is taken"
        );
        for not_short in ["", ".", "-", "1e5", "INF", "1.2.3", "1234567890123456", "١"] {
            assert_eq!(short_double(not_short), None, "{not_short}");
        }
    }

    #[test]
    fn fraction_lengths_count_characters() {
        for s in ["", "12", "12.", "12.50", ".5", "1.2.3", "1.٥٠", "x.é"] {
            let expected = s.find('.').map(|i| s[i + 1..].chars().count()).unwrap_or(0);
            assert_eq!(frac_len(s), expected, "{s}");
        }
    }
}
