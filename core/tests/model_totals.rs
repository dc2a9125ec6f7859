//! The arithmetic rules hold in the written documents, on random baskets with awkward numbers.
//! The checks read the generated XML back and recompute with their own rounding, so they test
//! the output, not the model's internal arithmetic.

use qayd::model::*;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// xorshift64*: small, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// A decimal with 0..=max_scale decimals below `max`.
    fn decimal(&mut self, max: u64, max_scale: u32) -> Decimal {
        let scale = self.below(max_scale as u64 + 1) as u32;
        let units = self.below(max * 10u64.pow(scale));
        Decimal::new(units as i64, scale)
    }
}

/// Round half away from zero, written independently of the library's strategy enum.
fn round2(value: Decimal) -> Decimal {
    let scaled = value * Decimal::ONE_HUNDRED;
    let whole = scaled.trunc();
    let fraction = (scaled - whole).abs();
    let step = if fraction >= d("0.5") {
        if value.is_sign_negative() { -Decimal::ONE } else { Decimal::ONE }
    } else {
        Decimal::ZERO
    };
    (whole + step) / Decimal::ONE_HUNDRED
}

fn seller() -> Party {
    Party::new(
        "متجر | Shop",
        Some("300000000000003"),
        Some(Address::saudi("Street", "1234", "District", "Riyadh", "12345")),
    )
    .with_id(IdScheme::Crn, "1010101010")
}

fn random_vat(rng: &mut Rng) -> Vat {
    match rng.below(6) {
        0 | 1 => Vat::standard(15),
        2 => Vat::standard(5),
        3 => Vat::exempt(VatCategory::ZeroRated, rng.pick::<&str>(&["VATEX-SA-35", "VATEX-SA-32"])),
        4 => Vat::exempt(VatCategory::Exempt, "VATEX-SA-29"),
        _ => Vat::exempt(VatCategory::OutOfScope, "VATEX-SA-OOS"),
    }
}

fn random_invoice(rng: &mut Rng, n: u64) -> Invoice {
    let mut inv = Invoice::new(
        InvoiceKind::Simplified,
        DocumentType::Invoice,
        &format!("R{n}"),
        uuid::Uuid::from_u128(n as u128 + 1),
        "2025-02-01",
        "12:00:00",
        n + 1,
        seller(),
    );
    if rng.below(4) == 0 {
        inv.currency = "USD".into();
        inv.exchange_rate = Some(*rng.pick(&[d("3.75"), d("3.7512"), d("0.266667")]));
    }
    let awkward_qty = [d("0.001"), d("1"), d("3"), d("2.5"), d("0.333"), d("100"), d("7.125"), d("1.005")];
    let awkward_price =
        [d("0.005"), d("33.333"), d("0.01"), d("1999.99"), d("0.125"), d("869.57"), d("2.675")];
    for _ in 0..1 + rng.below(25) {
        let quantity = if rng.below(2) == 0 { *rng.pick(&awkward_qty) } else { rng.decimal(50, 3) };
        let price = if rng.below(2) == 0 { *rng.pick(&awkward_price) } else { rng.decimal(500, 4) };
        let mut line = Line::new("صنف | item", quantity, price, random_vat(rng));
        if rng.below(5) == 0 {
            line.gross_price = Some(price + rng.decimal(5, 2));
        }
        if rng.below(4) == 0 {
            line.base_quantity = Some(*rng.pick(&[d("1"), d("3"), d("0.5"), d("12")]));
        }
        if rng.below(4) == 0 {
            line.charges.push(LineAllowanceCharge {
                amount: rng.decimal(10, 2),
                reason: Some("charge".into()),
                reason_code: Some("FC".into()),
                base_amount: None,
                percent: None,
            });
        }
        if rng.below(4) == 0 {
            // Up to 30 % of the gross amount, so the line stays non-negative.
            let gross = quantity * price / line.base_quantity.unwrap_or(Decimal::ONE);
            let share = Decimal::new(rng.below(31) as i64, 2);
            let amount = (gross * share).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
            line.allowances.push(LineAllowanceCharge {
                amount,
                reason: Some("discount".into()),
                reason_code: None,
                base_amount: None,
                percent: None,
            });
        }
        inv.lines.push(line);
    }
    if rng.below(3) == 0 {
        let vat = inv.lines[0].vat.clone();
        inv.allowances.push(AllowanceCharge::new(rng.decimal(1, 2), "discount", vat));
    }
    if rng.below(3) == 0 {
        let mut charge = AllowanceCharge::new(rng.decimal(20, 2), "freight", random_vat(rng));
        charge.reason_code = Some("FC".into());
        inv.charges.push(charge);
    }
    if rng.below(5) == 0 {
        inv.prepayments.push(Prepayment {
            id: "P1".into(),
            uuid: uuid::Uuid::from_u128(99),
            issue_date: "2025-01-01".into(),
            issue_time: "10:00:00".into(),
            name: "advance".into(),
            vat: random_vat(rng),
            taxable_amount: rng.decimal(3, 2),
            vat_amount: None,
        });
    }
    if rng.below(3) == 0 {
        inv.rounding_amount = Some(Decimal::new(rng.below(11) as i64 - 5, 2));
    }
    inv
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn num(node: roxmltree::Node, name: &str) -> Decimal {
    let text = child(node, name).unwrap_or_else(|| panic!("{name} missing")).text().unwrap();
    Decimal::from_str(text).unwrap()
}

fn opt_num(node: roxmltree::Node, name: &str) -> Decimal {
    child(node, name).map(|n| Decimal::from_str(n.text().unwrap()).unwrap()).unwrap_or_default()
}

/// Checks BR-KSA-EN16931-11, BR-KSA-51, KSA-11, BR-CO-10…17, BR-S/Z/E/O-08, BR-KSA-80, BR-DEC on
/// the written document; returns whether Σ line VAT differed from the document VAT.
fn check_document(xml: &[u8], label: &str) -> bool {
    let text = std::str::from_utf8(xml).unwrap();
    let doc = roxmltree::Document::parse(text).unwrap();
    let root = doc.root_element();
    let currency = child(root, "DocumentCurrencyCode").unwrap().text().unwrap();
    for amount in doc.descendants().filter(|n| n.attribute("currencyID").is_some()) {
        let name = amount.tag_name().name();
        let value = amount.text().unwrap();
        // Prices and price discounts (BT-146…148) are unit amounts and may have more decimals.
        let in_price = amount.ancestors().any(|a| a.tag_name().name() == "Price");
        if !in_price {
            assert_eq!(Decimal::from_str(value).unwrap().scale(), 2, "{label}: {name} {value} (BR-DEC)");
        }
    }
    let mut line_sum = Decimal::ZERO;
    let mut line_vat_sum = Decimal::ZERO;
    let mut taxable_by_key: HashMap<(String, Decimal), Decimal> = HashMap::new();
    let mut prepaid = Decimal::ZERO;
    for line in children(root, "InvoiceLine") {
        let net = num(line, "LineExtensionAmount");
        let tax_total = child(line, "TaxTotal").unwrap();
        if let Some(reference) = child(line, "DocumentReference") {
            assert_eq!(child(reference, "DocumentTypeCode").unwrap().text(), Some("386"));
            let sub = child(tax_total, "TaxSubtotal").unwrap();
            let category = child(sub, "TaxCategory").unwrap();
            let rate = num(category, "Percent");
            let (taxable, tax) = (num(sub, "TaxableAmount"), num(sub, "TaxAmount"));
            assert_eq!(tax, round2(taxable * rate / Decimal::ONE_HUNDRED), "{label}: BR-KSA-79");
            prepaid += taxable + tax;
            continue;
        }
        let quantity = num(line, "InvoicedQuantity");
        let price_node = child(line, "Price").unwrap();
        let price = num(price_node, "PriceAmount");
        let base = child(price_node, "BaseQuantity").map(|n| Decimal::from_str(n.text().unwrap()).unwrap());
        if let Some(discount) = child(price_node, "AllowanceCharge") {
            assert_eq!(
                price,
                num(discount, "BaseAmount") - num(discount, "Amount"),
                "{label}: BR-KSA-EN16931-07"
            );
        }
        let mut expected = quantity * price / base.unwrap_or(Decimal::ONE);
        for ac in children(line, "AllowanceCharge") {
            let amount = num(ac, "Amount");
            if child(ac, "ChargeIndicator").unwrap().text() == Some("true") {
                expected += amount;
            } else {
                expected -= amount;
            }
        }
        assert_eq!(net, round2(expected), "{label}: BR-KSA-EN16931-11");
        let category = child(child(line, "Item").unwrap(), "ClassifiedTaxCategory").unwrap();
        let rate = num(category, "Percent");
        let line_vat = num(tax_total, "TaxAmount");
        assert_eq!(line_vat, round2(net * rate / Decimal::ONE_HUNDRED), "{label}: KSA-11");
        assert_eq!(num(tax_total, "RoundingAmount"), net + line_vat, "{label}: BR-KSA-51");
        line_sum += net;
        line_vat_sum += line_vat;
        let key = (child(category, "ID").unwrap().text().unwrap().to_owned(), rate.normalize());
        *taxable_by_key.entry(key).or_default() += net;
    }
    let mut allowances = Decimal::ZERO;
    let mut charges = Decimal::ZERO;
    for ac in children(root, "AllowanceCharge") {
        let amount = num(ac, "Amount");
        let category = child(ac, "TaxCategory").unwrap();
        let key =
            (child(category, "ID").unwrap().text().unwrap().to_owned(), num(category, "Percent").normalize());
        let entry = taxable_by_key.entry(key).or_default();
        if child(ac, "ChargeIndicator").unwrap().text() == Some("true") {
            charges += amount;
            *entry += amount;
        } else {
            allowances += amount;
            *entry -= amount;
        }
    }
    let totals = child(root, "LegalMonetaryTotal").unwrap();
    assert_eq!(num(totals, "LineExtensionAmount"), line_sum, "{label}: BR-CO-10");
    assert_eq!(opt_num(totals, "AllowanceTotalAmount"), allowances, "{label}: BR-CO-11");
    assert_eq!(opt_num(totals, "ChargeTotalAmount"), charges, "{label}: BR-CO-12");
    let exclusive = num(totals, "TaxExclusiveAmount");
    assert_eq!(exclusive, line_sum - allowances + charges, "{label}: BR-CO-13");

    let tax_totals: Vec<_> = children(root, "TaxTotal").collect();
    assert_eq!(tax_totals.len(), 2, "{label}: BR-KSA-EN16931-08/09");
    let with_subtotals = tax_totals.iter().find(|t| child(**t, "TaxSubtotal").is_some()).unwrap();
    let without = tax_totals.iter().find(|t| child(**t, "TaxSubtotal").is_none()).unwrap();
    let mut category_vat = Decimal::ZERO;
    let mut taxable_seen: HashMap<(String, Decimal), Decimal> = HashMap::new();
    for sub in children(*with_subtotals, "TaxSubtotal") {
        let category = child(sub, "TaxCategory").unwrap();
        let rate = num(category, "Percent");
        let taxable = num(sub, "TaxableAmount");
        let tax = num(sub, "TaxAmount");
        assert_eq!(tax, round2(taxable * rate / Decimal::ONE_HUNDRED), "{label}: BR-CO-17");
        let id = child(category, "ID").unwrap().text().unwrap().to_owned();
        if id != "S" {
            assert!(child(category, "TaxExemptionReasonCode").is_some(), "{label}: BR-KSA-23/24/69");
            assert!(child(category, "TaxExemptionReason").is_some(), "{label}: BR-KSA-83");
        }
        *taxable_seen.entry((id, rate.normalize())).or_default() += taxable;
        category_vat += tax;
    }
    for (key, taxable) in &taxable_by_key {
        assert_eq!(
            taxable_seen.get(key).copied().unwrap_or_default(),
            *taxable,
            "{label}: BR-S/Z/E/O-08 {key:?}"
        );
    }
    let vat = num(*with_subtotals, "TaxAmount");
    assert_eq!(vat, category_vat, "{label}: BR-CO-14");
    let vat_sar = num(*without, "TaxAmount");
    assert_eq!(child(*without, "TaxAmount").unwrap().attribute("currencyID"), Some("SAR"), "{label}");
    if currency == "SAR" {
        assert_eq!(vat_sar, vat, "{label}: BT-111");
    } else {
        let rate_node = child(root, "TaxExchangeRate").unwrap();
        assert_eq!(child(rate_node, "SourceCurrencyCode").unwrap().text(), Some(currency), "BR-KSA-88");
        assert_eq!(child(rate_node, "TargetCurrencyCode").unwrap().text(), Some("SAR"), "BR-KSA-89");
        assert_eq!(vat_sar, round2(vat * num(rate_node, "CalculationRate")), "{label}: BT-111");
    }
    let inclusive = num(totals, "TaxInclusiveAmount");
    assert_eq!(inclusive, exclusive + vat, "{label}: BR-CO-15");
    assert_eq!(opt_num(totals, "PrepaidAmount"), prepaid, "{label}: BR-KSA-80");
    let payable = num(totals, "PayableAmount");
    assert_eq!(payable, inclusive - prepaid + opt_num(totals, "PayableRoundingAmount"), "{label}: BR-CO-16");
    line_vat_sum != vat
}

#[test]
fn arithmetic_rules_hold_on_random_baskets() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut written, mut rejected, mut vat_differs) = (0, 0, 0);
    for n in 0..2000 {
        let inv = random_invoice(&mut rng, n);
        match to_xml(&inv) {
            Ok(xml) => {
                written += 1;
                vat_differs += check_document(&xml, &format!("basket {n}")) as usize;
                // The computed totals, given back as expectations, are accepted.
                let totals = inv.totals().unwrap();
                let mut again = inv.clone();
                again.totals = Some(ExpectedTotals {
                    line_extension_amount: Some(totals.line_extension_amount),
                    allowance_total_amount: Some(totals.allowance_total_amount),
                    charge_total_amount: Some(totals.charge_total_amount),
                    tax_exclusive_amount: Some(totals.tax_exclusive_amount),
                    vat_total: Some(totals.vat_total),
                    vat_total_sar: Some(totals.vat_total_sar),
                    tax_inclusive_amount: Some(totals.tax_inclusive_amount),
                    prepaid_amount: Some(totals.prepaid_amount),
                    payable_amount: Some(totals.payable_amount),
                });
                for (line, t) in again.lines.iter_mut().zip(&totals.lines) {
                    line.net_amount = Some(t.net_amount);
                    line.vat_amount = Some(t.vat_amount);
                    line.amount_with_vat = Some(t.amount_with_vat);
                }
                assert_eq!(to_xml(&again).unwrap(), xml, "basket {n}");
            }
            // Allowances larger than the line or the prepayment larger than the total.
            Err(e) => {
                assert_eq!(e.rule(), Some("BR-KSA-F-04"), "basket {n}: {e}");
                rejected += 1;
            }
        }
    }
    assert!(written > 1600, "{written} written, {rejected} rejected");
    assert!(vat_differs > 50, "Σ line VAT ≠ document VAT should occur often, saw {vat_differs}");
}

#[test]
fn rounding_is_half_away_from_zero_on_exact_decimals() {
    let seller = seller();
    let total = |qty: &str, price: &str, vat: Vat| {
        let mut inv = Invoice::new(
            InvoiceKind::Simplified,
            DocumentType::Invoice,
            "X1",
            uuid::Uuid::from_u128(1),
            "2025-01-01",
            "10:00:00",
            1,
            seller.clone(),
        );
        inv.lines.push(Line::new("item", d(qty), d(price), vat));
        inv.totals().unwrap()
    };
    // 0.005 → 0.01 and 2.675 → 2.68: exact decimal midpoints (a float would give 2.67).
    assert_eq!(total("1", "0.005", Vat::standard(15)).lines[0].net_amount, d("0.01"));
    assert_eq!(total("1", "2.675", Vat::standard(15)).lines[0].net_amount, d("2.68"));
    assert_eq!(total("0.001", "33.333", Vat::standard(15)).lines[0].net_amount, d("0.03"));
    // VAT 0.05 × 15 % = 0.0075 → 0.01; 0.1 × 5 % = 0.005 → 0.01.
    assert_eq!(total("1", "0.05", Vat::standard(15)).vat_total, d("0.01"));
    assert_eq!(total("1", "0.10", Vat::standard(5)).vat_total, d("0.01"));
    // The SDK's payable-rounding sample: 869.57 × 15 % = 130.4355 → 130.44.
    let t = total("1", "869.57", Vat::standard(15));
    assert_eq!((t.vat_total, t.tax_inclusive_amount), (d("130.44"), d("1000.01")));
}

#[test]
fn document_vat_is_per_category_not_the_sum_of_line_vat() {
    let mut inv = Invoice::new(
        InvoiceKind::Simplified,
        DocumentType::Invoice,
        "X2",
        uuid::Uuid::from_u128(2),
        "2025-01-01",
        "10:00:00",
        1,
        seller(),
    );
    // Three lines of 0.10 at 15 %: each line VAT round2(0.015) = 0.02 (Σ 0.06); the category's
    // taxable 0.30 gives round2(0.045) = 0.05.
    for _ in 0..3 {
        inv.lines.push(Line::new("item", d("1"), d("0.10"), Vat::standard(15)));
    }
    let t = inv.totals().unwrap();
    assert!(t.lines.iter().all(|l| l.vat_amount == d("0.02")));
    assert_eq!(t.vat_total, d("0.05"));
    assert_eq!(t.tax_inclusive_amount, d("0.35"));
}
