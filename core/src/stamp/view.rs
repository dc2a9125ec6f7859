//! A read-only view of a parsed UBL invoice: the values the stamp and the QR need, and where the
//! three stamp-owned elements sit (or should go) in the caller's bytes.

use crate::error::{Error, Result};
use crate::validate::rule;
use crate::xml::{self, NS_CAC, NS_CBC, NS_EXT, NS_INVOICE, child, is, path_text};
use crate::xml::{Document, Node};
use std::ops::Range;

/// Whether `node` is one of the three elements the invoice hash leaves out (SPEC §a): the root's
/// `ext:UBLExtensions`, `cac:Signature` and `cac:AdditionalDocumentReference[cbc:ID='QR']`.
pub(crate) fn is_stamp_owned(node: Node<'_, '_>) -> bool {
    if !node.parent().is_some_and(|p| p.parent().is_some_and(|g| g.is_root())) {
        return false;
    }
    is(node, NS_EXT, "UBLExtensions")
        || is(node, NS_CAC, "Signature")
        || (is(node, NS_CAC, "AdditionalDocumentReference")
            && path_text(node, &[(NS_CBC, "ID")]) == Some("QR"))
}

pub struct InvoiceView<'a, 'i> {
    pub document: &'a Document<'i>,
    pub root: Node<'a, 'i>,
}

impl<'a, 'i> InvoiceView<'a, 'i> {
    pub fn new(document: &'a Document<'i>) -> Result<Self> {
        let root = document.root_element();
        if root.tag_name().name() != "Invoice" {
            return Err(Error::InvalidDocument(format!(
                "the root element is <{}>; ZATCA documents (invoices, credit and debit notes) use <Invoice>",
                root.tag_name().name()
            )));
        }
        if root.tag_name().namespace() != Some(NS_INVOICE) {
            return Err(Error::InvalidDocument(format!(
                "the root <Invoice> is in namespace '{}'; UBL 2.1 requires '{NS_INVOICE}'",
                root.tag_name().namespace().unwrap_or("")
            )));
        }
        Ok(InvoiceView { document, root })
    }

    pub fn input(&self) -> &'i str {
        self.document.input_text()
    }

    /// Text of a direct `cbc:` child of the root, e.g. `UUID`.
    pub fn cbc(&self, local: &str) -> Option<&'a str> {
        path_text(self.root, &[(NS_CBC, local)])
    }

    /// Text of a required direct `cbc:` child, or an error naming the business term.
    pub fn required(&self, local: &str, term: &str) -> Result<&'a str> {
        self.cbc(local)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::InvalidDocument(format!("cbc:{local} ({term}) is missing or empty")))
    }

    /// The seven- to nine-character transaction code (KSA-2), `InvoiceTypeCode/@name`.
    pub fn transaction_code(&self) -> Option<&'a str> {
        child(self.root, NS_CBC, "InvoiceTypeCode").and_then(|n| n.attribute("name"))
    }

    /// Simplified (B2C) documents have a transaction code starting with `02`.
    pub fn is_simplified(&self) -> bool {
        self.transaction_code().is_some_and(|c| c.starts_with("02"))
    }

    fn seller_party(&self) -> Option<Node<'a, 'i>> {
        xml::path(self.root, &[(NS_CAC, "AccountingSupplierParty"), (NS_CAC, "Party")])
    }

    pub fn seller_name(&self) -> Option<&'a str> {
        self.seller_party()
            .and_then(|p| path_text(p, &[(NS_CAC, "PartyLegalEntity"), (NS_CBC, "RegistrationName")]))
    }

    pub fn seller_vat(&self) -> Option<&'a str> {
        self.seller_party().and_then(|p| path_text(p, &[(NS_CAC, "PartyTaxScheme"), (NS_CBC, "CompanyID")]))
    }

    /// `LegalMonetaryTotal/cbc:PayableAmount` as written (QR tag 4).
    pub fn payable_amount(&self) -> Option<&'a str> {
        path_text(self.root, &[(NS_CAC, "LegalMonetaryTotal"), (NS_CBC, "PayableAmount")])
    }

    /// The first `cac:TaxTotal/cbc:TaxAmount` as written (QR tag 5).
    pub fn first_tax_amount(&self) -> Option<&'a str> {
        path_text(self.root, &[(NS_CAC, "TaxTotal"), (NS_CBC, "TaxAmount")])
    }

    fn additional_references(&self) -> impl Iterator<Item = Node<'a, 'i>> + use<'a, 'i> {
        self.root.children().filter(|n| is(*n, NS_CAC, "AdditionalDocumentReference"))
    }

    fn reference_with_id(&self, id: &str) -> Option<Node<'a, 'i>> {
        self.additional_references().find(|n| path_text(*n, &[(NS_CBC, "ID")]) == Some(id))
    }

    /// The invoice counter value (KSA-16).
    pub fn icv(&self) -> Option<&'a str> {
        self.reference_with_id("ICV").and_then(|n| path_text(n, &[(NS_CBC, "UUID")]))
    }

    /// The ICV if present and digits only, else why not (BR-KSA-33, BR-KSA-34).
    pub fn checked_icv(&self) -> Result<&'a str, String> {
        match self.icv() {
            Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => Ok(v),
            Some(v) => {
                Err(format!("the invoice counter value '{v}' must be digits only ({})", rule::BR_KSA_34.id))
            }
            None => {
                Err(format!("the invoice counter value (ICV, KSA-16) is missing ({})", rule::BR_KSA_33.id))
            }
        }
    }

    /// The PIH if present and well formed ([`super::pih_is_well_formed`]), else why not.
    pub fn checked_pih(&self) -> Result<&'a str, String> {
        match self.pih() {
            Some(p) if super::pih_is_well_formed(p) => Ok(p),
            Some(p) => Err(format!(
                "the previous invoice hash '{p}' is not a base64 SHA-256 hash: the document cannot join a hash chain"
            )),
            None => {
                Err(format!("the previous invoice hash (PIH, KSA-13) is missing ({})", rule::BR_KSA_61.id))
            }
        }
    }

    /// The previous invoice hash (KSA-13).
    pub fn pih(&self) -> Option<&'a str> {
        self.reference_with_id("PIH")
            .and_then(|n| path_text(n, &[(NS_CAC, "Attachment"), (NS_CBC, "EmbeddedDocumentBinaryObject")]))
    }

    /// The QR payload currently in the document (KSA-14).
    pub fn qr(&self) -> Option<&'a str> {
        self.reference_with_id("QR")
            .and_then(|n| path_text(n, &[(NS_CAC, "Attachment"), (NS_CBC, "EmbeddedDocumentBinaryObject")]))
    }

    pub fn ubl_extensions(&self) -> Option<Node<'a, 'i>> {
        child(self.root, NS_EXT, "UBLExtensions")
    }
    pub fn signature_element(&self) -> Option<Node<'a, 'i>> {
        child(self.root, NS_CAC, "Signature")
    }
    pub fn qr_element(&self) -> Option<Node<'a, 'i>> {
        self.reference_with_id("QR")
    }

    /// Where the three stamp-owned blocks go: each either replaces the existing element or is
    /// inserted at a point chosen as the SDK does, without adding any whitespace.
    pub fn stamp_slots(&self) -> Result<StampSlots> {
        // The spliced blocks are written with the prefixes ext, cac and cbc; the root must bind
        // them as UBL does.
        for (prefix, uri) in [("ext", NS_EXT), ("cac", NS_CAC), ("cbc", NS_CBC)] {
            if self.root.lookup_namespace_uri(Some(prefix)) != Some(uri) {
                return Err(Error::InvalidDocument(format!(
                    "the root element must declare xmlns:{prefix}=\"{uri}\" for the stamp to be inserted"
                )));
            }
        }
        let input = self.input();
        let extensions = match self.ubl_extensions() {
            Some(n) => n.range(),
            None => {
                let at = xml::start_tag_end(input, self.root);
                at..at
            }
        };
        let supplier = child(self.root, NS_CAC, "AccountingSupplierParty").ok_or_else(|| {
            Error::InvalidDocument("cac:AccountingSupplierParty (the seller, BG-4) is missing".into())
        })?;
        let signature = match self.signature_element() {
            Some(n) => n.range(),
            None => supplier.range().start..supplier.range().start,
        };
        let qr = match self.qr_element() {
            Some(n) => n.range(),
            None => {
                let last = self
                    .additional_references()
                    .last()
                    .ok_or_else(|| Error::InvalidDocument("the PIH reference (KSA-13) is missing".into()))?;
                // The SDK puts the QR right before the signature / seller when they follow the
                // last reference; otherwise (other references in between) right after it.
                match last.next_sibling_element() {
                    Some(next) if next == supplier => signature.start..signature.start,
                    _ => last.range().end..last.range().end,
                }
            }
        };
        Ok(StampSlots { extensions, qr, signature })
    }
}

/// Byte ranges of the caller's document that the stamp replaces (empty = insert there).
pub struct StampSlots {
    pub extensions: Range<usize>,
    pub qr: Range<usize>,
    pub signature: Range<usize>,
}
