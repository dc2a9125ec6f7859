//! The invoice model: plain data with serde, one struct per ZATCA business group. Field names are
//! the JSON names (snake_case); unknown fields are errors so a typo never silently drops data.

use super::dec;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Standard (B2B, clearance, `01…`) or simplified (B2C, reporting, `02…`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InvoiceKind {
    #[default]
    Standard,
    Simplified,
}

/// The document type (BT-3, `cbc:InvoiceTypeCode`); the UN/CEFACT 1001 code is accepted too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocumentType {
    /// 388, tax invoice.
    #[default]
    #[serde(alias = "388")]
    Invoice,
    /// 381.
    #[serde(alias = "381")]
    CreditNote,
    /// 383.
    #[serde(alias = "383")]
    DebitNote,
    /// 386, prepayment (advance payment) invoice.
    #[serde(alias = "386")]
    Prepayment,
}

impl DocumentType {
    pub fn code(self) -> &'static str {
        match self {
            DocumentType::Invoice => "388",
            DocumentType::CreditNote => "381",
            DocumentType::DebitNote => "383",
            DocumentType::Prepayment => "386",
        }
    }

    /// Credit and debit notes need a billing reference and a reason.
    pub fn is_note(self) -> bool {
        matches!(self, DocumentType::CreditNote | DocumentType::DebitNote)
    }
}

/// The transaction flags of KSA-2 (positions 3–7 of `InvoiceTypeCode/@name`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TransactionFlags {
    pub third_party: bool,
    pub nominal: bool,
    pub export: bool,
    pub summary: bool,
    pub self_billed: bool,
}

impl TransactionFlags {
    pub fn is_empty(&self) -> bool {
        *self == TransactionFlags::default()
    }
}

/// A free-text note (BT-22), optionally tagged with its language (`ar`, `en`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl Note {
    pub fn new(text: impl Into<String>, language: Option<&str>) -> Self {
        Note { text: text.into(), language: language.map(str::to_owned) }
    }
}

/// The scheme of a party identification (BT-29-1 / BT-46-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum IdScheme {
    /// Commercial registration number.
    #[serde(rename = "CRN")]
    Crn,
    /// MOMRAH licence.
    #[serde(rename = "MOM")]
    Mom,
    /// MHRSD licence.
    #[serde(rename = "MLS")]
    Mls,
    /// 700 number.
    #[serde(rename = "700")]
    Unified700,
    /// MISA licence.
    #[serde(rename = "SAG")]
    Sag,
    /// Tax identification number (buyer only).
    #[serde(rename = "TIN")]
    Tin,
    /// National ID (buyer only).
    #[serde(rename = "NAT")]
    Nat,
    /// GCC ID (buyer only).
    #[serde(rename = "GCC")]
    Gcc,
    /// Iqama (buyer only).
    #[serde(rename = "IQA")]
    Iqa,
    /// Passport (buyer only).
    #[serde(rename = "PAS")]
    Pas,
    /// Other ID.
    #[serde(rename = "OTH")]
    Oth,
}

impl IdScheme {
    pub fn code(self) -> &'static str {
        match self {
            IdScheme::Crn => "CRN",
            IdScheme::Mom => "MOM",
            IdScheme::Mls => "MLS",
            IdScheme::Unified700 => "700",
            IdScheme::Sag => "SAG",
            IdScheme::Tin => "TIN",
            IdScheme::Nat => "NAT",
            IdScheme::Gcc => "GCC",
            IdScheme::Iqa => "IQA",
            IdScheme::Pas => "PAS",
            IdScheme::Oth => "OTH",
        }
    }

    /// The schemes BR-KSA-08 allows for the seller.
    pub fn allowed_for_seller(self) -> bool {
        matches!(
            self,
            IdScheme::Crn
                | IdScheme::Mom
                | IdScheme::Mls
                | IdScheme::Unified700
                | IdScheme::Sag
                | IdScheme::Oth
        )
    }
}

/// An identification other than the VAT number (`cac:PartyIdentification/cbc:ID[@schemeID]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyId {
    pub scheme: IdScheme,
    pub value: String,
}

/// A Saudi national address (or a foreign one for exports).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_street: Option<String>,
    /// 4 digits for Saudi addresses (KSA-17/18).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_number: Option<String>,
    /// The national address' additional number (`cbc:PlotIdentification`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_number: Option<String>,
    /// `cbc:CitySubdivisionName` (KSA-3/KSA-4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// 5 digits for Saudi addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// `cbc:CountrySubentity` (BT-39/BT-54).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default = "default_country")]
    pub country: String,
}

fn default_country() -> String {
    "SA".to_owned()
}

impl Address {
    /// A complete Saudi national address.
    pub fn saudi(street: &str, building_number: &str, district: &str, city: &str, postal_code: &str) -> Self {
        Address {
            street: Some(street.to_owned()),
            additional_street: None,
            building_number: Some(building_number.to_owned()),
            additional_number: None,
            district: Some(district.to_owned()),
            city: Some(city.to_owned()),
            postal_code: Some(postal_code.to_owned()),
            province: None,
            country: default_country(),
        }
    }
}

/// The seller (BG-4) or the buyer (BG-7).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// BT-27 / BT-44.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_name: Option<String>,
    /// BT-31 / BT-48: 15 digits, first and last `3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<String>,
    /// BT-29 / BT-46.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<PartyId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

impl Party {
    pub fn new(registration_name: &str, vat_number: Option<&str>, address: Option<Address>) -> Self {
        Party {
            registration_name: Some(registration_name.to_owned()),
            vat_number: vat_number.map(str::to_owned),
            ids: Vec::new(),
            address,
        }
    }

    pub fn with_id(mut self, scheme: IdScheme, value: &str) -> Self {
        self.ids.push(PartyId { scheme, value: value.to_owned() });
        self
    }

    /// Whether anything would be written for this party.
    pub fn is_empty(&self) -> bool {
        self.registration_name.is_none()
            && self.vat_number.is_none()
            && self.ids.is_empty()
            && self.address.is_none()
    }
}

/// VAT category (UNCL 5305 subset, BR-KSA-18).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum VatCategory {
    /// Standard rated (5 or 15 %).
    #[serde(rename = "S")]
    Standard,
    /// Zero rated.
    #[serde(rename = "Z")]
    ZeroRated,
    /// Exempt from VAT.
    #[serde(rename = "E")]
    Exempt,
    /// Not subject to VAT (out of scope).
    #[serde(rename = "O")]
    OutOfScope,
}

impl VatCategory {
    pub fn code(self) -> &'static str {
        match self {
            VatCategory::Standard => "S",
            VatCategory::ZeroRated => "Z",
            VatCategory::Exempt => "E",
            VatCategory::OutOfScope => "O",
        }
    }
}

/// A VAT category with its rate and, for Z/E/O, the exemption reason (BT-121 code, BT-120 text).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vat {
    pub category: VatCategory,
    /// Percent, `15` or `5` for S; `0` (the default) for Z/E/O.
    #[serde(default, with = "dec")]
    pub rate: Decimal,
    /// `VATEX-SA-…`, required for Z/E/O.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption_reason_code: Option<String>,
    /// Defaults to ZATCA's text for the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption_reason: Option<String>,
}

impl Vat {
    /// Standard rated at `rate` percent.
    pub fn standard(rate: u32) -> Self {
        Vat {
            category: VatCategory::Standard,
            rate: Decimal::from(rate),
            exemption_reason_code: None,
            exemption_reason: None,
        }
    }

    /// Z, E or O with its `VATEX-SA-…` code; the reason text defaults to ZATCA's.
    pub fn exempt(category: VatCategory, reason_code: &str) -> Self {
        Vat {
            category,
            rate: Decimal::ZERO,
            exemption_reason_code: Some(reason_code.to_owned()),
            exemption_reason: None,
        }
    }
}

/// An allowance or a charge on a line (BG-27/BG-28): it changes the line net amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineAllowanceCharge {
    #[serde(with = "dec")]
    pub amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// UNTDID 5189 (allowances) / 7161 (charges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// With `percent`: `amount` must be `base_amount × percent / 100`.
    #[serde(default, with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub base_amount: Option<Decimal>,
    #[serde(default, with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub percent: Option<Decimal>,
}

impl LineAllowanceCharge {
    /// `reason_code`: UNTDID 5189 for allowances (e.g. `95` discount), 7161 for charges (`FC`).
    pub fn new(amount: Decimal, reason: &str, reason_code: Option<&str>) -> Self {
        LineAllowanceCharge {
            amount,
            reason: Some(reason.to_owned()),
            reason_code: reason_code.map(str::to_owned),
            base_amount: None,
            percent: None,
        }
    }
}

/// An allowance or a charge on the document (BG-20/BG-21), in a VAT category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowanceCharge {
    #[serde(with = "dec")]
    pub amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    #[serde(default, with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub base_amount: Option<Decimal>,
    #[serde(default, with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub percent: Option<Decimal>,
    pub vat: Vat,
}

impl AllowanceCharge {
    pub fn new(amount: Decimal, reason: &str, vat: Vat) -> Self {
        AllowanceCharge {
            amount,
            reason: Some(reason.to_owned()),
            reason_code: None,
            base_amount: None,
            percent: None,
            vat,
        }
    }
}

fn default_unit() -> String {
    "PCE".to_owned()
}

/// An invoice line (BG-25). The amounts are computed; give them only to have them checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// BT-126, 1–6 characters; defaults to the line's position (1, 2, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// BT-153.
    pub name: String,
    /// BT-129.
    #[serde(with = "dec")]
    pub quantity: Decimal,
    /// BT-130, UN/ECE rec 20 (default `PCE`).
    #[serde(default = "default_unit")]
    pub unit_code: String,
    /// Item net price BT-146 (after price discounts), per `base_quantity` units.
    #[serde(with = "dec")]
    pub price: Decimal,
    /// BT-149 (default 1).
    #[serde(default, with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub base_quantity: Option<Decimal>,
    /// Item gross price BT-148; the price discount BT-147 is `gross_price − price`.
    #[serde(default, with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub gross_price: Option<Decimal>,
    /// BT-155.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_item_id: Option<String>,
    /// BT-156.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_item_id: Option<String>,
    /// BT-157 (e.g. a GTIN barcode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_item_id: Option<String>,
    pub vat: Vat,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowances: Vec<LineAllowanceCharge>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub charges: Vec<LineAllowanceCharge>,
    /// Expected BT-131, checked if given.
    #[serde(default, with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub net_amount: Option<Decimal>,
    /// Expected KSA-11, checked if given.
    #[serde(default, with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<Decimal>,
    /// Expected KSA-12, checked if given.
    #[serde(default, with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub amount_with_vat: Option<Decimal>,
}

impl Line {
    pub fn new(name: &str, quantity: Decimal, price: Decimal, vat: Vat) -> Self {
        Line {
            id: None,
            name: name.to_owned(),
            quantity,
            unit_code: default_unit(),
            price,
            base_quantity: None,
            gross_price: None,
            seller_item_id: None,
            buyer_item_id: None,
            standard_item_id: None,
            vat,
            allowances: Vec::new(),
            charges: Vec::new(),
            net_amount: None,
            vat_amount: None,
            amount_with_vat: None,
        }
    }

    pub fn with_id(mut self, id: &str) -> Self {
        self.id = Some(id.to_owned());
        self
    }

    /// The unit (UN/ECE rec 20, e.g. `HUR`, `KGM`, `LTR`).
    pub fn with_unit(mut self, unit_code: &str) -> Self {
        self.unit_code = unit_code.to_owned();
        self
    }

    /// The price is per `base_quantity` units (BT-149).
    pub fn with_base_quantity(mut self, base_quantity: Decimal) -> Self {
        self.base_quantity = Some(base_quantity);
        self
    }

    pub fn with_allowance(mut self, allowance: LineAllowanceCharge) -> Self {
        self.allowances.push(allowance);
        self
    }

    pub fn with_charge(mut self, charge: LineAllowanceCharge) -> Self {
        self.charges.push(charge);
        self
    }
}

/// How the buyer pays (BG-16). For credit/debit notes `instruction_note` carries the reason (KSA-10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentMeans {
    /// 10 cash, 30 credit, 42 bank account, 48 bank card, 1 not defined (BR-KSA-16).
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction_note: Option<String>,
    /// BT-84, the payee's account (IBAN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

impl PaymentMeans {
    pub fn new(code: &str) -> Self {
        PaymentMeans { code: code.to_owned(), instruction_note: None, account_id: None }
    }
}

fn default_prepayment_name() -> String {
    "Prepayment adjustment | تسوية دفعة مقدمة".to_owned()
}

/// A prepayment deducted from this invoice (KSA-26…KSA-34): written as a zero-amount line that
/// references the prepayment invoice (386) and carries its VAT category amounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prepayment {
    /// The prepayment invoice's number (BT-1 of that document).
    pub id: String,
    pub uuid: Uuid,
    pub issue_date: String,
    pub issue_time: String,
    /// The item name shown on the adjustment line.
    #[serde(default = "default_prepayment_name")]
    pub name: String,
    pub vat: Vat,
    /// KSA-31.
    #[serde(with = "dec")]
    pub taxable_amount: Decimal,
    /// KSA-32, computed as `round2(taxable × rate / 100)`; checked if given.
    #[serde(default, with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<Decimal>,
}

/// Totals the caller expects; each one given is checked against the computed value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExpectedTotals {
    #[serde(with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub line_extension_amount: Option<Decimal>,
    #[serde(with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub allowance_total_amount: Option<Decimal>,
    #[serde(with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub charge_total_amount: Option<Decimal>,
    #[serde(with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub tax_exclusive_amount: Option<Decimal>,
    /// BT-110, in the document currency.
    #[serde(with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub vat_total: Option<Decimal>,
    /// BT-111, in SAR.
    #[serde(with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub vat_total_sar: Option<Decimal>,
    #[serde(with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub tax_inclusive_amount: Option<Decimal>,
    #[serde(with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub prepaid_amount: Option<Decimal>,
    #[serde(with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub payable_amount: Option<Decimal>,
}

fn default_pih() -> String {
    crate::GENESIS_PIH.to_owned()
}

fn default_currency() -> String {
    "SAR".to_owned()
}

fn is_sar(c: &String) -> bool {
    c == "SAR"
}

/// A ZATCA e-invoice: tax invoice, credit/debit note or prepayment invoice, standard or simplified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    pub kind: InvoiceKind,
    #[serde(default)]
    pub document_type: DocumentType,
    #[serde(default, skip_serializing_if = "TransactionFlags::is_empty")]
    pub flags: TransactionFlags,
    /// BT-1, the invoice number.
    pub id: String,
    /// KSA-1.
    pub uuid: Uuid,
    /// BT-2, `YYYY-MM-DD`.
    pub issue_date: String,
    /// KSA-25, `hh:mm:ss`, Riyadh local time.
    pub issue_time: String,
    /// KSA-16, the invoice counter value of the issuing EGS unit.
    pub icv: u64,
    /// KSA-13, the previous document's invoice hash (default: the chain's genesis value).
    #[serde(default = "default_pih")]
    pub pih: String,
    /// BT-5 (default `SAR`). The tax currency (BT-6) is always SAR.
    #[serde(default = "default_currency", skip_serializing_if = "is_sar")]
    pub currency: String,
    /// SAR per one unit of `currency`; required when `currency` is not SAR.
    #[serde(default, with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub exchange_rate: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    pub seller: Party,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Party>,
    /// KSA-5, the supply (delivery) date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supply_date: Option<String>,
    /// KSA-24, the end of the supply period (summary invoices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supply_end_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_means: Vec<PaymentMeans>,
    /// BT-25, the number of the invoice a note corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_reference: Option<String>,
    /// BT-13, the buyer's purchase order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_id: Option<String>,
    /// BT-12, the contract number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    pub lines: Vec<Line>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowances: Vec<AllowanceCharge>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub charges: Vec<AllowanceCharge>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prepayments: Vec<Prepayment>,
    /// BT-114, added to the amount due (may be negative).
    #[serde(default, with = "dec::opt", skip_serializing_if = "Option::is_none")]
    pub rounding_amount: Option<Decimal>,
    /// Totals the caller computed, checked against ours ([`Invoice::totals()`] computes them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totals: Option<ExpectedTotals>,
}

impl Invoice {
    /// A new document with the required fields; everything else starts empty or at its default.
    #[allow(clippy::too_many_arguments)] // each is a required business term; a builder adds nothing
    pub fn new(
        kind: InvoiceKind,
        document_type: DocumentType,
        id: &str,
        uuid: Uuid,
        issue_date: &str,
        issue_time: &str,
        icv: u64,
        seller: Party,
    ) -> Self {
        Invoice {
            kind,
            document_type,
            flags: TransactionFlags::default(),
            id: id.to_owned(),
            uuid,
            issue_date: issue_date.to_owned(),
            issue_time: issue_time.to_owned(),
            icv,
            pih: default_pih(),
            currency: default_currency(),
            exchange_rate: None,
            notes: Vec::new(),
            seller,
            buyer: None,
            supply_date: None,
            supply_end_date: None,
            payment_means: Vec::new(),
            billing_reference: None,
            purchase_order_id: None,
            contract_id: None,
            lines: Vec::new(),
            allowances: Vec::new(),
            charges: Vec::new(),
            prepayments: Vec::new(),
            rounding_amount: None,
            totals: None,
        }
    }

    pub fn with_flags(mut self, flags: TransactionFlags) -> Self {
        self.flags = flags;
        self
    }

    pub fn with_buyer(mut self, buyer: Party) -> Self {
        self.buyer = Some(buyer);
        self
    }

    pub fn with_note(mut self, note: Note) -> Self {
        self.notes.push(note);
        self
    }

    /// The supply date (KSA-5) and, for summary invoices, the end of the period (KSA-24).
    pub fn with_supply_dates(mut self, start: &str, end: Option<&str>) -> Self {
        self.supply_date = Some(start.to_owned());
        self.supply_end_date = end.map(str::to_owned);
        self
    }

    pub fn with_payment_means(mut self, payment_means: PaymentMeans) -> Self {
        self.payment_means.push(payment_means);
        self
    }

    /// For credit/debit notes: the corrected invoice (BT-25) and the reason (KSA-10), which
    /// ZATCA reads from the first payment means' instruction note (added with code 1 if none).
    pub fn correcting(mut self, invoice_id: &str, reason: &str) -> Self {
        self.billing_reference = Some(invoice_id.to_owned());
        if self.payment_means.is_empty() {
            self.payment_means.push(PaymentMeans::new("1"));
        }
        self.payment_means[0].instruction_note = Some(reason.to_owned());
        self
    }

    pub fn with_line(mut self, line: Line) -> Self {
        self.lines.push(line);
        self
    }

    pub fn with_allowance(mut self, allowance: AllowanceCharge) -> Self {
        self.allowances.push(allowance);
        self
    }

    pub fn with_charge(mut self, charge: AllowanceCharge) -> Self {
        self.charges.push(charge);
        self
    }

    pub fn with_prepayment(mut self, prepayment: Prepayment) -> Self {
        self.prepayments.push(prepayment);
        self
    }

    /// A document in another currency: `rate` SAR per unit of `currency`.
    pub fn in_currency(mut self, currency: &str, rate: Decimal) -> Self {
        self.currency = currency.to_owned();
        self.exchange_rate = Some(rate);
        self
    }

    /// KSA-2, the 7-character `InvoiceTypeCode/@name` (`NNPNESB`).
    pub fn transaction_code(&self) -> String {
        let bit = |b: bool| if b { '1' } else { '0' };
        let f = &self.flags;
        let mut s = String::with_capacity(7);
        s.push_str(match self.kind {
            InvoiceKind::Standard => "01",
            InvoiceKind::Simplified => "02",
        });
        for b in [f.third_party, f.nominal, f.export, f.summary, f.self_billed] {
            s.push(bit(b));
        }
        s
    }
}
