//! `Invoice::stamp` hashes the writer's output without parsing it. It must give exactly the bytes
//! of the general path (`qayd::stamp` over `to_xml`), for every fixture and for random baskets;
//! and the writer's output must really be canonical, which is what makes the shortcut valid.
//! The rule book judges the tree the writer records while writing, not a parse of its output:
//! that tree must be the parser's, node for node.

use qayd::__internal::xml::c14n::{Mode, canonicalize};
use qayd::model::Invoice;
use qayd::{Signer, StampOptions};
use std::path::{Path, PathBuf};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn signer() -> Signer {
    Signer::from_bytes(
        &std::fs::read(repo("tests/vectors/sdk-R3.4.8/Data/Certificates/cert.pem")).unwrap(),
        &std::fs::read(repo("tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem")).unwrap(),
    )
    .unwrap()
}

fn fixtures() -> Vec<Invoice> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(repo("core/tests/fixtures/models")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            out.push(Invoice::from_json(&std::fs::read_to_string(path).unwrap()).unwrap());
        }
    }
    assert!(out.len() >= 3);
    out
}

/// The tree recorded while writing is the tree the parser builds from the output.
fn assert_recorded_tree_is_parsed_tree(invoice: &Invoice) {
    if let Ok(verdict) = qayd::__internal::model::recorded_tree_matches_parse(invoice) {
        assert_eq!(verdict, Ok(()), "invoice {}", invoice.id);
    }
}

fn assert_same_as_general_path(invoice: &Invoice, signer: &Signer) {
    assert_recorded_tree_is_parsed_tree(invoice);
    let options = StampOptions { signing_time: Some("2025-03-14T19:42:06".into()) };
    let xml = invoice.to_xml().unwrap();
    let general = qayd::stamp(&xml, signer, &options).unwrap();
    let fast = invoice.stamp(signer, &options).unwrap();
    assert_eq!(String::from_utf8_lossy(&fast.xml), String::from_utf8_lossy(&general.xml));
    assert_eq!(fast.invoice_hash, general.invoice_hash);
    assert_eq!(fast.qr, general.qr);
    assert_eq!(fast.uuid, general.uuid);

    // The writer's contract: from the root start tag to its end tag, the bytes are canonical.
    let document = qayd::__internal::xml::parse(&xml).unwrap();
    let mut canonical = Vec::new();
    canonicalize(document.root(), Mode::Inclusive, &|_| false, &mut canonical);
    let text = String::from_utf8(xml).unwrap();
    let body = &text[text.find("<Invoice ").unwrap()..text.rfind("</Invoice>").unwrap() + 10];
    assert_eq!(body.as_bytes(), canonical.as_slice());
}

#[test]
fn fixtures_take_the_same_bytes_either_way() {
    let signer = signer();
    for invoice in fixtures() {
        assert_same_as_general_path(&invoice, &signer);
    }
}

/// A large document is hashed beside the rule book and checked against the schemas beside the
/// rules (two threads each): the same bytes and hash as one thread and the general path.
#[test]
fn a_large_basket_takes_the_same_bytes_either_way() {
    let signer = signer();
    let mut invoice = fixtures().into_iter().next().unwrap();
    invoice.totals = None;
    let pool = invoice.lines.clone();
    invoice.lines = (0..300).map(|i| pool[i % pool.len()].clone()).collect();
    for (i, line) in invoice.lines.iter_mut().enumerate() {
        line.net_amount = None;
        line.vat_amount = None;
        line.amount_with_vat = None;
        line.name = format!("item {i}");
    }
    assert!(invoice.to_xml().unwrap().len() > 128 * 1024, "large enough for the second threads");
    assert_same_as_general_path(&invoice, &signer);
}

#[test]
fn random_baskets_take_the_same_bytes_either_way() {
    let signer = signer();
    let templates = fixtures();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut stamped = 0;
    let names = ["a & b < c > d", "  spaced  ", "شركة \"الأمل\" 'ltd'", "tab\there", "two\r\nlines ]]>"];
    let units = ["PCE", "H87", "a\"b<c&d\te\nf\rg"];
    for round in 0..60 {
        let mut invoice = templates[round % templates.len()].clone();
        invoice.totals = None;
        let pool = invoice.lines.clone();
        invoice.lines = (0..1 + next() % 12).map(|i| pool[i as usize % pool.len()].clone()).collect();
        for (i, line) in invoice.lines.iter_mut().enumerate() {
            line.net_amount = None;
            line.vat_amount = None;
            line.amount_with_vat = None;
            line.quantity = rust_decimal::Decimal::new((next() % 100_000) as i64 + 1, (next() % 4) as u32);
            line.price = rust_decimal::Decimal::new((next() % 1_000_000) as i64, (next() % 3 + 1) as u32);
            line.name = format!("{} {i}", names[(next() % names.len() as u64) as usize]);
            line.unit_code = units[(next() % units.len() as u64) as usize].to_owned();
        }
        invoice.seller.registration_name = Some(names[round % names.len()].to_owned());
        invoice.uuid = uuid::Uuid::new_v4();
        assert_recorded_tree_is_parsed_tree(&invoice);
        match invoice.to_xml() {
            Ok(_) => {
                assert_same_as_general_path(&invoice, &signer);
                stamped += 1;
            }
            Err(e) => assert_eq!(invoice.stamp(&signer, &StampOptions::default()).unwrap_err(), e),
        }
    }
    assert!(stamped >= 40, "only {stamped} of 60 random baskets were valid documents");
}

#[test]
fn every_written_value_is_escaped_even_ones_the_rules_refuse() {
    let mut invoice = fixtures().remove(0);
    invoice.currency = "S&R<\"".into();
    invoice.exchange_rate = Some(rust_decimal::Decimal::new(375, 2));
    invoice.totals = None;
    let xml = qayd::__internal::model::to_xml_unjudged(&invoice).unwrap();
    let document = qayd::__internal::xml::parse(&xml).unwrap();
    assert!(document.descendants().any(|n| n.attribute("currencyID") == Some("S&R<\"")));
    assert_recorded_tree_is_parsed_tree(&invoice);
    assert!(invoice.to_xml().is_err(), "no ISO 4217 code: the rules refuse it");
}
