//! Inputs the fuzzers (fuzz/) found, minimised: each once broke a property the fuzz target
//! asserts, and now gets a typed error or the right answer.

use qayd::model::Invoice;
use qayd::{Error, StampOptions};
use std::path::{Path, PathBuf};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}
fn read(path: &str) -> Vec<u8> {
    std::fs::read(repo(path)).unwrap()
}
fn simplified_model() -> Invoice {
    let json = std::fs::read_to_string(repo("core/tests/fixtures/models/simplified_invoice.json")).unwrap();
    Invoice::from_json(&json).unwrap()
}

/// `invoice_model` found it: a PIH that is base64 but neither the genesis value nor a 32-byte
/// hash (here the genesis value with one hex digit changed to `i`) passed the model's check, so
/// `to_xml` wrote a document the stamp then refused. The model now applies the stamp's test
/// (`qayd::__internal::stamp::pih_is_well_formed`), which is no ZATCA rule (BR-KSA-26 only asks for a PIH):
/// the error names none.
#[test]
fn model_refuses_a_pih_the_stamp_would_refuse() {
    let mut invoice = simplified_model();
    invoice.pih =
        "NWlZY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ==".into();
    let error = invoice.to_xml().unwrap_err();
    assert!(matches!(&error, Error::InvalidModel { .. }), "{error:?}");
    assert_eq!(error.rule(), None);
    assert!(error.to_string().contains("hash chain"), "{error}");

    // Base64 of other lengths than 32 bytes is refused too; a 32-byte hash and the genesis
    // value are accepted, and what the model accepts stamps.
    invoice.pih = "AAAA".into();
    assert!(invoice.to_xml().unwrap_err().to_string().contains("hash chain"));
    let signer = qayd::Signer::from_bytes(
        &read("tests/vectors/sdk-R3.4.8/Data/Certificates/cert.pem"),
        &read("tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem"),
    )
    .unwrap();
    let options = StampOptions { signing_time: Some("2025-01-01T00:00:00".into()) };
    for pih in [qayd::GENESIS_PIH, "3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="] {
        invoice.pih = pih.into();
        let xml = invoice.to_xml().unwrap();
        let stamped = qayd::stamp(&xml, &signer, &options).unwrap();
        assert!(qayd::verify(&stamped.xml).unwrap().valid);
    }
}

/// `credentials.json` is a file the user may edit: a `certificate_expiry` near `i64::MIN`
/// overflowed `expires_in` (a panic in debug builds, a wrapped "far future" in release, which
/// would skip renewal). It now saturates.
#[test]
fn expires_in_saturates_on_extreme_expiry() {
    let key = String::from_utf8(read("tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem"))
        .unwrap();
    let identity =
        std::fs::read_to_string(repo("tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties"))
            .unwrap();
    let csid =
        serde_json::json!({"binary_security_token": "", "secret": "", "request_id": null, "not_after": 0});
    let value = serde_json::json!({
        "environment": "simulation",
        "identity": qayd::CsrConfig::from_properties(&identity).unwrap(),
        "private_key": key,
        "csr": "",
        "compliance": csid,
        "production": csid,
        "certificate_expiry": i64::MIN,
        "issued_at": 0,
        "samples": [],
    });
    let credentials = qayd::onboarding::EgsCredentials::from_json(&value.to_string()).unwrap();
    assert_eq!(credentials.expires_in(1_767_225_600), i64::MIN);
    assert!(credentials.expires_in(1) < 0, "an expiry in the distant past is expired");
}
