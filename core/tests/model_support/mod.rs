//! Documents built from the invoice model, shared by the model matrix and the parity test: a
//! seller, buyers, VAT categories, every combination of the transaction flags, and `build`, which
//! varies notes, currencies, allowances, charges and prepayments with the document number.
#![allow(dead_code)]

use qayd::Signer;
use qayd::model::*;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub(crate) fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/sdk-R3.4.8/Data")
}

pub(crate) fn sdk_signer() -> Signer {
    let certs = data().join("Certificates");
    Signer::from_bytes(
        &std::fs::read(certs.join("cert.pem")).unwrap(),
        &std::fs::read(certs.join("ec-secp256k1-priv-key.pem")).unwrap(),
    )
    .unwrap()
}

pub(crate) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub(crate) fn seller() -> Party {
    Party::new(
        "شركة الواحة للتجارة | Al Waha Trading & Co <Riyadh>",
        Some("300000000000003"),
        Some(Address {
            additional_street: Some("طريق الملك عبدالعزيز".into()),
            additional_number: Some("1234".into()),
            province: Some("الرياض".into()),
            ..Address::saudi(
                "شارع العليا | Olaya St",
                "1234",
                "العليا | Al Olaya",
                "الرياض | Riyadh",
                "12345",
            )
        }),
    )
    .with_id(IdScheme::Crn, "1010101010")
}

pub(crate) fn saudi_buyer() -> Party {
    Party::new(
        "مؤسسة \"النور\" & شركاه | Al Noor Est.",
        Some("311111111111113"),
        Some(Address::saudi("شارع التحلية", "4321", "السلامة", "جدة | Jeddah", "23525")),
    )
    .with_id(IdScheme::Crn, "4030000000")
}

pub(crate) fn foreign_buyer() -> Party {
    Party {
        registration_name: Some("Acme Imports LLC".into()),
        vat_number: None,
        ids: vec![PartyId { scheme: IdScheme::Oth, value: "US12345678".into() }],
        address: Some(Address {
            street: Some("1 Main Street".into()),
            additional_street: None,
            building_number: None,
            additional_number: None,
            district: None,
            city: Some("Houston".into()),
            postal_code: Some("77002".into()),
            province: Some("TX".into()),
            country: "US".into(),
        }),
    }
}

pub(crate) fn vat_for(category: VatCategory, n: usize) -> Vat {
    match category {
        VatCategory::Standard => Vat::standard(if n.is_multiple_of(2) { 15 } else { 5 }),
        VatCategory::ZeroRated => Vat::exempt(category, "VATEX-SA-35"),
        VatCategory::Exempt => Vat::exempt(category, "VATEX-SA-29"),
        VatCategory::OutOfScope => Vat {
            exemption_reason: Some("خارج النطاق <غير خاضع> & out of scope".into()),
            ..Vat::exempt(category, "VATEX-SA-OOS")
        },
        other => panic!("no test VAT for the category {other:?} yet: add it here"),
    }
}

pub(crate) fn flag_sets() -> Vec<TransactionFlags> {
    (0u8..32)
        .map(|bits| TransactionFlags {
            third_party: bits & 1 != 0,
            nominal: bits & 2 != 0,
            export: bits & 4 != 0,
            summary: bits & 8 != 0,
            self_billed: bits & 16 != 0,
        })
        .collect()
}

pub(crate) fn build(
    n: usize,
    kind: InvoiceKind,
    document_type: DocumentType,
    flags: TransactionFlags,
    categories: &[VatCategory],
) -> Invoice {
    let uuid = uuid::Uuid::from_u128(0x5a5a_0000_0000_4000_8000_0000_0000_0000 + n as u128);
    let mut inv = Invoice::new(
        kind,
        document_type,
        &format!("INV-{n:05}"),
        uuid,
        "2025-01-15",
        "09:30:00",
        n as u64 + 1,
        seller(),
    );
    inv.flags = flags;
    inv.notes.push(Note::new("ملاحظة & <note>", Some("ar")));
    inv.notes.push(Note::new("Second note", None));
    inv.buyer = match kind {
        InvoiceKind::Standard if flags.export => Some(foreign_buyer()),
        InvoiceKind::Standard => Some(saudi_buyer()),
        InvoiceKind::Simplified if n.is_multiple_of(2) || flags.summary => {
            Some(Party { registration_name: Some("عميل نقدي | Walk-in".into()), ..Party::default() })
        }
        InvoiceKind::Simplified => None,
        other => panic!("no test buyer for the kind {other:?} yet: add it here"),
    };
    inv.supply_date = Some("2025-01-01".into());
    if n % 3 == 2 {
        inv.purchase_order_id = Some("PO-<77>".into());
        inv.contract_id = Some("CT-2025/01".into());
    }
    if flags.summary {
        inv.supply_end_date = Some("2025-01-14".into());
    }
    let mut pm = PaymentMeans::new(["10", "30", "42", "48", "1"][n % 5]);
    if document_type.is_note() {
        inv.billing_reference = Some(format!("INV-{:05}", n.saturating_sub(1)));
        pm.instruction_note = Some("Returned goods | بضاعة مرتجعة".into());
    }
    if n % 5 == 2 {
        pm.account_id = Some("SA0380000000608010167519".into());
    }
    inv.payment_means.push(pm);
    if n % 3 == 1 {
        inv.currency = "USD".into();
        inv.exchange_rate = Some(d("3.75"));
    }
    for (i, &category) in categories.iter().enumerate() {
        let mut line = Line::new(
            &format!("صنف {i} | Item <{i}> & co"),
            d(["1", "2.5", "0.001", "12"][(n + i) % 4]),
            d(["100.00", "33.333", "0.005", "1999.99"][(n + i) % 4]),
            vat_for(category, n + i),
        );
        if i == 0 && (n + i) % 4 != 2 {
            line.allowances.push(LineAllowanceCharge {
                amount: d("0.01"),
                reason: Some("خصم | discount".into()),
                reason_code: Some("95".into()),
                base_amount: None,
                percent: None,
            });
        }
        if (n + i) % 4 == 1 {
            line.gross_price = Some(line.price + d("1.50"));
            line.seller_item_id = Some(format!("SKU-{i}"));
            line.buyer_item_id = Some("B-7".into());
            line.standard_item_id = Some("6281000000000".into());
        }
        if (n + i).is_multiple_of(3) {
            line.base_quantity = Some(d("1"));
            line.charges.push(LineAllowanceCharge {
                amount: d("2.00"),
                reason: Some("Packing".into()),
                reason_code: Some("PC".into()),
                base_amount: Some(d("20.00")),
                percent: Some(d("10")),
            });
        }
        inv.lines.push(line);
    }
    let first = vat_for(categories[0], n);
    inv.charges.push(AllowanceCharge {
        reason_code: Some("FC".into()),
        ..AllowanceCharge::new(d("5.00"), "شحن | Freight", first.clone())
    });
    inv.allowances.push(AllowanceCharge::new(d("0.50"), "discount", first));
    if document_type == DocumentType::Invoice && kind == InvoiceKind::Standard && n.is_multiple_of(4) {
        inv.prepayments.push(Prepayment {
            id: "PRE-1".into(),
            uuid: uuid::Uuid::from_u128(7),
            issue_date: "2024-12-01".into(),
            issue_time: "08:00:00".into(),
            name: "دفعة مقدمة | Advance".into(),
            vat: vat_for(categories[0], n),
            taxable_amount: d("0.10"),
            vat_amount: None,
        });
    }
    inv
}
