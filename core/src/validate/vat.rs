//! VAT categories S, Z, E, O: codes, rates, breakdowns, exemption reasons.
//!
//! Each rule follows the condition of ZATCA's R3.4.8 Schematron: the same contexts (most filter
//! the categories by `cac:TaxScheme/cbc:ID` = VAT, some do not), the same sums (exact decimals)
//! and the same treatment of absent values.

use super::arith::{chars_raw, dbl, dec, eq_zero, frac_len, is_false, is_true, norm, xtrim};
use super::index::{Anywhere, Index};
use super::xpath::{normalized_eq, upper_normalized_eq};
use super::{Cx, path_of, path_under, rule};
use crate::model::VatCategory;
use crate::model::vatex;
use crate::xml::Node;
use crate::xml::{NS_CAC, NS_CBC};
use rust_decimal::Decimal;

/// Whether an allowance/charge is a charge (`Some(true)`), an allowance (`Some(false)`) or
/// neither (indicator absent or not a boolean).
pub(super) fn is_charge(ix: &Index<'_, '_>, ac: Node<'_, '_>) -> Option<bool> {
    if is_true(ix, ac) {
        Some(true)
    } else if is_false(ix, ac) {
        Some(false)
    } else {
        None
    }
}

/// The VAT breakdowns: `cac:TaxTotal/cac:TaxSubtotal` at document level.
pub(super) fn subtotals<'a, 'i>(ix: &Index<'a, 'i>, root: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    ix.children(root, NS_CAC, "TaxTotal").flat_map(|t| ix.children(t, NS_CAC, "TaxSubtotal")).collect()
}

/// The category code of a tax category, whitespace-normalised ("" when absent).
pub(super) fn code_of(ix: &Index<'_, '_>, cat: Node<'_, '_>) -> String {
    ix.child(cat, NS_CBC, "ID").map(|n| norm(&ix.sv(n)).into_owned()).unwrap_or_default()
}

/// `normalize-space(cbc:ID) = code` for a tax category (an absent ID is "").
fn code_is(ix: &Index<'_, '_>, cat: Node<'_, '_>, code: &str) -> bool {
    match ix.child(cat, NS_CBC, "ID") {
        Some(n) => normalized_eq(&ix.sv(n), code),
        None => code.is_empty(),
    }
}

/// Whether the category is one of the VAT scheme (`cac:TaxScheme/cbc:ID`, any case, = VAT).
pub(super) fn is_vat(ix: &Index<'_, '_>, cat: Node<'_, '_>) -> bool {
    ix.children(cat, NS_CAC, "TaxScheme")
        .any(|s| ix.child(s, NS_CBC, "ID").is_some_and(|id| upper_normalized_eq(&ix.sv(id), "VAT")))
}

/// Whether the category has an ID child whose normalised value is `code`.
fn has_code(ix: &Index<'_, '_>, cat: Node<'_, '_>, code: &str) -> bool {
    ix.children(cat, NS_CBC, "ID").any(|id| normalized_eq(&ix.sv(id), code))
}

/// A VAT category (of the VAT scheme) with an ID `code`.
fn vat_cat(ix: &Index<'_, '_>, cat: Node<'_, '_>, code: &str) -> bool {
    is_vat(ix, cat) && has_code(ix, cat, code)
}

pub(super) fn check(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let subtotals = subtotals(ix, root);
    category_ids(cx);
    percents(cx);
    standard_rates(cx);
    rates(cx);
    presence(cx, &subtotals);
    breakdowns(cx, &subtotals);
    exemptions(cx, &subtotals);
}

/// Every `cbc:ID` of the tax categories at the four places ZATCA checks (BR-CL-18, BR-KSA-18).
fn category_id_nodes<'a, 'i>(ix: &Index<'a, 'i>, root: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    let mut cats = Vec::new();
    for t in ix.children(root, NS_CAC, "TaxTotal") {
        for s in ix.children(t, NS_CAC, "TaxSubtotal") {
            cats.extend(ix.children(s, NS_CAC, "TaxCategory"));
        }
    }
    for line in ix.children(root, NS_CAC, "InvoiceLine") {
        for t in ix.children(line, NS_CAC, "TaxTotal") {
            for s in ix.children(t, NS_CAC, "TaxSubtotal") {
                cats.extend(ix.children(s, NS_CAC, "TaxCategory"));
            }
        }
    }
    for ac in ix.children(root, NS_CAC, "AllowanceCharge") {
        cats.extend(ix.children(ac, NS_CAC, "TaxCategory"));
    }
    for line in ix.children(root, NS_CAC, "InvoiceLine") {
        for item in ix.children(line, NS_CAC, "Item") {
            cats.extend(ix.children(item, NS_CAC, "ClassifiedTaxCategory"));
        }
    }
    cats.into_iter().flat_map(|c| ix.children(c, NS_CBC, "ID").collect::<Vec<_>>()).collect()
}

const UNCL_5305: [&str; 10] = ["AE", "E", "S", "Z", "G", "O", "K", "L", "M", "B"];

fn category_ids(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    for id in category_id_nodes(ix, cx.root) {
        let raw = ix.sv(id);
        let code = norm(&raw);
        if !UNCL_5305.contains(&code.as_ref()) {
            cx.report(rule::BR_CL_18, path_of(id), format!("\"{code}\" is not a UNCL 5305 VAT category"));
        }
        // ZATCA looks the raw value up in " S Z E O " (so an empty code passes).
        if !" S Z E O ".contains(raw.as_ref()) {
            cx.report(
                rule::BR_KSA_18,
                path_of(id),
                format!("use S (standard), Z (zero-rated), E (exempt) or O (out of scope), not \"{raw}\""),
            );
        }
    }
}

/// BR-KSA-DEC-02: the rates of allowances, charges, breakdowns and lines.
fn percents(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let parent_is = |n: Node<'_, '_>, local: &str| n.parent().is_some_and(|p| ix.is(p, NS_CAC, local));
    let nodes: Vec<Node<'_, '_>> = ix
        .anywhere(Anywhere::Percent)
        .filter(|n| {
            let Some(cat) = n.parent() else { return false };
            (ix.is(cat, NS_CAC, "TaxCategory")
                && (parent_is(cat, "AllowanceCharge")
                    || (parent_is(cat, "TaxSubtotal")
                        && cat.parent().is_some_and(|s| parent_is(s, "TaxTotal")))))
                || (ix.is(cat, NS_CAC, "ClassifiedTaxCategory")
                    && parent_is(cat, "Item")
                    && cat.parent().is_some_and(|i| parent_is(i, "InvoiceLine")))
        })
        .collect();
    for p in nodes {
        let raw = ix.sv(p);
        if norm(&raw).is_empty() {
            continue;
        }
        let ok = super::decimal(xtrim(&raw)).is_some_and(|d| d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED)
            && frac_len(&raw) <= 2
            && raw != "%";
        if !ok {
            cx.report(rule::BR_KSA_DEC_02, path_of(p), format!("write the rate as a number from 0.00 to 100.00 with at most 2 decimals, without % (found \"{raw}\")"));
        }
    }
}

/// BR-KSA-84: the standard rate is 15 or 5. ZATCA accepts any rate whose integer part is 15
/// (15.5 passes) and exactly 5.
fn standard_rates(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let mut cats = Vec::new();
    for ac in ix.children(root, NS_CAC, "AllowanceCharge") {
        cats.extend(ix.children(ac, NS_CAC, "TaxCategory").filter(|c| vat_cat(ix, *c, "S")));
    }
    for s in subtotals(ix, root) {
        cats.extend(ix.children(s, NS_CAC, "TaxCategory").filter(|c| vat_cat(ix, *c, "S")));
    }
    let mut line_ac = false;
    for line in ix.children(root, NS_CAC, "InvoiceLine") {
        for item in ix.children(line, NS_CAC, "Item") {
            cats.extend(ix.children(item, NS_CAC, "ClassifiedTaxCategory").filter(|c| vat_cat(ix, *c, "S")));
        }
        for t in ix.children(line, NS_CAC, "TaxTotal") {
            for s in ix.children(t, NS_CAC, "TaxSubtotal") {
                cats.extend(ix.children(s, NS_CAC, "TaxCategory").filter(|c| vat_cat(ix, *c, "S")));
            }
        }
        line_ac |= ix.children(line, NS_CAC, "AllowanceCharge").any(|ac| {
            is_charge(ix, ac).is_some() && ix.children(ac, NS_CAC, "TaxCategory").any(|c| vat_cat(ix, c, "S"))
        });
    }
    if cats.is_empty() && !line_ac {
        return;
    }
    for cat in cats {
        let Some(p) = ix.child(cat, NS_CBC, "Percent") else { continue };
        if let Some(d) = dbl(&ix.sv(p))
            && d.floor() != 15.0
            && d != 5.0
        {
            cx.report(
                rule::BR_KSA_84,
                path_of(p),
                format!("the standard rate is 15 (or 5 for the transitional rate), not {}", xtrim(&ix.sv(p))),
            );
        }
    }
}

fn rate_path(ix: &Index<'_, '_>, cat: Node<'_, '_>) -> String {
    ix.child(cat, NS_CBC, "Percent").map(path_of).unwrap_or_else(|| path_under(cat, "cbc:Percent"))
}

/// The rate of a category as xs:double (`None` when absent or not a number).
fn rate_dbl(ix: &Index<'_, '_>, cat: Node<'_, '_>) -> Option<f64> {
    ix.child(cat, NS_CBC, "Percent").and_then(|p| dbl(&ix.sv(p)))
}

/// The rate of a category as xs:decimal.
fn rate_dec(ix: &Index<'_, '_>, cat: Node<'_, '_>) -> Option<Decimal> {
    dec(ix, ix.child(cat, NS_CBC, "Percent"))
}

/// Rates of lines, allowances and charges per category; BR-CO-04.
fn rates(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let positive = |cat: Node<'_, '_>| rate_dbl(ix, cat).is_some_and(|r| r > 0.0);
    let zero = |cat: Node<'_, '_>| rate_dec(ix, cat).is_some_and(|r| r.is_zero());
    let nonzero_o = |cat: Node<'_, '_>| rate_dbl(ix, cat).is_some_and(|r| !r.is_nan() && !eq_zero(r));
    let lines: Vec<Node<'_, '_>> = ix.children(root, NS_CAC, "InvoiceLine").collect();
    for line in lines {
        let cats: Vec<Node<'_, '_>> = ix
            .children(line, NS_CAC, "Item")
            .flat_map(|i| ix.children(i, NS_CAC, "ClassifiedTaxCategory").collect::<Vec<_>>())
            .collect();
        if !cats.iter().any(|c| is_vat(ix, *c) && ix.child(*c, NS_CBC, "ID").is_some()) {
            cx.report(
                rule::BR_CO_04,
                path_under(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
                "give the line's VAT category (S, Z, E or O) in a category of the VAT scheme".into(),
            );
        }
        for cat in cats {
            let facts = category_facts(ix, cat);
            if facts.vat[0] && !positive(cat) {
                cx.report(rule::BR_S_05, rate_path(ix, cat), "give the line's standard rate, 15".into());
            }
            if facts.vat[1] && !zero(cat) {
                cx.report(rule::BR_Z_05, rate_path(ix, cat), "set the rate of a zero-rated line to 0".into());
            }
            if facts.vat[2] && !zero(cat) {
                cx.report(rule::BR_E_05, rate_path(ix, cat), "set the rate of an exempt line to 0".into());
            }
            if facts.code == Some(3) && nonzero_o(cat) {
                cx.report(
                    rule::BR_KSA_11,
                    rate_path(ix, cat),
                    "set the rate of an out-of-scope line to 0 or leave it out".into(),
                );
            }
        }
    }
    // Allowances and charges anywhere (document, line, price).
    let acs: Vec<Node<'_, '_>> = ix.anywhere(Anywhere::AllowanceCharge).collect();
    for ac in acs {
        let (charge, allowance) = (is_true(ix, ac), is_false(ix, ac));
        let at_root = ac.parent() == Some(root);
        for cat in ix.children(ac, NS_CAC, "TaxCategory") {
            if vat_cat(ix, cat, "S") {
                if allowance && !positive(cat) {
                    cx.report(
                        rule::BR_S_06,
                        rate_path(ix, cat),
                        "give the allowance's standard rate, 15".into(),
                    );
                }
                if charge && !positive(cat) {
                    cx.report(
                        rule::BR_S_07,
                        rate_path(ix, cat),
                        "give the charge's standard rate, 15".into(),
                    );
                }
            }
            if allowance && vat_cat(ix, cat, "Z") && !zero(cat) {
                cx.report(
                    rule::BR_Z_06,
                    rate_path(ix, cat),
                    "set the rate of a zero-rated allowance to 0".into(),
                );
            }
            if allowance && vat_cat(ix, cat, "E") && !zero(cat) {
                cx.report(
                    rule::BR_E_06,
                    rate_path(ix, cat),
                    "set the rate of an exempt allowance to 0".into(),
                );
            }
            if at_root && code_is(ix, cat, "O") && nonzero_o(cat) {
                if allowance {
                    cx.report(
                        rule::BR_KSA_12,
                        rate_path(ix, cat),
                        "set the rate of an out-of-scope allowance to 0 or leave it out".into(),
                    );
                }
                if charge {
                    cx.report(
                        rule::BR_KSA_13,
                        rate_path(ix, cat),
                        "set the rate of an out-of-scope charge to 0 or leave it out".into(),
                    );
                }
            }
        }
    }
    // BR-Z-07, BR-E-07: a zero-rated (exempt) document charge, and no document-level
    // allowance or charge category has the rate 0.
    let root_cats: Vec<(Node<'_, '_>, bool)> = ix
        .children(root, NS_CAC, "AllowanceCharge")
        .flat_map(|ac| {
            let charge = is_true(ix, ac);
            ix.children(ac, NS_CAC, "TaxCategory").map(move |c| (c, charge)).collect::<Vec<_>>()
        })
        .collect();
    let any_zero = root_cats
        .iter()
        .any(|(c, _)| ix.children(*c, NS_CBC, "Percent").any(|p| dbl(&ix.sv(p)).is_some_and(eq_zero)));
    for (code, id, fix) in [
        ("Z", rule::BR_Z_07, "set the rate of a zero-rated charge to 0"),
        ("E", rule::BR_E_07, "set the rate of an exempt charge to 0"),
    ] {
        if let Some((cat, _)) = root_cats.iter().find(|(c, charge)| *charge && vat_cat(ix, *c, code))
            && !any_zero
        {
            cx.report(id, rate_path(ix, *cat), fix.into());
        }
    }
}

/// BR-CO-18 and BR-S/Z/E/O-01: a breakdown for each category used.
fn presence(cx: &mut Cx<'_, '_>, subtotals: &[Node<'_, '_>]) {
    let ix = cx.ix;
    let root = cx.root;
    if subtotals.is_empty() {
        cx.report(
            rule::BR_CO_18,
            path_under(root, "cac:TaxTotal/cac:TaxSubtotal"),
            "add a VAT breakdown (cac:TaxSubtotal) per VAT category and rate".into(),
        );
    }
    // Only asked whether any is of a category: the order does not matter.
    let used: Vec<Node<'_, '_>> = ix
        .anywhere(Anywhere::TaxCategory)
        .filter(|n| n.parent().is_some_and(|p| ix.is(p, NS_CAC, "AllowanceCharge")))
        .chain(ix.anywhere(Anywhere::ClassifiedTaxCategory))
        .collect();
    for (cat, id) in [("S", rule::BR_S_01), ("Z", rule::BR_Z_01), ("E", rule::BR_E_01), ("O", rule::BR_O_01)]
    {
        let is_used = used.iter().any(|c| vat_cat(ix, *c, cat));
        let present =
            subtotals.iter().any(|s| ix.children(*s, NS_CAC, "TaxCategory").any(|c| vat_cat(ix, c, cat)));
        if is_used && !present {
            cx.report(
                id,
                path_under(root, "cac:TaxTotal/cac:TaxSubtotal"),
                format!("add a VAT breakdown with category {cat}"),
            );
        }
    }
}

/// Σ line net amounts + Σ charges − Σ allowances of a category at document level (categories
/// matched by code only), and whether a line or an allowance/charge of the VAT scheme uses it.
/// Σ line net amounts, Σ charges, Σ allowances of one category, and whether any element uses it.
type CategoryBase = (Decimal, Decimal, Decimal, bool);

/// The four category codes the breakdown rules sum over.
const CODES: [&str; 4] = ["S", "Z", "E", "O"];

/// What the breakdown rules need of one category: its first ID normalised (categories matched
/// by code only) and the codes it carries within the VAT scheme.
struct CategoryFacts {
    /// Which of [`CODES`] `normalize-space(cbc:ID)` is.
    code: Option<usize>,
    /// Which of [`CODES`] a VAT-scheme category carries among its IDs.
    vat: [bool; 4],
}

fn category_facts(ix: &Index<'_, '_>, cat: Node<'_, '_>) -> CategoryFacts {
    let first = ix.child(cat, NS_CBC, "ID").map(|n| ix.sv(n));
    let code = first.and_then(|id| CODES.iter().position(|c| normalized_eq(&id, c)));
    let mut vat = [false; 4];
    if is_vat(ix, cat) {
        for id in ix.children(cat, NS_CBC, "ID") {
            let id = ix.sv(id);
            for (carried, c) in vat.iter_mut().zip(CODES) {
                *carried |= normalized_eq(&id, c);
            }
        }
    }
    CategoryFacts { code, vat }
}

/// [`CategoryBase`] of each of [`CODES`], in one pass over the lines and allowances/charges.
fn category_bases(ix: &Index<'_, '_>, root: Node<'_, '_>) -> [CategoryBase; 4] {
    let mut bases = [(Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, false); 4];
    for line in ix.children(root, NS_CAC, "InvoiceLine") {
        let mut counted = [false; 4];
        for cat in
            ix.children(line, NS_CAC, "Item").flat_map(|i| ix.children(i, NS_CAC, "ClassifiedTaxCategory"))
        {
            let facts = category_facts(ix, cat);
            if let Some(k) = facts.code {
                counted[k] = true;
            }
            for (base, used) in bases.iter_mut().zip(facts.vat) {
                base.3 |= used;
            }
        }
        if counted.contains(&true) {
            let net = dec(ix, ix.child(line, NS_CBC, "LineExtensionAmount")).unwrap_or_default();
            for (base, _) in bases.iter_mut().zip(counted).filter(|(_, c)| *c) {
                base.0 += net;
            }
        }
    }
    for ac in ix.children(root, NS_CAC, "AllowanceCharge") {
        let mut counted = [false; 4];
        for cat in ix.children(ac, NS_CAC, "TaxCategory") {
            let facts = category_facts(ix, cat);
            if let Some(k) = facts.code {
                counted[k] = true;
            }
            for (base, used) in bases.iter_mut().zip(facts.vat) {
                base.3 |= used;
            }
        }
        if !counted.contains(&true) {
            continue;
        }
        let amount = dec(ix, ix.child(ac, NS_CBC, "Amount")).unwrap_or_default();
        let (charge, allowance) = (is_true(ix, ac), is_false(ix, ac));
        for (base, _) in bases.iter_mut().zip(counted).filter(|(_, c)| *c) {
            if charge {
                base.1 += amount;
            }
            if allowance {
                base.2 += amount;
            }
        }
    }
    bases
}

/// XPath `round(x, 2)`-free helpers for BR-CO-17 / BR-S-09: ZATCA computes in xs:double.
pub(super) fn tax_check(
    ix: &Index<'_, '_>,
    root: Node<'_, '_>,
    sub: Node<'_, '_>,
    cat: Option<Node<'_, '_>>,
) -> bool {
    let tax = ix.child(sub, NS_CBC, "TaxAmount").and_then(|n| dbl(&ix.sv(n)));
    let taxable = ix.child(sub, NS_CBC, "TaxableAmount").and_then(|n| dbl(&ix.sv(n)));
    let rate = cat.and_then(|c| rate_dbl(ix, c));
    let lines = ix.children(root, NS_CAC, "InvoiceLine").count();
    super::arith::within_tolerance(tax, taxable, rate, lines)
}

fn breakdowns(cx: &mut Cx<'_, '_>, subtotals: &[Node<'_, '_>]) {
    let ix = cx.ix;
    let root = cx.root;
    let bases = category_bases(ix, root);
    let base = |c: &str| CODES.iter().position(|k| *k == c).map(|k| bases[k]).expect("category");
    // BR-S-10 looks for a breakdown ID whose text is exactly "S".
    let any_s_text = subtotals.iter().any(|s| {
        ix.children(*s, NS_CAC, "TaxCategory").any(|c| {
            ix.children(c, NS_CBC, "ID").any(|id| id.children().any(|t| t.is_text() && t.text() == Some("S")))
        })
    });
    for &sub in subtotals {
        let taxable_node = ix.child(sub, NS_CBC, "TaxableAmount");
        let tax_node = ix.child(sub, NS_CBC, "TaxAmount");
        let vat_cats: Vec<Node<'_, '_>> =
            ix.children(sub, NS_CAC, "TaxCategory").filter(|c| is_vat(ix, *c)).collect();
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
        if !vat_cats.iter().any(|c| ix.child(*c, NS_CBC, "ID").is_some()) {
            cx.report(
                rule::BR_47,
                path_under(sub, "cac:TaxCategory/cbc:ID"),
                "give the VAT category of this breakdown (in a category of the VAT scheme)".into(),
            );
        }
        if !vat_cats.iter().any(|c| ix.child(*c, NS_CBC, "Percent").is_some() || code_is(ix, *c, "O")) {
            cx.report(
                rule::BR_48,
                path_under(sub, "cac:TaxCategory/cbc:Percent"),
                "give the VAT rate of this breakdown".into(),
            );
        }
        let taxable_path =
            || taxable_node.map(path_of).unwrap_or_else(|| path_under(sub, "cbc:TaxableAmount"));
        let tax_path = || tax_node.map(path_of).unwrap_or_else(|| path_under(sub, "cbc:TaxAmount"));
        for cat in vat_cats {
            let code = code_of(ix, cat);
            let (rule_08, rule_09) = match code.as_str() {
                "S" => (rule::BR_S_08, None),
                "Z" => (rule::BR_Z_08, Some(rule::BR_Z_09)),
                "E" => (rule::BR_E_08, Some(rule::BR_E_09)),
                "O" => (rule::BR_O_08, Some(rule::BR_O_09)),
                _ => continue,
            };
            let (lines, charges, allowances, used) = base(&code);
            let expected = lines + charges - allowances;
            // For S, ZATCA sums the taxable amounts of every S breakdown of this tax total.
            let found = if code == "S" {
                let total = sub.parent().expect("tax total");
                Some(
                    ix.children(total, NS_CAC, "TaxSubtotal")
                        .filter(|s| ix.children(*s, NS_CAC, "TaxCategory").any(|c| code_is(ix, c, "S")))
                        .filter_map(|s| dec(ix, ix.child(s, NS_CBC, "TaxableAmount")))
                        .sum::<Decimal>(),
                )
            } else {
                dec(ix, taxable_node)
            };
            if !used || found != Some(expected) {
                let fix = if used {
                    format!(
                        "BT-116 should be {} = {} (Σ line net amounts) − {} (allowances) + {} (charges) for category {code}{}; found {}",
                        expected.normalize(),
                        lines.normalize(),
                        allowances.normalize(),
                        charges.normalize(),
                        if code == "S" { " (all its breakdowns together)" } else { "" },
                        found.map(|f| f.normalize().to_string()).unwrap_or_else(|| "nothing".into())
                    )
                } else {
                    format!("no line, allowance or charge has category {code}: remove this breakdown")
                };
                cx.report(rule_08, taxable_path(), fix);
            }
            match rule_09 {
                None => {
                    let blank = ix.child(cat, NS_CBC, "Percent").is_none_or(|p| norm(&ix.sv(p)).is_empty());
                    if blank || !tax_check(ix, root, sub, Some(cat)) {
                        cx.report(
                            rule::BR_S_09,
                            tax_path(),
                            "BT-117 should be BT-116 × BT-119 / 100, rounded to 2 decimals (ZATCA tolerates 0.01 per invoice line)".into(),
                        );
                    }
                    if any_s_text
                        && (ix.child(cat, NS_CBC, "TaxExemptionReason").is_some()
                            || ix.child(cat, NS_CBC, "TaxExemptionReasonCode").is_some())
                    {
                        let reason = ix
                            .child(cat, NS_CBC, "TaxExemptionReasonCode")
                            .or_else(|| ix.child(cat, NS_CBC, "TaxExemptionReason"))
                            .expect("reason");
                        cx.report(
                            rule::BR_S_10,
                            path_of(reason),
                            "remove the exemption reason code and text from the standard-rated breakdown"
                                .into(),
                        );
                    }
                }
                Some(id) => {
                    if dec(ix, tax_node) != Some(Decimal::ZERO) {
                        cx.report(id, tax_path(), format!("the VAT of category {code} is 0.00"));
                    }
                }
            }
        }
    }
}

/// Exemption reasons of the Z, E and O breakdowns (categories matched by code only).
fn exemptions(cx: &mut Cx<'_, '_>, subtotals: &[Node<'_, '_>]) {
    let ix = cx.ix;
    for &sub in subtotals {
        for cat in ix.children(sub, NS_CAC, "TaxCategory") {
            let code = code_of(ix, cat);
            let (category, presence_rule) = match code.as_str() {
                "Z" => (VatCategory::ZeroRated, rule::BR_KSA_69),
                "E" => (VatCategory::Exempt, rule::BR_KSA_23),
                "O" => (VatCategory::OutOfScope, rule::BR_KSA_24),
                _ => continue,
            };
            let codes = vatex::codes_for(category).join(", ");
            let reason_code = ix.child(cat, NS_CBC, "TaxExemptionReasonCode");
            let reason = ix.child(cat, NS_CBC, "TaxExemptionReason");
            let rc = reason_code.map(|n| norm(&ix.sv(n)).into_owned()).unwrap_or_default();
            if rc.is_empty() {
                cx.report(
                    presence_rule,
                    path_under(cat, "cbc:TaxExemptionReasonCode"),
                    format!("add the reason code: one of {codes}"),
                );
            } else if rc.contains(' ') || vatex::category_of(&rc) != Some(category) {
                cx.report(
                    rule::BR_KSA_CL_04,
                    path_of(reason_code.expect("code")),
                    format!("\"{rc}\" is not a reason code of category {code}; use one of {codes}"),
                );
            }
            if reason_code.is_some() && reason.is_none_or(|r| norm(&ix.sv(r)).is_empty()) {
                let hint = vatex::default_text(&rc).map(|t| format!(": \"{t}\"")).unwrap_or_default();
                cx.report(
                    rule::BR_KSA_83,
                    reason.map(path_of).unwrap_or_else(|| path_under(cat, "cbc:TaxExemptionReason")),
                    format!("add the reason text of §11.2.4{hint}"),
                );
            }
            // ZATCA's rule for VATEX-SA-EDU/-HEA (BR-KSA-49) takes these categories over.
            let edu_hea = ix
                .children(cat, NS_CBC, "TaxExemptionReasonCode")
                .any(|n| matches!(ix.sv(n).as_ref(), "VATEX-SA-EDU" | "VATEX-SA-HEA"));
            if let Some(r) = reason
                && !edu_hea
            {
                let n = chars_raw(&ix.sv(r));
                if n > 1000 {
                    cx.report(
                        rule::BR_KSA_F_06_C16,
                        path_of(r),
                        format!("shorten the reason text to 1000 characters (it has {n})"),
                    );
                } else if n < 1 {
                    cx.report(
                        rule::BR_KSA_F_06_C16,
                        path_of(r),
                        "the reason text must have at least 1 character".into(),
                    );
                }
            }
        }
    }
}
