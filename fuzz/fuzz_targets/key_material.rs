//! Key and certificate readers on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = qayd::PrivateKey::from_bytes(data);
    let _ = qayd::Certificate::from_bytes(data);
});
