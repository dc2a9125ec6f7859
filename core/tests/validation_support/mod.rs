//! Validation test documents: the mutation corpus (`tests/validation/mutations/mutations.json`)
//! and a seeded random mutator, shared by the corpus test and the ZATCA parity test.
#![allow(dead_code)]

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A document to judge, the instant to judge it at (Unix seconds) and what it is.
pub(crate) struct Doc {
    pub xml: String,
    pub now: i64,
    pub label: String,
}

/// One corpus entry (of any `tests/validation/mutations/*.json` file): edits applied in order to an SDK sample and the rule ids expected.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Mutation {
    pub base: String,
    pub description: String,
    /// Applied in order; none for a time-only case.
    pub edits: Vec<Edit>,
    pub expect: Vec<String>,
    /// Validation time (Unix seconds); default: one hour after the base's issue time.
    #[serde(default)]
    pub now: Option<i64>,
}

/// `find` → `replace` at the `nth` (1-based, default 1) occurrence, or `remove` the `nth`
/// element with that tag name (`cac:Signature`), start tag to end tag. `{{c*n}}` in `find` or
/// `replace` stands for the character `c` repeated `n` times.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Edit {
    #[serde(default)]
    pub find: Option<String>,
    #[serde(default)]
    pub replace: Option<String>,
    #[serde(default)]
    pub remove: Option<String>,
    #[serde(default)]
    pub nth: Option<usize>,
}

pub(crate) fn samples(repo: &Path) -> PathBuf {
    repo.join("tests/vectors/sdk-R3.4.8/Data/Samples")
}

/// Every entry of every corpus file, files in name order.
pub(crate) fn load(repo: &Path) -> Vec<Mutation> {
    let dir = repo.join("tests/validation/mutations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            serde_json::from_str::<Vec<Mutation>>(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()))
        })
        .collect()
}

fn expand(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = start + rest[start..].find("}}").expect("unclosed {{");
        let (c, n) = rest[start + 2..end].split_once('*').expect("{{c*n}}");
        out.push_str(&c.repeat(n.parse().expect("count")));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    Some(&text[start..start + text[start..].find(close)?])
}

/// One hour after the document's issue date and time (Riyadh time, UTC+3); for a document
/// without a readable issue date, 2025-01-15 12:00 in Riyadh.
pub(crate) fn shortly_after(xml: &str) -> i64 {
    let fallback = 1_736_931_600;
    let (Some(date), Some(time)) =
        (between(xml, "<cbc:IssueDate>", "<"), between(xml, "<cbc:IssueTime>", "<"))
    else {
        return fallback;
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let Ok(d) = time::Date::parse(date.trim(), &format) else { return fallback };
    let (Some(h), Some(m)) = (time.get(0..2), time.get(3..5)) else { return fallback };
    let (Ok(h), Ok(m)) = (h.parse::<i64>(), m.parse::<i64>()) else { return fallback };
    (d.to_julian_day() as i64 - 2_440_588) * 86_400 + h * 3600 + m * 60 - 3 * 3600 + 3600
}

fn nth_index(text: &str, needle: &str, nth: usize) -> Option<usize> {
    let mut from = 0;
    for _ in 1..nth {
        from += text[from..].find(needle)? + needle.len();
    }
    text[from..].find(needle).map(|i| i + from)
}

/// The entry's edits applied to `base`.
pub(crate) fn apply(m: &Mutation, base: &str) -> Result<String, String> {
    let mut text = base.to_string();
    for edit in &m.edits {
        let nth = edit.nth.unwrap_or(1);
        match (&edit.find, &edit.replace, &edit.remove) {
            (Some(find), Some(replace), None) => {
                let find = expand(find);
                let at = nth_index(&text, &find, nth)
                    .ok_or_else(|| format!("occurrence {nth} of '{find}' not found"))?;
                text.replace_range(at..at + find.len(), &expand(replace));
            }
            (None, None, Some(tag)) => {
                let open =
                    nth_index(&text, &format!("<{tag}>"), nth).ok_or_else(|| format!("<{tag}> not found"))?;
                let close_tag = format!("</{tag}>");
                let close =
                    open + text[open..].find(&close_tag).ok_or_else(|| format!("{close_tag} not found"))?;
                text.replace_range(open..close + close_tag.len(), "");
            }
            _ => return Err("an edit is either find + replace or remove".into()),
        }
    }
    Ok(text)
}

/// Every corpus entry as a document (with its validation time), and every base used.
pub(crate) fn mutation_corpus(repo: &Path) -> Vec<Doc> {
    let mut docs = Vec::new();
    let mut bases = std::collections::BTreeSet::new();
    for (i, m) in load(repo).iter().enumerate() {
        let base = std::fs::read_to_string(samples(repo).join(&m.base)).unwrap();
        let xml = apply(m, &base).unwrap_or_else(|e| panic!("#{i} {}: {e}", m.description));
        let now = m.now.unwrap_or_else(|| shortly_after(&base));
        docs.push(Doc { xml, now, label: format!("#{i} [{}] {}", m.base, m.description) });
        if bases.insert(m.base.clone()) {
            docs.push(Doc { now: shortly_after(&base), xml: base, label: format!("base {}", m.base) });
        }
    }
    docs
}

/// SplitMix64: a small, seedable generator (the sequence is part of a reproducible test run).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(crate) fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Random edits of valid documents: values by kind (amounts off by rounding, dates and times,
/// codes with whitespace, currencies, IDs of every scheme, VAT numbers, names of every length),
/// attributes (currencyID, schemeID, the transaction flags), and removed, duplicated or swapped
/// elements.
pub(crate) struct Mutator {
    rng: Rng,
}

/// An element of the document: its byte range, its text range when it is a leaf, its qualified
/// name, its parent's local name and its attributes' value ranges.
struct Element {
    range: std::ops::Range<usize>,
    text: Option<std::ops::Range<usize>>,
    name: String,
    local: String,
    parent: String,
    attributes: Vec<(String, std::ops::Range<usize>)>,
    next_sibling: Option<std::ops::Range<usize>>,
}

fn elements(xml: &str) -> Vec<Element> {
    let doc = roxmltree::Document::parse(xml).expect("a mutated document stays well-formed");
    let mut out = Vec::new();
    for node in doc.root_element().descendants().filter(|n| n.is_element()) {
        let in_extensions = node.ancestors().any(|a| a.tag_name().name() == "UBLExtensions");
        if in_extensions && node.tag_name().name() != "UBLExtensions" {
            continue;
        }
        if node == doc.root_element() {
            continue;
        }
        let local = node.tag_name().name().to_string();
        let prefix = node.lookup_prefix(node.tag_name().namespace().unwrap_or("")).unwrap_or("");
        let name = if prefix.is_empty() { local.clone() } else { format!("{prefix}:{local}") };
        let is_leaf = !node.children().any(|c| c.is_element());
        let text = if is_leaf {
            // The text's range: after the start tag's '>' up to the end tag.
            let r = node.range();
            let open_end = r.start + xml[r.start..r.end].find('>').unwrap() + 1;
            (xml.as_bytes()[open_end - 2] != b'/').then(|| open_end..r.end - (name.len() + 3))
        } else {
            None
        };
        let attributes = node.attributes().map(|a| (a.name().to_string(), a.range_value())).collect();
        let next_sibling = node.next_sibling_element().map(|s| s.range());
        let parent = node.parent_element().map(|p| p.tag_name().name().to_string()).unwrap_or_default();
        out.push(Element { range: node.range(), text, name, local, parent, attributes, next_sibling });
    }
    out
}

fn riyadh_date(unix: i64, day_offset: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(unix + 3 * 3600 + day_offset * 86_400).unwrap();
    format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day())
}

impl Mutator {
    pub(crate) fn new(seed: u64) -> Self {
        Mutator { rng: Rng::new(seed) }
    }

    /// A new document: one to three random edits of a random base.
    pub(crate) fn mutate(&mut self, bases: &[Doc]) -> Doc {
        let base = &bases[self.rng.below(bases.len())];
        let mut xml = base.xml.clone();
        let mut what = Vec::new();
        for _ in 0..1 + self.rng.below(3) {
            what.push(self.edit(&mut xml, base.now));
        }
        Doc { xml, now: base.now, label: format!("{} | {}", base.label, what.join("; ")) }
    }

    fn edit(&mut self, xml: &mut String, now: i64) -> String {
        let all = elements(xml);
        let e = &all[self.rng.below(all.len())];
        match self.rng.below(100) {
            0..45 => {
                let leaves: Vec<&Element> = all.iter().filter(|e| e.text.is_some()).collect();
                let e = leaves[self.rng.below(leaves.len())];
                let range = e.text.clone().unwrap();
                let value = self.value_for(e, &xml[range.clone()], now);
                let what = format!("{} '{}' → '{}'", e.name, short(&xml[range.clone()]), short(&value));
                xml.replace_range(range, &value);
                what
            }
            45..62 => {
                let with: Vec<&Element> = all.iter().filter(|e| !e.attributes.is_empty()).collect();
                let e = with[self.rng.below(with.len())];
                let (name, range) = &e.attributes[self.rng.below(e.attributes.len())];
                let value = self.attribute_for(name, &xml[range.clone()]);
                let what = format!("{}/@{name} → '{value}'", e.name);
                xml.replace_range(range.clone(), &value);
                what
            }
            62..86 => {
                let what = format!("remove {} (in {})", e.name, e.parent);
                xml.replace_range(e.range.clone(), "");
                what
            }
            86..90 => {
                let copy = xml[e.range.clone()].to_string();
                xml.insert_str(e.range.end, &copy);
                format!("duplicate {} (in {})", e.name, e.parent)
            }
            _ => match &e.next_sibling {
                Some(next) => {
                    let (a, b) = (xml[e.range.clone()].to_string(), xml[next.clone()].to_string());
                    let between = xml[e.range.end..next.start].to_string();
                    xml.replace_range(e.range.start..next.end, &format!("{b}{between}{a}"));
                    format!("swap {} with the next element (in {})", e.name, e.parent)
                }
                None => {
                    xml.replace_range(e.range.clone(), "");
                    format!("remove {} (in {})", e.name, e.parent)
                }
            },
        }
    }

    fn value_for(&mut self, e: &Element, current: &str, now: i64) -> String {
        let r = &mut self.rng;
        let local = e.local.as_str();
        let text_variants = |r: &mut Rng, current: &str| -> String {
            match r.below(10) {
                0 => String::new(),
                1 => " ".into(),
                2 => format!("{current} "),
                3 => format!(" {current}"),
                4 => "ab".into(),
                5 => "abc".into(),
                6 => "12345678".into(),
                7 => "x".repeat(1001),
                8 => "١٢٣٤٥٦٧٨".into(),
                _ => "Item 123".into(),
            }
        };
        if local.ends_with("Amount")
            || local.ends_with("Quantity")
            || matches!(local, "Percent" | "CalculationRate" | "MultiplierFactorNumeric")
        {
            let value: f64 = current.trim().parse().unwrap_or(1.0);
            // Non-numbers stop ZATCA's XSL (no verdict to compare): rarely.
            let variants = if r.chance(10) { 14 } else { 9 };
            return match r.below(variants) {
                0 => format!("{:.2}", value + 0.01),
                1 => format!("{:.2}", value - 0.01),
                2 => format!("{:.2}", value * 2.0),
                3 => "0.00".into(),
                4 => format!("{:.2}", -value),
                5 => format!("{:.3}", value + 0.001),
                6 => format!("{:.2}", value + 1.0),
                7 => format!("{:.1}", value),
                8 => format!("{:.5}", value),
                9 => format!(" {current}"),
                10 => "abc".into(),
                11 => String::new(),
                12 => "100".into(),
                _ => format!("{:.2}", (value * 100.0).round() / 100.0 + 0.005),
            };
        }
        if local.ends_with("Date") {
            return match r.below(11) {
                0 => "2022-13-01".into(),
                1 => "2022-02-30".into(),
                2 => "2022-1-5".into(),
                3 => riyadh_date(now, -1),
                4 => riyadh_date(now, 0),
                5 => riyadh_date(now, 1),
                6 => riyadh_date(now, 40),
                7 => "2019-01-01".into(),
                8 => String::new(),
                9 => format!(" {current}"),
                _ => riyadh_date(now, -400),
            };
        }
        if local.ends_with("Time") {
            let t = ["00:00:00", "23:59:59", "10:00:00Z", "25:00:00", "10:00", "10:00:00.5", "", "12:30:00"];
            return r.pick(&t).to_string();
        }
        let pick = |r: &mut Rng, items: &[&str]| items[r.below(items.len())].to_string();
        match (local, e.parent.as_str()) {
            ("InvoiceTypeCode", _) => pick(r, &["388", "381", "383", "386", "380", " 388", "388 ", "389"]),
            ("DocumentCurrencyCode" | "TaxCurrencyCode" | "SourceCurrencyCode" | "TargetCurrencyCode", _) => {
                pick(r, &["SAR", "USD", "EUR", "sar", "XXX", "ABC", " SAR", ""])
            }
            ("ID", "TaxCategory" | "ClassifiedTaxCategory") => {
                pick(r, &["S", "Z", "E", "O", "AE", "K", " S", "s", "Z ", ""])
            }
            ("ID", "TaxScheme") => pick(r, &["VAT", "vat", "GST", " VAT", ""]),
            ("ID", "PartyIdentification") => pick(
                r,
                &[
                    "1010101010",
                    "1234567890",
                    "3123456789",
                    "7001234567",
                    "1111111111",
                    "2123456789",
                    "12345678",
                    "ABC123",
                    "12-34",
                    "١٢٣٤٥٦٧٨٩٠",
                    "0000000000",
                    "9876543210",
                    "1023456789",
                    "4030000000",
                    "",
                    " 1010101010",
                ],
            ),
            ("ID", "AdditionalDocumentReference") => pick(r, &["ICV", "PIH", "QR", "XYZ", "icv", ""]),
            ("ID", "InvoiceLine") => pick(r, &["1", "1234567", "", "A", "01"]),
            ("UUID", _) => {
                pick(r, &["3cf5ee18-ee25-44ea-a444-2c37ba7f28be", "3cf5ee18_ee25", "3cf5 ee18", "", "abc"])
            }
            ("TaxExemptionReasonCode", _) => pick(
                r,
                &[
                    "VATEX-SA-29",
                    "VATEX-SA-29-7",
                    "VATEX-SA-30",
                    "VATEX-SA-32",
                    "VATEX-SA-33",
                    "VATEX-SA-34-1",
                    "VATEX-SA-35",
                    "VATEX-SA-36",
                    "VATEX-SA-EDU",
                    "VATEX-SA-HEA",
                    "VATEX-SA-MLTRY",
                    "VATEX-SA-OOS",
                    "VATEX-SA-29 ",
                    " VATEX-SA-35",
                    "VATEX-XX",
                    "",
                ],
            ),
            ("IdentificationCode", _) => pick(r, &["SA", "US", "sa", "XX", "SAU", "", "GB"]),
            ("CompanyID", _) => pick(
                r,
                &[
                    "300000000000003",
                    "310122393500003",
                    "311111111111113",
                    "3001",
                    "399999999900003",
                    "300000000000004",
                    "",
                    "30000000000000A",
                ],
            ),
            ("BuildingNumber", _) => pick(r, &["1234", "123", "12345", "abcd", "١٢٣٤", ""]),
            ("PostalZone", _) => pick(r, &["12345", "1234", "123456", "ABCDE", ""]),
            ("PaymentMeansCode", _) => pick(r, &["10", "30", "42", "48", "1", "97", "ZZZ", " 10", ""]),
            ("AllowanceChargeReasonCode", _) => pick(r, &["95", "FC", "PC", "ZZZ", "AA", "999", "", " 95"]),
            ("ChargeIndicator", _) => pick(r, &["true", "false", "1", "0", "TRUE"]),
            ("ProfileID", _) => pick(r, &["reporting:1.0", "reporting:2.0", "", " reporting:1.0"]),
            ("EmbeddedDocumentBinaryObject", _) => {
                pick(r, &["QUJD", "not base64!", "", "NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzlj"])
            }
            _ => text_variants(r, current),
        }
    }

    fn attribute_for(&mut self, name: &str, current: &str) -> String {
        let r = &mut self.rng;
        let pick = |r: &mut Rng, items: &[&str]| items[r.below(items.len())].to_string();
        match name {
            "currencyID" => pick(r, &["SAR", "USD", "sar", "XYZ", "", " SAR"]),
            "schemeID" => pick(
                r,
                &[
                    "CRN", "MOM", "MLS", "SAG", "OTH", "700", "TIN", "NAT", "GCC", "IQA", "PAS", "XYZ",
                    "crn", "",
                ],
            ),
            "name" => {
                // The transaction flags of InvoiceTypeCode (or another element's name).
                let mut code = String::from(if r.chance(50) { "01" } else { "02" });
                for _ in 0..5 {
                    code.push(if r.chance(25) { '1' } else { '0' });
                }
                match r.below(8) {
                    0 => format!("{code}0"),
                    1 => format!("{code}00"),
                    2 => code[..6].to_string(),
                    3 => format!("{code} "),
                    4 => "03".into(),
                    _ => code,
                }
            }
            "unitCode" => pick(r, &["PCE", "C62", "", "X".repeat(128).as_str()]),
            _ => match r.below(3) {
                0 => String::new(),
                1 => format!("{current} "),
                _ => "XYZ".into(),
            },
        }
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 24 {
        format!("{}…({} chars)", s.chars().take(12).collect::<String>(), s.chars().count())
    } else {
        s.to_string()
    }
}
