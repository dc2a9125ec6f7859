//! VAT categories S, Z, E, O: codes, rates, breakdowns, exemption reasons.

use super::index::Index;
use super::{Cx, chars, decimal, fmt2, fraction_digits, num, path_of, path_under, round2, rule, text};
use crate::model::VatCategory;
use crate::model::vatex;
use crate::xml::{NS_CAC, NS_CBC};
use roxmltree::Node;
use rust_decimal::Decimal;

/// A VAT category used by a line, an allowance or a charge.
pub(super) struct Use<'a, 'i> {
    pub node: Node<'a, 'i>,
    pub category: &'a str,
    pub rate: Option<Decimal>,
    /// Amount contributed to the taxable base (+ line net, − allowance, + charge).
    pub amount: Decimal,
    pub kind: UseKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum UseKind {
    Line,
    Allowance,
    Charge,
}

pub(super) fn is_charge(ix: &Index<'_, '_>, ac: Node<'_, '_>) -> Option<bool> {
    match ix.at_text(ac, "cbc:ChargeIndicator") {
        Some("true") | Some("1") => Some(true),
        Some("false") | Some("0") => Some(false),
        _ => None,
    }
}

/// Lines (not prepayment lines), document allowances and charges with their VAT category.
pub(super) fn uses<'a, 'i>(ix: &Index<'a, 'i>, root: Node<'a, 'i>) -> Vec<Use<'a, 'i>> {
    let mut out = Vec::new();
    for line in ix.children(root, NS_CAC, "InvoiceLine") {
        if let Some(cat) = ix.at(line, "cac:Item/cac:ClassifiedTaxCategory") {
            out.push(Use {
                node: cat,
                category: ix.at_text(cat, "cbc:ID").unwrap_or(""),
                rate: num(ix.child(cat, NS_CBC, "Percent")),
                amount: num(ix.child(line, NS_CBC, "LineExtensionAmount")).unwrap_or_default(),
                kind: UseKind::Line,
            });
        }
    }
    for ac in ix.children(root, NS_CAC, "AllowanceCharge") {
        let Some(cat) = ix.child(ac, NS_CAC, "TaxCategory") else { continue };
        let charge = is_charge(ix, ac) == Some(true);
        let amount = num(ix.child(ac, NS_CBC, "Amount")).unwrap_or_default();
        out.push(Use {
            node: cat,
            category: ix.at_text(cat, "cbc:ID").unwrap_or(""),
            rate: num(ix.child(cat, NS_CBC, "Percent")),
            amount: if charge { amount } else { -amount },
            kind: if charge { UseKind::Charge } else { UseKind::Allowance },
        });
    }
    out
}

/// The VAT breakdowns: `cac:TaxTotal/cac:TaxSubtotal` at document level.
pub(super) fn subtotals<'a, 'i>(ix: &Index<'a, 'i>, root: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    ix.children(root, NS_CAC, "TaxTotal").flat_map(|t| ix.children(t, NS_CAC, "TaxSubtotal")).collect()
}

pub(super) fn check(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let uses = uses(ix, root);
    let subtotals = subtotals(ix, root);
    codes_and_rates(cx, &uses, &subtotals);
    breakdown_presence(cx, &uses, &subtotals);
    breakdowns(cx, &uses, &subtotals);
}

fn all_categories<'a, 'i>(cx: &Cx<'a, 'i>) -> Vec<Node<'a, 'i>> {
    cx.elements
        .iter()
        .copied()
        .filter(|n| {
            matches!(cx.ix.local(*n), "TaxCategory" | "ClassifiedTaxCategory") && cx.ix.in_ns(*n, NS_CAC)
        })
        .collect()
}

const UNCL_5305: [&str; 10] = ["AE", "E", "S", "Z", "G", "O", "K", "L", "M", "B"];

fn codes_and_rates(cx: &mut Cx<'_, '_>, uses: &[Use<'_, '_>], _subtotals: &[Node<'_, '_>]) {
    let ix = cx.ix;
    let root = cx.root;
    for cat in all_categories(cx) {
        let code_node = ix.child(cat, NS_CBC, "ID");
        let code = code_node.map(text).unwrap_or("");
        let path = || code_node.map(path_of).unwrap_or_else(|| path_under(cat, "cbc:ID"));
        if !UNCL_5305.contains(&code) {
            cx.report(rule::BR_CL_18, path(), format!("\"{code}\" is not a UNCL 5305 VAT category"));
        }
        if !["S", "Z", "E", "O"].contains(&code) {
            cx.report(
                rule::BR_KSA_18,
                path(),
                format!("use S (standard), Z (zero-rated), E (exempt) or O (out of scope), not \"{code}\""),
            );
        }
        if let Some(p) = ix.child(cat, NS_CBC, "Percent") {
            let t = text(p);
            let ok = decimal(t).is_some_and(|d| d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED)
                && fraction_digits(t) <= 2;
            if !ok {
                cx.report(rule::BR_KSA_DEC_02, path_of(p), format!("write the rate as a number from 0.00 to 100.00 with at most 2 decimals, without % (found \"{t}\")"));
            }
            if code == "S"
                && let Some(d) = decimal(t)
                && d != Decimal::from(5)
                && d != Decimal::from(15)
            {
                cx.report(
                    rule::BR_KSA_84,
                    path_of(p),
                    format!("the standard rate is 15 (or 5 for the transitional rate), not {t}"),
                );
            }
        }
    }
    for line in ix.children(root, NS_CAC, "InvoiceLine") {
        if ix.at(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID").is_none() {
            cx.report(
                rule::BR_CO_04,
                path_under(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
                "give the line's VAT category (S, Z, E or O)".into(),
            );
        }
    }
    for u in uses {
        let zero = u.rate.is_none_or(|r| r.is_zero());
        let rule = match (u.category, u.kind) {
            ("S", UseKind::Line) if zero => Some((rule::BR_S_05, "give the line's standard rate, 15")),
            ("S", UseKind::Allowance) if zero => {
                Some((rule::BR_S_06, "give the allowance's standard rate, 15"))
            }
            ("S", UseKind::Charge) if zero => Some((rule::BR_S_07, "give the charge's standard rate, 15")),
            ("Z", UseKind::Line) if !zero => Some((rule::BR_Z_05, "set the rate of a zero-rated line to 0")),
            ("Z", UseKind::Allowance) if !zero => {
                Some((rule::BR_Z_06, "set the rate of a zero-rated allowance to 0"))
            }
            ("Z", UseKind::Charge) if !zero => {
                Some((rule::BR_Z_07, "set the rate of a zero-rated charge to 0"))
            }
            ("E", UseKind::Line) if !zero => Some((rule::BR_E_05, "set the rate of an exempt line to 0")),
            ("E", UseKind::Allowance) if !zero => {
                Some((rule::BR_E_06, "set the rate of an exempt allowance to 0"))
            }
            ("E", UseKind::Charge) if !zero => Some((rule::BR_E_07, "set the rate of an exempt charge to 0")),
            ("O", UseKind::Line) if !zero => {
                Some((rule::BR_KSA_11, "set the rate of an out-of-scope line to 0 or leave it out"))
            }
            ("O", UseKind::Allowance) if !zero => {
                Some((rule::BR_KSA_12, "set the rate of an out-of-scope allowance to 0 or leave it out"))
            }
            ("O", UseKind::Charge) if !zero => {
                Some((rule::BR_KSA_13, "set the rate of an out-of-scope charge to 0 or leave it out"))
            }
            _ => None,
        };
        if let Some((id, fix)) = rule {
            let rate_path = ix
                .child(u.node, NS_CBC, "Percent")
                .map(path_of)
                .unwrap_or_else(|| path_under(u.node, "cbc:Percent"));
            cx.report(id, rate_path, fix.into());
        }
    }
}

fn breakdown_presence(cx: &mut Cx<'_, '_>, uses: &[Use<'_, '_>], subtotals: &[Node<'_, '_>]) {
    let ix = cx.ix;
    let root = cx.root;
    if subtotals.is_empty() {
        cx.report(
            rule::BR_CO_18,
            path_under(root, "cac:TaxTotal/cac:TaxSubtotal"),
            "add a VAT breakdown (cac:TaxSubtotal) per VAT category and rate".into(),
        );
    }
    let present = |c: &str| subtotals.iter().any(|s| ix.at_text(*s, "cac:TaxCategory/cbc:ID") == Some(c));
    for (cat, rule) in
        [("S", rule::BR_S_01), ("Z", rule::BR_Z_01), ("E", rule::BR_E_01), ("O", rule::BR_O_01)]
    {
        if let Some(u) = uses.iter().find(|u| u.category == cat)
            && !present(cat)
        {
            let _ = u;
            cx.report(
                rule,
                path_under(root, "cac:TaxTotal/cac:TaxSubtotal"),
                format!("add a VAT breakdown with category {cat}"),
            );
        }
    }
}

fn breakdowns(cx: &mut Cx<'_, '_>, uses: &[Use<'_, '_>], subtotals: &[Node<'_, '_>]) {
    let ix = cx.ix;
    for &sub in subtotals {
        let taxable_node = ix.child(sub, NS_CBC, "TaxableAmount");
        let tax_node = ix.child(sub, NS_CBC, "TaxAmount");
        let cat = ix.child(sub, NS_CAC, "TaxCategory");
        let code = cat.and_then(|c| ix.at_text(c, "cbc:ID")).unwrap_or("");
        let rate_node = cat.and_then(|c| ix.child(c, NS_CBC, "Percent"));
        let rate = num(rate_node);
        if taxable_node.is_none() {
            cx.report(
                rule::BR_45,
                path_under(sub, "cbc:TaxableAmount"),
                "give the taxable amount of this VAT breakdown".into(),
            );
        }
        if tax_node.is_none() {
            cx.report(
                rule::BR_46,
                path_under(sub, "cbc:TaxAmount"),
                "give the VAT amount of this VAT breakdown".into(),
            );
        }
        if code.is_empty() {
            cx.report(
                rule::BR_47,
                path_under(sub, "cac:TaxCategory/cbc:ID"),
                "give the VAT category of this breakdown".into(),
            );
        }
        if rate_node.is_none() && code != "O" {
            cx.report(
                rule::BR_48,
                path_under(sub, "cac:TaxCategory/cbc:Percent"),
                "give the VAT rate of this breakdown".into(),
            );
        }
        let taxable = num(taxable_node);
        let tax = num(tax_node);
        // Taxable amount = Σ matching line nets − allowances + charges, for the category (and
        // rate, for S). A category may be split over several breakdowns (one per exemption
        // reason code): their sum is compared, once, at the first of them.
        let same_group = |other: &Node<'_, '_>| {
            let c = ix.at_text(*other, "cac:TaxCategory/cbc:ID").unwrap_or("");
            c == code
                && (code != "S"
                    || num(ix.at(*other, "cac:TaxCategory/cbc:Percent")).map(|r| r.normalize())
                        == rate.map(|r| r.normalize()))
        };
        let first_of_group = subtotals.iter().find(|o| same_group(o)) == Some(&sub);
        let group_taxable: Option<Decimal> = subtotals
            .iter()
            .filter(|o| same_group(o))
            .map(|o| num(ix.child(*o, NS_CBC, "TaxableAmount")))
            .sum();
        let matching: Vec<&Use<'_, '_>> = uses
            .iter()
            .filter(|u| {
                u.category == code
                    && (code != "S" || u.rate.map(|r| r.normalize()) == rate.map(|r| r.normalize()))
            })
            .collect();
        let rule = match code {
            "S" => Some(rule::BR_S_08),
            "Z" => Some(rule::BR_Z_08),
            "E" => Some(rule::BR_E_08),
            "O" => Some(rule::BR_O_08),
            _ => None,
        };
        if let (Some(rule), Some(taxable), true) = (rule, group_taxable, first_of_group) {
            let lines: Decimal = matching.iter().filter(|u| u.kind == UseKind::Line).map(|u| u.amount).sum();
            let allowances: Decimal =
                -matching.iter().filter(|u| u.kind == UseKind::Allowance).map(|u| u.amount).sum::<Decimal>();
            let charges: Decimal =
                matching.iter().filter(|u| u.kind == UseKind::Charge).map(|u| u.amount).sum();
            let expected = round2(lines - allowances + charges);
            if round2(taxable) != expected {
                cx.report(
                    rule,
                    path_of(taxable_node.expect("taxable")),
                    format!(
                        "BT-116 should be {} = {} (Σ line net amounts) − {} (allowances) + {} (charges) for category {code}{}; found {}",
                        fmt2(expected),
                        fmt2(lines),
                        fmt2(allowances),
                        fmt2(charges),
                        rate.filter(|_| code == "S").map(|r| format!(" at {}%", r.normalize())).unwrap_or_default(),
                        fmt2(taxable)
                    ),
                );
            }
        }
        if let (Some(tax), Some(tax_node)) = (tax, tax_node) {
            match code {
                "S" => {
                    if let (Some(taxable), Some(rate)) = (taxable, rate)
                        && let Some(expected) = super::percent_of(taxable.abs(), rate)
                        && !super::arith::within_one(tax, expected)
                    {
                        cx.report(
                            rule::BR_S_09,
                            path_of(tax_node),
                            format!("BT-117 should be {} = {} × {} / 100, rounded to 2 decimals (ZATCA tolerates less than 1.00 of difference); found {}", fmt2(expected), fmt2(taxable), rate.normalize(), fmt2(tax)),
                        );
                    }
                }
                "Z" | "E" | "O" if !tax.is_zero() => {
                    let rule = match code {
                        "Z" => rule::BR_Z_09,
                        "E" => rule::BR_E_09,
                        _ => rule::BR_O_09,
                    };
                    cx.report(
                        rule,
                        path_of(tax_node),
                        format!("the VAT of category {code} is 0.00; found {}", fmt2(tax)),
                    );
                }
                _ => {}
            }
        }
        // Exemption reasons.
        let Some(cat) = cat else { continue };
        let reason_code = ix.child(cat, NS_CBC, "TaxExemptionReasonCode");
        let reason = ix.child(cat, NS_CBC, "TaxExemptionReason");
        match code {
            "S" if reason_code.is_some() || reason.is_some() => {
                cx.report(
                    rule::BR_S_10,
                    path_of(reason_code.or(reason).expect("reason")),
                    "remove the exemption reason code and text from the standard-rated breakdown".into(),
                );
            }
            "Z" | "E" | "O" => {
                let category = match code {
                    "Z" => VatCategory::ZeroRated,
                    "E" => VatCategory::Exempt,
                    _ => VatCategory::OutOfScope,
                };
                let rc = reason_code.map(text).filter(|t| !t.is_empty());
                let presence_rule = match code {
                    "Z" => rule::BR_KSA_69,
                    "E" => rule::BR_KSA_23,
                    _ => rule::BR_KSA_24,
                };
                let codes = vatex::codes_for(category).join(", ");
                match rc {
                    None => cx.report(
                        presence_rule,
                        path_under(cat, "cbc:TaxExemptionReasonCode"),
                        format!("add the reason code: one of {codes}"),
                    ),
                    Some(c) if vatex::category_of(c) != Some(category) && code != "O" => cx.report(
                        rule::BR_KSA_CL_04,
                        path_of(reason_code.expect("code")),
                        format!("\"{c}\" is not a reason code of category {code}; use one of {codes}"),
                    ),
                    Some(_) => {}
                }
                match reason {
                    Some(r) if !text(r).is_empty() => {
                        if chars(text(r)) > 1000 {
                            cx.report(
                                rule::BR_KSA_F_06_C16,
                                path_of(r),
                                format!(
                                    "shorten the reason text to 1000 characters (it has {})",
                                    chars(text(r))
                                ),
                            );
                        }
                    }
                    other => {
                        let hint = rc
                            .and_then(vatex::default_text)
                            .map(|t| format!(": \"{t}\""))
                            .unwrap_or_default();
                        cx.report(
                            rule::BR_KSA_83,
                            other.map(path_of).unwrap_or_else(|| path_under(cat, "cbc:TaxExemptionReason")),
                            format!("add the reason text of §11.2.4{hint}"),
                        );
                        if let Some(r) = other {
                            cx.report(
                                rule::BR_KSA_F_06_C16,
                                path_of(r),
                                "the reason text must have at least 1 character".into(),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
}
