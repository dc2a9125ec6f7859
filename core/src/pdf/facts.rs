//! What the printed page shows, read from the stamped UBL itself (ours or a foreign ERP's) with
//! the crate's XML helpers: the page never recomputes an amount, it prints what the signed
//! document says, so the paper and the embedded XML cannot disagree.

use crate::error::{Error, Result};
use crate::stamp::view::InvoiceView;
use crate::xml::Node;
use crate::xml::{NS_CAC, NS_CBC, child, is, path, path_text};

/// The six document families ZATCA names (type code × standard/simplified), plus prepayment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Invoice,
    CreditNote,
    DebitNote,
    Prepayment,
}

/// A seller or buyer as printed.
#[derive(Debug, Default)]
pub(super) struct Party {
    pub name: Option<String>,
    pub vat: Option<String>,
    /// Other identifiers (`PartyIdentification/ID`) with their scheme (CRN, NAT, …).
    pub ids: Vec<(String, String)>,
    /// Address lines: building and street, district, city and postal code, country.
    pub address: Vec<String>,
}

#[derive(Debug, Default)]
pub(super) struct Line {
    pub id: String,
    pub name: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: Option<String>,
    pub vat_rate: String,
    pub net: String,
    pub vat: Option<String>,
    pub total: Option<String>,
}

/// A document-level allowance (discount) or charge.
#[derive(Debug)]
pub(super) struct AllowanceCharge {
    pub charge: bool,
    pub reason: String,
    pub category: String,
    pub amount: String,
}

/// One row of the VAT breakdown.
#[derive(Debug)]
pub(super) struct VatRow {
    pub category: String,
    pub rate: String,
    pub taxable: String,
    pub vat: String,
    pub exemption: Option<String>,
}

/// `LegalMonetaryTotal` and the tax totals as written.
#[derive(Debug, Default)]
pub(super) struct Totals {
    pub line_extension: Option<String>,
    pub allowances: Option<String>,
    pub charges: Option<String>,
    pub tax_exclusive: Option<String>,
    pub vat: Option<String>,
    pub tax_inclusive: Option<String>,
    pub prepaid: Option<String>,
    pub rounding: Option<String>,
    pub payable: String,
    /// The VAT total in SAR (`TaxTotal/TaxAmount[@currencyID='SAR']`) when the document is in
    /// another currency.
    pub vat_in_sar: Option<String>,
}

#[derive(Debug)]
pub(super) struct Facts {
    pub kind: Kind,
    pub simplified: bool,
    pub number: String,
    pub uuid: Option<String>,
    pub issue_date: String,
    pub issue_time: Option<String>,
    pub supply_date: Option<String>,
    pub currency: String,
    pub icv: Option<String>,
    pub billing_reference: Option<String>,
    pub reason: Option<String>,
    pub payment_means: Option<String>,
    pub notes: Vec<String>,
    pub seller: Party,
    pub buyer: Party,
    pub lines: Vec<Line>,
    pub allowance_charges: Vec<AllowanceCharge>,
    pub vat_rows: Vec<VatRow>,
    pub totals: Totals,
    pub qr: String,
}

/// Reads the facts of a stamped document. A document without a QR code has not been stamped
/// and cannot be shared with a buyer yet, so it is refused.
pub(super) fn read(view: &InvoiceView<'_, '_>) -> Result<Facts> {
    let root = view.root;
    let kind = match view.cbc("InvoiceTypeCode") {
        Some("388") => Kind::Invoice,
        Some("381") => Kind::CreditNote,
        Some("383") => Kind::DebitNote,
        Some("386") => Kind::Prepayment,
        other => {
            return Err(Error::InvalidDocument(format!(
                "cbc:InvoiceTypeCode is {}; a ZATCA document is 388, 381, 383 or 386",
                other.map_or_else(|| "missing".to_owned(), |c| format!("'{c}'"))
            )));
        }
    };
    let qr = view.qr().filter(|q| !q.is_empty()).ok_or_else(|| {
        Error::InvalidDocument(
            "the document has no QR code (KSA-14): stamp it before rendering it for a buyer".into(),
        )
    })?;
    let currency = view.required("DocumentCurrencyCode", "BT-5")?.to_owned();
    Ok(Facts {
        kind,
        simplified: view.is_simplified(),
        number: view.required("ID", "BT-1")?.to_owned(),
        uuid: view.cbc("UUID").map(clean),
        issue_date: view.required("IssueDate", "BT-2")?.to_owned(),
        issue_time: view.cbc("IssueTime").map(clean),
        supply_date: text(root, &[(NS_CAC, "Delivery"), (NS_CBC, "ActualDeliveryDate")]),
        icv: view.icv().map(clean),
        billing_reference: text(
            root,
            &[(NS_CAC, "BillingReference"), (NS_CAC, "InvoiceDocumentReference"), (NS_CBC, "ID")],
        ),
        reason: text(root, &[(NS_CAC, "PaymentMeans"), (NS_CBC, "InstructionNote")]),
        payment_means: text(root, &[(NS_CAC, "PaymentMeans"), (NS_CBC, "PaymentMeansCode")]),
        notes: children(root, NS_CBC, "Note").filter_map(|n| n.text().map(clean)).collect(),
        seller: party(child(root, NS_CAC, "AccountingSupplierParty")),
        buyer: party(child(root, NS_CAC, "AccountingCustomerParty")),
        lines: children(root, NS_CAC, "InvoiceLine").map(line).collect(),
        allowance_charges: children(root, NS_CAC, "AllowanceCharge").map(allowance_charge).collect(),
        vat_rows: vat_rows(root),
        totals: totals(root, &currency),
        currency,
        qr: qr.to_owned(),
    })
}

/// The most characters of one value the page shows: an invoice field longer than this is not
/// meant to be read on paper, and wrapping it would cost time quadratic in its length.
pub(super) const MAX_VALUE_CHARS: usize = 300;

/// Collapses whitespace (line breaks in a foreign document's address) to single spaces and cuts
/// an overlong value at [`MAX_VALUE_CHARS`] with an ellipsis (the embedded XML has it whole).
fn clean(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(MAX_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

fn text(node: Node<'_, '_>, steps: &[(&str, &str)]) -> Option<String> {
    path_text(node, steps).map(clean).filter(|t| !t.is_empty())
}

fn children<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    ns: &'a str,
    local: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| is(*c, ns, local))
}

/// An amount element's text with its currency, as written.
fn amount(node: Node<'_, '_>, steps: &[(&str, &str)]) -> Option<String> {
    let n = path(node, steps)?;
    let value = clean(n.text()?);
    Some(match n.attribute("currencyID") {
        Some(c) => format!("{value} {c}"),
        None => value,
    })
}

fn party(role: Option<Node<'_, '_>>) -> Party {
    let Some(p) = role.and_then(|r| child(r, NS_CAC, "Party")) else {
        return Party::default();
    };
    let a = child(p, NS_CAC, "PostalAddress");
    let field = |local: &str| a.and_then(|a| text(a, &[(NS_CBC, local)]));
    let join = |parts: &[Option<String>]| {
        let s = parts.iter().flatten().cloned().collect::<Vec<_>>().join(", ");
        (!s.is_empty()).then_some(s)
    };
    let address = [
        join(&[field("BuildingNumber"), field("StreetName"), field("AdditionalStreetName")]),
        join(&[field("CitySubdivisionName"), field("PlotIdentification")]),
        join(&[field("CityName"), field("PostalZone"), field("CountrySubentity")]),
        a.and_then(|a| text(a, &[(NS_CAC, "Country"), (NS_CBC, "IdentificationCode")])),
    ];
    Party {
        name: text(p, &[(NS_CAC, "PartyLegalEntity"), (NS_CBC, "RegistrationName")]),
        vat: text(p, &[(NS_CAC, "PartyTaxScheme"), (NS_CBC, "CompanyID")]),
        ids: children(p, NS_CAC, "PartyIdentification")
            .filter_map(|i| child(i, NS_CBC, "ID"))
            .filter_map(|id| {
                let value = clean(id.text()?);
                (!value.is_empty()).then(|| (id.attribute("schemeID").unwrap_or("ID").to_owned(), value))
            })
            .collect(),
        address: address.into_iter().flatten().collect(),
    }
}

fn line(l: Node<'_, '_>) -> Line {
    let quantity = path(l, &[(NS_CBC, "InvoicedQuantity")]);
    let quantity = quantity
        .and_then(|q| {
            let value = clean(q.text()?);
            Some(match q.attribute("unitCode") {
                Some(unit) => format!("{value} {unit}"),
                None => value,
            })
        })
        .unwrap_or_default();
    let discounts: Vec<String> = children(l, NS_CAC, "AllowanceCharge")
        .filter(|ac| path_text(*ac, &[(NS_CBC, "ChargeIndicator")]) == Some("false"))
        .filter_map(|ac| path_text(ac, &[(NS_CBC, "Amount")]).map(clean))
        .collect();
    let category =
        |step: &str| text(l, &[(NS_CAC, "Item"), (NS_CAC, "ClassifiedTaxCategory"), (NS_CBC, step)]);
    Line {
        id: text(l, &[(NS_CBC, "ID")]).unwrap_or_default(),
        name: text(l, &[(NS_CAC, "Item"), (NS_CBC, "Name")]).unwrap_or_default(),
        quantity,
        unit_price: text(l, &[(NS_CAC, "Price"), (NS_CBC, "PriceAmount")]).unwrap_or_default(),
        discount: (!discounts.is_empty()).then(|| discounts.join(" + ")),
        vat_rate: match (category("ID"), category("Percent")) {
            (Some(c), Some(p)) => format!("{c} {p}%"),
            (c, p) => c.or(p).unwrap_or_default(),
        },
        net: text(l, &[(NS_CBC, "LineExtensionAmount")]).unwrap_or_default(),
        vat: text(l, &[(NS_CAC, "TaxTotal"), (NS_CBC, "TaxAmount")]),
        total: text(l, &[(NS_CAC, "TaxTotal"), (NS_CBC, "RoundingAmount")]),
    }
}

fn allowance_charge(ac: Node<'_, '_>) -> AllowanceCharge {
    let category = |step: &str| text(ac, &[(NS_CAC, "TaxCategory"), (NS_CBC, step)]);
    AllowanceCharge {
        charge: path_text(ac, &[(NS_CBC, "ChargeIndicator")]) == Some("true"),
        reason: text(ac, &[(NS_CBC, "AllowanceChargeReason")]).unwrap_or_default(),
        category: match (category("ID"), category("Percent")) {
            (Some(c), Some(p)) => format!("{c} {p}%"),
            (c, p) => c.or(p).unwrap_or_default(),
        },
        amount: amount(ac, &[(NS_CBC, "Amount")]).unwrap_or_default(),
    }
}

fn vat_rows(root: Node<'_, '_>) -> Vec<VatRow> {
    children(root, NS_CAC, "TaxTotal")
        .flat_map(|t| children(t, NS_CAC, "TaxSubtotal").collect::<Vec<_>>())
        .map(|s| {
            let category = |step: &str| text(s, &[(NS_CAC, "TaxCategory"), (NS_CBC, step)]);
            VatRow {
                category: category("ID").unwrap_or_default(),
                rate: category("Percent").map(|p| format!("{p}%")).unwrap_or_default(),
                taxable: amount(s, &[(NS_CBC, "TaxableAmount")]).unwrap_or_default(),
                vat: amount(s, &[(NS_CBC, "TaxAmount")]).unwrap_or_default(),
                exemption: category("TaxExemptionReason"),
            }
        })
        .collect()
}

fn totals(root: Node<'_, '_>, currency: &str) -> Totals {
    let m = child(root, NS_CAC, "LegalMonetaryTotal");
    let get = |local: &str| m.and_then(|m| amount(m, &[(NS_CBC, local)]));
    // ZATCA documents carry two TaxTotals: one in the document currency with the breakdown, and
    // one in SAR (the tax currency, BT-111) with the amount only.
    let tax_amounts: Vec<Node<'_, '_>> =
        children(root, NS_CAC, "TaxTotal").filter_map(|t| child(t, NS_CBC, "TaxAmount")).collect();
    let in_currency = |c: &str| {
        tax_amounts
            .iter()
            .find(|n| n.attribute("currencyID") == Some(c))
            .and_then(|n| amount(n.parent()?, &[(NS_CBC, "TaxAmount")]))
    };
    Totals {
        line_extension: get("LineExtensionAmount"),
        allowances: get("AllowanceTotalAmount"),
        charges: get("ChargeTotalAmount"),
        tax_exclusive: get("TaxExclusiveAmount"),
        vat: in_currency(currency)
            .or_else(|| tax_amounts.first().and_then(|n| amount(n.parent()?, &[(NS_CBC, "TaxAmount")]))),
        tax_inclusive: get("TaxInclusiveAmount"),
        prepaid: get("PrepaidAmount"),
        rounding: get("PayableRoundingAmount"),
        payable: get("PayableAmount").unwrap_or_default(),
        vat_in_sar: if currency == "SAR" { None } else { in_currency("SAR") },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn overlong_values_are_cut_with_an_ellipsis() {
        let long = "ب".repeat(super::MAX_VALUE_CHARS * 3);
        let shown = super::clean(&long);
        assert_eq!(shown.chars().count(), super::MAX_VALUE_CHARS + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(super::clean(" a \n b "), "a b");
    }
}
