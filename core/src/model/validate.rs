//! What the model refuses, and why it is the validator's rule book.
//!
//! The model refuses exactly what ZATCA's rules report as an error: it writes the document and
//! runs [`crate::validate`] on it ([`refuse_rule_errors`]), so every business rule's condition
//! exists once, in `validate`, and the model can never refuse what ZATCA accepts (warnings are
//! not refusals; `validate` or the engine report them). What stays here is what no rule of
//! ZATCA's can see on the written document:
//! - numbers too large to compute with (quantities and prices stop at 10^17);
//! - a base quantity of zero or below, which the line amount divides by (BR-KSA-EN16931-12);
//! - a previous invoice hash that is not the base64 of a SHA-256 hash (or the genesis value): the
//!   stamp refuses it, because such a document cannot join a hash chain (the check is the
//!   stamp's own, [`crate::stamp::pih_is_well_formed`]);
//! - an amount or VAT rate given with more than two decimals, which the document would carry
//!   rounded: the model never changes a value silently (ZATCA's decimal rules only warn);
//! - the caller's own totals, when given, differing from the computed ones (`totals.rs`).

use super::types::*;
use crate::error::{Error, Result};
use crate::validate::rule;
use rust_decimal::Decimal;

/// A validation instant far after any issue date: the model's documents are judged without a
/// clock (BR-KSA-04, a future issue date, is the engine's, at the moment of issue), and the only
/// time rule that then fires, BR-KSA-98, is a warning.
const TIMELESS: i64 = 253_000_000_000;

/// The inputs the rules cannot judge on the written document (module docs).
pub(crate) fn validate(invoice: &Invoice) -> Result<()> {
    if !crate::stamp::pih_is_well_formed(&invoice.pih) {
        return Err(Error::InvalidModel {
            rule: None,
            message: format!(
                "the previous invoice hash (pih, KSA-13) '{}' is neither the genesis value nor the base64 of a \
                 SHA-256 hash: the document could not join the unit's hash chain",
                invoice.pih
            ),
        });
    }
    two_decimals(invoice)?;
    let limit = Decimal::from(100_000_000_000_000_000_u64);
    for (i, line) in invoice.lines.iter().enumerate() {
        let n = i + 1;
        for value in [Some(line.quantity), Some(line.price), line.base_quantity, line.gross_price]
            .into_iter()
            .flatten()
        {
            if value.abs() > limit {
                return Err(Error::InvalidModel {
                    rule: None,
                    message: format!("line {n}: {value} is too large (quantities and prices stop at 10^17)"),
                });
            }
        }
        if let Some(b) = line.base_quantity
            && b <= Decimal::ZERO
        {
            return Err(Error::model(
                rule::BR_KSA_EN16931_12,
                format!("line {n}: the base quantity (BT-149) must be above zero (given {b})"),
            ));
        }
    }
    Ok(())
}

/// Amounts and rates the caller gives that the document carries with two decimals: the first
/// one with more, in the order of the document (its label is only written for it).
fn two_decimals(invoice: &Invoice) -> Result<()> {
    let refuse = |what: std::fmt::Arguments<'_>, v: Decimal| {
        Err(Error::InvalidModel {
            rule: None,
            message: format!(
                "the {what} {v} has more than two decimals: the document carries it with two, so give it rounded"
            ),
        })
    };
    let over = |v: Decimal| v.round_dp(2) != v;
    for (i, line) in invoice.lines.iter().enumerate() {
        let n = i + 1;
        if over(line.vat.rate) {
            return refuse(format_args!("line {n} VAT rate"), line.vat.rate);
        }
        for (kind, list) in [("allowance", &line.allowances), ("charge", &line.charges)] {
            for a in list {
                if over(a.amount) {
                    return refuse(format_args!("line {n} {kind} amount"), a.amount);
                }
                if let Some(b) = a.base_amount.filter(|b| over(*b)) {
                    return refuse(format_args!("line {n} {kind} base amount"), b);
                }
            }
        }
    }
    for (kind, list) in [("allowance", &invoice.allowances), ("charge", &invoice.charges)] {
        for (i, a) in list.iter().enumerate() {
            let n = i + 1;
            if over(a.amount) {
                return refuse(format_args!("document {kind} {n} amount"), a.amount);
            }
            if let Some(b) = a.base_amount.filter(|b| over(*b)) {
                return refuse(format_args!("document {kind} {n} base amount"), b);
            }
            if over(a.vat.rate) {
                return refuse(format_args!("document {kind} {n} VAT rate"), a.vat.rate);
            }
        }
    }
    for (i, p) in invoice.prepayments.iter().enumerate() {
        let n = i + 1;
        if over(p.taxable_amount) {
            return refuse(format_args!("prepayment {n} taxable amount"), p.taxable_amount);
        }
        if over(p.vat.rate) {
            return refuse(format_args!("prepayment {n} VAT rate"), p.vat.rate);
        }
    }
    match invoice.rounding_amount.filter(|r| over(*r)) {
        Some(r) => refuse(format_args!("rounding amount"), r),
        None => Ok(()),
    }
}

/// Refuses a written document on the first error ZATCA's rules report (see the module docs),
/// naming the rule, where it is and how to fix it; schema errors (which ZATCA's platform checks
/// first too) come after business-rule errors, as the less specific of the two.
pub(crate) fn refuse_rule_errors(document: &crate::xml::Document<'_>) -> Result<()> {
    refuse_rule_errors_and(document, || ()).0
}

/// [`refuse_rule_errors`], and `also` done meanwhile (see
/// [`crate::validate::validate_document_and`]); `None` when the document is not an invoice.
pub(crate) fn refuse_rule_errors_and<T: Send>(
    document: &crate::xml::Document<'_>,
    also: impl FnOnce() -> T + Send,
) -> (Result<()>, Option<T>) {
    match crate::validate::validate_document_and(document, TIMELESS, also) {
        Ok((report, done)) => (refuse_errors_of(&report), Some(done)),
        Err(e) => (Err(e), None),
    }
}

fn refuse_errors_of(report: &crate::validate::ValidationReport) -> Result<()> {
    let mut errors = report.errors();
    // A business rule says more than the schema check that fails with it (a bad date is both).
    let Some(first) = report.errors().find(|f| !f.rule.starts_with("XSD-")).or_else(|| errors.next()) else {
        return Ok(());
    };
    Err(Error::InvalidModel {
        rule: Some(first.rule.clone()),
        message: format!("{} {} (at {})", first.message_en, first.fix, first.path),
    })
}
