//! Every rule the model's inputs can break gives its rule id: an error refuses the document, a
//! warning is reported by `validate` on the written document; bad JSON is `INVALID_INPUT` with a
//! path; nothing panics, whatever the input.

use qayd::Error;
use qayd::model::*;
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/models/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn base() -> Invoice {
    let mut inv = Invoice::new(
        InvoiceKind::Standard,
        DocumentType::Invoice,
        "INV-1",
        uuid::Uuid::from_u128(1),
        "2025-01-15",
        "09:30:00",
        1,
        Party::new(
            "البائع | Seller",
            Some("300000000000003"),
            Some(Address::saudi("Street", "1234", "District", "Riyadh", "12345")),
        )
        .with_id(IdScheme::Crn, "1010101010"),
    );
    inv.buyer = Some(Party::new(
        "المشتري | Buyer",
        Some("311111111111113"),
        Some(Address::saudi("Street", "4321", "District", "Jeddah", "23525")),
    ));
    inv.supply_date = Some("2025-01-14".into());
    inv.payment_means.push(PaymentMeans::new("10"));
    inv.lines.push(Line::new("item", d("2"), d("10.00"), Vat::standard(15)));
    inv
}

fn note() -> Invoice {
    let mut inv = base();
    inv.document_type = DocumentType::CreditNote;
    inv.billing_reference = Some("INV-0".into());
    inv.payment_means[0].instruction_note = Some("returned".into());
    inv
}

/// The model refuses what ZATCA's rules reject, and only that (`validate_parity.rs` checks it
/// against ZATCA's own Schematron on random edits); each case below is one such verdict.
///
/// Refused with `rule`: an error of ZATCA's rules (or of the model's own input checks).
#[track_caller]
fn rejects(rule: &str, mutate: impl FnOnce(&mut Invoice)) {
    let mut inv = base();
    mutate(&mut inv);
    rejects_invoice(rule, &inv);
}

#[track_caller]
fn rejects_invoice(rule: &str, inv: &Invoice) {
    match to_xml(inv) {
        Ok(_) => panic!("{rule}: accepted"),
        Err(e) => {
            assert_eq!(e.code(), "INVALID_MODEL", "{rule}: {e}");
            assert_eq!(e.rule(), Some(rule), "{e}");
            assert!(e.to_string().contains(rule) && e.to_string().len() > rule.len() + 10, "{e}");
        }
    }
}

/// Not refused (ZATCA only warns), and the written document carries the warning `rule`.
#[track_caller]
fn warns(rule: &str, mutate: impl FnOnce(&mut Invoice)) {
    let mut inv = base();
    mutate(&mut inv);
    warns_invoice(rule, &inv);
}

#[track_caller]
fn warns_invoice(rule: &str, inv: &Invoice) {
    let report = accepted(inv);
    let found: Vec<&str> = report.warnings().map(|f| f.rule.as_str()).collect();
    assert!(found.contains(&rule), "{rule}: not reported, found {found:?}");
}

/// Not refused, and none of `rules` reported: ZATCA's rules do not test what was changed (the
/// reason is with each case).
#[track_caller]
fn accepts(rules: &[&str], mutate: impl FnOnce(&mut Invoice)) {
    let mut inv = base();
    mutate(&mut inv);
    accepts_invoice(rules, &inv);
}

#[track_caller]
fn accepts_invoice(rules: &[&str], inv: &Invoice) {
    let report = accepted(inv);
    for rule in rules {
        assert!(!report.rule_ids().contains(rule), "{rule} reported: {:?}", report.rule_ids());
    }
}

/// Refused by the model's own input checks, which no rule names (see `qayd::model::validate`).
#[track_caller]
fn refused_unnamed(because: &str, mutate: impl FnOnce(&mut Invoice)) {
    let mut inv = base();
    mutate(&mut inv);
    let e = to_xml(&inv).unwrap_err();
    assert_eq!((e.code(), e.rule()), ("INVALID_MODEL", None), "{e}");
    assert!(e.to_string().contains(because), "{e}");
}

#[track_caller]
fn accepted(inv: &Invoice) -> qayd::ValidationReport {
    let xml = to_xml(inv).unwrap_or_else(|e| panic!("refused: {e}"));
    let report = qayd::validate::validate_at(&xml, issued_at(inv)).unwrap();
    assert!(report.valid, "errors in an accepted document: {:?}", report.rule_ids());
    report
}

/// Some hours after the invoice's issue date (Riyadh), so no time rule fires.
fn issued_at(inv: &Invoice) -> i64 {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(&inv.issue_date, &format).unwrap_or(time::macros::date!(2025 - 01 - 15));
    (date.to_julian_day() as i64 - 2_440_588) * 86_400 + 12 * 3600
}

#[test]
fn the_base_documents_are_valid() {
    to_xml(&base()).unwrap();
    to_xml(&note()).unwrap();
}

#[test]
fn seller_rules() {
    rejects("BR-KSA-39", |i| i.seller.vat_number = None);
    for bad in ["30000000000003", "300000000000004", "400000000000003", "3000000000000O3", "3000000000000033"]
    {
        rejects("BR-KSA-40", |i| i.seller.vat_number = Some(bad.into()));
    }
    warns("BR-06", |i| i.seller.registration_name = None);
    warns("BR-08", |i| i.seller.address = None);
    warns("BR-KSA-09", |i| i.seller.address.as_mut().unwrap().district = None);
    // ZATCA's BR-KSA-09 tests presence, a blank street is present.
    accepts(&["BR-KSA-09"], |i| i.seller.address.as_mut().unwrap().street = Some("  ".into()));
    warns("BR-KSA-37", |i| i.seller.address.as_mut().unwrap().building_number = Some("123".into()));
    warns("BR-KSA-37", |i| i.seller.address.as_mut().unwrap().building_number = Some("12a4".into()));
    warns("BR-KSA-66", |i| i.seller.address.as_mut().unwrap().postal_code = Some("1234".into()));
    warns("BR-KSA-66", |i| i.seller.address.as_mut().unwrap().postal_code = Some("١٢٣٤٥".into()));
    warns("BR-CL-14", |i| i.seller.address.as_mut().unwrap().country = "Saudi".into());
    warns("BR-KSA-08", |i| i.seller.ids = vec![PartyId { scheme: IdScheme::Nat, value: "1".into() }]);
    warns("BR-KSA-08", |i| i.seller.ids.clear());
    // a second seller ID of an allowed scheme passes.
    accepts(&["BR-KSA-08"], |i| i.seller = i.seller.clone().with_id(IdScheme::Mom, "22"));
    warns("BR-KSA-F-08", |i| i.seller.ids = vec![PartyId { scheme: IdScheme::Crn, value: "10-10".into() }]);
}

#[test]
fn buyer_rules() {
    warns("BR-KSA-10", |i| i.buyer = None);
    warns("BR-KSA-42", |i| i.buyer.as_mut().unwrap().registration_name = None);
    warns("BR-KSA-10", |i| i.buyer.as_mut().unwrap().address = None);
    warns("BR-KSA-63", |i| i.buyer.as_mut().unwrap().address.as_mut().unwrap().building_number = None);
    warns("BR-KSA-63", |i| i.buyer.as_mut().unwrap().address.as_mut().unwrap().district = None);
    warns("BR-KSA-67", |i| {
        i.buyer.as_mut().unwrap().address.as_mut().unwrap().postal_code = Some("123".into())
    });
    rejects("BR-KSA-44", |i| i.buyer.as_mut().unwrap().vat_number = Some("12345".into()));
    warns("BR-KSA-81", |i| i.buyer.as_mut().unwrap().vat_number = None);
    warns("BR-KSA-F-10", |i| {
        i.buyer.as_mut().unwrap().ids = vec![PartyId { scheme: IdScheme::Nat, value: "1 2".into() }]
    });
    warns("BR-KSA-10", |i| {
        let address = i.buyer.as_mut().unwrap().address.as_mut().unwrap();
        address.country = "US".into();
        address.city = None;
    });
    // A simplified document needs no buyer at all, but a simplified summary needs the name.
    let mut simplified = base();
    simplified.kind = InvoiceKind::Simplified;
    simplified.buyer = None;
    to_xml(&simplified).unwrap();
    simplified.flags.summary = true;
    simplified.supply_end_date = Some("2025-01-15".into());
    warns_invoice("BR-KSA-71", &simplified);
    simplified.buyer = Some(Party { registration_name: Some("Walk-in".into()), ..Party::default() });
    to_xml(&simplified).unwrap();
    simplified.supply_end_date = None;
    // ZATCA's context needs a Saudi buyer address.
    accepts_invoice(&["BR-KSA-72"], &simplified);
}

#[test]
fn notes_need_a_reference_and_a_reason() {
    for document_type in [DocumentType::CreditNote, DocumentType::DebitNote] {
        let mut inv = note();
        inv.document_type = document_type;
        inv.billing_reference = None;
        warns_invoice("BR-KSA-56", &inv);
        let mut inv = note();
        inv.document_type = document_type;
        inv.payment_means[0].instruction_note = None;
        rejects_invoice("BR-KSA-17", &inv);
        let mut inv = note();
        inv.payment_means.clear();
        rejects_invoice("BR-KSA-17", &inv);
    }
    let mut inv = note();
    inv.billing_reference = Some("".into());
    rejects_invoice("BR-55", &inv);
}

#[test]
fn transaction_flag_rules() {
    let mut inv = base();
    inv.kind = InvoiceKind::Simplified;
    inv.flags.export = true;
    // ZATCA's BR-KSA-31 tests the self-billed position only: a simplified export is allowed.
    let xml = to_xml(&inv).expect("a simplified export invoice is allowed");
    assert!(String::from_utf8(xml).unwrap().contains("name=\"0200100\""));
    inv.flags.export = false;
    inv.flags.self_billed = true;
    rejects_invoice("BR-KSA-31", &inv);
    rejects("BR-KSA-07", |i| {
        i.flags.export = true;
        i.flags.self_billed = true;
    });
    assert_eq!(base().transaction_code(), "0100000");
    let mut inv = base();
    inv.flags = TransactionFlags {
        third_party: true,
        nominal: true,
        export: true,
        summary: true,
        self_billed: false,
    };
    assert_eq!(inv.transaction_code(), "0111110");
    inv.kind = InvoiceKind::Simplified;
    inv.flags = TransactionFlags { summary: true, ..Default::default() };
    assert_eq!(inv.transaction_code(), "0200010");
}

#[test]
fn vat_category_rules() {
    warns("BR-KSA-69", |i| {
        i.lines[0].vat = Vat { exemption_reason_code: None, ..Vat::exempt(VatCategory::ZeroRated, "") }
    });
    warns("BR-KSA-23", |i| {
        i.lines[0].vat = Vat { exemption_reason_code: None, ..Vat::exempt(VatCategory::Exempt, "") }
    });
    warns("BR-KSA-24", |i| {
        i.lines[0].vat = Vat { exemption_reason_code: None, ..Vat::exempt(VatCategory::OutOfScope, "") }
    });
    warns("BR-KSA-CL-04", |i| i.lines[0].vat = Vat::exempt(VatCategory::Exempt, "VATEX-SA-35"));
    warns("BR-KSA-CL-04", |i| i.lines[0].vat = Vat::exempt(VatCategory::ZeroRated, "VATEX-SA-99"));
    rejects("BR-KSA-84", |i| i.lines[0].vat = Vat::standard(10));
    rejects("BR-KSA-84", |i| i.lines[0].vat = Vat::standard(0));
    // ZATCA's BR-S-10 reads the document-level breakdown only.
    accepts(&["BR-S-10"], |i| i.lines[0].vat.exemption_reason_code = Some("VATEX-SA-35".into()));
    rejects("BR-Z-05", |i| {
        i.lines[0].vat = Vat { rate: d("5"), ..Vat::exempt(VatCategory::ZeroRated, "VATEX-SA-35") }
    });
    rejects("BR-E-05", |i| {
        i.lines[0].vat = Vat { rate: d("5"), ..Vat::exempt(VatCategory::Exempt, "VATEX-SA-29") }
    });
    rejects("BR-KSA-11", |i| {
        i.lines[0].vat = Vat { rate: d("5"), ..Vat::exempt(VatCategory::OutOfScope, "VATEX-SA-OOS") }
    });
    refused_unnamed("more than two decimals", |i| i.lines[0].vat.rate = d("15.001"));
    rejects("BR-KSA-DEC-02", |i| i.lines[0].vat.rate = d("150"));
    warns("BR-KSA-83", |i| {
        i.lines[0].vat =
            Vat { exemption_reason: Some(" ".into()), ..Vat::exempt(VatCategory::Exempt, "VATEX-SA-29") }
    });
    rejects("BR-KSA-84", |i| i.allowances.push(AllowanceCharge::new(d("1"), "x", Vat::standard(7))));
    rejects("BR-Z-06", |i| {
        i.allowances.push(AllowanceCharge::new(
            d("1"),
            "x",
            Vat { rate: d("1"), ..Vat::exempt(VatCategory::ZeroRated, "VATEX-SA-35") },
        ))
    });
    // Education and healthcare for citizens.
    let edu = |i: &mut Invoice| i.lines[0].vat = Vat::exempt(VatCategory::ZeroRated, "VATEX-SA-EDU");
    rejects("BR-KSA-49", edu);
    let mut inv = base();
    edu(&mut inv);
    inv.buyer.as_mut().unwrap().ids.push(PartyId { scheme: IdScheme::Nat, value: "1000000008".into() });
    to_xml(&inv).unwrap();
    inv.kind = InvoiceKind::Simplified;
    inv.buyer = None;
    rejects_invoice("BR-KSA-49", &inv);
}

#[test]
fn prepayment_rules() {
    let prepayment = || Prepayment {
        id: "P-1".into(),
        uuid: uuid::Uuid::from_u128(9),
        issue_date: "2025-01-01".into(),
        issue_time: "10:00:00".into(),
        name: "advance".into(),
        vat: Vat::standard(15),
        taxable_amount: d("5.00"),
        vat_amount: None,
    };
    let mut inv = base();
    inv.prepayments.push(prepayment());
    let t = inv.totals().unwrap();
    assert_eq!((t.prepaid_amount, t.payable_amount), (d("5.75"), d("17.25")));
    rejects("BR-Z-05", |i| {
        i.prepayments.push(Prepayment {
            vat: Vat { rate: d("5"), ..Vat::exempt(VatCategory::ZeroRated, "VATEX-SA-35") },
            ..prepayment()
        })
    });
    warns("BR-KSA-93", |i| {
        i.prepayments.push(Prepayment {
            vat: Vat { exemption_reason_code: None, ..Vat::exempt(VatCategory::ZeroRated, "") },
            ..prepayment()
        })
    });
    warns("BR-KSA-CL-07", |i| {
        i.prepayments
            .push(Prepayment { vat: Vat::exempt(VatCategory::OutOfScope, "VATEX-SA-29"), ..prepayment() })
    });
    rejects("XSD-TYPE", |i| i.prepayments.push(Prepayment { issue_time: "10:00".into(), ..prepayment() }));
    refused_unnamed("more than two decimals", |i| {
        i.prepayments.push(Prepayment { taxable_amount: d("1.001"), ..prepayment() })
    });
    rejects("BR-KSA-79", |i| i.prepayments.push(Prepayment { vat_amount: Some(d("0.76")), ..prepayment() }));
    // A prepayment larger than the invoice would make the amount due negative.
    // not in ZATCA's list of elements that must not be negative.
    accepts(&["BR-KSA-F-04"], |i| {
        i.prepayments.push(Prepayment { taxable_amount: d("100"), ..prepayment() })
    });
}

#[test]
fn amount_and_line_rules() {
    rejects("BR-CO-18", |i| i.lines.clear());
    rejects("BR-KSA-F-04", |i| i.lines[0].quantity = d("-1"));
    rejects("BR-KSA-F-04", |i| i.lines[0].price = d("-0.01"));
    rejects("BR-KSA-EN16931-12", |i| i.lines[0].base_quantity = Some(d("0")));
    rejects("BR-KSA-F-06-C17", |i| i.lines[0].id = Some("1234567".into()));
    rejects("BR-KSA-F-06-C17", |i| i.lines[0].id = Some("".into()));
    warns("BR-KSA-F-06-C19", |i| i.lines[0].name = " ".into());
    rejects("BR-KSA-F-04", |i| i.lines[0].gross_price = Some(d("9.99")));
    // ZATCA counts characters of a present value only above 127.
    accepts(&["BR-KSA-F-06-C20"], |i| i.lines[0].standard_item_id = Some("".into()));
    warns("BR-KSA-F-06-C31", |i| i.lines[0].seller_item_id = Some("x".repeat(128)));
    let mut inv = base();
    inv.lines[0].gross_price = Some(d("12.5"));
    let xml = String::from_utf8(to_xml(&inv).unwrap()).unwrap();
    assert!(xml.contains("<cbc:Amount currencyID=\"SAR\">2.50</cbc:Amount>"), "{xml}");
    assert!(xml.contains("<cbc:BaseAmount currencyID=\"SAR\">12.50</cbc:BaseAmount>"), "{xml}");
    let allowance = |amount: &str| LineAllowanceCharge {
        amount: d(amount),
        reason: Some("discount".into()),
        reason_code: None,
        base_amount: None,
        percent: None,
    };
    rejects("BR-KSA-F-04", |i| i.lines[0].allowances.push(allowance("-1")));
    rejects("BR-KSA-F-04", |i| i.lines[0].allowances.push(allowance("25")));
    refused_unnamed("more than two decimals", |i| i.lines[0].allowances.push(allowance("1.005")));
    // EN 16931 rule ZATCA does not carry.
    accepts(&["BR-42"], |i| {
        i.lines[0].allowances.push(LineAllowanceCharge { reason: None, ..allowance("1") })
    });
    warns("BR-KSA-20", |i| i.lines[0].charges.push(allowance("1")));
    warns("BR-KSA-EN16931-03", |i| {
        i.lines[0].allowances.push(LineAllowanceCharge {
            base_amount: Some(d("20")),
            percent: Some(d("10")),
            ..allowance("1")
        })
    });
    warns("BR-KSA-EN16931-04", |i| {
        i.lines[0].allowances.push(LineAllowanceCharge { percent: Some(d("10")), ..allowance("1") })
    });
    warns("BR-KSA-EN16931-05", |i| {
        i.lines[0].allowances.push(LineAllowanceCharge { base_amount: Some(d("10")), ..allowance("1") })
    });
    rejects("BR-KSA-DEC-01", |i| {
        i.lines[0].allowances.push(LineAllowanceCharge {
            base_amount: Some(d("1")),
            percent: Some(d("101")),
            ..allowance("1.01")
        })
    });
    refused_unnamed("more than two decimals", |i| {
        i.allowances.push(AllowanceCharge::new(d("0.001"), "x", Vat::standard(15)))
    });
    // EN 16931 rule ZATCA does not carry.
    accepts(&["BR-33"], |i| {
        i.allowances
            .push(AllowanceCharge { reason: None, ..AllowanceCharge::new(d("1"), "x", Vat::standard(15)) })
    });
    warns("BR-KSA-19", |i| i.charges.push(AllowanceCharge::new(d("1"), "freight", Vat::standard(15))));
    rejects("BR-KSA-F-04", |i| i.allowances.push(AllowanceCharge::new(d("21"), "x", Vat::standard(15))));
    // An allowance in a category no line has leaves a negative taxable amount.
    rejects("BR-KSA-F-04", |i| i.allowances.push(AllowanceCharge::new(d("1"), "x", Vat::standard(5))));
    refused_unnamed("more than two decimals", |i| i.rounding_amount = Some(d("0.001")));
}

#[test]
fn header_rules() {
    // ZATCA asks only that cbc:ID exists.
    accepts(&["BR-02"], |i| i.id = " ".into());
    rejects("BR-KSA-F-01", |i| i.issue_date = "2025-13-01".into());
    rejects("BR-KSA-F-01", |i| i.issue_date = "15/01/2025".into());
    rejects("BR-KSA-70", |i| i.issue_time = "9:30".into());
    rejects("BR-KSA-70", |i| i.issue_time = "25:00:00".into());
    refused_unnamed("hash chain", |i| i.pih = "not base64!".into());
    refused_unnamed("hash chain", |i| i.pih = String::new());
    rejects("BR-CL-04", |i| i.currency = "usd".into());
    warns("BR-KSA-97", |i| i.currency = "USD".into());
    // not in ZATCA's list of elements that must not be negative.
    accepts(&["BR-KSA-F-04"], |i| {
        i.currency = "USD".into();
        i.exchange_rate = Some(d("0"));
    });
    rejects("BR-KSA-90", |i| {
        i.currency = "USD".into();
        i.exchange_rate = Some(d("3.75000000000001"));
    });
    warns("BR-KSA-16", |i| i.payment_means[0].code = "99".into());
    warns("BR-KSA-15", |i| i.supply_date = None);
    warns("BR-KSA-35", |i| {
        i.supply_date = None;
        i.supply_end_date = Some("2025-01-31".into());
    });
    warns("BR-KSA-36", |i| i.supply_end_date = Some("2025-01-01".into()));
    rejects("BR-KSA-F-01", |i| i.supply_date = Some("2025-1-1".into()));
    // ZATCA tests only the upper limit.
    accepts(&["BR-KSA-F-06-C2"], |i| i.notes.push(Note::new("", None)));
    // ZATCA tests only the upper limit.
    accepts(&["BR-KSA-F-06-C3"], |i| i.purchase_order_id = Some(" ".into()));
    warns("BR-KSA-F-06-C5", |i| i.contract_id = Some("c".repeat(128)));
    // ICV is a u64 by construction: digits only (BR-KSA-34).
    let xml = String::from_utf8(to_xml(&Invoice { icv: u64::MAX, ..base() }).unwrap()).unwrap();
    assert!(xml.contains(&format!("<cbc:UUID>{}</cbc:UUID>", u64::MAX)));
}

#[test]
fn given_totals_that_disagree_name_the_rule_and_both_values() {
    type Setter = fn(&mut ExpectedTotals);
    let cases: [(&str, Setter); 9] = [
        ("BR-CO-10", |t| t.line_extension_amount = Some(d("20.01"))),
        ("BR-CO-11", |t| t.allowance_total_amount = Some(d("1"))),
        ("BR-CO-12", |t| t.charge_total_amount = Some(d("1"))),
        ("BR-CO-13", |t| t.tax_exclusive_amount = Some(d("19.99"))),
        ("BR-CO-14", |t| t.vat_total = Some(d("3.01"))),
        ("BR-53", |t| t.vat_total_sar = Some(d("3.01"))),
        ("BR-CO-15", |t| t.tax_inclusive_amount = Some(d("23.01"))),
        ("BR-KSA-80", |t| t.prepaid_amount = Some(d("1"))),
        ("BR-CO-16", |t| t.payable_amount = Some(d("23.01"))),
    ];
    for (rule, set) in cases {
        let mut inv = base();
        let mut totals = ExpectedTotals::default();
        set(&mut totals);
        inv.totals = Some(totals);
        let e = to_xml(&inv).unwrap_err();
        assert_eq!(e.rule(), Some(rule), "{e}");
        let text = e.to_string();
        assert!(text.contains("expected") && text.contains("given"), "{text}");
    }
    let mut inv = base();
    inv.totals = Some(ExpectedTotals { payable_amount: Some(d("23.5")), ..Default::default() });
    let text = to_xml(&inv).unwrap_err().to_string();
    assert!(text.contains("23.00") && text.contains("23.5") && text.contains("BR-CO-16"), "{text}");
    // Equal values with another scale are fine.
    inv.totals = Some(ExpectedTotals {
        payable_amount: Some(d("23")),
        vat_total: Some(d("3.0")),
        ..Default::default()
    });
    to_xml(&inv).unwrap();

    for (rule, set) in [
        ("BR-KSA-EN16931-11", (|l: &mut Line| l.net_amount = Some(d("20.01"))) as fn(&mut Line)),
        ("KSA-11", |l| l.vat_amount = Some(d("3.01"))),
        ("BR-KSA-51", |l| l.amount_with_vat = Some(d("23.01"))),
    ] {
        let mut inv = base();
        set(&mut inv.lines[0]);
        let e = to_xml(&inv).unwrap_err();
        assert_eq!(e.rule(), Some(rule), "{e}");
    }
}

#[test]
fn huge_numbers_are_errors_not_panics() {
    let max = Decimal::MAX;
    let mut inv = base();
    inv.lines[0].quantity = max;
    inv.lines[0].price = max;
    assert_eq!(to_xml(&inv).unwrap_err().code(), "INVALID_MODEL");
    let mut inv = base();
    inv.lines[0].price = max;
    inv.lines[0].base_quantity = Some(d("0.0000000000000000000000000001"));
    assert_eq!(to_xml(&inv).unwrap_err().code(), "INVALID_MODEL");
    let mut inv = base();
    inv.lines.push(Line::new("x", max, d("1"), Vat::standard(15)));
    assert!(to_xml(&inv).is_err());
    // One huge zero-rated line: no VAT to overflow, still refused rather than mis-rounded.
    let zero = || Vat::exempt(VatCategory::ZeroRated, "VATEX-SA-35");
    let mut inv = base();
    inv.lines = vec![Line::new("x", max, d("1"), zero())];
    assert_eq!(to_xml(&inv).unwrap_err().code(), "INVALID_MODEL");
    inv.lines = vec![Line::new("x", d("100000000000000000"), d("1"), zero())];
    let xml = String::from_utf8(to_xml(&inv).unwrap()).unwrap();
    assert!(xml.contains(">100000000000000000.00<"));
    inv.lines = vec![Line::new("x", d("100000000000000000.01"), d("1"), zero())];
    assert!(to_xml(&inv).is_err());
    let mut inv = base();
    inv.currency = "USD".into();
    inv.exchange_rate = Some(d("99999999999999"));
    inv.lines[0].quantity = d("1000000000000000");
    inv.lines[0].price = d("100000000000");
    let _ = to_xml(&inv);
}

fn input_error(json: &str) -> String {
    match Invoice::from_json(json) {
        Ok(_) => panic!("accepted: {json}"),
        Err(Error::InvalidInput(message)) => message,
        Err(e) => panic!("wrong error {e:?}"),
    }
}

#[test]
fn malformed_json_is_invalid_input_with_a_path() {
    let good = fixture("standard_invoice.json");
    Invoice::from_json(&good).unwrap();
    Invoice::from_json(&format!("\u{feff}{good}")).unwrap();
    assert!(input_error("").contains("invoice JSON"));
    assert!(input_error("{").contains("invoice JSON"));
    assert!(input_error("[]").contains("invoice JSON"));
    assert!(input_error("null").contains("invoice JSON"));
    input_error(&format!("{good} trailing"));
    let m = input_error(&good.replacen("\"kind\"", "\"knid\"", 1));
    assert!(m.contains("knid"), "{m}");
    let m = input_error(&good.replacen("\"quantity\": \"3\"", "\"quantiy\": \"3\"", 1));
    assert!(m.contains("lines[0]") && m.contains("quantiy"), "{m}");
    let m = input_error(&good.replacen("\"quantity\": \"3\"", "\"quantity\": \"three\"", 1));
    assert!(m.contains("lines[0].quantity"), "{m}");
    let m = input_error(&good.replacen("\"quantity\": \"3\"", "\"quantity\": true", 1));
    assert!(m.contains("lines[0].quantity"), "{m}");
    let m = input_error(&good.replacen("\"street\"", "\"streeet\"", 1));
    assert!(m.contains("seller.address"), "{m}");
    let m = input_error(&good.replacen("\"icv\": 4217", "\"icv\": -1", 1));
    assert!(m.contains("icv"), "{m}");
    let m = input_error(&good.replacen("\"icv\": 4217", "\"icv\": \"4217\"", 1));
    assert!(m.contains("icv"), "{m}");
    let m = input_error(&good.replacen("b1d4c1a2-5f9e", "zzzz", 1));
    assert!(m.contains("uuid"), "{m}");
    let m = input_error(&good.replacen("\"kind\": \"standard\"", "\"kind\": \"b2b\"", 1));
    assert!(m.contains("kind"), "{m}");
    let m = input_error(&good.replacen("\"category\": \"S\"", "\"category\": \"X\"", 1));
    assert!(m.contains("lines[0].vat.category"), "{m}");
    let m = input_error(&good.replacen("\"scheme\": \"CRN\"", "\"scheme\": \"XYZ\"", 1));
    assert!(m.contains("seller.ids[0].scheme"), "{m}");
    let m = input_error(&good.replacen("\"kind\": \"standard\",", "", 1));
    assert!(m.contains("kind"), "{m}");
    let m = input_error(&good.replacen("\"price\": \"150\"", "\"price\": \"1e400\"", 1));
    assert!(m.contains("lines[1].price"), "{m}");
    let m = input_error(&good.replacen(
        "\"document_type\": \"invoice\"",
        "\"document_type\": \"invoice\", \"flags\": {\"exports\": true}",
        1,
    ));
    assert!(m.contains("flags") && m.contains("exports"), "{m}");
    // Numbers are accepted for decimals, and UN/CEFACT codes for the document type.
    let relaxed = good
        .replacen("\"quantity\": \"3\"", "\"quantity\": 3", 1)
        .replacen("\"price\": \"150\"", "\"price\": 150.0", 1)
        .replacen("\"document_type\": \"invoice\"", "\"document_type\": \"388\"", 1);
    let inv = Invoice::from_json(&relaxed).unwrap();
    assert_eq!(inv.lines[0].quantity, d("3"));
    assert_eq!(inv.lines[1].price, d("150"));
    // Odd decimal spellings: each is read or refused, never a panic.
    for odd in [
        "1e-400",
        "-0",
        "0e0",
        "1E28",
        "1e27",
        "79228162514264337593543950336",
        "0.00000000000000000000000000001",
        ".5",
        "5.",
        "+1",
        " 1 ",
        "1_000",
        "0x10",
        "NaN",
        "inf",
        "",
        "-",
        "1e",
        "9e9999999999",
    ] {
        let json = good.replacen("\"quantity\": \"3\"", &format!("\"quantity\": \"{odd}\""), 1);
        if let Ok(inv) = Invoice::from_json(&json) {
            let _ = to_xml(&inv);
        }
    }
    for odd in ["1e400", "-1e400", "1.7976931348623157e308", "5e-324", "123456789012345678901234567890"] {
        let json = good.replacen("\"quantity\": \"3\"", &format!("\"quantity\": {odd}"), 1);
        if let Ok(inv) = Invoice::from_json(&json) {
            let _ = to_xml(&inv);
        }
    }
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    input_error(&deep);
}

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    }
}

#[test]
fn mutated_json_never_panics() {
    let sources = [
        fixture("simplified_invoice.json"),
        fixture("standard_invoice.json"),
        fixture("standard_credit_note.json"),
    ];
    let tokens: [&str; 14] =
        ["\"", "{", "}", "[", "]", ",", ":", "null", "-1", "1e99", "\"\"", "\"0.001\"", "\u{0}", "\"S\""];
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    let (mut parsed, mut written) = (0, 0);
    for round in 0..6000 {
        let mut text = sources[round % 3].clone().into_bytes();
        for _ in 0..1 + rng.below(3) {
            if text.is_empty() {
                break;
            }
            let at = rng.below(text.len());
            match rng.below(4) {
                0 => text[at] = rng.below(128) as u8,
                1 => {
                    text.truncate(at);
                }
                2 => {
                    let token = tokens[rng.below(tokens.len())];
                    text.splice(at..at, token.bytes());
                }
                _ => {
                    let end = (at + rng.below(40)).min(text.len());
                    text.drain(at..end);
                }
            }
        }
        let Ok(text) = String::from_utf8(text) else { continue };
        match Invoice::from_json(&text) {
            Ok(inv) => {
                parsed += 1;
                if let Ok(xml) = to_xml(&inv) {
                    written += 1;
                    roxmltree::Document::parse(std::str::from_utf8(&xml).unwrap()).unwrap();
                }
            }
            Err(e) => assert_eq!(e.code(), "INVALID_INPUT"),
        }
    }
    assert!(parsed > 100 && written > 50, "parsed {parsed}, written {written}");
}

#[test]
fn the_module_doc_json_example_is_valid() {
    let source = std::fs::read_to_string(format!("{}/src/model/mod.rs", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let start = source.find("//! ```json\n").unwrap() + "//! ```json\n".len();
    let end = start + source[start..].find("//! ```").unwrap();
    let json: String =
        source[start..end].lines().map(|l| l.trim_start_matches("//!")).collect::<Vec<_>>().join("\n");
    let inv = Invoice::from_json(&json).unwrap();
    let totals = inv.totals().unwrap();
    assert_eq!(totals.payable_amount, d("24.90"));
    to_xml(&inv).unwrap();
}
