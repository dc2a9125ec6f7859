//! Invoice lines, allowances and charges, and prepayment lines.

use super::vat::is_charge;
use super::{Cx, RuleInfo, chars, fmt2, num, path_of, path_under, round2, rule, text};
use crate::model::VatCategory;
use crate::model::vatex;
use crate::xml::{NS_CAC, NS_CBC};
use roxmltree::Node;
use rust_decimal::Decimal;

pub(super) fn check(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let lines: Vec<Node<'_, '_>> = ix.children(root, NS_CAC, "InvoiceLine").collect();
    if lines.is_empty() {
        cx.report(
            rule::BR_16,
            path_under(root, "cac:InvoiceLine"),
            "add at least one cac:InvoiceLine".into(),
        );
    }
    for &line in &lines {
        line_fields(cx, line);
        if ix.child(line, NS_CAC, "DocumentReference").is_some() {
            prepayment_line(cx, line);
        }
    }
    for ac in ix.children(root, NS_CAC, "AllowanceCharge") {
        document_allowance_charge(cx, ac);
    }
    for &line in &lines {
        for ac in ix.children(line, NS_CAC, "AllowanceCharge") {
            line_allowance_charge(cx, ac);
        }
        if let Some(ac) = ix.at(line, "cac:Price/cac:AllowanceCharge")
            && is_charge(ix, ac) != Some(false)
        {
            cx.report(
                rule::BR_KSA_EN16931_06,
                path_under(ac, "cbc:ChargeIndicator"),
                "a price may only carry a discount: set cbc:ChargeIndicator to false".into(),
            );
        }
    }
    prepaid_amount_needs_lines(cx, &lines);
}

fn length(cx: &mut Cx<'_, '_>, node: Option<Node<'_, '_>>, rule: &'static RuleInfo, min: usize, max: usize) {
    if let Some(n) = node {
        let len = chars(text(n));
        if len < min || len > max {
            cx.report(
                rule,
                path_of(n),
                format!(
                    "give {min} to {max} characters (found {len}: \"{}\")",
                    text(n).chars().take(40).collect::<String>()
                ),
            );
        }
    }
}

fn line_fields(cx: &mut Cx<'_, '_>, line: Node<'_, '_>) {
    let ix = cx.ix;
    let id = ix.child(line, NS_CBC, "ID");
    match id {
        None => cx.report(
            rule::BR_21,
            path_under(line, "cbc:ID"),
            "give the line number in cbc:ID, e.g. 1".into(),
        ),
        Some(n) => {
            let len = chars(text(n));
            if !(1..=6).contains(&len) {
                cx.report(
                    rule::BR_KSA_F_06_C17,
                    path_of(n),
                    format!("the line identifier has {len} characters; give 1 to 6, e.g. the line number"),
                );
            }
        }
    }
    let qty = ix.child(line, NS_CBC, "InvoicedQuantity");
    if qty.is_none() {
        cx.report(rule::BR_22, path_under(line, "cbc:InvoicedQuantity"), "give the quantity with its unit, e.g. <cbc:InvoicedQuantity unitCode=\"PCE\">1</cbc:InvoicedQuantity>".into());
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
    let name = ix.at(line, "cac:Item/cbc:Name");
    match name {
        Some(n) if !text(n).is_empty() => length(cx, Some(n), rule::BR_KSA_F_06_C19, 3, 1000),
        other => {
            cx.report(
                rule::BR_25,
                other.map(path_of).unwrap_or_else(|| path_under(line, "cac:Item/cbc:Name")),
                "give the item name".into(),
            );
        }
    }
    if ix.at(line, "cac:Price/cbc:PriceAmount").is_none() {
        cx.report(
            rule::BR_26,
            path_under(line, "cac:Price/cbc:PriceAmount"),
            "give the item's net unit price".into(),
        );
    }
    if let Some(b) = ix.at(line, "cac:Price/cbc:BaseQuantity") {
        if num(Some(b)).is_none_or(|d| d <= Decimal::ZERO) {
            cx.report(
                rule::BR_KSA_EN16931_12,
                path_of(b),
                format!("the base quantity must be above zero, e.g. 1 (found \"{}\")", text(b)),
            );
        }
        if let Some(unit) = b.attribute("unitCode")
            && chars(unit) > 127
        {
            cx.report(
                rule::BR_KSA_F_06_C21,
                format!("{}/@unitCode", path_of(b)),
                "shorten the unit code to 127 characters".into(),
            );
        }
    }
    if let Some(item) = ix.child(line, NS_CAC, "Item") {
        length(cx, ix.at(item, "cac:StandardItemIdentification/cbc:ID"), rule::BR_KSA_F_06_C20, 0, 127);
        length(cx, ix.at(item, "cac:BuyersItemIdentification/cbc:ID"), rule::BR_KSA_F_06_C30, 0, 127);
        length(cx, ix.at(item, "cac:SellersItemIdentification/cbc:ID"), rule::BR_KSA_F_06_C31, 0, 127);
        for property in ix.children(item, NS_CAC, "AdditionalItemProperty") {
            if ix.at_text(property, "cbc:Name").is_none_or(str::is_empty)
                || ix.at_text(property, "cbc:Value").is_none_or(str::is_empty)
            {
                cx.report(
                    rule::BR_54,
                    path_of(property),
                    "give both cbc:Name and cbc:Value of the item attribute".into(),
                );
            }
        }
    }
    // KSA-11 and KSA-12 on standard documents.
    if cx.standard() {
        let tt = ix.child(line, NS_CAC, "TaxTotal");
        if tt.and_then(|t| ix.child(t, NS_CBC, "TaxAmount")).is_none() {
            cx.report(
                rule::BR_KSA_52,
                path_under(line, "cac:TaxTotal/cbc:TaxAmount"),
                "add the line VAT amount (net amount × rate / 100)".into(),
            );
        }
        if tt.and_then(|t| ix.child(t, NS_CBC, "RoundingAmount")).is_none() {
            cx.report(
                rule::BR_KSA_53,
                path_under(line, "cac:TaxTotal/cbc:RoundingAmount"),
                "add the line amount with VAT (net amount + line VAT)".into(),
            );
        }
    }
}

fn indicator_check(cx: &mut Cx<'_, '_>, ac: Node<'_, '_>) -> Option<bool> {
    let ix = cx.ix;
    let indicator = is_charge(ix, ac);
    if indicator.is_none() {
        cx.report(
            rule::BR_KSA_F_02,
            path_under(ac, "cbc:ChargeIndicator"),
            format!(
                "write cbc:ChargeIndicator as false (allowance) or true (charge) (found \"{}\")",
                ix.at_text(ac, "cbc:ChargeIndicator").unwrap_or("(missing)")
            ),
        );
    }
    indicator
}

fn document_allowance_charge(cx: &mut Cx<'_, '_>, ac: Node<'_, '_>) {
    let ix = cx.ix;
    let Some(charge) = indicator_check(cx, ac) else { return };
    let has_amount = ix.child(ac, NS_CBC, "Amount").is_some();
    let has_category = ix.at(ac, "cac:TaxCategory/cbc:ID").is_some();
    let reason = ix.child(ac, NS_CBC, "AllowanceChargeReason");
    let reason_code = ix.child(ac, NS_CBC, "AllowanceChargeReasonCode");
    if charge {
        if !has_amount {
            cx.report(rule::BR_36, path_under(ac, "cbc:Amount"), "give the charge amount".into());
        }
        if !has_category {
            cx.report(
                rule::BR_37,
                path_under(ac, "cac:TaxCategory/cbc:ID"),
                "give the charge's VAT category".into(),
            );
        }
        if reason_code.is_none() {
            cx.report(
                rule::BR_KSA_19,
                path_under(ac, "cbc:AllowanceChargeReasonCode"),
                "give the charge reason code from UNTDID 7161, e.g. FC (freight)".into(),
            );
        }
        if reason.is_none() {
            cx.report(
                rule::BR_KSA_21,
                path_under(ac, "cbc:AllowanceChargeReason"),
                "give the charge reason text, e.g. Freight".into(),
            );
        }
        length(cx, reason, rule::BR_KSA_F_06_C33, 0, 1000);
        charge_code(cx, reason_code);
    } else {
        if !has_amount {
            cx.report(rule::BR_31, path_under(ac, "cbc:Amount"), "give the allowance amount".into());
        }
        if !has_category {
            cx.report(
                rule::BR_32,
                path_under(ac, "cac:TaxCategory/cbc:ID"),
                "give the allowance's VAT category".into(),
            );
        }
        length(cx, reason, rule::BR_KSA_F_06_C35, 0, 1000);
    }
}

fn line_allowance_charge(cx: &mut Cx<'_, '_>, ac: Node<'_, '_>) {
    let ix = cx.ix;
    let Some(charge) = indicator_check(cx, ac) else { return };
    let has_amount = ix.child(ac, NS_CBC, "Amount").is_some();
    let reason = ix.child(ac, NS_CBC, "AllowanceChargeReason");
    let reason_code = ix.child(ac, NS_CBC, "AllowanceChargeReasonCode");
    if charge {
        if !has_amount {
            cx.report(rule::BR_43, path_under(ac, "cbc:Amount"), "give the line charge amount".into());
        }
        if reason_code.is_none() {
            cx.report(
                rule::BR_KSA_20,
                path_under(ac, "cbc:AllowanceChargeReasonCode"),
                "give the charge reason code from UNTDID 7161".into(),
            );
        }
        if reason.is_none() {
            cx.report(
                rule::BR_KSA_22,
                path_under(ac, "cbc:AllowanceChargeReason"),
                "give the charge reason text".into(),
            );
        }
        length(cx, reason, rule::BR_KSA_F_06_C34, 0, 1000);
        charge_code(cx, reason_code);
    } else {
        if !has_amount {
            cx.report(rule::BR_41, path_under(ac, "cbc:Amount"), "give the line allowance amount".into());
        }
        length(cx, reason, rule::BR_KSA_F_06_C36, 0, 1000);
    }
}

/// UNTDID 7161 special service codes.
const UNTDID_7161: &str = "AA AAA AAC AAD AAE AAF AAH AAI AAS AAT AAV AAY AAZ ABA ABB ABC ABD ABF ABK ABL ABN ABR ABS ABT ABU ACF ACG ACH ACI ACJ ACK ACL ACM ACS ADC ADE ADJ ADK ADL ADM ADN ADO ADP ADQ ADR ADT ADW ADY ADZ AEA AEB AEC AED AEF AEH AEI AEJ AEK AEL AEM AEN AEO AEP AES AET AEU AEV AEW AEX AEY AEZ AJ AU CA CAB CAD CAE CAF CAI CAJ CAK CAL CAM CAN CAO CAP CAQ CAR CAS CAT CAU CAV CAW CAX CAY CAZ CD CG CS CT DAB DAC DAD DAF DAG DAH DAI DAJ DAK DAL DAM DAN DAO DAP DAQ DL EG EP ER FAA FAB FAC FC FH FI GAA HAA HD HH IAA IAB ID IF IR IS KO L1 LA LAA LAB LF MAE MI ML NAA OA PA PAA PC PL RAB RAC RAD RAF RE RF RH RV SA SAA SAD SAE SAI SG SH SM SU TAB TAC TT TV V1 V2 WH XAA YY ZZZ";

fn charge_code(cx: &mut Cx<'_, '_>, code: Option<Node<'_, '_>>) {
    if let Some(c) = code
        && !UNTDID_7161.split(' ').any(|x| x == text(c))
    {
        cx.report(
            rule::BR_KSA_CL_06,
            path_of(c),
            format!("\"{}\" is not a UNTDID 7161 code; e.g. FC freight, PC packing, SAA shipping", text(c)),
        );
    }
}

fn prepayment_line(cx: &mut Cx<'_, '_>, line: Node<'_, '_>) {
    let ix = cx.ix;
    let reference = ix.child(line, NS_CAC, "DocumentReference").expect("prepayment line");
    if let Some(code) = ix.child(reference, NS_CBC, "DocumentTypeCode")
        && text(code) != "386"
    {
        cx.report(
            rule::BR_KSA_74,
            path_of(code),
            format!("the prepayment document type code is 386 (found \"{}\")", text(code)),
        );
    }
    let missing: Vec<&str> = [
        ("cbc:ID", "ID"),
        ("cbc:IssueDate", "issue date"),
        ("cbc:IssueTime", "issue time"),
        ("cbc:DocumentTypeCode", "type code 386"),
    ]
    .iter()
    .filter(|(s, _)| ix.at_text(reference, s).is_none_or(str::is_empty))
    .map(|(_, n)| *n)
    .collect();
    if !missing.is_empty() {
        cx.report(
            rule::BR_KSA_73,
            path_of(reference),
            format!("give the prepayment invoice's {}", missing.join(", ")),
        );
    }
    if let Some(t) = ix.child(reference, NS_CBC, "IssueTime")
        && !super::codes::is_ksa_time(text(t))
    {
        cx.report(
            rule::BR_KSA_F_05,
            path_of(t),
            format!("write the prepayment issue time as hh:mm:ss (found \"{}\")", text(t)),
        );
    }
    // Amounts on the line are all zero (BR-KSA-82).
    let mut nonzero = Vec::new();
    let amounts = [
        ix.at(line, "cac:Price/cbc:PriceAmount"),
        ix.child(line, NS_CBC, "LineExtensionAmount"),
        ix.at(line, "cac:TaxTotal/cbc:TaxAmount"),
        ix.at(line, "cac:TaxTotal/cbc:RoundingAmount"),
    ];
    for n in amounts
        .into_iter()
        .flatten()
        .chain(ix.children(line, NS_CAC, "AllowanceCharge").filter_map(|a| ix.child(a, NS_CBC, "Amount")))
    {
        if num(Some(n)).is_some_and(|d| !d.is_zero()) {
            nonzero.push(n);
        }
    }
    if let Some(first) = nonzero.first() {
        cx.report(
            rule::BR_KSA_82,
            path_of(*first),
            format!("set the amounts of a prepayment line to 0.00 (found {})", text(*first)),
        );
    }
    // The prepayment VAT breakdown (KSA-31..34, KSA-41, KSA-42).
    let subs: Vec<Node<'_, '_>> =
        ix.children(line, NS_CAC, "TaxTotal").flat_map(|t| ix.children(t, NS_CAC, "TaxSubtotal")).collect();
    if subs.is_empty() {
        cx.report(
            rule::BR_KSA_75,
            path_under(line, "cac:TaxTotal/cac:TaxSubtotal"),
            "give the prepayment's taxable amount (KSA-31) and VAT (KSA-32) in cac:TaxSubtotal".into(),
        );
    }
    for sub in subs {
        let taxable = ix.child(sub, NS_CBC, "TaxableAmount");
        let tax = ix.child(sub, NS_CBC, "TaxAmount");
        if taxable.is_none() || tax.is_none() {
            cx.report(
                rule::BR_KSA_75,
                path_of(sub),
                "give both cbc:TaxableAmount (KSA-31) and cbc:TaxAmount (KSA-32)".into(),
            );
        }
        let Some(cat) = ix.child(sub, NS_CAC, "TaxCategory") else { continue };
        let code = ix.at_text(cat, "cbc:ID").unwrap_or("");
        let rate = num(ix.child(cat, NS_CBC, "Percent"));
        if let (Some(tv), Some(xv), Some(r)) = (num(taxable), num(tax), rate)
            && let Some(expected) = super::percent_of(tv, r)
            && round2(xv) != expected
        {
            cx.report(
                rule::BR_KSA_79,
                path_of(tax.expect("tax")),
                format!(
                    "KSA-32 should be {} = {} × {} / 100; found {}",
                    fmt2(expected),
                    fmt2(tv),
                    r.normalize(),
                    fmt2(xv)
                ),
            );
        }
        let nonzero_rate = rate.is_some_and(|r| !r.is_zero());
        let (rate_rule, code_rule, category) = match code {
            "Z" => (rule::BR_KSA_76, rule::BR_KSA_93, VatCategory::ZeroRated),
            "E" => (rule::BR_KSA_77, rule::BR_KSA_94, VatCategory::Exempt),
            "O" => (rule::BR_KSA_78, rule::BR_KSA_95, VatCategory::OutOfScope),
            _ => continue,
        };
        if nonzero_rate {
            let rate_path = ix.child(cat, NS_CBC, "Percent").map(path_of).unwrap_or_default();
            cx.report(rate_rule, rate_path, format!("set the prepayment VAT rate of category {code} to 0"));
        }
        let reason_code = ix.child(cat, NS_CBC, "TaxExemptionReasonCode");
        let codes = vatex::codes_for(category).join(", ");
        match reason_code.map(text).filter(|t| !t.is_empty()) {
            None => {
                cx.report(
                    code_rule,
                    path_under(cat, "cbc:TaxExemptionReasonCode"),
                    format!("add the reason code: one of {codes}"),
                );
                cx.report(
                    rule::BR_KSA_CL_07,
                    path_under(cat, "cbc:TaxExemptionReasonCode"),
                    format!("add the reason code: one of {codes}"),
                );
            }
            Some(c) if vatex::category_of(c) != Some(category) => cx.report(
                rule::BR_KSA_CL_07,
                path_of(reason_code.expect("code")),
                format!("\"{c}\" is not a reason code of category {code}; use one of {codes}"),
            ),
            Some(_) => {}
        }
        let reason = ix.child(cat, NS_CBC, "TaxExemptionReason");
        if reason.is_none_or(|r| text(r).is_empty()) {
            cx.report(
                rule::BR_KSA_96,
                reason.map(path_of).unwrap_or_else(|| path_under(cat, "cbc:TaxExemptionReason")),
                "add the reason text of §11.2.4".into(),
            );
        }
        length(cx, reason, rule::BR_KSA_F_06_C39, 0, 1000);
    }
}

fn prepaid_amount_needs_lines(cx: &mut Cx<'_, '_>, lines: &[Node<'_, '_>]) {
    let ix = cx.ix;
    let root = cx.root;
    let prepaid = ix.at(root, "cac:LegalMonetaryTotal/cbc:PrepaidAmount");
    if let Some(p) = prepaid
        && num(Some(p)).is_some_and(|d| !d.is_zero())
        && !lines.iter().any(|l| ix.child(*l, NS_CAC, "DocumentReference").is_some())
    {
        cx.report(rule::BR_KSA_73, path_of(p), "add a prepayment line (cac:InvoiceLine with cac:DocumentReference: ID, issue date and time, type 386) per prepayment invoice".into());
    }
}
