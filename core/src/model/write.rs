//! The UBL 2.1 writer: the unsigned document in the SDK's layout, straight into one pre-sized
//! buffer (no DOM). Every byte is already in canonical form except the XML declaration: explicit
//! end tags, attributes in C14N order, text escaped as C14N escapes it. So canonicalising the
//! output changes nothing inside the root, which keeps hashing-while-writing possible later.
//!
//! The stamp-owned elements (UBLExtensions, the QR reference, cac:Signature) are not written:
//! [`crate::stamp()`] splices them in without whitespace.

use super::dec::{at_least2, round2};
use super::totals::Totals;
use super::types::*;
use crate::error::{Error, Result};
use crate::xml::TreeBuilder;
use rust_decimal::Decimal;
use std::fmt::Write as _;

const ROOT: &str = "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" \
xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" \
xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\" \
xmlns:ext=\"urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2\">";

/// Writes a decimal as its `Display` would (scale kept), without the formatter machinery: this is
/// the writer's hottest spot.
fn push_decimal(out: &mut String, value: Decimal) {
    let scale = value.scale() as usize;
    let mantissa = value.mantissa();
    let mut buf = [0u8; 64];
    let mut at = buf.len();
    let mut digits = 0;
    let mut put = |digit: u8, at: &mut usize, digits: &mut usize| {
        if *digits == scale && scale > 0 {
            *at -= 1;
            buf[*at] = b'.';
        }
        *at -= 1;
        buf[*at] = b'0' + digit;
        *digits += 1;
    };
    let magnitude = mantissa.unsigned_abs();
    if let Ok(mut small) = u64::try_from(magnitude) {
        loop {
            put((small % 10) as u8, &mut at, &mut digits);
            small /= 10;
            if small == 0 && digits > scale {
                break;
            }
        }
    } else {
        let mut big = magnitude;
        loop {
            put((big % 10) as u8, &mut at, &mut digits);
            big /= 10;
            if big == 0 && digits > scale {
                break;
            }
        }
    }
    if mantissa < 0 {
        out.push('-');
    }
    // Only ASCII digits, '.' and '-' were written.
    out.push_str(std::str::from_utf8(&buf[at..]).unwrap_or_default());
}

const SPACES: &str = "                                                                ";

/// The namespaces [`ROOT`] declares, in its order (for the tree the writer records).
const ROOT_NAMESPACES: [(&str, &str); 4] = [
    ("", crate::xml::NS_INVOICE),
    ("cac", crate::xml::NS_CAC),
    ("cbc", crate::xml::NS_CBC),
    ("ext", crate::xml::NS_EXT),
];

struct Writer {
    out: String,
    /// The first character XML 1.0 cannot carry, found in a text value.
    bad: Option<char>,
    /// The document's tree, recorded as it is written when it is to be judged.
    tree: Option<TreeBuilder>,
}

impl Writer {
    /// Records the text written since `start` as a text run.
    fn text_since(&mut self, start: usize, escaped: bool) {
        if let Some(tree) = &mut self.tree {
            tree.text(start, self.out.len(), escaped);
        }
    }

    /// Writes `<tag` and records the element.
    fn open_tag(&mut self, tag: &'static str) {
        let at = self.out.len();
        self.out.push('<');
        self.out.push_str(tag);
        if let Some(tree) = &mut self.tree {
            tree.open(tag, at);
        }
    }

    /// Writes ` name="value"` (escaped) and records the attribute.
    fn attribute(&mut self, name: &'static str, value: &str) {
        self.out.push(' ');
        let name_at = self.out.len();
        self.out.push_str(name);
        self.out.push_str("=\"");
        let from = self.out.len();
        let escaped = self.escape(value, true);
        if let Some(tree) = &mut self.tree {
            tree.attribute(name, name_at, (from, self.out.len()), escaped);
        }
        self.out.push('"');
    }

    /// Writes a value of an element as text (escaped).
    fn value(&mut self, value: &str) {
        let from = self.out.len();
        let escaped = self.escape(value, false);
        self.text_since(from, escaped);
    }

    /// Writes a value of an element the caller formats (digits, a UUID: nothing to escape).
    fn raw_value(&mut self, write: impl FnOnce(&mut String)) {
        let from = self.out.len();
        write(&mut self.out);
        self.text_since(from, false);
    }

    fn nl(&mut self, depth: usize) {
        let from = self.out.len();
        self.out.push('\n');
        self.out.push_str(&SPACES[..(depth * 4).min(SPACES.len())]);
        self.text_since(from, false);
    }

    fn start(&mut self, depth: usize, tag: &'static str) {
        self.nl(depth);
        self.open_tag(tag);
        self.out.push('>');
    }

    fn end(&mut self, depth: usize, tag: &str) {
        self.nl(depth);
        self.close_inline(tag);
    }

    fn close_inline(&mut self, tag: &str) {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        if let Some(tree) = &mut self.tree {
            tree.close(self.out.len());
        }
    }

    /// `<tag>text</tag>` on its own line.
    fn text(&mut self, depth: usize, tag: &'static str, value: &str) {
        self.start(depth, tag);
        self.value(value);
        self.close_inline(tag);
    }

    fn opt_text(&mut self, depth: usize, tag: &'static str, value: &Option<String>) {
        if let Some(v) = value {
            self.text(depth, tag, v);
        }
    }

    /// `<tag attr="value">text</tag>` on its own line.
    fn text_attr(
        &mut self,
        depth: usize,
        tag: &'static str,
        attr: &'static str,
        attr_value: &str,
        value: &str,
    ) {
        self.nl(depth);
        self.open_tag(tag);
        self.attribute(attr, attr_value);
        self.out.push('>');
        self.value(value);
        self.close_inline(tag);
    }

    fn decimal(&mut self, depth: usize, tag: &'static str, value: Decimal) {
        self.start(depth, tag);
        self.raw_value(|out| push_decimal(out, value));
        self.close_inline(tag);
    }

    /// An amount with its currency, always with two decimals.
    fn amount(&mut self, depth: usize, tag: &'static str, currency: &str, value: Decimal) {
        self.amount_raw(depth, tag, currency, round2(value));
    }

    /// An amount written as given (prices may have more than two decimals).
    fn amount_raw(&mut self, depth: usize, tag: &'static str, currency: &str, value: Decimal) {
        self.nl(depth);
        self.open_tag(tag);
        self.attribute("currencyID", currency);
        self.out.push('>');
        self.raw_value(|out| push_decimal(out, value));
        self.close_inline(tag);
    }

    fn quantity(&mut self, depth: usize, tag: &'static str, unit: &str, value: Decimal) {
        self.nl(depth);
        self.open_tag(tag);
        self.attribute("unitCode", unit);
        self.out.push('>');
        self.raw_value(|out| push_decimal(out, at_least2(value)));
        self.close_inline(tag);
    }

    /// Escapes as C14N does: `& < >` and CR in text; `& < "` TAB LF CR in attributes. Whether
    /// anything was replaced.
    fn escape(&mut self, value: &str, attribute: bool) -> bool {
        let bytes = value.as_bytes();
        let mut from = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let replacement = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' if !attribute => "&gt;",
                b'"' if attribute => "&quot;",
                b'\r' => "&#xD;",
                b'\t' if attribute => "&#x9;",
                b'\n' if attribute => "&#xA;",
                b'\t' | b'\n' => continue,
                0..=0x1f => {
                    self.bad.get_or_insert(b as char);
                    continue;
                }
                0xEF if bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) => {
                    self.bad.get_or_insert('\u{FFFE}');
                    continue;
                }
                _ => continue,
            };
            self.out.push_str(&value[from..i]);
            self.out.push_str(replacement);
            from = i + 1;
        }
        self.out.push_str(&value[from..]);
        from > 0
    }
}

/// Writes `invoice` with its already computed and validated `totals`.
pub(super) fn write(invoice: &Invoice, totals: &Totals) -> Result<String> {
    Ok(write_document(invoice, totals, false)?.0)
}

/// [`write`], then judged by `judge` on the tree recorded while writing (the same tree
/// [`crate::xml::parse`] would build from the output, without parsing it back).
pub(super) fn write_judged(
    invoice: &Invoice,
    totals: &Totals,
    judge: impl FnOnce(&crate::xml::Document<'_>) -> Result<()>,
) -> Result<String> {
    let (out, tree) = write_document(invoice, totals, true)?;
    let document = tree.expect("recorded").document(&out);
    #[cfg(debug_assertions)]
    if let Err(difference) = same_as_parsed(&document) {
        panic!("the writer's tree is not the parser's: {difference}");
    }
    judge(&document)?;
    drop(document);
    Ok(out)
}

/// Whether the tree recorded while writing `invoice` is the one the parser builds from the
/// output (for the tests; debug builds check it on every judged write).
pub(super) fn recorded_tree_is_parsed_tree(
    invoice: &Invoice,
    totals: &Totals,
) -> Result<std::result::Result<(), String>> {
    let (out, tree) = write_document(invoice, totals, true)?;
    Ok(same_as_parsed(&tree.expect("recorded").document(&out)))
}

fn same_as_parsed(document: &crate::xml::Document<'_>) -> std::result::Result<(), String> {
    let parsed = crate::xml::parse(document.input_text().as_bytes()).map_err(|e| e.to_string())?;
    crate::xml::same_tree(document, &parsed)
}

/// The document's text and, when `record`, its tree.
fn write_document(invoice: &Invoice, totals: &Totals, record: bool) -> Result<(String, Option<TreeBuilder>)> {
    let lines = invoice.lines.len() + invoice.prepayments.len();
    let tree = record.then(|| TreeBuilder::with_capacity(40 + 40 * lines));
    let mut w = Writer { out: String::with_capacity(4096 + 1400 * lines), bad: None, tree };
    let cur = invoice.currency.as_str();
    w.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if let Some(tree) = &mut w.tree {
        tree.declare(&ROOT_NAMESPACES);
        tree.open("Invoice", w.out.len());
    }
    w.out.push_str(ROOT);
    w.text(1, "cbc:ProfileID", "reporting:1.0");
    w.text(1, "cbc:ID", &invoice.id);
    w.start(1, "cbc:UUID");
    w.raw_value(|out| {
        let _ = write!(out, "{}", invoice.uuid.hyphenated());
    });
    w.close_inline("cbc:UUID");
    w.text(1, "cbc:IssueDate", &invoice.issue_date);
    w.text(1, "cbc:IssueTime", &invoice.issue_time);
    w.text_attr(1, "cbc:InvoiceTypeCode", "name", &invoice.transaction_code(), invoice.document_type.code());
    for note in &invoice.notes {
        match &note.language {
            Some(lang) => w.text_attr(1, "cbc:Note", "languageID", lang, &note.text),
            None => w.text(1, "cbc:Note", &note.text),
        }
    }
    w.text(1, "cbc:DocumentCurrencyCode", cur);
    w.text(1, "cbc:TaxCurrencyCode", "SAR");
    if let Some(order) = &invoice.purchase_order_id {
        w.start(1, "cac:OrderReference");
        w.text(2, "cbc:ID", order);
        w.end(1, "cac:OrderReference");
    }
    if let Some(reference) = &invoice.billing_reference {
        w.start(1, "cac:BillingReference");
        w.start(2, "cac:InvoiceDocumentReference");
        w.text(3, "cbc:ID", reference);
        w.end(2, "cac:InvoiceDocumentReference");
        w.end(1, "cac:BillingReference");
    }
    if let Some(contract) = &invoice.contract_id {
        w.start(1, "cac:ContractDocumentReference");
        w.text(2, "cbc:ID", contract);
        w.end(1, "cac:ContractDocumentReference");
    }
    w.start(1, "cac:AdditionalDocumentReference");
    w.text(2, "cbc:ID", "ICV");
    w.decimal(2, "cbc:UUID", Decimal::from(invoice.icv));
    w.end(1, "cac:AdditionalDocumentReference");
    w.start(1, "cac:AdditionalDocumentReference");
    w.text(2, "cbc:ID", "PIH");
    w.start(2, "cac:Attachment");
    w.text_attr(3, "cbc:EmbeddedDocumentBinaryObject", "mimeCode", "text/plain", &invoice.pih);
    w.end(2, "cac:Attachment");
    w.end(1, "cac:AdditionalDocumentReference");

    w.start(1, "cac:AccountingSupplierParty");
    party(&mut w, &invoice.seller);
    w.end(1, "cac:AccountingSupplierParty");
    w.start(1, "cac:AccountingCustomerParty");
    if let Some(buyer) = invoice.buyer.as_ref().filter(|b| !b.is_empty()) {
        party(&mut w, buyer);
    }
    w.end(1, "cac:AccountingCustomerParty");

    if invoice.supply_date.is_some() || invoice.supply_end_date.is_some() {
        w.start(1, "cac:Delivery");
        w.opt_text(2, "cbc:ActualDeliveryDate", &invoice.supply_date);
        w.opt_text(2, "cbc:LatestDeliveryDate", &invoice.supply_end_date);
        w.end(1, "cac:Delivery");
    }
    for p in &invoice.payment_means {
        w.start(1, "cac:PaymentMeans");
        w.text(2, "cbc:PaymentMeansCode", &p.code);
        w.opt_text(2, "cbc:InstructionNote", &p.instruction_note);
        if let Some(account) = &p.account_id {
            w.start(2, "cac:PayeeFinancialAccount");
            w.text(3, "cbc:ID", account);
            w.end(2, "cac:PayeeFinancialAccount");
        }
        w.end(1, "cac:PaymentMeans");
    }
    for a in &invoice.allowances {
        document_allowance_charge(&mut w, false, a, cur);
    }
    for c in &invoice.charges {
        document_allowance_charge(&mut w, true, c, cur);
    }
    if cur != "SAR"
        && let Some(rate) = invoice.exchange_rate
    {
        w.start(1, "cac:TaxExchangeRate");
        w.text(2, "cbc:SourceCurrencyCode", cur);
        w.text(2, "cbc:TargetCurrencyCode", "SAR");
        w.decimal(2, "cbc:CalculationRate", rate.normalize());
        w.end(1, "cac:TaxExchangeRate");
    }

    // BT-111 (VAT in SAR, no breakdown), then BT-110 with the breakdown, as in the SDK samples.
    w.start(1, "cac:TaxTotal");
    w.amount(2, "cbc:TaxAmount", "SAR", totals.vat_total_sar);
    w.end(1, "cac:TaxTotal");
    w.start(1, "cac:TaxTotal");
    w.amount(2, "cbc:TaxAmount", cur, totals.vat_total);
    for b in &totals.breakdown {
        w.start(2, "cac:TaxSubtotal");
        w.amount(3, "cbc:TaxableAmount", cur, b.taxable_amount);
        w.amount(3, "cbc:TaxAmount", cur, b.vat_amount);
        tax_category(&mut w, 3, "cac:TaxCategory", &b.vat, true);
        w.end(2, "cac:TaxSubtotal");
    }
    w.end(1, "cac:TaxTotal");

    w.start(1, "cac:LegalMonetaryTotal");
    w.amount(2, "cbc:LineExtensionAmount", cur, totals.line_extension_amount);
    w.amount(2, "cbc:TaxExclusiveAmount", cur, totals.tax_exclusive_amount);
    w.amount(2, "cbc:TaxInclusiveAmount", cur, totals.tax_inclusive_amount);
    w.amount(2, "cbc:AllowanceTotalAmount", cur, totals.allowance_total_amount);
    if !invoice.charges.is_empty() {
        w.amount(2, "cbc:ChargeTotalAmount", cur, totals.charge_total_amount);
    }
    // Only with prepayments: a present BT-113 asks for prepayment lines (BR-KSA-73).
    if !invoice.prepayments.is_empty() {
        w.amount(2, "cbc:PrepaidAmount", cur, totals.prepaid_amount);
    }
    if invoice.rounding_amount.is_some() {
        w.amount(2, "cbc:PayableRoundingAmount", cur, totals.rounding_amount);
    }
    w.amount(2, "cbc:PayableAmount", cur, totals.payable_amount);
    w.end(1, "cac:LegalMonetaryTotal");

    for (i, (line, t)) in invoice.lines.iter().zip(&totals.lines).enumerate() {
        invoice_line(&mut w, i + 1, line, t, cur);
    }
    for (j, (p, t)) in invoice.prepayments.iter().zip(&totals.prepayments).enumerate() {
        prepayment_line(&mut w, invoice.lines.len() + j + 1, p, t, cur);
    }
    w.end(0, "Invoice");
    w.out.push('\n');
    if let Some(c) = w.bad {
        return Err(Error::InvalidInput(format!(
            "a text value contains the character U+{:04X}, which XML cannot carry",
            c as u32
        )));
    }
    Ok((w.out, w.tree))
}

fn party(w: &mut Writer, p: &Party) {
    w.start(2, "cac:Party");
    for id in &p.ids {
        w.start(3, "cac:PartyIdentification");
        w.text_attr(4, "cbc:ID", "schemeID", id.scheme.code(), &id.value);
        w.end(3, "cac:PartyIdentification");
    }
    if let Some(a) = &p.address {
        w.start(3, "cac:PostalAddress");
        w.opt_text(4, "cbc:StreetName", &a.street);
        w.opt_text(4, "cbc:AdditionalStreetName", &a.additional_street);
        w.opt_text(4, "cbc:BuildingNumber", &a.building_number);
        w.opt_text(4, "cbc:PlotIdentification", &a.additional_number);
        w.opt_text(4, "cbc:CitySubdivisionName", &a.district);
        w.opt_text(4, "cbc:CityName", &a.city);
        w.opt_text(4, "cbc:PostalZone", &a.postal_code);
        w.opt_text(4, "cbc:CountrySubentity", &a.province);
        w.start(4, "cac:Country");
        w.text(5, "cbc:IdentificationCode", &a.country);
        w.end(4, "cac:Country");
        w.end(3, "cac:PostalAddress");
    }
    if let Some(vat) = &p.vat_number {
        w.start(3, "cac:PartyTaxScheme");
        w.text(4, "cbc:CompanyID", vat);
        w.start(4, "cac:TaxScheme");
        w.text(5, "cbc:ID", "VAT");
        w.end(4, "cac:TaxScheme");
        w.end(3, "cac:PartyTaxScheme");
    }
    if let Some(name) = &p.registration_name {
        w.start(3, "cac:PartyLegalEntity");
        w.text(4, "cbc:RegistrationName", name);
        w.end(3, "cac:PartyLegalEntity");
    }
    w.end(2, "cac:Party");
}

/// `cac:TaxCategory` / `cac:ClassifiedTaxCategory`; the exemption reason only in the breakdown,
/// as in the SDK samples.
fn tax_category(w: &mut Writer, depth: usize, tag: &'static str, vat: &Vat, with_reason: bool) {
    w.start(depth, tag);
    w.text(depth + 1, "cbc:ID", vat.category.code());
    w.decimal(depth + 1, "cbc:Percent", round2(vat.rate));
    if with_reason && vat.category != VatCategory::Standard {
        w.opt_text(depth + 1, "cbc:TaxExemptionReasonCode", &vat.exemption_reason_code);
        w.opt_text(depth + 1, "cbc:TaxExemptionReason", &vat.exemption_reason);
    }
    w.start(depth + 1, "cac:TaxScheme");
    w.text(depth + 2, "cbc:ID", "VAT");
    w.end(depth + 1, "cac:TaxScheme");
    w.end(depth, tag);
}

#[allow(clippy::too_many_arguments)] // the shared fields of the two allowance/charge structs
fn allowance_charge_body(
    w: &mut Writer,
    depth: usize,
    charge: bool,
    amount: Decimal,
    reason: &Option<String>,
    reason_code: &Option<String>,
    base: Option<Decimal>,
    percent: Option<Decimal>,
    cur: &str,
) {
    w.text(depth, "cbc:ChargeIndicator", if charge { "true" } else { "false" });
    w.opt_text(depth, "cbc:AllowanceChargeReasonCode", reason_code);
    w.opt_text(depth, "cbc:AllowanceChargeReason", reason);
    if let Some(p) = percent {
        w.decimal(depth, "cbc:MultiplierFactorNumeric", p.normalize());
    }
    w.amount(depth, "cbc:Amount", cur, amount);
    if let Some(b) = base {
        w.amount(depth, "cbc:BaseAmount", cur, b);
    }
}

fn document_allowance_charge(w: &mut Writer, charge: bool, a: &AllowanceCharge, cur: &str) {
    w.start(1, "cac:AllowanceCharge");
    allowance_charge_body(w, 2, charge, a.amount, &a.reason, &a.reason_code, a.base_amount, a.percent, cur);
    tax_category(w, 2, "cac:TaxCategory", &a.vat, false);
    w.end(1, "cac:AllowanceCharge");
}

fn line_id(w: &mut Writer, id: &Option<String>, position: usize) {
    match id {
        Some(id) => w.text(2, "cbc:ID", id),
        None => {
            w.start(2, "cbc:ID");
            w.raw_value(|out| push_decimal(out, Decimal::from(position)));
            w.close_inline("cbc:ID");
        }
    }
}

fn invoice_line(w: &mut Writer, position: usize, line: &Line, t: &super::totals::LineTotals, cur: &str) {
    w.start(1, "cac:InvoiceLine");
    line_id(w, &line.id, position);
    w.quantity(2, "cbc:InvoicedQuantity", &line.unit_code, line.quantity);
    w.amount(2, "cbc:LineExtensionAmount", cur, t.net_amount);
    for a in &line.allowances {
        w.start(2, "cac:AllowanceCharge");
        allowance_charge_body(
            w,
            3,
            false,
            a.amount,
            &a.reason,
            &a.reason_code,
            a.base_amount,
            a.percent,
            cur,
        );
        w.end(2, "cac:AllowanceCharge");
    }
    for c in &line.charges {
        w.start(2, "cac:AllowanceCharge");
        allowance_charge_body(w, 3, true, c.amount, &c.reason, &c.reason_code, c.base_amount, c.percent, cur);
        w.end(2, "cac:AllowanceCharge");
    }
    w.start(2, "cac:TaxTotal");
    w.amount(3, "cbc:TaxAmount", cur, t.vat_amount);
    w.amount(3, "cbc:RoundingAmount", cur, t.amount_with_vat);
    w.end(2, "cac:TaxTotal");
    w.start(2, "cac:Item");
    w.text(3, "cbc:Name", &line.name);
    for (tag, id) in [
        ("cac:BuyersItemIdentification", &line.buyer_item_id),
        ("cac:SellersItemIdentification", &line.seller_item_id),
        ("cac:StandardItemIdentification", &line.standard_item_id),
    ] {
        if let Some(id) = id {
            w.start(3, tag);
            w.text(4, "cbc:ID", id);
            w.end(3, tag);
        }
    }
    tax_category(w, 3, "cac:ClassifiedTaxCategory", &line.vat, false);
    w.end(2, "cac:Item");
    w.start(2, "cac:Price");
    w.amount_raw(3, "cbc:PriceAmount", cur, at_least2(line.price));
    if let Some(b) = line.base_quantity {
        w.quantity(3, "cbc:BaseQuantity", &line.unit_code, b);
    }
    if let Some(gross) = line.gross_price {
        // The price discount (BT-147); validation made sure it is not negative.
        w.start(3, "cac:AllowanceCharge");
        w.text(4, "cbc:ChargeIndicator", "false");
        w.amount_raw(4, "cbc:Amount", cur, at_least2(gross - line.price));
        w.amount_raw(4, "cbc:BaseAmount", cur, at_least2(gross));
        w.end(3, "cac:AllowanceCharge");
    }
    w.end(2, "cac:Price");
    w.end(1, "cac:InvoiceLine");
}

fn prepayment_line(
    w: &mut Writer,
    position: usize,
    p: &Prepayment,
    t: &super::totals::PrepaymentTotals,
    cur: &str,
) {
    w.start(1, "cac:InvoiceLine");
    line_id(w, &None, position);
    w.quantity(2, "cbc:InvoicedQuantity", "PCE", Decimal::ZERO);
    w.amount(2, "cbc:LineExtensionAmount", cur, Decimal::ZERO);
    w.start(2, "cac:DocumentReference");
    w.text(3, "cbc:ID", &p.id);
    w.start(3, "cbc:UUID");
    w.raw_value(|out| {
        let _ = write!(out, "{}", p.uuid.hyphenated());
    });
    w.close_inline("cbc:UUID");
    w.text(3, "cbc:IssueDate", &p.issue_date);
    w.text(3, "cbc:IssueTime", &p.issue_time);
    w.text(3, "cbc:DocumentTypeCode", "386");
    w.end(2, "cac:DocumentReference");
    w.start(2, "cac:TaxTotal");
    w.amount(3, "cbc:TaxAmount", cur, Decimal::ZERO);
    w.amount(3, "cbc:RoundingAmount", cur, Decimal::ZERO);
    w.start(3, "cac:TaxSubtotal");
    w.amount(4, "cbc:TaxableAmount", cur, t.taxable_amount);
    w.amount(4, "cbc:TaxAmount", cur, t.vat_amount);
    tax_category(w, 4, "cac:TaxCategory", &t.vat, true);
    w.end(3, "cac:TaxSubtotal");
    w.end(2, "cac:TaxTotal");
    w.start(2, "cac:Item");
    w.text(3, "cbc:Name", &p.name);
    tax_category(w, 3, "cac:ClassifiedTaxCategory", &p.vat, false);
    w.end(2, "cac:Item");
    w.start(2, "cac:Price");
    w.amount(3, "cbc:PriceAmount", cur, Decimal::ZERO);
    w.end(2, "cac:Price");
    w.end(1, "cac:InvoiceLine");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_decimal_matches_display() {
        let mut seed = 0x1234_5678_9ABC_DEF1_u64;
        let mut values =
            vec![Decimal::ZERO, Decimal::MAX, Decimal::MIN, Decimal::new(5, 28), Decimal::new(-7, 3)];
        for _ in 0..5000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mantissa = (seed as i64) >> (seed % 60);
            values.push(Decimal::new(mantissa, (seed % 29) as u32));
            values.push(Decimal::from_i128_with_scale(i128::from(seed) * 1_000_000_007, (seed % 20) as u32));
        }
        for value in values {
            let mut out = String::new();
            push_decimal(&mut out, value);
            assert_eq!(out, value.to_string(), "{value:?}");
        }
    }
}
