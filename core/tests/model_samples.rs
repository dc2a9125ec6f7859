//! The SDK samples rebuilt from the model: writing + stamping gives the sample's values, element
//! for element (compared after parsing, numbers as numbers).

use qayd::model::*;
use qayd::{Signer, StampOptions, stamp, verify};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/sdk-R3.4.8/Data")
}

fn sdk_signer() -> Signer {
    let certs = vectors().join("Certificates");
    Signer::from_bytes(
        &std::fs::read(certs.join("cert.pem")).unwrap(),
        &std::fs::read(certs.join("ec-secp256k1-priv-key.pem")).unwrap(),
    )
    .unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn sample_seller() -> Party {
    Party::new(
        "شركة توريد التكنولوجيا بأقصى سرعة المحدودة | Maximum Speed Tech Supply LTD",
        Some("399999999900003"),
        Some(Address::saudi(
            "الامير سلطان | Prince Sultan",
            "2322",
            "المربع | Al-Murabba",
            "الرياض | Riyadh",
            "23333",
        )),
    )
    .with_id(IdScheme::Crn, "1010010000")
}

fn sample_buyer() -> Party {
    Party::new(
        "شركة نماذج فاتورة المحدودة | Fatoora Samples LTD",
        Some("399999999800003"),
        Some(Address::saudi(
            "صلاح الدين | Salah Al-Din",
            "1111",
            "المروج | Al-Murooj",
            "الرياض | Riyadh",
            "12222",
        )),
    )
}

fn discount_0() -> AllowanceCharge {
    AllowanceCharge::new(d("0.00"), "discount", Vat::standard(15))
}

/// Leaf elements and attributes by path (`Invoice/InvoiceLine[2]/Price/PriceAmount`), skipping
/// what the stamp owns (its values are random or derived).
fn leaves(xml: &[u8]) -> BTreeMap<String, String> {
    let text = std::str::from_utf8(xml).unwrap();
    let doc = roxmltree::Document::parse(text).unwrap();
    let mut out = BTreeMap::new();
    fn walk(node: roxmltree::Node, path: &str, out: &mut BTreeMap<String, String>) {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for child in node.children().filter(|c| c.is_element()) {
            let name = child.tag_name().name();
            if matches!(name, "UBLExtensions" | "Signature") {
                continue;
            }
            if name == "AdditionalDocumentReference"
                && child.children().any(|c| c.tag_name().name() == "ID" && c.text() == Some("QR"))
            {
                continue;
            }
            let n = counts.entry(name).or_default();
            *n += 1;
            let p = format!("{path}/{name}[{n}]");
            for a in child.attributes() {
                out.insert(format!("{p}/@{}", a.name()), a.value().to_owned());
            }
            if child.children().any(|c| c.is_element()) {
                walk(child, &p, out);
            } else {
                out.insert(p, child.text().unwrap_or("").trim().to_owned());
            }
        }
    }
    walk(doc.root_element(), "Invoice", &mut out);
    out
}

fn same_value(a: &str, b: &str) -> bool {
    match (Decimal::from_str(a), Decimal::from_str(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Compares our stamped document with the sample; `extra_ok` / `missing_ok` list path fragments
/// that may exist on only one side (documented per sample).
fn compare(sample: &str, invoice: &Invoice, missing_ok: &[&str], extra_ok: &[&str]) {
    let original = std::fs::read(vectors().join("Samples").join(sample)).unwrap();
    let original_text = String::from_utf8(original.clone()).unwrap();
    let signing_time = {
        let a = original_text.find("<xades:SigningTime>").unwrap() + "<xades:SigningTime>".len();
        let b = original_text[a..].find('<').unwrap() + a;
        original_text[a..b].to_owned()
    };
    let xml = to_xml(invoice).unwrap();
    let stamped = stamp(&xml, &sdk_signer(), &StampOptions { signing_time: Some(signing_time) }).unwrap();
    let report = verify(&stamped.xml).unwrap();
    assert!(report.valid, "{sample}: {:?}", report.failures().collect::<Vec<_>>());
    let ours = leaves(&stamped.xml);
    let theirs = leaves(&original);
    // Optional totals (BT-107, BT-108, BT-113) may be left out when zero, on either side.
    let optional_zero = |map: &BTreeMap<String, String>, path: &str| {
        let element = path.strip_suffix("/@currencyID").unwrap_or(path);
        ["AllowanceTotalAmount[1]", "ChargeTotalAmount[1]", "PrepaidAmount[1]"]
            .iter()
            .any(|t| element.ends_with(t))
            && map.get(element).is_some_and(|v| Decimal::from_str(v).is_ok_and(|v| v.is_zero()))
    };
    let mut problems = Vec::new();
    let rounding_sample = sample.contains("Payable Rounding");
    for (path, value) in &theirs {
        if rounding_sample && path.starts_with("Invoice/InvoiceLine[1]/TaxTotal[1]/") && !path.contains("/@")
        {
            continue;
        }
        match ours.get(path) {
            Some(v) if same_value(v, value) => {}
            Some(v) => problems.push(format!("{path}: sample {value:?}, ours {v:?}")),
            None if missing_ok.iter().any(|m| path.contains(m)) || optional_zero(&theirs, path) => {}
            None => problems.push(format!("{path}: sample {value:?}, ours missing")),
        }
    }
    for (path, value) in &ours {
        if !theirs.contains_key(path)
            && !extra_ok.iter().any(|m| path.contains(m))
            && !optional_zero(&ours, path)
        {
            problems.push(format!("{path}: ours {value:?}, not in sample"));
        }
    }
    assert!(problems.is_empty(), "{sample}:\n{}", problems.join("\n"));
}

#[test]
fn simplified_invoice_sample() {
    let mut inv = Invoice::new(
        InvoiceKind::Simplified,
        DocumentType::Invoice,
        "SME00010",
        uuid::Uuid::parse_str("8e6000cf-1a98-4174-b3e7-b5d5954bc10d").unwrap(),
        "2022-08-17",
        "17:41:08",
        10,
        sample_seller(),
    );
    inv.notes.push(Note::new("ABC", Some("ar")));
    inv.payment_means.push(PaymentMeans::new("10"));
    inv.allowances.push(discount_0());
    inv.lines.push(Line::new("كتاب", d("33.000000"), d("3.00"), Vat::standard(15)));
    inv.lines.push(Line::new("قلم", d("3.000000"), d("34.00"), Vat::standard(15)));
    // The sample repeats the allowance's TaxCategory; we write it once.
    compare(
        "Simplified/Invoice/Simplified_Invoice.xml",
        &inv,
        &["AllowanceCharge[1]/TaxCategory[2]", "TaxCategory[1]/ID[1]/@scheme", "TaxScheme[1]/ID[1]/@scheme"],
        &[],
    );
}

#[test]
fn standard_invoice_sample() {
    let mut inv = Invoice::new(
        InvoiceKind::Standard,
        DocumentType::Invoice,
        "SME00023",
        uuid::Uuid::parse_str("8d487816-70b8-4ade-a618-9d620b73814a").unwrap(),
        "2022-09-07",
        "12:21:28",
        23,
        sample_seller(),
    );
    inv.buyer = Some(sample_buyer());
    inv.supply_date = Some("2022-09-07".into());
    inv.payment_means.push(PaymentMeans::new("10"));
    inv.allowances.push(discount_0());
    inv.lines.push(Line::new("قلم رصاص", d("2.000000"), d("2.00"), Vat::standard(15)));
    compare(
        "Standard/Invoice/Standard_Invoice.xml",
        &inv,
        &["TaxCategory[1]/ID[1]/@scheme", "TaxScheme[1]/ID[1]/@scheme"],
        &[],
    );
}

#[test]
fn standard_credit_note_sample() {
    let inv = Invoice::new(
        InvoiceKind::Standard,
        DocumentType::CreditNote,
        "SME00015",
        uuid::Uuid::parse_str("322efd74-5b1b-41e0-843c-1d13bec4475e").unwrap(),
        "2022-09-05",
        "16:50:40",
        15,
        sample_seller(),
    );
    // The builder form.
    let inv = inv
        .with_buyer(sample_buyer())
        .with_supply_dates("2022-09-05", None)
        .with_payment_means(PaymentMeans::new("10"))
        .correcting("SME00002", "In case of goods or services refund | عند ترجيع السلع أو الخدمات")
        .with_allowance(discount_0())
        .with_line(Line::new(" Pencil | قلم", d("2.000000"), d("2.00"), Vat::standard(15)));
    compare(
        "Standard/Credit/Standard_Credit_Note.xml",
        &inv,
        &["TaxCategory[1]/ID[1]/@scheme", "TaxScheme[1]/ID[1]/@scheme"],
        &[],
    );
}

#[test]
fn payable_rounding_adjustment_sample() {
    let mut inv = Invoice::new(
        InvoiceKind::Standard,
        DocumentType::Invoice,
        "123456",
        uuid::Uuid::parse_str("8d487816-70b8-4ade-a618-9d620b73814a").unwrap(),
        "2022-09-07",
        "12:21:28",
        23,
        sample_seller(),
    );
    inv.buyer = Some(sample_buyer());
    inv.supply_date = Some("2022-09-05".into());
    inv.payment_means.push(PaymentMeans::new("10"));
    let mut line = Line::new("Laptop |حاسوب محمول", d("1.00"), d("869.57"), Vat::standard(15));
    line.unit_code = "PCS".into();
    inv.lines.push(line);
    inv.rounding_amount = Some(d("-0.01"));
    let totals = inv.totals().unwrap();
    assert_eq!(totals.vat_total, d("130.44"), "document VAT is per category, not Σ line VAT");
    assert_eq!(totals.tax_inclusive_amount, d("1000.01"));
    assert_eq!(totals.payable_amount, d("1000.00"));
    // Our policy: line VAT = round2(869.57 × 15 %) = 130.44 (line total 1000.01); the sample
    // derived its line from a VAT-inclusive 1000.00 (130.43). No rule fixes KSA-11's value, so
    // the two line amounts are left out of the comparison.
    assert_eq!(totals.lines[0].vat_amount, d("130.44"));
    compare("Standard/Invoice/Standard Invoice with Payable Rounding Adjustment.xml", &inv, &[], &[]);
}

#[test]
fn document_level_charge_sample() {
    let mut inv = Invoice::new(
        InvoiceKind::Standard,
        DocumentType::Invoice,
        "123456",
        uuid::Uuid::parse_str("8d487816-70b8-4ade-a618-9d620b73814a").unwrap(),
        "2022-09-07",
        "12:21:28",
        23,
        sample_seller(),
    );
    inv.buyer = Some(sample_buyer());
    inv.supply_date = Some("2022-09-05".into());
    inv.payment_means.push(PaymentMeans::new("10"));
    let mut charge = AllowanceCharge::new(d("60.00"), "Legalisation fee", Vat::standard(15));
    charge.reason_code = Some("LF".into());
    inv.charges.push(charge);
    inv.lines.push(Line::new("Legal services |خدمات قانونية", d("1.00"), d("2000.00"), Vat::standard(15)));
    compare("Standard/Invoice/Standard Invoice with Document Level Charge.xml", &inv, &[], &[]);
}

#[test]
fn exempt_invoice_sample() {
    let path = vectors().join("Samples/Standard/Invoice/Exempt Tax Invoice.xml");
    let text = std::fs::read_to_string(path).unwrap();
    let mut inv = Invoice::new(
        InvoiceKind::Standard,
        DocumentType::Invoice,
        "123456",
        uuid::Uuid::parse_str("8d487816-70b8-4ade-a618-9d620b73814a").unwrap(),
        "2022-09-07",
        "12:21:28",
        23,
        Party {
            registration_name: Some("شركة ABC للتأمين | ABC Insurance company".into()),
            ..sample_seller()
        },
    );
    inv.buyer = Some(sample_buyer());
    inv.supply_date = Some("2022-09-01".into());
    inv.supply_end_date = Some("2023-08-31".into());
    inv.payment_means.push(PaymentMeans::new("10"));
    let name = |n: usize| {
        let mut at = 0;
        for _ in 0..n {
            at += text[at..].find("<cbc:Name>").unwrap() + 1;
        }
        let a = at - 1 + "<cbc:Name>".len();
        text[a..a + text[a..].find('<').unwrap()].to_owned()
    };
    inv.lines.push(Line::new(&name(1), d("1.00"), d("2000.00"), Vat::standard(15)));
    inv.lines.push(Line::new(
        &name(2),
        d("1.00"),
        d("1000.00"),
        Vat::exempt(VatCategory::Exempt, "VATEX-SA-29-7"),
    ));
    compare("Standard/Invoice/Exempt Tax Invoice.xml", &inv, &[], &[]);
}

#[test]
fn advance_payment_sample() {
    let mut inv = Invoice::new(
        InvoiceKind::Standard,
        DocumentType::Invoice,
        "123456",
        uuid::Uuid::parse_str("a79760f7-2f48-4da9-85a5-40459a147c80").unwrap(),
        "2022-09-07",
        "15:23:55",
        2,
        sample_seller(),
    );
    inv.buyer = Some(sample_buyer());
    inv.supply_date = Some("2022-09-05".into());
    inv.payment_means.push(PaymentMeans::new("10"));
    let mut allowance = AllowanceCharge::new(d("100.00"), "discount", Vat::standard(15));
    allowance.reason = None;
    allowance.reason_code = Some("95".into());
    inv.allowances.push(allowance);
    inv.lines.push(Line::new("Laptop | حاسوب محمول", d("1.00"), d("2000.00"), Vat::standard(15)));
    inv.prepayments.push(Prepayment {
        id: "46531".into(),
        uuid: uuid::Uuid::parse_str("a79760f7-2f48-4da9-85a5-40459a147c80").unwrap(),
        issue_date: "2022-08-15".into(),
        issue_time: "12:28:17".into(),
        name: "Advance received for Laptop | دفعة مقدمة لحاسوب محمول".into(),
        vat: Vat::standard(15),
        taxable_amount: d("1000"),
        vat_amount: None,
    });
    let totals = inv.totals().unwrap();
    assert_eq!((totals.prepaid_amount, totals.payable_amount), (d("1150"), d("1035")));
    // The sample's allowance has no reason code (we need a reason or a code: BR-33).
    compare("Standard/Invoice/Advance Payment adjustments.xml", &inv, &[], &["AllowanceChargeReasonCode"]);
}

#[test]
fn foreign_currency_export_sample() {
    let path = vectors().join("Samples/Standard/Invoice/Export invoice.xml");
    let text = std::fs::read_to_string(path).unwrap();
    let grab = |open: &str, from: usize| {
        let a = text[from..].find(open).unwrap() + from + open.len();
        text[a..a + text[a..].find('<').unwrap()].to_owned()
    };
    let customer = text.find("<cac:AccountingCustomerParty>").unwrap();
    let mut inv = Invoice::new(
        InvoiceKind::Standard,
        DocumentType::Invoice,
        "123456",
        uuid::Uuid::parse_str("8d487816-70b8-4ade-a618-9d620b73814a").unwrap(),
        "2022-09-07",
        "12:21:28",
        23,
        sample_seller(),
    );
    inv.flags.export = true;
    inv.currency = "USD".into();
    inv.exchange_rate = Some(d("3.75"));
    inv.buyer = Some(Party {
        registration_name: Some(grab("<cbc:RegistrationName>", customer)),
        vat_number: None,
        ids: vec![PartyId { scheme: IdScheme::Oth, value: "USxxxxxxxx1".into() }],
        address: Some(Address {
            street: Some(grab("<cbc:StreetName>", customer)),
            additional_street: None,
            building_number: None,
            additional_number: None,
            district: None,
            city: Some(grab("<cbc:CityName>", customer)),
            postal_code: Some("12222".into()),
            province: None,
            country: "US".into(),
        }),
    });
    inv.supply_date = Some("2022-09-05".into());
    inv.payment_means.push(PaymentMeans::new("30"));
    let line_name = grab("<cbc:Name>", text.find("<cac:InvoiceLine>").unwrap());
    inv.lines.push(Line::new(
        &line_name,
        d("1.00"),
        d("15000.00"),
        Vat::exempt(VatCategory::ZeroRated, "VATEX-SA-32"),
    ));
    // We add the exchange rate (KSA-36…39) the sample leaves out.
    compare("Standard/Invoice/Export invoice.xml", &inv, &[], &["TaxExchangeRate"]);
}

/// Reads a sample's inputs (parties, dates, lines, prices, categories, allowances, prepayments)
/// into the model; every amount it then writes is computed by us.
fn model_from_sample(xml: &str) -> Invoice {
    use roxmltree::Node;
    let doc = roxmltree::Document::parse(xml).unwrap();
    let root = doc.root_element();
    fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
        n.children().find(|c| c.is_element() && c.tag_name().name() == name)
    }
    fn all<'a, 'i>(n: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> {
        n.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
    }
    fn text(n: Node, path: &[&str]) -> Option<String> {
        let mut node = n;
        for step in path {
            node = child(node, step)?;
        }
        Some(node.text().unwrap_or("").to_owned())
    }
    fn num(n: Node, path: &[&str]) -> Option<Decimal> {
        text(n, path).map(|t| d(t.trim()))
    }
    fn party(p: Node) -> Party {
        let address = child(p, "PostalAddress").map(|a| Address {
            street: text(a, &["StreetName"]),
            additional_street: text(a, &["AdditionalStreetName"]),
            building_number: text(a, &["BuildingNumber"]),
            additional_number: text(a, &["PlotIdentification"]),
            district: text(a, &["CitySubdivisionName"]),
            city: text(a, &["CityName"]),
            postal_code: text(a, &["PostalZone"]),
            province: text(a, &["CountrySubentity"]),
            country: text(a, &["Country", "IdentificationCode"]).unwrap(),
        });
        Party {
            registration_name: text(p, &["PartyLegalEntity", "RegistrationName"]),
            vat_number: text(p, &["PartyTaxScheme", "CompanyID"]),
            ids: all(p, "PartyIdentification")
                .map(|i| {
                    let id = child(i, "ID").unwrap();
                    let scheme = format!("\"{}\"", id.attribute("schemeID").unwrap());
                    PartyId {
                        scheme: serde_json::from_str(&scheme).unwrap(),
                        value: id.text().unwrap().to_owned(),
                    }
                })
                .collect(),
            address,
        }
    }
    // Exemption reasons live in the breakdown; lines and allowances only carry the category.
    let mut reasons: BTreeMap<String, (String, String)> = BTreeMap::new();
    for total in all(root, "TaxTotal") {
        for sub in all(total, "TaxSubtotal") {
            let category = child(sub, "TaxCategory").unwrap();
            if let Some(code) = text(category, &["TaxExemptionReasonCode"]) {
                let reason = text(category, &["TaxExemptionReason"]).unwrap();
                reasons.insert(text(category, &["ID"]).unwrap(), (code, reason));
            }
        }
    }
    let vat = |category: Node| {
        let code = text(category, &["ID"]).unwrap();
        let category_enum: VatCategory = serde_json::from_str(&format!("\"{code}\"")).unwrap();
        let (reason_code, reason) = reasons.get(&code).cloned().unzip();
        Vat {
            category: category_enum,
            rate: num(category, &["Percent"]).unwrap(),
            exemption_reason_code: reason_code,
            exemption_reason: reason,
        }
    };
    let type_code = child(root, "InvoiceTypeCode").unwrap();
    let name = type_code.attribute("name").unwrap().as_bytes();
    let bit = |i: usize| name[i] == b'1';
    let mut inv = Invoice::new(
        if name.starts_with(b"01") { InvoiceKind::Standard } else { InvoiceKind::Simplified },
        serde_json::from_str(&format!("\"{}\"", type_code.text().unwrap())).unwrap(),
        &text(root, &["ID"]).unwrap(),
        uuid::Uuid::parse_str(&text(root, &["UUID"]).unwrap()).unwrap(),
        &text(root, &["IssueDate"]).unwrap(),
        &text(root, &["IssueTime"]).unwrap(),
        0,
        party(child(child(root, "AccountingSupplierParty").unwrap(), "Party").unwrap()),
    );
    inv.flags = TransactionFlags {
        third_party: bit(2),
        nominal: bit(3),
        export: bit(4),
        summary: bit(5),
        self_billed: bit(6),
    };
    for reference in all(root, "AdditionalDocumentReference") {
        match text(reference, &["ID"]).as_deref() {
            Some("ICV") => inv.icv = text(reference, &["UUID"]).unwrap().parse().unwrap(),
            Some("PIH") => {
                inv.pih = text(reference, &["Attachment", "EmbeddedDocumentBinaryObject"]).unwrap()
            }
            _ => {}
        }
    }
    inv.notes = all(root, "Note").map(|n| Note::new(n.text().unwrap(), n.attribute("languageID"))).collect();
    inv.currency = text(root, &["DocumentCurrencyCode"]).unwrap();
    inv.billing_reference = text(root, &["BillingReference", "InvoiceDocumentReference", "ID"]);
    inv.buyer = child(child(root, "AccountingCustomerParty").unwrap(), "Party").map(party);
    inv.supply_date = text(root, &["Delivery", "ActualDeliveryDate"]);
    inv.supply_end_date = text(root, &["Delivery", "LatestDeliveryDate"]);
    for pm in all(root, "PaymentMeans") {
        inv.payment_means.push(PaymentMeans {
            code: text(pm, &["PaymentMeansCode"]).unwrap(),
            instruction_note: text(pm, &["InstructionNote"]),
            account_id: None,
        });
    }
    for ac in all(root, "AllowanceCharge") {
        let mut entry = AllowanceCharge {
            amount: num(ac, &["Amount"]).unwrap(),
            reason: text(ac, &["AllowanceChargeReason"]),
            reason_code: text(ac, &["AllowanceChargeReasonCode"]),
            base_amount: None,
            percent: None,
            vat: vat(child(ac, "TaxCategory").unwrap()),
        };
        if entry.reason.is_none() && entry.reason_code.is_none() {
            entry.reason_code = Some("95".into()); // we require one (BR-33); the sample has none
        }
        if text(ac, &["ChargeIndicator"]).as_deref() == Some("true") {
            inv.charges.push(entry);
        } else {
            inv.allowances.push(entry);
        }
    }
    for line in all(root, "InvoiceLine") {
        let item = child(line, "Item").unwrap();
        let name = text(item, &["Name"]).unwrap();
        if let Some(reference) = child(line, "DocumentReference") {
            let sub = child(child(line, "TaxTotal").unwrap(), "TaxSubtotal").unwrap();
            inv.prepayments.push(Prepayment {
                id: text(reference, &["ID"]).unwrap(),
                uuid: uuid::Uuid::parse_str(&text(reference, &["UUID"]).unwrap()).unwrap(),
                issue_date: text(reference, &["IssueDate"]).unwrap(),
                issue_time: text(reference, &["IssueTime"]).unwrap(),
                name,
                vat: vat(child(sub, "TaxCategory").unwrap()),
                taxable_amount: num(sub, &["TaxableAmount"]).unwrap(),
                vat_amount: None,
            });
            continue;
        }
        let quantity = child(line, "InvoicedQuantity").unwrap();
        let price = child(line, "Price").unwrap();
        let mut l = Line::new(
            &name,
            d(quantity.text().unwrap().trim()),
            num(price, &["PriceAmount"]).unwrap(),
            vat(child(item, "ClassifiedTaxCategory").unwrap()),
        )
        .with_id(&text(line, &["ID"]).unwrap())
        .with_unit(quantity.attribute("unitCode").unwrap());
        l.base_quantity = num(price, &["BaseQuantity"]);
        inv.lines.push(l);
    }
    let totals = child(root, "LegalMonetaryTotal").unwrap();
    inv.rounding_amount = num(totals, &["PayableRoundingAmount"]);
    if inv.currency != "SAR" {
        let amounts: Vec<(String, Decimal)> = all(root, "TaxTotal")
            .map(|t| {
                let amount = child(t, "TaxAmount").unwrap();
                (amount.attribute("currencyID").unwrap().to_owned(), d(amount.text().unwrap().trim()))
            })
            .collect();
        let sar = amounts.iter().find(|(c, _)| c == "SAR").unwrap().1;
        let other = amounts.iter().find(|(c, _)| c != "SAR").unwrap().1;
        inv.exchange_rate = Some(if other.is_zero() { d("3.75") } else { sar / other });
    }
    inv
}

#[test]
fn every_sample_is_rebuilt_from_its_own_inputs() {
    let mut files = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "xml") {
                out.push(path);
            }
        }
    }
    let samples = vectors().join("Samples");
    walk(&samples, &mut files);
    files.sort();
    assert_eq!(files.len(), 19);
    for path in files {
        let relative = path.strip_prefix(&samples).unwrap().to_str().unwrap().to_owned();
        let inv = model_from_sample(&std::fs::read_to_string(&path).unwrap());
        // The repeated TaxCategory of one sample's allowance; the reason code we require where a
        // sample has none; the exchange rate (KSA-36…39) we add to foreign-currency documents;
        // decorative scheme attributes.
        compare(
            &relative,
            &inv,
            &["TaxCategory[2]", "TaxCategory[1]/ID[1]/@scheme", "TaxScheme[1]/ID[1]/@scheme"],
            &["AllowanceChargeReasonCode", "TaxExchangeRate"],
        );
    }
}
