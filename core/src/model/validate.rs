//! Input checks, each naming the ZATCA (BR-KSA-…) or EN 16931 (BR-…) rule it enforces. Rules that
//! ZATCA only warns about are enforced too where the fix is always in the caller's hands, so a
//! generated document clears without warnings. The first failure is returned.

use super::dec::fits2;
use super::totals::Totals;
use super::types::*;
use super::vatex;
use crate::error::{Error, Result};
use crate::validate::{RuleInfo, rule, vat_number_ok};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rust_decimal::Decimal;
use std::fmt;

fn fail<T>(rule: &'static RuleInfo, message: impl Into<String>) -> Result<T> {
    Err(Error::model(rule, message))
}

/// The value if present and not blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

fn is_digits(value: &str, len: usize) -> bool {
    value.len() == len && value.bytes().all(|b| b.is_ascii_digit())
}

fn is_date(value: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    value.len() == 10 && time::Date::parse(value, &format).is_ok()
}

fn is_time(value: &str) -> bool {
    let core = value.strip_suffix('Z').unwrap_or(value);
    let format = time::macros::format_description!("[hour]:[minute]:[second]");
    core.len() == 8 && time::Time::parse(core, &format).is_ok()
}

fn non_negative(rule: &'static RuleInfo, what: fmt::Arguments<'_>, value: Decimal) -> Result<()> {
    if value.is_sign_negative() && !value.is_zero() {
        return fail(rule, format!("{what} must not be negative (given {value})"));
    }
    Ok(())
}

fn amount(rule_dec: &'static RuleInfo, what: fmt::Arguments<'_>, value: Decimal) -> Result<()> {
    non_negative(rule::BR_KSA_F_04, what, value)?;
    if !fits2(value) {
        return fail(rule_dec, format!("{what} may have at most two decimals (given {value})"));
    }
    Ok(())
}

/// Checks everything that does not need the computed totals.
pub fn validate(invoice: &Invoice) -> Result<()> {
    header(invoice)?;
    seller(&invoice.seller)?;
    buyer(invoice)?;
    dates(invoice)?;
    payment(invoice)?;
    if invoice.lines.is_empty() {
        return fail(rule::BR_16, "an invoice needs at least one line (BG-25)");
    }
    for (i, line) in invoice.lines.iter().enumerate() {
        line_checks(i + 1, line)?;
    }
    for (i, a) in invoice.allowances.iter().enumerate() {
        let what = format!("document allowance {}", i + 1);
        allowance_charge(
            format_args!("{what}"),
            false,
            a.amount,
            &a.reason,
            &a.reason_code,
            a.base_amount,
            a.percent,
            true,
        )?;
        vat(format_args!("{what} VAT"), &a.vat, VatUse::Document)?;
    }
    for (i, c) in invoice.charges.iter().enumerate() {
        let what = format!("document charge {}", i + 1);
        allowance_charge(
            format_args!("{what}"),
            true,
            c.amount,
            &c.reason,
            &c.reason_code,
            c.base_amount,
            c.percent,
            true,
        )?;
        vat(format_args!("{what} VAT"), &c.vat, VatUse::Document)?;
    }
    for (i, p) in invoice.prepayments.iter().enumerate() {
        prepayment(i + 1, p)?;
    }
    if let Some(r) = invoice.rounding_amount
        && !fits2(r)
    {
        return fail(
            rule::BR_DEC_17,
            format!("the rounding amount (BT-114) may have at most two decimals (given {r})"),
        );
    }
    edu_hea(invoice)
}

fn header(invoice: &Invoice) -> Result<()> {
    let id = invoice.id.trim();
    if id.is_empty() {
        return fail(rule::BR_02, "the invoice number (BT-1) is missing");
    }
    if invoice.id.chars().count() > 127 {
        return fail(rule::BR_KSA_F_06_C1, "the invoice number (BT-1) may have at most 127 characters");
    }
    if !is_date(&invoice.issue_date) {
        return fail(
            rule::BR_KSA_F_01,
            format!("the issue date (BT-2) '{}' is not a date of the form YYYY-MM-DD", invoice.issue_date),
        );
    }
    if !is_time(&invoice.issue_time) {
        return fail(
            rule::BR_KSA_70,
            format!("the issue time (KSA-25) '{}' is not of the form hh:mm:ss", invoice.issue_time),
        );
    }
    let pih = invoice.pih.trim();
    // The same test as the stamp's (`InvoiceView::checked_pih`): what passes here must stamp.
    let pih_ok = pih == crate::GENESIS_PIH || B64.decode(pih).is_ok_and(|hash| hash.len() == 32);
    if !pih_ok || pih != invoice.pih {
        return fail(
            rule::BR_KSA_26,
            "the previous invoice hash (KSA-13) must be the genesis value or the base64 of a SHA-256 hash",
        );
    }
    let c = &invoice.currency;
    if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
        return fail(
            rule::BR_CL_04,
            format!("the currency (BT-5) '{c}' is not an ISO 4217 code like SAR or USD"),
        );
    }
    if c != "SAR" {
        match invoice.exchange_rate {
            None => {
                return fail(
                    rule::BR_53,
                    format!(
                        "a document in {c} needs exchange_rate (SAR per 1 {c}) for its VAT total in SAR (BT-111)"
                    ),
                );
            }
            Some(r) if r <= Decimal::ZERO => {
                return fail(rule::BR_KSA_F_04, format!("the exchange rate must be above zero (given {r})"));
            }
            Some(r) if r.normalize().mantissa().unsigned_abs() >= 100_000_000_000_000 => {
                return fail(rule::BR_KSA_90, format!("the exchange rate {r} has more than 14 digits"));
            }
            _ => {}
        }
    }
    let f = &invoice.flags;
    if invoice.kind == InvoiceKind::Simplified && f.self_billed {
        return fail(
            rule::BR_KSA_31,
            "a simplified document cannot be self-billed (KSA-2 position 7 must be 0)",
        );
    }
    if f.export && f.self_billed {
        return fail(rule::BR_KSA_07, "self-billing is not allowed for an export invoice (KSA-2)");
    }
    for (i, note) in invoice.notes.iter().enumerate() {
        if note.text.trim().is_empty() {
            return fail(rule::BR_KSA_F_06_C2, format!("note {} is empty", i + 1));
        }
    }
    if invoice.document_type.is_note() && given(&invoice.billing_reference).is_none() {
        return fail(
            rule::BR_KSA_56,
            "a credit or debit note needs the number of the invoice it corrects (billing_reference, BT-25)",
        );
    }
    for (id, what, rule) in [
        (&invoice.purchase_order_id, "purchase order ID (BT-13)", rule::BR_KSA_F_06_C3),
        (&invoice.contract_id, "contract ID (BT-12)", rule::BR_KSA_F_06_C5),
    ] {
        if let Some(id) = id
            && (id.trim().is_empty() || id.chars().count() > 127)
        {
            return fail(rule, format!("the {what} must have 1 to 127 characters"));
        }
    }
    if let Some(r) = &invoice.billing_reference
        && (r.trim().is_empty() || r.chars().count() > 5000)
    {
        return fail(rule::BR_KSA_F_06_C22, "the billing reference (BT-25) must have 1 to 5000 characters");
    }
    Ok(())
}

fn party_ids(role: &str, party: &Party, seller: bool) -> Result<()> {
    let rule = if seller { rule::BR_KSA_08 } else { rule::BR_KSA_14 };
    for id in &party.ids {
        if seller && !id.scheme.allowed_for_seller() {
            return fail(
                rule,
                format!(
                    "the {role} ID scheme {} is not one of CRN, MOM, MLS, 700, SAG, OTH",
                    id.scheme.code()
                ),
            );
        }
        if id.value.is_empty() || !id.value.chars().all(|c| c.is_ascii_alphanumeric()) {
            return fail(rule, format!("the {role} ID '{}' must contain only letters and digits", id.value));
        }
    }
    Ok(())
}

fn seller(party: &Party) -> Result<()> {
    if given(&party.registration_name).is_none() {
        return fail(rule::BR_06, "the seller's name (BT-27) is missing");
    }
    let Some(vat) = given(&party.vat_number) else {
        return fail(rule::BR_KSA_39, "the seller's VAT registration number (BT-31) is missing");
    };
    if !vat_number_ok(vat) {
        return fail(
            rule::BR_KSA_40,
            format!("the seller's VAT number '{vat}' must have 15 digits, the first and the last being 3"),
        );
    }
    if party.ids.len() != 1 {
        return fail(
            rule::BR_KSA_08,
            "the seller needs exactly one ID (ids: one of CRN, MOM, MLS, 700, SAG, OTH), e.g. the commercial registration",
        );
    }
    party_ids("seller", party, true)?;
    let Some(address) = &party.address else {
        return fail(rule::BR_KSA_09, "the seller's address (BG-5) is missing");
    };
    let missing = [
        (given(&address.street), "street (BT-35)"),
        (given(&address.building_number), "building number (KSA-17)"),
        (given(&address.postal_code), "postal code (BT-38)"),
        (given(&address.city), "city (BT-37)"),
        (given(&address.district), "district (KSA-3)"),
    ];
    if let Some((_, what)) = missing.iter().find(|(v, _)| v.is_none()) {
        return fail(rule::BR_KSA_09, format!("the seller's address needs a {what}"));
    }
    country(&address.country)?;
    if let Some(b) = given(&address.building_number)
        && !is_digits(b, 4)
    {
        return fail(rule::BR_KSA_37, format!("the seller's building number '{b}' must have 4 digits"));
    }
    if let Some(p) = given(&address.postal_code)
        && !is_digits(p, 5)
    {
        return fail(rule::BR_KSA_66, format!("the seller's postal code '{p}' must have 5 digits"));
    }
    Ok(())
}

fn country(code: &str) -> Result<()> {
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return fail(rule::BR_CL_14, format!("the country code '{code}' is not an ISO 3166-1 code like SA"));
    }
    Ok(())
}

fn buyer(invoice: &Invoice) -> Result<()> {
    let standard = invoice.kind == InvoiceKind::Standard;
    let empty = Party::default();
    let party = invoice.buyer.as_ref().unwrap_or(&empty);
    if standard && given(&party.registration_name).is_none() {
        return fail(rule::BR_KSA_42, "a standard document needs the buyer's name (BT-44)");
    }
    if invoice.kind == InvoiceKind::Simplified
        && invoice.flags.summary
        && given(&party.registration_name).is_none()
    {
        return fail(rule::BR_KSA_71, "a simplified summary invoice needs the buyer's name (BT-44)");
    }
    if let Some(vat) = &party.vat_number
        && !vat_number_ok(vat)
    {
        return fail(
            rule::BR_KSA_44,
            format!("the buyer's VAT number '{vat}' must have 15 digits, the first and the last being 3"),
        );
    }
    party_ids("buyer", party, false)?;
    if standard && party.vat_number.is_none() && party.ids.is_empty() {
        return fail(
            rule::BR_KSA_81,
            "a standard document whose buyer has no VAT number needs another buyer ID (ids: NAT, CRN, TIN, …)",
        );
    }
    match &party.address {
        Some(address) => {
            country(&address.country)?;
            if address.country == "SA" {
                if standard {
                    let missing = [
                        (given(&address.street), "street (BT-50)"),
                        (given(&address.building_number), "building number (KSA-18)"),
                        (given(&address.postal_code), "postal code (BT-53)"),
                        (given(&address.city), "city (BT-52)"),
                        (given(&address.district), "district (KSA-4)"),
                    ];
                    if let Some((_, what)) = missing.iter().find(|(v, _)| v.is_none()) {
                        return fail(rule::BR_KSA_63, format!("a Saudi buyer's address needs a {what}"));
                    }
                }
                if let Some(p) = given(&address.postal_code)
                    && !is_digits(p, 5)
                {
                    return fail(
                        rule::BR_KSA_67,
                        format!("the buyer's postal code '{p}' must have 5 digits"),
                    );
                }
            } else if standard && (given(&address.street).is_none() || given(&address.city).is_none()) {
                return fail(
                    rule::BR_KSA_10,
                    "a foreign buyer's address needs a street (BT-50) and a city (BT-52)",
                );
            }
        }
        None if standard => {
            return fail(rule::BR_KSA_63, "a standard document needs the buyer's address (BG-8)");
        }
        None => {}
    }
    Ok(())
}

fn dates(invoice: &Invoice) -> Result<()> {
    for (value, what) in [
        (&invoice.supply_date, "supply date (KSA-5)"),
        (&invoice.supply_end_date, "supply end date (KSA-24)"),
    ] {
        if let Some(v) = value
            && !is_date(v)
        {
            return fail(rule::BR_KSA_F_01, format!("the {what} '{v}' is not a date of the form YYYY-MM-DD"));
        }
    }
    if invoice.kind == InvoiceKind::Simplified
        && invoice.flags.summary
        && (invoice.supply_date.is_none() || invoice.supply_end_date.is_none())
    {
        return fail(rule::BR_KSA_72, "a simplified summary invoice needs supply_date and supply_end_date");
    }
    match (&invoice.supply_date, &invoice.supply_end_date) {
        (None, Some(_)) => fail(rule::BR_KSA_35, "a supply end date (KSA-24) needs a supply date (KSA-5)"),
        // Both are YYYY-MM-DD here, so text order is date order.
        (Some(start), Some(end)) if end < start => {
            fail(rule::BR_KSA_36, format!("the supply end date {end} is before the supply date {start}"))
        }
        (None, None)
            if invoice.kind == InvoiceKind::Standard && invoice.document_type == DocumentType::Invoice =>
        {
            fail(rule::BR_KSA_15, "a standard tax invoice needs the supply date (supply_date, KSA-5)")
        }
        _ => Ok(()),
    }
}

fn payment(invoice: &Invoice) -> Result<()> {
    for p in &invoice.payment_means {
        if !matches!(p.code.as_str(), "10" | "30" | "42" | "48" | "1") {
            return fail(
                rule::BR_KSA_16,
                format!(
                    "payment means code '{}' is not one of 10 cash, 30 credit, 42 bank account, 48 bank card, 1 other",
                    p.code
                ),
            );
        }
    }
    if invoice.document_type.is_note()
        && !invoice.payment_means.iter().any(|p| given(&p.instruction_note).is_some())
    {
        return fail(
            rule::BR_KSA_17,
            "a credit or debit note needs its reason (KSA-10) as payment_means[].instruction_note",
        );
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)] // the shared fields of two structs
fn allowance_charge(
    what: fmt::Arguments<'_>,
    charge: bool,
    value: Decimal,
    reason: &Option<String>,
    reason_code: &Option<String>,
    base: Option<Decimal>,
    percent: Option<Decimal>,
    document: bool,
) -> Result<()> {
    let dec_rule = match (document, charge) {
        (true, false) => rule::BR_DEC_01,
        (true, true) => rule::BR_DEC_05,
        (false, false) => rule::BR_DEC_24,
        (false, true) => rule::BR_DEC_27,
    };
    amount(dec_rule, format_args!("the {what} amount"), value)?;
    if given(reason).is_none() && given(reason_code).is_none() {
        // EN 16931 rules ZATCA's Schematron does not carry, so they are not in the rule table.
        let rule = match (document, charge) {
            (true, false) => "BR-33",
            (true, true) => "BR-38",
            (false, false) => "BR-42",
            (false, true) => "BR-44",
        };
        return Err(Error::InvalidModel {
            rule: Some(rule.into()),
            message: format!("the {what} needs a reason or a reason code"),
        });
    }
    if charge {
        let (code_rule, text_rule) =
            if document { (rule::BR_KSA_19, rule::BR_KSA_21) } else { (rule::BR_KSA_20, rule::BR_KSA_22) };
        if given(reason_code).is_none() {
            return fail(code_rule, format!("the {what} needs a reason code (UNTDID 7161, e.g. FC, LF)"));
        }
        if given(reason).is_none() {
            return fail(text_rule, format!("the {what} needs a reason text"));
        }
    }
    match (base, percent) {
        (Some(_), None) => {
            fail(rule::BR_KSA_EN16931_05, format!("the {what} has a base amount but no percent"))
        }
        (None, Some(_)) => {
            fail(rule::BR_KSA_EN16931_04, format!("the {what} has a percent but no base amount"))
        }
        (Some(b), Some(p)) => {
            amount(rule::BR_DEC_02, format_args!("the {what} base amount"), b)?;
            if p < Decimal::ZERO || p > Decimal::ONE_HUNDRED || !fits2(p) {
                return fail(
                    rule::BR_KSA_DEC_01,
                    format!(
                        "the {what} percent must be 0.00 to 100.00 with at most two decimals (given {p})"
                    ),
                );
            }
            let expected = super::totals::vat_of(b, p)?;
            if expected != value {
                return fail(
                    rule::BR_KSA_EN16931_03,
                    format!("the {what} amount must be base × percent / 100 = {expected} (given {value})"),
                );
            }
            Ok(())
        }
        (None, None) => Ok(()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum VatUse {
    Line,
    Document,
    Prepayment,
}

fn vat(what: fmt::Arguments<'_>, v: &Vat, usage: VatUse) -> Result<()> {
    let rate = v.rate;
    if rate < Decimal::ZERO || rate > Decimal::ONE_HUNDRED || !fits2(rate) {
        return fail(
            rule::BR_KSA_DEC_02,
            format!("the {what} rate must be 0.00 to 100.00 with at most two decimals (given {rate})"),
        );
    }
    let code = given(&v.exemption_reason_code);
    if v.category == VatCategory::Standard {
        if rate != Decimal::from(5) && rate != Decimal::from(15) {
            return fail(rule::BR_KSA_84, format!("the {what} standard rate must be 5 or 15 (given {rate})"));
        }
        if code.is_some() || v.exemption_reason.is_some() {
            return fail(
                rule::BR_S_10,
                format!("the {what} is standard rated and cannot have an exemption reason"),
            );
        }
        return Ok(());
    }
    if !rate.is_zero() {
        let rule = match (v.category, usage) {
            (VatCategory::ZeroRated, VatUse::Prepayment) => rule::BR_KSA_76,
            (VatCategory::Exempt, VatUse::Prepayment) => rule::BR_KSA_77,
            (VatCategory::OutOfScope, VatUse::Prepayment) => rule::BR_KSA_78,
            (VatCategory::ZeroRated, VatUse::Line) => rule::BR_Z_05,
            (VatCategory::Exempt, VatUse::Line) => rule::BR_E_05,
            (VatCategory::OutOfScope, VatUse::Line) => rule::BR_KSA_11,
            (VatCategory::ZeroRated, _) => rule::BR_Z_06,
            (VatCategory::Exempt, _) => rule::BR_E_06,
            _ => rule::BR_KSA_12,
        };
        return fail(
            rule,
            format!("the {what} category {} must have rate 0 (given {rate})", v.category.code()),
        );
    }
    let Some(code) = code else {
        let rule = match (v.category, usage) {
            (VatCategory::ZeroRated, VatUse::Prepayment) => rule::BR_KSA_93,
            (VatCategory::Exempt, VatUse::Prepayment) => rule::BR_KSA_94,
            (_, VatUse::Prepayment) => rule::BR_KSA_95,
            (VatCategory::ZeroRated, _) => rule::BR_KSA_69,
            (VatCategory::Exempt, _) => rule::BR_KSA_23,
            _ => rule::BR_KSA_24,
        };
        return fail(
            rule,
            format!(
                "the {what} category {} needs an exemption reason code (one of {})",
                v.category.code(),
                vatex::codes_for(v.category).join(", ")
            ),
        );
    };
    if vatex::category_of(code) != Some(v.category) {
        let rule = if usage == VatUse::Prepayment { rule::BR_KSA_CL_07 } else { rule::BR_KSA_CL_04 };
        return fail(
            rule,
            format!(
                "'{code}' is not an exemption reason code of category {} (one of {})",
                v.category.code(),
                vatex::codes_for(v.category).join(", ")
            ),
        );
    }
    if let Some(text) = &v.exemption_reason
        && text.trim().is_empty()
    {
        return fail(rule::BR_KSA_83, format!("the {what} exemption reason text is empty"));
    }
    Ok(())
}

fn line_checks(n: usize, line: &Line) -> Result<()> {
    if let Some(id) = &line.id {
        let len = id.chars().count();
        if id.trim().is_empty() || len > 6 {
            return fail(
                rule::BR_KSA_F_06_C17,
                format!("line {n}: the line ID (BT-126) '{id}' must have 1 to 6 characters"),
            );
        }
    }
    if line.name.trim().is_empty() {
        return fail(rule::BR_25, format!("line {n}: the item name (BT-153) is missing"));
    }
    if line.unit_code.trim().is_empty() {
        return fail(rule::BR_KSA_F_06_C18, format!("line {n}: the unit code (BT-130) is empty"));
    }
    let limit = Decimal::from(100_000_000_000_000_000_u64);
    for value in
        [Some(line.quantity), Some(line.price), line.base_quantity, line.gross_price].into_iter().flatten()
    {
        if value.abs() > limit {
            return Err(Error::InvalidModel {
                rule: None,
                message: format!("line {n}: {value} is too large (quantities and prices stop at 10^17)"),
            });
        }
    }
    non_negative(rule::BR_KSA_F_04, format_args!("line {n}: the quantity (BT-129)"), line.quantity)?;
    non_negative(rule::BR_KSA_F_04, format_args!("line {n}: the price (BT-146)"), line.price)?;
    if let Some(gross) = line.gross_price
        && gross < line.price
    {
        return fail(
            rule::BR_KSA_EN16931_07,
            format!(
                "line {n}: the gross price {gross} is below the net price {}; the net price is gross − discount",
                line.price
            ),
        );
    }
    for (id, what, rule) in [
        (&line.seller_item_id, "seller's item ID (BT-155)", rule::BR_KSA_F_06_C31),
        (&line.buyer_item_id, "buyer's item ID (BT-156)", rule::BR_KSA_F_06_C30),
        (&line.standard_item_id, "standard item ID (BT-157)", rule::BR_KSA_F_06_C20),
    ] {
        if let Some(id) = id
            && (id.trim().is_empty() || id.chars().count() > 127)
        {
            return fail(rule, format!("line {n}: the {what} must have 1 to 127 characters"));
        }
    }
    if let Some(b) = line.base_quantity
        && b <= Decimal::ZERO
    {
        return fail(
            rule::BR_KSA_EN16931_12,
            format!("line {n}: the base quantity (BT-149) must be above zero"),
        );
    }
    for a in &line.allowances {
        allowance_charge(
            format_args!("line {n} allowance"),
            false,
            a.amount,
            &a.reason,
            &a.reason_code,
            a.base_amount,
            a.percent,
            false,
        )?;
    }
    for c in &line.charges {
        allowance_charge(
            format_args!("line {n} charge"),
            true,
            c.amount,
            &c.reason,
            &c.reason_code,
            c.base_amount,
            c.percent,
            false,
        )?;
    }
    vat(format_args!("line {n}"), &line.vat, VatUse::Line)
}

fn prepayment(n: usize, p: &Prepayment) -> Result<()> {
    if p.id.trim().is_empty() {
        return fail(
            rule::BR_KSA_73,
            format!("prepayment {n}: the prepayment invoice number (KSA-26) is missing"),
        );
    }
    if !is_date(&p.issue_date) {
        return fail(
            rule::BR_KSA_F_01,
            format!("prepayment {n}: issue date '{}' is not YYYY-MM-DD", p.issue_date),
        );
    }
    if !is_time(&p.issue_time) {
        return fail(
            rule::BR_KSA_F_05,
            format!("prepayment {n}: issue time '{}' is not hh:mm:ss", p.issue_time),
        );
    }
    if p.name.trim().is_empty() {
        return fail(rule::BR_25, format!("prepayment {n}: the item name (BT-153) is empty"));
    }
    amount(rule::BR_KSA_DEC_06, format_args!("prepayment {n} taxable amount (KSA-31)"), p.taxable_amount)?;
    vat(format_args!("prepayment {n}"), &p.vat, VatUse::Prepayment)
}

/// BR-KSA-25/49: education and healthcare for citizens need the buyer's name and national ID.
fn edu_hea(invoice: &Invoice) -> Result<()> {
    let codes = invoice
        .lines
        .iter()
        .map(|l| &l.vat)
        .chain(invoice.allowances.iter().map(|a| &a.vat))
        .chain(invoice.charges.iter().map(|c| &c.vat))
        .filter_map(|v| given(&v.exemption_reason_code));
    let mut citizen = false;
    for c in codes {
        citizen |= c == "VATEX-SA-EDU" || c == "VATEX-SA-HEA";
    }
    if !citizen {
        return Ok(());
    }
    let buyer = invoice.buyer.as_ref();
    if buyer.and_then(|b| given(&b.registration_name)).is_none() {
        return fail(rule::BR_KSA_25, "VATEX-SA-EDU / VATEX-SA-HEA need the buyer's name (BT-44)");
    }
    if !buyer.is_some_and(|b| b.ids.iter().any(|id| id.scheme == IdScheme::Nat)) {
        return fail(
            rule::BR_KSA_49,
            "VATEX-SA-EDU / VATEX-SA-HEA need the buyer's national ID (ids: scheme NAT)",
        );
    }
    Ok(())
}

/// Checks on the computed amounts: nothing may come out negative (BR-KSA-F-04).
pub fn validate_totals(totals: &Totals) -> Result<()> {
    for (i, l) in totals.lines.iter().enumerate() {
        non_negative(
            rule::BR_KSA_F_04,
            format_args!("line {}: the net amount (BT-131) after allowances", i + 1),
            l.net_amount,
        )?;
    }
    for b in &totals.breakdown {
        non_negative(
            rule::BR_KSA_F_04,
            format_args!("the taxable amount (BT-116) of category {} {}%", b.vat.category.code(), b.vat.rate),
            b.taxable_amount,
        )?;
    }
    non_negative(
        rule::BR_KSA_F_04,
        format_args!("the total without VAT (BT-109)"),
        totals.tax_exclusive_amount,
    )?;
    non_negative(rule::BR_KSA_F_04, format_args!("the amount due (BT-115)"), totals.payable_amount)
}
