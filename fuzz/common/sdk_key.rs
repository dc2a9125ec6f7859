//! The SDK's test certificate and key (tests/vectors/sdk-R3.4.8/Data/Certificates), read once.
#![allow(dead_code)] // each target includes this file and uses part of it
use std::sync::OnceLock;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/sdk-R3.4.8/Data/Certificates/");

/// The SDK's private key file, as bytes (PEM).
pub fn key_pem() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(|| std::fs::read(format!("{DIR}ec-secp256k1-priv-key.pem")).unwrap())
}

/// The SDK's certificate with its key.
pub fn signer() -> &'static qayd::Signer {
    static SIGNER: OnceLock<qayd::Signer> = OnceLock::new();
    SIGNER.get_or_init(|| {
        qayd::Signer::from_bytes(&std::fs::read(format!("{DIR}cert.pem")).unwrap(), key_pem()).unwrap()
    })
}
