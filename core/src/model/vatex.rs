//! VAT exemption (exception) reason codes accepted by BR-KSA-CL-04 (SDK R3.4.8) and the default
//! reason texts of the XML Implementation Standard §11.2.4, so callers need only give the code.
//! Texts with an Arabic half are copied from the SDK samples; the others are the standard's English
//! text as commonly reproduced, except DIPLOMAT, DUTYFREE and ROYALDECREE (newer than our copy of
//! the standard), whose texts are descriptive and unverified: give `exemption_reason` for those.

use super::types::VatCategory;

/// (code, category, default reason text)
const CODES: &[(&str, VatCategory, &str)] = &[
    ("VATEX-SA-29", VatCategory::Exempt, "Financial services mentioned in Article 29 of the VAT Regulations"),
    (
        "VATEX-SA-29-7",
        VatCategory::Exempt,
        "Life insurance services mentioned in Article 29 of the VAT Regulations | عقد تأمين على الحياة",
    ),
    (
        "VATEX-SA-30",
        VatCategory::Exempt,
        "Real estate transactions mentioned in Article 30 of the VAT Regulations",
    ),
    ("VATEX-SA-32", VatCategory::ZeroRated, "Export of goods | صادرات السلع من المملكة"),
    ("VATEX-SA-33", VatCategory::ZeroRated, "Export of services"),
    ("VATEX-SA-34-1", VatCategory::ZeroRated, "The international transport of Goods"),
    ("VATEX-SA-34-2", VatCategory::ZeroRated, "International transport of passengers"),
    (
        "VATEX-SA-34-3",
        VatCategory::ZeroRated,
        "Services directly connected and incidental to a Supply of international passenger transport",
    ),
    ("VATEX-SA-34-4", VatCategory::ZeroRated, "Supply of a qualifying means of transport"),
    (
        "VATEX-SA-34-5",
        VatCategory::ZeroRated,
        "Any services relating to Goods or passenger transportation, as defined in article twenty five of these Regulations",
    ),
    ("VATEX-SA-35", VatCategory::ZeroRated, "Medicines and medical equipment | الأدوية والمعدات الطبية"),
    ("VATEX-SA-36", VatCategory::ZeroRated, "Qualifying metals"),
    ("VATEX-SA-EDU", VatCategory::ZeroRated, "Private education to citizen"),
    ("VATEX-SA-HEA", VatCategory::ZeroRated, "Private healthcare to citizen"),
    ("VATEX-SA-MLTRY", VatCategory::ZeroRated, "Supply of qualified military goods"),
    ("VATEX-SA-DIPLOMAT", VatCategory::ZeroRated, "Supplies to diplomats"),
    ("VATEX-SA-DUTYFREE", VatCategory::ZeroRated, "Supplies in duty-free shops"),
    ("VATEX-SA-ROYALDECREE", VatCategory::ZeroRated, "Supplies zero-rated by royal decree"),
    ("VATEX-SA-32(bis)", VatCategory::ZeroRated, "Export of goods"),
    (
        "VATEX-SA-OOS",
        VatCategory::OutOfScope,
        "Services outside scope of tax / Not subject to VAT | التوريدات الغير خاضعة للضريبة",
    ),
];

/// The category a code belongs to, if it is a known code.
pub(crate) fn category_of(code: &str) -> Option<VatCategory> {
    CODES.iter().find(|(c, _, _)| *c == code).map(|(_, cat, _)| *cat)
}

/// ZATCA's reason text for a code.
pub(crate) fn default_text(code: &str) -> Option<&'static str> {
    CODES.iter().find(|(c, _, _)| *c == code).map(|(_, _, t)| *t)
}

/// The codes allowed for a category, for error messages.
pub(crate) fn codes_for(category: VatCategory) -> Vec<&'static str> {
    CODES.iter().filter(|(_, cat, _)| *cat == category).map(|(c, _, _)| *c).collect()
}
