//! A native check of the UBL 2.1 schema constraints that matter most for ZATCA documents.
//!
//! Covered: the root (`Invoice` in the UBL Invoice-2 namespace, checked before any rule runs);
//! the top-level children of `Invoice` — each must be an element of the `InvoiceType` sequence,
//! in that order, within its cardinality (`XSD-ELEMENT`, `XSD-ORDER`, `XSD-MIN`, `XSD-MAX`); and
//! the lexical data types everywhere in the document outside the signature: `cbc:*Date` as
//! `xs:date`, `cbc:*Time` as `xs:time`, amounts (`currencyID` mandatory), quantities, percents,
//! rates and numerics as `xs:decimal`, `cbc:*Indicator` as `xs:boolean` (`XSD-TYPE`).
//! Not covered (a later step): the content models of the nested aggregates (order and
//! cardinality inside `cac:Party`, `cac:InvoiceLine`, …), and the signature's own schemas.

use super::{Cx, is_xs_decimal, path_of, path_under, text};
use crate::xml::{NS_CAC, NS_CBC, NS_EXT};
use roxmltree::Node;

/// The schema check ids this module reports (all errors).
pub const SCHEMA_CHECKS: &[&str] = &["XSD-ELEMENT", "XSD-ORDER", "XSD-MIN", "XSD-MAX", "XSD-TYPE"];

const UNBOUNDED: u32 = u32::MAX;

/// The UBL 2.1 `InvoiceType` sequence: (namespace prefix, name, min, max).
const INVOICE_SEQUENCE: &[(&str, &str, u32, u32)] = &[
    ("ext", "UBLExtensions", 0, 1),
    ("cbc", "UBLVersionID", 0, 1),
    ("cbc", "CustomizationID", 0, 1),
    ("cbc", "ProfileID", 0, 1),
    ("cbc", "ProfileExecutionID", 0, 1),
    ("cbc", "ID", 1, 1),
    ("cbc", "CopyIndicator", 0, 1),
    ("cbc", "UUID", 0, 1),
    ("cbc", "IssueDate", 1, 1),
    ("cbc", "IssueTime", 0, 1),
    ("cbc", "DueDate", 0, 1),
    ("cbc", "InvoiceTypeCode", 0, 1),
    ("cbc", "Note", 0, UNBOUNDED),
    ("cbc", "TaxPointDate", 0, 1),
    ("cbc", "DocumentCurrencyCode", 0, 1),
    ("cbc", "TaxCurrencyCode", 0, 1),
    ("cbc", "PricingCurrencyCode", 0, 1),
    ("cbc", "PaymentCurrencyCode", 0, 1),
    ("cbc", "PaymentAlternativeCurrencyCode", 0, 1),
    ("cbc", "AccountingCostCode", 0, 1),
    ("cbc", "AccountingCost", 0, 1),
    ("cbc", "LineCountNumeric", 0, 1),
    ("cbc", "BuyerReference", 0, 1),
    ("cac", "InvoicePeriod", 0, UNBOUNDED),
    ("cac", "OrderReference", 0, 1),
    ("cac", "BillingReference", 0, UNBOUNDED),
    ("cac", "DespatchDocumentReference", 0, UNBOUNDED),
    ("cac", "ReceiptDocumentReference", 0, UNBOUNDED),
    ("cac", "StatementDocumentReference", 0, UNBOUNDED),
    ("cac", "OriginatorDocumentReference", 0, UNBOUNDED),
    ("cac", "ContractDocumentReference", 0, UNBOUNDED),
    ("cac", "AdditionalDocumentReference", 0, UNBOUNDED),
    ("cac", "ProjectReference", 0, UNBOUNDED),
    ("cac", "Signature", 0, UNBOUNDED),
    ("cac", "AccountingSupplierParty", 1, 1),
    ("cac", "AccountingCustomerParty", 1, 1),
    ("cac", "PayeeParty", 0, 1),
    ("cac", "BuyerCustomerParty", 0, 1),
    ("cac", "SellerSupplierParty", 0, 1),
    ("cac", "TaxRepresentativeParty", 0, 1),
    ("cac", "Delivery", 0, UNBOUNDED),
    ("cac", "DeliveryTerms", 0, 1),
    ("cac", "PaymentMeans", 0, UNBOUNDED),
    ("cac", "PaymentTerms", 0, UNBOUNDED),
    ("cac", "PrepaidPayment", 0, UNBOUNDED),
    ("cac", "AllowanceCharge", 0, UNBOUNDED),
    ("cac", "TaxExchangeRate", 0, 1),
    ("cac", "PricingExchangeRate", 0, 1),
    ("cac", "PaymentExchangeRate", 0, 1),
    ("cac", "PaymentAlternativeExchangeRate", 0, 1),
    ("cac", "TaxTotal", 0, UNBOUNDED),
    ("cac", "WithholdingTaxTotal", 0, UNBOUNDED),
    ("cac", "LegalMonetaryTotal", 1, 1),
    ("cac", "InvoiceLine", 1, UNBOUNDED),
];

fn ns(prefix: &str) -> &'static str {
    match prefix {
        "ext" => NS_EXT,
        "cbc" => NS_CBC,
        _ => NS_CAC,
    }
}

fn position(node: Node<'_, '_>) -> Option<usize> {
    let name = node.tag_name();
    INVOICE_SEQUENCE.iter().position(|(p, n, _, _)| *n == name.name() && Some(ns(p)) == name.namespace())
}

pub(super) fn check(cx: &mut Cx<'_, '_>) {
    top_level(cx);
    data_types(cx);
}

fn top_level(cx: &mut Cx<'_, '_>) {
    let root = cx.root;
    let mut counts = vec![0u32; INVOICE_SEQUENCE.len()];
    let mut last = 0usize;
    let mut last_name = "";
    for child in root.children().filter(Node::is_element) {
        let Some(i) = position(child) else {
            cx.schema(
                "XSD-ELEMENT",
                path_of(child),
                "This element is not allowed in a UBL 2.1 Invoice.",
                "هذا العنصر غير مسموح به في فاتورة UBL 2.1.",
                format!("remove <{}> or use the UBL name and namespace (cbc:/cac:)", child.tag_name().name()),
            );
            continue;
        };
        counts[i] += 1;
        if i < last {
            cx.schema(
                "XSD-ORDER",
                path_of(child),
                "The elements of the Invoice are not in the order of the UBL 2.1 schema.",
                "عناصر الفاتورة ليست بالترتيب الذي يحدده مخطط UBL 2.1.",
                format!("move {}:{} before {last_name}", prefix_of(i), INVOICE_SEQUENCE[i].1),
            );
        } else {
            last = i;
            last_name = INVOICE_SEQUENCE[i].1;
        }
    }
    for (i, &(prefix, name, min, max)) in INVOICE_SEQUENCE.iter().enumerate() {
        if counts[i] < min {
            cx.schema(
                "XSD-MIN",
                path_under(root, &format!("{prefix}:{name}")),
                "A required element of the UBL 2.1 Invoice is missing.",
                "عنصر إلزامي في فاتورة UBL 2.1 مفقود.",
                format!("add {prefix}:{name}"),
            );
        }
        if counts[i] > max {
            cx.schema(
                "XSD-MAX",
                path_under(root, &format!("{prefix}:{name}")),
                "An element occurs more often than the UBL 2.1 schema allows.",
                "يتكرر عنصر أكثر مما يسمح به مخطط UBL 2.1.",
                format!("{prefix}:{name} may occur at most {max} time(s); found {}", counts[i]),
            );
        }
    }
}

fn prefix_of(i: usize) -> &'static str {
    INVOICE_SEQUENCE[i].0
}

/// `xs:date`: `YYYY-MM-DD` with an optional time zone.
fn xs_date(s: &str) -> bool {
    let (date, zone) = if s.len() > 10 && s.is_char_boundary(10) { s.split_at(10) } else { (s, "") };
    super::codes::is_date(date) && xs_zone(zone)
}

fn xs_zone(z: &str) -> bool {
    z.is_empty()
        || z == "Z"
        || (z.len() == 6
            && (z.starts_with('+') || z.starts_with('-'))
            && z.as_bytes()[3] == b':'
            && z[1..3].parse::<u8>().is_ok_and(|h| h <= 14)
            && z[4..6].parse::<u8>().is_ok_and(|m| m < 60))
}

/// `xs:time`: `hh:mm:ss[.fff][zone]`.
fn xs_time(s: &str) -> bool {
    if s.len() < 8 || !s.is_char_boundary(8) {
        return false;
    }
    let (hms, rest) = s.split_at(8);
    if !super::codes::is_ksa_time(hms) || hms.ends_with('Z') {
        return false;
    }
    let rest = match rest.strip_prefix('.') {
        Some(r) => {
            let digits = r.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return false;
            }
            &r[digits..]
        }
        None => rest,
    };
    xs_zone(rest)
}

fn data_types(cx: &mut Cx<'_, '_>) {
    let mut problems: Vec<(Node<'_, '_>, &'static str)> = Vec::new();
    for &n in &cx.elements {
        if n.tag_name().namespace() != Some(NS_CBC) {
            continue;
        }
        let name = n.tag_name().name();
        let value = text(n);
        let problem = if name.ends_with("Date") {
            (!xs_date(value)).then_some("a date YYYY-MM-DD")
        } else if name.ends_with("Time") {
            (!xs_time(value)).then_some("a time hh:mm:ss")
        } else if name.ends_with("Amount") || name == "PriceAmount" {
            if !is_xs_decimal(value) {
                Some("a decimal amount, e.g. 10.00")
            } else if !n.has_attribute("currencyID") {
                Some("an amount with a currencyID attribute")
            } else {
                None
            }
        } else if name.ends_with("Quantity")
            || name == "Percent"
            || name == "MultiplierFactorNumeric"
            || name == "CalculationRate"
        {
            (!is_xs_decimal(value)).then_some("a decimal number")
        } else if name.ends_with("Indicator") {
            (!matches!(value, "true" | "false" | "1" | "0")).then_some("true or false")
        } else {
            None
        };
        if let Some(p) = problem {
            problems.push((n, p));
        }
    }
    for (n, expected) in problems {
        cx.schema(
            "XSD-TYPE",
            path_of(n),
            "A value does not have the data type the UBL 2.1 schema requires.",
            "قيمة لا تطابق نوع البيانات الذي يشترطه مخطط UBL 2.1.",
            format!("write {expected} (found \"{}\")", text(n)),
        );
    }
}
