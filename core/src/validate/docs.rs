//! Credit and debit notes: reason (KSA-10) and billing reference (BT-25).
//!
//! As ZATCA's Schematron: every `cac:BillingReference` of the document is a context, values are
//! compared untrimmed, and a note is a document whose `cbc:InvoiceTypeCode` is exactly 381 or 383.

use super::codes::kids;
use super::index::Anywhere;
use super::{Cx, path_of, path_under, rule};
use crate::xml::Node;
use crate::xml::{NS_CAC, NS_CBC};

/// The raw text of an element (all its descendant text, untrimmed).
fn raw(n: Node<'_, '_>) -> String {
    n.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect()
}

/// The `cac:InvoiceDocumentReference/cbc:ID` elements of a billing reference.
fn reference_ids<'a, 'i>(r: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    kids(r, NS_CAC, "InvoiceDocumentReference").flat_map(|d| kids(d, NS_CBC, "ID"))
}

pub(super) fn check(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let references: Vec<Node<'_, '_>> = ix.anywhere(Anywhere::BillingReference).collect();
    let mut unreferenced = Vec::new();
    for &r in &references {
        if !reference_ids(r).any(|id| !raw(id).is_empty()) {
            cx.report(
                rule::BR_55,
                path_under(r, "cac:InvoiceDocumentReference/cbc:ID"),
                "give the number of the invoice this note corrects".into(),
            );
            unreferenced.push(r);
        }
    }
    let note = ix.children(root, NS_CBC, "InvoiceTypeCode").any(|n| matches!(raw(n).as_str(), "381" | "383"));
    if !note {
        return;
    }
    let means: Vec<Node<'_, '_>> = ix.anywhere(Anywhere::PaymentMeans).collect();
    let without_reason = means.iter().find(|pm| kids(**pm, NS_CBC, "InstructionNote").next().is_none());
    if means.is_empty() || without_reason.is_some() {
        cx.report(
            rule::BR_KSA_17,
            without_reason
                .map(|pm| path_under(*pm, "cbc:InstructionNote"))
                .unwrap_or_else(|| path_under(root, "cac:PaymentMeans/cbc:InstructionNote")),
            "state why the note is issued in cac:PaymentMeans/cbc:InstructionNote, e.g. \"Returned goods\""
                .into(),
        );
    }
    if references.is_empty() || !unreferenced.is_empty() {
        cx.report(
            rule::BR_KSA_56,
            path_under(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
            "add the number of the original invoice in cac:BillingReference".into(),
        );
    }
    for &r in &references {
        if let Some(id) = reference_ids(r).next() {
            let n = raw(id).chars().count();
            if !(1..=5000).contains(&n) {
                cx.report(
                    rule::BR_KSA_F_06_C22,
                    path_of(id),
                    format!("give 1 to 5000 characters (found {n})"),
                );
            }
        }
    }
}
