//! Every printed label in both languages, in one place so a wording fix is one line. The titles
//! are the names ZATCA gives the six document families.

use super::facts::Kind;

/// An English label and its Arabic counterpart.
pub(super) type Label = (&'static str, &'static str);

pub(super) fn title(kind: Kind, simplified: bool) -> Label {
    match (kind, simplified) {
        (Kind::Invoice, false) => ("Tax Invoice", "فاتورة ضريبية"),
        (Kind::Invoice, true) => ("Simplified Tax Invoice", "فاتورة ضريبية مبسطة"),
        (Kind::CreditNote, false) => ("Credit Note", "إشعار دائن"),
        (Kind::CreditNote, true) => ("Simplified Credit Note", "إشعار دائن مبسط"),
        (Kind::DebitNote, false) => ("Debit Note", "إشعار مدين"),
        (Kind::DebitNote, true) => ("Simplified Debit Note", "إشعار مدين مبسط"),
        (Kind::Prepayment, false) => ("Prepayment Tax Invoice", "فاتورة ضريبية لدفعة مقدمة"),
        (Kind::Prepayment, true) => ("Simplified Prepayment Invoice", "فاتورة ضريبية مبسطة لدفعة مقدمة"),
    }
}

pub(super) const NUMBER: Label = ("Number", "الرقم");
pub(super) const ISSUE_DATE: Label = ("Issue date", "تاريخ الإصدار");
pub(super) const SUPPLY_DATE: Label = ("Supply date", "تاريخ التوريد");
pub(super) const CURRENCY: Label = ("Currency", "العملة");
pub(super) const ICV: Label = ("Invoice counter (ICV)", "عداد الفاتورة");
pub(super) const UUID: Label = ("UUID", "المعرف الفريد");
pub(super) const ORIGINAL: Label = ("Original invoice", "الفاتورة الأصلية");
pub(super) const REASON: Label = ("Reason", "سبب الإصدار");
pub(super) const PAYMENT: Label = ("Payment means", "طريقة الدفع");
pub(super) const NOTES: Label = ("Notes", "ملاحظات");

pub(super) const SELLER: Label = ("Seller", "البائع");
pub(super) const BUYER: Label = ("Buyer", "المشتري");
pub(super) const NAME: Label = ("Name", "الاسم");
pub(super) const VAT_NUMBER: Label = ("VAT number", "الرقم الضريبي");
pub(super) const ADDRESS: Label = ("National address", "العنوان الوطني");

pub(super) const LINE_NO: Label = ("#", "م");
pub(super) const DESCRIPTION: Label = ("Description", "الوصف");
pub(super) const QUANTITY: Label = ("Quantity", "الكمية");
pub(super) const UNIT_PRICE: Label = ("Unit price", "سعر الوحدة");
pub(super) const DISCOUNT: Label = ("Discount", "الخصم");
pub(super) const VAT_RATE: Label = ("VAT", "الضريبة");
pub(super) const NET: Label = ("Net amount", "المبلغ الصافي");
pub(super) const VAT_AMOUNT: Label = ("VAT amount", "مبلغ الضريبة");
pub(super) const LINE_TOTAL: Label = ("Total incl. VAT", "الإجمالي");

pub(super) const ALLOWANCES_CHARGES: Label = ("Document discounts and charges", "الخصومات والرسوم");
pub(super) const ALLOWANCE: Label = ("Discount", "خصم");
pub(super) const CHARGE: Label = ("Charge", "رسوم");

pub(super) const VAT_BREAKDOWN: Label = ("VAT breakdown", "تفاصيل ضريبة القيمة المضافة");
pub(super) const CATEGORY: Label = ("Category", "الفئة");
pub(super) const RATE: Label = ("Rate", "النسبة");
pub(super) const TAXABLE: Label = ("Taxable amount", "المبلغ الخاضع للضريبة");

pub(super) const TOTAL_EXCL: Label = ("Total excl. VAT", "الإجمالي غير شامل الضريبة");
pub(super) const TOTAL_ALLOWANCES: Label = ("Discounts", "مجموع الخصومات");
pub(super) const TOTAL_CHARGES: Label = ("Charges", "مجموع الرسوم");
pub(super) const TOTAL_TAXABLE: Label = ("Taxable amount", "الإجمالي الخاضع للضريبة");
pub(super) const TOTAL_VAT: Label = ("VAT total", "مجموع ضريبة القيمة المضافة");
pub(super) const TOTAL_INCL: Label = ("Total incl. VAT", "الإجمالي شامل الضريبة");
pub(super) const PREPAID: Label = ("Prepaid", "المبلغ المدفوع مسبقاً");
pub(super) const ROUNDING: Label = ("Rounding", "التقريب");
pub(super) const PAYABLE: Label = ("Amount due", "المبلغ المستحق");
pub(super) const VAT_IN_SAR: Label = ("VAT total in SAR", "ضريبة القيمة المضافة بالريال");

pub(super) const INVOICE_HASH: Label = ("Invoice hash", "بصمة الفاتورة");
pub(super) const EMBEDDED: Label =
    ("The signed e-invoice (XML) is embedded in this PDF.", "الفاتورة الإلكترونية الموقعة مرفقة بهذا الملف.");
pub(super) const PAGE: Label = ("Page", "صفحة");

/// The UN/ECE 4461 payment means codes ZATCA's samples use.
pub(super) fn payment_means(code: &str) -> Option<Label> {
    Some(match code {
        "10" => ("Cash", "نقداً"),
        "30" => ("Credit", "آجل"),
        "42" => ("Bank account", "حساب بنكي"),
        "48" => ("Bank card", "بطاقة بنكية"),
        "1" => ("Other", "أخرى"),
        _ => return None,
    })
}
