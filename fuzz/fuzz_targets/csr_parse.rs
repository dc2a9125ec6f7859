//! The CSR reader on any bytes (DER, PEM, base64 DER, base64 of PEM): typed error or Ok.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = qayd::parse_csr(data) {
        // What parsed once parses again from its own DER, to the same thing.
        assert_eq!(qayd::parse_csr(&parsed.der).expect("re-parse of DER"), parsed);
    }
});
