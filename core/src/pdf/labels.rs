//! Every printed label in both languages, in one place so a wording fix is one line. The titles
//! are the names ZATCA gives the six document families.

use super::facts::Kind;

/// An English label and its Arabic counterpart.
pub type Label = (&'static str, &'static str);

pub fn title(kind: Kind, simplified: bool) -> Label {
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

pub const NUMBER: Label = ("Number", "الرقم");
pub const ISSUE_DATE: Label = ("Issue date", "تاريخ الإصدار");
pub const SUPPLY_DATE: Label = ("Supply date", "تاريخ التوريد");
pub const CURRENCY: Label = ("Currency", "العملة");
pub const ICV: Label = ("Invoice counter (ICV)", "عداد الفاتورة");
pub const UUID: Label = ("UUID", "المعرف الفريد");
pub const ORIGINAL: Label = ("Original invoice", "الفاتورة الأصلية");
pub const REASON: Label = ("Reason", "سبب الإصدار");
pub const PAYMENT: Label = ("Payment means", "طريقة الدفع");
pub const NOTES: Label = ("Notes", "ملاحظات");

pub const SELLER: Label = ("Seller", "البائع");
pub const BUYER: Label = ("Buyer", "المشتري");
pub const NAME: Label = ("Name", "الاسم");
pub const VAT_NUMBER: Label = ("VAT number", "الرقم الضريبي");
pub const ADDRESS: Label = ("National address", "العنوان الوطني");

pub const LINE_NO: Label = ("#", "م");
pub const DESCRIPTION: Label = ("Description", "الوصف");
pub const QUANTITY: Label = ("Quantity", "الكمية");
pub const UNIT_PRICE: Label = ("Unit price", "سعر الوحدة");
pub const DISCOUNT: Label = ("Discount", "الخصم");
pub const VAT_RATE: Label = ("VAT", "الضريبة");
pub const NET: Label = ("Net amount", "المبلغ الصافي");
pub const VAT_AMOUNT: Label = ("VAT amount", "مبلغ الضريبة");
pub const LINE_TOTAL: Label = ("Total incl. VAT", "الإجمالي");

pub const ALLOWANCES_CHARGES: Label = ("Document discounts and charges", "الخصومات والرسوم");
pub const ALLOWANCE: Label = ("Discount", "خصم");
pub const CHARGE: Label = ("Charge", "رسوم");

pub const VAT_BREAKDOWN: Label = ("VAT breakdown", "تفاصيل ضريبة القيمة المضافة");
pub const CATEGORY: Label = ("Category", "الفئة");
pub const RATE: Label = ("Rate", "النسبة");
pub const TAXABLE: Label = ("Taxable amount", "المبلغ الخاضع للضريبة");

pub const TOTAL_EXCL: Label = ("Total excl. VAT", "الإجمالي غير شامل الضريبة");
pub const TOTAL_ALLOWANCES: Label = ("Discounts", "مجموع الخصومات");
pub const TOTAL_CHARGES: Label = ("Charges", "مجموع الرسوم");
pub const TOTAL_TAXABLE: Label = ("Taxable amount", "الإجمالي الخاضع للضريبة");
pub const TOTAL_VAT: Label = ("VAT total", "مجموع ضريبة القيمة المضافة");
pub const TOTAL_INCL: Label = ("Total incl. VAT", "الإجمالي شامل الضريبة");
pub const PREPAID: Label = ("Prepaid", "المبلغ المدفوع مسبقاً");
pub const ROUNDING: Label = ("Rounding", "التقريب");
pub const PAYABLE: Label = ("Amount due", "المبلغ المستحق");
pub const VAT_IN_SAR: Label = ("VAT total in SAR", "ضريبة القيمة المضافة بالريال");

pub const INVOICE_HASH: Label = ("Invoice hash", "بصمة الفاتورة");
pub const EMBEDDED: Label =
    ("The signed e-invoice (XML) is embedded in this PDF.", "الفاتورة الإلكترونية الموقعة مرفقة بهذا الملف.");
pub const PAGE: Label = ("Page", "صفحة");

/// The UN/ECE 4461 payment means codes ZATCA's samples use.
pub fn payment_means(code: &str) -> Option<Label> {
    Some(match code {
        "10" => ("Cash", "نقداً"),
        "30" => ("Credit", "آجل"),
        "42" => ("Bank account", "حساب بنكي"),
        "48" => ("Bank card", "بطاقة بنكية"),
        "1" => ("Other", "أخرى"),
        _ => return None,
    })
}
