//! Credit and debit notes: reason (KSA-10) and billing reference (BT-25).

use super::{Cx, chars, path_of, path_under, rule, text};
use crate::xml::NS_CAC;

pub(super) fn check(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let references: Vec<_> = ix.children(root, NS_CAC, "BillingReference").collect();
    for r in &references {
        match ix.at(*r, "cac:InvoiceDocumentReference/cbc:ID") {
            None => cx.report(
                rule::BR_55,
                path_under(*r, "cac:InvoiceDocumentReference/cbc:ID"),
                "give the number of the invoice this note corrects".into(),
            ),
            Some(id) => {
                let n = chars(text(id));
                if n == 0 || n > 5000 {
                    cx.report(
                        rule::BR_KSA_F_06_C22,
                        path_of(id),
                        format!("give 1 to 5000 characters (found {n})"),
                    );
                }
            }
        }
    }
    if !cx.is_note() {
        return;
    }
    let has_reason = ix
        .children(root, NS_CAC, "PaymentMeans")
        .any(|pm| ix.at(pm, "cbc:InstructionNote").is_some_and(|n| !text(n).is_empty()));
    if !has_reason {
        cx.report(
            rule::BR_KSA_17,
            path_under(root, "cac:PaymentMeans/cbc:InstructionNote"),
            "state why the note is issued in cac:PaymentMeans/cbc:InstructionNote, e.g. \"Returned goods\""
                .into(),
        );
    }
    if references.is_empty() {
        cx.report(
            rule::BR_KSA_56,
            path_under(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
            "add the number of the original invoice in cac:BillingReference".into(),
        );
    }
}
