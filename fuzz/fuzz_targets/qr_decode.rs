//! The QR decoder on any text; what decodes must re-encode to the same payload.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(fields) = qayd::qr::decode(text) {
        let pairs: Vec<(u8, &[u8])> = fields.iter().map(|f| (f.tag, f.raw.as_slice())).collect();
        if let Ok(again) = qayd::qr::encode(&pairs) {
            assert_eq!(qayd::qr::decode(&again).unwrap(), fields);
        }
    }
});
