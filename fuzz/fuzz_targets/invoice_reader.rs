//! Any bytes through the reader, hash, verify and stamp: errors are fine, panics are not, and
//! whatever gets stamped must verify.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn signer() -> &'static qayd::Signer {
    static SIGNER: OnceLock<qayd::Signer> = OnceLock::new();
    SIGNER.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/sdk-R3.4.8/Data/Certificates/");
        qayd::Signer::from_bytes(
            &std::fs::read(format!("{dir}cert.pem")).unwrap(),
            &std::fs::read(format!("{dir}ec-secp256k1-priv-key.pem")).unwrap(),
        )
        .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = qayd::invoice_hash(data);
    let _ = qayd::verify(data);
    let options = qayd::StampOptions { signing_time: Some("2025-01-01T00:00:00".into()) };
    if let Ok(stamped) = qayd::stamp(data, signer(), &options) {
        assert!(qayd::verify(&stamped.xml).unwrap().valid);
    }
});
