//! The rule table: every implemented rule id with its severity (as flagged in the SDK R3.4.8
//! Schematrons) and what it requires, in English and Arabic (our own wording).

use super::Severity;
use super::Severity::{Error as E, Warning as W};

/// One implemented rule.
#[derive(Clone, Copy, Debug)]
pub struct RuleInfo {
    pub id: &'static str,
    pub severity: Severity,
    pub en: &'static str,
    pub ar: &'static str,
}

/// `BR_KSA_37` → `BR-KSA-37`: a rule's constant name is all it is declared with, so name and id
/// cannot drift apart.
const fn dashed<const N: usize>(name: &str) -> [u8; N] {
    let name = name.as_bytes();
    let mut id = [0; N];
    let mut i = 0;
    while i < N {
        id[i] = if name[i] == b'_' { b'-' } else { name[i] };
        i += 1;
    }
    id
}

/// Declares each rule once: its constant in [`rule`] and its place in [`IMPLEMENTED_RULES`].
macro_rules! rules {
    ($($name:ident: $severity:ident, $en:literal, $ar:literal;)*) => {
        /// One constant per implemented rule, so the compiler checks every rule id a check reports.
        pub mod rule {
            use super::{E, RuleInfo, W};
            $(
                pub const $name: &RuleInfo = &RuleInfo {
                    id: {
                        const ID: [u8; stringify!($name).len()] = super::dashed(stringify!($name));
                        match std::str::from_utf8(&ID) {
                            Ok(id) => id,
                            Err(_) => panic!("rule names are ASCII"),
                        }
                    },
                    severity: $severity,
                    en: $en,
                    ar: $ar,
                };
            )*
        }

        /// Every business rule the validator implements.
        pub const IMPLEMENTED_RULES: &[RuleInfo] = &[$(*rule::$name),*];
    };
}

#[rustfmt::skip]
rules! {
    // --- identifiers, codes, dates, currency, stamp ---------------------------------------------
    BR_02: W, "The invoice must have an invoice number (BT-1).", "يجب أن تحتوي الفاتورة على رقم الفاتورة (BT-1).";
    BR_03: E, "The invoice must have an issue date (BT-2).", "يجب أن تحتوي الفاتورة على تاريخ الإصدار (BT-2).";
    BR_04: E, "The invoice must have an invoice type code (BT-3).", "يجب أن تحتوي الفاتورة على رمز نوع الفاتورة (BT-3).";
    BR_05: E, "The invoice must have a currency code (BT-5).", "يجب أن تحتوي الفاتورة على رمز عملة الفاتورة (BT-5).";
    BR_CL_01: E, "The invoice type code (BT-3) must come from UNTDID 1001.", "يجب أن يكون رمز نوع الفاتورة (BT-3) من قائمة UNTDID 1001.";
    BR_CL_03: E, "Every currencyID must be an ISO 4217 alpha-3 code.", "يجب أن تكون كل قيمة currencyID رمز عملة من ISO 4217 مكوّنًا من ثلاثة أحرف.";
    BR_CL_04: E, "The invoice currency code (BT-5) must be an ISO 4217 alpha-3 code.", "يجب أن يكون رمز عملة الفاتورة (BT-5) من ISO 4217.";
    BR_CL_05: E, "The tax currency code (BT-6) must be an ISO 4217 alpha-3 code.", "يجب أن يكون رمز عملة الضريبة (BT-6) من ISO 4217.";
    BR_KSA_CL_01: E, "The currency code (BT-5) must be from ISO 4217:2005.", "يجب أن يكون رمز العملة (BT-5) وفق ISO 4217:2005.";
    BR_KSA_CL_02: E, "Every currencyID must equal the invoice currency (BT-5), except on the VAT total in accounting currency (BT-111).", "يجب أن تساوي كل قيمة currencyID عملة الفاتورة (BT-5)، باستثناء إجمالي الضريبة بعملة المحاسبة (BT-111).";
    BR_KSA_CL_03: E, "The attachment mime code must be from the allowed IANA subset.", "يجب أن يكون نوع MIME للمرفق من القائمة المسموح بها.";
    BR_KSA_03: E, "The invoice must carry a UUID (KSA-1) of letters, digits and dashes (ZATCA checks that it starts with a letter, a digit, a dot or a dash).", "يجب أن تحتوي الفاتورة على معرّف فريد UUID (KSA-1) من حروف وأرقام وشرطات (تتحقق الهيئة من أنه يبدأ بحرف أو رقم أو نقطة أو شرطة).";
    BR_KSA_04: E, "The issue date (BT-2) must not be later than today.", "يجب ألا يكون تاريخ إصدار الفاتورة (BT-2) بعد تاريخ اليوم.";
    BR_KSA_05: E, "The invoice type code (BT-3) must be 388, 383, 381 or 386.", "يجب أن يكون رمز نوع الفاتورة (BT-3) أحد القيم 388 أو 383 أو 381 أو 386.";
    BR_KSA_06: E, "The transaction code (KSA-2) must exist and follow NNPNESB[C[G]]: 01 or 02, then 0/1 flags.", "يجب أن يوجد رمز نوع المعاملة (KSA-2) وأن يتبع البنية NNPNESB[C[G]]: ‏01 أو 02 ثم خانات قيمها 0 أو 1.";
    BR_KSA_07: E, "Self-billing (KSA-2 position 7) is not allowed on export invoices (position 5).", "لا يُسمح بالفوترة الذاتية (KSA-2 الخانة 7) في فواتير التصدير (الخانة 5).";
    BR_KSA_31: E, "Simplified documents (KSA-2 = 02…) must not be self-billed (position 7 = 0), and positions 3 to 6 must be 0 or 1.", "في الفواتير المبسطة وإشعاراتها (KSA-2 يبدأ بـ 02) يجب أن تكون الخانة 7 (الفوترة الذاتية) 0، وأن تكون الخانات من 3 إلى 6 إما 0 أو 1.";
    BR_KSA_F_06_C40: W, "The transaction code (KSA-2) must have 7 to 9 characters.", "يجب أن يتكون رمز نوع المعاملة (KSA-2) من 7 إلى 9 خانات.";
    BR_KSA_EN16931_01: E, "The business process (BT-23, ProfileID) must be \"reporting:1.0\".", "يجب أن تكون قيمة نوع العملية (BT-23) \"reporting:1.0\".";
    BR_KSA_EN16931_02: E, "The VAT accounting currency (BT-6) must be SAR.", "يجب أن تكون عملة احتساب الضريبة (BT-6) هي الريال السعودي SAR.";
    BR_KSA_68: E, "The tax currency code (BT-6) must be present.", "يجب أن تحتوي الفاتورة على رمز عملة الضريبة (BT-6).";
    BR_KSA_70: E, "The issue time (KSA-25) must be present as hh:mm:ss or hh:mm:ssZ.", "يجب أن يوجد وقت الإصدار (KSA-25) بالصيغة hh:mm:ss أو hh:mm:ssZ.";
    BR_KSA_F_01: E, "Dates must be written YYYY-MM-DD.", "يجب كتابة التواريخ بالصيغة YYYY-MM-DD.";
    BR_KSA_F_05: W, "The prepayment issue time (KSA-29) must be hh:mm:ss or hh:mm:ssZ.", "يجب أن يكون وقت إصدار الدفعة المقدمة (KSA-29) بالصيغة hh:mm:ss أو hh:mm:ssZ.";
    BR_KSA_15: W, "A standard tax invoice (388, KSA-2 = 01…) must have a supply date (KSA-5).", "يجب أن تحتوي الفاتورة الضريبية (388 و KSA-2 يبدأ بـ 01) على تاريخ التوريد (KSA-5).";
    BR_KSA_35: W, "A supply end date (KSA-24) needs a supply date (KSA-5).", "إذا وُجد تاريخ نهاية التوريد (KSA-24) فيجب وجود تاريخ التوريد (KSA-5).";
    BR_KSA_36: W, "The supply end date (KSA-24) must not be before the supply date (KSA-5).", "يجب ألا يسبق تاريخ نهاية التوريد (KSA-24) تاريخ التوريد (KSA-5).";
    BR_KSA_72: E, "A simplified summary invoice needs a supply date (KSA-5) and a supply end date (KSA-24).", "يجب أن تحتوي الفاتورة المبسطة الملخصة على تاريخ التوريد (KSA-5) وتاريخ نهاية التوريد (KSA-24).";
    BR_KSA_98: W, "A simplified document should be reported within 24 hours of issue.", "يجب إرسال الفاتورة المبسطة خلال 24 ساعة من إصدارها.";
    BR_KSA_33: E, "The invoice counter value (KSA-16, AdditionalDocumentReference ICV) must be present.", "يجب أن تحتوي الفاتورة على قيمة عداد الفاتورة (KSA-16).";
    BR_KSA_34: E, "The invoice counter value (KSA-16) must contain only digits.", "يجب أن تتكون قيمة عداد الفاتورة (KSA-16) من أرقام فقط.";
    BR_KSA_61: W, "The previous invoice hash (KSA-13, AdditionalDocumentReference PIH) must be present.", "يجب أن تحتوي الفاتورة على تجزئة الفاتورة السابقة (KSA-13).";
    BR_KSA_26: W, "The previous invoice hash (KSA-13) must be present and not empty, with mimeCode text/plain.", "يجب أن تكون تجزئة الفاتورة السابقة (KSA-13) موجودة وغير فارغة، بنوع text/plain.";
    BR_KSA_27: W, "The document must contain a QR code (KSA-14), not empty, with mimeCode text/plain.", "يجب أن تحتوي الفاتورة على رمز الاستجابة السريعة QR (KSA-14) غير فارغ، بنوع text/plain.";
    BR_CL_KSA_14: E, "The QR code (KSA-14) must have 1 to 1000 characters.", "يجب أن يتكون رمز الاستجابة السريعة (KSA-14) من 1 إلى 1000 حرف.";
    BR_KSA_60: W, "Simplified documents must carry the cryptographic stamp (KSA-15).", "يجب أن تحتوي الفواتير المبسطة وإشعاراتها على الختم التشفيري (KSA-15).";
    BR_KSA_28: E, "The stamp's signature information ID must be \"urn:oasis:names:specification:ubl:signature:1\".", "يجب أن يكون معرّف معلومات التوقيع في الختم \"urn:oasis:names:specification:ubl:signature:1\".";
    BR_KSA_29: W, "The stamp's signature ID and referenced signature ID must be \"urn:oasis:names:specification:ubl:signature:Invoice\".", "يجب أن يكون معرّف التوقيع والمعرّف المرجعي له \"urn:oasis:names:specification:ubl:signature:Invoice\".";
    BR_KSA_30: E, "The stamp's signature method must be \"urn:oasis:names:specification:ubl:dsig:enveloped:xades\".", "يجب أن تكون طريقة التوقيع \"urn:oasis:names:specification:ubl:dsig:enveloped:xades\".";
    BR_52: W, "Each additional supporting document (BG-24) must have a reference (BT-122).", "يجب أن يحتوي كل مستند داعم إضافي (BG-24) على مرجع (BT-122).";
    BR_KSA_16: W, "The payment means code (BT-81) must come from ZATCA's UNCL 4461 list (e.g. 10 cash, 30 credit, 42 bank account, 48 bank card, 1 other).", "يجب أن يكون رمز وسيلة الدفع (BT-81) من قائمة UNCL 4461 المعتمدة لدى الهيئة (مثل 10 نقدًا، 30 آجل، 42 حساب بنكي، 48 بطاقة بنكية، 1 أخرى).";
    BR_CL_16: W, "The payment means code (BT-81) must come from UNCL 4461.", "يجب أن يكون رمز وسيلة الدفع (BT-81) من قائمة UNCL 4461.";
    BR_49: W, "A payment instruction (BG-16) must specify the payment means code (BT-81).", "يجب أن تحدد تعليمات الدفع (BG-16) رمز وسيلة الدفع (BT-81).";
    BR_KSA_92: E, "A B2G document (KSA-2 position 9), standard or simplified, must carry a contract ID (BT-12).", "يجب أن تحتوي فاتورة التوريد للجهات الحكومية (KSA-2 الخانة 9)، الضريبية أو المبسطة، على رقم العقد (BT-12).";
    BR_KSA_F_06_C1: W, "The invoice number (BT-1) must have 1 to 127 characters.", "يجب أن يتكون رقم الفاتورة (BT-1) من 1 إلى 127 حرفًا.";
    BR_KSA_F_06_C2: W, "An invoice note (BT-22) must not exceed 1000 characters.", "يجب ألا تتجاوز ملاحظة الفاتورة (BT-22) ‏1000 حرف.";
    BR_KSA_F_06_C3: W, "The purchase order ID (BT-13) must not exceed 127 characters.", "يجب ألا يتجاوز رقم أمر الشراء (BT-13) ‏127 حرفًا.";
    BR_KSA_F_06_C5: W, "The contract ID (BT-12) must not exceed 127 characters.", "يجب ألا يتجاوز رقم العقد (BT-12) ‏127 حرفًا.";
    BR_KSA_F_06_C14: W, "The payment note of the payee's account (PayeeFinancialAccount/PaymentNote) must have 1 to 1000 characters.", "يجب أن تتكون ملاحظة الدفع لحساب المستفيد (PayeeFinancialAccount/PaymentNote) من 1 إلى 1000 حرف.";
    BR_KSA_F_06_C15: W, "The payment account identifier (BT-84) must not exceed 127 characters.", "يجب ألا يتجاوز معرّف حساب الدفع (BT-84) ‏127 حرفًا.";
    // --- credit and debit notes -------------------------------------------------------------------
    BR_KSA_17: E, "Credit and debit notes (381, 383) must state the reason for issuing (KSA-10).", "يجب أن تحتوي الإشعارات الدائنة والمدينة (381، 383) على سبب الإصدار (KSA-10).";
    BR_KSA_56: W, "Credit and debit notes (381, 383) must reference the original invoice (BT-25).", "يجب أن تشير الإشعارات الدائنة والمدينة (381، 383) إلى الفاتورة الأصلية (BT-25).";
    BR_55: E, "Each preceding invoice reference (BG-3) must contain the invoice reference (BT-25).", "يجب أن يحتوي كل مرجع لفاتورة سابقة (BG-3) على رقم الفاتورة المرجعية (BT-25).";
    BR_KSA_F_06_C13: W, "The reason for issuing the note (KSA-10) must have 1 to 1000 characters.", "يجب أن يتكون سبب إصدار الإشعار (KSA-10) من 1 إلى 1000 حرف.";
    BR_KSA_F_06_C22: E, "The billing reference ID (BT-25) must have 1 to 5000 characters.", "يجب أن يتكون رقم الفاتورة المرجعية (BT-25) من 1 إلى 5000 حرف.";
    // --- parties and addresses --------------------------------------------------------------------
    BR_06: W, "The invoice must contain the seller name (BT-27).", "يجب أن تحتوي الفاتورة على اسم البائع (BT-27).";
    BR_08: W, "The invoice must contain the seller postal address (BG-5).", "يجب أن تحتوي الفاتورة على العنوان البريدي للبائع (BG-5).";
    BR_09: W, "The seller postal address (BG-5) must contain a country code (BT-40).", "يجب أن يحتوي عنوان البائع (BG-5) على رمز الدولة (BT-40).";
    BR_CL_14: W, "Country codes must come from ISO 3166-1 alpha-2.", "يجب أن تكون رموز الدول من ISO 3166-1.";
    BR_KSA_08: W, "The seller identification (BT-29) must exist once with scheme CRN, MOM, MLS, SAG, OTH or 700.", "يجب أن يوجد معرّف البائع (BT-29) مرة واحدة بأحد المخططات CRN أو MOM أو MLS أو SAG أو OTH أو 700.";
    BR_KSA_09: W, "The seller address must contain street (BT-35), building number (KSA-17), postal code (BT-38), city (BT-37), district (KSA-3) and country code (BT-40).", "يجب أن يحتوي عنوان البائع على اسم الشارع (BT-35) ورقم المبنى (KSA-17) والرمز البريدي (BT-38) والمدينة (BT-37) والحي (KSA-3) ورمز الدولة (BT-40).";
    BR_KSA_37: W, "The seller building number (KSA-17) must be 4 digits.", "يجب أن يتكون رقم مبنى البائع (KSA-17) من 4 أرقام.";
    BR_KSA_66: W, "The seller postal code (BT-38) must be 5 digits.", "يجب أن يتكون الرمز البريدي للبائع (BT-38) من 5 أرقام.";
    BR_KSA_39: E, "The invoice must contain the seller VAT registration number (BT-31).", "يجب أن تحتوي الفاتورة على الرقم الضريبي للبائع (BT-31).";
    BR_KSA_40: E, "The seller VAT number (BT-31) must be 15 digits, starting and ending with 3.", "يجب أن يتكون الرقم الضريبي للبائع (BT-31) من 15 رقمًا يبدأ وينتهي بالرقم 3.";
    BR_KSA_10: W, "The buyer address on a standard document must contain street (BT-50), city (BT-52) and country code (BT-55).", "يجب أن يحتوي عنوان المشتري في الفاتورة الضريبية على الشارع (BT-50) والمدينة (BT-52) ورمز الدولة (BT-55).";
    BR_KSA_14: E, "A buyer identification (BT-46) must use scheme TIN, CRN, MOM, MLS, 700, SAG, NAT, GCC, IQA, PAS or OTH.", "يجب أن يستخدم معرّف المشتري (BT-46) أحد المخططات TIN أو CRN أو MOM أو MLS أو 700 أو SAG أو NAT أو GCC أو IQA أو PAS أو OTH.";
    BR_KSA_42: W, "The buyer name (BT-44) must be present on standard documents (KSA-2 = 01…).", "يجب ذكر اسم المشتري (BT-44) في الفواتير الضريبية وإشعاراتها (KSA-2 يبدأ بـ 01).";
    BR_KSA_44: E, "The buyer VAT number (BT-48) must be 15 digits, starting and ending with 3.", "يجب أن يتكون الرقم الضريبي للمشتري (BT-48) من 15 رقمًا يبدأ وينتهي بالرقم 3.";
    BR_KSA_63: W, "A Saudi buyer address (BT-55 = SA) must contain street (BT-50), building number (KSA-18), postal code (BT-53), city (BT-52), district (KSA-4) and country code (BT-55).", "يجب أن يحتوي عنوان المشتري السعودي (BT-55 = SA) على الشارع (BT-50) ورقم المبنى (KSA-18) والرمز البريدي (BT-53) والمدينة (BT-52) والحي (KSA-4) ورمز الدولة (BT-55).";
    BR_KSA_67: W, "A Saudi buyer postal code (BT-53) must be 5 digits.", "يجب أن يتكون الرمز البريدي للمشتري السعودي (BT-53) من 5 أرقام.";
    BR_KSA_71: W, "A simplified summary invoice must contain the buyer name (BT-44).", "يجب أن تحتوي الفاتورة المبسطة الملخصة على اسم المشتري (BT-44).";
    BR_KSA_81: W, "A standard document without buyer VAT number (BT-48) must contain another buyer ID (BT-46).", "يجب أن تحتوي الفاتورة الضريبية التي لا تتضمن الرقم الضريبي للمشتري (BT-48) على معرّف آخر للمشتري (BT-46).";
    BR_KSA_99: W, "If present on a standard document, the buyer VAT number (BT-48) must not be empty.", "إذا وُجد الرقم الضريبي للمشتري (BT-48) في الفاتورة الضريبية فيجب ألا يكون فارغًا.";
    BR_KSA_85: W, "The buyer phone (BT-57) must start with 0 or + followed by 4 to 15 digits.", "يجب أن يبدأ هاتف المشتري (BT-57) بـ 0 أو + يليه من 4 إلى 15 رقمًا.";
    BR_CUSTOM_VALIDATION_01: E, "The seller VAT number (BT-31) must differ from the buyer VAT number (BT-48).", "يجب ألا يطابق الرقم الضريبي للبائع (BT-31) الرقم الضريبي للمشتري (BT-48).";
    BR_KSA_F_07: W, "The buyer ID with scheme TIN looks wrong (10 digits starting with 3 expected).", "يبدو أن معرّف المشتري بالمخطط TIN غير صحيح (المتوقع 10 أرقام تبدأ بالرقم 3).";
    BR_KSA_F_08: W, "The seller or buyer ID with scheme CRN looks wrong (10 digits expected).", "يبدو أن معرّف البائع أو المشتري بالمخطط CRN غير صحيح (المتوقع 10 أرقام).";
    BR_KSA_F_09: W, "The seller or buyer ID with scheme 700 looks wrong (10 digits starting with 7 expected).", "يبدو أن معرّف البائع أو المشتري بالمخطط 700 غير صحيح (المتوقع 10 أرقام تبدأ بالرقم 7).";
    BR_KSA_F_10: W, "The buyer ID with scheme NAT looks wrong (10 digits starting with 1 expected).", "يبدو أن معرّف المشتري بالمخطط NAT غير صحيح (المتوقع 10 أرقام تبدأ بالرقم 1).";
    BR_KSA_F_11: W, "The buyer ID with scheme IQA looks wrong (10 digits starting with 2 expected).", "يبدو أن معرّف المشتري بالمخطط IQA غير صحيح (المتوقع 10 أرقام تبدأ بالرقم 2).";
    BR_KSA_F_13: W, "The seller or buyer ID (BT-29, BT-46) looks like a dummy value (8 ascending or descending digits in a row, or one digit 8 times).", "يبدو أن معرّف البائع أو المشتري (BT-29 أو BT-46) قيمة وهمية (8 أرقام متتالية تصاعديًا أو تنازليًا، أو رقم واحد مكرر 8 مرات).";
    BR_KSA_F_12: W, "The seller or buyer ID scheme (BT-29-1, BT-46-1) contains spaces.", "يحتوي مخطط معرّف البائع أو المشتري (BT-29-1 أو BT-46-1) على مسافات.";
    BR_KSA_F_06_C4: W, "The seller street (BT-35) must have 1 to 1000 characters.", "يجب أن يتكون اسم شارع البائع (BT-35) من 1 إلى 1000 حرف.";
    BR_KSA_F_06_C6: W, "The seller additional street (BT-36) must not exceed 127 characters.", "يجب ألا يتجاوز الشارع الإضافي للبائع (BT-36) ‏127 حرفًا.";
    BR_KSA_F_06_C7: W, "The seller city (BT-37) must have 1 to 127 characters.", "يجب أن تتكون مدينة البائع (BT-37) من 1 إلى 127 حرفًا.";
    BR_KSA_F_06_C8: W, "The seller province (BT-39) must not exceed 127 characters.", "يجب ألا تتجاوز منطقة البائع (BT-39) ‏127 حرفًا.";
    BR_KSA_F_06_C9: W, "The seller district (KSA-3) must have 1 to 127 characters.", "يجب أن يتكون حي البائع (KSA-3) من 1 إلى 127 حرفًا.";
    BR_KSA_F_06_C10: W, "The seller name (BT-27) must have 1 to 1000 characters.", "يجب أن يتكون اسم البائع (BT-27) من 1 إلى 1000 حرف.";
    BR_KSA_F_06_C11: W, "The buyer additional street (BT-51) must not exceed 127 characters.", "يجب ألا يتجاوز الشارع الإضافي للمشتري (BT-51) ‏127 حرفًا.";
    BR_KSA_F_06_C12: W, "The buyer name (BT-44) must have 1 to 1000 characters.", "يجب أن يتكون اسم المشتري (BT-44) من 1 إلى 1000 حرف.";
    BR_KSA_F_06_C23: W, "The buyer street (BT-50) must have 1 to 1000 characters.", "يجب أن يتكون شارع المشتري (BT-50) من 1 إلى 1000 حرف.";
    BR_KSA_F_06_C25: W, "The buyer city (BT-52) must have 1 to 127 characters.", "يجب أن تتكون مدينة المشتري (BT-52) من 1 إلى 127 حرفًا.";
    BR_KSA_F_06_C27: W, "The buyer province (BT-54) must not exceed 127 characters.", "يجب ألا تتجاوز منطقة المشتري (BT-54) ‏127 حرفًا.";
    BR_KSA_F_06_C28: W, "The buyer district (KSA-4) must have 1 to 127 characters.", "يجب أن يتكون حي المشتري (KSA-4) من 1 إلى 127 حرفًا.";
    BR_KSA_F_06_C24: W, "The buyer street (BT-50) must not exceed 1000 characters.", "يجب ألا يتجاوز شارع المشتري (BT-50) ‏1000 حرف.";
    BR_KSA_F_06_C26: W, "The buyer city (BT-52) must not exceed 127 characters.", "يجب ألا تتجاوز مدينة المشتري (BT-52) ‏127 حرفًا.";
    BR_KSA_F_06_C29: W, "The buyer district (KSA-4) must not exceed 127 characters.", "يجب ألا يتجاوز حي المشتري (KSA-4) ‏127 حرفًا.";
    BR_KSA_F_06_C32: W, "The buyer name (BT-44) must not exceed 1000 characters.", "يجب ألا يتجاوز اسم المشتري (BT-44) ‏1000 حرف.";
    BR_KSA_F_06_C37: W, "The buyer contact name (BT-56) must not exceed 1000 characters.", "يجب ألا يتجاوز اسم جهة اتصال المشتري (BT-56) ‏1000 حرف.";
    BR_KSA_F_06_C38: W, "The buyer contact note (KSA-35) must not exceed 1000 characters.", "يجب ألا تتجاوز ملاحظة جهة اتصال المشتري (KSA-35) ‏1000 حرف.";
    // --- VAT categories and exemptions ----------------------------------------------------------
    BR_KSA_18: E, "The VAT category code must be S, Z, E or O.", "يجب أن يكون رمز فئة الضريبة أحد القيم S أو Z أو E أو O.";
    BR_CL_18: E, "VAT category codes must come from UNCL 5305.", "يجب أن تكون رموز فئات الضريبة من قائمة UNCL 5305.";
    BR_CO_04: E, "Each invoice line (BG-25) must have a VAT category code (BT-151).", "يجب أن يحتوي كل بند (BG-25) على رمز فئة الضريبة (BT-151).";
    BR_CO_18: E, "The invoice must have at least one VAT breakdown (BG-23).", "يجب أن تحتوي الفاتورة على تفصيل ضريبي واحد على الأقل (BG-23).";
    BR_45: E, "Each VAT breakdown (BG-23) must have a taxable amount (BT-116).", "يجب أن يحتوي كل تفصيل ضريبي (BG-23) على المبلغ الخاضع للضريبة (BT-116).";
    BR_46: E, "Each VAT breakdown (BG-23) must have a tax amount (BT-117).", "يجب أن يحتوي كل تفصيل ضريبي (BG-23) على مبلغ الضريبة (BT-117).";
    BR_47: E, "Each VAT breakdown (BG-23) must have a VAT category code (BT-118).", "يجب أن يحتوي كل تفصيل ضريبي (BG-23) على رمز فئة الضريبة (BT-118).";
    BR_48: E, "Each VAT breakdown (BG-23) must have a VAT rate (BT-119).", "يجب أن يحتوي كل تفصيل ضريبي (BG-23) على نسبة الضريبة (BT-119).";
    BR_S_01: W, "Standard-rated lines, allowances or charges need a VAT breakdown with category S.", "البنود أو الخصومات أو الرسوم الخاضعة للنسبة الأساسية تتطلب تفصيلًا ضريبيًا بالفئة S.";
    BR_Z_01: W, "Zero-rated lines, allowances or charges need a VAT breakdown with category Z.", "البنود أو الخصومات أو الرسوم الخاضعة لنسبة الصفر تتطلب تفصيلًا ضريبيًا بالفئة Z.";
    BR_E_01: W, "Exempt lines, allowances or charges need a VAT breakdown with category E.", "البنود أو الخصومات أو الرسوم المعفاة تتطلب تفصيلًا ضريبيًا بالفئة E.";
    BR_O_01: W, "Out-of-scope lines, allowances or charges need a VAT breakdown with category O.", "البنود أو الخصومات أو الرسوم غير الخاضعة للضريبة تتطلب تفصيلًا ضريبيًا بالفئة O.";
    BR_S_05: W, "A standard-rated line (BT-151 = S) must have a VAT rate (BT-152) above zero.", "يجب أن تكون نسبة الضريبة (BT-152) للبند الخاضع للنسبة الأساسية أكبر من صفر.";
    BR_S_06: E, "A standard-rated document allowance must have a VAT rate (BT-96) above zero.", "يجب أن تكون نسبة الضريبة (BT-96) للخصم الخاضع للنسبة الأساسية أكبر من صفر.";
    BR_S_07: W, "A standard-rated document charge must have a VAT rate (BT-103) above zero.", "يجب أن تكون نسبة الضريبة (BT-103) للرسوم الخاضعة للنسبة الأساسية أكبر من صفر.";
    BR_Z_05: E, "A zero-rated line must have a VAT rate (BT-152) of 0.", "يجب أن تكون نسبة الضريبة (BT-152) للبند الخاضع لنسبة الصفر صفرًا.";
    BR_Z_06: E, "A zero-rated document allowance must have a VAT rate (BT-96) of 0.", "يجب أن تكون نسبة الضريبة (BT-96) للخصم الخاضع لنسبة الصفر صفرًا.";
    BR_Z_07: E, "A zero-rated document charge must have a VAT rate (BT-103) of 0.", "يجب أن تكون نسبة الضريبة (BT-103) للرسوم الخاضعة لنسبة الصفر صفرًا.";
    BR_E_05: E, "An exempt line must have a VAT rate (BT-152) of 0.", "يجب أن تكون نسبة الضريبة (BT-152) للبند المعفى صفرًا.";
    BR_E_06: E, "An exempt document allowance must have a VAT rate (BT-96) of 0.", "يجب أن تكون نسبة الضريبة (BT-96) للخصم المعفى صفرًا.";
    BR_E_07: E, "An exempt document charge must have a VAT rate (BT-103) of 0.", "يجب أن تكون نسبة الضريبة (BT-103) للرسوم المعفاة صفرًا.";
    BR_KSA_11: E, "An out-of-scope line must have a VAT rate (BT-152) of 0, if given.", "يجب أن تكون نسبة الضريبة (BT-152) للبند غير الخاضع للضريبة صفرًا إن وُجدت.";
    BR_KSA_12: W, "An out-of-scope document allowance must have a VAT rate (BT-96) of 0, if given.", "يجب أن تكون نسبة الضريبة (BT-96) للخصم غير الخاضع للضريبة صفرًا إن وُجدت.";
    BR_KSA_13: W, "An out-of-scope document charge must have a VAT rate (BT-103) of 0, if given.", "يجب أن تكون نسبة الضريبة (BT-103) للرسوم غير الخاضعة للضريبة صفرًا إن وُجدت.";
    BR_S_08: W, "For category S, each rate's taxable amount (BT-116) must equal its line net amounts − allowances + charges.", "في الفئة S يجب أن يساوي المبلغ الخاضع للضريبة (BT-116) لكل نسبة مجموع صافي البنود ناقص الخصومات زائد الرسوم.";
    BR_Z_08: W, "For category Z, the taxable amount (BT-116) must equal the line net amounts − allowances + charges.", "في الفئة Z يجب أن يساوي المبلغ الخاضع للضريبة (BT-116) مجموع صافي البنود ناقص الخصومات زائد الرسوم.";
    BR_E_08: W, "For category E, the taxable amount (BT-116) must equal the line net amounts − allowances + charges.", "في الفئة E يجب أن يساوي المبلغ الخاضع للضريبة (BT-116) مجموع صافي البنود ناقص الخصومات زائد الرسوم.";
    BR_O_08: W, "For category O, the taxable amount (BT-116) must equal the line net amounts − allowances + charges.", "في الفئة O يجب أن يساوي المبلغ الخاضع للضريبة (BT-116) مجموع صافي البنود ناقص الخصومات زائد الرسوم.";
    BR_S_09: W, "For category S, the tax amount (BT-117) must equal taxable amount × rate / 100, rounded to two decimals.", "في الفئة S يجب أن يساوي مبلغ الضريبة (BT-117) المبلغ الخاضع للضريبة × النسبة / 100 مقربًا إلى منزلتين عشريتين.";
    BR_Z_09: E, "For category Z, the tax amount (BT-117) must be 0.", "في الفئة Z يجب أن يكون مبلغ الضريبة (BT-117) صفرًا.";
    BR_E_09: E, "For category E, the tax amount (BT-117) must be 0.", "في الفئة E يجب أن يكون مبلغ الضريبة (BT-117) صفرًا.";
    BR_O_09: E, "For category O, the tax amount (BT-117) must be 0.", "في الفئة O يجب أن يكون مبلغ الضريبة (BT-117) صفرًا.";
    BR_S_10: W, "A category S breakdown must not have an exemption reason code (BT-121) or text (BT-120).", "يجب ألا يحتوي التفصيل الضريبي للفئة S على رمز أو نص سبب الإعفاء (BT-121، BT-120).";
    BR_KSA_23: W, "A category E breakdown must have an exemption reason code (BT-121).", "يجب أن يحتوي التفصيل الضريبي للفئة E على رمز سبب الإعفاء (BT-121).";
    BR_KSA_24: W, "A category O breakdown must have an exception reason code (BT-121).", "يجب أن يحتوي التفصيل الضريبي للفئة O على رمز سبب الاستثناء (BT-121).";
    BR_KSA_69: W, "A category Z breakdown must have an exception reason code (BT-121).", "يجب أن يحتوي التفصيل الضريبي للفئة Z على رمز سبب الاستثناء (BT-121).";
    BR_KSA_CL_04: W, "The exemption reason code (BT-121) must be one of ZATCA's codes for the category (XML standard §11.2.4).", "يجب أن يكون رمز سبب الإعفاء (BT-121) من رموز هيئة الزكاة والضريبة والجمارك الخاصة بالفئة (البند 11.2.4).";
    BR_KSA_83: W, "A category E, Z or O breakdown must have an exemption reason text (BT-120).", "يجب أن يحتوي التفصيل الضريبي للفئات E أو Z أو O على نص سبب الإعفاء (BT-120).";
    BR_KSA_84: E, "Standard-rated VAT rates must be 5 or 15.", "يجب أن تكون نسبة الضريبة الأساسية 5 أو 15.";
    BR_KSA_DEC_02: E, "VAT rates must be numbers from 0.00 to 100.00 with at most two decimals.", "يجب أن تكون نسب الضريبة أرقامًا من 0.00 إلى 100.00 بمنزلتين عشريتين على الأكثر.";
    BR_KSA_25: W, "A simplified document with reason code VATEX-SA-EDU or VATEX-SA-HEA must contain the buyer name (BT-44).", "يجب أن تحتوي الفاتورة المبسطة ذات رمز الإعفاء VATEX-SA-EDU أو VATEX-SA-HEA على اسم المشتري (BT-44).";
    BR_KSA_49: E, "With reason code VATEX-SA-EDU or VATEX-SA-HEA the buyer ID (BT-46) must be a national ID (scheme NAT).", "عند استخدام رمز الإعفاء VATEX-SA-EDU أو VATEX-SA-HEA يجب أن يكون معرّف المشتري (BT-46) هوية وطنية (NAT).";
    BR_KSA_F_06_C16: W, "The exemption reason text (BT-120) must have 1 to 1000 characters.", "يجب أن يتكون نص سبب الإعفاء (BT-120) من 1 إلى 1000 حرف.";
    // --- arithmetic and decimals ------------------------------------------------------------------
    BR_CO_10: W, "The sum of line net amounts (BT-106) must equal Σ line net amounts (BT-131).", "يجب أن يساوي مجموع صافي البنود (BT-106) مجموع مبالغ البنود الصافية (BT-131).";
    BR_CO_11: E, "The sum of document allowances (BT-107) must equal Σ allowance amounts (BT-92).", "يجب أن يساوي مجموع الخصومات على مستوى المستند (BT-107) مجموع مبالغ الخصومات (BT-92).";
    BR_CO_12: E, "The sum of document charges (BT-108) must equal Σ charge amounts (BT-99).", "يجب أن يساوي مجموع الرسوم على مستوى المستند (BT-108) مجموع مبالغ الرسوم (BT-99).";
    BR_CO_13: W, "The total without VAT (BT-109) must equal Σ line net amounts − allowances (BT-107) + charges (BT-108).", "يجب أن يساوي الإجمالي دون الضريبة (BT-109) مجموع صافي البنود ناقص الخصومات (BT-107) زائد الرسوم (BT-108).";
    BR_CO_14: E, "The total VAT (BT-110) must equal Σ VAT category tax amounts (BT-117).", "يجب أن يساوي إجمالي الضريبة (BT-110) مجموع مبالغ الضريبة لكل فئة (BT-117).";
    BR_CO_15: E, "The total with VAT (BT-112) must equal the total without VAT (BT-109) + the VAT of the breakdowns, and a VAT total (BT-110) in the invoice currency must exist.", "يجب أن يساوي الإجمالي مع الضريبة (BT-112) الإجمالي دون الضريبة (BT-109) زائد ضريبة الفئات، ويجب وجود إجمالي ضريبة (BT-110) بعملة الفاتورة.";
    BR_CO_16: W, "The amount due (BT-115) must equal the total with VAT (BT-112) − prepaid amount (BT-113) + rounding amount (BT-114).", "يجب أن يساوي المبلغ المستحق (BT-115) الإجمالي مع الضريبة (BT-112) ناقص المبلغ المدفوع مسبقًا (BT-113) زائد مبلغ التقريب (BT-114).";
    BR_CO_17: W, "The VAT category tax amount (BT-117) must equal taxable amount (BT-116) × rate (BT-119) / 100, rounded to two decimals (ZATCA allows 0.01 per invoice line).", "يجب أن يساوي مبلغ ضريبة الفئة (BT-117) المبلغ الخاضع للضريبة (BT-116) × النسبة (BT-119) / 100 مقربًا إلى منزلتين عشريتين (تسمح الهيئة بفرق 0.01 لكل بند).";
    BR_KSA_51: W, "The line amount with VAT (KSA-12) must equal the line net amount (BT-131) + line VAT (KSA-11).", "يجب أن يساوي مبلغ البند شاملًا الضريبة (KSA-12) صافي مبلغ البند (BT-131) زائد ضريبة البند (KSA-11).";
    BR_KSA_EN16931_11: W, "The line net amount (BT-131) must equal quantity × (net price / base quantity) + line charges − line allowances.", "يجب أن يساوي صافي مبلغ البند (BT-131) الكمية × (السعر الصافي / الكمية الأساسية) زائد رسوم البند ناقص خصومات البند.";
    BR_KSA_EN16931_03: W, "An allowance or charge amount must equal base amount × percentage / 100 when both are given.", "يجب أن يساوي مبلغ الخصم أو الرسوم المبلغ الأساسي × النسبة / 100 عند وجودهما.";
    BR_KSA_EN16931_04: W, "An allowance or charge base amount must be given when a percentage is given.", "يجب ذكر المبلغ الأساسي للخصم أو الرسوم عند ذكر النسبة.";
    BR_KSA_EN16931_05: W, "An allowance or charge percentage must be given when a base amount is given.", "يجب ذكر نسبة الخصم أو الرسوم عند ذكر المبلغ الأساسي.";
    BR_KSA_EN16931_07: E, "The item net price (BT-146) must equal gross price (BT-148) − price discount (BT-147) when a gross price is given.", "يجب أن يساوي السعر الصافي (BT-146) السعر الإجمالي (BT-148) ناقص خصم السعر (BT-147) عند ذكر السعر الإجمالي.";
    BR_KSA_EN16931_08: W, "Exactly one tax total (BG-22) with VAT breakdowns must be given.", "يجب ذكر إجمالي ضريبي واحد فقط (BG-22) يحتوي على التفاصيل الضريبية.";
    BR_KSA_EN16931_09: W, "Exactly one tax total without VAT breakdowns must be given when the tax currency is given.", "يجب ذكر إجمالي ضريبي واحد فقط دون تفاصيل ضريبية عند ذكر عملة الضريبة.";
    BR_53: W, "With a tax currency code (BT-6), the VAT total without breakdown (BT-111) must be given in that currency.", "عند ذكر عملة الضريبة (BT-6) يجب ذكر إجمالي الضريبة دون تفصيل الفئات (BT-111) بتلك العملة.";
    BR_KSA_97: W, "For a non-SAR document, the total VAT (BT-110) cannot equal the total VAT in SAR (BT-111).", "في الفاتورة بعملة غير الريال لا يمكن أن يساوي إجمالي الضريبة (BT-110) إجمالي الضريبة بالريال (BT-111).";
    BR_13: W, "The invoice must have the total amount without VAT (BT-109).", "يجب أن تحتوي الفاتورة على الإجمالي دون الضريبة (BT-109).";
    BR_14: E, "The invoice must have the total amount with VAT (BT-112).", "يجب أن تحتوي الفاتورة على الإجمالي مع الضريبة (BT-112).";
    BR_15: E, "The invoice must have the amount due for payment (BT-115).", "يجب أن تحتوي الفاتورة على المبلغ المستحق للدفع (BT-115).";
    BR_KSA_F_04: E, "Amounts and quantities must not be negative (unless the rule allows it).", "يجب ألا تكون المبالغ والكميات سالبة (إلا حيث يُسمح بذلك).";
    BR_DEC_01: W, "A document allowance amount (BT-92) may have at most 2 decimals.", "يجب ألا يتجاوز مبلغ الخصم على مستوى المستند (BT-92) منزلتين عشريتين.";
    BR_DEC_02: W, "A document allowance base amount (BT-93) may have at most 2 decimals.", "يجب ألا يتجاوز المبلغ الأساسي للخصم (BT-93) منزلتين عشريتين.";
    BR_DEC_05: W, "A document charge amount (BT-99) may have at most 2 decimals.", "يجب ألا يتجاوز مبلغ الرسوم على مستوى المستند (BT-99) منزلتين عشريتين.";
    BR_DEC_06: W, "A document charge base amount (BT-100) may have at most 2 decimals.", "يجب ألا يتجاوز المبلغ الأساسي للرسوم (BT-100) منزلتين عشريتين.";
    BR_DEC_09: W, "The sum of line net amounts (BT-106) may have at most 2 decimals.", "يجب ألا يتجاوز مجموع صافي البنود (BT-106) منزلتين عشريتين.";
    BR_DEC_10: W, "The sum of allowances (BT-107) may have at most 2 decimals.", "يجب ألا يتجاوز مجموع الخصومات (BT-107) منزلتين عشريتين.";
    BR_DEC_11: W, "The sum of charges (BT-108) may have at most 2 decimals.", "يجب ألا يتجاوز مجموع الرسوم (BT-108) منزلتين عشريتين.";
    BR_DEC_12: W, "The total without VAT (BT-109) may have at most 2 decimals.", "يجب ألا يتجاوز الإجمالي دون الضريبة (BT-109) منزلتين عشريتين.";
    BR_DEC_13: W, "The total VAT (BT-110) may have at most 2 decimals.", "يجب ألا يتجاوز إجمالي الضريبة (BT-110) منزلتين عشريتين.";
    BR_DEC_14: W, "The total with VAT (BT-112) may have at most 2 decimals.", "يجب ألا يتجاوز الإجمالي مع الضريبة (BT-112) منزلتين عشريتين.";
    BR_DEC_15: W, "The total VAT in accounting currency (BT-111) may have at most 2 decimals.", "يجب ألا يتجاوز إجمالي الضريبة بعملة المحاسبة (BT-111) منزلتين عشريتين.";
    BR_DEC_16: W, "The prepaid amount (BT-113) may have at most 2 decimals.", "يجب ألا يتجاوز المبلغ المدفوع مسبقًا (BT-113) منزلتين عشريتين.";
    BR_DEC_17: W, "The rounding amount (BT-114) may have at most 2 decimals.", "يجب ألا يتجاوز مبلغ التقريب (BT-114) منزلتين عشريتين.";
    BR_DEC_18: W, "The amount due (BT-115) may have at most 2 decimals.", "يجب ألا يتجاوز المبلغ المستحق (BT-115) منزلتين عشريتين.";
    BR_DEC_19: W, "A VAT category taxable amount (BT-116) may have at most 2 decimals.", "يجب ألا يتجاوز المبلغ الخاضع للضريبة (BT-116) منزلتين عشريتين.";
    BR_DEC_20: W, "A VAT category tax amount (BT-117) may have at most 2 decimals.", "يجب ألا يتجاوز مبلغ ضريبة الفئة (BT-117) منزلتين عشريتين.";
    BR_DEC_23: W, "A line net amount (BT-131) may have at most 2 decimals.", "يجب ألا يتجاوز صافي مبلغ البند (BT-131) منزلتين عشريتين.";
    BR_DEC_24: W, "A line allowance amount (BT-136) may have at most 2 decimals.", "يجب ألا يتجاوز مبلغ خصم البند (BT-136) منزلتين عشريتين.";
    BR_DEC_25: W, "A line allowance base amount (BT-137) may have at most 2 decimals.", "يجب ألا يتجاوز المبلغ الأساسي لخصم البند (BT-137) منزلتين عشريتين.";
    BR_DEC_27: W, "A line charge amount (BT-141) may have at most 2 decimals.", "يجب ألا يتجاوز مبلغ رسوم البند (BT-141) منزلتين عشريتين.";
    BR_DEC_28: W, "A line charge base amount (BT-142) may have at most 2 decimals.", "يجب ألا يتجاوز المبلغ الأساسي لرسوم البند (BT-142) منزلتين عشريتين.";
    BR_KSA_DEC_01: E, "Allowance percentages (BT-94, BT-138) must be from 0.00 to 100.00 with at most two decimals.", "يجب أن تكون نسب الخصم (BT-94، BT-138) من 0.00 إلى 100.00 بمنزلتين عشريتين على الأكثر.";
    BR_KSA_DEC_03: W, "The line VAT amount (KSA-11) may have at most 2 decimals.", "يجب ألا يتجاوز مبلغ ضريبة البند (KSA-11) منزلتين عشريتين.";
    BR_KSA_DEC_04: W, "The line amount with VAT (KSA-12) may have at most 2 decimals.", "يجب ألا يتجاوز مبلغ البند شاملًا الضريبة (KSA-12) منزلتين عشريتين.";
    BR_KSA_DEC_06: W, "Prepayment taxable (KSA-31) and tax (KSA-32) amounts may have at most 2 decimals.", "يجب ألا تتجاوز مبالغ الدفعة المقدمة الخاضعة للضريبة (KSA-31) وضريبتها (KSA-32) منزلتين عشريتين.";
    // --- lines, allowances and charges ------------------------------------------------------------
    BR_16: E, "The invoice must have at least one line (BG-25).", "يجب أن تحتوي الفاتورة على بند واحد على الأقل (BG-25).";
    BR_21: W, "Each line must have a line identifier (BT-126).", "يجب أن يحتوي كل بند على معرّف البند (BT-126).";
    BR_22: E, "Each line must have an invoiced quantity (BT-129).", "يجب أن يحتوي كل بند على الكمية (BT-129).";
    BR_24: E, "Each line must have a line net amount (BT-131).", "يجب أن يحتوي كل بند على صافي المبلغ (BT-131).";
    BR_25: W, "Each line must contain the item name (BT-153).", "يجب أن يحتوي كل بند على اسم السلعة أو الخدمة (BT-153).";
    BR_26: E, "Each line must contain the item net price (BT-146).", "يجب أن يحتوي كل بند على سعر الوحدة الصافي (BT-146).";
    BR_54: E, "Each item attribute (BG-32) must have a name (BT-160) and a value (BT-161).", "يجب أن تحتوي كل خاصية للسلعة (BG-32) على اسم (BT-160) وقيمة (BT-161).";
    BR_KSA_52: E, "The line VAT amount (KSA-11) is mandatory on standard documents.", "مبلغ ضريبة البند (KSA-11) إلزامي في الفواتير الضريبية وإشعاراتها.";
    BR_KSA_53: E, "The line amount with VAT (KSA-12) is mandatory on standard documents.", "مبلغ البند شاملًا الضريبة (KSA-12) إلزامي في الفواتير الضريبية وإشعاراتها.";
    BR_KSA_EN16931_06: E, "A charge on the price (BG-29) is not allowed: its ChargeIndicator must be false.", "لا يُسمح برسوم على مستوى السعر (BG-29): يجب أن تكون قيمة ChargeIndicator ‏false.";
    BR_KSA_EN16931_12: E, "The price base quantity (BT-149) must be above zero.", "يجب أن تكون الكمية الأساسية للسعر (BT-149) أكبر من صفر.";
    BR_KSA_F_06_C17: E, "The line identifier (BT-126) must have 1 to 6 characters.", "يجب أن يتكون معرّف البند (BT-126) من 1 إلى 6 خانات.";
    BR_KSA_F_06_C18: W, "The quantity unit code (BT-130) must not exceed 127 characters.", "يجب ألا يتجاوز رمز وحدة الكمية (BT-130) ‏127 حرفًا.";
    BR_KSA_F_06_C19: W, "The item name (BT-153) must have 3 to 1000 characters.", "يجب أن يتكون اسم السلعة (BT-153) من 3 إلى 1000 حرف.";
    BR_KSA_F_C_01: W, "The item name (BT-153) must describe the goods or services, not only digits (VAT Regulations, Article 53).", "يجب أن يصف اسم السلعة (BT-153) السلعة أو الخدمة، لا أن يتكون من أرقام فقط (اللائحة التنفيذية لنظام ضريبة القيمة المضافة، المادة 53).";
    BR_KSA_F_06_C20: W, "The item standard identifier (BT-157) must not exceed 127 characters.", "يجب ألا يتجاوز المعرّف القياسي للسلعة (BT-157) ‏127 حرفًا.";
    BR_KSA_F_06_C21: W, "The price base quantity unit code (BT-150) must not exceed 127 characters.", "يجب ألا يتجاوز رمز وحدة الكمية الأساسية للسعر (BT-150) ‏127 حرفًا.";
    BR_KSA_F_06_C30: W, "The item buyer's identifier (BT-156) must not exceed 127 characters.", "يجب ألا يتجاوز معرّف المشتري للسلعة (BT-156) ‏127 حرفًا.";
    BR_KSA_F_06_C31: W, "The item seller's identifier (BT-155) must not exceed 127 characters.", "يجب ألا يتجاوز معرّف البائع للسلعة (BT-155) ‏127 حرفًا.";
    BR_KSA_F_02: E, "An allowance's ChargeIndicator must be false and a charge's true.", "يجب أن تكون قيمة ChargeIndicator ‏false للخصم و true للرسوم.";
    BR_31: E, "Each document allowance (BG-20) must have an amount (BT-92).", "يجب أن يحتوي كل خصم على مستوى المستند (BG-20) على مبلغ (BT-92).";
    BR_32: E, "Each document allowance (BG-20) must have a VAT category code (BT-95).", "يجب أن يحتوي كل خصم على مستوى المستند (BG-20) على رمز فئة الضريبة (BT-95).";
    BR_36: W, "Each document charge (BG-21) must have an amount (BT-99).", "يجب أن تحتوي كل رسوم على مستوى المستند (BG-21) على مبلغ (BT-99).";
    BR_37: W, "Each document charge (BG-21) must have a VAT category code (BT-102).", "يجب أن تحتوي كل رسوم على مستوى المستند (BG-21) على رمز فئة الضريبة (BT-102).";
    BR_41: E, "Each line allowance (BG-27) must have an amount (BT-136).", "يجب أن يحتوي كل خصم على مستوى البند (BG-27) على مبلغ (BT-136).";
    BR_43: W, "Each line charge (BG-28) must have an amount (BT-141).", "يجب أن تحتوي كل رسوم على مستوى البند (BG-28) على مبلغ (BT-141).";
    BR_KSA_19: W, "Each document charge (BG-21) must have a reason code (BT-105).", "يجب أن تحتوي كل رسوم على مستوى المستند (BG-21) على رمز السبب (BT-105).";
    BR_KSA_20: W, "Each line charge (BG-28) must have a reason code (BT-145).", "يجب أن تحتوي كل رسوم على مستوى البند (BG-28) على رمز السبب (BT-145).";
    BR_KSA_21: W, "Each document charge (BG-21) must have a reason (BT-104).", "يجب أن تحتوي كل رسوم على مستوى المستند (BG-21) على السبب (BT-104).";
    BR_KSA_22: W, "Each line charge (BG-28) must have a reason (BT-144).", "يجب أن تحتوي كل رسوم على مستوى البند (BG-28) على السبب (BT-144).";
    BR_KSA_CL_06: W, "Charge reason codes (BT-105, BT-145) must come from UNTDID 7161.", "يجب أن تكون رموز أسباب الرسوم (BT-105، BT-145) من قائمة UNTDID 7161.";
    BR_KSA_F_06_C33: W, "The document charge reason (BT-104) must not exceed 1000 characters.", "يجب ألا يتجاوز سبب الرسوم على مستوى المستند (BT-104) ‏1000 حرف.";
    BR_KSA_F_06_C34: W, "The line charge reason (BT-144) must not exceed 1000 characters.", "يجب ألا يتجاوز سبب الرسوم على مستوى البند (BT-144) ‏1000 حرف.";
    BR_KSA_F_06_C35: W, "The document allowance reason (BT-97) must not exceed 1000 characters.", "يجب ألا يتجاوز سبب الخصم على مستوى المستند (BT-97) ‏1000 حرف.";
    BR_KSA_F_06_C36: W, "The line allowance reason (BT-139) must not exceed 1000 characters.", "يجب ألا يتجاوز سبب الخصم على مستوى البند (BT-139) ‏1000 حرف.";
    // --- prepayments ------------------------------------------------------------------------------
    BR_KSA_73: W, "With a prepaid amount (BT-113), the prepayment lines must give ID, issue date, issue time and type code (386).", "عند وجود مبلغ مدفوع مسبقًا (BT-113) يجب أن تذكر بنود الدفعة المقدمة المعرّف وتاريخ ووقت الإصدار ورمز النوع (386).";
    BR_KSA_74: E, "The prepayment document type code (KSA-30) must be 386.", "يجب أن يكون رمز نوع مستند الدفعة المقدمة (KSA-30) ‏386.";
    BR_KSA_75: W, "A prepayment line must give the prepayment taxable amount (KSA-31) and tax amount (KSA-32).", "يجب أن يذكر بند الدفعة المقدمة المبلغ الخاضع للضريبة (KSA-31) ومبلغ الضريبة (KSA-32).";
    BR_KSA_76: W, "A zero-rated prepayment must have a VAT rate (KSA-34) of 0.", "يجب أن تكون نسبة ضريبة الدفعة المقدمة الخاضعة لنسبة الصفر (KSA-34) صفرًا.";
    BR_KSA_77: W, "An exempt prepayment must have a VAT rate (KSA-34) of 0.", "يجب أن تكون نسبة ضريبة الدفعة المقدمة المعفاة (KSA-34) صفرًا.";
    BR_KSA_78: W, "An out-of-scope prepayment must have a VAT rate (KSA-34) of 0.", "يجب أن تكون نسبة ضريبة الدفعة المقدمة غير الخاضعة للضريبة (KSA-34) صفرًا.";
    BR_KSA_79: W, "The prepayment tax amount (KSA-32) must equal its taxable amount (KSA-31) × rate (KSA-34) / 100.", "يجب أن يساوي مبلغ ضريبة الدفعة المقدمة (KSA-32) المبلغ الخاضع للضريبة (KSA-31) × النسبة (KSA-34) / 100.";
    BR_KSA_80: W, "The prepaid amount (BT-113) must equal Σ prepayment taxable amounts (KSA-31) + Σ prepayment tax amounts (KSA-32).", "يجب أن يساوي المبلغ المدفوع مسبقًا (BT-113) مجموع المبالغ الخاضعة للضريبة للدفعات المقدمة (KSA-31) زائد ضرائبها (KSA-32).";
    BR_KSA_82: E, "On a prepayment line, the price, allowances, charges, net amount, line VAT and amount with VAT must be 0.", "في بند الدفعة المقدمة يجب أن تكون قيم السعر والخصومات والرسوم والصافي وضريبة البند والمبلغ شاملًا الضريبة صفرًا.";
    BR_KSA_93: W, "A zero-rated prepayment should give an exception reason code (KSA-41).", "يجب أن تذكر الدفعة المقدمة الخاضعة لنسبة الصفر رمز سبب الاستثناء (KSA-41).";
    BR_KSA_94: W, "An exempt prepayment should give an exemption reason code (KSA-41).", "يجب أن تذكر الدفعة المقدمة المعفاة رمز سبب الإعفاء (KSA-41).";
    BR_KSA_95: W, "An out-of-scope prepayment should give an exception reason code (KSA-41).", "يجب أن تذكر الدفعة المقدمة غير الخاضعة للضريبة رمز سبب الاستثناء (KSA-41).";
    BR_KSA_96: W, "A prepayment in category E, Z or O must have an exemption reason text (KSA-42).", "يجب أن تذكر الدفعة المقدمة في الفئات E أو Z أو O نص سبب الإعفاء (KSA-42).";
    BR_KSA_CL_07: W, "The prepayment exemption reason code (KSA-41) must be one of ZATCA's codes for its category.", "يجب أن يكون رمز سبب إعفاء الدفعة المقدمة (KSA-41) من الرموز المعتمدة لفئتها.";
    BR_KSA_F_06_C39: W, "The prepayment exemption reason text (KSA-42) must not exceed 1000 characters.", "يجب ألا يتجاوز نص سبب إعفاء الدفعة المقدمة (KSA-42) ‏1000 حرف.";
    // --- exchange rate ----------------------------------------------------------------------------
    BR_KSA_87: W, "A tax exchange rate (KSA-36) must give source currency (KSA-37), target currency (KSA-38) and rate (KSA-39).", "يجب أن يذكر سعر صرف الضريبة (KSA-36) العملة المصدر (KSA-37) والعملة الهدف (KSA-38) والسعر (KSA-39).";
    BR_KSA_88: E, "The source currency (KSA-37) must equal the invoice currency (BT-5).", "يجب أن تساوي العملة المصدر (KSA-37) عملة الفاتورة (BT-5).";
    BR_KSA_89: E, "The target currency (KSA-38) must equal the tax currency (BT-6).", "يجب أن تساوي العملة الهدف (KSA-38) عملة الضريبة (BT-6).";
    BR_KSA_90: E, "The tax exchange rate (KSA-39) may have at most 14 characters.", "يجب ألا يتجاوز سعر صرف الضريبة (KSA-39) ‏14 خانة.";
}

/// The rule with this id, if implemented.
pub fn rule_info(id: &str) -> Option<&'static RuleInfo> {
    IMPLEMENTED_RULES.iter().find(|r| r.id == id)
}
