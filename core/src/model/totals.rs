//! Totals by construction (the policy is in the module doc of [`crate::model`]). All arithmetic is
//! checked: an input too large for 28 significant digits is an error, never a panic.

use super::dec::round2;
use super::types::{Invoice, Vat, VatCategory};
use super::vatex;
use crate::error::{Error, Result};
use crate::validate::{RuleInfo, rule};
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt::Display;

/// The computed amounts of one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineTotals {
    /// BT-131.
    pub net_amount: Decimal,
    /// KSA-11.
    pub vat_amount: Decimal,
    /// KSA-12.
    pub amount_with_vat: Decimal,
}

/// One VAT breakdown (BG-23): a category, rate and exemption reason with its amounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VatBreakdown {
    /// With the exemption reason text resolved.
    pub vat: Vat,
    /// BT-116.
    pub taxable_amount: Decimal,
    /// BT-117.
    pub vat_amount: Decimal,
}

/// The computed amounts of one prepayment adjustment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrepaymentTotals {
    /// KSA-31.
    pub taxable_amount: Decimal,
    /// KSA-32.
    pub vat_amount: Decimal,
    /// The category with the exemption reason text resolved.
    pub vat: Vat,
}

/// Every amount of the document, each rounded to two decimals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub lines: Vec<LineTotals>,
    pub prepayments: Vec<PrepaymentTotals>,
    pub breakdown: Vec<VatBreakdown>,
    /// BT-106.
    pub line_extension_amount: Decimal,
    /// BT-107.
    pub allowance_total_amount: Decimal,
    /// BT-108.
    pub charge_total_amount: Decimal,
    /// BT-109.
    pub tax_exclusive_amount: Decimal,
    /// BT-110, in the document currency.
    pub vat_total: Decimal,
    /// BT-111, in SAR.
    pub vat_total_sar: Decimal,
    /// BT-112.
    pub tax_inclusive_amount: Decimal,
    /// BT-113.
    pub prepaid_amount: Decimal,
    /// BT-114.
    pub rounding_amount: Decimal,
    /// BT-115.
    pub payable_amount: Decimal,
}

/// Above this, two decimals no longer fit the 28 digits of a Decimal reliably; no real invoice
/// comes near it.
const LIMIT: Decimal = Decimal::from_parts(0x5D8A_0000, 0x0163_4578, 0, false, 0); // 10^17

/// Rounds to two decimals after making sure the value is small enough to keep them.
fn round2_checked(value: Decimal) -> Result<Decimal> {
    if value.abs() > LIMIT {
        return Err(too_large());
    }
    Ok(round2(value))
}

fn too_large() -> Error {
    Error::InvalidModel { rule: None, message: "an amount or quantity is too large to compute with".into() }
}

fn add(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_add(b).ok_or_else(too_large)
}

fn sub(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_sub(b).ok_or_else(too_large)
}

fn mul(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_mul(b).ok_or_else(too_large)
}

fn div(a: Decimal, b: Decimal) -> Result<Decimal> {
    if b.is_zero() {
        return Err(Error::model(
            rule::BR_KSA_EN16931_12,
            "the price base quantity (BT-149) must be above zero",
        ));
    }
    a.checked_div(b).ok_or_else(too_large)
}

/// `round2(amount × rate / 100)`; the division is exact (a scale shift) when it can be.
pub(crate) fn vat_of(amount: Decimal, rate: Decimal) -> Result<Decimal> {
    let mut product = mul(amount, rate)?;
    if product.scale() <= 26 {
        product.set_scale(product.scale() + 2).map_err(|_| too_large())?;
        return Ok(round2(product));
    }
    Ok(round2(div(product, Decimal::ONE_HUNDRED)?))
}

/// The VAT with its reason text filled in from ZATCA's list when the caller gave only the code.
pub(crate) fn resolved(vat: &Vat) -> Vat {
    let mut v = vat.clone();
    if v.category == VatCategory::Standard {
        v.exemption_reason_code = None;
        v.exemption_reason = None;
    } else if v.exemption_reason.is_none() {
        v.exemption_reason =
            v.exemption_reason_code.as_deref().and_then(vatex::default_text).map(str::to_owned);
    }
    v
}

/// Whether two VAT categories land in the same breakdown: same code, rate and reason code.
fn same_breakdown(a: &Vat, b: &Vat) -> bool {
    a.category == b.category && a.rate == b.rate && a.exemption_reason_code == b.exemption_reason_code
}

/// Computes every amount of `invoice` (without checking the caller's expected values).
pub(crate) fn compute(invoice: &Invoice) -> Result<Totals> {
    let mut lines = Vec::with_capacity(invoice.lines.len());
    let mut breakdown: Vec<VatBreakdown> = Vec::new();
    let mut line_extension = Decimal::ZERO;
    for line in &invoice.lines {
        let mut net = mul(line.quantity, line.price)?;
        if let Some(base) = line.base_quantity.filter(|b| *b != Decimal::ONE) {
            net = div(net, base)?;
        }
        for c in &line.charges {
            net = add(net, c.amount)?;
        }
        for a in &line.allowances {
            net = sub(net, a.amount)?;
        }
        let net = round2_checked(net)?;
        let vat_amount = vat_of(net, line.vat.rate)?;
        lines.push(LineTotals { net_amount: net, vat_amount, amount_with_vat: add(net, vat_amount)? });
        line_extension = add(line_extension, net)?;
        add_to_breakdown(&mut breakdown, &line.vat, net)?;
    }
    let mut allowance_total = Decimal::ZERO;
    for a in &invoice.allowances {
        allowance_total = add(allowance_total, a.amount)?;
        add_to_breakdown(&mut breakdown, &a.vat, -a.amount)?;
    }
    let mut charge_total = Decimal::ZERO;
    for c in &invoice.charges {
        charge_total = add(charge_total, c.amount)?;
        add_to_breakdown(&mut breakdown, &c.vat, c.amount)?;
    }
    let mut vat_total = Decimal::ZERO;
    for b in &mut breakdown {
        b.taxable_amount = round2_checked(b.taxable_amount)?;
        b.vat_amount = vat_of(b.taxable_amount, b.vat.rate)?;
        vat_total = add(vat_total, b.vat_amount)?;
    }
    let mut prepayments = Vec::with_capacity(invoice.prepayments.len());
    let mut prepaid = Decimal::ZERO;
    for p in &invoice.prepayments {
        let taxable = round2(p.taxable_amount);
        let vat_amount = vat_of(taxable, p.vat.rate)?;
        prepaid = add(prepaid, add(taxable, vat_amount)?)?;
        prepayments.push(PrepaymentTotals { taxable_amount: taxable, vat_amount, vat: resolved(&p.vat) });
    }
    let line_extension = round2_checked(line_extension)?;
    let allowance_total = round2(allowance_total);
    let charge_total = round2(charge_total);
    let tax_exclusive = add(sub(line_extension, allowance_total)?, charge_total)?;
    let vat_total = round2(vat_total);
    let vat_total_sar = match invoice.exchange_rate {
        Some(rate) if invoice.currency != "SAR" => round2(mul(vat_total, rate)?),
        _ => vat_total,
    };
    let tax_inclusive = add(tax_exclusive, vat_total)?;
    let rounding = round2(invoice.rounding_amount.unwrap_or_default());
    let payable = round2_checked(add(sub(tax_inclusive, round2_checked(prepaid)?)?, rounding)?)?;
    Ok(Totals {
        lines,
        prepayments,
        breakdown,
        line_extension_amount: line_extension,
        allowance_total_amount: allowance_total,
        charge_total_amount: charge_total,
        tax_exclusive_amount: tax_exclusive,
        vat_total,
        vat_total_sar,
        tax_inclusive_amount: tax_inclusive,
        prepaid_amount: round2(prepaid),
        rounding_amount: rounding,
        payable_amount: payable,
    })
}

fn add_to_breakdown(breakdown: &mut Vec<VatBreakdown>, vat: &Vat, amount: Decimal) -> Result<()> {
    match breakdown.iter_mut().find(|b| same_breakdown(&b.vat, vat)) {
        Some(b) => b.taxable_amount = add(b.taxable_amount, amount)?,
        None => breakdown.push(VatBreakdown {
            vat: resolved(vat),
            taxable_amount: amount,
            vat_amount: Decimal::ZERO,
        }),
    }
    Ok(())
}

fn check(
    rule: &'static RuleInfo,
    what: impl Display,
    expected: Decimal,
    given: Option<Decimal>,
) -> Result<()> {
    check_as(rule.id, what, expected, given)
}

/// [`check`] under a name that is not a rule id, for a value no rule states. `what` is only
/// formatted for a difference (this runs for every line).
fn check_as(name: &str, what: impl Display, expected: Decimal, given: Option<Decimal>) -> Result<()> {
    match given {
        Some(g) if g != expected => Err(Error::InvalidModel {
            rule: Some(name.into()),
            message: format!("{what}: expected {expected} (computed), given {g}"),
        }),
        _ => Ok(()),
    }
}

/// Checks the amounts the caller gave against the computed ones, naming the rule that links them.
pub(crate) fn check_expected(invoice: &Invoice, totals: &Totals) -> Result<()> {
    for (i, (line, t)) in invoice.lines.iter().zip(&totals.lines).enumerate() {
        let n = i + 1;
        check(
            rule::BR_KSA_EN16931_11,
            format_args!(
                "line {n} net amount (BT-131) = quantity × price / base quantity + charges − allowances"
            ),
            t.net_amount,
            line.net_amount,
        )?;
        // No rule states KSA-11's value (BR-KSA-52 only requires it): the term names the check.
        check_as(
            "KSA-11",
            format_args!("line {n} VAT amount (KSA-11) = net amount × rate / 100"),
            t.vat_amount,
            line.vat_amount,
        )?;
        check(
            rule::BR_KSA_51,
            format_args!("line {n} amount with VAT (KSA-12) = net amount + line VAT"),
            t.amount_with_vat,
            line.amount_with_vat,
        )?;
    }
    for (i, (p, t)) in invoice.prepayments.iter().zip(&totals.prepayments).enumerate() {
        check(
            rule::BR_KSA_79,
            format_args!("prepayment {} VAT amount (KSA-32) = taxable amount × rate / 100", i + 1),
            t.vat_amount,
            p.vat_amount,
        )?;
    }
    let Some(e) = &invoice.totals else { return Ok(()) };
    check(
        rule::BR_CO_10,
        "sum of line net amounts (BT-106)",
        totals.line_extension_amount,
        e.line_extension_amount,
    )?;
    check(
        rule::BR_CO_11,
        "sum of document allowances (BT-107)",
        totals.allowance_total_amount,
        e.allowance_total_amount,
    )?;
    check(
        rule::BR_CO_12,
        "sum of document charges (BT-108)",
        totals.charge_total_amount,
        e.charge_total_amount,
    )?;
    check(
        rule::BR_CO_13,
        "total without VAT (BT-109) = line nets − allowances + charges",
        totals.tax_exclusive_amount,
        e.tax_exclusive_amount,
    )?;
    check(rule::BR_CO_14, "total VAT (BT-110) = Σ VAT category amounts", totals.vat_total, e.vat_total)?;
    check(rule::BR_53, "total VAT in SAR (BT-111)", totals.vat_total_sar, e.vat_total_sar)?;
    check(
        rule::BR_CO_15,
        "total with VAT (BT-112) = total without VAT + total VAT",
        totals.tax_inclusive_amount,
        e.tax_inclusive_amount,
    )?;
    check(
        rule::BR_KSA_80,
        "prepaid amount (BT-113) = Σ prepayment taxable + VAT",
        totals.prepaid_amount,
        e.prepaid_amount,
    )?;
    check(
        rule::BR_CO_16,
        "amount due (BT-115) = total with VAT − prepaid + rounding",
        totals.payable_amount,
        e.payable_amount,
    )?;
    Ok(())
}
