//! Identifiers and codes, dates and times, currencies, the chain fields (ICV, PIH), QR and stamp,
//! payment means and the header field lengths.

use super::index::Index;
use super::{Cx, RuleInfo, chars, path_of, path_under, rule, text};
use crate::xml::{NS_CAC, NS_CBC, NS_EXT, NS_SAC, NS_SIG, is};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use roxmltree::Node;

pub(super) fn check(cx: &mut Cx<'_, '_>) {
    profile_and_ids(cx);
    type_code(cx);
    dates(cx);
    currencies(cx);
    chain(cx);
    stamp(cx);
    payment_means(cx);
    header_lengths(cx);
}

/// ISO 4217 alpha-3 codes (active list).
pub(super) const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWL";

pub(super) fn is_currency(code: &str) -> bool {
    in_code_list(ISO_4217, code)
}

/// Whether `code` is one of the space-separated, equal-length codes of `list`.
pub(super) fn in_code_list(list: &str, code: &str) -> bool {
    let width = list.find(' ').unwrap_or(list.len());
    let (list, code) = (list.as_bytes(), code.as_bytes());
    // The first byte screens out most entries before a slice comparison.
    code.len() == width
        && (0..list.len()).step_by(width + 1).any(|i| list[i] == code[0] && &list[i..i + width] == code)
}

/// UNTDID 1001 invoice and credit note codes accepted by EN 16931.
const UNTDID_1001: &str = "80 81 82 83 84 102 130 202 203 204 211 261 262 295 296 308 325 326 380 381 383 384 385 386 387 388 389 390 393 394 395 396 420 456 457 458 527 532 553 575 623 633 751 780 817 870 875 876 877 935";

/// `YYYY-MM-DD` with a real calendar date.
pub(super) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r.clone()].iter().all(u8::is_ascii_digit);
    if !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return false;
    }
    let year: i32 = s[0..4].parse().unwrap_or(0);
    let month: u8 = s[5..7].parse().unwrap_or(0);
    let day: u8 = s[8..10].parse().unwrap_or(0);
    time::Month::try_from(month).is_ok_and(|m| time::Date::from_calendar_date(year, m, day).is_ok())
}

/// `hh:mm:ss` or `hh:mm:ssZ` (ZATCA's KSA-25 and KSA-29 forms).
pub(super) fn is_ksa_time(s: &str) -> bool {
    let body = s.strip_suffix('Z').unwrap_or(s);
    let b = body.as_bytes();
    b.len() == 8
        && b[2] == b':'
        && b[5] == b':'
        && [0, 1, 3, 4, 6, 7].iter().all(|&i| b[i].is_ascii_digit())
        && body[0..2].parse::<u8>().is_ok_and(|h| h < 24)
        && body[3..5].parse::<u8>().is_ok_and(|m| m < 60)
        && body[6..8].parse::<u8>().is_ok_and(|s| s < 60)
}

fn days_from_date(s: &str) -> Option<i64> {
    if !is_date(s) {
        return None;
    }
    let month = time::Month::try_from(s[5..7].parse::<u8>().ok()?).ok()?;
    let date = time::Date::from_calendar_date(s[0..4].parse().ok()?, month, s[8..10].parse().ok()?).ok()?;
    Some(date.to_julian_day() as i64)
}

fn profile_and_ids(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let profile = ix.child(root, NS_CBC, "ProfileID");
    if profile.map(text) != Some("reporting:1.0") {
        let found = profile.map(text).unwrap_or("(missing)");
        cx.report(
            rule::BR_KSA_EN16931_01,
            profile.map(path_of).unwrap_or_else(|| path_under(root, "cbc:ProfileID")),
            format!("set cbc:ProfileID to \"reporting:1.0\" (found \"{found}\")"),
        );
    }
    match ix.child(root, NS_CBC, "ID") {
        Some(id) if !text(id).is_empty() => {
            let n = chars(text(id));
            if n > 127 {
                cx.report(
                    rule::BR_KSA_F_06_C1,
                    path_of(id),
                    format!("shorten the invoice number to 127 characters (it has {n})"),
                );
            }
        }
        other => {
            let path = other.map(path_of).unwrap_or_else(|| path_under(root, "cbc:ID"));
            cx.report(rule::BR_02, path.clone(), "give the invoice number in cbc:ID".into());
            cx.report(rule::BR_KSA_F_06_C1, path, "the invoice number must have at least 1 character".into());
        }
    }
    let uuid = ix.child(root, NS_CBC, "UUID");
    let ok = uuid
        .map(text)
        .is_some_and(|u| !u.is_empty() && u.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    if !ok {
        cx.report(
            rule::BR_KSA_03,
            uuid.map(path_of).unwrap_or_else(|| path_under(root, "cbc:UUID")),
            format!(
                "give a UUID made of letters, digits and dashes, e.g. 8e6000cf-1a98-4174-b3e7-b5d5954bc10d (found \"{}\")",
                uuid.map(text).unwrap_or("(missing)")
            ),
        );
    }
}

fn type_code(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let node = ix.child(root, NS_CBC, "InvoiceTypeCode");
    // Built only for a finding: most documents have none here.
    let path = || node.map(path_of).unwrap_or_else(|| path_under(root, "cbc:InvoiceTypeCode"));
    let code = cx.type_code;
    if code.is_empty() {
        cx.report(
            rule::BR_04,
            path(),
            "give the invoice type code: 388 invoice, 381 credit note, 383 debit note".into(),
        );
    } else {
        if !UNTDID_1001.split(' ').any(|c| c == code) {
            cx.report(
                rule::BR_CL_01,
                path(),
                format!("\"{code}\" is not a UNTDID 1001 invoice code; use 388, 381 or 383"),
            );
        }
        if !["388", "383", "381", "386"].contains(&code) {
            cx.report(
                rule::BR_KSA_05,
                path(),
                format!("use 388 (invoice), 381 (credit note) or 383 (debit note), not \"{code}\""),
            );
        }
    }
    let name = cx.subtype;
    let well_formed = (7..=9).contains(&name.len())
        && (name.starts_with("01") || name.starts_with("02"))
        && name.bytes().skip(2).all(|b| b == b'0' || b == b'1');
    if !well_formed {
        cx.report(
            rule::BR_KSA_06,
            format!("{}/@name", path()),
            format!("set @name to 01 (standard) or 02 (simplified) followed by five to seven 0/1 flags, e.g. 0100000 or 0200000 (found \"{name}\")"),
        );
    }
    let n = chars(name);
    if !(7..=9).contains(&n) {
        cx.report(
            rule::BR_KSA_F_06_C40,
            format!("{}/@name", path()),
            format!("the transaction code has {n} characters; give 7 to 9"),
        );
    }
    if cx.flag(5) && cx.flag(7) {
        cx.report(
            rule::BR_KSA_07,
            format!("{}/@name", path()),
            format!("clear position 7 (self-billing) or position 5 (export) in \"{name}\""),
        );
    }
    if cx.simplified() && cx.flag(7) {
        cx.report(
            rule::BR_KSA_31,
            format!("{}/@name", path()),
            format!(
                "clear position 7 (self-billing) in \"{name}\"; simplified documents cannot be self-billed"
            ),
        );
    }
    if cx.standard()
        && cx.flag(9)
        && ix.at_text(root, "cac:ContractDocumentReference/cbc:ID").is_none_or(str::is_empty)
    {
        cx.report(
            rule::BR_KSA_92,
            path_under(root, "cac:ContractDocumentReference/cbc:ID"),
            "add cac:ContractDocumentReference/cbc:ID with the government contract number".into(),
        );
    }
}

fn dates(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    // Every date element of the document: BR-KSA-F-01.
    let date_nodes: Vec<Node<'_, '_>> = cx
        .elements
        .iter()
        .copied()
        .filter(|n| ix.in_ns(*n, NS_CBC) && ix.local(*n).ends_with("Date"))
        .collect();
    for n in date_nodes {
        if !is_date(text(n)) {
            cx.report(
                rule::BR_KSA_F_01,
                path_of(n),
                format!("write the date as YYYY-MM-DD (found \"{}\")", text(n)),
            );
        }
    }
    let issue = ix.child(root, NS_CBC, "IssueDate");
    match issue {
        None => cx.report(
            rule::BR_03,
            path_under(root, "cbc:IssueDate"),
            "give the issue date as YYYY-MM-DD".into(),
        ),
        Some(n) if text(n).is_empty() => {
            cx.report(rule::BR_03, path_of(n), "give the issue date as YYYY-MM-DD".into())
        }
        Some(n) => {
            let today = time::OffsetDateTime::from_unix_timestamp(cx.now_unix)
                .map(|t| t.to_offset(time::UtcOffset::from_hms(3, 0, 0).expect("UTC+3")))
                .map(|t| t.date().to_julian_day() as i64)
                .unwrap_or(i64::MAX);
            if let Some(day) = days_from_date(text(n))
                && day > today
            {
                cx.report(
                    rule::BR_KSA_04,
                    path_of(n),
                    format!("the issue date {} is in the future; use today's date or earlier", text(n)),
                );
            }
        }
    }
    let time_node = ix.child(root, NS_CBC, "IssueTime");
    if !time_node.map(text).is_some_and(is_ksa_time) {
        cx.report(
            rule::BR_KSA_70,
            time_node.map(path_of).unwrap_or_else(|| path_under(root, "cbc:IssueTime")),
            format!(
                "give the issue time as hh:mm:ss, e.g. 14:30:00 (found \"{}\")",
                time_node.map(text).unwrap_or("(missing)")
            ),
        );
    }
    // Supply dates.
    let delivery = ix.child(root, NS_CAC, "Delivery");
    let start = delivery.and_then(|d| ix.child(d, NS_CBC, "ActualDeliveryDate"));
    let end = delivery.and_then(|d| ix.child(d, NS_CBC, "LatestDeliveryDate"));
    if cx.standard() && cx.type_code == "388" && start.is_none() {
        cx.report(
            rule::BR_KSA_15,
            path_under(root, "cac:Delivery/cbc:ActualDeliveryDate"),
            "add the supply date in cac:Delivery/cbc:ActualDeliveryDate".into(),
        );
    }
    if let Some(e) = end {
        match start {
            None => cx.report(
                rule::BR_KSA_35,
                path_under(root, "cac:Delivery/cbc:ActualDeliveryDate"),
                "add the supply date (cbc:ActualDeliveryDate) before the supply end date".into(),
            ),
            Some(s) => {
                if let (Some(a), Some(b)) = (days_from_date(text(s)), days_from_date(text(e)))
                    && b < a
                {
                    cx.report(
                        rule::BR_KSA_36,
                        path_of(e),
                        format!("the supply end date {} is before the supply date {}", text(e), text(s)),
                    );
                }
            }
        }
    }
    if cx.simplified() && cx.flag(6) && (start.is_none() || end.is_none()) {
        cx.report(
            rule::BR_KSA_72,
            path_under(root, "cac:Delivery"),
            "add cbc:ActualDeliveryDate and cbc:LatestDeliveryDate (the period the summary covers)".into(),
        );
    }
    // BR-KSA-98: simplified documents should be reported within 24 hours.
    if cx.simplified()
        && let (Some(day), Some(t)) = (issue.and_then(|n| days_from_date(text(n))), time_node.map(text))
        && is_ksa_time(t)
    {
        let secs: i64 = t[0..2].parse::<i64>().unwrap_or(0) * 3600
            + t[3..5].parse::<i64>().unwrap_or(0) * 60
            + t[6..8].parse::<i64>().unwrap_or(0);
        // Julian day 2440588 is 1970-01-01. Local time is Riyadh (UTC+3) unless marked Z.
        let offset = if t.ends_with('Z') { 0 } else { 3 * 3600 };
        let issued = (day - 2_440_588) * 86_400 + secs - offset;
        if cx.now_unix - issued > 86_400 {
            cx.report(
                rule::BR_KSA_98,
                path_of(issue.expect("issue date")),
                format!(
                    "issued {} hours ago; report simplified documents within 24 hours of issue",
                    (cx.now_unix - issued) / 3600
                ),
            );
        }
    }
}

fn currencies(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let currency = cx.currency;
    let cur_node = ix.child(root, NS_CBC, "DocumentCurrencyCode");
    let cur_path = || cur_node.map(path_of).unwrap_or_else(|| path_under(root, "cbc:DocumentCurrencyCode"));
    if currency.is_empty() {
        cx.report(rule::BR_05, cur_path(), "give the invoice currency, e.g. SAR".into());
    } else if !is_currency(currency) {
        cx.report(
            rule::BR_CL_04,
            cur_path(),
            format!("\"{currency}\" is not an ISO 4217 code; use e.g. SAR, USD, EUR"),
        );
        cx.report(
            rule::BR_KSA_CL_01,
            cur_path(),
            format!("\"{currency}\" is not an ISO 4217 code; use e.g. SAR, USD, EUR"),
        );
    }
    let tax_node = ix.child(root, NS_CBC, "TaxCurrencyCode");
    let tax_currency = tax_node.map(text);
    match tax_node {
        None => cx.report(
            rule::BR_KSA_68,
            path_under(root, "cbc:TaxCurrencyCode"),
            "add <cbc:TaxCurrencyCode>SAR</cbc:TaxCurrencyCode>".into(),
        ),
        Some(n) => {
            if !is_currency(text(n)) {
                cx.report(
                    rule::BR_CL_05,
                    path_of(n),
                    format!("\"{}\" is not an ISO 4217 code; use SAR", text(n)),
                );
            }
            if text(n) != "SAR" {
                cx.report(
                    rule::BR_KSA_EN16931_02,
                    path_of(n),
                    format!("set the tax currency to SAR (found \"{}\")", text(n)),
                );
            }
        }
    }
    // currencyID attributes: ISO code, and the document currency except on BT-111.
    let bt111 = |n: Node<'_, '_>| {
        is(n, NS_CBC, "TaxAmount")
            && n.parent().is_some_and(|p| is(p, NS_CAC, "TaxTotal") && p.parent() == Some(root))
            && tax_currency.is_some_and(|t| n.attribute("currencyID") == Some(t))
            && tax_currency != Some(currency)
    };
    let document_currency_valid = is_currency(currency);
    let with_currency: Vec<Node<'_, '_>> =
        cx.elements.iter().copied().filter(|n| n.is_element() && n.has_attribute("currencyID")).collect();
    for n in with_currency {
        let id = n.attribute("currencyID").unwrap_or("").trim();
        if id == currency && document_currency_valid {
            continue;
        }
        if !is_currency(id) {
            cx.report(
                rule::BR_CL_03,
                format!("{}/@currencyID", path_of(n)),
                format!("\"{id}\" is not an ISO 4217 code"),
            );
        } else if id != currency && !currency.is_empty() && !bt111(n) {
            cx.report(
                rule::BR_KSA_CL_02,
                format!("{}/@currencyID", path_of(n)),
                format!("set currencyID to the invoice currency \"{currency}\" (found \"{id}\")"),
            );
        }
    }
    // Tax exchange rate (KSA-36..39).
    if let Some(rate) = ix.child(root, NS_CAC, "TaxExchangeRate") {
        let source = ix.child(rate, NS_CBC, "SourceCurrencyCode");
        let target = ix.child(rate, NS_CBC, "TargetCurrencyCode");
        let value = ix.child(rate, NS_CBC, "CalculationRate");
        if source.is_none() || target.is_none() || value.is_none() {
            cx.report(
                rule::BR_KSA_87,
                path_of(rate),
                "give cbc:SourceCurrencyCode, cbc:TargetCurrencyCode and cbc:CalculationRate".into(),
            );
        }
        if let Some(s) = source
            && text(s) != currency
        {
            cx.report(
                rule::BR_KSA_88,
                path_of(s),
                format!("set the source currency to the invoice currency \"{currency}\""),
            );
        }
        if let Some(t) = target
            && Some(text(t)) != tax_currency
        {
            cx.report(
                rule::BR_KSA_89,
                path_of(t),
                format!("set the target currency to the tax currency \"{}\"", tax_currency.unwrap_or("SAR")),
            );
        }
        if let Some(v) = value
            && text(v).bytes().filter(u8::is_ascii_digit).count() > 14
        {
            cx.report(rule::BR_KSA_90, path_of(v), "give the exchange rate with at most 14 digits".into());
        }
    }
}

fn additional_reference<'a, 'i>(ix: &Index<'a, 'i>, root: Node<'a, 'i>, id: &str) -> Option<Node<'a, 'i>> {
    ix.children(root, NS_CAC, "AdditionalDocumentReference").find(|r| ix.at_text(*r, "cbc:ID") == Some(id))
}

fn chain(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    for reference in ix.children(root, NS_CAC, "AdditionalDocumentReference") {
        if ix.at_text(reference, "cbc:ID").is_none_or(str::is_empty) {
            cx.report(
                rule::BR_52,
                path_under(reference, "cbc:ID"),
                "give the supporting document reference in cbc:ID".into(),
            );
        }
        if let Some(object) = ix.at(reference, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject")
            && let Some(mime) = object.attribute("mimeCode")
            && !MIME_CODES.contains(&mime.trim())
        {
            cx.report(
                rule::BR_KSA_CL_03,
                format!("{}/@mimeCode", path_of(object)),
                format!("use an allowed mime code such as text/plain or application/pdf (found \"{mime}\")"),
            );
        }
    }
    match additional_reference(ix, root, "ICV") {
        None => cx.report(
            rule::BR_KSA_33,
            path_under(root, "cac:AdditionalDocumentReference"),
            "add cac:AdditionalDocumentReference with cbc:ID ICV and the counter in cbc:UUID".into(),
        ),
        Some(r) => match ix.child(r, NS_CBC, "UUID") {
            None => cx.report(
                rule::BR_KSA_33,
                path_under(r, "cbc:UUID"),
                "give the invoice counter value in cbc:UUID".into(),
            ),
            Some(u) if text(u).is_empty() || !text(u).bytes().all(|b| b.is_ascii_digit()) => cx.report(
                rule::BR_KSA_34,
                path_of(u),
                format!("the invoice counter must be digits only, e.g. 10 (found \"{}\")", text(u)),
            ),
            Some(_) => {}
        },
    }
    match additional_reference(ix, root, "PIH") {
        None => cx.report(
            rule::BR_KSA_61,
            path_under(root, "cac:AdditionalDocumentReference"),
            "add cac:AdditionalDocumentReference with cbc:ID PIH and the previous invoice hash".into(),
        ),
        Some(r) => {
            let object = ix.at(r, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject");
            let value = object.map(text).unwrap_or("");
            let ok = B64.decode(value).is_ok_and(|bytes| {
                // The SDK's PIH is the base64 of the hex or of the raw digest.
                bytes.len() == 32 || (bytes.len() == 64 && bytes.iter().all(u8::is_ascii_hexdigit))
            });
            if !ok {
                cx.report(
                    rule::BR_KSA_26,
                    object.map(path_of).unwrap_or_else(|| path_under(r, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject")),
                    "give the base64 of the previous invoice's SHA-256 hash (the first document uses the genesis value)".into(),
                );
            }
        }
    }
    let qr = additional_reference(ix, root, "QR");
    let qr_object = qr.and_then(|r| ix.at(r, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject"));
    match qr_object {
        Some(o) if B64.decode(text(o)).is_ok() && !text(o).is_empty() => {
            let n = chars(text(o));
            if n > 1000 {
                cx.report(
                    rule::BR_CL_KSA_14,
                    path_of(o),
                    format!(
                        "the QR code has {n} characters; keep it to 1000 (shorter seller name or fewer tags)"
                    ),
                );
            }
        }
        other => {
            let path =
                other.map(path_of).unwrap_or_else(|| path_under(root, "cac:AdditionalDocumentReference"));
            cx.report(
                rule::BR_KSA_27,
                path,
                "add the base64 QR code in cac:AdditionalDocumentReference[cbc:ID='QR']".into(),
            );
        }
    }
}

const MIME_CODES: &[&str] = &[
    "text/plain",
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
    "text/xml",
    "application/xml",
];

fn stamp(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    let signature = ix.child(root, NS_CAC, "Signature");
    let extension_signature = ix
        .child(root, NS_EXT, "UBLExtensions")
        .and_then(|e| e.descendants().find(|n| is(*n, NS_SIG, "UBLDocumentSignatures")));
    if cx.simplified() && (signature.is_none() || extension_signature.is_none()) {
        cx.report(
            rule::BR_KSA_60,
            path_under(root, "cac:Signature"),
            "stamp the document (ext:UBLExtensions with the XAdES signature and cac:Signature)".into(),
        );
    }
    if let Some(sig) = signature {
        let id = ix.child(sig, NS_CBC, "ID");
        if id.map(text) != Some("urn:oasis:names:specification:ubl:signature:Invoice") {
            cx.report(
                rule::BR_KSA_29,
                id.map(path_of).unwrap_or_else(|| path_under(sig, "cbc:ID")),
                "set cac:Signature/cbc:ID to urn:oasis:names:specification:ubl:signature:Invoice".into(),
            );
        }
        let method = ix.child(sig, NS_CBC, "SignatureMethod");
        if method.map(text) != Some("urn:oasis:names:specification:ubl:dsig:enveloped:xades") {
            cx.report(
                rule::BR_KSA_30,
                method.map(path_of).unwrap_or_else(|| path_under(sig, "cbc:SignatureMethod")),
                "set cbc:SignatureMethod to urn:oasis:names:specification:ubl:dsig:enveloped:xades".into(),
            );
        }
    }
    if let Some(docs) = extension_signature
        && let Some(info) = docs.children().find(|n| is(*n, NS_SAC, "SignatureInformation"))
    {
        let id = ix.child(info, NS_CBC, "ID");
        if id.map(text) != Some("urn:oasis:names:specification:ubl:signature:1") {
            cx.report(
                rule::BR_KSA_28,
                id.map(path_of).unwrap_or_else(|| path_under(info, "cbc:ID")),
                "set the signature information cbc:ID to urn:oasis:names:specification:ubl:signature:1"
                    .into(),
            );
        }
        let referenced =
            info.children().find(|n| n.is_element() && n.tag_name().name() == "ReferencedSignatureID");
        if referenced.map(text) != Some("urn:oasis:names:specification:ubl:signature:Invoice") {
            cx.report(
                rule::BR_KSA_29,
                referenced.map(path_of).unwrap_or_else(|| path_under(info, "sbc:ReferencedSignatureID")),
                "set sbc:ReferencedSignatureID to urn:oasis:names:specification:ubl:signature:Invoice".into(),
            );
        }
    }
}

/// UNCL 4461 payment means codes.
fn is_uncl4461(code: &str) -> bool {
    code == "ZZZ" || code.parse::<u8>().is_ok_and(|n| (1..=97).contains(&n)) && !code.starts_with('0')
}

fn payment_means(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    for pm in ix.children(root, NS_CAC, "PaymentMeans") {
        let code = ix.child(pm, NS_CBC, "PaymentMeansCode");
        match code.map(text) {
            None | Some("") => cx.report(
                rule::BR_49,
                path_under(pm, "cbc:PaymentMeansCode"),
                "give the payment means code: 10 cash, 30 credit, 42 bank account, 48 card, 1 other".into(),
            ),
            Some(c) => {
                let path = || path_of(code.expect("code"));
                if !is_uncl4461(c) {
                    cx.report(rule::BR_CL_16, path(), format!("\"{c}\" is not a UNCL 4461 code"));
                }
                if !["10", "30", "42", "48", "1"].contains(&c) {
                    cx.report(rule::BR_KSA_16, path(), format!("use 10 (cash), 30 (credit), 42 (bank account), 48 (card) or 1 (other), not \"{c}\""));
                }
            }
        }
        for note in ix.children(pm, NS_CBC, "InstructionNote") {
            let n = chars(text(note));
            if n == 0 || n > 1000 {
                cx.report(
                    rule::BR_KSA_F_06_C13,
                    path_of(note),
                    format!("the reason has {n} characters; give 1 to 1000"),
                );
            }
        }
        if let Some(account) = ix.at(pm, "cac:PayeeFinancialAccount/cbc:ID")
            && chars(text(account)) > 127
        {
            cx.report(
                rule::BR_KSA_F_06_C15,
                path_of(account),
                format!("shorten the account identifier to 127 characters (it has {})", chars(text(account))),
            );
        }
    }
}

fn header_lengths(cx: &mut Cx<'_, '_>) {
    let ix = cx.ix;
    let root = cx.root;
    for note in ix.children(root, NS_CBC, "Note") {
        let n = chars(text(note));
        if n > 1000 {
            cx.report(
                rule::BR_KSA_F_06_C2,
                path_of(note),
                format!("shorten the note to 1000 characters (it has {n})"),
            );
        }
    }
    let limits: [(&str, &'static RuleInfo, usize); 3] = [
        ("cac:OrderReference/cbc:ID", rule::BR_KSA_F_06_C3, 127),
        ("cac:ContractDocumentReference/cbc:ID", rule::BR_KSA_F_06_C5, 127),
        ("cac:PaymentTerms/cbc:Note", rule::BR_KSA_F_06_C14, 1000),
    ];
    for (steps, id, max) in limits {
        if let Some(node) = ix.at(root, steps) {
            let n = chars(text(node));
            if n > max {
                cx.report(id, path_of(node), format!("shorten to {max} characters (it has {n})"));
            }
        }
    }
}
