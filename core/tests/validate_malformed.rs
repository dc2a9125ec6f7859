//! Malformed input never panics: `validate` answers `Err` for what is not an XML `Invoice` and a
//! report for everything else, however broken. Crafted edge cases plus random byte-level damage
//! to every SDK sample (deterministic).

use qayd::validate::validate_at;
use std::path::{Path, PathBuf};

const NOW: i64 = 1_700_000_000;

fn samples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/sdk-R3.4.8/Data/Samples");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn simplified() -> String {
    let path = samples().into_iter().find(|p| p.ends_with("Simplified_Invoice.xml")).unwrap();
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn not_an_invoice_is_an_error() {
    for input in [
        &b""[..],
        b"not xml",
        b"<a/>",
        b"<Invoice/>",
        b"<Invoice xmlns=\"urn:x\"/>",
        b"\xff\xfe<\x00",
        b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>",
    ] {
        assert!(validate_at(input, NOW).is_err(), "{:?}", String::from_utf8_lossy(input));
    }
    let deep = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
    assert!(validate_at(deep.as_bytes(), NOW).is_err());
}

#[test]
fn an_empty_invoice_reports_instead_of_failing() {
    let report =
        validate_at(b"<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>", NOW)
            .unwrap();
    assert!(!report.valid);
    let ids = report.rule_ids();
    // Not BR-KSA-06: ZATCA's rule sits on cbc:InvoiceTypeCode, which is missing (BR-04 says so).
    for id in ["XSD-MIN", "BR-02", "BR-03", "BR-04", "BR-16", "BR-KSA-03", "BR-KSA-33"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}

#[test]
fn extreme_values_do_not_panic() {
    let base = simplified();
    let edits: &[(&str, &str)] = &[
        ("33.000000", "99999999999999999999999999999999999999"),
        ("33.000000", "1e400"),
        ("33.000000", "0.00000000000000000000000000000000000001"),
        ("33.000000", "-"),
        ("33.000000", "."),
        ("33.000000", "١٢"),
        (
            "<cbc:PriceAmount currencyID=\"SAR\">3.00",
            "<cbc:PriceAmount currencyID=\"SAR\">999999999999999999.99",
        ),
        ("<cbc:Percent>15.00</cbc:Percent>", "<cbc:Percent>999999999999999999</cbc:Percent>"),
        ("<cbc:Percent>15.00</cbc:Percent>", "<cbc:Percent>NaN</cbc:Percent>"),
        ("2022-08-17", "2022-13-45"),
        ("2022-08-17", "٢٠٢٢-٠٨-١٧"),
        ("2022-08-17", "2022-08-17+99:99"),
        ("2022-08-17", "2022-08-17é"),
        ("17:41:08", "25:61:61"),
        ("17:41:08", "17:41:0é"),
        ("17:41:08", "17:41:08.Z"),
        ("17:41:08", "17:41:08.123+03:00"),
        ("name=\"0200000\"", "name=\"02é\""),
        ("name=\"0200000\"", "name=\"\""),
        ("<cbc:BuildingNumber>2322", "<cbc:BuildingNumber>٢٣٢٢"),
        ("<cbc:UUID>10</cbc:UUID>", "<cbc:UUID>99999999999999999999999999999999999</cbc:UUID>"),
        ("<cbc:ChargeIndicator>false", "<cbc:ChargeIndicator>"),
    ];
    for (find, replace) in edits {
        assert!(base.contains(find), "{find}");
        let xml = base.replacen(find, replace, 1);
        let report = validate_at(xml.as_bytes(), NOW).unwrap();
        assert!(!report.findings.is_empty(), "{find} → {replace}");
    }
}

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn random_damage_never_panics() {
    let mut rng = Rng(42);
    let mut validated = 0;
    let junk: &[&[u8]] =
        &[b"<", b">", b"</cbc:ID>", b"<cbc:ID>", b"-", b".", b"9", b"\"", b"&amp;", b"\xd8\xa7", b"\xff"];
    for path in samples() {
        let original = std::fs::read(&path).unwrap();
        for _ in 0..150 {
            let mut bytes = original.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                match rng.below(4) {
                    0 => {
                        let end = (at + rng.below(200)).min(bytes.len());
                        bytes.drain(at..end);
                    }
                    1 => {
                        let piece = junk[rng.below(junk.len())];
                        bytes.splice(at..at, piece.iter().copied());
                    }
                    2 => {
                        let end = (at + rng.below(300)).min(bytes.len());
                        let copy = bytes[at..end].to_vec();
                        let to = rng.below(bytes.len());
                        bytes.splice(to..to, copy);
                    }
                    _ => bytes.truncate(at),
                }
            }
            if validate_at(&bytes, NOW).is_ok() {
                validated += 1;
            }
        }
    }
    assert!(validated > 100, "too few damaged documents were still XML ({validated})");
}
