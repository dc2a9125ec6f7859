//! The invoice model: typed ZATCA documents (standard/simplified × invoice, credit note, debit
//! note, prepayment; transaction flags; parties; lines; allowances and charges; prepayments;
//! foreign currency), their totals, and the UBL 2.1 writer in the official SDK's layout.
//!
//! ```text
//! JSON / Rust ──► Invoice ──► totals ──check caller's totals──► write ──► unsigned UBL ──► stamp
//!                                                                  └─► validate: refuse on errors
//! ```
//!
//! # Rounding policy (one, everywhere)
//! Amounts are [`rust_decimal::Decimal`]s, rounded to two decimals **half away from zero**
//! (`round2`), as ZATCA's samples and validators do:
//! - line net amount BT-131 = round2(quantity × price / base quantity + Σ line charges − Σ line
//!   allowances) (BR-KSA-EN16931-11);
//! - line VAT KSA-11 = round2(line net × rate / 100); line amount with VAT KSA-12 = line net + line
//!   VAT (BR-KSA-51);
//! - one VAT breakdown per (category, rate, exemption reason code), in order of first appearance:
//!   taxable BT-116 = Σ line nets − document allowances + document charges of that breakdown
//!   (BR-S-08, BR-Z-08, BR-E-08, BR-O-08); its VAT BT-117 = round2(taxable × rate / 100) (BR-CO-17);
//! - total VAT BT-110 = Σ breakdown VAT (BR-CO-14) — **not** Σ line VAT: in the SDK's "Standard
//!   Invoice with Payable Rounding Adjustment" the line VAT is 130.43 and the document VAT 130.44;
//! - total VAT in SAR BT-111 = round2(BT-110 × exchange rate) (= BT-110 for SAR documents);
//! - BT-106 = Σ line nets (BR-CO-10); BT-109 = BT-106 − allowances + charges (BR-CO-13);
//!   BT-112 = BT-109 + BT-110 (BR-CO-15); prepaid BT-113 = Σ (prepayment taxable + round2(taxable ×
//!   rate / 100)) (BR-KSA-79/80); amount due BT-115 = BT-112 − BT-113 + rounding BT-114 (BR-CO-16).
//!
//! Amounts the caller gives (`totals`, and per line `net_amount`, `vat_amount`, `amount_with_vat`)
//! are only checked: a difference is an [`Error::InvalidModel`] naming the rule and both values.
//!
//! # JSON
//! Field names are the Rust names; decimals are strings (`"12.50"`, exact) or JSON numbers;
//! unknown fields are errors; `totals` holds the caller's own totals, to be checked. Defaults:
//! `document_type` `invoice`, `flags` all false, `pih` the genesis value, `currency` SAR,
//! `unit_code` PCE, VAT `rate` 0, the exemption reason text ZATCA's for the code, line `id` its
//! position.
//! ```json
//! {
//!   "kind": "simplified",
//!   "document_type": "invoice",
//!   "flags": { "summary": false },
//!   "id": "SIMP-000101", "uuid": "3cf5ee18-ee25-44ea-a444-2c37ba7f28be",
//!   "issue_date": "2025-03-14", "issue_time": "19:42:05", "icv": 101,
//!   "seller": {
//!     "registration_name": "مخبز الياسمين | Al Yasmin Bakery", "vat_number": "310122393500003",
//!     "ids": [{ "scheme": "CRN", "value": "1010654321" }],
//!     "address": { "street": "طريق الملك فهد", "building_number": "7421", "district": "العليا",
//!                  "city": "الرياض", "postal_code": "12214", "country": "SA" }
//!   },
//!   "payment_means": [{ "code": "48" }],
//!   "lines": [
//!     { "name": "خبز تميس | Tamees", "quantity": "4", "price": "1.50", "vat": { "category": "S", "rate": "15" } },
//!     { "name": "دواء | Medicine", "quantity": "1", "price": "20", "unit_code": "PCE",
//!       "vat": { "category": "Z", "exemption_reason_code": "VATEX-SA-35" },
//!       "allowances": [{ "reason": "discount", "reason_code": "95", "amount": "2.00" }] }
//!   ],
//!   "totals": { "payable_amount": "24.90" }
//! }
//! ```
//! Notes add `"billing_reference": "INV-1"` and `"payment_means": [{ "code": "10",
//! "instruction_note": "reason" }]`; standard documents add `"buyer"` and `"supply_date"`;
//! other currencies `"currency": "USD", "exchange_rate": "3.75"`. Complete examples:
//! `core/tests/fixtures/models/*.json`.

mod dec;
mod signed;
pub(crate) mod totals;
pub(crate) mod types;
pub(crate) mod validate;
pub(crate) mod vatex;
mod write;

pub use totals::{LineTotals, PrepaymentTotals, Totals, VatBreakdown};
pub use types::*;

use crate::error::{Error, Result};

impl Invoice {
    /// Reads the JSON form; malformed JSON, unknown fields and wrong types are
    /// [`Error::InvalidInput`] naming the path (`lines[0].quantity`).
    pub fn from_json(json: &str) -> Result<Invoice> {
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        // Tracking the path costs as much as reading: read without it, and again with it only to
        // say where a refused document went wrong.
        if let Ok(invoice) = serde_json::from_str(json) {
            return Ok(invoice);
        }
        let mut de = serde_json::Deserializer::from_str(json);
        let invoice: Invoice = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path.is_empty() || path == "." {
                Error::InvalidInput(format!("invoice JSON: {inner}"))
            } else {
                Error::InvalidInput(format!("invoice JSON at {path}: {inner}"))
            }
        })?;
        de.end().map_err(|e| Error::InvalidInput(format!("invoice JSON: {e}")))?;
        Ok(invoice)
    }

    /// The JSON form (decimals as strings).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::InvalidInput(format!("invoice JSON: {e}")))
    }

    /// Refuses what ZATCA's rules report as an error, with the first such rule (the document is
    /// written and judged by [`crate::validate`]; see the `validate` module). Warnings are not refusals.
    pub fn validate(&self) -> Result<()> {
        self.to_xml().map(|_| ())
    }

    /// Checks the inputs no rule can judge on the document, computes every amount and checks
    /// the amounts the caller gave.
    pub fn totals(&self) -> Result<Totals> {
        validate::validate(self)?;
        let totals = totals::compute(self)?;
        totals::check_expected(self, &totals)?;
        Ok(totals)
    }

    /// The unsigned UBL document (see [`to_xml`]).
    pub fn to_xml(&self) -> Result<Vec<u8>> {
        to_xml(self)
    }
}

/// Computes the totals of `invoice`, writes the unsigned UBL 2.1 document in the SDK's layout,
/// ready for [`crate::stamp()`], and refuses it if ZATCA's rules report an error.
pub fn to_xml(invoice: &Invoice) -> Result<Vec<u8>> {
    Ok(write::write_judged(invoice, &invoice.totals()?, validate::refuse_rule_errors)?.into_bytes())
}

/// Whether the tree the writer records for `invoice` (and judges, instead of parsing its output
/// back) is the tree [`crate::xml::parse`] builds from the written document: `Err` names the first
/// difference. For the tests that hold the two to each other.
#[doc(hidden)]
pub(crate) fn recorded_tree_matches_parse(invoice: &Invoice) -> Result<std::result::Result<(), String>> {
    write::recorded_tree_is_parsed_tree(invoice, &invoice.totals()?)
}

/// [`to_xml`] without the rules' verdict: the document as written, whatever ZATCA's rules say of
/// it (for tests and tools that compare verdicts with ZATCA's own validator).
#[doc(hidden)]
pub(crate) fn to_xml_unjudged(invoice: &Invoice) -> Result<Vec<u8>> {
    let totals = invoice.totals()?;
    Ok(write::write(invoice, &totals)?.into_bytes())
}
