//! The invoice model's JSON → UBL writer → hash, stamp (SDK test key), verify, validate.
//! Errors are fine, panics are not; whatever the writer produces must hash, stamp and verify,
//! and the model's JSON form must read back to the same invoice.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../common/sdk_key.rs"]
mod sdk_key;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(invoice) = qayd::model::Invoice::from_json(text) else { return };
    let json = invoice.to_json().expect("an invoice that was read can be written");
    assert_eq!(qayd::model::Invoice::from_json(&json).expect("JSON round trip"), invoice);
    let Ok(xml) = invoice.to_xml() else { return };
    let hash = qayd::invoice_hash(&xml).expect("generated XML must hash");
    let options = qayd::StampOptions { signing_time: Some("2025-01-01T00:00:00".into()) };
    let stamped = qayd::stamp(&xml, sdk_key::signer(), &options).expect("generated XML must stamp");
    assert_eq!(stamped.invoice_hash, hash, "stamping must not change the invoice hash");
    let report = qayd::verify(&stamped.xml).expect("stamped XML must verify");
    assert!(report.valid, "{report:?}");
    let _ = qayd::validate::validate_at(&stamped.xml, 1_767_225_600);
});
