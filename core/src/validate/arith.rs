//! Arithmetic (BR-CO-*, BR-KSA-51, BR-KSA-EN16931-03/-07/-11, prepaid amounts), decimals
//! (BR-DEC-*, BR-KSA-DEC-*), tax totals and non-negative amounts (BR-KSA-F-04).

use super::index::Index;
use super::vat::subtotals;
use super::{
    Cx, RuleInfo, decimal, fmt2, fraction_digits, num, path_of, path_under, percent_of, round2, rule, text,
};
use crate::xml::{NS_CAC, NS_CBC};
use roxmltree::Node;
use rust_decimal::Decimal;

/// ZATCA's tolerance on BR-CO-17: |found| within (expected − 1, expected + 1).
pub(super) fn within_one(found: Decimal, expected: Decimal) -> bool {
    let f = found.abs();
    f - Decimal::ONE < expected && f + Decimal::ONE > expected
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
    let tax_currency = ix.child(root, NS_CBC, "TaxCurrencyCode").map(text);
    if tax_currency.is_some() && without.len() != 1 {
        cx.report(
            rule::BR_KSA_EN16931_09,
            without.get(1).map(|n| path_of(*n)).unwrap_or_else(|| path_under(root, "cac:TaxTotal")),
            format!(
                "give exactly one cac:TaxTotal without subtotals, holding the VAT total in SAR (found {})",
                without.len()
            ),
        );
    }
    // BR-53: BT-111 present when BT-6 is present.
    let bt111 = tax_currency.and_then(|tc| {
        ix.children(root, NS_CAC, "TaxTotal").find_map(|t| {
            ix.child(t, NS_CBC, "TaxAmount")
                .filter(|a| a.attribute("currencyID") == Some(tc) && without.contains(&t))
        })
    });
    if let Some(tc) = tax_currency
        && bt111.is_none()
    {
        cx.report(
            rule::BR_53,
            path_under(root, "cac:TaxTotal/cbc:TaxAmount"),
            format!("add a cac:TaxTotal whose cbc:TaxAmount has currencyID=\"{tc}\""),
        );
    }
    // BR-CO-14: BT-110 = Σ BT-117.
    if let Some(total) = with.first().and_then(|t| ix.child(*t, NS_CBC, "TaxAmount"))
        && let Some(found) = num(Some(total))
    {
        let parts: Vec<Decimal> =
            subtotals(ix, root).iter().filter_map(|s| num(ix.child(*s, NS_CBC, "TaxAmount"))).collect();
        let sum: Decimal = parts.iter().sum();
        if round2(found) != round2(sum) {
            let terms = parts.iter().map(|d| fmt2(*d)).collect::<Vec<_>>().join(" + ");
            cx.report(
                rule::BR_CO_14,
                path_of(total),
                format!(
                    "BT-110 should be {} = {terms} (Σ VAT breakdown amounts); found {}",
                    fmt2(round2(sum)),
                    fmt2(found)
                ),
            );
        }
    }
    // BR-CO-17 on every breakdown.
    for sub in subtotals(ix, root) {
        let (Some(tax_node), Some(taxable)) =
            (ix.child(sub, NS_CBC, "TaxAmount"), num(ix.child(sub, NS_CBC, "TaxableAmount")))
        else {
            continue;
        };
        let Some(tax) = num(Some(tax_node)) else { continue };
        let rate = num(ix.at(sub, "cac:TaxCategory/cbc:Percent"));
        let ok = match rate {
            Some(r) if r.round() != Decimal::ZERO => {
                percent_of(taxable.abs(), r).is_none_or(|e| within_one(tax, e))
            }
            _ => tax.round() == Decimal::ZERO,
        };
        if !ok {
            let expected = rate.and_then(|r| percent_of(taxable, r)).unwrap_or_default();
            cx.report(
                rule::BR_CO_17,
                path_of(tax_node),
                format!(
                    "BT-117 should be {} = {} × {} / 100, rounded to 2 decimals; found {}",
                    fmt2(expected),
                    fmt2(taxable),
                    rate.map(|r| r.normalize().to_string()).unwrap_or_else(|| "0".into()),
                    fmt2(tax)
                ),
            );
        }
    }
    // BR-KSA-97: foreign currency VAT total must differ from the SAR one.
    if !cx.currency.is_empty()
        && cx.currency != "SAR"
        && let (Some(a), Some(b)) = (
            with.first().and_then(|t| num(ix.child(*t, NS_CBC, "TaxAmount"))),
            without.first().and_then(|t| num(ix.child(*t, NS_CBC, "TaxAmount"))),
        )
        && a == b
        && !a.is_zero()
    {
        cx.report(
            rule::BR_KSA_97,
            path_of(without[0]),
            format!("convert the VAT total to SAR: BT-111 = BT-110 × exchange rate (both are {})", fmt2(a)),
        );
    }
}

fn document_totals(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let Some(totals) = ix.child(root, NS_CAC, "LegalMonetaryTotal") else {
        let path = path_under(root, "cac:LegalMonetaryTotal");
        cx.report(rule::BR_13, path.clone(), "add cac:LegalMonetaryTotal with cbc:TaxExclusiveAmount".into());
        cx.report(rule::BR_14, path.clone(), "add cac:LegalMonetaryTotal with cbc:TaxInclusiveAmount".into());
        cx.report(rule::BR_15, path, "add cac:LegalMonetaryTotal with cbc:PayableAmount".into());
        return;
    };
    let get = |name: &str| ix.child(totals, NS_CBC, name);
    let val = |name: &str| num(get(name));
    for (name, rule) in [
        ("TaxExclusiveAmount", rule::BR_13),
        ("TaxInclusiveAmount", rule::BR_14),
        ("PayableAmount", rule::BR_15),
    ] {
        if get(name).is_none() {
            cx.report(rule, path_under(totals, &format!("cbc:{name}")), format!("add cbc:{name}"));
        }
    }
    let line_nets: Vec<Decimal> = ix
        .children(root, NS_CAC, "InvoiceLine")
        .filter_map(|l| num(ix.child(l, NS_CBC, "LineExtensionAmount")))
        .collect();
    let sum_lines: Decimal = line_nets.iter().sum();
    let (mut allowances, mut charges) = (Decimal::ZERO, Decimal::ZERO);
    for ac in ix.children(root, NS_CAC, "AllowanceCharge") {
        let amount = num(ix.child(ac, NS_CBC, "Amount")).unwrap_or_default();
        match super::vat::is_charge(ix, ac) {
            Some(true) => charges += amount,
            Some(false) => allowances += amount,
            None => {}
        }
    }
    if let (Some(n), Some(found)) = (get("LineExtensionAmount"), val("LineExtensionAmount"))
        && round2(found) != round2(sum_lines)
    {
        cx.report(
            rule::BR_CO_10,
            path_of(n),
            format!(
                "BT-106 should be {} = Σ of the {} line net amounts (BT-131); found {}",
                fmt2(round2(sum_lines)),
                line_nets.len(),
                fmt2(found)
            ),
        );
    }
    if let (Some(n), Some(found)) = (get("AllowanceTotalAmount"), val("AllowanceTotalAmount"))
        && round2(found) != round2(allowances)
    {
        cx.report(
            rule::BR_CO_11,
            path_of(n),
            format!(
                "BT-107 should be {} = Σ document allowance amounts; found {}",
                fmt2(round2(allowances)),
                fmt2(found)
            ),
        );
    }
    if let (Some(n), Some(found)) = (get("ChargeTotalAmount"), val("ChargeTotalAmount"))
        && round2(found) != round2(charges)
    {
        cx.report(
            rule::BR_CO_12,
            path_of(n),
            format!(
                "BT-108 should be {} = Σ document charge amounts; found {}",
                fmt2(round2(charges)),
                fmt2(found)
            ),
        );
    }
    let bt107 = val("AllowanceTotalAmount").unwrap_or_default();
    let bt108 = val("ChargeTotalAmount").unwrap_or_default();
    if let (Some(n), Some(found)) = (get("TaxExclusiveAmount"), val("TaxExclusiveAmount")) {
        let expected = round2(sum_lines - bt107 + bt108);
        if round2(found) != expected {
            cx.report(
                rule::BR_CO_13,
                path_of(n),
                format!(
                    "BT-109 should be {} = {} (Σ line net amounts) − {} (BT-107) + {} (BT-108); found {}",
                    fmt2(expected),
                    fmt2(sum_lines),
                    fmt2(bt107),
                    fmt2(bt108),
                    fmt2(found)
                ),
            );
        }
    }
    // BT-110 in document currency.
    let currency = cx.currency;
    // BT-110: the tax total in the document currency, else (currency missing or wrong) the one
    // that carries the VAT breakdown.
    let bt110 = ix
        .children(root, NS_CAC, "TaxTotal")
        .filter_map(|t| ix.child(t, NS_CBC, "TaxAmount"))
        .find(|a| a.attribute("currencyID") == Some(currency))
        .or_else(|| tax_total_split(ix, root).0.first().and_then(|t| ix.child(*t, NS_CBC, "TaxAmount")))
        .and_then(|a| num(Some(a)));
    if let (Some(n), Some(found), Some(bt109)) =
        (get("TaxInclusiveAmount"), val("TaxInclusiveAmount"), val("TaxExclusiveAmount"))
    {
        let vat = bt110.unwrap_or_default();
        let expected = round2(bt109 + vat);
        if round2(found) != expected {
            cx.report(
                rule::BR_CO_15,
                path_of(n),
                format!(
                    "BT-112 should be {} = {} (BT-109) + {} (BT-110); found {}",
                    fmt2(expected),
                    fmt2(bt109),
                    fmt2(vat),
                    fmt2(found)
                ),
            );
        }
    }
    if let (Some(n), Some(found), Some(bt112)) =
        (get("PayableAmount"), val("PayableAmount"), val("TaxInclusiveAmount"))
    {
        let prepaid = val("PrepaidAmount").unwrap_or_default();
        let rounding = val("PayableRoundingAmount").unwrap_or_default();
        let expected = round2(bt112 - prepaid + rounding);
        if round2(found) != expected {
            cx.report(
                rule::BR_CO_16,
                path_of(n),
                format!(
                    "BT-115 should be {} = {} (BT-112) − {} (BT-113) + {} (BT-114); found {}",
                    fmt2(expected),
                    fmt2(bt112),
                    fmt2(prepaid),
                    fmt2(rounding),
                    fmt2(found)
                ),
            );
        }
    }
    // BR-KSA-80: prepaid = Σ (prepayment taxable + tax).
    if let (Some(n), Some(found)) = (get("PrepaidAmount"), val("PrepaidAmount")) {
        let mut taxable = Decimal::ZERO;
        let mut tax = Decimal::ZERO;
        let mut any = false;
        for line in ix
            .children(root, NS_CAC, "InvoiceLine")
            .filter(|l| ix.child(*l, NS_CAC, "DocumentReference").is_some())
        {
            for sub in
                ix.children(line, NS_CAC, "TaxTotal").flat_map(|t| ix.children(t, NS_CAC, "TaxSubtotal"))
            {
                any = true;
                taxable += num(ix.child(sub, NS_CBC, "TaxableAmount")).unwrap_or_default();
                tax += num(ix.child(sub, NS_CBC, "TaxAmount")).unwrap_or_default();
            }
        }
        if (any || !found.is_zero()) && round2(found) != round2(taxable + tax) {
            cx.report(
                rule::BR_KSA_80,
                path_of(n),
                format!("BT-113 should be {} = {} (Σ prepayment taxable amounts) + {} (Σ prepayment VAT); found {}", fmt2(round2(taxable + tax)), fmt2(taxable), fmt2(tax), fmt2(found)),
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
        let net = num(net_node);
        // BR-KSA-51: KSA-12 = BT-131 + KSA-11.
        if let Some(tt) = ix.child(line, NS_CAC, "TaxTotal")
            && let (Some(vat), Some(with_node)) =
                (num(ix.child(tt, NS_CBC, "TaxAmount")), ix.child(tt, NS_CBC, "RoundingAmount"))
            && let (Some(with), Some(net)) = (num(Some(with_node)), net)
            && round2(with) != round2(vat + net)
        {
            cx.report(
                rule::BR_KSA_51,
                path_of(with_node),
                format!(
                    "KSA-12 should be {} = {} (BT-131) + {} (KSA-11); found {}",
                    fmt2(round2(vat + net)),
                    fmt2(net),
                    fmt2(vat),
                    fmt2(with)
                ),
            );
        }
        // BR-KSA-EN16931-11: BT-131 = qty × price / base qty + charges − allowances.
        if ix.child(line, NS_CAC, "DocumentReference").is_none()
            && let (Some(net_node), Some(net), Some(qty), Some(price)) = (
                net_node,
                net,
                num(ix.child(line, NS_CBC, "InvoicedQuantity")),
                num(ix.at(line, "cac:Price/cbc:PriceAmount")),
            )
        {
            let base = num(ix.at(line, "cac:Price/cbc:BaseQuantity"))
                .filter(|b| !b.is_zero())
                .unwrap_or(Decimal::ONE);
            let (mut allowances, mut charges) = (Decimal::ZERO, Decimal::ZERO);
            for ac in ix.children(line, NS_CAC, "AllowanceCharge") {
                let amount = num(ix.child(ac, NS_CBC, "Amount")).unwrap_or_default();
                match super::vat::is_charge(ix, ac) {
                    Some(true) => charges += amount,
                    Some(false) => allowances += amount,
                    None => {}
                }
            }
            let expected = qty
                .checked_mul(price)
                .and_then(|v| v.checked_div(base))
                .map(|v| round2(v + charges - allowances));
            if let Some(expected) = expected
                && round2(net) != expected
            {
                cx.report(
                    rule::BR_KSA_EN16931_11,
                    path_of(net_node),
                    format!(
                        "BT-131 should be {} = {} × {} / {} + {} − {}; found {}",
                        fmt2(expected),
                        qty.normalize(),
                        fmt2(price),
                        base.normalize(),
                        fmt2(charges),
                        fmt2(allowances),
                        fmt2(net)
                    ),
                );
            }
        }
        // BR-KSA-EN16931-07: net price = gross price − price discount.
        if let Some(price) = ix.child(line, NS_CAC, "Price")
            && let Some(ac) = ix.child(price, NS_CAC, "AllowanceCharge")
            && let Some(gross) = num(ix.child(ac, NS_CBC, "BaseAmount"))
            && let Some(net_price) = num(ix.child(price, NS_CBC, "PriceAmount"))
        {
            let discount = num(ix.child(ac, NS_CBC, "Amount")).unwrap_or_default();
            if net_price != gross - discount {
                cx.report(
                    rule::BR_KSA_EN16931_07,
                    path_under(price, "cbc:PriceAmount"),
                    format!(
                        "BT-146 should be {} = {} (gross price) − {} (price discount); found {}",
                        fmt2(gross - discount),
                        fmt2(gross),
                        fmt2(discount),
                        fmt2(net_price)
                    ),
                );
            }
        }
    }
}

fn allowance_charge_amounts(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let nodes: Vec<Node<'_, '_>> = cx
        .elements
        .iter()
        .copied()
        .filter(|n| {
            ix.is(*n, NS_CAC, "AllowanceCharge") && !n.parent().is_some_and(|p| ix.is(p, NS_CAC, "Price"))
        })
        .collect();
    for ac in nodes {
        let amount = num(ix.child(ac, NS_CBC, "Amount"));
        let base = ix.child(ac, NS_CBC, "BaseAmount");
        let percent = ix.child(ac, NS_CBC, "MultiplierFactorNumeric");
        match (base, percent) {
            (Some(b), Some(p)) => {
                if let (Some(a), Some(bv), Some(pv)) = (amount, num(Some(b)), num(Some(p)))
                    && let Some(expected) = percent_of(bv, pv)
                    && round2(a) != expected
                {
                    cx.report(
                        rule::BR_KSA_EN16931_03,
                        path_under(ac, "cbc:Amount"),
                        format!(
                            "the amount should be {} = {} × {} / 100; found {}",
                            fmt2(expected),
                            fmt2(bv),
                            pv.normalize(),
                            fmt2(a)
                        ),
                    );
                }
            }
            (None, Some(p)) => cx.report(
                rule::BR_KSA_EN16931_04,
                path_of(p),
                "add cbc:BaseAmount, the amount the percentage applies to".into(),
            ),
            (Some(b), None) => cx.report(
                rule::BR_KSA_EN16931_05,
                path_of(b),
                "add cbc:MultiplierFactorNumeric, the percentage applied to the base amount".into(),
            ),
            (None, None) => {}
        }
        // BR-KSA-DEC-01: allowance percentages.
        if let Some(p) = percent
            && super::vat::is_charge(ix, ac) == Some(false)
        {
            let t = text(p);
            if !(decimal(t).is_some_and(|d| d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED)
                && fraction_digits(t) <= 2)
            {
                cx.report(rule::BR_KSA_DEC_01, path_of(p), format!("write the percentage from 0.00 to 100.00 with at most 2 decimals, without % (found \"{t}\")"));
            }
        }
    }
}

fn decimals(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let check = |cx: &mut Cx<'_, '_>, node: Option<Node<'_, '_>>, rule: &'static RuleInfo| {
        if let Some(n) = node
            && fraction_digits(text(n)) > 2
        {
            let rounded = decimal(text(n)).map(|d| fmt2(round2(d))).unwrap_or_default();
            cx.report(rule, path_of(n), format!("round to 2 decimals: {} → {rounded}", text(n)));
        }
    };
    if let Some(t) = ix.child(root, NS_CAC, "LegalMonetaryTotal") {
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
    let (with, without) = tax_total_split(ix, root);
    for t in with {
        check(cx, ix.child(t, NS_CBC, "TaxAmount"), rule::BR_DEC_13);
    }
    for t in without {
        check(cx, ix.child(t, NS_CBC, "TaxAmount"), rule::BR_DEC_15);
    }
    for sub in subtotals(ix, root) {
        check(cx, ix.child(sub, NS_CBC, "TaxableAmount"), rule::BR_DEC_19);
        check(cx, ix.child(sub, NS_CBC, "TaxAmount"), rule::BR_DEC_20);
    }
    for ac in ix.children(root, NS_CAC, "AllowanceCharge") {
        let charge = super::vat::is_charge(ix, ac) == Some(true);
        check(cx, ix.child(ac, NS_CBC, "Amount"), if charge { rule::BR_DEC_05 } else { rule::BR_DEC_01 });
        check(cx, ix.child(ac, NS_CBC, "BaseAmount"), if charge { rule::BR_DEC_06 } else { rule::BR_DEC_02 });
    }
    for line in ix.children(root, NS_CAC, "InvoiceLine") {
        check(cx, ix.child(line, NS_CBC, "LineExtensionAmount"), rule::BR_DEC_23);
        for ac in ix.children(line, NS_CAC, "AllowanceCharge") {
            let charge = super::vat::is_charge(ix, ac) == Some(true);
            check(cx, ix.child(ac, NS_CBC, "Amount"), if charge { rule::BR_DEC_27 } else { rule::BR_DEC_24 });
            check(
                cx,
                ix.child(ac, NS_CBC, "BaseAmount"),
                if charge { rule::BR_DEC_28 } else { rule::BR_DEC_25 },
            );
        }
        for tt in ix.children(line, NS_CAC, "TaxTotal") {
            check(cx, ix.child(tt, NS_CBC, "TaxAmount"), rule::BR_KSA_DEC_03);
            check(cx, ix.child(tt, NS_CBC, "RoundingAmount"), rule::BR_KSA_DEC_04);
            if ix.child(line, NS_CAC, "DocumentReference").is_some() {
                for sub in ix.children(tt, NS_CAC, "TaxSubtotal") {
                    check(cx, ix.child(sub, NS_CBC, "TaxableAmount"), rule::BR_KSA_DEC_06);
                    check(cx, ix.child(sub, NS_CBC, "TaxAmount"), rule::BR_KSA_DEC_06);
                }
            }
        }
    }
}

/// BR-KSA-F-04: amounts and quantities are not negative, except the rounding amount (BT-114)
/// and the quantities of credit notes (ZATCA states amounts positive in notes too).
fn negatives(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let nodes: Vec<Node<'_, '_>> = cx
        .elements
        .iter()
        .copied()
        .filter(|n| {
            ix.in_ns(*n, NS_CBC)
                && (n.has_attribute("currencyID") || ix.local(*n).ends_with("Quantity"))
                && ix.local(*n) != "PayableRoundingAmount"
        })
        .collect();
    for n in nodes {
        if let Some(d) = decimal(text(n))
            && d.is_sign_negative()
            && !d.is_zero()
        {
            cx.report(
                rule::BR_KSA_F_04,
                path_of(n),
                format!(
                    "write {} as a positive value; the document type (credit note) carries the sign",
                    text(n)
                ),
            );
        }
    }
}
