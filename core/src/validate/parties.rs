//! Seller and buyer: names, VAT numbers, other identifiers, national addresses and field lengths.

use super::{Cx, RuleInfo, chars, path_of, path_under, rule, text, vat_number_ok};
use crate::xml::{NS_CAC, NS_CBC};
use roxmltree::Node;

pub(super) fn check(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let seller = ix.at(root, "cac:AccountingSupplierParty/cac:Party");
    let buyer = ix.at(root, "cac:AccountingCustomerParty/cac:Party");
    match seller {
        Some(s) => check_seller(cx, s),
        None => {
            let path = path_under(root, "cac:AccountingSupplierParty/cac:Party");
            cx.report(rule::BR_06, path.clone(), "add the seller with its registration name".into());
            cx.report(rule::BR_08, path.clone(), "add the seller's postal address".into());
            cx.report(rule::BR_KSA_39, path, "add the seller's VAT registration number".into());
        }
    }
    check_buyer(cx, buyer);
    country_codes(cx);
}

fn ten_digits(v: &str, first: Option<u8>) -> bool {
    v.len() == 10 && v.bytes().all(|b| b.is_ascii_digit()) && first.is_none_or(|f| v.as_bytes()[0] == f)
}

/// BR-KSA-F-07…F-13: plausibility of an identifier for its scheme, and no dummy value.
fn id_format(cx: &mut Cx<'_, '_>, id: Node<'_, '_>, buyer: bool) {
    let value = text(id);
    let raw_scheme = id.attribute("schemeID").unwrap_or("");
    if raw_scheme.contains(' ') {
        cx.report(
            rule::BR_KSA_F_12,
            format!("{}/@schemeID", path_of(id)),
            format!("remove the spaces from schemeID \"{raw_scheme}\""),
        );
    }
    let scheme = raw_scheme.trim();
    let check = match scheme {
        "TIN" if buyer => {
            Some((rule::BR_KSA_F_07, ten_digits(value, Some(b'3')), "10 digits starting with 3"))
        }
        "CRN" => Some((rule::BR_KSA_F_08, ten_digits(value, None), "10 digits")),
        "700" => Some((rule::BR_KSA_F_09, ten_digits(value, Some(b'7')), "10 digits starting with 7")),
        "NAT" if buyer => {
            Some((rule::BR_KSA_F_10, ten_digits(value, Some(b'1')), "10 digits starting with 1"))
        }
        "IQA" if buyer => {
            Some((rule::BR_KSA_F_11, ten_digits(value, Some(b'2')), "10 digits starting with 2"))
        }
        _ => None,
    };
    if let Some((rule, false, expected)) = check {
        cx.report(rule, path_of(id), format!("a {scheme} number is {expected}; check \"{value}\""));
    }
    if let Some(pattern) = placeholder_pattern(value) {
        cx.report(
            rule::BR_KSA_F_13,
            path_of(id),
            format!(
                "\"{value}\" contains {pattern}, a test or dummy value; give the party's real identifier"
            ),
        );
    }
}

/// BR-KSA-F-13: the dummy patterns ZATCA named when it introduced the rule (Fatoora developer
/// community, topic 8480): the ascending run `12345678` (as in `0123456789`) or one digit eight
/// times in a row (`00000000` … `99999999`).
fn placeholder_pattern(value: &str) -> Option<&'static str> {
    if value.contains("12345678") {
        return Some("the sequence 12345678");
    }
    let bytes = value.as_bytes();
    bytes
        .windows(8)
        .any(|w| w[0].is_ascii_digit() && w.iter().all(|&b| b == w[0]))
        .then_some("one digit repeated 8 times")
}

/// `^[a-zA-Z0-9]*$`, as the Schematron tests identifiers.
fn ascii_alphanumeric(v: &str) -> bool {
    v.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn check_seller(cx: &mut Cx<'_, '_>, party: Node<'_, '_>) {
    let ix = cx.ix;
    let name = ix.at(party, "cac:PartyLegalEntity/cbc:RegistrationName");
    match name {
        Some(n) if !text(n).is_empty() => {
            if chars(text(n)) > 1000 {
                cx.report(
                    rule::BR_KSA_F_06_C10,
                    path_of(n),
                    format!("shorten the seller name to 1000 characters (it has {})", chars(text(n))),
                );
            }
        }
        other => {
            let path = other
                .map(path_of)
                .unwrap_or_else(|| path_under(party, "cac:PartyLegalEntity/cbc:RegistrationName"));
            cx.report(rule::BR_06, path.clone(), "give the seller's registered name".into());
            cx.report(rule::BR_KSA_F_06_C10, path, "the seller name must have at least 1 character".into());
        }
    }
    // Identification.
    let ids: Vec<Node<'_, '_>> =
        ix.children(party, NS_CAC, "PartyIdentification").filter_map(|p| ix.child(p, NS_CBC, "ID")).collect();
    // Each seller ID: a known scheme and ASCII letters and digits only.
    const SELLER_SCHEMES: [&str; 6] = ["CRN", "MOM", "MLS", "SAG", "OTH", "700"];
    for id in &ids {
        let scheme = id.attribute("schemeID").unwrap_or("").trim();
        if !SELLER_SCHEMES.contains(&scheme) || !ascii_alphanumeric(text(*id)) {
            cx.report(
                rule::BR_KSA_08,
                path_of(*id),
                format!(
                    "use schemeID CRN, MOM, MLS, SAG, OTH or 700 and ASCII ASCII letters/digits only (found {scheme}=\"{}\")",
                    text(*id)
                ),
            );
        }
    }
    for id in ids {
        id_format(cx, id, false);
    }
    // VAT number.
    let vat = ix.children(party, NS_CAC, "PartyTaxScheme").find_map(|p| ix.child(p, NS_CBC, "CompanyID"));
    match vat {
        None => cx.report(rule::BR_KSA_39, path_under(party, "cac:PartyTaxScheme/cbc:CompanyID"), "add the seller's 15-digit VAT number".into()),
        Some(v) if !vat_number_ok(text(v)) => {
            cx.report(rule::BR_KSA_40, path_of(v), format!("the VAT number has 15 digits, starting and ending with 3, e.g. 300000000000003 (found \"{}\")", text(v)))
        }
        Some(_) => {}
    }
    // Address.
    let Some(address) = ix.child(party, NS_CAC, "PostalAddress") else {
        let path = path_under(party, "cac:PostalAddress");
        cx.report(rule::BR_08, path.clone(), "add the seller's national address".into());
        cx.report(rule::BR_KSA_09, path, "add the seller's national address: street, building number, postal code, city, district, country".into());
        return;
    };
    let field = |steps: &str| ix.at_text(address, steps).filter(|t| !t.is_empty());
    if field("cac:Country/cbc:IdentificationCode").is_none() {
        cx.report(
            rule::BR_09,
            path_under(address, "cac:Country/cbc:IdentificationCode"),
            "add the seller's country code, e.g. SA".into(),
        );
    }
    let required = [
        ("cbc:StreetName", "street"),
        ("cbc:BuildingNumber", "building number"),
        ("cbc:PostalZone", "postal code"),
        ("cbc:CityName", "city"),
        ("cbc:CitySubdivisionName", "district"),
        ("cac:Country/cbc:IdentificationCode", "country code"),
    ];
    // The Schematron tests that the elements exist (empty ones fall to the length rules).
    let missing: Vec<&str> =
        required.iter().filter(|(s, _)| ix.at(address, s).is_none()).map(|(_, n)| *n).collect();
    if !missing.is_empty() {
        cx.report(
            rule::BR_KSA_09,
            path_of(address),
            format!("add the seller's {} (Saudi national address)", missing.join(", ")),
        );
    }
    if let Some(b) = ix.child(address, NS_CBC, "BuildingNumber") {
        let v = text(b);
        if !(v.len() == 4 && v.bytes().all(|c| c.is_ascii_digit())) {
            cx.report(
                rule::BR_KSA_37,
                path_of(b),
                format!("the building number of a national address is 4 digits, e.g. 2322 (found \"{v}\")"),
            );
        }
    }
    if let Some(p) = ix.child(address, NS_CBC, "PostalZone") {
        let v = text(p);
        if !(v.len() == 5 && v.bytes().all(|c| c.is_ascii_digit())) {
            cx.report(
                rule::BR_KSA_66,
                path_of(p),
                format!("the postal code is 5 digits, e.g. 12214 (found \"{v}\")"),
            );
        }
    }
    let lengths: [(&str, &'static RuleInfo, usize, usize); 5] = [
        ("cbc:StreetName", rule::BR_KSA_F_06_C4, 1, 1000),
        ("cbc:AdditionalStreetName", rule::BR_KSA_F_06_C6, 0, 127),
        ("cbc:CityName", rule::BR_KSA_F_06_C7, 1, 127),
        ("cbc:CountrySubentity", rule::BR_KSA_F_06_C8, 0, 127),
        ("cbc:CitySubdivisionName", rule::BR_KSA_F_06_C9, 1, 127),
    ];
    for (steps, rule, min, max) in lengths {
        if let Some(n) = ix.at(address, steps) {
            let len = chars(text(n));
            if len < min || len > max {
                cx.report(rule, path_of(n), format!("give {min} to {max} characters (found {len})"));
            }
        }
    }
}

fn check_buyer(cx: &mut Cx<'_, '_>, party: Option<Node<'_, '_>>) {
    let ix = cx.ix;
    let root = cx.root;
    let standard = cx.standard();
    let buyer_path = |steps: &str| match party {
        Some(p) => path_under(p, steps),
        None => path_under(root, &format!("cac:AccountingCustomerParty/cac:Party/{steps}")),
    };
    let name = party.and_then(|p| ix.at(p, "cac:PartyLegalEntity/cbc:RegistrationName"));
    let has_name = name.is_some_and(|n| !text(n).is_empty());
    if let Some(n) = name {
        let len = chars(text(n));
        if standard && (len == 0 || len > 1000) {
            cx.report(rule::BR_KSA_F_06_C12, path_of(n), format!("give 1 to 1000 characters (found {len})"));
        } else if !standard && len > 1000 {
            cx.report(
                rule::BR_KSA_F_06_C32,
                path_of(n),
                format!("give at most 1000 characters (found {len})"),
            );
        }
    }
    if standard && !has_name {
        cx.report(
            rule::BR_KSA_42,
            buyer_path("cac:PartyLegalEntity/cbc:RegistrationName"),
            "add the buyer's name".into(),
        );
    }
    if cx.simplified() && cx.flag(6) && !has_name {
        cx.report(
            rule::BR_KSA_71,
            buyer_path("cac:PartyLegalEntity/cbc:RegistrationName"),
            "add the buyer's name to the summary invoice".into(),
        );
    }
    // Exemption codes that need a named, nationally identified buyer.
    let edu_hea = cx.elements.iter().copied().any(|n| {
        ix.local(n) == "TaxExemptionReasonCode" && matches!(text(n), "VATEX-SA-EDU" | "VATEX-SA-HEA")
    });
    if edu_hea && cx.simplified() && !has_name {
        cx.report(
            rule::BR_KSA_25,
            buyer_path("cac:PartyLegalEntity/cbc:RegistrationName"),
            "add the buyer's name (education/healthcare to citizens)".into(),
        );
    }
    let ids: Vec<Node<'_, '_>> = party
        .map(|p| {
            ix.children(p, NS_CAC, "PartyIdentification").filter_map(|i| ix.child(i, NS_CBC, "ID")).collect()
        })
        .unwrap_or_default();
    if edu_hea
        && !ids.iter().any(|i| i.attribute("schemeID").map(str::trim) == Some("NAT") && !text(*i).is_empty())
    {
        cx.report(
            rule::BR_KSA_49,
            buyer_path("cac:PartyIdentification/cbc:ID"),
            "add the buyer's national ID with schemeID=\"NAT\"".into(),
        );
    }
    const BUYER_SCHEMES: [&str; 11] =
        ["TIN", "CRN", "MOM", "MLS", "700", "SAG", "NAT", "GCC", "IQA", "PAS", "OTH"];
    for id in &ids {
        let scheme = id.attribute("schemeID").unwrap_or("").trim();
        if !BUYER_SCHEMES.contains(&scheme) || !ascii_alphanumeric(text(*id)) {
            cx.report(
                rule::BR_KSA_14,
                path_of(*id),
                format!("use schemeID TIN, CRN, MOM, MLS, 700, SAG, NAT, GCC, IQA, PAS or OTH and ASCII letters/digits only (found {scheme}=\"{}\")", text(*id)),
            );
        }
        id_format(cx, *id, true);
    }
    // VAT number.
    let vat = party.and_then(|p| {
        ix.children(p, NS_CAC, "PartyTaxScheme").find_map(|t| ix.child(t, NS_CBC, "CompanyID"))
    });
    if let Some(v) = vat {
        if text(v).is_empty() {
            if standard {
                cx.report(
                    rule::BR_KSA_99,
                    path_of(v),
                    "fill in the buyer's VAT number or remove the empty element".into(),
                );
            }
        } else if !vat_number_ok(text(v)) {
            cx.report(
                rule::BR_KSA_44,
                path_of(v),
                format!(
                    "the buyer VAT number has 15 digits, starting and ending with 3 (found \"{}\")",
                    text(v)
                ),
            );
        }
        let seller_vat = ix
            .at(root, "cac:AccountingSupplierParty/cac:Party")
            .and_then(|p| {
                ix.children(p, NS_CAC, "PartyTaxScheme").find_map(|t| ix.child(t, NS_CBC, "CompanyID"))
            })
            .map(text);
        if !text(v).is_empty() && seller_vat == Some(text(v)) {
            cx.report(
                rule::BR_CUSTOM_VALIDATION_01,
                path_of(v),
                "the buyer's VAT number is the seller's; give the buyer's own number".into(),
            );
        }
    }
    let has_vat = vat.is_some_and(|v| !text(v).is_empty());
    if standard && !has_vat && !ids.iter().any(|i| !text(*i).is_empty()) {
        cx.report(
            rule::BR_KSA_81,
            buyer_path("cac:PartyIdentification/cbc:ID"),
            "add the buyer's VAT number or another ID (CRN, NAT, PAS…)".into(),
        );
    }
    // Address.
    if let Some(address) = party.and_then(|p| ix.child(p, NS_CAC, "PostalAddress")) {
        let field = |steps: &str| ix.at_text(address, steps).filter(|t| !t.is_empty());
        let country = field("cac:Country/cbc:IdentificationCode");
        if country == Some("SA") {
            let required = [
                ("cbc:StreetName", "street"),
                ("cbc:BuildingNumber", "building number"),
                ("cbc:PostalZone", "postal code"),
                ("cbc:CityName", "city"),
                ("cbc:CitySubdivisionName", "district"),
            ];
            let missing: Vec<&str> =
                required.iter().filter(|(s, _)| ix.at(address, s).is_none()).map(|(_, n)| *n).collect();
            if !missing.is_empty() && !cx.simplified() {
                cx.report(
                    rule::BR_KSA_63,
                    path_of(address),
                    format!("add the buyer's {} (Saudi national address)", missing.join(", ")),
                );
            }
            if let Some(p) = ix.child(address, NS_CBC, "PostalZone") {
                let v = text(p);
                if !(v.len() == 5 && v.bytes().all(|c| c.is_ascii_digit())) {
                    cx.report(
                        rule::BR_KSA_67,
                        path_of(p),
                        format!("a Saudi postal code is 5 digits (found \"{v}\")"),
                    );
                }
            }
        } else if standard {
            let missing: Vec<&str> = [
                ("cbc:StreetName", "street"),
                ("cbc:CityName", "city"),
                ("cac:Country/cbc:IdentificationCode", "country code"),
            ]
            .iter()
            .filter(|(s, _)| field(s).is_none())
            .map(|(_, n)| *n)
            .collect();
            if !missing.is_empty() {
                cx.report(
                    rule::BR_KSA_10,
                    path_of(address),
                    format!("add the buyer's {}", missing.join(", ")),
                );
            }
        }
        // Standard documents: minimum and maximum; simplified ones: the maximum only.
        let (street, city, district) = if standard {
            ((rule::BR_KSA_F_06_C23, 1), (rule::BR_KSA_F_06_C25, 1), (rule::BR_KSA_F_06_C28, 1))
        } else {
            ((rule::BR_KSA_F_06_C24, 0), (rule::BR_KSA_F_06_C26, 0), (rule::BR_KSA_F_06_C29, 0))
        };
        let lengths: [(&str, &'static RuleInfo, usize, usize); 5] = [
            ("cbc:StreetName", street.0, street.1, 1000),
            ("cbc:AdditionalStreetName", rule::BR_KSA_F_06_C11, 0, 127),
            ("cbc:CityName", city.0, city.1, 127),
            ("cbc:CountrySubentity", rule::BR_KSA_F_06_C27, 0, 127),
            ("cbc:CitySubdivisionName", district.0, district.1, 127),
        ];
        for (steps, rule, min, max) in lengths {
            if let Some(n) = ix.at(address, steps) {
                let len = chars(text(n));
                if len < min || len > max {
                    cx.report(rule, path_of(n), format!("give {min} to {max} characters (found {len})"));
                }
            }
        }
    }
    if let Some(contact) = party.and_then(|p| ix.child(p, NS_CAC, "Contact")) {
        if let Some(phone) = ix.child(contact, NS_CBC, "Telephone") {
            let v = text(phone);
            let rest = v.strip_prefix('+').or_else(|| v.strip_prefix('0'));
            if !rest.is_some_and(|r| (4..=15).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_digit())) {
                cx.report(
                    rule::BR_KSA_85,
                    path_of(phone),
                    format!("write the phone as 0… or +… followed by 4 to 15 digits (found \"{v}\")"),
                );
            }
        }
        if let Some(n) = ix.child(contact, NS_CBC, "Name")
            && chars(text(n)) > 1000
        {
            cx.report(
                rule::BR_KSA_F_06_C37,
                path_of(n),
                format!("shorten to 1000 characters (it has {})", chars(text(n))),
            );
        }
        if let Some(n) = ix.child(contact, NS_CBC, "Note")
            && chars(text(n)) > 1000
        {
            cx.report(
                rule::BR_KSA_F_06_C38,
                path_of(n),
                format!("shorten to 1000 characters (it has {})", chars(text(n))),
            );
        }
    }
}

/// ISO 3166-1 alpha-2 (plus XI, Northern Ireland, as EN 16931 allows).
const ISO_3166: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XI";

fn country_codes(cx: &mut Cx<'_, '_>) {
    let nodes: Vec<Node<'_, '_>> = cx
        .elements
        .iter()
        .copied()
        .filter(|n| {
            n.tag_name().name() == "IdentificationCode"
                && n.tag_name().namespace() == Some(NS_CBC)
                && n.parent().is_some_and(|p| p.tag_name().name() == "Country")
        })
        .collect();
    for n in nodes {
        let v = text(n);
        if !super::codes::in_code_list(ISO_3166, v) {
            cx.report(
                rule::BR_CL_14,
                path_of(n),
                format!("\"{v}\" is not an ISO 3166-1 alpha-2 country code; use e.g. SA"),
            );
        }
    }
}
